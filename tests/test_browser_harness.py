"""The browser harness can fail and pass: it finds what it is meant to find, and only that.

The web edition's own tests rely on `check_site` saying "no problems" only when there
are none, so each kind of finding is shown here on a page made to have it, beside a
clean site that must come out clean. Two sites, one browser run each (a run starts
Chromium, ≈ 3–5 s). `make test` installs Chromium and the npm packages; without them
these tests fail with what to run, never skip.
"""

from __future__ import annotations

import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import browser
from browser import BrowserUnavailable, check_site, format_problems, format_violations

HEAD = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'

CLEAN_INDEX = f"""<!doctype html>
<html lang="ja"><head>{HEAD}<title>令和3年度 進捗状況報告書</title>
<link rel="stylesheet" href="site.css"></head>
<body>
<a class="skip" href="#main">本文へ移動</a>
<header><p>第3次気仙沼市地域福祉計画（サンプルデータ）</p></header>
<nav aria-label="基本目標"><ul><li><a href="goals/g1.html">基本目標1</a></li>
<li><a href="goals/g1.html#g1-1">具体的目標1-1</a></li></ul></nav>
<main id="main">
<h1>進捗状況報告書</h1>
<p>指標の推移は次の図と表のとおりです。</p>
<img src="chart.svg" alt="指標の推移（棒グラフ）" width="120" height="60">
<table>
<caption>指標の推移</caption>
<thead><tr><th scope="col">年度</th><th scope="col">値</th></tr></thead>
<tbody><tr><th scope="row">令和元年度</th><td>120</td></tr>
<tr><th scope="row">令和2年度</th><td>135</td></tr></tbody>
</table>
<p><a href="data/indicators.csv">指標のデータ（CSV）</a> <a href="#top">ページの先頭へ</a></p>
</main></body></html>
"""

CLEAN_GOAL = f"""<!doctype html>
<html lang="ja"><head>{HEAD}<title>基本目標1</title>
<link rel="stylesheet" href="../site.css"></head>
<body><main>
<nav aria-label="パンくずリスト"><a href="../index.html">トップ</a> &gt; 基本目標1</nav>
<h1>基本目標1</h1>
<h2 id="g1-1">具体的目標1-1</h2>
<p>状況：<strong>順調</strong></p>
<p><a href="../">トップへ戻る</a></p>
</main></body></html>
"""

CHART_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60" width="120" height="60">'
    '<rect x="10" y="20" width="40" height="40" fill="#1f4e79"/>'
    '<rect x="70" y="10" width="40" height="50" fill="#1f4e79"/></svg>'
)

# A page with three known WCAG failures: an image without alt, no lang, grey on white.
# The grey comes from faulty.css, so the finding also shows that .css is served as text/css.
BAD_PAGE = f"""<!doctype html>
<html><head>{HEAD}<title>違反のあるページ</title><link rel="stylesheet" href="faulty.css"></head>
<body><main><h1>見出し</h1>
<img src="chart.svg" width="120" height="60">
<p class="faint">薄い文字</p>
</main></body></html>
"""

BROKEN_LINKS_PAGE = f"""<!doctype html>
<html lang="ja"><head>{HEAD}<title>リンク切れ</title></head>
<body><main><h1 id="here">リンク</h1>
<p><a href="nowhere.html">ない頁</a> <a href="external.html#absent">ない見出し</a>
<a href="#here">この見出し</a> <a href="#missing-here">この頁にない見出し</a>
<a href="external.html#fine">ある見出し</a></p>
</main></body></html>
"""


def external_page(other_origin: str) -> str:
    """A page that loads an image from another local server and a script from the internet."""
    return f"""<!doctype html>
<html lang="ja"><head>{HEAD}<title>外部読み込み</title>
<script src="https://cdn.example.invalid/tracker.js"></script></head>
<body><main><h1 id="fine">外部の画像</h1>
<img src="{other_origin}/pixel.png" alt="外部の画像" width="1" height="1">
</main></body></html>
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


class CountingHandler(BaseHTTPRequestHandler):
    """Another origin on 127.0.0.1 that counts what reaches it (nothing should)."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    site = write(tmp_path_factory.mktemp("clean"), {
        "index.html": CLEAN_INDEX,
        "goals/g1.html": CLEAN_GOAL,
        "chart.svg": CHART_SVG,
        "site.css": "body { color: #1a1a1a; background: #fff; } .skip:focus { outline: 3px solid #1f4e79; }\n",
        "data/indicators.csv": "\ufeff年度,値\n2019,120\n2020,135\n",
    })
    shots = tmp_path_factory.mktemp("shots")
    return site, shots, check_site(site, screenshots=shots, screenshot_pages=["index.html"])


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    CountingHandler.hits.clear()
    other_origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        site = write(tmp_path_factory.mktemp("faulty"), {
            "bad.html": BAD_PAGE,
            "faulty.css": ".faint { color: #b0b0b0; background: #fff; }\n",
            "chart.svg": CHART_SVG,
            "links.html": BROKEN_LINKS_PAGE,
            "external.html": external_page(other_origin),
        })
        yield check_site(site), other_origin, list(CountingHandler.hits)
    finally:
        server.shutdown()
        server.server_close()


