"""A non-editable install has everything a build needs (templates included).

``pip install .`` builds a wheel from pyproject.toml and installs it; the
templates stay at the top level of the repository (report_templates/) and
reach the wheel through the package-dir mapping to kplan_report.templates.
The wheel is installed here with --no-deps into a folder of its own and run
from another working directory, with the test environment's site-packages
for the dependencies, so nothing can come from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_package_builds_a_report(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(ROOT)], check=True, cwd=tmp_path)
    # every module and template of the checkout is in the wheel
    wanted = {p.relative_to(ROOT / "kplan_report").as_posix() for p in (ROOT / "kplan_report").rglob("*.py")}
    wanted |= {"templates/" + p.relative_to(ROOT / "report_templates").as_posix()
               for p in (ROOT / "report_templates").rglob("*") if p.suffix in (".j2", ".css", ".py")}
    installed = {p.relative_to(target / "kplan_report").as_posix() for p in (target / "kplan_report").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts}
    assert wanted - installed == set()
    source = tmp_path / "source"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", source)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]]))
    code = ("import kplan_report, sys; assert kplan_report.__file__.startswith(sys.argv[1]), kplan_report.__file__; "
            "from kplan_report.cli import main; sys.exit(main(['build', '--year', '2021', '--source', 'source', '--out', 'out']))")
    done = subprocess.run([sys.executable, "-c", code, str(target)], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    built = sorted(p.name for p in (tmp_path / "out" / "2021").iterdir() if not p.name.startswith("."))
    assert built == ["data", "test-mini-2021.docx", "test-mini-2021.pdf", "web"]
