"""``kplan-report review``: the edited Word draft read back into the actuals.

Each test builds the mini fixture's draft, edits it the way Word would
(lxml over the package: text replaced, a paragraph added, tracked
insertions and deletions, a comment, an edit to the plan's words, a control
deleted or duplicated), runs the command, and compares what it prints with
a golden text in ``tests/test_review/`` and, for ``--apply``, the change to
the actuals file with a golden diff.  Regenerate the goldens on purpose with

    pytest tests/test_review.py --regen-review-goldens

and read the diff.  The hostile drafts of ``tests/bad_drafts/`` each give one
line on stderr (``expected.txt``), exit status 2 and write nothing.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from kplan_report.cli import main
from kplan_report.validate.load import load_source
from kplan_report.views.outline import build_report
from kplan_report.writers.docx.writer import render_docx

HERE = Path(__file__).parent
GOLDEN = HERE / "test_review"
BAD = HERE / "bad_drafts"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
YEAR = "2021"
ACTUALS = Path("source/actuals/2021.yaml")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ---------------------------------------------------------------- editing a draft as Word would


class Draft:
    """The parts of a DOCX, editable with lxml, written back as a zip."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.files = {name: z.read(name) for name in z.namelist()}
        self.document = etree.fromstring(self.files["word/document.xml"])

    def control(self, tag: str, n: int = 0):
        return self.document.xpath("//w:sdt[w:sdtPr/w:tag/@w:val=$t]", namespaces=NS, t=tag)[n]

    def set_text(self, tag: str, text: str, n: int = 0):
        """Replace the control's runs by one run holding ``text`` (what typing over it leaves)."""
        content = self.control(tag, n).find(w("sdtContent"))
        for child in list(content):
            content.remove(child)
        content.append(run(text))

    def save(self, path: Path) -> Path:
        self.files["word/document.xml"] = etree.tostring(self.document, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.files.items():
                z.writestr(name, data)
        return path


def run(text: str, tag: str = "t"):
    r = etree.Element(w("r"), nsmap=NS)
    t = etree.SubElement(r, w(tag))
    t.text = text
    return r


def revision(kind: str, text: str, rid: int):
    el = etree.Element(w(kind), {w("id"): str(rid), w("author"): "委員 山田", w("date"): "2022-07-20T10:00:00Z"},
                       nsmap=NS)
    el.append(run(text, "delText" if kind == "del" else "t"))
    return el


@pytest.fixture
def draft(source) -> Draft:
    """The mini fixture's draft (``source`` is the mini fixture copied to ./source)."""
    report = build_report(load_source(source), 2021)
    return Draft(render_docx(report))


def review(*args: str, year: str = YEAR) -> tuple[int, str, str]:
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["review", *args, "--year", year, "--source", "source"])
    return status, out.getvalue(), err.getvalue()


def check_golden(request, name: str, text: str) -> None:
    path = GOLDEN / name
    if request.config.getoption("--regen-review-goldens"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden {name}: run with --regen-review-goldens"
    assert text == path.read_text(encoding="utf-8")


def yaml_diff(before: str, actuals: Path = ACTUALS) -> str:
    after = actuals.read_text(encoding="utf-8")
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), str(actuals), str(actuals)))


def apply_and_check(request, name: str, path: Path, *extra: str, year: str = YEAR) -> None:
    """--apply: the file changes as the golden diff says, validate passes, a second review says no changes."""
    actuals = Path(f"source/actuals/{year}.yaml")
    before = actuals.read_text(encoding="utf-8")
    status, out, err = review(str(path), "--apply", *extra, year=year)
    assert status == 0, err
    assert out.rstrip().endswith("fields)") or out.rstrip().endswith("field)")
    check_golden(request, f"{name}.diff", yaml_diff(before, actuals))
    assert main(["validate", "--source", "source"]) == 0
    status, out, _ = review(str(path), *extra, year=year)
    assert status == 0
    assert out.rstrip().endswith("summary: no changes（変更はありません）"), out


# ---------------------------------------------------------------- the draft as built


def test_the_built_draft_reviews_as_no_changes(draft, tmp_path):
    status, out, err = review(str(draft.save(tmp_path / "draft.docx")))
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "summary: no changes（変更はありません）"


