"""Progress of indicators, with expectations computed by hand.

Each form of indicator in the plan (§1 of the requirement) gets a measure
built directly with the models and actuals for FY2019–FY2023.  The numbers
in the comments are the arithmetic of the method (§3):

    progress      = (actual − baseline) / (target − baseline)
    expected pace = (year − 2018) / 5     → 0.2, 0.4, 0.6, 0.8, 1.0
    half the pace                          → 0.1, 0.2, 0.3, 0.4, 0.5
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from kplan_report.model import (
    Actuals,
    Evaluation,
    Indicator,
    IndicatorStatus,
    Measure,
    MeasureActual,
    Plan,
    ProjectGrade,
    Quantity,
    Unreported,
)
from kplan_report.compute.progress import (
    actual_value,
    expected_pace,
    grade_counts,
    indicator_progress,
    measure_progress,
    plan_progress,
    required_statuses,
    series,
    status_counts,
)

ROOT = Path(__file__).resolve().parents[1]

STATUS_LABELS = {
    "achieved": "達成",
    "on_track": "順調",
    "slightly_behind": "やや遅れ",
    "behind": "遅れ",
    "not_achieved": "未達成",
    "unknown": "未把握",
}
GRADES = ["A", "B", "C", "D", "未着手", "評価困難"]

EVAL = Evaluation(
    baseline_year=2018,
    target_year=2023,
    on_track_ratio=D("1.0"),
    slightly_behind_ratio=D("0.5"),
    indicator_statuses=[
        IndicatorStatus(key=k, label=v, description=v) for k, v in STATUS_LABELS.items()
    ],
    project_grades=[ProjectGrade(code=g, label=g, description=g) for g in GRADES],
    unreported=Unreported(label="未報告", description="報告がない。"),
    method_text=["test"],
)

# expected pace per fiscal year: (year − 2018) / 5
PACE = {2018: D(0), 2019: D("0.2"), 2020: D("0.4"), 2021: D("0.6"), 2022: D("0.8"), 2023: D(1)}


# ---------------------------------------------------------------- helpers


def measure(baseline: dict, target: dict, *, id="main", kind="count", unit="人",
            direction="increase", label=None) -> Measure:
    return Measure(
        id=id, label=label, kind=kind, unit=unit, direction=direction,
        baseline=Quantity(**baseline), target=Quantity(**target),
    )


def indicator(*measures: Measure, id="G1.1.i1", number=1) -> Indicator:
    return Indicator(
        id=id, number=number, name=f"指標{number}", owner="市",
        baseline_display="現状", target_display="目標", rationale="考え方",
        measures=list(measures),
    )


def actuals(year: int, indicators: dict | None = None, projects: dict | None = None) -> Actuals:
    """A year's actuals; ``indicators`` maps indicator ID → measure ID → MeasureActual fields."""
    return Actuals.model_validate({
        "fiscal_year": year,
        "status": "sample",
        "report_date": datetime.date(year + 1, 6, 30),
        "publisher": ["気仙沼市"],
        "indicators": {
            iid: {"measures": ms} for iid, ms in (indicators or {}).items()
        },
        "projects": {
            pid: {"results": "実施した。", "grade": grade, "next_steps": "継続する。"}
            for pid, grade in (projects or {}).items()
        },
    })


def one(m: Measure, year: int, actual: dict | None):
    """Progress of a single-measure indicator, through indicator_progress as the report calls it."""
    ind = indicator(m)
    acts = actuals(year, {ind.id: {m.id: actual}} if actual is not None else {})
    ip = indicator_progress(ind, acts, year, EVAL)
    assert len(ip.measures) == 1
    mp = ip.measures[0]
    assert ip.status == mp.status, "a single measure's status is the indicator's status"
    assert mp.year == year and mp.measure is m
    return mp


def check(mp, *, value, progress, status, target=None, expected=None):
    assert mp.value == value
    if progress is None:
        assert mp.progress is None
    else:
        assert mp.progress == progress, f"progress {mp.progress} != {progress}"
    assert mp.expected == (expected if expected is not None else PACE[mp.year])
    assert mp.status == status, f"{mp.year}: status {mp.status} != {status}"
    if target is not None:
        assert mp.target == target


# ---------------------------------------------------------------- the rules themselves


