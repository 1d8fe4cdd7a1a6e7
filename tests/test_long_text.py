"""Texts as long as the limits allow print whole (issue 16 §1).

A 取組状況, a project's 実施内容・実績 and 課題・今後の方向性, a committee
opinion, an indicator's note — up to MAX_TEXT_CHARS (10,000) characters each — and a 3,000-character
URL with no break opportunity are built into the PDF (the part-wise PDF that
ships, and the single document the tests compare it with) and into the Word
draft, which LibreOffice lays out as a council member would open it.  What a
reader sees is asserted: every character of each text, in order, and its last
characters, in the text of the pages; the continuation pages of the 推進項目
table with the title, （続き）, the 主体 and the header row; no page left
with only headings.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kplan_report.cli import main
from kplan_report.intake.yamlio import MAX_TEXT_CHARS

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
STEM = "test-mini-2021"

#: the sentence of the long 取組状況 (each text has its own, so that its pages can be told apart)
SENTENCE = "回の地区社協等が開催した福祉学習会に市民が参加し，高齢者や障害者への理解を深めた。"


def long_text(length: int, end: str, sentence: str = SENTENCE) -> str:
    """``length`` characters of numbered sentences (no two alike) ending in ``end``."""
    text, n = "", 0
    while len(text) < length:
        text += f"第{n}{sentence}"
        n += 1
    return text[:length - len(end)] + end


def long_url(length: int, end: str) -> str:
    """A URL of ``length`` characters with no space, hyphen or other break
    opportunity in its path (letters only, so that page numbers and other
    text read between its pieces cannot be mistaken for it)."""
    return ("https://example.jp/" + "abcdefghij" * length)[:length - len(end)] + end


#: field -> (the mini fixture's text, the long text that replaces it)
TEXTS = {
    # 取組状況 of 市民 in ① (the first 主体 row of the first table), at the limit
    "summary": ("地域の学習会に延べ300人が参加した。", long_text(MAX_TEXT_CHARS, "取組状況の終わりＡＬＦＡ。")),
    # 実施内容・実績 of p001 (≪主な取組・事業≫ of ①), at the limit
    "results": ("全校で福祉・防災教育を実施した。", long_text(MAX_TEXT_CHARS, "実施内容の終わりＢＲＡＶＯ。",
                                                           "回の出前講座を小中学校で開き，児童生徒と教職員が受講した。")),
    # 課題・今後の方向性 of p003
    "next_steps": ("開催回数を増やす。", long_text(3_000, "課題の終わりＣＨＡＲＬＩＥ。",
                                                       "の課題として，開催日時と会場の選び方を見直す。")),
    # the committee's opinion on 具体的目標1
    "opinion": ("若い世代への働きかけを強めてほしい。", long_text(MAX_TEXT_CHARS, "意見の終わりＤＥＬＴＡ。",
                                                               "に，若い世代が参加しやすい時間帯の工夫を求める。")),
    # the year's note on an indicator (printed under its chart)
    "note": ("幼稚園1園で実施できなかった。", long_text(5_000, "注記の終わりＦＯＸＴＲＯＴ。",
                                                  "の園では，日程の都合により実施できなかった。")),
    # an unbreakable URL as the 取組状況 of 地域・事業者 in ②
    "url": ("あいさつ運動が広がった。", long_url(3_000, "ECHOend")),
}


def compact(text: str) -> str:
    """Text as read off the page without its line breaks and the spaces a
    renderer puts around Latin text (LibreOffice: 第 16 回)."""
    return re.sub(r"\s+", "", text)


def in_order(text: str, page_text: str) -> bool:
    """Every character of ``text`` is on the pages, in order (the text of
    other cells and page headers may come in between at a page break)."""
    position = 0
    for ch in compact(text):
        position = page_text.find(ch, position)
        if position < 0:
            return False
        position += 1
    return True


def printed_url(url: str, page_text: str) -> str:
    """The letters read from the start of ``url`` to its end on the pages
    (other text that comes in between at a page break has no Latin letters)."""
    start = page_text.find(url[:19])
    end = page_text.find(url[-7:], start)
    assert start >= 0 and end > start, "the URL's start or end is not printed"
    return re.sub("[^A-Za-z]", "", page_text[start:end + 7])


def pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


@pytest.fixture(scope="module")
def long_source(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("long") / "source"
    shutil.copytree(MINI, source)
    path = source / "actuals" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in TEXTS.values():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def built(long_source, tmp_path_factory) -> Path:
    """The PDF and the Word draft as `kplan-report build` writes them (exit 0)."""
    out = tmp_path_factory.mktemp("out")
    assert main(["build", "--year", "2021", "--source", str(long_source), "--out", str(out),
                 "--format", "pdf", "--format", "docx"]) == 0
    return out / "2021"


@pytest.fixture(scope="module")
def pdf_pages(built) -> list[str]:
    return pages_text(built / f"{STEM}.pdf")


@pytest.fixture(scope="module")
def word_pages(built, tmp_path_factory) -> list[str]:
    """The Word draft as LibreOffice lays it out, converted to PDF."""
    folder = tmp_path_factory.mktemp("lo")
    result = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(built / f"{STEM}.docx")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return pages_text(folder / f"{STEM}.pdf")


@pytest.mark.parametrize("field", ["summary", "results", "next_steps", "opinion", "note"])
def test_a_long_text_prints_whole_in_the_pdf(pdf_pages, field):
    text = TEXTS[field][1]
    printed = compact("".join(pdf_pages))
    assert compact(text[-40:]) in printed, f"the end of the {field} text is not printed"
    assert in_order(text, printed), f"part of the {field} text is missing"


@pytest.mark.parametrize("field", ["summary", "results", "next_steps", "opinion", "note"])
def test_a_long_text_prints_whole_in_the_word_draft(word_pages, field):
    text = TEXTS[field][1]
    printed = compact("".join(word_pages))
    assert compact(text[-40:]) in printed, f"the end of the {field} text is not shown by LibreOffice"
    assert in_order(text, printed), f"part of the {field} text is missing in the LibreOffice rendering"


def test_the_limit_is_what_the_long_texts_have():
    assert len(TEXTS["summary"][1]) == len(TEXTS["results"][1]) == len(TEXTS["opinion"][1]) == MAX_TEXT_CHARS


def test_an_unbreakable_url_wraps_whole_in_the_pdf(pdf_pages):
    url = TEXTS["url"][1]
    assert printed_url(url, compact("".join(pdf_pages))) == re.sub("[^A-Za-z]", "", url)


def test_an_unbreakable_url_wraps_whole_in_the_word_draft(word_pages):
    url = TEXTS["url"][1]
    assert printed_url(url, compact("".join(word_pages))) == re.sub("[^A-Za-z]", "", url)


def test_the_long_summary_starts_below_its_heading_and_each_continuation_keeps_title_actor_and_header(pdf_pages):
    """The table starts on the page of its heading (the issue: that page was left
    blank but for two headings), and every further page of the 取組状況 has
    the header row, the vertical title with （続き） and the 主体 市民."""
    text = TEXTS["summary"][1]
    first_sentence, sentences = "第0" + SENTENCE, [f"第{n}{SENTENCE}" for n in range(1, 200)]
    pages = [compact(p) for p in pdf_pages]
    start = next(n for n, p in enumerate(pages) if first_sentence in p)
    # the 具体的目標's and the 推進項目's headings are on the page where the table starts
    assert "具体的目標１地域福祉学習の推進" in pages[start] and "①福祉教育の推進" in pages[start]
    continued = [n for n, p in enumerate(pages) if n > start and any(s in p for s in sentences if s in text)]
    assert len(continued) >= 8  # 10,000 characters in the 取組状況 column
    assert continued == list(range(start + 1, start + 1 + len(continued)))  # one after the other
    for n in continued:
        page = pages[n]
        assert "令和3年度の取組状況" in page, f"page {n + 1}: no header row"
        # the vertical title prints one character per line: read down the column
        assert "①福祉教育の推進（続き）" in page, f"page {n + 1}: no title with （続き）"
        assert "市民" in page.replace("市民が", ""), f"page {n + 1}: no 主体"


def test_the_continuation_title_is_in_the_title_column(built):
    """（続き） is set in the table's first column on each continuation page, beside the 主体 cell."""
    import pdfplumber

    with pdfplumber.open(built / f"{STEM}.pdf") as document:
        found = 0
        for page in document.pages:
            words = page.extract_words()
            text = compact(page.extract_text() or "")
            if SENTENCE not in text:
                continue
            marks = [w for w in words if w["text"] in ("続", "（続き）")]
            actors = [w for w in words if w["text"] == "市民"]
            if not marks:
                continue
            found += 1
            assert all(m["x1"] < 75 for m in marks), "（続き） is not in the title column"
            assert any(m["x1"] < a["x0"] for m in marks for a in actors), "no 主体 cell beside the title"
        assert found >= 8


