"""The web edition and the open data, as a reader and a program see them.

The site of the FY2021 sample and of the mini fixture is checked in headless
Chromium (tests/browser.py: axe-core at WCAG 2.1 A/AA, internal links, no
outside requests) and read back: its headings, 推進項目 tables and charts
must be the outline's, the same outline the PDF and the Word draft are built
from.  The CSV files are parsed as a program would and compared with the
model.  Screenshots of both sites are kept in build/screenshots/ for
a person to look at (web-sample-2021/, web-mini-2021/).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from browser import check_site, format_problems, format_violations
from kplan_report.build import build, write_folder_atomically
from kplan_report.compute.progress import actual_value, plan_progress
from kplan_report.validate.load import load_source
from kplan_report.views.blocks import walk
from kplan_report.views.outline import build_report

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"sample": ROOT / "source", "mini": ROOT / "tests" / "fixtures" / "mini"}
YEAR = 2021
SCREENSHOTS = ROOT / "build" / "screenshots"  # web-<site>-2021/
SCREENSHOT_PAGES = ["index.html", "goal-G1.html"]


class Built:
    def __init__(self, name: str, out: Path):
        self.name = name
        self.source = load_source(SOURCES[name])
        build(self.source, YEAR, out, formats=("html", "csv"))
        self.report = build_report(self.source, YEAR)
        self.web = out / str(YEAR) / "web"
        self.data = out / str(YEAR) / "data"
        self.site = None

    def page_files(self) -> list[str]:
        """The pages in the order the site lists them (the header's list of pages)."""
        index = self.tree("index.html")
        return [a.get("href") for a in index.xpath('//nav[contains(@class, "site-pages")]//a')]

    def tree(self, name: str):
        return lxml_html.fromstring((self.web / name).read_bytes())


@pytest.fixture(scope="module", params=["sample", "mini"])
def built(request, tmp_path_factory) -> Built:
    result = Built(request.param, tmp_path_factory.mktemp(request.param))
    result.site = check_site(result.web, screenshots=SCREENSHOTS / f"web-{request.param}-{YEAR}",
                             screenshot_pages=SCREENSHOT_PAGES)
    return result


def norm(string: str) -> str:
    """Whitespace runs (newlines, the ideographic space) as one space, trimmed."""
    return " ".join(string.split())


def text(element) -> str:
    """An element's text as a reader gets it, whitespace normalised."""
    return norm(element.text_content())


# ---------------------------------------------------------------- in the browser


def test_no_accessibility_violations_at_wcag21_aa(built):
    assert built.site.pages == sorted(p.name for p in built.web.glob("*.html"))
    assert built.site.violations == [], format_violations(built.site.violations)


def test_links_resolve_and_nothing_is_loaded_from_outside(built):
    site = built.site
    problems = site.external_requests + site.broken_links + site.failed_requests + site.page_errors
    assert problems == [], format_problems(site)
    # and the harness did look: every page links to the others
    assert len(built.page_files()) == len(site.pages)


def test_screenshots_of_index_and_a_goal_page_at_desktop_and_phone_width(built):
    widths = {}
    for path in built.site.screenshots:
        with Image.open(path) as image:
            widths[path.name] = image.size
    assert sorted(widths) == ["goal-G1-1280.png", "goal-G1-375.png", "index-1280.png", "index-375.png"]
    for name, (width, height) in widths.items():
        assert width == int(re.search(r"-(\d+)\.png", name).group(1)), name  # nothing wider than the screen
        assert (SCREENSHOTS / f"web-{built.name}-{YEAR}" / name).is_file()
        assert height > 1000, name


# ---------------------------------------------------------------- the same outline


def test_headings_across_pages_are_the_outlines_sections(built):
    """h1–h4 of every page, in the site's order, are exactly the outline's sections —
    the list the PDF's bookmarks and the Word headings are made from — each page
    starting at h1 and going down one level at a time."""
    found = []
    for name in built.page_files():
        headings = built.tree(name).xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4]")
        assert headings and headings[0].tag == "h1", name
        levels = [int(h.tag[1]) for h in headings]
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), f"{name}: a heading level is skipped"
        found += [(h.get("id"), text(h)) for h in headings]
        # nothing below h4 is a heading either (subheadings are paragraphs)
        assert not built.tree(name).xpath("//main//*[self::h5 or self::h6]"), name
    assert found == [(s.anchor, norm(s.heading)) for s in walk(built.report.sections)]


