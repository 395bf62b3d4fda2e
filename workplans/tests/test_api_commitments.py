"""Commitments in the API: exact answers, recording one, changes kept in the history with the
channel "api" and the user, a partner's own commitments, conflicts, and filters."""

from __future__ import annotations

from collections.abc import Callable
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
from workplans.models import Commitment
from workplans.services import commitment_change
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    Plan,
    invalid,
    plan_fixture,
)

Login = Callable[[User], Client]


def commitment_json(plan: Plan, **changes: Any) -> dict[str, Any]:
    agenda = plan.agenda
    return {
        "id": plan.partner_commitment.pk,
        "initiative": agenda.initiative.pk,
        "table": agenda.workgroup.pk,
        "meeting": plan.meeting.pk,
        "person": agenda.partner_person.pk,
        "person_name": "Pat Okafor",
        "what": "Ask three principals to host a site",
        "due_date": "2026-04-07",
        "why": "Sites in every neighborhood",
        "key_action": plan.key_action.pk,
        "strategy": agenda.strategy.pk,
        "status": "open",
        "progress_note": "",
        "completed_at": None,
        "carried_to": None,
        "overdue": False,
        "version": 1,
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


CREATED = {
    "at": STAMP,
    "channel": "web",
    "by": "staff@lakeshore.example.org",
    "old_status": None,
    "new_status": "open",
    "old_due_date": None,
    "new_due_date": "2026-04-07",
    "note": "Committed at the meeting.",
}


def test_commitment_retrieve(plan: Plan, login: Login) -> None:
    response = send(
        login(plan.agenda.personas.partner), "GET", f"commitments/{plan.partner_commitment.pk}/"
    )

    assert response.status_code == 200
    assert response.json() == commitment_json(plan)


def test_a_partner_lists_the_commitments_of_the_tables_they_sit_at(
    plan: Plan, login: Login
) -> None:
    response = send(login(plan.agenda.personas.partner), "GET", "commitments/")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [
        plan.cochair_commitment.pk,
        plan.partner_commitment.pk,
    ]
    assert response.json()["results"][1] == commitment_json(plan)


def test_commitment_filters(plan: Plan, login: Login, time_machine: Any) -> None:
    client = login(plan.agenda.personas.staff)
    mine, cochairs, other = (
        plan.partner_commitment.pk,
        plan.cochair_commitment.pk,
        plan.other_commitment.pk,
    )
    commitment_change(commitment=plan.other_commitment, channel="web", status="blocked")

    def ids(params: dict[str, Any]) -> list[int]:
        response = send(client, "GET", "commitments/", params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    # By due date: 20 March, 31 March, 7 April.
    assert ids({}) == [cochairs, other, mine]
    assert ids({"initiative": plan.agenda.initiative.pk}) == [cochairs, other, mine]
    assert ids({"table": plan.agenda.workgroup.pk}) == [cochairs, mine]
    assert ids({"meeting": plan.other_meeting.pk}) == [other]
    assert ids({"person": plan.agenda.partner_person.pk}) == [mine]
    assert ids({"status": "blocked"}) == [other]
    assert ids({"due_before": "2026-03-31"}) == [cochairs, other]
    assert ids({"due_after": "2026-03-31", "due_before": "2026-04-06"}) == [other]
    assert ids({"overdue": "true"}) == []
    assert ids({"overdue": "false"}) == [cochairs, other, mine]

    # 1 April in Chicago (05:00 UTC): the two commitments due in March are past their date.
    time_machine.move_to("2026-04-01T05:00:00Z")
    client = login(plan.agenda.personas.staff)  # the session of a month ago has expired
    assert ids({"overdue": "true"}) == [cochairs, other]
    commitment_change(commitment=plan.cochair_commitment, channel="web", status="done")
    assert ids({"overdue": "true"}) == [other]
    listed = send(client, "GET", "commitments/", {"person": plan.agenda.person.pk})
    assert listed.json()["results"][0]["overdue"] is True

    for params, fields in [
        ({"overdue": "yes"}, {"overdue": ["Use true or false."]}),
        ({"status": "late"}, {"status": ["Use one of: open, done, need_help, blocked, dropped."]}),
        ({"person": "pat"}, {"person": ["Give the id as a whole number."]}),
        ({"due_before": "April"}, {"due_before": ["Give a date as YYYY-MM-DD."]}),
    ]:
        response = send(client, "GET", "commitments/", params)
        assert (response.status_code, response.json()) == (400, invalid(fields))


def test_a_cochair_records_a_commitment_made_at_their_meeting(plan: Plan, login: Login) -> None:
    agenda = plan.agenda
    client = login(agenda.personas.cochair)

    response = send(
        client,
        "POST",
        "commitments/",
        {
            "meeting": plan.meeting.pk,
            "person": agenda.person.pk,
            "what": " Bring the library card forms ",
            "due_date": "2026-03-10",
            "key_action": plan.key_action.pk,
        },
    )

    assert response.status_code == 201
    created = Commitment.objects.get(what="Bring the library card forms")
    assert response.json() == commitment_json(
        plan,
        id=created.pk,
        person=agenda.person.pk,
        person_name="Ana Ruiz",
        what="Bring the library card forms",
        due_date="2026-03-10",
        why="",
    )
    history = send(client, "GET", f"commitments/{created.pk}/history/")
    assert history.json() == page(
        [
            {
                **CREATED,
                "id": created.changes.get().pk,
                "channel": "api",
                "by": "cochair@lakeshore.example.org",
                "new_due_date": "2026-03-10",
            }
        ]
    )


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"due_date": "2026-03-09"}, {"due_date": ["The date is before the meeting."]}),
        ({"what": "  "}, {"what": ["This field may not be blank."]}),
        ({"person": None}, {"person": ["This field may not be null."]}),
    ],
)
def test_a_commitment_refused_writes_nothing(
    changes: dict[str, Any], fields: dict[str, list[str]], plan: Plan, login: Login
) -> None:
    client = login(plan.agenda.personas.staff)
    before = snapshot()
    body = {
        "meeting": plan.meeting.pk,
        "person": plan.agenda.person.pk,
        "what": "Bring the forms",
        "due_date": "2026-03-31",
        **changes,
    }

    response = send(client, "POST", "commitments/", body)

    assert (response.status_code, response.json()) == (400, invalid(fields))
    assert snapshot() == before


