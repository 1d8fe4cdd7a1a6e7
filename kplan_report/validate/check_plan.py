"""Checks of plan.yaml that its model cannot express: the declared vocabulary, the period, the measures.

A plan declares its own 主体 rows and tag actors, its period and its
indicators' directions; nothing of one city is in the code.  So the code
must make sure, before any report is built, that what the plan declares
holds together:

* every 推進項目 row names a declared 主体, at most once, in the declared
  order; every 具体的取組 tag names a declared tag actor;
* the period is 1 to :data:`~kplan_report.model.MAX_PERIOD_YEARS` fiscal
  years, with the baseline year before it;
* the 計画の位置付け paragraphs use no placeholders but ``{title}`` and ``{period}``;
* ``terms`` overrides only terms the report has (:mod:`kplan_report.text.labels`);
* a measure's direction agrees with its baseline and target, and the
  numbers agree with the cells as the plan prints them (8,000人 is 8000);
* the evaluation scale declares every status the method can give, and every
  judgement of the final evaluation (最終評価).

Each check adds :class:`~kplan_report.validate.messages.Problem` lines located in the
file (see :mod:`kplan_report.validate.messages`); none raises.
"""

from __future__ import annotations

import difflib
import re
import string
import unicodedata
from decimal import Decimal, InvalidOperation

from .. import model
from ..compute.period import required_judgements
from ..compute.progress import required_statuses
from ..intake.yamlio import Document, quote
from ..model import Direction, Evaluation, Plan
from ..text.labels import DEFAULTS as TERMS
from .messages import Problem

#: The placeholders a 計画の位置付け paragraph may use: the title and the plan period.
POSITION_PLACEHOLDERS = ("title", "period")

# A number as the plan prints it: 8,000 / 54.9 / 100 (after NFKC, so ８，０００ too).
_PRINTED_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")


def _items(plan: Plan):
    """Every 推進項目 with its path in plan.yaml."""
    for gi, goal in enumerate(plan.goals):
        for oi, objective in enumerate(goal.objectives):
            for pi, item in enumerate(objective.promotion_items):
                yield item, ("goals", gi, "objectives", oi, "promotion_items", pi)


def _indicators(plan: Plan):
    """Every indicator with its path in plan.yaml."""
    for gi, goal in enumerate(plan.goals):
        for oi, objective in enumerate(goal.objectives):
            for ii, indicator in enumerate(objective.indicators):
                yield indicator, ("goals", gi, "objectives", oi, "indicators", ii)


# ---------------------------------------------------------------- actors


def check_actors(plan: Plan, doc: Document, problems: list[Problem]) -> None:
    """The declared 主体 and tag actors are distinct, and rows and tags use only them."""
    for name, actors in (("actors", plan.actors), ("tag_actors", plan.tag_actors)):
        first_id: dict[str, int] = {}
        first_label: dict[str, int] = {}
        for index, actor in enumerate(actors):
            if actor.id in first_id:
                line = doc.line_of((name, first_id[actor.id], "id"))
                problems.append(doc.problem((name, index, "id"), f"the ID '{actor.id}' a second time (first on line {line})", "a unique ID（IDが重複しています）"))
            else:
                first_id[actor.id] = index
            if actor.label in first_label:
                line = doc.line_of((name, first_label[actor.label], "label"))
                problems.append(
                    doc.problem((name, index, "label"), f"the label '{actor.label}' a second time (first on line {line})", "a label of its own for each 主体（同じ名前の主体が2つあります）")
                )
            else:
                first_label[actor.label] = index

    order: dict[str, int] = {}  # a 主体 declared twice counts where it is first declared
    for index, actor in enumerate(plan.actors):
        order.setdefault(actor.id, index)
    declared = ", ".join(order)
    tags = [actor.id for actor in plan.tag_actors]
    for item, path in _items(plan):
        seen: dict[str, int] = {}
        last: str | None = None
        for ri, row in enumerate(item.rows):
            row_path = path + ("rows", ri, "actor")
            if row.actor not in order:
                problems.append(
                    doc.problem(row_path, f"the 主体 '{row.actor}', which actors does not declare", f"one of {declared}, as declared under actors（plan.yaml の actors にない主体です）")
                )
            elif row.actor in seen:
                line = doc.line_of(path + ("rows", seen[row.actor], "actor"))
                problems.append(
                    doc.problem(row_path, f"the 主体 row '{row.actor}' a second time (first on line {line})", "each 主体 once per 推進項目（同じ主体の行が2つあります）")
                )
            else:
                if last is not None and order[row.actor] < order[last]:
                    problems.append(
                        doc.problem(row_path, f"the 主体 row '{row.actor}' after '{last}'", f"the rows in the order of actors: {declared}（主体の行は actors の順に並べてください）")
                    )
                seen[row.actor] = ri
                last = row.actor
            for ai, action in enumerate(row.actions):
                for ti, tag in enumerate(action.actors):
                    if tag not in tags:
                        expected = f"one of {', '.join(tags)}, as declared under tag_actors" if tags else "a tag actor declared under tag_actors"
                        problems.append(
                            doc.problem(
                                path + ("rows", ri, "actions", ai, "actors", ti),
                                f"the tag actor '{tag}', which tag_actors does not declare",
                                f"{expected}（plan.yaml の tag_actors にない主体です）",
                            )
                        )


