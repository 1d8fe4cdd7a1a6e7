"""The report view model: everything the PDF and Word writers print.

Like a Sphinx doctree or a pandoc AST, this is the one structure that all
writers consume.  It is built once per report from the validated source and
the computed progress, and it already holds the finished display strings
(和暦 years, formatted numbers, tags such as 【市・市社協】, status labels), so
that no writer computes or formats anything another writer would have to
compute again.  Writers only lay it out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import __version__
from .japanese import fiscal_year_label, fiscal_year_short, format_number, format_percent, wareki_date
from .loading import Source
from .models import (
    Action,
    Actuals,
    Indicator,
    Measure,
    MeasureKind,
    Note,
    Objective,
)
from .progress import IndicatorProgress, MeasureProgress, grade_counts, plan_progress, series, status_counts

STATUS_MARKS = {"sample": "サンプルデータ", "draft": "（案）", "final": ""}
STATUS_NOTICES = {
    "sample": "この報告書の実績値・評価・意見はすべて動作確認用のサンプルデータ（架空の値）であり，公式の数値ではありません。",
    "draft": "この報告書は案であり，内容は確定していません。",
    "final": "",
}


# ---------------------------------------------------------------- pieces


@dataclass(frozen=True)
class NoteView:
    """A ＜参考＞ note; ``where`` names the place it belongs to (for the glossary)."""

    marker: str
    term: str
    definition: str
    extra: str | None
    where: str


@dataclass(frozen=True)
class ActionLine:
    """A 具体的取組 as printed: the sentence and its tag (empty when the plan has none)."""

    id: str
    text: str
    tag: str


@dataclass(frozen=True)
class ActorRowView:
    """One 主体 row of the 推進項目 table."""

    actor: str  # 市民 / 地域・事業者 / 市・市社協
    actions: list[ActionLine]
    summary: str  # the year's 取組状況 for this row; "" when none was reported


@dataclass(frozen=True)
class ProjectRow:
    """A ≪主な取組・事業≫ row: the plan's project and the year's evaluation."""

    id: str
    name: str
    owner: str
    results: str
    grade: str  # code, e.g. A; "" when not reported
    grade_label: str  # e.g. 計画どおり実施; 未報告 when not reported
    next_steps: str


@dataclass(frozen=True)
class PromotionItemView:
    """A 推進項目: the table of 主体 rows, then projects and notes."""

    id: str
    number: str  # ①
    title: str  # 福祉教育の推進
    heading: str  # ① 福祉教育の推進
    rows: list[ActorRowView]
    projects: list[ProjectRow]
    notes: list[NoteView]


@dataclass(frozen=True)
class ChartSeries:
    label: str  # the measure label (地区, 回) or the indicator's unit
    unit: str
    points: list[tuple[int, float | None]]  # (fiscal year, value), baseline year first
    target: float | None


@dataclass(frozen=True)
class Chart:
    """Data for an indicator's small trend chart: baseline year to report year, plus target."""

    title: str
    years: list[int]
    target_year: int
    series: list[ChartSeries]


@dataclass(frozen=True)
class IndicatorRow:
    """A row of a ＜主な指標＞ table."""

    id: str
    number: int
    name: str
    owner: str  # 市
    baseline: str  # as printed in the plan (may hold "\n")
    values: list[str]  # one display string per fiscal year column (may hold "\n")
    target: str  # as printed in the plan
    progress: str  # e.g. 40.0％; "―" when not computable
    status: str  # label, e.g. 順調
    status_key: str  # e.g. on_track (for styling)
    notes: list[str]  # the year's note and reasons for missing values
    chart: Chart


@dataclass(frozen=True)
class YearColumn:
    year: int
    wareki: str  # 令和3年度
    western: str  # 2021年度


@dataclass(frozen=True)
class IndicatorTable:
    years: list[YearColumn]
    rows: list[IndicatorRow]


