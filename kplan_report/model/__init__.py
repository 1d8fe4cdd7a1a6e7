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
主体 (市民 / 地域・事業者 …)   ``Actor`` (declared) + ``ActorRow``
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
import re
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

ID_GOAL = r"^G[1-9]$"
ID_OBJECTIVE = r"^G[1-9]\.[1-9]$"
ID_PROMOTION_ITEM = r"^G[1-9]\.[1-9]\.[1-9][0-9]?$"
ID_ACTION = r"^G[1-9]\.[1-9]\.[1-9][0-9]?\.a[0-9]{2}$"
ID_INDICATOR = r"^G[1-9]\.[1-9]\.i[1-9][0-9]?$"
ID_MEASURE = r"^[a-z][a-z0-9_]*$"
ID_PROJECT = r"^p[0-9]{3}$"
ID_PLAN = r"^[a-z0-9][a-z0-9-]*$"
ID_ACTOR = r"^[a-z][a-z0-9_]*$"
ID_DEPARTMENT = r"^[a-z][a-z0-9_]*$"
ID_ORGANISATION = r"^[a-z][a-z0-9_]*$"

#: The most 主体 rows a 推進項目 table can have (the tables are laid out for up to six).
MAX_ACTORS = 6
#: The longest plan period, in fiscal years.
MAX_PERIOD_YEARS = 10

#: The fiscal years a plan, its evaluation and its actuals may name: from the first
#: fiscal year wholly in 昭和 (昭和2年度), the earliest era :mod:`kplan_report.text.japanese`
#: names, to 2100 (a report date is then at most in 2106, within the years a zip
#: file's timestamps can hold, 1980–2107: the Word draft is a zip file).
MIN_YEAR = 1927
MAX_YEAR = 2100
#: A year's report is dated after its fiscal year ends (31 March) and at most this many years later.
MAX_REPORT_DELAY_YEARS = 5

#: Every number of the plan and its actuals (a value, count, baseline, target or
#: ratio) has at most this many digits before the decimal point (below a
#: trillion: 999,999,999,999) …
MAX_WHOLE_DIGITS = 12
#: … and at most this many after it, so that every computation and every
#: printed figure stays exact within :mod:`decimal`'s 28 digits.
MAX_DECIMAL_PLACES = 4
MAX_NUMBER = 10**MAX_WHOLE_DIGITS - 1


# ---------------------------------------------------------------- value types
#
# The YAML reader gives Python values; pydantic would take ``yes`` for the
# number 1, ``0`` for the date 1970-01-01 and ``1e400`` for a number no report
# can print.  These types refuse them, with an error type that
# :mod:`kplan_report.validate.load` explains in the user's terms.


def _not_yes_no(value):
    if isinstance(value, bool):
        raise PydanticCustomError("bool_for_number", "a yes/no value where a number belongs")
    return value


def _digits(value: Decimal) -> tuple[int, int]:
    """(digits before the decimal point, decimal places) of ``value``, trailing zeros not counted."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0, 0
    digits = list(digits)
    while exponent < 0 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    return max(len(digits) + exponent, 0), max(-exponent, 0)


def _sized(value):
    """A number within :data:`MAX_WHOLE_DIGITS` and :data:`MAX_DECIMAL_PLACES`."""
    whole, places = _digits(Decimal(value))
    if whole > MAX_WHOLE_DIGITS:
        raise PydanticCustomError("number_too_large", "a number of {digits} digits", {"digits": whole})
    if places > MAX_DECIMAL_PLACES:
        raise PydanticCustomError("number_too_precise", "a number with {places} decimal places", {"places": places})
    return value


def _in_years(value: int) -> int:
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise PydanticCustomError("year_out_of_range", "a year outside {low}–{high}", {"low": MIN_YEAR, "high": MAX_YEAR})
    return value


_DIGITS_ONLY = re.compile(r"\s*[-+]?[0-9]+(\.[0-9]*)?\s*")


def _not_a_number(value):
    """A date is written as a date: pydantic would read 1656547200 (or "0") as seconds since 1970."""
    if isinstance(value, (bool, int, float, Decimal)) or (isinstance(value, str) and _DIGITS_ONLY.fullmatch(value)):
        raise PydanticCustomError("date_from_number", "a number where a date belongs")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("text_blank", "text of nothing but spaces")
    return value


#: A whole number (``yes`` is not 1) of at most :data:`MAX_WHOLE_DIGITS` digits, not negative.
Count = Annotated[int, BeforeValidator(_not_yes_no), Field(ge=0), AfterValidator(_sized)]
#: A number of at most :data:`MAX_WHOLE_DIGITS` digits and :data:`MAX_DECIMAL_PLACES` decimals.
Number = Annotated[Decimal, AfterValidator(_sized)]
#: A fiscal year from :data:`MIN_YEAR` to :data:`MAX_YEAR` (``yes`` is not a year).
Year = Annotated[int, BeforeValidator(_not_yes_no), AfterValidator(_in_years)]
#: A position in the plan's numbering (№ 1, 2 …).
Ordinal = Annotated[int, BeforeValidator(_not_yes_no), Field(ge=1, le=99)]
#: A date written as one (2022-06-30), never a number of seconds.
Date = Annotated[datetime.date, BeforeValidator(_not_a_number)]
#: Text that is not empty and not only spaces.
NonBlank = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, not silently dropped.

    City staff edit these files by hand; a misspelt key must be reported,
    not ignored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- actors


class Actor(Strict):
    """A 主体 of the plan, declared in ``plan.yaml`` with the label the plan prints.

    Two lists use it: ``actors``, the 主体 rows of every 推進項目 table (市民 /
    地域・事業者 / 市・市社協 in Kesennuma's plan, 個人・家庭 / 地域 / 行政
    elsewhere), and ``tag_actors``, the names a 具体的取組 tag is made of
    (【地域・事業者】 is [community, business]).  Rows, tags and a year's
    actuals refer to these IDs; the code knows none of them.
    """

    id: str = Field(pattern=ID_ACTOR)
    label: NonBlank = Field(description="as printed, e.g. 個人・家庭")


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

    ``actors`` is the parsed trailing tag (【市・市社協】 → [city, council]),
    IDs of the plan's ``tag_actors``; empty when the plan prints no tag (the
    row's 主体 is then implied).
    ``actors_etc`` is true for a tag ending in 等 (【市・市社協等】).
    """

    id: str = Field(pattern=ID_ACTION)
    text: NonBlank
    actors: list[str] = Field(default=[], description="IDs of the plan's tag_actors")
    actors_etc: bool = False


