"""The formats cannot drift: the PDF, the Word draft and the web edition
print the same headings in the same order and the same cell texts in every
table, because each only lays out the one outline.

Headings: the PDF's bookmarks (level, title) against the Word draft's
headings and the web pages' h1–h4 (read in the site's page order, each
page's levels counted from its top section).  Tables: the cells of the HTML the PDF is laid out from against
the cells of the Word tables that have a header row (the Word draft sets the
committee's opinion, a box in the PDF, as a two-column table without one).
"""

from __future__ import annotations

import io
import re

import pytest
from lxml import etree, html

import docx_structure as ds
from kplan_report.validate.load import load_source
from kplan_report.views.outline import build_report
from kplan_report.writers.docx.writer import render_docx
from kplan_report.writers.pdf import writer as pdf
from kplan_report.writers.web import writer as web
from pdf_structure import PdfStructure

from test_pdf import DATASETS


def _norm(text: str) -> str:
    """Without white space, nor the invisible word joiner that keeps a number with its unit
    (text/japanese.py NO_BREAK: Word keeps the character, the PDF an unbreakable span)."""
    return re.sub(r"[\s\u2060]+", "", text)


def _html_tables(page: str) -> list[list[list[str]]]:
    tree = html.fromstring(page)
    for img in tree.iter("img"):  # a picture counts by its alt text, as docx_structure prints it
        img.tail = f"[図:{img.get('alt')}]" + (img.tail or "")
    tables = []
    for table in tree.iter("table"):
        rows = []
        for tr in table.iter("tr"):
            rows.append([_norm(cell.text_content()) for cell in tr if cell.tag in ("td", "th")])
        tables.append(rows)
    return tables


def _docx_tables(docx: ds.Docx, bullet: str) -> list[list[list[str]]]:
    tables = []
    for tbl in docx.body.iter(ds.w("tbl")):
        first = tbl.find(ds.w("tr"))
        if first is None or first.find(f"{ds.w('trPr')}/{ds.w('tblHeader')}") is None:
            continue
        rows = []
        for tr in tbl.findall(ds.w("tr")):
            cells = []
            for tc in tr.findall(ds.w("tc")):
                vmerge = tc.find(f"{ds.w('tcPr')}/{ds.w('vMerge')}")
                if vmerge is not None and vmerge.get(ds.w("val")) != "restart":
                    continue  # covered by the cell above (w:vMerge continue)
                lines = [ds.paragraph_text(p) for p in tc.iter(ds.w("p"))]
                cells.append(_norm("".join(line.removeprefix(bullet) for line in lines)))
            rows.append(cells)
        tables.append(rows)
    return tables


def _merge_item_rows(rows: list[list[str]]) -> list[list[str]]:
    """The PDF prints a 推進項目 table one row per 具体的取組, Word one row per 主体:
    join the HTML's rows of one 主体 (those after its first have no 主体 cell)."""
    header, body = rows[0], rows[1:]
    merged: list[list[str]] = []
    for cells in body:
        if merged and len(cells) < len(merged[-1]) - (1 if len(merged) == 1 else 0):
            merged[-1][-2] += cells[0]  # the 具体的取組 cell (the 取組状況 cell spans the 主体)
        else:
            merged.append(list(cells))
    return [header, *merged]


@pytest.fixture(scope="module", params=DATASETS, ids=[d[0] for d in DATASETS])
def formats(request, tmp_path_factory):
    name, source, year = request.param
    report = build_report(load_source(source), year)
    path = tmp_path_factory.mktemp(f"parity-{name}") / "report.pdf"
    pdf.write_pdf(report, path)
    return report, PdfStructure(path), pdf.render_html(report), ds.Docx.load(render_docx(report))


def test_pdf_bookmarks_are_the_word_headings(formats):
    report, structure, _, docx = formats
    bookmarks = [(b["level"], b["title"]) for b in structure.bookmarks]
    headings = [(level, text) for level, text in ds.headings(docx) if level <= 4]
    assert bookmarks == headings
    assert len(bookmarks) == len(report.contents) and bookmarks[0][1] == report.labels.chapter1


def test_web_headings_are_the_pdf_bookmarks(formats):
    report, structure, _, _ = formats
    pages = web.render_pages(report)
    headings = []
    for page in web.plan_pages(report):
        tree = html.fromstring(pages[page.file])
        for h in tree.xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4]"):
            headings.append((int(h.tag[1]) + page.heading_shift, " ".join(h.text_content().split())))
    bookmarks = [(b["level"], " ".join(b["title"].split())) for b in structure.bookmarks]
    assert headings == bookmarks


def test_every_table_has_the_same_cells_in_both_formats(formats):
    report, _, page, docx = formats
    html_tables = _html_tables(page)
    word_tables = _docx_tables(docx, report.labels.action_bullet)
    label = _norm(report.labels.promotion_item)
    html_tables = [_merge_item_rows(t) if t and t[0] and t[0][0] == label else t for t in html_tables]
    assert len(html_tables) == len(word_tables)
    for n, (h, w) in enumerate(zip(html_tables, word_tables)):
        assert h == w, f"table {n}: {h[0]}"
