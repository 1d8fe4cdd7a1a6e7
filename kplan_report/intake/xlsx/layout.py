"""What one department's workbook holds: sheets, columns, rows and the YAML field behind each input cell.

Both directions use this: the export lays it out, the import rebuilds it
from ``source/`` and reads the cells it names.  A workbook therefore never
has to say which field a cell is; its ID column only has to agree with the
layout (a row whose ID was changed, deleted or duplicated is refused).

Rows start at :data:`FIRST_ROW` under a title row and a header row; column A
holds the row's ID.  A cell whose column has an ``input`` kind but whose row
has no path for it (the note of an indicator's second measure, ``of`` of a
measure that has none) is locked and shaded like the read-only cells.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ... import model
from ...text.japanese import fiscal_year_label, fiscal_year_short
from ...text.labels import make_labels
from ...validate.load import Source
from ..newyear import _uses

TITLE_ROW = 1
HEADER_ROW = 2
FIRST_ROW = 3
FORMAT = "kplan-report intake 1"

# Sheet names, as the departments see them.
GUIDE = "記入要領"
PROJECTS = "事業"
INDICATORS = "指標"
ITEMS = "推進項目"
OPINIONS = "意見"
PERIOD = "最終評価"  # the final edition's 成果 and 次期計画への課題 (coordinator, final edition only)
LISTS = "_lists"
META = "_meta"
GRADE_LIST_NAME = "grade_scale"
SURVEY_LIST_NAME = "not_surveyed"
PERIOD_OPINION_ID = "period"  # the 意見 sheet's row of the committee's opinion on the whole period

# Input kinds: how a typed cell is read and checked.
TEXT = "text"
GRADE = "grade"
NUMBER = "number"  # a measure's value: rules from its MeasureKind
WHOLE = "whole"  # count / of
SURVEY = "survey"  # 対象外 from a drop-down: no survey this year (not_surveyed: true)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float  # in Excel character widths (a full-width character counts 2)
    input: str | None = None  # the input kind, or None for a read-only column


@dataclass
class Row:
    id: str
    values: dict[str, Any]  # column key -> what the cell shows (read-only text, or this year's value already in the YAML)
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)  # input column key -> YAML field path
    measure: model.Measure | None = None  # for NUMBER cells: the rules of the value
    label: str = ""  # what the row is, for messages and the status list


@dataclass
class Sheet:
    name: str
    title: str
    columns: list[Column]
    rows: list[Row]

    def column_letter(self, key: str) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter([c.key for c in self.columns].index(key) + 1)


@dataclass
class Layout:
    year: int
    department: model.Department
    coordinator: model.Department
    organisation: str
    fingerprint: str
    sheets: list[Sheet]  # the data sheets (事業, 指標, and for the coordinator 推進項目, 意見, in the final edition 最終評価)
    grades: list[model.ProjectGrade]
    final: bool = False  # the final edition's workbook: the coordinator's has the period texts
    not_surveyed: str = "対象外"  # what the 指標 sheet's drop-down offers (labels.py not_surveyed)

    def counts(self) -> dict[str, int]:
        return {sheet.name: len(sheet.rows) for sheet in self.sheets}

    def inputs(self):
        """Every input cell: (sheet, row, column, path)."""
        for sheet in self.sheets:
            for row in sheet.rows:
                for column in sheet.columns:
                    if column.input and column.key in row.paths:
                        yield sheet, row, column, row.paths[column.key]


def fingerprint(source: Source) -> str:
    """SHA-256 of the plan data a workbook was made from (plan, projects, departments, evaluation).

    Computed from the validated models, not the file bytes, so that a
    comment or a reformatting of plan.yaml does not turn away the workbooks
    already sent out; any change of what they show or refer to does.
    """
    parts = [source.plan, source.projects, source.departments, source.evaluation]
    text = json.dumps([p.model_dump(mode="json") for p in parts], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def departments_with_work(source: Source) -> list[model.Department]:
    """The departments that get a workbook: owners of a project or an indicator, and the coordinator."""
    owners = {d for p in source.projects.projects for d in p.departments}
    owners |= {d for n in _indicators(source.plan) for d in n.departments}
    return [d for d in source.departments.departments if d.id in owners or d.coordinator]


def build_layout(source: Source, year: int, department: model.Department, fp: str | None = None,
                 final: bool | None = None) -> Layout:
    """What ``department``'s workbook of ``year`` holds.

    ``final``: the final edition's workbook (``build --final``'s rule: by
    default in the plan's last year); the coordinator's then also collects
    the period texts (:data:`PERIOD`, and the period's opinion on :data:`OPINIONS`).
    """
    from ...views.outline import is_final

    final = is_final(source, year, final)
    info = source.plan.plan
    labels = make_labels(info.municipality_kind, info.terms)
    current = source.actuals.get(year)
    previous = source.actuals.get(year - 1)
    coordinator = source.departments.coordinator()
    organisations = {o.id: o for o in source.departments.organisations}
    label = fiscal_year_label(year)
    sheets = [_projects_sheet(source, year, department, current, previous),
              _indicators_sheet(source, year, department, current, labels)]
    if department.coordinator:
        sheets.append(_items_sheet(source, year, current, previous))
        sheets.append(_opinions_sheet(source, year, current, final))
        if final:
            sheets.append(_period_sheet(source, current, labels))
    for sheet in sheets:
        sheet.title = f"{label} {sheet.title}（{department.name}）"
    return Layout(
        year=year,
        department=department,
        coordinator=coordinator,
        organisation=organisations[department.organisation].name if department.organisation in organisations else "",
        fingerprint=fp or fingerprint(source),
        sheets=sheets,
        grades=list(source.evaluation.project_grades),
        final=final,
        not_surveyed=labels.not_surveyed,
    )


# ---------------------------------------------------------------- sheets


def _placements(plan: model.Plan) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for goal in plan.goals:
        for objective in goal.objectives:
            for item in objective.promotion_items:
                for project_id in item.projects:
                    out.setdefault(project_id, []).append(f"{goal.number}-{objective.number} {item.number} {item.title}")
    return out


def _projects_sheet(source: Source, year: int, department: model.Department, current, previous) -> Sheet:
    last = fiscal_year_short(year - 1)
    columns = [
        Column("id", "ID", 7),
        Column("items", "推進項目", 30),
        Column("name", "事業名", 26),
        Column("last_results", f"{last} 実施内容・実績", 40),
        Column("last_grade", f"{last} 評価", 8),
        Column("results", "実施内容・実績", 46, TEXT),
        Column("grade", "評価", 10, GRADE),
        Column("next_steps", "課題・今後の方向性", 40, TEXT),
    ]
    placements = _placements(source.plan)
    rows = []
    for project in source.projects.projects:
        if department.id not in project.departments:
            continue
        before = previous.projects.get(project.id) if previous else None
        now = current.projects.get(project.id) if current else None
        rows.append(
            Row(
                id=project.id,
                label=project.name,
                values={
                    "id": project.id,
                    "items": "\n".join(placements.get(project.id, [])),
                    "name": project.name,
                    "last_results": before.results if before else "",
                    "last_grade": before.grade if before else "",
                    "results": now.results if now else None,
                    "grade": now.grade if now else None,
                    "next_steps": now.next_steps if now else None,
                },
                paths={key: ("projects", project.id, key) for key in ("results", "grade", "next_steps")},
            )
        )
    return Sheet(PROJECTS, "主な取組・事業の実施状況", columns, rows)


def _indicators(plan: model.Plan):
    for goal in plan.goals:
        for objective in goal.objectives:
            yield from objective.indicators


def _indicators_sheet(source: Source, year: int, department: model.Department, current, labels) -> Sheet:
    plan = source.plan
    years = [y for y in range(plan.plan.first_year, year)]
    columns = [
        Column("id", "ID", 17),
        Column("name", "指標名", 30),
        Column("measure", "数値", 12),
        Column("unit", "単位", 6),
        Column("baseline", f"現状値\n{fiscal_year_short(plan.plan.baseline_year)}", 11),
    ]
    columns += [Column(f"y{y}", f"実績\n{fiscal_year_short(y)}", 10) for y in years]
    columns += [
        Column("target", f"目標値\n{fiscal_year_short(plan.plan.last_year)}", 11),
        Column("value", f"{fiscal_year_short(year)}\n実績値", 11, NUMBER),
        Column("count", "うち該当数\n（count）", 10, WHOLE),
        Column("of", "対象の総数\n（of）", 10, WHOLE),
        Column("not_surveyed", f"調査のない年度\n（{labels.not_surveyed}）", 12, SURVEY),
        Column("not_measured", "把握できなかった理由", 24, TEXT),
        Column("note", "備考（指標ごと）", 30, TEXT),
    ]
    previous = source.actuals.get(year - 1)
    rows = []
    for indicator in _indicators(plan):
        if department.id not in indicator.departments:
            continue
        now = current.indicators.get(indicator.id) if current else None
        before = previous.indicators.get(indicator.id) if previous else None
        for index, measure in enumerate(indicator.measures):
            base = ("indicators", indicator.id, "measures", measure.id)
            actual = now.measures.get(measure.id) if now else None
            last = before.measures.get(measure.id) if before else None
            values: dict[str, Any] = {
                "id": f"{indicator.id}/{measure.id}",
                "name": indicator.name,
                "measure": measure.label or "",
                "unit": measure.unit,
                "baseline": _quantity(measure.baseline),
                "target": _quantity(measure.target),
                "value": actual.value if actual else None,
                "count": actual.count if actual else None,
                "of": actual.of if actual else None,
                "not_surveyed": labels.not_surveyed if actual and actual.not_surveyed else None,
                "not_measured": actual.not_measured if actual else None,
                "note": (now.note if now else None) if index == 0 else None,
            }
            for y in years:
                values[f"y{y}"] = _year_value(source.actuals.get(y), indicator.id, measure.id)
            paths = {"value": base + ("value",), "not_surveyed": base + ("not_surveyed",), "not_measured": base + ("not_measured",)}
            for name in ("count", "of"):
                if _uses(measure, last, name) or (actual is not None and getattr(actual, name) is not None):
                    paths[name] = base + (name,)
            if index == 0:
                paths["note"] = ("indicators", indicator.id, "note")
            label = indicator.name + (f"（{measure.label}）" if measure.label else "")
            rows.append(Row(id=values["id"], values=values, paths=paths, measure=measure, label=label))
    return Sheet(INDICATORS, "主な指標の実績値", columns, rows)


def _items_sheet(source: Source, year: int, current, previous) -> Sheet:
    last = fiscal_year_short(year - 1)
    columns = [
        Column("id", "ID", 22),
        Column("item", "推進項目", 30),
        Column("actor", "主体", 12),
        Column("last", f"{last} 取組状況", 46),
        Column("text", "取組状況", 56, TEXT),
    ]
    labels = {a.id: a.label for a in source.plan.actors}
    rows = []
    for goal in source.plan.goals:
        for objective in goal.objectives:
            for item in objective.promotion_items:
                for row in item.rows:
                    before = previous.promotion_items.get(item.id, {}) if previous else {}
                    now = current.promotion_items.get(item.id, {}) if current else {}
                    rows.append(
                        Row(
                            id=f"{item.id}/{row.actor}",
                            label=f"{goal.number}-{objective.number} {item.number} {item.title}・{labels.get(row.actor, row.actor)}",
                            values={
                                "id": f"{item.id}/{row.actor}",
                                "item": f"{goal.number}-{objective.number} {item.number} {item.title}",
                                "actor": labels.get(row.actor, row.actor),
                                "last": before.get(row.actor) or "",
                                "text": now.get(row.actor),
                            },
                            paths={"text": ("promotion_items", item.id, row.actor)},
                        )
                    )
    return Sheet(ITEMS, "推進項目の取組状況", columns, rows)


def _opinions_sheet(source: Source, year: int, current, final: bool = False) -> Sheet:
    info = source.plan.plan
    labels = make_labels(info.municipality_kind, info.terms)  # the plan's own words: 町の対応 …
    columns = [
        Column("id", "ID", 10),
        Column("subject", "対象", 34),
        Column("opinion", labels.opinion, 50, TEXT),
        Column("response", labels.response, 50, TEXT),
    ]
    opinions = current.opinions if current else model.Opinions()
    rows = [
        Row(
            id="overall",
            label="計画全体",
            values={
                "id": "overall",
                "subject": "計画全体",
                "opinion": opinions.overall.opinion if opinions.overall else None,
                "response": opinions.overall.response if opinions.overall else None,
            },
            paths={"opinion": ("opinions", "overall", "opinion"), "response": ("opinions", "overall", "response")},
        )
    ]
    if final:
        period = current.period_review.opinion if current else None
        rows.append(
            Row(
                id=PERIOD_OPINION_ID,
                label=PERIOD_OPINION_SUBJECT,
                values={
                    "id": PERIOD_OPINION_ID,
                    "subject": PERIOD_OPINION_SUBJECT,
                    "opinion": period.opinion if period else None,
                    "response": period.response if period else None,
                },
                paths={"opinion": ("period_review", "opinion", "opinion"), "response": ("period_review", "opinion", "response")},
            )
        )
    for goal in source.plan.goals:
        for objective in goal.objectives:
            entry = opinions.objectives.get(objective.id)
            subject = f"{goal.number}-{objective.number} {objective.title}"
            rows.append(
                Row(
                    id=objective.id,
                    label=subject,
                    values={
                        "id": objective.id,
                        "subject": subject,
                        "opinion": entry.opinion if entry else None,
                        "response": entry.response if entry else None,
                    },
                    paths={
                        "opinion": ("opinions", "objectives", objective.id, "opinion"),
                        "response": ("opinions", "objectives", objective.id, "response"),
                    },
                )
            )
    return Sheet(OPINIONS, "推進委員会の意見と対応", columns, rows)


PERIOD_OPINION_SUBJECT = "計画期間全体（最終評価）"


def _period_sheet(source: Source, current, labels) -> Sheet:
    """成果 and 次期計画への課題 per 基本目標 and 具体的目標 (``period_review``), each 基本目標 before its own."""
    columns = [
        Column("id", "ID", 8),
        Column("subject", labels.goal_objective, 34),
        Column("results", labels.review_results_column, 56, TEXT),
        Column("next_plan", labels.review_next_plan_column, 56, TEXT),
    ]
    review = current.period_review if current else model.PeriodReview()
    rows = []

    def row(part: str, node_id: str, subject: str) -> Row:
        entry = getattr(review, part).get(node_id)
        return Row(
            id=node_id,
            label=subject,
            values={
                "id": node_id,
                "subject": subject,
                "results": entry.results if entry else None,
                "next_plan": entry.next_plan if entry else None,
            },
            paths={key: ("period_review", part, node_id, key) for key in ("results", "next_plan")},
        )

    for goal in source.plan.goals:
        rows.append(row("goals", goal.id, f"{labels.goal}{goal.number} {goal.title}"))
        for objective in goal.objectives:
            rows.append(row("objectives", objective.id, f"{goal.number}-{objective.number} {objective.title}"))
    return Sheet(PERIOD, labels.final_review, columns, rows)


# ---------------------------------------------------------------- display


def _number(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


def _quantity(q: model.Quantity) -> str:
    if q.all:
        return "全数"
    text = _number(q.value)
    if q.count is not None and q.of is not None:
        text += f"（{q.count}/{q.of}）"
    return text


def _year_value(actuals: model.Actuals | None, indicator_id: str, measure_id: str) -> str:
    if actuals is None:
        return ""
    entry = actuals.indicators.get(indicator_id)
    actual = entry.measures.get(measure_id) if entry else None
    if actual is None:
        return ""
    if actual.not_surveyed:
        return "対象外"  # a year without a survey (labels.py not_surveyed)
    if actual.value is None:
        return "未把握" if actual.not_measured else ""
    text = _number(actual.value)
    if actual.of is not None:
        text += f"（/{actual.of}）" if actual.count is None else f"（{actual.count}/{actual.of}）"
    return text
