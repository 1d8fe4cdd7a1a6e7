"""Loading ``source/`` into the typed models, and checking it within and across files.

:func:`load_source` is the only way the rest of the program reads input.  It
reads every file with :mod:`kplan_report.yamlio`, validates each against its
model, then checks what no single model can see: that IDs are unique, that
every reference (a project placed in a 推進項目, an indicator named in a
year's actuals …) points at something that exists, that fiscal years fall
in the plan period, and that grades are on the scale.  Every problem in
every file is collected before anything is raised, so one run of
``kplan-report validate`` shows everything to fix.  See
:mod:`kplan_report.errors` for the message format.

Checks across files need the files they compare: when plan.yaml does not
match its model, the actuals are checked against it only on the next run,
after plan.yaml is fixed.  Within an actuals file, the entries that are
valid are checked even when others are not (see :func:`_valid_part`).

Missing actuals are not errors: a draft report can be built before every
figure is in.  :func:`missing_actuals` lists them as warnings; only in a
file of ``status: final`` is each an error (:func:`_check_complete`).  In an
actuals file, an entry whose fields are all empty (as ``kplan-report
new-year`` writes them) counts as not yet entered and is dropped before
validation; an entry that is partly filled in is validated as it stands.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .. import model
from .. import model as limits  # _explain's parameter ``model`` is the model class
from ..intake.yamlio import Document, describe, display_path, quote, read_yaml
from ..model import Actuals, DepartmentRegistry, Evaluation, MeasureKind, Plan, ProjectRegistry
from . import check_departments, check_plan
from .messages import InputError, Problem

ACTUALS_DIR = "actuals"
_YEAR_FILE = re.compile(r"^([0-9]{4})\.yaml$")


@dataclass(frozen=True)
class SourceFile:
    """A file that was read, with its SHA-256, for the report's data provenance.

    ``path`` starts at the source folder's name (``source/actuals/2021.yaml``).
    """

    path: Path
    sha256: str


@dataclass(frozen=True)
class Source:
    """Everything in ``source/``, validated."""

    plan: Plan
    projects: ProjectRegistry
    departments: DepartmentRegistry
    evaluation: Evaluation
    actuals: dict[int, Actuals]
    files: list[SourceFile]


def load_source(source_dir: Path, years: Iterable[int] | None = None) -> Source:
    """Read and validate ``source_dir``; raise :class:`InputError` listing every problem.

    ``years`` limits the actuals read to those fiscal years (each must have
    its file); by default every ``actuals/<YEAR>.yaml`` is read.
    """
    source_dir = Path(source_dir)
    problems: list[Problem] = []
    files: list[SourceFile] = []
    if not source_dir.is_dir():
        raise InputError(
            [Problem(display_path(source_dir), 1, "", "no such directory", "the source directory with plan.yaml（フォルダがありません）")]
        )

    def read(path: Path, model: type[BaseModel], prepare=None) -> tuple[Document | None, Any]:
        try:
            doc = read_yaml(path)
        except InputError as error:
            problems.extend(error.problems)
            return None, None
        # Named from the source folder down (source/plan.yaml), so the report's
        # provenance reads the same whichever way the folder was given.
        files.append(SourceFile(Path(source_dir.resolve().name) / path.relative_to(source_dir), doc.sha256))
        problems.extend(doc.problems)
        if prepare is not None:
            doc.data = prepare(doc.data)
        return doc, validate_model(doc, model, problems)

    plan_doc, plan = read(source_dir / "plan.yaml", Plan)
    projects_doc, registry = read(source_dir / "projects.yaml", ProjectRegistry)
    departments_doc, departments = read(source_dir / "departments.yaml", DepartmentRegistry)
    evaluation_doc, evaluation = read(source_dir / "evaluation.yaml", Evaluation)

    actuals: dict[int, Actuals] = {}
    actuals_docs: dict[int, Document] = {}
    checkable: dict[int, Actuals] = {}  # the valid part of each year, for the checks across files
    placeholders: dict[int, set[str]] = {}  # the fields of that part that are stand-ins, not the file's
    for year, path in _actuals_files(source_dir / ACTUALS_DIR, years, problems):
        doc, value = read(path, Actuals, drop_unentered)
        if doc is not None:
            actuals_docs[year] = doc
            if value is not None:
                checkable[year], placeholders[year] = value, set()
            else:
                checkable[year], placeholders[year] = _valid_part(doc, year)
        if value is not None:
            actuals[year] = value
    for year, value in checkable.items():
        # A year outside the plan period is refused as a whole (_check_year): its date is no matter.
        in_period = plan is None or plan.plan.first_year <= year <= plan.plan.last_year
        if value is not None and "report_date" not in placeholders[year] and in_period:
            _check_report_date(year, value, actuals_docs[year], problems)

    if plan is not None:
        _check_plan(plan, plan_doc, problems)
        for year, doc in actuals_docs.items():
            _check_year(year, plan, doc, problems)
    if plan is not None and registry is not None:
        _check_placements(plan, plan_doc, registry, projects_doc, problems)
    if departments is not None:
        check_departments.check_registry(departments, departments_doc, problems)
        if plan is not None and registry is not None:
            check_departments.check_owners(plan, plan_doc, registry, projects_doc, departments, problems)
    if plan is not None and evaluation is not None:
        _check_evaluation(plan, evaluation, evaluation_doc, problems)
        check_plan.check_scale(plan, evaluation, evaluation_doc, problems)
        check_plan.check_final_scale(plan, evaluation, evaluation_doc, problems)
    if evaluation is not None:
        _check_evaluation_scale(evaluation, evaluation_doc, problems)
    if plan is not None and registry is not None and evaluation is not None:
        for year, value in checkable.items():
            if value is None:
                continue
            _check_actuals(value, actuals_docs[year], plan, registry, evaluation, problems)
            if value.status is model.DataStatus.final and "status" not in placeholders[year]:
                _check_complete(value, actuals_docs[year], plan, registry, problems)

    if problems:
        raise InputError(_in_file_order(problems, files))
    assert plan is not None and registry is not None and departments is not None and evaluation is not None
    return Source(
        plan=plan, projects=registry, departments=departments, evaluation=evaluation,
        actuals=dict(sorted(actuals.items())), files=files,
    )


def _valid_part(doc: Document, year: int) -> tuple[Actuals | None, set[str]]:
    """The entries of an invalid actuals file that are valid, so that they can still be checked.

    Without this, one typo in one project would hide every unknown ID and
    every wrong grade elsewhere in the file until the typo is fixed.  The
    result is only used for checking; it is never part of a :class:`Source`.
    With it come the names of the fields that hold a stand-in for an invalid
    value (a report date, a status), which must not be checked in turn.
    """
    data = doc.data
    if not isinstance(data, dict):
        return None, set()
    try:
        return Actuals.model_validate(data), set()
    except ValidationError as error:
        locations = [tuple(detail["loc"]) for detail in error.errors(include_url=False)]
    data = dict(data)
    placeholders = {
        "fiscal_year": year,
        "status": "draft",
        "report_date": datetime.date(year + 1, 6, 30),
        "publisher": ["-"],
    }
    replaced: set[str] = set()
    for loc in locations:
        head = loc[0] if loc else None
        if head in ("indicators", "projects", "promotion_items") and len(loc) >= 2 and isinstance(data.get(head), dict):
            data[head] = {key: value for key, value in data[head].items() if key != loc[1]}
        elif head == "period_review" and isinstance(data.get(head), dict):
            review = dict(data[head])
            if len(loc) >= 3 and loc[1] in ("goals", "objectives") and isinstance(review.get(loc[1]), dict):
                review[loc[1]] = {key: value for key, value in review[loc[1]].items() if key != loc[2]}
            else:
                review.pop(loc[1], None) if len(loc) >= 2 else review.clear()
            data[head] = review
        elif head in placeholders:
            data[head] = placeholders[head]
            replaced.add(head)
        elif head is not None:
            data.pop(head, None)
    try:
        return Actuals.model_validate(data), replaced
    except ValidationError:
        return None, replaced


def _in_file_order(problems: list[Problem], files: list[SourceFile]) -> list[Problem]:
    """Problems grouped by file (in reading order), by line within a file; duplicates dropped."""
    order = {display_path(f.path): i for i, f in enumerate(files)}
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (order.get(p.file, len(order)), p.file, p.line))


def _actuals_files(directory: Path, years: Iterable[int] | None, problems: list[Problem]) -> list[tuple[int, Path]]:
    """The ``<YEAR>.yaml`` files to read, in year order."""
    if years is not None:
        found = []
        for year in sorted(set(years)):
            path = directory / f"{year}.yaml"
            if path.is_file():
                found.append((year, path))
            else:
                problems.append(
                    Problem(
                        display_path(path),
                        1,
                        "",
                        "no such file",
                        f"the actuals of FY{year}; create it with: kplan-report new-year {year}"
                        f"（{year}年度の実績ファイルがありません）",
                    )
                )
        return found
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.iterdir()):
        match = _YEAR_FILE.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
        elif path.suffix.lower() in (".yaml", ".yml") and not path.name.startswith("."):
            problems.append(
                Problem(
                    display_path(path),
                    1,
                    "",
                    f"the file name '{path.name}'",
                    "the fiscal year as the name, e.g. 2021.yaml（ファイル名は 2021.yaml のように年度にしてください）",
                )
            )
    return found


# ---------------------------------------------------------------- model validation


def validate_model(doc: Document, model: type[BaseModel], problems: list[Problem]) -> Any:
    """``model`` built from ``doc.data``, or ``None`` with the reasons added to ``problems``."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            loc = tuple(detail["loc"])
            is_key = "[key]" in loc
            path = tuple(part for part in loc if part != "[key]")
            if doc.is_flagged(path):
                continue
            found, expected = _explain(detail, doc, path, model, is_key)
            problems.append(doc.problem(path, found, expected))
        return None


