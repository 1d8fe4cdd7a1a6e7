"""The editable Word draft (DOCX) of the progress report.

Same content and order as the PDF (see ``report_templates/``), laid out as a
document that city staff and council members edit in Word:

* every paragraph has a named style (見出し 1–4 are Word's built-in
  Heading 1–4, so the navigation pane and the table of contents work); the
  look lives in the styles, not in the runs, so changing e.g. Normal's size
  changes the whole document;
* BIZ UD明朝 for text and BIZ UDゴシック for headings and tables, set as the
  East Asian font (``w:eastAsia``) on the styles and the document defaults;
  no theme fonts are left over from python-docx's template;
* tables are real Word tables: merged cells (``w:vMerge``), repeated header
  rows (``w:tblHeader``), rows that do not split (``w:cantSplit``) unless
  they may be taller than a page (:func:`.oxml.split_tall_rows`), fixed
  column widths in the grid and on the cells;
* a TOC field that already lists the headings when the file is opened and
  that Word can update (目次の更新); a PAGE field in the footer;
* the same input gives the same bytes (fixed zip timestamps and order, core
  properties from the report date).
* every passage that comes from the actuals is a content control tagged with
  its field path, the plan's own words are locked controls, and the custom
  properties record year, status and the source's fingerprint, so that
  ``kplan-report review`` can read the edited draft back
  (:class:`Controls`, :func:`_custom_properties`, :mod:`kplan_report.intake.review`).

Where to look:

* :func:`write_docx` — the entry point (this module);
* :func:`add_promotion_item_table` — THE 推進項目 table
  (推進項目 | 主体 | 具体的取組 | 取組状況) (this module);
* :class:`_Writer` — walks the outline: one ``block_<kind>`` method per
  block kind (this module);
* :mod:`.styles` — fonts, page geometry and every style (:data:`STYLES`);
* :mod:`.oxml` — the XML toolkit: paragraphs, runs, tables, fields and
  content controls, built with python-docx's parser so its element classes
  apply, always in the schema order ECMA-376 prescribes;
* :mod:`.package` — parts, properties and the repeatable zip.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart

from ...writers import charts
from ...views.blocks import (
    IndicatorTable,
    Notes,
    Opinion,
    PromotionItemTable,
    Section,
    StatusBars,
    Table,
    Text,
)
from ...views.outline import Report
from ...views.pieces import IndicatorRow
from .oxml import (
    Controls,
    _add_text,
    _cell,
    _column_widths,
    _el,
    _field,
    _header_row,
    _mm_widths,
    _para,
    _row,
    _table,
    clean_text,
    ROW_FIT_HEIGHT,
    estimated_row_height,
    keep_together,
    split_tall_rows,
)
from .package import (
    _clean_package,
    _core_properties,
    _custom_properties,
    _repack,
)
from .styles import (
    CHART_DPI,
    CHART_HEIGHT_MM,
    CHART_WIDTH_MM,
    FOOTER_DISTANCE,
    HEADER_DISTANCE,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT_WIDTH,
    _EMU_PER_MM,
    _install_styles,
    _twips,
)

#: Plain tables (Table.name) printed in the small table styles: the final edition's
#: tables of a column per year (the PDF prints them at 7 pt, report.css).
SMALL_TABLES = ("final-indicators", "final-projects")
SMALL_CELL_MARGIN = 28  # twips (0.5 mm) left and right in those tables

# ---------------------------------------------------------------- THE 推進項目 table

# 推進項目 (vertical title) | 主体 | 具体的取組 | 取組状況
PROMOTION_ITEM_WIDTHS = _mm_widths(TEXT_WIDTH, [15, 21, None, 58])


def add_promotion_item_table(document: DocxDocument, block: PromotionItemTable, controls: Controls | None = None):
    """Append the plan's table of one 推進項目 to ``document`` and return its ``w:tbl``.

    ``block.columns`` are the header labels (the last is the year's:
    令和3年度の取組状況).

    ::

        推進項目 | 主体         | 具体的取組                     | 令和3年度の取組状況
        ---------+--------------+--------------------------------+--------------------
        ①福祉   | 市民         | ・…します。                    | the year's summary
        教育の   |              | ・…します。【市・市社協】      |
        推進     +--------------+--------------------------------+--------------------
        (merged) | 地域・事業者 | …                              | …

    * one row per 主体; the 推進項目 cell is merged over all of them
      (``w:vMerge`` restart / continue) and set vertically;
    * each 具体的取組 is its own paragraph, with its tag at the end;
    * the header row repeats on every page; a row does not split across
      pages unless it may be taller than a page (:func:`.oxml.split_tall_rows`:
      a long 取組状況 then continues on the next page, below the header row,
      and the title is set across, not vertically: LibreOffice does not split
      a row that holds vertical text);
    * each 具体的取組 is a locked content control (``plan:<id>``), each
      取組状況 an editable one (``promotion_items.<item>.<actor>``).
    """
    controls = controls or Controls()
    item = block.item
    widths = PROMOTION_ITEM_WIDTHS
    tbl = _table(widths)
    _header_row(tbl, widths, block.columns)
    for index, row in enumerate(item.rows):
        tr = _row(tbl)
        if index == 0:
            _cell(tr, widths[0], [_para("TableItemTitle", item.vertical_title)],
                  vmerge="restart" if len(item.rows) > 1 else None, vertical=True, valign="center")
        else:
            _cell(tr, widths[0], vmerge="continue", vertical=True, valign="center")
        _cell(tr, widths[1], [_para("TableTextCenter", row.actor)], valign="center")
        _cell(tr, widths[2], [controls.wrap(_para("TableBullet", f"{block.bullet}{a.text}{a.tag}"), a.field)
                              for a in row.actions])
        _cell(tr, widths[3], [controls.wrap(_para("TableText", row.summary or block.no_summary),
                                            row.summary_field, row.summary)])
    if any(estimated_row_height(tr) > ROW_FIT_HEIGHT for tr in tbl.findall(qn("w:tr"))[1:]):
        # A row that may be taller than a page must split, and LibreOffice
        # never splits a row that holds vertical text (it cuts it at the page
        # bottom): such a table prints its title across, in its narrow column.
        for direction in list(tbl.iter(qn("w:textDirection"))):
            direction.getparent().remove(direction)
    _Body(document).add(keep_together(tbl))
    return tbl


# ---------------------------------------------------------------- the document


class _Body:
    """Appends block content before the body's final ``w:sectPr``."""

    def __init__(self, document: DocxDocument):
        self.sectpr = document.element.body.find(qn("w:sectPr"))

    def add(self, el):
        if el.tag == qn("w:tbl"):
            split_tall_rows(el)
        self.sectpr.addprevious(el)
        return el


