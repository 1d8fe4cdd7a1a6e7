"""What comes in from outside: the YAML reader, a new year's blank file, and values typed elsewhere.

:mod:`.roundtrip` writes values typed in Excel workbooks or the edited Word
draft into a hand-edited actuals file without rewriting it; :mod:`.scalars`
spells one value the way the files spell values.
"""
