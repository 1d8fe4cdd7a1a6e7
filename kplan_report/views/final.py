"""第4章 最終評価: the final edition's chapter, built from the outline's ordinary blocks.

The final edition (the plan's last year, or ``kplan-report build --final``
for a mid-term review) is the annual report plus this chapter, the 総括
that the next plan is written from.  It is made only of :class:`Text`,
:class:`Table`, :class:`StatusBars` and :class:`Opinion` blocks, so the PDF,
the Word draft, the web edition and the parity test take it as they take
the rest of the outline::

    最終評価の方法                 final_method_text, the judgement scale (from evaluation.yaml)
    主な指標の最終評価             judgement counts per 具体的目標 / 基本目標 / overall (table, bars),
                                   then per 具体的目標: baseline, every year, final value, target, 達成率, 判定
    主な取組・事業の評価の推移     grade counts per year; per 基本目標 every project's grade in every year
                                   and the period's summary
    成果と次期計画への課題         per 基本目標 and its 具体的目標 (actuals' period_review)
    計画期間に対する推進委員会の意見  period_review.opinion
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..compute.period import IndicatorFinal, MeasureFinal, grade_summary, plan_counts, plan_final, project_grades
from ..text.japanese import NO_BREAK, fiscal_year_letter, fiscal_year_short, format_number, format_percent
from .blocks import Bar, BarSegment, Cell, Column, Opinion, Section, StatusBars, Table, Text
# A table with a column per year shows at most YEAR_COLUMNS years (as 第3章 and the 資料編);
# a longer period is printed in tables of that many years each, the judgement columns
# (or the period's summary) on the last.
from .outline import YEAR_COLUMNS
from .pieces import COMPUTED, EARLIER, Field, OpinionView, Span

if TYPE_CHECKING:
    from .outline import _Builder

#: Prefix of the judgements' colour keys (BarSegment.key): apart from the annual statuses' colours.
BAR_KEY = "final_"

#: A table whose rows take at most about this many lines is kept on one page
#: (Table.keep); a longer one may break between its rows, its header repeated.
KEEP_LINES = 45

#: Characters per line of a text cell, per millimetre of its width (8–8.5 pt CJK, an estimate).
CHARS_PER_MM = 0.33

#: The width the columns without a width share (A4 portrait's text width, mm).
TEXT_WIDTH_MM = 170


def _year_chunks(years: list[int]) -> list[list[int]]:
    return [years[i:i + YEAR_COLUMNS] for i in range(0, len(years), YEAR_COLUMNS)] or [[]]


def _lines(columns: list[Column], rows: list[list[Cell]]) -> int:
    """About how many lines the rows of a table take (the tallest cell of each row)."""
    fixed = sum(c.width_mm or 0 for c in columns)
    shared = max(1, sum(1 for c in columns if c.width_mm is None))
    widths = [c.width_mm or max(10.0, (TEXT_WIDTH_MM - fixed) / shared) for c in columns]
    total = 0
    for row in rows:
        tallest = 1
        for width, cell in zip(widths, row):
            per_line = max(1, int(width * CHARS_PER_MM))
            tallest = max(tallest, sum(-(-max(1, len(part)) // per_line) for part in cell.text.split("\n")))
        total += tallest
    return total


def _keep(columns: list[Column], rows: list[list[Cell]]) -> bool:
    """Whether a table is short enough to be kept on one page."""
    return _lines(columns, rows) <= KEEP_LINES


def _fullwidth(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


class _Final:
    def __init__(self, b: _Builder):
        self.b = b
        self.L = b.labels
        self.ev = b.evaluation
        self.finals = plan_final(b.plan, b.year, b.source.actuals, b.evaluation)
        self.counts = plan_counts(b.plan, self.finals, b.evaluation)
        self.judgement_labels = {j.key: j.label for j in self.ev.final_judgements}
        self.review = b.actuals.period_review

    # -- 最終評価の方法

    def method(self) -> Section:
        L = self.L
        columns = [Column(L.judgement, 30, "center"), Column(L.criterion)]
        rows = [[Cell(j.label), Cell(j.description)] for j in self.ev.final_judgements]
        scale = Table("method", columns, rows, caption=L.judgement_table, keep=_keep(columns, rows))
        return Section(2, L.final_method, "final-method", "part", [Text(list(self.ev.final_method_text)), scale])

    # -- 主な指標の最終評価

    def year_text(self, mf: MeasureFinal, k: int) -> str:
        yv = mf.years[k]
        if yv.not_surveyed:
            return self.L.not_surveyed
        if yv.value is None:
            return self.b.unknown
        if mf.measure.kind.value == "coverage" and yv.of is not None:
            return f"{format_number(yv.value)}／{format_number(yv.of)}"
        return format_number(yv.value, mf.measure.unit)

    def final_text(self, mf: MeasureFinal) -> str:
        if mf.final is None:
            return self.b.unknown
        if mf.measure.kind.value == "coverage" and mf.measure.target.all and mf.target is not None:
            text = f"{format_number(mf.final)}／{format_number(mf.target)}"
        else:
            text = format_number(mf.final, mf.measure.unit)
        if mf.final_year is not None and mf.final_year != self.b.year:
            text += "\n" + self.L.final_value_from.format(year=fiscal_year_short(mf.final_year))
        return text

    def rate_text(self, mf: MeasureFinal) -> str:
        L = self.L
        if mf.held is not None:
            if mf.held:
                return L.held_every_year
            return L.not_held.format(years="・".join(fiscal_year_letter(y) for y in mf.missed_years))
        return format_percent(mf.rate) if mf.rate is not None else L.no_progress

    def year_spans(self, indicator, place: str, text: str) -> tuple[Span, ...]:
        """The evaluation year's cell as 第3章 prints its values (the same fields), without the
        count/of line of a rate, which this table does not print."""
        b = self.b
        ip = b.progress[indicator.id]
        fields = b.measure_fields(indicator, place)
        spans: list[Span] = []
        for k, mp in enumerate(ip.measures):
            if k:
                spans.append(Span("\n"))
            for span in b.measure_spans(mp.measure, mp, b.actuals, indicator.id, fields.get(mp.measure.id)):
                if span.text.startswith("\n（"):
                    break
                spans.append(span)
        if "".join(x.text for x in spans) != text:  # pragma: no cover - the two tables print one value alike
            raise ValueError(f"{indicator.id}: the final table prints {text!r}, 第3章 {''.join(x.text for x in spans)!r}")
        return tuple(spans)

    def lines(self, f: IndicatorFinal, text, labelled: bool = False) -> str:
        """One line per measure; ``labelled`` puts the measure's name before each
        (values carry their unit, 15地区 / 30回, so only the 達成率 needs it)."""
        several = labelled and len(f.measures) > 1
        return "\n".join((f"{mf.measure.label or mf.measure.unit} " if several else "") + text(mf)
                         for mf in f.measures)

    def year_column(self, y: int, width: float | None) -> Column:
        return Column(self.L.year_column.format(year=fiscal_year_short(y), western=y), width, "center")

    def chunk_caption(self, caption: str, chunks: list[list[int]], chunk: list[int]) -> str:
        """The caption, with the years of this table when the period takes several."""
        if len(chunks) == 1:
            return caption
        return caption + self.L.years_range.format(first=fiscal_year_short(chunk[0]), last=fiscal_year_short(chunk[-1]))

    def indicator_cells(self, goal, objective, indicator, f) -> dict:
        """An indicator's cells of the final table, by column (a year's by the year): the
        evaluation year's values are the draft's fields, as in 第3章; the other years', the
        plan's words and what is computed are locked fields."""
        L = self.L
        years = self.b.years
        place = f"{L.goal}{goal.number} › {L.objective}{objective.number} › {L.indicators}{indicator.number} {indicator.name}"
        cells: dict = {}
        for k, y in enumerate(years):
            cell = Cell(self.lines(f, lambda mf, k=k: self.year_text(mf, k)))
            if y == self.b.year:
                cell = replace(cell, spans=self.year_spans(indicator, place, cell.text))
            else:  # another year's: locked (printed without a rate's count/of: a path of its own)
                cell = replace(cell, field=Field(
                    f"{EARLIER}{y}:{indicator.id}.final",
                    L.field_indicator.format(number=indicator.number, name=indicator.name, measure="",
                                             year=fiscal_year_short(y), column=L.field_earlier),
                    f"{L.chapter_final} › {place} › {fiscal_year_short(y)}", locked=True))
            cells[y] = cell
        plan = {what: Field(f"plan:{indicator.id}.{what}",
                            L.field_indicator_plan.format(number=indicator.number, name=indicator.name, column=column),
                            f"{place} › {column}", locked=True)
                for what, column in (("name", L.indicator), ("baseline", L.baseline_column.split("\n")[0]),
                                     ("target", L.target_column.split("\n")[0]))}

        def computed(what: str, column: str, text: str) -> Cell:
            return Cell(text, field=Field(f"{COMPUTED}{indicator.id}.{what}",
                                          L.field_final.format(number=indicator.number, name=indicator.name,
                                                               column=column),
                                          f"{L.chapter_final} › {place} › {column}", locked=True))

        cells.update(
            number=Cell(str(indicator.number)), name=Cell(indicator.name, field=plan["name"]),
            baseline=Cell(indicator.baseline_display, field=plan["baseline"]),
            final=computed("final", L.final_value, self.lines(f, self.final_text)),
            target=Cell(indicator.target_display, field=plan["target"]),
            rate=computed("rate", L.achievement_rate, self.lines(f, self.rate_text, labelled=True)),
            judgement=computed("judgement", L.judgement, self.judgement_labels[f.judgement]),
        )
        return cells

    def indicator_tables(self, goal, objective) -> list[Table]:
        """Baseline, every year's value, 最終値, 目標値, 達成率, 判定: in tables of
        :data:`YEAR_COLUMNS` years, the judgement columns on the last."""
        L = self.L
        years = self.b.years
        chunks = _year_chunks(years)
        caption = f"{L.goal}{goal.number}-{L.objective}{_fullwidth(objective.number)} {objective.title}"
        tables = []
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            columns = [Column(L.number, 7, "center"), Column(L.indicator), Column(L.baseline_column, 15, "center"),
                       *(self.year_column(y, 14) for y in chunk)]
            if last:
                columns += [Column(L.final_value, 15, "center"), Column(L.target_column, 15, "center"),
                            Column(L.achievement_rate, 15, "center"), Column(L.judgement, 13, "center", "judgement")]
            rows = []
            for indicator in objective.indicators:
                f = self.finals[indicator.id]
                cells = self.indicator_cells(goal, objective, indicator, f)
                row = [cells["number"], cells["name"], cells["baseline"], *(cells[y] for y in chunk)]
                if last:
                    row += [cells["final"], cells["target"], cells["rate"], cells["judgement"]]
                rows.append(row)
            tables.append(Table("final-indicators", columns, rows, caption=self.chunk_caption(caption, chunks, chunk),
                                keep=_keep(columns, rows)))
        return tables

    def indicators(self) -> Section:
        L = self.L
        keys = [j.key for j in self.ev.final_judgements]
        labels = [self.judgement_labels[k] for k in keys]
        plan = self.b.plan
        count_rows: list[list[Cell]] = []
        bar_rows = []
        for g in plan.goals:
            for o in g.objectives:
                counts = self.counts.objectives[o.id]
                count_rows.append([Cell(f"{L.objective}{_fullwidth(o.number)} {o.title}"),
                                   *(Cell(str(counts[k])) for k in keys), Cell(str(len(o.indicators)))])
            counts = self.counts.goals[g.id]
            label = f"{L.goal}{g.number} {g.title}"
            n = sum(len(o.indicators) for o in g.objectives)
            count_rows.append([Cell(label, emphasis=True), *(Cell(str(counts[k]), emphasis=True) for k in keys),
                               Cell(str(n), emphasis=True)])
            bar_rows.append((label, [counts[k] for k in keys]))
        total = self.counts.total
        count_rows.append([Cell(L.total, emphasis=True), *(Cell(str(total[k]), emphasis=True) for k in keys),
                           Cell(str(len(self.finals)), emphasis=True)])
        bar_rows.append((L.total, [total[k] for k in keys]))
        count_columns = [Column(L.goal_objective, 62), *(Column(x, None, "center") for x in labels),
                         Column(L.total, None, "center")]
        count_table = Table("counts", count_columns, count_rows, caption=L.final_counts,
                            keep=_keep(count_columns, count_rows))
        bars = StatusBars(
            alt=L.status_chart_alt.format(name=L.final_counts_chart, rows=L.goal),
            bars=[Bar(label, [BarSegment(BAR_KEY + k, self.judgement_labels[k], c) for k, c in zip(keys, counts) if c])
                  for label, counts in bar_rows],
            legend=[(BAR_KEY + k, label) for k, label in zip(keys, labels)],
            table=Table("counts", [Column(L.goal, 62), *(Column(x, None, "center") for x in labels)],
                        [[Cell(label), *(Cell(str(c)) for c in counts)] for label, counts in bar_rows],
                        caption=L.chart_data.format(caption=L.final_counts_chart)),
        )
        summary = L.summary_final.format(
            n=len(self.finals),
            counts="，".join(L.summary_final_count.format(label=self.judgement_labels[k], count=total[k])
                            for k in keys if total[k]) or "―")
        tables = [t for g in plan.goals for o in g.objectives if o.indicators for t in self.indicator_tables(g, o)]
        return Section(2, L.final_indicators, "final-indicators", "part",
                       [Text([summary]), count_table, bars, *tables])

    # -- 主な取組・事業の評価の推移

    def projects(self) -> Section:
        L = self.L
        b = self.b
        years = b.years
        chunks = _year_chunks(years)
        # grade counts per year, in tables of YEAR_COLUMNS years
        codes = list(dict.fromkeys(g.code for g in self.ev.project_grades))
        all_ids = [p.id for p in b.source.projects.projects]
        per_year = {y: [b.grade_code(pid, y) for pid in all_ids] for y in years}
        content: list = []
        for chunk in chunks:
            count_rows = [[Cell(b.grade_labels[c] if c == b.grade_labels[c] else f"{c} {b.grade_labels[c]}"),
                           *(Cell(str(per_year[y].count(c))) for y in chunk)] for c in codes]
            count_rows.append([Cell(b.unreported), *(Cell(str(per_year[y].count(b.unreported))) for y in chunk)])
            count_rows.append([Cell(L.total, emphasis=True), *(Cell(str(len(all_ids)), emphasis=True) for _ in chunk)])
            columns = [Column(L.grade, 50), *(self.year_column(y, None) for y in chunk)]
            content.append(Table("counts", columns, count_rows,
                                 caption=self.chunk_caption(L.grades_by_year, chunks, chunk),
                                 keep=_keep(columns, count_rows)))
        seen: set[str] = set()
        for g in b.plan.goals:
            ids = []
            for o in g.objectives:
                for item in o.promotion_items:
                    for pid in item.projects:
                        if pid not in seen:
                            seen.add(pid)
                            ids.append(pid)
            if not ids:
                continue
            summaries = {}
            for pid in ids:
                grades = project_grades(pid, years, b.source.actuals)
                # each "A：4年" unbroken (NO_BREAK between its characters); the line breaks after a "，"
                summaries[pid] = "，".join(NO_BREAK.join(L.grade_years.format(grade=code if code is not None else b.unreported, n=n))
                                           for code, n in grade_summary(grades, self.ev))
            # every year's grade, in tables of YEAR_COLUMNS years; the period's summary on the last
            for n, chunk in enumerate(chunks):
                last = n == len(chunks) - 1
                columns = [Column(L.project_name), Column(L.owner, 24), *(self.year_column(y, 14) for y in chunk)]
                if last:
                    columns.append(Column(L.period_summary, 26))
                rows = [[Cell(b.projects[pid].name), Cell(b.projects[pid].owner),
                         *(Cell(b.grade_code(pid, y)) for y in chunk), *([Cell(summaries[pid])] if last else [])]
                        for pid in ids]
                content.append(Table("final-projects", columns, rows,
                                     caption=self.chunk_caption(f"{L.goal}{g.number} {g.title}", chunks, chunk),
                                     keep=_keep(columns, rows)))
        return Section(2, L.final_projects, "final-projects", "part", content)

    # -- 成果と次期計画への課題

    def review_fields(self, where: str, keys: tuple[str, ...], columns: tuple[tuple[str, str], ...]) -> list[Field]:
        """The two fields of a period_review entry (成果 and 次期計画への課題, or the opinion and its
        response): the actuals file holds them as a pair, each field names the other."""
        L = self.L
        paths = [".".join((*keys, key)) for key, _ in columns]
        return [Field(path, L.field_period.format(where=where.replace(" › ", "・"), column=column),
                      f"{L.chapter_final} › {where} › {column}", keys=(*keys, key), pair=paths[1 - n])
                for n, (path, (key, column)) in enumerate(zip(paths, columns))]

    def empty(self, field: Field, entry) -> Field:
        """``field`` of an entry the actuals do not have: printed as ―."""
        return field if entry is not None else replace(field, empty=self.L.no_review)

    def reviews(self) -> Section:
        L = self.L
        goals = []
        columns = (("results", L.review_results_column), ("next_plan", L.review_next_plan_column))
        for g in self.b.plan.goals:
            text = self.review.goals.get(g.id)
            results, next_plan = self.review_fields(f"{L.goal}{g.number}", ("period_review", "goals", g.id), columns)
            content: list = [Text([L.review_results], "subheading"),
                             Text([text.results if text else L.no_review], fields=(self.empty(results, text),)),
                             Text([L.review_next_plan], "subheading"),
                             Text([text.next_plan if text else L.no_review], fields=(self.empty(next_plan, text),))]
            rows = []
            for o in g.objectives:
                r = self.review.objectives.get(o.id)
                results, next_plan = self.review_fields(f"{L.goal}{g.number} › {L.objective}{o.number}",
                                                        ("period_review", "objectives", o.id), columns)
                rows.append([Cell(f"{L.objective}{_fullwidth(o.number)} {o.title}"),
                             Cell(r.results if r else L.no_review, field=self.empty(results, r)),
                             Cell(r.next_plan if r else L.no_review, field=self.empty(next_plan, r))])
            table_columns = [Column(L.objective, 40), Column(L.review_results_column), Column(L.review_next_plan_column)]
            content.append(Table("review", table_columns, rows, keep=_keep(table_columns, rows)))
            # not the 基本目標's own heading again: every heading of the report is one 目次 entry of its own
            content.insert(0, Text([f"{L.goal}{g.number} {g.title}"], "lead"))
            goals.append(Section(3, L.review_goal.format(goal=f"{L.goal}{g.number}"), f"final-review-{g.id}",
                                 "part", content))
        return Section(2, L.final_review, "final-review", "part", goals)

    def chapter(self) -> Section:
        L = self.L
        content: list = [self.method(), self.indicators(), self.projects(), self.reviews()]
        opinion = self.review.opinion
        if opinion is not None:
            fields = self.review_fields(L.period_opinion, ("period_review", "opinion"),
                                        (("opinion", L.opinion), ("response", L.response)))
            content.append(Section(2, L.period_opinion, "final-opinion", "part",
                                   [Opinion(None, L.opinion, L.response,
                                            OpinionView(opinion.opinion, opinion.response, *fields))]))
        return Section(1, L.chapter_final, "final", "chapter", content, new_page=True)


def final_chapter(builder: _Builder) -> Section:
    """第4章 最終評価 of the report ``builder`` is building (its year is the evaluation year)."""
    return _Final(builder).chapter()
