"""Getting values typed outside the YAML files (Excel workbooks, the edited Word draft) into them.

:mod:`.roundtrip` writes such values into a hand-edited actuals file
without rewriting it; :mod:`.scalars` spells one value the way the files
spell values.
"""