def test_clean_site_has_no_findings(clean):
    site, _, report = clean
    assert report.pages == ["goals/g1.html", "index.html"]
    assert report.violations == [], format_violations(report.violations)
    problems = report.external_requests + report.broken_links + report.failed_requests + report.page_errors
    assert problems == [], format_problems(report)


def test_clean_site_ran_every_wcag_rule_set_in_chromium(clean):
    raw = clean[2].raw
    assert raw["axe_tags"] == ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    assert raw["browser"] and raw["axe_version"]
    assert raw["base_url"].startswith("http://127.0.0.1:")
    assert [p["title"] for p in raw["pages"]] == ["基本目標1", "令和3年度 進捗状況報告書"]


def test_screenshots_at_desktop_and_phone_width(clean):
    _, shots, report = clean
    assert sorted(p.name for p in report.screenshots) == ["index-1280.png", "index-375.png"]
    for path, width in zip(sorted(report.screenshots), (1280, 375)):
        assert path.parent == shots
        assert png_size(path)[0] == width
        assert png_size(path)[1] >= 400  # the whole page, not an empty strip


def test_file_urls_work_too(clean):
    site, _, _ = clean
    report = check_site(site, file_urls=True)
    assert report.raw["base_url"].startswith("file://")
    assert report.violations == [], format_violations(report.violations)
    assert report.broken_links == [] and report.external_requests == [], format_problems(report)


def test_known_violations_are_found_on_their_page(faulty):
    report = faulty[0]
    assert report.rules("bad.html") == {"image-alt", "html-has-lang", "color-contrast"}
    by_rule = {v.rule: v for v in report.violations if v.page == "bad.html"}
    assert by_rule["image-alt"].targets == ["img"]
    assert by_rule["color-contrast"].targets == ["p"]  # axe-core's shortest unique selector
    assert "foreground color: #b0b0b0" in by_rule["color-contrast"].summaries[0]
    assert by_rule["image-alt"].impact == "critical"
    text = format_violations(report.violations)
    assert "bad.html: image-alt (critical): Images must have alternative text" in text
    assert "    p: Fix any of the following: Element has insufficient color contrast" in text


def test_only_the_faulty_page_has_violations(faulty):
    report = faulty[0]
    assert {v.page for v in report.violations} == {"bad.html"}, format_violations(report.violations)


def test_external_requests_are_reported_and_blocked(faulty):
    report, other_origin, hits = faulty
    assert {(r.page, r.url, r.resource_type) for r in report.external_requests} == {
        ("external.html", "https://cdn.example.invalid/tracker.js", "script"),
        ("external.html", f"{other_origin}/pixel.png", "image"),
    }
    assert hits == [], "the other server was reached: the request was not blocked"
    assert "external.html: request to outside the site (blocked): https://cdn.example.invalid/tracker.js" in (
        format_problems(report))


def test_broken_links_and_missing_fragments_are_reported(faulty):
    report = faulty[0]
    assert {(b.page, b.value, b.reason) for b in report.broken_links} == {
        ("links.html", "nowhere.html", "no file nowhere.html"),
        ("links.html", "external.html#absent", 'no id="absent" in external.html'),
        ("links.html", "#missing-here", 'no id="missing-here" in links.html'),
    }
    assert report.failed_requests == []


def test_missing_browser_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(BrowserUnavailable, match="make setup-test"):
        check_site(tmp_path)


def test_a_folder_that_is_not_there_is_one_clear_error(tmp_path):
    with pytest.raises(BrowserUnavailable, match=r"exited 2: check_site: .*/absent: not a folder"):
        check_site(tmp_path / "absent")
