"""Read a DOCX back into plain data: what a golden file and the tests compare.

Independent of the writer (only zipfile and lxml, no python-docx), so that a
bug in the writer cannot hide itself by being read back the same wrong way.

:func:`structure` gives the golden data: section page set-up, header and
footer texts, core properties, the heading outline, the fields, and the body
in order — each paragraph as ``{style name: text}`` and each table with its
grid (mm), header rows, and rows of cells with row and column spans and text
direction.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W}
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def wval(el, tag: str, attr: str = "val") -> str | None:
    """The ``w:val`` (or other attribute) of child ``tag`` of ``el``; None when absent."""
    if el is None:
        return None
    child = el.find(w(tag))
    return None if child is None else child.get(w(attr))


def mm(twips: str | int | None) -> float | None:
    return None if twips is None else round(int(twips) * 25.4 / 1440, 1)


# ---------------------------------------------------------------- the package


@dataclass
class Docx:
    files: dict[str, bytes]
    document: etree._Element
    styles: etree._Element
    parts: dict[str, etree._Element] = field(default_factory=dict)  # headers and footers by rId
    rels: dict[str, str] = field(default_factory=dict)  # document rId -> target

    @classmethod
    def load(cls, data: bytes) -> Docx:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            files = {name: z.read(name) for name in z.namelist()}
        document = etree.fromstring(files["word/document.xml"])
        styles = etree.fromstring(files["word/styles.xml"])
        rels_xml = etree.fromstring(files["word/_rels/document.xml.rels"])
        rels = {r.get("Id"): r.get("Target") for r in rels_xml}
        parts = {}
        for rid, target in rels.items():
            if re.match(r"(header|footer)\d*\.xml$", target):
                parts[rid] = etree.fromstring(files["word/" + target])
        return cls(files, document, styles, parts, rels)

    @property
    def body(self):
        return self.document.find(w("body"))

    # -- styles

    def style_names(self) -> dict[str, str]:
        return {s.get(w("styleId")): wval(s, "name") for s in self.styles.findall(w("style"))}

    def style(self, style_id: str):
        for s in self.styles.findall(w("style")):
            if s.get(w("styleId")) == style_id:
                return s
        return None

    def default_style(self, kind: str) -> str | None:
        for s in self.styles.findall(w("style")):
            if s.get(w("type")) == kind and s.get(w("default")) in ("1", "true"):
                return s.get(w("styleId"))
        return None


# ---------------------------------------------------------------- text


def paragraph_text(p) -> str:
    """The visible text of a paragraph: runs, line breaks, tabs; a picture as [図: its description]."""
    out = []
    for el in p.iter(w("t"), w("br"), w("tab"), w("cr"), "{*}docPr"):
        if el.tag == w("t"):
            out.append(el.text or "")
        elif el.tag in (w("br"), w("cr")):
            out.append("\n")
        elif el.tag == w("tab"):
            if el.getparent().tag == w("r"):
                out.append("\t")
        else:
            out.append(f"[図: {el.get('descr') or el.get('name')}]")
    return "".join(out)


def all_text(docx: Docx) -> str:
    """Every paragraph of the body (tables included), one per line."""
    return "\n".join(paragraph_text(p) for p in docx.body.iter(w("p")))


# ---------------------------------------------------------------- tables


def cell_paragraphs(tc) -> list:
    """A cell's paragraphs, those inside block-level content controls included."""
    return tc.xpath("w:p | w:sdt/w:sdtContent/w:p", namespaces=NS)


def content_controls(docx: Docx) -> list[str]:
    """Every content control of the body: ``tag | alias`` and `` (locked)`` for a locked one."""
    out = []
    for sdt in docx.body.iter(w("sdt")):
        pr = sdt.find(w("sdtPr"))
        lock = wval(pr, "lock")
        out.append(f"{wval(pr, 'tag')} | {wval(pr, 'alias')}" + (f" ({lock})" if lock else ""))
    return out


def custom_properties(docx: Docx) -> dict:
    """docProps/custom.xml as name → text (the baseline hashes only counted)."""
    data = docx.files.get("docProps/custom.xml")
    if data is None:
        return {}
    out, baselines = {}, 0
    for prop in etree.fromstring(data):
        name = prop.get("name")
        if name.startswith("kplan.baseline."):
            baselines += 1
        else:
            out[name] = prop[0].text or ""
    out["kplan.baseline.*"] = baselines
    return out


