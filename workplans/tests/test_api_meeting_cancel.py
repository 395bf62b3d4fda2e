"""Cancelling a meeting through the API, with the meeting page's service: the answer, twice
changes nothing, a held meeting stays held. Who may: test_api_common.CASES."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from backbone.models import User
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    agenda_fixture,
    frozen_fixture,
    send,
)
from tests.snapshot import snapshot
from workplans.models import Meeting
from workplans.services import meeting_close
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    Plan,
    invalid,
    plan_fixture,
)
from workplans.tests.test_api_meetings import meeting_json

Login = Callable[[User], Client]


def test_a_cochair_cancels_a_meeting_and_again_changes_nothing(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)
    path = f"meetings/{plan.meeting.pk}/cancel/"

    first = send(client, "POST", path)
    after_first = snapshot()
    second = send(client, "POST", path)

    assert first.status_code == 200
    assert first.json() == meeting_json(plan, status="cancelled")
    assert (second.status_code, second.json()) == (200, first.json())
    assert snapshot() == after_first
    plan.meeting.refresh_from_db()
    # A new version of the calendar event, so calendars drop it.
    assert (plan.meeting.status, plan.meeting.sequence) == (Meeting.Status.CANCELLED, 1)


def test_a_held_meeting_is_not_cancelled(plan: Plan, login: Login) -> None:
    meeting_close(meeting=plan.meeting)
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", f"meetings/{plan.meeting.pk}/cancel/")

    assert (response.status_code, response.json()) == (
        400,
        invalid({}, "This meeting already took place."),
    )
    assert snapshot() == before
