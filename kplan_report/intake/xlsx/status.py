"""What each department has still to send (``kplan-report intake status``): the chase list.

Read from the year's actuals file as ``validate`` reads it, per department
and by the same layout as the workbooks, so the list names exactly the rows
the department's workbook holds.  The year's opinions are optional and not chased; in the final edition the
period texts (最終評価: 成果 and 次期計画への課題, the committee's opinion on the
period) are, for the coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass

from ... import model
from ...validate.load import Source
from . import layout as L


@dataclass(frozen=True)
class Pending:
    department: model.Department
    total: int
    missing: list[tuple[str, str, str]]  # (sheet, row ID, what the row is)


def pending(source: Source, year: int, final: bool | None = None) -> list[Pending]:
    """``final``: the final edition's rows too (as ``export --final``; by default in the plan's last year)."""
    actuals = source.actuals.get(year)
    fp = L.fingerprint(source)
    out = []
    for department in L.departments_with_work(source):
        layout = L.build_layout(source, year, department, fp, final=final)
        total = 0
        missing = []
        for sheet in layout.sheets:
            for row in sheet.rows:
                if sheet.name == L.OPINIONS and row.id != L.PERIOD_OPINION_ID:
                    continue  # the year's opinions are optional; the period's is the final edition's own
                total += 1
                if not _entered(actuals, sheet.name, row):
                    missing.append((sheet.name, row.id, row.label))
        out.append(Pending(department, total, missing))
    return out


def _entered(actuals: model.Actuals | None, sheet: str, row: L.Row) -> bool:
    if actuals is None:
        return False
    if sheet == L.PROJECTS:
        return row.id in actuals.projects
    if sheet == L.INDICATORS:
        indicator_id, measure_id = row.id.split("/")
        entry = actuals.indicators.get(indicator_id)
        actual = entry.measures.get(measure_id) if entry else None
        return actual is not None and (actual.value is not None or actual.not_measured is not None or actual.not_surveyed)
    if sheet == L.ITEMS:
        item_id, actor = row.id.split("/")
        return bool(actuals.promotion_items.get(item_id, {}).get(actor))
    if sheet == L.PERIOD:
        review = actuals.period_review
        return row.id in (review.goals if row.paths["results"][1] == "goals" else review.objectives)
    if sheet == L.OPINIONS:
        return actuals.period_review.opinion is not None
    return True


def status_lines(source: Source, year: int, final: bool | None = None) -> list[str]:
    lines = []
    for entry in pending(source, year, final):
        d = entry.department
        done = entry.total - len(entry.missing)
        if not entry.missing:
            lines.append(f"{d.name} ({d.id}): all {entry.total} entered（すべて入力済み）")
            continue
        lines.append(f"{d.name} ({d.id}): {len(entry.missing)} of {entry.total} missing, {done} entered（未入力 {len(entry.missing)}件）")
        for sheet, row_id, label in entry.missing:
            lines.append(f"  {sheet} {row_id}: {label}")
    return lines
