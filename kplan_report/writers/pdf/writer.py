"""The print-ready PDF: Jinja2 templates (report_templates/) laid out by WeasyPrint.

This module lays the report out as *one* WeasyPrint document
(:func:`render`, :func:`write_pdf`): the reference that tests/test_pdf.py's
goldens describe.  The build ships the same report laid out in parts and
joined (:mod:`.parts`, :mod:`.assemble`), which reuses everything here —
the templates' context, the table splits, :func:`objective_breaks` — and is
tested to give the same pages (tests/test_pdf_parts.py).

The templates only lay out the view model (:mod:`kplan_report.report`).  This
module adds what is about *pages*, which the view model cannot know:

* **Tables continued on the next page.**  The 推進項目 table has a vertical
  title cell spanning all its rows, and 主体 cells spanning their
  具体的取組 rows.  WeasyPrint does not repeat a rowspan cell on the next
  page, so a table that breaks would leave the continuation without its
  title.  We therefore lay the tables out unsplit, look on which page each
  具体的取組 row lands (rows are unbreakable, ``tr {break-inside: avoid}``),
  and split every table that breaks into consecutive tables, one per page.
  Each continuation starts on a new page (``break-before: page``) and
  reprints the title (marked （続き）) and the 主体.  Because a continuation
  starts exactly where the break was, the layout before it does not move, so
  the split converges.  The layouts that look for the breaks cover one
  具体的目標 at a time (every 具体的目標 starts a page, so its pages do not
  depend on the rest of the report), possibly in parallel processes: first
  unsplit, then, until no table breaks, only what the splits can move (a
  reprinted title can make a continuation taller and push down what
  follows).  Then the whole report is laid out once with all the splits,
  and checked the same way (were a table to break, the new breaks would be
  added and the report laid out again).
* **Texts taller than a page** (see :func:`_new_breaks`).  A 取組状況 of
  thousands of characters makes its 主体's rows taller than a page, and a
  row that cannot fit a page can never stop breaking.  Such a text is cut
  into pieces that each fill a page: the first beside the 主体's first
  rows, where the table is; each further piece in a continuation table
  that starts a page and reprints the title (（続き）), the 主体 and the
  header row, beside the 主体's remaining 具体的取組 or, once they are
  used up, beside an empty 具体的取組 cell.  We cut the text rather than
  let WeasyPrint break inside the row because WeasyPrint continues a
  broken row without the vertical title and 主体 (rowspan cells are not
  repeated), so the continuation page would not say what it is.  Where to
  cut comes from the layout itself, exactly: the row is first let break
  (``break-inside: auto``), and the printed characters of the text on each
  page are where its pieces end (at a line end, as a typesetter breaks a
  paragraph).  Any other element that is taller than a page (a ≪主な取組・
  事業≫ row with a long 実施内容・実績, a committee opinion) may simply
  break inside itself: nothing spans its rows, and the header row repeats.
  Rows that fit on a page are never split.
* **Indicator rows kept with their charts.**  Each ＜主な指標＞ entry is a
  row group (values, then chart; the № cell spans both) that must not
  break.  WeasyPrint honours that for every group but a table's first, which
  it splits rather than move the table; the same layouts find such a split
  and start that objective's indicator block on a new page instead.
* **Vertical titles.**  WeasyPrint has no ``writing-mode``; the title is set
  one character per line, with the long-vowel mark, dashes and brackets
  rotated and the small kana-like punctuation moved to the top right, as in
  vertical typesetting.
* **Chart images**: indicator trend charts as SVG data URIs from
  :mod:`kplan_report.charts`, with alt text (the PDF is tagged PDF/UA-1).

The output depends only on the view model: the metadata dates come from the
report date, fonts are subset with HarfBuzz, and nothing reads the clock, so
the same input gives byte-identical files.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import jinja2

from ...views.blocks import IndicatorTable, PromotionItemTable, Section, Table, walk
from ...text.japanese import NO_BREAK
from ...views.outline import Report
from .. import templates
from ..templates import TEMPLATE_DIR
from ...views.pieces import ActionLine, Chart, PromotionItemView



#: WeasyPrint variant: tagged, accessible PDF (public bodies publish these).
PDF_VARIANT = "pdf/ua-1"

#: Prefix of a "break" that starts an objective's ＜主な指標＞ on a new page.
INDICATOR_BREAK = "indicators:"

#: Prefix of a "break" that lets an element (``data-split`` key) break inside
#: itself: it was found taller than a page.
LONG_BREAK = "long:"

#: Prefix of a "break" that cuts a 取組状況: ``text:<item id>/<主体 index>:<offset>``,
#: the offset (in characters of the text) where a piece starts.
TEXT_BREAK = "text:"

#: Prefix of a "break" that starts a section (by anchor) on a new page: a
#: 推進項目 whose table would begin at a page's foot with a long 取組状況 that
#: prints nothing there (the table moves whole, with its heading).
SECTION_BREAK = "section:"

#: Layout rounds at most (the first, plus layouts of the whole report with the
#: splits).  Ordinary tables take one or two; a text taller than a page three
#: more (found long, cut, its continuations' rows placed).
MAX_PASSES = 8

#: Characters a printed text does not show as such (white space collapsed by
#: ``white-space: pre-line``, the number–unit joiner, soft hyphens): skipped
#: when printed characters are mapped back to offsets in the source text.
_UNPRINTED = frozenset(" \t\n\r\f\u00ad") | {NO_BREAK}

CHART_WIDTH_MM = 62.0
CHART_HEIGHT_MM = 31.0


# ---------------------------------------------------------------- vertical text

# Characters turned by 90° when a horizontal line of text is stacked vertically.
_ROTATE = set("ー－―‐-~～…‥（）()「」『』【】〔〕［］[]｛｝{}＜＞<>≪≫《》〈〉＝=→←")
# Punctuation that sits in the top-right corner of its square in vertical text.
_PUNCT = set("、。，．")


def vertical(text: str) -> list[tuple[str, str]]:
    """The characters of ``text`` for one-per-line setting, each with its CSS class.

    Spaces are dropped (a vertical title has none); the text itself is kept
    unchanged so that it stays searchable and is read out correctly.
    """
    out = []
    for ch in text:
        if ch.isspace():
            continue
        if ch in _ROTATE:
            out.append((ch, "vt-rot"))
        elif ch in _PUNCT:
            out.append((ch, "vt-punct"))
        else:
            out.append((ch, "vt"))
    return out


def vertical_title(item: PromotionItemView) -> list[tuple[str, str]]:
    """① and the title of a 推進項目, for its vertical table cell."""
    return vertical(item.vertical_title)


# ---------------------------------------------------------------- 推進項目 table parts


@dataclass(frozen=True)
class ItemRow:
    """One <tr> of a 推進項目 table: a 具体的取組 (or an empty 主体 row).

    ``actor_span``/``summary_span`` are the rowspans of the 主体 and 取組状況
    cells that start on this row (0: covered by a cell above)."""

    id: str
    action: ActionLine | None
    actor: str
    actor_span: int
    summary: str
    summary_span: int
    summary_elsewhere: bool  # the 取組状況 was printed in an earlier part
    first: bool  # first row of its 主体
    last: bool  # last row of its 主体
    split_key: str = ""  # data-split of a row starting a 取組状況 cell: <item id>/<主体 index>
    summary_offset: int = 0  # where in the 取組状況 this part's piece starts
    long: bool = False  # the 取組状況 is taller than a page: the row may break inside itself
    extra: bool = False  # a row with no 具体的取組 that carries a further piece of the 取組状況


@dataclass(frozen=True)
class ItemTablePart:
    continued: bool
    rows: list[ItemRow]


def _flat_rows(item: PromotionItemView, breaks: frozenset[str] = frozenset()) -> list[tuple]:
    """(actor index, index within actor, actor size, action, row id, extra) in print order.

    A 主体 whose 取組状況 is cut (``text:`` breaks) into more pieces than
    there are parts holding its 具体的取組 gets a row with no 具体的取組
    (``extra``) for each piece left: each starts a continuation table."""
    offsets = _text_offsets(item, breaks)
    out = []
    for a, row in enumerate(item.rows):
        actions = row.actions or [None]
        ids = [action.id if action else f"{item.id}.{a}" for action in actions]
        parts = 1 + sum(1 for row_id in ids[1:] if row_id in breaks)
        extra = max(0, len(_pieces(row.summary, offsets.get(a, ()))) - parts)
        size = len(actions) + extra
        for i, action in enumerate(actions):
            out.append((a, i, size, action, ids[i], False))
        for n in range(extra):
            out.append((a, len(actions) + n, size, None, f"{item.id}.{a}.x{n + 1}", True))
    return out


def _text_offsets(item: PromotionItemView, breaks: frozenset[str]) -> dict[int, list[int]]:
    """主体 index -> the offsets where its 取組状況 is cut (``text:`` breaks)."""
    prefix = f"{TEXT_BREAK}{item.id}/"
    found: dict[int, set[int]] = {}
    for b in breaks:
        if b.startswith(prefix):
            actor, _, offset = b[len(prefix):].partition(":")
            found.setdefault(int(actor), set()).add(int(offset))
    return {a: sorted(offsets) for a, offsets in found.items()}


def _pieces(text: str, offsets) -> list[tuple[int, str]]:
    """``text`` cut at ``offsets``: (start, piece) each, the white space at the cuts left out."""
    bounds = [0, *(o for o in offsets if 0 < o < len(text)), len(text)]
    pieces = [[start, text[start:end]] for start, end in zip(bounds, bounds[1:])]
    for n, piece in enumerate(pieces):
        if n:
            piece[1] = piece[1].lstrip(_CUT_SPACE)
        if n < len(pieces) - 1:
            piece[1] = piece[1].rstrip(_CUT_SPACE)
    return [(start, piece) for start, piece in pieces]


_CUT_SPACE = " \t\n\r\f"


def row_ids(item: PromotionItemView, breaks: frozenset[str] = frozenset()) -> list[str]:
    return [r[4] for r in _flat_rows(item, breaks)]


def item_parts(item: PromotionItemView, breaks: frozenset[str]) -> list[ItemTablePart]:
    """Split the table of ``item`` before each row whose id is in ``breaks``
    (and before each ``extra`` row); each part of a 主体 gets the next piece
    of its 取組状況, or the note that it was printed before."""
    flat = _flat_rows(item, breaks)
    offsets = _text_offsets(item, breaks)
    pieces = {a: _pieces(row.summary, offsets.get(a, ())) for a, row in enumerate(item.rows)}
    chunks: list[list] = []
    for entry in flat:
        if not chunks or entry[4] in breaks or entry[5]:
            chunks.append([])
        chunks[-1].append(entry)
    used: dict[int, int] = {}
    parts = []
    for n, chunk in enumerate(chunks):
        rows = []
        for k, (a, i, size, action, row_id, extra) in enumerate(chunk):
            starts = k == 0 or chunk[k - 1][0] != a
            span = 0
            summary, offset, elsewhere = "", 0, False
            if starts:
                span = sum(1 for e in chunk[k:] if e[0] == a)
                piece = used.get(a, 0)
                used[a] = piece + 1
                if piece < len(pieces[a]):
                    offset, summary = pieces[a][piece]
                else:
                    elsewhere = True
            actor_row = item.rows[a]
            actions = len(actor_row.actions or [None])
            rows.append(ItemRow(
                id=row_id,
                action=action,
                actor=actor_row.actor,
                actor_span=span,
                summary=summary,
                summary_span=span,
                summary_elsewhere=elsewhere,
                first=i == 0 or extra,
                last=i >= actions - 1,
                split_key=f"{item.id}/{a}" if starts else "",
                summary_offset=offset,
                long=f"{LONG_BREAK}{item.id}/{a}" in breaks,
                extra=extra,
            ))
        parts.append(ItemTablePart(continued=n > 0, rows=rows))
    return parts


# ---------------------------------------------------------------- other helpers


def table_groups(table: Table) -> list[list]:
    """The rows of a plain table in the groups that stay together on a page (one <tbody> each)."""
    if not table.groups:
        return [table.rows]
    groups, start = [], 0
    for size in table.groups:
        groups.append(table.rows[start:start + size])
        start += size
    return groups


def chart_uri(chart: Chart) -> str:
    """The indicator's trend chart as an SVG data URI."""
    from ...writers import charts

    svg = charts.to_svg(charts.layout(chart, CHART_WIDTH_MM, CHART_HEIGHT_MM, show_title=False))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


