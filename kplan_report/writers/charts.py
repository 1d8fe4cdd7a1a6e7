"""Small indicator trend charts for both writers.

The PDF wants vector SVG and the Word file wants a PNG, but the two must show
the same picture.  So :func:`layout` decides everything once — where each
year sits, the y range and its ticks, which points are joined, colours,
dashes, text and its position — and returns a flat list of shapes in paint
order.  :func:`to_svg` and :func:`to_png` only translate those shapes; they
make no decisions of their own, so the two outputs cannot drift apart.

All geometry is in millimetres, y growing downwards (as in SVG), with the
origin at the top left.  Millimetres rather than free units because text
sizes and line widths must be physical to stay legible in print.

Design choices:

* The x axis runs from the baseline year to the plan's target year, so the
  distance still to go is visible; years after the report year are labelled
  in grey.  Labels are short 和暦 (H30, R1 … R5): they fit at small sizes and
  match the 和暦 used in the rest of the report.
* The y axis starts at 0, except for a percentage whose values all sit in the
  upper half of the range (e.g. 54.9％ → 100％): there a range starting at 0
  would flatten the change, so the axis starts at the nice tick below the
  lowest value, and the bottom tick label shows where it starts.
* The target is an orange diamond at the target year with its value, joined
  to the last actual value by a thin dashed orange line: "where we are and
  where we must get to" reads at a glance, unlike a horizontal target line,
  which says nothing about the path.
* A missing value (None) is a gap: the line stops and restarts, and a lone
  value between gaps is a marker on its own.
* An indicator with two measures in different units (地区 and 回) gets two
  panels side by side, each with its own y axis; one shared axis would make
  the smaller series a flat line.  Each panel is headed with a line swatch
  and the measure's label, which doubles as the legend.  A single series has
  no legend, only its unit above the y axis.
* A series with no value at all shows an empty plot labelled 未把握.

The text measurements assume BIZ UDゴシック, whose glyphs are exactly half
(Latin, digits) or full (kana, kanji, full-width signs) an em wide.
"""

from __future__ import annotations

import functools
import html
import io
import math
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from ..text.japanese import format_number, wareki_year

if TYPE_CHECKING:  # only for annotations: charts need the data, not the report builder
    from ..views.pieces import Chart, ChartSeries

FONT_FAMILY = "BIZ UDGothic"

INK = "#222222"
MUTED = "#808080"
GRID = "#d9d9d9"
TARGET_COLOR = "#d95f0e"

# Sizes in millimetres (1 mm ≈ 2.83 pt).
PADDING = 1.0
TITLE_SIZE = 2.4
TITLE_MIN_SIZE = 2.0
LABEL_SIZE = 1.8  # tick labels, unit, panel headings, target value
MISSING_SIZE = 2.2
PANEL_GAP = 3.0
TICK_GAP = 0.7  # between a tick label and the plot

# A glyph's visual middle sits this many ems above its baseline.
MIDDLE_ABOVE_BASELINE = 0.37


@dataclass(frozen=True)
class SeriesStyle:
    color: str
    line_width: float
    marker: str  # "circle" or "square"
    filled: bool


# First series dark and solid; the second lighter with open squares, so the
# two still differ when printed in greyscale.
SERIES_STYLES = [
    SeriesStyle(color="#1f3a5f", line_width=0.4, marker="circle", filled=True),
    SeriesStyle(color="#6f93bd", line_width=0.4, marker="square", filled=False),
]
MARKER_SIZE = 1.2
MARKER_STROKE = 0.2  # outline of open markers; markers keep their size with it
TARGET_MARKER_SIZE = 1.6
TARGET_LINE_WIDTH = 0.25
TARGET_DASH = (0.8, 0.6)


# -- shapes: what the writers draw ------------------------------------------


@dataclass(frozen=True)
class Line:
    """An open polyline; dash is (on, off) lengths, or None for solid."""

    points: tuple[tuple[float, float], ...]
    color: str
    width: float
    dash: tuple[float, float] | None = None


@dataclass(frozen=True)
class Marker:
    """A point symbol centred on (x, y); size is its full width."""

    x: float
    y: float
    shape: str  # "circle", "square" or "diamond"
    size: float
    color: str
    filled: bool


@dataclass(frozen=True)
class Text:
    """One line of text; y is the baseline, anchor is "start", "middle" or "end"."""

    x: float
    y: float
    text: str
    size: float
    color: str = INK
    anchor: str = "start"


