"""Open data: the outline's data tables as CSV, with a README of the columns.

``build/<year>/data/`` gets one CSV per table of
:attr:`Report.open_data <kplan_report.views.outline.Report.open_data>`
(indicators.csv: one row per indicator measure, every year; projects.csv:
one row per project and year) and README.md naming every column.  The files
are UTF-8 with a BOM, because Excel, which most readers of a city's open
data use, reads a CSV without one as Shift_JIS; lines end in CRLF, as RFC
4180 says.  The writer decides nothing: names, descriptions and values are
the outline's.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ...views.opendata import OpenData
from ...views.outline import Report

README = "README.md"


def csv_bytes(columns: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def readme(data: OpenData) -> str:
    """The README: what each file holds and a table of its columns."""
    lines = [f"# {data.title}", "", data.intro, ""]
    for table in data.tables:
        lines += [f"## {table.file}", "", table.title, "", f"| {data.columns_label} | {data.help_label} |",
                  "| --- | --- |"]
        lines += [f"| {name} | {text} |" for name, text in zip(table.columns, table.help)]
        lines.append("")
    return "\n".join(lines)


def write_csv(report: Report, folder: str | Path) -> None:
    """Write the CSV files and README.md into ``folder`` (which must exist)."""
    folder = Path(folder)
    data = report.open_data
    for table in data.tables:
        (folder / table.file).write_bytes(csv_bytes(table.columns, table.rows))
    (folder / README).write_text(readme(data), encoding="utf-8")