_ID_EXAMPLES = {
    model.ID_GOAL: "G1",
    model.ID_OBJECTIVE: "G1.2",
    model.ID_PROMOTION_ITEM: "G1.2.3",
    model.ID_ACTION: "G1.2.3.a01",
    model.ID_INDICATOR: "G1.2.i1",
    model.ID_PROJECT: "p001",
    model.ID_PLAN: "town-welfare-2 (lowercase letters, digits and -)",
    # measures, actors, organisations and departments share one form
    model.ID_MEASURE: "main or social_welfare (lowercase letters, digits and _, a letter first)",
}

_EXPECT_TEXT = "text（文字を入力してください）"
_EXPECT_NUMBER = "a number（数値を半角数字で入力してください）"
_EXPECT_WHOLE = "a whole number（整数を半角数字で入力してください）"
_EXPECT_DATE = "a date such as 2022-06-30（日付は 2022-06-30 の形で入力してください）"
_EXPECT_LIST = "a list: lines starting with '- ', or [a, b]（リストの形で入力してください）"
_EXPECT_MAPPING = "key: value pairs（「項目名: 値」の形で入力してください）"
_NUMBER_WITH_SUFFIX = re.compile(r"\s*[-+]?[0-9０-９][0-9０-９.．]*\s*(\S.*)")