Shape = Line | Marker | Text


# -- the layout ---------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Panel:
    """The geometry of one series' plot, kept for tests and for reading."""

    series: ChartSeries
    plot: Box
    y_min: float
    y_max: float
    y_ticks: list[tuple[float, str]]  # (value, label)
    x_positions: dict[int, float]  # fiscal year → x
    segments: list[list[tuple[float, float]]]  # the unbroken runs of the line
    target_point: tuple[float, float] | None


@dataclass(frozen=True)
class ChartLayout:
    width: float
    height: float
    title: str
    panels: list[Panel]
    shapes: list[Shape]  # in paint order


def layout(chart: Chart, width: float, height: float, *, show_title: bool = True) -> ChartLayout:
    """Place everything for ``chart`` in a ``width`` × ``height`` mm box.

    ``show_title=False`` leaves the title out for a writer that already
    prints the indicator name next to the chart.
    """
    shapes: list[Shape] = []
    top = PADDING
    if show_title and chart.title:
        title_lines, size = _fit_title(chart.title, width - 2 * PADDING)
        for line in title_lines:
            top += size * 0.88
            shapes.append(Text(PADDING, top, line, size))
            top += size * 0.2
        top += 0.6

    series = chart.series or []
    panels = []
    count = max(len(series), 1)
    panel_width = (width - 2 * PADDING - PANEL_GAP * (count - 1)) / count
    for index, one in enumerate(series):
        left = PADDING + index * (panel_width + PANEL_GAP)
        area = Box(left, top, left + panel_width, height - PADDING)
        panel, panel_shapes = _layout_panel(chart, one, index, area, heading=len(series) > 1)
        panels.append(panel)
        shapes.extend(panel_shapes)
    # Text goes on top of every line and marker, in both writers.
    shapes = [s for s in shapes if not isinstance(s, Text)] + [s for s in shapes if isinstance(s, Text)]
    return ChartLayout(width, height, chart.title, panels, shapes)


def _fit_title(title: str, width: float) -> tuple[list[str], float]:
    """Shrink the title to fit one line; wrap it onto two if it still does not."""
    title = " ".join(title.split())
    size = TITLE_SIZE
    while size > TITLE_MIN_SIZE and text_width(title, size) > width:
        size = round(size - 0.1, 2)
    if text_width(title, size) <= width:
        return [title], size
    lines = [""]
    for char in title:
        if text_width(lines[-1] + char, size) > width and len(lines) < 2:
            lines.append("")
        lines[-1] += char
    if text_width(lines[-1], size) > width:
        while text_width(lines[-1] + "…", size) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] += "…"
    return lines, size


