"""The round-trip writer: typed values go into a hand-edited actuals file and nothing else moves."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kplan_report.intake.roundtrip import Change, Status, plan_changes, write_changes
from kplan_report.intake.yamlio import read_yaml
from kplan_report.validate.load import load_source
from kplan_report.validate.messages import InputError

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source"
SAMPLE_2021 = SOURCE / "actuals" / "2021.yaml"


@pytest.fixture
def actuals(tmp_path) -> Path:
    path = tmp_path / "2021.yaml"
    shutil.copyfile(SAMPLE_2021, path)
    return path


def value_at(data, path):
    for key in path:
        data = data[key]
    return data


def write(path: Path, changes: list[Change], overwrite: bool = False):
    plan = plan_changes(path, changes, overwrite=overwrite)
    write_changes(path, plan)
    return plan


# ---------------------------------------------------------------- only the changed values change

# Existing values (one line each), an empty slot filled in, and new keys and entries.
HANDFUL = [
    Change(("indicators", "G1.1.i3", "measures", "main", "value"), 8800),
    Change(("indicators", "G2.3.i1", "measures", "main", "value"), Decimal("70.1")),
    Change(("projects", "p017", "results"), "ぬま大学（全7回，受講生15人）を開催した。\n受講生のプロジェクトは3件が地域で実践された。"),
    Change(("projects", "p017", "grade"), "A"),
    Change(("promotion_items", "G1.1.1", "citizen"), "福祉学習会に延べ420人の市民が参加した。"),
    Change(("indicators", "G1.1.i4", "note"), "調査票の回収: 一部の学校のみ"),
    Change(("opinions", "objectives", "G1.2", "opinion"), "担い手の確保に向けた取組を強化されたい。"),
    Change(("opinions", "objectives", "G1.2", "response"), "研修の周知を強化します。"),
]


def lines_of_changes(doc, changes: list[Change], before) -> set[int]:
    """Line numbers (1-based) in ``doc`` that hold a changed value, or a key created for one.

    ``before`` is the file as it was: keys that were already there count
    only where they hold the changed value itself.
    """
    lines = set()
    for change in changes:
        for depth in range(1, len(change.path) + 1):
            prefix = change.path[:depth]
            if prefix not in doc.lines or (depth < len(change.path) and prefix in before.lines):
                continue
            first = doc.lines[prefix]
            count = 1
            if depth == len(change.path) and doc is not before and isinstance(change.value, str) and "\n" in change.value:
                count += change.value.count("\n") + 1  # the |- header, then one line per line of text
            lines.update(range(first, first + count))
    return lines


def test_only_the_lines_of_changed_values_change(actuals):
    original = actuals.read_text(encoding="utf-8")
    before = read_yaml(actuals)
    plan = write(actuals, HANDFUL, overwrite=True)
    assert [o.status for o in plan.outcomes] == [
        Status.CONFLICT, Status.CONFLICT, Status.CONFLICT, Status.CONFLICT, Status.CONFLICT,
        Status.APPLIED, Status.APPLIED, Status.APPLIED,
    ]
    after = read_yaml(actuals)
    updated = actuals.read_text(encoding="utf-8")

    old_lines, new_lines = original.split("\n"), updated.split("\n")
    old_changed = lines_of_changes(before, HANDFUL, before)
    new_changed = lines_of_changes(after, HANDFUL, before)
    untouched_old = [line for n, line in enumerate(old_lines, 1) if n not in old_changed]
    untouched_new = [line for n, line in enumerate(new_lines, 1) if n not in new_changed]
    assert untouched_new == untouched_old, "\n".join(difflib.unified_diff(untouched_old, untouched_new, lineterm=""))
    assert len(old_changed) == 5 and len(new_changed) == 11  # the |- block: 3 lines; G1.2: 3 lines

    for change in HANDFUL:
        assert value_at(after.data, change.path) == change.value or Decimal(str(value_at(after.data, change.path))) == change.value


def test_comments_are_kept_including_those_on_changed_lines(actuals):
    original = actuals.read_text(encoding="utf-8")
    write(actuals, HANDFUL, overwrite=True)
    updated = actuals.read_text(encoding="utf-8")

    def comments(text):
        return [line.strip() for line in text.split("\n") if line.strip().startswith("#")]

    assert comments(updated) == comments(original)
    # the trailing comment naming the 主体 row stays on its (changed) line, at the same distance
    assert "    citizen: 福祉学習会に延べ420人の市民が参加した。  # 市民\n" in updated


def test_new_keys_go_under_their_mapping_in_id_order(actuals):
    write(actuals, HANDFUL[-2:] + [Change(("projects", "p000", "grade"), "B")])
    text = actuals.read_text(encoding="utf-8")
    assert "    G1.1:\n" in text
    # G1.2 lands between G1.1's entry and G1.3's comment, in the file's indentation
    g11_end = text.index("      response: 企業・事業所向けの出張講座")
    assert text.index("    G1.2:\n      opinion: 担い手の確保") > g11_end
    assert text.index("    G1.2:\n") < text.index("    # Ⅰ-3 ボランティア・市民活動団体等の支援\n    G1.3:")
    # a project before p001 goes above p001's naming comment, not between comment and key
    assert "projects:\n  p000:\n    grade: B\n  # 市立幼稚園" in text


def test_the_result_loads_with_the_project_loader(tmp_path):
    source = tmp_path / "source"
    (source / "actuals").mkdir(parents=True)
    for name in ("plan.yaml", "projects.yaml", "departments.yaml", "evaluation.yaml"):
        shutil.copyfile(SOURCE / name, source / name)
    path = source / "actuals" / "2021.yaml"
    shutil.copyfile(SAMPLE_2021, path)
    write(path, HANDFUL, overwrite=True)

    actuals = load_source(source, years=[2021]).actuals[2021]
    assert actuals.indicators["G1.1.i3"].measures["main"].value == 8800
    assert actuals.projects["p017"].grade == "A"
    assert actuals.projects["p017"].results.splitlines()[1] == "受講生のプロジェクトは3件が地域で実践された。"
    assert actuals.opinions.objectives["G1.2"].response == "研修の周知を強化します。"
    assert actuals.indicators["G1.1.i4"].note == "調査票の回収: 一部の学校のみ"


def test_new_entries_in_the_mini_fixture_load(source):
    """Flow-style entries get flow-style siblings; a missing 推進項目 and opinion get block entries."""
    path = source / "actuals" / "2021.yaml"
    plan = write(path, [
        Change(("projects", "p004", "results"), "相談会を2回開催した。"),
        Change(("projects", "p004", "grade"), "B"),
        Change(("projects", "p004", "next_steps"), "周知を強化する。"),
        Change(("promotion_items", "G2.1.1", "city_council"), "見守り: 訪問を継続した。"),
        Change(("opinions", "objectives", "G2.1", "opinion"), "見守りを続けてほしい。"),
        Change(("opinions", "objectives", "G2.1", "response"), "継続します。"),
        Change(("indicators", "G1.1.i2", "note"), "8,900人 #速報値"),
    ])
    assert {o.status for o in plan.outcomes} == {Status.APPLIED}
    text = path.read_text(encoding="utf-8")
    assert "  p004: {results: 相談会を2回開催した。, grade: B, next_steps: 周知を強化する。}\n" in text
    assert "  G2.1.1:\n    city_council: \"見守り: 訪問を継続した。\"\n" in text
    assert '  G1.1.i2: {measures: {main: {value: 8900}}, note: "8,900人 #速報値"}\n' in text

    loaded = load_source(source).actuals[2021]
    assert loaded.projects["p004"].next_steps == "周知を強化する。"
    assert loaded.promotion_items["G2.1.1"]["city_council"] == "見守り: 訪問を継続した。"
    assert loaded.opinions.objectives["G2.1"].response == "継続します。"
    assert loaded.indicators["G1.1.i2"].note == "8,900人 #速報値"


# ---------------------------------------------------------------- conflicts


def test_a_conflict_is_reported_and_kept_without_overwrite(actuals):
    original = actuals.read_bytes()
    change = Change(("projects", "p017", "grade"), "A")
    plan = write(actuals, [change])
    (outcome,) = plan.outcomes
    assert outcome.status is Status.CONFLICT and not outcome.written
    assert outcome.old == "B"
    assert str(outcome) == f"{outcome.file}:{outcome.line}: projects.p017.grade: conflict: the file has 'B' (text), the new value is 'A' (text); kept"
    assert read_yaml(actuals).lines[("projects", "p017", "grade")] == outcome.line
    assert plan.summary() == "0 filled in, 0 unchanged, 1 conflicts (1 kept as in the file)"
    assert actuals.read_bytes() == original


def test_a_conflict_is_applied_with_overwrite(actuals):
    plan = write(actuals, [Change(("projects", "p017", "grade"), "A")], overwrite=True)
    assert plan.outcomes[0].status is Status.CONFLICT and plan.outcomes[0].written
    assert read_yaml(actuals).data["projects"]["p017"]["grade"] == "A"


def test_the_same_value_is_unchanged_and_empty_values_count_as_empty(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text(
        "fiscal_year: 2022\n"
        "indicators:\n"
        "  G1.1.i3:\n"
        "    measures:\n"
        "      main:\n"
        "        value: ８７１１\n"  # full-width digits: the number 8711 to the reader
        "        not_measured: ~\n"
        "    note: ''\n"
        "projects:\n"
        "  p001:\n"
        "    grade: null\n",
        encoding="utf-8",
    )
    plan = plan_changes(path, [
        Change(("indicators", "G1.1.i3", "measures", "main", "value"), Decimal("8711")),
        Change(("indicators", "G1.1.i3", "measures", "main", "not_measured"), "未調査"),
        Change(("indicators", "G1.1.i3", "note"), "注記"),
        Change(("projects", "p001", "grade"), "A"),
    ])
    assert [o.status for o in plan.outcomes] == [Status.UNCHANGED, Status.APPLIED, Status.APPLIED, Status.APPLIED]
    text = plan.updated.decode("utf-8")
    assert "        value: ８７１１\n        not_measured: 未調査\n    note: 注記\n" in text
    assert "    grade: A\n" in text


# ---------------------------------------------------------------- texts YAML would misread

AWKWARD_TEXTS = [
    "時間: 10:30から",
    "第1回 #2",
    "a:b#c",
    "- 箇条書きのような文",
    "@メンション",
    "[括弧]で始まる",
    "yes",
    "8900",
    "８９００",
    "2022-06-30",
    "~",
    "  前後に空白  ",
    "'一重引用符'と\"二重引用符\"",
    "タブ\tを含む",
    "<b>太字</b> & 記号",
    "一行目\n二行目: 続き\n# 三行目",
    "  字下げで始まる\n二行目",
    "末尾に改行\n",
    "空行\n\n\nを挟む",
    "末尾に空行\n\n",
    "行末に空白 \n次の行",
]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_awkward_text_round_trips_exactly(actuals, text):
    block = ("projects", "p017", "results")
    new = ("opinions", "objectives", "G2.1", "opinion")
    write(actuals, [Change(block, text), Change(new, text)], overwrite=True)
    data = read_yaml(actuals).data
    assert value_at(data, block) == text
    assert value_at(data, new) == text


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_awkward_text_round_trips_in_a_flow_mapping(source, text):
    path = source / "actuals" / "2021.yaml"
    write(path, [Change(("projects", "p002", "results"), text)], overwrite=True)
    assert read_yaml(path).data["projects"]["p002"]["results"] == text


def test_spelling_follows_the_files(actuals):
    write(actuals, [
        Change(("projects", "p001", "results"), "長い日本語の文章，全角の句読点。" * 20),
        Change(("projects", "p002", "results"), "理由: 未実施"),
        Change(("projects", "p003", "results"), "一行目\n二行目"),
        Change(("projects", "p004", "results"), "- 先頭がハイフン"),
        Change(("indicators", "G1.2.i1", "measures", "main", "value"), Decimal("95.10")),
    ], overwrite=True)
    text = actuals.read_text(encoding="utf-8")
    assert "    results: " + "長い日本語の文章，全角の句読点。" * 20 + "\n" in text  # plain, one line, never folded
    assert '    results: "理由: 未実施"\n' in text
    assert "  p003:\n    results: |-\n      一行目\n      二行目\n    grade: A\n" in text
    assert '    results: "- 先頭がハイフン"\n' in text
    assert "        value: 95.10\n" in text


def test_a_new_year_file_is_filled_in_with_its_hints_kept_in_their_column(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text(
        "indicators:\n"
        "  G1.1.i3:\n"
        "    measures:\n"
        "      main:\n"
        "        value:               # 単位: 人 — 2021: 8711\n"
        "        not_measured:        # 把握できなかった理由\n"
        "    note:                # 2021: 講座の開催回数が減少した。\n"
        "projects:\n"
        "  p001:\n"
        "    results:             # 実施内容・実績\n",
        encoding="utf-8",
    )
    write(path, [
        Change(("indicators", "G1.1.i3", "measures", "main", "value"), 8900),
        Change(("indicators", "G1.1.i3", "note"), "回復した"),  # 4 full-width characters: 8 columns
        Change(("projects", "p001", "results"), "一行目\n二行目"),
    ])
    assert path.read_text(encoding="utf-8") == (
        "indicators:\n"
        "  G1.1.i3:\n"
        "    measures:\n"
        "      main:\n"
        "        value: 8900          # 単位: 人 — 2021: 8711\n"
        "        not_measured:        # 把握できなかった理由\n"
        "    note: 回復した       # 2021: 講座の開催回数が減少した。\n"
        "projects:\n"
        "  p001:\n"
        "    results: |-          # 実施内容・実績\n"
        "      一行目\n"
        "      二行目\n"
    )


def test_line_endings_byte_order_mark_and_indentation_are_the_files(tmp_path):
    path = tmp_path / "2021.yaml"
    original = "\ufeff# 見出し\r\nprojects:\r\n    p001:\r\n        grade: B\r\n    p003:\r\n        grade: C\r\n"
    path.write_bytes(original.encode("utf-8"))
    write(path, [Change(("projects", "p002", "grade"), "A"), Change(("projects", "p001", "grade"), "A")], overwrite=True)
    assert path.read_bytes().decode("utf-8") == (
        "\ufeff# 見出し\r\nprojects:\r\n    p001:\r\n        grade: A\r\n    p002:\r\n        grade: A\r\n"
        "    p003:\r\n        grade: C\r\n"
    )


def test_empty_entries_become_mappings_and_nested_entries_stay_inside_their_parent(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text(
        "fiscal_year: 2021\n"
        "indicators:\n"
        "  G1.1.i1: {measures: {main: }}\n"
        "projects:\n"
        "  p001:               # 事業A\n"
        "  p002: ~\n"
        "  p003:\n"
        "    grade: B\n"
        "\n"
        "# 末尾のコメント\n",
        encoding="utf-8",
    )
    write(path, [
        Change(("indicators", "G1.1.i1", "measures", "main", "value"), 3),
        Change(("projects", "p001", "grade"), "A"),
        Change(("projects", "p002", "grade"), "C"),
        Change(("projects", "p004", "grade"), "D"),  # after p003, at the place where …
        Change(("projects", "p003", "results"), "実施した。"),  # … p003 gets a new last key
        Change(("opinions", "overall", "opinion"), "順調である。"),
    ])
    assert path.read_text(encoding="utf-8") == (
        "fiscal_year: 2021\n"
        "indicators:\n"
        "  G1.1.i1: {measures: {main: {value: 3}}}\n"
        "projects:\n"
        "  p001:               # 事業A\n"
        "    grade: A\n"
        "  p002:\n"
        "    grade: C\n"
        "  p003:\n"
        "    grade: B\n"
        "    results: 実施した。\n"
        "  p004:\n"
        "    grade: D\n"
        "opinions:\n"
        "  overall:\n"
        "    opinion: 順調である。\n"
        "\n"
        "# 末尾のコメント\n"
    )


def test_none_empties_a_field_and_is_unchanged_where_there_is_nothing(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text(
        "projects:\n"
        "  p001:\n"
        "    results: 削除される文  # 実施内容\n"
        "    grade: B\n"
        "  p002: {results: 旧, grade: C}\n",
        encoding="utf-8",
    )
    plan = write(path, [
        Change(("projects", "p001", "results"), None),
        Change(("projects", "p002", "results"), None),
        Change(("projects", "p003", "results"), None),
    ], overwrite=True)
    assert [o.status for o in plan.outcomes] == [Status.CONFLICT, Status.CONFLICT, Status.UNCHANGED]
    assert path.read_text(encoding="utf-8") == (
        "projects:\n"
        "  p001:\n"
        "    results:  # 実施内容\n"
        "    grade: B\n"
        "  p002: {results: , grade: C}\n"
    )
    assert not plan_changes(path, [Change(("projects", "p001", "results"), None)]).changed


# ---------------------------------------------------------------- writing safely


def test_an_unchanged_plan_leaves_the_file_untouched(actuals):
    os.utime(actuals, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    original = actuals.read_bytes()
    plan = plan_changes(actuals, [
        Change(("indicators", "G1.1.i3", "measures", "main", "value"), 8711),
        Change(("projects", "p017", "grade"), "B"),
        Change(("projects", "p017", "results"), "別の内容"),  # a conflict, not written
    ])
    assert [o.status for o in plan.outcomes] == [Status.UNCHANGED, Status.UNCHANGED, Status.CONFLICT]
    assert not plan.changed
    assert write_changes(actuals, plan) is False
    assert actuals.read_bytes() == original
    assert actuals.stat().st_mtime_ns == 1_600_000_000_000_000_000


def test_a_write_keeps_the_files_permissions(actuals):
    actuals.chmod(0o640)
    assert write_changes(actuals, plan_changes(actuals, [Change(("projects", "p017", "grade"), "A")], overwrite=True))
    assert stat.S_IMODE(actuals.stat().st_mode) == 0o640


def test_a_crash_during_the_write_leaves_the_original_and_no_temporary_file(actuals, monkeypatch):
    original = actuals.read_bytes()
    plan = plan_changes(actuals, HANDFUL, overwrite=True)

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(InputError) as error:
        write_changes(actuals, plan)
    assert str(error.value).endswith("found a file that cannot be written (No space left on device); "
                                     "expected a writable file and folder; the file is unchanged（ファイルを書き込めません。ファイルは変更されていません）")
    assert actuals.read_bytes() == original
    assert sorted(p.name for p in actuals.parent.iterdir()) == ["2021.yaml"]


def test_a_file_edited_after_planning_is_not_overwritten(actuals):
    plan = plan_changes(actuals, [Change(("projects", "p017", "grade"), "A")], overwrite=True)
    edited = actuals.read_text(encoding="utf-8").replace("grade: C", "grade: D", 1)
    actuals.write_text(edited, encoding="utf-8")
    with pytest.raises(InputError, match="a file that changed after it was read"):
        write_changes(actuals, plan)
    assert actuals.read_text(encoding="utf-8") == edited


# ---------------------------------------------------------------- refused


def test_a_path_through_a_value_that_is_no_mapping_is_one_line(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text("indicators:\n  G1.1.i3:\n    measures: 5\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        plan_changes(path, [Change(("indicators", "G1.1.i3", "measures", "main", "value"), 1)])
    assert str(error.value) == (
        f"{path}:3: indicators.G1.1.i3.measures: found 5 (a number); "
        "expected key: value pairs holding main（main を含む 項目名: 値 の形が必要です）"
    )


def test_a_file_the_reader_refuses_is_not_edited(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text("projects:\n  p001: {grade: A}\n  p001: {grade: B}\n", encoding="utf-8")
    with pytest.raises(InputError, match="the key 'p001' a second time"):
        plan_changes(path, [Change(("projects", "p002", "grade"), "A")])


@pytest.mark.parametrize("value", ["制御\x07文字", "x" * 10_001])
def test_text_the_reader_would_refuse_is_refused_before_planning(value):
    with pytest.raises(ValueError):
        Change(("projects", "p001", "results"), value)


def test_two_changes_for_one_field_are_refused(actuals):
    with pytest.raises(ValueError, match="projects.p001"):
        plan_changes(actuals, [Change(("projects", "p001"), "A"), Change(("projects", "p001", "grade"), "A")])


# ---------------------------------------------------------------- any text


JAPANESE_AND_ASCII = st.characters(
    codec="utf-8",
    include_characters="\n\t\u3000，。、・：；！？＃（）「」『』【】〜ー",
    categories=(),
) | st.sampled_from([chr(c) for c in range(0x20, 0x7F)]) | st.characters(min_codepoint=0x3041, max_codepoint=0x30FF) | st.characters(
    min_codepoint=0x4E00, max_codepoint=0x9FFF
) | st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)

TEMPLATE = "# 見出し\nprojects:\n  p001:\n    results: 旧\n    grade: B  # 評価\n  p002: {results: 旧, grade: C}\n"


@settings(max_examples=150, deadline=None)
@given(st.text(JAPANESE_AND_ASCII, min_size=1, max_size=60))
def test_any_printable_text_reads_back_as_written(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2021.yaml"
        path.write_text(TEMPLATE, encoding="utf-8")
        write(path, [
            Change(("projects", "p001", "results"), text),
            Change(("projects", "p002", "results"), text),
            Change(("projects", "p003", "results"), text),
        ], overwrite=True)
        data = read_yaml(path).data
        assert data["projects"]["p001"]["results"] == text
        assert data["projects"]["p002"]["results"] == text
        assert data["projects"]["p003"]["results"] == text
        assert data["projects"]["p001"]["grade"] == "B" and data["projects"]["p002"]["grade"] == "C"
        assert path.read_text(encoding="utf-8").startswith("# 見出し\nprojects:\n  p001:\n")
