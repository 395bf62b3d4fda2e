"""Reading the period a value belongs to, as data staff write it, into one canonical label.

Canonical labels (what DataPoint.period stores, and what `parse_period` reads back to the same
Period): "2024" (a calendar year), "SY2019-20" (a school year, July 1 to June 30), "2024-Q3",
"2024-03" (a month) and "2024-03-15" (a day).

Ambiguities, decided once here:
- "2010-11" is both a school year and November 2010. Two consecutive years win (school years
  are what report cards print); pass `prefer="month"` for a column of months.
- "3/4/2024" is read the United States way: March 4, 2024.
- A bare number is a year (1900 to 2100), unless the column is declared as Excel serial dates
  (`excel_serial=True`), where 45366 is 2024-03-15.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

YEAR = "year"
SCHOOL_YEAR = "school_year"
QUARTER = "quarter"
MONTH = "month"
DATE = "date"

MIN_YEAR = 1900
MAX_YEAR = 2100
# Excel's day 0 is 1899-12-31 but it counts a February 29, 1900 that never was; from day 61 on,
# counting from 1899-12-30 gives the right date.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
MAX_TEXT = 60

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
    )
}
MONTHS["sept"] = 9
# Spanish month names, for the Spanish-speaking staff who write "marzo 2024".
for _number, _names in enumerate(
    (
        ("enero", "ene"),
        ("febrero", "feb"),
        ("marzo", "mar"),
        ("abril", "abr"),
        ("mayo", "may"),
        ("junio", "jun"),
        ("julio", "jul"),
        ("agosto", "ago"),
        ("septiembre", "sep", "setiembre", "set"),
        ("octubre", "oct"),
        ("noviembre", "nov"),
        ("diciembre", "dic"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS.setdefault(_name, _number)

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "\u00a0": " "})
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
_SCHOOL_YEAR = re.compile(
    r"(?:sy|school\s*year|ay|academic\s*year)?\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})"
)
_QUARTER = (
    re.compile(r"(?P<year>\d{4})\s*-?\s*q(?P<q>[1-4])"),
    re.compile(r"q(?P<q>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})"),
)
_MONTH_NUMERIC = (
    re.compile(r"(?P<year>\d{4})[-/](?P<month>\d{1,2})"),
    re.compile(r"(?P<month>\d{1,2})[-/](?P<year>\d{4})"),
)
_MONTH_NAMED = (
    re.compile(r"(?P<name>[a-zñé]+)\.?[\s,-]*(?:de\s+)?(?P<year>\d{4})"),
    re.compile(r"(?P<year>\d{4})[\s,-]*(?P<name>[a-zñé]+)\.?"),
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class PeriodError(ValueError):
    """The text is not a period; the message says what was read and what is expected."""


@dataclass(frozen=True)
class Period:
    kind: str
    label: str
    start: date
    end: date


def year(y: int) -> Period:
    return Period(YEAR, f"{y:04d}", date(y, 1, 1), date(y, 12, 31))


def school_year(first: int) -> Period:
    return Period(
        SCHOOL_YEAR,
        f"SY{first:04d}-{(first + 1) % 100:02d}",
        date(first, 7, 1),
        date(first + 1, 6, 30),
    )


def quarter(y: int, q: int) -> Period:
    first_month = 3 * (q - 1) + 1
    last_month = first_month + 2
    return Period(
        QUARTER,
        f"{y:04d}-Q{q}",
        date(y, first_month, 1),
        date(y, last_month, calendar.monthrange(y, last_month)[1]),
    )


def month(y: int, m: int) -> Period:
    return Period(
        MONTH, f"{y:04d}-{m:02d}", date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
    )


def day(d: date) -> Period:
    return Period(DATE, d.isoformat(), d, d)


def _not_a_period(text: object) -> PeriodError:
    shown = str(text)
    if len(shown) > MAX_TEXT:
        shown = shown[:MAX_TEXT] + "…"
    return PeriodError(
        _(
            "“%(text)s” is not a period: write a year (2024), a school year (SY2019-20), "
            "a quarter (2024-Q3), a month (2024-03) or a date (2024-03-15)."
        )
        % {"text": shown}
    )


def _out_of_range(text: object) -> PeriodError:
    return PeriodError(
        _("“%(text)s” is outside the years %(min)s to %(max)s.")
        % {"text": text, "min": MIN_YEAR, "max": MAX_YEAR}
    )


def _checked_year(y: int, text: object) -> int:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise _out_of_range(text)
    return y


def from_excel_serial(serial: int | float | Decimal, text: object = None) -> Period:
    """An Excel date serial number (days since 1899-12-31, with Excel's leap-day 1900)."""
    shown = serial if text is None else text
    try:
        whole = int(serial)
    except (OverflowError, ValueError):
        raise _not_a_period(shown) from None
    if whole != serial or whole == 60 or not 1 <= whole <= EXCEL_MAX_SERIAL:
        # 60 is Excel's February 29, 1900, a day that did not exist.
        raise _not_a_period(shown)
    d = EXCEL_EPOCH + timedelta(days=whole if whole > 60 else whole + 1)
    _checked_year(d.year, shown)
    return day(d)


def _from_number(number: Decimal, text: object, *, excel_serial: bool) -> Period:
    if not number.is_finite():
        raise _not_a_period(text)
    if excel_serial:
        return from_excel_serial(number, text)
    if number != number.to_integral_value() or not 1000 <= number <= 9999:
        raise _not_a_period(text)
    return year(_checked_year(int(number), text))


def parse_period(
    text: str | int | float | Decimal | date | datetime,
    *,
    excel_serial: bool = False,
    prefer: str | None = None,
) -> Period:
    """Read a period; raises PeriodError with a message naming the text for anything else."""
    if isinstance(text, bool):
        raise _not_a_period(text)
    if isinstance(text, datetime):
        return day(_checked_date(text.date(), text))
    if isinstance(text, date):
        return day(_checked_date(text, text))
    if isinstance(text, int | float | Decimal):
        try:
            number = Decimal(str(text)) if isinstance(text, float) else Decimal(text)
        except (InvalidOperation, ValueError):
            raise _not_a_period(text) from None
        return _from_number(number, text, excel_serial=excel_serial)
    if not isinstance(text, str):
        raise _not_a_period(text)
    return _parse_text(text, excel_serial=excel_serial, prefer=prefer)


def _checked_date(d: date, text: object) -> date:
    _checked_year(d.year, text)
    return d


def _parse_text(text: str, *, excel_serial: bool, prefer: str | None) -> Period:
    original = text
    cleaned = " ".join(text.translate(_DASHES).split()).lower()
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise _not_a_period(original)
    if excel_serial and re.fullmatch(r"\d+(?:\.0+)?", cleaned):
        return from_excel_serial(Decimal(cleaned), original)
    if match := _YEAR.fullmatch(cleaned):
        return year(_checked_year(int(match[1]), original))
    if match := _ISO_DATE.fullmatch(cleaned):
        return day(_safe_date(int(match[1]), int(match[2]), int(match[3]), original))
    if match := _US_DATE.fullmatch(cleaned):
        return day(_safe_date(int(match[3]), int(match[1]), int(match[2]), original))
    for pattern in _QUARTER:
        if match := pattern.fullmatch(cleaned):
            return quarter(_checked_year(int(match["year"]), original), int(match["q"]))
    if match := _SCHOOL_YEAR.fullmatch(cleaned):
        first = int(match[1])
        second = match[2]
        consecutive = (
            int(second) == first + 1 if len(second) == 4 else int(second) == (first + 1) % 100
        )
        declared = not cleaned[0].isdigit()
        month_like = len(second) <= 2 and 1 <= int(second) <= 12
        if consecutive and (declared or not (prefer == MONTH and month_like)):
            _checked_year(first + 1, original)
            return school_year(_checked_year(first, original))
        if declared:
            raise PeriodError(
                _("“%(text)s” is not a school year: its two years must follow each other.")
                % {"text": original}
            )
    for pattern in _MONTH_NUMERIC:
        if match := pattern.fullmatch(cleaned):
            m = int(match["month"])
            if 1 <= m <= 12:
                return month(_checked_year(int(match["year"]), original), m)
            raise _not_a_period(original)
    for pattern in _MONTH_NAMED:
        if (match := pattern.fullmatch(cleaned)) and match["name"] in MONTHS:
            return month(_checked_year(int(match["year"]), original), MONTHS[match["name"]])
    raise _not_a_period(original)


def _safe_date(y: int, m: int, d: int, text: str) -> date:
    try:
        value = date(y, m, d)
    except ValueError:
        raise _not_a_period(text) from None
    return _checked_date(value, text)
