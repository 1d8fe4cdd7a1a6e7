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
  rows (``w:tblHeader``), rows that do not split (``w:cantSplit``), fixed
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

* :func:`write_docx` — the entry point;
* :func:`add_promotion_item_table` — THE 推進項目 table
  (推進項目 | 主体 | 具体的取組 | 取組状況);
* :data:`STYLES` — every style of the document, in one place;
* :class:`_Writer` — the report, chapter by chapter, in the PDF's order.

Raw XML is built with python-docx's parser (:func:`_el`, so python-docx's
element classes apply) and always in the schema order of its parent (``w:pPr``, ``w:rPr``, ``w:tcPr`` … list their children in
the order ECMA-376 prescribes), so that Word does not call the file corrupt.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.image.image import Image as DocxImage
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import oxml_parser
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from lxml import etree

from ...writers import charts
from ...views.blocks import (
    Column,
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
from ...views.pieces import Field, IndicatorRow

# ---------------------------------------------------------------- fonts and page

MINCHO = "BIZ UD明朝"
GOTHIC = "BIZ UDゴシック"

# Word on Windows ships these faces as "BIZ UD明朝 Medium" / "BIZ UDゴシック";
# the fontTable entry names the Windows face as an alternative so that Word
# picks it instead of substituting ＭＳ 明朝.
_FONT_TABLE = [
    # name, altName, panose, family, pitch
    (MINCHO, "BIZ UD明朝 Medium", "02020400000000000000", "roman"),
    (GOTHIC, "BIZ UDGothic", "020B0400000000000000", "modern"),
]


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


# A4 portrait with the PDF's margins (report_templates/report.css, @page).
PAGE_WIDTH = _twips(210)
PAGE_HEIGHT = _twips(297)
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = _twips(22), _twips(17), _twips(18), _twips(17)
HEADER_DISTANCE, FOOTER_DISTANCE = _twips(10), _twips(8)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 9638 twips = 176 mm

# Text direction of the vertical 推進項目 cell (縦書き, top to bottom, lines
# right to left).  "tbRl" is the ECMA-376 Transitional value Word writes for a
# vertical cell; LibreOffice 7.4 reads both "tbRl" and "tbRlV" as TB_RL and sets
# kanji and kana upright (checked on the converted pages).
VERTICAL_TEXT = "tbRl"

# Indicator trend charts: size on the page and resolution of the PNG.
# 220 ppi is Word's own default resolution (オプション → 詳細設定 → イメージの
# サイズと画質): Word brings larger pictures down to it when the file is saved,
# so more pixels would be lost at a council member's first save — and they
# cost time here (28 charts: 0.35 s at 300 ppi, 0.20 s at 220 ppi).  The PDF
# draws the same charts as vector graphics.
CHART_WIDTH_MM, CHART_HEIGHT_MM, CHART_DPI = 80.0, 42.0, 220
_EMU_PER_MM = 36000

# ---------------------------------------------------------------- labels


# ---------------------------------------------------------------- styles

# Colours of the PDF (report.css): navy headings, pale blue table headers.
NAVY = "1F4E79"
PALE = "D9E2EF"
RED = "C00000"


def _fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:eastAsia="{name}" w:hAnsi="{name}" w:cs="{name}"/>'


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _spacing(before: int = 0, after: int = 0, line: int = 240) -> str:
    """Paragraph spacing in twips; ``line`` in 240ths of a line (auto)."""
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="auto"/>'


def _border(side: str, size: int, color: str = "000000", space: int = 1) -> str:
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/>'


# Latin text in English, Japanese text in Japanese: what Word writes on a Japanese system.
_LANG = '<w:lang w:val="en-US" w:eastAsia="ja-JP" w:bidi="ar-SA"/>'

# BIZ UD faces are exactly one em from ascent to descent: at single spacing
# Japanese lines touch.  Body text gets 1.6 lines (as the PDF), tables 1.3.
BODY_LINE = 384
TABLE_LINE = 312


@dataclass(frozen=True)
class StyleDef:
    """A style of the document; ``ppr``/``rpr`` are XML in schema order."""

    kind: str  # paragraph / character / table
    style_id: str
    name: str
    based_on: str | None = None
    next: str | None = None
    ppr: str = ""
    rpr: str = ""
    extra: str = ""  # tblPr / tblStylePr for table styles
    ui_priority: int | None = None


STYLES: list[StyleDef] = [
    # -- text
    StyleDef("paragraph", "Normal", "Normal", ppr=_spacing(line=BODY_LINE) + '<w:jc w:val="both"/>',
             rpr=_fonts(MINCHO) + _size(20) + _LANG, ui_priority=0),
    StyleDef("paragraph", "BodyText", "Body Text", "Normal", ppr=_spacing(after=113, line=BODY_LINE)
             + '<w:ind w:firstLineChars="100" w:firstLine="200"/>', ui_priority=99),
    StyleDef("paragraph", "Subheading", "Subheading", "Normal", "BodyText",
             ppr='<w:keepNext/>' + _spacing(before=170, after=57, line=BODY_LINE),
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/>'),
    StyleDef("paragraph", "Note", "Note", "Normal",
             ppr=_spacing(after=28, line=TABLE_LINE) + '<w:ind w:left="400" w:hangingChars="0"/>',
             rpr=_size(17)),
    StyleDef("paragraph", "NoteHeading", "Note Heading", "Normal", "Note",
             ppr='<w:keepNext/>' + _spacing(before=113, after=28, line=TABLE_LINE),
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/>' + _size(17)),
    # -- headings (built-in, outline levels 1–4)
    StyleDef("paragraph", "Heading1", "heading 1", "Normal", "BodyText",
             ppr='<w:keepNext/><w:keepLines/><w:pageBreakBefore/><w:pBdr>'
             + _border("left", 48, NAVY, 6) + _border("bottom", 6, NAVY, 4) + '</w:pBdr>'
             + _spacing(after=340, line=336) + '<w:jc w:val="left"/><w:outlineLvl w:val="0"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/><w:color w:val="000000"/>' + _size(32), ui_priority=9),
    StyleDef("paragraph", "Heading2", "heading 2", "Normal", "BodyText",
             ppr='<w:keepNext/><w:keepLines/><w:pBdr>' + _border("top", 4, PALE, 2) + _border("left", 4, PALE, 4)
             + _border("bottom", 4, PALE, 2) + _border("right", 4, PALE, 4) + '</w:pBdr>'
             + f'<w:shd w:val="clear" w:color="auto" w:fill="{PALE}"/>'
             + _spacing(before=340, after=170, line=336) + '<w:jc w:val="left"/><w:outlineLvl w:val="1"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/><w:color w:val="000000"/>' + _size(26), ui_priority=9),
    StyleDef("paragraph", "Heading3", "heading 3", "Normal", "BodyText",
             ppr='<w:keepNext/><w:keepLines/><w:pBdr>' + _border("bottom", 6, NAVY, 2) + '</w:pBdr>'
             + _spacing(before=283, after=142, line=336) + '<w:jc w:val="left"/><w:outlineLvl w:val="2"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/><w:color w:val="000000"/>' + _size(23), ui_priority=9),
    StyleDef("paragraph", "Heading4", "heading 4", "Normal", "BodyText",
             ppr='<w:keepNext/><w:keepLines/>' + _spacing(before=227, after=85, line=336)
             + '<w:jc w:val="left"/><w:outlineLvl w:val="3"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/><w:color w:val="000000"/>' + _size(21), ui_priority=9),
    # -- tables: text in cells has its own paragraph styles (BIZ UDゴシック)
    StyleDef("paragraph", "TableTitle", "Table Title", "Normal",
             ppr='<w:keepNext/>' + _spacing(before=170, after=57, line=TABLE_LINE) + '<w:jc w:val="left"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/>' + _size(19)),
    StyleDef("paragraph", "TableText", "Table Text", "Normal",
             ppr=_spacing(line=TABLE_LINE) + '<w:jc w:val="left"/>', rpr=_fonts(GOTHIC) + _size(17)),
    StyleDef("paragraph", "TableTextCenter", "Table Text Center", "TableText", ppr='<w:jc w:val="center"/>'),
    # a 具体的取組 "・…": wrapped lines align after the bullet
    StyleDef("paragraph", "TableBullet", "Table Bullet", "TableText",
             ppr='<w:ind w:left="170" w:hangingChars="100" w:hanging="170"/>'),
    StyleDef("paragraph", "TableHeader", "Table Header", "TableText",
             ppr='<w:keepNext/><w:jc w:val="center"/>', rpr='<w:b/><w:bCs/>'),
    StyleDef("paragraph", "TableItemTitle", "Table Item Title", "TableText",
             ppr='<w:jc w:val="center"/>', rpr='<w:b/><w:bCs/>' + _size(20)),
    StyleDef("paragraph", "Figure", "Figure", "Normal",
             ppr='<w:keepNext/>' + _spacing(before=57) + '<w:jc w:val="left"/>'),
    StyleDef("paragraph", "Caption", "caption", "Normal", "Normal",
             ppr=_spacing(after=57, line=TABLE_LINE) + '<w:jc w:val="left"/>',
             rpr=_fonts(GOTHIC) + _size(16), ui_priority=35),
    # -- cover
    StyleDef("paragraph", "CoverPlanTitle", "Cover Plan Title", "Normal",
             ppr=_spacing(before=3118, after=340, line=336) + '<w:jc w:val="center"/>',
             rpr=_fonts(GOTHIC) + _size(40)),
    StyleDef("paragraph", "CoverTitle", "Cover Title", "Normal",
             ppr=_spacing(after=454, line=336) + '<w:jc w:val="center"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/>' + _size(48)),
    StyleDef("paragraph", "CoverText", "Cover Text", "Normal",
             ppr=_spacing(after=227, line=336) + '<w:jc w:val="center"/>', rpr=_size(26)),
    StyleDef("paragraph", "CoverPublisher", "Cover Publisher", "Normal",
             ppr=_spacing(line=432) + '<w:jc w:val="center"/>', rpr=_fonts(GOTHIC) + _size(30)),
    StyleDef("paragraph", "CoverNotice", "Cover Notice", "Normal",
             ppr='<w:pBdr>' + _border("top", 10, RED, 6) + _border("left", 10, RED, 8) + _border("bottom", 10, RED, 6)
             + _border("right", 10, RED, 8) + '</w:pBdr>' + _spacing(after=57, line=TABLE_LINE)
             + '<w:ind w:left="794" w:right="794"/><w:jc w:val="left"/>',
             rpr=_fonts(GOTHIC) + f'<w:color w:val="{RED}"/>' + _size(21)),
    StyleDef("paragraph", "CoverMark", "Cover Mark", "CoverNotice", "CoverNotice",  # same box as the notice
             ppr='<w:keepNext/>' + _spacing(before=794, after=57, line=336) + '<w:jc w:val="center"/>',
             rpr='<w:b/><w:bCs/>' + _size(32)),
    StyleDef("character", "Mark", "Mark", "DefaultParagraphFont",
             rpr=_fonts(GOTHIC) + f'<w:b/><w:bCs/><w:color w:val="{RED}"/>'),
    # -- table of contents (built-in names, so Word's 目次の更新 uses them)
    StyleDef("paragraph", "TOCHeading", "TOC Heading", "Normal", "Normal",
             ppr='<w:keepNext/><w:pageBreakBefore/>' + _spacing(after=340, line=336) + '<w:jc w:val="left"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/>' + _size(32), ui_priority=39),
    StyleDef("paragraph", "TOC1", "toc 1", "Normal", "Normal",
             ppr=_spacing(before=113, line=TABLE_LINE) + '<w:jc w:val="left"/>',
             rpr=_fonts(GOTHIC) + '<w:b/><w:bCs/>' + _size(21), ui_priority=39),
    StyleDef("paragraph", "TOC2", "toc 2", "Normal", "Normal",
             ppr=_spacing(before=28, line=TABLE_LINE) + '<w:ind w:left="227"/><w:jc w:val="left"/>',
             rpr=_size(20), ui_priority=39),
    StyleDef("paragraph", "TOC3", "toc 3", "Normal", "Normal",
             ppr=_spacing(line=TABLE_LINE) + '<w:ind w:left="454"/><w:jc w:val="left"/>',
             rpr=_size(19), ui_priority=39),
    StyleDef("paragraph", "TOC4", "toc 4", "Normal", "Normal",
             ppr=_spacing(line=TABLE_LINE) + '<w:ind w:left="680"/><w:jc w:val="left"/>',
             rpr=_size(16), ui_priority=39),
    # -- header and footer
    StyleDef("paragraph", "Header", "header", "Normal",
             ppr='<w:pBdr>' + _border("bottom", 4, "888888", 2) + '</w:pBdr>'
             + f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
             + _spacing() + '<w:jc w:val="left"/>', rpr=_fonts(GOTHIC) + _size(16), ui_priority=99),
    StyleDef("paragraph", "HeaderCover", "Header Cover", "Header",  # the cover's: no rule, mark on the right
             ppr='<w:pBdr><w:bottom w:val="nil"/></w:pBdr><w:jc w:val="right"/>'),
    StyleDef("paragraph", "Footer", "footer", "Normal",
             ppr=_spacing() + '<w:jc w:val="center"/>', rpr=_fonts(GOTHIC) + _size(17), ui_priority=99),
    # -- tables
    StyleDef("table", "ReportTable", "Report Table", "TableNormal", ui_priority=59,
             ppr=_spacing(line=TABLE_LINE),
             extra='<w:tblPr><w:tblBorders>' + "".join(
                 _border(side, 4, space=0) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
             + '</w:tblBorders><w:tblCellMar><w:top w:w="45" w:type="dxa"/><w:left w:w="74" w:type="dxa"/>'
             '<w:bottom w:w="45" w:type="dxa"/><w:right w:w="74" w:type="dxa"/></w:tblCellMar></w:tblPr>'
             '<w:tblStylePr w:type="firstRow"><w:tblPr/><w:tcPr>'
             f'<w:shd w:val="clear" w:color="auto" w:fill="{PALE}"/><w:vAlign w:val="center"/></w:tcPr></w:tblStylePr>'),
]

# Styles of python-docx's template that stay (defaults Word expects).
_KEEP_TEMPLATE_STYLES = {"DefaultParagraphFont", "TableNormal", "NoList"}

_DOC_DEFAULTS = (
    f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>{_fonts(MINCHO)}{_size(20)}{_LANG}</w:rPr></w:rPrDefault>'
    f'<w:pPrDefault><w:pPr>{_spacing()}</w:pPr></w:pPrDefault></w:docDefaults>'
)

_THEME_FONT_ATTRS = [qn(f"w:{a}") for a in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")]


def _style_xml(s: StyleDef) -> str:
    parts = [f'<w:style {nsdecls("w")} w:type="{s.kind}" w:styleId="{s.style_id}"'
             + (' w:default="1"' if s.style_id == "Normal" else "") + ">",
             f'<w:name w:val="{s.name}"/>']
    if s.based_on:
        parts.append(f'<w:basedOn w:val="{s.based_on}"/>')
    if s.next:
        parts.append(f'<w:next w:val="{s.next}"/>')
    if s.ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{s.ui_priority}"/>')
    if s.ui_priority in (39, 99):
        parts.append('<w:unhideWhenUsed/>')
    parts.append('<w:qFormat/>')
    if s.ppr:
        parts.append(f"<w:pPr>{s.ppr}</w:pPr>")
    if s.rpr:
        parts.append(f"<w:rPr>{s.rpr}</w:rPr>")
    parts.append(s.extra)
    parts.append("</w:style>")
    return "".join(parts)


def _install_styles(document: DocxDocument) -> None:
    """Replace the template's styles by :data:`STYLES` and clean what stays.

    The template's 160 styles carry theme fonts (Calibri/ＭＳ 明朝 through
    ``asciiTheme``/``eastAsiaTheme``), which would beat the named fonts; all
    but Word's fixed defaults are dropped, and theme attributes are removed
    from what stays.
    """
    styles = document.styles.element
    for style in list(styles.findall(qn("w:style"))):
        if style.get(qn("w:styleId")) not in _KEEP_TEMPLATE_STYLES:
            styles.remove(style)
    old_defaults = styles.find(qn("w:docDefaults"))
    old_defaults.addprevious(parse_xml(_DOC_DEFAULTS))
    styles.remove(old_defaults)
    for s in STYLES:
        styles.append(parse_xml(_style_xml(s)))
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in _THEME_FONT_ATTRS:
            rfonts.attrib.pop(attr, None)


# ---------------------------------------------------------------- text and XML helpers

# C0 controls except tab and newline, DEL, C1 controls, surrogates and the
# two non-characters XML 1.0 forbids.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text as it may go into XML: line ends normalised to "\\n", control characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


@functools.lru_cache(maxsize=None)
def _clark(name: str) -> str:
    return qn(name)


_W_NSMAP = {"w": _clark("w:p")[1:].split("}")[0]}


def _el(tag: str, attrs: dict[str, object] | None = None, parent=None):
    """A ``w:`` element with attributes given as ``{"w:val": …}``; appended to ``parent`` if given.

    Made by python-docx's parser (so python-docx's element classes apply), like
    ``OxmlElement`` but without re-parsing the prefix each time: a document has
    tens of thousands of elements.
    """
    attrib = {_clark(k): str(v) for k, v in attrs.items()} if attrs else None
    if parent is not None:
        return etree.SubElement(parent, _clark(tag), attrib)
    return oxml_parser.makeelement(_clark(tag), attrib, nsmap=_W_NSMAP)


def _add_text(p, text: str, char_style: str | None = None):
    """A run with ``text``; "\\n" becomes a line break (w:br), "\\t" a tab."""
    r = _el("w:r", parent=p)
    if char_style:
        _el("w:rStyle", {"w:val": char_style}, _el("w:rPr", parent=r))
    for i, line in enumerate(clean_text(text).split("\n")):
        if i:
            _el("w:br", parent=r)
        for j, chunk in enumerate(line.split("\t")):
            if j:
                _el("w:tab", parent=r)
            if chunk:
                t = _el("w:t", parent=r)
                t.text = chunk
                if chunk[0] == " " or chunk[-1] == " ":
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _para(style: str | None, text: str = "", *, keep_next: bool = False, page_break_before: bool = False):
    """A ``w:p`` with paragraph style ``style`` (a style ID) and ``text``.

    ``keep_next`` and ``page_break_before`` are the only direct paragraph
    properties the document uses: they are about where this paragraph sits,
    not how text looks (Word's 段落 → 改ページと改行).
    """
    p = _el("w:p")
    if style or keep_next or page_break_before:
        ppr = _el("w:pPr", parent=p)
        if style:
            _el("w:pStyle", {"w:val": style}, ppr)
        if keep_next:
            _el("w:keepNext", parent=ppr)
        if page_break_before:
            _el("w:pageBreakBefore", parent=ppr)
    if text:
        _add_text(p, text)
    return p


def _field(p, instruction: str, cached: str = "") -> None:
    """A complex field (begin / instrText / separate / cached result / end) at the end of ``p``."""
    _el("w:fldChar", {"w:fldCharType": "begin"}, _el("w:r", parent=p))
    instr = _el("w:instrText", parent=_el("w:r", parent=p))
    instr.text = f" {instruction} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    _el("w:fldChar", {"w:fldCharType": "separate"}, _el("w:r", parent=p))
    if cached:
        _add_text(p, cached)
    _el("w:fldChar", {"w:fldCharType": "end"}, _el("w:r", parent=p))


# ---------------------------------------------------------------- tables

def _table(widths: list[int], *, header_row: bool = True):
    """An empty ``w:tbl``: style Report Table, fixed layout, widths in the grid.

    ``header_row`` turns on the style's first-row shading (``w:tblLook``).
    """
    tbl = _el("w:tbl")
    tblpr = _el("w:tblPr", parent=tbl)
    _el("w:tblStyle", {"w:val": "ReportTable"}, tblpr)
    _el("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}, tblpr)
    _el("w:tblLayout", {"w:type": "fixed"}, tblpr)
    _el("w:tblLook", {"w:val": "0620" if header_row else "0600", "w:firstRow": int(header_row),
                      "w:lastRow": "0", "w:firstColumn": "0", "w:lastColumn": "0",
                      "w:noHBand": "1", "w:noVBand": "1"}, tblpr)
    grid = _el("w:tblGrid", parent=tbl)
    for w in widths:
        _el("w:gridCol", {"w:w": w}, grid)
    return tbl


def _row(tbl, *, header: bool = False, cant_split: bool = True):
    tr = _el("w:tr", parent=tbl)
    if header or cant_split:
        trpr = _el("w:trPr", parent=tr)
        if cant_split:
            _el("w:cantSplit", parent=trpr)
        if header:
            _el("w:tblHeader", parent=trpr)
    return tr


def _cell(tr, width: int, paragraphs: Iterable = (), *, span: int = 1, vmerge: str | None = None,
          vertical: bool = False, valign: str | None = None, shade: bool = False):
    """A ``w:tc``; ``vmerge`` is "restart" for the first cell of a vertical merge, "continue" after it."""
    tc = _el("w:tc", parent=tr)
    tcpr = _el("w:tcPr", parent=tc)
    _el("w:tcW", {"w:w": width, "w:type": "dxa"}, tcpr)
    if span > 1:
        _el("w:gridSpan", {"w:val": span}, tcpr)
    if vmerge == "restart":
        _el("w:vMerge", {"w:val": "restart"}, tcpr)
    elif vmerge == "continue":
        _el("w:vMerge", parent=tcpr)
    if shade:  # a label column: shaded like a header row
        _el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": PALE}, tcpr)
    if vertical:
        _el("w:textDirection", {"w:val": VERTICAL_TEXT}, tcpr)
    if valign:
        _el("w:vAlign", {"w:val": valign}, tcpr)
    paragraphs = list(paragraphs)
    for p in paragraphs or [_para("TableText")]:
        tc.append(p)
    return tc


def keep_together(tbl):
    """Keep a table on one page when it fits: "keep with next" on every paragraph
    of every row but the last (Word's way; a table taller than a page still breaks).

    Used for the 推進項目 tables so that the merged, vertical 推進項目 title
    is not left behind on the page before its rows.
    """
    rows = tbl.findall(qn("w:tr"))
    for tr in rows[:-1]:
        for p in tr.iter(qn("w:p")):
            ppr = p.find(qn("w:pPr"))
            if ppr is None:
                ppr = _el("w:pPr")
                p.insert(0, ppr)
            if ppr.find(qn("w:keepNext")) is None:
                style = ppr.find(qn("w:pStyle"))
                keep = _el("w:keepNext")
                if style is not None:
                    style.addnext(keep)
                else:
                    ppr.insert(0, keep)
    return tbl


# ---------------------------------------------------------------- content controls


class Controls:
    """Numbers the draft's content controls and records the text each editable one holds.

    A passage that comes from the actuals (or the plan's words) is a
    run-level content control (``w:sdt`` inside its paragraph) whose tag is
    its field path, so that ``kplan-report review`` can read the edited draft
    back field by field.  Word turns it into a block-level control itself
    when a paragraph is added to it; a block-level control around table
    text is what LibreOffice 7.4 cannot keep (it splits it and repeats the
    text), so the draft starts with run-level ones.

    LibreOffice keeps a run-level control but drops its tag, alias and lock,
    and keeps bookmarks: each passage is also bracketed by a bookmark named
    :func:`bookmark_name` (hidden, ``_`` first), which the review reads when
    a draft comes back without tags.  ``texts`` (tag → the text as built)
    becomes the draft's baseline (see :func:`_custom_properties`), which tells
    an edit in the draft from a change made to the YAML file after the draft
    was built.
    """

    def __init__(self) -> None:
        self.count = 0
        self.texts: dict[str, str] = {}
        self.occurrences: dict[str, int] = {}

    def wrap(self, p, field: Field | None, text: str = ""):
        """Paragraph ``p`` with its runs inside a content control for ``field``; ``p`` as it is without one."""
        if field is None:
            return p
        self.count += 1
        k = self.occurrences[field.path] = self.occurrences.get(field.path, 0) + 1
        runs = [c for c in p if c.tag != _clark("w:pPr")]
        mark = CONTROL_BOOKMARK_IDS + self.count
        _el("w:bookmarkStart", {"w:id": mark, "w:name": bookmark_name(field.path, k)}, p)
        sdt = _el("w:sdt", parent=p)
        sdtpr = _el("w:sdtPr", parent=sdt)
        _el("w:alias", {"w:val": clean_text(field.name)}, sdtpr)
        _el("w:tag", {"w:val": field.path}, sdtpr)
        _el("w:id", {"w:val": self.count}, sdtpr)
        if field.locked:  # the plan's own words: Word does not let them be edited
            _el("w:lock", {"w:val": "sdtContentLocked"}, sdtpr)
        else:
            self.texts.setdefault(field.path, clean_text(text).strip(" \t\n"))  # as the review normalises it
        content = _el("w:sdtContent", parent=sdt)
        for r in runs:
            content.append(r)
        _el("w:bookmarkEnd", {"w:id": mark}, p)
        return p


#: Bookmark IDs of the controls' bookmarks start here (the headings' count up from 1).
CONTROL_BOOKMARK_IDS = 100_000


def bookmark_name(path: str, occurrence: int) -> str:
    """``_kp`` + 10 hex digits of the field path's SHA-256 + ``_`` + its occurrence (1, 2 … for a
    project placed under several 推進項目): within Word's 40 characters, hidden (``_``)."""
    return f"_kp{hashlib.sha256(path.encode()).hexdigest()[:10]}_{occurrence}"


def baseline_hash(text: str) -> str:
    """What the draft records of a field's text as built: enough to tell whether it was edited."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _header_row(tbl, widths: list[int], labels: list[str]) -> None:
    tr = _row(tbl, header=True)
    for width, label in zip(widths, labels):
        _cell(tr, width, [_para("TableHeader", label)], valign="center")


def _split_widths(total: int, fixed: list[int | None]) -> list[int]:
    """Column widths: the ``None`` columns share what the fixed ones leave."""
    free = [i for i, w in enumerate(fixed) if w is None]
    rest = total - sum(w for w in fixed if w is not None)
    widths = [w or 0 for w in fixed]
    for n, i in enumerate(free):
        widths[i] = rest // len(free) + (1 if n < rest % len(free) else 0)
    return widths


def _mm_widths(total: int, mm: list[float | None]) -> list[int]:
    return _split_widths(total, [None if m is None else _twips(m) for m in mm])


def _column_widths(columns: list[Column]) -> list[int]:
    """The outline's column widths (mm; ``None`` shares the rest) in twips."""
    return _mm_widths(TEXT_WIDTH, [c.width_mm for c in columns])


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
    * the header row repeats on every page, rows never split across pages;
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
    _Body(document).add(keep_together(tbl))
    return tbl


# ---------------------------------------------------------------- the document


class _Body:
    """Appends block content before the body's final ``w:sectPr``."""

    def __init__(self, document: DocxDocument):
        self.sectpr = document.element.body.find(qn("w:sectPr"))

    def add(self, el):
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
        for text in block.paragraphs:
            self.p(style, text)

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
        _header_row(tbl, widths, [c.label for c in block.columns])
        for cells in block.rows:
            tr = _row(tbl)
            for width, column, cell in zip(widths, block.columns, cells):
                align = cell.align or column.align
                style = "TableTextCenter" if align == "center" else "TableText"
                if cell.rowspan == 0:
                    _cell(tr, width, vmerge="continue")
                else:
                    _cell(tr, width, [self.controls.wrap(_para(style, cell.text), cell.field, cell.text)],
                          vmerge="restart" if cell.rowspan > 1 else None, shade=cell.emphasis)
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
            texts = [("TableText", row.name), ("TableTextCenter", row.owner), ("TableTextCenter", row.baseline),
                     *(("TableTextCenter", v) for v in row.values), ("TableTextCenter", row.target),
                     ("TableTextCenter", row.progress), ("TableTextCenter", row.status)]
            for width, (style, text) in zip(widths[1:], texts):
                _cell(tr, width, [_para(style, text, keep_next=charts)])
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
        return [figure, caption, *(_para("Note", note) for note in row.notes)]

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


# ---------------------------------------------------------------- package clean-up

_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>kplan-report</Application>"
    "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>{company}</Company>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>"
)

# Relationships of python-docx's template that a document made in Word would not have:
# the template's thumbnail (a picture of an empty page), its customXml item and
# Word 2010's duplicate of the styles.
_DROP_RELS = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
)


def _clean_package(document: DocxDocument, report: Report) -> None:
    package = document.part.package
    for rels in (package.rels, document.part.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in _DROP_RELS]:
            del rels[rid]
    for part in package.iter_parts():
        name = str(part.partname)
        if name == "/docProps/app.xml":
            part._blob = _APP_XML.format(company=_xml_escape(clean_text(report.author))).encode()
        elif name == "/word/fontTable.xml":
            part._blob = _font_table(part.blob)

    settings = document.settings.element
    for tag in ("w:proofState", "w:savePreviewPicture", "w:rsids"):
        el = settings.find(qn(tag))
        if el is not None:
            settings.remove(el)
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")  # Word 2013+: no 互換モード banner
    # The template's sectPr carries rsids of its own editing sessions.
    sectpr = document.element.body.find(qn("w:sectPr"))
    for attr in list(sectpr.attrib):
        if "rsid" in attr:
            del sectpr.attrib[attr]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _font_table(blob: bytes) -> bytes:
    fonts = etree.fromstring(blob)
    for name, alt, panose, family in _FONT_TABLE:
        font = _el("w:font", {"w:name": name})
        _el("w:altName", {"w:val": alt}, font)
        _el("w:panose1", {"w:val": panose}, font)
        _el("w:charset", {"w:val": "80"}, font)  # SHIFTJIS_CHARSET: a Japanese face
        _el("w:family", {"w:val": family}, font)
        _el("w:pitch", {"w:val": "fixed"}, font)
        fonts.append(font)
    return etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format ID of user-defined properties

#: Custom properties holding a field's text-as-built are named this, then the field path.
BASELINE_PREFIX = "kplan.baseline."


def _custom_properties(document: DocxDocument, report: Report, controls: Controls) -> None:
    """docProps/custom.xml: the report's :attr:`~Report.properties` (year, status,
    fingerprints) and a short hash of each editable field's text as built.

    Word shows them under ファイル → 情報 → プロパティ → 詳細プロパティ → ユーザー設定,
    keeps them when the draft is saved, and so does LibreOffice.
    """
    values = dict(report.properties)
    values.update({BASELINE_PREFIX + tag: baseline_hash(text) for tag, text in controls.texts.items()})
    items = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{_xml_escape(name)}">'
        f"<vt:lpwstr>{_xml_escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    blob = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{items}</Properties>')
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob.encode(), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _core_properties(document: DocxDocument, report: Report) -> None:
    moment = datetime.datetime.combine(report.report_date_iso, datetime.time(0, 0))
    cp = document.core_properties
    cp.title = clean_text(f"{report.title}{report.labels.draft}")
    cp.subject = clean_text(report.plan_title)
    cp.author = clean_text(report.author)
    cp.last_modified_by = clean_text(report.author)
    cp.keywords = "地域福祉計画; 進捗状況報告書"
    cp.category = "進捗状況報告書"
    cp.comments = clean_text(report.status_notice)
    cp.language = "ja-JP"
    cp.revision = 1
    cp.created = moment
    cp.modified = moment


# ---------------------------------------------------------------- repeatable zip

# [Content_Types].xml first (some readers sniff it), then the rest by name.
def _entry_order(name: str) -> tuple[int, str]:
    return (0 if name == "[Content_Types].xml" else 1, name)


def _repack(data: bytes, date: datetime.date) -> bytes:
    """The same package with fixed entry order, timestamps, permissions and compression."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist(), key=_entry_order):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()


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