_BLANK_CHART_URI = "data:image/svg+xml;base64," + base64.b64encode(
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH_MM}mm" height="{CHART_HEIGHT_MM}mm"/>'
    .encode("ascii")).decode("ascii")


# ---------------------------------------------------------------- rendering


# A joined run ends at a space or at Japanese punctuation (，、。): "A⁠：⁠4⁠年，B⁠：⁠1⁠年" is
# two unbreakable runs with a break allowed after the "，", not one run as wide as the list.
_JOINED = re.compile(f"[^\\s<>{NO_BREAK}，、。]+(?:{NO_BREAK}[^\\s<>{NO_BREAK}，、。]+)+")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")


def keep_joined(html: str) -> str:
    """What the formatter joined (a number and its unit, see
    :data:`~kplan_report.text.japanese.NO_BREAK`) becomes, in the text of the
    page, one unbreakable ``<span class="nb">`` without the joiner; inside a
    tag (an ``alt`` text …) the joiner is only dropped."""
    if NO_BREAK not in html:
        return html

    def one(match: re.Match) -> str:
        tag, text = match.groups()
        if tag is not None:
            return tag.replace(NO_BREAK, "")
        return _JOINED.sub(lambda m: '<span class="nb">' + m.group().replace(NO_BREAK, "") + "</span>", text)

    return _TAG_OR_TEXT.sub(one, html)