def table_grid(tbl) -> list[dict]:
    """Rows of cells as a reader sees them: each cell with its text, start column,
    column span and row span (vertical merges resolved); continuation cells dropped.
    """
    rows: list[list[dict]] = []
    open_merges: dict[int, dict] = {}  # grid column -> the cell a continue extends
    for tr in tbl.findall(w("tr")):
        row = []
        col = 0
        tr_pr = tr.find(w("trPr"))
        gb = wval(tr_pr, "gridBefore")
        col += int(gb) if gb else 0
        for tc in tr.findall(w("tc")):
            tc_pr = tc.find(w("tcPr"))
            span = int(wval(tc_pr, "gridSpan") or 1)
            vmerge_el = tc_pr.find(w("vMerge")) if tc_pr is not None else None
            if vmerge_el is not None and vmerge_el.get(w("val")) in (None, "continue"):
                above = open_merges.get(col)
                if above is None:
                    raise AssertionError(f"vMerge continue without a restart above (column {col})")
                above["rowspan"] += 1
                col += span
                continue
            cell = {
                "col": col,
                "colspan": span,
                "rowspan": 1,
                "text": "\n".join(paragraph_text(p) for p in cell_paragraphs(tc)),
                "styles": [wval(p.find(w("pPr")), "pStyle") for p in cell_paragraphs(tc)],
                "direction": wval(tc_pr, "textDirection"),
                "width": wval(tc_pr, "tcW", "w"),
            }
            if vmerge_el is not None:  # restart
                open_merges[col] = cell
            else:
                open_merges.pop(col, None)
            row.append(cell)
            col += span
        rows.append({"cells": row,
                     "header": tr_pr is not None and tr_pr.find(w("tblHeader")) is not None,
                     "cant_split": tr_pr is not None and tr_pr.find(w("cantSplit")) is not None})
    return rows


def lines(text: str):
    """A text as YAML reads best: a string, or a list of its lines when it has several."""
    return text.split("\n") if "\n" in text else text


def _cell_summary(cell: dict):
    extra = {}
    if cell["rowspan"] > 1:
        extra["rowspan"] = cell["rowspan"]
    if cell["colspan"] > 1:
        extra["colspan"] = cell["colspan"]
    if cell["direction"]:
        extra["direction"] = cell["direction"]
    if not extra:
        return lines(cell["text"])
    return {"text": lines(cell["text"]), **extra}


def table_summary(tbl, names: dict[str, str]) -> dict:
    tbl_pr = tbl.find(w("tblPr"))
    grid = [mm(c.get(w("w"))) for c in tbl.find(w("tblGrid")).findall(w("gridCol"))]
    rows = table_grid(tbl)
    return {
        "style": names.get(wval(tbl_pr, "tblStyle")),
        "layout": wval(tbl_pr, "tblLayout", "type"),
        "grid_mm": grid,
        "header_rows": sum(r["header"] for r in rows),
        "rows_kept_whole": f"{sum(r['cant_split'] for r in rows)}/{len(rows)}",
        "rows": [[_cell_summary(c) for c in r["cells"]] for r in rows],
    }


# ---------------------------------------------------------------- fields


def fields(root) -> list[dict]:
    """Complex fields in document order: instruction and cached result (text between separate and end)."""
    found = []
    stack: list[dict] = []
    for el in root.iter(w("fldChar"), w("instrText"), w("t"), w("br"), w("p"), w("fldSimple")):
        if el.tag == w("fldSimple"):
            found.append({"instr": el.get(w("instr")).strip(), "result": paragraph_text(el)})
        elif el.tag == w("fldChar"):
            kind = el.get(w("fldCharType"))
            if kind == "begin":
                stack.append({"instr": "", "result": [], "in_result": False, "paragraphs": 0})
            elif kind == "separate" and stack:
                stack[-1]["in_result"] = True
            elif kind == "end" and stack:
                f = stack.pop()
                found.append({"instr": " ".join(f["instr"].split()), "result": "".join(f["result"]).strip(),
                              "paragraphs": f["paragraphs"]})
        elif el.tag == w("instrText") and stack:
            stack[-1]["instr"] += el.text or ""
        elif el.tag == w("p"):
            for f in stack:
                if f["in_result"]:
                    f["result"].append("\n")
                    f["paragraphs"] += 1
        elif stack and stack[-1]["in_result"] and el.getparent().tag == w("r"):
            stack[-1]["result"].append((el.text or "") if el.tag == w("t") else "\n")
    return found


def toc_entries(docx: Docx) -> list[tuple[str, str]]:
    """(TOC style name, text) of each paragraph inside the TOC field's result."""
    names = docx.style_names()
    entries = []
    inside = False
    for p in docx.body.iter(w("p")):
        instr = "".join(t.text or "" for t in p.iter(w("instrText")))
        if instr.strip().startswith("TOC"):
            inside = True
        if inside:
            style = names.get(wval(p.find(w("pPr")), "pStyle"))
            text = paragraph_text(p)
            if text:
                entries.append((style, text))
            if any(fc.get(w("fldCharType")) == "end" for fc in p.iter(w("fldChar"))):
                break
    return entries


# ---------------------------------------------------------------- the whole


def headings(docx: Docx) -> list[tuple[int, str]]:
    """(outline level 1–9, text) of every paragraph whose style has an outline level."""
    levels = {}
    for s in docx.styles.findall(w("style")):
        ppr = s.find(w("pPr"))
        lvl = wval(ppr, "outlineLvl")
        if lvl is not None and int(lvl) < 9:
            levels[s.get(w("styleId"))] = int(lvl) + 1
    out = []
    for p in docx.body.iter(w("p")):
        style = wval(p.find(w("pPr")), "pStyle")
        if style in levels:
            out.append((levels[style], paragraph_text(p)))
    return out


