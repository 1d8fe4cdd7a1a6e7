"""load_source and missing_actuals: what loads, and how each kind of mistake is reported.

Each test of a mistake edits a copy of tests/fixtures/mini and asserts what
the person fixing the file would read: the file, the line and the field.
"""

from __future__ import annotations

import datetime
import shutil
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from kplan_report.validate.messages import InputError, Problem
from kplan_report.validate.load import load_source, missing_actuals
from kplan_report.intake.yamlio import MAX_FILE_BYTES, MAX_FILE_TEXT_CHARS, MAX_TEXT_CHARS, read_yaml

MINI = Path(__file__).parent / "fixtures" / "mini"




def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(source: Path, **kwargs) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_source(source, **kwargs)
    return caught.value.problems


def only_problem(source: Path) -> Problem:
    problems = problems_of(source)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# ---------------------------------------------------------------- what loads


def test_mini_fixture_loads(source):
    loaded = load_source(source)
    assert [g.id for g in loaded.plan.goals] == ["G1", "G2"]
    assert [p.id for p in loaded.projects.projects] == ["p001", "p002", "p003", "p004"]
    assert sorted(loaded.actuals) == [2020, 2021]
    assert loaded.actuals[2021].indicators["G2.1.i1"].measures["main"].value == Decimal("71.5")
    assert loaded.actuals[2021].report_date == datetime.date(2022, 6, 30)
    assert [str(f.path) for f in loaded.files] == [
        "source/plan.yaml",
        "source/projects.yaml",
        "source/departments.yaml",
        "source/evaluation.yaml",
        "source/actuals/2020.yaml",
        "source/actuals/2021.yaml",
    ]
    assert all(len(f.sha256) == 64 for f in loaded.files)


def test_sha256_is_of_the_file_bytes(source):
    import hashlib

    loaded = load_source(source)
    plan = loaded.files[0]
    assert plan.sha256 == hashlib.sha256((source / "plan.yaml").read_bytes()).hexdigest()


def test_years_limits_the_actuals_read(source):
    (source / "actuals" / "2020.yaml").write_text("not: [valid", encoding="utf-8")
    loaded = load_source(source, years=[2021])
    assert list(loaded.actuals) == [2021]
    assert [f.path.name for f in loaded.files][-1] == "2021.yaml"


def test_a_requested_year_without_its_file(source):
    problem = only_problem_of(source, years=[2022])
    assert str(problem).startswith("source/actuals/2022.yaml:1: found no such file; expected")
    assert "kplan-report new-year 2022" in str(problem)


def only_problem_of(source, **kwargs) -> Problem:
    problems = problems_of(source, **kwargs)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_missing_plan_file(source):
    (source / "projects.yaml").unlink()
    problem = only_problem(source)
    assert str(problem) == "source/projects.yaml:1: found no such file; expected this file to exist（ファイルがありません）"


def test_missing_source_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    problem = only_problem(Path("nowhere"))
    assert problem.file == "nowhere" and "no such directory" in problem.found


def test_markup_is_kept_literally(source):
    loaded = load_source(source)
    assert loaded.projects.projects[3].name == "防災訓練の実施 <script>alert(1)</script>"
    assert loaded.actuals[2021].projects["p003"].results == "講演会を1回開催した <b>太字</b> & 記号。"


def test_utf8_bom_and_crlf_are_accepted(source):
    path = source / "actuals" / "2021.yaml"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    loaded = load_source(source)
    assert loaded.actuals[2021].fiscal_year == 2021
    assert loaded.actuals[2021].indicators["G1.1.i1"].note == "幼稚園1園で実施できなかった。"


def test_full_width_digits_are_read_as_numbers(source):
    path = source / "actuals" / "2021.yaml"
    edit(path, "{main: {value: 8900}}", "{main: {value: ８９００}}")
    edit(path, "{main: {value: 71.5,", "{main: {value: ７１．５,")
    loaded = load_source(source)
    assert loaded.actuals[2021].indicators["G1.1.i2"].measures["main"].value == 8900
    assert loaded.actuals[2021].indicators["G2.1.i1"].measures["main"].value == Decimal("71.5")


def test_quoted_full_width_digits_stay_text(source):
    edit(source / "actuals" / "2021.yaml", "next_steps: 継続して実施する。", 'next_steps: "１２３"')
    assert load_source(source).actuals[2021].projects["p001"].next_steps == "１２３"