def test_shipped_evaluation_rules_are_the_method_of_the_requirement():
    """source/evaluation.yaml holds the §3 method the tests below assume."""
    data = yaml.safe_load((ROOT / "source" / "evaluation.yaml").read_text(encoding="utf-8"))
    shipped = Evaluation.model_validate(data)
    assert (shipped.baseline_year, shipped.target_year) == (2018, 2023)
    assert shipped.on_track_ratio == 1 and shipped.slightly_behind_ratio == D("0.5")
    assert {s.key: s.label for s in shipped.indicator_statuses} == STATUS_LABELS
    assert [g.code for g in shipped.project_grades] == GRADES
    assert [s.key for s in shipped.indicator_statuses] == [s.key for s in EVAL.indicator_statuses]
    assert shipped.unreported.label == "未報告"


@pytest.mark.parametrize("year, pace", sorted(PACE.items()))
def test_expected_pace(year, pace):
    # (year − 2018) / (2023 − 2018), e.g. (2021 − 2018) / 5 = 0.6
    assert expected_pace(EVAL, year) == pace


def test_expected_pace_is_capped_to_the_plan_period():
    assert expected_pace(EVAL, 2017) == 0
    assert expected_pace(EVAL, 2025) == 1


# ---------------------------------------------------------------- counts with units: 8,000人 → 9,500人

PEOPLE = measure({"value": 8000}, {"value": 9500})  # span 1,500


@pytest.mark.parametrize("year, actual, prog, status", [
    # (8,300 − 8,000) / 1,500 = 0.2 = pace 0.2: exactly the expected pace → 順調
    (2019, 8300, D("0.2"), "on_track"),
    # (8,300 − 8,000) / 1,500 = 0.2 = half of 0.4: exactly half → やや遅れ
    (2020, 8300, D("0.2"), "slightly_behind"),
    # (8,600 − 8,000) / 1,500 = 0.4; 0.3 ≤ 0.4 < 0.6 → やや遅れ
    (2021, 8600, D("0.4"), "slightly_behind"),
    # (8,599 − 8,000) / 1,500 = 0.39933… just below half of 0.8 (0.4) → 遅れ
    (2022, 8599, D(599) / D(1500), "behind"),
    # 9,500 reaches the target → 達成, progress (9,500 − 8,000) / 1,500 = 1
    (2023, 9500, D(1), "achieved"),
])
def test_count_with_unit(year, actual, prog, status):
    mp = one(PEOPLE, year, {"value": actual})
    check(mp, value=D(actual), progress=prog, status=status, target=D(9500))


def test_count_just_below_expected_pace_is_slightly_behind():
    # (8,899 − 8,000) / 1,500 = 0.59933… < 0.6 → やや遅れ; 8,900 → 0.6 → 順調
    check(one(PEOPLE, 2021, {"value": 8899}), value=D(8899), progress=D(899) / D(1500),
          status="slightly_behind")
    check(one(PEOPLE, 2021, {"value": 8900}), value=D(8900), progress=D("0.6"), status="on_track")


def test_count_worse_than_baseline_is_behind():
    # (7,900 − 8,000) / 1,500 = −0.0666… < 0 → 遅れ
    mp = one(PEOPLE, 2019, {"value": 7900})
    check(mp, value=D(7900), progress=D(-100) / D(1500), status="behind")
    assert mp.progress < 0


def test_count_reaching_target_early_is_achieved():
    # FY2020, 9,600 ≥ 9,500 → 達成 with progress (9,600 − 8,000) / 1,500 = 1.0666…
    mp = one(PEOPLE, 2020, {"value": 9600})
    check(mp, value=D(9600), progress=D(1600) / D(1500), status="achieved")


def test_progress_ahead_of_pace_is_on_track():
    # FY2019, 9,000: (9,000 − 8,000) / 1,500 = 0.666… ≥ 0.2 → 順調 (not yet 達成)
    check(one(PEOPLE, 2019, {"value": 9000}), value=D(9000), progress=D(1000) / D(1500),
          status="on_track")


def test_no_actuals_for_the_year_is_unknown():
    mp = one(PEOPLE, 2021, None)
    check(mp, value=None, progress=None, status="unknown")
    assert mp.not_measured is None
    ip = indicator_progress(indicator(PEOPLE), None, 2021, EVAL)
    assert ip.status == "unknown" and ip.note is None


