"""第4章 laid out: which tables stay on one page, and a long period's years in tables of five.

The outline decides (views/final.py): a table short enough is kept together
(``Table.keep``), a table with a column per year shows at most
``YEAR_COLUMNS`` years, a longer period is printed in tables of that many years,
the judgement columns (or the period's summary) on the last.  The PDF and the
Word draft are checked for what a reader sees: a kept table on one page, a
split table's header on each of its pages, every column at least as wide as
its widest unbreakable word.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

import pytest

import docx_structure as ds
from kplan_report.text.japanese import NO_BREAK, fiscal_year_short
from kplan_report.validate.load import load_source
from kplan_report.views.blocks import Table
from kplan_report.views.outline import YEAR_COLUMNS, build_report, walk
from kplan_report.writers.pdf import writer as pdf

from pdf_structure import PdfStructure, squash

ROOT = Path(__file__).resolve().parent.parent
TOWN = ROOT / "tests/fixtures/town"


def _final_tables(report) -> list[Table]:
    return [b for s in walk([report.section("final")]) for b in s.blocks if isinstance(b, Table)]


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    """The town's plan with FY2030 and FY2031 actuals (FY2029's, re-dated): the plan's 10th, last year."""
    folder = tmp_path_factory.mktemp("town") / "source"
    shutil.copytree(TOWN, folder)
    text = (folder / "actuals" / "2029.yaml").read_text(encoding="utf-8")
    for year in (2030, 2031):
        dated = re.sub(r"(?m)^fiscal_year: 2029", f"fiscal_year: {year}", text)
        dated = re.sub(r"(?m)^report_date: 2030-", f"report_date: {year + 1}-", dated)
        (folder / "actuals" / f"{year}.yaml").write_text(dated, encoding="utf-8")
    return folder


def _years(table: Table) -> list[str]:
    return [c.label for c in table.columns if re.search(r"\(\d{4}\)$", c.label) and "目標値" not in c.label
            and "現状値" not in c.label]


@pytest.mark.parametrize("year, final", [(2031, None), (2029, True)], ids=["last-year", "mid-term"])
def test_a_long_period_is_printed_in_tables_of_five_years(town, year, final):
    report = build_report(load_source(town), year, final=final)
    period = list(range(2022, year + 1))
    tables = _final_tables(report)
    indicators = [t for t in tables if t.name == "final-indicators"]
    objectives = sorted({t.caption.split("（")[0] for t in indicators})
    assert len(indicators) == 2 * len(objectives)  # 10 or 8 years: 5 + the rest
    for caption in objectives:
        chunks = [t for t in indicators if t.caption.startswith(caption)]
        shown = [label for t in chunks for label in _years(t)]
        assert [re.search(r"\((\d{4})\)", label).group(1) for label in shown] == [str(y) for y in period]
        assert all(len(_years(t)) <= YEAR_COLUMNS for t in chunks)
        # the judgement columns only on the last, which names its years
        assert chunks[0].columns[-1].label != "判定" and chunks[-1].columns[-1].label == "判定"
        assert chunks[0].caption == f"{caption}（令和4年度～令和8年度）"
        assert chunks[-1].caption == f"{caption}（令和9年度～{fiscal_year_short(year)}）"
    projects = [t for t in tables if t.name == "final-projects"]
    assert all(len(_years(t)) <= YEAR_COLUMNS for t in projects)
    assert all((t.columns[-1].label == "期間の評価") == ("令和8年度" not in t.caption) for t in projects)
    counts = [t for t in tables if t.caption and t.caption.startswith("年度別の評価の件数")]
    assert [len(_years(t)) for t in counts] == [5, len(period) - 5]


def test_the_plan_of_five_years_keeps_one_table_per_objective():
    with contextlib.chdir(ROOT):
        report = build_report(load_source(Path("source")), 2023)
    tables = _final_tables(report)
    indicators = [t for t in tables if t.name == "final-indicators"]
    assert len(indicators) == 9 and all("（" not in t.caption for t in indicators)
    assert all(len(_years(t)) == 5 for t in indicators)
    keep = {t.caption or t.name: t.keep for t in tables}
    assert keep["判定の件数"] and keep["最終評価の判定区分"] and keep["年度別の評価の件数"]
    assert all(t.keep for t in indicators)
    # the projects of a 基本目標 (30 and more rows) may break between rows, their header repeated
    assert not any(t.keep for t in tables if t.name == "final-projects")


# ---------------------------------------------------------------- as printed


def _pdf(report, path: Path) -> PdfStructure:
    document = pdf.render(report, pdf.RenderInfo())
    document.write_pdf(path, pdf_variant=pdf.PDF_VARIANT)
    return PdfStructure(path)


def _row_key(cells) -> str:
    return squash("".join(cells).replace(NO_BREAK, ""))


def _pages_of(table: Table, structure: PdfStructure) -> tuple[set[int], set[int]]:
    """The pages holding the table's body rows, and those of them that show its header row."""
    rows = {_row_key(c.text for c in row) for row in table.rows}
    header = _row_key(c.label for c in table.columns)
    pages, headed = set(), set()
    for page in structure.pages:
        printed = {_row_key(r) for r in page.table_rows}
        if rows & printed:
            pages.add(page.number)
            if header in printed:
                headed.add(page.number)
    return pages, headed


