"""The build as a user runs it: files in place, never half-written, repeatable."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kplan_report import build as build_module
from kplan_report.build import build, write_atomically
from kplan_report.cli import main
from kplan_report.validate.load import load_source

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def mini_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert main(["build", "--year", "2021", "--source", str(MINI), "--out", str(out)]) == 0
    return out


def tree_digest(path: Path) -> dict[str, str]:
    """Every file under a folder (or the file itself): relative name -> digest."""
    if path.is_file():
        return {path.name: digest(path)}
    return {str(p.relative_to(path)): digest(p) for p in sorted(path.rglob("*")) if p.is_file()}


def test_build_leaves_exactly_one_pdf_one_docx_the_site_and_the_data(mini_build):
    """Named after the plan's id, with the stamp listing them (make report reads it)."""
    folder = mini_build / "2021"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [".built", "data", "test-mini-2021.docx", "test-mini-2021.pdf", "web"]
    assert sorted((folder / ".built").read_text(encoding="utf-8").splitlines()) == sorted(
        str(folder / name) for name in ["test-mini-2021.pdf", "test-mini-2021.docx", "web", "data"])
    assert sorted(p.name for p in (mini_build / "2021" / "web").iterdir()) == [
        "app.html", "goal-G1.html", "goal-G2.html", "index.html", "site.css"]
    assert sorted(p.name for p in (mini_build / "2021" / "data").iterdir()) == [
        "README.md", "indicators.csv", "projects.csv"]
    assert (mini_build / "2021" / "test-mini-2021.pdf").read_bytes().startswith(b"%PDF-")
    assert (mini_build / "2021" / "test-mini-2021.docx").read_bytes().startswith(b"PK")


def test_reports_are_readable_by_others_as_any_new_file(mini_build):
    umask = os.umask(0)
    os.umask(umask)
    for path in (mini_build / "2021").rglob("*"):
        mode = 0o777 if path.is_dir() else 0o666
        assert path.stat().st_mode & 0o777 == mode & ~umask, path.name


def test_same_input_gives_byte_identical_files(mini_build, tmp_path):
    """Built again, serially this time and from another working directory: same bytes."""
    out = tmp_path / "again"
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        result = build(load_source(MINI), 2021, out, parallel=False)
    finally:
        os.chdir(cwd)
    assert len(result.files) == 4
    for path in result.files:
        assert tree_digest(path) == tree_digest(mini_build / "2021" / path.name), path.name


def test_source_date_epoch_sets_the_printed_build_date(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    assert build_module.build_date_from_env().isoformat() == "2023-11-14"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_module.build_date_from_env() is None


def test_a_crashing_writer_leaves_the_last_good_file(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"last good report")

    def crash(file):
        file.write(b"half a rep")
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, crash)
    assert target.read_bytes() == b"last good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary file left


def test_bad_input_exits_2_and_touches_nothing_in_build(tmp_path, capsys):
    source = tmp_path / "source"
    shutil.copytree(MINI, source)
    out = tmp_path / "build"
    assert main(["build", "--year", "2021", "--source", str(source), "--out", str(out), "--format", "docx"]) == 0
    before = {p: digest(p) for p in (out / "2021").iterdir()}
    capsys.readouterr()

    actuals = source / "actuals" / "2021.yaml"
    actuals.write_text(actuals.read_text(encoding="utf-8").replace("value: 8900", "value: たくさん"), encoding="utf-8")
    assert main(["build", "--year", "2021", "--source", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "2021.yaml:" in err and "indicators.G1.1.i2.measures.main.value" in err
    assert {p: digest(p) for p in (out / "2021").iterdir()} == before


def test_a_year_with_missing_values_builds_and_warns(tmp_path, capsys):
    """FY2020 of the fixture has no project actuals and no 取組状況: a draft still builds."""
    out = tmp_path / "build"
    assert main(["build", "--year", "2020", "--source", str(MINI), "--out", str(out), "--format", "docx"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err
    assert "p001" in err  # names what is missing
    assert (out / "2020" / "test-mini-2020.docx").is_file()


def test_format_html_or_csv_writes_only_that_folder(tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["build", "--year", "2021", "--source", str(MINI), "--out", str(out), "--format", "html"]) == 0
    assert sorted(p.name for p in (out / "2021").iterdir()) == ["web"]
    assert main(["build", "--year", "2021", "--source", str(MINI), "--out", str(out), "--format", "csv"]) == 0
    assert sorted(p.name for p in (out / "2021").iterdir()) == ["data", "web"]
    assert capsys.readouterr().out.splitlines()[-1].endswith("2021/data")


@pytest.mark.parametrize(
    "year, message",
    [
        ("", "YEAR is missing"),
        ("abc", "YEAR must be a fiscal year"),
        ("2035", "outside the plan period"),
    ],
)
def test_make_report_with_a_bad_year_says_so(year, message):
    proc = subprocess.run(
        ["make", "--no-print-directory", "report", f"YEAR={year}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