# ---------------------------------------------------------------- percentages: 91.8％ → 100％

RATE = measure({"value": D("91.8")}, {"value": 100}, kind="percent", unit="％")  # span 8.2


@pytest.mark.parametrize("year, actual, prog, status", [
    # (93.44 − 91.8) / 8.2 = 1.64 / 8.2 = 0.2 = pace → 順調
    (2019, "93.44", D("0.2"), "on_track"),
    # (93.4 − 91.8) / 8.2 = 1.6 / 8.2 = 0.19512… < half of 0.4 (0.2) → 遅れ
    (2020, "93.4", D("1.6") / D("8.2"), "behind"),
    # (94.26 − 91.8) / 8.2 = 2.46 / 8.2 = 0.3 = half of 0.6 → やや遅れ
    (2021, "94.26", D("0.3"), "slightly_behind"),
    # (98.36 − 91.8) / 8.2 = 6.56 / 8.2 = 0.8 = pace → 順調
    (2022, "98.36", D("0.8"), "on_track"),
    # 100 → 達成, progress 8.2 / 8.2 = 1
    (2023, "100", D(1), "achieved"),
])
def test_percentage(year, actual, prog, status):
    mp = one(RATE, year, {"value": D(actual)})
    check(mp, value=D(actual), progress=prog, status=status, target=D(100))


def test_percentage_below_baseline_is_behind():
    # (90.0 − 91.8) / 8.2 = −0.2195… → 遅れ
    check(one(RATE, 2021, {"value": D("90.0")}), value=D("90.0"),
          progress=D("-1.8") / D("8.2"), status="behind")


def test_percentage_with_all_target_means_100():
    m = measure({"value": 50}, {"all": True}, kind="percent", unit="％")
    # (75 − 50) / (100 − 50) = 0.5 ≥ 0.4 → 順調
    check(one(m, 2020, {"value": 75}), value=D(75), progress=D("0.5"), status="on_track",
          target=D(100))


# ---------------------------------------------------------------- decrease: 20件 → 10件 (孤立死の件数)

FEWER = measure({"value": 20}, {"value": 10}, unit="件", direction="decrease")  # span −10


@pytest.mark.parametrize("year, actual, prog, status", [
    # (18 − 20) / (10 − 20) = −2 / −10 = 0.2 = pace 0.2 → 順調
    (2019, 18, D("0.2"), "on_track"),
    # (19 − 20) / −10 = 0.1 < half of 0.4 (0.2) → 遅れ
    (2020, 19, D("0.1"), "behind"),
    # (17 − 20) / −10 = 0.3 = half of 0.6 → やや遅れ
    (2021, 17, D("0.3"), "slightly_behind"),
    # (12 − 20) / −10 = 0.8 = pace 0.8 → 順調
    (2022, 12, D("0.8"), "on_track"),
    # 10 is the target → 達成, progress −10 / −10 = 1
    (2023, 10, D(1), "achieved"),
])
def test_decrease(year, actual, prog, status):
    mp = one(FEWER, year, {"value": actual})
    check(mp, value=D(actual), progress=prog, status=status, target=D(10))


def test_decrease_going_up_is_behind_with_negative_progress():
    # (22 − 20) / −10 = −0.2: the figure went the wrong way → 遅れ
    mp = one(FEWER, 2021, {"value": 22})
    check(mp, value=D(22), progress=D("-0.2"), status="behind")


def test_decrease_below_the_target_early_is_achieved():
    # FY2020, 8 ≤ 10 → 達成 with progress (8 − 20) / −10 = 1.2
    check(one(FEWER, 2020, {"value": 8}), value=D(8), progress=D("1.2"), status="achieved")


def test_decrease_just_above_the_target_is_not_achieved():
    # FY2023, 11 > 10: not reached; (11 − 20) / −10 = 0.9 < pace 1.0, ≥ 0.5 → やや遅れ
    check(one(FEWER, 2023, {"value": 11}), value=D(11), progress=D("0.9"), status="slightly_behind")


