"""Japanese conventions (和暦, numbers) and the fixed labels of the report."""
