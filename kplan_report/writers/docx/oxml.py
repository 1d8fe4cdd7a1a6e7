"""A small toolkit over python-docx's oxml for what it has no API for.

Elements are made with python-docx's own parser (:func:`_el`), so its
element classes (``CT_P``, ``CT_Tbl`` …) apply and their ``get_or_add_*``
methods keep children in the order ECMA-376 prescribes; what python-docx
does not model (table-cell merges, ``w:cantSplit``, content controls
``w:sdt``, complex fields) is built here, always in schema order, so that
Word does not call the file corrupt.
"""


from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable

from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from lxml import etree

from ...views.blocks import (
    Column,
)
from ...views.pieces import COMPUTED, Field, Span
from .styles import MARGIN_BOTTOM, MARGIN_TOP, PAGE_HEIGHT, PALE, TEXT_WIDTH, VERTICAL_TEXT, _twips

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
        r.get_or_add_rPr().style = char_style  # python-docx's CT_R/CT_RPr: w:rStyle in schema order
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
        # CT_PPr's sequence: w:pStyle, w:keepNext, w:keepLines, w:pageBreakBefore, …
        # (made directly: python-docx's setters search the schema's successor
        # list for every child, a third of the writer's time)
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
    # CT_TcPr's sequence: w:cnfStyle, w:tcW, w:gridSpan, w:hMerge, w:vMerge,
    # w:tcBorders, w:shd, w:noWrap, w:tcMar, w:textDirection, w:tcFitText,
    # w:vAlign, …; a new cell's properties are made in that order.
    tcpr = _el("w:tcPr", parent=tc)
    _el("w:tcW", {"w:type": "dxa", "w:w": width}, tcpr)
    if span > 1:
        _el("w:gridSpan", {"w:val": span}, tcpr)
    if vmerge == "restart":
        _el("w:vMerge", {"w:val": "restart"}, tcpr)
    elif vmerge:
        _el("w:vMerge", parent=tcpr)  # w:val's default is "continue"
    if shade:  # a label column: shaded like a header row
        _el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": PALE}, tcpr)
    if vertical:
        _el("w:textDirection", {"w:val": VERTICAL_TEXT}, tcpr)
    if valign:
        _el("w:vAlign", {"w:val": {"center": "center", "top": "top", "bottom": "bottom"}[valign]}, tcpr)
    paragraphs = list(paragraphs)
    for p in paragraphs or [_para("TableText")]:
        tc.append(p)
    return tc


# ---------------------------------------------------------------- rows that may split

# How tall a table row can be and still be kept whole on a page
# (``w:cantSplit``), estimated from its text, deliberately on the high side:
# a row marked "do not split" that is taller than a page is cut at the page
# bottom by Word and LibreOffice (the rest of its text is never shown), while
# a row let split that would have fitted only breaks where a row could have
# moved.  Table text is 8.5 pt on lines of 1.3 (11.1 pt, as LibreOffice 7.4
# sets it: 18 characters a line in the 58 mm 取組状況 column).  The estimate
# takes every character as a full em of 9 pt (half-width letters are half
# that), lines of 1.3 × 1.1 em, 2 pt after each paragraph: about 1.3 times
# the height LibreOffice gives Japanese text, twice that of Latin text.  A
# row may take 90 % of the body height less a repeated header row of two
# lines.  (The FY2021 sample's tallest row, a 市・市社協 row, is
# estimated at 151 mm of the 223 mm.)
_EM = 180  # twips: 9 pt
_LINE = round(_EM * 1.3 * 1.1)
_PARAGRAPH_SPACING = 40
_CELL_MARGINS = 2 * 74  # left and right (the ReportTable style's tblCellMar)
_ROW_PADDING = 2 * 45  # top and bottom
#: The tallest row (twips) kept whole on a page.
ROW_FIT_HEIGHT = (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - 2 * _LINE) * 9 // 10
_EMU_PER_TWIP = 635