def test_decrease_of_a_percentage():
    rate = measure({"value": D("12.5")}, {"value": D("10.0")}, kind="percent", unit="％", direction="decrease")
    # (11.0 − 12.5) / (10.0 − 12.5) = −1.5 / −2.5 = 0.6 = pace FY2021 → 順調
    check(one(rate, 2021, {"value": D("11.0")}), value=D("11.0"), progress=D("0.6"), status="on_track")
    # (12.2 − 12.5) / −2.5 = 0.12 < half of 0.6 → 遅れ
    check(one(rate, 2021, {"value": D("12.2")}), value=D("12.2"), progress=D("0.12"), status="behind")


def test_increase_below_the_baseline_is_not_reached():
    # 8,000 → 9,500: 7,000 is below the target (and the baseline), whatever a decrease would say → 遅れ
    check(one(PEOPLE, 2021, {"value": 7000}), value=D(7000), progress=D(-1000) / D(1500), status="behind")


# ---------------------------------------------------------------- 未実施 (0) → 1回

FIRST_TIME = measure({"value": 0}, {"value": 1}, unit="回")  # span 1


@pytest.mark.parametrize("year, actual, value, prog, status", [
    # still 0: (0 − 0) / 1 = 0 < half of 0.2 → 遅れ
    (2019, {"value": 0}, D(0), D(0), "behind"),
    # 1 → 達成, (1 − 0) / 1 = 1
    (2020, {"value": 1}, D(1), D(1), "achieved"),
    (2021, {"value": 1}, D(1), D(1), "achieved"),
    # not measured → 未把握
    (2022, {"not_measured": "感染症対策のため中止した。"}, None, None, "unknown"),
    # 2 → 達成, (2 − 0) / 1 = 2
    (2023, {"value": 2}, D(2), D(2), "achieved"),
])
def test_not_yet_held_baseline(year, actual, value, prog, status):
    mp = one(FIRST_TIME, year, actual)
    check(mp, value=value, progress=prog, status=status, target=D(1))


def test_not_measured_keeps_the_reason():
    reason = "感染症対策のため調査を実施しなかった。"
    mp = one(PEOPLE, 2021, {"not_measured": reason})
    check(mp, value=None, progress=None, status="unknown")
    assert mp.not_measured == reason


# ---------------------------------------------------------------- two measures: 14地区 17回 → 16地区 32回

DISTRICTS = measure({"value": 14}, {"value": 16}, id="districts", unit="地区", label="地区")  # span 2
SESSIONS = measure({"value": 17}, {"value": 32}, id="sessions", unit="回", label="回")  # span 15
STUDY = indicator(DISTRICTS, SESSIONS, id="G1.1.i5", number=5)


@pytest.mark.parametrize("year, districts, sessions, statuses, status", [
    # 地区 (15 − 14) / 2 = 0.5 ≥ 0.2 順調; 回 (20 − 17) / 15 = 0.2 = 0.2 順調 → 順調
    (2019, {"value": 15}, {"value": 20}, ("on_track", "on_track"), "on_track"),
    # 地区 16 達成; 回 (20 − 17) / 15 = 0.2 = half of 0.4 やや遅れ → やや遅れ
    (2020, {"value": 16}, {"value": 20}, ("achieved", "slightly_behind"), "slightly_behind"),
    # 地区 16 達成; 回 (21 − 17) / 15 = 0.2666… < 0.3 遅れ → 遅れ
    (2021, {"value": 16}, {"value": 21}, ("achieved", "behind"), "behind"),
    # 地区 not measured 未把握; 回 32 達成 → 未把握 (unknown is weakest)
    (2022, {"not_measured": "調査中"}, {"value": 32}, ("unknown", "achieved"), "unknown"),
    # both reached → 達成
    (2023, {"value": 16}, {"value": 32}, ("achieved", "achieved"), "achieved"),
])
def test_two_measures_take_the_weakest_status(year, districts, sessions, statuses, status):
    acts = actuals(year, {STUDY.id: {"districts": districts, "sessions": sessions}})
    ip = indicator_progress(STUDY, acts, year, EVAL)
    assert [mp.measure.id for mp in ip.measures] == ["districts", "sessions"]
    assert tuple(mp.status for mp in ip.measures) == statuses
    assert ip.status == status


def test_two_measures_progress_values():
    acts = actuals(2021, {STUDY.id: {"districts": {"value": 15}, "sessions": {"value": 26}}})
    ip = indicator_progress(STUDY, acts, 2021, EVAL)
    d, s = ip.measures
    # 地区 (15 − 14) / 2 = 0.5 ≥ 0.3 → やや遅れ; 回 (26 − 17) / 15 = 0.6 = pace → 順調
    check(d, value=D(15), progress=D("0.5"), status="slightly_behind", target=D(16))
    check(s, value=D(26), progress=D("0.6"), status="on_track", target=D(32))
    assert ip.status == "slightly_behind"


