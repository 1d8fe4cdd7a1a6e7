"""What a careless or hostile user meets (issue 16): output location faults, interrupted
builds, numbers that must not break, characters no font has, invisible characters.

Each test asserts what the user sees: the one line on stderr and the exit status,
the files left in the output folder, the text of the printed PDF.
"""

from __future__ import annotations

import datetime
import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kplan_report import build as build_module
from kplan_report.cli import main

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
STEM = "test-mini-2021"


def build_args(out: Path, *more: str) -> list[str]:
    return ["build", "--year", "2021", "--source", str(MINI), "--out", str(out), *more]


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------ §4 output location


def test_out_naming_a_file_is_one_line(tmp_path, capsys):
    out = tmp_path / "build.txt"
    out.write_text("not a folder")
    assert main(build_args(out, "--format", "docx")) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "build.txt: found a file; expected a folder" in line
    assert out.read_text() == "not a folder"


def test_out_inside_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(build_args(tmp_path / "file" / "deeper", "--format", "docx")) == 2
    assert "found a file; expected a folder" in one_error_line(capsys.readouterr().err)


def test_a_read_only_folder_is_one_line(tmp_path, capsys, monkeypatch):
    out = tmp_path / "ro"
    (out / "2021").mkdir(parents=True)
    os.chmod(out / "2021", 0o555)
    if os.access(out / "2021", os.W_OK):  # root: permission bits do not stop it, so the kernel's answer is simulated
        def denied(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", kwargs.get("dir"))

        monkeypatch.setattr(build_module.tempfile, "mkstemp", denied)
    try:
        assert main(build_args(out, "--format", "docx")) == 2
    finally:
        os.chmod(out / "2021", 0o755)
    line = one_error_line(capsys.readouterr().err)
    assert line == f"kplan-report: error: {out / '2021'}: cannot write the reports there: no permission to write there（書き込む権限がありません）"
    assert list((out / "2021").iterdir()) == []


def test_a_folder_where_the_pdf_should_be_is_one_line(tmp_path, capsys):
    (tmp_path / "2021" / f"{STEM}.pdf").mkdir(parents=True)
    assert main(build_args(tmp_path)) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{STEM}.pdf: found a folder" in line
    assert sorted(p.name for p in (tmp_path / "2021").iterdir()) == [f"{STEM}.pdf"]


class _FullDisk(io.RawIOBase):
    """A file on a disk that fills up after a few kilobytes."""

    def __init__(self, real):
        self.real, self.written = real, 0

    def writable(self):
        return True

    def write(self, data):
        self.written += len(data)
        if self.written > 4096:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.real.write(data)

    def seekable(self):
        return self.real.seekable()

    def seek(self, *args):
        return self.real.seek(*args)

    def tell(self):
        return self.real.tell()

    def flush(self):
        if not self.real.closed:
            self.real.flush()

    def fileno(self):
        return self.real.fileno()

    def close(self):
        super().close()
        self.real.close()


def test_a_full_disk_is_one_line_and_leaves_the_old_pair(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "2021"
    folder.mkdir()
    (folder / f"{STEM}.docx").write_bytes(b"old docx")
    real_fdopen = os.fdopen
    monkeypatch.setattr(build_module.os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode)))
    assert main(build_args(tmp_path, "--format", "docx")) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("kplan-report: error: ") and "no space left on the disk" in line
    assert [p.name for p in folder.iterdir()] == [f"{STEM}.docx"]
    assert (folder / f"{STEM}.docx").read_bytes() == b"old docx"