def test_every_field_and_plan_passage_is_a_tagged_control(draft, source):
    tags = draft.document.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS)
    report = build_report(load_source(source), 2021)
    actions = [a.id for item in report.promotion_items() for row in item.rows for a in row.actions]
    assert [t for t in tags if re.fullmatch(r"plan:G[0-9.]+\.a[0-9]+", t)] == [f"plan:{a}" for a in actions]
    assert {"plan:G1.1.i2.name", "plan:G1.1.i2.baseline", "plan:G1.1.i2.target", "earlier:2020:G1.1.i2"} <= set(tags)
    assert "promotion_items.G1.1.1.citizen" in tags and "projects.p001.results" in tags
    assert {"opinions.overall.opinion", "opinions.overall.response", "opinions.objectives.G1.1.opinion",
            "opinions.objectives.G1.1.response"} <= set(tags)
    locked = draft.document.xpath("//w:sdt[w:sdtPr/w:lock/@w:val='sdtContentLocked']/w:sdtPr/w:tag/@w:val",
                                  namespaces=NS)
    assert locked == [t for t in tags if t.startswith(("plan:", "computed:", "earlier:"))]
    assert {"computed:G1.1.i2.progress", "computed:G1.1.i2.status"} <= set(locked)
    assert {"indicators.G1.1.i1.note", "indicators.G1.1.i2.measures.main.value",
            "indicators.G1.1.i1.measures.main.of", "indicators.G2.1.i1.measures.main.count",
            "indicators.G2.1.i3.measures.main.not_measured"} <= set(tags)
    alias = draft.control("promotion_items.G1.1.1.citizen").find(f"{w('sdtPr')}/{w('alias')}").get(w("val"))
    assert alias == "推進項目 ① 福祉教育の推進・市民 の取組状況"


# ---------------------------------------------------------------- edits, each with its golden report and YAML


def test_replaced_summary(draft, tmp_path, request):
    draft.set_text("promotion_items.G1.1.1.citizen", "地域の学習会に延べ350人が参加し，理解が深まった。")
    path = draft.save(tmp_path / "draft.docx")
    status, out, err = review(str(path))
    assert (status, err) == (0, "")
    check_golden(request, "replaced-summary.txt", out)
    apply_and_check(request, "replaced-summary", path)


def test_paragraph_added_to_results(draft, tmp_path, request):
    """Enter at the end of the text: Word turns the control into a block-level one holding two paragraphs."""
    sdt = draft.control("projects.p001.results")
    p = sdt.getparent()
    block = copy.deepcopy(sdt)
    content = block.find(w("sdtContent"))
    for child in list(content):
        content.remove(child)
    first = copy.deepcopy(p)
    for child in first.xpath("w:sdt|w:bookmarkStart|w:bookmarkEnd", namespaces=NS):
        first.remove(child)
    second = copy.deepcopy(first)
    first.extend(copy.deepcopy(list(sdt.find(w("sdtContent")))))
    second.append(run("また，中学校2校で防災キャンプを行った。"))
    content.extend([first, second])
    p.addprevious(block)
    p.getparent().remove(p)
    path = draft.save(tmp_path / "draft.docx")
    status, out, err = review(str(path))
    assert (status, err) == (0, "")
    check_golden(request, "paragraph-added.txt", out)
    apply_and_check(request, "paragraph-added", path)


def tracked(draft: Draft) -> Draft:
    """A tracked insertion at the end of one summary and a tracked deletion in a project's next steps."""
    content = draft.control("promotion_items.G1.1.1.community_business").find(w("sdtContent"))
    content.append(revision("ins", "特に3地区で参加者が増えた。", 901))
    content = draft.control("projects.p002.next_steps").find(w("sdtContent"))
    for child in list(content):
        content.remove(child)
    content.extend([run("若い世代の"), revision("del", "参加を", 902), run("促す。")])
    return draft


def test_tracked_changes_are_pending_by_default(draft, tmp_path, request):
    path = tracked(draft).save(tmp_path / "draft.docx")
    before = ACTUALS.read_bytes()
    status, out, err = review(str(path))
    assert (status, err) == (0, "")
    check_golden(request, "tracked-pending.txt", out)
    status, out, err = review(str(path), "--apply")
    assert status == 2
    assert err.splitlines()[0].startswith("draft.docx: found 2 passages with tracked changes; expected no tracked changes")
    assert ACTUALS.read_bytes() == before


