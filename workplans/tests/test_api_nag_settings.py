"""An initiative's NAG cadence in the API: the defaults answered without writing anything, a
change through the page's service (the same ranges, pending reminders re-timed and then sent
at the new times), refusals that change nothing, and a list whose query count does not grow
with the initiatives. Staff only, as on the page: test_api_common.CASES checks every role,
tokens and outsiders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from backbone.models import User
from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from initiatives.tests.test_api_common import api_time, page, send, url
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import NagSettings
from workplans.tests.test_api_common import invalid
from workplans.tests.test_nag_staff import World, _reminder, _sweep

Login = Callable[[User], Client]

DEFAULTS = {
    "enabled": True,
    "check_in_days": 14,
    "heads_up_days": 7,
    "send_hour": 9,
    "weekdays_only": True,
    "recap_delay_minutes": 0,
}


@pytest.fixture
def world(personas: Personas) -> World:
    """Lakeshore Reads (Chicago) with a meeting closed on Monday 2 March and its reminders
    waiting, as in the reminders page's tests."""
    return World(personas)


def cadence_json(initiative: Initiative, **changes: Any) -> dict[str, Any]:
    """The cadence as the API answers it; its times are the saved row's, null while the
    initiative keeps the defaults (nothing saved)."""
    saved = NagSettings.objects.filter(initiative=initiative).first()
    return {
        "initiative": initiative.pk,
        **DEFAULTS,
        "time_zone": initiative.effective_time_zone,
        "created_at": api_time(saved.created_at) if saved else None,
        "updated_at": api_time(saved.updated_at) if saved else None,
        **changes,
    }


def test_an_initiative_never_changed_answers_the_defaults_and_writes_nothing(
    personas: Personas, login: Login
) -> None:
    initiative: Any = InitiativeFactory(organization=personas.org, time_zone="America/Denver")
    client = login(personas.staff)
    before = snapshot()

    response = send(client, "GET", f"nag-settings/{initiative.pk}/")
    listed = send(client, "GET", "nag-settings/")

    assert response.status_code == 200
    assert response.json() == cadence_json(initiative, time_zone="America/Denver")
    assert (response.json()["created_at"], response.json()["updated_at"]) == (None, None)
    assert listed.json() == page([response.json()])
    assert snapshot() == before
    assert not NagSettings.objects.exists()


def test_the_list_has_every_initiative_by_name_with_its_cadence(
    world: World, personas: Personas, login: Login
) -> None:
    archived: Any = InitiativeFactory(
        organization=personas.org,
        name="Healthy Lakeshore",
        status=Initiative.Status.ARCHIVED,
        time_zone="America/New_York",
    )
    NagSettings.objects.create(
        organization=personas.org, initiative=archived, enabled=False, send_hour=7
    )
    InitiativeFactory(organization=personas.other_org, name="Riverside Reads")

    response = send(login(personas.staff), "GET", "nag-settings/")

    assert response.status_code == 200
    assert response.json() == page(
        [
            cadence_json(archived, enabled=False, send_hour=7, time_zone="America/New_York"),
            cadence_json(world.initiative, time_zone="America/Chicago"),
        ]
    )


def test_a_change_retimes_the_pending_reminders_which_go_out_then(
    world: World, personas: Personas, login: Login
) -> None:
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps are sent
    sent_recap = _reminder(world, "recap", world.ana)

    response = send(
        login(personas.staff),
        "PATCH",
        f"nag-settings/{world.initiative.pk}/",
        {"check_in_days": 6, "heads_up_days": 3, "send_hour": 8, "recap_delay_minutes": 30},
    )

    assert response.status_code == 200
    assert response.json() == cadence_json(
        world.initiative,
        check_in_days=6,
        heads_up_days=3,
        send_hour=8,
        recap_delay_minutes=30,
        time_zone="America/Chicago",
    )
    # Six days after Monday 2 March is a Sunday: weekdays only moves it to Monday the 9th,
    # 08:00 in Chicago, which is daylight time from 8 March.
    assert _reminder(world, "check_in", world.ana).due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert _reminder(world, "heads_up", world.partner).due_at == datetime(
        2026, 3, 27, 13, 0, tzinfo=UTC
    )
    assert _reminder(world, "recap", world.ana).due_at == sent_recap.due_at
    checked = _sweep(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))
    assert sorted(checked.recipients) == sorted([world.ana.email, world.partner.email])


def test_turning_the_emails_off_keeps_the_rest_and_skips_what_comes_due(
    world: World, personas: Personas, login: Login
) -> None:
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps
    client = login(personas.staff)
    send(client, "PATCH", f"nag-settings/{world.initiative.pk}/", {"send_hour": 10})

    response = send(client, "PATCH", f"nag-settings/{world.initiative.pk}/", {"enabled": False})
    checked = _sweep(datetime(2026, 3, 16, 15, 0, tzinfo=UTC))

    assert response.json() == cadence_json(
        world.initiative, enabled=False, send_hour=10, time_zone="America/Chicago"
    )
    assert (checked.sent_emails, checked.skipped) == (0, 2)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"check_in_days": 0},
         {"check_in_days": ["Ensure this value is greater than or equal to 1."]}),
        ({"heads_up_days": 31},
         {"heads_up_days": ["Ensure this value is less than or equal to 30."]}),
        ({"send_hour": 24}, {"send_hour": ["Ensure this value is less than or equal to 23."]}),
        ({"recap_delay_minutes": 10081},
         {"recap_delay_minutes": ["Ensure this value is less than or equal to 10080."]}),
        ({"recap_delay_minutes": "abc"}, {"recap_delay_minutes": ["A valid integer is required."]}),
        ({"enabled": "maybe"}, {"enabled": ["Must be a valid boolean."]}),
    ],
)  # fmt: skip
def test_a_bad_cadence_is_refused_and_changes_nothing(
    body: dict[str, Any],
    fields: dict[str, list[str]],
    world: World,
    personas: Personas,
    login: Login,
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = send(client, "PATCH", f"nag-settings/{world.initiative.pk}/", body)

    assert (response.status_code, response.json()) == (400, invalid(fields))
    assert snapshot() == before


def test_the_cadence_is_not_replaced_whole(world: World, personas: Personas, login: Login) -> None:
    client = login(personas.staff)
    before = snapshot()

    put = send(client, "PUT", f"nag-settings/{world.initiative.pk}/", DEFAULTS)
    delete = send(client, "DELETE", f"nag-settings/{world.initiative.pk}/")

    assert [put.status_code, delete.status_code] == [405, 405]
    assert snapshot() == before


def test_the_list_takes_the_same_queries_for_3_and_30_initiatives(
    personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    client = login(personas.staff)
    counts = []
    for n in (3, 27):
        for initiative in InitiativeFactory.create_batch(n, organization=personas.org):
            if initiative.pk % 2:
                NagSettings.objects.create(organization=personas.org, initiative=initiative)
        # session, user, membership, count, initiatives (with their cadence)
        with django_assert_num_queries(5):
            response = client.get(url("nag-settings/"), {"page_size": 100})
        assert response.status_code == 200
        counts.append(response.json()["count"])
    assert counts == [3, 30]