def _explain(detail: dict, doc: Document, path: tuple, model: type[BaseModel], is_key: bool) -> tuple[str, str]:
    """``(found, expected)`` for one pydantic error, in the user's terms."""
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    raw = doc.raw.get(path)
    if is_key:
        found = f"the key '{path[-1]}'"
    elif kind == "missing":
        found = "an empty value" if path in doc.lines else "nothing (the key is missing)"
    elif path == () and value is None:
        found = "an empty file (nothing but comments, if anything)"
    else:
        found = describe(value, raw)

    if kind == "missing":
        return found, "a value; this item is required（この項目は必須です）"
    if kind == "bool_for_number":
        return found, "a number, not yes/no（数値を半角数字で入力してください）"
    if kind == "number_too_large":
        return (
            f"{raw or value} (a number of {ctx['digits']:,} digits before the decimal point)",
            f"a number below {limits.MAX_NUMBER + 1:,}, at most {limits.MAX_WHOLE_DIGITS} digits before the decimal point"
            f"（数値は整数部{limits.MAX_WHOLE_DIGITS}桁以内で入力してください）",
        )
    if kind == "number_too_precise":
        return (
            f"{raw or value} (a number with {ctx['places']} decimal places)",
            f"a number with at most {limits.MAX_DECIMAL_PLACES} decimal places（小数点以下は{limits.MAX_DECIMAL_PLACES}桁以内で入力してください）",
        )
    if kind == "year_out_of_range":
        return (
            found,
            f"a fiscal year from {limits.MIN_YEAR} to {limits.MAX_YEAR}, such as 2021（年度は{limits.MIN_YEAR}〜{limits.MAX_YEAR}の西暦で入力してください）",
        )
    if kind == "date_from_number":
        return found, "a date such as 2022-06-30, not a number（日付は 2022-06-30 の形で入力してください）"
    if kind == "text_blank":
        return found, "text that is not empty（空欄にできません）"
    if kind == "extra_forbidden" and re.fullmatch(r"[0-9]{3}", str(path[-1])):
        # {value: 1,000} is read as {value: 1, "000": null}: a comma inside [ ] or { } separates items.
        return (
            f"the unknown key '{path[-1]}', the digits after a comma",
            "the number without commas, e.g. 1000 not 1,000（数値はカンマを付けずに入力してください）",
        )
    if kind == "extra_forbidden":
        allowed = _fields_at(model, path[:-1])
        expected = "one of the keys " + ", ".join(allowed) if allowed else "no such key"
        return f"the unknown key '{path[-1]}'", expected + "（この項目名は使えません。綴りを確認してください）"
    if kind in ("int_type", "int_parsing", "int_from_float", "decimal_type", "decimal_parsing", "float_type", "float_parsing", "decimal_max_places", "decimal_whole_digits"):
        whole = kind.startswith("int")
        if kind == "int_from_float":
            return found, _EXPECT_WHOLE
        if isinstance(value, str):
            found, hint = _explain_number_text(value)
            if hint:
                return found, hint
        return found, _EXPECT_WHOLE if whole else _EXPECT_NUMBER
    if kind == "finite_number":
        return found, "a finite number（有限の数値を入力してください）"
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        sign = "≥" if kind == "greater_than_equal" else ">"
        return found, f"a number {sign} {limit}（{limit}{'以上' if sign == '≥' else 'より大きい'}の数値を入力してください）"
    if kind == "string_type":
        if isinstance(value, (int, float, Decimal, bool)) or hasattr(value, "isoformat"):
            return found, f"text; put it in quotes, e.g. \"{raw or value}\"（文字として扱うには \"…\" で囲んでください）"
        return found, "text; this item is required（この項目は必須です）" if value is None else _EXPECT_TEXT
    if kind == "too_long":
        most = ctx.get("max_length")
        return found, f"at most {most} item{'s' if most != 1 else ''}（{most}件までです）"
    if kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        if kind == "string_too_short":
            return found, "text that is not empty（空欄にできません）"
        return found, f"at least {least} item{'s' if least != 1 else ''}（{least}件以上必要です）"
    if kind == "string_pattern_mismatch":
        example = _ID_EXAMPLES.get(ctx.get("pattern"))
        if example:
            return found, f"an ID of the form {example}（IDの形式が正しくありません）"
        return found, f"text matching {ctx.get('pattern')}（形式が正しくありません）"
    if kind in ("enum", "literal_error"):
        return found, f"one of {ctx.get('expected')}（いずれかを入力してください）"
    if kind.startswith("date") or kind.startswith("datetime"):
        return found, _EXPECT_DATE
    if kind in ("bool_type", "bool_parsing"):
        return found, "true or false（true か false を入力してください）"
    if kind == "list_type":
        return found, _EXPECT_LIST
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return found, _EXPECT_MAPPING
    return found, f"{detail['msg']}（入力内容を確認してください）"