def test_word_rows_split_only_where_they_may_not_fit(built):
    """cantSplit stays on every row that fits on a page; the rows holding the
    long texts may split, and every table's header row repeats (tblHeader)."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    xml = etree.fromstring(zipfile.ZipFile(built / f"{STEM}.docx").read("word/document.xml"))
    splitting, kept = [], 0
    for tbl in xml.iter(f"{w}tbl"):
        rows = tbl.findall(f"{w}tr")
        header = rows[0].find(f"{w}trPr")
        if header is not None and header.find(f"{w}tblHeader") is not None:
            assert header.find(f"{w}cantSplit") is not None
        for tr in rows:
            trpr = tr.find(f"{w}trPr")
            text = "".join(t.text or "" for t in tr.iter(f"{w}t"))
            if trpr is not None and trpr.find(f"{w}cantSplit") is not None:
                kept += 1
                assert len(text) < 2_000, text[:40]
            else:
                splitting.append(text)
    ends = [TEXTS[f][1][-8:] for f in ("summary", "results", "next_steps", "opinion", "note", "url")]
    assert all(any(end in text for text in splitting) for end in ends)
    assert len(splitting) <= 7 and kept > 30


def test_the_single_document_prints_the_same_text(long_source, pdf_pages, tmp_path):
    """The reference layout (writers/pdf/writer.py, one document) cuts the long texts as the shipped parts do."""
    from kplan_report.validate.load import load_source
    from kplan_report.views.outline import build_report
    from kplan_report.writers.pdf.writer import write_pdf

    target = tmp_path / "single.pdf"
    write_pdf(build_report(load_source(long_source), 2021), target)
    single = pages_text(target)
    assert len(single) == len(pdf_pages)
    # the page numbers are the only text the join adds as artifacts: compare the rest
    strip = lambda page: re.sub(r"－\s*\d+\s*－", "", compact(page))  # noqa: E731
    assert [strip(p) for p in single] == [strip(p) for p in pdf_pages]


def test_the_issue_case_in_the_sample(tmp_path):
    """The issue's case: a 取組状況 of 1,500 characters for 市民 in Ⅰ-1-① of the
    FY2021 sample.  The table starts below its headings with its header row
    and all six 市民 rows beside the first piece of the text; the next page
    continues it with the title, （続き）, 市民 and the header row; the text's
    end is printed."""
    from kplan_report.validate.load import load_source
    from kplan_report.views.blocks import PromotionItemTable, walk
    from kplan_report.views.outline import build_report

    source = tmp_path / "source"
    shutil.copytree(ROOT / "source", source)
    path = source / "actuals" / "2021.yaml"
    old = "地区社協等が開催した福祉学習会に延べ412人の市民が参加し，高齢者や障害者への理解を深めた。"
    text = long_text(1_500, "取組状況の終わりＧＯＬＦ。")
    path.write_text(path.read_text(encoding="utf-8").replace(old, text), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--year", "2021", "--source", str(source), "--out", str(out), "--format", "pdf"]) == 0
    pages = [compact(p) for p in pages_text(out / "2021" / "kesennuma-welfare-3-2021.pdf")]
    assert in_order(text, compact("".join(pages))) and compact(text[-30:]) in "".join(pages)
    start = next(n for n, p in enumerate(pages) if "第0" + SENTENCE in p)
    first, second = pages[start], pages[start + 1]
    assert "①福祉教育の推進" in first and "令和3年度の取組状況" in first
    items = [b.item for s in walk(build_report(load_source(source), 2021).sections) for b in s.blocks
             if isinstance(b, PromotionItemTable) and b.item.id == "G1.1.1"]
    actions = [a.text for a in items[0].rows[0].actions]
    assert len(actions) == 6 and all(compact(a) in first for a in actions)  # all six 市民 rows
    assert "令和3年度の取組状況" in second and "①福祉教育の推進（続き）" in second
    assert "市民" in second.replace("市民が", "") and text[-10:] in second


def test_an_unbreakable_url_wraps_in_the_web_edition(long_source, tmp_path):
    """In Chromium the URL wraps inside its 取組状況 cell: the 推進項目 table
    is no wider than the page on a desktop screen (it does not scroll
    sideways) and keeps its phone width (44rem) on a 375 px screen."""
    import json

    out = tmp_path / "out"
    assert main(["build", "--year", "2021", "--source", str(long_source), "--out", str(out), "--format", "html"]) == 0
    page = out / "2021" / "web" / "goal-G1.html"
    assert TEXTS["url"][1] in page.read_text(encoding="utf-8")
    result = subprocess.run(["node", str(ROOT / "tests" / "browser" / "table_widths.mjs"), str(page)],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    widths = json.loads(result.stdout)
    desktop = {t["id"]: t for t in widths["1280"]["tables"]}
    assert widths["1280"]["page"] <= 1280
    assert desktop["t-G1.1.2"]["width"] <= desktop["t-G1.1.2"]["region"] + 1
    phone = {t["id"]: t for t in widths["375"]["tables"]}
    assert widths["375"]["page"] <= 375
    assert phone["t-G1.1.2"]["width"] <= 44 * 16 + 1


def test_the_word_table_starts_below_its_heading(word_pages):
    """LibreOffice starts the table with the long 取組状況 on the page of its
    heading (kept together, it moved to the next page, leaving the headings alone)."""
    pages = [compact(p) for p in word_pages]
    start = next(n for n, p in enumerate(pages) if "第0" + SENTENCE in p)
    assert "①福祉教育の推進" in pages[start].replace("①福祉教育の推進（続き）", "")
    assert "令和3年度の取組状況" in pages[start]


def test_a_table_whose_long_text_would_begin_at_a_page_foot_moves_whole(tmp_path):
    """In the mini fixture, ② of 具体的目標1 starts near a page's foot; a long 取組状況
    in its first row used to leave the heading, the header row and an empty sliver of
    the row there (the text began on the next page).  The table now starts on the next
    page with its heading, the text's first piece beside its first row, every page of it
    showing text; and the text prints whole."""
    source = tmp_path / "source"
    shutil.copytree(MINI, source)
    path = source / "actuals" / "2021.yaml"
    text = long_text(3_000, "取組状況の終わりＨＯＴＥＬ。", "回の見守り活動を地域で続け，")
    old = "あいさつ運動が広がった。"
    assert path.read_text(encoding="utf-8").count(old) == 1
    path.write_text(path.read_text(encoding="utf-8").replace(old, text), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--year", "2021", "--source", str(source), "--out", str(out), "--format", "pdf"]) == 0
    pages = [compact(p) for p in pages_text(out / "2021" / f"{STEM}.pdf")]
    assert in_order(text, compact("".join(pages))) and compact(text[-20:]) in "".join(pages)
    import pikepdf

    import pdf_compare

    # the heading's page, by its bookmark (0-based)
    with pikepdf.open(out / "2021" / f"{STEM}.pdf") as pdf:
        heading = next(page for _, title, page, *_ in pdf_compare.outline(pdf)
                       if title == "② 地域と子ども・若者との関わりの促進")
    assert "第0回の見守り活動" in pages[heading], "the table's first page shows none of its 取組状況"
    assert "第0回の見守り活動" not in "".join(pages[:heading])
