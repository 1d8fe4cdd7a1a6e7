"""The one outline of the report: built once, walked by every writer.

:func:`build_report` turns the validated source and the computed progress
into a :class:`Report`: the cover facts and an ordered tree of
:class:`~kplan_report.views.blocks.Section` holding typed blocks.  Every
decision about the document is taken here, once — the order of the
chapters, every heading and label (from :mod:`kplan_report.text.labels`,
the plan's terms and the evaluation scale), the row spans of the 施策の体系,
the text of a grade cell, the year columns an indicator table shows, figure
numbers, captions and chart alt text — so that the PDF, the Word draft and
any later writer cannot drift apart.  Writers only lay the outline out.

The outline of a report::

    第1章 進捗管理の概要        計画の期間と位置付け / 施策の体系 / 評価の方法
    第2章 総括                  主な指標の評価 / 主な取組・事業の評価 / 推進委員会の意見と市の対応
    第3章 基本目標別の進捗状況   基本目標 › 具体的目標 › 推進項目 (table, projects, notes);
                                after a 具体的目標's 推進項目: ＜主な指標＞, notes, opinion
    第4章 最終評価 (the final edition only: the plan's last year, or ``final=True``)
                                最終評価の方法 / 主な指標の最終評価 / 主な取組・事業の評価の推移 /
                                成果と次期計画への課題 / 計画期間に対する推進委員会の意見
    資料編                      主な指標の推移（全指標） / 用語解説 / データの出典

The final chapter is built in :mod:`kplan_report.views.final` from the same
block types (tables, text, status bars, opinions), so every writer lays it
out without a function of its own.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import PurePosixPath

from .. import __version__
from ..compute.progress import IndicatorProgress, MeasureProgress, grade_counts, plan_progress, series, status_counts
from ..model import Action, Actuals, Indicator, Measure, MeasureKind, Note, Objective
from ..text.japanese import NO_BREAK, fiscal_year_label, fiscal_year_letter, fiscal_year_short, format_number, format_percent, wareki_date
from ..text.labels import Labels, make_labels
from ..validate.load import ACTUALS_DIR as ACTUALS_FOLDER, Source
from .opendata import OpenData, open_data
from .blocks import (
    Bar,
    BarSegment,
    Cell,
    Column,
    ContentsEntry,
    IndicatorTable,
    Notes,
    Opinion,
    PromotionItemTable,
    Section,
    StatusBars,
    Table,
    Text,
    walk,
)
from .pieces import (
    ActionLine,
    ActorRowView,
    Chart,
    ChartSeries,
    COMPUTED,
    EARLIER,
    Field,
    IndicatorRow,
    NoteView,
    OpinionView,
    ProjectRow,
    PromotionItemView,
    Span,
    YearColumn,
)

#: Year columns an indicator table of 第3章 shows at most (the latest years up
#: to the report's); the 資料編 shows every year, in tables of this many years.
YEAR_COLUMNS = 5

#: Sections down to this level are listed in the 目次 (both formats).
CONTENTS_LEVELS = 4


@dataclass(frozen=True)
class Report:
    """The cover facts, the 目次 and the outline of one report."""

    title: str  # 第3期…活動計画 令和3年度（2021年度）進捗状況報告書
    plan_title: str
    short_title: str  # for running headers
    subtitle: str  # 令和3年度（2021年度）進捗状況報告書
    file_stem: str  # <plan id>-<year>: the output files' name
    year: int
    year_label: str  # 令和3年度（2021年度）
    status: str  # sample / draft / final
    status_mark: str  # サンプルデータ / （案） / ""
    status_notice: str  # a sentence for the cover; "" when final
    publisher: list[str]
    author: str  # publishers joined, for document metadata
    report_date: str  # 令和4年6月30日
    report_date_iso: datetime.date
    tool_version: str
    contents: list[ContentsEntry]
    sections: list[Section]
    labels: Labels
    warnings: list[str] = field(default_factory=list)
    #: What the draft records about its input (Word's custom properties), so that
    #: ``kplan-report review`` can tell a draft of another year or plan: see :func:`draft_properties`.
    properties: dict[str, str] = field(default_factory=dict)
    open_data: OpenData | None = None  # the tables of build/<year>/data/

    def with_role(self, role: str) -> list[Section]:
        """Every section of ``role`` (goal, objective, item …), in document order."""
        return [s for s in walk(self.sections) if s.role == role]

    def promotion_items(self) -> list[PromotionItemView]:
        """Every 推進項目, in document order."""
        return [b.item for s in walk(self.sections) for b in s.blocks if isinstance(b, PromotionItemTable)]

    def indicator_rows(self) -> list[IndicatorRow]:
        """Every ＜主な指標＞ row of 第3章 (the tables with charts), in document order."""
        return [r for s in walk(self.sections) for b in s.blocks
                if isinstance(b, IndicatorTable) and b.charts for r in b.rows]

    def section(self, anchor: str) -> Section:
        """The section whose heading has id ``anchor`` (e.g. ``obj-G1.1``)."""
        for section in walk(self.sections):
            if section.anchor == anchor:
                return section
        raise KeyError(anchor)


# ---------------------------------------------------------------- small pieces


def _fullwidth(number: int) -> str:
    """具体的目標１: the plan writes these numbers in full-width digits."""
    return str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def _note(note: Note, where: str) -> NoteView:
    return NoteView(note.marker, note.term, note.definition, note.extra, where)


def _year_columns(years: list[int]) -> list[YearColumn]:
    return [YearColumn(y, fiscal_year_short(y), f"{y}年度") for y in years]


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


@dataclass(frozen=True)
class MeasureFields:
    """The draft's fields of one measure's report-year value (``None``: the passage is not a field)."""

    value: Field | None = None
    count: Field | None = None
    of: Field | None = None
    reason: Field | None = None  # not_measured
    computed: Field | None = None  # a value computed from count/of: locked


def grade_text(code: str, label: str) -> str:
    """The grade cell: code and label on two lines, once (評価困難 has no code of its own)."""
    return f"{code}\n{label}" if code and code != label else label


class _Builder:
    """Holds what every part of the report needs while it is being built."""

    def __init__(self, source: Source, year: int, build_date: datetime.date, final: bool = False):
        self.source = source
        self.year = year
        self.final = final
        self.build_date = build_date
        self.plan = source.plan
        self.info = source.plan.plan
        self.evaluation = source.evaluation
        self.actuals = source.actuals.get(year)
        self.projects = {p.id: p for p in source.projects.projects}
        self.status_labels = {s.key: s.label for s in self.evaluation.indicator_statuses}
        self.grade_labels = {g.code: g.label for g in self.evaluation.project_grades}
        self.unknown = self.status_labels["unknown"]
        self.unreported = self.evaluation.unreported.label
        self.row_labels = {a.id: a.label for a in self.plan.actors}
        self.tag_labels = {a.id: a.label for a in self.plan.tag_actors}
        self.years = list(range(self.info.first_year, year + 1))
        self.progress_by_year = {
            y: plan_progress(self.plan, source.actuals.get(y), y, self.evaluation,
                             {k: a for k, a in source.actuals.items() if k < y})
            for y in self.years
        }
        self.progress = self.progress_by_year[year]
        info = self.info
        self.labels: Labels = make_labels(info.municipality_kind, info.terms)
        L = self.labels
        self.labels = L.replace(
            status_column=L.status_column.format(year=fiscal_year_short(year)),
            baseline_column=L.baseline_column.format(year=fiscal_year_short(info.baseline_year),
                                                     western=info.baseline_year),
            target_column=L.target_column.format(year=fiscal_year_short(info.last_year), western=info.last_year),
        )
        self.figures = 0
        self.indicator_rows: dict[str, list[IndicatorRow]] = {}

    # -- 第3章 pieces

    def action_tag(self, action: Action) -> str:
        """【市・市社協】 from [city, council]; 【市・市社協等】 with actors_etc; "" without actors."""
        if not action.actors:
            return ""
        etc = "等" if action.actors_etc else ""
        return "【" + "・".join(self.tag_labels[a] for a in action.actors) + etc + "】"

    def measure_spans(self, measure: Measure, mp: MeasureProgress, actuals: Actuals | None, indicator_id: str,
                      fields: MeasureFields | None = None) -> tuple[Span, ...]:
        """A measure's printed value in a year cell (``16⁠地区``, ``18／19``, ``71.5⁠％\n（143/200自治会）``)
        as spans; with ``fields`` (the report year's), its value, count and of are the draft's fields."""
        if mp.not_surveyed:
            return (Span(self.labels.not_surveyed),)
        f = fields or MeasureFields()
        if mp.value is None:
            # 未把握: typing a number over it enters the value
            return (Span(self.unknown, replace(f.value, empty=self.unknown) if f.value else None),)
        entry = actuals.indicators.get(indicator_id) if actuals else None
        actual = entry.measures.get(measure.id) if entry else None
        # a value computed from count/of is the report's, not the actuals': locked
        value_field = f.value if actual is not None and actual.value is not None else f.computed
        if measure.kind is MeasureKind.coverage and actual is not None and actual.of is not None:
            spans = [Span(format_number(mp.value), value_field), Span("／"), Span(format_number(actual.of), f.of)]
        else:
            text = format_number(mp.value, measure.unit)
            unit = f"{NO_BREAK}{measure.unit}" if measure.unit else ""
            spans = [Span(text[:len(text) - len(unit)], value_field), Span(unit)]
        if measure.kind is MeasureKind.percent and actual is not None and actual.count is not None and actual.of:
            spans += [Span("\n（"), Span(str(actual.count), f.count), Span("/"), Span(str(actual.of), f.of),
                      Span(f"{measure.baseline.of_unit or ''}）")]
        return tuple(s for s in spans if s.text)

    def measure_value(self, measure: Measure, mp: MeasureProgress, actuals: Actuals | None, indicator_id: str) -> str:
        return "".join(s.text for s in self.measure_spans(measure, mp, actuals, indicator_id))

    def year_spans(self, ip: IndicatorProgress, actuals: Actuals | None,
                   fields: dict[str, MeasureFields] | None = None) -> tuple[Span, ...]:
        spans: list[Span] = []
        for k, mp in enumerate(ip.measures):
            if k:
                spans.append(Span("\n"))
            spans += self.measure_spans(mp.measure, mp, actuals, ip.indicator.id,
                                        (fields or {}).get(mp.measure.id))
        return tuple(spans)

    def year_cell(self, ip: IndicatorProgress, actuals: Actuals | None) -> str:
        return "".join(s.text for s in self.year_spans(ip, actuals))

    def measure_fields(self, indicator: Indicator, place: str) -> dict[str, MeasureFields]:
        """The draft's fields of the report year's values of ``indicator``, by measure."""
        L = self.labels
        year = fiscal_year_short(self.year)
        out = {}
        for m in indicator.measures:
            label = f"（{m.label}）" if len(indicator.measures) > 1 and m.label else ""
            keys = ("indicators", indicator.id, "measures", m.id)

            def field(key: str, column: str, kind: str, keys=keys, label=label) -> Field:
                return Field(".".join((*keys, key)),
                             L.field_indicator.format(number=indicator.number, name=indicator.name, measure=label,
                                                      year=year, column=column),
                             f"{place}{label} › {year}の{column}", keys=(*keys, key), kind=kind)

            computed = Field(f"{COMPUTED}{indicator.id}.{m.id}.value",
                             L.field_indicator.format(number=indicator.number, name=indicator.name, measure=label,
                                                      year=year, column=L.field_computed_value),
                             f"{place}{label} › {year}の{L.field_computed_value}", locked=True)
            out[m.id] = MeasureFields(field("value", L.field_value, "number"), field("count", L.field_count, "whole"),
                                      field("of", L.field_of, "whole"), field("not_measured", L.field_reason, "text"),
                                      computed)
        return out

    def progress_cell(self, ip: IndicatorProgress) -> str:
        lines = []
        for mp in ip.measures:
            text = format_percent(mp.progress) if mp.progress is not None else self.labels.no_progress
            if len(ip.measures) > 1:
                text = f"{mp.measure.label or mp.measure.unit} {text}"
            lines.append(text)
        return "\n".join(lines)

    def indicator_row(self, indicator: Indicator, place: str = "") -> IndicatorRow:
        """``place``: where the indicator sits (基本目標Ⅰ › 具体的目標1), for the draft's fields."""
        L = self.labels
        ip = self.progress[indicator.id]
        place = f"{place} › {L.indicators}{indicator.number} {indicator.name}"
        fields = self.measure_fields(indicator, place)
        notes: list[tuple[Span, ...]] = []
        if ip.note:
            notes.append((Span(ip.note, Field(f"indicators.{indicator.id}.note",
                                              L.field_indicator.format(number=indicator.number, name=indicator.name,
                                                                       measure="", year=fiscal_year_short(self.year),
                                                                       column=L.field_note),
                                              f"{place} › {fiscal_year_short(self.year)}の{L.field_note}",
                                              keys=("indicators", indicator.id, "note"))),))
        for mp in ip.measures:
            label = f"（{mp.measure.label}）" if len(ip.measures) > 1 else ""
            if mp.not_surveyed and mp.value_year is not None and mp.value is not None:
                notes.append((Span(L.survey_note.format(label=L.not_surveyed, measure=label,
                                                        year=fiscal_year_label(mp.value_year),
                                                        value=format_number(mp.value, mp.measure.unit)),
                                   Field(f"{COMPUTED}{indicator.id}.{mp.measure.id}.survey",
                                         L.field_indicator.format(number=indicator.number, name=indicator.name,
                                                                  measure=label, year=fiscal_year_short(self.year),
                                                                  column=L.field_survey),
                                         f"{place}{label} › {L.field_survey}", locked=True)),))
            elif mp.not_measured:
                notes.append((Span(f"{self.unknown}{label}："), Span(mp.not_measured, fields[mp.measure.id].reason)))

        def locked(what: str, column: str) -> Field:
            return Field(f"{COMPUTED}{indicator.id}.{what}",
                         L.field_indicator.format(number=indicator.number, name=indicator.name, measure="",
                                                  year=fiscal_year_short(self.year), column=column),
                         f"{place} › {column}", locked=True)

        def plan(what: str, column: str) -> Field:  # the plan's words of the indicator
            return Field(f"plan:{indicator.id}.{what}",
                         L.field_indicator_plan.format(number=indicator.number, name=indicator.name, column=column),
                         f"{place} › {column}", locked=True)

        def earlier(y: int, text: str) -> tuple[Span, ...]:  # another year's values: that year's file
            return (Span(text, Field(f"{EARLIER}{y}:{indicator.id}",
                                     L.field_indicator.format(number=indicator.number, name=indicator.name, measure="",
                                                              year=fiscal_year_short(y), column=L.field_earlier),
                                     f"{place} › {fiscal_year_short(y)}の{L.field_value}", locked=True)),)

        value_spans = [self.year_spans(self.progress_by_year[y][indicator.id], self.source.actuals.get(y), fields)
                       if y == self.year else
                       earlier(y, self.year_cell(self.progress_by_year[y][indicator.id], self.source.actuals.get(y)))
                       for y in self.years]
        chart = Chart(
            title=indicator.name,
            years=[self.info.baseline_year, *self.years],
            target_year=self.info.last_year,
            series=[
                ChartSeries(
                    label=m.label or m.unit,
                    unit=m.unit,
                    points=[
                        (y, float(v) if v is not None else None)
                        for y, v in series(m, self.source.actuals, indicator.id, self.info.baseline_year, self.year)
                    ],
                    target=float(mp.target) if mp.target is not None else None,
                )
                for m, mp in zip(indicator.measures, ip.measures)
            ],
            missing_label=self.unknown,
            target_label=L.chart_target,
        )
        self.figures += 1
        caption = f"{L.figure}{self.figures}　{L.chart_caption.format(name=indicator.name)}"
        return IndicatorRow(
            id=indicator.id,
            number=indicator.number,
            name=indicator.name,
            owner=indicator.owner,
            baseline=indicator.baseline_display,
            values=["".join(x.text for x in spans) for spans in value_spans],
            target=indicator.target_display,
            progress=self.progress_cell(ip),
            status=self.status_labels[ip.status],
            status_key=ip.status,
            notes=["".join(x.text for x in spans) for spans in notes],
            chart=chart,
            figure_label=L.figure,
            figure=self.figures,
            caption_text=L.chart_caption.format(name=indicator.name),
            chart_alt=L.chart_alt.format(name=indicator.name, first=chart.years[0], last=chart.target_year),
            chart_table=self.chart_table(chart, L.chart_data.format(caption=caption)),
            value_spans=value_spans,
            note_spans=notes,
            name_field=plan("name", L.indicator),
            baseline_field=plan("baseline", L.baseline_column.split("\n")[0]),
            target_field=plan("target", L.target_column.split("\n")[0]),
            progress_field=locked("progress", L.field_progress),
            status_field=locked("status", L.field_status),
        )

    def chart_table(self, chart: Chart, caption: str) -> Table:
        """年度 | each series' value (missing ones as the scale's 未把握), then the target row."""
        L = self.labels
        several = len(chart.series) > 1
        columns = [Column(L.fiscal_year, 48)] + [Column(s.label if several else L.chart_value, None, "right")
                                                 for s in chart.series]

        def value(v: float | None, unit: str) -> str:
            return chart.missing_label if v is None else format_number(Decimal(str(v)), unit)

        rows = [[Cell(fiscal_year_label(y))] + [Cell(value(s.points[k][1], s.unit)) for s in chart.series]
                for k, y in enumerate(chart.years)]
        rows.append([Cell(f"{chart.target_label} {fiscal_year_label(chart.target_year)}")]
                    + [Cell(value(s.target, s.unit)) for s in chart.series])
        return Table("chart-data", columns, rows, caption=caption)

    def indicator_columns(self, years: list[YearColumn]) -> list[str]:
        L = self.labels
        return [L.number, L.indicator, L.owner, L.baseline_column,
                *(L.year_column.format(year=y.wareki, western=y.year) for y in years),
                L.target_column, L.progress, L.evaluation]

    def indicator_table(self, anchor: str, caption: str, rows: list[IndicatorRow], years: list[int],
                        charts: bool) -> IndicatorTable:
        """Rows keep every year's value; the table shows ``years`` of them."""
        shown = [self.years.index(y) for y in years]
        rows = [replace(r, values=[r.values[i] for i in shown], value_spans=[r.value_spans[i] for i in shown])
                for r in rows]
        columns = _year_columns(years)
        return IndicatorTable(anchor, caption, self.indicator_columns(columns), columns, rows, charts)

    def grade_code(self, project_id: str, year: int) -> str:
        """A grade as a compact list prints it: its code (評価困難 is its own code), or 未報告."""
        actuals = self.source.actuals.get(year)
        actual = actuals.projects.get(project_id) if actuals is not None else None
        return actual.grade if actual is not None else self.unreported

    def earlier_grades(self, project_id: str) -> str:
        """R1 A / R2 B …: the grades of the period's years before the report's, one a line;
        years in a row with the same grade share a line (R4～R9 未報告), so that the 8th
        year of a 10-year plan does not make every project row seven lines tall."""
        runs: list[list] = []  # [first year, last year, grade]
        for y in self.years[:-1]:
            grade = self.grade_code(project_id, y)
            if runs and runs[-1][2] == grade:
                runs[-1][1] = y
            else:
                runs.append([y, y, grade])
        if not runs:
            return self.labels.no_earlier_grades
        return "\n".join(
            (fiscal_year_letter(a) if a == b else f"{fiscal_year_letter(a)}～{fiscal_year_letter(b)}") + f" {g}"
            for a, b, g in runs)

    def project_row(self, project_id: str, place: str = "") -> ProjectRow:
        """A project's row; its results and next steps are editable fields only when
        the year has an entry for it (a new entry needs its grade, which is the YAML's)."""
        L = self.labels
        project = self.projects[project_id]
        actual = self.actuals.projects.get(project_id) if self.actuals else None
        earlier = self.earlier_grades(project_id)
        if actual is None:
            return ProjectRow(project.id, project.name, project.owner, "", "", self.unreported, "", earlier=earlier)

        def field(key: str, label: str) -> Field:
            return Field(f"projects.{project_id}.{key}",
                         L.field_project.format(project=project.name, column=label),
                         f"{place} › {L.projects}{project.name} › {label}", keys=("projects", project_id, key))

        return ProjectRow(project.id, project.name, project.owner, actual.results,
                          actual.grade, self.grade_labels[actual.grade], actual.next_steps,
                          field("results", L.results), field("next_steps", L.next_steps), earlier=earlier)

    def projects_table(self, projects: list[ProjectRow]) -> Table:
        L = self.labels
        return Table(
            name="projects",
            caption=L.projects,
            columns=[Column(L.project_name, 32), Column(L.owner, 20), Column(L.results),
                     Column(L.grade, 16, "center", "grade"), Column(L.earlier_grades, 15, "center", "earlier"),
                     Column(L.next_steps)],
            rows=[[Cell(p.name), Cell(p.owner), Cell(p.results, field=p.results_field),
                   Cell(grade_text(p.grade, p.grade_label)), Cell(p.earlier),
                   Cell(p.next_steps, field=p.next_steps_field)] for p in projects],
        )

    def notes(self, notes: list[NoteView]) -> list[Notes]:
        return [Notes(self.labels.notes, notes)] if notes else []

    def opinion(self, opinion, caption: str | None, path: str, place: str) -> Opinion:
        """``path`` is the opinion's field (opinions.overall, opinions.objectives.G1.1)."""
        L = self.labels

        def field(key: str, label: str) -> Field:
            return Field(f"{path}.{key}", L.field_opinion.format(where=place.replace(" › ", "・"), column=label),
                         f"{place} › {label}", keys=(*keys, key))

        keys = ("opinions", "overall") if path == "opinions.overall" else ("opinions", "objectives", path.split(".", 2)[2])
        return Opinion(caption, L.opinion, L.response,
                       OpinionView(opinion.opinion, opinion.response,
                                   field("opinion", L.opinion), field("response", L.response)))

    def promotion_item(self, goal_number: str, objective: Objective, item) -> Section:
        L = self.labels
        summaries = (self.actuals.promotion_items if self.actuals else {}).get(item.id, {})
        where = f"{L.goal}{goal_number}-{L.objective}{objective.number}-{item.number}{item.title}"
        place = f"{L.goal}{goal_number} › {L.objective}{objective.number} › {item.number} {item.title}"
        heading = f"{L.promotion_item} {item.number} {item.title}"
        view = PromotionItemView(
            id=item.id,
            number=item.number,
            title=item.title,
            heading=f"{item.number} {item.title}",
            vertical_title=f"{item.number}{item.title}",
            rows=[
                ActorRowView(
                    actor=self.row_labels[row.actor],
                    actions=[ActionLine(a.id, a.text, self.action_tag(a),
                                        Field(f"plan:{a.id}",
                                              L.field_action.format(item=heading, actor=self.row_labels[row.actor]),
                                              f"{place} › {self.row_labels[row.actor]} › {L.action}", locked=True))
                             for a in row.actions],
                    summary=summaries.get(row.actor, ""),
                    summary_field=Field(f"promotion_items.{item.id}.{row.actor}",
                                        L.field_summary.format(item=heading, actor=self.row_labels[row.actor]),
                                        f"{place} › {self.row_labels[row.actor]}",
                                        keys=("promotion_items", item.id, row.actor)),
                )
                for row in item.rows
            ],
            projects=[self.project_row(pid, place) for pid in item.projects],
            notes=[_note(n, where) for n in item.notes],
        )
        content = [PromotionItemTable(view, [L.promotion_item, L.actor, L.action, L.status_column],
                                      L.no_summary, L.action_bullet)]
        if view.projects:
            content.append(self.projects_table(view.projects))
        content += self.notes(view.notes)
        return Section(4, view.heading, f"item-{item.id}", "item", content)

    def objective(self, goal_number: str, objective: Objective, first: bool) -> Section:
        L = self.labels
        content: list = [self.promotion_item(goal_number, objective, item) for item in objective.promotion_items]
        rows = [self.indicator_row(i, f"{L.goal}{goal_number} › {L.objective}{objective.number}")
                for i in objective.indicators]
        self.indicator_rows[objective.id] = rows  # every year's values, for the 資料編
        if rows:
            content.append(self.indicator_table(f"ind-{objective.id}", L.indicators, rows,
                                                self.years[-YEAR_COLUMNS:], charts=True))
        where = f"{L.goal}{goal_number}-{L.objective}{objective.number} 主な指標"
        content += self.notes([_note(n, where) for n in objective.indicator_notes])
        if self.actuals and objective.id in self.actuals.opinions.objectives:
            content.append(self.opinion(self.actuals.opinions.objectives[objective.id], L.objective_opinion,
                                        f"opinions.objectives.{objective.id}",
                                        f"{L.goal}{goal_number} › {L.objective}{objective.number}"))
        heading = f"{L.objective}{_fullwidth(objective.number)} {objective.title}"
        return Section(3, heading, f"obj-{objective.id}", "objective", content, new_page=not first)

    def chapter3(self) -> Section:
        L = self.labels
        goals = []
        for n, g in enumerate(self.plan.goals):
            content: list = [Text([L.current_issues], "subheading"), Text(list(g.current_issues))]
            content += self.notes([_note(x, f"{L.goal}{g.number}{L.current_issues}") for x in g.current_issues_notes])
            content += [Text([L.policy_direction], "subheading"), Text(list(g.policy_direction))]
            content += [self.objective(g.number, o, k == 0) for k, o in enumerate(g.objectives)]
            goals.append(Section(2, f"{L.goal}{g.number} {g.title}", f"goal-{g.id}", "goal", content,
                                 new_page=n > 0))
        return Section(1, L.chapter3, "ch3", "chapter", goals, new_page=True)

    # -- 第1章

    def chapter1(self) -> Section:
        L = self.labels
        info = self.info
        period = f"{fiscal_year_label(info.first_year)}～{fiscal_year_label(info.last_year)}"
        position = [p.format(title=info.title, period=period) for p in info.position]
        if self.final:
            position.append(L.position_final.format(chapter=info.chapter, first=fiscal_year_label(info.first_year),
                                                    year=fiscal_year_label(self.year)))
        else:
            position.append(L.position.format(chapter=info.chapter, year=fiscal_year_label(self.year)))
        tree_rows: list[list[Cell]] = []
        groups = []
        for g in self.plan.goals:
            size = sum(max(1, len(o.promotion_items)) for o in g.objectives)
            groups.append(size)
            for oi, o in enumerate(g.objectives):
                items = o.promotion_items or [None]
                for ii, item in enumerate(items):
                    goal_cell = Cell(f"{g.number} {g.title}", size) if oi == 0 and ii == 0 else Cell("", 0)
                    objective_cell = Cell(f"{o.number} {o.title}", len(items)) if ii == 0 else Cell("", 0)
                    tree_rows.append([goal_cell, objective_cell,
                                      Cell(f"{item.number} {item.title}" if item else "")])
        tree = Table("tree", [Column(L.goal, 42, key="goal"), Column(L.objective, 52, key="objective"),
                             Column(L.promotion_item)],
                     tree_rows, groups=groups)
        ev = self.evaluation
        statuses = Table("method", [Column(L.status, 30, "center"), Column(L.criterion)],
                         [[Cell(s.label), Cell(s.description)] for s in ev.indicator_statuses],
                         caption=L.status_table)
        grades = Table("method", [Column(L.grade, 14, "center"), Column(L.grade_name, 30), Column(L.criterion)],
                       [[Cell(g.code), Cell(g.label), Cell(g.description)] for g in ev.project_grades],
                       caption=L.grade_table)
        return Section(1, L.chapter1, "ch1", "chapter", [
            Section(2, L.plan_period, "ch1-period", "part", [Text([period], "lead"), Text(position)]),
            Section(2, L.policy_tree, "ch1-tree", "part", [tree]),
            Section(2, L.evaluation_method, "ch1-method", "part", [Text(list(ev.method_text)), statuses, grades]),
        ], new_page=True)

    # -- 第2章

    def chapter2(self) -> Section:
        L = self.labels
        keys = [s.key for s in self.evaluation.indicator_statuses]
        labels = [self.status_labels[k] for k in keys]
        count_rows, bars = [], []
        for g in self.plan.goals:
            ids = [i.id for o in g.objectives for i in o.indicators]
            counts = status_counts([self.progress[i] for i in ids], self.evaluation)
            count_rows.append((f"{L.goal}{g.number} {g.title}", [counts[k] for k in keys], len(ids)))
        total = status_counts(self.progress.values(), self.evaluation)
        count_rows.append((L.total, [total[k] for k in keys], len(self.progress)))
        status_table = Table(
            "counts",
            [Column(L.goal, 62), *(Column(label, None, "center") for label in labels), Column(L.total, None, "center")],
            [[Cell(label, emphasis=n == len(count_rows) - 1),
              *(Cell(str(c), emphasis=n == len(count_rows) - 1) for c in counts),
              Cell(str(all_), emphasis=n == len(count_rows) - 1)]
             for n, (label, counts, all_) in enumerate(count_rows)],
        )
        bars = StatusBars(
            alt=L.status_chart_alt.format(name=L.indicator_status, rows=L.goal),
            bars=[Bar(label, [BarSegment(k, self.status_labels[k], c) for k, c in zip(keys, counts) if c])
                  for label, counts, _ in count_rows],
            legend=list(zip(keys, labels)),
            table=Table("counts", [Column(L.goal, 62), *(Column(label, None, "center") for label in labels)],
                        [[Cell(label), *(Cell(str(c)) for c in counts)] for label, counts, _ in count_rows],
                        caption=L.chart_data.format(caption=L.indicator_status)),
        )

        project_ids = [p.id for p in self.source.projects.projects]
        grades = grade_counts(project_ids, self.actuals, self.evaluation)
        grade_rows = [(f"{g.code} {g.label}" if g.code != g.label else g.label, grades[g.code])
                      for g in self.evaluation.project_grades]
        grade_rows.append((self.unreported, grades[None]))
        grade_table = Table(
            "counts",
            [Column(L.grade, 62), Column(L.count, None, "center")],
            [[Cell(label), Cell(str(n))] for label, n in grade_rows]
            + [[Cell(L.total, emphasis=True), Cell(str(len(project_ids)), emphasis=True)]],
        )
        good = "又は".join(f"「{self.status_labels[k]}」" for k in ("achieved", "on_track"))
        text = Text([
            L.summary_indicators.format(n=len(self.progress), good=good,
                                        good_count=total.get("achieved", 0) + total.get("on_track", 0),
                                        unknown=self.unknown, unknown_count=total.get("unknown", 0)),
            L.summary_projects.format(n=len(project_ids), grade=grade_rows[0][0], count=grade_rows[0][1]),
        ])
        content: list = [
            text,
            Section(2, L.indicator_status, "ch2-indicators", "part", [status_table, bars]),
            Section(2, L.project_grades, "ch2-projects", "part", [grade_table]),
        ]
        if self.actuals and self.actuals.opinions.overall:
            content.append(Section(2, L.overall_opinion, "ch2-opinion", "part",
                                   [self.opinion(self.actuals.opinions.overall, None, "opinions.overall",
                                                 f"{L.chapter2} › {L.overall_opinion}")]))
        return Section(1, L.chapter2, "ch2", "chapter", content, new_page=True)

    # -- 資料編

    def appendix(self, chapter3: Section) -> Section:
        L = self.labels
        tables: list = []
        notes: list[NoteView] = []
        for goal in chapter3.sections:
            g = next(x for x in self.plan.goals if f"goal-{x.id}" == goal.anchor)
            for o in g.objectives:
                rows = self.indicator_rows[o.id]
                if rows:
                    for k, years in enumerate(_chunks(self.years, YEAR_COLUMNS)):
                        tables.append(self.indicator_table(
                            f"app-ind-{o.id}-{k}",
                            f"{L.goal}{g.number}-{L.objective}{_fullwidth(o.number)} {o.title}",
                            rows, years, charts=False))
        for section in walk([chapter3]):
            for block in section.blocks:
                if isinstance(block, Notes):
                    notes += block.notes
        # The plan explains some terms (LGBT) in several places: the glossary lists
        # each explanation once, with every place it is printed.
        entries: dict[tuple[str, str], NoteView] = {}
        for note in notes:
            key = (note.term, note.definition)
            if key in entries:
                entries[key] = replace(entries[key], where=f"{entries[key].where}\n{note.where}")
            else:
                entries[key] = note
        glossary = Table(
            "glossary", [Column(L.term, 45), Column(L.definition), Column(L.where, 45)],
            [[Cell(n.term), Cell(n.definition + (f"\n{n.extra}" if n.extra else "")), Cell(n.where)]
             for n in entries.values()],
            keep=False,
        )
        files = Table(
            "files", [Column(L.input_file, 60), Column(L.checksum, key="hash")],
            [[Cell(str(f.path)), Cell(f.sha256)] for f in self.source.files if self.reads(f.path)]
            + [[Cell(L.tool_version), Cell(f"kplan-report {__version__}")],
               [Cell(L.build_date), Cell(f"{wareki_date(self.build_date)}（{self.build_date.isoformat()}）")]],
        )
        return Section(1, L.appendix, "app", "chapter", [
            Section(2, L.appendix_indicators, "app-indicators", "part", tables),
            Section(2, L.appendix_glossary, "app-glossary", "part", [glossary]),
            # On a page of its own, the last (like a colophon): it changes with
            # every edit of source/ and every day (the build date), and so the
            # PDF lays out only this page again, not the tables before it.
            Section(2, L.appendix_provenance, "app-provenance", "part", [files], new_page=True),
        ], new_page=True)

    def reads(self, path) -> bool:
        """Whether this report reads the source file ``path``: every file but
        the actuals of later years (so a later year's file changes nothing here)."""
        name = path.name
        return not (path.parent.name == "actuals" and name[:4].isdigit() and int(name[:4]) > self.year)

    # -- the whole

    def report(self) -> Report:
        if self.actuals is None:
            raise ValueError(f"no actuals for fiscal year {self.year}")
        L = self.labels
        info = self.info
        status = self.actuals.status.value
        subtitle = f"{fiscal_year_label(self.year)}{L.final_report_title if self.final else L.report_title}"
        chapter3 = self.chapter3()
        sections = [self.chapter1(), self.chapter2(), chapter3]
        if self.final:
            from .final import final_chapter  # the final edition's chapter, from the same blocks

            sections.append(final_chapter(self))
        sections.append(self.appendix(chapter3))
        contents = [ContentsEntry(s.level, s.heading, s.anchor) for s in walk(sections) if s.level <= CONTENTS_LEVELS]
        return Report(
            title=f"{info.title} {subtitle}",
            plan_title=info.title,
            short_title=info.short_title or info.title,
            subtitle=subtitle,
            file_stem=f"{info.id}-{self.year}",
            year=self.year,
            year_label=fiscal_year_label(self.year),
            status=status,
            status_mark={"sample": L.sample_mark, "draft": L.draft, "final": ""}[status],
            status_notice={"sample": L.sample_notice, "draft": L.draft_notice, "final": ""}[status],
            publisher=list(self.actuals.publisher),
            author="・".join(self.actuals.publisher),
            report_date=wareki_date(self.actuals.report_date),
            report_date_iso=self.actuals.report_date,
            tool_version=__version__,
            contents=contents,
            sections=sections,
            labels=L,
            properties=draft_properties(self.source, self.year, status, [f for f in self.source.files if self.reads(f.path)]),
            open_data=open_data(self),
        )


def fingerprint(files) -> str:
    """SHA-256 over the files' names (relative to the source folder) and SHA-256s, in name order."""
    lines = sorted(f"{PurePosixPath(*f.path.parts[1:])}\t{f.sha256}\n" for f in files)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def draft_properties(source: Source, year: int, status: str, files) -> dict[str, str]:
    """The facts a draft carries about its input.

    ``source_sha256`` covers every file the report reads; ``plan_sha256`` all
    of them but the year's actuals (the plan's words and structure: a draft
    built from another plan cannot be read back); ``actuals_sha256`` the
    year's actuals file, which the review compares field by field instead.
    """
    own = f"{ACTUALS_FOLDER}/{year}.yaml"
    actuals = [f for f in files if str(PurePosixPath(*f.path.parts[1:])) == own]
    return {
        "kplan.plan_id": source.plan.plan.id,
        "kplan.year": str(year),
        "kplan.status": status,
        "kplan.source_sha256": fingerprint(files),
        "kplan.plan_sha256": fingerprint([f for f in files if f not in actuals]),
        "kplan.actuals_sha256": actuals[0].sha256 if actuals else "",
    }


def is_final(source: Source, year: int, final: bool | None = None) -> bool:
    """Whether the report of ``year`` is the final edition: asked for, or the plan's last year."""
    return year == source.plan.plan.last_year if final is None else final


def build_report(source: Source, year: int, build_date: datetime.date | None = None,
                 final: bool | None = None) -> Report:
    """Build the outline of the report for fiscal ``year``.

    ``build_date`` is printed in the provenance section; it defaults to the
    actuals' report date so that the same input always gives the same report.
    ``final``: the final edition (最終評価報告書) with its 第4章; by default
    when ``year`` is the plan's last year (``True`` for a mid-term review).
    """
    actuals = source.actuals.get(year)
    if build_date is None and actuals is not None:
        build_date = actuals.report_date
    return _Builder(source, year, build_date or datetime.date(year + 1, 3, 31), is_final(source, year, final)).report()