def test_tracked_changes_accepted(draft, tmp_path, request):
    path = tracked(draft).save(tmp_path / "draft.docx")
    status, out, err = review(str(path), "--track-changes", "accept")
    assert (status, err) == (0, "")
    check_golden(request, "tracked-accept.txt", out)
    apply_and_check(request, "tracked-accept", path, "--track-changes", "accept")


def test_tracked_changes_rejected_are_no_change(draft, tmp_path):
    path = tracked(draft).save(tmp_path / "draft.docx")
    status, out, _ = review(str(path), "--track-changes", "reject")
    assert status == 0
    assert out.splitlines()[-1] == "summary: no changes（変更はありません）"


def test_comment_is_listed_with_its_field(draft, tmp_path, request):
    sdt = draft.control("opinions.objectives.G1.1.opinion")
    content = sdt.find(w("sdtContent"))
    content.insert(0, etree.Element(w("commentRangeStart"), {w("id"): "0"}, nsmap=NS))
    content.append(etree.Element(w("commentRangeEnd"), {w("id"): "0"}, nsmap=NS))
    ref = etree.SubElement(content, w("r"))
    etree.SubElement(ref, w("commentReference"), {w("id"): "0"})
    draft.files["word/comments.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:comments xmlns:w="{W}">'
        '<w:comment w:id="0" w:author="委員 佐藤" w:date="2022-07-21T09:30:00Z" w:initials="佐">'
        '<w:p><w:r><w:t>「若い世代」に中高生を含むか確認したい。</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>事務局で回答をお願いします。</w:t></w:r></w:p></w:comment></w:comments>').encode()
    rels = draft.files["word/_rels/document.xml.rels"].decode()
    draft.files["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdComments" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'comments" Target="comments.xml"/></Relationships>')).encode()
    types = draft.files["[Content_Types].xml"].decode()
    draft.files["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.comments+xml"/></Types>')).encode()
    status, out, err = review(str(draft.save(tmp_path / "draft.docx")))
    assert (status, err) == (0, "")
    check_golden(request, "comment.txt", out)


def refused(request, name: str, path: Path) -> str:
    before = ACTUALS.read_bytes()
    status, out, err = review(str(path))
    assert status == 2 and "Traceback" not in err
    check_golden(request, f"{name}.txt", out + "--- stderr\n" + err)
    status, _, _ = review(str(path), "--apply")
    assert status == 2
    assert ACTUALS.read_bytes() == before
    return err


def test_edit_to_the_plans_words_is_refused(draft, tmp_path, request):
    draft.set_text("plan:G1.1.1.a01", "・福祉について学びます。")
    err = refused(request, "plan-edit", draft.save(tmp_path / "draft.docx"))
    assert err.startswith("draft.docx: plan:G1.1.1.a01: found an edit to the plan's words")


def test_deleted_control_is_refused(draft, tmp_path, request):
    """Word's 「コンテンツ コントロールの削除」 keeps the text and removes the control."""
    sdt = draft.control("promotion_items.G1.1.1.city_council")
    for child in sdt.find(w("sdtContent")):
        sdt.addprevious(child)
    sdt.getparent().remove(sdt)
    err = refused(request, "deleted-control", draft.save(tmp_path / "draft.docx"))
    assert "promotion_items.G1.1.1.city_council: found no content controls" in err


def test_duplicated_control_is_refused(draft, tmp_path, request):
    p = draft.control("promotion_items.G1.1.1.citizen").getparent()
    p.addnext(copy.deepcopy(p))
    err = refused(request, "duplicated-control", draft.save(tmp_path / "draft.docx"))
    assert "promotion_items.G1.1.1.citizen: found 2 content controls" in err


def test_unknown_tag_is_refused(draft, tmp_path):
    tag = draft.control("promotion_items.G1.1.1.citizen").find(f"{w('sdtPr')}/{w('tag')}")
    tag.set(w("val"), "promotion_items.G9.9.9.citizen")
    status, _, err = review(str(draft.save(tmp_path / "draft.docx")))
    assert status == 2
    assert "promotion_items.G9.9.9.citizen: found a content control tagged 'promotion_items.G9.9.9.citizen'" in err


def test_filling_an_empty_summary_adds_the_key(draft, tmp_path, request):
    """G1.1.2's 市・市社協 row has no 取組状況: the draft shows ― there."""
    assert "".join(draft.control("promotion_items.G1.1.2.city_council").itertext()) == "―"
    draft.set_text("promotion_items.G1.1.2.city_council", "中学校で職場体験を受け入れた。")
    path = draft.save(tmp_path / "draft.docx")
    apply_and_check(request, "filled-empty", path)


def test_draft_of_another_year_is_refused(draft, tmp_path):
    props = draft.files["docProps/custom.xml"].decode()
    draft.files["docProps/custom.xml"] = props.replace("<vt:lpwstr>2021</vt:lpwstr>", "<vt:lpwstr>2020</vt:lpwstr>", 1).encode()
    status, out, err = review(str(draft.save(tmp_path / "draft.docx")))
    assert (status, out) == (2, "")
    assert err.splitlines()[0] == "draft.docx: found a draft of FY2020; expected a draft of FY2021（令和3年度（2021年度）の下書きを指定してください）"


def test_draft_of_other_plan_data_is_refused(draft, tmp_path):
    path = draft.save(tmp_path / "draft.docx")
    plan = Path("source/plan.yaml")
    plan.write_text(plan.read_text(encoding="utf-8") + "# 変更\n", encoding="utf-8")
    status, out, err = review(str(path))
    assert (status, out) == (2, "")
    assert err.startswith("draft.docx: found a draft built from other plan data (fingerprint ")


def test_yaml_changed_since_the_build(draft, tmp_path):
    """A field changed in the YAML only is not the draft's change; changed in both, it is refused."""
    path = draft.save(tmp_path / "draft.docx")
    text = ACTUALS.read_text(encoding="utf-8")
    ACTUALS.write_text(text.replace("継続して実施する。", "継続して全校で実施する。"), encoding="utf-8")
    status, out, _ = review(str(path))
    assert status == 0
    assert "note: the actuals file changed after the draft was built" in out
    assert out.splitlines()[-1] == ("summary: no changes（変更はありません）; 1 changed in the actuals file since the "
                                    "draft was built, not in the draft")
    draft.set_text("projects.p001.next_steps", "来年度も実施する。")
    status, out, err = review(str(draft.save(tmp_path / "draft2.docx")))
    assert status == 2
    assert "projects.p001.next_steps: found an edit in the draft to a text the actuals file has changed" in err


# ---------------------------------------------------------------- the indicators' passages


@pytest.mark.parametrize("year", [2021, 2023])
def test_value_spans_print_the_values(year):
    """The draft's pieces of every indicator cell and note join to the text the PDF prints."""
    report = build_report(load_source(HERE.parent / "source"), year)
    rows = report.indicator_rows()
    assert rows
    for row in rows:
        assert ["".join(s.text for s in spans) for spans in row.value_spans] == row.values
        assert ["".join(s.text for s in spans) for spans in row.note_spans] == row.notes
        # earlier years: one locked passage each (that year's file holds them)
        assert all(len(spans) == 1 and spans[0].field.locked and spans[0].field.path.startswith("earlier:")
                   for spans in row.value_spans[:-1])


def test_indicator_value_replaced(draft, tmp_path, request):
    """認知症サポーター 8,900 → 9100 in 第3章's table (the 資料編 prints it again, unedited)."""
    assert "".join(draft.control("indicators.G1.1.i2.measures.main.value").itertext()) == "8,900"
    assert draft.control("indicators.G1.1.i2.measures.main.value").find(f"{w('sdtPr')}/{w('text')}") is not None
    draft.set_text("indicators.G1.1.i2.measures.main.value", "9100")
    path = draft.save(tmp_path / "draft.docx")
    status, out, err = review(str(path))
    assert (status, err) == (0, "")
    check_golden(request, "indicator-value.txt", out)
    apply_and_check(request, "indicator-value", path)


def test_indicator_value_in_full_width_digits_is_that_number(draft, tmp_path):
    draft.set_text("indicators.G1.1.i3.measures.sessions.value", "２５")
    status, out, err = review(str(draft.save(tmp_path / "draft.docx")))
    assert (status, err) == (0, "")
    assert "\nchanged: indicators.G1.1.i3.measures.sessions.value\n" in out
    assert "\n- 2[-2-]\n+ 2{+5+}\n" in out


def test_indicator_value_written_otherwise_is_no_change(draft, tmp_path):
    """8900 typed for 8,900 (the same number without the separator) changes nothing."""
    draft.set_text("indicators.G1.1.i2.measures.main.value", "8900")
    status, out, _ = review(str(draft.save(tmp_path / "draft.docx")))
    assert status == 0
    assert out.splitlines()[-1] == "summary: no changes（変更はありません）"


def test_indicator_value_that_is_not_a_number_is_refused(draft, tmp_path, request):
    draft.set_text("indicators.G1.1.i2.measures.main.value", "約9,100")
    err = refused(request, "indicator-not-a-number", draft.save(tmp_path / "draft.docx"))
    assert err.startswith("draft.docx: indicators.G1.1.i2.measures.main.value: found '約9,100' (text) in 基本目標Ⅰ")


@pytest.mark.parametrize("tag, text, message", [
    ("indicators.G1.1.i2.measures.main.value", "91,00", "found '91,00' (text) in "),
    ("indicators.G1.1.i3.measures.districts.value", "15.5", "found 15.5 (not a whole number) in "),
    ("indicators.G2.1.i1.measures.main.value", "120", "found 120 (more than 100) in "),
    ("indicators.G2.1.i1.measures.main.count", "250", "indicators.G2.1.i1.measures.main.count: found 250 (more than of: 200)"),
    ("indicators.G1.1.i1.measures.main.value", "", "found an empty value ("),
], ids=["commas", "not-whole", "percent-over-100", "count-over-of", "emptied"])
def test_indicator_value_refused_by_the_readers_rules(draft, tmp_path, tag, text, message):
    before = ACTUALS.read_bytes()
    draft.set_text(tag, text)
    path = draft.save(tmp_path / "draft.docx")
    status, _, err = review(str(path), "--apply")
    assert status == 2 and "Traceback" not in err
    assert message in err.splitlines()[0], err
    assert ACTUALS.read_bytes() == before


@pytest.mark.parametrize("typed", ["9,100", "９，１００", " 9,100 "])
def test_indicator_value_typed_with_the_drafts_separators_is_that_number(draft, tmp_path, typed):
    """The draft prints 8,900: overtyped as 9,100 (grouped by thousands, as printed) it is 9100."""
    before = ACTUALS.read_text(encoding="utf-8")
    draft.set_text("indicators.G1.1.i2.measures.main.value", typed)
    status, out, err = review(str(draft.save(tmp_path / "draft.docx")), "--apply")
    assert status == 0, err
    assert "+  G1.1.i2: {measures: {main: {value: 9100}}}" in yaml_diff(before)


def test_value_typed_over_not_measured_replaces_the_reason(draft, tmp_path, request):
    """G2.1.i3 was 未把握 (not_measured: 感染症対策のため…): a value typed in empties the reason with it."""
    assert "".join(draft.control("indicators.G2.1.i3.measures.main.value").itertext()) == "未把握"
    draft.set_text("indicators.G2.1.i3.measures.main.value", "7")
    path = draft.save(tmp_path / "draft.docx")
    status, out, err = review(str(path))
    assert (status, err) == (0, "")
    check_golden(request, "value-over-not-measured.txt", out)
    apply_and_check(request, "value-over-not-measured", path)


def test_value_entered_for_a_measure_not_entered_adds_it(draft, tmp_path):
    """A measure the actuals do not have yet prints 未把握; a number typed over it adds the entry."""
    text = ACTUALS.read_text(encoding="utf-8")
    ACTUALS.write_text("".join(line for line in text.splitlines(True) if not line.startswith("  G2.1.i2:")),
                       encoding="utf-8")
    draft = Draft(render_docx(build_report(load_source(Path("source")), 2021)))
    assert "".join(draft.control("indicators.G2.1.i2.measures.main.value").itertext()) == "未把握"
    draft.set_text("indicators.G2.1.i2.measures.main.value", "2")
    path = draft.save(tmp_path / "draft.docx")
    before = ACTUALS.read_text(encoding="utf-8")
    status, out, err = review(str(path), "--apply")
    assert status == 0, err
    assert "+  G2.1.i2:\n+    measures:\n+      main:\n+        value: 2\n" in yaml_diff(before)
    assert main(["validate", "--source", "source"]) == 0
    assert review(str(path))[1].splitlines()[-1] == "summary: no changes（変更はありません）"


def test_indicator_note_edited(draft, tmp_path, request):
    draft.set_text("indicators.G1.1.i1.note", "幼稚園1園で感染症のため実施できなかった。")
    path = draft.save(tmp_path / "draft.docx")
    status, out, err = review(str(path))
    assert (status, err) == (0, "")
    check_golden(request, "indicator-note.txt", out)
    apply_and_check(request, "indicator-note", path)


def test_not_measured_reason_edited(draft, tmp_path):
    draft.set_text("indicators.G2.1.i3.measures.main.not_measured", "学校の休校のため調査しなかった。")
    path = draft.save(tmp_path / "draft.docx")
    status, out, err = review(str(path))
    assert (status, err) == (0, "")
    assert re.findall(r"^changed: (\S+)$", out, re.M) == ["indicators.G2.1.i3.measures.main.not_measured"]
    before = ACTUALS.read_text(encoding="utf-8")
    assert review(str(path), "--apply")[0] == 0
    assert "not_measured: 学校の休校のため調査しなかった。" in yaml_diff(before)


def test_edit_to_a_computed_cell_is_refused(draft, tmp_path, request):
    """進捗 and 評価 follow from the values: locked controls, an edit made anyway is refused."""
    sdt = draft.control("computed:G1.1.i2.progress")
    assert sdt.find(f"{w('sdtPr')}/{w('lock')}").get(w("val")) == "sdtContentLocked"
    draft.set_text("computed:G1.1.i2.progress", "100.0％")
    err = refused(request, "computed-edit", draft.save(tmp_path / "draft.docx"))
    assert err.startswith("draft.docx: computed:G1.1.i2.progress: found an edit to a value the report computes")


@pytest.mark.parametrize("tag, text, message", [
    ("earlier:2020:G1.1.i2", "8,800⁠人", "earlier:2020:G1.1.i2: found an edit to the values of FY2020 ("),
    ("plan:G1.1.i2.target", "10,000人", "plan:G1.1.i2.target: found an edit to the plan's words ("),
    ("computed:G1.1.i2.status", "達成", "computed:G1.1.i2.status: found an edit to a value the report computes ("),
], ids=["earlier-year", "target", "status"])
def test_edit_to_a_locked_indicator_cell_is_refused(draft, tmp_path, tag, text, message):
    draft.set_text(tag, text)
    before = ACTUALS.read_bytes()
    status, _, err = review(str(draft.save(tmp_path / "draft.docx")), "--apply")
    assert status == 2 and message in err.splitlines()[0], err
    assert ACTUALS.read_bytes() == before


# ---------------------------------------------------------------- the final edition's period texts


@pytest.fixture
def final_draft(tmp_path, monkeypatch) -> Draft:
    """The FY2023 sample's final edition (最終評価報告書), its source copied to ./source."""
    shutil.copytree(HERE.parent / "source", tmp_path / "source")
    monkeypatch.chdir(tmp_path)
    return Draft(render_docx(build_report(load_source(Path("source")), 2023)))


def test_final_draft_tags_the_period_texts(final_draft, tmp_path):
    tags = final_draft.document.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS)
    assert {"period_review.goals.G1.results", "period_review.goals.G1.next_plan",
            "period_review.objectives.G3.2.results", "period_review.objectives.G3.2.next_plan",
            "period_review.opinion.opinion", "period_review.opinion.response"} <= set(tags)
    # the evaluation year's values: 第3章, 資料編 and the final table; the final table's computed cells locked
    assert tags.count("indicators.G1.1.i2.measures.main.value") == 3
    locked = final_draft.document.xpath("//w:sdt[w:sdtPr/w:lock]/w:sdtPr/w:tag/@w:val", namespaces=NS)
    assert {"computed:G1.1.i2.final", "computed:G1.1.i2.rate", "computed:G1.1.i2.judgement",
            "earlier:2019:G1.1.i2.final", "earlier:2022:G1.1.i2", "plan:G1.1.i2.target"} <= set(locked)
    status, out, err = review(str(final_draft.save(tmp_path / "draft.docx")), year="2023")
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "summary: no changes（変更はありません）"


