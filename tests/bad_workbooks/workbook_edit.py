"""Helpers for the recipes of tests/bad_workbooks/*/make.py: change one exported workbook as a user might."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

HEADER_ROW = 2


def cell_of(ws, row_id: str, header: str) -> str:
    """The coordinate of the cell in the row ``row_id`` under the column headed ``header`` (or whose header contains it)."""
    headers = [c for c in ws[HEADER_ROW] if c.value]
    exact = [c for c in headers if c.value == header]
    column = (exact or [c for c in headers if header in c.value])[0].column_letter
    row = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == row_id)
    return f"{column}{row}"


def type_into(path: Path, sheet: str, row_id: str, header: str, value) -> Path:
    wb = load_workbook(path)
    ws = wb[sheet]
    ws[cell_of(ws, row_id, header)] = value
    wb.save(path)
    return path


def edit(path: Path, change) -> Path:
    """Open, let ``change(wb)`` do anything, save."""
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def renamed(path: Path, name: str) -> Path:
    target = path.with_name(name)
    shutil.move(path, target)
    return target
