"""Check a static site folder in a real browser, for tests: one call, one report.

The checking itself is `tests/browser/check_site.mjs` (headless Debian Chromium through
playwright-core, axe-core at WCAG 2.0/2.1 A and AA); this module runs it and turns its
JSON into plain objects, so that a test of the web edition reads

    report = check_site(build / "web")
    assert not report.violations, format_violations(report.violations)

`make setup-test` installs Chromium (Debian) and the npm packages (package-lock.json).
When either is missing, `check_site` raises `BrowserUnavailable` with what to run:
the browser tests fail rather than skip, because `make test` installs both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tests" / "browser" / "check_site.mjs"
CHROMIUM = Path("/usr/bin/chromium")
SETUP_HINT = "run `make setup-test` (installs Debian's chromium and `npm ci` the packages in package-lock.json)"


class BrowserUnavailable(RuntimeError):
    """Node, Chromium or the npm packages are missing, or the browser could not run."""


@dataclass(frozen=True)
class Violation:
    """One axe-core rule that failed on one page, with every element that fails it."""

    page: str
    rule: str
    impact: str | None
    help: str
    help_url: str
    targets: list[str]
    summaries: list[str]


@dataclass(frozen=True)
class ExternalRequest:
    """A request a page made to somewhere other than the site (it was blocked)."""

    page: str
    url: str
    resource_type: str


@dataclass(frozen=True)
class BrokenLink:
    """An href/src on a page that names no file of the site, or a #fragment no id has."""

    page: str
    element: str
    attribute: str
    value: str
    reason: str


@dataclass
class SiteReport:
    """What check_site.mjs found; `raw` keeps its whole JSON (pages, timings, screenshots)."""

    raw: dict
    violations: list[Violation] = field(default_factory=list)
    incomplete: list[Violation] = field(default_factory=list)
    external_requests: list[ExternalRequest] = field(default_factory=list)
    broken_links: list[BrokenLink] = field(default_factory=list)
    failed_requests: list[dict] = field(default_factory=list)
    page_errors: list[dict] = field(default_factory=list)

    @property
    def pages(self) -> list[str]:
        return [p["page"] for p in self.raw["pages"]]

    @property
    def screenshots(self) -> list[Path]:
        return [Path(s["path"]) for s in self.raw["screenshots"]]

    def rules(self, page: str | None = None) -> set[str]:
        """The ids of the failed rules, on one page or on all."""
        return {v.rule for v in self.violations if page is None or v.page == page}


def check_site(
    folder: Path | str,
    screenshots: Path | str | None = None,
    *,
    widths: tuple[int, ...] = (1280, 375),
    screenshot_pages: list[str] | None = None,
    file_urls: bool = False,
    timeout_s: float = 300,
) -> SiteReport:
    """Check every .html page under `folder` (served on 127.0.0.1, or as file:// URLs).

    `screenshots`: a folder for full-page PNGs at each of `widths`, of `screenshot_pages`
    (paths relative to `folder`) or of every page.
    """
    node = shutil.which("node")
    if node is None:
        raise BrowserUnavailable(f"no `node` on PATH; {SETUP_HINT}")
    if not CHROMIUM.exists():
        raise BrowserUnavailable(f"no {CHROMIUM}; {SETUP_HINT}")
    for package in ("axe-core", "playwright-core"):
        if not (REPO / "node_modules" / package / "package.json").exists():
            raise BrowserUnavailable(f"npm package {package} is not installed in {REPO / 'node_modules'}; {SETUP_HINT}")

    command = [node, str(SCRIPT), str(folder), "--chromium", str(CHROMIUM),
               "--total-timeout-ms", str(int(timeout_s * 1000))]
    if file_urls:
        command.append("--file")
    if screenshots is not None:
        command += ["--screenshots", str(screenshots), "--widths", ",".join(map(str, widths))]
        for page in screenshot_pages or []:
            command += ["--screenshot-page", page]
    # The script stops itself at timeout_s; the margin here only catches a hung node.
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s + 30, cwd=REPO)
    if done.returncode != 0:
        raise BrowserUnavailable(f"check_site.mjs exited {done.returncode}: {done.stderr.strip()}")
    raw = json.loads(done.stdout)
    return SiteReport(
        raw=raw,
        violations=[Violation(**v) for v in raw["violations"]],
        incomplete=[Violation(**v) for v in raw["incomplete"]],
        external_requests=[ExternalRequest(**r) for r in raw["external_requests"]],
        broken_links=[BrokenLink(**b) for b in raw["broken_links"]],
        failed_requests=raw["failed_requests"],
        page_errors=raw["page_errors"],
    )


def format_violations(violations: list[Violation]) -> str:
    """The violations as lines a person can act on, for an assertion message."""
    if not violations:
        return "no accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s):"]
    for v in violations:
        lines.append(f"{v.page}: {v.rule} ({v.impact}): {v.help} — {v.help_url}")
        for target, summary in zip(v.targets, v.summaries):
            detail = " ".join(summary.split())
            lines.append(f"    {target}: {detail}")
    return "\n".join(lines)


def format_problems(report: SiteReport) -> str:
    """Every finding other than the axe violations, one per line, for an assertion message."""
    lines = [f"{r.page}: request to outside the site (blocked): {r.url} [{r.resource_type}]"
             for r in report.external_requests]
    lines += [f"{b.page}: broken {b.element} {b.attribute}={b.value!r}: {b.reason}" for b in report.broken_links]
    lines += [f"{f['page']}: failed to load {f['url']}: {f['reason']}" for f in report.failed_requests]
    lines += [f"{e['page']}: script error: {e['message']}" for e in report.page_errors]
    return "\n".join(lines) or "no problems"