@functools.cache
def environment() -> jinja2.Environment:
    """The print templates' environment, one per process (do not change its globals:
    :func:`new_environment` gives one of your own).

    Jinja2 compiles a template the first time an environment loads it and
    keeps it; the PDF renders the templates a few dozen times a build (every
    part, every table's quick layout), so a new environment each time spent
    most of a rebuild compiling the same templates again.  The loader still
    checks the files' times, so an edited template is read again."""
    return new_environment()


def new_environment() -> jinja2.Environment:
    """A print templates' environment of the caller's own."""
    env = templates.environment()
    env.globals.update(vertical=vertical, vertical_title=vertical_title, chart_uri=chart_uri,
                       table_groups=table_groups)
    return env


@functools.cache
def _quick_environment() -> jinja2.Environment:
    """The environment of the quick layouts that find the splits, one per process.

    Charts have a fixed size (.chart in report.css): where rows land does not
    depend on what they show, so these layouts skip drawing them."""
    env = new_environment()
    env.globals["chart_uri"] = lambda chart: _BLANK_CHART_URI
    return env


def compile_templates() -> None:
    """Compile every print template now: called before the build's worker
    processes fork, so that they inherit the compiled templates."""
    for env in (environment(), _quick_environment()):
        for name in env.list_templates(extensions=["j2"]):
            if not name.startswith("web/"):
                env.get_template(name)


def render_html(report: Report, breaks: frozenset[str] = frozenset(), env: jinja2.Environment | None = None) -> str:
    """The report as HTML; ``breaks``: ids of rows that start a continued 推進項目 table."""
    env = env or environment()
    return keep_joined(env.get_template("print/report.html.j2").render(**_context(report, breaks)))