def _explain_number_text(text: str) -> tuple[str, str | None]:
    """Why text that was meant as a number is not one, when it can be told."""
    if re.fullmatch(r"\s*[-+]?[0-9０-９]{1,3}([,，][0-9０-９]{3})+([.．][0-9０-９]+)?\s*", text):
        plain = re.sub(r"[,，\s]", "", text)
        return (
            f"{quote(text)} (a number with commas)",
            f"the number without commas, e.g. {plain}（数値はカンマを付けずに入力してください）",
        )
    match = _NUMBER_WITH_SUFFIX.fullmatch(text)
    if match and not re.search(r"[0-9０-９]", match.group(1)):
        number = text[: len(text) - len(match.group(1))].strip()
        return (
            f"{quote(text)} (a number followed by '{match.group(1)}')",
            f"the number alone without unit or mark, e.g. {number}（単位を付けずに数値だけを入力してください）",
        )
    return f"{quote(text)} (text)", None


def _fields_at(model: type[BaseModel], path: tuple) -> list[str]:
    """The keys allowed at ``path`` of ``model``, for the message about an unknown key."""
    annotation: Any = model
    for part in path:
        annotation = _unwrap_optional(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return []
            annotation = field.annotation
        elif get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        else:
            return []
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, getattr(__import__("types"), "UnionType", Union)):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def drop_unentered(data: Any) -> Any:
    """Drop the entries of an actuals file that are still entirely empty.

    ``kplan-report new-year`` writes every indicator, project and 推進項目
    row with empty values; until someone fills one in it means "not entered
    yet" (a warning from :func:`missing_actuals`), not "invalid".  An empty
    optional field (``not_measured:`` next to a value) is the same as no
    field.  Keys that are not fields of the model are always kept, so that
    validation reports them.
    """
    if not isinstance(data, dict):
        return data
    data = dict(data)
    indicators = data.get("indicators")
    if isinstance(indicators, dict):
        cleaned = {key: _drop_blank_indicator(value) for key, value in indicators.items()}
        data["indicators"] = {key: value for key, value in cleaned.items() if value != {}}
    projects = data.get("projects")
    if isinstance(projects, dict):
        data["projects"] = {
            key: value for key, value in projects.items() if not _all_blank(value, model.ProjectActual.model_fields)
        }
    items = data.get("promotion_items")
    if isinstance(items, dict):
        # The keys are the plan's 主体 IDs, which this file cannot know: an empty
        # summary is "not entered yet" under any key (a non-empty one under an
        # unknown key is reported when checked against the plan).
        rows = {key: _drop_blank(value, value.keys() if isinstance(value, dict) else ()) for key, value in items.items()}
        data["promotion_items"] = {key: value for key, value in rows.items() if value != {}}
    opinions = data.get("opinions")
    if isinstance(opinions, dict):
        opinions = dict(opinions)
        fields = model.Opinion.model_fields
        if _all_blank(opinions.get("overall"), fields):
            opinions.pop("overall", None)
        if isinstance(opinions.get("objectives"), dict):
            opinions["objectives"] = {
                key: value for key, value in opinions["objectives"].items() if not _all_blank(value, fields)
            }
        data["opinions"] = opinions
    review = data.get("period_review")
    if isinstance(review, dict):
        review = dict(review)
        for part in ("goals", "objectives"):
            if isinstance(review.get(part), dict):
                review[part] = {key: value for key, value in review[part].items()
                                if not _all_blank(value, model.ReviewText.model_fields)}
        if _all_blank(review.get("opinion"), model.Opinion.model_fields):
            review.pop("opinion", None)
        data["period_review"] = review
    return data


