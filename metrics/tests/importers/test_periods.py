"""Periods as data staff write them, read into one canonical label that reads back the same."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.periods import Period, PeriodError, parse_period

NOT_A_PERIOD = (
    "“{}” is not a period: write a year (2024), a school year (SY2019-20), a quarter (2024-Q3), "
    "a month (2024-03) or a date (2024-03-15)."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", Period("year", "2024", date(2024, 1, 1), date(2024, 12, 31))),
        (2024, Period("year", "2024", date(2024, 1, 1), date(2024, 12, 31))),
        (2024.0, Period("year", "2024", date(2024, 1, 1), date(2024, 12, 31))),
        ("2024.0", Period("year", "2024", date(2024, 1, 1), date(2024, 12, 31))),
        (" 2024 ", Period("year", "2024", date(2024, 1, 1), date(2024, 12, 31))),
        ("SY2019-20", Period("school_year", "SY2019-20", date(2019, 7, 1), date(2020, 6, 30))),
        ("2019-20", Period("school_year", "SY2019-20", date(2019, 7, 1), date(2020, 6, 30))),
        ("2019–20", Period("school_year", "SY2019-20", date(2019, 7, 1), date(2020, 6, 30))),
        ("2019-2020", Period("school_year", "SY2019-20", date(2019, 7, 1), date(2020, 6, 30))),
        ("SY 2019-2020", Period("school_year", "SY2019-20", date(2019, 7, 1), date(2020, 6, 30))),
        (
            "School year 2019-20",
            Period("school_year", "SY2019-20", date(2019, 7, 1), date(2020, 6, 30)),
        ),
        ("SY1999-00", Period("school_year", "SY1999-00", date(1999, 7, 1), date(2000, 6, 30))),
        ("2024-Q3", Period("quarter", "2024-Q3", date(2024, 7, 1), date(2024, 9, 30))),
        ("Q3 2024", Period("quarter", "2024-Q3", date(2024, 7, 1), date(2024, 9, 30))),
        ("2024 Q3", Period("quarter", "2024-Q3", date(2024, 7, 1), date(2024, 9, 30))),
        ("2024q1", Period("quarter", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31))),
        ("2024-03", Period("month", "2024-03", date(2024, 3, 1), date(2024, 3, 31))),
        ("Mar 2024", Period("month", "2024-03", date(2024, 3, 1), date(2024, 3, 31))),
        ("March 2024", Period("month", "2024-03", date(2024, 3, 1), date(2024, 3, 31))),
        ("3/2024", Period("month", "2024-03", date(2024, 3, 1), date(2024, 3, 31))),
        ("febrero de 2024", Period("month", "2024-02", date(2024, 2, 1), date(2024, 2, 29))),
        ("2024-03-15", Period("date", "2024-03-15", date(2024, 3, 15), date(2024, 3, 15))),
        ("3/15/2024", Period("date", "2024-03-15", date(2024, 3, 15), date(2024, 3, 15))),
        (
            "2024-03-15 00:00:00",
            Period("date", "2024-03-15", date(2024, 3, 15), date(2024, 3, 15)),
        ),
        (date(2024, 3, 15), Period("date", "2024-03-15", date(2024, 3, 15), date(2024, 3, 15))),
        (
            datetime(2024, 3, 15, 0, 0),  # noqa: DTZ001 — an Excel date cell has no time zone
            Period("date", "2024-03-15", date(2024, 3, 15), date(2024, 3, 15)),
        ),
    ],
)
def test_periods_are_read_into_their_canonical_label(text: object, expected: Period) -> None:
    assert parse_period(text) == expected  # type: ignore[arg-type]


def test_two_consecutive_years_are_a_school_year_unless_the_column_holds_months() -> None:
    assert parse_period("2010-11").label == "SY2010-11"
    assert parse_period("2010-11", prefer="month").label == "2010-11"
    assert parse_period("SY2010-11", prefer="month").label == "SY2010-11"


def test_excel_serial_numbers_are_dates_only_when_declared() -> None:
    assert parse_period(45366, excel_serial=True).label == "2024-03-15"
    assert parse_period("45366", excel_serial=True).label == "2024-03-15"
    assert parse_period(Decimal("45366"), excel_serial=True).label == "2024-03-15"
    assert parse_period(61, excel_serial=True).label == "1900-03-01"
    assert parse_period(59, excel_serial=True).label == "1900-02-28"
    with pytest.raises(PeriodError) as caught:
        parse_period(45366)
    assert str(caught.value) == NOT_A_PERIOD.format("45366")
    with pytest.raises(PeriodError):
        parse_period(60, excel_serial=True)  # Excel's February 29, 1900


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", NOT_A_PERIOD.format("abc")),
        ("2024-13", NOT_A_PERIOD.format("2024-13")),
        ("2/30/2024", NOT_A_PERIOD.format("2/30/2024")),
        ("", NOT_A_PERIOD.format("")),
        (2024.5, NOT_A_PERIOD.format("2024.5")),
        (True, NOT_A_PERIOD.format("True")),
        (float("nan"), NOT_A_PERIOD.format("nan")),
        ("1800", "“1800” is outside the years 1900 to 2100."),
        ("SY2019-21", "“SY2019-21” is not a school year: its two years must follow each other."),
    ],
)
def test_what_is_not_a_period_is_refused_naming_the_text(text: object, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)  # type: ignore[arg-type]
    assert str(caught.value) == message


@given(
    st.one_of(
        st.text(max_size=40),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.dates(),
        st.booleans(),
    ),
    st.booleans(),
)
def test_parse_period_raises_nothing_but_its_own_error(text: object, serial: bool) -> None:
    try:
        period = parse_period(text, excel_serial=serial)  # type: ignore[arg-type]
    except PeriodError:
        return
    assert period.start <= period.end
    assert parse_period(period.label) == period


@given(st.integers(1900, 2100))
def test_a_year_label_round_trips(y: int) -> None:
    period = parse_period(str(y))
    assert period.label == str(y)
    assert parse_period(y) == period


@given(st.integers(1900, 2099), st.sampled_from(["SY{a}-{b}", "{a}-{b}", "SY {a}-{c}", "{a}-{c}"]))
def test_a_school_year_label_round_trips(first: int, shape: str) -> None:
    text = shape.format(a=first, b=f"{(first + 1) % 100:02d}", c=first + 1)
    period = parse_period(text)
    assert period.label == f"SY{first}-{(first + 1) % 100:02d}"
    assert (period.start, period.end) == (date(first, 7, 1), date(first + 1, 6, 30))
    assert parse_period(period.label) == period


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_a_date_label_round_trips(d: date) -> None:
    assert parse_period(d.isoformat()) == parse_period(d)
    assert parse_period(f"{d.month}/{d.day}/{d.year}").label == d.isoformat()
