"""The PDF writer, checked on the PDF it writes (read back with tests/pdf_structure.py).

One PDF per dataset is built per test session and shared by the tests.
Goldens: tests/test_pdf/*.yml, regenerated with ``pytest --force-regen``
(``make golden``); review their diff like code — a changed page number, a
lost row or a changed font is a change in the published report.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from kplan_report.writers.pdf import writer as pdf
from kplan_report.validate.load import load_source
from kplan_report.views.outline import Report, build_report

from pdf_structure import PdfStructure, squash

ROOT = Path(__file__).resolve().parent.parent

# (name, source directory relative to the repository, fiscal year).
# The golden structure test runs on each; add the FY2021 sample here when it exists:
#   ("sample-2021", "source", 2021),
DATASETS = [
    ("mini", "tests/fixtures/mini", 2021),
    ("sample-2021", "source", 2021),
    # another plan: an invented town, 4 主体 rows, 10 years (its 8th), a decrease indicator
    ("town-2029", "tests/fixtures/town", 2029),
    # the plan's last year: the final edition (最終評価報告書) with its 第4章
    ("final-2023", "source", 2023),
]
# A 推進項目 table taller than a page (60 long 具体的取組 in one 主体 row).
TALL = ("tall", "tests/fixtures/tall", 2021)


@dataclass
class Built:
    report: Report
    path: Path
    info: pdf.RenderInfo
    structure: PdfStructure
    row_pages: dict[str, list[int]]  # pages of the tracked table rows (see pdf._row_pages)


def _report(source: str, year: int) -> Report:
    # Load with the path relative to the repository, as `make report` does, so
    # that the provenance section (and thus the PDF) does not depend on where
    # the checkout lives.
    with contextlib.chdir(ROOT):
        return build_report(load_source(Path(source)), year)


def _build(tmp_path_factory, name: str, source: str, year: int) -> Built:
    report = _report(source, year)
    path = tmp_path_factory.mktemp(f"pdf-{name}") / f"{name}.pdf"
    info = pdf.RenderInfo()
    document = pdf.render(report, info)
    document.write_pdf(path, pdf_variant=pdf.PDF_VARIANT)
    return Built(report, path, info, PdfStructure(path), pdf._row_pages(document))


_cache: dict[str, Built] = {}


def _built(tmp_path_factory, dataset) -> Built:
    name = dataset[0]
    if name not in _cache:
        _cache[name] = _build(tmp_path_factory, *dataset)
    return _cache[name]


@pytest.fixture(scope="session", params=DATASETS, ids=[d[0] for d in DATASETS])
def built(request, tmp_path_factory) -> Built:
    return _built(tmp_path_factory, request.param)


@pytest.fixture(scope="session")
def tall(tmp_path_factory) -> Built:
    return _built(tmp_path_factory, TALL)


def _items(report: Report):
    yield from report.promotion_items()


# ---------------------------------------------------------------- golden


def test_structure_golden(built, data_regression):
    """Page count and size, bookmarks, fonts, running header/footer and every table row."""
    data_regression.check(built.structure.summary())


# ---------------------------------------------------------------- content


def test_every_action_is_printed(built):
    text = "".join(p.searchable for p in built.structure.pages)
    missing = [
        a.id for item in _items(built.report) for row in item.rows for a in row.actions
        if squash(a.text + a.tag) not in text
    ]
    assert not missing


def test_toc_page_numbers_match_headings(built):
    """Every 目次 entry's page number is the page its heading (bookmark) lands on."""
    bookmarks = {squash(b["title"]): b["page"] for b in built.structure.bookmarks}
    toc_pages = [p for p in built.structure.pages if p.header.startswith("目次")]
    assert toc_pages
    entries = []
    for page in toc_pages:
        for line in page.text.splitlines():
            m = re.match(r"^(.*?)\s*(?:\.\s*){3,}(\d+)$", line.strip())
            if m:
                entries.append((squash(m.group(1)), int(m.group(2))))
    r = built.report
    expected = len(r.with_role("chapter")) + len(r.with_role("part")) + len(r.with_role("goal")) \
        + len(r.with_role("objective")) + len(r.with_role("item"))
    assert len(entries) == expected
    for title, page in entries:
        assert title in bookmarks, title
        assert bookmarks[title] == page, title


def _item_pages(built: Built, item) -> list[int]:
    """Pages on which a row of the item's table is printed (found by its 具体的取組)."""
    pages = []
    for page in built.structure.pages:
        if page.header.startswith("資料編"):
            continue
        text = page.searchable
        if any(squash(a.text) in text for row in item.rows for a in row.actions):
            pages.append(page.number)
    return pages


def _upright(text: str) -> str:
    # Rotated characters (ー, brackets) come out of text extraction out of
    # order; compare the upright ones, which are all but a few.
    return "".join(ch for ch in squash(text) if ch not in squash("".join(pdf._ROTATE)))


def _assert_titles_on_every_page(built: Built) -> int:
    continued = 0
    for item in _items(built.report):
        title = _upright(item.number + item.title)
        pages = _item_pages(built, item)
        assert pages, item.id
        for number in pages:
            column = _upright(built.structure.pages[number - 1].title_column)
            assert title in column, (item.id, number)
        continued += len(pages) - 1
    return continued


def test_item_title_on_every_page_of_its_table(built):
    _assert_titles_on_every_page(built)


def test_indicator_values_stay_with_their_chart(built):
    """No ＜主な指標＞ row is cut from its chart row (its № cell spans both)."""
    indicators = built.report.indicator_rows()
    assert indicators
    for row in indicators:
        values, chart = built.row_pages["i-" + row.id], built.row_pages["ic-" + row.id]
        assert values == chart == [values[0]], (row.id, row.name, values, chart)


