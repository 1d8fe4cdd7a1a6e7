"""The kplan-report command: validate, new-year and schema, run in-process through main()."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kplan_report.cli import COMMANDS, main, make_parser
from kplan_report.validate.messages import InputError
from kplan_report.validate.load import load_source, missing_actuals





def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


# ---------------------------------------------------------------- validate


def test_validate_prints_counts_and_completeness(source, capsys):
    status, out, err = run(capsys, "validate")
    assert status == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[:7] == [
        "source: OK（入力データに誤りはありません）",
        "テスト用地域福祉計画 (test-mini), FY2019–FY2023",
        "基本目標 2, 具体的目標 2, 推進項目 3 (7 主体 rows), 具体的取組 10",
        "projects 4 distinct, 5 placements; indicators 6 (7 measures)",
        "departments 5 in 2 organisations (取りまとめ: 社会福祉課)",
        "令和2年度（2020年度） sample: indicators 6/6, measures 7/7, projects 0/4, 推進項目 rows 0/7",
        "  warning: source/actuals/2020.yaml: promotion_items.G1.1.1.citizen: missing summary（取組状況が未入力です：福祉教育の推進・市民）",
    ]
    assert "令和3年度（2021年度） sample: indicators 6/6, measures 7/7, projects 3/4, 推進項目 rows 4/7" in lines
    assert "  warning: source/actuals/2021.yaml: projects.p004: missing results and grade（実績・評価が未入力です：防災訓練の実施 <script>alert(1)</script>）" in lines


def test_validate_one_year(source, capsys):
    (source / "actuals" / "2020.yaml").write_text("broken: [", encoding="utf-8")
    status, out, _ = run(capsys, "validate", "--year", "2021")
    assert status == 0
    assert "令和3年度（2021年度）" in out and "令和2年度" not in out


def test_validate_reports_every_problem_then_a_summary(source, capsys):
    path = source / "actuals" / "2021.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("grade: A", "grade: X").replace("status: sample", "status: 確定"), encoding="utf-8")
    status, out, err = run(capsys, "validate")
    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        "source/actuals/2021.yaml:3: status: found '確定' (text); expected one of 'sample', 'draft' or 'final'（いずれかを入力してください）",
        "source/actuals/2021.yaml:22: projects.p001.grade: found 'X' (text); expected one of A, B, C, D, 未着手, 評価困難（評価は evaluation.yaml の区分から選んでください）",
        "2 problems in 1 file（1ファイルに2件の誤りがあります）",
    ]


def test_validate_without_source_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "validate")
    assert status == 2
    assert err.startswith("source:1: found no such directory; expected")


@pytest.mark.parametrize("year", ["abc", "21", "2021.5", "令和3"])
def test_year_that_is_not_a_year(source, capsys, year):
    status, _, err = run(capsys, "validate", "--year", year)
    assert status == 2
    assert f"found '{year}'; expected a fiscal year such as 2021" in err


def test_year_with_full_width_digits(source, capsys):
    status, out, _ = run(capsys, "validate", "--year", "２０２１")
    assert status == 0 and "令和3年度（2021年度）" in out


@pytest.mark.parametrize("command", [["validate", "--year", "2030"], ["new-year", "2018"], ["new-year", "2024"]])
def test_year_outside_the_plan_period(source, capsys, command):
    status, _, err = run(capsys, *command)
    assert status == 2
    assert "is outside the plan period 2019–2023" in err
    assert not (source / "actuals" / f"{command[-1]}.yaml").exists()


def test_validate_year_without_file(source, capsys):
    status, _, err = run(capsys, "validate", "--year", "2022")
    assert status == 2
    assert err.startswith("source/actuals/2022.yaml:1: found no such file; expected the actuals of FY2022; create it with: kplan-report new-year 2022")


# ---------------------------------------------------------------- new-year


def test_new_year_writes_a_file_that_loads_once_dated(source, capsys):
    status, out, _ = run(capsys, "new-year", "2022")
    assert status == 0
    path = source / "actuals" / "2022.yaml"
    assert out.startswith("wrote source/actuals/2022.yaml")
    text = path.read_text(encoding="utf-8")

    # Left as written, the only problem is the date the user must fill in.
    with pytest.raises(InputError) as caught:
        load_source(source, years=[2022])
    assert [str(p) for p in caught.value.problems] == [
        "source/actuals/2022.yaml:9: report_date: found an empty value; expected a date such as 2022-06-30（日付は 2022-06-30 の形で入力してください）"
    ]

    path.write_text(text.replace("report_date:  ", "report_date: 2023-06-30  ", 1), encoding="utf-8")
    loaded = load_source(source, years=[2022])
    actuals = loaded.actuals[2022]
    assert actuals.status.value == "draft"
    assert actuals.fiscal_year == 2022
    assert actuals.publisher == ["テスト市", "テスト市社会福祉協議会"]  # the plan's publishers
    assert actuals.indicators == {} and actuals.projects == {} and actuals.promotion_items == {}
    warnings = missing_actuals(loaded, 2022)
    assert len(warnings) == 7 + 4 + 7  # every measure, project and 推進項目 row of the mini plan


def test_new_year_takes_publishers_actors_and_terms_from_the_plan(source, capsys):
    """Nothing of one city in the new file: a 町 with its own 主体 gets its own words."""
    plan = source / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("publishers: [テスト市, テスト市社会福祉協議会]", "publishers: [試験町, 試験町社会福祉協議会]")
    text = text.replace("municipality_kind: 市", "municipality_kind: 町")
    text = text.replace("{id: citizen, label: 市民}\n  - {id: community_business", "{id: citizen, label: 個人・家庭}\n  - {id: community_business", 1)
    plan.write_text(text, encoding="utf-8")
    assert run(capsys, "new-year", "2022")[0] == 0
    new = (source / "actuals" / "2022.yaml").read_text(encoding="utf-8")
    assert "publisher: [試験町, 試験町社会福祉協議会]" in new
    assert "# 推進委員会の意見と町の対応（任意）" in new
    assert "    citizen:             # 個人・家庭" in new
    for word in ("気仙沼", "テスト市", "市の対応", "# 市民"):
        assert word not in new, word


def test_new_year_lists_everything_with_last_years_values(source, capsys):
    run(capsys, "new-year", "2022")
    text = (source / "actuals" / "2022.yaml").read_text(encoding="utf-8")
    for key in ["G1.1.i1:", "G2.1.i3:", "districts:", "sessions:", "p001:", "p004:", "G1.1.2:", "G2.1.1:", "community_business:"]:
        assert f"  {key}" in text, key
    assert "value:               # 単位: 人 — 2021: 8900" in text
    assert "value:               # 単位: ％ — 2021: 71.5" in text
    assert "not_measured:        # 把握できなかった理由 — 2021: 感染症対策のため調査を実施しなかった。" in text
    assert "grade:               # A / B / C / D / 未着手 / 評価困難 — 2021: B" in text
    assert "— 2021: [{label: 幼稚園, value: 5}, {label: 保育所, value: 13}]" in text
    assert "status: draft" in text


def test_new_year_after_a_filled_year_round_trips_values(source, capsys):
    """Uncommenting last year's values gives a file that loads with those values."""
    run(capsys, "new-year", "2022")
    path = source / "actuals" / "2022.yaml"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"(\s*(?:value|of|count):)\s+# (?:.* — )?2021: (.*)", line)
        if match:
            line = f"{match.group(1)} {match.group(2)}"
        lines.append(line.replace("report_date:  ", "report_date: 2023-06-30  "))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_source(source, years=[2021, 2022])
    before, after = loaded.actuals[2021].indicators, loaded.actuals[2022].indicators
    assert after["G1.1.i2"].measures["main"].value == before["G1.1.i2"].measures["main"].value == 8900
    assert after["G2.1.i1"].measures["main"].count == 143