def _context(report: Report, breaks: frozenset[str], continued_only=frozenset()) -> dict:
    """Template variables; ``continued_only``: ids of 推進項目 printed without their first part."""
    return dict(
        web=False,  # the shared templates' web variant (writers/web) is off
        report=report,
        sections=report.sections,
        labels=report.labels,
        indicators_on_new_page={b[len(INDICATOR_BREAK):] for b in breaks if b.startswith(INDICATOR_BREAK)},
        sections_on_new_page={b[len(SECTION_BREAK):] for b in breaks if b.startswith(SECTION_BREAK)},
        item_tables=lambda item: [part for part in item_parts(item, breaks)
                                  if part.continued or item.id not in continued_only],
        # data-split keys of elements taller than a page: they may break inside themselves
        long_keys=frozenset(b[len(LONG_BREAK):] for b in breaks if b.startswith(LONG_BREAK)),
        # the PDF built in parts (parts.py) sets these
        extra_css=None,
        toc_pages=None,
        front=False,
    )


def _row_pages(document) -> dict[str, list[int]]:
    """Pages (0-based, in order) on which each table row we track lies: 推進項目
    rows (id r-…), indicator value rows (i-…) and their chart rows (ic-…)."""
    pages: dict[str, list[int]] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) != "tr" or box.element is None:
                continue
            row_id = box.element.get("id")
            if row_id and row_id.startswith(("r-", "i-", "ic-")):
                seen = pages.setdefault(row_id, [])
                if not seen or seen[-1] != number:
                    seen.append(number)
    return pages


def _split_boxes(document) -> dict[tuple[str, int], list[tuple[int, object]]]:
    """Elements that carry a ``data-split`` key (rows that start a 取組状況
    cell, rows of plain tables, opinions): (key, element) -> [(page, box)]
    for each page it lies on."""
    found: dict[tuple[str, int], list[tuple[int, object]]] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) not in ("tr", "div"):
                continue
            key = element.get("data-split")
            if key is None:
                continue
            boxes = found.setdefault((key, id(element)), [])
            if not boxes or boxes[-1][0] != number:
                boxes.append((number, box))
    return found


def _printed_characters(box) -> int:
    """How many characters of text ``box`` shows (white space not counted)."""
    from weasyprint.formatting_structure.boxes import TextBox

    return sum(sum(1 for ch in d.text if ch not in _UNPRINTED)
               for d in box.descendants() if isinstance(d, TextBox))


def _source_offset(text: str, start: int, printed: int) -> int:
    """The offset in ``text`` after ``printed`` printed characters from
    ``start`` (and the white space after them)."""
    i = start
    while i < len(text) and printed > 0:
        if text[i] not in _UNPRINTED:
            printed -= 1
        i += 1
    while i < len(text) and text[i] in _CUT_SPACE:
        i += 1
    return i


def _first_piece_printed(boxes: list[tuple[int, object]]) -> bool:
    """Whether the 取組状況 cell of a row that broke shows any of its text on the
    row's first page (``boxes``: the row's box on each page)."""
    row = boxes[0][1]
    cell = next((c for c in row.children if getattr(c, "element", None) is not None
                 and "summary" in (c.element.get("class") or "").split()), None)
    return cell is None or _printed_characters(cell) > 0


def _summary_cuts(text: str, boxes: list[tuple[int, object]]) -> list[int]:
    """Where to cut the 取組状況 ``text`` whose row broke across the pages of
    ``boxes`` (the row's box on each page): after the characters its cell
    printed on each page but the last."""
    cells = []
    for _, row in boxes:
        cell = next((c for c in row.children if getattr(c, "element", None) is not None
                     and "summary" in (c.element.get("class") or "").split()), None)
        if cell is None:
            return []
        cells.append(cell)
    offset = int(cells[0].element.get("data-offset") or 0)
    cuts = []
    for cell in cells[:-1]:
        offset = _source_offset(text, offset, _printed_characters(cell))
        if 0 < offset < len(text):
            cuts.append(offset)
    return cuts