def test_period_text_edited_in_the_final_draft(final_draft, tmp_path, request):
    final_draft.set_text("period_review.objectives.G1.1.next_plan",
                         "交流活動・福祉体験活動が未実施の園・所が残っている。働く世代への講座の拡大が課題である。")
    final_draft.set_text("period_review.opinion.response", "最終評価の結果を次期計画に反映します。")
    path = final_draft.save(tmp_path / "draft.docx")
    status, out, err = review(str(path), year="2023")
    assert (status, err) == (0, "")
    check_golden(request, "period-text.txt", out)
    apply_and_check(request, "period-text", path, year="2023")


def test_period_text_without_its_pair_is_refused(final_draft, tmp_path):
    """成果 and 次期計画への課題 go together: emptying one of them alone is refused."""
    final_draft.set_text("period_review.goals.G2.next_plan", "")
    before = Path("source/actuals/2023.yaml").read_bytes()
    status, _, err = review(str(final_draft.save(tmp_path / "draft.docx")), "--apply", year="2023")
    assert status == 2 and "Traceback" not in err
    assert err.splitlines()[0].startswith("draft.docx: period_review.goals.G2.next_plan: found 基本目標Ⅱ の成果 without "
                                          "基本目標Ⅱ の次期計画への課題"), err
    assert Path("source/actuals/2023.yaml").read_bytes() == before


