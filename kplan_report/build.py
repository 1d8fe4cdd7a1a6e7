"""Build a year's report: load → progress → view model → PDF and Word files.

This is the only module that knows about the output folder.  The writers
(:mod:`kplan_report.writers`) get the finished outline and a file to write
into; this module makes sure a reader never sees a half-written report, nor
a PDF of one build beside the Word draft of another:

1. before any work, the output folder is checked (:func:`check_output`), so
   that ``--out`` naming a file, a read-only folder or a folder where the PDF
   should be is one line at once, not a traceback after the layout;
2. every format is written to a temporary name in the target folder
   (:func:`staged`), this process owning every temporary file whichever
   process writes it, so that an error, Ctrl-C or SIGTERM removes them all;
3. only when all are complete are they renamed into place, one right after
   the other (:func:`commit`); should a rename fail, the ones already renamed
   are put back, so the folder holds the old set or the new set.

A fault of the output location (no space left, permission …) is an
:class:`OutputError`: one line naming the file and the reason.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .intake.yamlio import display_path
from .validate.load import Source, missing_actuals
from .views.outline import Report, build_report
from .writers import WRITERS, get_writer

FORMATS = tuple(WRITERS)

#: Worker processes of a parallel build (the machines it runs on have two cores).
PROCESSES = 2

#: The latest build date SOURCE_DATE_EPOCH may give (the report prints 和暦 years).
_LAST_EPOCH = int(datetime.datetime(9999, 12, 31, tzinfo=datetime.timezone.utc).timestamp())


class OutputError(Exception):
    """The report cannot be written where asked; the message says where and why, in one line.

    ``status`` is the exit status: 2 when the command line or its environment
    asks for the impossible (found before any work), 1 when writing failed.
    """

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def output_name(report: Report, fmt: str) -> str:
    """File name of a report: the plan's ASCII id and the year (``<id>-<year>.pdf``),
    so that make, zip tools and mail clients all cope."""
    return f"{report.file_stem}.{fmt}"


def build_date_from_env() -> datetime.date | None:
    """The build date from ``SOURCE_DATE_EPOCH`` (reproducible-builds.org), if set.

    Without it the report uses the actuals' report date, never the clock, so
    that the same input always gives the same bytes.  The specification asks
    for a whole number of seconds since 1970; anything else is refused (an
    :class:`OutputError`, as the environment of the build is at fault).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    text = epoch.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > _LAST_EPOCH:
        raise OutputError(
            f"SOURCE_DATE_EPOCH: found {epoch!r}; expected a whole number of seconds since 1970-01-01, "
            f"such as 1656547200（SOURCE_DATE_EPOCH には1970年からの秒数を整数で指定してください）"
        )
    return datetime.datetime.fromtimestamp(int(text), tz=datetime.timezone.utc).date()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: What writing a file can meet that is the output location's fault, not a bug.
_WRITE_ERRORS = {
    errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EACCES, errno.EPERM, errno.EROFS,
    errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EXDEV, errno.EMLINK,
}


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "no space left on the disk（ディスクの空き容量がありません）"
    if error.errno == errno.EROFS:
        return "the disk is read-only（読み取り専用のため書き込めません）"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "no permission to write there（書き込む権限がありません）"
    return f"{error.strerror or error}（書き込めません）"


def check_output(folder: Path, targets: list[Path]) -> None:
    """Refuse, before any work, an output folder the report cannot be written to."""
    for parent in [folder, *folder.parents]:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise OutputError(
                    f"{display_path(parent)}: found a file; expected a folder for the reports"
                    f"（出力先 {display_path(parent)} はファイルです。フォルダを指定してください）"
                )
            break
    for path in targets:
        if path.is_dir():
            raise OutputError(
                f"{display_path(path)}: found a folder; expected the report file or nothing there"
                f"（{display_path(path)} はフォルダです。削除するか別の出力先を指定してください）"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".kplan-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise OutputError(f"{display_path(folder)}: cannot write the reports there: {_reason(error)}") from None


def write_into(report: Report, fmt: str, temporary: str, **options) -> None:
    """Write format ``fmt`` into the (already created) file ``temporary``; may run in a worker."""
    writer = get_writer(fmt)
    # Opened without O_CREAT: a file removed by the cleanup of an interrupted build is not made anew.
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_TRUNC), "wb") as f:
        writer(report, f, **options)
        f.flush()
        os.fsync(f.fileno())


