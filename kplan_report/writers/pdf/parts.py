"""The report cut into parts that WeasyPrint lays out as documents of their own.

Every 具体的目標 starts a page, and so do the chapters: what is printed on
the pages of one of them does not depend on anything before or after it
(the running header and the page number sit in the page margin, every page
has the same size).  So the report is cut there into parts —

* ``front``: the cover and the 目次,
* ``chapters``: 第1章 and 第2章,
* ``obj-G1.1`` …: one per 具体的目標, the first of each 基本目標 with the
  goal's heading and text before it (and the first of all with the 第3章
  heading),
* ``appendix``: 資料編,

— and each part is laid out whole, re-laid with its table splits until no
推進項目 table breaks (:mod:`.writer` explains the splits), and written as
a PDF of its own; :mod:`.join` then puts the PDFs together.  A part is laid
out with what it would find at its start in the whole report: the
running-header strings (chapter, goal, the サンプルデータ mark) are set by
an empty, absolutely placed element at its start (on ``<body>`` they
would be set again on every page the body continues on), and what comes before its first heading in the outline is
hidden (``display: none``: no box, no bookmark, no anchor), never left out,
so that the same CSS selectors match as in the whole report.

Two things of a page do depend on the rest of the report: its number and,
in the 目次, the page numbers of the headings.  The number comes from a
separate, content-free document of empty pages with only the footer
(:func:`footer_html`), overlaid by the join; the 目次 (``front``) is laid
out last, from the page counts and anchors of the other parts, with the
numbers printed as text (its page count can move every number, so it is
laid out again if it changes).

A part's input is its HTML (the first one, before any split: the splits
follow from it) and the stylesheet, so that is what :mod:`.cache` keys a
part by.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ...views.blocks import Section
from ...views.outline import Report
from . import writer
from .writer import MAX_PASSES, PDF_VARIANT, TEMPLATE_DIR, environment

#: Every part's own rules: no page number (the footer document brings it).
_NO_FOOTER = "@page { @bottom-center { content: none } }"
#: The 目次'S link targets (empty spans; see print/contents.html.j2) take no room.
_TOC_TARGETS = ".toc-targets { position: absolute; width: 0; height: 0; overflow: hidden; }"
#: The 目次's page numbers, known before it is laid out.
_TOC_NUMBERS = '.toc a::after { content: leader(".") attr(data-page); }'


@dataclass(frozen=True)
class PartSpec:
    """Which part of the report: ``kind`` front | sections | objective.

    ``anchors``: the top-level sections of a ``sections`` part; with
    ``subsections``, the only top-level section, of which the part prints
    only those (its heading and text only if they come first); ``goal`` and
    ``objective``: indexes of an ``objective`` part in 第3章."""

    name: str
    kind: str
    anchors: tuple[str, ...] = ()
    goal: int = -1
    objective: int = -1
    subsections: tuple[str, ...] = ()


@dataclass
class PartResult:
    """A laid-out part: its PDF and what the join and the 目次 need of it.

    ``anchors``: element id -> page index in the part (first occurrence);
    ``bookmarks``: per page, (CSS bookmark-level, label, x, y, state) in PDF
    coordinates, as WeasyPrint would write them; ``layouts``: how many
    layouts it took (0: from the cache)."""

    name: str
    pdf: bytes
    pages: int
    anchors: dict[str, int]
    bookmarks: list[list[tuple[int, str, float, float, str]]]
    layouts: int = 0
    breaks: list[str] = field(default_factory=list)

    def meta(self) -> dict:
        return {"name": self.name, "pages": self.pages, "anchors": self.anchors,
                "bookmarks": self.bookmarks, "breaks": self.breaks}

    @classmethod
    def from_meta(cls, meta: dict, pdf: bytes) -> PartResult:
        return cls(meta["name"], pdf, int(meta["pages"]), dict(meta["anchors"]),
                   [[tuple(b) for b in page] for page in meta["bookmarks"]], 0, list(meta["breaks"]))


def part_specs(report: Report) -> list[PartSpec]:
    """The parts, in document order (``front`` first)."""
    chapter3 = writer._chapter3(report)
    specs = [PartSpec("front", "front")]
    before, after, seen = [], [], False
    for section in report.sections:
        if section is chapter3:
            seen = True
            for g, goal in enumerate(section.sections):
                for o, objective in enumerate(goal.sections):
                    specs.append(PartSpec(objective.anchor, "objective", goal=g, objective=o))
        else:
            (after if seen else before).append(section.anchor)
    if before:
        specs.insert(1, PartSpec("chapters", "sections", anchors=tuple(before)))
    if after:
        specs += _cut_at_pages(report, after)
    return specs


def _cut_at_pages(report: Report, anchors: list[str]) -> list[PartSpec]:
    """The ``appendix`` part of the chapters after 第3章, cut before any
    subsection that starts a page (データの出典): each piece a part."""
    sections = [s for s in report.sections if s.anchor in anchors]
    if len(sections) != 1 or not any(sub.new_page for sub in sections[0].sections[1:]):
        return [PartSpec("appendix", "sections", anchors=tuple(anchors))]
    groups: list[list[str]] = [[]]
    for n, sub in enumerate(sections[0].sections):
        if sub.new_page and n:
            groups.append([])
        groups[-1].append(sub.anchor)
    return [PartSpec("appendix" if n == 0 else group[0], "sections", anchors=tuple(anchors), subsections=tuple(group))
            for n, group in enumerate(groups)]


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside <style> (no ``<``: the
    text comes from the data)."""
    return '"' + "".join(f"\\{ord(ch):x} " if ch in '"\\<>' or ord(ch) < 0x20 else ch for ch in text) + '"'


