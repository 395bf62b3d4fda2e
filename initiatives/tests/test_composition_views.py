"""Who is at the table: exact composition on a table's page and on the side-by-side page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import PERMISSIONS, Role
from initiatives.models import Gender, RaceEthnicity, Sector, SizeBand, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    SeatFactory,
    TableFactory,
)
from tests.fixtures import Personas

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


def rows_of(response: Any, key: str) -> list[tuple[str, str]]:
    chart = next(c for c in response.context["charts"] if c.key == key)
    return [(r.label, r.shown) for r in chart.rows]


def known_table(personas: Personas) -> Any:
    """Seven people: two from a large school district, two from a grassroots group
    (community-led), one from a funder, two residents with no organization. Six answered the
    demographic questions: 5 Black, 1 White; 5 women, 1 man."""
    org = personas.org
    table: Any = TableFactory(initiative__organization=org, name="Early Learning")
    schools: Any = PartnerOrganizationFactory(
        organization=org,
        name="Lakeshore Schools",
        sector=Sector.SCHOOL,
        size_band=SizeBand.OVER_25M,
    )
    abuelas: Any = PartnerOrganizationFactory(
        organization=org,
        name="Abuelas Unidas",
        sector=Sector.GRASSROOTS,
        size_band=SizeBand.UNDER_250K,
        community_led=True,
    )
    fund: Any = PartnerOrganizationFactory(
        organization=org, name="Great Lakes Fund", sector=Sector.FUNDER, size_band=SizeBand.FROM_5M
    )
    people = [
        (schools, False, RaceEthnicity.BLACK, Gender.WOMAN),
        (schools, False, RaceEthnicity.BLACK, Gender.WOMAN),
        (abuelas, True, RaceEthnicity.BLACK, Gender.WOMAN),
        (abuelas, True, RaceEthnicity.BLACK, Gender.WOMAN),
        (fund, False, RaceEthnicity.WHITE, Gender.MAN),
        (None, True, RaceEthnicity.BLACK, Gender.WOMAN),
        (None, True, "", ""),
    ]
    for partner, community, race, gender in people:
        person: Any = PersonFactory(
            organization=org,
            partner_organization=partner,
            is_community_member=community,
            race_ethnicity=race,
            gender=gender,
        )
        SeatFactory(table=table, person=person)
    # Removed people do not count.
    gone: Any = PersonFactory(
        organization=org, archived_at="2025-01-01T00:00Z", partner_organization=fund
    )
    SeatFactory(table=table, person=gone)
    return table


def test_composition_numbers_are_exact(personas: Personas, login: Login) -> None:
    table = known_table(personas)

    response = login(personas.staff).get(url("table_detail", table_id=table.pk))

    comp = response.context["composition"]
    assert (comp.people, comp.organizations) == (7, 3)
    assert (comp.community_members, comp.professionals) == (4, 3)
    assert (comp.community_led_organizations, comp.grassroots_organizations) == (1, 1)
    assert rows_of(response, "sector") == [
        ("School or district", "1"),
        ("Funder", "1"),
        ("Community or grassroots group", "1"),
    ]
    assert rows_of(response, "size") == [
        ("Under $250,000", "1"),
        ("$5 – 25 million", "1"),
        ("Over $25 million", "1"),
    ]
    assert rows_of(response, "community_led") == [
        ("Community-led", "1"),
        ("Not community-led", "2"),
    ]
    assert rows_of(response, "people") == [("Community members", "4"), ("Professionals", "3")]
    # Groups under 5 are suppressed: the one White respondent and the one man are not shown.
    assert rows_of(response, "race_ethnicity") == [
        ("Black or African American", "5"),
        ("White", "fewer than 5"),
    ]
    assert rows_of(response, "gender") == [("Woman", "5"), ("Man", "fewer than 5")]
    assert comp.flags == []
    html = response.content.decode()
    assert "fewer than 5" in html
    assert '<td class="num">fewer than 5</td>' in html


def test_flags_for_a_table_without_community_members_or_grassroots(
    personas: Personas, login: Login
) -> None:
    table: Any = TableFactory(initiative__organization=personas.org)
    for sector in (Sector.NONPROFIT, Sector.NONPROFIT, Sector.NONPROFIT, Sector.FUNDER):
        partner: Any = PartnerOrganizationFactory(
            organization=personas.org, sector=sector, size_band=SizeBand.OVER_25M
        )
        SeatFactory(
            table=table,
            person=PersonFactory(organization=personas.org, partner_organization=partner),
        )

    response = login(personas.steering).get(url("table_detail", table_id=table.pk))

    flags = [
        "No community members at this table.",
        "No grassroots or community-led organizations.",
        "No organizations with budgets under $250,000.",
        "More than half of the organizations are from one sector (Nonprofit).",
    ]
    assert response.context["composition"].flags == flags
    html = response.content.decode()
    for flag in flags:
        assert f"<span>{flag}</span>" in html
    assert html.count('<li class="flag"><svg class="flag__icon"') == 4


def test_demographics_wait_until_five_have_answered(personas: Personas, login: Login) -> None:
    table: Any = TableFactory(initiative__organization=personas.org)
    for _ in range(4):
        SeatFactory(
            table=table,
            person=PersonFactory(
                organization=personas.org, race_ethnicity=RaceEthnicity.ASIAN, gender=Gender.MAN
            ),
        )
    SeatFactory(table=table, person=PersonFactory(organization=personas.org))

    response = login(personas.staff).get(url("table_detail", table_id=table.pk))

    assert response.context["composition"].demographics_shown is False
    assert [c.key for c in response.context["charts"]] == [
        "sector",
        "size",
        "community_led",
        "people",
    ]
    assert "Asian" not in response.content.decode()
    assert "once 5 people at this table have answered" in response.content.decode()


def test_empty_table_says_so(personas: Personas, login: Login) -> None:
    table: Any = TableFactory(initiative__organization=personas.org)
    response = login(personas.staff).get(url("table_detail", table_id=table.pk))
    assert response.context["composition"].people == 0
    assert (
        "No one sits at this table yet, so there is nothing to show." in response.content.decode()
    )


def test_table_page_charts_are_inline_svg_with_titles(personas: Personas, login: Login) -> None:
    table = known_table(personas)
    html = login(personas.staff).get(url("table_detail", table_id=table.pk)).content.decode()
    assert html.count('class="bar-chart"') == 6
    assert f'<title id="t{table.pk}-sector-title">Organizations by sector</title>' in html
    assert "<script" not in html.split('<div id="table-body">')[1]
    assert html.count("Show as table") == 6


@pytest.mark.parametrize("role", list(Role))
def test_composition_page_is_for_roles_that_view_all_tables(
    role: Role, personas: Personas, login: Login
) -> None:
    initiative: Any = InitiativeFactory(organization=personas.org)
    response = login(personas.by_role(role)).get(
        url("tables_composition", initiative_id=initiative.pk)
    )
    assert response.status_code == (200 if role in PERMISSIONS["view_all_tables"] else 403)


def test_composition_page_shows_every_table_side_by_side(personas: Personas, login: Login) -> None:
    table = known_table(personas)
    steering: Any = TableFactory(
        initiative=table.initiative, kind=Table.Kind.STEERING, name="Steering committee"
    )
    SeatFactory(table=steering, person=PersonFactory(organization=personas.org))

    response = login(personas.steering).get(
        url("tables_composition", initiative_id=table.initiative_id)
    )

    summary = [
        (
            b["table"].name,
            b["composition"].people,
            b["composition"].community_members,
            b["composition"].flags,
        )
        for b in response.context["blocks"]
    ]
    assert summary == [
        ("Steering committee", 1, 0, ["No community members at this table."]),
        ("Early Learning", 7, 4, []),
    ]
    html = response.content.decode()
    row = re.search(r"<tr><th scope=\"row\"><a [^>]+>Early Learning</a></th>(.*?)</tr>", html, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">(\d+)</td>', row.group(1)) == ["7", "4", "3", "1", "1"]
    assert "<script" not in html.split('id="main"')[1]


@pytest.mark.parametrize("tables", [1, 8])
def test_composition_page_queries_do_not_grow(
    tables: int, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    initiative: Any = InitiativeFactory(organization=personas.org)
    for _ in range(tables):
        table: Any = TableFactory(initiative=initiative)
        for i in range(6):
            partner: Any = PartnerOrganizationFactory(organization=personas.org)
            person: Any = PersonFactory(
                organization=personas.org,
                partner_organization=partner,
                race_ethnicity="black" if i % 2 else "white",
                gender="woman",
            )
            SeatFactory(table=table, person=person)
    client = login(personas.staff)
    client.get(url("tables_composition", initiative_id=initiative.pk))
    # session, user, membership, switcher; the initiative; tables, their seats (people and
    # organizations joined), their strategies
    with django_assert_num_queries(8):
        response = client.get(url("tables_composition", initiative_id=initiative.pk))
    assert len(response.context["blocks"]) == tables
