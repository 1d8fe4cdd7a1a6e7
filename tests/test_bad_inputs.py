"""The corpus of broken inputs: every case must fail cleanly, with the messages on record.

Each directory of ``tests/bad_inputs/`` holds files that replace (or join)
those of ``tests/fixtures/mini``; ``expected.txt`` is what ``kplan-report
validate`` prints for it.  The messages are part of the interface, so a
change to them must be deliberate: regenerate with

    pytest tests/test_bad_inputs.py --regen-bad-input-goldens

and review the diff.  See tests/bad_inputs/README.md.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kplan_report.cli import main

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
CORPUS = HERE / "bad_inputs"
GOLDEN = "expected.txt"
CASES = sorted(path for path in CORPUS.iterdir() if path.is_dir())

PROBLEM_LINE = re.compile(r"^source/[^:]+\.ya?ml:[1-9][0-9]*: (?:[^:]+: )?found .+; expected .+（.+）$")
SUMMARY_LINE = re.compile(r"^[1-9][0-9]* problems? in [1-9][0-9]* files?（[0-9]+ファイルに[0-9]+件の誤りがあります）$")


def run_case(case: Path, tmp_path: Path, monkeypatch) -> int:
    source = tmp_path / "source"
    shutil.copytree(MINI, source)
    for path in case.rglob("*"):
        if path.is_file() and path.name != GOLDEN:
            target = source / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    monkeypatch.chdir(tmp_path)
    return main(["validate", "--source", "source"])


def test_corpus_is_large_and_documented():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert len(CASES) >= 30
    undocumented = [case.name for case in CASES if f"`{case.name}`" not in readme]
    assert undocumented == []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case, tmp_path, monkeypatch, capsys, request):
    status = run_case(case, tmp_path, monkeypatch)
    out, err = capsys.readouterr()

    assert status == 2
    assert "Traceback" not in out + err
    assert out == ""
    *problems, summary = err.splitlines()
    assert problems, "at least one problem line"
    for line in problems:
        assert PROBLEM_LINE.match(line), f"not FILE:LINE: FIELD: found …; expected …（…）: {line!r}"
    assert SUMMARY_LINE.match(summary), summary

    golden = case / GOLDEN
    if request.config.getoption("--regen-bad-input-goldens"):
        golden.write_text(err, encoding="utf-8")
    assert golden.exists(), f"no golden for {case.name}: run with --regen-bad-input-goldens"
    assert err == golden.read_text(encoding="utf-8")


def test_pure_python_parser_gives_the_same_messages(tmp_path, monkeypatch, capsys):
    """Without libyaml, PyYAML parses in Python; the messages must not change."""
    import yaml

    from kplan_report.intake import yamlio

    monkeypatch.setattr(yamlio, "_YAML_LOADER", yaml.SafeLoader)
    differ = []
    for case in CASES:
        run_case(case, tmp_path / case.name, monkeypatch)
        if capsys.readouterr().err != (case / GOLDEN).read_text(encoding="utf-8"):
            differ.append(case.name)
    assert differ == []
