"""The PDF built in parts: look each part up in the cache, lay out the rest
(in worker processes when there are some), then the 目次 and the page
numbers, and join.  :mod:`.parts` says why the parts are independent.

The order of the work: every part but the front one is looked up in the
cache or laid out (spread over the executor's processes: the first parts
found changed at once, the others largest first); then the front part
(cover and 目次), once the others' page counts and anchors give the 目次's
page numbers — its own page count moves every number, so it is tried with
the count it had last time (found in the cache) and laid out again if it
comes out different; then the footer document for the total page count;
then the join — itself kept in the cache under the keys of the parts it
joins, so that a build with nothing changed neither lays out nor joins.
With workers, all of these run in them: they have WeasyPrint loaded, and
this process, which only looks up and hands out, never loads it (about a
second of a core, which the workers' layouts would lose).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ...views.outline import Report
from . import join as joining
from . import writer
from .cache import PartCache, joined_key, part_key
from .parts import (PartResult, PartSpec, check_step, find_breaks, footer_html, lay_out_footers, lay_out_part, part_html,
                    part_specs)

#: The 目次 takes at most this many pages (tried in order when looking for the
#: front part in the cache).
MAX_FRONT_PAGES = 8


@dataclass
class Progress:
    """What the build did, for the terminal, the tests and the benchmark."""

    report: Callable[[str], None] | None = None
    laid_out: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    #: parts laid out with last time's splits, which were found right / wrong
    guessed: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    #: how many times each part laid out was (until no table broke)
    layouts: dict[str, int] = field(default_factory=dict)

    def done(self, part: PartResult, total: int) -> None:
        (self.laid_out if part.layouts else self.cached).append(part.name)
        if part.layouts:
            self.layouts[part.name] = part.layouts
        if self.report:
            how = f"laid out ({part.layouts}×)" if part.layouts else "from the cache"
            self.report(f"PDF part {len(self.laid_out) + len(self.cached)}/{total}: {part.name}, "
                        f"{part.pages} pages, {how}")


#: Parts given to the workers as soon as they are found changed, before the
#: other parts are looked up (as many as the build has workers): an edit's
#: part starts at once; the rest go largest first, so that the last to start
#: is a short one.
AT_ONCE = 2


def _lay_out_star(args) -> PartResult:
    report, spec, options, cache_dir, first = args
    return lay_out_part(report, spec, options, cache_dir=cache_dir, first=first)


def _find_breaks_star(args) -> frozenset[str]:
    report, spec, options, cache_dir = args
    return find_breaks(report, spec, options, cache_dir)


def _check_step_star(args) -> bool:
    return check_step(*args)


class _Dispatch:
    """The parts to lay out, given to the executor's workers.

    The first 具体的目標 found changed whose tables changed too (its splits
    are not in the cache) is guessed: one worker lays it out with the splits
    the last build found for it, while the way to them (the splits after
    each quick layout, kept in the cache as its latest) is checked, each
    step a task of its own, so on both cores at once.  If every step finds
    again what it found then, that layout is the one used; else the splits
    are looked for (with the steps already made) and it is laid out again
    with them.  A guess is exact either way, and saves the split-finding's
    time: an edit of a 取組状況 or a project's text moves the splits seldom."""

    def __init__(self, report: Report, cache: PartCache | None, executor: Executor, options: dict):
        self.report, self.cache, self.executor, self.options = report, cache, executor, options
        self.cache_dir = str(cache.folder) if cache else None
        self.futures: dict[str, object] = {}
        self.checks: dict[str, list] = {}
        self.guesses: dict[str, list[frozenset[str]]] = {}
        self.looked_at_objective = False

    def submit(self, spec: PartSpec) -> None:
        way = self._guess(spec)
        args = (self.report, spec, self.options, self.cache_dir)
        self.futures[spec.name] = self.executor.submit(_lay_out_star, (*args, way[-1] if way else None))
        if way:
            self.guesses[spec.name] = way
            self.checks[spec.name] = [self.executor.submit(_check_step_star, (*args, before, after))
                                      for before, after in zip([frozenset()] + way[:-1], way)]

    def _guess(self, spec: PartSpec) -> list[frozenset[str]] | None:
        if spec.kind != "objective" or self.cache is None or self.looked_at_objective:
            return None
        self.looked_at_objective = True
        if writer.cached_breaks(self.report, spec.goal, spec.objective, self.cache, **self.options) is not None:
            return None  # found at once by the part's own task
        # (an empty way needs no guess: the part's own first layout, unsplit, is its check)
        return writer.latest_way(self.report, spec.goal, spec.objective, self.cache, **self.options) or None

    def result(self, spec: PartSpec, progress: Progress) -> PartResult:
        if spec.name not in self.guesses:
            return self.futures[spec.name].result()
        way, guessed = self.guesses[spec.name], self.futures[spec.name]
        if all([check.result() for check in self.checks[spec.name]]):
            progress.guessed.append(spec.name)
            part = guessed.result()
            writer.guess_confirmed(self.report, spec.goal, spec.objective, self.cache, way,
                                   frozenset(part.breaks), **self.options)
            return part
        # wrong: laid out again with the splits found (the guess's layout is not used)
        guessed.cancel()
        progress.missed.append(spec.name)
        args = (self.report, spec, self.options, self.cache_dir)
        breaks = self.executor.submit(_find_breaks_star, args).result()
        return self.executor.submit(_lay_out_star, (*args, breaks)).result()