def test_period_texts_filled_for_an_entry_not_entered(final_draft, tmp_path, request):
    """An objective without period texts prints ―; both filled in add the entry, one alone is refused."""
    actuals = Path("source/actuals/2023.yaml")
    text = actuals.read_text(encoding="utf-8")
    start = text.index("    G2.1:\n", text.index("period_review:"))
    end = text.index("    G2.2:\n", start)
    actuals.write_text(text[:start] + text[end:], encoding="utf-8")
    draft = Draft(render_docx(build_report(load_source(Path("source")), 2023)))
    assert "".join(draft.control("period_review.objectives.G2.1.results").itertext()) == "―"
    draft.set_text("period_review.objectives.G2.1.results", "地区住民懇談会が全地区で開催された。")
    status, _, err = review(str(draft.save(tmp_path / "one.docx")), year="2023")
    assert status == 2
    assert "period_review.objectives.G2.1.next_plan: found 基本目標Ⅱ・具体的目標1 の成果 without" in err
    draft.set_text("period_review.objectives.G2.1.next_plan", "住民自治組織の組織率の向上が課題である。")
    apply_and_check(request, "period-filled", draft.save(tmp_path / "both.docx"), year="2023")


# ---------------------------------------------------------------- LibreOffice


def libreoffice_roundtrip(path: Path, out_dir: Path) -> Path:
    profile = out_dir / "lo-profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "docx",
         "--outdir", str(out_dir / "lo"), str(path)], capture_output=True, text=True, timeout=300)
    saved = out_dir / "lo" / path.name
    assert result.returncode == 0 and saved.exists(), result.stderr
    return saved


