"""One subset per font in the joined PDF, instead of one per part.

Each part embeds its own subset of every font it uses (BIZ UDゴシック,
its bold, BIZ UD明朝); joined as they are, the report would carry twelve
subsets of each, four times the single document's size.  WeasyPrint
subsets with HarfBuzz *keeping glyph ids* (``HB_SUBSET_FLAGS_RETAIN_GIDS``),
and writes fonts as Type0 / CIDFontType2 with ``Identity-H`` and
``CIDToGIDMap /Identity``: a glyph has the same id in every part's subset,
and so in every content stream.  So the subsets of a font can be merged
without touching any page: the merged font file has every glyph any subset
has (taken from a subset that has it), the merged ``/W`` every width and
the merged ``ToUnicode`` every mapping (the first part's, in document
order, where two differ), and every page's font resource then points at
the one merged font.  A subset whose part shows characters the font lacks
(encoded through a CMap to .notdef, not Identity-H) is left as it is, so
that its boxes stay boxes and the glyph check of the tests sees them.  Merging the files takes a while (fontTools), so the
result is cached by the subsets' hashes (``blobs``, see :mod:`.cache`).
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")
_PREFIX = re.compile(r"^[A-Z]{6}\+")


def _resources(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every resource dictionary: the pages' and their form XObjects' (the footers)."""
    seen = set()
    todo = [page.obj.get("/Resources") for page in pdf.pages]
    while todo:
        resources = todo.pop()
        if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
            continue
        if resources.objgen != (0, 0):
            seen.add(resources.objgen)
        yield resources
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == Name.Form and "/Resources" in xobject:
                todo.append(xobject.Resources)


def _widths(array) -> dict[int, object]:
    out, items, i = {}, list(array), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for n, width in enumerate(items[i + 1]):
                out[first + n] = width
            i += 2
        else:
            for cid in range(first, int(items[i + 1]) + 1):
                out[cid] = items[i + 2]
            i += 3
    return out


def _width_array(widths: dict[int, object]) -> Array:
    array, run = Array(), None
    for cid in sorted(widths):
        if cid - 1 not in widths:
            run = Array()
            array.append(cid)
            array.append(run)
        run.append(widths[cid])
    return array


def _to_unicode(stream) -> dict[int, bytes]:
    return {int(gid, 16): text for gid, text in _BFCHAR.findall(stream.read_bytes())}


def _to_unicode_stream(pdf: pikepdf.Pdf, mapping: dict[int, bytes]) -> pikepdf.Stream:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (gid, text.lower()) for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    stream = pikepdf.Stream(pdf, b"\n".join(lines))
    return stream


class _Subset:
    """The tables of one TrueType subset that the merge reads, raw."""

    def __init__(self, data: bytes):
        count = struct.unpack_from(">H", data, 4)[0]
        self.tables = {}
        for n in range(count):
            tag, _, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * n)
            self.tables[tag.decode("latin-1")] = data[offset:offset + length]
        self.glyph_count = struct.unpack_from(">H", self.tables["maxp"], 4)[0]
        long = struct.unpack_from(">h", self.tables["head"], 50)[0]
        loca = self.tables["loca"]
        if long:
            self.offsets = struct.unpack_from(f">{self.glyph_count + 1}L", loca)
        else:
            self.offsets = [2 * x for x in struct.unpack_from(f">{self.glyph_count + 1}H", loca)]
        metrics = struct.unpack_from(">H", self.tables["hhea"], 34)[0]
        hmtx = self.tables["hmtx"]
        self.metrics = [struct.unpack_from(">Hh", hmtx, 4 * n) for n in range(metrics)]
        last = self.metrics[-1][0]
        self.metrics += [(last, struct.unpack_from(">h", hmtx, 4 * metrics + 2 * n)[0])
                         for n in range(self.glyph_count - metrics)]

    def glyph(self, gid: int) -> bytes:
        if gid >= self.glyph_count:
            return b""
        return self.tables["glyf"][self.offsets[gid]:self.offsets[gid + 1]]


