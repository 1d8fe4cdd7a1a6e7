"""The ``kplan-report`` command.

Each subcommand is one ``add_<name>(subparsers)`` function that registers
its parser and sets ``run`` to the function doing the work; :data:`COMMANDS`
lists them.  To add a subcommand, write such a function and append it to
:data:`COMMANDS`.

Exit status: 0 on success (warnings allowed), 2 when the input or the
command line (with ``--out`` and ``SOURCE_DATE_EPOCH``) is wrong, 1 when
the report could not be written (a full disk …), 130 on Ctrl-C and 143 on
SIGTERM, both of which leave no temporary file.  Bad input never produces a traceback: every
:class:`~kplan_report.errors.InputError` is printed as one line per problem
on stderr, followed by a one-line summary.  Any other exception is a bug
and propagates.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from . import model
from .validate.messages import InputError
from .text.japanese import fiscal_year_label
from .validate.load import ACTUALS_DIR, Source, load_source, missing_actuals
from .intake.yamlio import display_path

DEFAULT_SOURCE = Path("source")
DEFAULT_SCHEMA_DIR = Path("schema")

# The JSON Schema files written by ``kplan-report schema``: file name → model.
SCHEMAS = {
    "plan.schema.json": model.Plan,
    "projects.schema.json": model.ProjectRegistry,
    "departments.schema.json": model.DepartmentRegistry,
    "evaluation.schema.json": model.Evaluation,
    "actuals.schema.json": model.Actuals,
}


class UsageError(Exception):
    """The command line asks for something impossible; the message says what."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a CI timeout, a logout): handled as Ctrl-C is, so that every
    temporary file is removed on the way out."""


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run the command; SIGTERM is turned into :class:`Terminated` while it runs."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: signals cannot be handled here
        return _main(argv)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None) -> int:
    from .build import OutputError
    from .validate.glyphs import FontMissing

    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # argparse has printed the usage and its message
        return exit.code if isinstance(exit.code, int) else 2
    try:
        return args.run(args)
    except InputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(error.summary(), file=sys.stderr)
        return 2
    except UsageError as error:
        print(f"kplan-report: error: {error}", file=sys.stderr)
        return 2
    except OutputError as error:
        print(f"kplan-report: error: {error}", file=sys.stderr)
        return error.status
    except FontMissing as error:
        print(f"kplan-report: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        # Output files are written atomically, so an interrupted build leaves the last good ones.
        what = "terminated" if isinstance(interrupt, Terminated) else "interrupted"
        print(f"kplan-report: {what}; no file is left half-written（中断しました）", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT)
    except BrokenPipeError:
        # `kplan-report validate | head`: the reader has gone; say nothing more.
        sys.stderr.close()
        return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kplan-report",
        description="The yearly progress report of a municipal plan (地域福祉計画 進捗状況報告書) from the data in source/",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def fiscal_year(text: str) -> int:
    """argparse type of a year argument: a four-digit fiscal year such as 2021 (full-width digits accepted),
    within the years a plan may have (model.MIN_YEAR–MAX_YEAR): messages name it in 和暦 before
    anything else is checked."""
    normal = unicodedata.normalize("NFKC", text).strip()
    if not (normal.isascii() and normal.isdigit() and len(normal) == 4):
        raise argparse.ArgumentTypeError(
            f"found '{text}'; expected a fiscal year such as 2021（年度は 2021 のように西暦4桁で指定してください）"
        )
    if not model.MIN_YEAR <= int(normal) <= model.MAX_YEAR:
        raise argparse.ArgumentTypeError(
            f"found '{text}'; expected a fiscal year from {model.MIN_YEAR} to {model.MAX_YEAR}, such as 2021"
            f"（年度は{model.MIN_YEAR}〜{model.MAX_YEAR}の西暦で指定してください）"
        )
    return int(normal)


def _add_source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        metavar="DIR",
        help="folder with plan.yaml, projects.yaml, departments.yaml, evaluation.yaml and actuals/ (default: source)",
    )


def load_checked(source_dir: Path, years: list[int] | None = None) -> Source:
    """:func:`load_source`, then every text checked against the report's fonts
    (:mod:`kplan_report.validate.glyphs`): what validate accepts, the PDF can print."""
    from .validate.glyphs import check_source

    source = load_source(source_dir, years=years)
    problems = check_source(source_dir, source.actuals)
    if problems:
        raise InputError(problems)
    return source


def _check_in_period(source: Source, year: int) -> None:
    info = source.plan.plan
    if not info.first_year <= year <= info.last_year:
        raise UsageError(
            f"FY{year} is outside the plan period {info.first_year}–{info.last_year}"
            f"（{year}年度は計画期間（{info.first_year}〜{info.last_year}年度）外です）"
        )


# ---------------------------------------------------------------- validate


def add_validate(subparsers) -> None:
    parser = subparsers.add_parser("validate", help="check the files in source/ and show what is still missing")
    _add_source_option(parser)
    parser.add_argument("--year", type=fiscal_year, help="check only this fiscal year's actuals")
    parser.set_defaults(run=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    years = None if args.year is None else [args.year]
    if years is not None:
        _check_in_period(load_source(args.source, years=[]), args.year)
    source = load_checked(args.source, years=years)
    print(f"{display_path(args.source)}: OK（入力データに誤りはありません）")
    for line in plan_counts(source):
        print(line)
    for year in source.actuals:
        print(year_completeness(source, year))
        for warning in missing_actuals(source, year):
            print(f"  warning: {warning}")
    if not source.actuals:
        print(f"no actuals yet in {display_path(args.source / ACTUALS_DIR)}（実績ファイルがありません）")
    return 0


def plan_counts(source: Source) -> list[str]:
    """The size of the plan, so that a truncated transcription is noticed."""
    goals = source.plan.goals
    objectives = [o for g in goals for o in g.objectives]
    items = [i for o in objectives for i in o.promotion_items]
    actions = [a for i in items for r in i.rows for a in r.actions]
    placements = [p for i in items for p in i.projects]
    indicators = [n for o in objectives for n in o.indicators]
    measures = [m for n in indicators for m in n.measures]
    rows = [r for i in items for r in i.rows]
    departments = source.departments.departments
    return [
        f"{source.plan.plan.title} ({source.plan.plan.id}), FY{source.plan.plan.first_year}–FY{source.plan.plan.last_year}",
        f"基本目標 {len(goals)}, 具体的目標 {len(objectives)}, 推進項目 {len(items)} ({len(rows)} 主体 rows), 具体的取組 {len(actions)}",
        f"projects {len(set(placements))} distinct, {len(placements)} placements; indicators {len(indicators)} ({len(measures)} measures)",
        f"departments {len(departments)} in {len(source.departments.organisations)} organisations"
        f" (取りまとめ: {source.departments.coordinator().name})",
    ]


def year_completeness(source: Source, year: int) -> str:
    """``令和3年度（2021年度） sample: indicators 28/28, measures 31/31, projects 130/130, 推進項目 rows 87/87``."""
    actuals = source.actuals[year]
    indicators = [n for g in source.plan.goals for o in g.objectives for n in o.indicators]
    items = [i for g in source.plan.goals for o in g.objectives for i in o.promotion_items]

    def measured(indicator, measure) -> bool:
        entry = actuals.indicators.get(indicator.id)
        actual = entry.measures.get(measure.id) if entry else None
        return actual is not None and (actual.value is not None or actual.not_measured is not None or actual.not_surveyed)

    measure_total = sum(len(n.measures) for n in indicators)
    measure_done = sum(measured(n, m) for n in indicators for m in n.measures)
    indicator_done = sum(all(measured(n, m) for m in n.measures) for n in indicators)
    projects = [p.id for p in source.projects.projects]
    project_done = sum(p in actuals.projects for p in projects)
    rows = [(i.id, r.actor) for i in items for r in i.rows]  # r.actor: an ID of the plan's actors
    row_done = sum(bool(actuals.promotion_items.get(i, {}).get(a)) for i, a in rows)
    return (
        f"{fiscal_year_label(year)} {actuals.status.value}: "
        f"indicators {indicator_done}/{len(indicators)}, measures {measure_done}/{measure_total}, "
        f"projects {project_done}/{len(projects)}, 推進項目 rows {row_done}/{len(rows)}"
    )


# ---------------------------------------------------------------- new-year


def add_new_year(subparsers) -> None:
    parser = subparsers.add_parser("new-year", help="write source/actuals/YEAR.yaml to fill in (never overwrites)")
    parser.add_argument("year", type=fiscal_year, metavar="YEAR", help="the fiscal year, e.g. 2022")
    _add_source_option(parser)
    parser.set_defaults(run=run_new_year)


def run_new_year(args: argparse.Namespace) -> int:
    from .intake.newyear import new_year_text

    year = args.year
    target = args.source / ACTUALS_DIR / f"{year}.yaml"
    if target.exists():
        raise UsageError(
            f"{display_path(target)} already exists; it is not overwritten（{display_path(target)} は既にあるため上書きしません）"
        )
    previous = args.source / ACTUALS_DIR / f"{year - 1}.yaml"
    source = load_source(args.source, years=[year - 1] if previous.is_file() else [])
    _check_in_period(source, year)
    text = new_year_text(source, year)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:  # created by someone else since the check above
        raise UsageError(f"{display_path(target)} already exists; it is not overwritten") from None
    print(f"wrote {display_path(target)}（{fiscal_year_label(year)}の実績ファイルを作成しました）")
    print("next: fill in report_date and the values, then run: kplan-report validate")
    return 0


# ---------------------------------------------------------------- schema


def add_schema(subparsers) -> None:
    parser = subparsers.add_parser("schema", help="write JSON Schema files of the YAML files, for editors")
    parser.add_argument("--out", type=Path, default=DEFAULT_SCHEMA_DIR, metavar="DIR", help="output folder (default: schema)")
    parser.set_defaults(run=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    from .build import OutputError, write_atomically

    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, model in SCHEMAS.items():
            schema = model.model_json_schema()
            schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            path = args.out / name
            data = (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            write_atomically(path, lambda f: f.write(data))
            print(f"wrote {display_path(path)}")
    except OSError as error:  # --out names a file, a read-only folder, a full disk …
        raise OutputError(f"{display_path(args.out)}: cannot write the schema files there: "
                          f"{error.strerror or error}（書き込めません）") from None
    return 0


# ---------------------------------------------------------------- build


def add_build(subparsers) -> None:
    from .writers import WRITERS

    parser = subparsers.add_parser(
        "build", help="write the year's report: build/YEAR/*.pdf, *.docx, web/ (the site) and data/ (CSV)")
    parser.add_argument("--year", type=fiscal_year, required=True, help="the fiscal year, e.g. 2021")
    _add_source_option(parser)
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output folder (default: build)")
    parser.add_argument(
        "--format", action="append", choices=list(WRITERS), dest="formats",
        help="build only this format: pdf, docx, html (the web site) or csv (open data); "
             "repeatable; default: all",
    )
    parser.add_argument("--serial", action="store_true", help="write the formats one after the other, not in parallel")
    parser.add_argument("--no-cache", action="store_true",
                        help="lay out every part of the PDF again (ignore and refill build/.cache/pdf/)")
    parser.add_argument(
        "--final", action="store_true",
        help="the final edition (最終評価報告書: 達成率 and judgements, every year side by side) for any year, "
             "e.g. a mid-term review; the plan's last year is always built as one",
    )
    parser.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    from .build import FORMATS, build, workers

    formats = tuple(dict.fromkeys(args.formats)) if args.formats else FORMATS
    # the workers start first: they load WeasyPrint while this process loads source/
    with workers(formats) if not args.serial else contextlib.nullcontext() as executor:
        source = load_checked(args.source)
        _check_in_period(source, args.year)
        if args.year not in source.actuals:
            raise UsageError(
                f"no actuals for FY{args.year}: {display_path(args.source / ACTUALS_DIR / f'{args.year}.yaml')} "
                f"is missing; create it with: kplan-report new-year {args.year}"
                f"（{fiscal_year_label(args.year)}の実績ファイルがありません）"
            )
        result = build(source, args.year, args.out, formats, parallel=not args.serial, cache=not args.no_cache,
                       progress=_progress_printer(), final=True if args.final else None, executor=executor)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.warnings:
        print(
            f"{len(result.warnings)} values missing: the report shows 未把握 for them（未入力の項目は未把握と表示します）",
            file=sys.stderr,
        )
    for path in result.files:
        print(f"wrote {display_path(path)}")
    return 0


# ---------------------------------------------------------------- preview


def add_preview(subparsers) -> None:
    parser = subparsers.add_parser("preview", help="serve the year's report as a web page on 127.0.0.1, "
                                   "updated when a file in source/ is saved")
    parser.add_argument("--year", type=fiscal_year, required=True, help="the fiscal year, e.g. 2021")
    _add_source_option(parser)
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765; 0: any free one)")
    parser.set_defaults(run=run_preview)


def run_preview(args: argparse.Namespace) -> int:
    from .preview import serve

    if not args.source.is_dir():
        raise UsageError(f"{display_path(args.source)}: no such folder（フォルダがありません）")
    try:
        serve(args.source, args.year, args.port)
    except OSError as error:
        raise UsageError(f"cannot serve on 127.0.0.1:{args.port}: {error.strerror}") from None
    return 0


def _progress_printer() -> Callable[[str], None] | None:
    """Progress lines on stderr when it is a terminal (parts laid out, files
    written), each overwriting the last; nothing when it is not (make logs, CI)."""
    if not sys.stderr.isatty():
        return None
    import time

    start = time.perf_counter()

    def show(line: str) -> None:
        print(f"\r\033[K[{time.perf_counter() - start:5.1f} s] {line}", end="", file=sys.stderr, flush=True)
        if line.startswith("wrote"):
            print(file=sys.stderr)

    return show


# ---------------------------------------------------------------- intake


def add_intake(subparsers) -> None:
    parser = subparsers.add_parser("intake", help="Excel workbooks to each department, and their actuals back into source/")
    commands = parser.add_subparsers(dest="intake_command", required=True, metavar="STEP")
    export = commands.add_parser("export", help="write one workbook per department into build/YEAR/intake/")
    export.add_argument("--year", type=fiscal_year, required=True, help="the fiscal year to collect, e.g. 2022")
    _add_source_option(export)
    export.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: build/YEAR/intake)")
    export.add_argument("--deadline", type=_date, metavar="DATE", help="the date to return the workbooks by, e.g. 2025-05-31")
    export.add_argument("--password", metavar="P", help="protect the sheets with this password (default: no password)")
    export.add_argument("--final", action="store_true",
                        help="the final edition's workbooks (as build --final): the coordinator's also collects the period texts "
                             "(成果, 次期計画への課題, the committee's opinion on the period); the plan's last year always does")
    export.set_defaults(run=run_intake_export)
    read = commands.add_parser("import", help="check the returned workbooks and write their values into source/actuals/YEAR.yaml")
    read.add_argument("files", nargs="+", type=Path, metavar="FILE", help="returned .xlsx workbooks")
    read.add_argument("--year", type=fiscal_year, required=True, help="the fiscal year, e.g. 2022")
    _add_source_option(read)
    read.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
    read.add_argument("--overwrite", action="store_true", help="replace values in the YAML that differ from the workbooks")
    read.set_defaults(run=run_intake_import)
    status = commands.add_parser("status", help="per department, what is still missing (the chase list)")
    status.add_argument("--year", type=fiscal_year, required=True, help="the fiscal year, e.g. 2022")
    _add_source_option(status)
    status.add_argument("--final", action="store_true",
                        help="chase the final edition's period texts too (as export --final); the plan's last year always does")
    status.set_defaults(run=run_intake_status)


def _date(text: str):
    import datetime

    from .text.japanese import EARLIEST_DATE

    try:
        date = datetime.date.fromisoformat(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"found '{text}'; expected a date such as 2025-05-31（日付は 2025-05-31 の形で指定してください）") from None
    if date < EARLIEST_DATE:  # printed in 和暦, which starts here
        raise argparse.ArgumentTypeError(
            f"found '{text}'; expected a date from {EARLIEST_DATE.isoformat()} on（{EARLIEST_DATE.isoformat()}以降の日付を指定してください）"
        )
    return date


def _intake_source(args: argparse.Namespace, earlier: int = 1) -> Source:
    """The plan data with the ``earlier`` years before and the year's actuals, where their files exist.

    The year itself is read allowing an empty report_date (the import may
    have just created its file): :func:`~kplan_report.intake.xlsx.read.with_year`.
    """
    from .intake.xlsx.read import with_year

    directory = args.source / ACTUALS_DIR
    _check_in_period(load_source(args.source, years=[]), args.year)
    years = [y for y in range(args.year - earlier, args.year) if (directory / f"{y}.yaml").is_file()]
    return with_year(load_source(args.source, years=years), args.source, args.year)


def run_intake_export(args: argparse.Namespace) -> int:
    import time

    from .intake.xlsx.export import export_all, index_rows

    started = time.perf_counter()
    plan = load_source(args.source, years=[]).plan.plan
    # Every earlier year of the plan, for the indicators' years so far.
    source = _intake_source(args, earlier=args.year - plan.first_year + 1)
    out = args.out or Path("build") / str(args.year) / "intake"
    written = export_all(source, args.year, out, args.deadline, args.password, final=True if args.final else None)
    rows = index_rows(written)
    from .intake.xlsx.export import _width as shown

    widths = [max(shown(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell + " " * (width - shown(cell)) for cell, width in zip(row, widths)).rstrip())
    print(f"wrote {len(written)} workbooks and {display_path(out / 'index.csv')} in {time.perf_counter() - started:.1f} s"
          f"（{len(written)}課分のブックを作成しました）")
    return 0


def run_intake_import(args: argparse.Namespace) -> int:
    import time

    from .intake.xlsx.read import import_workbooks

    started = time.perf_counter()
    source = _intake_source(args)
    result = import_workbooks(source, args.source, args.year, args.files, dry_run=args.dry_run, overwrite=args.overwrite)
    for line in result.per_department():
        print(line)
    for line in result.conflict_lines():
        print(line)
    target = display_path(result.target)
    if args.dry_run:
        print(f"dry run: {target} would get {result.plan.summary()}; nothing written（確認のみ。書き込みはしていません）")
    elif result.written:
        print(f"wrote {target}{' (created)' if result.created else ''}: {result.plan.summary()} in {time.perf_counter() - started:.1f} s")
    else:
        print(f"{target} unchanged: {result.plan.summary()}（変更はありません）")
    if result.created:
        print(f"note: {target} was created as new-year writes it; fill in report_date before building the report")
    return 0


def run_intake_status(args: argparse.Namespace) -> int:
    from .intake.xlsx.status import status_lines

    source = _intake_source(args)
    for line in status_lines(source, args.year, final=True if args.final else None):
        print(line)
    return 0


# ---------------------------------------------------------------- review


def add_review(subparsers) -> None:
    parser = subparsers.add_parser(
        "review", help="read the council's edited Word draft back: what changed, comments; --apply writes it")
    parser.add_argument("draft", type=Path, metavar="DRAFT.docx", help="the edited Word draft")
    parser.add_argument("--year", type=fiscal_year, required=True, help="the fiscal year of the draft")
    _add_source_option(parser)
    parser.add_argument("--track-changes", choices=("accept", "reject"), default=None,
                        help="read tracked changes as accepted or rejected (default: report them as pending)")
    parser.add_argument("--apply", action="store_true",
                        help="write the changed fields into source/actuals/YEAR.yaml (comments and layout kept)")
    parser.set_defaults(run=run_review)


def run_review(args: argparse.Namespace) -> int:
    from .intake import review as rv

    result = rv.review(args.draft, args.source, args.year, args.track_changes)
    sys.stdout.write(result.text())
    if result.refused:
        raise InputError(result.refused)
    if args.apply:
        target = display_path(args.source / ACTUALS_DIR / f"{args.year}.yaml")
        if rv.apply(result, args.source):
            print(f"wrote {target} ({len(result.changes)} field{'s' if len(result.changes) != 1 else ''})")
        else:
            print(f"{target}: nothing to write")
    return 0


COMMANDS: list[Callable] = [add_validate, add_new_year, add_schema, add_build, add_intake, add_review, add_preview]
