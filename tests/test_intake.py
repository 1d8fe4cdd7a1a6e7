"""The Excel intake as the 取りまとめ division and the departments use it.

Export the workbooks, fill them in with openpyxl as a department would in
Excel (only the unlocked cells, the grade from the list), import them, and
check what a user would notice: the YAML holds what was typed and nothing
else moved, ``validate`` passes, the report builds, LibreOffice opens every
workbook, and each broken workbook of ``tests/bad_workbooks/`` is refused
with its message (``test_bad_workbook``).
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kplan_report.cli import main
from kplan_report.intake.newyear import new_year_text
from kplan_report.intake.xlsx import layout as L
from kplan_report.intake.yamlio import read_yaml
from kplan_report.validate.load import load_source

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source"
CORPUS = Path(__file__).parent / "bad_workbooks"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
YEAR = 2023
REPORT_DATE = "2024-06-30"
PROBLEM_LINE = re.compile(r"^\S+\.\w+(![^!:]+(![A-Z]+[0-9]+)?)?: (?:[^:]+: )?found .+; expected .+（.+）$")


def _fresh_source(folder: Path, year_file: bool = True) -> Path:
    """The real source/ without the sample FY2023; with ``year_file``, a blank FY2023 as new-year writes it."""
    source = folder / "source"
    shutil.copytree(SOURCE, source)
    (source / "actuals" / f"{YEAR}.yaml").unlink()
    if year_file:
        text = new_year_text(load_source(source, years=[YEAR - 1]), YEAR)
        text = re.sub(r"(?m)^report_date:.*$", f"report_date: {REPORT_DATE}", text)
        (source / "actuals" / f"{YEAR}.yaml").write_text(text, encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """FY2023's workbooks, exported once from the blank year (copy before changing them)."""
    folder = tmp_path_factory.mktemp("export")
    source = _fresh_source(folder)
    assert main(["intake", "export", "--year", str(YEAR), "--source", str(source), "--out", str(folder / "out"), "--deadline", "2024-05-31"]) == 0
    return folder / "out"


def _no_survey(row_id: str) -> bool:
    """The indicator measures typed as 対象外 (no survey this year): about one in six."""
    return "/" in row_id and sum(map(ord, row_id)) % 6 == 0


def typed_value(header: str, row_id: str, sheet: str) -> object:
    """What the department types into one input cell: decided by the header and the row ID, so shared rows agree."""
    number = sum(map(ord, row_id)) % 50
    if sheet == L.INDICATORS and header.startswith("調査のない年度"):
        return "対象外" if _no_survey(row_id) else None  # chosen from the drop-down
    if sheet == L.INDICATORS and _no_survey(row_id) and header != "備考（指標ごと）":
        return None  # no value, count, of or reason beside 対象外
    if header == "評価":
        return ["A", "B", "C", "D"][number % 4]  # chosen from the drop-down
    if "実績値" in header:
        return "１２" if number % 3 == 0 else number + 1  # full-width digits typed as text now and then
    if "count" in header:
        return 3
    if "of" in header:
        return 50
    if "理由" in header:
        return None  # measured
    if header in ("取組状況", "成果", "次期計画への課題") or "意見" in header or "対応" in header or "実施内容" in header:
        return f"{row_id}：{header}の記入。\n二行目（{sheet}）"
    return f"{row_id}：{header}"


def fill_all(folder: Path) -> dict[tuple[str, str, str], object]:
    """Fill every input cell of every workbook in ``folder``; return {(file, sheet, cell): value}."""
    typed = {}
    for path in sorted(folder.glob("*.xlsx")):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" or ws.protection.sheet is False:
                continue
            for row in ws.iter_rows(min_row=L.FIRST_ROW):
                for cell in row:
                    if cell.protection.locked:
                        continue
                    value = typed_value(ws.cell(L.HEADER_ROW, cell.column).value, ws.cell(cell.row, 1).value, ws.title)
                    cell.value = value
                    typed[(path.name, ws.title, cell.coordinate)] = value
        wb.save(path)
    return typed


