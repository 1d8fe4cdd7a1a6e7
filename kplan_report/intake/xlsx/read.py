"""Reading returned workbooks into the year's actuals (``kplan-report intake import``).

All files are read and every typed cell is checked before anything is
written: one problem per line, ``FILE!SHEET!CELL: FIELD: found …; expected
…``, for all files at once, so that the 取りまとめ division can send each
department one list of corrections.  A workbook is matched to
``source/`` by the year, department and plan fingerprint it records, and
its rows by their IDs: the layout is rebuilt from ``source/``
(:mod:`.layout`), never read from the workbook.

The values then go into ``source/actuals/<YEAR>.yaml`` through the
round-trip writer (:mod:`..roundtrip`): an empty cell leaves the file alone,
a cell that repeats the file's value changes nothing, and a cell that
differs from a non-empty value in the file is a conflict, kept as in the
file unless ``overwrite``.  Before writing, the whole resulting file is
checked with the same rules ``validate`` applies, so an import never
leaves a file that does not load.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ... import model
from ...validate import load as loading
from ...validate.messages import InputError, Problem
from ..roundtrip import Change, ChangePlan, Status, plan_changes, write_changes
from ..yamlio import MAX_TEXT_CHARS, describe, display_path, parse_yaml_bytes, quote, read_yaml
from . import layout as L
from .safety import refusal

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")
_NUMBER_COMMAS_UNIT = re.compile(r"\s*([-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?)\s*(\S*)\s*")


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem in one cell (or one sheet, or the whole file) of a returned workbook."""

    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        where = self.file + (f"!{self.sheet}" if self.sheet else "") + (f"!{self.cell}" if self.cell else "")
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}found {self.found}; expected {self.expected}"


def _problem(file: str, sheet: str, cell: str, field: str, found: str, expected: str) -> CellProblem:
    return CellProblem(file, 0, field, found, expected, sheet, cell)


@dataclass
class Typed:
    """A value typed into one input cell."""

    value: Any
    file: str
    sheet: str
    cell: str
    department: str

    @property
    def where(self) -> str:
        return f"{self.file}!{self.sheet}!{self.cell}"


@dataclass
class WorkbookRead:
    file: str
    layout: L.Layout
    typed: dict[tuple[str, ...], Typed] = field(default_factory=dict)
    empty: int = 0
    row_numbers: dict[tuple[str, str], int] = field(default_factory=dict)  # (sheet, row ID) -> row in the workbook
    invalid: set[tuple[str, ...]] = field(default_factory=set)  # fields whose cell was refused (not judged again as empty)


@dataclass
class ImportResult:
    target: Path
    created: bool
    plan: ChangePlan
    workbooks: list[WorkbookRead]
    written: bool

    def per_department(self) -> list[str]:
        """One line per workbook: ``FILE (社会福祉課): 12 filled, 3 unchanged, 4 empty, 1 conflict (kept)``."""
        by_path = {o.change.path: o for o in self.plan.outcomes}
        lines = []
        for book in self.workbooks:
            outcomes = [by_path[p] for p in book.typed if p in by_path]
            filled = sum(o.status is Status.APPLIED for o in outcomes)
            same = sum(o.status is Status.UNCHANGED for o in outcomes)
            conflicts = [o for o in outcomes if o.status is Status.CONFLICT]
            text = f"{book.file} ({book.layout.department.name}): {filled} filled, {same} unchanged, {book.empty} empty, {len(conflicts)} conflicts"
            if conflicts:
                text += " (overwritten)" if self.plan.overwrite else " (kept as in the YAML)"
            lines.append(text)
        return lines

    def conflict_lines(self) -> list[str]:
        lines = []
        typed = {p: t for book in self.workbooks for p, t in book.typed.items()}
        for outcome in self.plan.conflicts:
            t = typed[outcome.change.path]
            action = "overwritten" if outcome.written else "kept; use --overwrite to replace it"
            lines.append(
                f"{t.where}: {outcome.field}: conflict: {display_path(self.target)} line {outcome.line} has {describe(outcome.old)}, "
                f"the workbook has {describe(outcome.change.value)}; {action}"
            )
        return lines


