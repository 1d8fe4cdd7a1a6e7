"""Progress of the plan's indicators and projects in one fiscal year.

Pure functions over the model: no I/O, no formatting.  The rules (expected
pace, thresholds, statuses, grades) come from ``source/evaluation.yaml`` so
that the report prints exactly the method the code applies.

The default indicator rule::

    progress       = (actual - baseline) / (target - baseline)
    expected pace  = (year - baseline_year) / (target_year - baseline_year)
    達成      actual has reached the target
    順調      progress >= expected pace * on_track_ratio
    やや遅れ  progress >= expected pace * slightly_behind_ratio
    遅れ      below that, including worse than the baseline
    未把握    no value for the year

The same rule serves a measure the plan wants to *decrease* (孤立死の件数):
target − baseline is then negative, and so is actual − baseline while the
figure goes down, so progress is again the share of the planned change
achieved (1 at the target, negative when the figure went the wrong way);
the target is reached when the actual is at or *below* it.

A survey indicator (市民アンケート every few years) declares a year without a
survey ``not_surveyed: true``: that year is judged on the latest surveyed
value (:func:`latest_surveyed`), and :attr:`MeasureProgress.value_year`
says which year that was, for the report to print.

A maintain-type measure is 達成 or 未達成.  An indicator with several
measures takes the status of its weakest measure; 未把握 counts as the
weakest, because an unknown figure must not hide behind a good one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..model import (
    Actuals,
    Direction,
    Evaluation,
    Indicator,
    Measure,
    MeasureActual,
    Plan,
)

# Weakest first: the order used to combine measures into an indicator status.
STATUS_RANK = {
    "unknown": 0,
    "behind": 1,
    "not_achieved": 1,
    "slightly_behind": 2,
    "on_track": 3,
    "achieved": 4,
}


#: The statuses the rule above gives a measure with a direction of change, in scale order.
CHANGE_STATUSES = ("achieved", "on_track", "slightly_behind", "behind", "unknown")


def required_statuses(plan: Plan) -> list[str]:
    """The statuses the method can give this plan's measures, which the scale must label.

    The five of :data:`CHANGE_STATUSES` always (the report's summary names
    achieved, on_track and unknown whatever the plan), and not_achieved when
    some measure is to be maintained.
    """
    maintain = any(
        measure.direction is Direction.maintain
        for goal in plan.goals
        for objective in goal.objectives
        for indicator in objective.indicators
        for measure in indicator.measures
    )
    return [*CHANGE_STATUSES[:4], *(["not_achieved"] if maintain else []), "unknown"]


def reached(measure: Measure, value: Decimal, target: Decimal) -> bool:
    """Whether ``value`` is at the target or beyond it in the measure's direction."""
    return value <= target if measure.direction is Direction.decrease else value >= target


@dataclass(frozen=True)
class MeasureProgress:
    """One measure in one year."""

    measure: Measure
    year: int
    value: Decimal | None
    #: the target as a number for this year (a 全校 target becomes the year's population)
    target: Decimal | None
    #: fraction of the way from baseline to target (for a decrease too); None when it cannot be computed
    progress: Decimal | None
    expected: Decimal
    status: str
    not_measured: str | None = None
    #: the year declares no survey (対象外): ``value`` is the latest surveyed one
    not_surveyed: bool = False
    #: the year ``value`` was surveyed in, when it is not ``year`` (a not-surveyed year)
    value_year: int | None = None


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    year: int
    measures: list[MeasureProgress]
    status: str
    note: str | None = None


def expected_pace(evaluation: Evaluation, year: int) -> Decimal:
    """(year - baseline) / (target year - baseline), capped to 0..1."""
    span = evaluation.target_year - evaluation.baseline_year
    pace = Decimal(year - evaluation.baseline_year) / Decimal(span)
    return min(max(pace, Decimal(0)), Decimal(1))


def actual_value(measure: Measure, actual: MeasureActual | None) -> Decimal | None:
    """The year's number.

    A rate given only as count/of is computed from its parts (rounded to one
    decimal, half up, as printed); a count or coverage given only as
    count/of (8 of 20 schools) is the count.
    """
    if actual is None or actual.not_measured is not None:
        return None
    if actual.value is not None:
        return actual.value
    if measure.kind.value == "percent":
        if actual.count is not None and actual.of:
            pct = Decimal(actual.count) * 100 / Decimal(actual.of)
            return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return None
    if actual.count is not None:
        return Decimal(actual.count)
    return None


def resolved_target(measure: Measure, actual: MeasureActual | None) -> Decimal | None:
    """The target as a number; ``all`` means the population the actuals report."""
    if measure.target.all:
        if measure.kind.value == "percent":
            return Decimal(100)
        if actual is not None and actual.of is not None:
            return Decimal(actual.of)
        return None
    return measure.target.value


