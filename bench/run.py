"""Benchmark: our PDF + Word build against LibreOffice converting our Word file.

Run with ``make bench`` (or ``python bench/run.py --runs 5``).  After one
warm-up of each job it runs N rounds, interleaving the jobs inside each
round so that drifting machine load hits all of them alike, and prints the
median, minimum and maximum wall time and the peak RSS of each job, then
the ratio of our whole build to LibreOffice's conversion.

Each job runs as a child process.  Two memory figures: ``ru_maxrss`` from
``os.wait4`` is the peak of the *largest single process* (the child or one
of the processes it waited for, such as the worker processes of a parallel
build) — the kernel does not add up processes that ran at the same time — so
the peak of the *whole process tree*, all processes together, is also
sampled from /proc every 50 ms, twice: RSS summed (each process's shared
pages — libraries, fonts, what a forked worker shares with its parent —
counted once per process, so more than the machine gives the build) and
PSS summed (the proportional set size: each shared page divided among the
processes sharing it, so the sum is the memory the build takes).  CPU time
(user + system, the job and its children) is printed too: unlike wall time
it hardly depends on what else the machine is running.

The whole build is ``kplan-report build`` (both formats): cold (its part
cache, build/.cache/pdf/, emptied before each run), after one project text
or one indicator value of a copy of source/ was edited (a value never used
before, so exactly one change to redo), and forced with nothing changed;
and, as the floor of a cold build, with every split of every table known
(the cache's laid-out parts removed, what the layouts found about the
splits kept: each part is laid out once, nothing is looked for).
``make report`` with nothing changed, and the preview's time from saving a
file to serving the updated page, are timed separately.

With ``--scale N`` it also builds a synthetic plan N times the size of the
real one (``bench/scale_plan.py``) and reports the time ratio.

The output is Markdown (machine, date, tables), to paste into the README.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CLI = str(VENV_BIN / "kplan-report")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds, the job and the children it waited for
    rss: float  # MB, largest single process (ru_maxrss)
    tree_rss: float  # MB, all processes of the job together, RSS summed (sampled)
    tree_pss: float  # MB, all processes of the job together, PSS summed (sampled)


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (0 if it is gone): its
    private pages plus its share of each page it shares with others."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_memory(root: int) -> tuple[int, int]:
    """Resident memory in bytes of ``root`` and all its descendants, now:
    (RSS summed, PSS summed).

    One pass over /proc/*/stat (about 2 ms for 70 processes), then the
    smaps_rollup of the tree's few processes: sampling every 50 ms takes
    some 5 % of one core from the job measured."""
    children: dict[int, list[tuple[int, int]]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # after "pid (comm) "
        children.setdefault(int(fields[1]), []).append((int(name), int(fields[21])))  # ppid, rss pages
    total, pss, todo = _rss(root), _pss(root), [root]
    while todo:
        for pid, pages in children.get(todo.pop(), []):
            total += pages * PAGE_SIZE
            pss += _pss(pid)
            todo.append(pid)
    return total, pss


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def run(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> Sample:
    """Run ``cmd``; return its wall time, CPU time and peak memory. Raise on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.wait(0.05):
            rss, pss = _tree_memory(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    rss = usage.ru_maxrss / 1024
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss, max(peak / 2**20, rss), peak_pss / 2**20)


@dataclass
class Job:
    cmd: list[str]
    before: object = None  # called before each run (not timed): clear a cache, edit a file


class Edits:
    """Edits a copy of source/: each call changes one value to one never used
    before, so that the build after it has exactly one thing to redo."""

    def __init__(self, source: Path, year: int):
        self.path = source / "actuals" / f"{year}.yaml"
        self.original = self.path.read_text("utf-8")
        self.count = 0

    def _replace(self, old: str, new: str) -> None:
        text = self.path.read_text("utf-8")
        if old not in text:
            raise SystemExit(f"bench: {old!r} not found in {self.path}")
        self.path.write_text(text.replace(old, new, 1), "utf-8")

    def project_text(self) -> None:
        """A project's 実施内容・実績 (p002 of the FY2021 sample) gets a new ending."""
        self.count += 1
        text = self.path.read_text("utf-8")
        line = next(l for l in text.splitlines() if "延べ412人が参加した" in l)
        head = line.split("参加した")[0]
        self._replace(line, f"{head}参加した（第{self.count}版）。")

    def indicator_value(self) -> None:
        """An indicator's value (G1.1.i3, 認知症サポーター) is set to a new number."""
        self.count += 1
        text = self.path.read_text("utf-8")
        at = text.index("  G1.1.i3:")
        line_start = text.index("value: ", at)
        line_end = text.index("\n", line_start)
        self.path.write_text(text[:line_start] + f"value: {8700 + self.count}" + text[line_end:], "utf-8")


def keep_only_splits(cache: Path) -> None:
    """Remove from a part cache (kplan_report/writers/pdf/cache.py) all but what
    the layouts found about the tables' splits: the laid-out parts, the joined
    PDF and the merged fonts go, so the next build lays every part out and
    joins them again, but knows each table's splits before its first layout.

    An entry is a JSON header line and its data; the split findings are the
    entries without ``meta`` whose data is a JSON list.  A cache with entries
    but none of these is an error: the cache's format has changed, and the
    floor would silently be a cold build."""
    entries = kept = 0
    for path in cache.glob("*.part"):
        entries += 1
        head, _, data = path.read_bytes().partition(b"\n")
        if json.loads(head).get("meta") is not None or not data.startswith(b"["):
            path.unlink()
        else:
            kept += 1
    if entries and not kept:
        raise SystemExit(f"bench: no split findings among the {entries} entries of {cache}: "
                         "has the format of kplan_report/writers/pdf/cache.py changed?")


#: The floor of a cold build (see keep_only_splits).
FLOOR = "whole build, every split known (floor of a cold build)"


def build_command(year: int, source: Path, out: Path, *formats: str) -> list[str]:
    """``kplan-report build``; by default the issue's "whole build": the PDF and the
    Word draft (make report also writes the web site and the open data, timed apart
    by ``--format web``)."""
    formats = formats or ("--format", "pdf", "--format", "docx")
    return [CLI, "build", "--year", str(year), "--source", str(source), "--out", str(out), *formats]


def jobs(year: int, source: Path, out: Path, profile: Path, edits: Edits, edited: Path) -> dict[str, Job]:
    plan_id = yaml.safe_load((source / "plan.yaml").read_text(encoding="utf-8"))["plan"]["id"]
    docx = out / "docx" / str(year) / f"{plan_id}-{year}.docx"

    def build(src: Path, folder: Path, *extra: str) -> list[str]:
        return build_command(year, src, folder, *extra)

    return {
        "whole build, cold (empty cache)": Job(build(source, out / "cold"),
                                                lambda: shutil.rmtree(out / "cold" / ".cache", ignore_errors=True)),
        "whole build, one project text edited": Job(build(edited, out / "edit"), edits.project_text),
        "whole build, one indicator value edited": Job(build(edited, out / "edit"), edits.indicator_value),
        "whole build, nothing changed (forced)": Job(build(edited, out / "edit")),
        # the warm-up fills this cache; each run then starts from its split findings alone
        FLOOR: Job(build(source, out / "floor"), lambda: keep_only_splits(out / "floor" / ".cache" / "pdf")),
        "DOCX build": Job(build(source, out / "docx", "--format", "docx")),
        "LibreOffice DOCX→PDF": Job(["libreoffice", f"-env:UserInstallation=file://{profile}",
                                     "--headless", "--convert-to", "pdf", "--outdir", str(out / "lo"), str(docx)]),
    }


def before_job(rev: str, year: int, source: Path, out: Path, tmp: Path) -> Job:
    """The whole build as the code at ``rev`` ran it (every build laid the whole PDF out):
    a git worktree of ``rev`` run with this virtualenv's packages."""
    tree = tmp / "before"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), rev], cwd=ROOT, check=True)
    # the templates are installed as kplan_report.templates (pyproject's package-dir)
    (tree / "kplan_report" / "templates").symlink_to(tree / "report_templates")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import kplan_report; "
            "assert kplan_report.__file__.startswith(sys.argv[1]); from kplan_report.cli import main; "
            "sys.exit(main(sys.argv[2:]))")
    # its own source/: the data files' schema has moved on since
    return Job([sys.executable, "-c", code, str(tree), "build", "--year", str(year), "--source", str(tree / "source"),
                "--out", str(out), "--format", "pdf", "--format", "docx"])


def measure(commands: dict[str, Job], runs: int) -> dict[str, list[Sample]]:
    for job in commands.values():  # warm-up (and the DOCX the LibreOffice job converts)
        if job.before:
            job.before()
        run(job.cmd)
    results: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, job in commands.items():
            if job.before:
                job.before()
            results[name].append(run(job.cmd))
    return results


def preview_times(year: int, source: Path, edits: Edits, runs: int) -> list[float]:
    """Seconds from saving a file to the preview serving the updated page.

    Starts ``kplan-report preview`` on a free port, then ``runs`` times:
    asks the page's long poll to wait, saves an edit, and times until the
    poll answers and the new page (with the edit) has been fetched."""
    import urllib.request

    # its messages (the last: "terminated", when it is stopped below) are shown only if it fails
    errors = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([CLI, "preview", "--year", str(year), "--source", str(source), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        line = proc.stdout.readline()
        base = line.split(" on ")[1].split()[0].rstrip("/")

        def get(url: str) -> str:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.read().decode("utf-8")

        times = []
        for _ in range(runs + 1):  # the first is a warm-up
            version = get(base + "/").split("/wait?version=")[1].split('"')[0]
            answer: list[str] = []
            waiter = threading.Thread(target=lambda: answer.append(get(f"{base}/wait?version={version}")))
            waiter.start()
            time.sleep(0.3)
            start = time.perf_counter()
            edits.project_text()
            waiter.join(60)
            page = get(base + "/")
            elapsed = time.perf_counter() - start
            if answer != ["changed"] or f"（第{edits.count}版）" not in page:
                errors.seek(0)
                raise SystemExit("bench: the preview did not show the edit\n" + errors.read())
            times.append(elapsed)
        return times[1:]
    finally:
        proc.terminate()
        proc.wait()
        errors.close()


def make_report_noop(year: int, runs: int) -> list[float]:
    """`make report` with nothing changed: make must see the outputs are up to date.

    The first call brings build/<year>/ up to date (it builds if needed)."""
    subprocess.run(["make", "report", f"YEAR={year}"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(["make", "report", f"YEAR={year}"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        times.append(time.perf_counter() - start)
        if "kplan-report build" in out:
            raise SystemExit("make report rebuilt although nothing changed:\n" + out)
    return times


# The Word writer alone, timed inside a fresh process once its imports are done
# and source/ is loaded: model → DOCX bytes, charts included.
_DOCX_WRITER = """
import io, sys, time
from pathlib import Path
import yaml

from kplan_report.validate.load import load_source
from kplan_report.views.outline import build_report
from kplan_report.writers.docx.writer import write_docx
report = build_report(load_source(Path(sys.argv[1])), int(sys.argv[2]))
start = time.perf_counter()
write_docx(report, io.BytesIO())
print(time.perf_counter() - start)
"""


def docx_writer_times(year: int, source: Path, runs: int) -> list[float]:
    """Seconds of ``write_docx`` alone, each in a fresh process (so cold, as in a build)."""
    return [float(subprocess.run([sys.executable, "-c", _DOCX_WRITER, str(source), str(year)], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout)
            for _ in range(runs)]


def table(results: dict[str, list[Sample]]) -> str:
    lines = ["| job | median s | min s | max s | CPU s (median) | peak RSS MB, largest process "
             "| peak MB, all processes: RSS summed | PSS summed |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, samples in results.items():
        walls = [x.wall for x in samples]
        lines.append(f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f} | {max(walls):.2f} | "
                     f"{statistics.median(x.cpu for x in samples):.2f} | {max(x.rss for x in samples):.0f} | "
                     f"{max(x.tree_rss for x in samples):.0f} | {max(x.tree_pss for x in samples):.0f} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal:")))
        memory = f"{mem_kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration, ValueError):
        memory = "?"
    try:
        from importlib.metadata import version
        weasyprint = version("weasyprint")
    except Exception:  # noqa: BLE001
        weasyprint = "?"
    return (f"{datetime.date.today().isoformat()}; {os.cpu_count()} cores ({cpu}), {memory} memory; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"WeasyPrint {weasyprint}; load average at start {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="kplan-report benchmark")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--scale", type=int, default=5, help="size factor of the synthetic plan (0: skip)")
    parser.add_argument("--before", metavar="REV", help="also time the whole build of this git revision "
                        "(the code before the PDF was built in parts: 215ca04)")
    args = parser.parse_args()
    if not shutil.which("libreoffice"):
        raise SystemExit("LibreOffice is missing: run `make setup-test` (Debian package libreoffice-writer)")

    print(f"# kplan-report benchmark\n\nMachine: {machine()}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="kplan-bench-") as tmp:
        tmp = Path(tmp)
        edited = tmp / "source"
        shutil.copytree(ROOT / "source", edited)
        edits = Edits(edited, args.year)
        commands = jobs(args.year, ROOT / "source", tmp / "out", tmp / "lo-profile", edits, edited)
        if args.before:
            commands[f"before ({args.before}): whole build, any of the above"] = before_job(
                args.before, args.year, ROOT / "source", tmp / "out" / "before", tmp)
        results = measure(commands, args.runs)
        print(f"FY{args.year} sample (source/), {args.runs} interleaved runs after one warm-up:\n")
        print(table(results))
        lo = statistics.median(x.wall for x in results["LibreOffice DOCX→PDF"])
        print("\nRatios to LibreOffice's conversion (medians):\n")
        print("| job | ratio | target |\n| --- | ---: | ---: |")
        names = [n for n in commands if n.startswith("before")]
        for name, target in (*((n, "") for n in names), ("whole build, cold (empty cache)", 2.5), ("whole build, one project text edited", 1.0),
                             ("whole build, one indicator value edited", 1.0),
                             ("whole build, nothing changed (forced)", 0.7),
                             (FLOOR, "")):
            ours = statistics.median(x.wall for x in results[name])
            print(f"| {name} | **{ours / lo:.2f}** | {'≤ ' + str(target) if target else ''} |")
        ours_jobs = [samples for name, samples in results.items() if name.startswith("whole build")]
        peak = max(x.rss for samples in ours_jobs for x in samples)
        tree = max(x.tree_rss for samples in ours_jobs for x in samples)
        pss = max(x.tree_pss for samples in ours_jobs for x in samples)
        print(f"\nPeak memory of our whole builds (target ≤ 300 MB): {peak:.0f} MB RSS of the largest process; "
              f"all processes together {pss:.0f} MB PSS ({tree:.0f} MB with each process's RSS summed, which "
              f"counts the pages they share once per process)")
        preview = preview_times(args.year, edited, edits, args.runs)
        print(f"\nPreview, saving a file to the updated page served: median {statistics.median(preview):.3f} s, "
              f"min {min(preview):.3f} s, max {max(preview):.3f} s (target ≤ 0.3 s)")
        writer = docx_writer_times(args.year, ROOT / "source", args.runs)
        print(f"\nThe Word writer alone (model → DOCX, charts included; in a fresh process after its "
              f"imports and loading): median {statistics.median(writer):.2f} s, min {min(writer):.2f} s, "
              f"max {max(writer):.2f} s (the DOCX build above adds Python's start, imports and loading)")
        noop = make_report_noop(args.year, args.runs)
        print(f"\n`make report YEAR={args.year}` with nothing changed: median {statistics.median(noop):.2f} s, "
              f"max {max(noop):.2f} s (target < 0.1 s)", flush=True)

        if args.scale:
            scaled = tmp / f"x{args.scale}"
            subprocess.run([sys.executable, str(ROOT / "bench" / "scale_plan.py"), "--source",
                            str(ROOT / "source"), "--factor", str(args.scale), "--out", str(scaled)], check=True)
            if not (scaled / "departments.yaml").exists():  # scale_plan.py predates departments.yaml
                shutil.copy(ROOT / "source" / "departments.yaml", scaled / "departments.yaml")
            # both cold: the cache of each cleared before each run
            big = {"whole build cold, real plan": commands["whole build, cold (empty cache)"],
                   f"whole build cold, {args.scale}× plan": Job(
                       build_command(args.year, scaled, tmp / "big"),
                       lambda: shutil.rmtree(tmp / "big" / ".cache", ignore_errors=True))}
            big_results = measure(big, max(1, args.runs // 2))
            print(f"\nScaling: a synthetic plan {args.scale}× the real one (bench/scale_plan.py), "
                  f"{max(1, args.runs // 2)} interleaved runs after one warm-up:\n")
            print(table(big_results))
            real = big_results["whole build cold, real plan"]
            large = big_results[f"whole build cold, {args.scale}× plan"]
            ratio = statistics.median(x.wall for x in large) / statistics.median(x.wall for x in real)
            cpu_ratio = statistics.median(x.cpu for x in large) / statistics.median(x.cpu for x in real)
            print(f"\nTime ratio {args.scale}× / real: **{ratio:.2f}** wall, {cpu_ratio:.2f} CPU "
                  f"(target ≤ {args.scale * 1.1:.1f})")
    if args.before:
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
