"""Workplans and key actions in the API: exact answers, renewal, the closed year, filters, and
two people changing the same key action (the second is told, with the current version)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from backbone.models import User
from initiatives.tests.factories import PersonFactory, TableFactory
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    STAMP,
    agenda_fixture,
    frozen_fixture,
    page,
    send,
)
from tests.snapshot import snapshot
from workplans.models import KeyAction, Workplan
from workplans.services import key_action_update, workplan_renew
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    Plan,
    invalid,
    plan_fixture,
)

Login = Callable[[User], Client]


def workplan_json(workplan: Workplan, **changes: Any) -> dict[str, Any]:
    return {
        "id": workplan.pk,
        "initiative": workplan.initiative_id,
        "table": workplan.table_id,
        "year": workplan.year,
        "closed": False,
        "closed_at": None,
        "previous": None,
        "key_action_count": 1,
        "key_actions_done": 0,
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


def key_action_json(plan: Plan, **changes: Any) -> dict[str, Any]:
    action = plan.key_action
    return {
        "id": action.pk,
        "workplan": plan.workplan.pk,
        "initiative": plan.agenda.initiative.pk,
        "table": plan.agenda.workgroup.pk,
        "year": 2026,
        "strategy": plan.agenda.strategy.pk,
        "description": "Open 12 summer reading sites",
        "lead": plan.agenda.person.pk,
        "contributors": [plan.agenda.partner_org.pk],
        "start_date": "2026-03-01",
        "due_date": "2026-06-30",
        "done_when": "Every site has 30 children reading by July.",
        "status": "on_track",
        "percent_complete": 25,
        "overdue": False,
        "carried_from": None,
        "version": 1,
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


# --- Workplans ------------------------------------------------------------------------------


def test_workplans_list_and_retrieve(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.steering)

    listed = send(client, "GET", "workplans/")
    one = send(client, "GET", f"workplans/{plan.workplan.pk}/")

    assert listed.status_code == 200
    # By workgroup name: Attendance, then Early literacy.
    assert listed.json() == page([workplan_json(plan.other_workplan), workplan_json(plan.workplan)])
    assert one.json() == workplan_json(plan.workplan)


def test_workplans_filters(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    workplan_renew(workplan=plan.workplan)

    by_table = send(client, "GET", "workplans/", {"table": plan.agenda.workgroup.pk})
    by_year = send(client, "GET", "workplans/", {"year": 2027})
    by_initiative = send(client, "GET", "workplans/", {"initiative": plan.agenda.initiative.pk})
    bad_year = send(client, "GET", "workplans/", {"year": "next"})
    bad_table = send(client, "GET", "workplans/", {"table": "early"})

    assert [(w["table"], w["year"]) for w in by_table.json()["results"]] == [
        (plan.agenda.workgroup.pk, 2027),
        (plan.agenda.workgroup.pk, 2026),
    ]
    assert [(w["table"], w["year"]) for w in by_year.json()["results"]] == [
        (plan.agenda.workgroup.pk, 2027)
    ]
    assert by_initiative.json()["count"] == 3
    assert (bad_year.status_code, bad_year.json()) == (
        400,
        invalid({"year": ["Give the year as four digits."]}),
    )
    assert (bad_table.status_code, bad_table.json()) == (
        400,
        invalid({"table": ["Give the id as a whole number."]}),
    )


def test_a_cochair_starts_their_workgroups_next_workplan(plan: Plan, login: Login) -> None:
    response = send(
        login(plan.agenda.personas.cochair),
        "POST",
        "workplans/",
        {"table": plan.agenda.workgroup.pk, "year": 2027},
    )

    assert response.status_code == 201
    created = Workplan.objects.get(table=plan.agenda.workgroup, year=2027)
    assert response.json() == workplan_json(created, key_action_count=0)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"table": "steering", "year": 2026}, invalid({}, "Workplans belong to workgroups.")),
        ({"year": 2026}, invalid({}, "Early literacy already has a 2026 workplan.")),
        (
            {"year": 1999},
            invalid({"year": ["Ensure this value is greater than or equal to 2000."]}),
        ),
    ],
)
def test_a_workplan_refused_says_why_and_writes_nothing(
    body: dict[str, Any], expected: Any, plan: Plan, login: Login
) -> None:
    table = plan.agenda.steering if body.get("table") == "steering" else plan.agenda.workgroup
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", "workplans/", {**body, "table": table.pk})

    assert (response.status_code, response.json()) == (400, expected)
    assert snapshot() == before


def test_a_workgroup_of_another_organization_is_an_invalid_table(plan: Plan, login: Login) -> None:
    foreign: Any = TableFactory(initiative__organization=plan.agenda.personas.other_org)
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", "workplans/", {"table": foreign.pk, "year": 2027})

    assert (response.status_code, response.json()) == (
        400,
        invalid({"table": [f'Invalid pk "{foreign.pk}" - object does not exist.']}),
    )
    assert snapshot() == before


def test_renew_carries_unfinished_actions_and_closes_the_year(plan: Plan, login: Login) -> None:
    done = key_action_update(
        key_action=plan.other_key_action, expected_version=1, status=KeyAction.Status.DONE
    )
    client = login(plan.agenda.personas.staff)

    response = send(client, "POST", f"workplans/{plan.workplan.pk}/renew/")
    again = send(client, "POST", f"workplans/{plan.workplan.pk}/renew/")
    other = send(client, "POST", f"workplans/{plan.other_workplan.pk}/renew/")

    new = Workplan.objects.get(table=plan.agenda.workgroup, year=2027)
    assert response.status_code == 201
    assert response.json() == workplan_json(new, previous=plan.workplan.pk)
    carried = new.key_actions.get()
    assert carried.carried_from == plan.key_action
    assert send(client, "GET", f"workplans/{plan.workplan.pk}/").json() == workplan_json(
        plan.workplan, closed=True, closed_at=STAMP
    )
    assert (again.status_code, again.json()) == (
        400,
        invalid({}, "The 2026 workplan is closed; it is kept as it was. Edit 2027 instead."),
    )
    other_new = Workplan.objects.get(table=plan.agenda.other_workgroup, year=2027)
    assert other.json() == workplan_json(
        other_new, previous=plan.other_workplan.pk, key_action_count=0
    )
    assert done.workplan.key_actions.count() == 1


# --- Key actions ----------------------------------------------------------------------------


def test_key_action_retrieve_and_list(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)

    one = send(client, "GET", f"key-actions/{plan.key_action.pk}/")
    listed = send(client, "GET", "key-actions/", {"workplan": plan.workplan.pk})

    assert one.status_code == 200
    assert one.json() == key_action_json(plan)
    assert listed.json() == page([key_action_json(plan)])


def test_key_action_filters(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    other_id = plan.other_key_action.pk

    def ids(params: dict[str, Any]) -> list[int]:
        response = send(client, "GET", "key-actions/", params)
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["results"]]

    assert ids({}) == [plan.key_action.pk, other_id]
    assert ids({"table": plan.agenda.other_workgroup.pk}) == [other_id]
    assert ids({"initiative": plan.agenda.initiative.pk}) == [plan.key_action.pk, other_id]
    assert ids({"status": "not_started"}) == [other_id]
    assert ids({"strategy": plan.agenda.strategy.pk}) == [plan.key_action.pk, other_id]
    assert ids({"lead": plan.agenda.person.pk}) == [plan.key_action.pk]
    assert ids({"due_before": "2026-06-30"}) == [plan.key_action.pk]
    assert ids({"due_before": "2026-06-29"}) == []
    assert ids({"due_after": "2026-06-30"}) == [plan.key_action.pk]
    assert ids({"due_after": "2026-07-01"}) == []
    bad = send(client, "GET", "key-actions/", {"due_before": "30/06/2026", "status": "late"})
    assert (bad.status_code, bad.json()) == (
        400,
        invalid(
            {"status": ["Use one of: not_started, on_track, at_risk, off_track, done, dropped."]}
        ),
    )
    bad_date = send(client, "GET", "key-actions/", {"due_after": "2026-02-30"})
    assert (bad_date.status_code, bad_date.json()) == (
        400,
        invalid({"due_after": ["Give a date as YYYY-MM-DD."]}),
    )


def test_a_cochair_adds_a_key_action(plan: Plan, login: Login) -> None:
    lead: Any = PersonFactory(organization=plan.agenda.personas.org, full_name="Lee Park")

    response = send(
        login(plan.agenda.personas.cochair),
        "POST",
        "key-actions/",
        {
            "workplan": plan.workplan.pk,
            "strategy": plan.agenda.strategy.pk,
            "description": "  Train 40 reading volunteers ",
            "lead": lead.pk,
            "contributors": [plan.agenda.partner_org.pk],
            "due_date": "2026-02-27",
            "status": "at_risk",
            "version": 7,
        },
    )

    assert response.status_code == 201
    created = KeyAction.objects.get(description="Train 40 reading volunteers")
    assert response.json() == {
        **key_action_json(plan),
        "id": created.pk,
        "description": "Train 40 reading volunteers",
        "lead": lead.pk,
        "start_date": None,
        "due_date": "2026-02-27",
        "done_when": "",
        "status": "at_risk",
        "percent_complete": 0,
        "overdue": True,
    }


def test_a_key_action_of_a_closed_year_is_read_only(plan: Plan, login: Login) -> None:
    workplan_renew(workplan=plan.workplan)
    client = login(plan.agenda.personas.staff)
    closed = {
        "error": {
            "code": "invalid",
            "message": "The 2026 workplan is closed; it is kept as it was. Edit 2027 instead.",
            "fields": {},
        }
    }
    before = snapshot()

    changed = send(
        client, "PATCH", f"key-actions/{plan.key_action.pk}/", {"status": "done", "version": 1}
    )
    added = send(
        client,
        "POST",
        "key-actions/",
        {"workplan": plan.workplan.pk, "strategy": plan.agenda.strategy.pk, "description": "X"},
    )
    deleted = send(client, "DELETE", f"key-actions/{plan.key_action.pk}/")

    assert (changed.status_code, changed.json()) == (400, closed)
    assert (added.status_code, added.json()) == (400, closed)
    assert (deleted.status_code, deleted.json()) == (400, closed)
    assert snapshot() == before


def test_changing_a_key_action_needs_its_version(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)
    before = snapshot()

    response = send(client, "PATCH", f"key-actions/{plan.key_action.pk}/", {"status": "done"})

    assert (response.status_code, response.json()) == (
        400,
        invalid({"version": ["Send the version of the key action you are changing."]}),
    )
    assert snapshot() == before


def test_a_change_from_the_current_version_is_saved_and_bumps_it(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)

    response = send(
        client,
        "PATCH",
        f"key-actions/{plan.key_action.pk}/",
        {"status": "done", "contributors": [], "version": 1},
    )

    assert response.status_code == 200
    assert response.json() == key_action_json(
        plan, status="done", percent_complete=100, contributors=[], version=2
    )


def test_the_second_of_two_editors_is_told_and_nothing_is_overwritten(
    plan: Plan, login: Login
) -> None:
    # Someone else saved first, from the same version 1.
    key_action_update(key_action=plan.key_action, expected_version=1, percent_complete=60)
    client = login(plan.agenda.personas.cochair)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"key-actions/{plan.key_action.pk}/",
        {"description": "Open 15 sites", "version": 1},
    )

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "Someone else changed this key action while you were editing it. Their "
            "version is shown; copy your changes over it and save again.",
            "fields": {},
            "current": key_action_json(plan, percent_complete=60, version=2),
        }
    }
    assert snapshot() == before


def test_put_replaces_the_key_action_and_needs_its_required_fields(
    plan: Plan, login: Login
) -> None:
    client = login(plan.agenda.personas.staff)
    path = f"key-actions/{plan.key_action.pk}/"

    missing = send(client, "PUT", path, {"description": "Open 14 sites", "version": 1})
    replaced = send(
        client,
        "PUT",
        path,
        {"strategy": plan.agenda.strategy.pk, "description": "Open 14 sites", "version": 1},
    )

    assert (missing.status_code, missing.json()) == (
        400,
        invalid({"strategy": ["This field is required."]}),
    )
    assert replaced.status_code == 200
    assert replaced.json() == key_action_json(plan, description="Open 14 sites", version=2)


def test_a_key_action_that_commitments_advance_is_not_deleted(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "DELETE", f"key-actions/{plan.key_action.pk}/")

    assert (response.status_code, response.json()) == (
        400,
        invalid({}, "Commitments advance this key action; mark it dropped instead of deleting it."),
    )
    assert snapshot() == before


def test_a_key_action_without_commitments_is_deleted(plan: Plan, login: Login) -> None:
    plan.partner_commitment.delete()

    response = send(
        login(plan.agenda.personas.cochair), "DELETE", f"key-actions/{plan.key_action.pk}/"
    )

    assert response.status_code == 204
    assert not KeyAction.objects.filter(pk=plan.key_action.pk).exists()


def test_a_lead_of_another_organization_is_refused(plan: Plan, login: Login) -> None:
    foreign: Any = PersonFactory(organization=plan.agenda.personas.other_org)
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"key-actions/{plan.key_action.pk}/",
        {"lead": foreign.pk, "version": 1},
    )

    assert (response.status_code, response.json()) == (
        400,
        invalid({"lead": [f'Invalid pk "{foreign.pk}" - object does not exist.']}),
    )
    assert snapshot() == before
