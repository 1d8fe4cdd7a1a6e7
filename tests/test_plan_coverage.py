"""The canonical plan data (source/plan.yaml, source/projects.yaml) covers the plan text.

The plan text is the PDF text dump in ../shared/plan beside the repository.
This test parses it on its own (it does not read the YAML to do so), undoing
the dump's artefacts, and checks that every 具体的取組 bullet, every project of
≪主な取組・事業≫, every indicator of ＜主な指標＞, every 推進項目 title and the
narrative of each 基本目標 are found in the data, in plan order.

Text is compared exactly, after only the removal of all whitespace (so the
dump's wrapped lines and stray spaces do not matter) and the agreed change of
the half-width ･ to ・ — no NFKC: full-width and half-width letters, digits,
parentheses and ％ must be as printed (ＮＰＯ, ９割, 54.9%, (※), （LSA）);
a bullet's trailing tag (【市・市社協】) is compared with the action's actors
rendered back to a tag.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from kplan_report.model import Plan, ProjectRegistry

REPO = Path(__file__).resolve().parents[1]
DUMP = Path(__file__).resolve().parents[2] / "shared" / "plan" / "000_96e336d7c46e6d71.txt"

CIRCLED = "①②③④⑤⑥⑦⑧⑨"
ROW_LABELS = {"市民", "地域・", "事業者", "市・", "市社協"}
# a 主体 cell is printed on two lines: 地域・ / 事業者, 市・ / 市社協
ROW_STARTS = {"市民": "市民", "地域・": "地域・事業者", "市・": "市・市社協"}
TABLE_HEADER = {"【推進項目及び具体的取組】", "推進", "項目", "主体 具体的取組"}
PAGE_HEADING = re.compile(r"^基本目標[ⅠⅡⅢ]")
TAG_AT_END = re.compile(r"^(.*?)【([^【】]*)】$")


def norm(text: str) -> str:
    """No whitespace at all and ･ → ・: the form in which dump and data are compared.

    Deliberately not NFKC: that would hide a full-width / half-width mix-up
    (Ｈ30 vs H30, ２倍 vs 2倍, （ vs (, ％ vs %, 〜 vs ～) between plan and data.
    """
    return re.sub(r"\s+", "", text).replace("･", "・")


# ---------------------------------------------------------------- the dump


@dataclass
class DumpObjective:
    goal: int
    number: int
    item_titles: list[str] = field(default_factory=list)
    bullets_by_item: list[list[tuple[str, str, str | None]]] = field(default_factory=list)  # (主体, text, tag)
    projects_by_item: list[list[tuple[str, str]]] = field(default_factory=list)
    indicator_lines: list[str] = field(default_factory=list)


@dataclass
class DumpGoal:
    issues: list[str] = field(default_factory=list)
    policy: list[str] = field(default_factory=list)
    objectives: list[DumpObjective] = field(default_factory=list)


def read_dump_lines() -> list[str]:
    if not DUMP.is_file():
        pytest.fail(
            f"plan text not found: {DUMP}\n"
            "The coverage test needs the PDF text dump of the plan in ../shared/plan beside the repository."
        )
    # the dump has a blank line after every line: keep the non-blank ones
    return [line.strip() for line in DUMP.read_text(encoding="utf-8").splitlines() if line.strip()]


def split_tag(text: str) -> tuple[str, str | None]:
    m = TAG_AT_END.match(text)
    return (m.group(1), m.group(2)) if m else (text, None)


def parse_dump() -> list[DumpGoal]:
    """Walk the dump line by line; the state says which part of the plan we are in."""
    goals: list[DumpGoal] = []
    obj: DumpObjective | None = None
    state = None  # issues | policy | title | table | projects | note | indicators
    current_item: str | None = None  # circled number of the 推進項目 being read
    current_row: str | None = None  # 主体 of the row being read
    buf: list[str] | None = None  # lines of the bullet / project being read

    def flush():
        nonlocal buf
        if buf is None:
            return
        text = "".join(buf)
        if state_of_buf == "bullet":
            text, tag = split_tag(text)
            obj.bullets_by_item[-1].append((current_row, text.removeprefix("・"), tag))
        else:
            name, owner = split_tag(text)
            obj.projects_by_item[-1].append((name[1:], owner))
        buf = None

    state_of_buf = None
    for line in read_dump_lines():
        if PAGE_HEADING.match(line):  # page heading printed in mid-flow
            continue
        if line == "（現状・課題）":
            flush()
            goals.append(DumpGoal())
            state = "issues"
            continue
        if line == "（施策の方向性）":
            state = "policy"
            continue
        m = re.match(r"^具体的目標(\S)", line)
        if m:
            flush()
            obj = DumpObjective(goal=len(goals), number=int(unicodedata.normalize("NFKC", m.group(1))))
            goals[-1].objectives.append(obj)
            state, current_item = "table", None
            continue
        if line == "≪主な取組・事業≫":
            flush()
            state = "projects"
            continue
        if line == "＜参考＞":
            flush()
            state = "note" if state != "indicators" else "indicators"
            continue
        if line == "＜主な指標＞":
            flush()
            state = "indicators"
            continue
        if state == "issues":
            goals[-1].issues.append(line)
            continue
        if state == "policy":
            goals[-1].policy.append(line)
            continue
        if state == "indicators":
            obj.indicator_lines.append(line)
            continue
        if state == "note":
            continue
        if line in TABLE_HEADER:
            continue
        if line in CIRCLED[: len(CIRCLED)] and len(line) == 1:
            flush()
            if line != current_item:  # a new 推進項目 (a page break repeats the current one)
                current_item = line
                obj.item_titles.append("")
                obj.bullets_by_item.append([])
                obj.projects_by_item.append([])
                state = "title"
            else:
                state = "title-repeat"
            continue
        if state in ("title", "title-repeat"):
            # the title is printed one character per line; it may share its last
            # line with the first 主体 label (整備 市・)
            m = re.match(r"^(\S{1,2}) (市民|地域・|市・)(.*)$", line)
            if m:
                if state == "title":
                    obj.item_titles[-1] += m.group(1)
                line = (m.group(2) + " " + m.group(3)).strip()
            if not (line.split(" ")[0] in ROW_LABELS):
                if state == "title":
                    obj.item_titles[-1] += line
                continue
            state = "table"
        if state == "table":
            if line.startswith("市民 ・"):
                flush()
                current_row, line = "市民", line[3:]
            if line in ROW_LABELS:
                flush()
                current_row = ROW_STARTS.get(line, current_row)
                continue
            if line.startswith("・"):
                flush()
                buf, state_of_buf = [line], "bullet"
            else:
                buf.append(line)
            continue
        if state == "projects":
            if line[0] in "○〇":
                flush()
                buf, state_of_buf = [line], "project"
            else:
                buf.append(line)
            continue
        raise AssertionError(f"unexpected line in state {state}: {line!r}")
    flush()
    return goals


@dataclass
class DumpIndicator:
    number: int
    name: str
    owner: str
    cells: str  # 現状, 目標 and 目標設定の考え方, flattened in that order


def parse_indicators(lines: list[str]) -> list[DumpIndicator]:
    """The ＜主な指標＞ table, flattened cell by cell: №, 指標項目【owner】, 現状, 目標, 考え方."""
    try:
        start = lines.index("目標設定の考え方") + 1
    except ValueError:
        raise AssertionError("indicator table header not found") from None
    result: list[DumpIndicator] = []
    name_lines: list[str] | None = None
    for line in lines[start:]:
        # the № is printed full- or half-width (１, 4); the rest of the line stays as printed
        m = re.match(r"^([0-9０-９]+)(?:\s+(.*))?$", line)
        expected = len(result) + 1
        if m and int(unicodedata.normalize("NFKC", m.group(1))) == expected and (m.group(2) is None or "【" in m.group(2)):
            result.append(DumpIndicator(expected, "", "", ""))
            name_lines = [m.group(2) or ""]
            if "】" not in name_lines[-1]:
                continue
            line = ""
        elif name_lines is not None:
            name_lines.append(line)
            if "】" not in line:
                continue
            line = ""
        if name_lines is not None:
            joined = "".join(name_lines)
            head, _, rest = joined.partition("】")
            name, _, owner = head.partition("【")
            result[-1].name, result[-1].owner, result[-1].cells = name, owner, rest
            name_lines = None
            continue
        result[-1].cells += line
    return result


# ---------------------------------------------------------------- the data


@pytest.fixture(scope="module")
def plan() -> Plan:
    with open(REPO / "source" / "plan.yaml", encoding="utf-8") as f:
        return Plan.model_validate(yaml.safe_load(f))


@pytest.fixture(scope="module")
def registry() -> ProjectRegistry:
    with open(REPO / "source" / "projects.yaml", encoding="utf-8") as f:
        return ProjectRegistry.model_validate(yaml.safe_load(f))


@pytest.fixture(scope="module")
def dump() -> list[DumpGoal]:
    return parse_dump()


def objectives(plan: Plan):
    for goal in plan.goals:
        yield from goal.objectives


def items(plan: Plan):
    for objective in objectives(plan):
        yield from objective.promotion_items


def tag_of(action, labels: dict[str, str]) -> str | None:
    """The tag as printed, from the plan's declared tag actors."""
    if not action.actors:
        return None
    return "・".join(labels[a] for a in action.actors) + ("等" if action.actors_etc else "")


def strip_markers(text: str) -> str:
    return re.sub(r"※\d*", "", text)


# ---------------------------------------------------------------- coverage


def test_dump_structure(dump):
    assert len(dump) == 3
    assert [len(g.objectives) for g in dump] == [3, 3, 3]
    assert sum(len(o.item_titles) for g in dump for o in g.objectives) == 30


def test_counts(plan, registry):
    assert len(plan.goals) == 3
    assert len(list(objectives(plan))) == 9
    assert len(list(items(plan))) == 30
    assert sum(len(o.indicators) for o in objectives(plan)) == 28


def test_item_titles(plan, dump):
    for goal, dgoal in zip(plan.goals, dump):
        for objective, dobj in zip(goal.objectives, dgoal.objectives):
            assert [norm(i.title) for i in objective.promotion_items] == [norm(t) for t in dobj.item_titles], objective.id


def test_goal_and_objective_titles(plan):
    """基本目標 and 具体的目標 numbers and titles as printed (goal titles from the page headings)."""
    goal_titles: dict[str, set[str]] = {}
    objective_titles: list[tuple[str, str]] = []
    for line in read_dump_lines():
        m = re.match(r"^基本目標([ⅠⅡⅢ])\s*(.+)$", line)
        if m:
            goal_titles.setdefault(m.group(1), set()).add(norm(m.group(2)))
        m = re.match(r"^具体的目標(\S)\s*(.+)$", line)
        if m:
            objective_titles.append((m.group(1), norm(m.group(2))))
    assert {g.number: {norm(g.title)} for g in plan.goals} == goal_titles
    fullwidth = "０１２３４５６７８９"
    assert [(fullwidth[o.number], norm(o.title)) for o in objectives(plan)] == objective_titles

def test_every_bullet_is_an_action(plan, dump):
    rows, tags = plan.actor_labels(), plan.tag_actor_labels()
    for goal, dgoal in zip(plan.goals, dump):
        for objective, dobj in zip(goal.objectives, dgoal.objectives):
            assert len(objective.promotion_items) == len(dobj.bullets_by_item), objective.id
            for item, bullets in zip(objective.promotion_items, dobj.bullets_by_item):
                data = [(rows[row.actor], norm(a.text), tag_of(a, tags)) for row in item.rows for a in row.actions]
                printed = [(row, norm(text), norm(tag) if tag else None) for row, text, tag in bullets]
                missing = [b for b in printed if b not in data]
                extra = [d for d in data if d not in printed]
                assert not missing and not extra, f"{item.id}: missing {missing}, not in plan {extra}"
                assert data == printed, f"{item.id}: actions are not in plan order"


def test_every_printed_project_is_placed(plan, registry, dump):
    by_id = {p.id: p for p in registry.projects}
    for goal, dgoal in zip(plan.goals, dump):
        for objective, dobj in zip(goal.objectives, dgoal.objectives):
            for item, projects in zip(objective.promotion_items, dobj.projects_by_item):
                for pid in item.projects:
                    assert pid in by_id, f"{item.id}: unknown project {pid}"
                # one registry entry per distinct project: a footnote marker (※2) and
                # the owner's separator (・ or ，) printed at one placement do not split it
                data = [(norm(strip_markers(by_id[p].name)), norm(by_id[p].owner).replace("，", "・")) for p in item.projects]
                printed = [(norm(strip_markers(n)), norm(o).replace("，", "・")) for n, o in projects]
                assert data == printed, f"{item.id}: projects differ from the plan"


def test_project_names_as_printed(registry, dump):
    printed = {norm(n) for g in dump for o in g.objectives for ps in o.projects_by_item for n, _ in ps}
    for p in registry.projects:
        assert norm(p.name) in printed, f"{p.id} {p.name}: not printed so in the plan"


def test_every_indicator(plan, dump):
    for goal, dgoal in zip(plan.goals, dump):
        for objective, dobj in zip(goal.objectives, dgoal.objectives):
            printed = parse_indicators(dobj.indicator_lines)
            assert len(objective.indicators) == len(printed), objective.id
            for ind, p in zip(objective.indicators, printed):
                assert ind.number == p.number, ind.id
                assert norm(ind.name) == norm(p.name), ind.id
                assert norm(ind.owner) == norm(p.owner), ind.id
                cells = norm(ind.baseline_display + ind.target_display + ind.rationale)
                assert cells == norm(p.cells), f"{ind.id}: cells differ from the plan"


NUMBER_AND_UNIT = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)(\D+)$")


