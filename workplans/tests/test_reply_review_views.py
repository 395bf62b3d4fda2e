"""The staff review list of partners' email replies: who may see it, exactly which replies it
lists, the original message shown safely, one-click "apply as …" and "nothing to change", and
that a GET or a refused request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from backbone.models import User
from backbone.roles import Role
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import Channel, Commitment, CommitmentChange, HelpRequest, InboundEmail
from workplans.tests.factories import CommitmentFactory
from workplans.tests.reply_world import (
    REPLY_AT,
    ReplyWorld,
    inbound_for,
    reply_message,
    reply_world,
)

LIST = "/o/lakeshore/replies/"


@pytest.fixture
def world(personas: Personas) -> ReplyWorld:
    return reply_world(personas)


def _reply(
    world: ReplyWorld,
    text: str,
    *,
    status: str,
    n: int,
    reason: str = "",
    sender: str = "Ana Diaz <ana@partners.example.org>",
    outcome: list[dict[str, Any]] | None = None,
    minutes: int = 0,
) -> InboundEmail:
    """A reply as workplans.inbound and workplans.replies leave it: stored, matched, read."""
    message = reply_message(world, text, sender=sender, message_id=f"<reply-{n}@mail.example>")
    inbound = inbound_for(world, message)
    inbound.status = status
    inbound.reason = reason
    inbound.visible_text = text
    inbound.outcome = outcome or []
    inbound.received_at = REPLY_AT + timedelta(minutes=minutes)
    inbound.save()
    return inbound


def _unclear(world: ReplyWorld, n: int = 1, minutes: int = 0) -> InboundEmail:
    return _reply(
        world,
        "done",
        status=InboundEmail.Status.NEEDS_LOOK,
        n=n,
        minutes=minutes,
        reason="Says “done” but the email listed 3 commitments: which one?",
        outcome=[
            {
                "number": None,
                "commitment_id": None,
                "action": "unclear",
                "note": "done",
                "new_date": None,
                "applied": False,
                "reason": "",
            }
        ],
    )


def _held(world: ReplyWorld, n: int = 2, minutes: int = 5) -> InboundEmail:
    return _reply(
        world,
        "2 is done, I booked the venue for Ana",
        status=InboundEmail.Status.HELD,
        n=n,
        minutes=minutes,
        sender="Sam Lee <sam@partners.example.org>",
        reason="Sent from sam@partners.example.org, not from Ana Diaz's address.",
    )


def _ids(response: Any) -> list[int]:
    return [row.inbound.pk for row in response.context["rows"]]


def _staff(personas: Personas, login: Callable[[User], Client]) -> Client:
    return login(personas.staff)


# --- What the list shows --------------------------------------------------------------------


def test_review_list_shows_held_and_unclear_replies_newest_first(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    unclear = _unclear(world, minutes=0)
    held = _held(world, minutes=5)
    _reply(world, "1 done", status=InboundEmail.Status.APPLIED, n=3, minutes=10)
    _reply(world, "Out of office", status=InboundEmail.Status.IGNORED, n=4, minutes=15)
    _reply(world, "done", status=InboundEmail.Status.RESOLVED, n=5, minutes=20)

    response = _staff(personas, login).get(LIST)

    assert response.status_code == 200
    assert _ids(response) == [held.pk, unclear.pk]
    assert response.context["waiting_count"] == 2
    assert response.context["total_count"] == 5
    body = response.content.decode()
    # Who, which NAG, when (Chicago time: 10:00 CDT on March 25), why it waits, what they wrote.
    assert "Ana Diaz" in body
    assert world.nag_email.subject in body
    assert "Wed 25 Mar 2026, 10:00 CDT" in body
    assert "Wed 25 Mar 2026, 10:05 CDT" in body
    assert "which one?" in body
    assert "sam@partners.example.org" in body
    assert "not the address the reminder went to (ana@partners.example.org)" in body
    assert "2 is done, I booked the venue for Ana" in body
    # Each listed commitment, numbered, with one-click buttons for both waiting replies.
    for c in world.commitments:
        assert c.what in body
    assert body.count('name="action" value="done"') == 6
    assert body.count('name="action" value="drop"') == 6
    assert body.count(f"/o/lakeshore/replies/{held.pk}/dismiss/") == 2  # action + hx-post
    assert "Nothing to change" in body


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("all", ["resolved", "ignored", "applied", "held", "needs_look"]),
        ("applied", ["applied"]),
        ("ignored", ["ignored"]),
        ("unmatched", []),
        ("nonsense", ["held", "needs_look"]),
    ],
)
def test_filter_shows_every_reply_received_or_one_status(
    show: str,
    expected: list[str],
    world: ReplyWorld,
    personas: Personas,
    login: Callable[[User], Client],
) -> None:
    made = {
        "needs_look": _unclear(world, minutes=0),
        "held": _held(world, minutes=5),
        "applied": _reply(world, "1 done", status=InboundEmail.Status.APPLIED, n=3, minutes=10),
        "ignored": _reply(world, "Away", status=InboundEmail.Status.IGNORED, n=4, minutes=15),
        "resolved": _reply(world, "x", status=InboundEmail.Status.RESOLVED, n=5, minutes=20),
    }

    response = _staff(personas, login).get(LIST, {"show": show})

    assert response.status_code == 200
    assert _ids(response) == [made[s].pk for s in expected]


def test_replies_of_another_organization_are_never_listed(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    theirs = _unclear(world)
    InboundEmail.objects.filter(pk=theirs.pk).update(organization=personas.other_org)
    stray = _held(world)
    InboundEmail.objects.filter(pk=stray.pk).update(organization=None)

    client = _staff(personas, login)
    response = client.get(LIST, {"show": "all"})

    assert _ids(response) == []
    assert response.context["total_count"] == 0
    assert client.get(f"{LIST}{theirs.pk}/").status_code == 404
    assert client.get(f"{LIST}{stray.pk}/").status_code == 404


def test_an_unmatched_reply_of_the_organization_shows_without_commitments(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _reply(world, "hello?", status=InboundEmail.Status.UNMATCHED, n=9)
    InboundEmail.objects.filter(pk=inbound.pk).update(nag_message=None, person=None)

    response = _staff(personas, login).get(LIST, {"show": "unmatched"})

    assert _ids(response) == [inbound.pk]
    body = response.content.decode()
    assert "Not an answer to any reminder we know of." in body
    assert 'name="action"' not in body


# --- Who may see and act --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_only_staff_review_replies_and_a_refusal_changes_nothing(
    role: Role, world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _unclear(world)
    client = login(personas.by_role(role))
    before = snapshot()

    responses = [
        client.get(LIST),
        client.get(f"{LIST}{inbound.pk}/"),
        client.get(f"{LIST}{inbound.pk}/original/"),
        client.post(
            f"{LIST}{inbound.pk}/apply/",
            {"commitment": world.commitments[0].pk, "action": "done"},
        ),
        client.post(f"{LIST}{inbound.pk}/dismiss/"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert snapshot() == before
    assert mail.outbox == []


def test_looking_changes_nothing(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _unclear(world)
    client = _staff(personas, login)
    before = snapshot()

    statuses = [
        client.get(LIST).status_code,
        client.get(LIST, {"show": "all"}).status_code,
        client.get(f"{LIST}{inbound.pk}/").status_code,
        client.get(f"{LIST}{inbound.pk}/original/").status_code,
        client.get(f"{LIST}{inbound.pk}/apply/").status_code,
        client.get(f"{LIST}{inbound.pk}/dismiss/").status_code,
    ]

    assert statuses == [200, 200, 200, 200, 405, 405]
    assert snapshot() == before


# --- The original message -------------------------------------------------------------------


def _html_only_reply(world: ReplyWorld) -> InboundEmail:
    message = EmailMessage()
    message["From"] = "=?utf-8?q?Ana_D=C3=ADaz?= <ana@partners.example.org>"
    message["To"] = world.reply_address
    message["Subject"] = "=?utf-8?q?Re:_recordatorio_=E2=80=94_se=C3=B1al?="
    message["Date"] = format_datetime(datetime(2026, 3, 25, 15, 0, tzinfo=UTC))
    message["Message-ID"] = "<html-only@mail.example>"
    message.set_content(
        "<p>Listo, <b>hecho</b>.</p><script>alert('x')</script>"
        '<img src="https://tracker.example/p.gif" onerror="alert(1)">',
        subtype="html",
    )
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    inbound = inbound_for(world, message)
    inbound.status = InboundEmail.Status.NEEDS_LOOK
    inbound.save()
    return inbound


def test_original_message_shows_decoded_headers_and_text_never_its_html(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _html_only_reply(world)
    client = _staff(personas, login)

    for url in (f"{LIST}{inbound.pk}/", f"{LIST}{inbound.pk}/original/"):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Ana Díaz &lt;ana@partners.example.org&gt;" in body
        assert "Re: recordatorio — señal" in body
        assert world.reply_address in body
        assert "Wed, 25 Mar 2026 15:00:00 +0000" in body
        assert "Listo, hecho." in body
        assert "a.pdf" in body
        assert "<script>" not in body
        assert "tracker.example" not in body
        assert "<b>hecho</b>" not in body


def test_a_message_that_is_not_even_an_email_still_shows(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _unclear(world)
    InboundEmail.objects.filter(pk=inbound.pk).update(
        raw=b"\xff\xfe not an email \x00 <script>x</script>\r\n\r\n\xe9t\xe9"
    )

    response = _staff(personas, login).get(f"{LIST}{inbound.pk}/original/")

    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


# --- Apply as …, nothing to change ----------------------------------------------------------


def test_apply_as_done_changes_that_commitment_through_the_reply_and_resolves_it(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _unclear(world)
    first = world.commitments[0]

    response = _staff(personas, login).post(
        f"{LIST}{inbound.pk}/apply/",
        {"commitment": first.pk, "action": "done", "note": "", "next": f"{LIST}?show=all"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?show=all"
    assert world.fresh(1).status == Commitment.Status.DONE
    assert world.fresh(2).status == Commitment.Status.OPEN
    assert world.fresh(3).status == Commitment.Status.OPEN
    change = CommitmentChange.objects.get(commitment=first)
    assert (change.channel, change.by_user_id, change.message_id, change.new_status) == (
        Channel.EMAIL_REPLY,
        personas.staff.pk,
        "reply-1@mail.example",
        "done",
    )
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.RESOLVED
    assert inbound.reviewed_by_id == personas.staff.pk


def test_apply_with_htmx_answers_the_card_with_what_was_done(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _unclear(world)
    second = world.commitments[1]

    response = _staff(personas, login).post(
        f"{LIST}{inbound.pk}/apply/",
        {"commitment": second.pk, "action": "need_help", "note": "No venue yet"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<article class="card reply" id="reply-{inbound.pk}"')
    assert "Applied to 2. Find a venue for the summer reading kickoff: Need help." in body
    assert "Resolved by staff" in body
    assert world.fresh(2).status == Commitment.Status.NEED_HELP
    assert list(HelpRequest.objects.values_list("commitment_id", "kind", "text")) == [
        (second.pk, "need_help", "No venue yet")
    ]


def test_apply_a_new_date(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _unclear(world)

    response = _staff(personas, login).post(
        f"{LIST}{inbound.pk}/apply/",
        {"commitment": world.commitments[2].pk, "action": "new_date", "new_date": "2026-05-04"},
    )

    assert response.status_code == 302
    assert world.fresh(3).due_date == date(2026, 5, 4)
    assert world.fresh(3).status == Commitment.Status.OPEN


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "new_date"}, "Choose the new date."),
        ({"action": "drop", "note": "  "}, "Say why the commitment is dropped."),
        ({"action": "celebrate"}, "Select a valid choice."),
        ({"action": "done", "commitment": "other"}, "That commitment was not in this reminder."),
        ({"action": "new_date", "new_date": "2020-01-01"}, "The new date is before the meeting."),
    ],
)
def test_bad_input_is_shown_on_the_card_and_changes_nothing(
    data: dict[str, str],
    message: str,
    world: ReplyWorld,
    personas: Personas,
    login: Callable[[User], Client],
) -> None:
    inbound = _unclear(world)
    other: Any = CommitmentFactory(meeting=world.meeting, person=world.ana)
    commitment = other.pk if data.get("commitment") == "other" else world.commitments[0].pk
    client = _staff(personas, login)
    before = snapshot()

    response = client.post(
        f"{LIST}{inbound.pk}/apply/",
        {**data, "commitment": commitment},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before
    assert mail.outbox == []


def test_bad_input_without_htmx_comes_back_as_a_message(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _unclear(world)
    client = _staff(personas, login)
    before = snapshot()

    response = client.post(
        f"{LIST}{inbound.pk}/apply/",
        {"commitment": world.commitments[0].pk, "action": "drop"},
        follow=True,
    )

    assert response.redirect_chain == [(LIST, 302)]
    assert "Say why the commitment is dropped." in response.content.decode()
    assert _ids(response) == [inbound.pk]
    # The failed post only left its message in the session.
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "sessions.Session"} == {
        k: v for k, v in before.items() if k != "sessions.Session"
    }


def test_a_reply_already_applied_by_the_robot_is_refused_on_the_page(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _reply(world, "1 done", status=InboundEmail.Status.APPLIED, n=3)
    client = _staff(personas, login)
    before = snapshot()

    response = client.post(
        f"{LIST}{inbound.pk}/apply/",
        {"commitment": world.commitments[1].pk, "action": "done"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert "This reply is not waiting for review." in response.content.decode()
    assert snapshot() == before


def test_nothing_to_change_resolves_the_reply_and_changes_no_commitment(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _held(world)
    client = _staff(personas, login)

    response = client.post(f"{LIST}{inbound.pk}/dismiss/", {"next": LIST})

    assert response.status_code == 302
    inbound.refresh_from_db()
    assert (inbound.status, inbound.reviewed_by_id) == (
        InboundEmail.Status.RESOLVED,
        personas.staff.pk,
    )
    assert [world.fresh(n).status for n in (1, 2, 3)] == [Commitment.Status.OPEN] * 3
    assert CommitmentChange.objects.count() == 0
    assert _ids(client.get(LIST)) == []


def test_next_elsewhere_is_not_followed(
    world: ReplyWorld, personas: Personas, login: Callable[[User], Client]
) -> None:
    inbound = _held(world)

    response = _staff(personas, login).post(
        f"{LIST}{inbound.pk}/dismiss/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == LIST


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("replies", [1, 12])
def test_list_costs_the_same_queries_however_many_replies(
    replies: int,
    world: ReplyWorld,
    personas: Personas,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    for n in range(replies):
        _unclear(world, n=100 + n, minutes=n)
    client = _staff(personas, login)
    client.get(LIST)  # the session's first request loads what later ones find cached

    # Session, user, membership; the counts by status; the page count and rows; the
    # listed commitments; the organization switcher's memberships.
    with django_assert_num_queries(8):
        response = client.get(LIST)

    assert len(response.context["rows"]) == replies
