"""Build a year's report: load → progress → view model → PDF, Word, web site and open data.

This is the only module that knows about the output folder.  The writers
(:mod:`kplan_report.writers`) get the finished outline and a file (or, for
the web site and the open data, a folder) to write into; this module makes
sure a reader never sees a half-written report, nor a PDF of one build
beside the Word draft of another:

1. before any work, the output folder is checked (:func:`check_output`), so
   that ``--out`` naming a file, a read-only folder or a folder where the PDF
   should be is one line at once, not a traceback after the layout;
2. every format is written to a temporary name in the target folder, a file
   or a folder (:func:`staged`), this process owning every temporary name
   whichever process writes it, so that an error, Ctrl-C or SIGTERM removes
   them all;
3. only when all are complete are they put in place, one right after the
   other (:func:`commit`): a file renamed over the old one, a folder swapped
   with the old one in one step; should one fail, those already in place are
   put back, so the folder holds the old set or the new set.

A fault of the output location (no space left, permission …) is an
:class:`OutputError`: one line naming the folder and the reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, wait
from dataclasses import dataclass
from pathlib import Path

from .intake.yamlio import display_path
from .validate.load import Source, missing_actuals
from .views.outline import Report, build_report
from .writers import FOLDERS, WRITERS, get_writer

FORMATS = tuple(WRITERS)

#: Worker processes of a parallel build (the machines it runs on have two cores).
PROCESSES = 2

#: Written into ``<out>/<year>/`` after a build of every format: the files it wrote, one a line.
#: ``make report`` depends on it (it cannot know the file names, which come from the plan).
STAMP = ".built"

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
    so that make, zip tools and mail clients all cope.  A folder format has a
    fixed name (``web``, ``data``): a published site keeps its address."""
    if fmt in FOLDERS:
        return FOLDERS[fmt]
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
        is_folder_format = path.name in FOLDERS.values()
        if path.is_dir() and not is_folder_format:
            raise OutputError(
                f"{display_path(path)}: found a folder; expected the report file or nothing there"
                f"（{display_path(path)} はフォルダです。削除するか別の出力先を指定してください）"
            )
        if path.exists() and not path.is_dir() and is_folder_format:
            raise OutputError(
                f"{display_path(path)}: found a file; expected the folder {path.name} or nothing there"
                f"（{display_path(path)} はファイルです。削除するか別の出力先を指定してください）"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".kplan-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise OutputError(f"{display_path(folder)}: cannot write the reports there: {_reason(error)}") from None


def write_into(report: Report, fmt: str, temporary: str, **options) -> None:
    """Write format ``fmt`` into the (already created) temporary file or folder; may run in a worker."""
    writer = get_writer(fmt)
    if fmt in FOLDERS:
        writer(report, Path(temporary), **options)
        return
    # Opened without O_CREAT: a file removed by the cleanup of an interrupted build is not made anew.
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_TRUNC), "wb") as f:
        writer(report, f, **options)
        f.flush()
        os.fsync(f.fileno())


