"""A meeting's NAG emails and unsubscribes in the API, with the reminders pages' rules and
services: the three touches read exactly as the page shows them, skip / bring back / opening
paragraph, pause, send the recap now, and reversing an unsubscribe with a note of the
person's consent. Every effect is checked on a real sweep; every refusal changes nothing.
Who may do what per role, tokens and outsiders: test_api_common.CASES and the isolation
sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from backbone.models import OutboundEmail, User
from initiatives.models import Person
from initiatives.tests.factories import InitiativeFactory, PersonFactory
from initiatives.tests.test_api_common import NOT_FOUND, api_time, page, send
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import NagOptOut, NagOptOutReversal, Reminder, Touch, TouchControl
from workplans.tests.test_api_common import REMINDERS_REFUSAL, invalid
from workplans.tests.test_nag_staff import (
    CHECK_IN_DUE,
    HEADS_UP_DUE,
    World,
    _panel_world,
    _reminder,
    _sweep,
)

Login = Callable[[User], Client]
RECAPS_SENT = datetime(2026, 3, 2, 17, 1, tzinfo=UTC)


@pytest.fixture
def world(personas: Personas) -> World:
    """Lakeshore Reads (Chicago): a meeting at Early Learning closed on Monday 2 March with its
    reminders waiting, the next meeting on the 30th, and a meeting at Attendance Works."""
    return World(personas)


def reminders(world: World, meeting: Any = None) -> str:
    return f"meetings/{(meeting or world.meeting).pk}/reminders/"


def recipient(person: Any, status: str | None, due_at: str | None, **changes: Any) -> Any:
    return {
        "person": person.pk,
        "full_name": person.full_name,
        "status": status,
        "due_at": due_at,
        "sent_at": None,
        "skip_reason": "",
        "opted_out": False,
        "nag_paused": False,
        "undeliverable": False,
        **changes,
    }


def touch(name: str, label: str, recipients: list[Any], **changes: Any) -> Any:
    return {
        "touch": name,
        "label": label,
        "skipped": False,
        "intro": "",
        "scheduled": True,
        "expected_at": None,
        "next_due": None,
        "last_sent": None,
        "pending": 0,
        "sent": 0,
        "not_sent": 0,
        "skip_reasons": [],
        "recipients": recipients,
        **changes,
    }


# --- Reading ----------------------------------------------------------------------------------


def test_a_closed_meeting_answers_each_touch_its_times_and_recipients(
    world: World, personas: Personas, login: Login
) -> None:
    _sweep(RECAPS_SENT)
    sent_at = "2026-03-02T11:01:00-06:00"  # Chicago, standard time
    recap_due = "2026-03-02T11:00:00-06:00"
    check_in = "2026-03-16T09:00:00-05:00"  # daylight time from 8 March
    heads_up = "2026-03-23T09:00:00-05:00"
    client = login(personas.cochair)
    before = snapshot()

    response = send(client, "GET", reminders(world))

    assert response.status_code == 200
    assert response.json() == {
        "meeting": world.meeting.pk,
        "meeting_status": "closed",
        "time_zone": "America/Chicago",
        "enabled": True,
        "next_meeting": world.next.pk,
        "heads_up_missing": False,
        "touches": [
            touch(
                "recap",
                "Recap after the meeting",
                [
                    recipient(p, "sent", recap_due, sent_at=sent_at)
                    for p in (world.ana, world.cochair, world.partner)
                ],
                sent=3,
                last_sent=sent_at,
            ),
            touch(
                "check_in",
                "Check-in: do you need help?",
                [recipient(p, "pending", check_in) for p in (world.ana, world.partner)],
                pending=2,
                next_due=check_in,
            ),
            touch(
                "heads_up",
                "Heads-up before the next meeting",
                [recipient(p, "pending", heads_up) for p in (world.ana, world.partner)],
                pending=2,
                next_due=heads_up,
            ),
        ],
    }
    assert snapshot() == before


def test_a_scheduled_meeting_answers_who_each_touch_would_go_to(
    world: World, personas: Personas, login: Login
) -> None:
    response = send(login(personas.staff), "GET", reminders(world, world.next))

    assert response.status_code == 200
    assert response.json()["meeting_status"] == "scheduled"
    assert response.json()["next_meeting"] is None
    assert response.json()["touches"] == [
        touch(
            "recap",
            "Recap after the meeting",
            [recipient(p, None, None) for p in (world.ana, world.cochair, world.partner)],
            scheduled=False,
        ),
        touch(
            "check_in",
            "Check-in: do you need help?",
            [],
            scheduled=False,
            expected_at="2026-04-13T09:00:00-05:00",
        ),
        touch("heads_up", "Heads-up before the next meeting", [], scheduled=False),
    ]


def test_skips_opt_outs_pauses_and_bounces_show_per_recipient(
    world: World, personas: Personas, login: Login
) -> None:
    Person.objects.filter(pk=world.ana.pk).update(
        undeliverable_at=datetime(2026, 3, 1, tzinfo=UTC), undeliverable_reason="Bounced"
    )
    Person.objects.filter(pk=world.cochair.pk).update(nag_paused=True)
    NagOptOut.objects.create(
        organization=personas.org, person=world.partner, initiative=world.initiative
    )
    _sweep(RECAPS_SENT)

    recap = send(login(personas.staff), "GET", reminders(world)).json()["touches"][0]

    assert {k: recap[k] for k in ("pending", "sent", "not_sent", "skip_reasons")} == {
        "pending": 0,
        "sent": 0,
        "not_sent": 3,
        "skip_reasons": [
            {"reason": "address undeliverable", "count": 1},
            {"reason": "reminders paused for this person", "count": 1},
            {"reason": "unsubscribed from this initiative", "count": 1},
        ],
    }
    assert [
        (r["full_name"], r["status"], r["undeliverable"], r["nag_paused"], r["opted_out"])
        for r in recap["recipients"]
    ] == [
        ("Ana Diaz", "skipped", True, False, False),
        ("Keisha Brown", "skipped", False, True, False),
        ("Tran Nguyen", "skipped", False, False, True),
    ]


@pytest.mark.parametrize("people", [3, 30])
def test_reading_takes_the_same_queries_whatever_the_people(
    personas: Personas, login: Login, people: int, django_assert_num_queries: Any
) -> None:
    meeting = _panel_world(personas, people)
    client = login(personas.staff)

    # session, user, membership, the meeting; then the panel's own queries, as on the page.
    with django_assert_num_queries(10):
        response = send(client, "GET", f"meetings/{meeting.pk}/reminders/")

    assert response.status_code == 200
    assert [len(t["recipients"]) for t in response.json()["touches"]] == [people] * 3


# --- Skip, bring back, opening paragraph ------------------------------------------------------


def test_a_skipped_touch_is_not_sent_and_bringing_it_back_sends_what_is_not_yet_due(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.cochair)

    skipped = send(client, "PATCH", reminders(world), {"touch": "check_in", "skipped": True})
    send(client, "PATCH", reminders(world), {"touch": "heads_up", "skipped": True})
    back = send(client, "PATCH", reminders(world), {"touch": "heads_up", "skipped": False})
    _sweep(RECAPS_SENT)
    checked = _sweep(CHECK_IN_DUE)
    headed = _sweep(HEADS_UP_DUE)

    assert skipped.status_code == 200
    assert [t["skipped"] for t in skipped.json()["touches"]] == [False, True, False]
    assert [t["skipped"] for t in back.json()["touches"]] == [False, True, False]
    assert (checked.sent_emails, checked.skipped) == (0, 2)
    assert _reminder(world, "check_in", world.ana).skip_reason == "touch skipped by staff"
    assert sorted(headed.recipients) == sorted([world.ana.email, world.partner.email])


def test_the_opening_paragraph_replaces_the_standard_words_of_that_touch(
    world: World, personas: Personas, login: Login
) -> None:
    response = send(
        login(personas.staff),
        "PATCH",
        reminders(world),
        {"touch": "check_in", "intro": "  Halfway there — how is it going?  "},
    )
    _sweep(RECAPS_SENT)
    _sweep(CHECK_IN_DUE)

    assert response.status_code == 200
    assert [t["intro"] for t in response.json()["touches"]] == [
        "",
        "Halfway there — how is it going?",
        "",
    ]
    sent = OutboundEmail.objects.get(kind="nag_check_in", to=[world.ana.email])
    assert "Halfway there — how is it going?" in sent.body_text
    assert "How is it going, and do you need any help" not in sent.body_text
    control = TouchControl.objects.get(meeting=world.meeting, touch=Touch.CHECK_IN)
    assert (control.intro, control.skipped) == ("Halfway there — how is it going?", False)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"touch": "check_in"}, invalid({}, "Send skipped, intro or both.")),
        ({"skipped": True}, invalid({"touch": ["This field is required."]})),
        ({"touch": "farewell", "skipped": True},
         invalid({"touch": ['"farewell" is not a valid choice.']})),
        ({"touch": "recap", "intro": "x" * 2001},
         invalid({"intro": ["Ensure this field has no more than 2000 characters."]})),
        ({"touch": "recap", "skipped": "maybe"},
         invalid({"skipped": ["Must be a valid boolean."]})),
    ],
)  # fmt: skip
def test_a_bad_change_is_refused_and_changes_nothing(
    world: World, personas: Personas, login: Login, body: Any, error: Any
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = send(client, "PATCH", reminders(world), body)

    assert (response.status_code, response.json()) == (400, error)
    assert snapshot() == before


# --- Pause ------------------------------------------------------------------------------------


def test_a_paused_person_gets_nothing_until_resumed(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.cochair)
    pause = f"{reminders(world)}pause/"
    _sweep(RECAPS_SENT)

    paused = send(client, "POST", pause, {"person": world.ana.pk, "paused": True})
    checked = _sweep(CHECK_IN_DUE)
    resumed = send(client, "POST", pause, {"person": world.ana.pk, "paused": False})
    headed = _sweep(HEADS_UP_DUE)

    assert (paused.status_code, paused.json()) == (
        200,
        {"person": world.ana.pk, "nag_paused": True},
    )
    assert checked.recipients == [world.partner.email]
    assert _reminder(world, "check_in", world.ana).skip_reason == (
        "reminders paused for this person"
    )
    assert resumed.json() == {"person": world.ana.pk, "nag_paused": False}
    assert sorted(headed.recipients) == sorted([world.ana.email, world.partner.email])
    assert Person.objects.get(pk=world.ana.pk).nag_paused is False


def test_pausing_someone_the_meeting_does_not_concern_is_refused(
    world: World, personas: Personas, login: Login
) -> None:
    stranger: Any = PersonFactory(organization=personas.org)
    elsewhere: Any = PersonFactory(organization=personas.other_org)
    client = login(personas.staff)
    before = snapshot()

    unconcerned = send(
        client, "POST", f"{reminders(world)}pause/", {"person": stranger.pk, "paused": True}
    )
    other_org = send(
        client, "POST", f"{reminders(world)}pause/", {"person": elsewhere.pk, "paused": True}
    )

    assert (unconcerned.status_code, unconcerned.json()) == (
        400,
        invalid({"person": ["This meeting's reminders do not concern this person."]}),
    )
    assert (other_org.status_code, other_org.json()) == (
        400,
        invalid({"person": [f'Invalid pk "{elsewhere.pk}" - object does not exist.']}),
    )
    assert snapshot() == before


# --- Send the recap now -----------------------------------------------------------------------


def test_sending_the_recap_now_sends_it_once_through_the_sweep(
    world: World, personas: Personas, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    # A recap set to go out a day after closing; the next morning staff want it now.
    Reminder.objects.filter(meeting=world.meeting, touch=Touch.RECAP).update(
        due_at=datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    )
    client = login(personas.staff)
    url = f"meetings/{world.meeting.pk}/send-recap/"

    with time_machine.travel(datetime(2026, 3, 3, 14, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = send(client, "POST", url)
        with django_capture_on_commit_callbacks(execute=True):
            again = send(client, "POST", url)

    assert (response.status_code, response.json()) == (202, {"due_to": 3})
    recaps = OutboundEmail.objects.filter(kind="nag_recap")
    assert sorted(e.to[0] for e in recaps) == sorted(
        [world.ana.email, world.partner.email, world.cochair.email]
    )
    assert (again.status_code, again.json()) == (
        400,
        invalid({}, "The recap of this meeting has already gone out to everyone."),
    )
    assert OutboundEmail.objects.filter(kind="nag_recap").count() == 3


def test_the_recap_of_a_meeting_not_closed_is_refused_and_nothing_changes(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = send(client, "POST", f"meetings/{world.next.pk}/send-recap/")

    assert (response.status_code, response.json()) == (
        400,
        invalid({}, "The recap goes out when the meeting is closed. Close the meeting to send it."),
    )
    assert snapshot() == before


# --- Who: the page's rule, per table ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "reminders/", None),
        ("PATCH", "reminders/", {"touch": "recap", "skipped": True}),
        ("POST", "reminders/pause/", {"paused": True}),
        ("POST", "send-recap/", None),
    ],
)
def test_the_cochair_of_another_table_is_refused_and_a_partner_elsewhere_not_found(
    world: World, personas: Personas, method: str, path: str, body: Any
) -> None:
    url = f"meetings/{world.y_meeting.pk}/{path}"
    if body is not None and "paused" in body:
        body = {**body, "person": world.ana.pk}
    clients = {}
    for name, user in (("cochair", personas.cochair), ("partner", personas.partner)):
        clients[name] = Client()
        clients[name].force_login(user)
    before = snapshot()

    cochair = send(clients["cochair"], method, url, body)
    partner = send(clients["partner"], method, url, body)

    assert (cochair.status_code, cochair.json()) == (403, REMINDERS_REFUSAL)
    assert (partner.status_code, partner.json()) == (404, NOT_FOUND)
    assert snapshot() == before


# --- Unsubscribes -----------------------------------------------------------------------------


def test_the_unsubscribes_are_listed_and_filtered(
    world: World, personas: Personas, login: Login
) -> None:
    ana = NagOptOut.objects.create(
        organization=personas.org, person=world.ana, initiative=world.initiative
    )
    tran = NagOptOut.objects.create(
        organization=personas.org, person=world.partner, initiative=world.initiative
    )
    theirs: Any = PersonFactory(organization=personas.other_org)
    their_initiative: Any = InitiativeFactory(organization=personas.other_org)
    NagOptOut.objects.create(
        organization=personas.other_org, person=theirs, initiative=their_initiative
    )
    client = login(personas.staff)

    def shape(opt_out: NagOptOut) -> Any:
        return {
            "id": opt_out.pk,
            "initiative": world.initiative.pk,
            "person": opt_out.person_id,
            "person_name": opt_out.person.full_name,
            "created_at": api_time(opt_out.created_at),
        }

    listed = send(client, "GET", "nag-opt-outs/")
    by_person = send(client, "GET", "nag-opt-outs/", {"person": world.partner.pk})
    by_initiative = send(client, "GET", "nag-opt-outs/", {"initiative": world.initiative.pk + 1})

    assert listed.json() == page([shape(ana), shape(tran)])
    assert by_person.json() == page([shape(tran)])
    assert by_initiative.json() == page([])


def test_reversing_an_unsubscribe_needs_a_note_of_consent_which_is_kept(
    world: World, personas: Personas, login: Login
) -> None:
    opt_out = NagOptOut.objects.create(
        organization=personas.org, person=world.ana, initiative=world.initiative
    )
    client = login(personas.staff)
    url = f"nag-opt-outs/{opt_out.pk}/reverse/"
    before = snapshot()

    missing = send(client, "POST", url, {})
    blank = send(client, "POST", url, {"consent_note": "   "})
    unchanged = snapshot() == before and not NagOptOutReversal.objects.exists()
    reversed_ = send(client, "POST", url, {"consent_note": "Ana asked by phone on 2 March."})
    again = send(client, "POST", url, {"consent_note": "Ana asked by phone on 2 March."})
    _sweep(RECAPS_SENT)

    assert (missing.status_code, missing.json()) == (
        400,
        invalid({"consent_note": ["This field is required."]}),
    )
    assert (blank.status_code, blank.json()) == (
        400,
        invalid({"consent_note": ["This field may not be blank."]}),
    )
    assert unchanged
    kept = NagOptOutReversal.objects.get()
    assert (
        kept.organization_id,
        kept.initiative_id,
        kept.person_id,
        kept.unsubscribed_at,
        kept.reversed_by_id,
        kept.consent_note,
    ) == (
        personas.org.pk,
        world.initiative.pk,
        world.ana.pk,
        opt_out.created_at,
        personas.staff.pk,
        "Ana asked by phone on 2 March.",
    )
    assert (reversed_.status_code, reversed_.json()) == (
        200,
        {
            "id": kept.pk,
            "initiative": world.initiative.pk,
            "person": world.ana.pk,
            "unsubscribed_at": api_time(opt_out.created_at),
            "reversed_at": api_time(kept.reversed_at),
            "reversed_by": "staff@lakeshore.example.org",
            "consent_note": "Ana asked by phone on 2 March.",
        },
    )
    assert (again.status_code, again.json()) == (404, NOT_FOUND)
    assert not NagOptOut.objects.exists()
    assert sorted(_sweep(CHECK_IN_DUE).recipients) == sorted([world.ana.email, world.partner.email])