@pytest.mark.parametrize("epoch", ["yesterday", "1.5e9", "-1", "99999999999999999999"])
def test_source_date_epoch_not_a_number_is_one_line(tmp_path, capsys, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert main(build_args(tmp_path, "--format", "docx")) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"SOURCE_DATE_EPOCH: found '{epoch}'; expected a whole number of seconds" in line
    assert not (tmp_path / "2021").exists()


def test_an_exception_in_the_second_writer_leaves_the_old_pair(tmp_path, monkeypatch):
    """The PDF is written, then the Word writer fails: neither file is replaced, no temporary file."""
    folder = tmp_path / "2021"
    folder.mkdir()
    (folder / f"{STEM}.pdf").write_bytes(b"old pdf")
    (folder / f"{STEM}.docx").write_bytes(b"old docx")
    real = build_module.get_writer

    def writer(fmt):
        if fmt == "docx":
            def crash(report, f, **options):
                f.write(b"PK half a docx")
                raise RuntimeError("the Word writer fails")
            return crash
        return real(fmt)

    monkeypatch.setattr(build_module, "get_writer", writer)
    from kplan_report.validate.load import load_source

    with pytest.raises(RuntimeError, match="Word writer"):
        build_module.build(load_source(MINI), 2021, tmp_path, formats=("pdf", "docx"), parallel=False)
    assert sorted(p.name for p in folder.iterdir()) == [f"{STEM}.docx", f"{STEM}.pdf"]
    assert (folder / f"{STEM}.pdf").read_bytes() == b"old pdf"
    assert (folder / f"{STEM}.docx").read_bytes() == b"old docx"


def test_a_failed_rename_puts_the_first_file_back(tmp_path):
    """The second rename fails (say, the target became a folder): the first is undone."""
    old = [tmp_path / "a.pdf", tmp_path / "a.docx"]
    old[0].write_bytes(b"old pdf")
    old[1].mkdir()
    with build_module.staged(old) as temporaries:
        for name, data in zip(temporaries, [b"new pdf", b"new docx"]):
            Path(name).write_bytes(data)
        with pytest.raises(OSError):
            build_module.commit(temporaries, old)
    assert old[0].read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "a.pdf"]


def test_sigterm_is_handled_like_ctrl_c(tmp_path):
    """SIGTERM in the middle of a parallel build: one line, exit 143, the old pair, no temporary file."""
    folder = tmp_path / "2021"
    folder.mkdir()
    (folder / f"{STEM}.pdf").write_bytes(b"old pdf")
    (folder / f"{STEM}.docx").write_bytes(b"old docx")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kplan_report", *build_args(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in folder.iterdir()):  # writing has begun
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    line = one_error_line(err)
    assert "terminated; no file is left half-written" in line
    assert sorted(p.name for p in folder.iterdir()) == [f"{STEM}.docx", f"{STEM}.pdf"]
    assert (folder / f"{STEM}.pdf").read_bytes() == b"old pdf"
    assert (folder / f"{STEM}.docx").read_bytes() == b"old docx"


# ------------------------------------------------------------ §5 invisible characters