def _layout_panel(
    chart: Chart, series: ChartSeries, index: int, area: Box, heading: bool
) -> tuple[Panel, list[Shape]]:
    style = SERIES_STYLES[min(index, len(SERIES_STYLES) - 1)]
    values = [v for _, v in series.points if v is not None]
    known = values + ([series.target] if series.target is not None else [])
    shapes: list[Shape] = []

    # The row above the plot: the panel heading (two series) or the unit.
    label_row = area.top + LABEL_SIZE * 0.88
    if heading:
        swatch_y = label_row - LABEL_SIZE * MIDDLE_ABOVE_BASELINE
        shapes.append(Line(((area.left, swatch_y), (area.left + 3.0, swatch_y)), style.color, style.line_width))
        shapes.append(Marker(area.left + 1.5, swatch_y, style.marker, MARKER_SIZE, style.color, style.filled))
        shapes.append(Text(area.left + 3.8, label_row, _series_name(series), LABEL_SIZE))
    elif series.unit:
        shapes.append(Text(area.left, label_row, f"（{series.unit}）", LABEL_SIZE, MUTED))

    if known:
        y_min, y_max, ticks = nice_axis(known, rate=series.unit in ("％", "%"))
    else:
        y_min, y_max, ticks = 0.0, 1.0, []
    tick_labels = [(t, format_number(t)) for t in ticks]
    label_width = max((text_width(label, LABEL_SIZE) for _, label in tick_labels), default=0.0)

    years = list(range(chart.years[0], max(chart.target_year, chart.years[-1]) + 1)) if chart.years else []
    x_labels = {year: short_year(year) for year in years}
    widest_x_label = max((text_width(label, LABEL_SIZE) for label in x_labels.values()), default=0.0)

    plot = Box(
        left=area.left + label_width + TICK_GAP,
        top=label_row + LABEL_SIZE * 0.6 + 0.4,
        right=area.right,
        bottom=area.bottom - LABEL_SIZE * 0.88 - TICK_GAP,
    )
    # Keep the first and last year (and their labels) off the plot's edges.
    inset = max(1.2, widest_x_label / 2)
    if len(years) > 1:
        step = (plot.right - plot.left - 2 * inset) / (len(years) - 1)
        x_positions = {year: plot.left + inset + i * step for i, year in enumerate(years)}
    else:
        x_positions = {year: (plot.left + plot.right) / 2 for year in years}

    def y_of(value: float) -> float:
        return plot.bottom - (value - y_min) / (y_max - y_min) * (plot.bottom - plot.top)

    # Grid and y tick labels.
    for value, label in tick_labels:
        y = y_of(value)
        if value != y_min:
            shapes.append(Line(((plot.left, y), (plot.right, y)), GRID, 0.15))
        shapes.append(Text(plot.left - TICK_GAP, y + LABEL_SIZE * MIDDLE_ABOVE_BASELINE, label, LABEL_SIZE, anchor="end"))
    # Axes: the baseline and the y axis.
    shapes.append(Line(((plot.left, plot.top), (plot.left, plot.bottom), (plot.right, plot.bottom)), MUTED, 0.2))
    # x labels, grey for years not yet reported.
    last_reported = chart.years[-1] if chart.years else None
    for year, x in x_positions.items():
        color = INK if last_reported is not None and year <= last_reported else MUTED
        shapes.append(Text(x, area.bottom, x_labels[year], LABEL_SIZE, color, anchor="middle"))

    # The data: unbroken runs between missing values.
    segments: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for year, value in series.points:
        if value is None or year not in x_positions:
            if run:
                segments.append(run)
            run = []
            continue
        run.append((x_positions[year], y_of(value)))
    if run:
        segments.append(run)

    target_point = None
    if series.target is not None and chart.target_year in x_positions:
        target_point = (x_positions[chart.target_year], y_of(series.target))
        last_point = segments[-1][-1] if segments else None
        if last_point is not None and last_point[0] < target_point[0]:
            shapes.append(Line((last_point, target_point), TARGET_COLOR, TARGET_LINE_WIDTH, TARGET_DASH))
        # The value sits above the marker, clear of a line rising into it; it
        # may reach into the row above the plot, which is empty on the right.
        # Below the marker only when the line falls into it and there is room.
        label = f"{chart.target_label}{format_number(series.target)}"
        rising = last_point is None or last_point[1] >= target_point[1]
        below_baseline = target_point[1] + 1.2 + LABEL_SIZE * 0.88
        if rising:
            label_y = target_point[1] - 1.2
        elif below_baseline <= plot.bottom - 0.3:
            label_y = below_baseline
        else:
            # Falling onto the bottom (e.g. a target of 0): lift the label
            # clear of the line where the line is highest under it.
            label_left = max(plot.right - text_width(label, LABEL_SIZE), last_point[0])
            # The last value may sit in the target year itself (no line to the target): clear its marker.
            run = target_point[0] - last_point[0]
            share = (target_point[0] - label_left) / run if run else 1.0
            line_y = target_point[1] + (last_point[1] - target_point[1]) * share
            label_y = min(target_point[1] - 1.2, line_y - 0.5)
        shapes.append(Text(plot.right, label_y, label, LABEL_SIZE, TARGET_COLOR, anchor="end"))

    for segment in segments:
        if len(segment) > 1:
            shapes.append(Line(tuple(segment), style.color, style.line_width))
    for segment in segments:
        for x, y in segment:
            shapes.append(Marker(x, y, style.marker, MARKER_SIZE, style.color, style.filled))
    if target_point is not None:
        shapes.append(Marker(*target_point, "diamond", TARGET_MARKER_SIZE, TARGET_COLOR, True))

    if not values:
        middle = ((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2)
        shapes.append(
            Text(middle[0], middle[1] + MISSING_SIZE * MIDDLE_ABOVE_BASELINE, chart.missing_label, MISSING_SIZE, MUTED, "middle")
        )

    panel = Panel(series, plot, y_min, y_max, tick_labels, x_positions, segments, target_point)
    return panel, shapes


def _series_name(series: ChartSeries) -> str:
    if not series.unit or series.label == series.unit:
        return series.label
    return f"{series.label}（{series.unit}）"


# -- axis and label helpers -------------------------------------------------


def nice_axis(values: list[float], rate: bool = False) -> tuple[float, float, list[float]]:
    """A y range and 3–5 evenly spaced round ticks that hold every value.

    The range starts at 0 (or below, for negative values).  A percentage whose
    values all lie in the upper half of their maximum starts at the round
    tick below its lowest value instead, so its change is not flattened.
    Whole-number data (counts) gets whole-number ticks.
    """
    low, high = min(values), max(values)
    start_at_zero = low >= 0 and not (rate and low > high / 2)
    if start_at_zero:
        low = 0.0
    if high == low:
        high = low + 1
    whole = all(float(v).is_integer() for v in values)
    span = Decimal(str(high - low))
    magnitude = Decimal(10) ** (math.floor(math.log10(span)) - 1)
    for multiplier in (1, 2, Decimal("2.5"), 5, 10, 20, 25, 50, 100):
        step = magnitude * multiplier
        if whole and (step < 1 or step != step.to_integral_value()):
            continue
        bottom = (Decimal(str(low)) / step).to_integral_value(ROUND_FLOOR) * step
        top = (Decimal(str(high)) / step).to_integral_value(ROUND_CEILING) * step
        if (top - bottom) / step <= 4:
            break
    intervals = int((top - bottom) / step)
    if intervals < 2:
        intervals = 2
        top = bottom + 2 * step
    ticks = [float(bottom + i * step) for i in range(intervals + 1)]
    return float(bottom), float(top), ticks


def short_year(year: int) -> str:
    """H30 for 2018, R1 for 2019: the short 和暦 readers know from forms."""
    era = wareki_year(year)
    number = era[2:]
    return {"令和": "R", "平成": "H", "昭和": "S"}[era[:2]] + ("1" if number == "元" else number)


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in BIZ UDゴシック: half an em per narrow glyph, one per wide."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "FWA" else 0.5 for c in text)
    return ems * size


# -- SVG ----------------------------------------------------------------------


def to_svg(chart_layout: ChartLayout) -> str:
    """A self-contained SVG document (no external references), sized in mm.

    Text stays as <text> so the PDF keeps it as vector, searchable text.
    """
    w, h = chart_layout.width, chart_layout.height
    title = _escape(chart_layout.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w)}mm" height="{_n(h)}mm" '
        f'viewBox="0 0 {_n(w)} {_n(h)}" font-family="{FONT_FAMILY}" role="img">',
        f"<title>{title}</title>",
    ]
    for shape in chart_layout.shapes:
        parts.append(_svg_shape(shape))
    parts.append("</svg>")
    return "\n".join(parts)


