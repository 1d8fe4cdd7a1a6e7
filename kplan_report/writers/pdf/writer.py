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
  added and the report laid out again).  Only a single 具体的取組 taller
  than a page can still be cut, inside its own row.
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

#: Layout rounds at most (the first, plus layouts of the whole report with the splits).
MAX_PASSES = 4

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


@dataclass(frozen=True)
class ItemTablePart:
    continued: bool
    rows: list[ItemRow]


def _flat_rows(item: PromotionItemView) -> list[tuple[int, int, int, ActionLine | None, str]]:
    """(actor index, index within actor, actor size, action, row id) in print order."""
    out = []
    for a, row in enumerate(item.rows):
        actions = row.actions or [None]
        for i, action in enumerate(actions):
            row_id = action.id if action else f"{item.id}.{a}"
            out.append((a, i, len(actions), action, row_id))
    return out


def row_ids(item: PromotionItemView) -> list[str]:
    return [r[4] for r in _flat_rows(item)]


def item_parts(item: PromotionItemView, breaks: frozenset[str]) -> list[ItemTablePart]:
    """Split the table of ``item`` before each row whose id is in ``breaks``."""
    flat = _flat_rows(item)
    chunks: list[list] = []
    for entry in flat:
        if not chunks or entry[4] in breaks:
            chunks.append([])
        chunks[-1].append(entry)
    parts = []
    for n, chunk in enumerate(chunks):
        rows = []
        for k, (a, i, size, action, row_id) in enumerate(chunk):
            starts = k == 0 or chunk[k - 1][0] != a
            span = 0
            if starts:
                span = sum(1 for e in chunk[k:] if e[0] == a)
            actor_row = item.rows[a]
            rows.append(ItemRow(
                id=row_id,
                action=action,
                actor=actor_row.actor,
                actor_span=span,
                summary=actor_row.summary,
                summary_span=span,
                summary_elsewhere=starts and i > 0,
                first=i == 0,
                last=i == size - 1,
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
        item_tables=lambda item: [part for part in item_parts(item, breaks)
                                  if part.continued or item.id not in continued_only],
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


def _new_breaks(report: Report, document, breaks: frozenset[str]) -> set[str]:
    """Rows that start a new page inside a table part: where to split next."""
    pages = _row_pages(document)
    found = set()
    for section in walk(report.sections):
        for block in section.blocks:
            if isinstance(block, PromotionItemTable):
                previous = None
                for row_id in row_ids(block.item):
                    on = pages.get("r-" + row_id)
                    if not on:
                        continue
                    if previous is not None and on[0] != previous and row_id not in breaks:
                        found.add(row_id)
                    previous = on[-1]
            # WeasyPrint keeps an indicator's value row and chart row together
            # (tbody {break-inside: avoid}) except for the table's first pair,
            # which it splits rather than move the whole table: move it ourselves.
            elif isinstance(block, IndicatorTable) and block.charts and block.rows:
                first = block.rows[0].id
                values, chart = pages.get("i-" + first), pages.get("ic-" + first)
                if values and chart and values[-1] != chart[0]:
                    found.add(INDICATOR_BREAK + block.anchor)
    return found


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


def objective_breaks(report: Report, goal_index: int, objective_index: int, **options) -> frozenset[str]:
    """Rows (ids) where to split the tables of one 具体的目標 (the
    ``objective_index``-th of the ``goal_index``-th 基本目標), found by laying
    out that objective alone: first unsplit, then, until no table breaks,
    only what the splits can move (see :func:`_from_first_split`; a
    continuation starts a page, so what comes before it stays put).

    Takes and returns only picklable values, so it can run in another process."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    options.setdefault("pdf_variant", PDF_VARIANT)
    template = _quick_environment().from_string(_PART_DOCUMENT)
    font_config = FontConfiguration()
    chapter = _chapter3(report)
    goal = chapter.sections[goal_index]
    if objective_index == 0:
        hide = _HIDE_CHAPTER_HEADING if goal_index else ""
    else:
        hide = _OBJECTIVE_ALONE
        goal = replace(goal, content=goal.sections)
    stylesheets = [weasyprint.CSS(string=_NO_MARGIN_BOXES + hide)]

    def new_breaks(part: Section, breaks: frozenset[str], continued_only=frozenset()) -> set[str]:
        part_report = replace(report, sections=[replace(chapter, content=[part])])
        html = keep_joined(template.render(**_context(part_report, breaks, continued_only)))
        return _new_breaks(part_report, _layout(html, font_config, stylesheets, **options), breaks)

    goal = _items_only(_with_objectives(goal, [goal.sections[objective_index]]))
    breaks = frozenset(new_breaks(goal, frozenset()))
    for _ in range(MAX_PASSES):
        rest, continued_only = _from_first_split(goal, breaks)
        if not rest.sections:
            break
        new = new_breaks(rest, breaks, continued_only)
        if not new:
            break
        breaks = breaks | new
    return breaks


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
        breaks = breaks | new
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