def check_quantity(where: str, measure, q, display: str, line: str) -> None:
    """One baseline / target against its printed cell: every figure of the data is printed there.

    ``line`` is the printed line of this measure (the cell's first line, or line k
    of a cell that holds several measures: 14地区 / 17回).
    """
    lines = display.split("\n")
    if q.all:
        assert line.startswith("全"), f"{where}: all, but the plan prints {line!r}"
    if q.breakdown:
        for b in q.breakdown:
            assert f"{b.label}：{b.value}" in lines, f"{where}: breakdown {b.label}：{b.value} not printed"
        if q.value is not None:
            assert q.value == sum(b.value for b in q.breakdown), f"{where}: value is not the sum of the breakdown"
        return
    assert not any("：" in x for x in lines), f"{where}: the plan prints a breakdown the data lacks"
    if line.startswith("全"):
        assert q.all, f"{where}: the plan prints {line!r}, the data has no all"
        assert q.value is None, f"{where}: a value beside {line!r}"
        return
    if line == "未実施":
        assert q.value == 0, f"{where}: 未実施 is the value 0"
        return
    m = NUMBER_AND_UNIT.match(line)
    assert m, f"{where}: no figure in {line!r}"
    assert q.value == Decimal(m.group(1).replace(",", "")), f"{where}: {q.value} but the plan prints {line!r}"
    # the unit is a label of the measure: ％ and % are the same unit
    assert unicodedata.normalize("NFKC", m.group(2)) == unicodedata.normalize("NFKC", measure.unit), (
        f"{where}: unit {measure.unit!r} but the plan prints {line!r}"
    )
    if q.count is not None or q.of is not None or q.of_unit is not None:
        assert f"（{q.count}/{q.of}{q.of_unit}）" in lines, f"{where}: count/of not printed so"
    else:
        assert not any(re.fullmatch(r"（\d+/\d+\D*）", x) for x in lines), f"{where}: the plan prints a ratio the data lacks"
    if q.as_of is not None:
        assert f"（{q.as_of}）" in lines, f"{where}: as_of not printed so"
    else:
        assert not any("時点" in x for x in lines), f"{where}: the plan prints an as-of remark the data lacks"