@dataclass(frozen=True)
class OpinionView:
    opinion: str
    response: str


@dataclass(frozen=True)
class ObjectiveSection:
    id: str
    number: int
    title: str
    heading: str  # 具体的目標１ 地域福祉学習の推進
    promotion_items: list[PromotionItemView]
    indicators: IndicatorTable
    indicator_notes: list[NoteView]
    opinion: OpinionView | None


@dataclass(frozen=True)
class GoalSection:
    id: str
    number: str  # Ⅰ
    title: str
    heading: str  # 基本目標Ⅰ 地域で福祉を担う人づくり
    current_issues: list[str]
    current_issues_notes: list[NoteView]
    policy_direction: list[str]
    objectives: list[ObjectiveSection]


# ---------------------------------------------------------------- chapters 1, 2, 4


@dataclass(frozen=True)
class TreeItem:
    number: str
    title: str


@dataclass(frozen=True)
class TreeObjective:
    number: int
    title: str
    items: list[TreeItem]


@dataclass(frozen=True)
class TreeGoal:
    number: str
    title: str
    objectives: list[TreeObjective]


@dataclass(frozen=True)
class Overview:
    """第1章 進捗管理の概要."""

    plan_period: str  # 令和元年度（2019年度）～令和5年度（2023年度）
    position: list[str]  # paragraphs
    tree: list[TreeGoal]
    method: list[str]  # paragraphs from evaluation.yaml
    statuses: list[tuple[str, str]]  # (label, description)
    grades: list[tuple[str, str, str]]  # (code, label, description)


@dataclass(frozen=True)
class CountRow:
    label: str  # 基本目標Ⅰ 地域で福祉を担う人づくり / 合計
    counts: list[int]  # in the order of Summary.status_labels
    total: int


@dataclass(frozen=True)
class Summary:
    """第2章 総括."""

    status_labels: list[str]
    status_keys: list[str]
    status_rows: list[CountRow]  # one per 基本目標, then 合計
    grade_labels: list[str]  # 'A 計画どおり実施' …, then 未報告
    grade_counts: list[int]
    project_total: int
    text: list[str]  # the summary sentences
    opinion: OpinionView | None


@dataclass(frozen=True)
class AppendixIndicatorGroup:
    heading: str  # 基本目標Ⅰ-具体的目標１ 地域福祉学習の推進
    rows: list[IndicatorRow]


@dataclass(frozen=True)
class SourceFileView:
    path: str
    sha256: str


@dataclass(frozen=True)
class Appendix:
    """資料編."""

    indicator_years: list[YearColumn]
    indicator_groups: list[AppendixIndicatorGroup]
    glossary: list[NoteView]
    files: list[SourceFileView]
    tool_version: str
    build_date: str  # 令和4年6月30日 (2022-06-30)


