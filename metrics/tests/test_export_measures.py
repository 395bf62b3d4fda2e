"""Performance measures download like indicators: one measure or every measure of an
initiative, as CSV or XLSX in the long layout, suppressed values never zero, formulas
neutralised; for whoever may read the data, and only their organization's."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from metrics.exporters import initiative_measures_table, measure_table
from metrics.models import PerformanceMeasure
from metrics.services import data_point_upsert
from metrics.tests.factories import (
    CategoryFactory,
    DimensionFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)
from tests.fixtures import Personas
from tests.snapshot import snapshot

pytestmark = pytest.mark.django_db

HEADER = [
    "Performance measure",
    "Period",
    "Dimension",
    "Category",
    "Value",
    "Suppressed",
    "Suppression marker",
    "Source",
    "Note",
]
TUTORED_ROWS = [
    ["Children tutored", "2023", "", "", "120", "", "", "Tutor logs", ""],
    ["Children tutored", "2023", "Language", "Spanish", "", "yes", "<10", "", ""],
    ["Children tutored", "2024", "", "", "150", "", "", "", "Two new sites"],
]


@dataclass
class World:
    initiative: Initiative
    tutored: PerformanceMeasure
    formula: PerformanceMeasure


@pytest.fixture
def world(personas: Personas) -> World:
    initiative: Any = InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    tutored: Any = PerformanceMeasureFactory(
        initiative=initiative, name="Children tutored", position=0
    )
    formula: Any = PerformanceMeasureFactory(
        initiative=initiative, name='=HYPERLINK("x")', position=1, unit="other"
    )
    spanish: Any = CategoryFactory(
        dimension=DimensionFactory(initiative=initiative, name="Language"), name="Spanish"
    )
    data_point_upsert(subject=tutored, period="2023", value=Decimal("120"), source="Tutor logs")
    data_point_upsert(
        subject=tutored,
        period="2023",
        value=None,
        category=spanish,
        suppressed=True,
        suppression_marker="<10",
    )
    data_point_upsert(subject=tutored, period="2024", value=Decimal("150"), note="Two new sites")
    data_point_upsert(subject=formula, period="2024", value=Decimal("-3.5"))
    # An indicator's values are not a measure's.
    indicator: Any = IndicatorFactory(result__initiative=initiative, name="Reading")
    data_point_upsert(subject=indicator, period="2024", value=Decimal("45"))
    return World(initiative, tutored, formula)


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_one_measure_as_csv_in_the_long_layout(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.partner)
    before = snapshot()

    with time_machine.travel("2026-03-02 15:00Z", tick=False):
        response = client.get(f"/o/lakeshore/performance-measures/{world.tutored.pk}/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="lakeshore-children-tutored-2026-03-02.csv"'
    )
    assert _csv(response.content) == [HEADER, *TUTORED_ROWS]
    assert snapshot() == before


def test_every_measure_of_an_initiative_as_xlsx_with_numbers_as_numbers(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.steering)

    with time_machine.travel("2026-03-02 15:00Z", tick=False):
        response = client.get(
            f"/o/lakeshore/initiatives/{world.initiative.pk}/performance-measures/export.xlsx"
        )

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="lakeshore-lakeshore-reads-performance-measures-2026-03-02.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [
        HEADER,
        ["Children tutored", "2023", None, None, 120, None, None, "Tutor logs", None],
        ["Children tutored", "2023", "Language", "Spanish", None, "yes", "<10", None, None],
        ["Children tutored", "2024", None, None, 150, None, None, None, "Two new sites"],
        ['\'=HYPERLINK("x")', "2024", None, None, -3.5, None, None, None, None],
    ]


def test_every_measure_of_an_initiative_as_csv_neutralises_formulas(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.staff)

    response = client.get(
        f"/o/lakeshore/initiatives/{world.initiative.pk}/performance-measures/export.csv"
    )

    assert _csv(response.content) == [
        HEADER,
        *TUTORED_ROWS,
        ['\'=HYPERLINK("x")', "2024", "", "", "-3.5", "", "", "", ""],
    ]


def test_the_pages_link_the_downloads(world: World, personas: Personas, client: Client) -> None:
    client.force_login(personas.partner)

    measure_page = client.get(f"/o/lakeshore/performance-measures/{world.tutored.pk}/")
    overview = client.get(f"/o/lakeshore/initiatives/{world.initiative.pk}/performance-measures/")

    for fmt in ("csv", "xlsx"):
        assert (
            f'href="/o/lakeshore/performance-measures/{world.tutored.pk}/export.{fmt}" download'
            in measure_page.content.decode()
        )
        assert (
            f'href="/o/lakeshore/initiatives/{world.initiative.pk}/performance-measures/'
            f'export.{fmt}" download' in overview.content.decode()
        )


def test_measures_of_another_organization_are_not_found(
    world: World, personas: Personas, client: Client
) -> None:
    theirs: Any = PerformanceMeasureFactory(initiative__organization=personas.other_org)
    client.force_login(personas.staff)

    responses = [
        client.get(f"/o/lakeshore/performance-measures/{theirs.pk}/export.csv"),
        client.get(f"/o/lakeshore/performance-measures/{theirs.pk}/export.xlsx"),
        client.get(
            f"/o/lakeshore/initiatives/{theirs.initiative_id}/performance-measures/export.csv"
        ),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_an_outsider_cannot_download_our_measures(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.outsider)

    response = client.get(f"/o/lakeshore/performance-measures/{world.tutored.pk}/export.csv")

    assert response.status_code == 404


def test_measure_exports_are_read_in_one_query(
    world: World, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        _head, rows = initiative_measures_table(initiative=world.initiative)
    with django_assert_num_queries(1):
        _head, tutored = measure_table(measure=world.tutored)

    assert (len(rows), len(tutored)) == (4, 3)
