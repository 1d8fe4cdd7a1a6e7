"""和暦 fiscal years, dates and number formatting as the city prints them."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from kplan_report.text.japanese import (
    NO_BREAK,
    fiscal_year_label,
    fiscal_year_short,
    format_number,
    format_percent,
    wareki_date,
    wareki_year,
)


@pytest.mark.parametrize("year, label", [
    (2018, "平成30年度（2018年度）"),
    (2019, "令和元年度（2019年度）"),  # FY2019 is 令和元年度 although April 2019 was still 平成31年
    (2020, "令和2年度（2020年度）"),
    (2021, "令和3年度（2021年度）"),
    (2023, "令和5年度（2023年度）"),
])
def test_fiscal_year_label(year, label):
    assert fiscal_year_label(year) == label


def test_fiscal_year_short_and_wareki_year():
    assert fiscal_year_short(2019) == "令和元年度"
    assert fiscal_year_short(2018) == "平成30年度"
    assert wareki_year(1989) == "平成元"
    assert wareki_year(1988) == "昭和63"


@pytest.mark.parametrize("date, text", [
    (datetime.date(2019, 4, 30), "平成31年4月30日"),
    (datetime.date(2019, 5, 1), "令和元年5月1日"),
    (datetime.date(2022, 6, 30), "令和4年6月30日"),
    (datetime.date(2020, 1, 1), "令和2年1月1日"),
    (datetime.date(1989, 1, 7), "昭和64年1月7日"),
    (datetime.date(1989, 1, 8), "平成元年1月8日"),
])
def test_wareki_date_takes_the_era_from_the_date(date, text):
    assert wareki_date(date) == text


@pytest.mark.parametrize("value, unit, text", [
    (8000, "人", "8,000人"),
    (9500, "人", "9,500人"),
    (D("1620"), "人", "1,620人"),
    (26290, "人", "26,290人"),
    (D("8000.0"), "人", "8,000人"),  # a YAML 8000.0 does not print as 8,000.0人
    (14, "地区", "14地区"),
    (0, "回", "0回"),
    (D("12345.67"), "", "12,345.67"),
    (D("2.50"), "", "2.5"),
    (46, "", "46"),
])
def test_format_number(value, unit, text):
    """Shown as ``text``; a unit is joined to its number by NO_BREAK, so that no line breaks between them."""
    shown = format_number(value, unit)
    assert shown.replace(NO_BREAK, "") == text
    assert shown == (text[: -len(unit)] + NO_BREAK + unit if unit else text)


@pytest.mark.parametrize("value, unit, text", [
    (D("91.8"), "％", "91.8％"),
    (100, "％", "100.0％"),
    (D("100"), "%", "100.0％"),  # an ASCII % prints as the full-width ％ of the plan
    (D("54.9"), "％", "54.9％"),
    (D("54.90"), "％", "54.9％"),
    (D("71.25"), "％", "71.3％"),  # half up
    (D("0"), "％", "0.0％"),
    (88, "％", "88.0％"),
])
def test_format_number_percentages_have_one_decimal(value, unit, text):
    assert format_number(value, unit) == text[:-1] + NO_BREAK + "％"


@pytest.mark.parametrize("fraction, text", [
    (D("0.4"), "40.0％"),
    (D("0.6"), "60.0％"),
    (D(1), "100.0％"),
    (D(0), "0.0％"),
    (D(2) / D(15), "13.3％"),            # 0.1333…
    (D(599) / D(1500), "39.9％"),        # 0.39933…
    (D(1600) / D(1500), "106.7％"),      # reached the target early
    (D("0.0005"), "0.1％"),              # half up
    (D(-100) / D(1500), "-6.7％"),       # worse than the baseline
    (D(-1) / D(26710), "0.0％"),         # rounds to zero: no "-0.0％"
])
def test_format_percent(fraction, text):
    joined = text[:-1].replace("-", "-" + NO_BREAK) + NO_BREAK + "％"  # nothing breaks after the minus either
    assert format_percent(fraction) == joined


def test_negative_zero_percentage_prints_as_zero():
    assert format_number(D("-0.01"), "％") == f"0.0{NO_BREAK}％"