@dataclass(frozen=True)
class Labels:
    """Fixed headings and column labels, shared by the writers so that the PDF
    and the Word file call things by the same names.  The year-dependent ones
    are filled in by the builder."""

    chapter1: str = "第1章 進捗管理の概要"
    chapter2: str = "第2章 総括"
    chapter3: str = "第3章 基本目標別の進捗状況"
    appendix: str = "資料編"
    plan_period: str = "計画の期間と位置付け"
    evaluation_method: str = "評価の方法"
    policy_tree: str = "施策の体系"
    status_table: str = "主な指標の評価区分"
    grade_table: str = "主な取組・事業の評価区分"
    status: str = "評価"
    criterion: str = "基準"
    grade: str = "評価"
    grade_name: str = "区分"
    goal: str = "基本目標"
    objective: str = "具体的目標"
    promotion_item: str = "推進項目"
    actor: str = "主体"
    action: str = "具体的取組"
    status_column: str = ""  # 令和3年度の取組状況
    no_summary: str = "―"  # a 主体 row without a reported 取組状況
    projects: str = "≪主な取組・事業≫"
    project_name: str = "事業名"
    owner: str = "担当"
    results: str = "実施内容・実績"
    next_steps: str = "課題・今後の方向性"
    notes: str = "＜参考＞"
    indicators: str = "＜主な指標＞"
    number: str = "№"
    indicator: str = "指標項目"
    baseline_column: str = ""  # 現状値\n平成30年度(2018) (holds "\n")
    target_column: str = ""  # 目標値\n令和5年度(2023) (holds "\n")
    progress: str = "進捗"
    evaluation: str = "評価"
    current_issues: str = "（現状・課題）"
    policy_direction: str = "（施策の方向性）"
    indicator_status: str = "主な指標の評価"
    project_grades: str = "主な取組・事業の評価"
    count: str = "事業数"
    total: str = "合計"
    overall_opinion: str = "推進委員会の意見と市の対応"
    objective_opinion: str = "推進委員会の意見と市の対応"
    opinion: str = "推進委員会の意見"
    response: str = "市の対応"
    appendix_indicators: str = "主な指標の推移（全指標）"
    appendix_glossary: str = "用語解説"
    appendix_provenance: str = "データの出典"
    term: str = "用語"
    definition: str = "解説"
    where: str = "掲載箇所"
    input_file: str = "入力ファイル"
    tool_version: str = "作成ツール"
    build_date: str = "作成日"


@dataclass(frozen=True)
class Report:
    title: str  # <the plan's official title> 令和3年度（2021年度）進捗状況報告書
    plan_title: str  # the official title (cover, metadata)
    short_title: str  # for running headers
    subtitle: str  # 令和3年度（2021年度）進捗状況報告書
    year: int
    year_label: str  # 令和3年度（2021年度）
    status: str  # sample / draft / final
    status_mark: str  # サンプルデータ / （案） / ""
    status_notice: str  # a sentence for the cover; "" when final
    publisher: list[str]
    author: str  # publishers joined, for document metadata
    report_date: str  # 令和4年6月30日
    report_date_iso: datetime.date
    overview: Overview
    summary: Summary
    goals: list[GoalSection]
    appendix: Appendix
    warnings: list[str] = field(default_factory=list)
    labels: Labels = field(default_factory=Labels)


# ---------------------------------------------------------------- building


def action_tag(action: Action, labels: dict[str, str]) -> str:
    """【市・市社協】 from [city, council] and the plan's tag actor ``labels``; 【市・市社協等】 with actors_etc; "" without actors."""
    if not action.actors:
        return ""
    etc = "等" if action.actors_etc else ""
    return "【" + "・".join(labels[a] for a in action.actors) + etc + "】"


def _note(note: Note, where: str) -> NoteView:
    return NoteView(note.marker, note.term, note.definition, note.extra, where)


def _measure_value(measure: Measure, mp: MeasureProgress, actuals: Actuals | None, indicator_id: str, missing: str) -> str:
    if mp.value is None:
        return missing
    entry = actuals.indicators.get(indicator_id) if actuals else None
    actual = entry.measures.get(measure.id) if entry else None
    if measure.kind is MeasureKind.coverage and actual is not None and actual.of is not None:
        text = f"{format_number(mp.value)}／{format_number(actual.of)}"
    else:
        text = format_number(mp.value, measure.unit)
    if measure.kind is MeasureKind.percent and actual is not None and actual.count is not None and actual.of:
        text += f"\n（{actual.count}/{actual.of}{measure.baseline.of_unit or ''}）"
    return text


def _year_cell(ip: IndicatorProgress, actuals: Actuals | None, missing: str) -> str:
    return "\n".join(
        _measure_value(mp.measure, mp, actuals, ip.indicator.id, missing) for mp in ip.measures
    )