def test_a_person_of_another_organization_is_refused_with_400(plan: Plan, login: Login) -> None:
    foreign: Any = PersonFactory(organization=plan.agenda.personas.other_org)
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "commitments/",
        {
            "meeting": plan.meeting.pk,
            "person": foreign.pk,
            "what": "Bring the forms",
            "due_date": "2026-03-31",
        },
    )

    assert (response.status_code, response.json()) == (
        400,
        invalid({"person": [f'Invalid pk "{foreign.pk}" - object does not exist.']}),
    )
    assert snapshot() == before


def test_a_partner_marks_their_own_commitment_and_the_history_says_so(
    plan: Plan, login: Login
) -> None:
    client = login(plan.agenda.personas.partner)
    path = f"commitments/{plan.partner_commitment.pk}/"

    response = send(
        client, "PATCH", path, {"status": "done", "progress_note": "Three said yes!", "version": 1}
    )
    history = send(client, "GET", f"{path}history/")

    assert response.status_code == 200
    assert response.json() == commitment_json(
        plan, status="done", progress_note="Three said yes!", completed_at=STAMP, version=2
    )
    first, change = plan.partner_commitment.changes.order_by("id")
    assert history.json() == page(
        [
            {**CREATED, "id": first.pk},
            {
                "id": change.pk,
                "at": STAMP,
                "channel": "api",
                "by": "partner@lakeshore.example.org",
                "old_status": "open",
                "new_status": "done",
                "old_due_date": None,
                "new_due_date": None,
                "note": "Three said yes!",
            },
        ]
    )


def test_a_cochair_moves_the_date_and_the_history_keeps_both_dates(
    plan: Plan, login: Login
) -> None:
    client = login(plan.agenda.personas.cochair)
    path = f"commitments/{plan.partner_commitment.pk}/"

    response = send(client, "PATCH", path, {"due_date": "2026-04-21"})
    history = send(client, "GET", f"{path}history/")

    assert response.json() == commitment_json(plan, due_date="2026-04-21", version=2)
    assert history.json()["results"][1] == {
        "id": plan.partner_commitment.changes.order_by("id").last().pk,  # type: ignore[union-attr]
        "at": STAMP,
        "channel": "api",
        "by": "cochair@lakeshore.example.org",
        "old_status": None,
        "new_status": None,
        "old_due_date": "2026-04-07",
        "new_due_date": "2026-04-21",
        "note": "",
    }


def test_the_history_names_a_person_who_answered_by_email(plan: Plan, login: Login) -> None:
    commitment_change(
        commitment=plan.partner_commitment,
        channel="email_reply",
        by_person=plan.agenda.partner_person,
        status="need_help",
        note="Could someone call the principals with me?",
    )

    history = send(
        login(plan.agenda.personas.steering),
        "GET",
        f"commitments/{plan.partner_commitment.pk}/history/",
    )

    assert history.json()["results"][1]["by"] == "Pat Okafor"
    assert history.json()["results"][1]["channel"] == "email_reply"


def test_dropping_needs_a_progress_note(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.partner)
    path = f"commitments/{plan.partner_commitment.pk}/"
    before = snapshot()

    refused = send(client, "PATCH", path, {"status": "dropped"})
    assert snapshot() == before
    dropped = send(
        client, "PATCH", path, {"status": "dropped", "progress_note": "The schools said no."}
    )

    assert (refused.status_code, refused.json()) == (
        400,
        invalid({"progress_note": ["Say why the commitment is dropped."]}),
    )
    assert dropped.json()["status"] == "dropped"


def test_a_partner_may_not_move_the_date_even_with_a_status(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.partner)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"commitments/{plan.partner_commitment.pk}/",
        {"status": "done", "due_date": "2026-05-01"},
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "You may change the status and progress note of your own commitment; ask a co-chair or "
        "the backbone staff to move its date."
    )
    assert snapshot() == before


def test_a_change_from_an_old_version_is_refused_with_the_current_commitment(
    plan: Plan, login: Login
) -> None:
    commitment_change(
        commitment=plan.partner_commitment,
        channel="web",
        status="need_help",
        note="Stuck on one school.",
    )
    client = login(plan.agenda.personas.partner)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"commitments/{plan.partner_commitment.pk}/",
        {"status": "done", "version": 1},
    )

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "This commitment changed since you opened it; its current state is shown.",
            "fields": {},
            "current": commitment_json(
                plan, status="need_help", progress_note="Stuck on one school.", version=2
            ),
        }
    }
    assert snapshot() == before


def test_a_bad_status_is_refused(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(
        client, "PATCH", f"commitments/{plan.partner_commitment.pk}/", {"status": "late"}
    )

    assert (response.status_code, response.json()) == (
        400,
        invalid({"status": ['"late" is not a valid choice.']}),
    )
    assert snapshot() == before


def test_commitments_cannot_be_replaced_or_deleted(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    put = send(client, "PUT", f"commitments/{plan.partner_commitment.pk}/", {"status": "done"})
    delete = send(client, "DELETE", f"commitments/{plan.partner_commitment.pk}/")

    assert [put.status_code, delete.status_code] == [405, 405]
    assert snapshot() == before