def _remove(name: str) -> None:
    if os.path.isdir(name) and not os.path.islink(name):
        shutil.rmtree(name, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


@contextlib.contextmanager
def staged(targets: list[Path]) -> Iterator[list[str]]:
    """One temporary name beside each target (a folder for a folder target, see
    :data:`~kplan_report.writers.FOLDERS`); all removed on the way out: what
    :func:`commit` put in place is no longer there, what it swapped out (an
    old site) is."""
    temporaries: list[str] = []
    try:
        for path in targets:
            if path.name in FOLDERS.values():
                name = tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                temporaries.append(name)
                os.chmod(name, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
            else:
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                os.close(fd)
                temporaries.append(name)
                # mkstemp makes the file private (0600); a report is for sharing, as any new file.
                os.chmod(name, 0o666 & ~_umask())
        yield temporaries
    finally:
        for name in temporaries:
            _remove(name)


_RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step


def _exchange(a: Path | str, b: Path | str) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def commit(temporaries: list[str], targets: list[Path]) -> None:
    """Put every temporary file or folder in its target's place; on a failure put the old ones back.

    A file is renamed over the old one, which is kept under a second name (a
    hard link, or a copy) until all are in place.  A folder is swapped with
    the old one in one step (renameat2), the old one landing on the temporary
    name, which :func:`staged` then removes; where that call is missing, the
    old folder is renamed aside first.  Everything happens in a row, signals
    held off, so a reader sees a mixed set only in the microseconds between
    two renames.
    """
    backups: list[str | None] = []
    undo: list[Callable[[], None]] = []
    asides: list[str] = []
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        for path in targets:
            if path.is_file():
                backup = f"{path.parent}/.{path.name}.{os.getpid()}.old"
                _remove(backup)
                try:
                    os.link(path, backup)
                except OSError:  # a file system without hard links (FAT, some network shares)
                    shutil.copy2(path, backup)
                backups.append(backup)
            else:
                backups.append(None)
        try:
            for temporary, path, backup in zip(temporaries, targets, backups):
                undo.append(_put(temporary, path, backup, asides))
        except BaseException:
            for step in reversed(undo):
                step()
            raise
    finally:
        for name in [b for b in backups if b] + asides:
            _remove(name)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _put(temporary: str, path: Path, backup: str | None, asides: list[str]) -> Callable[[], None]:
    """Put ``temporary`` in ``path``'s place; return how to undo it."""
    if os.path.isdir(temporary):
        if not path.exists():
            os.rename(temporary, path)
            return lambda: os.rename(path, temporary)
        if _exchange(temporary, path):
            return lambda: _exchange(temporary, path)
        aside = tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
        asides.append(aside)
        os.rename(path, f"{aside}/{path.name}")
        os.rename(temporary, path)

        def back() -> None:
            os.rename(path, temporary)
            os.rename(f"{aside}/{path.name}", path)
        return back
    os.replace(temporary, path)
    if backup:
        return lambda: os.replace(backup, path)
    return lambda: os.unlink(path)


def write_atomically(path: Path, write: Callable[[object], None]) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with staged([path]) as (temporary,):
        with open(temporary, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        commit([temporary], [path])


def write_folder_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(folder)`` on a new temporary folder next to ``path``, then put it in ``path``'s place
    (swapped with an existing folder in one step): a reader sees the whole old site or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        write(tmp)
        commit([str(tmp)], [path])
    finally:
        _remove(str(tmp))


def write_output(report: Report, fmt: str, path: Path, **options) -> Path:
    """Write one format to its place on its own (the build writes all formats together)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with staged([path]) as (temporary,):
        write_into(report, fmt, temporary, **options)
        commit([temporary], [path])
    return path


@dataclass(frozen=True)
class BuildResult:
    files: list[Path]
    warnings: list[str]


def _ignore_signals() -> None:
    """Workers leave Ctrl-C and SIGTERM to the main process, which waits for them
    and removes their files: no worker traceback, no file written after the cleanup."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _start_layout_worker() -> None:
    """A worker's start: signals left to the main process, and WeasyPrint
    loaded (about half a second of a core, mostly its C bindings'
    declarations), so that a PDF part given to it is laid out at once.

    Both workers load it at once, while the main process loads and checks
    source/: three processes on two cores slow each other down, but an
    edit gives both workers work at once (its part, and the checks of its
    guessed splits), and the second was ready 0.6 s later when they took
    turns."""
    _ignore_signals()
    import weasyprint  # noqa: F401


@contextlib.contextmanager
def workers(formats: tuple[str, ...] = FORMATS) -> Iterator[Executor | None]:
    """The worker processes of a parallel build, started now.

    The command line starts them before it loads and checks source/, so
    that they load WeasyPrint while it does: an edit's PDF part is then laid
    out as soon as the build knows which.  With no PDF to build they load
    nothing.  On the way out they are told to stop; a worker still loading
    is not waited for (after a validation error the command ends at once)."""
    from concurrent.futures import ProcessPoolExecutor

    if "pdf" in formats:
        from .writers.pdf.writer import compile_templates

        compile_templates()  # the workers inherit them compiled
        start = {"initializer": _start_layout_worker}
    else:
        start = {"initializer": _ignore_signals}
    pool = ProcessPoolExecutor(max_workers=PROCESSES, **start)
    pool.submit(int)  # start them (all at once: they are forked)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


#: Laid-out PDF parts, kept between builds (writers/pdf/cache.py), under the output folder.
CACHE_DIR = Path(".cache") / "pdf"


def build(
    source: Source,
    year: int,
    out_dir: Path = Path("build"),
    formats: tuple[str, ...] = FORMATS,
    parallel: bool = True,
    cache: bool = True,
    progress: Callable[[str], None] | None = None,
    final: bool | None = None,
    executor: Executor | None = None,
) -> BuildResult:
    """Write ``out_dir/<year>/`` files for ``formats`` from a validated ``source``.

    The caller loads the source (:func:`kplan_report.validate.load.load_source`),
    so invalid input fails before anything is written.  The PDF is built in
    parts (:mod:`kplan_report.writers.pdf.assemble`), each looked up in
    ``out_dir/.cache/pdf/`` (unless ``cache`` is false) and laid out only if
    it changed.  With ``parallel`` the work is spread over two worker
    processes (the machine has two cores): the Word file, the web site and
    the open data are written in one, and the PDF parts to lay out are
    shared by both; this process then lays out the 目次 and joins.  The
    writers share nothing but the view model.  All are put in place together
    at the end.  ``progress`` is called with a line for each PDF part and
    each file written.
    ``final``: the final edition (最終評価報告書); by default in the plan's last year.
    ``executor``: worker processes already started (:func:`workers`); by
    default a parallel build starts its own.
    """
    from .writers.pdf import assemble
    warnings = missing_actuals(source, year)
    report = build_report(source, year, build_date_from_env(), final=final)
    folder = out_dir / str(year)
    targets = [folder / output_name(report, fmt) for fmt in formats]
    check_output(folder, targets)
    pdf_options = {"cache_dir": out_dir / CACHE_DIR if cache else None, "progress": assemble.Progress(progress)}
    try:
        with staged(targets) as temporaries:
            temp = dict(zip(formats, temporaries))
            if not parallel or "pdf" not in formats:
                for fmt in formats:
                    write_into(report, fmt, temp[fmt], **(pdf_options if fmt == "pdf" else {}))
            else:
                _write_parallel(report, formats, temp, pdf_options, executor)
            commit(temporaries, targets)
        _stamp(folder, formats, targets)
        if progress:
            for path in targets:
                progress(f"wrote {path}")
    except OSError as error:
        if error.errno not in _WRITE_ERRORS:
            raise  # not a fault of the output location: a bug, with its traceback
        raise OutputError(f"{display_path(folder)}: cannot write the reports: {_reason(error)}", status=1) from None
    return BuildResult(targets, warnings)


def _write_parallel(report: Report, formats: tuple[str, ...], temp: dict[str, str], pdf_options: dict,
                    executor: Executor | None = None) -> None:
    if executor is None:
        with workers(formats) as pool:
            _write_parallel(report, formats, temp, pdf_options, pool)
        return
    others = []
    submitted = False

    def submit_others() -> None:
        # after the PDF's parts: an edit's part starts at once, the Word file after it
        nonlocal submitted
        if not submitted:
            submitted = True
            others.extend(executor.submit(write_into, report, fmt, temp[fmt]) for fmt in formats if fmt != "pdf")

    try:
        # the PDF's parts are laid out in the workers too; the 目次 and the join here
        write_into(report, "pdf", temp["pdf"], executor=executor, submitted=submit_others, **pdf_options)
        submit_others()
        for future in others:
            future.result()
    finally:
        # On an error or a signal, wait for the running tasks (never start the
        # queued ones), so that no worker writes after the files are removed.
        for future in others:
            future.cancel()
        wait(others)


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
