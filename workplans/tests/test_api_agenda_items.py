"""Meeting agenda items in the API: the exact answer, filters, adding, changing, moving and
removing items through the meeting page's services (and their rules: a closed meeting's agenda
stays, the review of commitments stays), and a list whose query count does not grow with its
rows. What each role may do per endpoint, tokens and outsiders: test_api_common.CASES."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from backbone.models import User
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
from workplans.models import AgendaItem, Meeting
from workplans.services import agenda_item_add, meeting_close
from workplans.tests.factories import MeetingFactory
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    Plan,
    invalid,
    plan_fixture,
)
from workplans.tests.test_api_meetings import AGENDA

Login = Callable[[User], Client]
# A day after the fixtures were made: a change then moves updated_at, never created_at.
LATER = NOW + timedelta(days=1)
LATER_STAMP = "2026-03-03T15:00:00Z"


def item_of(meeting: Meeting, kind: str) -> AgendaItem:
    return meeting.agenda_items.get(kind=kind)


def agenda_of(plan: Plan, meeting: Meeting) -> list[dict[str, Any]]:
    """The generated agenda, as the list answers it."""
    items = list(meeting.agenda_items.order_by("position"))
    return [
        {
            "id": item.pk,
            "meeting": meeting.pk,
            "table": meeting.table_id,
            "kind": kind,
            "title": title,
            "notes": "",
            "minutes": minutes,
            "position": i,
            "created_at": STAMP,
            "updated_at": STAMP,
        }
        for i, (item, (kind, title, minutes)) in enumerate(zip(items, AGENDA, strict=True))
    ]


def order_of(meeting: Meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position", "id").values_list("kind", flat=True))


def ids(client: Client, params: dict[str, Any]) -> list[int]:
    response = send(client, "GET", "agenda-items/", params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


# --- Reading --------------------------------------------------------------------------------


def test_an_agenda_item_answers_exactly(plan: Plan, login: Login) -> None:
    wins = item_of(plan.meeting, "wins")

    response = send(login(plan.agenda.personas.steering), "GET", f"agenda-items/{wins.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": wins.pk,
        "meeting": plan.meeting.pk,
        "table": plan.agenda.workgroup.pk,
        "kind": "wins",
        "title": "Celebrate wins",
        "notes": "",
        "minutes": 5,
        "position": 7,
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def test_a_meetings_agenda_in_order(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)

    response = send(client, "GET", "agenda-items/", {"meeting": plan.meeting.pk})

    assert response.status_code == 200
    assert response.json() == page(agenda_of(plan, plan.meeting))


def test_filters(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.staff)
    ours = [i["id"] for i in agenda_of(plan, plan.meeting)]
    theirs = [i["id"] for i in agenda_of(plan, plan.other_meeting)]
    by_meeting = sorted([(plan.meeting.pk, ours), (plan.other_meeting.pk, theirs)])
    everything = [pk for _meeting, items in by_meeting for pk in items]

    assert ids(client, {"page_size": 100}) == everything
    assert ids(client, {"table": plan.agenda.other_workgroup.pk}) == theirs
    assert ids(client, {"initiative": plan.agenda.initiative.pk, "page_size": 100}) == everything
    assert ids(client, {"initiative": plan.agenda.initiative.pk + 1000}) == []
    assert ids(client, {"kind": "wins", "meeting": plan.meeting.pk}) == [ours[-1]]
    bad = send(client, "GET", "agenda-items/", {"kind": "lunch"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["kind"]


# --- Changing -------------------------------------------------------------------------------


def test_a_cochair_adds_an_item_at_the_end(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)

    response = send(
        client,
        "POST",
        "agenda-items/",
        {"meeting": plan.meeting.pk, "title": " Site visits ", "notes": "Who goes where"},
    )

    assert response.status_code == 201
    added = plan.meeting.agenda_items.get(title="Site visits")
    assert response.json() == {
        "id": added.pk,
        "meeting": plan.meeting.pk,
        "table": plan.agenda.workgroup.pk,
        "kind": "other",
        "title": "Site visits",
        "notes": "Who goes where",
        "minutes": None,
        "position": 8,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    detail = send(client, "GET", f"meetings/{plan.meeting.pk}/").json()
    assert [i["title"] for i in detail["agenda"]][-2:] == ["Celebrate wins", "Site visits"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"title": ["This field is required."]}),
        ({"title": "   "}, {"title": ["This field may not be blank."]}),
        ({"title": "Visits", "minutes": 0},
         {"minutes": ["Ensure this value is greater than or equal to 1."]}),
        ({"title": "x" * 201}, {"title": ["Ensure this field has no more than 200 characters."]}),
    ],
)  # fmt: skip
def test_an_item_with_bad_fields_is_refused(
    body: dict[str, Any], fields: dict[str, list[str]], plan: Plan, login: Login
) -> None:
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", "agenda-items/", {"meeting": plan.meeting.pk, **body})

    assert (response.status_code, response.json()) == (400, invalid(fields))
    assert snapshot() == before


def test_an_item_for_another_organizations_meeting_is_refused(plan: Plan, login: Login) -> None:
    theirs: Any = MeetingFactory(table__initiative__organization=plan.agenda.personas.other_org)
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", "agenda-items/", {"meeting": theirs.pk, "title": "Visits"})

    assert (response.status_code, response.json()) == (
        400,
        invalid({"meeting": [f'Invalid pk "{theirs.pk}" - object does not exist.']}),
    )
    assert snapshot() == before


def test_a_held_meetings_agenda_stays_as_it_was(plan: Plan, login: Login) -> None:
    meeting_close(meeting=plan.meeting)
    client = login(plan.agenda.personas.cochair)
    wins = item_of(plan.meeting, "wins")
    kept = invalid({}, "This meeting is closed; its agenda is kept as it was.")
    before = snapshot()

    answers = [
        send(client, "POST", "agenda-items/", {"meeting": plan.meeting.pk, "title": "Late"}),
        send(client, "PATCH", f"agenda-items/{wins.pk}/", {"notes": "Late"}),
        send(client, "POST", f"agenda-items/{wins.pk}/move/", {"direction": "up"}),
        send(client, "DELETE", f"agenda-items/{wins.pk}/"),
    ]

    assert [(a.status_code, a.json()) for a in answers] == [(400, kept)] * 4
    assert snapshot() == before


def test_patch_changes_what_is_sent_and_keeps_the_rest(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)
    wins = item_of(plan.meeting, "wins")

    with time_machine.travel(LATER, tick=False):
        noted = send(client, "PATCH", f"agenda-items/{wins.pk}/", {"notes": "Three sites opened."})
        retitled = send(
            client,
            "PATCH",
            f"agenda-items/{wins.pk}/",
            {"title": "Wins and thanks", "minutes": None, "meeting": plan.other_meeting.pk},
        )

    assert noted.status_code == 200
    assert noted.json()["notes"] == "Three sites opened."
    assert noted.json()["minutes"] == 5
    assert retitled.status_code == 200
    assert retitled.json() == {
        "id": wins.pk,
        "meeting": plan.meeting.pk,
        "table": plan.agenda.workgroup.pk,
        "kind": "wins",
        "title": "Wins and thanks",
        "notes": "Three sites opened.",
        "minutes": None,
        "position": 7,
        "created_at": STAMP,
        "updated_at": LATER_STAMP,
    }


def test_moving_an_item_up_and_at_the_top(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)
    wins = item_of(plan.meeting, "wins")
    check_in = item_of(plan.meeting, "check_in")

    moved = send(client, "POST", f"agenda-items/{wins.pk}/move/", {"direction": "up"})
    top = send(client, "POST", f"agenda-items/{check_in.pk}/move/", {"direction": "up"})

    assert moved.status_code == 200
    assert moved.json()["position"] == 6
    assert top.status_code == 200
    assert top.json()["position"] == 0
    assert order_of(plan.meeting) == [
        "check_in",
        "ground_rules",
        "commitment_review",
        "workplan",
        "problem_solving",
        "coordination",
        "wins",
        "environment",
    ]


def test_moving_needs_a_direction(plan: Plan, login: Login) -> None:
    wins = item_of(plan.meeting, "wins")
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "POST", f"agenda-items/{wins.pk}/move/", {"direction": "sideways"})

    assert (response.status_code, response.json()) == (
        400,
        invalid({"direction": ['"sideways" is not a valid choice.']}),
    )
    assert snapshot() == before


def test_removing_an_item_but_never_the_review_of_commitments(plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.cochair)
    environment = item_of(plan.meeting, "environment")
    review = item_of(plan.meeting, "commitment_review")

    removed = send(client, "DELETE", f"agenda-items/{environment.pk}/")
    before = snapshot()
    kept = send(client, "DELETE", f"agenda-items/{review.pk}/")

    assert removed.status_code == 204
    assert "environment" not in order_of(plan.meeting)
    assert (kept.status_code, kept.json()) == (
        400,
        invalid(
            {},
            "Every meeting opens by reviewing the last meeting's commitments; keep this item.",
        ),
    )
    assert snapshot() == before


def test_items_are_not_replaced_whole(plan: Plan, login: Login) -> None:
    wins = item_of(plan.meeting, "wins")
    client = login(plan.agenda.personas.staff)
    before = snapshot()

    response = send(client, "PUT", f"agenda-items/{wins.pk}/", {"title": "X"})

    assert response.status_code == 405
    assert snapshot() == before


# --- Query count ----------------------------------------------------------------------------


def test_the_list_takes_the_same_queries_for_3_and_30_items(
    plan: Plan, login: Login, django_assert_num_queries: Any
) -> None:
    client = login(plan.agenda.personas.staff)
    # Only the added items: kind "other".
    counts = []
    for n in (3, 27):
        for i in range(n):
            agenda_item_add(meeting=plan.meeting, title=f"Item {i}", minutes=5)
        # session, user, membership, count, rows (with their meetings)
        with django_assert_num_queries(5):
            response = client.get(url("agenda-items/"), {"kind": "other", "page_size": "100"})
        assert response.status_code == 200
        counts.append(response.json()["count"])
    assert counts == [3, 30]


def test_one_item_answers_in_a_fixed_number_of_queries(
    plan: Plan, login: Login, django_assert_num_queries: Any
) -> None:
    client = login(plan.agenda.personas.cochair)
    wins = item_of(plan.meeting, "wins")
    with django_assert_num_queries(4):
        assert client.get(url(f"agenda-items/{wins.pk}/")).status_code == 200