def test_new_year_refuses_to_overwrite(source, capsys):
    path = source / "actuals" / "2021.yaml"
    before = path.read_bytes()
    status, _, err = run(capsys, "new-year", "2021")
    assert status == 2
    assert err == "kplan-report: error: source/actuals/2021.yaml already exists; it is not overwritten（source/actuals/2021.yaml は既にあるため上書きしません）\n"
    assert path.read_bytes() == before


def test_new_year_without_previous_year(source, capsys):
    status, _, _ = run(capsys, "new-year", "2019")
    assert status == 0
    assert "# 2018" not in (source / "actuals" / "2019.yaml").read_text(encoding="utf-8")


def test_new_year_with_invalid_plan_fails_cleanly(source, capsys):
    (source / "plan.yaml").write_text("plan: [", encoding="utf-8")
    status, _, err = run(capsys, "new-year", "2022")
    assert status == 2
    assert err.startswith("source/plan.yaml:")
    assert not (source / "actuals" / "2022.yaml").exists()


# ---------------------------------------------------------------- schema


def test_schema_writes_one_file_per_yaml_file(source, capsys):
    status, out, _ = run(capsys, "schema")
    assert status == 0
    names = sorted(p.name for p in Path("schema").iterdir())
    assert names == ["actuals.schema.json", "departments.schema.json", "evaluation.schema.json", "plan.schema.json", "projects.schema.json"]
    actuals = json.loads(Path("schema/actuals.schema.json").read_text(encoding="utf-8"))
    assert actuals["title"] == "Actuals"
    assert set(actuals["required"]) == {"fiscal_year", "status", "report_date", "publisher"}
    assert actuals["additionalProperties"] is False
    plan = json.loads(Path("schema/plan.schema.json").read_text(encoding="utf-8"))
    assert plan["$defs"]["Goal"]["properties"]["id"]["pattern"] == "^G[1-9]$"


def test_schema_out_option(source, capsys):
    status, out, _ = run(capsys, "schema", "--out", "elsewhere/schemas")
    assert status == 0
    assert (Path("elsewhere/schemas") / "plan.schema.json").is_file()
    assert "wrote elsewhere/schemas/plan.schema.json" in out


# ---------------------------------------------------------------- the parser


def test_subcommands_are_registered_by_functions():
    parser = make_parser()
    choices = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    assert list(choices) == ["validate", "new-year", "schema", "build", "intake", "review", "preview"]
    assert len(COMMANDS) == 7


def test_no_command_is_a_usage_error(capsys):
    status = main([])
    assert status == 2
    assert "usage: kplan-report" in capsys.readouterr().err


def test_python_dash_m(source):
    result = subprocess.run([sys.executable, "-m", "kplan_report", "validate", "--year", "2021"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "令和3年度（2021年度）" in result.stdout


@pytest.mark.parametrize("command", [["validate"], ["new-year"], ["build", "--format", "docx"], ["review", "draft.docx"]])
def test_year_before_showa_is_refused_by_every_command(source, capsys, command):
    """Messages name the year in 和暦, which starts in 昭和: `review --year 1900` once ended in
    'ValueError: year before 昭和' before the plan period was checked."""
    args = [*command, "1900"] if command == ["new-year"] else [*command, "--year", "1900"]
    status, out, err = run(capsys, *args)
    assert status == 2 and "Traceback" not in err
    assert "found '1900'; expected a fiscal year from 1927 to 2100" in err