def test_libreoffice_round_trip_reviews_as_no_changes(draft, tmp_path):
    saved = libreoffice_roundtrip(draft.save(tmp_path / "draft.docx"), tmp_path)
    # LibreOffice 7.4 keeps the controls but not their tags: the review reads the bookmarks
    status, out, err = review(str(saved))
    assert (status, err) == (0, ""), out
    assert "read by its bookmarks" in out.splitlines()[0]
    assert out.splitlines()[-1] == "summary: no changes（変更はありません）"


def test_text_replaced_through_libreoffice_reviews_as_that_change(draft, tmp_path):
    """検索と置換 in LibreOffice (a Basic macro, headless), saved as DOCX: exactly that change."""
    path = draft.save(tmp_path / "draft.docx")
    libreoffice_roundtrip(path, tmp_path)  # creates the profile
    module = tmp_path / "lo-profile/user/basic/Standard/Module1.xba"
    assert module.exists()
    shutil.copyfile(HERE / "libreoffice/Module1.xba", module)
    saved = tmp_path / "replaced.docx"
    macro = f'macro:///Standard.Module1.ReplaceText("{path}","{saved}","延べ300人","延べ350人")'
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", macro],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and saved.exists(), result.stderr
    status, out, err = review(str(saved))
    assert (status, err) == (0, "")
    assert re.findall(r"^changed: (\S+)$", out, re.M) == ["promotion_items.G1.1.1.citizen"]
    assert "\n- 地域の学習会に延べ3[-0-]0人が参加した。\n+ 地域の学習会に延べ3{+5+}0人が参加した。\n" in out
    assert out.splitlines()[-1] == "summary: 1 field changed, 0 pending, 0 comments, 0 refused"


