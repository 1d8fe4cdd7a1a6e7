"""The trend charts: geometry, SVG and PNG from the same layout."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from kplan_report.writers import charts
from kplan_report.views.outline import Chart, ChartSeries

YEARS = [2018, 2019, 2020, 2021]
SVG = "{http://www.w3.org/2000/svg}"
# what a report passes as the missing-value and target labels (the scale's and text/labels.py's)
LABELS = ("未把握", "目標")


def one_series(points, target=100.0, unit="％", title="自主防災組織の組織率"):
    return Chart(title, YEARS, 2023, [ChartSeries(unit, unit, list(zip(YEARS, points)), target)], *LABELS)


def two_series():
    return Chart(
        "地域福祉学習会の開催数",
        YEARS,
        2023,
        [
            ChartSeries("地区", "地区", list(zip(YEARS, [14.0, None, 15.0, 16.0])), 16.0),
            ChartSeries("回", "回", list(zip(YEARS, [17.0, None, 20.0, 22.0])), 32.0),
        ],
        *LABELS,
    )


def texts(chart_layout):
    return [shape.text for shape in chart_layout.shapes if isinstance(shape, charts.Text)]


def data_lines(chart_layout, color):
    return [s for s in chart_layout.shapes if isinstance(s, charts.Line) and s.color == color]


def test_no_line_crosses_a_missing_year():
    result = charts.layout(one_series([54.9, None, 60.0, 71.5]), 60, 34)
    panel = result.panels[0]
    x = panel.x_positions
    # 2018 stands alone; 2020–2021 is one run.
    assert [[px for px, _ in run] for run in panel.segments] == [[x[2018]], [x[2020], x[2021]]]
    color = charts.SERIES_STYLES[0].color
    for line in data_lines(result, color):
        xs = [px for px, _ in line.points]
        assert not (min(xs) < x[2019] < max(xs)), "a line is drawn across the missing 2019"
    # The lone 2018 value is still shown, as a marker.
    markers = [(m.x, m.y) for m in result.shapes if isinstance(m, charts.Marker) and m.color == color]
    assert panel.segments[0][0] in markers


def test_missing_value_in_the_middle_splits_the_line():
    result = charts.layout(one_series([5.0, 6.0, None, 8.0], target=None, unit="校"), 60, 34)
    assert [len(run) for run in result.panels[0].segments] == [2, 1]
    assert len(data_lines(result, charts.SERIES_STYLES[0].color)) == 1


@pytest.mark.parametrize(
    "points, target, unit",
    [
        ([54.9, None, 60.0, 71.5], 100.0, "％"),
        ([6210.0, 6900.0, 7100.0, 7480.0], 8000.0, "人"),
        ([0.0, None, 0.0, 1.0], 1.0, "回"),
        ([14.0, 15.0, 16.0, 17.0], 40.0, "地区"),
        ([91.8, 93.0, 93.5, 94.0], 95.0, "％"),
        ([0.0, 0.0, 0.0, 0.0], None, "回"),
        ([3.0, 2.5, 1.2, 0.4], 0.0, "件"),
        ([-2.0, 1.0, 3.0, 4.0], 5.0, "件"),
    ],
)
def test_y_range_holds_every_value_and_the_target(points, target, unit):
    panel = charts.layout(one_series(points, target, unit), 60, 34).panels[0]
    wanted = [v for v in points if v is not None] + ([target] if target is not None else [])
    assert panel.y_min <= min(wanted) and max(wanted) <= panel.y_max
    ticks = [value for value, _ in panel.y_ticks]
    assert 3 <= len(ticks) <= 5
    assert ticks[0] == panel.y_min and ticks[-1] == panel.y_max
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1, "ticks are evenly spaced"
    # Every point lies inside the plot.
    for run in panel.segments:
        for _, y in run:
            assert panel.plot.top - 1e-9 <= y <= panel.plot.bottom + 1e-9


def test_counts_get_whole_ticks_with_thousands_separators():
    panel = charts.layout(one_series([6210.0, 6900.0, 7100.0, 7480.0], 8000.0, "人"), 60, 34).panels[0]
    assert [label for _, label in panel.y_ticks] == ["0", "2,000", "4,000", "6,000", "8,000"]
    small = charts.layout(one_series([0.0, None, 0.0, 1.0], 1.0, "回"), 60, 34).panels[0]
    assert all(value.is_integer() for value, _ in small.y_ticks)


def test_high_rates_do_not_start_at_zero_but_counts_do():
    rate = charts.layout(one_series([91.8, 93.0, 93.5, 94.0], 95.0, "％"), 60, 34).panels[0]
    assert rate.y_min > 0
    count = charts.layout(one_series([91.8, 93.0, 93.5, 94.0], 95.0, "人"), 60, 34).panels[0]
    assert count.y_min == 0


def test_x_axis_runs_to_the_target_year_in_short_wareki():
    result = charts.layout(one_series([54.9, None, 60.0, 71.5]), 60, 34)
    panel = result.panels[0]
    assert list(panel.x_positions) == [2018, 2019, 2020, 2021, 2022, 2023]
    xs = list(panel.x_positions.values())
    assert xs == sorted(xs) and panel.plot.left < xs[0] and xs[-1] < panel.plot.right
    assert {"H30", "R1", "R2", "R3", "R4", "R5"} <= set(texts(result))
    assert panel.target_point[0] == panel.x_positions[2023]
    assert "目標100" in texts(result)


def test_target_is_joined_to_the_last_actual_value():
    panel = charts.layout(one_series([54.9, None, 60.0, 71.5]), 60, 34).panels[0]
    dashed = [s for s in charts.layout(one_series([54.9, None, 60.0, 71.5]), 60, 34).shapes
              if isinstance(s, charts.Line) and s.dash]
    assert [line.points for line in dashed] == [(panel.segments[-1][-1], panel.target_point)]


def test_two_series_get_two_panels_with_their_own_axes_and_a_legend():
    result = charts.layout(two_series(), 60, 34)
    first, second = result.panels
    assert first.plot.right < second.plot.left
    assert first.y_max < second.y_max  # 地区 and 回 are not forced onto one scale
    assert {"地区", "回"} <= set(texts(result))


def test_one_series_has_no_legend():
    result = charts.layout(one_series([14.0, 15.0, 16.0, 17.0], 40.0, "地区"), 60, 34)
    assert "地区" not in texts(result)
    assert "（地区）" in texts(result)


def test_svg_is_xml_with_the_title_escaped():
    title = "見守り<b>&支え合い"
    svg = charts.to_svg(charts.layout(one_series([54.9, None, 60.0, 71.5], title=title), 60, 34))
    assert "見守り&lt;b&gt;&amp;支え合い" in svg
    assert "<b>" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 60 34" and root.get("width") == "60mm"
    assert root.get("font-family") == "BIZ UDGothic"
    assert root.find(f"{SVG}title").text == title
    assert title in [t.text for t in root.iter(f"{SVG}text")]
    assert "href" not in svg and "url(" not in svg  # self-contained


def test_svg_draws_every_shape():
    result = charts.layout(two_series(), 60, 34)
    root = ET.fromstring(charts.to_svg(result))
    drawn = [el for el in root if el.tag != f"{SVG}title"]
    assert len(drawn) == len(result.shapes)


def test_png_is_deterministic_and_of_the_requested_size():
    result = charts.layout(two_series(), 60, 34)
    first = charts.to_png(result, dpi=300)
    assert first == charts.to_png(charts.layout(two_series(), 60, 34), dpi=300)
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"tEXt" not in first and b"tIME" not in first and b"iTXt" not in first
    image = Image.open(io.BytesIO(first))
    image.verify()
    assert Image.open(io.BytesIO(first)).size == (709, 402)  # 60 × 34 mm at 300 dpi
    assert Image.open(io.BytesIO(charts.to_png(result, dpi=200))).size == (472, 268)


def test_png_is_not_blank():
    image = Image.open(io.BytesIO(charts.to_png(charts.layout(two_series(), 60, 34), dpi=150))).convert("RGB")
    colors = image.getcolors(maxcolors=100000)
    assert len(colors) > 10


def test_a_chart_without_values_is_an_empty_plot_marked_not_measured():
    chart = one_series([None, None, None, None], target=None, unit="回")
    result = charts.layout(chart, 60, 34)
    assert "未把握" in texts(result)
    assert result.panels[0].segments == []
    assert not [s for s in result.shapes if isinstance(s, charts.Marker)]
    ET.fromstring(charts.to_svg(result))
    assert charts.to_png(result)


def test_target_without_values_still_shows_the_target():
    result = charts.layout(one_series([None, None, None, None], target=10.0, unit="回"), 60, 34)
    assert "未把握" in texts(result) and "目標10" in texts(result)
    assert not [s for s in result.shapes if isinstance(s, charts.Line) and s.dash]


def test_one_of_two_series_missing():
    chart = Chart(
        "見守り活動",
        YEARS,
        2023,
        [
            ChartSeries("地区", "地区", list(zip(YEARS, [14.0, None, 15.0, 16.0])), 16.0),
            ChartSeries("回", "回", list(zip(YEARS, [None] * 4)), None),
        ],
        *LABELS,
    )
    result = charts.layout(chart, 60, 34)
    assert len(result.panels) == 2 and texts(result).count("未把握") == 1
    charts.to_png(result)


def test_long_titles_stay_inside_the_chart():
    title = "市立幼稚園・保育所・小中学校等での福祉・防災教育，福祉活動やボランティア体験の実施数"
    result = charts.layout(one_series([1.0, 2.0, 3.0, 4.0], title=title), 60, 34)
    for shape in result.shapes:
        if isinstance(shape, charts.Text):
            assert charts.text_width(shape.text, shape.size) <= result.width - 2 * charts.PADDING + 1e-9


def test_title_can_be_left_out():
    result = charts.layout(one_series([1.0, 2.0, 3.0, 4.0]), 60, 34, show_title=False)
    assert "自主防災組織の組織率" not in texts(result)


def test_short_year():
    assert [charts.short_year(y) for y in (2018, 2019, 2020, 2023)] == ["H30", "R1", "R2", "R5"]


def test_svg_renders_in_weasyprint():
    weasyprint = pytest.importorskip("weasyprint")
    svg = charts.to_svg(charts.layout(two_series(), 60, 34))
    pdf = weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
