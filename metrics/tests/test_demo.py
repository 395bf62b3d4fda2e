"""The demo organization's shared measurement: ten years of data for everyone and by
race/ethnicity, suppressed small cells kept as suppressed, baselines, targets and "our number",
gap series with targets, turn-the-curve notes, and performance measures for every workgroup."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine

from backbone.demo import SIZES, DemoSize, build_demo
from backbone.models import Organization
from initiatives.models import Table
from metrics import selectors
from metrics.models import (
    Category,
    DataPoint,
    DisparityGap,
    Indicator,
    PerformanceMeasure,
    TurnTheCurve,
)

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
SCHOOL_YEARS = [f"SY{y}-{(y + 1) % 100:02d}" for y in range(2016, 2026)]
RACE = ["Black or African American", "Hispanic or Latino", "White", "Asian", "Two or more races"]


@pytest.fixture
def demo() -> None:
    with time_machine.travel(TODAY, tick=False):
        build_demo()


def test_the_demo_has_eight_indicators_two_per_result_with_goals_and_stewards(demo: None) -> None:
    indicators = list(Indicator.objects.select_related("result", "steward").order_by("id"))

    assert [(i.result.position, i.position) for i in indicators] == [
        (0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1),
    ]  # fmt: skip
    for indicator in indicators:
        assert indicator.steward is not None
        assert indicator.steward.full_name == "Maria Alvarez"
        assert indicator.baseline_value is not None
        assert indicator.target_value is not None
        assert indicator.population is not None
        assert indicator.target_period in {"2030", "SY2029-30"}
    assert list(Category.objects.values_list("name", flat=True)) == RACE


def test_reading_has_ten_school_years_but_the_one_without_a_state_test(demo: None) -> None:
    reading = Indicator.objects.get(name="Third graders reading at grade level")
    series = selectors.measured_series(reading)

    assert [line.label for line in series] == ["Everyone", *RACE]
    assert [p.period for p in series[0].points] == [y for y in SCHOOL_YEARS if y != "SY2019-20"]
    assert (reading.baseline_period, reading.baseline_value) == (
        "SY2016-17",
        series[0].points[0].value,
    )
    # "Our number": the target in third graders, from the baseline.
    number = selectors.our_number(reading)
    assert number is not None
    assert reading.baseline_value is not None
    assert number.number == ((80 - reading.baseline_value) * 23).quantize(Decimal(1), ROUND_HALF_UP)
    assert number.population_label == "third graders in the county's public schools"


def test_small_cells_are_suppressed_never_zero(demo: None) -> None:
    suppressed = DataPoint.objects.filter(suppressed=True)

    assert suppressed.count() == 20
    assert set(suppressed.values_list("category__name", flat=True)) == {"Two or more races"}
    assert set(suppressed.values_list("value", flat=True)) == {None}
    assert set(suppressed.values_list("suppression_marker", flat=True)) == {"n<10", "*", "<10"}
    assert DataPoint.objects.filter(value=0).count() == 0


def test_one_indicator_is_stale_on_purpose(demo: None) -> None:
    organization = Organization.objects.get(slug="demo")

    stale = selectors.stale_indicators(organization=organization, today=TODAY.date())

    assert [(i.name, f.last_period, f.due_by) for i, f in stale] == [
        ("Children screened for developmental delays by age 3", "2023", date(2025, 1, 31))
    ]


def test_gaps_have_a_target_of_half_their_first_value(demo: None) -> None:
    gaps = list(DisparityGap.objects.select_related("indicator", "reference", "focus"))

    assert [(g.indicator.name, g.reference.name, g.focus.name) for g in gaps] == [
        ("Third graders reading at grade level", "White", "Black or African American"),
        ("Kindergartners ready to learn", "White", "Hispanic or Latino"),
        ("K-3 students chronically absent", "White", "Black or African American"),
    ]
    for gap in gaps:
        series = selectors.gap_series(gap)
        first = series[0].gap
        assert first is not None
        assert first > 0  # the focus group is behind in every one of them
        assert gap.target_value == (first / 2).quantize(Decimal("0.1"))
        assert gap.target_period == "SY2029-30"


def test_turn_the_curve_notes_link_strategies_key_actions_and_partners(demo: None) -> None:
    notes = TurnTheCurve.objects.all()
    reading = TurnTheCurve.objects.get(indicator__name="Third graders reading at grade level")

    assert notes.filter(indicator__isnull=False).count() == 4
    assert notes.filter(measure__name="Tutored children who gained a reading level").count() == 1
    assert sorted(reading.strategies.values_list("title", flat=True)) == [
        "Books in every home",
        "Summer reading that stops the slide",
        "Tutoring in grades 1-3",
    ]
    assert reading.key_actions.count() == 3
    assert set(reading.key_actions.values_list("strategy__result", flat=True)) == {
        reading.indicator.result_id  # type: ignore[union-attr]
    }
    assert sorted(reading.partners.values_list("name", flat=True)) == [
        "Lakeshore Public Library",
        "Lakeshore Unified School District",
        "Literacy Lakeshore",
        "Parents United for Reading",
    ]


def test_every_workgroup_has_how_much_how_well_and_better_off_measures(demo: None) -> None:
    for table in Table.objects.filter(kind=Table.Kind.WORKGROUP):
        measures = PerformanceMeasure.objects.filter(table=table)
        assert sorted(measures.values_list("kind", flat=True)) == [
            "better_off",
            "how_much",
            "how_well",
        ]
        for measure in measures:
            periods = list(measure.data_points.values_list("period", flat=True))
            assert periods == [
                "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3",
                "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
            ]  # fmt: skip
            assert measure.strategy is not None
            assert measure.strategy.initiative_id == measure.initiative_id
    assert PerformanceMeasure.objects.count() == 12


def test_the_history_shows_a_corrected_value(demo: None) -> None:
    reading = Indicator.objects.get(name="Third graders reading at grade level")
    point = DataPoint.objects.get(indicator=reading, category=None, period="SY2024-25")

    history = list(point.history.order_by("history_id").values_list("history_type", "value"))

    assert len(history) == 2
    assert history[0][0] == "+"
    assert history[1] == ("~", point.value)
    assert history[1][1] - history[0][1] == Decimal("0.4")


def test_a_bigger_demo_repeats_the_indicators_per_place_with_every_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(SIZES, "test", DemoSize("test", 5, 40, 80, 30, 100, 10, 10, 8))
    with time_machine.travel(TODAY, tick=False):
        build_demo(size="test")

    assert list(Indicator.objects.order_by("id").values_list("name", flat=True))[8:] == [
        "Kindergartners ready to learn — Northside",
        "Children screened for developmental delays by age 3 — Northside",
    ]
    assert Category.objects.count() == 8
    assert PerformanceMeasure.objects.count() == 15
    # The three small groups have suppressed cells (a quarter of them); the large ones none.
    assert set(
        DataPoint.objects.filter(suppressed=True).values_list("category__name", flat=True)
    ) == {
        "Two or more races",
        "American Indian or Alaska Native",
        "Native Hawaiian or Pacific Islander",
    }
