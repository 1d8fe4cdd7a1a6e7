"""Fonts, page geometry and every style of the Word draft (:data:`STYLES`).

The look of the draft lives in its styles, not in its runs: Word's built-in
Heading 1–4 (so the navigation pane and the 目次 work), table text, notes,
captions, the cover.  BIZ UD明朝 / BIZ UDゴシック are set as the East Asian
font (``w:eastAsia``) of each style and of the document defaults, and the
theme fonts of python-docx's template are removed, so that Word does not
fall back to a theme face.
"""


from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn


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
    # the final edition's tables of many columns (views/final.py; the PDF's 7 pt, report.css)
    StyleDef("paragraph", "TableTextSmall", "Table Text Small", "TableText", rpr=_size(14)),
    StyleDef("paragraph", "TableTextSmallCenter", "Table Text Small Center", "TableTextSmall",
             ppr='<w:jc w:val="center"/>'),
    StyleDef("paragraph", "TableHeaderSmall", "Table Header Small", "TableHeader", rpr=_size(12)),
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
