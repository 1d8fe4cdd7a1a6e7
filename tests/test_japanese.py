"""和暦 fiscal years, dates and number formatting as the city prints them."""

from __future__ import annotations

import datetime
from decimal import Context, Decimal as D

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


# ------------------------------------------------------------ what validate lets through, printed (issue 16 §3)


def test_every_year_and_date_validate_accepts_has_a_wareki_name():
    """validate keeps fiscal years within MIN_YEAR–MAX_YEAR and report dates a few years after
    them; each has its 和暦, and nothing earlier is asked for (昭和 starts 1926-12-25)."""
    from kplan_report.model import MAX_REPORT_DELAY_YEARS, MAX_YEAR, MIN_YEAR
    from kplan_report.text.japanese import EARLIEST_DATE, fiscal_year_letter

    assert wareki_year(MIN_YEAR) == "昭和2"
    assert fiscal_year_label(MAX_YEAR) == "令和82年度（2100年度）"
    assert fiscal_year_letter(MIN_YEAR) == "S2"
    assert wareki_date(datetime.date(MIN_YEAR + 1, 4, 1)) == "昭和3年4月1日"
    assert wareki_date(datetime.date(MAX_YEAR + 1 + MAX_REPORT_DELAY_YEARS, 3, 31)) == "令和88年3月31日"
    assert wareki_date(EARLIEST_DATE) == "昭和元年12月25日"
    with pytest.raises(ValueError):
        wareki_date(EARLIEST_DATE - datetime.timedelta(days=1))


@pytest.mark.parametrize("value, text", [
    (D("999999999999"), "999,999,999,999.0％"),                      # the largest number validate accepts
    (D("1E+27"), "1,000,000,000,000,000,000,000,000,000.0％"),       # 28 digits: beyond the default context
    (D("12345678901234567890123456789012345678901234567890"), "12,345,678,901,234,567,890,123,456,789,012,345,678,901,234,567,890.0％"),
    (D("0.0001"), "0.0％"),
])
def test_percentages_of_any_size_print_exactly(value, text):
    """Rounding to one decimal used the default 28-digit context: a figure of 28 digits or more
    (a progress of 10^12 against a target 0.0001 away) raised decimal.InvalidOperation."""
    assert format_number(value, "％") == text[:-1] + NO_BREAK + "％"
    assert format_percent(value.scaleb(-2, Context(prec=100))) == text[:-1] + NO_BREAK + "％"  # value / 100, exactly


def test_the_largest_and_finest_numbers_validate_accepts_print():
    assert format_number(D("999999999999.9999"), "人") == f"999,999,999,999.9999{NO_BREAK}人"
    assert format_number(D("0.0001")) == "0.0001"
