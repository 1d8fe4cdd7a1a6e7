"""Benchmark: our PDF + Word build against LibreOffice converting our Word file.

Run with ``make bench`` (or ``python bench/run.py --runs 5``).  After one
warm-up of each job it runs N rounds, interleaving the jobs inside each
round so that drifting machine load hits all of them alike, and prints the
median, minimum and maximum wall time and the peak RSS of each job, then
the ratio of our whole build to LibreOffice's conversion.

Each job runs as a child process; its peak RSS is the child's own
``ru_maxrss`` from ``os.wait4`` (which covers the processes it waited for,
such as the PDF/Word worker processes of a parallel build).

With ``--scale N`` it also builds a synthetic plan N times the size of the
real one (``bench/scale_plan.py``) and reports the time ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CLI = str(VENV_BIN / "kplan-report")


def run(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MB). Raise on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def jobs(year: int, source: Path, out: Path, profile: Path) -> dict[str, list[str] | tuple]:
    docx = out / "docx" / str(year) / f"kesennuma-welfare-plan-progress-{year}.docx"
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


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    for cmd in commands.values():  # warm-up (and the DOCX the LibreOffice job converts)
        run(cmd)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            results[name].append(run(cmd))
    return results


def make_report_noop(year: int) -> float:
    """`make report` with nothing changed: make must see the outputs are up to date."""
    subprocess.run(["make", "report", f"YEAR={year}"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    subprocess.run(["make", "report", f"YEAR={year}"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def table(results: dict[str, list[tuple[float, float]]]) -> str:
    lines = ["| job | median s | min s | max s | peak RSS MB |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, samples in results.items():
        walls = [w for w, _ in samples]
        rss = max(r for _, r in samples)
        lines.append(f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f} | "
                     f"{max(walls):.2f} | {rss:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="kplan-report benchmark")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--scale", type=int, default=5, help="size factor of the synthetic plan (0: skip)")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="kplan-bench-") as tmp:
        tmp = Path(tmp)
        commands = jobs(args.year, ROOT / "source", tmp / "out", tmp / "lo-profile")
        results = measure(commands, args.runs)
        print(f"\nFY{args.year} sample, {args.runs} runs after one warm-up:\n")
        print(table(results))
        ours = statistics.median(w for w, _ in results["whole build (PDF+DOCX)"])
        lo = statistics.median(w for w, _ in results["LibreOffice DOCX→PDF"])
        print(f"\nratio whole build / LibreOffice conversion: {ours / lo:.2f} (target ≤ 1.0)")
        print(f"make report YEAR={args.year} with nothing changed: {make_report_noop(args.year):.2f} s")

        if args.scale:
            scaled = tmp / f"x{args.scale}"
            subprocess.run([sys.executable, str(ROOT / "bench" / "scale_plan.py"), "--factor",
                            str(args.scale), "--out", str(scaled)], check=True)
            big = {"whole build, real plan": commands["whole build (PDF+DOCX)"],
                   f"whole build, {args.scale}× plan": [CLI, "build", "--year", str(args.year),
                                                       "--source", str(scaled), "--out", str(tmp / "big")]}
            big_results = measure(big, max(1, args.runs // 2))
            print(f"\nscaling ({args.scale}× plan):\n")
            print(table(big_results))
            real = statistics.median(w for w, _ in big_results["whole build, real plan"])
            large = statistics.median(w for w, _ in big_results[f"whole build, {args.scale}× plan"])
            print(f"\ntime ratio {args.scale}× / real: {large / real:.2f} (target ≤ {args.scale * 1.1:.1f})")


if __name__ == "__main__":
    main()
