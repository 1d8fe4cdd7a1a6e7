"""The one outline of the report that every writer walks."""