def test_every_promotion_item_table_holds_the_outlines_cells(built):
    pages = {name: built.tree(name) for name in built.page_files()}
    items = built.report.promotion_items()
    assert items
    for item in items:
        tables = [t for tree in pages.values() for t in tree.xpath(f'//table[@id="t-{item.id}"]')]
        assert len(tables) == 1, item.id
        table = tables[0]
        block = next(b for s in walk(built.report.sections) for b in s.blocks
                     if getattr(b, "item", None) is item)
        expected = list(block.columns) + [item.vertical_title]
        for row in item.rows:
            lines = [a.text + a.tag for a in row.actions]
            expected += [row.actor, lines[0], row.summary or block.no_summary, *lines[1:]]
        cells = [text(c) for c in table.xpath("./thead//th | ./tbody//th | ./tbody//td")]
        assert cells == [norm(e) for e in expected], item.id
        title = table.xpath('./tbody//th[@scope="rowgroup"]/span[@class="vertical"]')
        assert len(title) == 1 and text(title[0]) == norm(item.vertical_title), item.id
    css = (built.web / "site.css").read_text(encoding="utf-8")
    assert re.search(r"\.vertical\s*\{[^}]*writing-mode:\s*vertical-rl", css)


def test_every_chart_is_inline_svg_with_title_desc_and_its_data_table(built):
    rows = built.report.indicator_rows()
    pages = [built.tree(name) for name in built.page_files()]
    figures = [f for tree in pages for f in tree.xpath('//figure[contains(@class, "chart")]')]
    assert [f.get("id") for f in figures] == [f"fig-{r.id}" for r in rows]
    for figure, row in zip(figures, rows):
        svg = figure.xpath("./svg")
        assert len(svg) == 1 and svg[0].get("role") == "img", row.id
        title, desc = svg[0].xpath("./title"), svg[0].xpath("./desc")
        assert [t.get("id") for t in title + desc] == svg[0].get("aria-labelledby").split()
        assert text(desc[0]) == norm(row.chart_alt)
        assert text(figure.xpath("./figcaption")[0]) == norm(row.caption)
        table = svg[0].getnext()
        while table is not None and table.tag != "div":
            table = table.getnext()
        cells = [[text(c) for c in tr.xpath("./th | ./td")] for tr in table.xpath(".//tbody/tr")]
        assert cells == [[norm(c.text) for c in r] for r in row.chart_table.rows], row.id


def test_status_words_stand_beside_their_colours(built):
    labels = {s.key: s.label for s in built.source.evaluation.indicator_statuses}
    spans = [s for name in built.page_files() for s in built.tree(name).xpath('//span[contains(@class, "status-")]')]
    assert spans
    for span in spans:
        key = span.get("class").split("status-")[1]
        assert text(span) == norm(labels[key])


def test_every_page_says_sample_data_when_the_data_is_sample(built):
    assert built.report.status == "sample"
    for name in built.page_files():
        tree = built.tree(name)
        assert tree.get("lang") == "ja"
        assert [text(m) for m in tree.xpath('//header//*[contains(@class, "status-mark")]/strong')] == ["サンプルデータ"]
        assert tree.xpath("//title")[0].text.startswith("サンプルデータ")


def test_tables_have_captions_and_scoped_headers_and_scroll_in_a_named_region(built):
    for name in built.page_files():
        tree = built.tree(name)
        for table in tree.xpath("//main//table"):
            assert len(table.xpath("./caption")) == 1 and text(table.xpath("./caption")[0]), name
            assert all(th.get("scope") in ("col", "row", "rowgroup") for th in table.xpath(".//th")), name
            region = table.getparent()
            assert region.get("role") == "region" and region.get("tabindex") == "0", name
            label = tree.get_element_by_id(region.get("aria-labelledby"))
            assert text(label), name


def test_landmarks_skip_link_and_breadcrumbs(built):
    for n, name in enumerate(built.page_files()):
        tree = built.tree(name)
        for landmark in ("header", "nav", "main", "footer"):
            assert tree.xpath(f"//{landmark}"), (name, landmark)
        skip = tree.xpath("//body/*[1]")[0]
        assert skip.tag == "a" and skip.get("href") == "#main" and tree.xpath('//main[@id="main"]')
        crumbs = tree.xpath('//nav[contains(@class, "breadcrumbs")]//li')
        if n == 0:
            assert not crumbs
        else:
            assert text(crumbs[0]) == built.report.labels.home
            assert text(crumbs[-1]) == text(tree.xpath("//main//h1")[0])