def import_workbooks(source: loading.Source, source_dir: Path, year: int, files: list[Path], dry_run: bool = False, overwrite: bool = False) -> ImportResult:
    """Check every file, then write the values into the year's actuals file (unless ``dry_run``).

    Raises :class:`InputError` with every problem of every file; nothing is
    written then.
    """
    problems: list[Problem] = []
    fp = L.fingerprint(source)
    departments = {d.id: d for d in source.departments.departments}
    books: list[WorkbookRead] = []
    seen_files: dict[Path, str] = {}
    for path in files:
        display = display_path(path)
        real = Path(os.path.realpath(path))
        if real in seen_files:
            problems.append(_problem(display, "", "", "", f"the same file as {seen_files[real]}", "each returned workbook once（同じファイルが2回指定されています）"))
            continue
        seen_files[real] = display
        book = _read_workbook(path, display, source, year, fp, departments, problems)
        if book is not None:
            books.append(book)

    merged = _merge(books, problems)
    target = source_dir / loading.ACTUALS_DIR / f"{year}.yaml"
    existing = _existing_data(target)
    _check_groups(books, merged, existing, problems)
    if problems:
        raise InputError(problems)

    changes = [Change(path, typed.value) for path, typed in merged.items()]
    created = not target.exists()
    with tempfile.TemporaryDirectory(prefix="kplan-intake-") as tmp:
        planned_path = target
        if created:
            from ..newyear import new_year_text

            planned_path = Path(tmp) / target.name
            planned_path.write_text(new_year_text(source, year), encoding="utf-8", newline="\n")
        plan = plan_changes(planned_path, changes, overwrite=overwrite)
        _check_result(plan.updated, target, year, source)
        written = False
        if not dry_run and (plan.changed or created):
            if created:
                _create_atomic(target, plan.updated)
                written = True
            else:
                written = write_changes(target, plan)
    return ImportResult(target, created, plan, books, written)


# ---------------------------------------------------------------- one workbook


def _read_workbook(path: Path, display: str, source, year: int, fp: str, departments: dict, problems: list[Problem]) -> WorkbookRead | None:
    refused = refusal(path)
    if refused is not None:
        problems.append(_problem(display, "", "", "", *refused))
        return None
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=False, keep_vba=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        problems.append(_problem(display, "", "", "", f"a workbook that cannot be read ({type(error).__name__}: {error})", "the .xlsx workbook as it was sent（ファイルを読み込めません）"))
        return None
    meta = _meta(wb)
    if meta is None or meta.get("format") != L.FORMAT:
        problems.append(_problem(display, "", "", "", "a workbook without the intake record (not made by kplan-report intake export)", "a workbook exported by kplan-report intake export（配布したブックに記入してください）"))
        return None
    wrong = False
    if meta.get("fiscal_year") != str(year):
        problems.append(_problem(display, L.META, "B2", "fiscal_year", f"a workbook for FY{meta.get('fiscal_year')}", f"a workbook for FY{year}（{year}年度のブックではありません）"))
        wrong = True
    department = departments.get(meta.get("department") or "")
    if department is None:
        problems.append(_problem(display, L.META, "B3", "department", f"the department '{meta.get('department')}', which departments.yaml does not have", "a department of departments.yaml（登録されていない課のブックです）"))
        return None
    named = next((d for d in departments.values() if path.name.startswith(f"{d.id}-")), None)
    if named is not None and named.id != department.id:
        problems.append(_problem(
            display, "", "", "", f"the workbook of {department.name} ({department.id}) under the file name of {named.name}",
            f"each department's own workbook, under its own name（{named.name}のファイル名で{department.name}のブックが提出されています）",
        ))
        wrong = True
    if meta.get("plan_fingerprint") != fp:
        problems.append(_problem(
            display, L.META, "B5", "plan_fingerprint", "a workbook made from another version of the plan data",
            "a workbook exported from the current source/; export again and copy the entries over（計画データが変わったため取り込めません。再出力したブックに転記してください）",
        ))
        wrong = True
    if wrong:
        return None
    # The sheets follow the edition the workbook was exported as (export --final), recorded in it.
    edition = meta.get("edition")
    layout = L.build_layout(source, year, department, fp, final=None if edition is None else edition == "final")
    book = WorkbookRead(display, layout)
    for sheet in layout.sheets:
        if sheet.name not in wb.sheetnames:
            problems.append(_problem(display, sheet.name, "", "", "no such sheet", f"the sheet {sheet.name} as exported（シート「{sheet.name}」がありません）"))
            continue
        _read_sheet(wb[sheet.name], sheet, book, problems)
    return book