def test_two_measures_one_missing_is_unknown():
    acts = actuals(2021, {STUDY.id: {"sessions": {"value": 32}}})
    ip = indicator_progress(STUDY, acts, 2021, EVAL)
    assert [mp.status for mp in ip.measures] == ["unknown", "achieved"]
    assert ip.status == "unknown"


def test_unknown_is_weaker_than_behind():
    # 地区 unknown; 回 (17 − 17) / 15 = 0 → 遅れ; the indicator is 未把握, not 遅れ
    acts = actuals(2021, {STUDY.id: {"districts": {"not_measured": "未集計"},
                                      "sessions": {"value": 17}}})
    ip = indicator_progress(STUDY, acts, 2021, EVAL)
    assert [mp.status for mp in ip.measures] == ["unknown", "behind"]
    assert ip.status == "unknown"


def test_maintain_and_increase_measures_combined():
    kept = measure({"value": 1}, {"value": 1}, id="kept", unit="回", direction="maintain")
    ind = indicator(kept, SESSIONS)
    # 回 (32 − 17) / 15 = 1 達成; kept 0 < 1 未達成 → 未達成
    acts = actuals(2021, {ind.id: {"kept": {"value": 0}, "sessions": {"value": 32}}})
    ip = indicator_progress(ind, acts, 2021, EVAL)
    assert [mp.status for mp in ip.measures] == ["not_achieved", "achieved"]
    assert ip.status == "not_achieved"


def test_indicator_note_is_kept():
    ind = indicator(PEOPLE)
    acts = Actuals.model_validate({
        "fiscal_year": 2021, "status": "sample", "report_date": "2022-06-30",
        "publisher": ["気仙沼市"],
        "indicators": {ind.id: {"measures": {"main": {"value": 8600}}, "note": "講座を増やした。"}},
    })
    assert indicator_progress(ind, acts, 2021, EVAL).note == "講座を増やした。"


# ---------------------------------------------------------------- a ratio with its parts: 54.9%（112/204自治会）→ 100%

RATIO = measure(
    {"value": D("54.9"), "count": 112, "of": 204, "of_unit": "自治会", "as_of": "H30.12月時点"},
    {"value": 100}, kind="percent", unit="％",
)  # span 45.1


@pytest.mark.parametrize("year, actual, value, prog, status", [
    # 131 / 204 = 64.2156… % → 64.2; (64.2 − 54.9) / 45.1 = 9.3 / 45.1 = 0.2062… ≥ 0.2 → 順調
    (2019, {"count": 131, "of": 204}, D("64.2"), D("9.3") / D("45.1"), "on_track"),
    # value given: (63.9 − 54.9) / 45.1 = 9 / 45.1 = 0.19955… < half of 0.4 → 遅れ
    (2020, {"value": D("63.9"), "count": 130, "of": 204}, D("63.9"), D(9) / D("45.1"), "behind"),
    # 143 / 200 = 71.5; (71.5 − 54.9) / 45.1 = 16.6 / 45.1 = 0.3680… ≥ 0.3 → やや遅れ
    (2021, {"count": 143, "of": 200}, D("71.5"), D("16.6") / D("45.1"), "slightly_behind"),
    # 190 / 200 = 95.0; 40.1 / 45.1 = 0.8891… ≥ 0.8 → 順調
    (2022, {"count": 190, "of": 200}, D("95.0"), D("40.1") / D("45.1"), "on_track"),
    # 204 / 204 = 100.0 → 達成, progress 1
    (2023, {"count": 204, "of": 204}, D(100), D(1), "achieved"),
])
def test_ratio_with_parts(year, actual, value, prog, status):
    mp = one(RATIO, year, actual)
    check(mp, value=value, progress=prog, status=status, target=D(100))