def part_sections(report: Report, spec: PartSpec) -> tuple[list[Section], str]:
    """The sections a part prints and its own CSS (what is hidden, the running strings)."""
    if spec.kind == "front":
        return [], _TOC_TARGETS + _TOC_NUMBERS
    strings = {"mark": report.status_mark}
    if spec.kind == "sections":
        sections = [s for s in report.sections if s.anchor in spec.anchors]
        strings.update(chapter=sections[0].heading, goal="")
        hide = ""
        if spec.subsections:
            (chapter,) = sections
            first = chapter.sections[0].anchor in spec.subsections
            content = [c for c in chapter.content
                       if (first and not isinstance(c, Section)) or getattr(c, "anchor", None) in spec.subsections]
            sections = [replace(chapter, content=content)]
            if not first:
                # the chapter's heading prints in its first part only (hidden, not
                # left out, so that the same selectors match as in the whole report)
                hide = f"[id={_css_string(chapter.anchor)}] {{ display: none; }}"
    else:
        chapter = writer._chapter3(report)
        goal = chapter.sections[spec.goal]
        objective = goal.sections[spec.objective]
        if spec.objective == 0:
            part_goal = writer._with_objectives(goal, [objective])
            # the 第3章 heading and its own text print before the first goal only
            content = [c for c in chapter.content if not isinstance(c, Section)] if spec.goal == 0 else []
            hide = writer._HIDE_CHAPTER_HEADING if spec.goal else ""
        else:
            part_goal = replace(goal, content=[objective])
            content = []
            hide = writer._OBJECTIVE_ALONE
        sections = [replace(chapter, content=content + [part_goal])]
        strings.update(chapter=chapter.heading, goal=goal.heading)
    running = ".part-strings { position: absolute; string-set: " + ", ".join(f"{k} {_css_string(v)}" for k, v in strings.items()) + "; }"
    return sections, hide + running


def part_html(report: Report, spec: PartSpec, breaks: frozenset[str] = frozenset(),
              toc_pages: dict[str, int] | None = None, env=None) -> str:
    """The HTML of a part with its tables split before ``breaks``; the
    ``front`` part with the 目次's page numbers ``toc_pages``."""
    env = env or environment()
    sections, css = part_sections(report, spec)
    part_report = replace(report, sections=sections)
    context = writer._context(part_report, breaks)
    if spec.kind == "front":
        # the 目次 and cover speak of the whole report
        context.update(report=report, front=True, toc_pages=toc_pages)
    context.update(sections=sections, extra_css=css + _NO_FOOTER)
    return writer.keep_joined(env.get_template("print/part.html.j2").render(**context))