def test_tall_table_is_continued_on_every_page(tall):
    """A table taller than a page: every page reprints title and 主体; no empty merged cell."""
    item = next(_items(tall.report))
    pages = _item_pages(tall, item)
    assert len(pages) >= 3
    assert pages == list(range(pages[0], pages[-1] + 1))
    _assert_titles_on_every_page(tall)
    cont = squash(tall.report.labels.continued.strip("（）"))  # rotated brackets extract out of order
    for number in pages[1:]:
        page = tall.structure.pages[number - 1]
        assert cont in squash(page.title_column), number
        # the 主体 cell is reprinted
        assert any(row[1:2] == [item.rows[0].actor] for row in page.table_rows), number
    # every 具体的取組 printed once and whole, in one cell (rows are not cut)
    cells = [squash(c) for p in tall.structure.pages for row in p.table_rows for c in row]
    for action in item.rows[0].actions:
        assert cells.count(squash(action.text + action.tag)) == 1, action.id
    assert tall.info.passes <= pdf.MAX_PASSES and len(tall.info.breaks) == len(pages) - 1


def test_splits_are_found_before_the_report_is_laid_out(built):
    """The layouts of one 具体的目標 at a time found every split: the whole
    report was laid out once (pass 2), not again to add splits.  Fails if a
    template change breaks what those layouts rely on (every 具体的目標
    starting a page, see pdf.py), which would slow every build by a layout."""
    assert built.info.passes == 2, sorted(built.info.breaks)


def test_markup_prints_literally(tmp_path_factory):
    """Text from the data with <b>, <script> and & (in tests/fixtures/mini) prints as typed."""
    mini = _built(tmp_path_factory, DATASETS[0])
    text = "".join(p.searchable for p in mini.structure.pages)
    for literal in ["<b>分かりやすい</b>", "<script>alert(1)</script>", "&育成します", "<b>太字</b>&記号"]:
        assert squash(literal) in text, literal


def test_status_mark_on_every_page(built):
    mark = built.report.status_mark
    if built.report.status != "sample":
        pytest.fail("the datasets of this test are sample data")
    assert mark == "サンプルデータ"
    for page in built.structure.pages:
        assert mark in page.header, page.number
    assert built.report.status_notice.replace("\n", "")[:20] in built.structure.pages[0].text.replace("\n", "")


def test_page_numbers_in_footer(built):
    for page in built.structure.pages[1:]:
        assert page.footer == f"－ {page.number} －"


def test_running_header_names_the_goal(built):
    for goal in built.report.with_role("goal"):
        pages = [b["page"] for b in built.structure.bookmarks if b["title"] == goal.heading]
        assert pages
        assert squash(goal.heading) in squash(built.structure.pages[pages[0] - 1].header)


def test_bookmarks_cover_every_heading(built):
    titles = [(b["title"], b["level"]) for b in built.structure.bookmarks]
    r = built.report
    for role, level in (("goal", 2), ("objective", 3), ("item", 4)):
        for section in r.with_role(role):
            assert (section.heading, level) in titles


# ---------------------------------------------------------------- PDF properties


def test_a4_and_fonts_embedded(built):
    assert built.structure.page_size_mm == [210.0, 297.0]
    fonts = built.structure.fonts
    assert {f["name"] for f in fonts} == {"BIZ-UDGothic", "BIZ-UDGothic-Bold", "BIZ-UDMincho"}
    assert all(f["embedded"] for f in fonts)


def test_tagged_accessible_pdf(built):
    catalog = built.structure.catalog
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "ja"
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


def test_metadata(built):
    meta = built.structure.metadata
    assert meta.title == built.report.title
    assert meta.author == built.report.author
    stamp = built.report.report_date_iso.strftime("%Y%m%d")
    assert meta["/CreationDate"].startswith(f"D:{stamp}")
    assert meta["/ModDate"].startswith(f"D:{stamp}")


def test_two_builds_are_byte_identical(tmp_path_factory):
    """Same input, same bytes (on the small dataset: a build of the real plan takes long)."""
    first = _built(tmp_path_factory, DATASETS[0])
    again = io.BytesIO()
    pdf.write_pdf(_report(*DATASETS[0][1:]), again)
    assert again.getvalue() == first.path.read_bytes()


# ---------------------------------------------------------------- helpers


def test_vertical_characters():
    assert pdf.vertical("① 思いやり、ソーシャル（続き）") == [
        ("①", "vt"), ("思", "vt"), ("い", "vt"), ("や", "vt"), ("り", "vt"), ("、", "vt-punct"),
        ("ソ", "vt"), ("ー", "vt-rot"), ("シ", "vt"), ("ャ", "vt"), ("ル", "vt"),
        ("（", "vt-rot"), ("続", "vt"), ("き", "vt"), ("）", "vt-rot"),
    ]


def test_item_parts_split_and_span(built):
    item = next(_items(built.report))
    ids = pdf.row_ids(item)
    whole = pdf.item_parts(item, frozenset())
    assert len(whole) == 1 and [r.id for r in whole[0].rows] == ids
    assert sum(r.actor_span for r in whole[0].rows) == len(ids)
    # split inside the first 主体: the continuation reprints the 主体 and
    # refers to the 取組状況 printed in the first part
    first_actor_size = len(item.rows[0].actions)
    assert first_actor_size >= 2
    parts = pdf.item_parts(item, frozenset({ids[1]}))
    assert [p.continued for p in parts] == [False, True]
    assert parts[0].rows[0].actor_span == 1
    head = parts[1].rows[0]
    assert head.actor == item.rows[0].actor and head.actor_span == first_actor_size - 1
    assert head.summary_elsewhere and not parts[0].rows[0].summary_elsewhere
    assert sum(r.actor_span for p in parts for r in p.rows) == len(ids)