def _drop_blank_indicator(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    value = dict(value)
    measures = value.get("measures")
    if isinstance(measures, dict):
        fields = model.MeasureActual.model_fields
        measures = {key: _drop_blank(item, fields) for key, item in measures.items()}
        value["measures"] = {key: item for key, item in measures.items() if item != {}}
    return _drop_blank(value, ("measures", "note"))


def _drop_blank(value: Any, fields: Iterable[str]) -> Any:
    """``value`` without the blank entries among ``fields``; anything else as it is."""
    if not isinstance(value, dict):
        return value
    fields = set(fields)
    return {key: item for key, item in value.items() if not (key in fields and _is_blank(item))}


def _all_blank(value: Any, fields: Iterable[str]) -> bool:
    """Whether ``value`` is a mapping of only known fields, all empty (or nothing at all)."""
    if value is None:
        return True
    return isinstance(value, dict) and set(value) <= set(fields) and all(_is_blank(v) for v in value.values())


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (dict, list)):
        return all(_is_blank(item) for item in (value.values() if isinstance(value, dict) else value))
    return False


# ---------------------------------------------------------------- checks across the plan


def _plan_paths(plan: Plan):
    """Every goal, objective, item, action and indicator with its path in plan.yaml."""
    for gi, goal in enumerate(plan.goals):
        gp = ("goals", gi)
        yield goal, gp, None
        for oi, objective in enumerate(goal.objectives):
            op = gp + ("objectives", oi)
            yield objective, op, goal
            for pi, item in enumerate(objective.promotion_items):
                pp = op + ("promotion_items", pi)
                yield item, pp, objective
                for ri, row in enumerate(item.rows):
                    for ai, action in enumerate(row.actions):
                        yield action, pp + ("rows", ri, "actions", ai), item
            for ii, indicator in enumerate(objective.indicators):
                yield indicator, op + ("indicators", ii), objective


def _check_plan(plan: Plan, doc: Document, problems: list[Problem]) -> None:
    seen: dict[str, tuple] = {}
    misplaced: set[int] = set()  # nodes whose ID does not fit their parent: their children are not judged
    for node, path, parent in _plan_paths(plan):
        id_path = path + ("id",)
        if node.id in seen:
            problems.append(
                doc.problem(
                    id_path,
                    f"the ID '{node.id}' a second time (first on line {doc.line_of(seen[node.id])})",
                    "a unique ID（IDが重複しています）",
                )
            )
        else:
            seen[node.id] = id_path
        if parent is not None and id(parent) in misplaced:
            misplaced.add(id(node))
        elif parent is not None:
            prefix = parent.id + (".i" if isinstance(node, model.Indicator) else ".")
            if not node.id.startswith(prefix):
                misplaced.add(id(node))
                problems.append(
                    doc.problem(
                        id_path,
                        f"the ID '{node.id}' inside '{parent.id}'",
                        f"an ID starting with '{prefix}'（IDが上位の項目と合っていません）",
                    )
                )
        if isinstance(node, model.Indicator):
            measure_ids: dict[str, int] = {}
            for mi, measure in enumerate(node.measures):
                if measure.id in measure_ids:
                    first = doc.line_of(path + ("measures", measure_ids[measure.id], "id"))
                    problems.append(
                        doc.problem(
                            path + ("measures", mi, "id"),
                            f"the measure ID '{measure.id}' a second time (first on line {first})",
                            "a unique measure ID within the indicator（IDが重複しています）",
                        )
                    )
                else:
                    measure_ids[measure.id] = mi
    check_plan.check_period(plan, doc, problems)
    check_plan.check_position(plan, doc, problems)
    check_plan.check_terms(plan, doc, problems)
    check_plan.check_actors(plan, doc, problems)
    check_plan.check_measures(plan, doc, problems)


