"""A cache of laid-out parts, in ``build/.cache/pdf/``: only what changed is laid out again.

A part is keyed by the SHA-256 of everything its PDF follows from: its
first HTML (the splits follow from it), the stylesheet, the WeasyPrint
options, WeasyPrint's version, and our version with the source of this
package (a change to the join or the splitting code must not reuse old
parts).  Fonts are the system's: a changed font file is not seen (``make
clean`` or ``--no-cache`` after a font upgrade).

An entry is one file ``<key>.part``: a JSON header line (format, key, the
SHA-256 and size of the PDF, the part's page count, anchors and bookmarks),
then the PDF.  It is written to a temporary file in the same folder and
renamed into place, so concurrent builds never see half an entry (two
builds writing the same key write the same bytes; the last rename wins).
An entry is trusted only if its header parses, names its own key and the
PDF's hash matches: anything else — truncated, corrupt, from another
version or another program — is ignored, laid out again and overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path

from ... import __version__
from .parts import PartResult
from .writer import TEMPLATE_DIR

FORMAT = "kplan-report-pdf-part/1"

#: Entries kept at most: the newest (by last use); each build prunes the rest.
#: A build of the FY2021 sample uses 54 (4.1 MB): 15 parts and the joined PDF,
#: and for each 具体的目標 its splits, its latest splits and what each of
#: its quick layouts found (small JSON lists).
MAX_ENTRIES = 400

#: The modules a part's PDF follows from (not the join: it reads parts, it does not make them).
PART_MODULES = ("writer.py", "parts.py")
#: The modules the joined PDF follows from, given its parts.
JOIN_MODULES = ("join.py", "fonts.py")


@cache
def _code_digest(modules: tuple[str, ...] = PART_MODULES) -> str:
    """Our version and the source of ``modules`` (those that lay a part out)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent / name for name in modules):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def _engine_version() -> str:
    """WeasyPrint's version, read from its installed metadata: importing
    WeasyPrint takes about a second (its C bindings), which a build whose
    parts all come from the cache does without."""
    from importlib.metadata import version

    return version("weasyprint")


def part_key(html: str, options: dict) -> str:
    """The cache key of a part laid out from ``html`` with ``options``."""
    digest = hashlib.sha256()
    for piece in (FORMAT, _code_digest(), _engine_version(), json.dumps(options, sort_keys=True, default=str),
                  (TEMPLATE_DIR / "print" / "report.css").read_text("utf-8"), html):
        data = piece.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def breaks_key(html: str, options: dict) -> str:
    """The cache key of the first splits of a 具体的目標, found from the quick
    layouts that start from ``html`` (:func:`.writer.objective_breaks`)."""
    return part_key("breaks\0" + html, options)


def joined_key(keys: list[str]) -> str:
    """The cache key of the PDF joined from the parts stored under ``keys``
    (front first, the footer document last): the join reads nothing else."""
    digest = hashlib.sha256()
    for piece in (FORMAT, "joined", _code_digest(JOIN_MODULES), *keys):
        data = piece.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


class PartCache:
    """Laid-out parts on disk; ``folder`` is created when the first entry is stored."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.part"

    def get(self, key: str) -> PartResult | None:
        """The part stored under ``key``, or None if absent or not trustworthy."""
        try:
            data = self._path(key).read_bytes()
            head, _, pdf = data.partition(b"\n")
            header = json.loads(head)
            if (header.get("format") != FORMAT or header.get("key") != key or header.get("size") != len(pdf)
                    or header.get("sha256") != hashlib.sha256(pdf).hexdigest() or not pdf.startswith(b"%PDF-")):
                return None
            self._touch(key)
            return PartResult.from_meta(header["meta"], pdf)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _touch(self, key: str) -> None:
        """Mark an entry as used now (pruning keeps the most recently used)."""
        try:
            os.utime(self._path(key))
        except OSError:
            pass

    def prune(self, limit: int = MAX_ENTRIES) -> int:
        """Remove all but the ``limit`` most recently used entries; how many were removed.

        Safe while another build runs: an entry it is about to read and finds
        gone is laid out again, like any missing entry."""
        entries = []
        for path in self.folder.glob("*.part"):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue
        entries.sort(reverse=True)
        removed = 0
        for _, path in entries[limit:]:
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        return removed

    def put(self, key: str, part: PartResult) -> None:
        self._write(key, part.pdf, part.meta())

    def get_blob(self, key: str) -> bytes | None:
        """Bytes stored with :meth:`put_blob` (the merged fonts), checked like a part."""
        try:
            head, _, data = self._path(key).read_bytes().partition(b"\n")
            header = json.loads(head)
            if (header.get("format") != FORMAT or header.get("key") != key or header.get("size") != len(data)
                    or header.get("sha256") != hashlib.sha256(data).hexdigest()):
                return None
            self._touch(key)
            return data
        except (OSError, ValueError, AttributeError):
            return None

    def put_blob(self, key: str, data: bytes) -> None:
        self._write(key, data, None)

    def _write(self, key: str, data: bytes, meta: dict | None) -> None:
        header = {"format": FORMAT, "key": key, "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest(), "meta": meta}
        head = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(head + b"\n" + data)
            os.replace(tmp, self._path(key))
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