def _meta(wb) -> dict[str, str] | None:
    if L.META not in wb.sheetnames:
        return None
    ws = wb[L.META]
    out = {}
    for key, value in ws.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if isinstance(key, str):
            out[key] = "" if value is None else str(value)
    return out


def _read_sheet(ws, sheet: L.Sheet, book: WorkbookRead, problems: list[Problem]) -> None:
    file = book.file
    for index, column in enumerate(sheet.columns, start=1):
        found = ws.cell(L.HEADER_ROW, index).value
        if (found or "") != column.header:
            letter = sheet.column_letter(column.key)
            problems.append(_problem(
                file, sheet.name, f"{letter}{L.HEADER_ROW}", "", "an empty column header" if found is None else f"the column header {quote(str(found))}",
                f"'{column.header.replace(chr(10), ' ')}' as exported（列の挿入・削除・移動はしないでください）",
            ))
            return
    expected = {row.id: row for row in sheet.rows}
    where: dict[str, int] = {}
    for number in range(L.FIRST_ROW, max(ws.max_row, L.FIRST_ROW) + 1):
        value = ws.cell(number, 1).value
        text = "" if value is None else str(value).strip()
        if not text:
            if any(ws.cell(number, i).value not in (None, "") for i in range(2, len(sheet.columns) + 1)):
                problems.append(_problem(file, sheet.name, f"A{number}", "", "a row without its ID", "the ID as exported（ID列を消さないでください）"))
            continue
        if text in where:
            problems.append(_problem(file, sheet.name, f"A{number}", "", f"the ID '{text}' a second time (first in row {where[text]})", "each row once, as exported（行を複製しないでください）"))
            continue
        if text not in expected:
            problems.append(_problem(file, sheet.name, f"A{number}", "", f"the ID '{text}', which this workbook did not have", "the IDs as exported（ID列は変更しないでください）"))
            continue
        where[text] = number
    for offset, row in enumerate(sheet.rows):
        if row.id not in where:
            problems.append(_problem(
                file, sheet.name, f"A{L.FIRST_ROW + offset}", "", f"no row with the ID '{row.id}' ({quote(row.label, 30)})",
                "every row as exported（行を削除しないでください）",
            ))
            continue
        number = where[row.id]
        book.row_numbers[(sheet.name, row.id)] = number
        for column in sheet.columns:
            if column.input is None or column.key not in row.paths:
                continue
            path = row.paths[column.key]
            coordinate = f"{sheet.column_letter(column.key)}{number}"
            cell = ws[coordinate]
            field_name = ".".join(path)
            if cell.data_type == "f":
                problems.append(_problem(file, sheet.name, coordinate, field_name, f"the formula {quote(str(cell.value))}", "a typed value, not a formula（数式ではなく値を入力してください）"))
                book.invalid.add(path)
                continue
            value, error = parse_cell(cell.value, column.input, row.measure, book.layout.grades, book.layout.not_surveyed)
            if error is not None:
                problems.append(_problem(file, sheet.name, coordinate, field_name, *error))
                book.invalid.add(path)
            elif value is None:
                book.empty += 1
            else:
                book.typed[path] = Typed(value, file, sheet.name, coordinate, book.layout.department.id)


# ---------------------------------------------------------------- one cell