class ActorRow(Strict):
    actor: str = Field(description="ID of one of the plan's actors (主体 rows)")
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
    value: Count


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

    value: Number | None = None
    all: bool = False
    count: Count | None = None
    of: Count | None = None
    of_unit: str | None = None
    breakdown: list[BreakdownItem] = []
    as_of: str | None = None


class Direction(str, Enum):
    """Which way the plan wants a measure to go from its baseline to its target."""

    increase = "increase"  # 増やす: target above baseline
    decrease = "decrease"  # 減らす: target below baseline (e.g. 孤立死の件数)
    maintain = "maintain"  # 維持する: target equal to baseline


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
    number: Ordinal
    name: str
    owner: str = Field(description="the tag after the name as printed, e.g. 町, 社協, 町・社協")
    departments: list[str] = Field(default=[], description="IDs of departments.yaml: who reports this indicator")
    baseline_display: str
    target_display: str
    rationale: str = Field(description="目標設定の考え方")
    measures: list[Measure] = Field(min_length=1)


class Objective(Strict):
    """A 具体的目標 with its 推進項目 and ＜主な指標＞."""

    id: str = Field(pattern=ID_OBJECTIVE)
    number: Ordinal
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
    """The plan's identity: everything the report says about whose plan it is.

    Nothing about one city is in the code: the title, the municipality, the
    publishers and the output file names all come from here.
    """

    id: str = Field(pattern=ID_PLAN, description="ASCII; output files are named <id>-<year>.pdf / .docx")
    title: NonBlank = Field(description="the official title, as on the cover")
    short_title: NonBlank = Field(description="a shorter title for running headers")
    municipality: NonBlank = Field(description="as printed, e.g. 〇〇町")
    municipality_kind: Literal["市", "町", "村"] = Field(description="terms such as 市の対応 are built from it")
    publishers: list[NonBlank] = Field(min_length=1, description="the publishing organisations, as on the cover")
    position: list[str] = Field(
        min_length=1, description="計画の位置付け paragraphs; {title} and {period} are replaced by the title and the plan period"
    )
    first_year: Year
    last_year: Year
    baseline_year: Year
    chapter: str
    terms: dict[str, str] = Field(default={}, description="overrides of the report's fixed terms, e.g. response: 町の対応")


class Plan(Strict):
    """``source/plan.yaml``."""

    plan: PlanInfo
    actors: list[Actor] = Field(
        min_length=1, max_length=MAX_ACTORS, description="the 主体 rows of every 推進項目 table, in printed order"
    )
    tag_actors: list[Actor] = Field(default=[], description="the names 具体的取組 tags are made of")
    goals: list[Goal] = Field(min_length=1)

    def actor_labels(self) -> dict[str, str]:
        """主体 row ID → label as printed."""
        return {a.id: a.label for a in self.actors}

    def tag_actor_labels(self) -> dict[str, str]:
        """Tag actor ID → label as printed."""
        return {a.id: a.label for a in self.tag_actors}


class Project(Strict):
    """A distinct ≪主な取組・事業≫ entry; placements refer to it by ID."""

    id: str = Field(pattern=ID_PROJECT)
    name: str
    owner: str = Field(description="as printed in the tag, e.g. 町/学校教育課・子ども家庭課, 社協")
    departments: list[str] = Field(default=[], description="IDs of departments.yaml: who runs and reports it")