def measure_actual(actuals: Actuals | None, indicator_id: str, measure_id: str) -> MeasureActual | None:
    entry = actuals.indicators.get(indicator_id) if actuals is not None else None
    return entry.measures.get(measure_id) if entry is not None else None


def latest_surveyed(
    indicator_id: str, measure_id: str, year: int, earlier: Mapping[int, Actuals] | None
) -> tuple[int, MeasureActual] | None:
    """The latest year before ``year`` whose actual is not ``not_surveyed``, with that actual.

    A survey year whose value could not be measured is still the latest
    survey: its missing value is not replaced by an older one.
    """
    for y in sorted((earlier or {}), reverse=True):
        if y >= year:
            continue
        actual = measure_actual(earlier[y], indicator_id, measure_id)
        if actual is not None and not actual.not_surveyed:
            return y, actual
    return None


def measure_progress(
    measure: Measure, actual: MeasureActual | None, year: int, evaluation: Evaluation,
    carried: tuple[int, MeasureActual] | None = None,
) -> MeasureProgress:
    """``carried``: for a not-surveyed year, the latest surveyed (year, actual), judged instead."""
    not_surveyed = actual is not None and actual.not_surveyed
    value_year = None
    if not_surveyed:
        value_year, actual = carried if carried is not None else (None, None)
    value = actual_value(measure, actual)
    target = resolved_target(measure, actual)
    expected = expected_pace(evaluation, year)
    reason = actual.not_measured if actual is not None else None

    def result(status: str, progress: Decimal | None = None) -> MeasureProgress:
        return MeasureProgress(measure, year, value, target, progress, expected, status, reason,
                               not_surveyed, value_year)

    if value is None or target is None:
        return result("unknown")
    if measure.direction is Direction.maintain:
        return result("achieved" if value >= target else "not_achieved")

    baseline = measure.baseline.value
    if reached(measure, value, target):
        progress = None
        if baseline is not None and target != baseline:
            progress = (value - baseline) / (target - baseline)
        return result("achieved", progress)
    if baseline is None or target == baseline:
        # No baseline to measure the way from: only reached / not reached can be said.
        return result("behind")
    progress = (value - baseline) / (target - baseline)
    if progress >= expected * evaluation.on_track_ratio:
        return result("on_track", progress)
    if progress >= expected * evaluation.slightly_behind_ratio:
        return result("slightly_behind", progress)
    return result("behind", progress)


def indicator_progress(
    indicator: Indicator, actuals: Actuals | None, year: int, evaluation: Evaluation,
    earlier: Mapping[int, Actuals] | None = None,
) -> IndicatorProgress:
    """``earlier``: the other years' actuals, where a not-surveyed year finds its latest survey."""
    entry = actuals.indicators.get(indicator.id) if actuals is not None else None
    measures = []
    for m in indicator.measures:
        actual = entry.measures.get(m.id) if entry else None
        carried = latest_surveyed(indicator.id, m.id, year, earlier) if actual is not None and actual.not_surveyed else None
        measures.append(measure_progress(m, actual, year, evaluation, carried))
    status = min((mp.status for mp in measures), key=STATUS_RANK.__getitem__)
    return IndicatorProgress(indicator, year, measures, status, entry.note if entry else None)


def plan_progress(
    plan: Plan, actuals: Actuals | None, year: int, evaluation: Evaluation,
    earlier: Mapping[int, Actuals] | None = None,
) -> dict[str, IndicatorProgress]:
    """Every indicator of the plan, keyed by indicator ID, in plan order."""
    return {
        indicator.id: indicator_progress(indicator, actuals, year, evaluation, earlier)
        for goal in plan.goals
        for objective in goal.objectives
        for indicator in objective.indicators
    }


def status_counts(progresses, evaluation: Evaluation) -> dict[str, int]:
    """Number of indicators per status, with every status of the scale present."""
    counts = Counter(p.status for p in progresses)
    return {s.key: counts.get(s.key, 0) for s in evaluation.indicator_statuses}


def grade_counts(project_ids, actuals: Actuals | None, evaluation: Evaluation) -> dict[str, int]:
    """Number of projects per grade code; projects without actuals count as ``None``."""
    counts = Counter(
        actuals.projects[pid].grade if actuals is not None and pid in actuals.projects else None
        for pid in project_ids
    )
    result = {g.code: counts.get(g.code, 0) for g in evaluation.project_grades}
    result[None] = counts.get(None, 0)
    return result


def series(
    measure: Measure, actuals_by_year: dict[int, Actuals], indicator_id: str,
    baseline_year: int, last_year: int,
) -> list[tuple[int, Decimal | None]]:
    """(year, value) from the baseline year to ``last_year``; None where there is no value."""
    points: list[tuple[int, Decimal | None]] = [(baseline_year, measure.baseline.value)]
    for year in range(baseline_year + 1, last_year + 1):
        points.append((year, actual_value(measure, measure_actual(actuals_by_year.get(year), indicator_id, measure.id))))
    return points
