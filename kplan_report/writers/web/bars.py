"""第2章's stacked status bars as inline SVG, for the web edition.

The PDF draws them with CSS boxes; a web page draws them as one picture
with a title and description (the outline's alt text), every segment
labelled with its count and a legend that names every status beside its
colour, so that the colour is never the only carrier of a status.  The
colours are darker than the PDF's where white text must reach the 4.5:1
contrast of WCAG AA.
"""

from __future__ import annotations

import html
import unicodedata

from ...views.blocks import StatusBars
from ..charts import FONT_FAMILY

#: Fill and text colour per status key (text contrast ≥ 4.5:1 on its fill).
COLOURS = {
    "achieved": ("#1b5e20", "#ffffff"),
    "on_track": ("#2e7d32", "#ffffff"),
    "slightly_behind": ("#e0a100", "#000000"),
    "behind": ("#c62828", "#ffffff"),
    "not_achieved": ("#7b1fa2", "#ffffff"),
    "unknown": ("#bdbdbd", "#000000"),
    # the final evaluation's judgements (views/final.py BAR_KEY)
    "final_achieved": ("#1b5e20", "#ffffff"),
    "final_mostly_achieved": ("#2e7d32", "#ffffff"),
    "final_not_achieved": ("#e0a100", "#000000"),
    "final_worsened": ("#c62828", "#ffffff"),
    "final_unknown": ("#bdbdbd", "#000000"),
}

WIDTH = 680
LABEL_WIDTH = 300  # the bar labels' column
BAR_HEIGHT = 26
GAP = 12
FONT = 13


def _text_width(text: str, size: float) -> float:
    """Full-width characters are one em wide, the others half (as charts.text_width)."""
    return sum(size if unicodedata.east_asian_width(c) in "FWA" else size / 2 for c in text)


def _fit(text: str, width: float) -> str:
    """``text`` cut to ``width`` with …; the full label is in the table that follows."""
    if _text_width(text, FONT) <= width:
        return text
    while text and _text_width(text + "…", FONT) > width:
        text = text[:-1]
    return text + "…"


def bars_svg(block: StatusBars, element_id: str) -> str:
    """The bars as an ``<svg>`` element; ``element_id`` makes its title and desc ids unique."""
    e = html.escape
    plot = WIDTH - LABEL_WIDTH - 10
    top = 8
    parts = []
    for bar in block.bars:
        total = sum(s.count for s in bar.segments) or 1
        parts.append(f'<text x="0" y="{top + BAR_HEIGHT * 0.68:.1f}" font-size="{FONT}" fill="#222222">'
                     f'{e(_fit(bar.label, LABEL_WIDTH - 8))}</text>')
        x = float(LABEL_WIDTH)
        for seg in bar.segments:
            fill, ink = COLOURS.get(seg.key, ("#555555", "#ffffff"))
            w = plot * seg.count / total
            parts.append(f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{BAR_HEIGHT}" fill="{fill}"/>')
            parts.append(f'<text x="{x + w / 2:.1f}" y="{top + BAR_HEIGHT * 0.68:.1f}" font-size="{FONT}" '
                         f'fill="{ink}" text-anchor="middle">{seg.count}</text>')
            x += w
        top += BAR_HEIGHT + GAP
    x, legend_y = 0.0, top + 6
    for key, label in block.legend:
        fill, _ = COLOURS.get(key, ("#555555", "#ffffff"))
        width = 18 + 6 + _text_width(label, FONT) + 18
        if x + width > WIDTH:
            x, legend_y = 0.0, legend_y + 22
        parts.append(f'<rect x="{x:.1f}" y="{legend_y - 12}" width="16" height="16" fill="{fill}"/>')
        parts.append(f'<text x="{x + 22:.1f}" y="{legend_y + 1}" font-size="{FONT}" fill="#222222">{e(label)}</text>')
        x += width
    height = legend_y + 14
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" font-family="{FONT_FAMILY}" '
        f'role="img" aria-labelledby="{element_id}-title {element_id}-desc" id="{element_id}">',
        f'<title id="{element_id}-title">{e(block.alt)}</title>',
        f'<desc id="{element_id}-desc">' + e("　".join(
            f"{bar.label}：" + "，".join(f"{s.label} {s.count}" for s in bar.segments) for bar in block.bars))
        + "</desc>",
        *parts,
        "</svg>",
    ])