def test_measures_are_the_printed_figures(plan):
    """The machine-readable measures say what the printed cells say: no figure invented or lost."""
    for o in objectives(plan):
        for ind in o.indicators:
            several = len(ind.measures) > 1
            for k, measure in enumerate(ind.measures):
                where = f"{ind.id}.{measure.id}"
                for name, q, display in (("baseline", measure.baseline, ind.baseline_display),
                                         ("target", measure.target, ind.target_display)):
                    line = display.split("\n")[k if several else 0]
                    check_quantity(f"{where}.{name}", measure, q, display, line)
                percent = unicodedata.normalize("NFKC", measure.unit) == "%"
                assert (measure.kind.value == "percent") == percent, f"{where}: kind {measure.kind.value}, unit {measure.unit}"
                # coverage: institutions covered, the target is all of them (全校, 全園・全所・全校)
                assert (measure.kind.value == "coverage") == (measure.target.all and not percent), (
                    f"{where}: kind {measure.kind.value} with target all={measure.target.all}"
                )
                b, t = measure.baseline, measure.target
                same = (b.all and t.all) or (not b.all and not t.all and b.value == t.value)
                assert (measure.direction.value == "maintain") == same, f"{where}: direction {measure.direction.value}"


def test_goal_narratives(plan, dump):
    for goal, dgoal in zip(plan.goals, dump):
        assert norm("".join(goal.current_issues)) == norm("".join(dgoal.issues)), goal.id
        assert norm("".join(goal.policy_direction)) == norm("".join(dgoal.policy)), goal.id