class ProjectRegistry(Strict):
    """``source/projects.yaml``."""

    projects: list[Project] = Field(min_length=1)


# ---------------------------------------------------------------- departments


class Organisation(Strict):
    """An organisation that owns projects and indicators (the city, its 社会福祉協議会 …)."""

    id: str = Field(pattern=ID_ORGANISATION)
    name: NonBlank = Field(description="full name, e.g. 〇〇町社会福祉協議会")
    short: NonBlank = Field(description="as owner tags print it, e.g. 社協 in 【社協】")


class Department(Strict):
    """A 担当課: the unit that runs a project or reports an indicator (one workbook each)."""

    id: str = Field(pattern=ID_DEPARTMENT)
    name: NonBlank = Field(description="as owner tags print it, e.g. 社会福祉課 in 【市/社会福祉課】")
    organisation: str = Field(description="ID of one of the organisations")
    coordinator: bool = Field(default=False, description="the 取りまとめ division that runs the plan; exactly one")


class DepartmentRegistry(Strict):
    """``source/departments.yaml``."""

    organisations: list[Organisation] = Field(min_length=1)
    departments: list[Department] = Field(min_length=1)

    def coordinator(self) -> Department:
        """The 取りまとめ division (validation makes sure there is exactly one)."""
        return next(d for d in self.departments if d.coordinator)


# ---------------------------------------------------------------- evaluation


class IndicatorStatus(Strict):
    key: Literal["achieved", "on_track", "slightly_behind", "behind", "not_achieved", "unknown"]
    label: str
    description: str


class ProjectGrade(Strict):
    code: str
    label: str
    description: str


class Unreported(Strict):
    """What the report prints for a project whose year has no grade yet."""

    label: NonBlank = Field(description="e.g. 未報告")
    description: str


class FinalJudgement(Strict):
    """A step of the final evaluation's scale (最終評価の判定), printed with its rule."""

    key: Literal["achieved", "mostly_achieved", "not_achieved", "worsened", "unknown"]
    label: NonBlank
    description: NonBlank


class Evaluation(Strict):
    """``source/evaluation.yaml``: the rules, printed by the report as they are applied."""

    baseline_year: Year
    target_year: Year
    on_track_ratio: Number = Field(ge=0, description="progress ≥ expected pace × this → 順調")
    slightly_behind_ratio: Number = Field(ge=0, description="progress ≥ expected pace × this → やや遅れ")
    indicator_statuses: list[IndicatorStatus]
    project_grades: list[ProjectGrade]
    unreported: Unreported
    method_text: list[str] = Field(description="paragraphs that explain the method in the report")
    mostly_achieved_ratio: Number = Field(
        default=Decimal("0.8"), gt=0, le=1,
        description="final evaluation: 達成率 ≥ this (and the target not reached) → mostly_achieved (概ね達成)",
    )
    final_judgements: list[FinalJudgement] = Field(
        default=[], description="the final evaluation's scale (最終評価), in printed order"
    )
    final_method_text: list[str] = Field(
        default=[], description="paragraphs that explain the final evaluation in the final edition"
    )


# ---------------------------------------------------------------- actuals


class DataStatus(str, Enum):
    sample = "sample"  # invented example data: every page says サンプルデータ
    draft = "draft"  # （案）
    final = "final"


class MeasureActual(Strict):
    """A year's value of one measure, or why there is none."""

    value: Number | None = None
    count: Count | None = None
    of: Count | None = None
    breakdown: list[BreakdownItem] = []
    not_measured: str | None = Field(default=None, description="reason the value is missing")
    not_surveyed: bool = Field(
        default=False,
        description="no survey in this year (an indicator measured only in some years): printed 対象外, "
        "not missing; the latest surveyed value is used",
    )


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


class ReviewText(Strict):
    """成果 and 次期計画への課題 of a 基本目標 or 具体的目標, for the final edition."""

    results: NonBlank = Field(description="成果: what the period achieved")
    next_plan: NonBlank = Field(description="次期計画への課題: what is left for the next plan")


class PeriodReview(Strict):
    """The final evaluation's texts (最終評価): optional, printed by the final edition."""

    goals: dict[str, ReviewText] = Field(default={}, description="per 基本目標 ID (G1 …)")
    objectives: dict[str, ReviewText] = Field(default={}, description="per 具体的目標 ID (G1.1 …)")
    opinion: Opinion | None = Field(default=None, description="the committee's opinion on the whole period and the response")


class Actuals(Strict):
    """``source/actuals/<YEAR>.yaml``."""

    fiscal_year: Year
    status: DataStatus
    report_date: Date
    publisher: list[NonBlank] = Field(min_length=1)
    indicators: dict[str, IndicatorActual] = {}
    projects: dict[str, ProjectActual] = {}
    promotion_items: dict[str, dict[str, str]] = Field(
        default={}, description="per 推進項目, a summary of the year per 主体 row (keys: the plan's actor IDs)"
    )
    opinions: Opinions = Opinions()
    period_review: PeriodReview = PeriodReview()
