"""The year's actuals collected from each department as Excel workbooks.

Each year the 取りまとめ division asks every department that owns a project
or an indicator for its results.  ``kplan-report intake export`` writes one
workbook per department (:mod:`.export`), holding only that department's
rows, with every cell locked except the ones it fills in;
``kplan-report intake import`` reads them back (:mod:`.read`), checks every
typed cell with the same rules as the YAML files, and writes the values
into ``source/actuals/<YEAR>.yaml`` through the round-trip writer, so that
the hand-edited file keeps its comments and layout.  ``intake status``
(:mod:`.status`) lists what is still missing per department.

What a workbook holds, row by row and cell by cell, is worked out once in
:mod:`.layout` and used by both directions: the import never trusts the
workbook to say which YAML field a cell is; it rebuilds the layout from
``source/`` and compares the row IDs.
"""