def _check_placements(plan: Plan, plan_doc: Document, registry: ProjectRegistry, projects_doc: Document, problems: list[Problem]) -> None:
    known: dict[str, int] = {}
    for index, project in enumerate(registry.projects):
        if project.id in known:
            problems.append(
                projects_doc.problem(
                    ("projects", index, "id"),
                    f"the project ID '{project.id}' a second time (first on line {projects_doc.line_of(('projects', known[project.id], 'id'))})",
                    "a unique ID（事業IDが重複しています）",
                )
            )
        else:
            known[project.id] = index
    placed: set[str] = set()
    for node, path, _ in _plan_paths(plan):
        if not isinstance(node, model.PromotionItem):
            continue
        for index, project_id in enumerate(node.projects):
            if project_id not in known:
                problems.append(
                    plan_doc.problem(
                        path + ("projects", index),
                        f"the project '{project_id}', which is not in projects.yaml",
                        "a project ID listed in projects.yaml（projects.yaml にない事業IDです）",
                    )
                )
            elif project_id in node.projects[:index]:
                problems.append(
                    plan_doc.problem(path + ("projects", index), f"the project '{project_id}' twice in one 推進項目", "each project once per 推進項目（同じ事業が2回あります）")
                )
            placed.add(project_id)
    for project_id, index in known.items():
        if project_id not in placed:
            problems.append(
                projects_doc.problem(
                    ("projects", index, "id"),
                    f"the project '{project_id}', which no 推進項目 of plan.yaml lists",
                    "every project placed in at least one 推進項目（plan.yaml のどの推進項目にも載っていない事業です）",
                )
            )


def _check_evaluation(plan: Plan, evaluation: Evaluation, doc: Document, problems: list[Problem]) -> None:
    if evaluation.baseline_year != plan.plan.baseline_year:
        problems.append(
            doc.problem(("baseline_year",), f"{evaluation.baseline_year} (a number)", f"{plan.plan.baseline_year}, the plan's baseline_year（plan.yaml の現状値の年度と合いません）")
        )
    if evaluation.target_year != plan.plan.last_year:
        problems.append(
            doc.problem(("target_year",), f"{evaluation.target_year} (a number)", f"{plan.plan.last_year}, the plan's last_year（plan.yaml の目標年度と合いません）")
        )


def _check_evaluation_scale(evaluation: Evaluation, doc: Document, problems: list[Problem]) -> None:
    for name, items, key in (("project_grades", evaluation.project_grades, "code"), ("indicator_statuses", evaluation.indicator_statuses, "key"),
                             ("final_judgements", evaluation.final_judgements, "key")):
        seen: set[str] = set()
        for index, item in enumerate(items):
            value = getattr(item, key)
            if value in seen:
                problems.append(doc.problem((name, index, key), f"'{value}' a second time", f"each {key} once（同じ{key}が2回あります）"))
            seen.add(value)
    if evaluation.slightly_behind_ratio > evaluation.on_track_ratio:
        problems.append(
            doc.problem(("slightly_behind_ratio",), f"{evaluation.slightly_behind_ratio} (more than on_track_ratio)", "a ratio not above on_track_ratio（やや遅れの基準が順調の基準を上回っています）")
        )


# ---------------------------------------------------------------- checks of a year's actuals


def _check_year(year: int, plan: Plan, doc: Document, problems: list[Problem]) -> None:
    info = plan.plan
    if not info.first_year <= year <= info.last_year:
        problems.append(
            Problem(
                doc.display,
                1,
                "",
                f"actuals for FY{year}",
                f"a fiscal year of the plan period {info.first_year}–{info.last_year}（計画期間外の年度です）",
            )
        )
    data = doc.data
    fiscal_year = data.get("fiscal_year") if isinstance(data, dict) else None
    if isinstance(fiscal_year, int) and not isinstance(fiscal_year, bool) and fiscal_year != year:
        problems.append(
            doc.problem(("fiscal_year",), f"{fiscal_year} (a number)", f"{year}, the year in the file name（ファイル名の年度と合っていません）")
        )


