"""The dashboard page and the lists behind its numbers: who may read them, filters, htmx
fragments and full pages, and their query counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import Role
from dashboard.models import DashboardSettings
from dashboard.services import settings_for
from dashboard.tests.test_dashboard import NOW, World, build_world, grow
from initiatives.tests.factories import TableFactory
from tests.fixtures import Personas
from workplans.tests.factories import KeyActionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(personas: Personas) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        built = build_world(personas.org)
        yield built


def url(world: World, name: str = "dashboard", **kwargs: Any) -> str:
    return reverse(
        name,
        kwargs={"org_slug": "lakeshore", "initiative_id": world.initiative.pk, **kwargs},
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.STAFF, 200), (Role.STEERING, 200), (Role.COCHAIR, 200), (Role.PARTNER, 403)],
)
def test_each_role_reads_the_dashboard_as_the_roles_table_says(
    world: World, personas: Personas, login: Callable[[User], Client], role: Role, status: int
) -> None:
    response = login(personas.by_role(role)).get(url(world))
    assert response.status_code == status
    if status == 200:
        assert "The library said yes." in response.content.decode()
    # Reading never writes settings for those who always may read.
    expected = 1 if role == Role.PARTNER else 0
    assert DashboardSettings.objects.count() == expected


def test_partners_read_it_where_the_initiative_allows(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    found = settings_for(world.initiative)
    found.partners_may_view = True
    found.save()
    client = login(personas.partner)
    assert client.get(url(world)).status_code == 200
    follow = url(world, "dashboard_follow_through", table_id=world.wa.pk)
    assert client.get(follow).status_code == 200


def test_an_outsider_gets_404_and_staff_get_404_for_another_organizations_initiative(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    assert login(personas.outsider).get(url(world)).status_code == 404
    other: Any = TableFactory(initiative__organization=personas.other_org)
    response = login(personas.staff).get(
        reverse("dashboard", kwargs={"org_slug": "lakeshore", "initiative_id": other.initiative_id})
    )
    assert response.status_code == 404


def test_the_navigation_opens_the_first_initiatives_dashboard(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.steering)
    response = client.get(reverse("dashboard_home", kwargs={"org_slug": "lakeshore"}))
    assert response.status_code == 302
    assert response["Location"] == url(world)
    page = client.get(url(world)).content.decode()
    assert 'href="/o/lakeshore/dashboard/"' in page
    partner = login(personas.partner).get(reverse("dashboard_home", args=["lakeshore"]))
    assert partner.status_code == 404


def test_filters_narrow_the_page_and_htmx_gets_only_the_body(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.steering)
    full = client.get(url(world), {"workgroup": world.wb.pk, "year": 2026}).content.decode()
    assert "<html" in full
    assert f'id="wg-{world.wb.pk}"' in full
    assert f'id="wg-{world.wa.pk}"' not in full
    assert f'<option value="{world.wb.pk}" selected>' in full
    strategy = {"strategy": world.objects["s1"].pk}
    body = client.get(url(world), strategy, headers=HTMX).content.decode()
    assert "<html" not in body
    assert f'id="wg-{world.wa.pk}"' in body
    assert f'id="wg-{world.wb.pk}"' not in body
    assert "Children attend school." not in body
    # The status line's words change inside the page's one live region, so they are read out.
    assert 'id="dashboard-status" class="visually-hidden" role="status" aria-live="polite" ' in body
    assert 'hx-swap-oob="innerHTML"' in body


def test_follow_through_drill_is_a_fragment_for_htmx_and_a_full_page_otherwise(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.steering)
    address = url(world, "dashboard_follow_through", table_id=world.wa.pk)
    o = world.objects
    fragment = client.get(address, {"year": 2026}, headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert fragment.count("Done in time") == 3
    for key in ("c1", "c2", "c3", "c4", "c5", "c6", "c7"):
        assert o[key].what in fragment
    assert o["c8"].what not in fragment  # made at a meeting not reviewed yet
    page = client.get(address, {"year": 2026}).content.decode()
    assert "<html" in page
    assert 'id="drill-title"' in page
    assert "Alpha group: follow-through" in page
    assert "The library said yes." in page  # the dashboard around it
    # A history restore (back button with an empty cache) gets the whole page too.
    restore = client.get(address, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_workgroup_key_action_overdue_and_help_drills(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.steering)
    o = world.objects
    workgroup = client.get(url(world, "dashboard_workgroup", table_id=world.wa.pk), headers=HTMX)
    text = workgroup.content.decode()
    assert text.count('hx-get="/o/lakeshore/initiatives/') == 4  # four key actions of 2026
    assert o["ka1"].description in text
    assert o["ka7"].description not in text
    action = client.get(url(world, "dashboard_key_action", key_action_id=o["ka1"].pk), headers=HTMX)
    assert action.status_code == 200
    overdue = client.get(url(world, "dashboard_overdue", table_id=world.wa.pk), headers=HTMX)
    text = overdue.content.decode()
    assert o["c5"].what in text
    assert o["c8"].what in text
    assert o["c7"].what not in text
    assert "56 days late" in text  # c5: due April 20
    help_list = client.get(url(world, "dashboard_help", table_id=world.wa.pk), headers=HTMX)
    text = help_list.content.decode()
    assert o["c7"].what in text
    assert o["c5"].what not in text  # resolved


def test_drill_ids_are_looked_up_within_the_initiative(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.staff)
    elsewhere: Any = TableFactory(initiative__organization=personas.org)
    assert client.get(url(world, "dashboard_overdue", table_id=elsewhere.pk)).status_code == 404
    steering = url(world, "dashboard_help", table_id=world.steering.pk)
    assert client.get(steering).status_code == 404
    other_action: Any = KeyActionFactory(workplan__table__initiative__organization=personas.org)
    address = url(world, "dashboard_key_action", key_action_id=other_action.pk)
    assert client.get(address).status_code == 404


def test_page_and_drill_query_counts_do_not_grow_with_the_data(
    world: World,
    personas: Personas,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    client = login(personas.steering)
    client.get(url(world))  # the first organization page of a session writes the session
    follow = url(world, "dashboard_follow_through", table_id=world.wa.pk)
    for _round in range(2):
        with django_assert_num_queries(24):
            assert client.get(url(world)).status_code == 200
        with django_assert_num_queries(7):
            assert client.get(follow, headers=HTMX).status_code == 200
        with django_assert_num_queries(27):
            assert client.get(follow).status_code == 200
        with time_machine.travel(NOW, tick=False):
            grow(world, workgroups=5, meetings=4, per_meeting=3)