@dataclass
class _Heading:
    level: int
    text: str
    bookmark: str


class _Writer:
    """Writes the report into ``document`` in the PDF's order."""

    def __init__(self, document: DocxDocument, report: Report):
        self.doc = document
        self.report = report
        self.body = _Body(document)
        self.bookmarks: dict[str, str] = {}
        self.bookmark_id = 0
        self.figure = 0
        self.drawing_id = 0
        self.image_count = 0
        self.controls = Controls()

    # -- small pieces

    def p(self, style: str | None, text: str = "", **kw):
        return self.body.add(_para(style, text, **kw))

    def heading(self, level: int, text: str, anchor: str, *, page_break_before: bool = False):
        """A heading with a bookmark (``_Toc…``, the names Word gives TOC targets;
        ``self.bookmarks`` maps the outline's anchor to it)."""
        p = _para(f"Heading{level}", page_break_before=page_break_before)
        self.bookmark_id += 1
        name = f"_Toc{self.bookmark_id:08d}"
        _el("w:bookmarkStart", {"w:id": self.bookmark_id, "w:name": name}, p)
        _add_text(p, text)
        _el("w:bookmarkEnd", {"w:id": self.bookmark_id}, p)
        self.bookmarks[anchor] = name
        return self.body.add(p)

    # -- the outline: one method per section and per block kind

    def section(self, section: Section) -> None:
        """The heading, then the content in order (blocks by kind, subsections)."""
        self.heading(section.level, section.heading, section.anchor, page_break_before=section.new_page)
        for node in section.content:
            if isinstance(node, Section):
                self.section(node)
            else:
                getattr(self, f"block_{node.kind}")(node)

    def block_text(self, block: Text) -> None:
        style = {"body": "BodyText", "lead": "Subheading", "subheading": "Subheading"}[block.style]
        fields = block.fields or (None,) * len(block.paragraphs)
        for text, field in zip(block.paragraphs, fields):
            self.body.add(self.controls.wrap(_para(style, text), field, text))

    def block_notes(self, block: Notes) -> None:
        self.p("NoteHeading", block.label)
        for note in block.notes:
            self.p("Note", f"{note.marker}{note.term}―――{note.definition}")
            if note.extra:
                self.p("Note", note.extra)

    def block_opinion(self, block: Opinion) -> None:
        if block.caption:
            self.p("TableTitle", block.caption)
        widths = _mm_widths(TEXT_WIDTH, [32, None])
        tbl = _table(widths, header_row=False)
        view = block.opinion
        for label, text, field in ((block.opinion_label, view.opinion, view.opinion_field),
                                   (block.response_label, view.response, view.response_field)):
            tr = _row(tbl)
            _cell(tr, widths[0], [_para("TableHeader", label)], valign="center", shade=True)
            _cell(tr, widths[1], [self.controls.wrap(_para("TableText", text), field, text)])
        self.body.add(keep_together(tbl))

    def block_table(self, block: Table) -> None:
        """A plain table: header row repeated on every page; a cell of rowspan
        0 continues the vertical merge (``w:vMerge``) of the cell above."""
        if block.caption:
            self.p("TableTitle", block.caption)
        widths = _column_widths(block.columns)
        tbl = _table(widths)
        # The final edition's tables of a column per year print small, as in the PDF (report.css).
        small = "Small" if block.name in SMALL_TABLES else ""
        if small:  # narrow cell margins (0.5 mm, the style's 1.3 mm): 令和10年度 fits a 14 mm column
            margins = _el("w:tblCellMar")
            for side in ("left", "right"):
                _el(f"w:{side}", {"w:w": SMALL_CELL_MARGIN, "w:type": "dxa"}, margins)
            tbl.find(qn("w:tblPr")).find(qn("w:tblLook")).addprevious(margins)
        _header_row(tbl, widths, [c.label for c in block.columns], f"TableHeader{small}")
        for cells in block.rows:
            tr = _row(tbl)
            for width, column, cell in zip(widths, block.columns, cells):
                align = cell.align or column.align
                style = f"TableText{small}Center" if align == "center" else f"TableText{small}"
                if cell.rowspan == 0:
                    _cell(tr, width, vmerge="continue")
                else:
                    if cell.spans:
                        p = self.controls.spans(_para(style), cell.spans)
                    else:
                        p = self.controls.wrap(_para(style, cell.text), cell.field, cell.text)
                    _cell(tr, width, [p], vmerge="restart" if cell.rowspan > 1 else None, shade=cell.emphasis)
        self.body.add(keep_together(tbl) if block.keep else tbl)

    def block_status_bars(self, block: StatusBars) -> None:
        """The PDF's bars are a drawing of the count table just above; the Word
        draft has the table (which the council edits around) and no drawing."""

    def block_promotion_item(self, block: PromotionItemTable) -> None:
        add_promotion_item_table(self.doc, block, self.controls)

    def cover(self) -> None:
        r = self.report
        self.p("CoverPlanTitle", r.plan_title)
        self.p("CoverTitle", f"{r.subtitle}\n{r.labels.draft}")
        self.p("CoverText", r.year_label)
        self.p("CoverText", r.report_date)
        for name in r.publisher:
            self.p("CoverPublisher", name)
        if r.status_mark:  # the PDF's status box: the mark, then the notice
            self.p("CoverMark", r.status_mark)
        if r.status_notice:
            self.p("CoverNotice", r.status_notice)

    def toc_placeholder(self):
        self.p("TOCHeading", self.report.labels.contents)
        return self.p(None)  # replaced by the TOC field in finish_toc()

    def finish_toc(self, placeholder) -> None:
        """The TOC field with a cached result listing the outline's contents entries.

        Word shows the cached entries as they are and rebuilds them (with page
        numbers) on 目次の更新.  The cached entries carry no page numbers: they
        are only known once Word lays the document out, and a guess would be
        wrong after the first edit.  Each entry links to its heading.
        """
        paragraphs = []
        levels = max(entry.level for entry in self.report.contents)
        for i, entry in enumerate(self.report.contents):
            p = _para(f"TOC{entry.level}")
            if i == 0:
                _field_begin(p, f'TOC \\o "1-{levels}" \\h \\z \\u')
            link = _el("w:hyperlink", {"w:anchor": self.bookmarks[entry.anchor], "w:history": "1"}, p)
            _add_text(link, clean_text(entry.text).replace("\n", " "))
            paragraphs.append(p)
        end = _para(None)
        _el("w:fldChar", {"w:fldCharType": "end"}, _el("w:r", parent=end))
        paragraphs.append(end)
        for p in paragraphs:
            placeholder.addprevious(p)
        placeholder.getparent().remove(placeholder)

    def block_indicators(self, block: IndicatorTable) -> None:
        """＜主な指標＞: № | 指標項目 | 担当 | 現状値 | one column per year | 目標値 | 進捗 | 評価.

        With ``block.charts``, each indicator gets a second row (its № cell
        merged over both) holding the trend chart, its caption and the
        year's notes.  The outline shows at most a few year columns, so the
        value columns always leave the 指標項目 column its room.
        """
        charts = block.charts
        self.p("TableTitle", block.caption)
        value_mm = max(13.0, min(17.0, 95.0 / (len(block.years) + 2)))
        # 進捗 is 19 mm: -1,119.5％ fits whole (a number and its unit never break, text/japanese.py NO_BREAK).
        widths = _mm_widths(TEXT_WIDTH, [7, None, 13, value_mm, *([value_mm] * len(block.years)), value_mm, 19, 15])
        if widths[1] < _twips(20):  # the outline shows at most views.outline.YEAR_COLUMNS years
            raise ValueError(f"{len(block.years)} year columns leave the 指標項目 column {widths[1]} twips")
        tbl = _table(widths)
        _header_row(tbl, widths, block.columns)
        for row in block.rows:
            tr = _row(tbl)
            # With its chart row below, the values row is kept with it ("keep with
            # next" on every paragraph of the row is how Word keeps rows together).
            _cell(tr, widths[0], [_para("TableTextCenter", str(row.number), keep_next=charts)],
                  vmerge="restart" if charts else None)
            # the report year's values are the draft's fields, the computed 進捗 and 評価 locked ones
            values = [self.controls.spans(_para("TableTextCenter", keep_next=charts), spans) for spans in row.value_spans]
            cells = [self.controls.wrap(_para("TableText", row.name, keep_next=charts), row.name_field),
                     _para("TableTextCenter", row.owner, keep_next=charts),
                     self.controls.wrap(_para("TableTextCenter", row.baseline, keep_next=charts), row.baseline_field),
                     *values,
                     self.controls.wrap(_para("TableTextCenter", row.target, keep_next=charts), row.target_field),
                     self.controls.wrap(_para("TableTextCenter", row.progress, keep_next=charts), row.progress_field,
                                        row.progress),
                     self.controls.wrap(_para("TableTextCenter", row.status, keep_next=charts), row.status_field, row.status)]
            for width, p in zip(widths[1:], cells):
                _cell(tr, width, [p])
            if charts:
                tr = _row(tbl)
                _cell(tr, widths[0], vmerge="continue")
                _cell(tr, sum(widths[1:]), self.chart_paragraphs(row), span=len(widths) - 1)
        self.body.add(tbl if charts else keep_together(tbl))

    def chart_paragraphs(self, row: IndicatorRow) -> list:
        rid = self.add_png(chart_png(row))
        self.drawing_id += 1
        inline = CT_Inline.new_pic_inline(self.drawing_id, rid, f"chart-{row.id}.png",
                                          round(CHART_WIDTH_MM * _EMU_PER_MM), round(CHART_HEIGHT_MM * _EMU_PER_MM))
        inline.docPr.set("descr", clean_text(row.chart_alt))
        figure = _para("Figure")
        _el("w:drawing", parent=_el("w:r", parent=figure)).append(inline)
        caption = _para("Caption")
        _add_text(caption, row.figure_label)
        _field(caption, f"SEQ {row.figure_label} \\* ARABIC", str(row.figure))
        _add_text(caption, "　" + row.caption_text)
        return [figure, caption, *(self.controls.spans(_para("Note"), spans) for spans in row.note_spans)]

    def add_png(self, png: bytes) -> str:
        """A new image part holding ``png``, related to the document; its rId.

        Not python-docx's ``get_or_add_image``: to find an identical picture it
        hashes every image already in the file, for every image added
        (quadratic; 0.05 s for 28 charts), and every chart is a picture of its own.
        """
        self.image_count += 1
        part = ImagePart.from_image(DocxImage.from_blob(png), PackURI(f"/word/media/image{self.image_count}.png"))
        return self.doc.part.relate_to(part, RT.IMAGE)

