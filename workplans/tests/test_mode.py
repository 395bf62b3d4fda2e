"""Meeting mode: review the last meeting's commitments, capture new ones, record wins, close."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backbone.models import User
from backbone.roles import Role
from initiatives.tests.factories import PersonFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import Channel, Commitment, CommitmentChange, Meeting
from workplans.services import commitment_change
from workplans.tests.commitment_world import World

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(personas: Personas) -> World:
    w = World(personas)
    w.c1 = w.commit(w.ana, "Share the reading list with the libraries")
    w.c2 = w.commit(w.tran, "Draft the parent letter")
    w.c3 = w.commit(w.keisha, "Book the summer venue")
    w.close(w.previous)
    return w


def url(world: World, name: str, meeting: Meeting | None = None, **kwargs: Any) -> str:
    meeting = meeting or world.today
    return reverse(name, kwargs={"org_slug": world.org.slug, "meeting_id": meeting.pk, **kwargs})


def review_url(world: World, commitment: Commitment) -> str:
    return url(world, "meeting_mode_review", commitment_id=commitment.pk)


def meeting_day(world: World) -> date:
    return timezone.localdate(world.today.starts_at)


def c(world: World, n: int) -> Commitment:
    return Commitment.objects.get(pk=getattr(world, f"c{n}").pk)


# --- The page -------------------------------------------------------------------------------


def test_meeting_mode_opens_with_the_last_meetings_commitments_in_order(
    world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.personas.cochair).get(url(world, "meeting_mode"))

    assert response.status_code == 200
    assert [x.pk for x in response.context["review"]] == [
        world.c1.pk,
        world.c2.pk,
        world.c3.pk,
    ]
    body = response.content.decode()
    assert body.count("data-review-card") == 3
    assert "Share the reading list with the libraries" in body
    form = response.context["form"]
    assert form.initial["due_date"] == meeting_day(world) + timedelta(days=14)
    # Who: the table's people first, then everyone else active in the organization.
    assert [p["value"] for p in response.context["people_options"]] == [
        "Ana Diaz",
        "Keisha Brown",
        "Tran Nguyen",
        "Omar Haddad",
    ]
    assert response.context["made"] == []


def test_first_meeting_of_a_table_has_nothing_to_review(
    world: World, login: Callable[[User], Client]
) -> None:
    first = world.meeting(table=world.y, days=1)
    response = login(world.personas.staff).get(url(world, "meeting_mode", first))

    assert response.status_code == 200
    assert response.context["review"] == []
    assert "first meeting: there is nothing to review yet." in response.content.decode()


# --- Review ---------------------------------------------------------------------------------


def test_done_updates_the_card_in_place_and_records_the_meeting_channel(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.cochair)
    response = client.post(
        review_url(world, world.c1),
        {"action": "done", "version": "1"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.templates[0].name == "workplans/mode/partials/review_card.html"
    assert response["HX-Trigger-After-Settle"] == (f'{{"mode:reviewed": "review-{world.c1.pk}"}}')
    done = c(world, 1)
    assert (done.status, done.version) == (Commitment.Status.DONE, 2)
    last = done.changes.order_by("-id").first()
    assert last is not None
    assert (last.channel, last.by_user, last.old_status, last.new_status) == (
        Channel.MEETING,
        world.personas.cochair,
        "open",
        "done",
    )


@pytest.mark.parametrize(("action", "status"), [("need_help", "need_help"), ("blocked", "blocked")])
def test_need_help_and_blocked(
    action: str, status: str, world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.personas.cochair).post(
        review_url(world, world.c2),
        {"action": action, "version": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert c(world, 2).status == status


def test_carry_forward_keeps_it_open_with_the_new_date_at_this_meeting(
    world: World, login: Callable[[User], Client]
) -> None:
    new_date = meeting_day(world) + timedelta(days=21)
    response = login(world.personas.cochair).post(
        review_url(world, world.c2),
        {"action": "carry", "version": "1", "due_date": new_date.isoformat()},
        headers=HTMX,
    )

    assert response.status_code == 200
    carried = c(world, 2)
    assert (carried.status, carried.due_date, carried.carried_to_id) == (
        "open",
        new_date,
        world.today.pk,
    )
    last = carried.changes.order_by("-id").first()
    assert last is not None
    assert (last.channel, last.new_due_date) == (Channel.MEETING, new_date)
    assert "Carried forward at this meeting" in response.content.decode()


def test_drop_needs_a_reason_and_keeps_what_was_typed(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.cochair)
    before = snapshot()
    response = client.post(
        review_url(world, world.c3),
        {"action": "drop", "version": "1", "note": "  "},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "Say why the commitment is dropped." in response.content.decode()
    assert snapshot() == before

    response = client.post(
        review_url(world, world.c3),
        {"action": "drop", "version": "1", "note": "The venue is donated now."},
        headers=HTMX,
    )
    assert response.status_code == 200
    dropped = c(world, 3)
    assert (dropped.status, dropped.progress_note) == ("dropped", "The venue is donated now.")


def test_carry_forward_to_a_date_before_the_meeting_is_refused(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.cochair)
    before = snapshot()
    typed = (meeting_day(world) - timedelta(days=1)).isoformat()
    response = client.post(
        review_url(world, world.c2),
        {"action": "carry", "version": "1", "due_date": typed},
        headers=HTMX,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The new date is before this meeting." in body
    assert f'value="{typed}"' in body
    assert snapshot() == before


def test_a_card_changed_meanwhile_is_refused_with_its_current_state(
    world: World, login: Callable[[User], Client]
) -> None:
    commitment_change(
        commitment=world.c1,
        channel=Channel.EMAIL_REPLY,
        by_person=world.ana,
        status="need_help",
        note="Need the list in Spanish.",
    )
    client = login(world.personas.cochair)
    before = snapshot()
    response = client.post(
        review_url(world, world.c1),
        {"action": "done", "version": "1"},
        headers=HTMX,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "This commitment changed since you opened it" in body
    assert "Need the list in Spanish." in body
    assert 'name="version" value="2"' in body
    assert snapshot() == before


def test_a_commitment_of_another_table_cannot_be_reviewed_here(
    world: World, login: Callable[[User], Client]
) -> None:
    other = world.commit(world.ana, "Elsewhere", meeting=world.meeting(table=world.y, days=-3))
    client = login(world.personas.staff)
    before = snapshot()
    response = client.post(review_url(world, other), {"action": "done", "version": "1"})
    assert response.status_code == 404
    assert snapshot() == before


def test_without_htmx_a_review_redirects_back_to_the_card(
    world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.personas.cochair).post(
        review_url(world, world.c1),
        {"action": "done", "version": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == url(world, "meeting_mode") + f"#review-{world.c1.pk}"
    assert c(world, 1).status == "done"


# --- Capture --------------------------------------------------------------------------------


def capture(client: Client, world: World, **data: str) -> Any:
    return client.post(url(world, "meeting_mode_capture"), data, headers=HTMX)


def test_enter_adds_a_commitment_clears_the_row_and_lists_it(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.cochair)
    due = meeting_day(world) + timedelta(days=14)
    response = capture(
        client,
        world,
        what="Call the district about bus passes",
        who="omar",
        due_date=due.isoformat(),
        why=f"st:{world.strategy.pk}",
    )

    assert response.status_code == 200
    made = Commitment.objects.get(meeting=world.today)
    assert (made.what, made.person, made.due_date, made.strategy, made.key_action) == (
        "Call the district about bus passes",
        world.omar,
        due,
        world.strategy,
        None,
    )
    change = CommitmentChange.objects.get(commitment=made)
    assert (change.channel, change.by_user, change.new_status) == (
        Channel.MEETING,
        world.personas.cochair,
        "open",
    )
    body = response.content.decode()
    assert f'id="made-{made.pk}"' in body
    assert response.context["form"].is_bound is False
    assert re.search(r'<input type="text" name="what" [^>]*data-focus', body)
    assert "Added." in body


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("Zelda", "No one called “Zelda” in this organization."),
        ("a", "“a” matches 4 people"),
        ("", "This field is required."),
    ],
)
def test_who_must_name_exactly_one_person(
    who: str, error: str, world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.cochair)
    before = snapshot()
    response = capture(
        client,
        world,
        what="Call the district",
        who=who,
        due_date=(meeting_day(world) + timedelta(days=3)).isoformat(),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert error in body
    assert 'value="Call the district"' in body
    assert snapshot() == before


def test_two_people_of_the_same_name_are_told_apart_by_email(
    world: World, login: Callable[[User], Client]
) -> None:
    PersonFactory(organization=world.org, full_name="Omar Haddad", email="omar2@example.org")
    client = login(world.personas.cochair)
    day = (meeting_day(world) + timedelta(days=3)).isoformat()
    refused = capture(client, world, what="Call", who="Omar Haddad", due_date=day)
    assert refused.status_code == 400
    assert "2 people are called Omar Haddad" in refused.content.decode()

    options = [o["value"] for o in refused.context["people_options"]]
    assert f"Omar Haddad ({world.omar.email})" in options
    assert "Omar Haddad (omar2@example.org)" in options
    added = capture(client, world, what="Call", who="Omar Haddad (omar2@example.org)", due_date=day)
    assert added.status_code == 200
    assert Commitment.objects.get(meeting=world.today).person.email == "omar2@example.org"


def test_a_date_before_the_meeting_is_refused_inline(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.cochair)
    before = snapshot()
    response = capture(
        client,
        world,
        what="Call the district",
        who="Ana Diaz",
        due_date=(meeting_day(world) - timedelta(days=1)).isoformat(),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The date is before the meeting." in body
    assert 'value="Ana Diaz"' in body
    assert snapshot() == before


def test_a_person_of_another_organization_cannot_be_named(
    world: World, login: Callable[[User], Client]
) -> None:
    PersonFactory(organization=world.personas.other_org, full_name="Riverside Rita")
    client = login(world.personas.staff)
    before = snapshot()
    response = capture(
        client,
        world,
        what="Call",
        who="Riverside Rita",
        due_date=(meeting_day(world) + timedelta(days=3)).isoformat(),
    )
    assert response.status_code == 400
    assert "No one called “Riverside Rita” in this organization." in response.content.decode()
    assert snapshot() == before


# --- Wins and closing -----------------------------------------------------------------------


def test_wins_are_recorded(world: World, login: Callable[[User], Client]) -> None:
    response = login(world.personas.cochair).post(
        url(world, "meeting_mode_wins"), {"wins": "Library cards for 40 families!"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Wins recorded." in response.content.decode()
    world.today.refresh_from_db()
    assert world.today.wins == "Library cards for 40 families!"


def test_closing_shows_the_summary_and_makes_the_mode_read_only(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.cochair)
    client.post(review_url(world, world.c1), {"action": "done", "version": "1"}, headers=HTMX)
    capture(
        client,
        world,
        what="Call the district",
        who="Ana Diaz",
        due_date=(meeting_day(world) + timedelta(days=3)).isoformat(),
    )

    response = client.post(url(world, "meeting_mode_close"))
    assert response.status_code == 302
    assert response["Location"] == url(world, "meeting_mode")
    world.today.refresh_from_db()
    assert world.today.status == Meeting.Status.CLOSED

    page = client.get(url(world, "meeting_mode"))
    assert page.status_code == 200
    assert page.templates[0].name == "workplans/mode/closed.html"
    body = page.content.decode()
    assert "<h1>Meeting closed</h1>" in body
    assert "1 commitment made at this meeting" in body
    assert "data-review-card" not in body
    figures = page.context["previous_figures"]
    assert (figures.made, figures.done_by_next_meeting, figures.share_done) == (3, 1, 0.333)

    before = snapshot()
    refused = [
        client.post(review_url(world, world.c2), {"action": "done", "version": "1"}, headers=HTMX),
        capture(client, world, what="Late", who="Ana Diaz", due_date="2099-01-01"),
        client.post(url(world, "meeting_mode_wins"), {"wins": "Overwritten"}, headers=HTMX),
    ]
    assert [r.status_code for r in refused] == [409, 409, 409]
    assert "This meeting is closed" in refused[0].content.decode()
    assert snapshot() == before


# --- Who may run a meeting ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.STAFF, 200), (Role.COCHAIR, 200), (Role.STEERING, 403), (Role.PARTNER, 403)],
)
def test_meeting_mode_per_role(
    role: Role, expected: int, world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.by_role(role))
    assert client.get(url(world, "meeting_mode")).status_code == expected
    before = snapshot()
    writes = [
        client.post(review_url(world, world.c1), {"action": "done", "version": "1"}),
        client.post(
            url(world, "meeting_mode_capture"),
            {"what": "x", "who": "Ana Diaz", "due_date": "2099-01-01"},
        ),
        client.post(url(world, "meeting_mode_wins"), {"wins": "x"}),
        client.post(url(world, "meeting_mode_close")),
    ]
    if expected == 403:
        assert [w.status_code for w in writes] == [403, 403, 403, 403]
        assert snapshot() == before


def test_a_cochair_of_another_table_may_not_run_this_meeting(
    world: World, login: Callable[[User], Client]
) -> None:
    meeting_y = world.meeting(table=world.y, days=2)
    client = login(world.personas.cochair)
    before = snapshot()
    assert client.get(url(world, "meeting_mode", meeting_y)).status_code == 403
    assert client.post(url(world, "meeting_mode_close", meeting_y)).status_code == 403
    assert snapshot() == before


def test_outsider_gets_404_and_nothing_changes(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.personas.outsider)
    before = snapshot()
    assert client.get(url(world, "meeting_mode")).status_code == 404
    assert client.post(url(world, "meeting_mode_close")).status_code == 404
    assert snapshot() == before


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_meeting_mode_query_count_does_not_grow_with_commitments(
    count: int,
    personas: Personas,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    world = World(personas)
    people = [world.ana, world.tran, world.keisha, world.omar]
    for i in range(count):
        world.commit(people[i % 4], f"Reviewed {i}", why="", strategy=world.strategy)
        world.commit(people[i % 4], f"Made {i}", meeting=world.today)
    client = login(personas.cochair)
    client.get(url(world, "meeting_mode"))  # warm the session and the content types

    with django_assert_num_queries(17):
        response = client.get(url(world, "meeting_mode"))
    assert len(response.context["review"]) == count
    assert len(response.context["made"]) == count