def _new_breaks(report: Report, document, breaks: frozenset[str]) -> set[str]:
    """Rows that start a new page inside a table part: where to split next.

    Also what is taller than a page: an element with a ``data-split`` key
    found on two pages (rows may not break, ``tr {break-inside: avoid}``, so
    WeasyPrint breaks one only on a page of its own, when it cannot fit)
    gets a ``long:`` break, which lets it break where it falls; a 取組状況
    row that then breaks gets ``text:`` breaks, cutting the text where each
    page ended (:func:`item_parts`).  A table whose 取組状況 is found long or
    cut in this layout is not looked at for row breaks: its rows were pushed
    by the break, and move back once the text is cut."""
    pages = _row_pages(document)
    summaries: dict[str, str] = {}
    items = []
    anchors: dict[str, str] = {}  # item id -> its section's anchor
    for section in walk(report.sections):
        for block in section.blocks:
            if isinstance(block, PromotionItemTable):
                items.append(block.item)
                anchors[block.item.id] = section.anchor
                for a, row in enumerate(block.item.rows):
                    summaries[f"{block.item.id}/{a}"] = row.summary
    by_id = {item.id: item for item in items}
    found = set()
    changed_items = set()
    for (key, _), boxes in _split_boxes(document).items():
        if len(boxes) < 2:
            continue
        if LONG_BREAK + key not in breaks:
            found.add(LONG_BREAK + key)
        elif key in summaries and not _first_piece_printed(boxes):
            # The row begins at a page's foot and its 取組状況 shows nothing there:
            # start it on the next page instead (a continuation; the whole
            # 推進項目 with its heading if it is the table's first row).
            item_id = key.rpartition("/")[0]
            row_id = (boxes[0][1].element.get("id") or "")[len("r-"):]
            if row_id == row_ids(by_id[item_id], breaks)[0]:
                found.add(SECTION_BREAK + anchors[item_id])
            elif row_id and row_id not in breaks:
                found.add(row_id)
        elif key in summaries:
            found |= {f"{TEXT_BREAK}{key}:{cut}" for cut in _summary_cuts(summaries[key], boxes)} - breaks
        else:
            continue
        if key in summaries:
            changed_items.add(key.rpartition("/")[0])
    for item in items:
        if item.id in changed_items:
            continue
        previous = None
        for _, _, _, _, row_id, extra in _flat_rows(item, breaks):
            on = pages.get("r-" + row_id)
            if not on:
                continue
            if previous is not None and on[0] != previous and row_id not in breaks and not extra:
                found.add(row_id)
            previous = on[-1]
    for section in walk(report.sections):
        for block in section.blocks:
            # WeasyPrint keeps an indicator's value row and chart row together
            # (tbody {break-inside: avoid}) except for the table's first pair,
            # which it splits rather than move the whole table: move it ourselves.
            if isinstance(block, IndicatorTable) and block.charts and block.rows:
                first = block.rows[0].id
                values, chart = pages.get("i-" + first), pages.get("ic-" + first)
                if values and chart and values[-1] != chart[0] and INDICATOR_BREAK + block.anchor not in breaks:
                    found.add(INDICATOR_BREAK + block.anchor)
    return found


def merge_breaks(breaks: frozenset[str], new: set[str]) -> frozenset[str]:
    """``breaks`` with the ``new`` ones a layout found.

    A new cut of a 取組状況 means that the piece it falls in did not fit
    where it was measured to (its table's rows took the room differently,
    say a 具体的取組 row moved to the next page): the later cuts of that text
    were measured for pieces that no longer start where they did, so they
    are dropped, and the rest of the text is measured again."""
    first_cut: dict[str, int] = {}
    for b in new:
        if b.startswith(TEXT_BREAK):
            key, _, offset = b[len(TEXT_BREAK):].rpartition(":")
            first_cut[key] = min(int(offset), first_cut.get(key, int(offset)))

    def stale(b: str) -> bool:
        if not b.startswith(TEXT_BREAK):
            return False
        key, _, offset = b[len(TEXT_BREAK):].rpartition(":")
        return key in first_cut and int(offset) > first_cut[key]

    return frozenset(b for b in breaks if not stale(b)) | new


@dataclass
class RenderInfo:
    """What :func:`render` did, for tests and the benchmark.

    ``passes``: layout rounds — the first, of the 基本目標 on their own,
    plus the layouts of the whole report (normally one)."""

    passes: int = 0
    breaks: frozenset[str] = frozenset()


# ---------------------------------------------------------------- finding the splits
#
# Where a 推進項目 table breaks depends only on its 具体的目標: every
# 具体的目標 starts a page (the first of a 基本目標 right after the goal's
# heading and text, which start a page themselves — the first one right after
# the 第3章 heading), and nothing of the pages before it reaches into its
# pages (the running header and page number sit in the page margin, and every
# page has the same size).  So the first breaks are found by laying out each
# 具体的目標 on its own — a few pages instead of the whole report, and in
# parallel processes when there is an executor (nine small tasks keep two
# processes evenly busy; the three 基本目標 as tasks left one idle for
# seconds) — and the report is then laid out with these splits.  These
# layouts also leave out what follows the 推進項目 of a 具体的目標 (＜主な指標＞
# with its charts, the opinion): the next 具体的目標 starts a new page, and no
# break before them is avoided, so they cannot move a row.  That layout
# is checked like any other, so if this reasoning ever stopped holding (say,
# after a template change), the result would still be right, only slower
# (tests/test_pdf.py checks that the report is laid out only once).

