"""The PDF built in parts (writers/pdf/assemble.py) is the report laid out in one go.

The reference is the single WeasyPrint document of tests/test_pdf.py (its
goldens describe it); the build that ships joins separately laid-out,
cached parts.  For each dataset: page images at 50 dpi byte-identical, the
same text, outline, named destinations and links (the 目次's links land on
their headings), every marked-content item mapped to a structure element
of its page, the golden summary equal; a warm build (every part from the
cache) byte-identical to the cold one, and a corrupt or foreign cache entry
ignored and rebuilt.

Known, intended difference: the page numbers are pagination artifacts in
the joined PDF (one content-free footer document overlaid on every page);
the single document tags them as Spans.  So the joined PDF has one marked
item fewer per numbered page, and the same number of structure elements.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pikepdf
import pytest

from kplan_report.writers.pdf import assemble
from kplan_report.writers.pdf.cache import PartCache
from kplan_report.writers.pdf.parts import part_specs

import pdf_compare
from pdf_structure import PdfStructure
from test_pdf import DATASETS, _built


class Joined:
    def __init__(self, reference, path, cache_dir, progress):
        self.reference = reference  # test_pdf.Built: the single document
        self.path = path
        self.cache_dir = cache_dir
        self.progress = progress


_joined: dict[str, Joined] = {}


@pytest.fixture(scope="module", params=DATASETS, ids=[d[0] for d in DATASETS])
def joined(request, tmp_path_factory) -> Joined:
    name = request.param[0]
    if name not in _joined:
        reference = _built(tmp_path_factory, request.param)
        folder = tmp_path_factory.mktemp(f"parts-{name}")
        progress = assemble.Progress()
        path = folder / f"{name}.pdf"
        assemble.write_pdf(reference.report, path, cache_dir=folder / "cache", progress=progress)
        _joined[name] = Joined(reference, path, folder / "cache", progress)
    return _joined[name]


def test_a_cold_build_lays_out_every_part(joined):
    """A cold build lays out every part (a 具体的目標 once per round of its
    splits, see test_the_parts_own_layouts_find_the_splits_the_quick_ones_do),
    and finds none in the cache."""
    names = [spec.name for spec in part_specs(joined.reference.report)]
    assert sorted(joined.progress.laid_out) == sorted(names)
    assert joined.progress.cached == []


def test_page_images_identical(joined, tmp_path):
    ours = pdf_compare.page_images(joined.path, tmp_path / "parts")
    theirs = pdf_compare.page_images(joined.reference.path, tmp_path / "single")
    assert len(ours) == len(theirs)
    different = [n for n, (a, b) in enumerate(zip(ours, theirs), start=1) if a != b]
    assert different == [], f"pages that differ at 50 dpi: {different}"


def test_every_chart_is_drawn(joined):
    """The quick layouts that find the splits stand blank charts in (same size, nothing
    drawn); the printed PDF, joined or single, draws every chart: each target line's
    label (目標9,500) is in the text once per charted target at least."""
    from kplan_report.views.blocks import IndicatorTable, walk

    targets = sum(1 for section in walk(joined.reference.report.sections) for block in section.blocks
                  if isinstance(block, IndicatorTable) and block.charts
                  for row in block.rows for series in row.chart.series if series.target is not None)
    assert targets
    for path in (joined.path, joined.reference.path):
        drawn = re.findall(r"目標[0-9]", pdf_compare.text(path))
        assert len(drawn) >= targets, (path.name, len(drawn), targets)


def test_same_text(joined):
    assert pdf_compare.text(joined.path) == pdf_compare.text(joined.reference.path)


def test_same_summary_as_the_goldens_describe(joined):
    """Pages, fonts, bookmarks, running headers, page-number footers, table rows."""
    assert PdfStructure(joined.path).summary() == joined.reference.structure.summary()


def test_same_outline_destinations_and_links(joined):
    ours, theirs = pikepdf.open(joined.path), pikepdf.open(joined.reference.path)
    assert pdf_compare.outline(ours) == pdf_compare.outline(theirs)
    assert len(pdf_compare.outline(ours)) >= 10
    assert pdf_compare.named_destinations(ours) == pdf_compare.named_destinations(theirs)
    assert pdf_compare.links(ours) == pdf_compare.links(theirs)


def test_contents_links_land_on_their_headings(joined):
    """Every 目次 entry is a link to the page and point of its heading."""
    pdf = pikepdf.open(joined.path)
    destinations = pdf_compare.named_destinations(pdf)
    targets = {link[2] for link in pdf_compare.links(pdf)}
    for entry in joined.reference.report.contents:
        assert destinations[entry.anchor.encode()] in targets, entry.anchor


def test_every_marked_item_maps_to_a_structure_element_of_its_page(joined):
    ours = pdf_compare.structure(pikepdf.open(joined.path))
    theirs = pdf_compare.structure(pikepdf.open(joined.reference.path))
    assert ours["unmapped"] == [] and ours["annotations"] == []
    assert theirs["unmapped"] == []
    # the same structure elements: a part's HTML goes through the same keep_joined as the
    # single document's (numbers and units one unbreakable span, a Span in the tree)
    assert ours["elements"] == theirs["elements"]
    numbered = joined.reference.structure.page_count - 1  # all but the cover
    assert ours["marked"] <= theirs["marked"] - numbered


def test_tagged_pdf_ua(joined):
    pdf = pikepdf.open(joined.path)
    assert pdf.Root.MarkInfo.Marked
    assert str(pdf.Root.Lang) == "ja"
    assert b"pdfuaid:part" in pdf.Root.Metadata.read_bytes()
    assert pdf.docinfo.Title == joined.reference.report.title


def test_fonts_are_shared_so_the_file_does_not_grow(joined):
    """One subset per font (the parts' subsets merged): at most 10 % larger
    than the single document (measured: FY2021 1.08 MB against 1.04 MB)."""
    ours, theirs = joined.path.stat().st_size, joined.reference.path.stat().st_size
    assert ours <= theirs * 1.10, (ours, theirs)
    pdf = pikepdf.open(joined.path)
    files = {o.objgen for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/Length1" in o}
    assert len(files) == 3


def test_warm_build_is_byte_identical_and_lays_out_nothing(joined, tmp_path):
    progress = assemble.Progress()
    again = tmp_path / "again.pdf"
    assemble.write_pdf(joined.reference.report, again, cache_dir=joined.cache_dir, progress=progress)
    assert progress.laid_out == []
    assert again.read_bytes() == joined.path.read_bytes()


def test_corrupt_and_foreign_cache_entries_are_rebuilt(tmp_path_factory, tmp_path):
    """On the small dataset: a truncated entry, one with its bytes changed and
    one from another key are each ignored, laid out again and overwritten."""
    mini = DATASETS[0]
    built = _built(tmp_path_factory, mini)
    cache_dir = tmp_path / "cache"
    first = tmp_path / "first.pdf"
    assemble.write_pdf(built.report, first, cache_dir=cache_dir)
    def name(entry):
        meta = json.loads(entry.read_bytes().partition(b"\n")[0])["meta"]
        return meta and meta["name"]

    # parts other than the front one (of which a stale guess may be stored) and the footers
    entries = sorted(p for p in cache_dir.glob("*.part") if name(p) not in (None, "front", "footers"))
    assert len(entries) >= 3
    truncated, flipped, foreign = entries[:3]
    truncated.write_bytes(truncated.read_bytes()[:1000])
    data = bytearray(flipped.read_bytes())
    data[-100] ^= 0xFF
    flipped.write_bytes(bytes(data))
    foreign.write_bytes(entries[3 % len(entries)].read_bytes() if len(entries) > 3 else b"%PDF-1.7 not ours")
    progress = assemble.Progress()
    second = tmp_path / "second.pdf"
    assemble.write_pdf(built.report, second, cache_dir=cache_dir, progress=progress)
    assert len(progress.laid_out) == 3, progress.laid_out
    assert second.read_bytes() == first.read_bytes()
    cache = PartCache(cache_dir)
    for entry in (truncated, flipped, foreign):
        assert cache.get(entry.stem) is not None, entry.name
    # nothing left behind from the writes
    assert not list(cache_dir.glob("*.tmp"))


def test_cache_key_follows_the_html(tmp_path):
    from kplan_report.writers.pdf.cache import part_key

    assert part_key("<p>a</p>", {}) == part_key("<p>a</p>", {})
    assert part_key("<p>a</p>", {}) != part_key("<p>b</p>", {})
    assert part_key("<p>a</p>", {}) != part_key("<p>a</p>", {"pdf_variant": None})
    assert len(part_key("", {})) == len(hashlib.sha256().hexdigest())


def test_cache_keeps_the_most_recently_used_entries(tmp_path):
    import os

    from kplan_report.writers.pdf.parts import PartResult

    cache = PartCache(tmp_path)
    for n in range(5):
        cache.put(f"k{n}", PartResult("p", b"%PDF-1.7 part", 1, {}, [[]]))
        os.utime(tmp_path / f"k{n}.part", (n, n))
    assert cache.get("k0") is not None  # used now: the newest
    assert cache.prune(2) == 3
    assert sorted(p.stem for p in tmp_path.glob("*.part")) == ["k0", "k4"]


def _edited_mini(tmp_path, old: str, new: str, *more: str):
    """The mini dataset with lines of its FY2021 actuals changed (``old`` to
    ``new``, then each further pair of ``more``), as a report."""
    import shutil

    from kplan_report.validate.load import load_source
    from kplan_report.views.outline import build_report

    source = tmp_path / f"mini-{len(list(tmp_path.glob('mini*')))}"
    shutil.copytree("tests/fixtures/mini", source)
    actuals = source / "actuals" / "2021.yaml"
    text = actuals.read_text("utf-8")
    replacements = [old, new, *more]
    for a, b in zip(replacements[::2], replacements[1::2]):
        assert a in text
        text = text.replace(a, b, 1)
    actuals.write_text(text, "utf-8")
    return build_report(load_source(source), 2021)


def test_an_edit_after_the_tables_reuses_the_splits_and_equals_a_cold_build(tmp_path_factory, tmp_path,
                                                                           monkeypatch):
    """An indicator's value (not the first row of its table, which the split
    layouts take) is outside what the splits follow from: the rebuilt
    具体的目標 takes its splits from the cache and is laid out once, and the
    PDF is byte for byte what a build without any cache makes of the edit."""
    from kplan_report.writers.pdf import writer

    built = _built(tmp_path_factory, DATASETS[0])
    cache_dir = tmp_path / "cache"
    assemble.write_pdf(built.report, tmp_path / "before.pdf", cache_dir=cache_dir)
    edited = _edited_mini(tmp_path, "G1.1.i2: {measures: {main: {value: 8900}}}",
                          "G1.1.i2: {measures: {main: {value: 8950}}}")
    layouts = []
    real_layout = writer._layout
    monkeypatch.setattr(writer, "_layout", lambda *a, **k: layouts.append(1) or real_layout(*a, **k))
    progress = assemble.Progress()
    warm = tmp_path / "warm.pdf"
    assemble.write_pdf(edited, warm, cache_dir=cache_dir, progress=progress)
    # the 資料編's tables show the value, its データの出典 the files' checksums
    assert sorted(progress.laid_out) == ["app-provenance", "appendix", "obj-G1.1"]
    assert len(layouts) == 3  # each part once: no split-finding layout
    assert warm.read_bytes() != (tmp_path / "before.pdf").read_bytes()
    cold = tmp_path / "cold.pdf"
    assemble.write_pdf(edited, cold)
    assert warm.read_bytes() == cold.read_bytes()


def test_a_foreign_splits_entry_is_found_again(tmp_path_factory, tmp_path):
    """A splits entry that holds anything but a list of row ids is not trusted."""
    from kplan_report.writers.pdf.cache import breaks_key

    built = _built(tmp_path_factory, DATASETS[0])
    cache_dir = tmp_path / "cache"
    first = tmp_path / "first.pdf"
    assemble.write_pdf(built.report, first, cache_dir=cache_dir)
    cache = PartCache(cache_dir)
    blobs = [p for p in cache_dir.glob("*.part")
             if json.loads(p.read_bytes().partition(b"\n")[0])["meta"] is None
             and cache.get_blob(p.stem).startswith(b"[")]
    assert blobs, "no splits were stored"
    for path in blobs:
        cache.put_blob(path.stem, b'{"not": "a list"}')
    for path in cache_dir.glob("*.part"):  # every part laid out again, the splits found again
        if path not in blobs:
            path.unlink()
    second = tmp_path / "second.pdf"
    assemble.write_pdf(built.report, second, cache_dir=cache_dir)
    assert second.read_bytes() == first.read_bytes()
    assert all(cache.get_blob(path.stem).startswith(b"[") for path in blobs)
    assert breaks_key("<p>a</p>", {}) != breaks_key("<p>b</p>", {})


def test_the_building_process_never_loads_weasyprint(tmp_path):
    """With workers, the parts, the 目次, the footers and the join are all
    laid out and made in them: the process that hands them out never
    imports WeasyPrint (about a second of a core the workers would lose),
    and a build with nothing changed gives the same bytes."""
    import subprocess
    import sys

    out = tmp_path / "out"
    command = [sys.executable, "-c",
               "import sys; from kplan_report.cli import main; code = main(sys.argv[1:]); "
               "print('weasyprint' in sys.modules); sys.exit(code)",
               "build", "--year", "2021", "--source", "tests/fixtures/mini", "--out", str(out),
               "--format", "pdf", "--format", "docx"]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    pdf = next((out / "2021").glob("*.pdf"))
    before = pdf.read_bytes()
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert first.stdout.split()[-1] == "False", first.stdout
    assert second.stdout.split()[-1] == "False", second.stdout
    assert pdf.read_bytes() == before


def test_a_build_with_nothing_changed_neither_lays_out_nor_joins(tmp_path_factory, tmp_path, monkeypatch):
    """The joined PDF is kept under its parts' keys: with every part in the
    cache the build reads it back, the same bytes."""
    from kplan_report.writers.pdf import join, parts

    built = _built(tmp_path_factory, DATASETS[0])
    cache_dir = tmp_path / "cache"
    first = tmp_path / "first.pdf"
    assemble.write_pdf(built.report, first, cache_dir=cache_dir)

    def refuse(*args, **kwargs):
        raise AssertionError("laid out or joined again")

    monkeypatch.setattr(join, "join", refuse)
    monkeypatch.setattr(assemble, "lay_out_part", refuse)
    monkeypatch.setattr(assemble, "lay_out_footers", refuse)
    monkeypatch.setattr(parts.writer, "_layout", refuse)
    second = tmp_path / "second.pdf"
    assemble.write_pdf(built.report, second, cache_dir=cache_dir)
    assert second.read_bytes() == first.read_bytes()


def _build_with_workers(report, path, cache_dir) -> assemble.Progress:
    from kplan_report.build import workers

    progress = assemble.Progress()
    with workers(("pdf",)) as pool:
        assemble.write_pdf(report, path, cache_dir=cache_dir, executor=pool, progress=progress)
    return progress


#: mini's 取組状況 of 市民 in its first 推進項目, and the same grown to several
#: pages: its table is then split, the text cut where each page ends.
_SHORT = "citizen: 地域の学習会に延べ300人が参加した。"
_LONG = "citizen: " + "地域の学習会に延べ300人が参加した。" * 250


def test_a_table_edit_is_laid_out_with_the_last_splits_while_they_are_checked(tmp_path_factory, tmp_path):
    """A project's 実施内容・実績 is in what the splits follow from: one worker
    lays the 具体的目標 out with the splits it had last time while the other
    checks, one quick layout per step, that the way to them is still the
    way; it is, so that layout is the one kept, and the PDF is byte for
    byte what a build without any cache makes of the edit."""
    cache_dir = tmp_path / "cache"
    before = tmp_path / "before.pdf"
    first = _build_with_workers(_edited_mini(tmp_path, _SHORT, _LONG), before, cache_dir)
    assert first.guessed == first.missed == []  # nothing to guess from in an empty cache
    edited = _edited_mini(tmp_path, _SHORT, _LONG, "学習会を12回開催した。", "学習会を13回開催した。")
    warm = tmp_path / "warm.pdf"
    progress = _build_with_workers(edited, warm, cache_dir)
    # not the 資料編's tables: only the page of the files' checksums
    assert sorted(progress.laid_out) == ["app-provenance", "obj-G1.1"]
    assert progress.guessed == ["obj-G1.1"] and progress.missed == []
    cold = tmp_path / "cold.pdf"
    assemble.write_pdf(edited, cold)
    assert warm.read_bytes() == cold.read_bytes() != before.read_bytes()


def test_a_table_edit_with_no_splits_is_laid_out_once(tmp_path_factory, tmp_path):
    """With no splits last time there is nothing to guess: the 具体的目標's
    first layout, unsplit, is its own check, and the only one."""
    built = _built(tmp_path_factory, DATASETS[0])
    cache_dir = tmp_path / "cache"
    _build_with_workers(built.report, tmp_path / "before.pdf", cache_dir)
    edited = _edited_mini(tmp_path, "学習会を12回開催した。", "学習会を13回開催した。")
    warm = tmp_path / "warm.pdf"
    progress = _build_with_workers(edited, warm, cache_dir)
    assert sorted(progress.laid_out) == ["app-provenance", "obj-G1.1"]
    assert progress.guessed == progress.missed == []
    assert progress.layouts["obj-G1.1"] == 1
    cold = tmp_path / "cold.pdf"
    assemble.write_pdf(edited, cold)
    assert warm.read_bytes() == cold.read_bytes()


@pytest.mark.parametrize("after", ["longer", "short"])
def test_a_wrong_guess_of_the_splits_is_not_used(tmp_path_factory, tmp_path, after):
    """When an edit moves the splits (a long 取組状況 grown longer, or made
    short again), the layout made with the old ones is dropped and the part
    laid out with the new: the PDF equals a build without any cache."""
    cache_dir = tmp_path / "cache"
    _build_with_workers(_edited_mini(tmp_path, _SHORT, _LONG), tmp_path / "before.pdf", cache_dir)
    edited = _edited_mini(tmp_path, _SHORT, _LONG + "地域の学習会に延べ300人が参加した。" * 60 if after == "longer" else _SHORT)
    warm = tmp_path / "warm.pdf"
    progress = _build_with_workers(edited, warm, cache_dir)
    assert progress.missed == ["obj-G1.1"] and progress.guessed == []
    cold = tmp_path / "cold.pdf"
    assemble.write_pdf(edited, cold)
    assert warm.read_bytes() == cold.read_bytes()
    assert (len(pikepdf.open(warm).pages) > len(pikepdf.open(tmp_path / "before.pdf").pages)) == (after == "longer")


def test_only_the_splits_of_the_tables_are_kept_for_the_tables(tmp_path_factory):
    """A cold build keeps what a 具体的目標's own layouts found under the key
    of its tables' HTML: only what that HTML shows, so that a split of its
    opinion (outside the tables) does not outlive an edit of the opinion."""
    from kplan_report.writers.pdf import writer

    built = _built(tmp_path_factory, DATASETS[0])
    layouts = writer._ObjectiveLayouts(built.report, 0, 0, {"pdf_variant": writer.PDF_VARIANT})
    html = layouts.first_html
    row = re.search(r'<tr id="r-([^"]+)"', html).group(1)
    item_key = re.search(r'data-split="([^"]+/\d+)"', html).group(1)
    objective = writer._chapter3(built.report).sections[0].sections[0]
    opinion = objective.anchor + ".opinion"
    assert f'data-split="{opinion}"' not in html
    breaks = frozenset({row, writer.LONG_BREAK + item_key, f"{writer.TEXT_BREAK}{item_key}:12",
                        writer.LONG_BREAK + opinion, f"{writer.TEXT_BREAK}{opinion}:3", "no-such-row",
                        writer.INDICATOR_BREAK + "no-such-table"})
    assert writer._visible_in(html, breaks) == {row, writer.LONG_BREAK + item_key,
                                                f"{writer.TEXT_BREAK}{item_key}:12"}


@pytest.mark.parametrize("entry", [b'["r-1"]', b"{}", b"[[1]]", b"not json", b""])
def test_a_foreign_way_to_the_splits_is_no_guess(tmp_path_factory, tmp_path, entry):
    """The cache entry of a 具体的目標's way to its splits that is not a list
    of lists of strings (an older format, a corrupt file) guesses nothing."""
    from kplan_report.writers.pdf import writer
    from kplan_report.writers.pdf.cache import PartCache

    built = _built(tmp_path_factory, DATASETS[0])
    cache = PartCache(tmp_path / "cache")
    options = {"pdf_variant": writer.PDF_VARIANT}
    cache.put_blob(writer._latest_key(built.report, 0, 0, options), entry)
    assert writer.latest_way(built.report, 0, 0, cache) is None
    cache.put_blob(writer._latest_key(built.report, 0, 0, options), b'[["r-1"], ["r-1", "r-2"]]')
    assert writer.latest_way(built.report, 0, 0, cache) == [{"r-1"}, {"r-1", "r-2"}]


@pytest.mark.parametrize("case", ["long-text", "tall"])
def test_the_parts_own_layouts_find_the_splits_the_quick_ones_do(tmp_path, case):
    """A cold build finds a 具体的目標's splits with its part's own layouts,
    the single document with the quick layouts of its tables: where a
    取組状況 is cut over several pages (mini with a long text) and where a
    table is taller than a page (the tall fixture), the pages are the same."""
    from kplan_report.validate.load import load_source
    from kplan_report.views.outline import build_report
    from kplan_report.writers.pdf import writer

    if case == "tall":
        report = build_report(load_source(Path("tests/fixtures/tall")), 2021)
    else:
        report = _edited_mini(tmp_path, _SHORT, _LONG)
    single, parts = tmp_path / "single.pdf", tmp_path / "parts.pdf"
    writer.write_pdf(report, single)
    progress = assemble.Progress()
    assemble.write_pdf(report, parts, cache_dir=tmp_path / "cache", progress=progress)
    assert max(progress.layouts.values()) > 1  # some 具体的目標 took rounds of splits
    ours = pdf_compare.page_images(parts, tmp_path / "parts")
    theirs = pdf_compare.page_images(single, tmp_path / "single")
    assert len(ours) == len(theirs) > 3
    assert [n for n, (a, b) in enumerate(zip(ours, theirs), start=1) if a != b] == []
    assert pdf_compare.text(parts).replace("\f", "") == pdf_compare.text(single).replace("\f", "")
