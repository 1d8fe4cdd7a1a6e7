"""Make a synthetic plan N times the size of the real one, for the scaling benchmark.

Each of the plan's 9 具体的目標 is copied N times (with new IDs), spread over
9 基本目標, together with its projects, indicators and the FY actuals that
refer to them.  The text is the real plan's, so layout cost per page is
realistic; only the amount grows.

    python bench/scale_plan.py --factor 5 --out /tmp/kplan-x5
"""

from __future__ import annotations

import argparse
import copy
import shutil
from pathlib import Path

import yaml

ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨ"


class _Dumper(yaml.SafeDumper):
    """Writes every value out: the copies share objects, and the loader refuses YAML anchors."""

    def ignore_aliases(self, data) -> bool:
        return True


def scale(source: Path, out: Path, factor: int, years: list[int]) -> None:
    plan = yaml.safe_load((source / "plan.yaml").read_text(encoding="utf-8"))
    registry = yaml.safe_load((source / "projects.yaml").read_text(encoding="utf-8"))
    actuals = {
        y: yaml.safe_load((source / "actuals" / f"{y}.yaml").read_text(encoding="utf-8")) for y in years
    }
    objectives = [(g, o) for g in plan["goals"] for o in g["objectives"]]
    copies = [(i, g, o) for i in range(factor) for g, o in objectives]
    per_goal = -(-len(copies) // 9)
    if per_goal > 9:
        raise SystemExit("factor too large for the ID scheme (at most 9 goals of 9 objectives)")

    projects_by_id = {p["id"]: p for p in registry["projects"]}
    new_projects: list[dict] = []
    new_actuals = {y: {**a, "indicators": {}, "projects": {}, "promotion_items": {},
                       "opinions": {}} for y, a in actuals.items()}
    goals = []
    for gi in range(9):
        chunk = copies[gi * per_goal:(gi + 1) * per_goal]
        if not chunk:
            break
        template_goal = chunk[0][1]
        goal = {k: v for k, v in template_goal.items() if k != "objectives"}
        goal_id = f"G{gi + 1}"
        goal.update(id=goal_id, number=ROMAN[gi], title=f"{template_goal['title']}（{gi + 1}）", objectives=[])
        for oi, (copy_no, _g, objective) in enumerate(chunk, start=1):
            obj = copy.deepcopy(objective)
            old_obj_id, obj_id = obj["id"], f"{goal_id}.{oi}"
            obj["id"], obj["number"] = obj_id, oi
            project_map: dict[str, str] = {}
            for item in obj["promotion_items"]:
                old_item_id = item["id"]
                item["id"] = obj_id + old_item_id[len(old_obj_id):]
                for row in item["rows"]:
                    for action in row["actions"]:
                        action["id"] = item["id"] + action["id"][len(old_item_id):]
                new_refs = []
                for pid in item.get("projects", []):
                    if pid not in project_map:
                        project_map[pid] = f"p{len(new_projects) + 1:03d}"
                        new_projects.append({**projects_by_id[pid], "id": project_map[pid]})
                    new_refs.append(project_map[pid])
                item["projects"] = new_refs
                for y, a in actuals.items():
                    if old_item_id in (a.get("promotion_items") or {}):
                        new_actuals[y]["promotion_items"][item["id"]] = a["promotion_items"][old_item_id]
            for indicator in obj.get("indicators", []):
                old_ind_id = indicator["id"]
                indicator["id"] = obj_id + old_ind_id[len(old_obj_id):]
                for y, a in actuals.items():
                    if old_ind_id in (a.get("indicators") or {}):
                        new_actuals[y]["indicators"][indicator["id"]] = a["indicators"][old_ind_id]
            for y, a in actuals.items():
                for old, new in project_map.items():
                    if old in (a.get("projects") or {}):
                        new_actuals[y]["projects"][new] = a["projects"][old]
            goal["objectives"].append(obj)
        goals.append(goal)
    if len(new_projects) > 999:
        raise SystemExit("factor too large for the project ID scheme")

    plan["goals"] = goals
    out.mkdir(parents=True, exist_ok=True)
    (out / "actuals").mkdir(exist_ok=True)
    dump = lambda data: yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)  # noqa: E731
    (out / "plan.yaml").write_text(dump(plan), encoding="utf-8")
    (out / "projects.yaml").write_text(dump({"projects": new_projects}), encoding="utf-8")
    shutil.copy(source / "evaluation.yaml", out / "evaluation.yaml")
    for y, a in new_actuals.items():
        (out / "actuals" / f"{y}.yaml").write_text(dump(a), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("source"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--factor", type=int, default=5)
    parser.add_argument("--years", type=int, nargs="+", default=[2019, 2020, 2021])
    args = parser.parse_args()
    scale(args.source, args.out, args.factor, args.years)


if __name__ == "__main__":
    main()