def _field_begin(p, instruction: str) -> None:
    """The first half of a complex field spanning paragraphs (the TOC): begin, instruction, separate."""
    _el("w:fldChar", {"w:fldCharType": "begin"}, _el("w:r", parent=p))
    instr = _el("w:instrText", parent=_el("w:r", parent=p))
    instr.text = f" {instruction} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    _el("w:fldChar", {"w:fldCharType": "separate"}, _el("w:r", parent=p))


def _grade(code: str, label: str) -> str:
    return f"{code}\n{label}" if code and code != label else label


# ---------------------------------------------------------------- page set-up, header, footer

def _setup_section(document: DocxDocument, report: Report) -> None:
    section = document.sections[0]
    sectpr = section._sectPr
    pgsz = sectpr.find(qn("w:pgSz"))
    pgsz.set(qn("w:w"), str(PAGE_WIDTH))
    pgsz.set(qn("w:h"), str(PAGE_HEIGHT))
    pgmar = sectpr.find(qn("w:pgMar"))
    for side, value in (("top", MARGIN_TOP), ("right", MARGIN_RIGHT), ("bottom", MARGIN_BOTTOM),
                        ("left", MARGIN_LEFT), ("header", HEADER_DISTANCE), ("footer", FOOTER_DISTANCE),
                        ("gutter", 0)):
        pgmar.set(qn(f"w:{side}"), str(value))
    cols = sectpr.find(qn("w:cols"))
    cols.set(qn("w:space"), "425")
    section.different_first_page_header_footer = True

    draft = report.labels.draft
    title = f"{report.short_title} {report.subtitle}{draft}"
    mark = report.status_mark if report.status_mark != draft else ""

    header = section.header._element
    _clear(header)
    p = _el("w:p", parent=header)
    _el("w:pStyle", {"w:val": "Header"}, _el("w:pPr", parent=p))
    _add_text(p, title)
    if mark:
        _add_text(p, "\t")
        _add_text(p, mark, "Mark")

    first = section.first_page_header._element  # the cover: only the mark
    _clear(first)
    p = _el("w:p", parent=first)
    _el("w:pStyle", {"w:val": "HeaderCover"}, _el("w:pPr", parent=p))
    if mark:
        _add_text(p, mark, "Mark")

    footer = section.footer._element
    _clear(footer)
    p = _el("w:p", parent=footer)
    _el("w:pStyle", {"w:val": "Footer"}, _el("w:pPr", parent=p))
    _add_text(p, "－ ")
    _field(p, "PAGE", "1")
    _add_text(p, " －")
    first_footer = section.first_page_footer._element
    _clear(first_footer)
    p = _el("w:p", parent=first_footer)
    _el("w:pStyle", {"w:val": "Footer"}, _el("w:pPr", parent=p))


