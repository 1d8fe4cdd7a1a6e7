"""Reading the council's edited Word draft back into the actuals.

The draft (:mod:`kplan_report.writers.docx.writer`) holds every passage that
comes from the actuals as a content control tagged with its field path
(``promotion_items.G1.1.1.citizen``), and the plan's own words as locked
controls (``plan:G1.1.1.a01``).  :func:`review` opens an edited draft
(defensively: :mod:`.draft_package`), reads every tagged passage, compares it
with the source the draft was built from, and returns a :class:`Review`:

* the fields whose text changed (old and new, the changed characters marked);
* passages holding tracked changes: *pending* by default ("accept or reject
  them in Word, or pass --track-changes"), or with ``track_changes`` =
  ``accept``/``reject`` the text as Word would show it then;
* the comments, with author, date and the field they sit on;
* what is refused (one line each): an edit to the plan's words, a deleted or
  duplicated control, a tag this report does not have, two different edits
  of one field printed in several places, an edit of a field that the YAML
  file has changed since the draft was built.

A draft of another year, another plan or other plan data is refused as a
whole.  The year's actuals file may have changed since the draft was built
(a first ``--apply`` changes it): the draft carries a short hash of every
field's text as built (``kplan.baseline.<field>``), so a field is the draft's
change only when the draft's text differs from that, and a second review of
the same draft reports no change.

LibreOffice (7.4) keeps a run-level control but drops its tag; it keeps the
bookmark the writer puts around each passage (:func:`bookmark_name`), so a
draft saved by LibreOffice is read by its bookmarks.

:func:`apply` writes the changed fields into ``actuals/<YEAR>.yaml`` with the
round-trip writer (:mod:`.roundtrip`: comments and layout kept, atomic),
after checking that the result validates.
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lxml import etree

from ..model import Measure, MeasureActual
from ..text.japanese import fiscal_year_label
from ..validate.load import ACTUALS_DIR, Source, _check_measure, load_source
from ..validate.messages import InputError
from ..views.blocks import IndicatorTable, Opinion, PromotionItemTable, Table, Text, walk
from ..views.outline import Report, build_report
from ..views.pieces import COMPUTED, EARLIER, Field
from ..writers.docx.oxml import baseline_hash, bookmark_name, clean_text
from ..writers.docx.package import BASELINE_PREFIX
from .draft_package import W, DraftProblem, open_draft, refuse
from .roundtrip import Change, plan_changes, write_changes
from .scalars import number_text
from .xlsx.read import parse_cell  # a number typed in a draft is read as one typed in a workbook
from .yamlio import MAX_TEXT_CHARS, display_path

TRACK_CHANGES = ("accept", "reject")
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

_REVISIONS = {f"{{{W}}}{t}" for t in ("ins", "del", "moveFrom", "moveTo")}
_SKIP = {f"{{{W}}}{t}" for t in ("pPr", "rPr", "sdtPr", "instrText", "delInstrText", "fldChar", "drawing",
                                  "pict", "object", "tblPr", "trPr", "tcPr", "tblGrid", "sectPr")}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ---------------------------------------------------------------- what the draft should hold


@dataclass
class Expected:
    """A field of the report as the current source prints it."""

    field: Field
    current: str  # the source's text ("" when empty); for a plan passage, the printed text
    occurrences: int = 0
    placeholder: str | None = None  # printed instead of an empty text (―)


def expected_fields(report: Report, unknown: str = "") -> dict[str, Expected]:
    """Every field the draft of ``report`` carries, by tag, in document order.

    ``unknown`` is what a missing value prints (the scale's 未把握): in a value's
    control it means "empty", whether or not the value is missing now."""
    found: dict[str, Expected] = {}
    no_review = report.labels.no_review

    def add(f: Field | None, current: str, placeholder: str | None = None) -> None:
        if f is None:
            return
        if f.kind != "text":
            placeholder = unknown
        elif f.keys[:1] == ("period_review",) and f.keys[1:2] != ("opinion",):
            placeholder = no_review
        if f.empty:  # printed as 未把握 / ― because the field is empty
            current, placeholder = "", f.empty
        entry = found.setdefault(f.path, Expected(f, normalise(current), 0, placeholder))
        entry.occurrences += 1

    for section in walk(report.sections):
        for block in section.blocks:
            if isinstance(block, PromotionItemTable):
                for row in block.item.rows:
                    for action in row.actions:
                        add(action.field, f"{block.bullet}{action.text}{action.tag}")
                    add(row.summary_field, row.summary, block.no_summary)
            elif isinstance(block, Table):
                for cells in block.rows:
                    for cell in cells:
                        for span in cell.spans:
                            add(span.field, span.text)
                        add(cell.field, cell.text)
            elif isinstance(block, Opinion):
                add(block.opinion.opinion_field, block.opinion.opinion)
                add(block.opinion.response_field, block.opinion.response)
            elif isinstance(block, Text):
                for text, f in zip(block.paragraphs, block.fields):
                    add(f, text)
            elif isinstance(block, IndicatorTable):
                for row in block.rows:
                    for spans in row.value_spans:
                        for span in spans:
                            add(span.field, span.text)
                    add(row.name_field, row.name)
                    add(row.baseline_field, row.baseline)
                    add(row.target_field, row.target)
                    add(row.progress_field, row.progress)
                    add(row.status_field, row.status)
                    if block.charts:
                        for spans in row.note_spans:
                            for span in spans:
                                add(span.field, span.text)
    return found


def normalise(text: str) -> str:
    """A passage's text as the YAML reader would hold it: line ends as "\\n", no
    control characters but tab and newline, no white space at either end."""
    return clean_text(text).strip(" \t\n")  # not str.strip(): a leading 全角スペース is the text's


# ---------------------------------------------------------------- reading the passages


@dataclass
class Passage:
    tag: str
    parts: list[str] = field(default_factory=list)
    revisions: int = 0
    modes: dict[str, str] = field(default_factory=dict)  # its text with tracked changes accepted / rejected

    @property
    def text(self) -> str:
        return normalise("".join(self.parts))


@dataclass
class _Stream:
    """One pass over the body in document order: passages open and close, text flows into the open ones."""

    mode: str | None
    names: dict[str, str]  # bookmark name -> tag (bookmark mode), else empty
    use_tags: bool
    passages: list[Passage] = field(default_factory=list)
    open: list[Passage] = field(default_factory=list)
    bookmarks: dict[str, Passage] = field(default_factory=dict)  # bookmark id -> passage
    comment_anchor: dict[str, str] = field(default_factory=dict)  # comment id -> tag
    loose_comments: list[str] = field(default_factory=list)  # comments seen outside a passage, this paragraph

    def emit(self, text: str) -> None:
        for p in self.open:
            p.parts.append(text)

    def comment(self, cid: str) -> None:
        if cid in self.comment_anchor:
            return
        if self.open:
            self.comment_anchor[cid] = self.open[-1].tag
        else:
            self.loose_comments.append(cid)

    def start(self, tag: str) -> Passage:
        passage = Passage(tag)
        self.passages.append(passage)
        self.open.append(passage)
        for cid in self.loose_comments:  # a comment anchored just before the passage, in its paragraph
            self.comment_anchor.setdefault(cid, tag)
        self.loose_comments.clear()
        return passage

    def close(self, passage: Passage) -> None:
        if passage in self.open:
            self.open.remove(passage)

    def walk(self, el, removed: bool = False) -> None:
        """``removed``: inside a revision that the chosen mode drops (text not emitted)."""
        tag = el.tag
        if not isinstance(tag, str):
            return
        if tag in _REVISIONS:
            for p in self.open:
                p.revisions += 1
            inserted = tag in (w("ins"), w("moveTo"))
            drop = (self.mode == "reject" and inserted) or (self.mode != "reject" and not inserted)
            for child in el:
                self.walk(child, removed or drop)
            return
        if tag == w("sdt"):
            tag_el = el.find(f"{w('sdtPr')}/{w('tag')}")
            value = tag_el.get(w("val")) if tag_el is not None else None
            passage = self.start(value) if (self.use_tags and value is not None) else None
            content = el.find(w("sdtContent"))
            if content is not None:
                for child in content:
                    self.walk(child, removed)
            if passage is not None:
                self.close(passage)
            return
        if tag == w("bookmarkStart"):
            name = el.get(w("name"))
            if not self.use_tags and name in self.names:
                self.bookmarks[el.get(w("id"))] = self.start(self.names[name])
            return
        if tag == w("bookmarkEnd"):
            passage = self.bookmarks.pop(el.get(w("id")), None)
            if passage is not None:
                self.close(passage)
            return
        if tag in (w("commentRangeStart"), w("commentReference")):
            self.comment(el.get(w("id")))
            return
        if tag in _SKIP:
            return
        if tag == w("p"):
            mark = el.find(f"{w('pPr')}/{w('rPr')}")
            mark_ins = mark is not None and mark.find(w("ins")) is not None
            mark_del = mark is not None and mark.find(w("del")) is not None
            for child in el:
                self.walk(child, removed)
            if mark_ins or mark_del:
                for p in self.open:
                    p.revisions += 1
            joined = (self.mode == "reject" and mark_ins) or (self.mode != "reject" and mark_del)
            if not removed and not joined:
                self.emit("\n")
            self.loose_comments.clear()
            return
        if removed:
            for child in el:
                self.walk(child, True)
            return
        if tag == w("t") or (tag == w("delText") and self.mode == "reject"):
            self.emit(el.text or "")
        elif tag == w("tab") and el.getparent() is not None and el.getparent().tag == w("r"):
            self.emit("\t")
        elif tag in (w("br"), w("cr")):
            self.emit("\n")
        elif tag == w("noBreakHyphen"):
            self.emit("\u2011")
        else:
            for child in el:
                self.walk(child, removed)


def read_passages(document: etree._Element, mode: str | None, names: dict[str, str]) -> tuple[list[Passage], dict[str, str], bool]:
    """The tagged passages of the body, the field each comment sits on, and whether tags were used."""
    body = document.find(w("body"))
    if body is None:
        return [], {}, True
    use_tags = any(el.getparent().getparent().tag == w("sdt") for el in body.iter(w("tag")))
    stream = _Stream(mode, names, use_tags)
    for child in body:
        stream.walk(child)
    return stream.passages, stream.comment_anchor, use_tags


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    date: str
    field: str  # the tag it sits on, "" when on no field
    text: str


def read_comments(root: etree._Element | None, anchors: dict[str, str]) -> list[Comment]:
    if root is None:
        return []
    out = []
    for c in root.iter(w("comment")):
        stream = _Stream("accept", {}, False)
        sink = Passage("")
        stream.open.append(sink)
        for child in c:
            stream.walk(child)
        cid = c.get(w("id"))
        out.append(Comment(cid, c.get(w("author")) or "", (c.get(w("date")) or "")[:10], anchors.get(cid, ""), sink.text))
    return out


def custom_properties(root: etree._Element | None) -> dict[str, str]:
    if root is None:
        return {}
    out = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        value = next(iter(prop), None)
        out[prop.get("name") or ""] = (value.text or "") if value is not None else ""
    return out


# ---------------------------------------------------------------- the review


_TEXT = object()  # FieldChange.value of a text: the new text itself


@dataclass(frozen=True)
class FieldChange:
    """A field the draft changed: ``old`` and ``new`` as the report prints them side by side
    (a number as the YAML file spells it), ``value`` what goes into the file (``None`` empties it)."""

    field: Field
    old: str
    new: str
    value: object = _TEXT

    @property
    def change(self) -> Change:
        return Change(self.field.keys, (self.new or None) if self.value is _TEXT else self.value)


@dataclass(frozen=True)
class Pending:
    """A passage holding tracked changes: its text with them rejected and accepted."""

    field: Field
    revisions: int
    rejected: str = ""
    accepted: str = ""


@dataclass
class Review:
    display: str
    year: int
    status: str
    mode: str | None
    by_bookmarks: bool
    actuals_changed: bool
    fields: dict[str, Expected]
    changes: list[FieldChange] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    refused: list[DraftProblem] = field(default_factory=list)
    changed_in_file: int = 0  # fields the YAML changed since the draft was built, the draft did not

    def refuse(self, tag: str, found: str, expected: str) -> None:
        self.refused.append(DraftProblem(self.display, tag, found, expected))

    def place(self, tag: str) -> str:
        entry = self.fields.get(tag)
        return entry.field.place if entry else ""

    def text(self) -> str:
        """The report a person reads: per changed field its place, old and new text, then the summary."""
        lines = [f"{self.display}: {fiscal_year_label(self.year)} draft ({self.status})"
                 + (", read by its bookmarks (saved by a program that drops the controls' tags)" if self.by_bookmarks else "")
                 + (f", tracked changes {self.mode}ed" if self.mode else "")]
        if self.actuals_changed:
            lines.append("note: the actuals file changed after the draft was built; "
                         "only what the draft changed is reported（下書き作成後に実績ファイルが変更されています）")
        for c in self.changes:
            old, new = mark_changes(c.old, c.new)
            lines += ["", f"changed: {c.field.path}", f"  {c.field.place}", *_block("- ", old), *_block("+ ", new)]
        for p in self.pending:
            old, new = mark_changes(p.rejected, p.accepted)
            lines += ["", f"pending: {p.field.path} ({p.revisions} tracked change{'s' if p.revisions != 1 else ''}; "
                      "accept or reject them in Word, or pass --track-changes accept|reject)", f"  {p.field.place}",
                      *_block("- ", old), *_block("+ ", new)]
        for c in self.comments:
            where = f"{c.field} ({self.place(c.field)})" if c.field else "no field"
            lines += ["", f"comment {c.id} by {c.author or '(no author)'}, {c.date or '(no date)'}, on {where}:",
                      *_block("  ", c.text)]
        if self.refused:
            lines += ["", *(f"refused: {p}" for p in self.refused)]
        lines += ["", self.summary()]
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        if not (self.changes or self.pending or self.comments or self.refused):
            text = "no changes（変更はありません）"
        else:
            text = (f"{len(self.changes)} field{'s' if len(self.changes) != 1 else ''} changed, "
                    f"{len(self.pending)} pending, {len(self.comments)} comment{'s' if len(self.comments) != 1 else ''}, "
                    f"{len(self.refused)} refused")
        if self.changed_in_file:
            text += f"; {self.changed_in_file} changed in the actuals file since the draft was built, not in the draft"
        return f"summary: {text}"


def _block(prefix: str, text: str) -> list[str]:
    return [prefix + line for line in (text.split("\n") if text else ["（空）"])]


def mark_changes(old: str, new: str) -> tuple[str, str]:
    """``old`` with removed characters as ``[-…-]``, ``new`` with added ones as ``{+…+}`` (as wdiff)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    a, b = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            a.append(old[i1:i2])
            b.append(new[j1:j2])
            continue
        if i2 > i1:
            a.append(f"[-{old[i1:i2]}-]")
        if j2 > j1:
            b.append(f"{{+{new[j1:j2]}+}}")
    return "".join(a), "".join(b)


REBUILD = "a draft built from the current source; build a new draft（現在のデータから下書きを作り直してください）"


def review(draft: Path, source_dir: Path, year: int, track_changes: str | None = None) -> Review:
    """Read ``draft`` against ``source_dir``; raise :class:`InputError` when the whole draft is refused."""
    display = display_path(Path(draft))
    package = open_draft(Path(draft), display)
    props = custom_properties(package.part("docProps/custom.xml"))
    if "kplan.year" not in props or "kplan.plan_sha256" not in props:
        raise refuse(display, "a document without the draft's properties (kplan.year, kplan.plan_sha256)",
                     "a draft written by kplan-report build（kplan-report で作成した下書きを指定してください）")
    if props["kplan.year"] != str(year):
        raise refuse(display, f"a draft of FY{props['kplan.year']}",
                     f"a draft of FY{year}（{fiscal_year_label(year)}の下書きを指定してください）")
    source = load_source(Path(source_dir))
    if year not in source.actuals:
        raise refuse(display, f"no actuals for FY{year} in {display_path(Path(source_dir))}",
                     f"the source the draft was built from（{fiscal_year_label(year)}の実績ファイルがありません）")
    report = build_report(source, year)
    now = report.properties
    if props.get("kplan.plan_id") != now["kplan.plan_id"]:
        raise refuse(display, f"a draft of the plan {props.get('kplan.plan_id')!r}",
                     f"a draft of {now['kplan.plan_id']!r}（別の計画の下書きです）")
    if props["kplan.plan_sha256"] != now["kplan.plan_sha256"]:
        raise refuse(display, f"a draft built from other plan data (fingerprint {props['kplan.plan_sha256'][:12]}…, "
                     f"the source's is {now['kplan.plan_sha256'][:12]}…)", REBUILD)
    fields = expected_fields(report, next(s.label for s in source.evaluation.indicator_statuses if s.key == "unknown"))
    names = {bookmark_name(tag, k): tag for tag, e in fields.items() for k in range(1, e.occurrences + 1)}
    document = package.part("word/document.xml")
    passages, anchors, use_tags = read_passages(document, track_changes, names)
    if track_changes is None:  # what each pending passage would read as, to show the tracked changes
        for mode in TRACK_CHANGES:
            for passage, other in zip(passages, read_passages(document, mode, names)[0]):
                passage.modes[mode] = other.text
    result = Review(display, year, report.status, track_changes, not use_tags,
                    props.get("kplan.actuals_sha256") != now["kplan.actuals_sha256"], fields)
    result.comments = read_comments(package.part("word/comments.xml"), anchors)
    _compare(result, passages, props, source)
    return result


def _compare(result: Review, passages: list[Passage], props: dict[str, str], source: Source) -> None:
    by_tag: dict[str, list[Passage]] = defaultdict(list)
    for p in passages:
        by_tag[p.tag].append(p)
    for tag in by_tag:
        if tag not in result.fields:
            baseline = props.get(BASELINE_PREFIX + tag)
            if baseline and all(not p.text or baseline_hash(p.text) == baseline for p in by_tag[tag]):
                # the draft's own passage, unedited, of a field the actuals file no longer prints
                # (a not_measured reason emptied with the value typed over its 未把握)
                continue
            result.refuse(tag, f"a content control tagged {tag!r} that this report does not have",
                          "only the draft's own controls（この報告書にない項目です。他の文書からの貼り付けは取り込めません）")
    for tag, entry in result.fields.items():
        found = by_tag.get(tag, [])
        f = entry.field
        if len(found) < entry.occurrences:
            result.refuse(tag, f"{'no' if not found else len(found)} content control{'s' if len(found) != 1 else ''} "
                          f"for {f.place} (deleted)",
                          f"{entry.occurrences} (the control is kept; edit the text inside it)"
                          "（枠（コンテンツ コントロール）は削除せず、中の文章を編集してください）")
            continue
        if len(found) > entry.occurrences:
            result.refuse(tag, f"{len(found)} content controls for {f.place} (duplicated)",
                          f"{entry.occurrences}（同じ枠が複製されています。複製を削除してください）")
            continue
        pending = [p for p in found if p.revisions and result.mode is None]
        baseline = props.get(BASELINE_PREFIX + tag)
        if f.locked:
            # the plan's words as the plan has them; a computed text as the draft was built (the
            # values, and so the computed text, may have changed since: a first --apply changes them)
            if pending or any((baseline_hash(p.text) != baseline) if baseline else (p.text != entry.current)
                              for p in found):
                if tag.startswith(EARLIER):
                    other = tag[len(EARLIER):].split(":")[0]
                    result.refuse(tag, f"an edit to the values of FY{other} ({f.place})",
                                  f"that year's values unchanged; they are changed in {ACTUALS_DIR}/{other}.yaml"
                                  "（過年度の実績値はこの下書きでは編集できません。その年度の実績ファイルを修正してください）")
                elif tag.startswith(COMPUTED):
                    result.refuse(tag, f"an edit to a value the report computes ({f.place})",
                                  "the computed text unchanged; it follows from the year's values: change those"
                                  "（計算で求める欄は編集できません。実績値を修正してください）")
                else:
                    result.refuse(tag, f"an edit to the plan's words ({f.place})",
                                  "the plan's text unchanged; the plan is changed in plan.yaml, not in the report"
                                  "（計画の文言は編集できません）")
            continue
        if pending:
            first = pending[0]
            result.pending.append(Pending(f, sum(p.revisions for p in pending),
                                          first.modes.get("reject", ""), first.modes.get("accept", "")))
            continue
        texts = ["" if p.text == entry.placeholder else p.text for p in found]
        edited = sorted({t for t in texts if (baseline_hash(t) != baseline if baseline else t != entry.current)})
        if len(edited) > 1:
            result.refuse(tag, f"different texts in the {len(found)} places of {f.place}",
                          "one text, the same in every place（同じ項目が複数箇所で異なる内容に編集されています）")
            continue
        if not edited:
            if texts and texts[0] != entry.current:
                result.changed_in_file += 1
            continue
        new = edited[0]
        if f.kind != "text":
            _number_change(result, entry, new, baseline, source)
            continue
        if new == entry.current:
            continue
        if baseline and baseline_hash(entry.current) != baseline:
            _changed_in_both(result, f)
            continue
        if len(new) > MAX_TEXT_CHARS:
            result.refuse(tag, f"a text of {len(new):,} characters", f"at most {MAX_TEXT_CHARS:,}（{MAX_TEXT_CHARS:,}文字以内にしてください）")
            continue
        # an emptied 取組状況 is "not entered"; a pair (成果 / 課題) and a not_measured reason are judged with
        # their other half below
        if not new and tag.split(".")[0] != "promotion_items" and not f.pair and f.keys[-1:] != ("not_measured",):
            result.refuse(tag, f"an empty text ({f.place})", "text; to remove the entry, edit the YAML file（空にはできません）")
            continue
        result.changes.append(FieldChange(f, entry.current, new))
    _check_measures(result, source)
    _check_pairs(result)


def _changed_in_both(result: Review, f: Field) -> None:
    result.refuse(f.path, f"an edit in the draft to a text the actuals file has changed since the draft was built ({f.place})",
                  "one of them: edit the YAML file or build a new draft（下書き作成後に実績ファイルでも変更されています）")


def _measure(source: Source, keys: tuple[str, ...]) -> Measure | None:
    """The plan's measure of a field ``indicators.<id>.measures.<measure>.…``."""
    for goal in source.plan.goals:
        for objective in goal.objectives:
            for indicator in objective.indicators:
                if indicator.id == keys[1]:
                    return next((m for m in indicator.measures if m.id == keys[3]), None)
    return None


def _actual(result: Review, source: Source, keys: tuple[str, ...]) -> MeasureActual | None:
    entry = source.actuals[result.year].indicators.get(keys[1])
    return entry.measures.get(keys[3]) if entry is not None else None


def _number_change(result: Review, entry: Expected, new: str, baseline: str | None, source: Source) -> None:
    """A number typed into a value, count or of: read with the rules of the YAML file and the workbooks."""
    f = entry.field
    if not new:
        result.refuse(f.path, f"an empty value ({f.place})",
                      "a number; a value that could not be measured is entered in the actuals file as not_measured: 理由"
                      "（数値を入力してください。把握できなかった場合は実績ファイルに未把握の理由を入力してください）")
        return
    measure = _measure(source, f.keys)
    value, problem = parse_cell(_without_separators(new), f.kind, measure if f.kind == "number" else None, [])
    if problem is not None:
        found, expected = problem
        result.refuse(f.path, f"{found} in {f.place}", expected)
        return
    actual = _actual(result, source, f.keys)
    current = getattr(actual, f.keys[-1]) if actual is not None else None
    if current is not None and Decimal(current) == Decimal(value):
        return  # the same number, written otherwise (8900 for 8,900)
    if baseline and baseline_hash(entry.current) != baseline:
        _changed_in_both(result, f)
        return
    result.changes.append(FieldChange(f, "" if current is None else number_text(current), number_text(value), value))


#: A number grouped by thousands as the draft prints it (8,900; ８，９００ read as 8,900).
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def _without_separators(text: str) -> str:
    """``text`` without its thousands separators when they group it as the draft prints
    numbers (``9,100`` → ``9100``): the draft shows 8,900, and a member overtyping it
    writes 9,100.  Anything else (``91,00``, ``9,100人``) is left for the workbook
    reader's rules to refuse, as in a workbook or the YAML file."""
    plain = unicodedata.normalize("NFKC", text).strip()
    return plain.replace(",", "") if _GROUPED.fullmatch(plain) else text


def _check_measures(result: Review, source: Source) -> None:
    """The changed measures as a whole, with the YAML reader's rules (value or not_measured; count ≤ of …).

    A value typed over 未把握 replaces the not_measured reason, which is emptied with it."""
    changed: dict[tuple[str, ...], dict[str, FieldChange]] = defaultdict(dict)
    for c in result.changes:
        if c.field.keys[:1] == ("indicators",) and len(c.field.keys) == 5:
            changed[c.field.keys[:4]][c.field.keys[4]] = c
    for keys, changes in changed.items():
        measure = _measure(source, keys)
        actual = _actual(result, source, keys) or MeasureActual()
        values = {name: getattr(actual, name) for name in ("value", "count", "of", "not_measured")}
        for name, c in changes.items():
            values[name] = c.change.value
        reason_path = ".".join((*keys, "not_measured"))
        if "value" in changes and actual.not_measured is not None:
            if "not_measured" in changes and values["not_measured"] is not None:
                _drop(result, changes.values())
                result.refuse(reason_path, f"a value and a not_measured reason ({changes['value'].field.place})",
                              "either the value (leave the reason empty) or 未把握 and its reason"
                              "（実績値と未把握の理由のどちらか一方だけを入力してください）")
                continue
            if "not_measured" not in changes:
                reason = result.fields.get(reason_path)
                field = reason.field if reason else Field(reason_path, reason_path, changes["value"].field.place,
                                                          keys=(*keys, "not_measured"))
                result.changes.append(FieldChange(field, actual.not_measured, "", None))
                values["not_measured"] = None
        problems: list[tuple[tuple, str, str]] = []
        try:
            checked = MeasureActual(breakdown=actual.breakdown, **values)
        except ValueError as error:  # pydantic: a count below zero is caught by the reader already
            problems.append(((), str(error).splitlines()[0], "a valid measure"))
        else:
            _check_measure(measure, checked, keys, lambda path, found, expected: problems.append((path, found, expected)))
        if problems:
            _drop(result, changes.values())
            for path, found, expected in problems:
                tag = ".".join(path)
                where = result.fields[tag].field.place if tag in result.fields else next(iter(changes.values())).field.place
                result.refuse(tag, f"{found} in {where}", expected)


def _drop(result: Review, changes) -> None:
    drop = {id(c) for c in changes}
    result.changes = [c for c in result.changes if id(c) not in drop]


def _check_pairs(result: Review) -> None:
    """成果 and 次期計画への課題 (an opinion and its response) of a period_review entry: both, or neither."""
    by_path = {c.field.path: c for c in result.changes}
    for c in list(result.changes):
        f = c.field
        if not f.pair or (f.pair < f.path and f.pair in by_path):
            continue  # each pair judged once
        other = result.fields.get(f.pair)
        if other is None:
            continue
        mine = c.new
        theirs = by_path[f.pair].new if f.pair in by_path else other.current
        if bool(mine) == bool(theirs):
            continue
        empty, given = (f, other.field) if not mine else (other.field, f)
        _drop(result, [c, by_path.get(f.pair)])
        result.refuse(empty.path, f"{given.name} without {empty.name} ({given.place})",
                      "both texts of the entry, or neither（両方を入力してください。記入しない場合は両方とも空にしてください）")


# ---------------------------------------------------------------- applying


def apply(result: Review, source_dir: Path) -> bool:
    """Write the review's changes into the year's actuals file; whether it was written.

    Nothing is written when anything is refused or pending.  The new
    contents are validated with the whole source (in a temporary copy)
    before the file is replaced, atomically.
    """
    if result.refused:
        raise InputError(result.refused)  # type: ignore[arg-type]
    if result.pending:
        raise refuse(result.display, f"{len(result.pending)} passage{'s' if len(result.pending) != 1 else ''} with tracked changes",
                     "no tracked changes: accept or reject them in Word, or pass --track-changes accept|reject; nothing written"
                     "（変更履歴を承諾または元に戻してから取り込んでください）")
    if not result.changes:
        return False
    source_dir = Path(source_dir)
    path = source_dir / ACTUALS_DIR / f"{result.year}.yaml"
    plan = plan_changes(path, [c.change for c in result.changes], overwrite=True)
    with tempfile.TemporaryDirectory(prefix="kplan-review-") as tmp:
        copy = Path(tmp) / source_dir.resolve().name
        shutil.copytree(source_dir, copy, ignore=shutil.ignore_patterns("*.tmp"))
        (copy / ACTUALS_DIR / path.name).write_bytes(plan.updated)
        _validated(copy)
    return write_changes(path, plan)


def _validated(source_dir: Path) -> Source:
    return load_source(source_dir)
