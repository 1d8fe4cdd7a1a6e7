"""Join the separately laid-out parts (:mod:`.parts`) into one PDF, with pikepdf.

WeasyPrint's maintainers advise joining PDFs with a PDF library rather
than asking WeasyPrint to (Kozea/WeasyPrint #212, #1662); pikepdf (qpdf)
copies pages with everything they reference.  What a page does not own is
rebuilt for the whole document, as WeasyPrint would have written it had it
laid out the report in one go:

* **pages** in order, each with its link annotations;
* **page numbers**: the footer document's page i is drawn over page i as a
  form XObject (its text is marked as an artifact, as margin boxes are);
* **outline**: from every part's bookmarks (CSS ``bookmark-level``, label,
  point), nested by WeasyPrint's own rule over the whole document, so a
  part's 具体的目標 (level 3) lands under its 基本目標 from another part;
* **named destinations**: every part's, the first of a name winning, the
  front part's last: its 目次 links point at empty stand-ins of the headings
  (see print/contents.html.j2), which the headings' real destinations
  replace, so the links of the 目次 resolve to the headings;
* **structure tree** (tagged PDF/UA): one Document element holding each
  part's elements in order; the ParentTree renumbered (pages 0…n-1 in
  document order, then the annotations), and each page's ``StructParents``
  and each annotation's ``StructParent`` with it;
* **fonts**: see :mod:`.fonts` (every part's subsets of a font replaced by
  one subset of their union);
* the document catalog's language, metadata (XMP with the PDF/UA
  identification), viewer preferences and the information dictionary: the
  front part's, which are the report's (every part has the same head).

The output depends only on the parts' bytes (``deterministic_id``).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .parts import PartResult


_MARKED = re.compile(rb"/\w+\s*<<\s*/MCID\s+\d+\s*>>\s*BDC")


def _empty(element) -> bool:
    kids = element.get("/K")
    return kids is None or isinstance(kids, pikepdf.Array) and len(kids) == 0


def _kids(element) -> list:
    kids = element.get("/K")
    return [] if kids is None else list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_toc_targets(element) -> bool:
    """The 目次's link stand-ins (print/contents.html.j2): a Div of empty Spans."""
    kids = _kids(element)
    return element.get("/S") == Name.Div and bool(kids) and all(
        isinstance(k, pikepdf.Dictionary) and k.get("/S") == Name.Span and _empty(k) for k in kids)


def _prune(kids: pikepdf.Array, front: bool) -> pikepdf.Array:
    """A part's top-level structure elements without what parts.py added and
    prints nothing: the running-header setter (an empty Div, first in every
    part but the front one) and, in the front part, the 目次's link
    stand-ins.  Any other element, empty or not, is kept as WeasyPrint made it."""
    items = list(kids)
    if not front:
        if items and isinstance(items[0], pikepdf.Dictionary) and items[0].get("/S") == Name.Div \
                and _empty(items[0]):
            items = items[1:]
        return Array(items)

    def walk(elements) -> Array:
        out = Array()
        for kid in elements:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if _is_toc_targets(kid):
                    continue
                inner = kid.get("/K")
                if isinstance(inner, pikepdf.Array):
                    kid.K = walk(inner)
            out.append(kid)
        return out

    return walk(items)


class _Page:
    """What WeasyPrint's bookmark nesting reads of a page."""

    def __init__(self, bookmarks):
        self.bookmarks = [(level, label, (x, y), state) for level, label, x, y, state in bookmarks]


class _Identity:
    def transform_point(self, x, y):
        return x, y


def _outline_tree(parts: Sequence[PartResult]) -> list:
    """The bookmark tree of the whole document: (label, (page, x, y), children, state)."""
    from weasyprint.anchors import make_page_bookmark_tree

    root: list = []
    skipped: list = []
    last_by_depth = [root]
    previous = 0
    number = 0
    for part in parts:
        for bookmarks in part.bookmarks:
            previous = make_page_bookmark_tree(_Page(bookmarks), skipped, last_by_depth, previous,
                                               number, _Identity())
            number += 1
    return root


def _write_outline(pdf: pikepdf.Pdf, tree: list) -> None:
    """The /Outlines of ``tree``, written as WeasyPrint's add_outlines writes them."""

    def add(items, parent):
        count = len(items)
        made = []
        for title, (page, x, y), children, state in items:
            item = pdf.make_indirect(Dictionary(
                Title=String(title), Dest=Array([pdf.pages[page].obj, Name.XYZ, x, y, 0])))
            kids, kids_count = add(children, item)
            item.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                item.Prev = made[-1]
                made[-1].Next = item
            if kids:
                item.First, item.Last = kids[0], kids[-1]
            item.Parent = parent
            made.append(item)
        return made, count

    if not tree:
        return
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    made, count = add(tree, outlines)
    outlines.Count, outlines.First, outlines.Last = count, made[0], made[-1]
    pdf.Root.Outlines = outlines


def _pairs(array) -> list:
    items = list(array)
    return list(zip(items[0::2], items[1::2]))


