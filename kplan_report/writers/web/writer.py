"""The web edition: a static site of the outline, for the city's website.

The published report falls under JIS X 8341-3 (WCAG 2.0) at level AA; a
62-page A4 PDF is neither accessible enough nor readable on a phone.  This
writer lays the *same* outline out as plain HTML pages — no JavaScript,
nothing loaded from elsewhere — through the PDF's templates
(``sections.html.j2``, ``blocks/*.html.j2``) with the ``web`` flag on, plus
``web/`` for what only the web needs (the page shell, the 推進項目 table in
real vertical text, charts as inline SVG followed by their data).

Pages (:func:`plan_pages`): ``index.html`` holds the cover facts, the 目次
and the chapters before the 基本目標 (第1章, 第2章) and the heading of the
chapter of 基本目標, which lists them; every 基本目標 is a page of its own
(``goal-G1.html`` …), and so is every chapter after it (資料編,
``app.html``).  Read in that order, the pages' headings are exactly the
outline's sections, each page numbering them from its own top (h1).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from ...views.blocks import Section, walk
from ...views.outline import Report
from ...views.pieces import IndicatorRow
from ..pdf.writer import item_parts, table_groups
from ..templates import TEMPLATE_DIR, environment
from .bars import bars_svg

#: The charts' size in the layout's millimetres; the page scales them (site.css).
CHART_WIDTH_MM = 84.0
CHART_HEIGHT_MM = 42.0

STYLESHEET = "site.css"


@dataclass(frozen=True)
class Page:
    file: str
    title: str  # the <title>
    label: str  # in the list of pages
    sections: list[Section]
    heading_shift: int  # outline level - 1 of the page's top sections: they become h1
    breadcrumbs: list[tuple[str, str | None]] = field(default_factory=list)  # (label, href or None: here)
    index: bool = False


def plan_pages(report: Report) -> list[Page]:
    """The site's pages in reading order (see the module's docstring)."""
    L = report.labels
    chapters = report.sections
    goals_at = next((n for n, c in enumerate(chapters) if c.sections and c.sections[0].role == "goal"), None)
    before = chapters if goals_at is None else chapters[:goals_at + 1]
    pages = [Page("index.html", report.title, L.home, before, 0, index=True)]
    if goals_at is None:
        return pages
    chapter = chapters[goals_at]
    for goal in chapter.sections:
        pages.append(Page(f"{goal.anchor}.html", f"{goal.heading} | {report.title}", goal.heading, [goal],
                          goal.level - 1,
                          [(L.home, "index.html"), (chapter.heading, f"index.html#{chapter.anchor}"),
                           (goal.heading, None)]))
    for later in chapters[goals_at + 1:]:
        pages.append(Page(f"{later.anchor}.html", f"{later.heading} | {report.title}", later.heading, [later],
                          later.level - 1, [(L.home, "index.html"), (later.heading, None)]))
    return pages




def chart_svg(row: IndicatorRow) -> Markup:
    """The indicator's trend chart as inline SVG named by its title and described by its alt text."""
    from .. import charts

    layout = charts.layout(row.chart, CHART_WIDTH_MM, CHART_HEIGHT_MM, show_title=False)
    return Markup(charts.to_inline_svg(layout, f"chart-{row.id}", row.chart_alt))


def render_pages(report: Report) -> dict[str, str]:
    """Every page of the site: file name → HTML."""
    pages = plan_pages(report)
    page_of = {}
    for page in pages[1:] + pages[:1]:  # the index's last: its chapter of 基本目標 holds their pages
        for top in page.sections:
            for s in walk([top]):
                page_of.setdefault(s.anchor, page.file)
    own_pages = {top.anchor for page in pages[1:] for top in page.sections}

    def href(anchor: str) -> str:
        return f"{page_of[anchor]}#{anchor}"

    env = environment()
    template = env.get_template("web/page.html.j2")
    out = {}
    for page in pages:
        ids = itertools.count(1)
        out[page.file] = template.render(
            web=True,
            report=report,
            labels=report.labels,
            page=page,
            site_pages=pages,
            heading_shift=page.heading_shift,
            own_pages=own_pages,
            href=href,
            new_id=lambda: f"t{next(ids)}",
            table_groups=table_groups,
            item_tables=lambda item: item_parts(item, frozenset()),
            chart_svg=chart_svg,
            bars_svg=lambda block: Markup(bars_svg(block, f"bars{next(ids)}")),
        )
    return out


def write_web(report: Report, folder: str | Path) -> None:
    """Write the site into ``folder`` (which must exist): the pages and the stylesheet."""
    folder = Path(folder)
    for name, text in render_pages(report).items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / STYLESHEET).write_bytes((TEMPLATE_DIR / "web" / STYLESHEET).read_bytes())
