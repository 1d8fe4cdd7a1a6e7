"""Build a year's report: load → progress → view model → PDF, Word, web site and open data.

This is the only module that knows about the output folder.  The writers
(:mod:`kplan_report.writers`) get the finished outline and a file (or, for
the web site and the open data, a folder) to write into; this module makes
sure a reader never sees a half-written report: every file is written to a
temporary name in the same folder and renamed into place only when
complete, and a folder is written as a temporary folder beside its place
and swapped in whole, so a crash or Ctrl-C leaves the last good report
where it was.
"""

from __future__ import annotations

import ctypes
import datetime
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .validate.load import Source, missing_actuals
from .views.outline import Report, build_report
from .writers import FOLDERS, WRITERS, get_writer

FORMATS = tuple(WRITERS)

#: Worker processes of a parallel build (the machines it runs on have two cores).
PROCESSES = 2


#: Written into ``<out>/<year>/`` after a build of every format: the files it wrote, one a line.
#: ``make report`` depends on it (it cannot know the file names, which come from the plan).
STAMP = ".built"


def output_name(report: Report, fmt: str) -> str:
    """File name of a report: the plan's ASCII id and the year (``<id>-<year>.pdf``),
    so that make, zip tools and mail clients all cope.  A folder format has a
    fixed name (``web``, ``data``): a published site keeps its address."""
    if fmt in FOLDERS:
        return FOLDERS[fmt]
    return f"{report.file_stem}.{fmt}"


def build_date_from_env() -> datetime.date | None:
    """The build date from ``SOURCE_DATE_EPOCH`` (reproducible-builds.org), if set.

    Without it the report uses the actuals' report date, never the clock, so
    that the same input always gives the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).date()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, write: Callable[[object], None]) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); a report is for sharing, as any new file.
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


_RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def write_folder_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(folder)`` on a new temporary folder next to ``path``, then put it in ``path``'s place.

    An existing folder is swapped with the new one in one step (renameat2
    RENAME_EXCHANGE), so a reader sees either the whole old site or the whole
    new one; where that call is missing, the old folder is renamed aside first.
    The old folder is removed afterwards.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        write(tmp)
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
        if not path.exists():
            os.rename(tmp, path)
            return
        if not _exchange(tmp, path):
            aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.rename(path, aside / path.name)
            os.rename(tmp, path)
            tmp = aside
        shutil.rmtree(tmp)  # now the old folder
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_output(report: Report, fmt: str, path: Path, **options) -> Path:
    writer = get_writer(fmt)
    if fmt in FOLDERS:
        write_folder_atomically(path, lambda folder: writer(report, folder, **options))
    else:
        write_atomically(path, lambda f: writer(report, f, **options))
    return path


@dataclass(frozen=True)
class BuildResult:
    files: list[Path]
    warnings: list[str]


def build(
    source: Source,
    year: int,
    out_dir: Path = Path("build"),
    formats: tuple[str, ...] = FORMATS,
    parallel: bool = True,
    final: bool | None = None,
) -> BuildResult:
    """Write ``out_dir/<year>/`` files for ``formats`` from a validated ``source``.

    The caller loads the source (:func:`kplan_report.loading.load_source`),
    so invalid input fails before anything is written.  With ``parallel`` the work is spread
    over two worker processes (the machine has two cores): the Word file, the
    web site and the open data are written in one, and the PDF's first layout (one 具体的目標 at a time, see
    :func:`kplan_report.pdf.first_breaks`) in both, while this process waits;
    then, the workers gone, this process lays out and writes the PDF.  The
    writers share nothing but the view model.
    ``final``: the final edition (最終評価報告書); by default in the plan's last year.
    """
    warnings = missing_actuals(source, year)
    report = build_report(source, year, build_date_from_env(), final=final)
    folder = out_dir / str(year)
    targets = [(fmt, folder / output_name(report, fmt)) for fmt in formats]
    if not parallel or "pdf" not in formats:
        result = BuildResult([write_output(report, fmt, path) for fmt, path in targets], warnings)
        _stamp(folder, formats, result.files)
        return result
    from concurrent.futures import ProcessPoolExecutor

    from .writers.pdf import writer as pdf

    import weasyprint  # noqa: F401  (loaded once, before the workers fork)

    with ProcessPoolExecutor(max_workers=PROCESSES) as pool:
        others = {fmt: pool.submit(write_output, report, fmt, path) for fmt, path in targets if fmt != "pdf"}
        first = pdf.first_breaks(report, pool) if "pdf" in formats else None
        files = {fmt: future.result() for fmt, future in others.items()}
    # The workers have ended (and given their memory back) before the big layout.
    for fmt, path in targets:
        if fmt == "pdf":
            files[fmt] = write_output(report, fmt, path, first=first)
    result = BuildResult([files[fmt] for fmt, _ in targets], warnings)
    _stamp(folder, formats, result.files)
    return result


def _stamp(folder: Path, formats: tuple[str, ...], files: list[Path]) -> None:
    """Record a complete build in ``folder/.built``, written last, so that it is newer than the files.

    Only a build of every format counts: after ``--format pdf`` alone the
    Word file may be stale.  The Makefile reads the list back, so that a
    report deleted by hand is rebuilt even though the stamp is newer than
    the inputs.
    """
    if set(formats) != set(FORMATS):
        return
    text = "".join(f"{path}\n" for path in files)
    write_atomically(folder / STAMP, lambda f: f.write(text.encode("utf-8")))