def to_inline_svg(chart_layout: ChartLayout, element_id: str, desc: str) -> str:
    """The chart as an ``<svg>`` element to put inside an HTML page.

    Unlike :func:`to_svg` it is an image for assistive technology
    (``role="img"`` named by its ``<title>`` and described by its ``<desc>``,
    which ``element_id`` makes unique on the page), and it scales with the
    page (no fixed size: the page's CSS sets the width, the viewBox keeps
    the proportions).
    """
    w, h = chart_layout.width, chart_layout.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(w)} {_n(h)}" font-family="{FONT_FAMILY}" '
        f'role="img" aria-labelledby="{element_id}-title {element_id}-desc" id="{element_id}">',
        f'<title id="{element_id}-title">{_escape(chart_layout.title)}</title>',
        f'<desc id="{element_id}-desc">{_escape(desc)}</desc>',
    ]
    parts += [_svg_shape(shape) for shape in chart_layout.shapes]
    parts.append("</svg>")
    return "\n".join(parts)


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Line):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        dash = f' stroke-dasharray="{_n(shape.dash[0])} {_n(shape.dash[1])}"' if shape.dash else ""
        return (
            f'<polyline points="{points}" fill="none" stroke="{shape.color}" '
            f'stroke-width="{_n(shape.width)}" stroke-linecap="round" stroke-linejoin="round"{dash}/>'
        )
    if isinstance(shape, Marker):
        fill = shape.color if shape.filled else "#ffffff"
        paint = f'fill="{fill}" stroke="{shape.color}" stroke-width="{_n(MARKER_STROKE)}"'
        r = shape.size / 2
        if shape.shape == "circle":
            return f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(r - MARKER_STROKE / 2)}" {paint}/>'
        if shape.shape == "square":
            side = shape.size * 0.85 - MARKER_STROKE
            return (
                f'<rect x="{_n(shape.x - side / 2)}" y="{_n(shape.y - side / 2)}" '
                f'width="{_n(side)}" height="{_n(side)}" {paint}/>'
            )
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in _diamond(shape.x, shape.y, r))
        return f'<polygon points="{points}" fill="{fill}"/>'
    anchor = "" if shape.anchor == "start" else f' text-anchor="{shape.anchor}"'
    return (
        f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}" '
        f'fill="{shape.color}"{anchor}>{_escape(shape.text)}</text>'
    )


