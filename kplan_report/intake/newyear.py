"""The blank actuals file for a new fiscal year (``kplan-report new-year``).

The file lists everything the year needs, in plan order, with empty values
and last year's values as comments, so that the person filling it in never
has to look up an ID.  It is written as text, not dumped from data: the
comments (names of indicators and projects, last year's values) are the
point of the file.

An entry left entirely empty means "not entered yet": it loads, and
``validate`` lists it as a warning.  ``report_date`` is the one value that
must be filled in before the file loads.
"""

from __future__ import annotations

from decimal import Decimal

from .. import model
from ..text.japanese import fiscal_year_label
from ..validate.load import Source


def new_year_text(source: Source, year: int) -> str:
    """The contents of ``source/actuals/<year>.yaml`` for a year not yet entered."""
    previous = source.actuals.get(year - 1)
    info = source.plan.plan
    actor_labels = source.plan.actor_labels()
    grades = " / ".join(g.code for g in source.evaluation.project_grades)
    out: list[str] = []
    add = out.append
    actor_labels = {a.id: a.label for a in source.plan.actors}
    add(f"# {fiscal_year_label(year)}の実績 — kplan-report new-year {year} で作成")
    add("# 空欄を埋めてください。すべて空欄の項目は「未入力」として警告され，報告書（案）は作成できます。")
    add("# 数値は半角数字で，カンマや単位を付けずに入力します（例: 8400）。")
    add("# 実績値を把握できなかった数値は value を空欄にし，not_measured に理由を書きます。")
    if previous is not None:
        add(f"# 「# {year - 1}: …」は前年度の値です（参考）。")
    add("# Format: kplan_report/model (Actuals).  Check with: kplan-report validate")
    add(f"fiscal_year: {year}")
    add("status: draft          # draft（案） / final（確定）")
    add(f"report_date:           # 報告日を必ず入力してください（例: {year + 1}-06-30）")
    add(f"publisher: [{', '.join(info.publishers)}]   # plan.yaml の publishers")
    add("")
    add("indicators:")
    for goal in source.plan.goals:
        for objective in goal.objectives:
            if not objective.indicators:
                continue
            add(f"  # ── {goal.number}-{objective.number} {_one_line(objective.title)}")
            for indicator in objective.indicators:
                before = previous.indicators.get(indicator.id) if previous else None
                add(f"  # {indicator.number} {_one_line(indicator.name)}【{indicator.owner}】 目標値 {_one_line(indicator.target_display)}")
                add(f"  {indicator.id}:")
                add("    measures:")
                for measure in indicator.measures:
                    last = before.measures.get(measure.id) if before else None
                    label = f"  # {measure.label}" if measure.label else ""
                    add(f"      {measure.id}:{label}")
                    add(_field("value", last.value if last else None, year, f"単位: {measure.unit}"))
                    if _uses(measure, last, "count"):
                        add(_field("count", last.count if last else None, year))
                    if _uses(measure, last, "of"):
                        add(_field("of", last.of if last else None, year, "対象の総数"))
                    if measure.baseline.breakdown or (last and last.breakdown):
                        add(_field("breakdown", _flow_breakdown(last.breakdown) if last and last.breakdown else None, year, "[{label: …, value: …}, …]"))
                    add(_field("not_measured", last.not_measured if last else None, year, "把握できなかった理由"))
                add(_field("note", before.note if before else None, year, "", indent=4))
    add("")
    add("projects:")
    for project in source.projects.projects:
        last = previous.projects.get(project.id) if previous else None
        add(f"  # {_one_line(project.name)}【{project.owner}】")
        add(f"  {project.id}:")
        add(_field("results", last.results if last else None, year, "実施内容・実績", indent=4))
        add(_field("grade", last.grade if last else None, year, grades, indent=4))
        add(_field("next_steps", last.next_steps if last else None, year, "課題・今後の方向性", indent=4))
    add("")
    add("promotion_items:")
    for goal in source.plan.goals:
        for objective in goal.objectives:
            for item in objective.promotion_items:
                rows = previous.promotion_items.get(item.id, {}) if previous else {}
                add(f"  # {goal.number}-{objective.number} {item.number} {_one_line(item.title)}")
                add(f"  {item.id}:")
                for row in item.rows:
                    add(_field(row.actor, rows.get(row.actor), year, actor_labels[row.actor], indent=4))
    add("")
    add(f"# 推進委員会の意見と{info.terms.get('response', info.municipality_kind + 'の対応')}（任意）")
    add("opinions:")
    add("  overall:               # 計画全体")
    add("    opinion:")
    add("    response:")
    add("  objectives:")
    for goal in source.plan.goals:
        for objective in goal.objectives:
            add(f"    {objective.id}:               # {goal.number}-{objective.number} {_one_line(objective.title)}")
            add("      opinion:")
            add("      response:")
    return "\n".join(out) + "\n"


def _uses(measure: model.Measure, last: model.MeasureActual | None, name: str) -> bool:
    """Whether the measure is reported with ``count`` / ``of`` (as in its baseline, target or last year)."""
    if last is not None and getattr(last, name) is not None:
        return True
    if name == "of" and (measure.target.all or measure.baseline.all or measure.baseline.of is not None):
        return True
    return name == "count" and measure.baseline.count is not None


def _field(name: str, last, year: int, hint: str = "", indent: int = 8) -> str:
    """``name:`` with a hint and last year's value as a comment after it."""
    line = " " * indent + f"{name}:"
    notes = [hint] if hint else []
    if last is not None and last != "":  # last, because texts can be long
        notes.append(f"{year - 1}: {_plain(last)}")
    if notes:
        line = line.ljust(indent + 20) + " # " + " — ".join(notes)
    return line


def _plain(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return _one_line(str(value))


def _flow_breakdown(items: list[model.BreakdownItem]) -> str:
    return "[" + ", ".join(f"{{label: {i.label}, value: {i.value}}}" for i in items) + "]"


def _one_line(text: str) -> str:
    return " / ".join(part.strip() for part in str(text).splitlines() if part.strip())
