"""The open data of a report: the tables behind ``build/<year>/data/*.csv``.

Built with the outline (:func:`open_data` is called by the outline's
builder) so that the CSV writer only writes rows out: every column name and
its description come from :mod:`kplan_report.text.labels`, every value from
the model and the computed progress.  Values are machine-readable — plain
decimals without separators or units, years in 西暦 — because a CSV is read
by programs; the printed forms (8,900人, 令和3年度) are the report's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..compute.progress import IndicatorProgress, actual_value
from ..text.japanese import _one_decimal, fiscal_year_label
from ..text.labels import Labels


@dataclass(frozen=True)
class DataTable:
    """One CSV file: ``columns`` (names) with ``help`` (one description each), ``rows``."""

    file: str  # indicators.csv
    title: str  # what the file holds, for the README
    columns: list[str]
    help: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class OpenData:
    title: str  # the README's heading
    intro: str
    columns_label: str  # 列
    help_label: str  # 内容
    tables: list[DataTable]


def plain(value: Decimal | None) -> str:
    """8900, 71.5, 0.25: no separators, no exponent, no trailing zeros; "" for None."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def percent(fraction: Decimal | None) -> str:
    """A progress fraction as a percentage with one decimal (0.4 → 40.0), as the report rounds it."""
    return "" if fraction is None else str(_one_decimal(fraction * 100))


def indicators_table(builder, L: Labels) -> DataTable:
    """One row per indicator measure: ids, names, unit, baseline, target, every year's value
    (or the reason it is missing), and the report year's progress and status."""
    info, year, years = builder.info, builder.year, builder.years
    columns = [L.data_goal_id, L.data_objective_id, L.data_indicator_id, L.indicator, L.data_measure_id,
               L.data_measure, L.data_unit, L.data_baseline.format(year=info.baseline_year),
               L.data_target.format(year=info.last_year)]
    help_ = [L.data_goal_id_help, L.data_objective_id_help, L.data_indicator_id_help, L.data_indicator_help,
             L.data_measure_id_help, L.data_measure_help, L.data_unit_help, L.data_baseline_help,
             L.data_target_help]
    for y in years:
        columns += [L.data_value.format(year=y), L.data_reason.format(year=y)]
        help_ += [L.data_value_help, L.data_reason_help]
    columns += [L.data_progress.format(year=year), L.data_status.format(year=year)]
    help_ += [L.data_progress_help, L.data_status_help]
    rows = []
    for goal in builder.plan.goals:
        for objective in goal.objectives:
            for indicator in objective.indicators:
                now: IndicatorProgress = builder.progress[indicator.id]
                for k, measure in enumerate(indicator.measures):
                    mp = now.measures[k]
                    row = [goal.id, objective.id, indicator.id, indicator.name, measure.id,
                           (measure.label or "") if len(indicator.measures) > 1 else "", measure.unit,
                           plain(measure.baseline.value), plain(mp.target)]
                    for y in years:
                        actuals = builder.source.actuals.get(y)
                        entry = actuals.indicators.get(indicator.id) if actuals else None
                        actual = entry.measures.get(measure.id) if entry else None
                        value = actual_value(measure, actual)
                        reason = ""
                        if value is None:
                            reason = (L.not_surveyed if actual and actual.not_surveyed
                                      else actual.not_measured if actual and actual.not_measured else L.not_entered)
                        row += [plain(value), reason]
                    row += [percent(mp.progress), builder.status_labels[mp.status]]
                    rows.append(row)
    return DataTable("indicators.csv", L.data_indicators_file, columns, help_, rows)


def projects_table(builder, L: Labels) -> DataTable:
    """One row per project and fiscal year so far: its grade, results and next steps."""
    placements: dict[str, list[str]] = {}
    for goal in builder.plan.goals:
        for objective in goal.objectives:
            for item in objective.promotion_items:
                for pid in item.projects:
                    placements.setdefault(pid, []).append(item.id)
    columns = [L.data_project_id, L.project_name, L.owner, L.data_items, L.data_year, L.grade, L.grade_name,
               L.results, L.next_steps]
    help_ = [L.data_project_id_help, L.data_project_name_help, L.data_owner_help, L.data_items_help,
             L.data_year_help, L.data_grade_help, L.data_grade_name_help, L.data_results_help,
             L.data_next_steps_help]
    rows = []
    for project in builder.source.projects.projects:
        for y in builder.years:
            actuals = builder.source.actuals.get(y)
            actual = actuals.projects.get(project.id) if actuals else None
            head = [project.id, project.name, project.owner, " ".join(placements.get(project.id, [])), str(y)]
            if actual is None:
                rows.append(head + ["", builder.unreported, "", ""])
            else:
                rows.append(head + [actual.grade, builder.grade_labels[actual.grade], actual.results,
                                    actual.next_steps])
    return DataTable("projects.csv", L.data_projects_file, columns, help_, rows)


def final_table(builder, L: Labels) -> DataTable:
    """The final edition's final evaluation: one row per indicator measure, its final value
    (and the year it is from), 達成率 and judgement, and the indicator's judgement."""
    from ..compute.period import plan_final

    finals = plan_final(builder.plan, builder.year, builder.source.actuals, builder.evaluation)
    labels = {j.key: j.label for j in builder.evaluation.final_judgements}
    info = builder.info
    columns = [L.data_goal_id, L.data_objective_id, L.data_indicator_id, L.indicator, L.data_measure_id,
               L.data_measure, L.data_unit, L.data_baseline.format(year=info.baseline_year),
               L.data_final_value, L.data_final_year, L.data_target.format(year=info.last_year),
               L.data_rate, L.data_judgement, L.data_indicator_judgement]
    help_ = [L.data_goal_id_help, L.data_objective_id_help, L.data_indicator_id_help, L.data_indicator_help,
             L.data_measure_id_help, L.data_measure_help, L.data_unit_help, L.data_baseline_help,
             L.data_final_value_help, L.data_final_year_help, L.data_target_help, L.data_rate_help,
             L.data_judgement_help, L.data_indicator_judgement_help]
    rows = []
    for goal in builder.plan.goals:
        for objective in goal.objectives:
            for indicator in objective.indicators:
                f = finals[indicator.id]
                for mf in f.measures:
                    rows.append([goal.id, objective.id, indicator.id, indicator.name, mf.measure.id,
                                 mf.measure.label or "", mf.measure.unit, plain(mf.baseline), plain(mf.final),
                                 str(mf.final_year or ""), plain(mf.target), percent(mf.rate),
                                 labels[mf.judgement], labels[f.judgement]])
    return DataTable("final.csv", L.data_final_file, columns, help_, rows)


def open_data(builder) -> OpenData:
    """The open data of the report ``builder`` (the outline's builder) is building."""
    L = builder.labels
    tables = [indicators_table(builder, L), projects_table(builder, L)]
    if builder.final:
        tables.append(final_table(builder, L))
    return OpenData(
        title=L.data_readme_title,
        intro=L.data_readme_intro.format(
            title=f"{builder.info.title} {fiscal_year_label(builder.year)}"
                  f"{L.final_report_title if builder.final else L.report_title}"),
        columns_label=L.data_columns,
        help_label=L.data_column_help,
        tables=tables,
    )
