"""Opening a Word draft that comes back from outside, defensively.

The draft goes out to council members and departments and comes back by
mail or on a stick: it is untrusted input.  This module is the only place
that opens it, and it refuses — with one line each, before anything else
looks at the file — whatever is not a plain Word document:

* a file that is not a zip package, an encrypted entry, a name that is not
  a plain part name;
* a macro-enabled document: a ``.docm``/``.dotm`` name, a ``vbaProject.bin``
  or any ``.bin`` part of VBA, a content type of a macro-enabled document;
* a zip bomb: at most :data:`MAX_PARTS` entries, :data:`MAX_PART_BYTES` per
  part and :data:`MAX_TOTAL_BYTES` in all once inflated, and no entry
  inflating more than :data:`MAX_RATIO` times; the declared sizes are not
  trusted, every read stops at its limit;
* XML with a DTD (``<!DOCTYPE``, so no entity can be declared: XXE and
  "billion laughs"), parsed anyway with entities unresolved, no network, no
  DTD loading and lxml's normal (not "huge") limits;
* more than :data:`MAX_ELEMENTS` elements in a part (a million paragraphs end
  here, in bounded time and memory: parsing stops at the limit);
* an external relationship (``TargetMode="External"``) of a part that is
  read: it is never followed, and it is an error, because a draft made from
  this tool's output has none.

The real draft is about 0.9 MB of document XML in a 0.3 MB file; the
limits are far above that and far below what hurts.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..validate.messages import InputError

MAX_FILE_BYTES = 50_000_000
MAX_PARTS = 2_000
MAX_PART_BYTES = 25_000_000
MAX_TOTAL_BYTES = 120_000_000
MAX_RATIO = 200  # a well-compressed XML part inflates 10–30 times; zeros inflate 1000 times
MAX_ELEMENTS = 600_000  # the FY2021 draft has 41,000 (70,000 saved by LibreOffice), the FY2023 final 63,000 (112,000)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MACRO_TYPE = re.compile(r"macroEnabled|vbaProject|vbaData|ms-office\.activeX", re.IGNORECASE)
_MACRO_PART = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml)$|(^|/)activeX/|(^|/)embeddings/.*\.bin$", re.IGNORECASE)


@dataclass(frozen=True)
class DraftProblem:
    """One reason a draft cannot be read back: ``FILE: FIELD: found …; expected …``.

    Like :class:`~kplan_report.validate.messages.Problem`, without a line:
    a DOCX has no lines a person could go to; ``field`` is the passage's
    tag, or empty when the problem concerns the whole file.
    """

    file: str
    field: str
    found: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}: " + (f"{self.field}: " if self.field else "")
        return f"{where}found {self.found}; expected {self.expected}"


def refuse(display: str, found: str, expected: str, field: str = "") -> InputError:
    return InputError([DraftProblem(display, field, found, expected)])  # type: ignore[list-item]


NOT_A_DOCX = "a Word document (.docx) saved by Word or LibreOffice（Word 文書（.docx）を指定してください）"


@dataclass
class Package:
    """The parts of a draft that the review reads, parsed."""

    display: str
    names: list[str]
    xml: dict[str, etree._Element] = field(default_factory=dict)

    def part(self, name: str) -> etree._Element | None:
        return self.xml.get(name)


class _Reader:
    def __init__(self, path: Path, display: str):
        self.path = path
        self.display = display
        self.total = 0

    def fail(self, found: str, expected: str = NOT_A_DOCX) -> InputError:
        return refuse(self.display, found, expected)

    def open(self) -> zipfile.ZipFile:
        if self.path.suffix.lower() in (".docm", ".dotm"):
            raise self.fail(f"a macro-enabled document ({self.path.suffix})",
                            "a .docx without macros; save it as 「Word 文書 (*.docx)」（マクロ付き文書は読み込みません）")
        try:
            size = self.path.stat().st_size
        except OSError as error:
            raise self.fail(f"a file that cannot be read ({error.strerror})", "a readable .docx（ファイルを読み込めません）") from None
        if size > MAX_FILE_BYTES:
            raise self.fail(f"a file of {size:,} bytes", f"at most {MAX_FILE_BYTES:,} bytes（ファイルが大きすぎます）")
        data = self.path.read_bytes()
        if not data.startswith(b"PK\x03\x04"):
            kind = "an old Word document (.doc)" if data.startswith(b"\xd0\xcf\x11\xe0") else "a file that is not a zip package"
            raise self.fail(kind)
        try:
            return zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            raise self.fail(f"a damaged zip package ({error})") from None

    def check_entries(self, zf: zipfile.ZipFile) -> list[str]:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise self.fail(f"{len(infos):,} parts in the package", f"at most {MAX_PARTS:,}（部品が多すぎます）")
        declared = 0
        for info in infos:
            name = info.filename
            if info.flag_bits & 0x1:
                raise self.fail(f"an encrypted part {name!r}", "a document without a password（パスワード付きの文書は読み込めません）")
            if name.startswith("/") or "\\" in name or ".." in name.split("/") or "\x00" in name:
                raise self.fail(f"a part named {name!r}")
            if _MACRO_PART.search(name):
                raise self.fail(f"a part holding macros or binary code ({name})",
                                "a .docx without macros; save it as 「Word 文書 (*.docx)」（マクロ付き文書は読み込みません）")
            if info.file_size > MAX_PART_BYTES:
                raise self.fail(f"a part {name} of {info.file_size:,} bytes uncompressed",
                                f"at most {MAX_PART_BYTES:,} bytes per part（部品が大きすぎます）")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise self.fail(f"a part {name} that inflates {info.file_size / info.compress_size:,.0f} times (a zip bomb)",
                                f"at most {MAX_RATIO} times（圧縮率が異常です）")
            declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            raise self.fail(f"{declared:,} bytes uncompressed in all", f"at most {MAX_TOTAL_BYTES:,}（ファイルが大きすぎます）")
        return [i.filename for i in infos]

    def read(self, zf: zipfile.ZipFile, name: str) -> bytes:
        """The part's bytes, read only up to the limits whatever the zip declares."""
        info = zf.getinfo(name)
        limit = min(MAX_PART_BYTES, MAX_TOTAL_BYTES - self.total, max(info.compress_size, 1) * MAX_RATIO)
        try:
            with zf.open(info) as f:
                data = f.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            raise self.fail(f"a damaged part {name} ({error})") from None
        if len(data) > limit:
            raise self.fail(f"a part {name} larger than it declares or than the limits (a zip bomb)",
                            f"at most {MAX_PART_BYTES:,} bytes per part and {MAX_RATIO} times its compressed size（ファイルが大きすぎます）")
        self.total += len(data)
        return data

    def parse(self, name: str, data: bytes) -> etree._Element:
        head = data[:4096].lstrip(b"\xef\xbb\xbf")
        if b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in head.upper():
            raise self.fail(f"a DTD in {name} (<!DOCTYPE …>)", "XML without a DTD or entities, as Word writes it（DTD を含む文書は読み込みません）")
        count = 0
        try:
            events = etree.iterparse(io.BytesIO(data), events=("start",), resolve_entities=False, no_network=True,
                                     load_dtd=False, huge_tree=False, remove_pis=True, dtd_validation=False)
            for _ in events:
                count += 1
                if count > MAX_ELEMENTS:  # stop parsing here: a million paragraphs cost no more than this
                    raise self.fail(f"more than {MAX_ELEMENTS:,} elements in {name}",
                                    f"at most {MAX_ELEMENTS:,}（文書が大きすぎます）")
            root = events.root
        except etree.XMLSyntaxError as error:
            raise self.fail(f"XML that cannot be read in {name} ({error.msg})") from None
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise self.fail(f"a DTD in {name}", "XML without a DTD or entities（DTD を含む文書は読み込みません）")
        for el in root.iter(etree.Entity):
            raise self.fail(f"an entity reference &{el.name}; in {name}", "XML without entities（実体参照を含む文書は読み込みません）")
        return root


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def open_draft(path: Path, display: str, parts: tuple[str, ...] = ("word/comments.xml", "docProps/custom.xml")) -> Package:
    """Check the package and parse ``word/document.xml`` and ``parts`` (those present);
    raise :class:`InputError` with one line when the draft must be refused."""
    reader = _Reader(Path(path), display)
    zf = reader.open()
    with zf:
        names = reader.check_entries(zf)
        if "[Content_Types].xml" not in names:
            raise reader.fail("a zip package without [Content_Types].xml")
        types = reader.parse("[Content_Types].xml", reader.read(zf, "[Content_Types].xml"))
        for el in types:
            content_type = el.get("ContentType") or ""
            if _MACRO_TYPE.search(content_type):
                raise reader.fail(f"a macro-enabled content type ({content_type})",
                                  "a .docx without macros; save it as 「Word 文書 (*.docx)」（マクロ付き文書は読み込みません）")
        main = [el.get("PartName", "").lstrip("/") for el in types
                if el.tag == f"{{{CT_NS}}}Override" and el.get("ContentType") == MAIN_TYPE]
        if main != ["word/document.xml"] or "word/document.xml" not in names:
            raise reader.fail("a package whose main part is not word/document.xml (not a Word document)")
        package = Package(display, names)
        wanted = ["word/document.xml", *(p for p in parts if p in names)]
        for rels in ["_rels/.rels", *(_rels_name(p) for p in wanted)]:
            if rels not in names:
                continue
            root = reader.parse(rels, reader.read(zf, rels))
            for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
                if (rel.get("TargetMode") or "").lower() == "external":
                    raise reader.fail(f"an external relationship in {rels} (to {rel.get('Target', '')[:80]!r})",
                                      "a document that links to nothing outside it; remove the link（外部へのリンクを含む文書は読み込みません）")
        for name in wanted:
            package.xml[name] = reader.parse(name, reader.read(zf, name))
    return package
