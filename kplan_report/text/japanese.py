"""Japanese display conventions: 和暦 fiscal years, dates and numbers.

Every renderer shows years and numbers the same way, so the rules live here
and the report view model stores the finished strings.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

# (first Gregorian year of the era, era name)
_ERAS = [(2019, "令和"), (1989, "平成"), (1926, "昭和")]

# The era changed on 2019-05-01; the plan and the city count FY2019 as 令和元年度.
_ERA_START_DATES = [
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
]


#: The earliest date these functions can name (昭和元年12月25日); ``validate`` refuses
#: any earlier year or date (:data:`kplan_report.model.MIN_YEAR`), so a report never asks.
EARLIEST_DATE = _ERA_START_DATES[-1][0]


def _era_year(year: int, first: int) -> str:
    n = year - first + 1
    return "元" if n == 1 else str(n)


def wareki_year(year: int) -> str:
    """令和3 for 2021, 令和元 for 2019, 平成30 for 2018 (no suffix)."""
    for first, name in _ERAS:
        if year >= first:
            return f"{name}{_era_year(year, first)}"
    raise ValueError(f"year before 昭和: {year}")


def fiscal_year_label(year: int) -> str:
    """令和3年度（2021年度） — the form the city uses in titles and headings."""
    return f"{wareki_year(year)}年度（{year}年度）"


_ERA_LETTERS = {"令和": "R", "平成": "H", "昭和": "S"}


def fiscal_year_letter(year: int) -> str:
    """R3 for 2021, R1 for 2019, H30 for 2018: the era's letter, for a compact list of years."""
    for first, name in _ERAS:
        if year >= first:
            return f"{_ERA_LETTERS[name]}{year - first + 1}"
    raise ValueError(f"year before 昭和: {year}")


def fiscal_year_short(year: int) -> str:
    """令和3年度 — for narrow table headers, with the 西暦 on a second line by the caller."""
    return f"{wareki_year(year)}年度"


def wareki_date(date: datetime.date) -> str:
    """令和4年6月30日 — the era is taken from the date itself, not the fiscal year."""
    for start, name in _ERA_START_DATES:
        if date >= start:
            return f"{name}{_era_year(date.year, start.year)}年{date.month}月{date.day}日"
    raise ValueError(f"date before 昭和: {date}")


#: U+2060 WORD JOINER: no line break here.  A number and its unit are one
#: thing to the reader; line breaking rules (UAX #14) allow a break between
#: 8,000 and 人, and a cell too narrow for -160.0％ breaks anywhere.  The
#: formatter marks the join, each writer keeps it whole: the PDF writer
#: turns a joined number into an unbreakable span (and drops the joiner from
#: the text, so that searching the PDF for 8,000人 finds it); Word and
#: LibreOffice honour the joiner itself.
NO_BREAK = "\u2060"


def format_number(value: Decimal | int | float, unit: str = "") -> str:
    """8,000⁠人; 54.9⁠％; 1,620⁠人 (with :data:`NO_BREAK` between number and unit).

    Percentages always carry one decimal (91.8％, 100.0％); other numbers keep
    the decimals they have, with thousands separators.
    """
    value = Decimal(str(value))
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    if unit in ("％", "%"):
        return f"{_joined_sign(f'{_one_decimal(value):,}')}{NO_BREAK}％"
    if value == value.to_integral_value():
        text = f"{int(value):,}"
    else:
        text = f"{value.normalize():,f}"
    text = _joined_sign(text)
    return f"{text}{NO_BREAK}{unit}" if unit else text


def format_percent(fraction: Decimal) -> str:
    """A progress fraction as a percentage with one decimal: 0.4 → 40.0⁠％ (joined by :data:`NO_BREAK`)."""
    with localcontext() as context:
        context.prec = max(context.prec, fraction.adjusted() + 5)  # exact, as in _one_decimal
        percent = fraction * 100
    return f"{_joined_sign(f'{_one_decimal(percent):,}')}{NO_BREAK}％"


def _joined_sign(text: str) -> str:
    """-1,119.5 → -⁠1,119.5: LibreOffice (ICU) breaks after a hyphen-minus before a digit."""
    return f"-{NO_BREAK}{text[1:]}" if text.startswith("-") else text


def _one_decimal(value: Decimal) -> Decimal:
    """Rounded half up to one decimal; a result of zero never prints as -0.0.

    Exact whatever the size: the precision is the number's own digits plus the
    decimal, not the 28 digits of the default context (in which a number of
    28 digits or more cannot be given a decimal, ``decimal.InvalidOperation``).
    """
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + 3)
        rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return abs(rounded) if rounded == 0 else rounded