# ---------------------------------------------------------------- period and identity


def check_period(plan: Plan, doc: Document, problems: list[Problem]) -> None:
    """1 to MAX_PERIOD_YEARS fiscal years, the baseline year before the first."""
    info = plan.plan
    if info.first_year > info.last_year:
        problems.append(
            doc.problem(("plan", "last_year"), f"{info.last_year} (before first_year {info.first_year})", "a year not before first_year（計画期間が正しくありません）")
        )
    elif info.last_year - info.first_year + 1 > model.MAX_PERIOD_YEARS:
        years = info.last_year - info.first_year + 1
        problems.append(
            doc.problem(
                ("plan", "last_year"),
                f"{info.last_year}, a period of {years} years from first_year {info.first_year}",
                f"a period of at most {model.MAX_PERIOD_YEARS} years, i.e. last_year ≤ {info.first_year + model.MAX_PERIOD_YEARS - 1}"
                f"（計画期間は{model.MAX_PERIOD_YEARS}年以内にしてください）",
            )
        )
    if info.baseline_year >= info.first_year:
        problems.append(
            doc.problem(
                ("plan", "baseline_year"),
                f"{info.baseline_year} (not before first_year {info.first_year})",
                "a year before first_year, usually the year before（現状値の年度は計画期間の初年度より前にしてください）",
            )
        )


def check_position(plan: Plan, doc: Document, problems: list[Problem]) -> None:
    """The 計画の位置付け paragraphs can be filled in: ``{title}``, ``{period}`` and nothing else."""
    allowed = ", ".join("{" + name + "}" for name in POSITION_PLACEHOLDERS)
    for index, paragraph in enumerate(plan.plan.position):
        path = ("plan", "position", index)
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(paragraph) if name is not None]
        except ValueError:
            problems.append(
                doc.problem(path, f"{quote(paragraph)} with an unmatched {{ or }}", f"only the placeholders {allowed}, {{{{ and }}}} for a brace itself（{{ }} の対応が取れていません）")
            )
            continue
        for name in names:
            if name not in POSITION_PLACEHOLDERS:
                problems.append(
                    doc.problem(path, f"the placeholder {{{name}}}", f"only the placeholders {allowed}（使える差し込みは {allowed} だけです）")
                )


def check_terms(plan: Plan, doc: Document, problems: list[Problem]) -> None:
    """Each override in ``terms`` names a term the report prints, and is not empty."""
    for key, text in plan.plan.terms.items():
        path = ("plan", "terms", key)
        if key not in TERMS:
            close = difflib.get_close_matches(key, TERMS, n=3)
            which = f"perhaps {' or '.join(close)}" if close else "e.g. response or opinion"
            problems.append(
                doc.problem(
                    path,
                    f"the term '{key}', which the report does not have",
                    f"a term of the report (kplan_report/text/labels.py), {which}（この用語名は使えません）",
                )
            )
        elif not text.strip():
            problems.append(doc.problem(path, "an empty text", "the text to print instead of the default（空欄にできません）"))


# ---------------------------------------------------------------- measures


def printed_numbers(text: str) -> list[list[Decimal]]:
    """The numbers of a printed cell, line by line: '54.9%\\n（112/204自治会）' → [[54.9], [112, 204]]."""
    lines = []
    for line in unicodedata.normalize("NFKC", text).splitlines():
        numbers = []
        for match in _PRINTED_NUMBER.finditer(line):
            try:
                numbers.append(Decimal(match.group().replace(",", "")))
            except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
                continue
        lines.append(numbers)
    return lines


def check_measures(plan: Plan, doc: Document, problems: list[Problem]) -> None:
    """Directions agree with baseline and target; numbers agree with the printed cells."""
    for indicator, path in _indicators(plan):
        for mi, measure in enumerate(indicator.measures):
            measure_path = path + ("measures", mi)
            _check_direction(measure, measure_path, doc, problems)
            for side, display_field in (("baseline", "baseline_display"), ("target", "target_display")):
                quantity = getattr(measure, side)
                display = getattr(indicator, display_field)
                _check_printed(quantity, mi, display, display_field, measure_path + (side,), doc, problems)


_DIRECTION_REASONS = {
    Direction.increase: ("above", "目標値が現状値を上回るので increase を指定してください"),
    Direction.decrease: ("below", "目標値が現状値を下回るので decrease を指定してください"),
    Direction.maintain: ("equal to", "目標値が現状値と同じなので maintain を指定してください"),
}