def _number_tree(node) -> list:
    """(key, value) of a PDF number tree, in order."""
    out = []
    if "/Nums" in node:
        out += _pairs(node.Nums)
    for kid in node.get("/Kids", []):
        out += _number_tree(kid)
    return out


def _name_tree(node) -> list:
    out = []
    if "/Names" in node:
        out += _pairs(node.Names)
    for kid in node.get("/Kids", []):
        out += _name_tree(kid)
    return out


def _number_pages(out: pikepdf.Pdf, footers: bytes, total: int) -> None:
    """Draw page i of the ``footers`` document over page i, as a form XObject
    (the document may have more pages than the parts: its page i shows i
    whatever its length).

    Each page gets its own resource dictionary (WeasyPrint shares one among
    pages) naming its own form ``/PageNumber``: a fixed name, so that the
    output does not depend on anything but the input (pikepdf's add_overlay
    picks fresh names).  The existing content is wrapped in q … Q so that
    the form is drawn in the page's initial coordinate system."""
    numbers = pikepdf.open(io.BytesIO(footers))
    if len(numbers.pages) < total:
        raise ValueError(f"footer document has {len(numbers.pages)} pages, the parts {total}")
    for page, footer in zip(out.pages, numbers.pages):
        content = footer.obj.Contents.read_bytes() if "/Contents" in footer.obj else b""
        if b"Tj" not in content and b"TJ" not in content:
            continue  # no number on this page (the cover)
        form = out.copy_foreign(footer.as_form_xobject())
        # WeasyPrint tags a margin box's text as a Span of the footer
        # document's own structure tree, which is not joined: mark it as
        # what a page number is, a pagination artifact.
        form.write(_MARKED.sub(b"/Artifact BMC", form.read_bytes()))
        resources = page.obj.get("/Resources", Dictionary())
        own = Dictionary({key: value for key, value in resources.items()})
        xobjects = Dictionary({key: value for key, value in resources.get("/XObject", Dictionary()).items()})
        xobjects[Name("/PageNumber")] = form
        own.XObject = xobjects
        page.obj.Resources = own
        page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(out, b"\nQ\nq /PageNumber Do Q\n"))


def join(parts: Sequence[PartResult], footers: bytes | None, blobs=None) -> bytes:
    """One PDF of ``parts`` (front first), numbered by the ``footers`` document;
    ``blobs``: where merged fonts are cached (see :func:`.fonts.share_subsets`)."""
    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(part.pdf)) for part in parts]
    front = sources[0]
    total = sum(part.pages for part in parts)

    tree_root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(), P=tree_root))
    tree_root.K = Array([document])
    nums: list = []
    annotation_key = total
    dests: dict[bytes, object] = {}
    front_dests: list = []

    start = 0
    for n, (part, src) in enumerate(zip(parts, sources)):
        with warnings.catch_warnings():
            # the named destinations are rebuilt below, for the whole document
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(src.pages)
        pages = out.pages[start:start + part.pages]
        src_root = src.Root.StructTreeRoot
        src_document = src_root.K[0]
        kids = _prune(src_document.K, front=n == 0)
        for kid in kids:
            del kid.P  # not to copy the source's tree along with its elements
        for kid in out.copy_foreign(src.make_indirect(kids)):
            kid.P = document
            document.K.append(kid)
        renumbered = {}
        for key, value in _number_tree(src_root.ParentTree):
            key = int(key)
            if key < part.pages:
                new = start + key
                pages[key].obj.StructParents = new
            else:
                new = annotation_key
                annotation_key += 1
                renumbered[key] = new
            if not isinstance(value, pikepdf.Object) or not value.is_indirect:
                value = src.make_indirect(value)
            nums.append((new, out.copy_foreign(value)))
        for page in pages:
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = renumbered[int(annotation.StructParent)]
        if "/Names" in src.Root and "/Dests" in src.Root.Names:
            pairs = [(bytes(name), out.copy_foreign(src.make_indirect(dest)))
                     for name, dest in _name_tree(src.Root.Names.Dests)]
            if n == 0:
                front_dests = pairs
            else:
                for name, dest in pairs:
                    dests.setdefault(name, dest)
        start += part.pages
    for name, dest in front_dests:
        dests.setdefault(name, dest)

    nums.sort(key=lambda pair: pair[0])
    tree_root.ParentTree = out.make_indirect(Dictionary(Nums=Array([x for pair in nums for x in pair])))
    tree_root.ParentTreeNextKey = annotation_key
    out.Root.StructTreeRoot = tree_root
    if dests:
        names = Array()
        for name in sorted(dests):
            names.append(String(name))
            names.append(dests[name])
        out.Root.Names = Dictionary(Dests=Dictionary(Names=names))
    _write_outline(out, _outline_tree(parts))
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
        if key in front.Root:
            value = front.Root[key]
            out.Root[key] = out.copy_foreign(value if value.is_indirect else front.make_indirect(value))
    if "/Info" in front.trailer:
        out.trailer.Info = out.copy_foreign(front.trailer.Info)

    if footers is not None:
        _number_pages(out, footers, total)

    from . import fonts
    fonts.share_subsets(out, blobs)

    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, min_version=front.pdf_version,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()
