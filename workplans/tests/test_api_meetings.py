"""Meetings in the API: exact answers with times in the initiative's time zone and the generated
agenda, scheduling, changes, closing (twice changes nothing), attendance and filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from backbone.models import User
from initiatives.tests.factories import PersonFactory
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    STAMP,
    agenda_fixture,
    frozen_fixture,
    page,
    send,
)
from tests.snapshot import snapshot
from workplans.models import Meeting
from workplans.services import meeting_cancel, meeting_close, meeting_schedule
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    Plan,
    invalid,
    plan_fixture,
)

Login = Callable[[User], Client]

AGENDA = [
    ("check_in", "Check-in", 10),
    ("ground_rules", "Ground rules", 2),
    ("commitment_review", "Review of commitments from the last meeting", 15),
    ("workplan", "Workplan progress: overdue and at-risk actions", 15),
    ("problem_solving", "Problem solving", 20),
    ("coordination", "Coordination among partners", 10),
    ("environment", "Scan of the environment", 5),
    ("wins", "Celebrate wins", 5),
]


def agenda_json(meeting: Meeting) -> list[dict[str, Any]]:
    ids = list(meeting.agenda_items.order_by("position").values_list("pk", flat=True))
    return [
        {"id": pk, "kind": kind, "title": title, "notes": "", "minutes": minutes, "position": i}
        for i, (pk, (kind, title, minutes)) in enumerate(zip(ids, AGENDA, strict=True))
    ]


def meeting_json(plan: Plan, *, detail: bool = True, **changes: Any) -> dict[str, Any]:
    agenda = plan.agenda
    shape = {
        "id": plan.meeting.pk,
        "initiative": agenda.initiative.pk,
        "table": agenda.workgroup.pk,
        "title": "March meeting",
        # Noon in Chicago, where daylight time began on 8 March.
        "starts_at": "2026-03-10T12:00:00-05:00",
        "ends_at": "2026-03-10T13:30:00-05:00",
        "time_zone": "America/Chicago",
        "location": "Eastside Library, room 2",
        "video_link": "",
        "status": "scheduled",
        "closed_at": None,
        "notes": "",
        "wins": "",
        "invitees": sorted([agenda.cochair_person.pk, agenda.partner_person.pk]),
        "attendance": [],
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }
    if detail:
        shape["agenda"] = agenda_json(plan.meeting)
    return shape


def test_meeting_retrieve_has_the_generated_agenda(plan: Plan, login: Login) -> None:
    response = send(login(plan.agenda.personas.steering), "GET", f"meetings/{plan.meeting.pk}/")

    assert response.status_code == 200
    assert response.json() == meeting_json(plan)


def test_meetings_list_without_agendas_latest_first(plan: Plan, login: Login) -> None:
    later = meeting_schedule(
        table=plan.agenda.workgroup,
        starts_at=datetime(2026, 4, 14, 17, 0, tzinfo=UTC),
        ends_at=datetime(2026, 4, 14, 18, 0, tzinfo=UTC),
    )
    client = login(plan.agenda.personas.cochair)

    response = send(client, "GET", "meetings/", {"table": plan.agenda.workgroup.pk})

    assert response.status_code == 200
    assert response.json() == page(
        [
            meeting_json(
                plan,
                detail=False,
                id=later.pk,
                title="",
                location="",
                starts_at="2026-04-14T12:00:00-05:00",
                ends_at="2026-04-14T13:00:00-05:00",
            ),
            meeting_json(plan, detail=False),
        ]
    )


def test_meetings_filters(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    # 11 March, 04:30 UTC: still 10 March in Chicago.
    late = meeting_schedule(
        table=plan.agenda.workgroup,
        starts_at=datetime(2026, 3, 11, 4, 30, tzinfo=UTC),
        ends_at=datetime(2026, 3, 11, 5, 0, tzinfo=UTC),
    )
    meeting_close(meeting=plan.other_meeting)

    def ids(params: dict[str, Any]) -> list[int]:
        response = send(client, "GET", "meetings/", params)
        assert response.status_code == 200, response.content
        return [m["id"] for m in response.json()["results"]]

    both = [plan.other_meeting.pk, plan.meeting.pk]
    assert ids({"status": "closed"}) == [plan.other_meeting.pk]
    assert ids({"status": "scheduled"}) == [late.pk, plan.meeting.pk]
    assert ids({"table": plan.agenda.other_workgroup.pk}) == [plan.other_meeting.pk]
    assert ids({"initiative": plan.agenda.initiative.pk}) == [late.pk, *both]
    assert ids({"starts_after": "2026-03-11"}) == []
    assert ids({"starts_before": "2026-03-10"}) == [late.pk, *both]
    assert ids({"starts_before": "2026-03-09"}) == []
    assert ids({"starts_after": "2026-03-10T12:00:00"}) == [late.pk, *both]
    assert ids({"starts_after": "2026-03-10T12:00:01-05:00"}) == [late.pk]
    assert ids({"starts_before": "2026-03-10T17:00:00Z"}) == both
    bad = send(client, "GET", "meetings/", {"starts_after": "next week"})
    assert (bad.status_code, bad.json()) == (
        400,
        invalid({"starts_after": ["Give a date (YYYY-MM-DD) or a date and time (ISO 8601)."]}),
    )
    bad_status = send(client, "GET", "meetings/", {"status": "held"})
    assert (bad_status.status_code, bad_status.json()) == (
        400,
        invalid({"status": ["Use one of: scheduled, closed, cancelled."]}),
    )


def test_a_cochair_schedules_a_meeting_in_the_initiatives_time_zone(
    plan: Plan, login: Login
) -> None:
    response = send(
        login(plan.agenda.personas.cochair),
        "POST",
        "meetings/",
        {
            "table": plan.agenda.workgroup.pk,
            "title": "April meeting",
            "starts_at": "2026-04-14T09:30:00",
            "ends_at": "2026-04-14T16:00:00+01:00",
            "video_link": "https://meet.example.org/early-literacy",
            "notes": "Bring the site list.",
        },
    )

    assert response.status_code == 201
    created = Meeting.objects.get(title="April meeting")
    assert created.starts_at == datetime(2026, 4, 14, 14, 30, tzinfo=UTC)
    assert created.ends_at == datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
    assert response.json() == {
        **meeting_json(plan),
        "id": created.pk,
        "title": "April meeting",
        "starts_at": "2026-04-14T09:30:00-05:00",
        "ends_at": "2026-04-14T10:00:00-05:00",
        "location": "",
        "video_link": "https://meet.example.org/early-literacy",
        "notes": "Bring the site list.",
        "agenda": agenda_json(created),
    }


def test_a_meeting_invites_whom_it_is_told(plan: Plan, login: Login) -> None:
    response = send(
        login(plan.agenda.personas.staff),
        "POST",
        "meetings/",
        {
            "table": plan.agenda.steering.pk,
            "starts_at": "2026-05-01T08:00:00-05:00",
            "ends_at": "2026-05-01T09:00:00-05:00",
            "invitees": [plan.agenda.person.pk],
        },
    )

    assert response.status_code == 201
    assert response.json()["invitees"] == [plan.agenda.person.pk]
    assert response.json()["table"] == plan.agenda.steering.pk


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"starts_at": "2026-04-14T10:00:00", "ends_at": "2026-04-14T09:00:00"},
            {"ends_at": ["The meeting must end after it starts."]},
        ),
        (
            {"starts_at": "tomorrow", "ends_at": "2026-04-14T09:00:00"},
            {
                "starts_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        ({"ends_at": "2026-04-14T09:00:00"}, {"starts_at": ["This field is required."]}),
    ],
)
def test_a_meeting_with_bad_times_is_refused(
    body: dict[str, Any], fields: dict[str, list[str]], plan: Plan, login: Login
) -> None:
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", "meetings/", {"table": plan.agenda.workgroup.pk, **body})

    assert (response.status_code, response.json()) == (400, invalid(fields))
    assert snapshot() == before


def test_a_meeting_changes_through_patch(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)

    response = send(
        client,
        "PATCH",
        f"meetings/{plan.meeting.pk}/",
        {
            "starts_at": "2026-03-10T12:30:00",
            "wins": "Two new sites!",
            "invitees": [plan.agenda.partner_person.pk, plan.agenda.person.pk],
            "table": plan.agenda.other_workgroup.pk,
        },
    )

    assert response.status_code == 200
    assert response.json() == meeting_json(
        plan,
        starts_at="2026-03-10T12:30:00-05:00",
        wins="Two new sites!",
        invitees=sorted([plan.agenda.partner_person.pk, plan.agenda.person.pk]),
    )
    plan.meeting.refresh_from_db()
    assert plan.meeting.table == plan.agenda.workgroup


def test_a_held_meeting_keeps_its_time_but_takes_notes(plan: Plan, login: Login) -> None:
    meeting_close(meeting=plan.meeting)
    client = login(plan.agenda.personas.cochair)
    before = snapshot()

    moved = send(
        client, "PATCH", f"meetings/{plan.meeting.pk}/", {"starts_at": "2026-03-10T13:00:00"}
    )
    assert snapshot() == before
    noted = send(client, "PATCH", f"meetings/{plan.meeting.pk}/", {"notes": "Good turnout."})

    assert (moved.status_code, moved.json()) == (
        400,
        invalid({}, "This meeting is closed; its time, place and invitees stay as they were."),
    )
    assert noted.status_code == 200
    assert noted.json()["notes"] == "Good turnout."


def test_closing_twice_answers_the_same_and_changes_nothing(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)
    path = f"meetings/{plan.meeting.pk}/close/"

    first = send(client, "POST", path)
    after_first = snapshot()
    second = send(client, "POST", path)

    assert first.status_code == 200
    assert first.json() == meeting_json(plan, status="closed", closed_at=STAMP)
    assert (second.status_code, second.json()) == (200, first.json())
    assert snapshot() == after_first


def test_a_cancelled_meeting_is_not_closed(plan: Plan, login: Login) -> None:
    meeting_cancel(meeting=plan.meeting)
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", f"meetings/{plan.meeting.pk}/close/")

    assert (response.status_code, response.json()) == (
        400,
        invalid({}, "A cancelled meeting cannot be closed."),
    )
    assert snapshot() == before


def test_attendance_records_who_came_and_who_did_not(plan: Plan, login: Login) -> None:
    agenda = plan.agenda
    guest: Any = PersonFactory(organization=agenda.personas.org, full_name="Zoe Guest")
    client = login(agenda.personas.cochair)
    path = f"meetings/{plan.meeting.pk}/attendance/"

    response = send(client, "PUT", path, {"present": [agenda.partner_person.pk, guest.pk]})
    again = send(client, "PUT", path, {"present": [agenda.cochair_person.pk]})

    assert response.status_code == 200
    assert response.json()["attendance"] == [
        {"person": agenda.cochair_person.pk, "person_name": "Carla Chen", "present": False},
        {"person": agenda.partner_person.pk, "person_name": "Pat Okafor", "present": True},
        {"person": guest.pk, "person_name": "Zoe Guest", "present": True},
    ]
    assert again.json() == meeting_json(
        plan,
        attendance=[
            {"person": agenda.cochair_person.pk, "person_name": "Carla Chen", "present": True},
            {"person": agenda.partner_person.pk, "person_name": "Pat Okafor", "present": False},
        ],
    )


def test_attendance_of_a_person_of_another_organization_is_refused(
    plan: Plan, login: Login
) -> None:
    foreign: Any = PersonFactory(organization=plan.agenda.personas.other_org)
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(
        client, "PUT", f"meetings/{plan.meeting.pk}/attendance/", {"present": [foreign.pk]}
    )
    without = send(client, "PUT", f"meetings/{plan.meeting.pk}/attendance/", {})

    assert (response.status_code, response.json()) == (
        400,
        invalid({"present": [f'Invalid pk "{foreign.pk}" - object does not exist.']}),
    )
    assert (without.status_code, without.json()) == (
        400,
        invalid({"present": ["This field is required."]}),
    )
    assert snapshot() == before


def test_meetings_cannot_be_replaced_or_deleted(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    put = send(client, "PUT", f"meetings/{plan.meeting.pk}/", {"title": "X"})
    delete = send(client, "DELETE", f"meetings/{plan.meeting.pk}/")
    attendance = send(client, "GET", f"meetings/{plan.meeting.pk}/attendance/")

    assert [put.status_code, delete.status_code, attendance.status_code] == [405, 405, 405]
    assert snapshot() == before
