"""The PDF built in parts: look each part up in the cache, lay out the rest
(in worker processes when there are some), then the 目次 and the page
numbers, and join.  :mod:`.parts` says why the parts are independent.

The order of the work: every part but the front one is looked up in the
cache or laid out (largest first, spread over the executor's processes);
then the front part (cover and 目次) is laid out here, once the others'
page counts and anchors give the 目次's page numbers — its own page count
moves every number, so it is tried with the count it had last time (found
in the cache) and laid out again if it comes out different; then the
footer document for the total page count; then the join — itself kept in
the cache under the keys of the parts it joins, so that a build with
nothing changed neither lays out nor joins (nor loads WeasyPrint).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ...views.outline import Report
from . import join as joining
from .cache import PartCache, joined_key, part_key
from .parts import PartResult, PartSpec, footer_html, lay_out_footers, lay_out_part, part_html, part_specs

#: The 目次 takes at most this many pages (tried in order when looking for the
#: front part in the cache).
MAX_FRONT_PAGES = 8


@dataclass
class Progress:
    """What the build did, for the terminal, the tests and the benchmark."""

    report: Callable[[str], None] | None = None
    laid_out: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)

    def done(self, part: PartResult, total: int) -> None:
        (self.laid_out if part.layouts else self.cached).append(part.name)
        if self.report:
            how = f"laid out ({part.layouts}×)" if part.layouts else "from the cache"
            self.report(f"PDF part {len(self.laid_out) + len(self.cached)}/{total}: {part.name}, "
                        f"{part.pages} pages, {how}")


def _lay_out_star(args) -> PartResult:
    report, spec, options, cache_dir = args
    return lay_out_part(report, spec, options, cache_dir=cache_dir)


def build_pdf(report: Report, cache: PartCache | None = None, executor: Executor | None = None,
              progress: Progress | None = None, **options) -> bytes:
    """The report's PDF, built in parts."""
    progress = progress or Progress()
    specs = part_specs(report)
    total = len(specs)
    body = specs[1:]
    results: dict[str, PartResult] = {}
    keys: dict[str, str | None] = {}
    todo: list[tuple[PartSpec, int]] = []
    for spec in body:
        html = part_html(report, spec)
        keys[spec.name] = key = part_key(html, options) if cache else None
        hit = cache.get(key) if cache else None
        if hit is not None and hit.name == spec.name:
            results[spec.name] = hit
            progress.done(hit, total)
        else:
            todo.append((spec, len(html)))
    # the largest first, so that the last to start is a short one
    todo.sort(key=lambda job: -job[1])
    run = executor.map if executor else map
    cache_dir = str(cache.folder) if cache else None
    laid_out = run(_lay_out_star, [(report, spec, options, cache_dir) for spec, _ in todo])
    if todo and executor:
        # while the workers lay out, load what the 目次, the footers and the join need here
        import weasyprint  # noqa: F401
    for (spec, _), part in zip(todo, laid_out):
        if cache:
            cache.put(keys[spec.name], part)
        results[spec.name] = part
        progress.done(part, total)
    ordered = [results[spec.name] for spec in body]

    front, front_key = _front(report, specs[0], ordered, cache, options)
    progress.done(front, total)
    parts = [front] + ordered
    pages = sum(p.pages for p in parts)
    footers, footers_key = _footers(pages, cache, options)
    # The joined PDF follows from the parts' bytes alone: kept under their keys.
    joined = joined_key([front_key, *(keys[spec.name] for spec in body), footers_key]) if cache else None
    data = cache.get_blob(joined) if cache else None
    if data is None or not data.startswith(b"%PDF-"):
        data = joining.join(parts, footers, cache)
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
           options: dict) -> tuple[PartResult, str | None]:
    """The front part (cover and 目次) and its cache key."""
    if cache:
        for pages in range(1, MAX_FRONT_PAGES + 1):
            key = part_key(part_html(report, spec, toc_pages=_toc_pages(report, parts, pages)), options)
            hit = cache.get(key)
            if hit is not None and hit.pages == pages and hit.name == spec.name:
                return hit, key
    guess = 2
    for _ in range(MAX_FRONT_PAGES):
        toc = _toc_pages(report, parts, guess)
        result = lay_out_part(report, spec, options, toc_pages=toc)
        key = part_key(part_html(report, spec, toc_pages=toc), options) if cache else None
        if cache:
            cache.put(key, result)
        if result.pages == guess:
            return result, key
        guess = result.pages
    raise RuntimeError("the 目次's page count does not settle")


def _footers(pages: int, cache: PartCache | None, options: dict) -> tuple[bytes, str | None]:
    """The footer document of ``pages`` pages and its cache key."""
    key = part_key(footer_html(pages), options) if cache else None
    hit = cache.get(key) if cache else None
    if hit is not None and hit.name == "footers" and hit.pages == pages:
        return hit.pdf, key
    pdf = lay_out_footers(pages, options)
    if cache:
        cache.put(key, PartResult("footers", pdf, pages, {}, [[] for _ in range(pages)]))
    return pdf, key


def write_pdf(report: Report, target: str | Path | BinaryIO, cache_dir: Path | None = None,
              executor: Executor | None = None, progress: Progress | None = None, **options) -> None:
    """Write the report's PDF, built in parts, to ``target`` (a path or a binary file).

    ``cache_dir``: where laid-out parts are kept between builds (None: no
    cache); ``executor``: worker processes to lay the parts out in."""
    data = build_pdf(report, PartCache(cache_dir) if cache_dir else None, executor, progress, **options)
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)