def test_value_replaced_through_libreoffice_reviews_as_that_change(draft, tmp_path):
    """8,900 → 9100 with 検索と置換 in LibreOffice (both places, 第3章 and 資料編): the plain-text
    controls come back by their bookmarks, the value as typed."""
    path = draft.save(tmp_path / "draft.docx")
    libreoffice_roundtrip(path, tmp_path)  # creates the profile
    shutil.copyfile(HERE / "libreoffice/Module1.xba", tmp_path / "lo-profile/user/basic/Standard/Module1.xba")
    saved = tmp_path / "replaced.docx"
    macro = f'macro:///Standard.Module1.ReplaceText("{path}","{saved}","8,900","9100")'
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", macro],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and saved.exists(), result.stderr
    status, out, err = review(str(saved))
    assert (status, err) == (0, ""), out
    assert re.findall(r"^changed: (\S+)$", out, re.M) == ["indicators.G1.1.i2.measures.main.value"]
    assert "\n- [-8-]900\n+ 9{+1+}00\n" in out
    assert out.splitlines()[-1] == "summary: 1 field changed, 0 pending, 0 comments, 0 refused"
    before = ACTUALS.read_text(encoding="utf-8")
    assert review(str(saved), "--apply")[0] == 0
    assert "+  G1.1.i2: {measures: {main: {value: 9100}}}" in yaml_diff(before)


