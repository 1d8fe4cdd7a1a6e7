"""Checks of departments.yaml, and of each project's and indicator's departments against its printed owner.

The plan prints an owner after every project and indicator, in one of a few
forms: ``市社協`` (an organisation), ``市・市社協`` (two), ``市/社会福祉課``
or ``市/学校教育課・子ども家庭課`` (an organisation and its departments).
The data keeps that text exactly, for printing, and adds ``departments``:
the IDs of the 担当課 that run the project, for everything that is sent to
or collected from one department (the intake sends one workbook each).

So the IDs must say what the owner prints:

* every printed organisation (by its ``short`` name in departments.yaml)
  has at least one of the departments, and no department belongs to an
  organisation the owner does not print;
* when the owner prints department names, the departments of that
  organisation are exactly those names;
* when it prints only the organisation (【市】), any of its departments may
  be given: the data then says in a comment which one was chosen and why.

Owner text is read by matching the registry's names in it, longest first,
so a department name may itself contain ・.  Separators between names are
・ ･ ， , 、 and spaces; 等 after the organisations (市・市社協等) is ignored.
"""

from __future__ import annotations

import re

from ..intake.yamlio import Document
from ..model import Department, DepartmentRegistry, Organisation, Plan, ProjectRegistry
from .messages import Problem

_SEPARATORS = re.compile(r"[・･，,、\s]+")


def check_registry(registry: DepartmentRegistry, doc: Document, problems: list[Problem]) -> None:
    """IDs unique, each department in a listed organisation, names unique, exactly one coordinator."""
    for name, items in (("organisations", registry.organisations), ("departments", registry.departments)):
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.id in first:
                line = doc.line_of((name, first[item.id], "id"))
                problems.append(doc.problem((name, index, "id"), f"the ID '{item.id}' a second time (first on line {line})", "a unique ID（IDが重複しています）"))
            else:
                first[item.id] = index
    shorts: dict[str, int] = {}
    for index, organisation in enumerate(registry.organisations):
        if organisation.short in shorts:
            line = doc.line_of(("organisations", shorts[organisation.short], "short"))
            problems.append(
                doc.problem(
                    ("organisations", index, "short"),
                    f"the short name '{organisation.short}' a second time (first on line {line})",
                    "a short name of its own for each organisation, as owners print it（略称が重複しています）",
                )
            )
        else:
            shorts[organisation.short] = index
    organisations = [o.id for o in registry.organisations]
    names: dict[tuple[str, str], int] = {}
    for index, department in enumerate(registry.departments):
        if department.organisation not in organisations:
            problems.append(
                doc.problem(
                    ("departments", index, "organisation"),
                    f"the organisation '{department.organisation}', which organisations does not list",
                    f"one of {', '.join(organisations)}（organisations にない団体IDです）",
                )
            )
        key = (department.organisation, department.name)
        if key in names:
            line = doc.line_of(("departments", names[key], "name"))
            problems.append(
                doc.problem(
                    ("departments", index, "name"),
                    f"the name '{department.name}' a second time in one organisation (first on line {line})",
                    "a name of its own for each department（同じ団体に同じ名前の担当課が2つあります）",
                )
            )
        else:
            names[key] = index
    coordinators = [index for index, d in enumerate(registry.departments) if d.coordinator]
    if not coordinators:
        problems.append(
            doc.problem(
                ("departments",),
                "no department with coordinator: true",
                "exactly one coordinator, the division that runs the plan（取りまとめの担当課を1つ coordinator: true にしてください）",
            )
        )
    for index in coordinators[1:]:
        line = doc.line_of(("departments", coordinators[0], "coordinator"))
        problems.append(
            doc.problem(
                ("departments", index, "coordinator"),
                f"a second coordinator (the first on line {line})",
                "exactly one coordinator（取りまとめの担当課は1つだけです）",
            )
        )


def check_owners(
    plan: Plan, plan_doc: Document, projects: ProjectRegistry, projects_doc: Document,
    registry: DepartmentRegistry, problems: list[Problem],
) -> None:
    """Every project and indicator names departments, and they match its printed owner."""
    checker = _OwnerCheck(registry, problems)
    for index, project in enumerate(projects.projects):
        checker.check(project.owner, project.departments, ("projects", index), projects_doc)
    for gi, goal in enumerate(plan.goals):
        for oi, objective in enumerate(goal.objectives):
            for ii, indicator in enumerate(objective.indicators):
                path = ("goals", gi, "objectives", oi, "indicators", ii)
                checker.check(indicator.owner, indicator.departments, path, plan_doc)


