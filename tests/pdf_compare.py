"""What two PDFs must share to be "the same report" (tests/test_pdf_parts.py):
page images, text, outline, named destinations, links, and the mapping of
marked content to the structure tree.  Read with pikepdf and poppler only."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf

_MCID = re.compile(rb"/MCID\s+(\d+)")


def page_images(pdf: Path, folder: Path, dpi: int = 50) -> list[bytes]:
    """Every page as PNG bytes (poppler's pdftoppm)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "p")], check=True)
    return [path.read_bytes() for path in sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem[2:]))]


def text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout.decode()


def _page_index(pdf: pikepdf.Pdf) -> dict:
    return {page.obj.objgen: n for n, page in enumerate(pdf.pages)}


def _dest(pdf: pikepdf.Pdf, dest, names: dict) -> tuple:
    """(page index, x, y) of an explicit or named destination."""
    if isinstance(dest, pikepdf.String):
        dest = names[bytes(dest)]
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.D
    return (_page_index(pdf)[dest[0].objgen], round(float(dest[2]), 2), round(float(dest[3]), 2))


def _name_tree(node) -> dict:
    out = {}
    items = list(node.get("/Names", []))
    for name, value in zip(items[0::2], items[1::2]):
        out.setdefault(bytes(name), value)
    for kid in node.get("/Kids", []):
        out.update(_name_tree(kid))
    return out


def named_destinations(pdf: pikepdf.Pdf) -> dict[bytes, tuple]:
    names = _name_tree(pdf.Root.Names.Dests) if "/Names" in pdf.Root else {}
    return {name: _dest(pdf, dest, names) for name, dest in names.items()}


def outline(pdf: pikepdf.Pdf) -> list[tuple]:
    """(depth, title, page, x, y, open) of every outline item, in order."""
    names = _name_tree(pdf.Root.Names.Dests) if "/Names" in pdf.Root else {}
    out = []

    def walk(item, depth):
        while item is not None:
            out.append((depth, str(item.Title), *_dest(pdf, item.Dest, names), int(item.get("/Count", 0)) >= 0))
            if "/First" in item:
                walk(item.First, depth + 1)
            item = item.get("/Next")

    if "/Outlines" in pdf.Root and "/First" in pdf.Root.Outlines:
        walk(pdf.Root.Outlines.First, 1)
    return out


def links(pdf: pikepdf.Pdf) -> list[tuple]:
    """(page, rectangle, target (page, x, y) or URI) of every link annotation."""
    names = _name_tree(pdf.Root.Names.Dests) if "/Names" in pdf.Root else {}
    out = []
    for n, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != pikepdf.Name.Link:
                continue
            rect = tuple(round(float(x), 2) for x in annotation.Rect)
            if "/Dest" in annotation:
                target = _dest(pdf, annotation.Dest, names)
            else:
                target = str(annotation.A.URI)
            out.append((n, rect, target))
    return out


def _structure_elements(pdf: pikepdf.Pdf) -> int:
    count, todo, seen = 0, [pdf.Root.StructTreeRoot], set()
    while todo:
        node = todo.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != pikepdf.Name.OBJR \
                    and kid.get("/Type") != pikepdf.Name.MCR and kid.objgen not in seen:
                seen.add(kid.objgen)
                count += 1
                todo.append(kid)
    return count


def structure(pdf: pikepdf.Pdf) -> dict:
    """The structure tree's size and what of it is broken.

    ``unmapped``: marked-content items (page, MCID) whose ParentTree entry
    is missing or is a structure element of another page; ``annotations``:
    link annotations without a ParentTree entry pointing back at them."""
    root = pdf.Root.StructTreeRoot
    tree = {}
    todo = [root.ParentTree]
    while todo:
        node = todo.pop()
        items = list(node.get("/Nums", []))
        for key, value in zip(items[0::2], items[1::2]):
            tree[int(key)] = value
        todo += list(node.get("/Kids", []))
    index = _page_index(pdf)
    unmapped, marked = [], 0
    for n, page in enumerate(pdf.pages):
        contents = page.obj.Contents
        content = b"".join([contents.read_bytes()] if isinstance(contents, pikepdf.Stream)
                           else [c.read_bytes() for c in contents])
        mcids = [int(m) for m in _MCID.findall(content)]
        marked += len(mcids)
        entry = tree.get(int(page.obj.get("/StructParents", -1)))
        for mcid in mcids:
            element = entry[mcid] if entry is not None and mcid < len(entry) else None
            if not isinstance(element, pikepdf.Dictionary) or "/S" not in element \
                    or index.get(element.get("/Pg", pikepdf.Dictionary()).objgen) != n:
                unmapped.append((n + 1, mcid))
    bad_annotations = []
    for n, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            element = tree.get(int(annotation.get("/StructParent", -1)))
            if not isinstance(element, pikepdf.Dictionary):
                bad_annotations.append((n + 1, "no entry"))
                continue
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            if not any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == pikepdf.Name.OBJR
                       and k.Obj.objgen == annotation.objgen for k in kids):
                bad_annotations.append((n + 1, "element does not point back"))
    return {"elements": _structure_elements(pdf), "marked": marked, "unmapped": unmapped,
            "annotations": bad_annotations}