@pytest.fixture(scope="module")
def final_2023(tmp_path_factory):
    with contextlib.chdir(ROOT):
        report = build_report(load_source(Path("source")), 2023)
        structure = _pdf(report, tmp_path_factory.mktemp("pdf") / "final-2023.pdf")
    return report, structure


def test_kept_tables_are_on_one_page_and_split_ones_repeat_their_header(final_2023):
    report, structure = final_2023
    checked = split = 0
    for table in _final_tables(report):
        pages, headed = _pages_of(table, structure)
        assert pages, table.caption
        assert headed == pages, f"{table.caption or table.name}: header missing on pages {sorted(pages - headed)}"
        if table.keep:
            assert len(pages) == 1, f"{table.caption or table.name} split over pages {sorted(pages)}"
        split += len(pages) > 1
        checked += 1
    assert checked == 18 and split >= 1  # the method, the counts, 9 indicator tables, the grade counts, 3 + 3
    counts = next(t for t in _final_tables(report) if t.caption == "判定の件数")
    (page,) = _pages_of(counts, structure)[0]
    assert "判定の件数" in structure.pages[page - 1].text  # its caption goes with it


def _overflows(structure: PdfStructure, chapter_final: str) -> list:
    """In 第4章: tables outside the text width, and characters beside a table (at its height,
    anywhere across the page) that lie in none of its cells: text run out of its cell."""
    import pdfplumber

    chapter = [p.number for p in structure.pages if p.header.startswith(chapter_final)]
    assert chapter
    found_problems = []
    with pdfplumber.open(structure.path) as document:
        for number in chapter:
            page = document.pages[number - 1]
            for found in page.find_tables():
                x0, top, x1, bottom = found.bbox
                if not (x0 >= 16 * 72 / 25.4 and x1 <= page.width - 16 * 72 / 25.4):
                    found_problems.append((number, "table outside the text width", found.bbox))
                cells = [c for row in found.rows for c in row.cells if c]
                if x0 > 20 * 72 / 25.4:
                    continue  # a status bar (its segments look like cells), labelled beside it
                # at the table's height, below the running header (the page's top margin is 22 mm)
                band = page.crop((0, max(top, 22 * 72 / 25.4), page.width, bottom))
                for char in band.chars:
                    if not char["text"].strip():
                        continue
                    if not any(c[0] - 0.3 <= char["x0"] and char["x1"] <= c[2] + 0.3 for c in cells
                               if c[1] - 0.3 <= char["top"] and char["bottom"] <= c[3] + 0.3):
                        found_problems.append((number, char["text"], round(char["x0"])))
    return found_problems


def test_the_towns_ten_years_fit_the_page(town, tmp_path):
    """Every table of 第4章 within the text width; every character inside its cell (none overflows)."""
    report = build_report(load_source(town), 2031)
    structure = _pdf(report, tmp_path / "town-2031.pdf")
    assert _overflows(structure, report.labels.chapter_final) == []


def test_no_text_runs_out_of_its_cell_in_the_final_edition(final_2023):
    """FY2023: a project's period summary (A：2年，B：2年，C：1年) wraps inside its cell."""
    report, structure = final_2023
    assert _overflows(structure, report.labels.chapter_final) == []


def test_the_word_drafts_long_tables_are_small_and_kept(town, tmp_path):
    """Word: the year tables in the small styles, short tables kept with next, rows never split."""
    from kplan_report.build import build

    result = build(load_source(town), 2031, tmp_path, ("docx",), parallel=False)
    docx = ds.Docx.load(result.files[0].read_bytes())
    tables = docx.body.findall(".//" + ds.w("tbl"))
    small = [t for t in tables if any(ds.wval(p, "pStyle") == "TableTextSmallCenter" for p in t.iter(ds.w("pPr")))]
    report = build_report(load_source(town), 2031)
    expected = [t for t in _final_tables(report) if t.name in ("final-indicators", "final-projects")]
    assert len(small) == len(expected)
    for tbl, table in zip(small, expected):
        rows = tbl.findall(ds.w("tr"))
        assert all(r.find(ds.w("trPr")) is not None and r.find(ds.w("trPr")).find(ds.w("cantSplit")) is not None for r in rows)
        assert rows[0].find(ds.w("trPr")).find(ds.w("tblHeader")) is not None
        kept = all(p.find(ds.w("pPr")) is not None and p.find(ds.w("pPr")).find(ds.w("keepNext")) is not None
                   for r in rows[:-1] for p in r.iter(ds.w("p")))
        assert kept == table.keep, table.caption
        widths = [ds.mm(c.get(ds.w("w"))) for c in tbl.find(ds.w("tblGrid")).findall(ds.w("gridCol"))]
        shared = next(i for i, c in enumerate(table.columns) if c.width_mm is None)  # 指標項目 / 事業名
        assert min(widths) >= 6.9 and widths[shared] >= 25, (table.caption, widths)
