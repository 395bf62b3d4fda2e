"""The dashboard's body is kept once built, and built afresh after any change: through a page,
through the API, or by a worker. What is served is always what a fresh build would show."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from backbone.generations import data_changed
from backbone.models import User
from dashboard.tests.test_dashboard import NOW, World, build_world
from tests.fixtures import Personas
from workplans.models import Commitment


@pytest.fixture
def world(personas: Personas, settings: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        built = build_world(personas.org)
        # The cache outlives the test database: a new generation keeps earlier tests' bodies
        # (built for rows whose ids repeat) out of this one.
        data_changed(personas.org.pk)
        settings.BACKBONE_DASHBOARD_CACHE_SECONDS = 300
        yield built


def url(world: World) -> str:
    return reverse(
        "dashboard", kwargs={"org_slug": "lakeshore", "initiative_id": world.initiative.pk}
    )


def body(client: Client, world: World) -> str:
    response = client.get(url(world))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="dashboard-body"') : html.index("</main>")]


def fresh(client: Client, world: World, settings: Any) -> str:
    settings.BACKBONE_DASHBOARD_CACHE_SECONDS = 0
    try:
        return body(client, world)
    finally:
        settings.BACKBONE_DASHBOARD_CACHE_SECONDS = 300


def test_a_kept_body_is_served_in_a_handful_of_queries(
    world: World,
    personas: Personas,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    client = login(personas.steering)
    first = body(client, world)
    # Session, user, membership, the initiative, and the header's organization switcher:
    # nothing of the data behind the body.
    with django_assert_num_queries(5):
        again = body(client, world)
    assert again == first


def test_a_change_through_a_page_is_shown_at_once(
    world: World,
    personas: Personas,
    login: Callable[[User], Client],
    settings: Any,
) -> None:
    steering = login(personas.steering)
    before = body(steering, world)
    assert body(steering, world) == before
    commitment = world.objects["c8"]  # open, overdue since June 10
    staff = login(personas.staff)
    response = staff.post(
        reverse("commitment_status", args=["lakeshore", commitment.pk]),
        {"status": "done", "version": commitment.version},
    )
    assert response.status_code in (200, 302)
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.DONE
    steering = login(personas.steering)
    after = body(steering, world)
    assert after != before
    assert after == fresh(steering, world, settings)


def test_a_refused_change_keeps_the_body(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    steering = login(personas.steering)
    before = body(steering, world)
    commitment = world.objects["c8"]
    response = login(personas.staff).post(
        reverse("commitment_status", args=["lakeshore", commitment.pk]),
        {"status": "nonsense"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.OPEN
    steering = login(personas.steering)
    # Nothing changed: the kept body answers, in the same few queries as before.
    assert body(steering, world) == before


def test_a_workers_change_moves_the_organization_on_and_another_organizations_does_not(
    world: World, personas: Personas, login: Callable[[User], Client], settings: Any
) -> None:
    steering = login(personas.steering)
    before = body(steering, world)
    # A change the pages did not see (as a worker applying an email reply would make it).
    Commitment.objects.filter(pk=world.objects["c8"].pk).update(
        status=Commitment.Status.DONE, completed_at=NOW
    )
    data_changed(personas.other_org.pk)
    assert body(steering, world) == before  # another organization's change: still kept
    data_changed(personas.org.pk)
    after = body(steering, world)
    assert after != before
    assert after == fresh(steering, world, settings)


def test_each_language_and_role_gets_its_own_body(
    world: World, personas: Personas, login: Callable[[User], Client]
) -> None:
    steering = login(personas.steering)
    english = body(steering, world)
    steering.cookies["django_language"] = "es"
    spanish = body(steering, world)
    assert spanish != english
    assert "Estrella Polar" in spanish or "North Star" not in spanish
    staff_body = body(login(personas.staff), world)
    # Staff may open every table's composition; the steering member's kept body has no link.
    assert "/composition/" in staff_body
    assert "/composition/" in english
