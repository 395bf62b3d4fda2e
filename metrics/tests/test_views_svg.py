"""Each chart of an indicator's or measure's page as an SVG file: the exact type, a drawing that
parses and runs nothing, named after its indicator, for whoever may read the data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET

from initiatives.tests.factories import InitiativeFactory, ResultFactory
from metrics.models import Category, Dimension, DisparityGap, Indicator, PerformanceMeasure
from metrics.services import data_point_upsert
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

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class World:
    indicator: Indicator
    dimension: Dimension
    white: Category
    gap: DisparityGap
    measure: PerformanceMeasure


@pytest.fixture
def world(personas: Personas) -> World:
    initiative: Any = InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    result: Any = ResultFactory(initiative=initiative, statement="Children read well.")
    indicator: Any = IndicatorFactory(
        result=result,
        name="Third graders reading at grade level",
        baseline_value=Decimal("40"),
        baseline_period="2020",
        target_value=Decimal("60"),
        target_period="2030",
    )
    dimension: Any = DimensionFactory(initiative=initiative, name="Race/ethnicity")
    white: Any = CategoryFactory(dimension=dimension, name="White")
    black: Any = CategoryFactory(dimension=dimension, name="Black")
    for year, total, w, b in [(2020, "40", "50", "30"), (2021, "42", "51", "33")]:
        data_point_upsert(subject=indicator, period=str(year), value=Decimal(total))
        data_point_upsert(subject=indicator, period=str(year), value=Decimal(w), category=white)
        data_point_upsert(subject=indicator, period=str(year), value=Decimal(b), category=black)
    gap: Any = DisparityGapFactory(
        indicator=indicator, dimension=dimension, reference=white, focus=black, name="Black-White"
    )
    measure: Any = PerformanceMeasureFactory(initiative=initiative, name="Children tutored")
    data_point_upsert(subject=measure, period="2023", value=Decimal("120"))
    data_point_upsert(subject=measure, period="2024", value=Decimal("150"))
    return World(indicator, dimension, white, gap, measure)


def _urls(world: World) -> dict[str, str]:
    base = "/o/lakeshore"
    return {
        "trend": f"{base}/indicators/{world.indicator.pk}/chart.svg",
        "groups": f"{base}/indicators/{world.indicator.pk}/groups/{world.dimension.pk}/chart.svg",
        "gap": f"{base}/gaps/{world.gap.pk}/chart.svg",
        "measure": f"{base}/performance-measures/{world.measure.pk}/chart.svg",
    }


def _parsed(content: bytes) -> Any:
    return SafeET.fromstring(content)


@pytest.mark.parametrize(
    ("chart", "title", "filename"),
    [
        (
            "trend",
            "Third graders reading at grade level",
            "third-graders-reading-at-grade-level.svg",
        ),
        (
            "groups",
            "Third graders reading at grade level by race/ethnicity",
            "third-graders-reading-at-grade-level-by-raceethnicity.svg",
        ),
        ("gap", "Black-White", "third-graders-reading-at-grade-level-black-white.svg"),
        ("measure", "Children tutored", "children-tutored.svg"),
    ],
)
def test_each_chart_is_an_svg_file_named_after_its_indicator(
    login: Any, personas: Personas, world: World, chart: str, title: str, filename: str
) -> None:
    client = login(personas.partner)
    before = snapshot()

    response = client.get(_urls(world)[chart])

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert "sandbox" in response["Content-Security-Policy"]
    root = _parsed(response.content)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == title
    assert root.get("width") == "480"
    assert root.get("height") == root.get("viewBox").split()[3]
    assert list(root.iter(f"{SVG}script")) == []
    assert b"<script" not in response.content
    assert b"foreignObject" not in response.content
    assert snapshot() == before


def test_the_page_links_each_chart_as_a_file(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.partner)

    indicator_page = client.get(f"/o/lakeshore/indicators/{world.indicator.pk}/").content.decode()
    measure_page = client.get(
        f"/o/lakeshore/performance-measures/{world.measure.pk}/"
    ).content.decode()

    urls = _urls(world)
    assert indicator_page.count("Download SVG") == 3
    for chart in ("trend", "groups", "gap"):
        assert f'href="{urls[chart]}" download' in indicator_page
    assert measure_page.count("Download SVG") == 1
    assert f'href="{urls["measure"]}" download' in measure_page


@pytest.mark.parametrize(("chart", "queries"), [("trend", 5), ("groups", 6), ("gap", 5)])
def test_query_counts_are_pinned(
    login: Any,
    personas: Personas,
    world: World,
    django_assert_num_queries: Any,
    chart: str,
    queries: int,
) -> None:
    client = login(personas.staff)
    url = _urls(world)[chart]
    client.get(url)  # the session and the organization, once

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


def test_an_outsider_finds_nothing(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.outsider)

    statuses = [client.get(url).status_code for url in _urls(world).values()]

    assert statuses == [404] * 4


def test_a_chart_with_nothing_to_draw_is_not_found(
    login: Any, personas: Personas, world: World
) -> None:
    empty: Any = IndicatorFactory(result=world.indicator.result, name="No data yet")
    other_dimension: Any = DimensionFactory(initiative=world.indicator.initiative, name="Income")
    client = login(personas.staff)

    statuses = [
        client.get(f"/o/lakeshore/indicators/{empty.pk}/chart.svg").status_code,
        client.get(
            f"/o/lakeshore/indicators/{world.indicator.pk}/groups/{other_dimension.pk}/chart.svg"
        ).status_code,
    ]

    assert statuses == [404, 404]


def test_a_dimension_of_another_initiative_is_not_found(
    login: Any, personas: Personas, world: World
) -> None:
    elsewhere: Any = DimensionFactory(initiative__organization=personas.org, name="Race/ethnicity")
    client = login(personas.staff)

    response = client.get(
        f"/o/lakeshore/indicators/{world.indicator.pk}/groups/{elsewhere.pk}/chart.svg"
    )

    assert response.status_code == 404


def test_writing_to_a_chart_is_not_allowed(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.staff)

    response = client.post(_urls(world)["trend"])

    assert response.status_code == 405
