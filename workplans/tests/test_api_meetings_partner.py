"""Partners read meetings through the API as the pages show them: the meetings of the tables
they sit at (with their agenda and attendance), nothing of another table of the same
organization, and they change none of it. Per role and token: test_api_common.CASES."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from backbone.models import User
from initiatives.models import Person, Seat
from initiatives.services import seat_change_role, seat_remove
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOT_FOUND,
    agenda_fixture,
    frozen_fixture,
    send,
)
from tests.snapshot import snapshot
from workplans.models import Meeting
from workplans.services import attendance_record
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    TABLE_REFUSAL,
    Plan,
    plan_fixture,
)
from workplans.tests.test_api_meetings import meeting_json

Login = Callable[[User], Client]


def test_a_partner_lists_the_meetings_of_their_tables_only(plan: Plan, login: Login) -> None:
    response = send(login(plan.agenda.personas.partner), "GET", "meetings/")

    assert response.status_code == 200
    assert [m["id"] for m in response.json()["results"]] == [plan.meeting.pk]
    assert response.json()["results"][0] == meeting_json(plan, detail=False)


def test_a_partner_reads_their_tables_meeting_as_staff_do_with_agenda_and_attendance(
    plan: Plan, client: Client
) -> None:
    attendance_record(meeting=plan.meeting, present=[plan.agenda.partner_person])
    path = f"meetings/{plan.meeting.pk}/"
    client.force_login(plan.agenda.personas.staff)
    staff = send(client, "GET", path)
    client.force_login(plan.agenda.personas.partner)

    response = send(client, "GET", path)

    assert response.status_code == 200
    assert response.json() == staff.json()
    assert [(a["person"], a["present"]) for a in response.json()["attendance"]] == [
        (plan.agenda.cochair_person.pk, False),
        (plan.agenda.partner_person.pk, True),
    ]
    assert [i["kind"] for i in response.json()["agenda"]] == [
        "check_in",
        "ground_rules",
        "commitment_review",
        "workplan",
        "problem_solving",
        "coordination",
        "environment",
        "wins",
    ]


def test_another_tables_meeting_is_not_found_for_a_partner(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.partner)

    detail = send(client, "GET", f"meetings/{plan.other_meeting.pk}/")
    filtered = send(client, "GET", "meetings/", {"table": plan.agenda.other_workgroup.pk})

    assert (detail.status_code, detail.json()) == (404, NOT_FOUND)
    assert filtered.json()["results"] == []


def test_a_partner_who_left_the_table_no_longer_sees_its_meetings(plan: Plan, login: Login) -> None:
    seat_remove(seat=plan.agenda.partner_seat)
    client = login(plan.agenda.personas.partner)

    listed = send(client, "GET", "meetings/")
    detail = send(client, "GET", f"meetings/{plan.meeting.pk}/")

    assert listed.json()["count"] == 0
    assert (detail.status_code, detail.json()) == (404, NOT_FOUND)


def test_an_archived_partners_login_sees_no_meetings(plan: Plan, login: Login) -> None:
    Person.objects.filter(pk=plan.agenda.partner_person.pk).update(
        archived_at=plan.meeting.created_at
    )

    response = send(login(plan.agenda.personas.partner), "GET", "meetings/")

    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("method", "then", "body"),
    [
        ("PATCH", "", {"notes": "Taken over"}),
        ("POST", "close/", None),
        ("POST", "cancel/", None),
        ("PUT", "attendance/", {"present": []}),
    ],
)
def test_a_partner_changes_nothing_of_their_tables_meeting(
    plan: Plan, login: Login, method: str, then: str, body: Any
) -> None:
    client = login(plan.agenda.personas.partner)
    before = snapshot()

    response = send(client, method, f"meetings/{plan.meeting.pk}/{then}", body)

    assert (response.status_code, response.json()) == (403, TABLE_REFUSAL)
    assert snapshot() == before


def test_a_partner_seated_as_co_chair_leads_their_tables_meeting_as_on_the_pages(
    plan: Plan, login: Login
) -> None:
    # A partner organization's director may co-chair a workgroup: the pages let them run its
    # meetings, and so does the API; another table's meeting stays out of their reach.
    seat_change_role(seat=plan.agenda.partner_seat, role=Seat.Role.CO_CHAIR)
    client = login(plan.agenda.personas.partner)
    other_notes = Meeting.objects.get(pk=plan.other_meeting.pk).notes

    notes = send(client, "PATCH", f"meetings/{plan.meeting.pk}/", {"notes": "At the library."})
    item = send(client, "POST", "agenda-items/", {"meeting": plan.meeting.pk, "title": "Book swap"})
    reminders = send(client, "GET", f"meetings/{plan.meeting.pk}/reminders/")
    elsewhere = send(client, "PATCH", f"meetings/{plan.other_meeting.pk}/", {"notes": "Mine"})

    assert (notes.status_code, notes.json()["notes"]) == (200, "At the library.")
    assert (item.status_code, item.json()["title"]) == (201, "Book swap")
    assert reminders.status_code == 200
    assert (elsewhere.status_code, elsewhere.json()) == (404, NOT_FOUND)
    assert Meeting.objects.get(pk=plan.other_meeting.pk).notes == other_notes


def test_the_co_chair_still_lists_every_tables_meetings(plan: Plan, login: Login) -> None:
    response = send(login(plan.agenda.personas.cochair), "GET", "meetings/")

    assert sorted(m["id"] for m in response.json()["results"]) == sorted(
        [plan.meeting.pk, plan.other_meeting.pk]
    )
