"""Exporting indicator data: one indicator or a whole initiative, as CSV and XLSX in the long
layout, formulas neutralised, suppressed values never written as zero, and nothing of another
organization."""

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

from initiatives.exporters import to_csv
from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory, ResultFactory
from metrics.exporters import indicator_table, initiative_table
from metrics.models import Indicator, PeriodKind
from metrics.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    IndicatorFactory,
)
from tests.fixtures import Personas
from tests.snapshot import snapshot

HEADER = [
    "Indicator",
    "Period",
    "Dimension",
    "Category",
    "Value",
    "Suppressed",
    "Suppression marker",
    "Source",
    "Note",
]


@dataclass
class World:
    initiative: Initiative
    reading: Indicator
    absences: Indicator


@pytest.fixture
def world(personas: Personas) -> World:
    initiative: Any = InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    first: Any = ResultFactory(initiative=initiative, position=0)
    second: Any = ResultFactory(initiative=initiative, position=1)
    reading: Any = IndicatorFactory(result=first, name="Third graders reading", position=0)
    absences: Any = IndicatorFactory(result=second, name='=HYPERLINK("x")', position=0)
    race: Any = DimensionFactory(initiative=initiative, name="Race/ethnicity", position=0)
    hispanic: Any = CategoryFactory(dimension=race, name="Hispanic or Latino", position=0)
    white: Any = CategoryFactory(dimension=race, name="White", position=1)
    # Made out of order: the export sorts.
    DataPointFactory(indicator=reading, period="2021", category=white, value=Decimal("61.25"))
    DataPointFactory(
        indicator=reading,
        period="2021",
        category=hispanic,
        value=None,
        suppressed=True,
        suppression_marker="--",
    )
    DataPointFactory(
        indicator=reading,
        period="2021",
        value=Decimal("45.2"),
        source="State report card",
        note="+2 points",
    )
    DataPointFactory(
        indicator=reading,
        period="SY2019-20",
        period_kind=PeriodKind.SCHOOL_YEAR,
        period_start="2019-07-01",
        period_end="2020-06-30",
        value=Decimal("40"),
        note="@staff: check",
    )
    DataPointFactory(indicator=absences, period="2020", value=Decimal("-3.5"))
    # Another organization's data never shows.
    DataPointFactory(indicator__result__initiative__organization=personas.other_org)
    return World(initiative, reading, absences)


READING_ROWS = [
    ["Third graders reading", "SY2019-20", "", "", "40", "", "", "", "'@staff: check"],
    [
        "Third graders reading",
        "2021",
        "",
        "",
        "45.2",
        "",
        "",
        "State report card",
        "'+2 points",
    ],
    [
        "Third graders reading",
        "2021",
        "Race/ethnicity",
        "Hispanic or Latino",
        "",
        "yes",
        "'--",
        "",
        "",
    ],
    ["Third graders reading", "2021", "Race/ethnicity", "White", "61.25", "", "", "", ""],
]


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_one_indicator_as_csv_in_the_long_layout(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.partner)

    with time_machine.travel("2026-03-02 15:00Z", tick=False):
        response = client.get(f"/o/lakeshore/indicators/{world.reading.pk}/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="lakeshore-third-graders-reading-2026-03-02.csv"'
    )
    assert _csv(response.content) == [HEADER, *READING_ROWS]


def test_a_whole_initiative_as_csv_neutralises_formulas_and_keeps_negative_numbers(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.steering)

    response = client.get(f"/o/lakeshore/initiatives/{world.initiative.pk}/indicators/export.csv")

    assert response.status_code == 200
    assert _csv(response.content) == [
        HEADER,
        *READING_ROWS,
        ['\'=HYPERLINK("x")', "2020", "", "", "-3.5", "", "", "", ""],
    ]


def test_a_whole_initiative_as_xlsx_with_numbers_as_numbers(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.staff)

    response = client.get(f"/o/lakeshore/initiatives/{world.initiative.pk}/indicators/export.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["Third graders reading", "SY2019-20", None, None, 40, None, None, None, "'@staff: check"],
        [
            "Third graders reading",
            "2021",
            None,
            None,
            45.2,
            None,
            None,
            "State report card",
            "'+2 points",
        ],
        [
            "Third graders reading",
            "2021",
            "Race/ethnicity",
            "Hispanic or Latino",
            None,
            "yes",
            "'--",
            None,
            None,
        ],
        ["Third graders reading", "2021", "Race/ethnicity", "White", 61.25, None, None, None, None],
        ['\'=HYPERLINK("x")', "2020", None, None, -3.5, None, None, None, None],
    ]


def test_an_indicator_of_another_organization_is_not_found(
    world: World, personas: Personas, client: Client
) -> None:
    theirs: Any = IndicatorFactory(result__initiative__organization=personas.other_org)
    client.force_login(personas.staff)
    before = snapshot()

    responses = [
        client.get(f"/o/lakeshore/indicators/{theirs.pk}/export.csv"),
        client.get(f"/o/lakeshore/indicators/{theirs.pk}/export.xlsx"),
        client.get(f"/o/lakeshore/initiatives/{theirs.initiative_id}/indicators/export.csv"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert snapshot() == before


def test_an_outsider_cannot_download_our_data(
    world: World, personas: Personas, client: Client
) -> None:
    client.force_login(personas.outsider)

    response = client.get(f"/o/lakeshore/indicators/{world.reading.pk}/export.csv")

    assert response.status_code == 404


def test_exports_are_read_in_one_query(
    world: World, personas: Personas, django_assert_num_queries: Any
) -> None:
    for n in range(5):
        DataPointFactory(indicator=world.reading, period=str(2000 + n))

    with django_assert_num_queries(1):
        _head, rows = initiative_table(initiative=world.initiative)
    with django_assert_num_queries(1):
        _head, reading = indicator_table(indicator=world.reading)

    assert (len(rows), len(reading)) == (10, 9)


def test_text_cells_starting_like_formulas_are_neutralised() -> None:
    content = to_csv(
        ["=A1"], [["=1+1"], ["+1"], ["-cmd"], ["@SUM(A1)"], ["\tx"], [Decimal("-2")], [None]]
    )

    assert _csv(content) == [
        ["'=A1"],
        ["'=1+1"],
        ["'+1"],
        ["'-cmd"],
        ["'@SUM(A1)"],
        ["'\tx"],
        ["-2"],
        [""],
    ]