# A document of one 具体的目標: the head of report.html.j2 (the same stylesheet
# and language) and 第3章 of a report that has only that objective's goal
# with only that objective.
_PART_DOCUMENT = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<link rel="stylesheet" href="print/report.css">
</head>
<body>
{% from "sections.html.j2" import section with context %}
{% for s in sections %}{{ section(s) }}{% endfor %}
</body>
</html>
"""

# The running header and the page number are left out (they sit in the page
# margin, which has its size whatever is in it).
_NO_MARGIN_BOXES = "@page { @top-left { content: none } @top-right { content: none } " \
    "@bottom-center { content: none } }"
# The first 具体的目標 of every 基本目標 but the first follows its goal's heading
# and text on a page of their own: hide the 第3章 heading (still in the tree,
# so `h1 + section.goal` keeps matching and the goal starts the first page,
# as it starts a new page in the report).
_HIDE_CHAPTER_HEADING = "#ch3 { display: none; }"
# Any other 具体的目標 starts a page of its own, its heading at the very top
# (`h3.objective`: `break-before: page; margin-top: 0`): hide what comes
# before it, and give it the margin it has there (it is the first of its
# kind here, which would give it the margin it has after the goal's text).
_OBJECTIVE_ALONE = "#ch3, section.goal > h2, section.goal > h5 { display: none; } " \
    "section.objective h3.objective { margin-top: 0 !important; }"


def _layout(html: str, font_config, stylesheets=(), **options):
    import weasyprint

    return weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR) + "/").render(
        font_config=font_config, stylesheets=list(stylesheets), **options)


class _ObjectiveLayouts:
    """The quick layouts of one 具体的目標's tables (the ``objective_index``-th
    of the ``goal_index``-th 基本目標), made ready: the first HTML, which the
    splits follow from, and the key they are cached under."""

    def __init__(self, report: Report, goal_index: int, objective_index: int, options: dict):
        self.options = options
        self.template = _quick_environment().from_string(_PART_DOCUMENT)
        self.report = report
        self.chapter = _chapter3(report)
        goal = self.chapter.sections[goal_index]
        if objective_index == 0:
            self.hide = _HIDE_CHAPTER_HEADING if goal_index else ""
        else:
            self.hide = _OBJECTIVE_ALONE
            goal = replace(goal, content=goal.sections)
        self.goal = _items_only(_with_objectives(goal, [goal.sections[objective_index]]))
        self.first_report, self.first_html = self.html_of(self.goal, frozenset())
        self._state = None  # WeasyPrint's font configuration and our stylesheet, made at the first layout

    def html_of(self, part: Section, breaks: frozenset[str], continued_only=frozenset()) -> tuple[Report, str]:
        part_report = replace(self.report, sections=[replace(self.chapter, content=[part])])
        return part_report, keep_joined(self.template.render(**_context(part_report, breaks, continued_only)))

    def key(self) -> str:
        from .cache import breaks_key

        return breaks_key(self.hide + self.first_html, self.options)

    def step(self, breaks: frozenset[str], cache=None) -> set[str]:
        """What one quick layout finds after ``breaks``: the first layout
        (unsplit) when there are none, else one of what the splits can move
        (:func:`_from_first_split`); nothing if no split can move anything.

        What a quick layout finds follows from its HTML and the splits it
        was made with alone, so with a ``cache`` each finding is kept under
        those: after an edit of a 推進項目 before the first split, only the
        first layout is made again (the later ones start at that split, and
        their HTML is the same as last time's)."""
        if not breaks:
            return self._found_in(self.first_report, self.first_html, breaks, cache)
        rest, continued_only = _from_first_split(self.goal, breaks)
        if not rest.sections:
            return set()
        part_report, html = self.html_of(rest, breaks, continued_only)
        return self._found_in(part_report, html, breaks, cache)

    def _found_in(self, part_report: Report, html: str, breaks: frozenset[str], cache) -> set[str]:
        key = None
        if cache is not None:
            from .cache import breaks_key

            key = breaks_key("layout\0" + json.dumps(sorted(breaks)) + "\0" + self.hide + html, self.options)
            stored = _stored_breaks(cache.get_blob(key))
            if stored is not None:
                return set(stored)
        if self._state is None:
            import weasyprint
            from weasyprint.text.fonts import FontConfiguration

            self._state = (FontConfiguration(), [weasyprint.CSS(string=_NO_MARGIN_BOXES + self.hide)])
        font_config, stylesheets = self._state
        new = _new_breaks(part_report, _layout(html, font_config, stylesheets, **self.options), breaks)
        if key is not None:
            cache.put_blob(key, json.dumps(sorted(new)).encode("utf-8"))
        return new

    def find(self, cache=None) -> tuple[frozenset[str], list[frozenset[str]]]:
        """Lay the tables out until none breaks: the splits, and the
        splits after each layout that found some (the way to them, which
        :func:`check_step` follows in the next build)."""
        breaks, way = frozenset(), []
        for _ in range(MAX_PASSES + 1):
            new = self.step(breaks, cache)
            if not new:
                break
            breaks = merge_breaks(breaks, new)
            way.append(breaks)
        return breaks, way


def _json(data: bytes | None):
    """A cache entry's JSON value, or None (absent, or not JSON)."""
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(b, str) for b in value)


def _stored_breaks(data: bytes | None) -> frozenset[str] | None:
    """Splits stored as a JSON list of strings, or None (absent, or not ours)."""
    stored = _json(data)
    return frozenset(stored) if _strings(stored) else None


def _stored_way(data: bytes | None) -> list[frozenset[str]] | None:
    """A way to the splits (:meth:`_ObjectiveLayouts.find`) stored as a JSON
    list of lists of strings, or None (absent, or not ours)."""
    stored = _json(data)
    if isinstance(stored, list) and all(_strings(step) for step in stored):
        return [frozenset(step) for step in stored]
    return None


def _latest_key(report: Report, goal_index: int, objective_index: int, options: dict) -> str:
    """Where the way to the splits last found for this 具体的目標 of this
    report is kept (a guess for the next build: see :func:`latest_way`)."""
    from .cache import breaks_key

    anchor = _chapter3(report).sections[goal_index].sections[objective_index].anchor
    return breaks_key(f"latest way\0{report.file_stem}\0{anchor}", options)


def cached_breaks(report: Report, goal_index: int, objective_index: int, cache, **options) -> frozenset[str] | None:
    """The splits of this 具体的目標 if ``cache`` has them for its current tables, else None."""
    options.setdefault("pdf_variant", PDF_VARIANT)
    return _stored_breaks(cache.get_blob(_ObjectiveLayouts(report, goal_index, objective_index, options).key()))