def _components(glyph: bytes) -> list[int]:
    """Glyph ids of the components of a composite glyph (none for a simple one)."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph, 0)[0] >= 0:
        return []
    out, at = [], 10
    while True:
        flags, gid = struct.unpack_from(">HH", glyph, at)
        out.append(gid)
        at += 4 + (4 if flags & 0x1 else 2)
        at += 8 if flags & 0x80 else 4 if flags & 0x40 else 2 if flags & 0x8 else 0
        if not flags & 0x20:
            return out


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}L", data)) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """A TrueType file of ``tables`` (tags sorted, checksums, head's adjustment)."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">LHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = 12 + 16 * count
    directory, body = b"", b""
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sLLL", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    if "head" in tables:
        at = 12 + 16 * count + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[:tags.index("head")])
        struct.pack_into(">L", font, at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def merge_font_files(files: list[bytes], used: list[set[int]]) -> bytes:
    """One TrueType file with the glyphs ``used[i]`` (glyph ids) of each subset ``files[i]``
    of one font, each taken from the first subset that uses it.

    Only *used* glyphs are trusted: beyond the glyphs a part uses, a subset
    may hold others under ids that are not their own (seen with WeasyPrint
    70 and HarfBuzz: a few glyphs after the last used one), so a glyph is
    never taken from a subset that does not use it; the components of a
    composite glyph come from the same subset (with kept glyph ids, a
    component's id is the same in every subset).  Works on the raw tables
    (the fontTools round trip took seconds): new glyf, loca (long), hmtx
    (all long metrics) and maxp/hhea/head fields; the vertical metrics are
    dropped (a PDF's Identity-H text does not read them)."""
    subsets = [_Subset(data) for data in files]
    base = max(range(len(subsets)), key=lambda n: subsets[n].glyph_count)
    count = subsets[base].glyph_count
    source: dict[int, int] = {}
    for n, (subset, gids) in enumerate(zip(subsets, used)):
        todo = [gid for gid in gids if gid < count]
        while todo:
            gid = todo.pop()
            if gid in source:
                continue
            source[gid] = n
            todo += _components(subset.glyph(gid))
    source.setdefault(0, base)  # .notdef
    glyf, loca, hmtx = bytearray(), [], bytearray()
    for gid in range(count):
        n = source.get(gid)
        glyph = subsets[n].glyph(gid) if n is not None else b""
        loca.append(len(glyf))
        glyf += glyph + b"\0" * (-len(glyph) % 4)
        advance, lsb = subsets[n if n is not None else base].metrics[gid] if gid < subsets[
            n if n is not None else base].glyph_count else (0, 0)
        hmtx += struct.pack(">Hh", advance, lsb)
    loca.append(len(glyf))
    tables = {tag: data for tag, data in subsets[base].tables.items() if tag not in ("vhea", "vmtx", "DSIG")}
    head = bytearray(tables["head"])
    struct.pack_into(">h", head, 50, 1)
    struct.pack_into(">L", head, 8, 0)
    hhea = bytearray(tables["hhea"])
    struct.pack_into(">H", hhea, 34, count)
    tables.update(glyf=bytes(glyf), loca=struct.pack(f">{count + 1}L", *loca), hmtx=bytes(hmtx),
                  head=bytes(head), hhea=bytes(hhea))
    return _sfnt(tables)


def share_subsets(pdf: pikepdf.Pdf, blobs=None) -> None:
    """Replace every font's per-part subsets by one merged font (see the module docstring).

    ``blobs``: an object with ``get_blob(key)``/``put_blob(key, data)``
    keeping merged font files between builds (None: merge every time)."""
    groups: dict[str, list] = {}
    for resources in _resources(pdf):
        for font in resources.get("/Font", {}).values():
            if font.get("/Subtype") != Name.Type0:
                continue
            descendant = font.DescendantFonts[0]
            if "/FontFile2" not in descendant.FontDescriptor:
                continue
            if font.get("/Encoding") != Name("/Identity-H"):
                # WeasyPrint writes a CMap instead of Identity-H when the part's text has
                # characters the font lacks: it maps their codes to glyph 0, so that they
                # show as .notdef.  Merged under another part's Identity-H they would show
                # whatever glyph their code names, or nothing: such a font keeps its subset.
                continue
            name = _PREFIX.sub("", str(font.BaseFont)[1:])
            group = groups.setdefault(name, [])
            if all(font.objgen != other.objgen for other in group):
                group.append(font)
    replacement = {}
    for name, group in groups.items():
        if len(group) < 2:
            continue
        first = group[0]
        files = [f.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes() for f in group]
        used = [set(_widths(f.DescendantFonts[0].W)) for f in group]
        digest = hashlib.sha256()
        for data, gids in zip(files, used):
            digest.update(hashlib.sha256(data).digest() + repr(sorted(gids)).encode())
        key = "font-" + digest.hexdigest()
        merged = blobs.get_blob(key) if blobs else None
        if merged is None:
            merged = merge_font_files(files, used)
            if blobs:
                blobs.put_blob(key, merged)
        widths: dict[int, object] = {}
        to_unicode: dict[int, bytes] = {}
        bbox = None
        for font in group:
            descendant = font.DescendantFonts[0]
            for cid, width in _widths(descendant.W).items():
                widths.setdefault(cid, width)
            for gid, text in _to_unicode(font.ToUnicode).items():
                to_unicode.setdefault(gid, text)
            box = [float(x) for x in descendant.FontDescriptor.FontBBox]
            bbox = box if bbox is None else [min(bbox[0], box[0]), min(bbox[1], box[1]),
                                             max(bbox[2], box[2]), max(bbox[3], box[3])]
        descendant = first.DescendantFonts[0]
        file = pikepdf.Stream(pdf, merged)
        file.Length1 = len(merged)
        descriptor = pdf.make_indirect(Dictionary({k: v for k, v in descendant.FontDescriptor.items()}))
        descriptor.FontFile2 = pdf.make_indirect(file)
        descriptor.FontBBox = Array(bbox)
        cid_font = pdf.make_indirect(Dictionary({k: v for k, v in descendant.items()}))
        cid_font.W = _width_array(widths)
        cid_font.FontDescriptor = descriptor
        shared = pdf.make_indirect(Dictionary({k: v for k, v in first.items()}))
        shared.DescendantFonts = Array([cid_font])
        shared.ToUnicode = pdf.make_indirect(_to_unicode_stream(pdf, to_unicode))
        for font in group:
            replacement[font.objgen] = shared
    if not replacement:
        return
    for resources in _resources(pdf):
        fonts = resources.get("/Font")
        if fonts is None:
            continue
        for key in list(fonts.keys()):
            font = fonts[key]
            if font.objgen in replacement:
                fonts[key] = replacement[font.objgen]