# ---------------------------------------------------------------- hostile drafts

BAD_CASES = sorted(p for p in BAD.iterdir() if p.is_dir())
LINE = re.compile(r"^\S+\.doc[xm]: (?:\S+: )?found .+; expected .+（.+）$")


def test_corpus_is_documented():
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert len(BAD_CASES) >= 12
    assert [c.name for c in BAD_CASES if f"`{c.name}`" not in readme] == []


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.name for c in BAD_CASES])
def test_hostile_draft(case, source, request):
    (file,) = [p for p in case.iterdir() if p.name.startswith("draft.")]
    local = Path(file.name)
    shutil.copyfile(file, local)
    before = {p: p.read_bytes() for p in Path("source").rglob("*") if p.is_file()}
    status, out, err = review(str(local), "--apply")
    assert status == 2 and out == "" and "Traceback" not in err
    problem, summary = err.splitlines()
    assert LINE.match(problem), problem
    assert summary == "1 problem in 1 file（1ファイルに1件の誤りがあります）"
    golden = case / "expected.txt"
    if request.config.getoption("--regen-review-goldens"):
        golden.write_text(err, encoding="utf-8")
    assert err == golden.read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in Path("source").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("paragraph, limit", [
    ("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", "bytes per part"),  # 40 MB of XML: refused by its size
    ("<w:p>{}</w:p>", "elements in word/document.xml"),  # 17 MB: parsing stops at the element limit
], ids=["runs", "bare"])
def test_a_million_paragraphs_end_in_bounded_time_and_memory(draft, tmp_path, paragraph, limit):
    """A draft with 1,000,000 paragraphs more: refused within seconds, in less than 1 GB."""
    xml = etree.tostring(draft.document).decode()
    assert "</w:body>" in xml
    filler = "".join(paragraph.format(i) for i in range(1_000_000))
    xml = xml.replace("</w:body>", filler + "</w:body>", 1)
    path = tmp_path / "million.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in draft.files.items():
            z.writestr(name, xml.encode() if name == "word/document.xml" else data)

    def at_most_1_gb():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "kplan_report", "review", str(path), "--year", YEAR,
                             "--source", "source"], capture_output=True, text=True, timeout=60,
                            preexec_fn=at_most_1_gb)
    seconds = time.perf_counter() - start
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    first = result.stderr.splitlines()[0]
    assert limit in first, first
    assert seconds < 15