def test_rate_from_parts_is_rounded_half_up_to_one_decimal():
    # 57 / 80 = 71.25 % → 71.3 (half up; half-even would give 71.2)
    assert actual_value(RATIO, MeasureActual(count=57, of=80)) == D("71.3")
    assert str(actual_value(RATIO, MeasureActual(count=57, of=80))) == "71.3"
    # 112 / 204 = 54.9019… → 54.9 (the plan's own baseline)
    assert str(actual_value(RATIO, MeasureActual(count=112, of=204))) == "54.9"
    # 2 / 3 = 66.666… → 66.7
    assert str(actual_value(RATIO, MeasureActual(count=2, of=3))) == "66.7"
    # 0 / 204 → 0.0
    assert actual_value(RATIO, MeasureActual(count=0, of=204)) == 0


def test_rate_with_zero_population_is_unknown_not_a_crash():
    mp = one(RATIO, 2021, {"count": 0, "of": 0})
    check(mp, value=None, progress=None, status="unknown")


def test_rate_with_count_but_no_population_is_unknown():
    check(one(RATIO, 2021, {"count": 150}), value=None, progress=None, status="unknown")


# ---------------------------------------------------------------- 全園・全所・全校 (coverage, maintain)

ALL_INSTITUTIONS = measure(
    {"value": 46, "all": True, "breakdown": [
        {"label": "幼稚園", "value": 6}, {"label": "保育所", "value": 13},
        {"label": "こども園", "value": 1}, {"label": "小中学校", "value": 26}]},
    {"all": True}, kind="coverage", unit="園所校", direction="maintain",
)


@pytest.mark.parametrize("year, actual, value, target, status", [
    # 46 of 46 → 達成
    (2019, {"value": 46, "of": 46}, D(46), D(46), "achieved"),
    # 45 of 46 (one kindergarten did not) → 未達成
    (2020, {"value": 45, "of": 46, "breakdown": [
        {"label": "幼稚園", "value": 5}, {"label": "保育所", "value": 13},
        {"label": "こども園", "value": 1}, {"label": "小中学校", "value": 26}]},
     D(45), D(46), "not_achieved"),
    # a school closed: 45 of 45 → 達成 (the target follows the year's population)
    (2021, {"value": 45, "of": 45}, D(45), D(45), "achieved"),
    # no population given: the target cannot be resolved → 未把握
    (2022, {"value": 45}, D(45), None, "unknown"),
    # not measured → 未把握
    (2023, {"not_measured": "未集計"}, None, None, "unknown"),
])
def test_all_institutions_maintain(year, actual, value, target, status):
    mp = one(ALL_INSTITUTIONS, year, actual)
    check(mp, value=value, progress=None, status=status)
    assert mp.target == target


def test_coverage_extended_to_all():
    # 保育所13・こども園1・小中学校26 = 40 → 全園・全所・全校 (46 with 幼稚園)
    m = measure({"value": 40}, {"all": True}, kind="coverage", unit="園所校")
    # (43 − 40) / (46 − 40) = 0.5; 0.3 ≤ 0.5 < 0.6 → やや遅れ
    check(one(m, 2021, {"value": 43, "of": 46}), value=D(43), progress=D("0.5"),
          status="slightly_behind", target=D(46))
    # 46 of 46 → 達成
    check(one(m, 2022, {"value": 46, "of": 46}), value=D(46), progress=D(1),
          status="achieved", target=D(46))


# ---------------------------------------------------------------- 5校 → 全校 (count, target all)

SCHOOLS = measure({"value": 5}, {"all": True}, unit="校")


@pytest.mark.parametrize("year, actual, value, target, prog, status", [
    # (7 − 5) / (20 − 5) = 2 / 15 = 0.1333…; 0.1 ≤ it < 0.2 → やや遅れ
    (2019, {"value": 7, "of": 20}, D(7), D(20), D(2) / D(15), "slightly_behind"),
    # (11 − 5) / 15 = 0.4 = pace → 順調
    (2020, {"value": 11, "of": 20}, D(11), D(20), D("0.4"), "on_track"),
    # no `of`: 全校 cannot be counted → 未把握
    (2021, {"value": 12}, D(12), None, None, "unknown"),
    # a school closed: (16 − 5) / (19 − 5) = 11 / 14 = 0.7857… < 0.8 → やや遅れ
    (2022, {"value": 16, "of": 19}, D(16), D(19), D(11) / D(14), "slightly_behind"),
    # 19 of 19 → 達成, progress 14 / 14 = 1
    (2023, {"value": 19, "of": 19}, D(19), D(19), D(1), "achieved"),
])
def test_all_schools(year, actual, value, target, prog, status):
    mp = one(SCHOOLS, year, actual)
    check(mp, value=value, progress=prog, status=status)
    assert mp.target == target


