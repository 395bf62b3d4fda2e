"""The reads of shared measurement: "our number", freshness against the reporting frequency,
the gap series and the chart series, with exact values and pinned query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from metrics import selectors
from metrics.models import Direction, Frequency, Indicator, PeriodKind, Unit
from metrics.selectors import Freshness, GapPoint, OurNumber, Series, SeriesPoint
from metrics.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    DisparityGapFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)
from tests.factories import OrganizationFactory

# --- Our number (no database needed) ----------------------------------------------------------


def _measured(**fields: Any) -> Indicator:
    return Indicator(**{"baseline_value": None, "target_value": None, **fields})


def test_twenty_points_of_two_thousand_third_graders_is_four_hundred_more() -> None:
    indicator = _measured(
        unit=Unit.PERCENT,
        baseline_value=Decimal("38.0"),
        target_value=Decimal("58.0"),
        population=Decimal(2000),
        population_label="third graders",
    )

    assert selectors.our_number(indicator) == OurNumber(
        change=Decimal("20.0"), number=Decimal(400), population_label="third graders"
    )


def test_our_number_of_a_falling_percentage_is_negative_and_rounded_to_whole_people() -> None:
    chronic_absence = _measured(
        unit=Unit.PERCENT,
        direction=Direction.LOWER,
        baseline_value=Decimal("18.3"),
        target_value=Decimal("10.0"),
        population=Decimal(12345),
        population_label="students",
    )

    # 8.3 points of 12,345 = 1,024.635 students, shown as 1,025 fewer.
    assert selectors.our_number(chronic_absence) == OurNumber(
        change=Decimal("-8.3"), number=Decimal(-1025), population_label="students"
    )


def test_our_number_from_the_latest_value_instead_of_the_baseline() -> None:
    indicator = _measured(
        unit=Unit.PERCENT,
        baseline_value=Decimal("38.0"),
        target_value=Decimal("58.0"),
        population=Decimal(2000),
    )

    number = selectors.our_number(indicator, start=Decimal("45.5"))

    assert number is not None
    assert (number.change, number.number) == (Decimal("12.5"), Decimal(250))


def test_our_number_of_a_count_is_the_difference_itself() -> None:
    tutors = _measured(unit=Unit.COUNT, baseline_value=Decimal(40), target_value=Decimal(120))

    assert selectors.our_number(tutors) == OurNumber(
        change=Decimal(80), number=Decimal(80), population_label=""
    )


def test_our_number_of_a_rate_per_thousand_uses_the_population() -> None:
    rate = _measured(
        unit=Unit.RATE_PER_1000,
        baseline_value=Decimal("12.0"),
        target_value=Decimal("8.0"),
        population=Decimal(50000),
        population_label="children under 6",
    )

    number = selectors.our_number(rate)

    assert number is not None
    assert number.number == Decimal(-200)


@pytest.mark.parametrize(
    "fields",
    [
        {"unit": Unit.PERCENT, "baseline_value": Decimal(1), "target_value": Decimal(2)},
        {"unit": Unit.COUNT, "baseline_value": Decimal(1)},
        {"unit": Unit.COUNT, "target_value": Decimal(1)},
    ],
)
def test_no_number_without_a_population_baseline_or_target(fields: dict[str, Any]) -> None:
    assert selectors.our_number(_measured(population=None, **fields)) is None


# --- Freshness --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("frequency", "period", "kind", "start", "end", "due_by"),
    [
        (
            Frequency.ANNUAL,
            "2023",
            PeriodKind.YEAR,
            date(2023, 1, 1),
            date(2023, 12, 31),
            date(2025, 1, 31),
        ),
        (
            Frequency.SCHOOL_YEAR,
            "SY2022-23",
            PeriodKind.SCHOOL_YEAR,
            date(2022, 7, 1),
            date(2023, 6, 30),
            date(2024, 7, 30),
        ),
        (
            Frequency.QUARTERLY,
            "2024-Q2",
            PeriodKind.QUARTER,
            date(2024, 4, 1),
            date(2024, 6, 30),
            date(2024, 10, 30),
        ),
        (
            Frequency.MONTHLY,
            "2024-10",
            PeriodKind.MONTH,
            date(2024, 10, 1),
            date(2024, 10, 31),
            date(2024, 12, 31),
        ),
    ],
)
def test_data_is_overdue_the_day_after_its_grace_period(
    frequency: str, period: str, kind: str, start: date, end: date, due_by: date
) -> None:
    indicator: Any = IndicatorFactory(frequency=frequency)
    point: Any = DataPointFactory(
        indicator=indicator, period=period, period_kind=kind, period_start=start, period_end=end
    )

    on_time = selectors.freshness(indicator, today=due_by)
    late = selectors.freshness(indicator, today=date.fromordinal(due_by.toordinal() + 1))

    assert on_time == Freshness(period, end, point.updated_at, due_by, False)
    assert late == Freshness(period, end, point.updated_at, due_by, True)


@pytest.mark.django_db
def test_freshness_follows_the_latest_period_of_any_group() -> None:
    indicator: Any = IndicatorFactory(frequency=Frequency.ANNUAL)
    category: Any = CategoryFactory(dimension=DimensionFactory(initiative=indicator.initiative))
    DataPointFactory(indicator=indicator, period="2022")
    DataPointFactory(indicator=indicator, period="2023", category=category)

    fresh = selectors.freshness(indicator, today=date(2024, 6, 1))

    assert (fresh.last_period, fresh.due_by, fresh.overdue) == ("2023", date(2025, 1, 31), False)


@pytest.mark.django_db
def test_never_reported_is_overdue_and_other_frequencies_never_are() -> None:
    never: Any = IndicatorFactory(frequency=Frequency.QUARTERLY)
    irregular: Any = IndicatorFactory(frequency=Frequency.OTHER)
    DataPointFactory(indicator=irregular, period="2001")

    assert selectors.freshness(never, today=date(2024, 1, 1)) == Freshness(
        None, None, None, None, True
    )
    fresh = selectors.freshness(irregular, today=date(2024, 1, 1))
    assert (fresh.last_period, fresh.due_by, fresh.overdue) == ("2001", None, False)


@pytest.mark.django_db
def test_freshness_of_a_performance_measure() -> None:
    measure: Any = PerformanceMeasureFactory(frequency=Frequency.MONTHLY)
    DataPointFactory(
        indicator=None,
        measure=measure,
        organization=measure.organization,
        period="2024-01",
        period_kind=PeriodKind.MONTH,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 1, 31),
    )

    fresh = selectors.freshness(measure, today=date(2024, 4, 1))

    assert (fresh.last_period, fresh.due_by, fresh.overdue) == ("2024-01", date(2024, 3, 31), True)


@pytest.mark.django_db
def test_stale_indicators_lists_only_the_overdue_of_the_organization_longest_first(
    django_assert_num_queries: Any,
) -> None:
    organization: Any = OrganizationFactory()
    ok: Any = IndicatorFactory(
        organization=organization, result__initiative__organization=organization
    )
    initiative = ok.initiative
    late: Any = IndicatorFactory(result=ok.result, organization=organization, name="Late")
    later: Any = IndicatorFactory(result=ok.result, organization=organization, name="Later")
    never: Any = IndicatorFactory(result=ok.result, organization=organization, name="Never")
    for indicator, period in ((ok, "2024"), (late, "2022"), (later, "2020"), (late, "2019")):
        DataPointFactory(indicator=indicator, period=period)
    elsewhere: Any = IndicatorFactory(name="Another organization's")  # never reported, not listed

    with django_assert_num_queries(1):
        stale = selectors.stale_indicators(organization=organization, today=date(2024, 6, 1))

    assert [(i.name, f.last_period, f.due_by) for i, f in stale] == [
        ("Never", None, None),
        ("Later", "2020", date(2022, 1, 31)),
        ("Late", "2022", date(2024, 1, 31)),
    ]
    everything = selectors.indicators_with_freshness(
        organization=organization, today=date(2024, 6, 1), initiative_id=initiative.pk
    )
    assert [(i.pk, f.overdue) for i, f in everything] == [
        (ok.pk, False),
        (late.pk, True),
        (later.pk, True),
        (never.pk, True),
    ]
    assert elsewhere.pk not in {i.pk for i, _ in everything}


# --- Series -----------------------------------------------------------------------------------


@pytest.fixture
def reading(db: None) -> dict[str, Any]:
    indicator: Any = IndicatorFactory(direction=Direction.HIGHER)
    race: Any = DimensionFactory(initiative=indicator.initiative, name="Race/ethnicity")
    white: Any = CategoryFactory(dimension=race, name="White", position=1)
    black: Any = CategoryFactory(dimension=race, name="Black", position=0)
    rows = [
        ("2021", None, Decimal("40.0"), False),
        ("2022", None, Decimal("42.5"), False),
        ("2021", white, Decimal("55.0"), False),
        ("2022", white, Decimal("56.0"), False),
        ("2023", white, Decimal("57.0"), False),
        ("2021", black, Decimal("30.0"), False),
        ("2022", black, None, True),
        ("2023", black, Decimal("35.5"), False),
    ]
    for period, category, value, suppressed in rows:
        DataPointFactory(
            indicator=indicator,
            period=period,
            category=category,
            value=value,
            suppressed=suppressed,
            suppression_marker="*" if suppressed else "",
        )
    return {"indicator": indicator, "race": race, "white": white, "black": black}


def test_measured_series_gives_everyone_first_then_each_group_in_order(
    reading: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        series = selectors.measured_series(reading["indicator"])

    y = {n: date(n, 1, 1) for n in (2021, 2022, 2023)}
    assert series == [
        Series(
            "Everyone",
            None,
            "",
            [
                SeriesPoint("2021", y[2021], Decimal("40.0")),
                SeriesPoint("2022", y[2022], Decimal("42.5")),
            ],
        ),
        Series(
            "Black",
            reading["black"].pk,
            "Race/ethnicity",
            [
                SeriesPoint("2021", y[2021], Decimal("30.0")),
                SeriesPoint("2022", y[2022], None, True),
                SeriesPoint("2023", y[2023], Decimal("35.5")),
            ],
            reading["race"].pk,
        ),
        Series(
            "White",
            reading["white"].pk,
            "Race/ethnicity",
            [
                SeriesPoint("2021", y[2021], Decimal("55.0")),
                SeriesPoint("2022", y[2022], Decimal("56.0")),
                SeriesPoint("2023", y[2023], Decimal("57.0")),
            ],
            reading["race"].pk,
        ),
    ]
    assert selectors.latest_total(series[1].points) == series[1].points[2]


def test_the_gap_is_positive_while_the_focus_group_is_behind(
    reading: dict[str, Any], django_assert_num_queries: Any
) -> None:
    gap: Any = DisparityGapFactory(
        indicator=reading["indicator"],
        dimension=reading["race"],
        reference=reading["white"],
        focus=reading["black"],
    )
    gap = type(gap).objects.select_related("indicator").get(pk=gap.pk)

    with django_assert_num_queries(1):
        series = selectors.gap_series(gap)

    assert series == [
        GapPoint(
            "2021", date(2021, 1, 1), Decimal("55.0"), Decimal("30.0"), Decimal("25.0"), False
        ),
        GapPoint("2022", date(2022, 1, 1), Decimal("56.0"), None, None, True),
        GapPoint(
            "2023", date(2023, 1, 1), Decimal("57.0"), Decimal("35.5"), Decimal("21.5"), False
        ),
    ]


@pytest.mark.django_db
def test_where_lower_is_better_the_gap_is_focus_minus_reference() -> None:
    gap: Any = DisparityGapFactory(indicator__direction=Direction.LOWER, indicator__name="Absence")
    DataPointFactory(
        indicator=gap.indicator, period="2024", category=gap.reference, value=Decimal("12.0")
    )
    DataPointFactory(
        indicator=gap.indicator, period="2024", category=gap.focus, value=Decimal("21.5")
    )
    DataPointFactory(
        indicator=gap.indicator, period="2025", category=gap.focus, value=Decimal("9.0")
    )

    assert [(p.period, p.gap) for p in selectors.gap_series(gap)] == [
        ("2024", Decimal("9.5")),
        ("2025", None),
    ]