def test_yaml_11_number_oddities_are_off(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 010\nb: 10:30\nc: 007\nd: 12.50\n", encoding="utf-8")
    assert read_yaml(path).data == {"a": 10, "b": "10:30", "c": 7, "d": 12.5}


def test_a_folder_where_a_file_belongs(source):
    (source / "projects.yaml").unlink()
    (source / "projects.yaml").mkdir()
    assert_names(only_problem(source), "source/projects.yaml", 1, "", "a file that cannot be read")


def test_tabs_inside_text_are_kept(source):
    edit(source / "actuals" / "2021.yaml", "note: 幼稚園1園で実施できなかった。", 'note: "幼稚園1園で\\t実施できなかった。"')
    assert load_source(source).actuals[2021].indicators["G1.1.i1"].note == "幼稚園1園で\t実施できなかった。"


# ---------------------------------------------------------------- one test per kind of mistake


def assert_names(problem: Problem, file: str, line: int, field: str, *words: str) -> None:
    text = str(problem)
    assert text.startswith(f"{file}:{line}: {field + ': ' if field else ''}found "), text
    for word in words:
        assert word in text, text
    assert "\n" not in text


def test_duplicate_id_in_plan(source):
    edit(source / "plan.yaml", "id: G1.1.1.a02", "id: G1.1.1.a01")
    problem = only_problem(source)
    assert_names(
        problem,
        "source/plan.yaml",
        48,
        "goals[G1].objectives[G1.1].promotion_items[G1.1.1].rows[1].actions[G1.1.1.a01].id",
        "'G1.1.1.a01' a second time (first on line 46)",
        "unique ID",
    )


def test_project_referenced_but_not_in_registry(source):
    edit(source / "plan.yaml", "projects: [p004]", "projects: [p004, p077]")
    assert_names(
        only_problem(source),
        "source/plan.yaml",
        175,
        "goals[G2].objectives[G2.1].promotion_items[G2.1.1].projects[2]",
        "'p077', which is not in projects.yaml",
    )


def test_registry_project_never_placed(source):
    edit(source / "plan.yaml", "projects: [p004]", "projects: []")
    assert_names(only_problem(source), "source/projects.yaml", 14, "projects[p004].id", "no 推進項目 of plan.yaml lists")


@pytest.mark.parametrize(
    "old, new, line, field, words",
    [
        ("  G1.1.i2: {measures", "  G1.1.i7: {measures", 16, "indicators.G1.1.i7", ["not in plan.yaml"]),
        ("districts: {value: 16}", "district: {value: 16}", 17, "indicators.G1.1.i3.measures.district", ["one of districts, sessions"]),
        ("  p002: {", "  p042: {", 23, "projects.p042", ["not in projects.yaml"]),
        ("  G1.1.2:\n", "  G1.9.2:\n", 30, "promotion_items.G1.9.2", ["not in plan.yaml"]),
        ("    community_business: あいさつ", "    citizen: あいさつ", 31, "promotion_items.G1.1.2.citizen", ["G1.1.2 does not have"]),
        ("    G1.1:\n      opinion", "    G3.1:\n      opinion", 37, "opinions.objectives.G3.1", ["objective 'G3.1'"]),
    ],
    ids=["indicator", "measure", "project", "promotion-item", "row", "objective"],
)
def test_actuals_naming_what_does_not_exist(source, old, new, line, field, words):
    edit(source / "actuals" / "2021.yaml", old, new)
    assert_names(only_problem(source), "source/actuals/2021.yaml", line, field, *words)


def test_wrong_type(source):
    edit(source / "actuals" / "2021.yaml", "sessions: {value: 22}", "sessions: {value: abc}")
    assert str(only_problem(source)) == (
        "source/actuals/2021.yaml:17: indicators.G1.1.i3.measures.sessions.value: "
        "found 'abc' (text); expected a number（数値を半角数字で入力してください）"
    )


def test_value_with_its_unit(source):
    edit(source / "actuals" / "2021.yaml", "{main: {value: 8900}}", "{main: {value: 8900人}}")
    assert_names(
        only_problem(source),
        "source/actuals/2021.yaml",
        16,
        "indicators.G1.1.i2.measures.main.value",
        "'8900人' (a number followed by '人')",
        "e.g. 8900",
    )


def test_number_with_thousands_separator(source):
    edit(source / "actuals" / "2021.yaml", "  G1.1.i2: {measures: {main: {value: 8900}}}", "  G1.1.i2:\n    measures:\n      main:\n        value: 8,900")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 19, "indicators.G1.1.i2.measures.main.value", "without commas, e.g. 8900")