# ---------------------------------------------------------------- open data


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no UTF-8 BOM (Excel would read Shift_JIS)"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_indicators_csv_has_one_row_per_measure_with_the_models_values(built):
    rows = read_csv(built.data / "indicators.csv")
    header, body = rows[0], rows[1:]
    column = {name: k for k, name in enumerate(header)}
    plan, evaluation, actuals = built.source.plan, built.source.evaluation, built.source.actuals
    status_labels = {s.key: s.label for s in evaluation.indicator_statuses}
    years = list(range(plan.plan.first_year, YEAR + 1))
    progress = plan_progress(plan, actuals.get(YEAR), YEAR, evaluation)
    measures = [(i, m) for g in plan.goals for o in g.objectives for i in o.indicators for m in i.measures]
    assert len(body) == len(measures) and all(len(r) == len(header) for r in body)
    for row, (indicator, measure) in zip(body, measures):
        assert (row[column["指標ID"]], row[column["数値ID"]], row[column["単位"]]) == \
            (indicator.id, measure.id, measure.unit)
        assert row[column["指標項目"]] == indicator.name
        for y in years:
            entry = actuals[y].indicators.get(indicator.id) if y in actuals else None
            actual = entry.measures.get(measure.id) if entry else None
            value = actual_value(measure, actual)
            cell = row[column[f"実績値（{y}年度）"]]
            reason = row[column[f"未把握の理由（{y}年度）"]]
            if value is None:
                assert cell == "" and reason, (indicator.id, y)
                if actual is not None and actual.not_measured:
                    assert reason == actual.not_measured
            else:
                assert float(cell) == float(value) and reason == "", (indicator.id, y)
        mp = next(p for p in progress[indicator.id].measures if p.measure.id == measure.id)
        assert row[column[f"評価（{YEAR}年度）"]] == status_labels[mp.status]
        cell = row[column[f"進捗率（％，{YEAR}年度）"]]
        assert (cell == "") if mp.progress is None else abs(float(cell) - float(mp.progress) * 100) <= 0.05


def test_projects_csv_has_each_projects_evaluation_per_year(built):
    rows = read_csv(built.data / "projects.csv")
    header, body = rows[0], rows[1:]
    column = {name: k for k, name in enumerate(header)}
    projects = built.source.projects.projects
    years = list(range(built.source.plan.plan.first_year, YEAR + 1))
    assert [(r[column["事業ID"]], int(r[column["年度"]])) for r in body] == [(p.id, y) for p in projects for y in years]
    for row in body:
        actuals = built.source.actuals.get(int(row[column["年度"]]))
        actual = actuals.projects.get(row[column["事業ID"]]) if actuals else None
        if actual is None:
            assert row[column["評価"]] == "" and row[column["区分"]] == built.source.evaluation.unreported.label
        else:
            assert (row[column["評価"]], row[column["実施内容・実績"]], row[column["課題・今後の方向性"]]) == \
                (actual.grade, actual.results, actual.next_steps)


def test_data_readme_describes_every_column(built):
    readme = (built.data / "README.md").read_text(encoding="utf-8")
    for name in ("indicators.csv", "projects.csv"):
        header = read_csv(built.data / name)[0]
        assert f"## {name}" in readme
        for column in header:
            assert re.search(rf"^\| {re.escape(column)} \| \S", readme, re.M), (name, column)


# ---------------------------------------------------------------- the folder as a whole


def test_a_site_is_replaced_whole_or_not_at_all(tmp_path):
    site = tmp_path / "web"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    (site / "stale.html").write_text("old", encoding="utf-8")

    def crash(folder: Path):
        (folder / "index.html").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_folder_atomically(site, crash)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web"]  # no temporary folder left
    assert (site / "index.html").read_text(encoding="utf-8") == "old"

    write_folder_atomically(site, lambda folder: (folder / "index.html").write_text("new", encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web"]
    assert [p.name for p in site.iterdir()] == ["index.html"]  # the old site's files are gone with it
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