def section(docx: Docx) -> dict:
    sect = docx.body.find(w("sectPr"))
    pg = sect.find(w("pgSz"))
    mar = sect.find(w("pgMar"))
    refs = {}
    for tag in ("headerReference", "footerReference"):
        for ref in sect.findall(w(tag)):
            part = docx.parts[ref.get(f"{{{R}}}id")]
            refs[f"{tag[:6]}_{ref.get(w('type'))}"] = [paragraph_text(p) for p in part.iter(w("p"))]
    return {
        "page_mm": [mm(pg.get(w("w"))), mm(pg.get(w("h")))],
        "orientation": pg.get(w("orient")) or "portrait",
        "margins_mm": {side: mm(mar.get(w(side))) for side in ("top", "right", "bottom", "left", "header", "footer")},
        "title_page": sect.find(w("titlePg")) is not None,
        **dict(sorted(refs.items())),
    }


def header_footer_fields(docx: Docx) -> list[dict]:
    out = []
    for rid, part in sorted(docx.parts.items(), key=lambda kv: docx.rels[kv[0]]):
        kind = etree.QName(part).localname
        for f in fields(part):
            out.append({"part": kind, "instr": f["instr"]})
    return out


def core_properties(docx: Docx) -> dict:
    root = etree.fromstring(docx.files["docProps/core.xml"])
    return {etree.QName(el).localname: (el.text or "") for el in root}


def body_blocks(docx: Docx) -> list:
    names = docx.style_names()
    normal = names.get(docx.default_style("paragraph"))
    blocks = []
    for el in docx.body:
        if el.tag == w("p"):
            style = names.get(wval(el.find(w("pPr")), "pStyle")) or normal
            blocks.append({style: lines(paragraph_text(el))})
        elif el.tag == w("tbl"):
            blocks.append({"table": table_summary(el, names)})
    return blocks


def structure(data: bytes) -> dict:
    """Everything the golden file holds, as plain YAML-able data."""
    docx = Docx.load(data)
    all_fields = fields(docx.body)
    return {
        "core_properties": core_properties(docx),
        "custom_properties": custom_properties(docx),
        "content_controls": content_controls(docx),
        "section": section(docx),
        "fields": [
            {"instr": f["instr"], "entries": f["paragraphs"]} if f["instr"].startswith("TOC")
            else {"instr": f["instr"], "result": f["result"]}
            for f in all_fields
        ] + header_footer_fields(docx),
        "outline": ["  " * (level - 1) + text for level, text in headings(docx)],
        "body": body_blocks(docx),
    }


# ---------------------------------------------------------------- fonts


def east_asian_font(docx: Docx, rpr_chain: list) -> str | None:
    """The East Asian font that wins along ``rpr_chain`` (most specific first).

    A theme attribute beats a named font on the same ``w:rFonts`` (that is
    how Word resolves them), so it is reported as ``theme:<name>``.
    """
    for rpr in rpr_chain:
        if rpr is None:
            continue
        fonts = rpr.find(w("rFonts"))
        if fonts is None:
            continue
        theme = fonts.get(w("eastAsiaTheme"))
        if theme:
            return f"theme:{theme}"
        if fonts.get(w("eastAsia")):
            return fonts.get(w("eastAsia"))
    return None


def style_chain(docx: Docx, style_id: str | None) -> list:
    """The rPr of ``style_id`` and of every style it is based on, most specific first."""
    chain = []
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        style = docx.style(style_id)
        if style is None:
            break
        chain.append(style.find(w("rPr")))
        style_id = wval(style, "basedOn")
    return chain


def doc_defaults_rpr(docx: Docx):
    defaults = docx.styles.find(w("docDefaults"))
    if defaults is None:
        return None
    return defaults.find(f"{w('rPrDefault')}/{w('rPr')}")


def run_font(docx: Docx, run, paragraph) -> str | None:
    """Resolve a run's East Asian font: run → character style → paragraph style → docDefaults."""
    rpr = run.find(w("rPr"))
    chain = [rpr]
    chain += style_chain(docx, wval(rpr, "rStyle"))
    pstyle = wval(paragraph.find(w("pPr")), "pStyle") or docx.default_style("paragraph")
    chain += style_chain(docx, pstyle)
    chain.append(doc_defaults_rpr(docx))
    return east_asian_font(docx, chain)


JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def japanese_runs(docx: Docx):
    """(run, its paragraph, its text) for every run with Japanese text, in body, headers and footers."""
    for root in [docx.document, *docx.parts.values()]:
        for p in root.iter(w("p")):
            for r in p.iter(w("r")):
                text = "".join(t.text or "" for t in r.findall(w("t")))
                if JAPANESE.search(text):
                    yield r, p, text
