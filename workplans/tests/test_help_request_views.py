"""The help requests queue: who sees which requests (staff and steering all; a table's chair or
co-chairs theirs; partners none unless they lead a table), the filters, "I'll take it" and
"Resolve", and that a GET or a refused request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from backbone.models import User
from backbone.roles import Role
from initiatives.models import Seat
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import Channel, HelpRequest
from workplans.tests.factories import CommitmentFactory, MeetingFactory

LIST = "/o/lakeshore/help-requests/"


@dataclass
class Queue:
    """Two initiatives; "Early Learning" (led by the co-chair persona, Keisha) and "Family
    Engagement" of Lakeshore Reads, and "Clinics" of Healthy Lakeshore. One request each on
    Early Learning (need help, newest) and Family Engagement (blocked), one on Clinics, one
    resolved on Early Learning, and one in another organization."""

    reads: Any
    health: Any
    early: Any
    family: Any
    clinics: Any
    early_open: HelpRequest
    family_open: HelpRequest
    clinics_open: HelpRequest
    early_resolved: HelpRequest
    theirs: HelpRequest


def _request(table: Any, what: str, kind: str, text: str, age_days: int, **extra: Any) -> Any:
    person: Any = PersonFactory(organization=table.organization, full_name=f"Asker of {what}")
    commitment: Any = CommitmentFactory(
        meeting=MeetingFactory(table=table), person=person, what=what, status=kind
    )
    return HelpRequest.objects.create(
        organization=table.organization,
        initiative=table.initiative,
        table=table,
        commitment=commitment,
        person=person,
        kind=kind,
        text=text,
        channel=Channel.EMAIL_REPLY,
        created_at=timezone.now() - timedelta(days=age_days),
        **extra,
    )


@pytest.fixture
def queue(personas: Personas) -> Queue:
    org = personas.org
    reads = InitiativeFactory(organization=org, name="Lakeshore Reads")
    health = InitiativeFactory(organization=org, name="Healthy Lakeshore")
    early = TableFactory(initiative=reads, name="Early Learning")
    family = TableFactory(initiative=reads, name="Family Engagement")
    clinics = TableFactory(initiative=health, name="Clinics")
    keisha = PersonFactory(organization=org, full_name="Keisha Brown", user=personas.cochair)
    SeatFactory(table=early, person=keisha, role=Seat.Role.CO_CHAIR)
    SeatFactory(table=family, person=keisha, role=Seat.Role.MEMBER)
    other_table = TableFactory(initiative=InitiativeFactory(organization=personas.other_org))
    return Queue(
        reads=reads,
        health=health,
        early=early,
        family=family,
        clinics=clinics,
        early_open=_request(early, "Book the library", "need_help", "Who has the key?", 1),
        family_open=_request(family, "Print the flyers", "blocked", "Printer is broken", 3),
        clinics_open=_request(clinics, "Call the clinics", "need_help", "", 5),
        early_resolved=_request(
            early,
            "Find volunteers",
            "need_help",
            "Need two more",
            9,
            status=HelpRequest.Status.RESOLVED,
            resolution_note="Dev found two",
        ),
        theirs=_request(other_table, "Theirs", "blocked", "Not yours", 0),
    )


def _ids(response: Any) -> list[int]:
    return [h.pk for h in response.context["page"].object_list]


# --- Who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.STEERING])
def test_staff_and_steering_see_every_open_request_newest_first(
    role: Role, queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    response = login(personas.by_role(role)).get(LIST)

    assert response.status_code == 200
    assert _ids(response) == [queue.early_open.pk, queue.family_open.pk, queue.clinics_open.pk]
    body = response.content.decode()
    assert "Who has the key?" in body
    assert "Printer is broken" in body
    assert "Asker of Book the library" in body
    assert "Early Learning · Lakeshore Reads" in body
    assert "1\xa0day ago" in body
    assert "Not yours" not in body


def test_staff_get_the_buttons_and_steering_only_reads(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    staff_body = login(personas.staff).get(LIST).content.decode()
    steering_body = login(personas.steering).get(LIST).content.decode()

    assert staff_body.count("I’ll take it<") == 3
    assert staff_body.count('name="note"') == 3
    assert "I’ll take it" not in steering_body
    assert 'name="note"' not in steering_body


def test_a_cochair_sees_and_acts_on_the_tables_they_lead_only(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.cochair)

    response = client.get(LIST, {"status": "all"})

    assert _ids(response) == [queue.early_open.pk, queue.early_resolved.pk]
    assert response.content.decode().count("I’ll take it<") == 1


def test_a_cochair_who_leads_no_table_sees_an_empty_queue(
    personas: Personas, login: Callable[[User], Client], queue: Queue
) -> None:
    Seat.objects.filter(person__user=personas.cochair).update(role=Seat.Role.MEMBER)

    response = login(personas.cochair).get(LIST)

    assert response.status_code == 200
    assert _ids(response) == []


def test_a_partner_gets_403_unless_seated_as_a_tables_cochair(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.partner)
    assert client.get(LIST).status_code == 403

    tran = PersonFactory(organization=personas.org, full_name="Tran", user=personas.partner)
    SeatFactory(table=queue.clinics, person=tran, role=Seat.Role.CO_CHAIR)
    response = client.get(LIST)

    assert response.status_code == 200
    assert _ids(response) == [queue.clinics_open.pk]


# --- Filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "resolved"}, ["early_resolved"]),
        ({"status": "all"}, ["early_open", "family_open", "clinics_open", "early_resolved"]),
        ({"initiative": "reads"}, ["early_open", "family_open"]),
        ({"initiative": "health", "status": "all"}, ["clinics_open"]),
        ({"initiative": "999999"}, ["early_open", "family_open", "clinics_open"]),
        ({"mine": "on"}, ["family_open"]),
    ],
)
def test_filters(
    query: dict[str, str],
    expected: list[str],
    queue: Queue,
    personas: Personas,
    login: Callable[[User], Client],
) -> None:
    HelpRequest.objects.filter(pk=queue.family_open.pk).update(assigned_to=personas.staff)
    HelpRequest.objects.filter(pk=queue.clinics_open.pk).update(assigned_to=personas.steering)
    names = {"reads": str(queue.reads.pk), "health": str(queue.health.pk)}
    if "initiative" in query:
        query = {**query, "initiative": names.get(query["initiative"], query["initiative"])}

    response = login(personas.staff).get(LIST, query)

    assert _ids(response) == [getattr(queue, name).pk for name in expected]


def test_an_initiatives_address_shows_its_requests(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.staff)

    response = client.get(f"/o/lakeshore/initiatives/{queue.health.pk}/help-requests/")
    theirs = client.get(f"/o/lakeshore/initiatives/{queue.theirs.initiative_id}/help-requests/")

    assert _ids(response) == [queue.clinics_open.pk]
    assert theirs.status_code == 404


# --- Acting ---------------------------------------------------------------------------------


def test_ill_take_it_assigns_the_request_to_me(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.cochair)

    response = client.post(f"{LIST}{queue.early_open.pk}/assign/", {"next": f"{LIST}?mine=on"})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?mine=on"
    queue.early_open.refresh_from_db()
    assert queue.early_open.assigned_to_id == personas.cochair.pk
    assert queue.early_open.status == HelpRequest.Status.OPEN
    assert _ids(client.get(LIST, {"mine": "on"})) == [queue.early_open.pk]


def test_resolve_with_a_note_over_htmx_answers_the_row(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    response = login(personas.staff).post(
        f"{LIST}{queue.family_open.pk}/resolve/",
        {"note": "Lent them our printer"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="help-{queue.family_open.pk}"')
    assert "Lent them our printer" in body
    assert "Resolved: the request of Asker of Print the flyers." in body
    queue.family_open.refresh_from_db()
    assert (
        queue.family_open.status,
        queue.family_open.resolved_by_id,
        queue.family_open.resolution_note,
    ) == (HelpRequest.Status.RESOLVED, personas.staff.pk, "Lent them our printer")


def test_taking_a_resolved_request_is_refused_on_the_page(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        f"{LIST}{queue.early_resolved.pk}/assign/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert "This help request is already resolved." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "request_name"),
    [
        (Role.STEERING, "early_open"),
        (Role.PARTNER, "early_open"),
        (Role.COCHAIR, "family_open"),  # a member there, not a co-chair
        (Role.COCHAIR, "clinics_open"),
    ],
)
def test_who_may_not_act_gets_403_and_nothing_changes(
    role: Role,
    request_name: str,
    queue: Queue,
    personas: Personas,
    login: Callable[[User], Client],
) -> None:
    target = getattr(queue, request_name)
    client = login(personas.by_role(role))
    before = snapshot()

    responses = [
        client.post(f"{LIST}{target.pk}/assign/"),
        client.post(f"{LIST}{target.pk}/resolve/", {"note": "done"}),
    ]

    assert [r.status_code for r in responses] == [403, 403]
    assert snapshot() == before
    assert mail.outbox == []


def test_another_organizations_request_is_not_found_and_unchanged(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.staff)
    before = snapshot()

    responses = [
        client.post(f"{LIST}{queue.theirs.pk}/assign/"),
        client.post(f"{LIST}{queue.theirs.pk}/resolve/", {"note": "mine now"}),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    assert snapshot() == before


def test_looking_changes_nothing(
    queue: Queue, personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.staff)
    before = snapshot()

    statuses = [
        client.get(LIST).status_code,
        client.get(LIST, {"status": "all", "mine": "on"}).status_code,
        client.get(f"{LIST}{queue.early_open.pk}/assign/").status_code,
        client.get(f"{LIST}{queue.early_open.pk}/resolve/").status_code,
    ]

    assert statuses == [200, 200, 405, 405]
    assert snapshot() == before


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "extra"), [(Role.STAFF, 0), (Role.STAFF, 10), (Role.COCHAIR, 10)])
def test_list_costs_the_same_queries_however_many_requests(
    role: Role,
    extra: int,
    queue: Queue,
    personas: Personas,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    for n in range(extra):
        _request(queue.early, f"More {n}", "blocked", "", 2)
    client = login(personas.by_role(role))
    client.get(LIST)

    # Session, user, membership; the initiatives of the filter; the page count and rows; the
    # organization switcher's memberships.
    with django_assert_num_queries(7):
        response = client.get(LIST)

    assert response.status_code == 200
