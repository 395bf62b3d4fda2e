"""Tables and seats in the API: partners see only the tables they sit at; staff change any
table; a chair or co-chair changes their own table's purpose and seats, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from backbone.models import User
from backbone.roles import Role
from initiatives.models import Seat, Table
from initiatives.services import initiative_create, person_remove, result_create, seat_add
from initiatives.services import strategy_create as make_strategy
from initiatives.tests.factories import InitiativeFactory, PersonFactory
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOT_FOUND,
    NOW,
    STAMP,
    Agenda,
    agenda_fixture,
    frozen_fixture,
    page,
    send,
)
from tests.snapshot import snapshot

Login = Callable[[User], Client]
# A day after the fixtures were made: a change then moves updated_at, never created_at.
LATER = NOW + timedelta(days=1)
LATER_STAMP = "2026-03-03T15:00:00Z"
TABLE_REFUSAL = {
    "error": {
        "code": "permission_denied",
        "message": "Only backbone staff and this table's chair or co-chairs may change it.",
        "fields": {},
    }
}


def invalid(fields: dict[str, list[str]], message: str = "The request has invalid fields.") -> Any:
    return {"error": {"code": "invalid", "message": message, "fields": fields}}


def table_json(table: Table, **changes: Any) -> dict[str, Any]:
    return {
        "id": table.pk,
        "initiative": table.initiative_id,
        "kind": table.kind,
        "name": table.name,
        "purpose": table.purpose,
        "strategies": sorted(table.strategies.values_list("pk", flat=True)),
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


def seat_json(seat: Seat, **changes: Any) -> dict[str, Any]:
    return {
        "id": seat.pk,
        "table": seat.table_id,
        "person": seat.person_id,
        "person_name": seat.person.full_name,
        "role": seat.role,
        "joined_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


# --- Reading tables -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.STEERING, Role.COCHAIR])
def test_roles_with_view_all_tables_list_every_table(
    role: Role, agenda: Agenda, login: Login
) -> None:
    response = send(login(agenda.personas.by_role(role)), "GET", "tables/")

    assert response.status_code == 200
    assert response.json() == page(
        [
            table_json(agenda.steering),
            table_json(agenda.other_workgroup),
            table_json(agenda.workgroup),
        ]
    )


def test_tables_filters(agenda: Agenda, login: Login) -> None:
    other = initiative_create(organization=agenda.personas.org, name="Other", north_star="X.")
    client = login(agenda.personas.staff)

    workgroups = send(client, "GET", "tables/", {"kind": "workgroup"})
    steering = send(client, "GET", "tables/", {"kind": "steering"})
    of_other = send(client, "GET", "tables/", {"initiative": other.pk})
    wrong = send(client, "GET", "tables/", {"kind": "board"})

    assert [t["name"] for t in workgroups.json()["results"]] == ["Attendance", "Early literacy"]
    assert [t["id"] for t in steering.json()["results"]] == [
        agenda.steering.pk,
        other.tables.get().pk,
    ]
    assert of_other.json() == page([table_json(other.tables.get())])
    assert wrong.status_code == 400
    assert wrong.json() == invalid({"kind": ["Use one of: steering, workgroup."]})


def test_a_partner_sees_only_the_tables_they_sit_at(agenda: Agenda, login: Login) -> None:
    elsewhere = seat_add(table=agenda.other_workgroup, person=agenda.cochair_person)
    client = login(agenda.personas.partner)

    tables = send(client, "GET", "tables/")
    own = send(client, "GET", f"tables/{agenda.workgroup.pk}/")
    other = send(client, "GET", f"tables/{agenda.other_workgroup.pk}/")
    steering = send(client, "GET", f"tables/{agenda.steering.pk}/")
    seats = send(client, "GET", "seats/")
    other_seat = send(client, "GET", f"seats/{elsewhere.pk}/")

    assert tables.json() == page([table_json(agenda.workgroup)])
    assert own.json() == table_json(agenda.workgroup)
    assert (other.status_code, other.json()) == (404, NOT_FOUND)
    assert (steering.status_code, steering.json()) == (404, NOT_FOUND)
    assert seats.json() == page([seat_json(agenda.cochair_seat), seat_json(agenda.partner_seat)])
    assert (other_seat.status_code, other_seat.json()) == (404, NOT_FOUND)


def test_a_removed_partner_sees_no_table(agenda: Agenda, login: Login) -> None:
    person_remove(person=agenda.partner_person)
    client = login(agenda.personas.partner)

    assert send(client, "GET", "tables/").json() == page([])
    assert send(client, "GET", "seats/").json() == page([])


# --- Changing tables ------------------------------------------------------------------------


def test_staff_create_a_workgroup_whatever_kind_is_sent(agenda: Agenda, login: Login) -> None:
    response = send(
        login(agenda.personas.staff),
        "POST",
        "tables/",
        {
            "initiative": agenda.initiative.pk,
            "kind": "steering",
            "name": "Family engagement",
            "purpose": "Parents as partners.",
            "strategies": [agenda.strategy.pk],
        },
    )

    assert response.status_code == 201
    created = Table.objects.get(name="Family engagement")
    assert response.json() == {
        "id": created.pk,
        "initiative": agenda.initiative.pk,
        "kind": "workgroup",
        "name": "Family engagement",
        "purpose": "Parents as partners.",
        "strategies": [agenda.strategy.pk],
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def test_a_workgroup_carries_only_its_initiatives_strategies(agenda: Agenda, login: Login) -> None:
    other = initiative_create(organization=agenda.personas.org, name="Other", north_star="X.")
    foreign = make_strategy(result=result_create(initiative=other, statement="R"), title="S")
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(client, "PATCH", f"tables/{agenda.workgroup.pk}/", {"strategies": [foreign.pk]})

    assert response.status_code == 400
    assert response.json() == invalid(
        {}, "A workgroup can carry only strategies of its own initiative."
    )
    assert snapshot() == before


def test_staff_change_a_tables_name_purpose_and_strategies(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)

    with time_machine.travel(LATER, tick=False):
        response = send(
            client,
            "PATCH",
            f"tables/{agenda.other_workgroup.pk}/",
            {
                "name": "Attendance works",
                "purpose": "Every day counts.",
                "strategies": [agenda.strategy.pk],
            },
        )
    deleted = send(client, "DELETE", f"tables/{agenda.other_workgroup.pk}/")

    assert response.status_code == 200
    assert response.json() == table_json(
        agenda.other_workgroup,
        name="Attendance works",
        purpose="Every day counts.",
        strategies=[agenda.strategy.pk],
        updated_at=LATER_STAMP,
    )
    assert deleted.status_code == 405
    assert Table.objects.count() == 3


def test_a_cochair_changes_their_workgroups_purpose_only(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.cochair)
    path = f"tables/{agenda.workgroup.pk}/"
    before = snapshot()

    renamed = send(client, "PATCH", path, {"name": "Ours", "purpose": "Ours"})
    elsewhere = send(client, "PATCH", f"tables/{agenda.other_workgroup.pk}/", {"purpose": "Mine"})
    assert snapshot() == before
    with time_machine.travel(LATER, tick=False):
        purpose = send(client, "PATCH", path, {"purpose": "Books in every home, in two languages."})

    assert renamed.status_code == 403
    assert renamed.json() == {
        "error": {
            "code": "permission_denied",
            "message": "A chair or co-chair may change the purpose only; staff change the rest.",
            "fields": {},
        }
    }
    assert (elsewhere.status_code, elsewhere.json()) == (403, TABLE_REFUSAL)
    assert purpose.status_code == 200
    assert purpose.json() == table_json(
        agenda.workgroup,
        purpose="Books in every home, in two languages.",
        updated_at=LATER_STAMP,
    )


@pytest.mark.parametrize("role", [Role.STEERING, Role.PARTNER])
def test_members_who_lead_no_table_cannot_change_it(
    role: Role, agenda: Agenda, login: Login
) -> None:
    client = login(agenda.personas.by_role(role))
    before = snapshot()

    response = send(client, "PATCH", f"tables/{agenda.workgroup.pk}/", {"purpose": "Changed"})

    assert (response.status_code, response.json()) == (403, TABLE_REFUSAL)
    assert snapshot() == before


# --- Seats ----------------------------------------------------------------------------------


def test_seats_list_and_filters(agenda: Agenda, login: Login) -> None:
    elsewhere = seat_add(table=agenda.other_workgroup, person=agenda.partner_person)
    client = login(agenda.personas.steering)

    everything = send(client, "GET", "seats/")
    at_table = send(client, "GET", "seats/", {"table": agenda.other_workgroup.pk})
    of_person = send(client, "GET", "seats/", {"person": agenda.partner_person.pk})

    assert everything.json() == page(
        [seat_json(agenda.cochair_seat), seat_json(agenda.partner_seat), seat_json(elsewhere)]
    )
    assert at_table.json() == page([seat_json(elsewhere)])
    assert of_person.json() == page([seat_json(agenda.partner_seat), seat_json(elsewhere)])


def test_the_steering_committee_and_the_workgroups_leads_through_seat_filters(
    agenda: Agenda, login: Login
) -> None:
    chair = seat_add(table=agenda.steering, person=agenda.person, role="chair")
    elsewhere = seat_add(table=agenda.other_workgroup, person=agenda.partner_person)
    other_initiative: Any = InitiativeFactory(organization=agenda.personas.org)
    client = login(agenda.personas.steering)

    def seats(params: dict[str, Any]) -> list[int]:
        response = send(client, "GET", "seats/", params)
        assert response.status_code == 200, response.content
        return [s["id"] for s in response.json()["results"]]

    assert seats({"table_kind": "steering"}) == [chair.pk]
    assert seats({"table_kind": "workgroup"}) == [
        agenda.cochair_seat.pk,
        agenda.partner_seat.pk,
        elsewhere.pk,
    ]
    assert seats({"role": "co_chair", "table_kind": "workgroup"}) == [agenda.cochair_seat.pk]
    assert seats({"role": "member", "table": agenda.workgroup.pk}) == [agenda.partner_seat.pk]
    assert seats({"initiative": agenda.initiative.pk, "role": "chair"}) == [chair.pk]
    assert seats({"initiative": other_initiative.pk}) == []
    bad = send(client, "GET", "seats/", {"role": "leader"})
    assert (bad.status_code, bad.json()["error"]["fields"]) == (
        400,
        {"role": ["Use one of: chair, co_chair, member."]},
    )


def test_staff_seat_change_and_unseat(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)

    created = send(
        client,
        "POST",
        "seats/",
        {"table": agenda.steering.pk, "person": agenda.person.pk, "role": "chair"},
    )
    pk = created.json()["id"]
    with time_machine.travel(LATER, tick=False):
        changed = send(client, "PATCH", f"seats/{pk}/", {"role": "member", "table": 1})
    removed = send(client, "DELETE", f"seats/{pk}/")

    expected = {
        "id": pk,
        "table": agenda.steering.pk,
        "person": agenda.person.pk,
        "person_name": "Ana Ruiz",
        "role": "chair",
        "joined_at": STAMP,
        "updated_at": STAMP,
    }
    assert (created.status_code, created.json()) == (201, expected)
    assert changed.json() == expected | {"role": "member", "updated_at": LATER_STAMP}
    assert removed.status_code == 204
    assert Seat.objects.filter(pk=pk).exists() is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"role": "co_chair"}, "The steering committee has a chair, not co-chairs."),
        ({"person": "partner"}, "Pat Okafor already sits at Steering committee."),
        ({"person": "removed"}, "Zoe Former was removed; restore them first."),
    ],
    ids=["co-chair-of-steering", "already-seated", "removed-person"],
)
def test_seat_refusals_say_why(
    body: dict[str, str], message: str, agenda: Agenda, login: Login
) -> None:
    seat_add(table=agenda.steering, person=agenda.partner_person)
    removed: Any = PersonFactory(organization=agenda.personas.org, full_name="Zoe Former")
    person_remove(person=removed)
    people = {"partner": agenda.partner_person.pk, "removed": removed.pk}
    data: dict[str, Any] = {"table": agenda.steering.pk, "person": agenda.person.pk}
    data |= {k: people.get(v, v) if k == "person" else v for k, v in body.items()}
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", "seats/", data)

    assert (response.status_code, response.json()) == (400, invalid({}, message))
    assert snapshot() == before


def test_a_cochair_manages_their_own_workgroups_seats(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.cochair)

    added = send(
        client,
        "POST",
        "seats/",
        {"table": agenda.workgroup.pk, "person": agenda.person.pk, "role": "co_chair"},
    )
    with time_machine.travel(LATER, tick=False):
        changed = send(client, "PATCH", f"seats/{agenda.partner_seat.pk}/", {"role": "co_chair"})
    removed = send(client, "DELETE", f"seats/{added.json()['id']}/")

    assert added.status_code == 201
    assert changed.json() == seat_json(agenda.partner_seat, role="co_chair", updated_at=LATER_STAMP)
    assert removed.status_code == 204
    assert sorted(agenda.workgroup.seats.values_list("person__full_name", "role")) == [
        ("Carla Chen", "co_chair"),
        ("Pat Okafor", "co_chair"),
    ]


def test_a_cochair_cannot_touch_another_tables_seats(agenda: Agenda, login: Login) -> None:
    elsewhere = seat_add(table=agenda.other_workgroup, person=agenda.partner_person)
    client = login(agenda.personas.cochair)
    before = snapshot()

    responses = [
        send(
            client,
            "POST",
            "seats/",
            {"table": agenda.other_workgroup.pk, "person": agenda.person.pk},
        ),
        send(client, "PATCH", f"seats/{elsewhere.pk}/", {"role": "co_chair"}),
        send(client, "DELETE", f"seats/{elsewhere.pk}/"),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(403, TABLE_REFUSAL)] * 3
    assert snapshot() == before


def test_the_steering_chair_manages_the_steering_committees_seats(
    agenda: Agenda, login: Login
) -> None:
    chair: Any = PersonFactory(
        organization=agenda.personas.org, full_name="Sam Steer", user=agenda.personas.steering
    )
    seat_add(table=agenda.steering, person=chair, role="chair")
    client = login(agenda.personas.steering)

    added = send(
        client, "POST", "seats/", {"table": agenda.steering.pk, "person": agenda.person.pk}
    )
    on_workgroup = send(
        client, "POST", "seats/", {"table": agenda.workgroup.pk, "person": agenda.person.pk}
    )

    assert added.status_code == 201
    assert (on_workgroup.status_code, on_workgroup.json()) == (403, TABLE_REFUSAL)
    assert sorted(agenda.steering.seats.values_list("person__full_name", "role")) == [
        ("Ana Ruiz", "member"),
        ("Sam Steer", "chair"),
    ]


@pytest.mark.parametrize("role", [Role.STEERING, Role.PARTNER])
def test_members_who_lead_no_table_cannot_seat_anyone(
    role: Role, agenda: Agenda, login: Login
) -> None:
    client = login(agenda.personas.by_role(role))
    before = snapshot()

    responses = [
        send(client, "POST", "seats/", {"table": agenda.workgroup.pk, "person": agenda.person.pk}),
        send(client, "PATCH", f"seats/{agenda.partner_seat.pk}/", {"role": "co_chair"}),
        send(client, "DELETE", f"seats/{agenda.partner_seat.pk}/"),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(403, TABLE_REFUSAL)] * 3
    assert snapshot() == before