def test_number_for_a_list(source):
    edit(source / "actuals" / "2021.yaml", "publisher: [テスト市, テスト市社会福祉協議会]", "publisher: 3")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 5, "publisher", "3 (a number)", "a list")


def test_fiscal_year_outside_plan_period(source):
    shutil.copy(source / "actuals" / "2021.yaml", source / "actuals" / "2024.yaml")
    edit(source / "actuals" / "2024.yaml", "fiscal_year: 2021", "fiscal_year: 2024")
    assert_names(only_problem(source), "source/actuals/2024.yaml", 1, "", "FY2024", "2019–2023")


def test_fiscal_year_not_matching_file_name(source):
    edit(source / "actuals" / "2021.yaml", "fiscal_year: 2021", "fiscal_year: 2022")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 2, "fiscal_year", "2022 (a number)", "2021, the year in the file name")


def test_grade_not_on_the_scale(source):
    edit(source / "actuals" / "2021.yaml", "grade: B,", "grade: Ｂ,")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 23, "projects.p002.grade", "'Ｂ' (text)", "one of A, B, C, D, 未着手, 評価困難")


def test_grade_scale_comes_from_evaluation_yaml(source):
    edit(source / "evaluation.yaml", "  - code: D\n", "  - code: E\n")
    edit(source / "actuals" / "2021.yaml", "grade: C,", "grade: E,")
    load_source(source)  # E is on the scale now


@pytest.mark.parametrize(
    "measure, found",
    [("{value: 1, not_measured: 中止}", "both value and not_measured"), ("{of: 3}", "neither value nor not_measured")],
)
def test_value_and_not_measured(source, measure, found):
    edit(source / "actuals" / "2021.yaml", "G2.1.i2: {measures: {main: {value: 1}}}", f"G2.1.i2: {{measures: {{main: {measure}}}}}")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 19, "indicators.G2.1.i2.measures.main", found)


def test_duplicate_yaml_keys(source):
    edit(source / "actuals" / "2021.yaml", "  G1.1.i3: {", "  G1.1.i2: {measures: {main: {value: 1}}}\n  G1.1.i3: {")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 17, "indicators.G1.1.i2", "a second time (first on line 16)")


def test_duplicate_key_keeps_reading_the_rest(source):
    path = source / "actuals" / "2021.yaml"
    edit(path, "status: sample", "status: sample\nstatus: draft")
    edit(path, "sessions: {value: 22}", "sessions: {value: abc}")
    lines = [str(p) for p in problems_of(source)]
    assert [line.split(": found")[0] for line in lines] == [
        "source/actuals/2021.yaml:4: status",
        "source/actuals/2021.yaml:18: indicators.G1.1.i3.measures.sessions.value",
    ]


def test_shift_jis_file(source):
    path = source / "actuals" / "2021.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp932"))
    assert_names(only_problem(source), "source/actuals/2021.yaml", 1, "", "looks like Shift_JIS", "UTF-8")


def test_file_that_is_not_text(source):
    (source / "projects.yaml").write_bytes(b"projects:\n  - id: p001\n    name: \xff\xfe\xfa\n")
    assert_names(only_problem(source), "source/projects.yaml", 3, "", "not UTF-8 (0xFF)")


def test_syntax_error_has_its_line(source):
    edit(source / "projects.yaml", "name: 関係団体と連携した福祉講演会の開催", "name: 講演会: 年2回")
    assert_names(only_problem(source), "source/projects.yaml", 11, "", "': ' inside a value", "quotes")


def test_tab_indentation(source):
    edit(source / "actuals" / "2021.yaml", "    citizen: 地域", "\tcitizen: 地域")
    assert str(only_problem(source)) == (
        "source/actuals/2021.yaml:27: found a tab at column 1; expected spaces — "
        "tabs are not allowed for indentation; use spaces（インデントにタブは使えません）"
    )


def test_empty_file(source):
    (source / "evaluation.yaml").write_text("", encoding="utf-8")
    assert_names(only_problem(source), "source/evaluation.yaml", 1, "", "an empty file")