def _clear(el) -> None:
    for child in list(el):
        el.remove(child)


# ---------------------------------------------------------------- entry point


def chart_png(row: IndicatorRow) -> bytes:
    """The trend chart of an indicator as the PNG the Word file embeds."""
    return charts.to_png(charts.layout(row.chart, CHART_WIDTH_MM, CHART_HEIGHT_MM, show_title=False), CHART_DPI)


def render_docx(report: Report) -> bytes:
    """The Word draft of ``report`` as bytes (same report, same bytes)."""
    document = Document()
    _install_styles(document)
    _setup_section(document, report)
    _core_properties(document, report)
    _clean_package(document, report)
    _clear_body(document)

    writer = _Writer(document, report)
    writer.cover()
    placeholder = writer.toc_placeholder()
    for section in report.sections:
        writer.section(section)
    writer.finish_toc(placeholder)
    _custom_properties(document, report, writer.controls)

    buffer = io.BytesIO()
    document.save(buffer)
    return _repack(buffer.getvalue(), report.report_date_iso)


def _clear_body(document: DocxDocument) -> None:
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def write_docx(report: Report, target: str | Path | BinaryIO) -> None:
    """Write the Word draft of ``report`` to a path or a binary file object."""
    data = render_docx(report)
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    else:
        target.write(data)