def parse_cell(value: Any, kind: str, measure: model.Measure | None, grades: list[model.ProjectGrade],
               not_surveyed: str = "対象外"):
    """``(value, None)`` for a typed cell (``None`` when empty), or ``(None, (found, expected))``.

    ``not_surveyed``: the one entry of the 調査のない年度 drop-down, read as ``True``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, (f"{'TRUE' if value else 'FALSE'} (a truth value)", _expect(kind, measure))
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time, datetime.timedelta)):
        if isinstance(value, datetime.datetime) and value.time() == datetime.time():
            value = value.date()
        shown = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return None, (f"the date {shown} (Excel turned the entry into a date)", _expect(kind, measure))
    if kind == L.TEXT:
        return _text(value)
    if kind == L.SURVEY:
        if unicodedata.normalize("NFKC", str(value)).strip() == unicodedata.normalize("NFKC", not_surveyed):
            return True, None
        return None, (describe(value if isinstance(value, str) else str(value)),
                      f"'{not_surveyed}' from the list, or an empty cell（調査のない年度だけ「{not_surveyed}」を選んでください）")
    if kind == L.GRADE:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        codes = [g.code for g in grades]
        if text in codes:
            return text, None
        by_label = {g.label: g.code for g in grades}
        if text in by_label:
            return by_label[text], None
        return None, (describe(str(value)), f"one of {', '.join(codes)}（評価は一覧から選んでください）")
    return _number(value, kind, measure)


def _expect(kind: str, measure: model.Measure | None) -> str:
    if kind in (L.NUMBER, L.WHOLE):
        return "a number（数値を半角数字で入力してください）"
    if kind == L.GRADE:
        return "a grade from the list（評価は一覧から選んでください）"
    if kind == L.SURVEY:
        return "an entry from the list（一覧から選んでください）"
    return "text（文字を入力してください）"


def _text(value: Any):
    if isinstance(value, float) and value == int(value):
        value = int(value)
    # Excel writes a character XML cannot hold as _xHHHH_ (a carriage return as _x000D_, a typed
    # "_x" as _x005F_x); openpyxl hands the escapes over as they are.
    text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    match = _FORBIDDEN.search(text)
    if match:
        return None, (
            f"the control character U+{ord(match.group()):04X} in {quote(_FORBIDDEN.sub(lambda m: f'<U+{ord(m.group()):04X}>', text))}",
            "text without control characters（制御文字を削除してください）",
        )
    if len(text) > MAX_TEXT_CHARS:
        return None, (f"text of {len(text):,} characters", f"at most {MAX_TEXT_CHARS:,} characters（{MAX_TEXT_CHARS:,}文字以内にしてください）")
    return text, None


def _number(value: Any, kind: str, measure: model.Measure | None):
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, (f"{value}", "a finite number（数値を入力してください）")
        number = Decimal(repr(value))
    else:
        raw = str(value)
        text = unicodedata.normalize("NFKC", raw).strip()
        if not _PLAIN_NUMBER.fullmatch(text):
            return None, _number_hint(raw, text)
        number = Decimal(text)
    if number != number.to_integral_value():
        number = number.normalize()
    elif number == number.to_integral_value():
        number = Decimal(int(number))
    if kind == L.WHOLE:
        if number != number.to_integral_value():
            return None, (f"{number} (not a whole number)", "a whole number（整数を半角数字で入力してください）")
        if number < 0:
            return None, (f"{number} (a negative number)", "a number ≥ 0（0以上の数値を入力してください）")
        return int(number), None
    # A measure's value: the same rules as the YAML's (validate/load.py, _check_measure).
    found: list[tuple[str, str]] = []
    if measure is not None:
        actual = model.MeasureActual(value=number)
        loading._check_measure(measure, actual, ("value",), lambda path, f, e: found.append((f, e)) if path[-1:] == ("value",) else None)
    if found:
        return None, found[0]
    return (int(number) if number == number.to_integral_value() else number), None


def _number_hint(raw: str, text: str) -> tuple[str, str]:
    match = _NUMBER_COMMAS_UNIT.fullmatch(text)
    if match:
        plain = match.group(1).replace(",", "")
        what = "a number with commas" + (f" followed by '{match.group(2)}'" if match.group(2) else "")
        return f"{quote(raw)} ({what})", f"the number alone, without commas or unit, e.g. {plain}（数値はカンマや単位を付けずに入力してください）"
    found, hint = loading._explain_number_text(text)
    if hint:
        return f"{quote(raw)}" + found[len(quote(text)):], hint
    return f"{quote(raw)} (text)", "a number（数値を半角数字で入力してください）"


# ---------------------------------------------------------------- across workbooks


def _merge(books: list[WorkbookRead], problems: list[Problem]) -> dict[tuple[str, ...], Typed]:
    """The typed values of all workbooks; two workbooks typing different values for one field is a problem."""
    merged: dict[tuple[str, ...], Typed] = {}
    for book in books:
        for path, typed in book.typed.items():
            first = merged.get(path)
            if first is None:
                merged[path] = typed
            elif not _same(first.value, typed.value):
                problems.append(_problem(
                    typed.file, typed.sheet, typed.cell, ".".join(path),
                    f"{describe(typed.value)}, but {first.where} has {describe(first.value)}",
                    "the same entry in both workbooks, or one of them left empty（2つのブックで内容が異なります。どちらかに揃えてください）",
                ))
    return merged


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        return Decimal(a) == Decimal(b)
    return a == b


def _existing_data(target: Path) -> dict:
    if not target.exists():
        return {}
    doc = read_yaml(target)
    if doc.problems:
        raise InputError(doc.problems)
    return doc.data if isinstance(doc.data, dict) else {}


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# Fields that are entered together: a project's three, an opinion's two, a period text's two.
_GROUPS = {
    "projects": ("results", "grade", "next_steps"),
    "opinions": ("opinion", "response"),
}
_PERIOD_GROUPS = {
    "goals": ("results", "next_plan"),
    "objectives": ("results", "next_plan"),
    "opinion": ("opinion", "response"),
}


def _group(path: tuple[str, ...]) -> tuple[str, ...] | None:
    if path[0] == "period_review":
        return _PERIOD_GROUPS.get(path[1])
    return _GROUPS.get(path[0])


def _check_groups(books: list[WorkbookRead], merged: dict, existing: dict, problems: list[Problem]) -> None:
    """Entries that would be left half filled in (a project with results but no grade, …)."""
    checked: set[tuple] = set()
    for book in books:
        for sheet, row, column, path in book.layout.inputs():
            base = path[:-1]
            if (sheet.name, row.id) not in book.row_numbers or base in checked:
                continue
            if path[0] == "indicators" and path[-1] == "value":
                _check_measure_pair(book, sheet, row, merged, existing, problems, checked)
                continue
            group = _group(path)
            if group is None:
                continue
            checked.add(base)
            if any(base + (name,) in b.invalid for b in books for name in group):
                continue  # already reported
            if not any(base + (name,) in merged for name in group):
                continue  # nothing typed here: the YAML's own state, which validate reports
            values = {name: (merged[base + (name,)].value if base + (name,) in merged else _get(existing, base + (name,))) for name in group}
            filled = [name for name in group if _filled(values[name])]
            if len(filled) == len(group):
                continue
            headers = {c.key: c.header for c in sheet.columns}
            number = book.row_numbers[(sheet.name, row.id)]
            for name in group:
                if name not in filled:
                    problems.append(_problem(
                        book.file, sheet.name, f"{sheet.column_letter(name)}{number}", ".".join(base + (name,)), "an empty cell",
                        f"{headers[name]} as well, since {'・'.join(headers[n] for n in filled)} is filled in"
                        f"（{'・'.join(headers[n] for n in group)}はすべて入力してください）",
                    ))


def _check_measure_pair(book, sheet, row, merged, existing, problems, checked) -> None:
    base = row.paths["value"][:-1]
    if base in checked:
        return
    checked.add(base)
    def current(name):
        path = base + (name,)
        return merged[path].value if path in merged else _get(existing, path)
    value, reason = current("value"), current("not_measured")
    names = ("value", "not_measured", "count", "of", "not_surveyed")
    if any(base + (name,) in book.invalid for name in names):
        return  # already reported
    typed_here = [name for name in names if base + (name,) in merged]
    if not typed_here:
        return
    number = book.row_numbers[(sheet.name, row.id)]
    if current("not_surveyed") is True:
        # The YAML's rule (validate/load.py, _check_measure): a year without a survey has no value.
        given = [name for name in ("value", "count", "of", "not_measured") if _filled(current(name))]
        if given:
            shown = {"value": "the value", "count": "count", "of": "of"}
            what = ", ".join(f"the reason {quote(str(current(n)))}" if n == "not_measured" else f"{shown[n]} {describe(current(n))}" for n in given)
            problems.append(_problem(
                book.file, sheet.name, f"{sheet.column_letter('not_surveyed')}{number}", ".".join(base + ("not_surveyed",)),
                f"{book.layout.not_surveyed} next to {what}",
                f"either {book.layout.not_surveyed} (no survey this year) or a value, not both"
                f"（調査のない年度には実績値を入力しません。どちらか一方にしてください）",
            ))
        return
    if _filled(value) and _filled(reason):
        problems.append(_problem(
            book.file, sheet.name, f"{sheet.column_letter('not_measured')}{number}", ".".join(base + ("not_measured",)),
            f"a reason {quote(str(reason))} next to the value {describe(value)}",
            "either the value or the reason it could not be measured, not both（実績値と把握できなかった理由のどちらか一方を入力してください）",
        ))
    elif not _filled(value) and not _filled(reason):
        problems.append(_problem(
            book.file, sheet.name, f"{sheet.column_letter('value')}{number}", ".".join(base + ("value",)), "an empty cell",
            "the value, or the reason it could not be measured（実績値か把握できなかった理由を入力してください）",
        ))


# ---------------------------------------------------------------- the result


def _check_result(updated: bytes, target: Path, year: int, source: loading.Source) -> None:
    """The file as it would be written must pass the checks ``validate`` applies to it."""
    actuals_from_bytes(updated, target, year, source)


def actuals_from_bytes(data: bytes, target: Path, year: int, source: loading.Source) -> model.Actuals:
    """The year's actuals as ``validate`` reads them, except that an empty ``report_date`` is allowed.

    The report date is the division's to fill in, not the departments': a
    year file that the first import created has none yet, and the next
    import, ``status`` and a re-export must still work with it.
    """
    doc = parse_yaml_bytes(data, target)
    problems: list[Problem] = list(doc.problems)
    value = None
    if not problems:
        data = loading.drop_unentered(doc.data)
        if isinstance(data, dict) and data.get("report_date") is None:
            data = dict(data, report_date=datetime.date(year + 1, 1, 1))
        doc.data = data
        value = loading.validate_model(doc, model.Actuals, problems)
        if value is not None:
            loading._check_actuals(value, doc, source.plan, source.projects, source.evaluation, problems)
    if problems:
        raise InputError(problems)
    return value


def with_year(source: loading.Source, source_dir: Path, year: int) -> loading.Source:
    """``source`` with the year's actuals read by :func:`actuals_from_bytes`, when the file exists."""
    import dataclasses

    target = source_dir / loading.ACTUALS_DIR / f"{year}.yaml"
    if not target.is_file():
        return source
    doc = read_yaml(target)
    if doc.problems:
        raise InputError(doc.problems)
    actuals = dict(source.actuals)
    actuals[year] = actuals_from_bytes(target.read_bytes(), target, year, source)
    return dataclasses.replace(source, actuals=dict(sorted(actuals.items())))


def _create_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.link(tmp, target)  # fails if the file appeared meanwhile: never overwrite
    except FileExistsError:
        raise InputError([Problem(display_path(target), 1, "", "a file created while the import ran", "run the import again（実行中にファイルが作成されました。もう一度実行してください）")]) from None
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