def test_every_note(plan):
    """Every ＜参考＞ entry (term――― definition) of the plan is a Note of the data."""
    printed = norm("".join(read_dump_lines()))
    notes = [n for g in plan.goals for n in g.current_issues_notes]
    for o in objectives(plan):
        notes += o.indicator_notes
        for i in o.promotion_items:
            notes += i.notes
    separators = sum(1 for line in read_dump_lines() if re.search(r"―{2,}", line))
    assert len(notes) == separators
    for n in notes:
        entry = re.escape(norm(n.marker + n.term)) + "―{2,}" + re.escape(norm(n.definition + (n.extra or "")))
        assert re.search(entry, printed), f"note {n.marker}{n.term} not as printed"


# ---------------------------------------------------------------- hygiene


def all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from all_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_strings(v)


@pytest.fixture(scope="module")
def raw_strings():
    out = []
    for name in ("plan.yaml", "projects.yaml"):
        with open(REPO / "source" / name, encoding="utf-8") as f:
            out += list(all_strings(yaml.safe_load(f)))
    return out


def test_no_tag_inside_action_text(plan):
    for item in items(plan):
        for row in item.rows:
            for a in row.actions:
                assert "【" not in a.text and "】" not in a.text, a.id
                assert not a.text.startswith("・"), a.id