class _OwnerCheck:
    def __init__(self, registry: DepartmentRegistry, problems: list[Problem]) -> None:
        # What is declared twice counts as first declared (the second is reported by check_registry).
        self.problems = problems
        self.departments: dict[str, Department] = {}
        names: set[tuple[str, str]] = set()
        for department in registry.departments:
            if department.id not in self.departments and (department.organisation, department.name) not in names:
                self.departments[department.id] = department
                names.add((department.organisation, department.name))
        self.by_short: dict[str, Organisation] = {}
        self.organisations: dict[str, Organisation] = {}
        for organisation in registry.organisations:
            self.by_short.setdefault(organisation.short, organisation)
            self.organisations.setdefault(organisation.id, organisation)
        self.example = next((d.id for d in registry.departments if d.coordinator), registry.departments[0].id)

    def check(self, owner: str, ids: list[str], path: tuple, doc: Document) -> None:
        report = lambda where, found, expected: self.problems.append(doc.problem(path + where, found, expected))  # noqa: E731
        if not ids:
            report(
                ("departments",),
                "no departments",
                f"the IDs of departments.yaml that run it, e.g. departments: [{self.example}]（担当課を departments.yaml のIDで入力してください）",
            )
            return
        given: list[tuple[int, Department]] = []
        for index, department_id in enumerate(ids):
            if department_id not in self.departments:
                report(
                    ("departments", index),
                    f"the department '{department_id}', which departments.yaml does not list",
                    "a department ID of departments.yaml（departments.yaml にない担当課IDです）",
                )
            elif department_id in ids[:index]:
                report(("departments", index), f"the department '{department_id}' twice", "each department once（同じ担当課が2回あります）")
            else:
                given.append((index, self.departments[department_id]))

        parsed = self._parse(owner, report)
        if parsed is None:
            return
        printed_organisations, printed_departments = parsed
        printed_ids = {o.id for o in printed_organisations}
        named_organisations = {d.organisation for d in printed_departments}
        shorts = "・".join(o.short for o in printed_organisations)
        for index, department in given:
            organisation = self.organisations.get(department.organisation)
            if department.organisation not in printed_ids:
                of = organisation.short if organisation else department.organisation
                report(
                    ("departments", index),
                    f"the department '{department.id}' of {of}, while the owner '{owner}' names {shorts}",
                    f"departments of {shorts} only（表示されている担当（{owner}）と団体が合っていません）",
                )
            elif department.organisation in named_organisations and department not in printed_departments:
                names = "・".join(d.name for d in printed_departments if d.organisation == department.organisation)
                report(
                    ("departments", index),
                    f"the department '{department.id}' ({department.name}), which the owner '{owner}' does not print",
                    f"the departments the owner prints: {names}（表示されている担当課と合っていません）",
                )
        given_departments = [d for _, d in given]
        for organisation in printed_organisations:
            if not any(d.organisation == organisation.id for d in given_departments):
                report(
                    ("departments",),
                    f"no department of {organisation.short}, which the owner '{owner}' prints",
                    f"at least one department of {organisation.name}（{organisation.short}の担当課がありません）",
                )
        for department in printed_departments:
            if department not in given_departments:
                report(
                    ("departments",),
                    f"no '{department.id}', although the owner '{owner}' prints {department.name}",
                    f"every department the owner prints, here also {department.id}（表示されている担当課 {department.name} がありません）",
                )

    def _parse(self, owner: str, report) -> tuple[list[Organisation], list[Department]] | None:
        """The organisations and departments an owner prints; ``None`` (reported) when it names unknown ones."""
        head, _, tail = owner.replace("／", "/").partition("/")
        head = head.strip().removesuffix("等")
        organisations = []
        for short in _SEPARATORS.split(head):
            if not short:
                continue
            organisation = self.by_short.get(short)
            if organisation is None:
                report(
                    ("owner",),
                    f"the owner '{owner}', whose organisation '{short}' departments.yaml does not list",
                    f"an owner made of the organisations' short names {', '.join(self.by_short)}"
                    "（担当の団体名が departments.yaml の short と合っていません）",
                )
                return None
            organisations.append(organisation)
        ids = {o.id for o in organisations}
        candidates = sorted(
            (d for d in self.departments.values() if d.organisation in ids), key=lambda d: len(d.name), reverse=True
        )
        printed: list[tuple[int, Department]] = []
        rest = tail
        for department in candidates:
            at = rest.find(department.name)
            if at >= 0:
                printed.append((at, department))
                rest = rest[:at] + " " * len(department.name) + rest[at + len(department.name):]
        unknown = [name for name in _SEPARATORS.split(rest) if name]
        for name in unknown:
            report(
                ("owner",),
                f"the department '{name}' in the owner '{owner}', which departments.yaml does not list",
                "a department name as departments.yaml writes it（担当課名が departments.yaml にありません）",
            )
        if unknown:
            return None
        return organisations, [d for _, d in sorted(printed, key=lambda pair: pair[0])]
