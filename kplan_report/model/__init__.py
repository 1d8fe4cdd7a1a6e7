"""Typed model of the plan, the evaluation method and a year's actuals.

These classes are the contract between the YAML files in ``source/`` and
everything downstream (progress computation, the report view model, the
renderers).  They describe *what the plan says*; nothing here computes
progress or formats output.

Japanese terms stay in the data; the code uses plain English names:

==========================  ===========================
plan term                   model name
==========================  ===========================
基本目標                     ``Goal``
具体的目標                   ``Objective``
推進項目                     ``PromotionItem``
主体 (市民 / 地域・事業者 …)   ``ActorRow`` (``row.actor``)
具体的取組                   ``Action``
≪主な取組・事業≫              ``Project`` (registry) + ``PromotionItem.projects``
＜参考＞                     ``Note``
＜主な指標＞                  ``Indicator`` / ``Measure``
==========================  ===========================

ID scheme (ASCII, stored in the data, never derived from position at run
time, so that actuals survive a reordering of the plan):

* goal ``G1`` … ``G3``; objective ``G1.1``; promotion item ``G1.1.1``;
* action ``G1.1.1.a01`` (numbered through the item's rows in plan order);
* indicator ``G1.1.i1`` (the plan's № within its objective);
* measure: short ASCII name unique within its indicator (``main`` when the
  indicator has a single measure; e.g. ``districts`` / ``sessions``);
* project ``p001`` … in order of first appearance in the plan.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ID_GOAL = r"^G[1-9]$"
ID_OBJECTIVE = r"^G[1-9]\.[1-9]$"
ID_PROMOTION_ITEM = r"^G[1-9]\.[1-9]\.[1-9][0-9]?$"
ID_ACTION = r"^G[1-9]\.[1-9]\.[1-9][0-9]?\.a[0-9]{2}$"
ID_INDICATOR = r"^G[1-9]\.[1-9]\.i[1-9][0-9]?$"
ID_MEASURE = r"^[a-z][a-z0-9_]*$"
ID_PROJECT = r"^p[0-9]{3}$"


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, not silently dropped.

    City staff edit these files by hand; a misspelt key must be reported,
    not ignored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- actors


class RowActor(str, Enum):
    """The 主体 of a row of the 推進項目 table, in plan order."""

    citizen = "citizen"  # 市民
    community_business = "community_business"  # 地域・事業者
    city_council = "city_council"  # 市・市社協


ROW_ACTOR_LABELS = {
    RowActor.citizen: "市民",
    RowActor.community_business: "地域・事業者",
    RowActor.city_council: "市・市社協",
}


class Actor(str, Enum):
    """An actor named in a 具体的取組 tag such as 【地域・事業者】."""

    citizen = "citizen"  # 市民
    community = "community"  # 地域
    business = "business"  # 事業者
    city = "city"  # 市
    council = "council"  # 市社協 (気仙沼市社会福祉協議会)


ACTOR_LABELS = {
    Actor.citizen: "市民",
    Actor.community: "地域",
    Actor.business: "事業者",
    Actor.city: "市",
    Actor.council: "市社協",
}


# ---------------------------------------------------------------- plan tree


class Note(Strict):
    """A ＜参考＞ glossary note: ``※1 term――― definition``.

    ``extra`` holds a sentence the plan prints after the definition that is
    not part of it (e.g. an as-of remark under an indicator table).
    """

    marker: str = Field(description="※, ※1, ※2 … as printed; empty when the plan prints none")
    term: str
    definition: str
    extra: str | None = None


class Action(Strict):
    """One 具体的取組 bullet, without its leading ・ and without its tag.

    ``actors`` is the parsed trailing tag (【市・市社協】 → [city, council]);
    empty when the plan prints no tag (the row's 主体 is then implied).
    ``actors_etc`` is true for a tag ending in 等 (【市・市社協等】).
    """

    id: str = Field(pattern=ID_ACTION)
    text: str = Field(min_length=1)
    actors: list[Actor] = []
    actors_etc: bool = False


class ActorRow(Strict):
    actor: RowActor
    actions: list[Action] = Field(min_length=1)


class PromotionItem(Strict):
    """A 推進項目 (①, ②, …) with its 主体 rows, projects and notes."""

    id: str = Field(pattern=ID_PROMOTION_ITEM)
    number: str = Field(description="circled number as printed: ①, ②, …")
    title: str
    rows: list[ActorRow] = Field(min_length=1)
    projects: list[str] = Field(default=[], description="project IDs, in plan order")
    notes: list[Note] = []


class BreakdownItem(Strict):
    """One line of a per-institution breakdown such as 幼稚園：6."""

    label: str
    value: int = Field(ge=0)


class Quantity(Strict):
    """A baseline or target of one measure, machine-readable.

    * ``value``: the number (``0`` for a baseline printed as 未実施).
    * ``all``: the target is the whole population (全校, 全園・全所・全校);
      the year's actuals then give the population as ``of``.
    * ``count`` / ``of`` / ``of_unit``: the parts of a ratio, e.g.
      54.9%（112/204 自治会） → value 54.9, count 112, of 204, of_unit 自治会.
    * ``breakdown``: per-institution counts printed with the value.
    * ``as_of``: an as-of remark printed with the value (H30.11月時点).
    """

    value: Decimal | None = None
    all: bool = False
    count: int | None = Field(default=None, ge=0)
    of: int | None = Field(default=None, ge=0)
    of_unit: str | None = None
    breakdown: list[BreakdownItem] = []
    as_of: str | None = None


class Direction(str, Enum):
    increase = "increase"
    maintain = "maintain"


class MeasureKind(str, Enum):
    count = "count"  # a number of people, sessions, districts …
    percent = "percent"  # a rate in ％
    coverage = "coverage"  # institutions covered, target: all of them


class Measure(Strict):
    id: str = Field(pattern=ID_MEASURE)
    label: str | None = Field(default=None, description="shown when an indicator has several measures")
    kind: MeasureKind
    unit: str = Field(description="人, 回, 地区, ％ … as printed")
    direction: Direction
    baseline: Quantity
    target: Quantity


class Indicator(Strict):
    """An entry of ＜主な指標＞.

    ``baseline_display`` / ``target_display`` are the cells exactly as the
    plan prints them (for display); ``measures`` are the same figures in
    machine-readable form (for computation).
    """

    id: str = Field(pattern=ID_INDICATOR)
    number: int = Field(ge=1)
    name: str
    owner: str = Field(description="the tag after the name, e.g. 市, 市社協, 市・市社協")
    baseline_display: str
    target_display: str
    rationale: str = Field(description="目標設定の考え方")
    measures: list[Measure] = Field(min_length=1)


class Objective(Strict):
    """A 具体的目標 with its 推進項目 and ＜主な指標＞."""

    id: str = Field(pattern=ID_OBJECTIVE)
    number: int = Field(ge=1)
    title: str
    promotion_items: list[PromotionItem] = Field(min_length=1)
    indicators: list[Indicator] = []
    indicator_notes: list[Note] = Field(default=[], description="＜参考＞ printed with the indicator table")


class Goal(Strict):
    """A 基本目標 (Ⅰ–Ⅲ) with its narrative and 具体的目標."""

    id: str = Field(pattern=ID_GOAL)
    number: str = Field(description="Roman numeral as printed: Ⅰ, Ⅱ, Ⅲ")
    title: str
    current_issues: list[str] = Field(min_length=1, description="（現状・課題） paragraphs")
    current_issues_notes: list[Note] = []
    policy_direction: list[str] = Field(min_length=1, description="（施策の方向性） paragraphs")
    objectives: list[Objective] = Field(min_length=1)


class PlanInfo(Strict):
    title: str
    municipality: str
    first_year: int
    last_year: int
    baseline_year: int
    chapter: str


class Plan(Strict):
    """``source/plan.yaml``."""

    plan: PlanInfo
    goals: list[Goal] = Field(min_length=1)


class Project(Strict):
    """A distinct ≪主な取組・事業≫ entry; placements refer to it by ID."""

    id: str = Field(pattern=ID_PROJECT)
    name: str
    owner: str = Field(description="as printed in the tag, e.g. 市/学校教育課・子ども家庭課, 市社協")


class ProjectRegistry(Strict):
    """``source/projects.yaml``."""

    projects: list[Project] = Field(min_length=1)


# ---------------------------------------------------------------- evaluation


class IndicatorStatus(Strict):
    key: Literal["achieved", "on_track", "slightly_behind", "behind", "not_achieved", "unknown"]
    label: str
    description: str


class ProjectGrade(Strict):
    code: str
    label: str
    description: str


class Evaluation(Strict):
    """``source/evaluation.yaml``: the rules, printed by the report as they are applied."""

    baseline_year: int
    target_year: int
    on_track_ratio: Decimal = Field(description="progress ≥ expected pace × this → 順調")
    slightly_behind_ratio: Decimal = Field(description="progress ≥ expected pace × this → やや遅れ")
    indicator_statuses: list[IndicatorStatus]
    project_grades: list[ProjectGrade]
    method_text: list[str] = Field(description="paragraphs that explain the method in the report")


# ---------------------------------------------------------------- actuals


class DataStatus(str, Enum):
    sample = "sample"  # invented example data: every page says サンプルデータ
    draft = "draft"  # （案）
    final = "final"


class MeasureActual(Strict):
    """A year's value of one measure, or why there is none."""

    value: Decimal | None = None
    count: int | None = Field(default=None, ge=0)
    of: int | None = Field(default=None, ge=0)
    breakdown: list[BreakdownItem] = []
    not_measured: str | None = Field(default=None, description="reason the value is missing")


class IndicatorActual(Strict):
    measures: dict[str, MeasureActual]
    note: str | None = None


class ProjectActual(Strict):
    results: str = Field(description="実施内容・実績")
    grade: str = Field(description="評価: a code from evaluation.yaml")
    next_steps: str = Field(description="課題・今後の方向性")


class Opinion(Strict):
    opinion: str = Field(description="推進委員会の意見")
    response: str = Field(description="市の対応")


class Opinions(Strict):
    overall: Opinion | None = None
    objectives: dict[str, Opinion] = {}


class Actuals(Strict):
    """``source/actuals/<YEAR>.yaml``."""

    fiscal_year: int
    status: DataStatus
    report_date: datetime.date
    publisher: list[str] = Field(min_length=1)
    indicators: dict[str, IndicatorActual] = {}
    projects: dict[str, ProjectActual] = {}
    promotion_items: dict[str, dict[RowActor, str]] = Field(
        default={}, description="per 推進項目, a summary of the year per 主体 row"
    )
    opinions: Opinions = Opinions()
