"""The final evaluation (最終評価) of the plan period: pure functions, no formatting.

At the end of a period (or at a mid-term review) every indicator is judged
once on where it ended, on the scale ``final_judgements`` of
``source/evaluation.yaml``::

    達成率   = (final − baseline) / (target − baseline)    (the share of the planned change achieved;
                                                            a decrease the same: both differences are negative)
    achieved          the final value has reached the target
    mostly_achieved   達成率 ≥ mostly_achieved_ratio (0.8)
    not_achieved      below that, but not worse than the baseline
    worsened          the final value went the wrong way from the baseline (達成率 < 0)
    unknown           no final value

The *final value* is the value of the evaluation year, or for a survey
indicator whose last year declares ``not_surveyed`` the latest surveyed
value (with its year).  A maintain-type measure is achieved when it held the
target in every year with a value and not_achieved otherwise; it has no
達成率.  An indicator with several measures takes the lowest judgement
(unknown lowest, so that an unknown figure cannot hide behind a good one).

Arithmetic in :class:`~decimal.Decimal`, so that 80 % is exactly 0.8 (14 of
10→15 is mostly_achieved, not a float's 0.7999…).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..model import Actuals, Direction, Evaluation, Indicator, Measure, Plan
from .progress import actual_value, latest_surveyed, measure_actual, reached, resolved_target

#: Judgements from the lowest up: how several measures combine into one.
JUDGEMENT_RANK = {"unknown": 0, "worsened": 1, "not_achieved": 2, "mostly_achieved": 3, "achieved": 4}

#: The judgements in the order of the scale, as the method gives them.
JUDGEMENTS = ("achieved", "mostly_achieved", "not_achieved", "worsened", "unknown")


def required_judgements(plan: Plan) -> list[str]:
    """The judgements the method can give this plan's measures, which the scale must label.

    achieved, not_achieved and unknown always; mostly_achieved and worsened
    only when some measure has a direction of change (a maintain-type
    measure is achieved or not).
    """
    change = any(
        m.direction is not Direction.maintain
        for g in plan.goals for o in g.objectives for i in o.indicators for m in i.measures
    )
    return [k for k in JUDGEMENTS if change or k not in ("mostly_achieved", "worsened")]


@dataclass(frozen=True)
class YearValue:
    """One year of a measure: its value, or why there is none."""

    year: int
    value: Decimal | None
    not_surveyed: bool = False
    not_measured: str | None = None
    #: the population of an ``all`` target in that year (8 of 20 schools: 20)
    of: int | None = None


@dataclass(frozen=True)
class MeasureFinal:
    measure: Measure
    baseline: Decimal | None
    years: list[YearValue]  # the period's first year to the evaluation year
    final: Decimal | None
    final_year: int | None  # the year the final value is from (earlier than the evaluation year for a survey)
    target: Decimal | None
    #: share of the planned change achieved; None for maintain-type or when it cannot be computed
    rate: Decimal | None
    #: maintain-type: whether the target held in every year with a value; None otherwise
    held: bool | None
    #: maintain-type: the years it did not hold
    missed_years: list[int]
    judgement: str


@dataclass(frozen=True)
class IndicatorFinal:
    indicator: Indicator
    measures: list[MeasureFinal]
    judgement: str


def _year_values(measure: Measure, indicator_id: str, years: Iterable[int],
                 actuals_by_year: Mapping[int, Actuals]) -> list[YearValue]:
    out = []
    for y in years:
        actual = measure_actual(actuals_by_year.get(y), indicator_id, measure.id)
        out.append(YearValue(
            y, actual_value(measure, actual),
            not_surveyed=bool(actual is not None and actual.not_surveyed),
            not_measured=actual.not_measured if actual is not None else None,
            of=actual.of if actual is not None else None,
        ))
    return out


def measure_final(measure: Measure, indicator_id: str, first_year: int, year: int,
                  actuals_by_year: Mapping[int, Actuals], evaluation: Evaluation) -> MeasureFinal:
    """The final evaluation of one measure in evaluation year ``year``."""
    years = _year_values(measure, indicator_id, range(first_year, year + 1), actuals_by_year)
    actual = measure_actual(actuals_by_year.get(year), indicator_id, measure.id)
    final_year: int | None = year
    if actual is not None and actual.not_surveyed:
        carried = latest_surveyed(indicator_id, measure.id, year,
                                  {y: a for y, a in actuals_by_year.items() if y >= first_year})
        final_year, actual = carried if carried is not None else (None, None)
    final = actual_value(measure, actual)
    target = resolved_target(measure, actual)
    baseline = measure.baseline.value

    def result(judgement: str, rate: Decimal | None = None, held: bool | None = None,
               missed: list[int] | None = None) -> MeasureFinal:
        return MeasureFinal(measure, baseline, years, final, final_year if final is not None else None,
                            target, rate, held, missed or [], judgement)

    if final is None or target is None:
        return result("unknown")
    if measure.direction is Direction.maintain:
        missed = []
        for yv in years:
            if yv.value is None:
                continue  # not surveyed or not measured: nothing to judge in that year
            year_target = resolved_target(measure, measure_actual(actuals_by_year.get(yv.year), indicator_id, measure.id))
            if year_target is not None and yv.value < year_target:
                missed.append(yv.year)
        return result("not_achieved" if missed else "achieved", held=not missed, missed=missed)

    rate = None
    if baseline is not None and target != baseline:
        rate = (final - baseline) / (target - baseline)
    if reached(measure, final, target):
        return result("achieved", rate)
    if rate is None:
        return result("not_achieved")
    if rate < 0:
        return result("worsened", rate)
    if rate >= evaluation.mostly_achieved_ratio:
        return result("mostly_achieved", rate)
    return result("not_achieved", rate)


def indicator_final(indicator: Indicator, first_year: int, year: int,
                    actuals_by_year: Mapping[int, Actuals], evaluation: Evaluation) -> IndicatorFinal:
    measures = [measure_final(m, indicator.id, first_year, year, actuals_by_year, evaluation)
                for m in indicator.measures]
    judgement = min((m.judgement for m in measures), key=JUDGEMENT_RANK.__getitem__)
    return IndicatorFinal(indicator, measures, judgement)


def plan_final(plan: Plan, year: int, actuals_by_year: Mapping[int, Actuals],
               evaluation: Evaluation) -> dict[str, IndicatorFinal]:
    """Every indicator's final evaluation in ``year``, keyed by indicator ID, in plan order."""
    first = plan.plan.first_year
    return {
        i.id: indicator_final(i, first, year, actuals_by_year, evaluation)
        for g in plan.goals for o in g.objectives for i in o.indicators
    }