def validate_with(source: Path, capsys, edit) -> list[str]:
    """Edit the mini fixture's FY2021 actuals, run validate; the lines on stderr (exit 2, no traceback)."""
    actuals = source / "actuals" / "2021.yaml"
    actuals.write_text(edit(actuals.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["validate", "--source", str(source)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    return captured.err.splitlines()


def test_a_zero_width_space_in_an_id_is_shown_and_named(source, capsys):
    lines = validate_with(source, capsys, lambda t: t.replace("  p002: {", "  p00\u200b2: {"))
    assert lines[0] == (
        "source/actuals/2021.yaml:23: projects.p00<U+200B>2: found the project 'p00<U+200B>2', which is not in projects.yaml "
        "(<U+200B> is the invisible zero width space); expected a project ID of projects.yaml, e.g. p001（事業一覧にない事業IDです）"
    )


def test_a_cyrillic_look_alike_in_an_id_is_shown_and_named(source, capsys):
    lines = validate_with(source, capsys, lambda t: t.replace("  p002: {", "  \u0440002: {"))
    assert "projects.<U+0440>002: found the project '<U+0440>002'" in lines[0]
    assert "(<U+0440> is cyrillic small letter er, which looks like an ASCII character)" in lines[0]


def test_a_bom_in_the_middle_of_the_file_is_located(source, capsys):
    lines = validate_with(source, capsys, lambda t: t.replace("projects:\n", "\ufeffprojects:\n"))
    assert lines[0] == (
        "source/actuals/2021.yaml:21: found a byte order mark U+FEFF at column 1 inside the file (invisible; often left by joining two files); "
        "expected nothing there: a BOM may only start the file（ファイル途中の BOM（U+FEFF）を削除してください）"
    )
    assert len(lines) == 2


def test_a_bom_at_the_start_is_still_fine(source, capsys):
    actuals = source / "actuals" / "2021.yaml"
    actuals.write_bytes(b"\xef\xbb\xbf" + actuals.read_bytes())
    assert main(["validate", "--source", str(source)]) == 0


@pytest.mark.parametrize("separator, name", [("\u2028", "line separator"), ("\u2029", "paragraph separator")])
def test_a_line_separator_gives_the_line_an_editor_shows(source, capsys, separator, name):
    """YAML counts U+2028 as a line break, editors do not: it is refused where an editor shows it,
    so no later line number is ever one off."""
    lines = validate_with(source, capsys, lambda t: t.replace("学習会を12回", f"学習会を{separator}12回"))
    assert lines[0].startswith(f"source/actuals/2021.yaml:23: found the invisible {name} U+{ord(separator):04X} at column 23, ")


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_bidirectional_controls_are_refused_in_text(source, capsys, control):
    """The data says 円0001 with U+202E before it; the PDF would print 1000円."""
    lines = validate_with(source, capsys, lambda t: t.replace("学習会を12回", f"学習会を{control}円0001回"))
    code = f"U+{ord(control):04X}"
    assert lines[0].startswith(f"source/actuals/2021.yaml:23: found the bidirectional control character {code} (")
    assert f"{code} (" in lines[0] and ") at column 23, which reorders the printed text; " in lines[0]
    assert lines[0].endswith(f"expected text without direction controls（文字の並びを入れ替える制御文字 {code} は使えません）")


def test_an_invisible_character_in_a_value_is_shown_and_named(source, capsys):
    lines = validate_with(source, capsys, lambda t: t.replace("grade: B,", "grade: \"B\u2060\","))
    assert lines[0].startswith("source/actuals/2021.yaml:23: projects.p002.grade: found 'B<U+2060>' (text) "
                               "(<U+2060> is the invisible word joiner); expected one of ")


# ------------------------------------------------------------ §7 numbers with their units


def _edit_copy(tmp_path: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    source = tmp_path / "source"
    shutil.copytree(MINI, source)
    for name, pairs in edits.items():
        path = source / name
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, (name, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return source


def _pdf_of(source: Path, year: int = 2021) -> bytes:
    from kplan_report.validate.load import load_source
    from kplan_report.views.outline import build_report
    from kplan_report.writers.pdf import write_pdf

    target = io.BytesIO()
    write_pdf(build_report(load_source(source), year), target)
    return target.getvalue()


def whole_in_one_cell(pdf: bytes, token: str) -> list[int]:
    """The pages where ``token`` prints as one word on one line with no cell border through it."""
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            words = [w for w in page.extract_words(keep_blank_chars=False) if w["text"] == token]
            for word in words:
                crossing = [
                    e for e in page.edges
                    if e["orientation"] == "v" and word["x0"] + 0.5 < e["x0"] < word["x1"] - 0.5
                    and e["top"] <= word["top"] and e["bottom"] >= word["bottom"]
                ]
                assert not crossing, f"page {number}: a cell border runs through {token}"
                pages.append(number)
    return pages


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> bytes:
    """The FY2021 sample as published (one layout, shared by the tests below)."""
    return _pdf_of(ROOT / "source")


def test_the_formatter_joins_number_and_unit():
    from kplan_report.text.japanese import NO_BREAK, format_number, format_percent
    from decimal import Decimal

    assert format_number(8000, "人") == f"8,000{NO_BREAK}人"
    assert format_percent(Decimal("-1.6")) == f"-{NO_BREAK}160.0{NO_BREAK}％"
    assert format_number(12) == "12"


def test_negative_progress_prints_whole_in_the_sample(sample_pdf):
    """The shipped FY2021 PDF printed "-160.0 / ％" over two lines (issue 16 §7)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(sample_pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "\n％" not in text and "\u2060" not in text
    assert len(whole_in_one_cell(sample_pdf, "-160.0％")) >= 2
    assert len(whole_in_one_cell(sample_pdf, "-107.4％")) >= 2


def test_a_long_negative_progress_prints_whole_in_its_narrow_cell(tmp_path):
    """-1,119.5％ (a value far below the baseline) in the 15 mm progress column."""
    source = _edit_copy(tmp_path, {
        "plan.yaml": [("target: {value: 9500}", "target: {value: 8200}"), ("target_display: 9,500人", "target_display: 8,200人")],
        "actuals/2021.yaml": [("{main: {value: 8900}}", "{main: {value: 5761}}")],
    })
    pdf = _pdf_of(source)
    assert whole_in_one_cell(pdf, "-1,119.5％")
    assert whole_in_one_cell(pdf, "5,761人")


# ------------------------------------------------------------ §2 characters the fonts lack


def notdef_glyphs(pdf: bytes) -> list[tuple[int, str]]:
    """(page, font) of every .notdef glyph (glyph 0) the PDF's text shows, on pages and in forms (charts)."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[int, str]] = []

    def glyphs_of(font, data: bytes) -> list[int]:
        """The glyph ids a string of a Type0 font shows: 2-byte codes → CIDs (Identity-H,
        or the CMap WeasyPrint writes when a font lacks glyphs) → glyph ids."""
        assert font["/Subtype"] == "/Type0", font
        codes = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
        encoding = font["/Encoding"]
        if encoding == "/Identity-H":
            cids = codes
        else:
            cmap = encoding.get_object().get_data().decode("latin-1")
            table = {int(code, 16): int(cid) for block in re.findall(r"begincidchar(.*?)endcidchar", cmap, re.S)
                     for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s+(\d+)", block)}
            for block in re.findall(r"begincidrange(.*?)endcidrange", cmap, re.S):
                for low, high, cid in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)", block):
                    for code in range(int(low, 16), int(high, 16) + 1):
                        table[code] = int(cid) + code - int(low, 16)
            cids = [table.get(code, 0) for code in codes]
        descendant = font["/DescendantFonts"][0].get_object()
        mapping = descendant.get("/CIDToGIDMap", "/Identity")
        if mapping == "/Identity":
            return cids
        gids = mapping.get_object().get_data()
        return [int.from_bytes(gids[2 * c:2 * c + 2], "big") for c in cids]

    def scan(page_number: int, contents, resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        fonts = resources.get("/Font", {})
        fonts = fonts.get_object() if hasattr(fonts, "get_object") else fonts
        xobjects = resources.get("/XObject", {})
        xobjects = xobjects.get_object() if hasattr(xobjects, "get_object") else xobjects
        font = None
        for operands, operator in ContentStream(contents, reader).operations:
            if operator == b"Tf":
                font = fonts[operands[0]].get_object()
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                strings = operands[0] if operator == b"TJ" else [operands[-1]]
                for s in strings:
                    if isinstance(s, (int, float)) or type(s).__name__ in ("FloatObject", "NumberObject"):
                        continue
                    data = getattr(s, "original_bytes", None) or bytes(s)
                    if 0 in glyphs_of(font, data):
                        found.append((page_number, str(font["/BaseFont"])))
            elif operator == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    scan(page_number, xobject, xobject.get("/Resources", resources))

    for number, page in enumerate(reader.pages, 1):
        scan(number, page.get_contents(), page.get("/Resources"))
    return found


def test_the_notdef_detector_sees_a_box(tmp_path):
    """Built past validation, a private-use 外字 prints as .notdef: the detector must see it,
    in the single-document PDF and in the shipped part-wise one (whose font merge leaves a
    subset with missing glyphs as it is, so the box stays a box)."""
    from kplan_report.validate.load import load_source
    from kplan_report.views.outline import build_report
    from kplan_report.writers import get_writer
    from kplan_report.writers.pdf.writer import write_pdf

    source = _edit_copy(tmp_path, {"actuals/2021.yaml": [("あいさつ運動が広がった。", "あいさつ運動が\ue000広がった。")]})
    report = build_report(load_source(source), 2021)
    for write in (write_pdf, get_writer("pdf")):
        target = io.BytesIO()
        write(report, target)
        assert notdef_glyphs(target.getvalue()), write


def test_the_sample_has_no_notdef_glyph(sample_pdf):
    assert notdef_glyphs(sample_pdf) == []


def embedded_fonts(pdf: bytes) -> set[str]:
    """The embedded fonts' names without the subset tag: {'BIZ-UDGothic', 'NotoSansCJKjp-Regular', …}."""
    from pypdf import PdfReader

    names = set()
    for obj_page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = obj_page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def outside_the_chains(fonts: set[str]) -> set[str]:
    """The embedded fonts (WeasyPrint names them family-style: Noto-Sans-CJK-JP-Bold) of no chain family."""
    from kplan_report.validate.glyphs import CHAINS

    families = {f.replace(" ", "-") for chain in CHAINS.values() for f in chain}
    return {name for name in fonts if not any(name == f or name.startswith(f + "-") for f in families)}

RARE = "𠮷🙇"


@pytest.fixture(scope="module")
def rare_source(tmp_path_factory) -> Path:
    """The mini fixture with 𠮷 and 🙇 in a 推進項目 title (its vertical title, a heading and
    the 目次), an objective title, a 取組状況 cell and a project's results."""
    return _edit_copy(tmp_path_factory.mktemp("rare"), {
        "plan.yaml": [("title: 福祉教育の推進", f"title: 福祉教育の{RARE}推進"),
                      ("私たちの暮らしは", f"私たちの{RARE}暮らしは"),
                      ("title: 地域福祉学習の推進", f"title: 地域福祉学習の{RARE}推進")],
        "actuals/2021.yaml": [("あいさつ運動が広がった。", f"あいさつ運動が{RARE}広がった。"),
                              ("全校で福祉・防災教育を実施した。", f"全校で{RARE}福祉・防災教育を実施した。")],
    })


def test_rare_characters_validate_and_print_without_boxes(rare_source, capsys):
    import pdfplumber

    assert main(["validate", "--source", str(rare_source)]) == 0
    pdf = _pdf_of(rare_source)
    assert notdef_glyphs(pdf) == []
    fonts = embedded_fonts(pdf)
    assert outside_the_chains(fonts) == set(), fonts
    # the fallbacks were needed, in both styles, and are the ones decided on
    assert all(any(f.startswith(face) for f in fonts) for face in ("Noto-Sans-CJK-JP", "Noto-Serif-CJK-JP", "Symbola")), fonts
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert text.count("𠮷") >= 5 and text.count("🙇") >= 5


def test_the_sample_prints_in_the_chain_fonts_only(sample_pdf):
    assert outside_the_chains(embedded_fonts(sample_pdf)) == set()


@pytest.mark.parametrize("char, what", [
    ("\ue000", "the private-use character (外字) U+E000"),
    ("\U000f0000", "the private-use character (外字) U+F0000"),
    ("\u0e01", "the character 'ก' U+0E01 (thai character ko kai)"),
])
def test_a_character_no_font_has_is_a_located_problem(source, capsys, char, what):
    lines = validate_with(source, capsys, lambda t: t.replace("あいさつ運動が広がった。", f"あいさつ運動が{char}広がった。"))
    assert lines == [
        f"source/actuals/2021.yaml:31: promotion_items.G1.1.2.community_business: found {what} at character 8 "
        "of the text, which no font of the report has; expected a character the report's fonts can print; "
        "write it another way（このフォントにない文字は印刷できません。別の字・表記に置き換えてください）",
        "1 problem in 1 file（1ファイルに1件の誤りがあります）",
    ]


def test_build_refuses_what_it_cannot_print_before_writing(source, capsys, tmp_path):
    actuals = source / "actuals" / "2021.yaml"
    actuals.write_text(actuals.read_text(encoding="utf-8").replace("あいさつ", "\ue000あいさつ"), encoding="utf-8")
    assert main(["build", "--year", "2021", "--source", str(source), "--out", str(tmp_path / "out")]) == 2
    assert "U+E000" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_stylesheet_lists_the_checked_font_chains():
    """report.css and validate/glyphs.py decide the same fonts in the same order."""
    from kplan_report.validate.glyphs import CHAINS

    css = (ROOT / "report_templates" / "print" / "report.css").read_text(encoding="utf-8")
    declared = {tuple(f.strip().strip('"') for f in value.split(","))
                for value in re.findall(r"font-family:\s*([^;]+);", css)}
    chains = {chain + (generic,) for chain, generic in zip(CHAINS.values(), ("serif", "sans-serif"))}
    assert declared == chains


def test_the_checked_character_sets_are_the_fonts_cmaps():
    """validate reads fontconfig's charset of each font of the chains (fast, and what Pango
    falls back by); it must be the font file's own cmap, as fontTools reads it, but for
    control characters (which no text prints)."""
    from fontTools.ttLib import TTFont

    from kplan_report.validate.glyphs import CHAINS, coverage, font_file

    for family in {f for chain in CHAINS.values() for f in chain}:
        path, index = font_file(family)
        font = TTFont(path, fontNumber=index, lazy=True)
        cmap = {code for code in font.getBestCmap() if code >= 0x20 and not 0x7F <= code < 0xA0}
        font.close()
        checked = {code for code in coverage(family) if code >= 0x20 and not 0x7F <= code < 0xA0}
        assert checked == cmap, (family, sorted(cmap ^ checked)[:10])
        assert 0x3042 in checked or family == "Symbola"  # あ


def test_schema_out_naming_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "schema").write_text("x")
    assert main(["schema", "--out", str(tmp_path / "schema")]) == 2
    assert "cannot write the schema files there" in one_error_line(capsys.readouterr().err)


def test_the_word_draft_keeps_numbers_whole_in_libreoffice(tmp_path):
    """The same narrow progress cell in the Word draft, as LibreOffice lays it out."""
    import pdfplumber

    source = _edit_copy(tmp_path, {
        "plan.yaml": [("target: {value: 9500}", "target: {value: 8200}"), ("target_display: 9,500人", "target_display: 8,200人")],
        "actuals/2021.yaml": [("{main: {value: 8900}}", "{main: {value: 5761}}")],
    })
    assert main(["build", "--year", "2021", "--source", str(source), "--out", str(tmp_path / "out"), "--format", "docx"]) == 0
    docx = tmp_path / "out" / "2021" / f"{STEM}.docx"
    result = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pdf = (tmp_path / f"{STEM}.pdf").read_bytes()
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "-1,119.5％" in text.replace("\u2060", "")
    assert "\n％" not in text


def test_the_pair_is_replaced_where_hard_links_fail(tmp_path, monkeypatch):
    """On a FAT stick the old file is kept by a copy instead: still the old set or the new set."""
    old = [tmp_path / "a.pdf", tmp_path / "a.docx"]
    old[0].write_bytes(b"old pdf")
    old[1].write_bytes(b"old docx")

    def no_links(*args):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(build_module.os, "link", no_links)
    with build_module.staged(old) as temporaries:
        for name, data in zip(temporaries, [b"new pdf", b"new docx"]):
            Path(name).write_bytes(data)
        build_module.commit(temporaries, old)
    assert [p.read_bytes() for p in old] == [b"new pdf", b"new docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "a.pdf"]


# ------------------------------------------------------------ §3 what validates, builds


def test_long_publisher_names_build_the_word_draft(source, tmp_path):
    """Three publishers of 100 characters each: the Word draft's author (the publishers joined)
    once exceeded the 255 characters a core property holds and the build ended in a ValueError.
    The property is cut with …; the property-based test (test_property_inputs.py) found this."""
    import zipfile

    names = [f"{n}" + "社会福祉協議会" * 14 for n in "甲乙丙"]
    actuals = source / "actuals" / "2021.yaml"
    text = actuals.read_text(encoding="utf-8")
    actuals.write_text(text.replace("publisher: [テスト市, テスト市社会福祉協議会]", f"publisher: [{', '.join(names)}]"), encoding="utf-8")
    assert main(["build", "--year", "2021", "--source", str(source), "--out", str(tmp_path), "--format", "docx"]) == 0
    with zipfile.ZipFile(tmp_path / "2021" / f"{STEM}.docx") as docx:
        core = docx.read("docProps/core.xml").decode("utf-8")
    author = re.search(r"<dc:creator>(.*?)</dc:creator>", core).group(1)
    assert len(author) == 255 and author.endswith("…") and author.startswith(names[0])


@pytest.mark.parametrize("date, stamp", [
    (datetime.date(2200, 6, 30), (2107, 12, 31, 0, 0, 0)),
    (datetime.date(1970, 1, 15), (1980, 1, 1, 0, 0, 0)),
])
def test_zip_timestamps_stay_within_what_zip_can_hold(date, stamp):
    """A zip entry's date runs from 1980 to 2107 (struct.error beyond); validate keeps the report
    date well inside, and the Word package is stamped at the nearest end should one ever fall outside."""
    import zipfile

    from kplan_report.writers.docx.package import _repack

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with zipfile.ZipFile(io.BytesIO(_repack(buffer.getvalue(), date))) as z:
        assert z.infolist()[0].date_time == stamp


@pytest.mark.parametrize("epoch, printed", [("0", "昭和45年1月1日（1970-01-01）"), ("253402214400", "令和7981年12月31日（9999-12-31）")])
def test_the_extremes_of_source_date_epoch_build(tmp_path, monkeypatch, epoch, printed):
    """SOURCE_DATE_EPOCH sets only the build date the provenance prints (the Word package's zip
    stamps come from the report date, which validate bounds): 1970 and 9999 both build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert main(build_args(tmp_path, "--format", "docx", "--format", "html")) == 0
    page = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "2021" / "web").glob("*.html"))
    assert printed in page
