"""The pages of shared measurement: the results overview, an indicator's page, performance
measures, the stale list, and staff's forms. Reading changes nothing; query counts are pinned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from backbone.roles import PERMISSIONS, Role
from initiatives.models import Initiative, Result
from initiatives.tests.factories import (
    InitiativeFactory,
    PartnerOrganizationFactory,
    ResultFactory,
    StrategyFactory,
)
from metrics.models import (
    Category,
    DataPoint,
    Frequency,
    Indicator,
    PerformanceMeasure,
    PeriodKind,
    TurnTheCurve,
)
from metrics.services import data_point_upsert, turn_the_curve_save
from metrics.tests.factories import (
    CategoryFactory,
    DimensionFactory,
    DisparityGapFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)
from tests.fixtures import Personas
from tests.snapshot import snapshot

pytestmark = pytest.mark.django_db


@dataclass
class World:
    initiative: Initiative
    result: Result
    indicator: Indicator
    white: Category
    black: Category
    measure: PerformanceMeasure


def _year(indicator: Indicator, year: int, value: str | None, category: Any = None) -> None:
    data_point_upsert(
        subject=indicator,
        period=str(year),
        value=None if value is None else Decimal(value),
        category=category,
        suppressed=value is None,
        suppression_marker="<10" if value is None else "",
    )


@pytest.fixture
def world(personas: Personas) -> World:
    initiative: Any = InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    result: Any = ResultFactory(
        initiative=initiative, statement="Children read at grade level by third grade."
    )
    indicator: Any = IndicatorFactory(
        result=result,
        name="Third graders reading at grade level",
        baseline_value=Decimal("40"),
        baseline_period="2020",
        target_value=Decimal("60"),
        target_period="2030",
        population=Decimal("2000"),
        population_label="third graders",
        frequency=Frequency.ANNUAL,
    )
    dimension: Any = DimensionFactory(initiative=initiative, name="Race/ethnicity")
    white: Any = CategoryFactory(dimension=dimension, name="White")
    black: Any = CategoryFactory(dimension=dimension, name="Black")
    this_year = timezone.localdate().year
    for offset, (total, w, b) in enumerate(
        [("40", "50", "30"), ("42", "51", "33"), ("45.2", "52", None)]
    ):
        year = this_year - 3 + offset
        _year(indicator, year, total)
        _year(indicator, year, w, white)
        _year(indicator, year, b, black)
    DisparityGapFactory(
        indicator=indicator,
        dimension=dimension,
        reference=white,
        focus=black,
        name="Black and White third graders",
        target_value=Decimal("10"),
        target_period="2030",
    )
    measure: Any = PerformanceMeasureFactory(
        initiative=initiative, name="Children tutored", kind=PerformanceMeasure.Kind.HOW_MUCH
    )
    partner: Any = PartnerOrganizationFactory(organization=personas.org, name="Library")
    strategy: Any = StrategyFactory(result=result, title="Summer reading")
    turn_the_curve_save(
        subject=indicator,
        story="Reading dipped in the pandemic and is recovering.",
        what_works="Tutoring three times a week.",
        action_plan="Summer reading at every branch.",
        partners=[partner],
        strategies=[strategy],
    )
    return World(initiative, result, indicator, white, black, measure)


def _url(path: str) -> str:
    return f"/o/lakeshore/{path}"


# --- Reading ---------------------------------------------------------------------------------


def test_overview_shows_each_indicator_with_latest_value_our_number_and_freshness(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.partner)

    response = client.get(_url(f"initiatives/{world.initiative.pk}/indicators/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Third graders reading at grade level" in html
    assert 'class="figures__latest">45.2%</dd>' in html
    # From 45.2% to the 60% target of 2,000 third graders: +14.8 points = 296 more.
    assert "+14.8 pts = 296 more third graders" in html
    assert "Up to date" in html
    assert "Import data" not in html  # a partner reads; staff import


def test_indicator_page_draws_trend_groups_and_gap_with_their_numbers(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.steering)

    response = client.get(_url(f"indicators/{world.indicator.pk}/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<figure class="chart"') == 3  # trend, by group, gap
    assert html.count("Show the numbers") == 3
    assert "Forecast if nothing changes" in html
    assert "Black and White third graders" in html
    assert "Target gap for 2030: 10 pts" in html
    assert "suppressed (&lt;10)" in html  # in the history, never as zero
    assert 'id="latest-value">45.2%</p>' in html


def test_the_indicator_page_names_each_element_once(
    login: Any, personas: Personas, world: World
) -> None:
    """Three charts on one page: an id used twice would name a chart after a heading (or
    another chart) for screen readers."""
    client = login(personas.steering)

    html = client.get(_url(f"indicators/{world.indicator.pk}/")).content.decode()

    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) > 10
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    assert 'aria-labelledby="trend-title trend-desc"' in html
    assert html.count('id="trend-title"') == 1


def test_reading_pages_change_nothing(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.staff)
    before = snapshot()

    statuses = [
        client.get(_url(path)).status_code
        for path in (
            f"initiatives/{world.initiative.pk}/indicators/",
            f"indicators/{world.indicator.pk}/",
            f"initiatives/{world.initiative.pk}/performance-measures/",
            f"performance-measures/{world.measure.pk}/",
            "indicators/stale/",
            f"indicators/{world.indicator.pk}/edit/",
            f"indicators/{world.indicator.pk}/notes/",
            f"initiatives/{world.initiative.pk}/data-imports/new/",
        )
    ]

    assert statuses == [200] * 8
    assert snapshot() == before


def test_overview_query_count_does_not_grow_with_indicators(
    login: Any, personas: Personas, world: World, django_assert_num_queries: Any
) -> None:
    client = login(personas.staff)
    url = _url(f"initiatives/{world.initiative.pk}/indicators/")
    client.get(url)  # the session and the organization, once
    with django_assert_num_queries(8):
        client.get(url)
    for n in range(3):
        extra: Any = IndicatorFactory(result=world.result, name=f"More {n}")
        _year(extra, 2024, "10")

    with django_assert_num_queries(8):
        response = client.get(url)

    assert response.content.decode().count('class="indicator-row"') == 4


def test_indicator_page_query_count_is_pinned(
    login: Any, personas: Personas, world: World, django_assert_num_queries: Any
) -> None:
    client = login(personas.staff)
    url = _url(f"indicators/{world.indicator.pk}/")
    client.get(url)

    with django_assert_num_queries(13):
        response = client.get(url)

    assert response.status_code == 200


def test_measures_page_groups_by_kind(
    login: Any, personas: Personas, world: World, django_assert_num_queries: Any
) -> None:
    PerformanceMeasureFactory(
        initiative=world.initiative,
        name="Children reading better after tutoring",
        kind=PerformanceMeasure.Kind.BETTER_OFF,
    )
    client = login(personas.cochair)
    url = _url(f"initiatives/{world.initiative.pk}/performance-measures/")
    client.get(url)

    with django_assert_num_queries(7):
        response = client.get(url)

    html = response.content.decode()
    assert html.index("How much did we do?") < html.index("Children tutored")
    assert html.index("Is anyone better off?") < html.index("Children reading better after")
    assert "How well did we do it?" not in html


def test_stale_list_is_staffs_and_lists_the_overdue(
    login: Any, personas: Personas, world: World
) -> None:
    IndicatorFactory(result=world.result, name="Never reported", frequency=Frequency.ANNUAL)
    staff = login(personas.staff)

    response = staff.get(_url("indicators/stale/"))

    html = response.content.decode()
    assert "Never reported" in html
    assert "Third graders reading at grade level" not in html
    assert login(personas.partner).get(_url("indicators/stale/")).status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_the_forms_follow_manage_measurement(
    login: Any, personas: Personas, world: World, role: Role
) -> None:
    client = login(personas.by_role(role))
    allowed = role in PERMISSIONS["manage_measurement"]

    statuses = [
        client.get(_url(path)).status_code
        for path in (
            f"initiatives/{world.initiative.pk}/indicators/new/",
            f"indicators/{world.indicator.pk}/edit/",
            f"performance-measures/{world.measure.pk}/notes/",
            f"initiatives/{world.initiative.pk}/data-imports/new/",
        )
    ]

    assert statuses == [200 if allowed else 403] * 4


# --- Writing ---------------------------------------------------------------------------------


def _indicator_form(world: World, **overrides: str) -> dict[str, str]:
    return {
        "result": str(world.result.pk),
        "name": "Kindergartners ready to learn",
        "unit": "percent",
        "direction": "higher",
        "frequency": "annual",
        "baseline_value": "45",
        "baseline_period": "2020",
        "target_value": "65",
        "target_period": "2030",
        "population": "2400",
        "population_label": "kindergartners",
        **overrides,
    }


def test_staff_add_an_indicator(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.staff)

    response = client.post(
        _url(f"initiatives/{world.initiative.pk}/indicators/new/"), _indicator_form(world)
    )

    made = Indicator.objects.get(name="Kindergartners ready to learn")
    assert response.status_code == 302
    assert response["Location"] == _url(f"indicators/{made.pk}/")
    assert (made.result_id, made.baseline_value, made.target_period, made.population) == (
        world.result.pk,
        Decimal("45"),
        "2030",
        Decimal("2400"),
    )


def test_a_target_before_the_baseline_is_refused_on_its_field_and_nothing_is_saved(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        _url(f"initiatives/{world.initiative.pk}/indicators/new/"),
        _indicator_form(world, baseline_period="SY2019-20", target_period="2018"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "target_period": [
            "The target period (2018) must come after the baseline period (SY2019-20)."
        ]
    }
    assert snapshot() == before


def test_a_partner_cannot_add_an_indicator(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.partner)
    before = snapshot()

    response = client.post(
        _url(f"initiatives/{world.initiative.pk}/indicators/new/"), _indicator_form(world)
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_a_result_of_another_initiative_is_not_a_choice(
    login: Any, personas: Personas, world: World
) -> None:
    elsewhere: Any = ResultFactory(initiative__organization=personas.org)
    client = login(personas.staff)

    response = client.post(
        _url(f"initiatives/{world.initiative.pk}/indicators/new/"),
        _indicator_form(world, result=str(elsewhere.pk)),
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["result"]
    assert not Indicator.objects.filter(name="Kindergartners ready to learn").exists()


def test_staff_edit_a_measure_and_its_turn_the_curve_notes(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.staff)

    edited = client.post(
        _url(f"performance-measures/{world.measure.pk}/edit/"),
        {
            "name": "Children tutored weekly",
            "kind": "how_well",
            "unit": "count",
            "direction": "higher",
            "frequency": "quarterly",
        },
    )
    noted = client.post(
        _url(f"performance-measures/{world.measure.pk}/notes/"),
        {"story": "Fewer tutors after the summer.", "what_works": "", "action_plan": "Recruit."},
    )

    world.measure.refresh_from_db()
    note = TurnTheCurve.objects.get(measure=world.measure)
    assert (edited.status_code, noted.status_code) == (302, 302)
    assert (world.measure.name, world.measure.kind, world.measure.frequency) == (
        "Children tutored weekly",
        "how_well",
        "quarterly",
    )
    assert (note.story, note.action_plan, note.updated_by) == (
        "Fewer tutors after the summer.",
        "Recruit.",
        personas.staff,
    )


def test_the_history_shows_who_changed_a_value_from_what_to_what(
    login: Any, personas: Personas, world: World
) -> None:
    year = str(timezone.localdate().year - 1)
    data_point_upsert(
        subject=world.indicator, period=year, value=Decimal("45.9"), changed_by=personas.staff
    )
    client = login(personas.partner)

    html = client.get(_url(f"indicators/{world.indicator.pk}/")).content.decode()

    assert "<del>45.2%</del> → <strong>45.9%</strong>" in html
    point = DataPoint.objects.get(indicator=world.indicator, period=year, category=None)
    assert (point.value, point.period_kind) == (Decimal("45.9"), PeriodKind.YEAR)