def estimated_row_height(tr) -> int:
    """A generous estimate of the height (twips) ``tr`` takes on the page:
    its tallest cell, each paragraph's lines by its length and the cell's
    width, pictures by their size.  A vertical cell (the 推進項目 title, merged
    over the table's rows) is not counted: its text runs down the rows."""
    tallest = 0
    for tc in tr.iterchildren(_TC):
        tcpr = tc.find(_TCPR)
        if tcpr is not None and tcpr.find(_TEXT_DIRECTION) is not None:
            continue
        tcw = tcpr.find(_TCW) if tcpr is not None else None
        width = int(tcw.get(_W_W)) if tcw is not None and tcw.get(_TYPE) == "dxa" else TEXT_WIDTH
        per_line = max(1, (width - _CELL_MARGINS) // _EM)
        height = _ROW_PADDING
        for p in tc.iter(_P):
            lines = 0
            for run_text in _paragraph_lines(p):
                lines += max(1, -(-len(run_text) // per_line))
            height += lines * _LINE + _PARAGRAPH_SPACING
            for extent in p.iter(_EXTENT):
                height += int(extent.get("cy", "0")) // _EMU_PER_TWIP
        tallest = max(tallest, height)
    return tallest


_TC, _TCPR, _TCW, _TEXT_DIRECTION, _P, _T, _BR, _TAB = (
    _clark(n) for n in ("w:tc", "w:tcPr", "w:tcW", "w:textDirection", "w:p", "w:t", "w:br", "w:tab"))
_W_W, _TYPE = _clark("w:w"), _clark("w:type")
_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"


def _paragraph_lines(p) -> list[str]:
    """The text of ``p`` as its lines (a ``w:br`` starts a line)."""
    lines = [""]
    for el in p.iter(_T, _BR, _TAB):
        if el.tag == _BR:
            lines.append("")
        elif el.tag == _TAB:
            lines[-1] += " "
        else:
            lines[-1] += el.text or ""
    return lines


def split_tall_rows(tbl):
    """Let every body row of ``tbl`` that may be taller than
    :data:`ROW_FIT_HEIGHT` split across pages (no ``w:cantSplit``), so that
    all its text prints; the header row (``w:tblHeader``) repeats above the
    continuation.  Rows that fit keep ``w:cantSplit``."""
    for tr in tbl.findall(qn("w:tr")):
        trpr = tr.find(qn("w:trPr"))
        if trpr is None or trpr.find(qn("w:tblHeader")) is not None:
            continue
        cant_split = trpr.find(qn("w:cantSplit"))
        if cant_split is not None and estimated_row_height(tr) > ROW_FIT_HEIGHT:
            trpr.remove(cant_split)
            if not len(trpr):
                tr.remove(trpr)
    return tbl


def keep_together(tbl):
    """Keep a table on one page when it fits: "keep with next" on every paragraph
    of every row but the last (Word's way; a table taller than a page still breaks).

    Used for the 推進項目 tables so that the merged, vertical 推進項目 title
    is not left behind on the page before its rows.  A table with a row that
    may be taller than a page (:func:`split_tall_rows`) is left as it is: it
    cannot be kept on a page, and keeping it would only move it whole to the
    next page, leaving the headings above it alone on theirs.
    """
    rows = tbl.findall(qn("w:tr"))
    if any(estimated_row_height(tr) > ROW_FIT_HEIGHT for tr in rows):
        return tbl
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

    A cell or paragraph printed from several fields (an indicator's year cell:
    ``16⁠地区`` and ``22⁠回``, each measure's number a field, the units not) is
    written by :meth:`spans`, one control per field.  A number is a plain-text
    control (``w:text``); the plan's words and what the report computes (進捗,
    評価, tags ``plan:…``, ``computed:…``, ``earlier:…``) are locked ones.

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
        self._control(p, field, [c for c in p if c.tag != _clark("w:pPr")], text)
        return p

    def spans(self, p, spans: Iterable[Span]):
        """Append ``spans`` to paragraph ``p``: each one that is a field as a control of its own,
        the text between them (units, line breaks) as plain runs."""
        for span in spans:
            if span.field is None:
                _add_text(p, span.text)
            else:
                self._control(p, span.field, [_add_text(_el("w:p"), span.text)], span.text)
        return p

    def _control(self, p, field: Field, runs: list, text: str) -> None:
        """``runs`` moved into a run-level control for ``field`` at the end of ``p``, inside its bookmark."""
        self.count += 1
        k = self.occurrences[field.path] = self.occurrences.get(field.path, 0) + 1
        mark = CONTROL_BOOKMARK_IDS + self.count
        _el("w:bookmarkStart", {"w:id": mark, "w:name": bookmark_name(field.path, k)}, p)
        sdt = _el("w:sdt", parent=p)
        sdtpr = _el("w:sdtPr", parent=sdt)
        _el("w:alias", {"w:val": clean_text(field.name)}, sdtpr)
        _el("w:tag", {"w:val": field.path}, sdtpr)
        _el("w:id", {"w:val": self.count}, sdtpr)
        if field.locked:  # the plan's own words, or what the report computes: Word does not let them be edited
            _el("w:lock", {"w:val": "sdtContentLocked"}, sdtpr)
        if not field.locked or field.path.startswith(COMPUTED):
            # as the review normalises it; a field printed as 未把握 / ― because it is empty holds "".
            # A computed text changes when the values do (after an --apply): the review compares it
            # with the text as built, as it does an editable one.
            self.texts.setdefault(field.path, "" if field.empty else clean_text(text).strip(" \t\n"))
        # A number: a plain-text control (one run of text, no paragraphs).  Not 未把握 printed for a
        # missing value: LibreOffice 7.4 repeats the CJK text of a plain-text control on saving
        # (未把握未把握未把握未把握); digits it keeps.
        if field.kind != "text" and not field.empty:
            _el("w:text", parent=sdtpr)
        content = _el("w:sdtContent", parent=sdt)
        for r in runs:
            content.append(r)
        _el("w:bookmarkEnd", {"w:id": mark}, p)


#: Bookmark IDs of the controls' bookmarks start here (the headings' count up from 1).
CONTROL_BOOKMARK_IDS = 100_000


def bookmark_name(path: str, occurrence: int) -> str:
    """``_kp`` + 10 hex digits of the field path's SHA-256 + ``_`` + its occurrence (1, 2 … for a
    project placed under several 推進項目): within Word's 40 characters, hidden (``_``)."""
    return f"_kp{hashlib.sha256(path.encode()).hexdigest()[:10]}_{occurrence}"


def baseline_hash(text: str) -> str:
    """What the draft records of a field's text as built: enough to tell whether it was edited."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _header_row(tbl, widths: list[int], labels: list[str], style: str = "TableHeader") -> None:
    tr = _row(tbl, header=True)
    for width, label in zip(widths, labels):
        _cell(tr, width, [_para(style, label)], valign="center")


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
