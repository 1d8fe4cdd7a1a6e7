"""Writing one department's workbook (``kplan-report intake export``).

The workbook is made for people who will not read a manual: every cell is
locked except the ones to fill in, which are shaded; the grade is a
drop-down; a number cell refuses text.  What Excel can enforce it does, and
the import checks everything again (a pasted value skips Excel's data
validation).

Drop-downs point to a defined name on a hidden list sheet: openpyxl drops
a list validation whose formula points to another sheet directly, and a
name also survives the sheet being renamed.  The workbook's year,
department and plan fingerprint are on a very hidden sheet (:data:`META`),
which the workbook's structure protection keeps from being unhidden.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ... import model
from ...text.japanese import fiscal_year_label, wareki_date
from ...build import write_atomically
from ...validate.load import Source
from . import layout as L

FONT_NAME = "BIZ UDゴシック"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow: the cells to fill in
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
READ_ONLY_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LINE_HEIGHT = 13.5  # points per line of 10.5 pt text
MAX_ROW_LINES = 30


@dataclass(frozen=True)
class Exported:
    path: Path
    layout: L.Layout


def file_name(department: model.Department) -> str:
    return f"{department.id}-{department.name}.xlsx"


def export_all(source: Source, year: int, out: Path, deadline: datetime.date | None = None, password: str | None = None,
               final: bool | None = None) -> list[Exported]:
    """Write every department's workbook and ``index.csv`` into ``out``; return what was written.

    ``final``: the final edition's workbooks (as ``build --final``; by default in the plan's last year).
    """
    out.mkdir(parents=True, exist_ok=True)
    fp = L.fingerprint(source)
    written = []
    for department in L.departments_with_work(source):
        layout = L.build_layout(source, year, department, fp, final=final)
        path = out / file_name(department)
        _save_atomic(make_workbook(source, layout, deadline, password), path)
        written.append(Exported(path, layout))
    _write_index(out / "index.csv", written)
    return written


def index_rows(written: list[Exported]) -> list[list[str]]:
    rows = [["file", "department", "name", "organisation", "coordinator", "projects", "indicator measures", "推進項目 rows", "opinions", "period texts"]]
    for item in written:
        counts = item.layout.counts()
        d = item.layout.department
        rows.append([
            item.path.name, d.id, d.name, item.layout.organisation, "yes" if d.coordinator else "",
            str(counts.get(L.PROJECTS, 0)), str(counts.get(L.INDICATORS, 0)),
            str(counts.get(L.ITEMS, 0)), str(counts.get(L.OPINIONS, 0)), str(counts.get(L.PERIOD, 0)),
        ])
    return rows


def _write_index(path: Path, written: list[Exported]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(index_rows(written))
    # UTF-8 with BOM: Excel opens it with the Japanese names readable.
    _write_bytes_atomic(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))


# ---------------------------------------------------------------- the workbook


def make_workbook(source: Source, layout: L.Layout, deadline: datetime.date | None, password: str | None) -> Workbook:
    wb = Workbook()
    guide = wb.active
    guide.title = L.GUIDE
    _guide_sheet(guide, source, layout, deadline)
    lists = _lists_sheet(wb, layout)
    for sheet in layout.sheets:
        _data_sheet(wb.create_sheet(sheet.name), sheet, layout)
    _meta_sheet(wb, layout)
    for ws in wb.worksheets:
        _protect(ws, password)
    lists.sheet_state = "hidden"
    wb.security = WorkbookProtection(lockStructure=True)
    if password:
        wb.security.workbookPassword = password
    wb.properties.title = f"{fiscal_year_label(layout.year)} 実績照会（{layout.department.name}）"
    wb.properties.creator = "kplan-report"
    wb.properties.keywords = f"{L.FORMAT}; {layout.year}; {layout.department.id}"
    wb.active = 1 if layout.sheets and layout.sheets[0].rows else 0
    return wb


def _font(bold: bool = False, size: float = 10.5) -> Font:
    return Font(name=FONT_NAME, bold=bold, size=size)


def _page(ws: Worksheet, layout: L.Layout, repeat_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    ws.page_margins.header = ws.page_margins.footer = 0.3  # the page header clear of the title row
    if repeat_rows:
        ws.print_title_rows = repeat_rows
    header = f"{fiscal_year_label(layout.year)}　{layout.department.name}"
    ws.oddHeader.left.text = header
    ws.oddHeader.left.font = FONT_NAME
    ws.oddHeader.right.text = "&A"
    ws.oddHeader.right.font = FONT_NAME
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.center.font = FONT_NAME


def _protect(ws: Worksheet, password: str | None) -> None:
    ws.protection.sheet = True
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    # Widening a column or a row to read a long text does no harm.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if password:
        ws.protection.password = password


def _guide_sheet(ws: Worksheet, source: Source, layout: L.Layout, deadline: datetime.date | None) -> None:
    d = layout.department
    c = layout.coordinator
    lines: list[tuple[str, str]] = [
        ("title", f"{fiscal_year_label(layout.year)} {source.plan.plan.short_title or source.plan.plan.title} 実績照会"),
        ("", ""),
        ("宛先", f"{layout.organisation} {d.name}".strip()),
        ("提出期限", wareki_date(deadline) + f"（{deadline.isoformat()}）" if deadline else "取りまとめ課からの連絡のとおり"),
        ("提出先", f"{c.name}（取りまとめ）"),
        ("", ""),
        ("記入方法", "黄色のセルだけに入力してください。その他のセルは変更できません。"),
        ("", "シートの追加・削除，行の挿入・削除・並べ替え，ID列の変更はしないでください（取り込めなくなります）。"),
        ("", "数値は半角数字で，カンマや単位を付けずに入力します（例: 8900）。"),
        ("", "実績値を把握できなかったときは，実績値を空欄にし「把握できなかった理由」を書いてください。"),
        ("", f"調査を行わない年度の指標（数年ごとのアンケート調査など）は，実績値を空欄にし「調査のない年度」で「{layout.not_surveyed}」を選んでください。"),
        ("", "空欄のセルは「未記入」として扱い，既に登録済みの内容は変更しません。"),
        ("", "記入後はファイル名を変えずに保存し（Excel ブック .xlsx のまま），提出先へ返送してください。"),
        ("", ""),
    ]
    counts = layout.counts()
    lines.append(("記入するシート", ""))
    descriptions = {
        L.PROJECTS: "所管する主な取組・事業ごとに，今年度の実施内容・実績，評価（一覧から選択），課題・今後の方向性",
        L.INDICATORS: "所管する指標の数値ごとに，今年度の実績値（または把握できなかった理由）と備考",
        L.ITEMS: "推進項目の主体ごとの今年度の取組状況（取りまとめ課のみ）",
        L.OPINIONS: "推進委員会の意見と対応（取りまとめ課のみ，任意）"
        + ("。最終評価の年度は，計画期間全体に対する意見と対応も" if layout.final else ""),
        L.PERIOD: "最終評価：基本目標・具体的目標ごとの計画期間の成果と次期計画への課題（取りまとめ課のみ，両方を入力）",
    }
    for sheet in layout.sheets:
        lines.append((f"　{sheet.name}", f"{descriptions[sheet.name]}（{counts[sheet.name]}行）"))
    lines.append(("", ""))
    lines.append(("評価の区分", "事業の評価は次の区分から選んでください。"))
    for grade in layout.grades:
        label = grade.code if grade.code == grade.label else f"{grade.code}：{grade.label}"
        lines.append((f"　{label}", grade.description))
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    for number, (key, text) in enumerate(lines, start=1):
        if key == "title":
            cell = ws.cell(number, 1, text)
            cell.font = _font(bold=True, size=14)
            continue
        a = ws.cell(number, 1, key or None)
        b = ws.cell(number, 2, text or None)
        a.font = _font(bold=True)
        b.font = _font()
        b.alignment = Alignment(wrap_text=True, vertical="top")
        a.alignment = Alignment(vertical="top")
        ws.row_dimensions[number].height = LINE_HEIGHT * max(1, _lines(text, 100))
    _page(ws, layout, None)
    ws.page_setup.orientation = "portrait"


def _lists_sheet(wb: Workbook, layout: L.Layout) -> Worksheet:
    ws = wb.create_sheet(L.LISTS)
    for number, grade in enumerate(layout.grades, start=1):
        ws.cell(number, 1, grade.code)
        ws.cell(number, 2, grade.label)
    end = max(1, len(layout.grades))
    wb.defined_names[L.GRADE_LIST_NAME] = DefinedName(L.GRADE_LIST_NAME, attr_text=f"'{L.LISTS}'!$A$1:$A${end}")
    ws.cell(1, 3, layout.not_surveyed)
    wb.defined_names[L.SURVEY_LIST_NAME] = DefinedName(L.SURVEY_LIST_NAME, attr_text=f"'{L.LISTS}'!$C$1")
    return ws


def _meta_sheet(wb: Workbook, layout: L.Layout) -> None:
    ws = wb.create_sheet(L.META)
    for number, (key, value) in enumerate(meta_items(layout), start=1):
        ws.cell(number, 1, key)
        ws.cell(number, 2, value)
    ws.sheet_state = "veryHidden"


def meta_items(layout: L.Layout) -> list[tuple[str, str]]:
    return [
        ("format", L.FORMAT),
        ("fiscal_year", str(layout.year)),
        ("department", layout.department.id),
        ("department_name", layout.department.name),
        ("plan_fingerprint", layout.fingerprint),
        ("edition", "final" if layout.final else "annual"),
    ]


def _data_sheet(ws: Worksheet, sheet: L.Sheet, layout: L.Layout) -> None:
    ncols = len(sheet.columns)
    title = ws.cell(L.TITLE_ROW, 1, sheet.title)
    title.font = _font(bold=True, size=12)
    ws.row_dimensions[L.TITLE_ROW].height = 20
    header_lines = 1
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(L.HEADER_ROW, index, column.header)
        cell.font = _font(bold=True)
        cell.fill = INPUT_FILL if column.input else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = BORDER
        ws.column_dimensions[cell.column_letter].width = column.width
        header_lines = max(header_lines, _lines(column.header, column.width))
    ws.row_dimensions[L.HEADER_ROW].height = LINE_HEIGHT * header_lines + 4
    validations: dict[str, DataValidation] = {}
    for offset, row in enumerate(sheet.rows):
        number = L.FIRST_ROW + offset
        lines = 1
        for index, column in enumerate(sheet.columns, start=1):
            value = row.values.get(column.key)
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            cell = ws.cell(number, index, value if value != "" else None)
            cell.font = _font()
            cell.border = BORDER
            is_input = column.input is not None and column.key in row.paths
            numeric = column.input in (L.NUMBER, L.WHOLE)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right" if numeric else None)
            if is_input:
                cell.protection = Protection(locked=False)
                cell.fill = INPUT_FILL
                dv = _validation(column, row, validations, ws)
                if dv is not None:
                    dv.add(cell.coordinate)
            elif column.input is not None:
                cell.fill = READ_ONLY_FILL
            if column.input == L.TEXT and is_input:
                cell.number_format = "@"  # typed text stays text (no 1-2 turned into a date)
            lines = max(lines, _lines("" if value is None else str(value), column.width))
        ws.row_dimensions[number].height = LINE_HEIGHT * min(max(lines, 2 if any(c.input == L.TEXT for c in sheet.columns) else 1), MAX_ROW_LINES) + 4
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(L.FIRST_ROW, 2)
    last_row = L.FIRST_ROW + max(len(sheet.rows), 1) - 1
    ws.print_area = f"A1:{ws.cell(last_row, ncols).coordinate}"
    _page(ws, layout, f"{L.TITLE_ROW}:{L.HEADER_ROW}")


def _validation(column: L.Column, row: L.Row, cache: dict[str, DataValidation], ws: Worksheet) -> DataValidation | None:
    """The data validation of an input cell; one object per kind of rule, shared by its cells."""
    if column.input == L.GRADE:
        key, make = "grade", lambda: DataValidation(
            type="list", formula1=f"={L.GRADE_LIST_NAME}", allow_blank=True,
            errorTitle="評価", error="一覧から選んでください。", promptTitle="評価", prompt="一覧から選んでください。",
        )
    elif column.input == L.SURVEY:
        key, make = "survey", lambda: DataValidation(
            type="list", formula1=f"={L.SURVEY_LIST_NAME}", allow_blank=True,
            errorTitle="調査のない年度", error="調査を行わない年度だけ，一覧から選んでください。",
            promptTitle="調査のない年度", prompt="調査を行わない年度だけ選び，実績値は空欄にします。",
        )
    elif column.input == L.WHOLE or (column.input == L.NUMBER and row.measure is not None and row.measure.kind != model.MeasureKind.percent):
        key, make = "whole", lambda: DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            errorTitle="数値", error="0以上の整数を半角数字で入力してください（カンマ・単位なし）。",
        )
    elif column.input == L.NUMBER:
        key, make = "percent", lambda: DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
            errorTitle="数値", error="0〜100の数値を半角数字で入力してください（％は付けません）。",
        )
    elif column.input == L.TEXT:
        key, make = "text", lambda: DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1="10000", allow_blank=True,
            errorTitle="文字数", error="10000文字以内で入力してください。",
        )
    else:
        return None
    if key not in cache:
        dv = make()
        dv.showErrorMessage = True
        dv.showInputMessage = column.input in (L.GRADE, L.SURVEY)
        cache[key] = dv
    return cache[key]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (an estimate)."""
    usable = max(1.0, width - 1)
    return sum(max(1, math.ceil(_width(part) / usable)) for part in str(text).split("\n"))


# ---------------------------------------------------------------- atomic writes


def _save_atomic(wb: Workbook, path: Path) -> None:
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_bytes_atomic(path, buffer.getvalue())


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    """Written as the reports are (kplan_report.build): a temporary file renamed into place."""
    write_atomically(path, lambda f: f.write(data))
