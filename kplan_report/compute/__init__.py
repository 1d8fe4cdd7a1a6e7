"""Pure computations on the validated model: progress per indicator, counts, series."""