def _check_actuals(actuals: Actuals, doc: Document, plan: Plan, registry: ProjectRegistry, evaluation: Evaluation, problems: list[Problem]) -> None:
    indicators = {n.id: n for n, _, _ in _plan_paths(plan) if isinstance(n, model.Indicator)}
    items = {n.id: n for n, _, _ in _plan_paths(plan) if isinstance(n, model.PromotionItem)}
    objectives = {n.id for n, _, _ in _plan_paths(plan) if isinstance(n, model.Objective)}
    projects = {p.id for p in registry.projects}
    grades = list(dict.fromkeys(g.code for g in evaluation.project_grades))
    declared_actors = plan.actor_labels()

    def report(path: tuple, found: str, expected: str) -> None:
        problems.append(doc.problem(path, found, expected))

    for indicator_id, indicator_actual in actuals.indicators.items():
        path = ("indicators", indicator_id)
        indicator = indicators.get(indicator_id)
        if indicator is None:
            report(path, f"the indicator '{indicator_id}', which is not in plan.yaml", "an indicator ID of the plan, e.g. G1.1.i1（計画にない指標IDです）")
            continue
        measures = {m.id: m for m in indicator.measures}
        for measure_id, actual in indicator_actual.measures.items():
            measure_path = path + ("measures", measure_id)
            measure = measures.get(measure_id)
            if measure is None:
                report(
                    measure_path,
                    f"the measure '{measure_id}', which {indicator_id} does not have",
                    f"one of {', '.join(measures)}（この指標にない数値の名前です）",
                )
                continue
            _check_measure(measure, actual, measure_path, report)

    for project_id, project_actual in actuals.projects.items():
        path = ("projects", project_id)
        if project_id not in projects:
            report(path, f"the project '{project_id}', which is not in projects.yaml", "a project ID of projects.yaml, e.g. p001（事業一覧にない事業IDです）")
        if project_actual.grade not in grades:
            report(path + ("grade",), describe(project_actual.grade), f"one of {', '.join(grades)}（評価は evaluation.yaml の区分から選んでください）")

    for item_id, rows in actuals.promotion_items.items():
        path = ("promotion_items", item_id)
        item = items.get(item_id)
        if item is None:
            report(path, f"the 推進項目 '{item_id}', which is not in plan.yaml", "a 推進項目 ID of the plan, e.g. G1.1.1（計画にない推進項目IDです）")
            continue
        actors = list(dict.fromkeys(row.actor for row in item.rows))
        for actor in rows:
            if actor not in declared_actors:
                report(
                    path + (actor,),
                    f"the 主体 '{actor}', which plan.yaml's actors do not declare",
                    f"one of {', '.join(actors)}, the 主体 rows of {item_id}（plan.yaml の actors にない主体です）",
                )
            elif actor not in actors:
                report(
                    path + (actor,),
                    f"the 主体 row '{actor}', which {item_id} does not have",
                    f"one of {', '.join(actors)}（この推進項目にない主体です）",
                )

    goal_ids = {g.id for g in plan.goals}
    for goal_id in actuals.period_review.goals:
        if goal_id not in goal_ids:
            report(
                ("period_review", "goals", goal_id),
                f"the 基本目標 '{goal_id}', which is not in plan.yaml",
                "a 基本目標 ID of the plan, e.g. G1（計画にない基本目標IDです）",
            )
    for objective_id in actuals.period_review.objectives:
        if objective_id not in objectives:
            report(
                ("period_review", "objectives", objective_id),
                f"the objective '{objective_id}', which is not in plan.yaml",
                "an objective ID of the plan, e.g. G1.1（計画にない具体的目標IDです）",
            )

    for objective_id in actuals.opinions.objectives:
        if objective_id not in objectives:
            report(
                ("opinions", "objectives", objective_id),
                f"the objective '{objective_id}', which is not in plan.yaml",
                "an objective ID of the plan, e.g. G1.1（計画にない具体的目標IDです）",
            )


def _check_measure(measure: model.Measure, actual: model.MeasureActual, path: tuple, report) -> None:
    if actual.not_surveyed:
        given = [name for name in ("value", "count", "of", "not_measured") if getattr(actual, name) is not None]
        given += ["breakdown"] if actual.breakdown else []
        if given:
            report(path, f"not_surveyed: true and {', '.join(given)}",
                   "either not_surveyed: true (no survey this year) or a value, not both（調査対象外の年度には実績値を入力しません）")
        return
    if actual.value is not None and actual.not_measured is not None:
        report(path, "both value and not_measured", "either a value or a not_measured reason, not both（実績値と未把握の理由のどちらか一方だけを入力してください）")
    elif actual.value is None and actual.not_measured is None:
        report(path, "neither value nor not_measured", "a value, or a not_measured reason（実績値か未把握の理由を入力してください）")
    value = actual.value
    if value is None:
        return
    if value < 0:
        report(path + ("value",), f"{value} (a negative number)", "a number ≥ 0（0以上の数値を入力してください）")
    elif measure.kind in (MeasureKind.count, MeasureKind.coverage) and value != value.to_integral_value():
        report(path + ("value",), f"{value} (not a whole number)", f"a whole number of {measure.unit}（整数で入力してください）")
    elif measure.kind == MeasureKind.percent and value > 100:
        report(path + ("value",), f"{value} (more than 100)", "a percentage from 0 to 100（0〜100の数値を入力してください）")
    if actual.of is not None:
        if actual.count is not None and actual.count > actual.of:
            report(path + ("count",), f"{actual.count} (more than of: {actual.of})", "a count not above of（count が of を超えています）")
        if measure.kind == MeasureKind.coverage and value > actual.of:
            report(path + ("value",), f"{value} (more than of: {actual.of})", "a value not above of（value が of を超えています）")


