"""Value cells as data staff write them; suppression markers are never read as zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.numbers import NumberError, Parsed, parse_number


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("45.2%", "percent", Parsed(Decimal("45.2"), False, "", "%")),
        ("45.2 %", "percent", Parsed(Decimal("45.2"), False, "", "%")),
        ("45.2", "percent", Parsed(Decimal("45.2"), False, "", "")),
        ("100%", "percent", Parsed(Decimal("100"), False, "", "%")),
        ("1,234", "count", Parsed(Decimal("1234"), False, "", "")),
        ("1,234,567.25", "count", Parsed(Decimal("1234567.25"), False, "", "")),
        (" 1 234 ", "count", Parsed(Decimal("1234"), False, "", "")),
        ("1\u00a0234", "count", Parsed(Decimal("1234"), False, "", "")),
        ("-3.5", "other", Parsed(Decimal("-3.5"), False, "", "")),
        ("−3.5", "other", Parsed(Decimal("-3.5"), False, "", "")),
        ("$1,200.50", "currency", Parsed(Decimal("1200.5"), False, "", "$")),
        ("-$1,200.50", "currency", Parsed(Decimal("-1200.5"), False, "", "$")),
        ("1.2E+3", "count", Parsed(Decimal("1200"), False, "", "")),
        ("3.14159", "other", Parsed(Decimal("3.1416"), False, "", "")),
        (12, "count", Parsed(Decimal("12"), False, "", "")),
        (12.5, "rate_per_1000", Parsed(Decimal("12.5"), False, "", "")),
        (0.1 + 0.2, "other", Parsed(Decimal("0.3"), False, "", "")),
        (Decimal("7.25"), "other", Parsed(Decimal("7.25"), False, "", "")),
        ("", "count", Parsed(None, False, "", "")),
        ("   ", "count", Parsed(None, False, "", "")),
        (None, "count", Parsed(None, False, "", "")),
        (float("nan"), "count", Parsed(None, False, "", "")),
    ],
)
def test_values_are_read(text: object, unit: str, expected: Parsed) -> None:
    assert parse_number(text, unit=unit) == expected


@pytest.mark.parametrize(
    "marker",
    ["*", "<10", "< 10", "n<10", "N<10", "--", "-", "N/A", "NA", "n/a", "†", "s", "S", "DS",
     "<5%", ">95%", "≤10"],
)  # fmt: skip
def test_suppression_markers_are_suppressed_never_zero(marker: str) -> None:
    assert parse_number(f" {marker} ", unit="percent") == Parsed(None, True, marker, "")


def test_parentheses_are_negative_only_where_declared() -> None:
    assert parse_number("(12)", unit="count", parentheses_negative=True) == Parsed(
        Decimal("-12"), False, "", ""
    )
    assert parse_number("($1,200)", unit="currency", parentheses_negative=True).value == Decimal(
        "-1200"
    )
    with pytest.raises(NumberError) as caught:
        parse_number("(12)", unit="count")
    assert str(caught.value) == (
        "“(12)” is in parentheses. If this column writes negative numbers in parentheses, say "
        "so in the column choices; otherwise write -12."
    )


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("abc", "count", "“abc” is not a number."),
        ("12 apples", "count", "“12 apples” is not a number."),
        ("1,23", "count", "“1,23” uses a decimal comma; write it with a decimal point (1234.5)."),
        (
            "1.234,5",
            "count",
            "“1.234,5” uses a decimal comma; write it with a decimal point (1234.5).",
        ),
        ("101%", "percent", "“101%” is an out-of-range percent: percentages go from 0 to 100."),
        ("-0.5", "percent", "“-0.5” is an out-of-range percent: percentages go from 0 to 100."),
        ("45%", "count", "“45%” is a percentage, but this column holds count values."),
        ("$45", "percent", "“$45” is an amount of money, but this column holds percent values."),
        ("--5", "count", "“--5” is not a number."),
        ("1e30", "count", "“1e30” is too large."),
        (True, "count", "“True” is not a number."),
        (float("inf"), "count", "“inf” is not a number."),
    ],
)
def test_what_is_not_a_value_is_refused_naming_the_text(
    text: object, unit: str, message: str
) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text, unit=unit)
    assert str(caught.value) == message


UNITS = st.sampled_from(["percent", "count", "rate_per_1000", "currency", "other"])


@given(
    st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.decimals(), st.none()),
    UNITS,
    st.booleans(),
)
def test_parse_number_raises_nothing_but_its_own_error(
    text: object, unit: str, paren: bool
) -> None:
    try:
        parsed = parse_number(text, unit=unit, parentheses_negative=paren)
    except NumberError:
        return
    assert (parsed.value is None) or not parsed.suppressed
    if parsed.suppressed:
        assert 1 <= len(parsed.marker) <= 10


AMOUNTS = st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False)


@given(AMOUNTS)
def test_thousands_separated_values_round_trip(value: Decimal) -> None:
    assert parse_number(f"{value:,}", unit="count").value == value


@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False))
def test_percent_text_round_trips(value: Decimal) -> None:
    assert parse_number(f"{value}%", unit="percent") == Parsed(value, False, "", "%")


@given(AMOUNTS)
def test_accounting_negatives_round_trip(value: Decimal) -> None:
    text = f"({abs(value):,})" if value < 0 else f"{value:,}"
    assert parse_number(text, unit="currency", parentheses_negative=True).value == value