def _progress_cell(ip: IndicatorProgress) -> str:
    lines = []
    for mp in ip.measures:
        text = format_percent(mp.progress) if mp.progress is not None else "―"
        if len(ip.measures) > 1:
            text = f"{mp.measure.label or mp.measure.unit} {text}"
        lines.append(text)
    return "\n".join(lines)


def _year_columns(first: int, last: int) -> list[YearColumn]:
    return [YearColumn(y, fiscal_year_short(y), f"{y}年度") for y in range(first, last + 1)]


class _Builder:
    """Holds what every part of the report needs while it is being built."""

    def __init__(self, source: Source, year: int, build_date: datetime.date):
        self.source = source
        self.year = year
        self.build_date = build_date
        self.plan = source.plan
        self.evaluation = source.evaluation
        self.actuals = source.actuals.get(year)
        self.projects = {p.id: p for p in source.projects.projects}
        self.status_labels = {s.key: s.label for s in self.evaluation.indicator_statuses}
        self.grade_labels = {g.code: g.label for g in self.evaluation.project_grades}
        self.missing = self.status_labels["unknown"]  # 未把握: the scale's word for a value not known
        self.actor_labels = self.plan.actor_labels()
        self.tag_labels = self.plan.tag_actor_labels()
        self.years = list(range(self.plan.plan.first_year, year + 1))
        self.progress_by_year = {
            y: plan_progress(self.plan, source.actuals.get(y), y, self.evaluation) for y in self.years
        }
        self.progress = self.progress_by_year[year]

    # -- chapter 3 --

    def indicator_row(self, indicator: Indicator) -> IndicatorRow:
        ip = self.progress[indicator.id]
        notes = []
        if ip.note:
            notes.append(ip.note)
        for mp in ip.measures:
            if mp.not_measured:
                label = f"（{mp.measure.label}）" if len(ip.measures) > 1 else ""
                notes.append(f"{self.missing}{label}：{mp.not_measured}")
        chart = Chart(
            title=indicator.name,
            years=[self.plan.plan.baseline_year, *self.years],
            target_year=self.plan.plan.last_year,
            series=[
                ChartSeries(
                    label=m.label or m.unit,
                    unit=m.unit,
                    points=[
                        (y, float(v) if v is not None else None)
                        for y, v in series(m, self.source.actuals, indicator.id,
                                           self.plan.plan.baseline_year, self.year)
                    ],
                    target=float(mp.target) if mp.target is not None else None,
                )
                for m, mp in zip(indicator.measures, ip.measures)
            ],
        )
        return IndicatorRow(
            id=indicator.id,
            number=indicator.number,
            name=indicator.name,
            owner=indicator.owner,
            baseline=indicator.baseline_display,
            values=[
                _year_cell(self.progress_by_year[y][indicator.id], self.source.actuals.get(y), self.missing)
                for y in self.years
            ],
            target=indicator.target_display,
            progress=_progress_cell(ip),
            status=self.status_labels[ip.status],
            status_key=ip.status,
            notes=notes,
            chart=chart,
        )

    def project_row(self, project_id: str) -> ProjectRow:
        project = self.projects[project_id]
        actual = self.actuals.projects.get(project_id) if self.actuals else None
        if actual is None:
            return ProjectRow(project.id, project.name, project.owner, "", "", self.evaluation.unreported.label, "")
        return ProjectRow(
            project.id, project.name, project.owner, actual.results,
            actual.grade, self.grade_labels[actual.grade], actual.next_steps,
        )

    def objective(self, goal_number: str, objective: Objective) -> ObjectiveSection:
        summaries = self.actuals.promotion_items if self.actuals else {}
        items = []
        for item in objective.promotion_items:
            item_summary = summaries.get(item.id, {})
            rows = [
                ActorRowView(
                    actor=self.actor_labels[row.actor],
                    actions=[ActionLine(a.id, a.text, action_tag(a, self.tag_labels)) for a in row.actions],
                    summary=item_summary.get(row.actor, ""),
                )
                for row in item.rows
            ]
            where = f"基本目標{goal_number}-具体的目標{objective.number}-{item.number}{item.title}"
            items.append(PromotionItemView(
                id=item.id,
                number=item.number,
                title=item.title,
                heading=f"{item.number} {item.title}",
                rows=rows,
                projects=[self.project_row(pid) for pid in item.projects],
                notes=[_note(n, where) for n in item.notes],
            ))
        opinion = None
        if self.actuals and objective.id in self.actuals.opinions.objectives:
            o = self.actuals.opinions.objectives[objective.id]
            opinion = OpinionView(o.opinion, o.response)
        where = f"基本目標{goal_number}-具体的目標{objective.number} 主な指標"
        return ObjectiveSection(
            id=objective.id,
            number=objective.number,
            title=objective.title,
            heading=f"具体的目標{_fullwidth(objective.number)} {objective.title}",
            promotion_items=items,
            indicators=IndicatorTable(
                _year_columns(self.plan.plan.first_year, self.year),
                [self.indicator_row(i) for i in objective.indicators],
            ),
            indicator_notes=[_note(n, where) for n in objective.indicator_notes],
            opinion=opinion,
        )

    def goals(self) -> list[GoalSection]:
        return [
            GoalSection(
                id=g.id,
                number=g.number,
                title=g.title,
                heading=f"基本目標{g.number} {g.title}",
                current_issues=list(g.current_issues),
                current_issues_notes=[_note(n, f"基本目標{g.number}（現状・課題）") for n in g.current_issues_notes],
                policy_direction=list(g.policy_direction),
                objectives=[self.objective(g.number, o) for o in g.objectives],
            )
            for g in self.plan.goals
        ]

    # -- chapters 1, 2 --

    def overview(self) -> Overview:
        info = self.plan.plan
        period = f"{fiscal_year_label(info.first_year)}～{fiscal_year_label(info.last_year)}"
        position = [
            *(paragraph.format(period=period) for paragraph in info.position),
            f"本報告書は，計画の{info.chapter}に掲げた推進項目・具体的取組，主な取組・事業及び主な指標について，"
            f"{fiscal_year_label(self.year)}の進捗状況を取りまとめたものです。",
        ]
        tree = [
            TreeGoal(g.number, g.title, [
                TreeObjective(o.number, o.title, [TreeItem(i.number, i.title) for i in o.promotion_items])
                for o in g.objectives
            ])
            for g in self.plan.goals
        ]
        return Overview(
            plan_period=period,
            position=position,
            tree=tree,
            method=list(self.evaluation.method_text),
            statuses=[(s.label, s.description) for s in self.evaluation.indicator_statuses],
            grades=[(g.code, g.label, g.description) for g in self.evaluation.project_grades],
        )

    def summary(self) -> Summary:
        keys = [s.key for s in self.evaluation.indicator_statuses]
        rows = []
        for g in self.plan.goals:
            ids = [i.id for o in g.objectives for i in o.indicators]
            counts = status_counts([self.progress[i] for i in ids], self.evaluation)
            rows.append(CountRow(f"基本目標{g.number} {g.title}", [counts[k] for k in keys], len(ids)))
        total = status_counts(self.progress.values(), self.evaluation)
        rows.append(CountRow("合計", [total[k] for k in keys], len(self.progress)))

        project_ids = [p.id for p in self.source.projects.projects]
        grades = grade_counts(project_ids, self.actuals, self.evaluation)
        grade_labels = [f"{g.code} {g.label}" if g.code != g.label else g.label
                        for g in self.evaluation.project_grades] + [self.evaluation.unreported.label]
        grade_values = [grades[g.code] for g in self.evaluation.project_grades] + [grades[None]]

        n = len(self.progress)
        good = total.get("achieved", 0) + total.get("on_track", 0)
        text = [
            f"主な指標{n}項目のうち，「{self.status_labels['achieved']}」又は"
            f"「{self.status_labels['on_track']}」は{good}項目，"
            f"「{self.status_labels['unknown']}」は{total.get('unknown', 0)}項目です。",
            f"主な取組・事業{len(project_ids)}事業のうち，"
            f"「{grade_labels[0]}」は{grade_values[0]}事業です。",
        ]
        opinion = None
        if self.actuals and self.actuals.opinions.overall:
            o = self.actuals.opinions.overall
            opinion = OpinionView(o.opinion, o.response)
        return Summary(
            status_labels=[self.status_labels[k] for k in keys],
            status_keys=keys,
            status_rows=rows,
            grade_labels=grade_labels,
            grade_counts=grade_values,
            project_total=len(project_ids),
            text=text,
            opinion=opinion,
        )

    def appendix(self, goals: list[GoalSection]) -> Appendix:
        groups = [
            AppendixIndicatorGroup(
                f"基本目標{g.number}-具体的目標{_fullwidth(o.number)} {o.title}", o.indicators.rows
            )
            for g in goals
            for o in g.objectives
        ]
        notes = [n for g in goals for n in g.current_issues_notes]
        notes += [
            n for g in goals for o in g.objectives
            for n in [*(n for i in o.promotion_items for n in i.notes), *o.indicator_notes]
        ]
        # The plan explains some terms (LGBT) in several places: the glossary lists
        # each explanation once, with every place it is printed.
        entries: dict[tuple[str, str], NoteView] = {}
        for note in notes:
            key = (note.term, note.definition)
            if key in entries:
                entries[key] = replace(entries[key], where=f"{entries[key].where}\n{note.where}")
            else:
                entries[key] = note
        glossary = list(entries.values())
        return Appendix(
            indicator_years=_year_columns(self.plan.plan.first_year, self.year),
            indicator_groups=groups,
            glossary=glossary,
            files=[SourceFileView(str(f.path), f.sha256) for f in self.source.files],
            tool_version=__version__,
            build_date=f"{wareki_date(self.build_date)}（{self.build_date.isoformat()}）",
        )

    def report(self) -> Report:
        if self.actuals is None:
            raise ValueError(f"no actuals for fiscal year {self.year}")
        info = self.plan.plan
        status = self.actuals.status.value
        subtitle = f"{fiscal_year_label(self.year)}進捗状況報告書"
        goals = self.goals()
        return Report(
            title=f"{info.title} {subtitle}",
            plan_title=info.title,
            short_title=info.short_title,
            subtitle=subtitle,
            year=self.year,
            year_label=fiscal_year_label(self.year),
            status=status,
            status_mark=STATUS_MARKS[status],
            status_notice=STATUS_NOTICES[status],
            publisher=list(self.actuals.publisher),
            author="・".join(self.actuals.publisher),
            report_date=wareki_date(self.actuals.report_date),
            report_date_iso=self.actuals.report_date,
            overview=self.overview(),
            summary=self.summary(),
            goals=goals,
            appendix=self.appendix(goals),
            labels=Labels(
                status_column=f"{fiscal_year_short(self.year)}の取組状況",
                baseline_column=f"現状値\n{fiscal_year_short(info.baseline_year)}({info.baseline_year})",
                target_column=f"目標値\n{fiscal_year_short(info.last_year)}({info.last_year})",
            ),
        )


def _fullwidth(number: int) -> str:
    """具体的目標１: the plan writes these numbers in full-width digits."""
    return str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def build_report(source: Source, year: int, build_date: datetime.date | None = None) -> Report:
    """Build the view model of the report for fiscal ``year``.

    ``build_date`` is printed in the provenance section; it defaults to the
    actuals' report date so that the same input always gives the same report.
    """
    actuals = source.actuals.get(year)
    if build_date is None and actuals is not None:
        build_date = actuals.report_date
    return _Builder(source, year, build_date or datetime.date(year + 1, 3, 31)).report()