def test_top_level_list(source):
    (source / "projects.yaml").write_text("- id: p001\n", encoding="utf-8")
    assert_names(only_problem(source), "source/projects.yaml", 1, "", "a list of 1 item", "key: value pairs")


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf", ".NaN"])
def test_nan_and_infinity(source, text):
    edit(source / "actuals" / "2021.yaml", "{main: {value: 8900}}", f"{{main: {{value: {text}}}}}")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 16, "indicators.G1.1.i2.measures.main.value", "not a finite number")


def test_negative_count(source):
    edit(source / "actuals" / "2021.yaml", "{main: {value: 8900}}", "{main: {value: -1}}")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 16, "indicators.G1.1.i2.measures.main.value", "-1 (a negative number)")


def test_negative_breakdown(source):
    edit(source / "actuals" / "2021.yaml", "{label: 保育所, value: 13}", "{label: 保育所, value: -13}")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 14, "indicators.G1.1.i1.measures.main.breakdown[2].value", "≥ 0")


def test_long_text_is_refused(source):
    edit(source / "actuals" / "2021.yaml", "next_steps: 継続して実施する。", "next_steps: " + "長" * (MAX_TEXT_CHARS + 1))
    assert_names(only_problem(source), "source/actuals/2021.yaml", 22, "projects.p001.next_steps", "10,001 characters", "at most 10,000")


def test_text_of_the_limit_is_accepted(source):
    edit(source / "actuals" / "2021.yaml", "next_steps: 継続して実施する。", "next_steps: " + "長" * MAX_TEXT_CHARS)
    assert len(load_source(source).actuals[2021].projects["p001"].next_steps) == MAX_TEXT_CHARS


def _texts_file(total_chars: int) -> str:
    """The mini year's actuals with opinions on its objective of ``total_chars`` characters of text
    beyond the file's own, in texts of MAX_TEXT_CHARS each (each one within the limit)."""
    lines = ["opinions:", "  objectives:"]
    left, n = total_chars, 0
    while left > 0:
        size = min(left, MAX_TEXT_CHARS)
        lines += [f"    G{n // 9 + 1}.{n % 9 + 1}:", f"      opinion: {'意' * size}", "      response: 対応します。"]
        left -= size
        n += 1
    return "\n".join(lines) + "\n"


def test_texts_adding_up_to_more_than_the_file_limit_are_refused(source):
    """A 4.9 MB file of texts, each within MAX_TEXT_CHARS, once validated and ran for
    7 minutes before the PDF failed: the whole file's text is limited too, and the
    problem is located at the text that takes it over (its objectives are unknown IDs
    as well, reported separately)."""
    path = source / "actuals" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("opinions:")] + _texts_file(MAX_FILE_TEXT_CHARS)
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    problems = [p for p in problems_of(source) if "characters of text" in str(p)]
    assert time.perf_counter() - started < 10.0  # read and refused, nothing laid out
    assert len(problems) == 1, problems
    line = 1 + text[: text.rindex("opinion: ")].count("\n")
    last = f"G{(MAX_FILE_TEXT_CHARS // MAX_TEXT_CHARS - 1) // 9 + 1}.{(MAX_FILE_TEXT_CHARS // MAX_TEXT_CHARS - 1) % 9 + 1}"
    assert_names(problems[0], "source/actuals/2021.yaml", line, f"opinions.objectives.{last}.opinion",
                 f"more than {MAX_FILE_TEXT_CHARS:,} characters", f"at most {MAX_FILE_TEXT_CHARS:,} characters of text in one file")


def test_control_character_typed_in_the_file(source):
    edit(source / "plan.yaml", "title: 防災体制の充実", "title: 防災\x00体制の充実")
    assert_names(only_problem(source), "source/plan.yaml", 164, "", "U+0000 at column 22", "control characters")


def test_control_character_written_as_escape(source):
    edit(source / "actuals" / "2021.yaml", 'results: "講演会を', 'results: "\\a講演会を')
    assert_names(only_problem(source), "source/actuals/2021.yaml", 24, "projects.p003.results", "U+0007 at character 1")


def test_report_date_left_empty(source):
    edit(source / "actuals" / "2021.yaml", "report_date: 2022-06-30", "report_date:")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 4, "report_date", "an empty value", "a date such as")


def test_all_problems_of_a_file_together(source):
    path = source / "actuals" / "2021.yaml"
    edit(path, "status: sample", "status: 確定")  # invalid for the model
    edit(path, "grade: A,", "grade: Z,")  # found by the check across files
    edit(path, "  p003: {", "  p099: {")  # found by the check across files
    fields = [p.field for p in problems_of(source)]
    assert fields == ["status", "projects.p001.grade", "projects.p099"]