def _escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities (the text goes into element content).

    html.escape rather than xml.sax.saxutils.escape: the same result, without
    importing urllib and http (≈ 20 ms of every Word build's start-up)."""
    return html.escape(text, quote=False)


def _diamond(x: float, y: float, r: float) -> list[tuple[float, float]]:
    return [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]


def _n(value: float) -> str:
    """Numbers with at most three decimals, so the output is short and stable."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# -- PNG ----------------------------------------------------------------------

# Lines and markers are drawn at this many times the final size and scaled
# down, which smooths their edges (Pillow draws them without anti-aliasing).
# Text is anti-aliased by FreeType already, so it is drawn at the final size,
# after the shrink: that is a quarter of the glyph pixels.  This keeps the
# paint order because the layout puts all text last.
SUPERSAMPLE = 2


def to_png(chart_layout: ChartLayout, dpi: int = 300) -> bytes:
    """The same picture as a PNG at ``dpi``: same input, same bytes.

    The file carries only its pixel density (so Word sizes it right when no
    width is given) and no text chunks or timestamps.
    """
    scale = dpi / 25.4
    size = (round(chart_layout.width * scale), round(chart_layout.height * scale))
    image = Image.new("RGB", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), "#ffffff")
    draw = ImageDraw.Draw(image)
    for shape in chart_layout.shapes:
        if isinstance(shape, Line):
            _png_line(draw, shape, scale * SUPERSAMPLE)
        elif isinstance(shape, Marker):
            _png_marker(draw, shape, scale * SUPERSAMPLE)
    image = image.reduce(SUPERSAMPLE)
    draw = ImageDraw.Draw(image)
    for shape in chart_layout.shapes:
        if isinstance(shape, Text):
            _png_text(draw, shape, scale)
    # A palette image is a third of the size and faster to compress; the
    # chart has few colours, so 256 hold its anti-aliased edges too.
    image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), compress_level=1)
    return out.getvalue()


def _png_line(draw: ImageDraw.ImageDraw, line: Line, scale: float) -> None:
    width = max(1, round(line.width * scale))
    points = [(x * scale, y * scale) for x, y in line.points]
    if line.dash is None:
        draw.line(points, fill=line.color, width=width, joint="curve")
        return
    on, off = line.dash[0] * scale, line.dash[1] * scale
    for a, b in zip(points, points[1:]):
        length = math.dist(a, b)
        position = 0.0
        while position < length:
            end = min(position + on, length)
            start_point = _along(a, b, position / length)
            end_point = _along(a, b, end / length)
            draw.line([start_point, end_point], fill=line.color, width=width)
            position = end + off


def _along(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _png_marker(draw: ImageDraw.ImageDraw, marker: Marker, scale: float) -> None:
    x, y, r = marker.x * scale, marker.y * scale, marker.size / 2 * scale
    fill = marker.color if marker.filled else "#ffffff"
    stroke = max(1, round(MARKER_STROKE * scale))
    if marker.shape == "circle":
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=marker.color, width=stroke)
    elif marker.shape == "square":
        half = marker.size * 0.85 / 2 * scale
        draw.rectangle([x - half, y - half, x + half, y + half], fill=fill, outline=marker.color, width=stroke)
    else:
        draw.polygon(_diamond(x, y, r), fill=fill)


_PIL_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


def _png_text(draw: ImageDraw.ImageDraw, text: Text, scale: float) -> None:
    font = _font(round(text.size * scale))
    draw.text((text.x * scale, text.y * scale), text.text, font=font, fill=text.color, anchor=_PIL_ANCHORS[text.anchor])


@functools.lru_cache(maxsize=None)
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(), pixels)


@functools.lru_cache(maxsize=None)
def font_file() -> str:
    """The BIZ UDゴシック file, found through fontconfig as WeasyPrint finds it
    (:func:`kplan_report.validate.glyphs.font_file`, which refuses a substitute:
    drawing the PNG in another font would not match the PDF)."""
    from ..validate.glyphs import font_file as find

    return find(FONT_FAMILY)[0]