@contextlib.contextmanager
def staged(targets: list[Path]) -> Iterator[list[str]]:
    """One temporary file beside each target; all removed unless :func:`commit` took them."""
    temporaries: list[str] = []
    try:
        for path in targets:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            temporaries.append(name)
            # mkstemp makes the file private (0600); a report is for sharing, as any new file.
            os.chmod(name, 0o666 & ~_umask())
        yield temporaries
    finally:
        for name in temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


def commit(temporaries: list[str], targets: list[Path]) -> None:
    """Rename every temporary file over its target; on a failure put the old files back.

    The old files are kept under a second name (a hard link, or a copy) until all
    renames have succeeded.  The renames follow each other with nothing in
    between, signals held off, so a reader sees a mixed set only in the
    microseconds between two ``rename`` calls.
    """
    backups: list[str | None] = []
    done: list[int] = []
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        for path in targets:
            if path.exists():
                backup = f"{path.parent}/.{path.name}.{os.getpid()}.old"
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(backup)
                try:
                    os.link(path, backup)
                except OSError:  # a file system without hard links (FAT, some network shares)
                    shutil.copy2(path, backup)
                backups.append(backup)
            else:
                backups.append(None)
        try:
            for i, (temporary, path) in enumerate(zip(temporaries, targets)):
                os.replace(temporary, path)
                done.append(i)
        except BaseException:
            for i in reversed(done):
                if backups[i]:
                    os.replace(backups[i], targets[i])
                    backups[i] = None
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(targets[i])
            raise
    finally:
        for backup in backups:
            if backup:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(backup)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def write_atomically(path: Path, write: Callable[[object], None]) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with staged([path]) as (temporary,):
        with open(temporary, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        commit([temporary], [path])


@dataclass(frozen=True)
class BuildResult:
    files: list[Path]
    warnings: list[str]


def _ignore_signals() -> None:
    """Workers leave Ctrl-C and SIGTERM to the main process, which waits for them
    and removes their files: no worker traceback, no file written after the cleanup."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def build(
    source: Source,
    year: int,
    out_dir: Path = Path("build"),
    formats: tuple[str, ...] = FORMATS,
    parallel: bool = True,
) -> BuildResult:
    """Write ``out_dir/<year>/`` files for ``formats`` from a validated ``source``.

    The caller loads the source (:func:`kplan_report.validate.load.load_source`),
    so invalid input fails before anything is written.  With ``parallel`` the work is spread
    over two worker processes (the machine has two cores): the Word file is
    written in one, and the PDF's first layout (one 具体的目標 at a time, see
    :func:`kplan_report.writers.pdf.writer.first_breaks`) in both, while this process waits;
    then, the workers gone, this process lays out and writes the PDF.  The
    writers share nothing but the view model.  All files are renamed into
    place together at the end.
    """
    warnings = missing_actuals(source, year)
    date = build_date_from_env()
    report = build_report(source, year, date)
    folder = out_dir / str(year)
    targets = [folder / output_name(report, fmt) for fmt in formats]
    check_output(folder, targets)
    try:
        with staged(targets) as temporaries:
            temp = dict(zip(formats, temporaries))
            if not parallel or formats == ("docx",):
                for fmt in formats:
                    write_into(report, fmt, temp[fmt])
            else:
                _write_parallel(report, formats, temp)
            commit(temporaries, targets)
    except OSError as error:
        if error.errno not in _WRITE_ERRORS:
            raise  # not a fault of the output location: a bug, with its traceback
        raise OutputError(f"{display_path(folder)}: cannot write the reports: {_reason(error)}", status=1) from None
    return BuildResult(targets, warnings)


def _write_parallel(report: Report, formats: tuple[str, ...], temp: dict[str, str]) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from .writers.pdf import writer as pdf

    import weasyprint  # noqa: F401  (loaded once, before the workers fork)

    pool = ProcessPoolExecutor(max_workers=PROCESSES, initializer=_ignore_signals)
    try:
        others = [pool.submit(write_into, report, fmt, temp[fmt]) for fmt in formats if fmt != "pdf"]
        first = pdf.first_breaks(report, pool) if "pdf" in formats else None
        for future in others:
            future.result()
    finally:
        # On an error or a signal, wait for the running tasks (never start the
        # queued ones), so that no worker writes after the files are removed.
        pool.shutdown(wait=True, cancel_futures=True)
    # The workers have ended (and given their memory back) before the big layout.
    if "pdf" in formats:
        write_into(report, "pdf", temp["pdf"], first=first)
