"""The outline's node types: sections holding typed blocks.

Like Sphinx's doctree, the outline is the document's structure with every
decision already taken — what comes in which order, what each heading says,
which cells span which rows, what a chart's alt text is.  A writer walks it
(:func:`walk` or its own recursion over :attr:`Section.sections`) with one
function per block type (``Block.kind``) and only lays it out:

======================  =============================================  ==========================
``kind``                block                                          PDF template / Word method
======================  =============================================  ==========================
``text``                paragraphs (body, lead, subheading)            print/blocks/text.html.j2
``table``               a table with header row, spans, caption        print/blocks/table.html.j2
``promotion_item``      THE 推進項目 / 主体 / 具体的取組 table          print/blocks/promotion_item.html.j2
``indicators``          ＜主な指標＞ (values, trend charts)             print/blocks/indicators.html.j2
``notes``               ＜参考＞ notes                                  print/blocks/notes.html.j2
``opinion``             推進委員会の意見 and the city's response         print/blocks/opinion.html.j2
``status_bars``         第2章's stacked bars of indicator statuses      print/blocks/status_bars.html.j2
======================  =============================================  ==========================

The Word writer has a ``block_<kind>`` method for each.  The pieces the
blocks hold (:class:`PromotionItemView`, :class:`IndicatorRow` …) are in
:mod:`kplan_report.views.pieces`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from .pieces import Field, IndicatorRow, NoteView, OpinionView, PromotionItemView, Span, YearColumn


class Block:
    """Base of every block; ``kind`` names the writer function that lays it out."""

    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class Text(Block):
    """Paragraphs in one style: ``body``, ``lead`` (a display line such as the
    plan period) or ``subheading`` (（現状・課題）: not a heading of the outline)."""

    kind: ClassVar[str] = "text"
    paragraphs: list[str]
    style: str = "body"
    #: the field each paragraph comes from (an editable passage of the draft), when any
    fields: tuple[Field | None, ...] = ()


@dataclass(frozen=True)
class Column:
    """A column of a :class:`Table`: its header text, width and alignment.

    ``width_mm`` ``None`` shares the width the fixed columns leave; the
    widths are the outline's, so the PDF and Word columns match.
    """

    label: str
    width_mm: float | None = None
    align: str = "left"  # left | center | right
    key: str = ""  # what the column holds (goal, objective, hash …), for styling


@dataclass(frozen=True)
class Cell:
    """A body cell.  ``text`` may hold newlines (each line printed as a line).

    ``rowspan`` 0 marks a cell covered by a span from above: writers print
    nothing there (the PDF leaves it out, Word continues a vertical merge).
    """

    text: str
    rowspan: int = 1
    align: str | None = None  # None: the column's
    emphasis: bool = False  # a total row
    field: Field | None = None  # the actuals' field the text comes from (an editable passage)
    #: the text in pieces, some of them fields (a value cell: each measure's number), instead of ``field``
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Table(Block):
    """A plain table: header row, body rows, optional caption above it.

    ``name`` says what it is (method, tree, counts, projects, glossary,
    files) for the writers' styling; ``groups`` are row counts that must stay
    together on a page (the 施策の体系's 基本目標); ``keep`` keeps the whole
    table on one page where it fits.
    """

    kind: ClassVar[str] = "table"
    name: str
    columns: list[Column]
    rows: list[list[Cell]]
    caption: str | None = None
    groups: list[int] | None = None
    keep: bool = True


@dataclass(frozen=True)
class PromotionItemTable(Block):
    """THE 推進項目 table: 推進項目 | 主体 | 具体的取組 | the year's 取組状況."""

    kind: ClassVar[str] = "promotion_item"
    item: PromotionItemView
    columns: list[str]  # the four header labels
    no_summary: str  # printed for a 主体 row without a reported 取組状況
    bullet: str  # before each 具体的取組 where a writer puts a row's 具体的取組 in one cell


@dataclass(frozen=True)
class IndicatorTable(Block):
    """＜主な指標＞: № | 指標項目 | 担当 | 現状値 | years … | 目標値 | 進捗 | 評価.

    With ``charts``, every indicator has a second row with its trend chart,
    caption and the year's notes (the № cell spans both).  ``anchor`` is
    the id of the table (for the PDF's page-break bookkeeping).
    """

    kind: ClassVar[str] = "indicators"
    anchor: str
    caption: str
    columns: list[str]  # header labels, each may hold "\n"
    years: list[YearColumn]
    rows: list[IndicatorRow]
    charts: bool


@dataclass(frozen=True)
class Notes(Block):
    kind: ClassVar[str] = "notes"
    label: str
    notes: list[NoteView]


@dataclass(frozen=True)
class Opinion(Block):
    kind: ClassVar[str] = "opinion"
    caption: str | None
    opinion_label: str
    response_label: str
    opinion: OpinionView


@dataclass(frozen=True)
class BarSegment:
    key: str  # status key, for the colour
    label: str  # status label, printed beside the colour in the legend
    count: int


@dataclass(frozen=True)
class Bar:
    label: str
    segments: list[BarSegment]


@dataclass(frozen=True)
class StatusBars(Block):
    """第2章's stacked bars: one per 基本目標 and the total; ``alt`` describes them."""

    kind: ClassVar[str] = "status_bars"
    alt: str
    bars: list[Bar]
    legend: list[tuple[str, str]]  # (key, label)
    #: the bars' counts as a table (every status, zeros included), printed after
    #: the bars where they are drawn as a picture (the web edition)
    table: Table | None = None


@dataclass(frozen=True)
class Section:
    """A heading and what the plan prints under it, in order: blocks and subsections.

    ``content`` mixes both because the plan does: a 具体的目標 has its
    推進項目 (subsections), then its ＜主な指標＞ and opinion (blocks).
    ``level`` 1 is a chapter.  ``anchor`` is the heading's id (PDF link
    target, Word bookmark, web fragment).  ``role`` says what the section is
    (chapter, goal, objective, item, part) for the writers' styling and the
    PDF's running header; ``new_page``: the heading starts a page.
    """

    level: int
    heading: str
    anchor: str
    role: str
    content: list[Block | Section] = field(default_factory=list)
    new_page: bool = False

    @property
    def sections(self) -> list[Section]:
        return [c for c in self.content if isinstance(c, Section)]

    @property
    def blocks(self) -> list[Block]:
        return [c for c in self.content if not isinstance(c, Section)]


@dataclass(frozen=True)
class ContentsEntry:
    level: int
    text: str
    anchor: str


def walk(sections: list[Section]) -> Iterator[Section]:
    """Every section, depth first, in document order."""
    for section in sections:
        yield section
        yield from walk(section.sections)