def test_all_schools_given_as_count_of():
    # count 11 of 20 schools without `value`: the value is the count, (11 − 5) / 15 = 0.4 → 順調
    check(one(SCHOOLS, 2020, {"count": 11, "of": 20}), value=D(11), progress=D("0.4"),
          status="on_track", target=D(20))


# ---------------------------------------------------------------- as-of notes

def test_as_of_baseline_computes_like_any_other():
    # 19法人（H30.11月時点）→ 29法人: (23 − 19) / 10 = 0.4 = pace FY2020 → 順調
    m = measure({"value": 19, "as_of": "H30.11月時点"}, {"value": 29}, unit="法人")
    check(one(m, 2020, {"value": 23}), value=D(23), progress=D("0.4"), status="on_track")
    assert series(m, {}, "G1.1.i1", 2018, 2019) == [(2018, D(19)), (2019, None)]


# ---------------------------------------------------------------- maintain-type: 1回 → 1回

ONCE = measure({"value": 1}, {"value": 1}, unit="回", direction="maintain")


@pytest.mark.parametrize("year, actual, value, status", [
    (2019, {"value": 1}, D(1), "achieved"),       # at the target → 達成
    (2020, {"value": 2}, D(2), "achieved"),       # above → 達成
    (2021, {"value": 0}, D(0), "not_achieved"),   # below → 未達成 (never 遅れ)
    (2022, {"not_measured": "中止"}, None, "unknown"),
    (2023, None, None, "unknown"),                # no entry at all
])
def test_maintain_type(year, actual, value, status):
    mp = one(ONCE, year, actual)
    check(mp, value=value, progress=None, status=status, expected=PACE[year])


# ---------------------------------------------------------------- counts per status and grade


def _progress_with(statuses_by_id: dict[str, tuple[Measure, dict | None]], year=2021):
    return [
        indicator_progress(indicator(m, id=iid), actuals(year, {iid: {"main": a}} if a else {}),
                           year, EVAL)
        for iid, (m, a) in statuses_by_id.items()
    ]


def test_status_counts_every_status_present_with_zeros():
    progresses = _progress_with({
        "G1.1.i1": (PEOPLE, {"value": 9500}),  # 達成
        "G1.1.i2": (PEOPLE, {"value": 9000}),  # (9,000 − 8,000) / 1,500 = 0.666… ≥ 0.6 順調
        "G1.1.i3": (PEOPLE, {"value": 8900}),  # 0.6 順調
        "G1.1.i4": (PEOPLE, {"value": 8000}),  # 0 遅れ
        "G1.1.i5": (ONCE, {"value": 0}),       # 未達成
        "G1.1.i6": (PEOPLE, None),             # 未把握
    })
    counts = status_counts(progresses, EVAL)
    assert counts == {"achieved": 1, "on_track": 2, "slightly_behind": 0, "behind": 1,
                      "not_achieved": 1, "unknown": 1}
    assert list(counts) == list(STATUS_LABELS), "in the order of the scale"
    assert sum(counts.values()) == len(progresses)


def test_status_counts_of_nothing_is_all_zeros():
    assert status_counts([], EVAL) == dict.fromkeys(STATUS_LABELS, 0)


def test_grade_counts_with_projects_without_actuals():
    acts = actuals(2021, projects={"p001": "A", "p002": "A", "p003": "B", "p004": "評価困難",
                                   "p009": "D"})
    counts = grade_counts(["p001", "p002", "p003", "p004", "p005", "p006"], acts, EVAL)
    # p009 is not among the projects asked for; p005 and p006 have no actuals
    assert counts == {"A": 2, "B": 1, "C": 0, "D": 0, "未着手": 0, "評価困難": 1, None: 2}
    assert list(counts) == [*GRADES, None]


def test_grade_counts_without_actuals():
    assert grade_counts(["p001", "p002"], None, EVAL) == {**dict.fromkeys(GRADES, 0), None: 2}


# ---------------------------------------------------------------- series for charts