def _expected_yaml(source: Path) -> dict[tuple[str, ...], object]:
    """Every input cell's field and the value the YAML must hold for it."""
    loaded = load_source(source, years=[YEAR - 1, YEAR])
    out = {}
    for department in L.departments_with_work(loaded):
        lay = L.build_layout(loaded, YEAR, department)
        for sheet, row, column, path in lay.inputs():
            value = typed_value(column.header, row.id, sheet.name)
            if value is None:
                continue
            if value == "１２":
                value = 12
            if value == "対象外":
                value = True
            out[path] = value
    return out


def _value_at(data, path):
    for key in path:
        data = data[key]
    return data


def test_round_trip_every_input_cell(tmp_path, exported):
    source = _fresh_source(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    typed = fill_all(out)
    assert len(typed) > 500

    before = read_yaml(source / "actuals" / f"{YEAR}.yaml")
    status = main(["intake", "import", *map(str, sorted(out.glob("*.xlsx"))), "--year", str(YEAR), "--source", str(source)])
    assert status == 0

    after = read_yaml(source / "actuals" / f"{YEAR}.yaml")
    expected = _expected_yaml(source)
    wrong = {}
    for path, value in expected.items():
        got = _value_at(after.data, path)
        if isinstance(value, bool):
            ok = got is value
        elif isinstance(value, int):
            ok = Decimal(str(got)) == value
        else:
            ok = got == value
        if not ok:
            wrong[".".join(path)] = (got, value)
    assert wrong == {}
    # Nothing else was written: every value the import did not type is as new-year left it.
    leaves = [p for p in before.lines if p and not isinstance(_value_at(before.data, p), (dict, list))]
    untouched = [p for p in leaves if p not in expected]
    assert len(untouched) > 30  # not_measured, breakdown, the header fields …
    assert {p: _value_at(after.data, p) for p in untouched} == {p: _value_at(before.data, p) for p in untouched}

    assert main(["validate", "--source", str(source), "--year", str(YEAR)]) == 0
    loaded = load_source(source, years=[YEAR])
    actuals = loaded.actuals[YEAR]
    assert len(actuals.projects) == len(loaded.projects.projects)
    # The final evaluation's texts and the years without a survey came through too.
    review = actuals.period_review
    assert sorted(review.goals) == sorted(g.id for g in loaded.plan.goals)
    assert len(review.objectives) == sum(len(g.objectives) for g in loaded.plan.goals)
    assert review.opinion is not None and review.opinion.response.startswith("period：")
    surveyless = [f"{i}/{m}" for i, entry in actuals.indicators.items() for m, a in entry.measures.items() if a.not_surveyed]
    assert surveyless and all(_no_survey(r) for r in surveyless)

    from kplan_report.build import build

    result = build(loaded, YEAR, tmp_path / "build", ("docx",), parallel=False)
    assert result.files and result.files[0].stat().st_size > 50_000
    import docx_structure as ds

    # python-docx's paragraph.text does not look inside content controls (the draft's
    # fields are run-level ones, for kplan-report review): read the XML's text.
    text = ds.all_text(ds.Docx.load(result.files[0].read_bytes()))
    assert "p001：課題・今後の方向性" in text
    assert "G1：成果の記入。" in text and "G1.1：次期計画への課題の記入。" in text  # 第4章's 成果と次期計画への課題


def test_only_the_typed_values_change_in_a_hand_edited_file(tmp_path, capsys):
    """An import into the sample FY2022 file, prefilled: the two edited cells change two lines, nothing else."""
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    target = source / "actuals" / "2022.yaml"
    original = target.read_bytes()
    out = tmp_path / "out"
    assert main(["intake", "export", "--year", "2022", "--source", str(source), "--out", str(out)]) == 0
    path = out / "community_support_center-地域包括支援センター.xlsx"
    wb = load_workbook(path)
    ws = wb[L.INDICATORS]
    value_column = [c.value for c in ws[L.HEADER_ROW]].index("令和4年度\n実績値") + 1
    row = next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == "G1.1.i3/main")
    old_value = ws.cell(row, value_column).value
    ws.cell(row, value_column).value = old_value + 1
    projects = wb[L.PROJECTS]
    projects.cell(L.FIRST_ROW, 8).value = "来年度は地区ごとに開催する。"
    wb.save(path)
    capsys.readouterr()

    # Without --overwrite: both are conflicts, listed, and the file keeps its bytes.
    assert main(["intake", "import", str(path), "--year", "2022", "--source", str(source)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("conflict:") == 2 and "kept; use --overwrite" in printed
    assert target.read_bytes() == original

    assert main(["intake", "import", str(path), "--year", "2022", "--source", str(source), "--overwrite"]) == 0
    updated = target.read_bytes()
    old_lines = original.decode("utf-8").split("\n")
    new_lines = updated.decode("utf-8").split("\n")
    diff = [line for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    project_id = projects.cell(L.FIRST_ROW, 1).value
    assert len(diff) == 4, diff
    assert diff[0].strip().startswith("-value: ") or "value:" in diff[0]
    assert f"value: {old_value + 1}" in diff[1]
    assert "next_steps:" in diff[2] and "来年度は地区ごとに開催する。" in diff[3]
    doc = read_yaml(target)
    assert doc.data["projects"][project_id]["next_steps"] == "来年度は地区ごとに開催する。"


def test_import_of_a_year_without_its_file_creates_it_as_new_year_does(tmp_path, exported, capsys):
    source = _fresh_source(tmp_path, year_file=False)
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    fill_all(out)
    files = [str(p) for p in sorted(out.glob("*.xlsx"))]
    assert main(["intake", "import", *files, "--year", str(YEAR), "--source", str(source), "--dry-run"]) == 0
    assert not (source / "actuals" / f"{YEAR}.yaml").exists()
    assert main(["intake", "import", *files, "--year", str(YEAR), "--source", str(source)]) == 0
    text = (source / "actuals" / f"{YEAR}.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 令和5年度（2023年度）の実績 — kplan-report new-year 2023 で作成")
    assert "note: " in capsys.readouterr().out  # report_date is still to be filled in
    # Until it is, the next import, status and a new export still work.
    assert main(["intake", "import", *files, "--year", str(YEAR), "--source", str(source)]) == 0
    assert re.search(r"0 filled in, [1-9][0-9]* unchanged, 0 conflicts", capsys.readouterr().out)
    assert main(["intake", "status", "--year", str(YEAR), "--source", str(source)]) == 0
    assert "missing" not in capsys.readouterr().out


def test_export_lists_who_gets_which_file(tmp_path, exported, capsys):
    source = _fresh_source(tmp_path)
    assert main(["intake", "export", "--year", str(YEAR), "--source", str(source), "--out", str(tmp_path / "o")]) == 0
    printed = capsys.readouterr().out
    index = (tmp_path / "o" / "index.csv").read_text(encoding="utf-8-sig").splitlines()
    assert index[0].startswith("file,department,name")
    names = sorted(p.name for p in (tmp_path / "o").glob("*.xlsx"))
    assert sorted(line.split(",")[0] for line in index[1:]) == names
    assert "social_welfare-社会福祉課.xlsx" in names
    assert f"wrote {len(names)} workbooks" in printed
    council = next(line for line in index if line.startswith("council-"))
    assert council.split(",")[5:7] == ["51", "18"]


def test_status_lists_what_each_department_still_owes(tmp_path, exported, capsys):
    source = _fresh_source(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    fill_all(out)
    one = out / "school_education-学校教育課.xlsx"
    assert main(["intake", "import", str(one), "--year", str(YEAR), "--source", str(source)]) == 0
    capsys.readouterr()
    assert main(["intake", "status", "--year", str(YEAR), "--source", str(source)]) == 0
    printed = capsys.readouterr().out
    assert "学校教育課 (school_education): all 3 entered" in printed
    assert "子ども家庭課 (child_family):" in printed and "missing" in printed.split("子ども家庭課 (child_family):")[1].splitlines()[0]
    assert "  事業 p002: あらゆる世代を対象とした福祉学習の推進" in printed
    # The plan's last year: the coordinator is chased for the final evaluation's texts too.
    coordinator = printed.split("社会福祉課 (social_welfare):")[1].split("\n", 1)[1]
    coordinator = coordinator[: re.search(r"(?m)^\S", coordinator).start()] if re.search(r"(?m)^\S", coordinator) else coordinator
    assert "  最終評価 G1: 基本目標Ⅰ " in coordinator and "  最終評価 G1.1: Ⅰ-1 " in coordinator
    assert "  意見 period: 計画期間全体（最終評価）" in coordinator


def _coordinator_sheets(path: Path) -> tuple[list[str], list[str]]:
    wb = load_workbook(path)
    opinions = [wb[L.OPINIONS].cell(r, 1).value for r in range(L.FIRST_ROW, wb[L.OPINIONS].max_row + 1)]
    return wb.sheetnames, opinions


def test_the_final_editions_period_texts_in_a_mid_term_year(tmp_path, capsys):
    """An annual year's workbook has no 最終評価 sheet; ``export --final`` adds it (as ``build --final``), and its texts import."""
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    coordinator = "social_welfare-社会福祉課.xlsx"
    assert main(["intake", "export", "--year", "2022", "--source", str(source), "--out", str(tmp_path / "annual")]) == 0
    sheets, opinions = _coordinator_sheets(tmp_path / "annual" / coordinator)
    assert L.PERIOD not in sheets and L.PERIOD_OPINION_ID not in opinions
    assert main(["intake", "export", "--year", "2022", "--source", str(source), "--out", str(tmp_path / "final"), "--final"]) == 0
    sheets, opinions = _coordinator_sheets(tmp_path / "final" / coordinator)
    assert sheets[sheets.index(L.OPINIONS) + 1] == L.PERIOD and opinions[1] == L.PERIOD_OPINION_ID
    index = (tmp_path / "final" / "index.csv").read_text(encoding="utf-8-sig").splitlines()
    assert index[0].endswith(",period texts")
    assert next(line for line in index if line.startswith("social_welfare-")).endswith(",12")  # 3 基本目標, 9 具体的目標
    # Only the coordinator's workbook collects them.
    assert L.PERIOD not in load_workbook(tmp_path / "final" / "school_education-学校教育課.xlsx").sheetnames

    path = tmp_path / "final" / coordinator
    wb = load_workbook(path)
    ws = wb[L.PERIOD]
    assert [c.value for c in ws[L.HEADER_ROW]] == ["ID", "基本目標・具体的目標", "成果", "次期計画への課題"]
    row = next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == "G2")
    ws.cell(row, 3).value = "中間評価の成果。"
    ws.cell(row, 4).value = "中間評価の課題。"
    opinions_ws = wb[L.OPINIONS]
    opinions_ws.cell(L.FIRST_ROW + 1, 3).value = "中間年度の意見。"
    opinions_ws.cell(L.FIRST_ROW + 1, 4).value = "中間年度の対応。"
    wb.save(path)
    target = source / "actuals" / "2022.yaml"
    original = target.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["intake", "import", str(path), "--year", "2022", "--source", str(source)]) == 0
    assert "4 filled" in capsys.readouterr().out
    text = target.read_text(encoding="utf-8")
    assert text.startswith(original.rstrip("\n"))  # appended; every line before stays as it was
    doc = read_yaml(target)
    assert doc.data["period_review"]["goals"]["G2"] == {"results": "中間評価の成果。", "next_plan": "中間評価の課題。"}
    assert doc.data["period_review"]["opinion"] == {"opinion": "中間年度の意見。", "response": "中間年度の対応。"}
    assert main(["validate", "--source", str(source), "--year", "2022"]) == 0
    # The year is not the plan's last: status chases the period texts only when asked to.
    capsys.readouterr()
    assert main(["intake", "status", "--year", "2022", "--source", str(source)]) == 0
    assert "最終評価" not in capsys.readouterr().out
    assert main(["intake", "status", "--year", "2022", "--source", str(source), "--final"]) == 0
    printed = capsys.readouterr().out
    assert "  最終評価 G1: 基本目標Ⅰ " in printed and "  最終評価 G2:" not in printed and "意見 period" not in printed


def test_a_year_without_a_survey_is_chosen_from_a_drop_down(tmp_path, exported, capsys):
    """対象外 in 調査のない年度 writes ``not_surveyed: true`` (and nothing else) beside the blank value."""
    source = _fresh_source(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    path = out / "community_support_center-地域包括支援センター.xlsx"
    wb = load_workbook(path)
    ws = wb[L.INDICATORS]
    headers = [c.value for c in ws[L.HEADER_ROW]]
    column = headers.index("調査のない年度\n（対象外）") + 1
    row = next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == "G1.1.i3/main")
    cell = ws.cell(row, column)
    assert not cell.protection.locked
    survey = [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]
    assert [(dv.type, dv.formula1) for dv in survey] == [("list", "=not_surveyed")]
    assert wb.defined_names["not_surveyed"].attr_text == "'_lists'!$C$1" and wb["_lists"]["C1"].value == "対象外"
    cell.value = "対象外"
    wb.save(path)
    target = source / "actuals" / f"{YEAR}.yaml"
    before = target.read_text(encoding="utf-8").splitlines()
    assert main(["intake", "import", str(path), "--year", str(YEAR), "--source", str(source)]) == 0
    after = target.read_text(encoding="utf-8").splitlines()
    added = [line for line in difflib.ndiff(before, after) if line[:1] in "+-"]
    assert [line[2:].strip() for line in added] == ["not_surveyed: true"]
    assert read_yaml(target).data["indicators"]["G1.1.i3"]["measures"]["main"]["not_surveyed"] is True
    capsys.readouterr()
    assert main(["intake", "status", "--year", str(YEAR), "--source", str(source)]) == 0
    assert "G1.1.i3/main" not in capsys.readouterr().out  # entered: no survey is not a missing value
    # Exported again, the workbook shows it.
    assert main(["intake", "export", "--year", str(YEAR), "--source", str(source), "--out", str(tmp_path / "again")]) == 0
    ws = load_workbook(tmp_path / "again" / path.name)[L.INDICATORS]
    assert ws.cell(row, column).value == "対象外"


# ---------------------------------------------------------------- the workbook itself


def _ranges(cells: list[str]) -> list[str]:
    """``["F3", "F4", "F5", "G3"]`` → ``["F3:F5", "G3"]``: unlocked cells per column, compact for the golden."""
    from openpyxl.utils.cell import coordinate_from_string

    by_column: dict[str, list[int]] = {}
    for c in cells:
        col, row = coordinate_from_string(c)
        by_column.setdefault(col, []).append(row)
    out = []
    for col in sorted(by_column, key=lambda c: (len(c), c)):
        rows = sorted(by_column[col])
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            out.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
            if r is not None:
                start = prev = r
    return out


def structure(path: Path) -> dict:
    wb = load_workbook(path)
    out = {
        "sheets": [{"name": ws.title, "state": ws.sheet_state} for ws in wb.worksheets],
        "defined_names": {name: dn.attr_text for name, dn in wb.defined_names.items()},
        "workbook_structure_locked": bool(wb.security and wb.security.lockStructure),
    }
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            out[ws.title] = {"cells": [[c.value for c in row] for row in ws.iter_rows()]} if ws.title == L.LISTS else {"rows": ws.max_row}
            continue
        unlocked = [c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked]
        fonts = sorted({c.font.name for row in ws.iter_rows() for c in row if c.value is not None})
        out[ws.title] = {
            "title": ws.cell(1, 1).value,
            "headers": [c.value for c in ws[L.HEADER_ROW]] if ws.title != L.GUIDE else None,
            "ids": [ws.cell(r, 1).value for r in range(L.FIRST_ROW, ws.max_row + 1)] if ws.title != L.GUIDE else None,
            "widths": {k: v.width for k, v in sorted(ws.column_dimensions.items())},
            "unlocked": _ranges(unlocked),
            "unlocked_all_shaded": all(ws[c].fill.fgColor.rgb == "00FFF2CC" for c in unlocked),
            "fonts": fonts,
            "protected": ws.protection.sheet,
            "validations": sorted(
                ({"type": dv.type, "operator": dv.operator, "formula1": dv.formula1, "formula2": dv.formula2, "cells": str(dv.sqref)} for dv in ws.data_validations.dataValidation),
                key=lambda d: d["cells"],
            ),
            "print": {
                "orientation": ws.page_setup.orientation,
                "paper": ws.page_setup.paperSize,
                "fit_to_page": ws.sheet_properties.pageSetUpPr.fitToPage,
                "fit_width": ws.page_setup.fitToWidth,
                "fit_height": ws.page_setup.fitToHeight,
                "title_rows": ws.print_title_rows,
                "area": ws.print_area,
                "header": [ws.oddHeader.left.text, ws.oddHeader.right.text],
                "footer": ws.oddFooter.center.text,
            },
            "wrapped": all(c.alignment.wrap_text for row in ws.iter_rows(min_row=L.HEADER_ROW) for c in row if c.value is not None) if ws.title != L.GUIDE else None,
        }
    return out


@pytest.mark.parametrize("name", ["social_welfare-社会福祉課.xlsx", "school_education-学校教育課.xlsx"], ids=["coordinator", "one-project"])
def test_workbook_structure(exported, name, data_regression):
    """Sheets, columns, locked and unlocked cells, validations, defined names, print settings (golden)."""
    data_regression.check(structure(exported / name))


def test_the_workbook_records_year_department_and_fingerprint(exported):
    wb = load_workbook(exported / "school_education-学校教育課.xlsx")
    meta = dict(wb[L.META].iter_rows(values_only=True))
    assert wb[L.META].sheet_state == "veryHidden"
    assert meta["fiscal_year"] == str(YEAR) and meta["department"] == "school_education"
    assert re.fullmatch(r"[0-9a-f]{64}", meta["plan_fingerprint"])


def test_libreoffice_opens_every_workbook(exported, tmp_path):
    """A real spreadsheet program opens each workbook and prints it (headless conversion to PDF)."""
    files = sorted(exported.glob("*.xlsx"))
    profile = tmp_path / "profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )
    pdfs = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert [p.stem for p in pdfs] == [p.stem for p in files]
    from pypdf import PdfReader

    for pdf in pdfs:
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 2, pdf.name  # 記入要領 and at least one data sheet
        page = reader.pages[0]
        assert float(page.mediabox.width) < float(page.mediabox.height)  # 記入要領: A4 portrait
        assert float(reader.pages[1].mediabox.width) > float(reader.pages[1].mediabox.height)  # data: landscape
    text = PdfReader(tmp_path / "pdf" / "school_education-学校教育課.pdf").pages[1].extract_text()
    assert "学校教育課" in text and "p001" in text


# ---------------------------------------------------------------- the corpus of broken workbooks


def test_corpus_is_documented():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert len(CASES) >= 20
    assert [c.name for c in CASES if f"`{c.name}`" not in readme] == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_workbook(case, tmp_path, exported, monkeypatch, capsys, request):
    source = _fresh_source(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(CORPUS))
    spec = importlib.util.spec_from_file_location(f"bad_{case.name.replace('-', '_')}", case / "make.py")
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    files = recipe.make(Path("out"))
    target = source / "actuals" / f"{YEAR}.yaml"
    original = target.read_bytes()
    capsys.readouterr()

    status = main(["intake", "import", *map(str, files), "--year", str(YEAR), "--source", "source"])
    out_text, err = capsys.readouterr()
    assert status == 2
    assert "Traceback" not in out_text + err
    assert target.read_bytes() == original, "nothing is written"
    *problems, summary = err.splitlines()
    assert problems
    for line in problems:
        assert PROBLEM_LINE.match(line), line
    golden = case / "expected.txt"
    if request.config.getoption("--regen-bad-input-goldens"):
        golden.write_text(err, encoding="utf-8")
    assert err == golden.read_text(encoding="utf-8")


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(tmp_path, exported, monkeypatch, capsys):
    import openpyxl

    source = _fresh_source(tmp_path)
    bomb = tmp_path / "school_education-学校教育課.xlsx"
    import zipfile

    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * 30_000_000)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    assert main(["intake", "import", str(bomb), "--year", str(YEAR), "--source", str(source)]) == 2
    assert "compressed" in capsys.readouterr().err and opened == []


def test_password_protects_sheets_and_structure(tmp_path, capsys):
    source = _fresh_source(tmp_path)
    out = tmp_path / "o"
    assert main(["intake", "export", "--year", str(YEAR), "--source", str(source), "--out", str(out), "--password", "himitsu"]) == 0
    wb = load_workbook(out / "school_education-学校教育課.xlsx")
    assert all(ws.protection.sheet and ws.protection.password for ws in wb.worksheets)
    assert wb.security.lockStructure and wb.security.workbookPassword
    # Without --password the sheets are protected but open to anyone who unprotects them.
    assert main(["intake", "export", "--year", str(YEAR), "--source", str(source), "--out", str(out)]) == 0
    wb = load_workbook(out / "school_education-学校教育課.xlsx")
    assert all(ws.protection.sheet and not ws.protection.password for ws in wb.worksheets)
