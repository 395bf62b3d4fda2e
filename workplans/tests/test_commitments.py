"""My commitments, the staff list of commitments and one commitment's page with its history."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backbone.models import User
from backbone.roles import Role
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import Channel, Commitment
from workplans.services import commitment_change
from workplans.tests.commitment_world import World

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(personas: Personas) -> World:
    w = World(personas)
    w.c1 = w.commit(w.tran, "Draft the parent letter")
    w.c2 = w.commit(w.ana, "Share the reading list")
    w.c3 = w.commit(w.tran, "Call the library director", meeting=w.meeting(table=w.y, days=-3))
    return w


def page(world: World, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": world.org.slug, **kwargs})


def detail(world: World, commitment: Commitment) -> str:
    return page(world, "commitment_detail", commitment_id=commitment.pk)


def quick(world: World, commitment: Commitment) -> str:
    return page(world, "commitment_status", commitment_id=commitment.pk)


def fresh(commitment: Commitment) -> Commitment:
    return Commitment.objects.get(pk=commitment.pk)


# --- My commitments -------------------------------------------------------------------------


def test_my_commitments_lists_my_open_commitments_across_tables(
    world: World, login: Callable[[User], Client]
) -> None:
    commitment_change(commitment=world.c3, channel=Channel.WEB, status="blocked")
    response = login(world.personas.partner).get(page(world, "my_commitments"))

    assert response.status_code == 200
    assert [c.pk for c in response.context["rows"]] == [world.c1.pk, world.c3.pk]
    # c1 was due a week after the meeting two weeks ago; c3 is due in four days.
    assert (response.context["load"].open, response.context["load"].overdue) == (2, 1)
    body = response.content.decode()
    assert "Draft the parent letter" in body
    assert "Share the reading list" not in body


def test_my_commitments_counts_what_is_past_its_date(
    world: World, login: Callable[[User], Client]
) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        response = login(world.personas.partner).get(page(world, "my_commitments"))
    assert (response.context["load"].open, response.context["load"].overdue) == (2, 2)
    assert response.content.decode().count("past its date") == 2


def test_my_commitments_empty_and_unlinked_states(
    world: World, login: Callable[[User], Client]
) -> None:
    for c in (world.c1, world.c3):
        commitment_change(commitment=c, channel=Channel.WEB, status="done")
    done = login(world.personas.partner).get(page(world, "my_commitments"))
    assert done.context["rows"] == []
    assert "Nothing open: every commitment you made is done or settled." in done.content.decode()

    unlinked = login(world.personas.steering).get(page(world, "my_commitments"))
    assert unlinked.status_code == 200
    assert unlinked.context["linked"] is False
    assert "Your login is not linked to a person of this organization yet" in (
        unlinked.content.decode()
    )


def test_one_click_done_from_my_commitments(world: World, login: Callable[[User], Client]) -> None:
    response = login(world.personas.partner).post(
        quick(world, world.c1), {"status": "done", "version": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Marked done. Well done!" in response.content.decode()
    done = fresh(world.c1)
    assert done.status == "done"
    last = done.changes.order_by("-id").first()
    assert last is not None
    assert (last.channel, last.by_user, last.old_status, last.new_status) == (
        Channel.WEB,
        world.personas.partner,
        "open",
        "done",
    )


def test_drop_from_my_commitments_needs_a_reason(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.partner)
    before = snapshot()
    refused = client.post(
        quick(world, world.c1), {"status": "dropped", "version": "1"}, headers=HTMX
    )
    assert refused.status_code == 400
    assert "Say why the commitment is dropped." in refused.content.decode()
    assert snapshot() == before

    ok = client.post(
        quick(world, world.c1),
        {"status": "dropped", "note": "The school sends it now.", "version": "1"},
        headers=HTMX,
    )
    assert ok.status_code == 200
    assert (fresh(world.c1).status, fresh(world.c1).progress_note) == (
        "dropped",
        "The school sends it now.",
    )


def test_one_click_on_a_stale_row_is_refused(world: World, login: Callable[[User], Client]) -> None:
    commitment_change(commitment=world.c1, channel=Channel.EMAIL_REPLY, status="need_help")
    client = login(world.personas.partner)
    before = snapshot()
    response = client.post(quick(world, world.c1), {"status": "done", "version": "1"}, headers=HTMX)
    assert response.status_code == 409
    assert "This commitment changed since you opened it" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.STAFF, 200), (Role.COCHAIR, 200), (Role.STEERING, 403), (Role.PARTNER, 403)],
)
def test_who_may_change_anas_commitment_at_x(
    role: Role, expected: int, world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.by_role(role))
    before = snapshot()
    response = client.post(quick(world, world.c2), {"status": "done", "version": "1"}, headers=HTMX)
    assert response.status_code == expected
    if expected == 403:
        assert snapshot() == before
    else:
        assert fresh(world.c2).status == "done"


# --- The staff list -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.STAFF, 200), (Role.STEERING, 200), (Role.COCHAIR, 403), (Role.PARTNER, 403)],
)
def test_staff_list_per_role(
    role: Role, expected: int, world: World, login: Callable[[User], Client]
) -> None:
    assert login(world.personas.by_role(role)).get(page(world, "commitments")).status_code == (
        expected
    )


def test_outsider_gets_404_everywhere(world: World, login: Callable[[User], Client]) -> None:
    client = login(world.personas.outsider)
    before = snapshot()
    assert client.get(page(world, "commitments")).status_code == 404
    assert client.get(page(world, "my_commitments")).status_code == 404
    assert client.get(detail(world, world.c1)).status_code == 404
    assert client.post(detail(world, world.c1), {"status": "done", "version": "1"}).status_code == (
        404
    )
    assert client.post(quick(world, world.c1), {"status": "done"}).status_code == 404
    assert snapshot() == before


def listed(client: Client, world: World, query: str = "") -> list[int]:
    response = client.get(page(world, "commitments") + query)
    assert response.status_code == 200
    return [c.pk for c, _made in response.context["rows"]]


def test_staff_list_filters(world: World, login: Callable[[User], Client]) -> None:
    commitment_change(commitment=world.c2, channel=Channel.WEB, status="done")
    client = login(world.personas.staff)

    assert listed(client, world) == [world.c1.pk, world.c2.pk, world.c3.pk]
    assert listed(client, world, f"?table={world.y.pk}") == [world.c3.pk]
    assert listed(client, world, f"?person={world.tran.pk}") == [world.c1.pk, world.c3.pk]
    assert listed(client, world, "?status=done") == [world.c2.pk]
    assert listed(client, world, "?status=active") == [world.c1.pk, world.c3.pk]
    assert listed(client, world, "?overdue=on") == [world.c1.pk]
    with time_machine.travel(timezone.now() + timedelta(days=10), tick=False):
        assert listed(client, world, "?overdue=on") == [world.c1.pk, world.c3.pk]
    # An unknown filter value is ignored, not a 500.
    assert listed(client, world, "?table=abc&status=nonsense") == [
        world.c1.pk,
        world.c2.pk,
        world.c3.pk,
    ]


def test_staff_list_header_shows_the_filtered_workgroups_last_meetings(
    world: World, login: Callable[[User], Client]
) -> None:
    commitment_change(commitment=world.c1, channel=Channel.WEB, status="done")
    world.meeting(days=10)  # not held yet: left out
    client = login(world.personas.staff)
    with time_machine.travel(world.today.ends_at + timedelta(hours=1)):
        response = client.get(page(world, "commitments") + f"?table={world.x.pk}")
    rows = response.context["meeting_figures"]
    assert [m.pk for m, _f in rows] == [world.today.pk, world.previous.pk]
    previous = rows[1][1]
    assert (previous.made, previous.done_by_next_meeting, previous.share_done) == (2, 1, 0.5)
    # c1 was done 7 days after its date; c2 is still open, 7 days past it.
    assert (previous.overdue, previous.median_days_late) == (1, 7)
    assert "Follow-through at the last meetings" in response.content.decode()


def test_staff_list_header_shows_a_persons_open_and_overdue(
    world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.personas.staff).get(
        page(world, "commitments") + f"?person={world.tran.pk}"
    )
    load = response.context["person_load"]
    assert (load.open, load.overdue) == (2, 1)


def test_staff_list_is_paginated(personas: Personas, login: Callable[[User], Client]) -> None:
    world = World(personas)
    for i in range(55):
        world.commit(world.ana, f"Commitment {i}")
    client = login(personas.staff)
    first = client.get(page(world, "commitments"))
    second = client.get(page(world, "commitments") + "?page=2")
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 5)
    assert first.context["page"].paginator.count == 55


@pytest.mark.parametrize("count", [5, 50])
def test_staff_list_query_count_does_not_grow(
    count: int,
    personas: Personas,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    world = World(personas)
    for i in range(count):
        world.commit([world.ana, world.tran, world.omar][i % 3], f"Commitment {i}")
    client = login(personas.staff)
    client.get(page(world, "commitments"))

    with django_assert_num_queries(12):
        response = client.get(page(world, "commitments"))
    assert len(response.context["rows"]) == count
    with django_assert_num_queries(11):
        filtered = client.get(page(world, "commitments") + f"?table={world.x.pk}")
    assert len(filtered.context["rows"]) == count


@pytest.mark.parametrize("count", [5, 50])
def test_my_commitments_query_count_does_not_grow(
    count: int,
    personas: Personas,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    world = World(personas)
    for i in range(count):
        world.commit(world.tran, f"Commitment {i}")
    client = login(personas.partner)
    client.get(page(world, "my_commitments"))

    with django_assert_num_queries(7):
        response = client.get(page(world, "my_commitments"))
    assert len(response.context["rows"]) == count


# --- One commitment -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "commitment", "expected", "can_change", "can_manage"),
    [
        (Role.STAFF, "c2", 200, True, True),
        (Role.STEERING, "c2", 200, False, False),
        (Role.COCHAIR, "c2", 200, True, True),  # co-chair of X
        (Role.COCHAIR, "c3", 200, False, False),  # Y's: may read, not change
        (Role.PARTNER, "c1", 200, True, False),  # their own
        (Role.PARTNER, "c2", 200, False, False),  # Ana's, at X where the partner sits
        (Role.PARTNER, "c3", 200, True, False),  # their own, at Y where they do not sit
    ],
)
def test_commitment_page_per_role(
    role: Role,
    commitment: str,
    expected: int,
    can_change: bool,
    can_manage: bool,
    world: World,
    login: Callable[[User], Client],
) -> None:
    response = login(world.personas.by_role(role)).get(detail(world, getattr(world, commitment)))
    assert response.status_code == expected
    assert (response.context["can_change"], response.context["can_manage"]) == (
        can_change,
        can_manage,
    )
    body = response.content.decode()
    assert ('name="new_due_date"' in body) is can_manage
    assert ('name="status"' in body) is can_change


def test_partner_may_not_read_a_commitment_of_a_table_they_do_not_sit_at(
    world: World, login: Callable[[User], Client]
) -> None:
    ana_at_y = world.commit(world.ana, "At Y", meeting=world.meeting(table=world.y, days=-1))
    assert login(world.personas.partner).get(detail(world, ana_at_y)).status_code == 403


@pytest.mark.parametrize(
    ("role", "commitment", "data", "expected"),
    [
        (Role.STEERING, "c2", {"status": "done"}, 403),
        (Role.COCHAIR, "c3", {"status": "done"}, 403),
        (Role.PARTNER, "c2", {"status": "done"}, 403),
        (Role.PARTNER, "c1", {"status": "open", "new_due_date": "2099-01-01"}, 403),
    ],
)
def test_refused_changes_change_nothing(
    role: Role,
    commitment: str,
    data: dict[str, str],
    expected: int,
    world: World,
    login: Callable[[User], Client],
) -> None:
    client = login(world.personas.by_role(role))
    before = snapshot()
    response = client.post(detail(world, getattr(world, commitment)), {**data, "version": "1"})
    assert response.status_code == expected
    assert snapshot() == before


def test_partner_updates_status_and_note_of_their_own(
    world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.personas.partner).post(
        detail(world, world.c1),
        {"status": "need_help", "note": "Need the Spanish version.", "version": "1"},
    )
    assert response.status_code == 302
    changed = fresh(world.c1)
    assert (changed.status, changed.progress_note, changed.due_date) == (
        "need_help",
        "Need the Spanish version.",
        world.c1.due_date,
    )


def test_cochair_gives_a_new_date(world: World, login: Callable[[User], Client]) -> None:
    new_date = world.c2.due_date + timedelta(days=10)
    response = login(world.personas.cochair).post(
        detail(world, world.c2),
        {"status": "open", "new_due_date": new_date.isoformat(), "note": "", "version": "1"},
    )
    assert response.status_code == 302
    assert fresh(world.c2).due_date == new_date


def test_bad_input_is_shown_on_the_form(world: World, login: Callable[[User], Client]) -> None:
    client = login(world.personas.cochair)
    before = snapshot()
    dropped = client.post(detail(world, world.c2), {"status": "dropped", "version": "1"})
    early = client.post(
        detail(world, world.c2),
        {"status": "open", "new_due_date": "2000-01-01", "version": "1"},
    )
    assert (dropped.status_code, early.status_code) == (400, 400)
    assert "Say why the commitment is dropped." in dropped.content.decode()
    assert "The new date is before the meeting." in early.content.decode()
    assert snapshot() == before


def test_a_concurrent_edit_is_refused_with_the_current_state(
    world: World, login: Callable[[User], Client]
) -> None:
    commitment_change(
        commitment=world.c2,
        channel=Channel.EMAIL_REPLY,
        by_person=world.ana,
        status="done",
        note="Sent to all four branches.",
    )
    client = login(world.personas.cochair)
    before = snapshot()
    response = client.post(
        detail(world, world.c2),
        {"status": "blocked", "note": "Waiting for the printer.", "version": "1"},
    )
    assert response.status_code == 409
    assert snapshot() == before
    body = response.content.decode()
    assert "This commitment changed since you opened it." in body
    assert "Sent to all four branches." in body  # their change, shown
    assert "Waiting for the printer." in body  # what was typed, kept
    assert response.context["c"].status == "done"
    assert 'name="version" value="2"' in body


def test_history_shows_every_change_with_when_who_and_how(
    personas: Personas, login: Callable[[User], Client]
) -> None:
    # Times in Chicago (UTC-6 until 8 March 2026).
    with time_machine.travel(datetime(2026, 2, 16, 15, 0, tzinfo=UTC), tick=False):
        world = World(personas)
        c = world.commit(world.tran, "Draft the parent letter", due=date(2026, 2, 25))
    with time_machine.travel(datetime(2026, 2, 23, 18, 30, tzinfo=UTC), tick=False):
        commitment_change(
            commitment=c,
            channel=Channel.EMAIL_REPLY,
            by_person=world.tran,
            status="need_help",
            note="Need the translation.",
            new_due_date=date(2026, 3, 4),
        )
    with time_machine.travel(datetime(2026, 3, 3, 1, 15, tzinfo=UTC), tick=False):
        commitment_change(commitment=c, channel=Channel.WEB, by_user=personas.staff, status="done")

    response = login(personas.staff).get(detail(world, c))

    table = response.content.decode().split('id="history"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in rows
    ]
    assert [r for r in cells if r] == [
        [
            "16 Feb 2026, 09:00",
            "Backbone",
            "Web",
            "Open",
            "25 Feb 2026",
            "Committed at the meeting.",
        ],
        [
            "23 Feb 2026, 12:30",
            "Tran Nguyen",
            "Email reply",
            "Open → Needs help",
            "25 Feb 2026 → 4 Mar 2026",
            "Need the translation.",
        ],
        ["2 Mar 2026, 19:15", personas.staff.display_name, "Web", "Needs help → Done", "—", ""],
    ]


@pytest.mark.parametrize("changes", [3, 30])
def test_commitment_page_query_count_does_not_grow_with_history(
    changes: int,
    world: World,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    for i in range(changes):
        commitment_change(commitment=world.c1, channel=Channel.WEB, note=f"Note {i}")
    client = login(world.personas.staff)
    client.get(detail(world, world.c1))

    with django_assert_num_queries(6):
        response = client.get(detail(world, world.c1))
    assert len(response.context["history"]) == changes + 1