def build_pdf(report: Report, cache: PartCache | None = None, executor: Executor | None = None,
              progress: Progress | None = None, submitted: Callable[[], None] | None = None,
              **options) -> bytes:
    """The report's PDF, built in parts.

    ``submitted`` is called once the parts to lay out are given to the
    executor (at once if there are none), so that other work queued after
    it does not hold up the parts."""
    progress = progress or Progress()
    specs = part_specs(report)
    total = len(specs)
    body = specs[1:]
    results: dict[str, PartResult] = {}
    keys: dict[str, str | None] = {}
    todo: list[PartSpec] = []
    later: list[tuple[PartSpec, int]] = []
    dispatch = _Dispatch(report, cache, executor, options) if executor else None
    for spec in body:
        html = part_html(report, spec)
        keys[spec.name] = key = part_key(html, options) if cache else None
        hit = cache.get(key) if cache else None
        if hit is not None and hit.name == spec.name:
            results[spec.name] = hit
            progress.done(hit, total)
            continue
        todo.append(spec)
        if dispatch and len(todo) <= AT_ONCE:
            dispatch.submit(spec)
        else:
            later.append((spec, len(html)))
    later.sort(key=lambda job: -job[1])
    if dispatch:
        for spec, _ in later:
            dispatch.submit(spec)
        laid_out = (dispatch.result(spec, progress) for spec in todo)
    else:
        laid_out = (lay_out_part(report, spec, options, cache_dir=str(cache.folder) if cache else None)
                    for spec, _ in later)
        todo = [spec for spec, _ in later]
    if submitted:
        submitted()
    for spec, part in zip(todo, laid_out):
        if cache:
            cache.put(keys[spec.name], part)
        results[spec.name] = part
        progress.done(part, total)
    ordered = [results[spec.name] for spec in body]

    def later(function, *args) -> Callable[[], object]:
        # in a worker when there are some: they have WeasyPrint loaded, this process need not
        if executor:
            return executor.submit(function, *args).result
        return lambda: function(*args)

    def call(function, *args):
        return later(function, *args)()

    # The page numbers do not depend on the 目次's length: laid out beside it,
    # for as many pages as the report can have with the longest 目次.
    footers = _footers(_footer_pages(sum(p.pages for p in ordered) + MAX_FRONT_PAGES), cache, options, later)
    front, front_key = _front(report, specs[0], ordered, cache, options, call)
    progress.done(front, total)
    parts = [front] + ordered
    footers, footers_key = footers()
    # The joined PDF follows from the parts' bytes alone: kept under their keys.
    joined = joined_key([front_key, *(keys[spec.name] for spec in body), footers_key]) if cache else None
    data = cache.get_blob(joined) if cache else None
    if data is None or not data.startswith(b"%PDF-"):
        data = call(joining.join, parts, footers, cache)
        if cache:
            cache.put_blob(joined, data)
    if cache:
        cache.prune()
    return data


def _toc_pages(report: Report, parts: list[PartResult], front_pages: int) -> dict[str, int]:
    """The page number (1-based, in the joined document) of every 目次 entry."""
    found: dict[str, int] = {}
    start = front_pages
    for part in parts:
        for name, page in part.anchors.items():
            found.setdefault(name, start + page + 1)
        start += part.pages
    return {e.anchor: found[e.anchor] for e in report.contents}


def _front(report: Report, spec: PartSpec, parts: list[PartResult], cache: PartCache | None,
           options: dict, call=lambda function, *args: function(*args)) -> tuple[PartResult, str | None]:
    """The front part (cover and 目次) and its cache key; laid out by ``call``."""
    if cache:
        for pages in range(1, MAX_FRONT_PAGES + 1):
            key = part_key(part_html(report, spec, toc_pages=_toc_pages(report, parts, pages)), options)
            hit = cache.get(key)
            if hit is not None and hit.pages == pages and hit.name == spec.name:
                return hit, key
    guess = 2
    for _ in range(MAX_FRONT_PAGES):
        toc = _toc_pages(report, parts, guess)
        result = call(lay_out_part, report, spec, options, toc)
        key = part_key(part_html(report, spec, toc_pages=toc), options) if cache else None
        if cache:
            cache.put(key, result)
        if result.pages == guess:
            return result, key
        guess = result.pages
    raise RuntimeError("the 目次's page count does not settle")


#: The footer document is laid out for a multiple of this many pages, so
#: that it is found in the cache after an edit that adds or removes a page.
FOOTER_PAGES_STEP = 16


def _footer_pages(at_least: int) -> int:
    return -(-at_least // FOOTER_PAGES_STEP) * FOOTER_PAGES_STEP


def _footers(pages: int, cache: PartCache | None, options: dict,
             later=lambda function, *args: lambda: function(*args)) -> Callable[[], tuple[bytes, str | None]]:
    """The footer document of ``pages`` pages and its cache key, once the
    returned function is called; laid out by ``later`` (which starts it
    now, in a worker) unless it is in the cache.  Its page i is numbered i
    whatever its length, so the join uses its first pages."""
    key = part_key(footer_html(pages), options) if cache else None
    hit = cache.get(key) if cache else None
    if hit is not None and hit.name == "footers" and hit.pages == pages:
        return lambda: (hit.pdf, key)
    pending = later(lay_out_footers, pages, options)

    def done() -> tuple[bytes, str | None]:
        pdf = pending()
        if cache:
            cache.put(key, PartResult("footers", pdf, pages, {}, [[] for _ in range(pages)]))
        return pdf, key

    return done


def write_pdf(report: Report, target: str | Path | BinaryIO, cache_dir: Path | None = None,
              executor: Executor | None = None, progress: Progress | None = None,
              submitted: Callable[[], None] | None = None, **options) -> None:
    """Write the report's PDF, built in parts, to ``target`` (a path or a binary file).

    ``cache_dir``: where laid-out parts are kept between builds (None: no
    cache); ``executor``: worker processes to lay the parts out in."""
    data = build_pdf(report, PartCache(cache_dir) if cache_dir else None, executor, progress, submitted, **options)
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)