def _check_report_date(year: int, actuals: Actuals, doc: Document, problems: list[Problem]) -> None:
    """The report date falls after the fiscal year, and not more than
    :data:`~kplan_report.model.MAX_REPORT_DELAY_YEARS` years after it.

    The fiscal year ``year`` runs from April to 31 March of the next year; a
    report of its actuals cannot be dated before it ends.  A date years later
    is a typo (2202 for 2022) that the cover would print as such.
    """
    date = actuals.report_date
    first = datetime.date(year + 1, 4, 1)
    last = datetime.date(year + 1 + model.MAX_REPORT_DELAY_YEARS, 3, 31)
    if date < first:
        problems.append(doc.problem(
            ("report_date",),
            f"{date.isoformat()} (a date), not after FY{year}, which ends on {year + 1}-03-31",
            f"a date after the fiscal year, from {first.isoformat()}（報告日は{year}年度の終了（{year + 1}-03-31）より後の日付にしてください）",
        ))
    elif date > last:
        problems.append(doc.problem(
            ("report_date",),
            f"{date.isoformat()} (a date), more than {model.MAX_REPORT_DELAY_YEARS} years after FY{year}",
            f"a date from {first.isoformat()} to {last.isoformat()}"
            f"（報告日は年度終了後{model.MAX_REPORT_DELAY_YEARS}年以内の日付にしてください）",
        ))


def _check_complete(actuals: Actuals, doc: Document, plan: Plan, registry: ProjectRegistry, problems: list[Problem]) -> None:
    """A final report (``status: final``) has every value, project and 推進項目 row: each one missing is an error.

    While figures are still coming in the file says ``status: draft`` (the
    report then says （案）), and the same gaps are warnings (:func:`missing_actuals`).
    """
    for path, found, expected in _missing(plan, registry, actuals):
        problems.append(doc.problem(
            path,
            f"{found} in a final report (status: final)",
            f"{expected}, since a final report is complete (or status: draft while it is not)"
            f"（確定版（final）には全項目の入力が必要です。未入力の間は status: draft にしてください）",
        ))


def _missing(plan: Plan, registry: ProjectRegistry, actuals: Actuals):
    """``(path, found, expected)`` of every measure, 推進項目 row and project the year's actuals lack."""
    for node, _, _ in _plan_paths(plan):
        if isinstance(node, model.Indicator):
            entered = actuals.indicators.get(node.id)
            for measure in node.measures:
                actual = entered.measures.get(measure.id) if entered else None
                if actual is None or (actual.value is None and actual.not_measured is None and not actual.not_surveyed):
                    yield (("indicators", node.id, "measures", measure.id), f"no value of {node.name}",
                           "a value or a not_measured reason")
    labels = plan.actor_labels()
    for node, _, _ in _plan_paths(plan):
        if isinstance(node, model.PromotionItem):
            entered_rows = actuals.promotion_items.get(node.id, {})
            for row in node.rows:
                if not entered_rows.get(row.actor):
                    yield (("promotion_items", node.id, row.actor), f"no summary of {node.title}・{labels[row.actor]}",
                           "the year's summary of this 主体 row")
    for project in registry.projects:
        if project.id not in actuals.projects:
            yield (("projects", project.id), f"no results and grade of {project.name}",
                   "results, grade and next_steps")


# ---------------------------------------------------------------- warnings


def missing_actuals(source: Source, year: int) -> list[str]:
    """What the year's actuals still lack, one human-readable line each.

    Each line reads ``FILE: FIELD: missing WHAT（…）``.  These are warnings:
    a draft report can be built without them.
    """
    actuals = source.actuals.get(year)
    display = _actuals_display(source, year)
    if actuals is None:
        return [f"{display}: no actuals for FY{year}（{year}年度の実績がありません）"]
    warnings = []
    for node, _, _ in _plan_paths(source.plan):
        if isinstance(node, model.Indicator):
            entered = actuals.indicators.get(node.id)
            for measure in node.measures:
                actual = entered.measures.get(measure.id) if entered else None
                if actual is None or (actual.value is None and actual.not_measured is None and not actual.not_surveyed):
                    warnings.append(
                        f"{display}: indicators.{node.id}.measures.{measure.id}: "
                        f"missing value or not_measured（実績値が未入力です：{node.name}）"
                    )
    labels = source.plan.actor_labels()
    for node, _, _ in _plan_paths(source.plan):
        if isinstance(node, model.PromotionItem):
            entered_rows = actuals.promotion_items.get(node.id, {})
            for row in node.rows:
                if not entered_rows.get(row.actor):
                    warnings.append(
                        f"{display}: promotion_items.{node.id}.{row.actor}: "
                        f"missing summary（取組状況が未入力です：{node.title}・{labels[row.actor]}）"
                    )
    for project in source.projects.projects:
        if project.id not in actuals.projects:
            warnings.append(f"{display}: projects.{project.id}: missing results and grade（実績・評価が未入力です：{project.name}）")
    return warnings


def _actuals_display(source: Source, year: int) -> str:
    for file in source.files:
        if file.path.parent.name == ACTUALS_DIR and file.path.name == f"{year}.yaml":
            return display_path(file.path)
    return f"{ACTUALS_DIR}/{year}.yaml"
