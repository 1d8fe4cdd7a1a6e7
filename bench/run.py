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
sampled from /proc every 50 ms.  CPU time (user + system, the job and its
children) is printed too: unlike wall time it hardly depends on what else
the machine is running.

The whole build is ``kplan-report build`` (both formats) into a fresh
folder: what ``make report`` runs when an input changed; ``make report``
with nothing changed is timed separately.

With ``--scale N`` it also builds a synthetic plan N times the size of the
real one (``bench/scale_plan.py``) and reports the time ratio.

The output is Markdown (machine, date, tables), to paste into the README.
"""

from __future__ import annotations

import argparse
import datetime
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
    tree_rss: float  # MB, all processes of the job together (sampled)


def _tree_rss(root: int) -> int:
    """Resident memory in bytes of ``root`` and all its descendants, now.

    One pass over /proc/*/stat (about 2 ms for 70 processes, so sampling every
    50 ms takes some 4 % of one core from the job measured)."""
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
    total, todo = 0, [root]
    while todo:
        for pid, pages in children.get(todo.pop(), []):
            total += pages
            todo.append(pid)
    return total * PAGE_SIZE


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
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss(proc.pid) + _rss(proc.pid))

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
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss, max(peak / 2**20, rss))


def jobs(year: int, source: Path, out: Path, profile: Path) -> dict[str, list[str]]:
    plan_id = yaml.safe_load((source / "plan.yaml").read_text(encoding="utf-8"))["plan"]["id"]
    docx = out / "docx" / str(year) / f"{plan_id}-{year}.docx"
    return {
        "PDF build": [CLI, "build", "--year", str(year), "--source", str(source),
                      "--out", str(out / "pdf"), "--format", "pdf"],
        "DOCX build": [CLI, "build", "--year", str(year), "--source", str(source),
                       "--out", str(out / "docx"), "--format", "docx"],
        "whole build (PDF+DOCX)": [CLI, "build", "--year", str(year), "--source", str(source),
                                   "--out", str(out / "both")],
        "LibreOffice DOCX→PDF": ["libreoffice", f"-env:UserInstallation=file://{profile}",
                                 "--headless", "--convert-to", "pdf", "--outdir", str(out / "lo"), str(docx)],
    }


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, list[Sample]]:
    for cmd in commands.values():  # warm-up (and the DOCX the LibreOffice job converts)
        run(cmd)
    results: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            results[name].append(run(cmd))
    return results


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
             "| peak RSS MB, all processes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, samples in results.items():
        walls = [x.wall for x in samples]
        lines.append(f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f} | {max(walls):.2f} | "
                     f"{statistics.median(x.cpu for x in samples):.2f} | {max(x.rss for x in samples):.0f} | "
                     f"{max(x.tree_rss for x in samples):.0f} |")
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
    args = parser.parse_args()
    if not shutil.which("libreoffice"):
        raise SystemExit("LibreOffice is missing: run `make setup-test` (Debian package libreoffice-writer)")

    print(f"# kplan-report benchmark\n\nMachine: {machine()}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="kplan-bench-") as tmp:
        tmp = Path(tmp)
        commands = jobs(args.year, ROOT / "source", tmp / "out", tmp / "lo-profile")
        results = measure(commands, args.runs)
        print(f"FY{args.year} sample (source/), {args.runs} interleaved runs after one warm-up:\n")
        print(table(results))
        ours = statistics.median(x.wall for x in results["whole build (PDF+DOCX)"])
        lo = statistics.median(x.wall for x in results["LibreOffice DOCX→PDF"])
        print(f"\nRatio whole build / LibreOffice conversion (medians): **{ours / lo:.2f}** (target ≤ 1.0)")
        writer = docx_writer_times(args.year, ROOT / "source", args.runs)
        print(f"\nThe Word writer alone (model → DOCX, charts included; in a fresh process after its "
              f"imports and loading): median {statistics.median(writer):.2f} s, min {min(writer):.2f} s, "
              f"max {max(writer):.2f} s (the DOCX build above adds Python's start, imports and loading)")
        noop = make_report_noop(args.year, args.runs)
        print(f"\n`make report YEAR={args.year}` with nothing changed: median {statistics.median(noop):.2f} s, "
              f"max {max(noop):.2f} s (target < 1 s)", flush=True)

        if args.scale:
            scaled = tmp / f"x{args.scale}"
            subprocess.run([sys.executable, str(ROOT / "bench" / "scale_plan.py"), "--source",
                            str(ROOT / "source"), "--factor", str(args.scale), "--out", str(scaled)], check=True)
            big = {"whole build, real plan": commands["whole build (PDF+DOCX)"],
                   f"whole build, {args.scale}× plan": [CLI, "build", "--year", str(args.year),
                                                       "--source", str(scaled), "--out", str(tmp / "big")]}
            big_results = measure(big, max(1, args.runs // 2))
            print(f"\nScaling: a synthetic plan {args.scale}× the real one (bench/scale_plan.py), "
                  f"{max(1, args.runs // 2)} interleaved runs after one warm-up:\n")
            print(table(big_results))
            real = big_results["whole build, real plan"]
            large = big_results[f"whole build, {args.scale}× plan"]
            ratio = statistics.median(x.wall for x in large) / statistics.median(x.wall for x in real)
            cpu_ratio = statistics.median(x.cpu for x in large) / statistics.median(x.cpu for x in real)
            print(f"\nTime ratio {args.scale}× / real: **{ratio:.2f}** wall, {cpu_ratio:.2f} CPU "
                  f"(target ≤ {args.scale * 1.1:.1f})")
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
