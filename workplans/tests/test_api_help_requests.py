"""Help requests in the API: the exact answer, who sees which (as on the queue page: staff and
steering all, a table's chair or co-chairs theirs, partners none unless they lead a table),
filters and ordering, "I'll take it" and resolving through the page's services, and a list
whose query count does not grow with its rows. What each role may do per endpoint, tokens and
outsiders: test_api_common.CASES."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from backbone.models import User
from initiatives.models import Seat
from initiatives.services import seat_add
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOW,
    STAMP,
    agenda_fixture,
    frozen_fixture,
    page,
    send,
    url,
)
from tests.snapshot import snapshot
from workplans.models import Channel, Commitment, HelpRequest
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    HELP_REFUSAL,
    Plan,
    help_request_on,
    invalid,
    plan_fixture,
)

Login = Callable[[User], Client]


@dataclass
class Asks:
    """On the workgroup the co-chair persona co-chairs: the partner's open request (need help,
    a day old) and the co-chair's resolved one (a week old); on the other workgroup, Ana's
    blocked request (three days old)."""

    plan: Plan
    partner: HelpRequest
    resolved: HelpRequest
    other: HelpRequest


@pytest.fixture(name="asks")
def asks_fixture(plan: Plan) -> Asks:
    staff = plan.agenda.personas.staff
    return Asks(
        plan=plan,
        partner=help_request_on(
            plan.partner_commitment,
            text="Two principals said no.",
            created_at=NOW - timedelta(days=1),
        ),
        resolved=help_request_on(
            plan.cochair_commitment,
            channel=Channel.EMAIL_LINK,
            created_at=NOW - timedelta(days=7),
            status=HelpRequest.Status.RESOLVED,
            resolved_at=NOW - timedelta(days=6),
            resolved_by=staff,
            assigned_to=staff,
            resolution_note="Dev drafted it with her.",
        ),
        other=help_request_on(
            plan.other_commitment,
            kind=HelpRequest.Kind.BLOCKED,
            text="The district has not answered.",
            created_at=NOW - timedelta(days=3),
        ),
    )


def partner_json(asks: Asks, **changes: Any) -> dict[str, Any]:
    plan = asks.plan
    return {
        "id": asks.partner.pk,
        "initiative": plan.agenda.initiative.pk,
        "table": plan.agenda.workgroup.pk,
        "commitment": plan.partner_commitment.pk,
        "commitment_what": "Ask three principals to host a site",
        "person": plan.agenda.partner_person.pk,
        "person_name": "Pat Okafor",
        "kind": "need_help",
        "text": "Two principals said no.",
        "channel": "email_reply",
        "status": "open",
        "assigned_to": None,
        "resolved_at": None,
        "resolved_by": None,
        "resolution_note": "",
        "created_at": "2026-03-01T15:00:00Z",
        "updated_at": STAMP,
        **changes,
    }


def ids(client: Client, params: dict[str, Any] | None = None) -> list[int]:
    response = send(client, "GET", "help-requests/", params or {})
    assert response.status_code == 200, response.content
    return [h["id"] for h in response.json()["results"]]


# --- Reading --------------------------------------------------------------------------------


def test_a_help_request_answers_exactly(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.steering)

    response = send(client, "GET", f"help-requests/{asks.partner.pk}/")

    assert response.status_code == 200
    assert response.json() == partner_json(asks)


def test_a_resolved_request_says_by_whom_and_how(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.staff)

    response = send(client, "GET", f"help-requests/{asks.resolved.pk}/")

    assert response.json() == {
        **partner_json(asks),
        "id": asks.resolved.pk,
        "commitment": asks.plan.cochair_commitment.pk,
        "commitment_what": "Draft the volunteer sign-up",
        "person": asks.plan.agenda.cochair_person.pk,
        "person_name": "Carla Chen",
        "text": "",
        "channel": "email_link",
        "status": "resolved",
        "assigned_to": "staff@lakeshore.example.org",
        "resolved_at": "2026-02-24T15:00:00Z",
        "resolved_by": "staff@lakeshore.example.org",
        "resolution_note": "Dev drafted it with her.",
        "created_at": "2026-02-23T15:00:00Z",
    }


@pytest.mark.parametrize("role", ["staff", "steering"])
def test_staff_and_steering_read_every_request_open_first_newest_first(
    role: str, asks: Asks, login: Login
) -> None:
    client = login(asks.plan.agenda.personas.by_role(role))

    response = send(client, "GET", "help-requests/")

    assert response.status_code == 200
    body = response.json()
    assert [h["id"] for h in body["results"]] == [asks.partner.pk, asks.other.pk, asks.resolved.pk]
    assert body["results"][0] == partner_json(asks)


def test_a_cochair_reads_the_requests_of_the_tables_they_lead_only(
    asks: Asks, login: Login
) -> None:
    client = login(asks.plan.agenda.personas.cochair)

    assert ids(client) == [asks.partner.pk, asks.resolved.pk]
    other = send(client, "GET", f"help-requests/{asks.other.pk}/")
    assert other.status_code == 404


def test_a_cochair_who_leads_no_table_reads_an_empty_queue(asks: Asks, login: Login) -> None:
    Seat.objects.filter(person=asks.plan.agenda.cochair_person).update(role=Seat.Role.MEMBER)

    assert ids(login(asks.plan.agenda.personas.cochair)) == []


def test_a_partner_is_refused_unless_seated_as_a_tables_co_chair(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.partner)
    refused = send(client, "GET", "help-requests/")
    assert (refused.status_code, refused.json()) == (403, HELP_REFUSAL)

    seat_add(
        table=asks.plan.agenda.other_workgroup,
        person=asks.plan.agenda.partner_person,
        role=Seat.Role.CO_CHAIR,
    )

    # Co-chairing the other workgroup, not leading the one they sit at: that one's requests.
    assert ids(client) == [asks.other.pk]


def test_filters(asks: Asks, login: Login) -> None:
    plan = asks.plan
    client = login(plan.agenda.personas.staff)
    everyone = [asks.partner.pk, asks.other.pk, asks.resolved.pk]

    assert ids(client, {"status": "open"}) == [asks.partner.pk, asks.other.pk]
    assert ids(client, {"status": "resolved"}) == [asks.resolved.pk]
    assert ids(client, {"kind": "blocked"}) == [asks.other.pk]
    assert ids(client, {"table": plan.agenda.other_workgroup.pk}) == [asks.other.pk]
    assert ids(client, {"table": plan.agenda.workgroup.pk}) == [asks.partner.pk, asks.resolved.pk]
    assert ids(client, {"initiative": plan.agenda.initiative.pk}) == everyone
    assert ids(client, {"initiative": plan.agenda.initiative.pk + 1000}) == []
    assert ids(client, {"person": plan.agenda.partner_person.pk}) == [asks.partner.pk]
    assert ids(client, {"commitment": plan.other_commitment.pk}) == [asks.other.pk]
    assert ids(client, {"mine": "true"}) == [asks.resolved.pk]
    assert ids(client, {"mine": "false"}) == everyone
    assert ids(login(plan.agenda.personas.steering), {"mine": "true"}) == []
    for params, error in [
        ({"status": "closed"}, {"status": ["Use one of: open, resolved."]}),
        ({"kind": "urgent"}, {"kind": ["Use one of: need_help, blocked."]}),
        ({"table": "early"}, {"table": ["Give the id as a whole number."]}),
        ({"mine": "yes"}, {"mine": ["Use true or false."]}),
    ]:
        response = send(client, "GET", "help-requests/", params)
        assert (response.status_code, response.json()) == (400, invalid(error)), params


def test_ordering_by_created_and_updated_and_changes_since(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.staff)
    # Changed last: the resolved one, then the other table's; the partner's never since made.
    HelpRequest.objects.filter(pk=asks.resolved.pk).update(updated_at=NOW + timedelta(hours=2))
    HelpRequest.objects.filter(pk=asks.other.pk).update(updated_at=NOW + timedelta(hours=1))

    assert ids(client, {"ordering": "created_at"}) == [
        asks.resolved.pk,
        asks.other.pk,
        asks.partner.pk,
    ]
    assert ids(client, {"ordering": "-created_at"}) == [
        asks.partner.pk,
        asks.other.pk,
        asks.resolved.pk,
    ]
    assert ids(client, {"ordering": "-updated_at"}) == [
        asks.resolved.pk,
        asks.other.pk,
        asks.partner.pk,
    ]
    assert ids(client, {"ordering": "updated_at"}) == [
        asks.partner.pk,
        asks.other.pk,
        asks.resolved.pk,
    ]
    # An incremental sync: what changed since the last one started, inclusive.
    assert ids(client, {"updated_since": "2026-03-02T16:00:00Z", "ordering": "updated_at"}) == [
        asks.other.pk,
        asks.resolved.pk,
    ]
    bad = send(client, "GET", "help-requests/", {"ordering": "status"})
    assert (bad.status_code, bad.json()) == (
        400,
        invalid(
            {
                "ordering": [
                    "Use one of: created_at, -created_at, updated_at, -updated_at.",
                ]
            }
        ),
    )


def test_requests_of_the_same_moment_are_ordered_by_id(asks: Asks, login: Login) -> None:
    twin = help_request_on(asks.plan.partner_commitment, created_at=asks.partner.created_at)
    client = login(asks.plan.agenda.personas.staff)

    ascending = ids(client, {"ordering": "created_at"})
    descending = ids(client, {"ordering": "-created_at"})

    assert ascending[-2:] == [asks.partner.pk, twin.pk]
    assert descending[:2] == [twin.pk, asks.partner.pk]


# --- Acting on a request --------------------------------------------------------------------


def test_a_cochair_takes_a_request_on(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.cochair)

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = send(client, "POST", f"help-requests/{asks.partner.pk}/assign/")

    assert response.status_code == 200
    assert response.json() == partner_json(
        asks, assigned_to="cochair@lakeshore.example.org", updated_at="2026-03-02T15:05:00Z"
    )
    asks.partner.refresh_from_db()
    assert asks.partner.assigned_to == asks.plan.agenda.personas.cochair
    assert asks.partner.status == HelpRequest.Status.OPEN


def test_a_resolved_request_cannot_be_taken_on(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.cochair)
    before = snapshot()

    response = send(client, "POST", f"help-requests/{asks.resolved.pk}/assign/")

    assert (response.status_code, response.json()) == (
        400,
        invalid({}, "This help request is already resolved."),
    )
    assert snapshot() == before


def test_staff_resolve_a_request_and_the_commitment_keeps_its_status(
    asks: Asks, login: Login
) -> None:
    Commitment.objects.filter(pk=asks.plan.other_commitment.pk).update(status="blocked")
    client = login(asks.plan.agenda.personas.staff)

    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        response = send(
            client, "POST", f"help-requests/{asks.other.pk}/resolve/", {"note": "  Called them. "}
        )

    assert response.status_code == 200
    assert response.json() == {
        **partner_json(asks),
        "id": asks.other.pk,
        "table": asks.plan.agenda.other_workgroup.pk,
        "commitment": asks.plan.other_commitment.pk,
        "commitment_what": "Send the attendance letters",
        "person": asks.plan.agenda.person.pk,
        "person_name": "Ana Ruiz",
        "kind": "blocked",
        "text": "The district has not answered.",
        "status": "resolved",
        "assigned_to": "staff@lakeshore.example.org",
        "resolved_at": "2026-03-02T15:30:00Z",
        "resolved_by": "staff@lakeshore.example.org",
        "resolution_note": "Called them.",
        "created_at": "2026-02-27T15:00:00Z",
        "updated_at": "2026-03-02T15:30:00Z",
    }
    assert Commitment.objects.get(pk=asks.plan.other_commitment.pk).status == "blocked"


def test_resolving_without_a_note_and_again_changes_nothing_more(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.cochair)
    first = send(client, "POST", f"help-requests/{asks.partner.pk}/resolve/")
    assert first.status_code == 200
    assert first.json()["resolution_note"] == ""
    before = snapshot()

    again = send(client, "POST", f"help-requests/{asks.partner.pk}/resolve/", {"note": "Late"})

    assert (again.status_code, again.json()) == (200, first.json())
    assert snapshot() == before


def test_a_note_longer_than_the_page_allows_is_refused(asks: Asks, login: Login) -> None:
    client = login(asks.plan.agenda.personas.staff)
    before = snapshot()

    response = send(
        client, "POST", f"help-requests/{asks.partner.pk}/resolve/", {"note": "x" * 2001}
    )

    assert (response.status_code, response.json()) == (
        400,
        invalid({"note": ["Ensure this field has no more than 2000 characters."]}),
    )
    assert snapshot() == before


# --- Query count ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "queries"), [("staff", 5), ("cochair", 5)])
def test_the_list_takes_the_same_queries_for_3_and_30_requests(
    role: str, queries: int, asks: Asks, login: Login, django_assert_num_queries: Any
) -> None:
    client = login(asks.plan.agenda.personas.by_role(role))
    counts = []
    for n in (0, 27):
        for i in range(n):
            help_request_on(
                asks.plan.partner_commitment,
                created_at=timezone.now() - timedelta(minutes=i),
                assigned_to=asks.plan.agenda.personas.staff,
            )
        # session, user, membership, count, rows (with commitment, person and both logins)
        with django_assert_num_queries(queries):
            response = client.get(url("help-requests/"), {"page_size": 100})
        assert response.status_code == 200
        counts.append(response.json()["count"])
    assert counts[1] - counts[0] == 27
    assert counts[0] == (3 if role == "staff" else 2)


def test_a_partner_seated_as_co_chair_lists_in_a_fixed_number_of_queries(
    asks: Asks, login: Login, django_assert_num_queries: Any
) -> None:
    seat_add(
        table=asks.plan.agenda.other_workgroup,
        person=asks.plan.agenda.partner_person,
        role=Seat.Role.CO_CHAIR,
    )
    client = login(asks.plan.agenda.personas.partner)
    for n in (0, 27):
        for _ in range(n):
            help_request_on(asks.plan.other_commitment)
        # session, user, membership, the seat check, count, rows
        with django_assert_num_queries(6):
            response = client.get(url("help-requests/"), {"page_size": 100})
        assert response.json()["count"] == 1 + n


def test_one_request_answers_in_a_fixed_number_of_queries(
    asks: Asks, login: Login, django_assert_num_queries: Any
) -> None:
    client = login(asks.plan.agenda.personas.steering)
    with django_assert_num_queries(4):
        assert client.get(url(f"help-requests/{asks.resolved.pk}/")).status_code == 200


def test_a_filtered_list_answers_exactly(asks: Asks, login: Login) -> None:
    response = send(
        login(asks.plan.agenda.personas.staff), "GET", "help-requests/", {"kind": "blocked"}
    )

    assert response.json() == page(
        [
            {
                **partner_json(asks),
                "id": asks.other.pk,
                "table": asks.plan.agenda.other_workgroup.pk,
                "commitment": asks.plan.other_commitment.pk,
                "commitment_what": "Send the attendance letters",
                "person": asks.plan.agenda.person.pk,
                "person_name": "Ana Ruiz",
                "kind": "blocked",
                "text": "The district has not answered.",
                "created_at": "2026-02-27T15:00:00Z",
            }
        ]
    )