def test_problems_in_several_files_together(source):
    edit(source / "plan.yaml", "first_year: 2019", "first_year: x")
    edit(source / "actuals" / "2020.yaml", "status: sample", "status: x")
    edit(source / "actuals" / "2021.yaml", "status: sample", "status: x")
    assert [p.file for p in problems_of(source)] == ["source/plan.yaml", "source/actuals/2020.yaml", "source/actuals/2021.yaml"]


# ---------------------------------------------------------------- hostile input


def test_alias_bomb_fails_fast_and_small(source):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    (source / "actuals" / "2021.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    problems = problems_of(source)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5_000_000
    assert str(problems[0]).startswith("source/actuals/2021.yaml:1: found the anchor &a0; expected")


def test_alias_without_anchor_line_is_refused(source):
    edit(source / "actuals" / "2021.yaml", "publisher: [テスト市, テスト市社会福祉協議会]", "publisher: *x")
    problem = only_problem(source)
    assert "alias *x" in problem.found and problem.line == 5


def test_file_over_the_size_limit_is_refused_before_reading(source):
    path = source / "actuals" / "2021.yaml"
    path.write_bytes(b"note: '" + b"x" * (10 * 1024 * 1024) + b"'\n")  # a 10 MB string
    started = time.perf_counter()
    problem = only_problem(source)
    assert time.perf_counter() - started < 1.0
    assert_names(problem, "source/actuals/2021.yaml", 1, "", "a file of 10,485,769 bytes", f"at most {MAX_FILE_BYTES:,} bytes")


@pytest.mark.parametrize("depth, found", [(50, "values nested more than 40 levels deep"), (5000, "values nested more than 40 levels deep")])
def test_deep_nesting_is_refused(source, depth, found):
    (source / "projects.yaml").write_text("projects: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    assert_names(only_problem(source), "source/projects.yaml", 1, "", found, "flatter")


def test_python_tags_are_refused(source):
    edit(source / "actuals" / "2021.yaml", "status: sample", "status: !!python/object/apply:os.system [echo hi]")
    assert_names(only_problem(source), "source/actuals/2021.yaml", 3, "", "!!python/object/apply:os.system")


def test_read_yaml_records_lines_for_every_value(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a:\n  b:\n    - x\n    - {c: 1}\n", encoding="utf-8")
    doc = read_yaml(path)
    assert doc.data == {"a": {"b": ["x", {"c": 1}]}}
    assert doc.lines[("a", "b", 1, "c")] == 4
    assert doc.line_of(("a", "b", 1, "missing")) == 4
    assert doc.line_of(("a", "zzz")) == 1


# ---------------------------------------------------------------- missing actuals


def test_missing_actuals_lists_what_the_year_lacks(source):
    loaded = load_source(source)
    warnings = missing_actuals(loaded, 2021)
    assert warnings == [
        "source/actuals/2021.yaml: promotion_items.G1.1.2.city_council: missing summary（取組状況が未入力です：地域と子ども・若者との関わりの促進・市・市社協）",
        "source/actuals/2021.yaml: promotion_items.G2.1.1.citizen: missing summary（取組状況が未入力です：防災体制の充実・市民）",
        "source/actuals/2021.yaml: promotion_items.G2.1.1.city_council: missing summary（取組状況が未入力です：防災体制の充実・市・市社協）",
        "source/actuals/2021.yaml: projects.p004: missing results and grade（実績・評価が未入力です：防災訓練の実施 <script>alert(1)</script>）",
    ]


def test_missing_measure_is_a_warning_not_an_error(source):
    edit(source / "actuals" / "2021.yaml", "  G1.1.i2: {measures: {main: {value: 8900}}}\n", "  G1.1.i2: {measures: {main: {value: , not_measured: }}}\n")
    loaded = load_source(source)
    assert "G1.1.i2" not in loaded.actuals[2021].indicators
    assert any("indicators.G1.1.i2.measures.main: missing value" in w for w in missing_actuals(loaded, 2021))


def test_empty_entries_are_not_entered_yet(source):
    edit(source / "actuals" / "2021.yaml", "  p003: {", "  p004: {results: , grade: , next_steps: }\n  p003: {")
    edit(source / "actuals" / "2021.yaml", "    community_business: あいさつ運動が広がった。", "    community_business: あいさつ運動が広がった。\n    city_council:")
    loaded = load_source(source)
    assert "p004" not in loaded.actuals[2021].projects
    assert list(loaded.actuals[2021].promotion_items["G1.1.2"]) == ["community_business"]


def test_a_year_without_actuals(source):
    loaded = load_source(source)
    assert missing_actuals(loaded, 2022) == ["actuals/2022.yaml: no actuals for FY2022（2022年度の実績がありません）"]


# ---------------------------------------------------------------- the plan's own vocabulary


def test_missing_departments_file(source):
    (source / "departments.yaml").unlink()
    problem = only_problem(source)
    assert str(problem) == "source/departments.yaml:1: found no such file; expected this file to exist（ファイルがありません）"


def test_source_has_the_department_registry(source):
    loaded = load_source(source)
    assert loaded.departments.coordinator().id == "social_welfare"
    assert [d.id for d in loaded.departments.departments if d.organisation == "council"] == ["council"]
    assert {p.id: p.departments for p in loaded.projects.projects}["p001"] == ["school_education", "child_family"]


def test_another_towns_actors_are_used_as_declared(source):
    """Four 主体 rows of the town's own naming: rows, actuals and warnings use them; no enum in the way."""
    plan = source / "plan.yaml"
    edit(plan, "  - {id: citizen, label: 市民}\n  - {id: community_business", "  - {id: person, label: 個人・家庭}\n  - {id: community_business")
    edit(plan, "  - {id: city_council, label: 市・市社協}\n", "  - {id: city_council, label: 行政}\n  - {id: school, label: 学校}\n")
    text = plan.read_text(encoding="utf-8").replace("              - actor: citizen\n", "              - actor: person\n")
    plan.write_text(text, encoding="utf-8")
    actuals = source / "actuals" / "2021.yaml"
    edit(actuals, "    citizen: 地域の学習会", "    person: 地域の学習会")
    loaded = load_source(source)
    assert [a.label for a in loaded.plan.actors] == ["個人・家庭", "地域・事業者", "行政", "学校"]
    assert loaded.actuals[2021].promotion_items["G1.1.1"]["person"].startswith("地域の学習会")
    warnings = missing_actuals(loaded, 2021)
    assert "source/actuals/2021.yaml: promotion_items.G2.1.1.person: missing summary（取組状況が未入力です：防災体制の充実・個人・家庭）" in warnings


def test_a_decrease_measure_loads_and_its_printed_numbers_are_compared(source):
    """減らす目標: 9,500人 → 8,000人, with the printed cells written in full-width digits."""
    plan = source / "plan.yaml"
    edit(plan, "            baseline_display: 8,000人\n            target_display: 9,500人\n",
         "            baseline_display: ９，５００人\n            target_display: ８，０００人\n")
    edit(plan, "                direction: increase\n                baseline: {value: 8000}\n                target: {value: 9500}",
         "                direction: decrease\n                baseline: {value: 9500}\n                target: {value: 8000}")
    loaded = load_source(source)
    measure = loaded.plan.goals[0].objectives[0].indicators[1].measures[0]
    assert measure.direction.value == "decrease" and measure.target.value == 8000

    edit(plan, "target: {value: 8000}", "target: {value: 8500}")
    assert_names(
        only_problem(source), "source/plan.yaml", 122,
        "goals[G1].objectives[G1.1].indicators[G1.1.i2].measures[main].target.value",
        "found 8500, while target_display '８，０００人' prints 8000", "the number the plan prints, 8000",
    )


def test_a_scale_may_leave_out_not_achieved_when_nothing_is_maintained(source):
    """未達成 is given only to maintain measures: without one, the scale need not name it."""
    edit(source / "plan.yaml", "                direction: maintain\n", "                direction: increase\n")
    edit(source / "plan.yaml", "                  all: true\n", "")
    edit(source / "evaluation.yaml", "  - key: not_achieved\n    label: 未達成\n    description: 現状維持を目標とする指標で，目標値に達していない。\n", "")
    loaded = load_source(source)
    assert "not_achieved" not in [s.key for s in loaded.evaluation.indicator_statuses]


def test_the_unreported_label_comes_from_the_scale(source):
    edit(source / "evaluation.yaml", "  label: 未報告\n", "  label: 報告なし\n")
    from kplan_report.views.outline import build_report

    report = build_report(load_source(source), 2021)
    rows = [p for item in report.promotion_items() for p in item.projects]
    assert [p.grade_label for p in rows if p.id == "p004"] == ["報告なし"]