def _check_direction(measure: model.Measure, path: tuple, doc: Document, problems: list[Problem]) -> None:
    baseline, target = measure.baseline, measure.target
    if target.all:
        # A target of everyone (全校): up to it, or kept there when the baseline is everyone too.
        wanted = Direction.maintain if baseline.all else Direction.increase
        if measure.direction is not wanted:
            where = "both baseline and target are all" if baseline.all else "the target is all (全…) and the baseline is not"
            hint = "現状値も目標値も「全…」なので maintain を指定してください" if baseline.all else "目標が「全…」なので increase を指定してください"
            problems.append(doc.problem(path + ("direction",), f"'{measure.direction.value}' where {where}", f"{wanted.value}（{hint}）"))
        return
    if baseline.all or baseline.value is None or target.value is None:
        return
    b, t = baseline.value, target.value
    wanted = Direction.increase if t > b else Direction.decrease if t < b else Direction.maintain
    if measure.direction is not wanted:
        relation, hint = _DIRECTION_REASONS[wanted]
        problems.append(
            doc.problem(
                path + ("direction",),
                f"'{measure.direction.value}' with baseline {_plain(b)} and target {_plain(t)}",
                f"{wanted.value}, since the target is {relation} the baseline（{hint}）",
            )
        )


def _check_printed(quantity: model.Quantity, index: int, display: str, display_field: str, path: tuple, doc: Document, problems: list[Problem]) -> None:
    """``value`` is the number the cell prints first on the measure's line; ``count`` and ``of`` are printed too.

    The measures of an indicator are printed one per line (14地区 / 17回), so
    the k-th measure is compared with the first number of the k-th line that
    has one.  A cell with no number (未実施, 全校) is not compared; nor is a
    value that is the sum of a breakdown (幼稚園：6 保育所：13 → 19), which is
    checked against the breakdown instead.
    """
    lines = printed_numbers(display)
    shown = f"{display_field} {quote(display)}"
    if quantity.breakdown:
        total = sum(item.value for item in quantity.breakdown)
        if quantity.value is not None and quantity.value != total:
            problems.append(
                doc.problem(path + ("value",), f"{_plain(quantity.value)}, while the breakdown adds up to {total}", f"the sum of the breakdown, {total}（内訳の合計と合っていません）")
            )
        return
    if quantity.value is not None and not quantity.all:
        leading = [numbers[0] for numbers in lines if numbers]
        if index < len(leading) and quantity.value != leading[index]:
            printed = _plain(leading[index])
            problems.append(
                doc.problem(
                    path + ("value",),
                    f"{_plain(quantity.value)}, while {shown} prints {printed}",
                    f"the number the plan prints, {printed}（{display_field} の数値 {printed} と合っていません）",
                )
            )
    every = {number for numbers in lines for number in numbers}
    for name in ("count", "of"):
        number = getattr(quantity, name)
        if number is not None and every and Decimal(number) not in every:
            problems.append(
                doc.problem(path + (name,), f"{number}, which {shown} does not print", f"a number printed in {display_field}（{display_field} にない数値です）")
            )


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral_value() else str(number)


# ---------------------------------------------------------------- the evaluation scale


_STATUS_REASONS = {
    "achieved": "given when a measure reaches its target",
    "on_track": "given to an increase or decrease measure at or above the expected pace",
    "slightly_behind": "given to an increase or decrease measure below the pace",
    "behind": "given to an increase or decrease measure far below the pace",
    "not_achieved": "given to a maintain measure below its target",
    "unknown": "given when a year has no value",
}


def check_scale(plan: Plan, evaluation: Evaluation, doc: Document, problems: list[Problem]) -> None:
    """Every status the method can give this plan's measures has a label in evaluation.yaml."""
    declared = {status.key for status in evaluation.indicator_statuses}
    needed = required_statuses(plan)
    for key in needed:
        if key not in declared:
            problems.append(
                doc.problem(
                    ("indicator_statuses",),
                    f"no status with key '{key}' ({_STATUS_REASONS[key]})",
                    f"a status for each of {', '.join(needed)}, with its label and description（評価区分 {key} の表示名と説明がありません）",
                )
            )


_JUDGEMENT_REASONS = {
    "achieved": "the final value has reached the target",
    "mostly_achieved": "達成率 at or above mostly_achieved_ratio",
    "not_achieved": "the target not reached",
    "worsened": "the final value worse than the baseline",
    "unknown": "no final value",
}


def check_final_scale(plan: Plan, evaluation: Evaluation, doc: Document, problems: list[Problem]) -> None:
    """Every judgement the final evaluation can give this plan's measures has a label in evaluation.yaml."""
    declared = {j.key for j in evaluation.final_judgements}
    needed = required_judgements(plan)
    for key in needed:
        if key not in declared:
            problems.append(
                doc.problem(
                    ("final_judgements",),
                    f"no judgement with key '{key}' ({_JUDGEMENT_REASONS[key]})",
                    f"a judgement for each of {', '.join(needed)}, with its label and description（最終評価の判定 {key} の表示名と説明がありません）",
                )
            )
