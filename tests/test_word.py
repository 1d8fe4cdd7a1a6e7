"""The Word draft (kplan_report.writers.docx.writer): structure, fonts, fields, repeatability, and a real consumer.

One DOCX per dataset is built once per module and shared by the tests.  The
golden files in tests/test_word/ hold the document's structure as YAML
(regenerate with ``pytest tests/test_word.py --force-regen`` / ``make golden``
and review the diff like any code change).
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

import docx_structure as ds
from kplan_report.validate.load import load_source
from kplan_report.views.blocks import Text
from kplan_report.views.outline import Report, build_report
from kplan_report.writers.docx.oxml import clean_text
from kplan_report.writers.docx.styles import GOTHIC, MINCHO, PAGE_HEIGHT, PAGE_WIDTH, VERTICAL_TEXT
from kplan_report.writers.docx.writer import render_docx, write_docx

ROOT = Path(__file__).resolve().parent.parent

# (name, source folder, fiscal year): one golden file per dataset.
DATASETS = [
    ("mini", ROOT / "tests/fixtures/mini", 2021),
    ("sample-2021", ROOT / "source", 2021),
    ("town-2029", ROOT / "tests/fixtures/town", 2029),
    ("final-2023", ROOT / "source", 2023),  # the final edition (最終評価報告書)
]

BIZ_UD = {MINCHO, GOTHIC}


@dataclasses.dataclass
class Built:
    name: str
    report: Report
    data: bytes
    path: Path
    docx: ds.Docx
    seconds: float


@pytest.fixture(scope="module", params=DATASETS, ids=[d[0] for d in DATASETS])
def built(request, tmp_path_factory) -> Built:
    name, source, year = request.param
    report = build_report(load_source(source), year)
    start = time.perf_counter()
    data = render_docx(report)
    seconds = time.perf_counter() - start
    path = tmp_path_factory.mktemp(f"word-{name}") / f"{name}.docx"
    path.write_bytes(data)
    return Built(name, report, data, path, ds.Docx.load(data), seconds)


def promotion_items(report: Report):
    return report.promotion_items()


def promotion_item_tables(built: Built):
    """The 推進項目 tables, recognised by their header row."""
    label = built.report.labels.promotion_item
    tables = []
    for tbl in built.docx.body.iter(ds.w("tbl")):
        rows = ds.table_grid(tbl)
        if rows and rows[0]["cells"][0]["text"] == label:
            tables.append(rows)
    return tables


# ---------------------------------------------------------------- golden structure


def test_structure_matches_golden(built, data_regression):
    data_regression.check(ds.structure(built.data), basename=built.name)


# ---------------------------------------------------------------- content


def test_every_action_is_in_the_text(built):
    text = ds.all_text(built.docx)
    missing = [
        f"{a.id} {a.text}{a.tag}"
        for item in promotion_items(built.report)
        for row in item.rows
        for a in row.actions
        if f"・{clean_text(a.text)}{a.tag}" not in text
    ]
    assert not missing


def test_every_action_is_its_own_paragraph_in_its_actor_row(built):
    for item, rows in zip(promotion_items(built.report), promotion_item_tables(built), strict=True):
        for actor_row, row in zip(item.rows, rows[1:], strict=True):
            action_cell = row["cells"][-2]
            assert action_cell["text"].split("\n") == [f"・{a.text}{a.tag}" for a in actor_row.actions]
            assert set(action_cell["styles"]) == {"TableBullet"}


def test_each_promotion_item_cell_spans_exactly_its_actor_rows(built):
    items = promotion_items(built.report)
    tables = promotion_item_tables(built)
    assert len(tables) == len(items)
    for item, rows in zip(items, tables):
        header, body = rows[0], rows[1:]
        assert header["header"] and not any(r["header"] for r in body)
        assert len(body) == len(item.rows)
        title = body[0]["cells"][0]
        assert title["text"] == f"{item.number}{item.title}"
        assert title["rowspan"] == len(item.rows), item.id
        assert title["direction"] == VERTICAL_TEXT
        # every later row starts with the actor: the first column is merged away
        for row, actor_row in zip(body[1:], item.rows[1:]):
            assert row["cells"][0]["col"] == 1 and row["cells"][0]["text"] == actor_row.actor
        assert all(r["cant_split"] for r in rows)


def test_tables_have_fixed_widths_in_grid_and_cells(built):
    for tbl in built.docx.body.iter(ds.w("tbl")):
        grid = [int(c.get(ds.w("w"))) for c in tbl.find(ds.w("tblGrid"))]
        assert sum(grid) <= PAGE_WIDTH - 2 * 900  # inside the margins
        assert ds.wval(tbl.find(ds.w("tblPr")), "tblLayout", "type") == "fixed"
        for row in ds.table_grid(tbl):
            for cell in row["cells"]:
                assert int(cell["width"]) == sum(grid[cell["col"]:cell["col"] + cell["colspan"]])


def test_markup_prints_literally(built):
    text = ds.all_text(built.docx)
    raw = [a.text for item in promotion_items(built.report) for row in item.rows for a in row.actions]
    raw += [p.name for item in promotion_items(built.report) for p in item.projects]
    marked = [t for t in raw if re.search(r"[<&>]", t)]
    if built.name == "mini":
        assert len(marked) >= 3  # the fixture's <b>, & and <script>
    for t in marked:
        assert t in text
    local = {etree.QName(el).localname for el in built.docx.document.iter() if isinstance(el.tag, str)}
    assert not local & {"b", "script"}


def test_headings_are_the_builtin_styles_with_the_report_outline(built):
    outline = ds.headings(built.docx)
    names = built.docx.style_names()
    assert {names[f"Heading{n}"] for n in (1, 2, 3, 4)} == {f"heading {n}" for n in (1, 2, 3, 4)}
    r = built.report
    expected = [(2, g.heading) for g in r.with_role("goal")] + [(3, o.heading) for o in r.with_role("objective")]
    expected += [(4, i.heading) for i in promotion_items(r)]
    for entry in expected:
        assert entry in outline
    final = [r.labels.chapter_final] if r.subtitle.endswith(r.labels.final_report_title) else []
    assert [t for lvl, t in outline if lvl == 1] == [
        r.labels.chapter1, r.labels.chapter2, r.labels.chapter3, *final, r.labels.appendix]


# ---------------------------------------------------------------- fields


def test_toc_field_lists_every_heading_and_can_be_updated(built):
    toc = [f for f in ds.fields(built.docx.body) if f["instr"].startswith("TOC")]
    assert len(toc) == 1 and toc[0]["instr"] == 'TOC \\o "1-4" \\h \\z \\u'
    entries = ds.toc_entries(built.docx)
    outline = [(lvl, text) for lvl, text in ds.headings(built.docx) if lvl <= 4]
    assert [(int(style[-1]), text) for style, text in entries] == outline
    assert {style for style, _ in entries} <= {"toc 1", "toc 2", "toc 3", "toc 4"}
    # each entry links to a bookmark on its heading
    bookmarks = {b.get(ds.w("name")) for b in built.docx.body.iter(ds.w("bookmarkStart"))}
    anchors = [h.get(ds.w("anchor")) for h in built.docx.body.iter(ds.w("hyperlink"))]
    assert len(anchors) == len(entries) and set(anchors) <= bookmarks


def test_footer_has_a_page_field_and_header_marks_the_draft(built):
    instr = [f["instr"] for f in ds.header_footer_fields(built.docx)]
    assert instr == ["PAGE"]
    sec = ds.section(built.docx)
    assert "（案）" in sec["header_default"][0]
    if built.report.status == "sample":
        assert "サンプルデータ" in sec["header_default"][0]
        assert "サンプルデータ" in sec["header_first"][0]
    cover = [ds.paragraph_text(p) for p in built.docx.body.findall(ds.w("p"))[:8]]
    assert any(t.endswith("（案）") for t in cover)


def test_page_setup_is_a4_portrait(built):
    sec = ds.section(built.docx)
    assert sec["page_mm"] == [210.0, 297.0] and sec["orientation"] == "portrait"
    assert PAGE_HEIGHT > PAGE_WIDTH


# ---------------------------------------------------------------- fonts and styles


def test_every_japanese_run_resolves_to_a_biz_ud_east_asian_font(built):
    runs = list(ds.japanese_runs(built.docx))
    assert runs
    fonts = {(ds.run_font(built.docx, r, p), text[:20]) for r, p, text in runs}
    wrong = {(font, text) for font, text in fonts if font not in BIZ_UD}
    assert not wrong


def test_every_style_resolves_to_biz_ud_and_no_theme_fonts_are_left(built):
    styles = built.docx.styles
    for s in styles.findall(ds.w("style")):
        if s.get(ds.w("type")) in ("paragraph", "character"):
            chain = ds.style_chain(built.docx, s.get(ds.w("styleId"))) + [ds.doc_defaults_rpr(built.docx)]
            assert ds.east_asian_font(built.docx, chain) in BIZ_UD, ds.wval(s, "name")
    theme = re.compile(rb'w:(asciiTheme|eastAsiaTheme|hAnsiTheme|cstheme)=')
    for name in ("word/styles.xml", "word/document.xml"):
        assert not theme.search(built.docx.files[name]), name
    defaults = ds.doc_defaults_rpr(built.docx)
    assert defaults.find(ds.w("lang")).get(ds.w("eastAsia")) == "ja-JP"


def test_no_direct_run_formatting(built):
    """Runs carry at most a character style: the look lives in the styles."""
    for root in [built.docx.document, *built.docx.parts.values()]:
        for rpr in root.iter(ds.w("rPr")):
            if rpr.getparent().tag == ds.w("r"):
                assert [etree.QName(c).localname for c in rpr] == ["rStyle"]


def test_every_used_style_is_defined(built):
    ids = set(built.docx.style_names())
    used = {el.get(ds.w("val")) for el in built.docx.document.iter(ds.w("pStyle"), ds.w("rStyle"), ds.w("tblStyle"))}
    assert used <= ids


# ---------------------------------------------------------------- package, metadata, repeatability


def test_core_properties_come_from_the_report(built):
    core = ds.core_properties(built.docx)
    day = built.report.report_date_iso.isoformat()
    assert core["created"].startswith(day) and core["modified"].startswith(day)
    assert core["creator"] == built.report.author
    assert core["title"].startswith(built.report.title) and core["title"].endswith("（案）")
    assert core["language"] == "ja-JP" and core["revision"] == "1"


def test_two_builds_are_byte_identical(built):
    again = io.BytesIO()
    write_docx(built.report, again)
    assert again.getvalue() == built.data


def test_a_build_in_another_process_is_byte_identical(built, tmp_path):
    """Another interpreter with another hash seed: no set or dict order may leak into the file."""
    name, source, year = next(d for d in DATASETS if d[0] == built.name)
    target = tmp_path / "again.docx"
    code = ("import sys; from pathlib import Path; from kplan_report.validate.load import load_source; "
            "from kplan_report.views.outline import build_report; from kplan_report.writers.docx.writer import write_docx; "
            "write_docx(build_report(load_source(Path(sys.argv[1])), int(sys.argv[2])), sys.argv[3])")
    subprocess.run([sys.executable, "-c", code, str(source), str(year), str(target)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "4242"}, timeout=120)
    assert target.read_bytes() == built.data


def test_zip_entries_have_fixed_order_and_timestamps(built):
    with zipfile.ZipFile(io.BytesIO(built.data)) as z:
        infos = z.infolist()
    names = [i.filename for i in infos]
    assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
    stamp = built.report.report_date_iso
    assert {i.date_time for i in infos} == {(stamp.year, stamp.month, stamp.day, 0, 0, 0)}
    # nothing left from python-docx's template that Word would not write
    assert not [n for n in names if "thumbnail" in n or "customXml" in n or "stylesWithEffects" in n]


def test_control_characters_are_removed_and_line_breaks_kept(built):
    r = built.report
    bad = "制御\x00文字\x07と\x1bエスケープ\r\n二行目\x0c"
    first, *rest = r.sections
    report = dataclasses.replace(r, sections=[dataclasses.replace(first, content=[Text([bad]), *first.content]), *rest])
    docx = ds.Docx.load(render_docx(report))
    assert "制御文字とエスケープ\n二行目" in ds.all_text(docx)
    assert clean_text("a\tb\nc\x00\x1f\x7f\ud800") == "a\tb\nc"


def test_render_time_is_recorded(built):
    """Not a benchmark: a sanity bound, far above the <1 s target, against accidental blow-ups."""
    assert built.seconds < 10


# ---------------------------------------------------------------- a real consumer: LibreOffice


def expected_pages(report: Report) -> tuple[int, int]:
    """A plausible page range from the content.

    At least: cover, 目次, one page each for chapters 1 and 2, a page for
    every 具体的目標 (each starts one; the first of a 基本目標 shares the
    goal's page), and two for 資料編.  At
    most: that plus one page per 4 具体的取組, per 2 indicators (values, chart)
    and per 6 projects (the real plan needs about half of that).
    """
    low = 2 + 2 + len(report.with_role("objective")) + 2
    actions = sum(len(row.actions) for item in promotion_items(report) for row in item.rows)
    indicators = len(report.indicator_rows())
    projects = sum(len(item.projects) for item in promotion_items(report))
    high = low + math.ceil(actions / 4) + math.ceil(indicators / 2) + math.ceil(projects / 6)
    return low, high


def test_libreoffice_opens_and_converts_it(built, tmp_path):
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(built.path)],
        capture_output=True, text=True, timeout=300,
    )
    pdf = tmp_path / f"{built.path.stem}.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    reader = PdfReader(pdf)
    low, high = expected_pages(built.report)
    assert low <= len(reader.pages) <= high
    # the fonts LibreOffice embedded are the BIZ UD faces, nothing substituted
    fonts = set()
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert fonts and all("BIZUD" in f.replace(" ", "") for f in fonts), fonts
    text = "".join(page.extract_text() for page in reader.pages[:2])
    assert built.report.plan_title.replace(" ", "") in text.replace(" ", "").replace("\n", "")


# ---------------------------------------------------------------- valid OOXML: children in schema order

# ECMA-376 sequences (Part 1, WordprocessingML) of the property elements the
# writer builds by hand.  Word rejects a file whose children are out of order.
SCHEMA_ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
            "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
            "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
              "tblLook", "tblCaption", "tblDescription"],
    "tbl": ["bookmarkStart", "tblPr", "tblGrid", "tr"],
    "tc": ["tcPr", "p", "tbl"],
    "sdtPr": ["rPr", "alias", "tag", "id", "lock", "placeholder", "temporary", "showingPlcHdr", "dataBinding",
              "label", "tabIndex", "docPartObj", "docPartList", "text", "richText"],
    "pBdr": ["top", "left", "bottom", "right", "between", "bar"],
    "tblBorders": ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV"],
    "tblCellMar": ["top", "left", "start", "bottom", "right", "end"],
    "style": ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
              "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
              "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"],
    "tblStylePr": ["pPr", "rPr", "tblPr", "trPr", "tcPr"],
    "sectPr": ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
               "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"],
    "font": ["altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig", "embedRegular"],
}


def test_children_are_in_schema_order(built):
    fonts = etree.fromstring(built.docx.files["word/fontTable.xml"])
    checked = 0
    for root in [built.docx.document, built.docx.styles, fonts, *built.docx.parts.values()]:
        for el in root.iter():
            if not isinstance(el.tag, str) or not el.tag.startswith(f"{{{ds.W}}}"):
                continue
            order = SCHEMA_ORDER.get(etree.QName(el).localname)
            if order is None:
                continue
            names = [etree.QName(c).localname for c in el if isinstance(c.tag, str)
                     and c.tag.startswith(f"{{{ds.W}}}")]
            positions = [order.index(n) if n in order else -1 for n in names]
            assert -1 not in positions, (etree.QName(el).localname, names)
            assert positions == sorted(positions), (etree.QName(el).localname, names)
            checked += 1
    assert checked > 100