def test_series_from_baseline_year_with_gaps():
    iid = "G1.1.i1"
    by_year = {
        2019: actuals(2019, {iid: {"main": {"value": 8300}}}),
        # 2020: no file at all
        2021: actuals(2021, {iid: {"main": {"not_measured": "未集計"}}}),
        2022: actuals(2022, {}),  # file without this indicator
        2023: actuals(2023, {iid: {"main": {"value": 9500}}}),
    }
    assert series(PEOPLE, by_year, iid, 2018, 2023) == [
        (2018, D(8000)), (2019, D(8300)), (2020, None), (2021, None), (2022, None), (2023, D(9500)),
    ]
    # stops at the report year
    assert series(PEOPLE, by_year, iid, 2018, 2019) == [(2018, D(8000)), (2019, D(8300))]


def test_series_computes_rates_from_parts_and_takes_each_measure():
    iid = "G2.3.i1"
    by_year = {2019: actuals(2019, {iid: {"main": {"count": 131, "of": 204}}}),
               2020: actuals(2020, {iid: {"main": {"value": D("63.9")}}})}
    assert series(RATIO, by_year, iid, 2018, 2020) == [
        (2018, D("54.9")), (2019, D("64.2")), (2020, D("63.9"))]

    two = {2019: actuals(2019, {STUDY.id: {"districts": {"value": 15}, "sessions": {"value": 20}}})}
    assert series(DISTRICTS, two, STUDY.id, 2018, 2019) == [(2018, D(14)), (2019, D(15))]
    assert series(SESSIONS, two, STUDY.id, 2018, 2019) == [(2018, D(17)), (2019, D(20))]


# ---------------------------------------------------------------- the whole plan


def _objective(oid, indicators):
    return {
        "id": oid, "number": int(oid[-1]), "title": "目標",
        "promotion_items": [{
            "id": f"{oid}.1", "number": "①", "title": "項目",
            "rows": [{"actor": "person", "actions": [{"id": f"{oid}.1.a01", "text": "取組"}]}],
        }],
        "indicators": [i.model_dump() for i in indicators],
    }


def _plan(objectives) -> Plan:
    """A plan of one 基本目標 with ``objectives``; its identity and 主体 are not Kesennuma's."""
    return Plan.model_validate({
        "plan": {"id": "test-town", "title": "計画", "short_title": "計画", "municipality": "試験町",
                 "municipality_kind": "町", "publishers": ["試験町"], "position": ["計画です。"],
                 "first_year": 2019, "last_year": 2023, "baseline_year": 2018, "chapter": "施策の展開"},
        "actors": [{"id": "person", "label": "個人"}],
        "goals": [{
            "id": "G1", "number": "Ⅰ", "title": "基本目標", "current_issues": ["課題"],
            "policy_direction": ["方向性"], "objectives": objectives,
        }],
    })


def test_plan_progress_keyed_by_indicator_in_plan_order():
    plan = _plan([
        _objective("G1.2", [indicator(PEOPLE, id="G1.2.i1"), indicator(ONCE, id="G1.2.i2")]),
        _objective("G1.1", [indicator(DISTRICTS.model_copy(update={"id": "main"}), id="G1.1.i1")]),
    ])
    acts = actuals(2021, {"G1.2.i1": {"main": {"value": 8600}}, "G1.2.i2": {"main": {"value": 1}}})
    result = plan_progress(plan, acts, 2021, EVAL)
    assert list(result) == ["G1.2.i1", "G1.2.i2", "G1.1.i1"]
    assert {k: v.status for k, v in result.items()} == {
        "G1.2.i1": "slightly_behind",  # (8,600 − 8,000) / 1,500 = 0.4 < 0.6
        "G1.2.i2": "achieved",
        "G1.1.i1": "unknown",
    }


def test_required_statuses_follow_the_plans_directions():
    """未達成 is only given to a maintain measure: a plan without one need not label it."""
    changes = _plan([_objective("G1.1", [indicator(PEOPLE, id="G1.1.i1"), indicator(FEWER, id="G1.1.i2")])])
    assert required_statuses(changes) == ["achieved", "on_track", "slightly_behind", "behind", "unknown"]
    kept = _plan([_objective("G1.1", [indicator(PEOPLE, id="G1.1.i1"), indicator(ONCE, id="G1.1.i2")])])
    assert required_statuses(kept) == ["achieved", "on_track", "slightly_behind", "behind", "not_achieved", "unknown"]