def latest_way(report: Report, goal_index: int, objective_index: int, cache, **options) -> list[frozenset[str]] | None:
    """The way to the splits of this 具体的目標 that the last build found,
    whatever its tables were then (the splits after each layout that found
    some; the last are the splits).  After an edit of its tables it is most
    often still the way, so a part can be laid out with its last splits
    while each step is checked, on both cores at once
    (:func:`check_step`, :func:`.assemble.build_pdf`)."""
    options.setdefault("pdf_variant", PDF_VARIANT)
    return _stored_way(cache.get_blob(_latest_key(report, goal_index, objective_index, options)))


def _store(report: Report, goal_index: int, objective_index: int, cache, layouts: _ObjectiveLayouts,
           breaks: frozenset[str], way: list[frozenset[str]]) -> None:
    cache.put_blob(layouts.key(), json.dumps(sorted(breaks)).encode("utf-8"))
    cache.put_blob(_latest_key(report, goal_index, objective_index, layouts.options),
                   json.dumps([sorted(step) for step in way]).encode("utf-8"))


def objective_breaks(report: Report, goal_index: int, objective_index: int, cache=None,
                     **options) -> frozenset[str]:
    """Rows (ids) where to split the tables of one 具体的目標 (the
    ``objective_index``-th of the ``goal_index``-th 基本目標), found by laying
    out that objective alone: first unsplit, then, until no table breaks,
    only what the splits can move (see :func:`_from_first_split`; a
    continuation starts a page, so what comes before it stays put).

    Every layout after the first follows from the first one's HTML, so the
    splits are kept in ``cache`` (a :class:`.cache.PartCache`) under that
    HTML's key: an edit that leaves it alone (an indicator's value, a
    課題 after the tables) finds them there.  The way to them is kept as
    this objective's latest (:func:`latest_way`).

    Takes and returns only picklable values, so it can run in another process."""
    options.setdefault("pdf_variant", PDF_VARIANT)
    layouts = _ObjectiveLayouts(report, goal_index, objective_index, options)
    if cache is not None:
        found = _stored_breaks(cache.get_blob(layouts.key()))
        if found is not None:
            return found
        # absent, or anything else (not ours): found again below, and stored over it
    breaks, way = layouts.find(cache)
    if cache is not None:
        _store(report, goal_index, objective_index, cache, layouts, breaks, way)
    return breaks


def check_step(report: Report, goal_index: int, objective_index: int, before: frozenset[str],
               after: frozenset[str], cache=None, **options) -> bool:
    """Whether the quick layout after the splits ``before`` finds the ones
    that make them ``after``: one step of a guessed way (:func:`latest_way`).
    Its finding is kept in ``cache`` like any quick layout's, so if the way
    turns out wrong, :func:`objective_breaks` finds the right one with the
    steps already made.  Runs in a worker."""
    options.setdefault("pdf_variant", PDF_VARIANT)
    new = _ObjectiveLayouts(report, goal_index, objective_index, options).step(frozenset(before), cache)
    return bool(new) and merge_breaks(frozenset(before), new) == frozenset(after)


def guess_confirmed(report: Report, goal_index: int, objective_index: int, cache, way: list[frozenset[str]],
                    breaks: frozenset[str], **options) -> None:
    """Keep the splits of a part laid out with a guessed ``way``'s last
    splits, once :func:`check_step` confirmed each step: ``breaks``, those
    its layout ended with (it may have found more), as :func:`store_breaks`
    keeps a part's own findings."""
    store_breaks(report, goal_index, objective_index, cache, [*way, breaks], **options)


def _visible_in(html: str, breaks: frozenset[str]) -> frozenset[str]:
    """Those of ``breaks`` that concern what ``html`` shows: a row (its id
    ``r-…``), a ``data-split`` element or a section or indicator table (its
    anchor) found in it.  The splits the quick layouts of a 具体的目標 can
    find are those of its tables: kept under their HTML's key, a split of an
    opinion or a later indicator found by the part's own layout would
    outlive an edit of that opinion, which the key does not see."""
    ids = set(re.findall(r' id="([^"]+)"', html))
    keys = set(re.findall(r' data-split="([^"]+)"', html))

    def visible(b: str) -> bool:
        if b.startswith(LONG_BREAK):
            return b[len(LONG_BREAK):] in keys
        if b.startswith(TEXT_BREAK):
            return b[len(TEXT_BREAK):].rpartition(":")[0] in keys
        for prefix in (SECTION_BREAK, INDICATOR_BREAK):
            if b.startswith(prefix):
                return b[len(prefix):] in ids
        return "r-" + b in ids

    return frozenset(b for b in breaks if visible(b))