def test_no_page_heading_in_text(raw_strings):
    for s in raw_strings:
        assert not re.search(r"基本目標\s*[ⅠⅡⅢ]", s), s


def test_no_wrap_artefacts(raw_strings):
    for s in raw_strings:
        # the dump's stray spaces sit next to Japanese text; the plan's own spaces
        # only separate words of half-width text (Corporate Social Responsibility)
        assert not re.search(r"[^\x00-\x7f] | [^\x00-\x7f]", s), f"stray space: {s!r}"
        assert "･" not in s, f"half-width ･: {s!r}"
        assert s == s.strip(), f"surrounding whitespace: {s!r}"


def test_no_line_breaks_in_one_line_fields(plan, registry):
    fields = [g.title for g in plan.goals] + [p.name for p in registry.projects]
    for o in objectives(plan):
        fields += [o.title] + [i.name for i in o.indicators]
    for i in items(plan):
        fields += [i.title] + [a.text for r in i.rows for a in r.actions]
    for f in fields:
        assert "\n" not in f, f


def test_item_titles_unique_within_objective(plan):
    for o in objectives(plan):
        titles = [i.title for i in o.promotion_items]
        assert len(titles) == len(set(titles)), o.id


def test_declared_actors_are_the_printed_rows(plan):
    """The 主体 rows plan.yaml declares are the three the plan prints, in its order."""
    assert [a.label for a in plan.actors] == list(ROW_STARTS.values())