def lay_out_part(report: Report, spec: PartSpec, options: dict,
                 toc_pages: dict[str, int] | None = None, cache_dir: str | None = None,
                 first: frozenset[str] | None = None) -> PartResult:
    """Lay a part out until no table breaks, and write it: runs in a worker.

    A 具体的目標's first splits are ``first`` if given (a guess, or what
    :func:`find_breaks` found), else those kept in the cache in
    ``cache_dir`` for its tables' HTML; if there are none the part is laid
    out from no splits at all, each layout finding the next ones, and what
    they found is kept there (:func:`.writer.store_breaks`).  Every layout
    is checked like the whole report's is."""
    options = {"pdf_variant": PDF_VARIANT, **options}
    env = environment()
    sections, _ = part_sections(report, spec)
    part_report = replace(report, sections=sections)
    breaks = frozenset()
    cache = _cache(cache_dir)
    found_here = False
    if first is not None:
        breaks = frozenset(first)
    elif spec.kind == "objective" and cache is not None:
        cached = writer.cached_breaks(report, spec.goal, spec.objective, cache, **options)
        found_here = cached is None
        breaks = cached or frozenset()
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    rounds = []
    for layouts in range(1, MAX_PASSES + 1):
        html = part_html(report, spec, breaks, toc_pages, env)
        document = writer._layout(html, font_config, **options)
        new = writer._new_breaks(part_report, document, breaks) if sections else set()
        if not new:
            break
        breaks = writer.merge_breaks(breaks, new)
        rounds.append(breaks)
    else:
        raise RuntimeError(f"{spec.name}: 推進項目 tables still break across pages after {MAX_PASSES} layouts")
    if found_here:
        writer.store_breaks(report, spec.goal, spec.objective, cache, rounds, **options)
    return PartResult(spec.name, document.write_pdf(**options), len(document.pages), _anchors(document),
                      _bookmarks(document), layouts, sorted(breaks))


def check_step(report: Report, spec: PartSpec, options: dict, cache_dir: str | None,
               before: frozenset[str], after: frozenset[str]) -> bool:
    """One step of the guessed way to an ``objective`` part's splits (:func:`.writer.check_step`): runs in a worker."""
    return writer.check_step(report, spec.goal, spec.objective, before, after, _cache(cache_dir),
                             **{"pdf_variant": PDF_VARIANT, **options})


def find_breaks(report: Report, spec: PartSpec, options: dict, cache_dir: str | None = None) -> frozenset[str]:
    """The first splits of an ``objective`` part (:func:`.writer.objective_breaks`): runs in a worker."""
    return writer.objective_breaks(report, spec.goal, spec.objective, _cache(cache_dir),
                                   **{"pdf_variant": PDF_VARIANT, **options})


def _cache(cache_dir: str | None):
    """The part cache in ``cache_dir`` (None: no cache), opened in a worker."""
    from .cache import PartCache  # (it imports this module)

    return PartCache(Path(cache_dir)) if cache_dir else None


def _anchors(document) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            found.setdefault(name, number)
    return found


def _bookmarks(document) -> list[list[tuple[int, str, float, float, str]]]:
    """Each page's bookmarks with WeasyPrint's own transformation to PDF
    coordinates (``write_pdf`` scales CSS px by 0.75 and flips y)."""
    scale = 0.75
    return [[(level, label, x * scale, (page.height - y) * scale, state)
             for level, label, (x, y), state in page.bookmarks]
            for page in document.pages]


# ---------------------------------------------------------------- page numbers

_FOOTER_DOCUMENT = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="print/report.css">
<style>
@page {{ @top-left {{ content: none; border: none }} @top-right {{ content: none; border: none }} }}
@page :first {{ @bottom-center {{ content: none }} }}
div {{ break-before: page; }}
</style></head><body>{pages}</body></html>
"""


def footer_html(pages: int) -> str:
    """A document of ``pages`` empty pages that have only the page number
    (none on the first, the cover), exactly where report.css puts it."""
    return _FOOTER_DOCUMENT.format(title="page numbers", pages="<div></div>" * pages)


def lay_out_footers(pages: int, options: dict) -> bytes:
    import weasyprint

    options = {"pdf_variant": PDF_VARIANT, **options}
    return weasyprint.HTML(string=footer_html(pages), base_url=str(TEMPLATE_DIR) + "/").write_pdf(**options)