def store_breaks(report: Report, goal_index: int, objective_index: int, cache,
                 rounds: list[frozenset[str]], **options) -> None:
    """Keep the splits found by laying out this 具体的目標's part whole
    from no splits at all (:func:`.parts.lay_out_part`, when none were
    cached; ``rounds``: its splits after each layout that found some), as
    if its quick layouts had found them: under the key of its tables' HTML
    (only the splits of those tables), and the way to them as its latest.

    The part's own layouts find what the quick ones would, in the same
    order: the first layout of each is unsplit, and each later one differs
    from the last only by its new splits, which move nothing before them
    (tests/test_pdf_parts.py compares the PDF with one whose splits the
    quick layouts found).  A build from an empty cache so lays each
    具体的目標 out once per round of splits, not once more per round as
    well."""
    options.setdefault("pdf_variant", PDF_VARIANT)
    layouts = _ObjectiveLayouts(report, goal_index, objective_index, options)
    way: list[frozenset[str]] = []
    for breaks in rounds:
        found = _visible_in(layouts.first_html, breaks)
        if found and (not way or found != way[-1]):
            way.append(found)  # (a round that found only splits outside the tables is no step)
    final = _visible_in(layouts.first_html, rounds[-1]) if rounds else frozenset()
    _store(report, goal_index, objective_index, cache, layouts, final, way)


def _chapter3(report: Report) -> Section:
    """The chapter of 基本目標 sections (the one whose subsections are goals)."""
    return next(s for s in report.sections if s.sections and s.sections[0].role == "goal")


def _with_objectives(goal: Section, objectives: list[Section]) -> Section:
    """``goal`` with its own blocks and only ``objectives`` of its 具体的目標."""
    return replace(goal, content=[c for c in goal.content if not isinstance(c, Section)] + objectives)


def _items_only(goal: Section) -> Section:
    """``goal`` up to the first indicator of each 具体的目標 (whether that one
    is split from its chart is the only page question after the 推進項目;
    what follows moves nothing, as the next 具体的目標 starts a page)."""
    objectives = []
    for o in goal.sections:
        last_item = max(n for n, c in enumerate(o.content) if isinstance(c, Section))
        content = list(o.content[:last_item + 1])
        content += [replace(c, rows=c.rows[:1]) for c in o.content[last_item + 1:]
                    if isinstance(c, IndicatorTable)][:1]
        objectives.append(replace(o, content=content))
    return _with_objectives(goal, objectives)


def _from_first_split(goal: Section, breaks: frozenset[str]) -> tuple[Section, set[str]]:
    """What a split can move: in each 具体的目標 with a split 推進項目, the
    continuations of the first one and all that follows them (the following
    推進項目 move down if a continuation is taller), without the goal's own
    text; and the ids of the 推進項目 to print without their first part."""
    if any(b.startswith((LONG_BREAK, TEXT_BREAK)) for b in breaks):
        # A text taller than a page is cut where its table stands: lay it all out again.
        return goal, set()
    objectives, continued_only = [], set()
    for o in goal.sections:
        items = [(n, b.item) for n, c in enumerate(o.content) if isinstance(c, Section)
                 for b in c.blocks if isinstance(b, PromotionItemTable)]
        split = [(n, item) for n, item in items if not breaks.isdisjoint(row_ids(item))]
        if split:
            n, item = split[0]
            objectives.append(replace(o, content=o.content[n:]))
            continued_only.add(item.id)
    return replace(goal, content=objectives), continued_only


def _objective_breaks_star(args: tuple) -> frozenset[str]:
    report, goal_index, objective_index, options = args
    return objective_breaks(report, goal_index, objective_index, **options)


def first_breaks(report: Report, executor: Executor | None = None, **options) -> frozenset[str]:
    """Where the unsplit 推進項目 tables break: one 具体的目標 at a time, in
    this process or spread over ``executor``'s processes."""
    goals = _chapter3(report).sections
    parts = [(g, o) for g, goal in enumerate(goals) for o in range(len(goal.sections))]
    # Larger objectives first, so that the last task to start is a short one.
    parts.sort(key=lambda part: -_size(goals[part[0]].sections[part[1]]))
    tasks = [(report, g, o, options) for g, o in parts]
    run = executor.map if executor else map
    return frozenset().union(*run(_objective_breaks_star, tasks))


def _size(objective: Section) -> int:
    return sum(len(row_ids(b.item)) for s in walk([objective]) for b in s.blocks
               if isinstance(b, PromotionItemTable))


def render(report: Report, info: RenderInfo | None = None, first: frozenset[str] | None = None, **options):
    """Lay the report out (splitting 推進項目 tables at page breaks); a WeasyPrint Document.

    ``first``: the breaks :func:`first_breaks` found, if the caller has
    already looked for them (say, in other processes); else they are looked
    for here."""
    from weasyprint.text.fonts import FontConfiguration

    options.setdefault("pdf_variant", PDF_VARIANT)
    breaks = first_breaks(report, **options) if first is None else first
    env = environment()
    font_config = FontConfiguration()
    for n in range(2, MAX_PASSES + 1):
        document = _layout(render_html(report, breaks, env), font_config, **options)
        new = _new_breaks(report, document, breaks)
        if info is not None:
            info.passes, info.breaks = n, breaks
        if not new:
            return document
        breaks = merge_breaks(breaks, new)
    raise RuntimeError(f"推進項目 tables still break across pages after {MAX_PASSES} layouts")


def write_pdf(report: Report, target: str | Path | BinaryIO, first: frozenset[str] | None = None,
              **options) -> None:
    """Write the report as PDF to ``target`` (a path or a binary file object).

    ``first``: see :func:`render`.  ``options`` go to WeasyPrint (e.g.
    ``pdf_variant=None`` to leave out the PDF/UA tagging, for measurements).
    """
    options.setdefault("pdf_variant", PDF_VARIANT)
    document = render(report, first=first, **options)
    document.write_pdf(target, **options)
