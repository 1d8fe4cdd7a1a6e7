"""The pieces the outline's blocks hold: finished display strings, no decisions left.

Each piece already holds the printed text (和暦 years, formatted numbers,
tags such as 【市・市社協】, status labels), so that no writer computes or
formats anything another writer would have to compute again.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a chart's data table is a block; blocks import the pieces
    from .blocks import Table


@dataclass(frozen=True)
class Field:
    """Where a printed passage comes from, so that an edited draft can be read back.

    ``path`` is the field as the validation messages write it
    (``promotion_items.G1.1.1.citizen``, ``projects.p017.results``,
    ``opinions.objectives.G1.1.opinion``) or, for the plan's own words,
    ``plan:<action id>`` with ``locked`` set: the draft may not change those.
    ``name`` is the readable name Word shows on the content control,
    ``place`` where the passage sits (基本目標Ⅰ › 具体的目標1 › ① 福祉教育の推進 › 市民),
    for the review's report.
    """

    path: str
    name: str
    place: str
    locked: bool = False
    keys: tuple[str, ...] = ()  # the path as mapping keys of the actuals file (IDs hold dots)
    #: what the passage holds: ``text``, or a number read as the YAML reader reads one:
    #: ``number`` (a measure's value) or ``whole`` (a count or population, ``count`` / ``of``)
    kind: str = "text"
    #: a 成果 / 次期計画への課題 or opinion / response that the actuals file holds as a pair:
    #: the other text's path (both are given, or the entry is left out)
    pair: str = ""
    #: what is printed because the field is empty (未把握, ―); "" when the field holds a text or value
    empty: str = ""


#: The prefix of a locked passage that the report computes (進捗, 評価 of an indicator): its tag is
#: ``computed:<indicator>.<what>``; like the plan's words (``plan:``), the draft may not change it.
COMPUTED = "computed:"
#: The prefix of a locked passage holding another year's values (``earlier:<year>:<indicator>``):
#: that year's file holds them, which a review of this year's draft does not write.
EARLIER = "earlier:"


@dataclass(frozen=True)
class Span:
    """A piece of a printed cell or paragraph: ``text``, and the field it comes from if any.

    An indicator's year cell is one piece of text to the PDF (``16⁠地区\n22⁠回``) and
    several passages to the Word draft: each measure's number is a field of its own,
    the unit and line breaks around it are not."""

    text: str
    field: Field | None = None


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
    field: Field | None = None  # plan:<id>, locked


@dataclass(frozen=True)
class ActorRowView:
    """One 主体 row of the 推進項目 table."""

    actor: str  # 市民 / 地域・事業者 / 市・市社協
    actions: list[ActionLine]
    summary: str  # the year's 取組状況 for this row; "" when none was reported
    summary_field: Field | None = None  # promotion_items.<item>.<actor>


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
    results_field: Field | None = None  # projects.<id>.results; None when the year has no entry
    next_steps_field: Field | None = None
    #: the grades of the period's earlier years, e.g. "R1 A\nR2 B" ("―" in the first year)
    earlier: str = ""


@dataclass(frozen=True)
class PromotionItemView:
    """A 推進項目: the table of 主体 rows, then projects and notes."""

    id: str
    number: str  # ①
    title: str  # 福祉教育の推進
    heading: str  # ① 福祉教育の推進
    vertical_title: str  # ①福祉教育の推進: the table's title cell, set vertically
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
    missing_label: str  # printed where a year has no value (the scale's 未把握)
    target_label: str  # 目標


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
    figure_label: str  # 図
    figure: int  # the chart's figure number, counted through the report
    caption_text: str  # …の推移
    chart_alt: str  # the chart's text alternative
    #: the chart's values as a table (年度 | each series), printed after the chart
    #: where the chart cannot be read out (the web edition)
    chart_table: Table | None = None
    #: ``values`` and ``notes`` as spans, for the Word draft's fields (joined, the same text)
    value_spans: list[tuple[Span, ...]] = dataclass_field(default_factory=list)
    note_spans: list[tuple[Span, ...]] = dataclass_field(default_factory=list)
    name_field: Field | None = None  # plan:<id>.name, locked (the plan's words), and so on
    baseline_field: Field | None = None
    target_field: Field | None = None
    progress_field: Field | None = None  # computed:<id>.progress, locked
    status_field: Field | None = None  # computed:<id>.status, locked

    @property
    def caption(self) -> str:
        """図1　…の推移"""
        return f"{self.figure_label}{self.figure}　{self.caption_text}"


@dataclass(frozen=True)
class YearColumn:
    year: int
    wareki: str  # 令和3年度
    western: str  # 2021年度



@dataclass(frozen=True)
class OpinionView:
    opinion: str
    response: str
    opinion_field: Field | None = None  # opinions.overall.opinion / opinions.objectives.<id>.opinion
    response_field: Field | None = None
