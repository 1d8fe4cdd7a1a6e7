"""Read back what a reader sees in a generated PDF, for tests and golden files.

Everything here works on the PDF file only (pypdf for the document structure,
pdfplumber for positioned text), never on the HTML, so the tests check the
printed result.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pdfplumber
import pypdf

MM = 72 / 25.4  # PDF points per millimetre

# Page geometry of report.css: margins 22 (top) and 18 (bottom), left 17 mm.
HEADER_BOTTOM_MM = 21.0
FOOTER_TOP_MM = 297 - 16.0
# The 推進項目 table's first column (vertical title): 17 mm margin + 8 mm column.
TITLE_COLUMN_MM = (17.0, 25.0)


def squash(text: str) -> str:
    """NFKC, no whitespace: for comparing text regardless of line breaks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _cell(text: str | None) -> str:
    # Lines inside a cell are wrap points (Japanese has no spaces) or the
    # vertical title's one-character lines: join them without a separator.
    return "" if text is None else "".join(text.split("\n")).strip()


@dataclass
class Page:
    number: int  # 1-based
    header: str
    footer: str
    text: str
    title_column: str  # text in the 推進項目 title column (vertical titles)
    table_rows: list[list[str]]

    @property
    def searchable(self) -> str:
        """The page text and, whole, the text of every table cell (a cell's
        wrapped lines interleave with its neighbours' in the page text)."""
        return squash(self.text + "".join("".join(row) for row in self.table_rows))


class PdfStructure:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.reader = pypdf.PdfReader(self.path)

    # -- document level --

    @property
    def page_count(self) -> int:
        return len(self.reader.pages)

    @property
    def page_size_mm(self) -> list[float]:
        box = self.reader.pages[0].mediabox
        return [round(float(box.width) / MM, 1), round(float(box.height) / MM, 1)]

    @cached_property
    def bookmarks(self) -> list[dict]:
        out: list[dict] = []

        def walk(items, level):
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    out.append({
                        "title": str(item.title),
                        "level": level,
                        "page": self.reader.get_destination_page_number(item) + 1,
                    })

        walk(self.reader.outline, 1)
        return out

    @cached_property
    def fonts(self) -> list[dict]:
        """Every font used: base name without the subset prefix, embedded or not."""
        found: dict[str, bool] = {}
        for page in self.reader.pages:
            resources = page.get("/Resources") or {}
            fonts = resources.get("/Font") or {}
            for ref in fonts.values():
                font = ref.get_object()
                name = str(font.get("/BaseFont", ""))
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                base = re.sub(r"^/?[A-Z]{6}\+", "", name.lstrip("/"))
                found[base] = found.get(base, True) and embedded
        return [{"name": name, "embedded": emb} for name, emb in sorted(found.items())]

    @property
    def catalog(self):
        return self.reader.trailer["/Root"]

    @property
    def metadata(self):
        return self.reader.metadata

    # -- pages --

    @cached_property
    def pages(self) -> list[Page]:
        out = []
        with pdfplumber.open(self.path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                height = float(page.height)
                header = page.crop((0, 0, page.width, HEADER_BOTTOM_MM * MM)).extract_text()
                footer = page.crop((0, FOOTER_TOP_MM * MM, page.width, height)).extract_text()
                x0, x1 = TITLE_COLUMN_MM
                body = page.crop((0, HEADER_BOTTOM_MM * MM, page.width, FOOTER_TOP_MM * MM))
                title_column = body.crop((x0 * MM, body.bbox[1], x1 * MM, body.bbox[3])).extract_text()
                rows = []
                for table in body.find_tables():
                    cells = [[_cell(c) for c in row if c is not None] for row in table.extract()]
                    # a ruled box around a heading or a note is not a table
                    if any(len([c for c in row if c]) > 1 for row in cells):
                        rows.extend(cells)
                out.append(Page(number, header.strip(), footer.strip(), page.extract_text(),
                                title_column, rows))
        return out

    def summary(self) -> dict:
        """The golden-file view of the PDF."""
        return {
            "page_count": self.page_count,
            "page_size_mm": self.page_size_mm,
            "fonts": self.fonts,
            "bookmarks": self.bookmarks,
            "pages": [
                {
                    "page": p.number,
                    "header": p.header,
                    "footer": p.footer,
                    "table_rows": [" | ".join(r) for r in p.table_rows],
                }
                for p in self.pages
            ],
        }