def test_ids(plan, registry):
    for g_no, goal in enumerate(plan.goals, 1):
        assert goal.id == f"G{g_no}"
        for o_no, o in enumerate(goal.objectives, 1):
            assert o.id == f"{goal.id}.{o_no}" and o.number == o_no
            for i_no, item in enumerate(o.promotion_items, 1):
                assert item.id == f"{o.id}.{i_no}" and item.number == CIRCLED[i_no - 1]
                actions = [a for r in item.rows for a in r.actions]
                assert [a.id for a in actions] == [f"{item.id}.a{n:02d}" for n in range(1, len(actions) + 1)]
                actors = [r.actor for r in item.rows]
                order = [a.id for a in plan.actors]
                assert actors == sorted(actors, key=order.index) and len(set(actors)) == len(actors), item.id
            for ind in o.indicators:
                assert ind.id == f"{o.id}.i{ind.number}"
    # projects: p001 … in order of first appearance, each placed at least once
    first_seen = list(dict.fromkeys(p for i in items(plan) for p in i.projects))
    assert [p.id for p in registry.projects] == first_seen
    assert first_seen == [f"p{n:03d}" for n in range(1, len(first_seen) + 1)]
    keys = [(p.name, p.owner) for p in registry.projects]
    assert len(keys) == len(set(keys)), "a project is registered twice"


def test_department_choices_the_plan_does_not_print_are_marked():
    """Where the plan prints only 【市】 (no 課), the chosen department says so in a comment."""
    inferred = {}
    for name in ("projects.yaml", "plan.yaml"):
        lines = (REPO / "source" / name).read_text(encoding="utf-8").splitlines()
        marked = 0
        for owner_line, departments_line in zip(lines, lines[1:]):
            owner = owner_line.strip()
            if not owner.startswith("owner: "):
                continue
            assert departments_line.strip().startswith("departments: ["), owner_line
            printed = owner.removeprefix("owner: ")
            city_without_department = "/" not in printed and printed.removesuffix("等").split("・")[0] == "市"
            assert ("# 担当課: inferred" in departments_line) == city_without_department, departments_line
            marked += city_without_department
        inferred[name] = marked
    # 12 projects 【市・市社協】 and one 【市・市社協等】; 11 indicators 【市】 and 5 【市・市社協】
    assert inferred == {"projects.yaml": 13, "plan.yaml": 16}


def test_every_project_and_indicator_has_departments(plan, registry):
    with open(REPO / "source" / "departments.yaml", encoding="utf-8") as f:
        departments = {d["id"] for d in yaml.safe_load(f)["departments"]}
    indicators = [i for o in objectives(plan) for i in o.indicators]
    assert (len(registry.projects), len(indicators)) == (131, 28)
    for owned in [*registry.projects, *indicators]:
        assert owned.departments and set(owned.departments) <= departments, owned.id