def judgement_counts(finals: Iterable[IndicatorFinal], evaluation: Evaluation) -> dict[str, int]:
    """Number of indicators per judgement, every judgement of the scale present."""
    counts = Counter(f.judgement for f in finals)
    return {j.key: counts.get(j.key, 0) for j in evaluation.final_judgements}


@dataclass(frozen=True)
class Counts:
    """Judgement counts per 具体的目標, per 基本目標 and over the plan."""

    objectives: dict[str, dict[str, int]]
    goals: dict[str, dict[str, int]]
    total: dict[str, int]


def plan_counts(plan: Plan, finals: Mapping[str, IndicatorFinal], evaluation: Evaluation) -> Counts:
    objectives, goals = {}, {}
    for g in plan.goals:
        for o in g.objectives:
            objectives[o.id] = judgement_counts((finals[i.id] for i in o.indicators), evaluation)
        goals[g.id] = judgement_counts((finals[i.id] for o in g.objectives for i in o.indicators), evaluation)
    return Counts(objectives, goals, judgement_counts(finals.values(), evaluation))


def project_grades(project_id: str, years: Iterable[int],
                   actuals_by_year: Mapping[int, Actuals]) -> list[tuple[int, str | None]]:
    """(year, grade code or None when not reported) for every year of ``years``."""
    out = []
    for y in years:
        actuals = actuals_by_year.get(y)
        actual = actuals.projects.get(project_id) if actuals is not None else None
        out.append((y, actual.grade if actual is not None else None))
    return out


def grade_summary(grades: list[tuple[int, str | None]], evaluation: Evaluation) -> list[tuple[str | None, int]]:
    """How many years each grade was given, in the scale's order (None: not reported), zeros left out."""
    counts = Counter(g for _, g in grades)
    order = [g.code for g in evaluation.project_grades] + [None]
    return [(code, counts[code]) for code in dict.fromkeys(order) if counts.get(code)]
