"""Receiving partners' replies: each message stored once (size-capped), automatic mail told
apart from what people write, the reply token found among the recipients, and processing that
acts once — all on real RFC 822 bytes."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from backbone.models import OutboundEmail
from tests.concurrency import at_once
from workplans import replies
from workplans.inbound import (
    automatic_reason,
    inbound_process,
    inbound_receive,
    parse_message,
    reply_tokens,
)
from workplans.models import Commitment, HelpRequest, InboundEmail, NagMessage
from workplans.reminders import send_due_reminders
from workplans.tasks import requeue_waiting_inbound_emails
from workplans.tests.reminder_world import due_world
from workplans.tests.reply_world import REPLY_AT, reply_message, reply_world

PARTNER = "partner00@partners.example.org"
UNKNOWN_TOKEN = "zz9yy8xx7ww6vv5uu4tt"


def eml(headers: list[tuple[str, str]], body: str = "Done!\r\n") -> bytes:
    """An RFC 822 message as it travels: CRLF lines, headers then a blank line then the body."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n" + body).encode("utf-8")


def gmail_reply(
    *,
    to: str,
    body: str = "Done!",
    message_id: str | None = "<CAKx8=reply-1@mail.gmail.com>",
    sender: str = f"Partner Zero <{PARTNER}>",
    subject: str = "Re: How is it going? Your commitments for Early Learning",
    extra: list[tuple[str, str]] | None = None,
) -> bytes:
    """A reply as Gmail sends it: text/plain, the person's line above the quoted NAG."""
    headers = [
        ("MIME-Version", "1.0"),
        ("Date", "Tue, 24 Mar 2026 10:12:44 -0500"),
        ("From", sender),
        ("To", to),
        ("Subject", subject),
        ("In-Reply-To", "<nag-1@backbone.example.org>"),
        ("Content-Type", 'text/plain; charset="UTF-8"'),
    ]
    if message_id is not None:
        headers.insert(2, ("Message-ID", message_id))
    headers += extra or []
    text = (
        f"{body}\r\n\r\nOn Tue, Mar 24, 2026 at 9:00 AM Lakeshore Reads <backbone@localhost> "
        "wrote:\r\n> 1. Task of partner 00 (due Jan 1)\r\n"
    )
    return eml(headers, text)


@pytest.fixture
def nag(personas: Any) -> NagMessage:
    """A real NAG email sent by the sweep to one partner with one open commitment."""
    world = due_world(personas.org, count=1, due_at=timezone.now() - timedelta(minutes=1))
    assert send_due_reminders().sent_emails == 1
    found = NagMessage.objects.select_related("person", "email").get()
    assert found.person == world.people[0]
    assert len(found.commitment_ids) == 1
    return found


def reply_address(nag: NagMessage) -> str:
    address = nag.email.reply_to[0]
    assert address == f"reply+{nag.token}@reply.localhost"
    return address


# --- Storing once -------------------------------------------------------------------------------


def test_receive_stores_the_raw_message_and_queues_processing_on_commit(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    raw = gmail_reply(to=f"reply+{UNKNOWN_TOKEN}@reply.localhost")

    with django_capture_on_commit_callbacks() as queued:
        row, created = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)

    assert created is True
    assert len(queued) == 1
    row.refresh_from_db()
    assert bytes(row.raw) == raw
    assert row.raw_size == len(raw)
    assert row.raw_truncated is False
    assert row.message_key == "CAKx8=reply-1@mail.gmail.com"
    assert row.message_id == "CAKx8=reply-1@mail.gmail.com"
    assert (row.source, row.provider, row.event_id) == ("pipe", "", "")
    assert row.status == InboundEmail.Status.RECEIVED
    assert row.from_address == PARTNER
    assert row.recipients == [f"reply+{UNKNOWN_TOKEN}@reply.localhost"]
    assert row.subject == "Re: How is it going? Your commitments for Early Learning"
    assert row.organization_id is None


def test_the_same_message_id_again_by_any_way_in_is_one_row_and_queues_nothing(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    raw = gmail_reply(to=f"reply+{UNKNOWN_TOKEN}@reply.localhost")
    first, _ = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    # The same message fetched by IMAP, with a header the mail server added and the id folded
    # onto its own line: still the same message.
    again = b"Delivered-To: someone@reply.localhost\r\n" + raw.replace(
        b"Message-ID: <CAKx8=reply-1@mail.gmail.com>",
        b"Message-ID:\r\n <CAKx8=reply-1@mail.gmail.com>",
    )

    with django_capture_on_commit_callbacks() as queued:
        second, created = inbound_receive(raw=again, source=InboundEmail.Source.IMAP)

    assert (second.pk, created) == (first.pk, False)
    assert queued == []
    assert InboundEmail.objects.count() == 1
    assert InboundEmail.objects.get().source == "pipe"


def test_receiving_is_one_insert_and_a_duplicate_one_more_lookup(
    db: None, django_assert_num_queries: Any
) -> None:
    """A new message: the insert in its savepoint (3; the test runs in a transaction, outside
    one it is BEGIN and the insert). A message already stored: the insert refused by the unique
    key and rolled back to the savepoint, then the stored row looked up (5)."""
    raw = gmail_reply(to=f"reply+{UNKNOWN_TOKEN}@reply.localhost")
    with django_assert_num_queries(3):
        first, created = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    with django_assert_num_queries(5):
        again, created_again = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert InboundEmail.objects.count() == 1


def test_a_message_without_message_id_is_known_by_the_digest_of_its_bytes(db: None) -> None:
    raw = gmail_reply(to=f"reply+{UNKNOWN_TOKEN}@reply.localhost", message_id=None)
    other = gmail_reply(to=f"reply+{UNKNOWN_TOKEN}@reply.localhost", message_id=None, body="Hi")

    row, created = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    again, created_again = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    different, created_different = inbound_receive(raw=other, source=InboundEmail.Source.PIPE)

    assert row.message_key == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert row.message_id == ""
    assert (created, created_again, created_different) == (True, False, True)
    assert again.pk == row.pk
    assert different.message_key == "sha256:" + hashlib.sha256(other).hexdigest()
    assert InboundEmail.objects.count() == 2


def test_a_webhook_event_id_is_received_once_per_provider(db: None) -> None:
    to = f"reply+{UNKNOWN_TOKEN}@reply.localhost"
    first, _ = inbound_receive(
        raw=gmail_reply(to=to, message_id="<a@x>"),
        source=InboundEmail.Source.WEBHOOK,
        provider="Postmark",
        event_id="ev-1",
    )
    # The provider's retry of the event, even if it rebuilt the message differently.
    retry, retry_created = inbound_receive(
        raw=gmail_reply(to=to, message_id="<b@x>"),
        source=InboundEmail.Source.WEBHOOK,
        provider="postmark",
        event_id="ev-1",
    )
    elsewhere, elsewhere_created = inbound_receive(
        raw=gmail_reply(to=to, message_id="<c@x>"),
        source=InboundEmail.Source.WEBHOOK,
        provider="mailgun",
        event_id="ev-1",
    )

    assert (first.provider, first.event_id) == ("postmark", "ev-1")
    assert (retry.pk, retry_created) == (first.pk, False)
    assert (elsewhere.provider, elsewhere_created) == ("mailgun", True)
    assert sorted(InboundEmail.objects.values_list("message_key", flat=True)) == ["a@x", "c@x"]


def test_a_message_over_the_cap_is_cut_and_still_read_from_what_was_kept(
    db: None, settings: Any
) -> None:
    settings.BACKBONE_INBOUND_MAX_BYTES = 10_000
    photo = "iVBORw0KGgoAAAANSUhEUgAA" * 1_000  # 24,000 bytes of a base64 attachment
    raw = eml(
        [
            ("From", f"Partner Zero <{PARTNER}>"),
            ("To", f"reply+{UNKNOWN_TOKEN}@reply.localhost"),
            ("Subject", "Re: Your commitments"),
            ("Message-ID", "<big-1@mail.example.org>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'multipart/mixed; boundary="b1"'),
        ],
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDone, photo attached.\r\n"
        "--b1\r\nContent-Type: image/png; name=venue.png\r\nContent-Transfer-Encoding: base64\r\n"
        f"\r\n{photo}\r\n--b1--\r\n",
    )
    assert len(raw) > 24_000

    row, _ = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    row = inbound_process(pk=row.pk)

    assert len(bytes(row.raw)) == 10_000
    assert bytes(row.raw) == raw[:10_000]
    assert row.raw_size == len(raw)
    assert row.raw_truncated is True
    assert row.message_key == "big-1@mail.example.org"
    # The cut message is still parsed: its recipients were read and the token looked up.
    assert row.status == InboundEmail.Status.UNMATCHED
    assert row.reason == (
        f"Unknown reply address token {UNKNOWN_TOKEN} (no reminder was sent with it)"
    )


def test_an_unknown_source_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="unknown source 'fax'"):
        inbound_receive(raw=gmail_reply(to="x@y"), source="fax")
    assert InboundEmail.objects.count() == 0


# --- Automatic mail -----------------------------------------------------------------------------

TO = f"reply+{UNKNOWN_TOKEN}@reply.localhost"
PERSON = [("From", f"Partner Zero <{PARTNER}>"), ("To", TO)]

AUTOMATIC = {
    "gmail vacation responder": (
        [*PERSON, ("Subject", "Re: Your commitments"), ("Auto-Submitted", "auto-replied")],
        "Automatic email (Auto-Submitted: auto-replied)",
    ),
    "auto-submitted with a parameter": (
        [*PERSON, ("Subject", "Hello"), ("Auto-Submitted", "Auto-Replied; owner-email=x@y")],
        "Automatic email (Auto-Submitted: auto-replied)",
    ),
    "our own reminder looping back": (
        [
            ("From", "Lakeshore Reads <backbone@localhost>"),
            ("To", TO),
            ("Subject", "How is it going? Your commitments for Early Learning"),
            ("Auto-Submitted", "auto-generated"),
        ],
        "Our own email came back (a mail loop)",
    ),
    "x-autoreply": (
        [*PERSON, ("Subject", "Re: Your commitments"), ("X-Autoreply", "yes")],
        "Automatic reply (X-Autoreply)",
    ),
    "x-autorespond": (
        [*PERSON, ("Subject", "Re: Your commitments"), ("X-Autorespond", "Thanks for writing")],
        "Automatic reply (X-Autorespond)",
    ),
    "precedence bulk": (
        [*PERSON, ("Subject", "Re: Your commitments"), ("Precedence", "bulk")],
        "Automatic email (Precedence: bulk)",
    ),
    "precedence auto_reply": (
        [*PERSON, ("Subject", "Re: Your commitments"), ("Precedence", "auto_reply")],
        "Automatic email (Precedence: auto_reply)",
    ),
    "empty return-path": (
        [("Return-Path", "<>"), *PERSON, ("Subject", "Re: Your commitments")],
        "Bounce or automatic reply (empty Return-Path)",
    ),
    "postfix bounce (DSN)": (
        [
            ("From", "MAILER-DAEMON@mail.partners.example.org (Mail Delivery System)"),
            ("To", TO),
            ("Subject", "Undelivered Mail Returned to Sender"),
            (
                "Content-Type",
                'multipart/report; report-type=delivery-status; boundary="B"',
            ),
        ],
        "Delivery report (delivery-status)",
    ),
    "mailer-daemon without a report": (
        [("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"), ("To", TO)],
        "Mail system message (from mailer-daemon@googlemail.com)",
    ),
    "postmaster": (
        [("From", "postmaster@partners.example.org"), ("To", TO), ("Subject", "Hello")],
        "Mail system message (from postmaster@partners.example.org)",
    ),
    "exim bounce": (
        [*PERSON, ("Subject", "Mail failure"), ("X-Failed-Recipients", PARTNER)],
        "Bounce (X-Failed-Recipients)",
    ),
    "outlook out of office": (
        [*PERSON, ("Subject", "Automatic reply: How is it going? Your commitments")],
        "Automatic reply (subject: “Automatic reply: How is it going? Your commitments”)",
    ),
    "out of office, lower case": (
        [*PERSON, ("Subject", "out of office until Monday")],
        "Automatic reply (subject: “out of office until Monday”)",
    ),
    "lotus notes": (
        [*PERSON, ("Subject", "Auto: Your commitments")],
        "Automatic reply (subject: “Auto: Your commitments”)",
    ),
    "vacation": (
        [*PERSON, ("Subject", "Vacation")],
        "Automatic reply (subject: “Vacation”)",
    ),
    "spanish, encoded subject": (
        [*PERSON, ("Subject", "=?UTF-8?Q?Respuesta_autom=C3=A1tica:_Sus_compromisos?=")],
        "Automatic reply (subject: “Respuesta automática: Sus compromisos”)",
    ),
    "spanish out of office": (
        [*PERSON, ("Subject", "Fuera de la oficina: Sus compromisos")],
        "Automatic reply (subject: “Fuera de la oficina: Sus compromisos”)",
    ),
    "spanish away": (
        [*PERSON, ("Subject", "Ausente hasta el lunes")],
        "Automatic reply (subject: “Ausente hasta el lunes”)",
    ),
    "exchange non-delivery": (
        [*PERSON, ("Subject", "Undeliverable: Your commitments")],
        "Automatic reply (subject: “Undeliverable: Your commitments”)",
    ),
    "gmail dsn subject": (
        [*PERSON, ("Subject", "Delivery Status Notification (Failure)")],
        "Automatic reply (subject: “Delivery Status Notification (Failure)”)",
    ),
    "spanish exchange non-delivery": (
        [*PERSON, ("Subject", "No se puede entregar: Sus compromisos")],
        "Automatic reply (subject: “No se puede entregar: Sus compromisos”)",
    ),
    "mailing list": (
        [*PERSON, ("Subject", "Re: Your commitments"), ("List-Id", "<partners.lists.example>")],
        "Message from a mailing list",
    ),
}


@pytest.mark.parametrize(("headers", "reason"), AUTOMATIC.values(), ids=AUTOMATIC.keys())
def test_automatic_mail_is_recognised(headers: list[tuple[str, str]], reason: str) -> None:
    assert automatic_reason(parse_message(eml(headers, "I am away.\r\n"))) == reason


PEOPLE = {
    "gmail": [*PERSON, ("Subject", "Re: How is it going? Your commitments for Early Learning")],
    # Outlook puts X-Auto-Response-Suppress on mail people write: alone it says nothing.
    "outlook desktop": [
        *PERSON,
        ("Subject", "RE: Your commitments: a note from Lakeshore Reads"),
        ("X-Auto-Response-Suppress", "All"),
        ("Thread-Topic", "Your commitments"),
    ],
    "auto-submitted: no": [*PERSON, ("Subject", "Re: Your commitments"), ("Auto-Submitted", "no")],
    "spanish client": [*PERSON, ("Subject", "RE: Sus compromisos para Aprendizaje temprano")],
    "a subject that mentions an office": [*PERSON, ("Subject", "Re: new office lease — done")],
    "return-path with an address": [
        ("Return-Path", f"<{PARTNER}>"),
        *PERSON,
        ("Subject", "Re: Your commitments"),
    ],
}


@pytest.mark.parametrize("headers", PEOPLE.values(), ids=PEOPLE.keys())
def test_mail_a_person_wrote_is_not_automatic(headers: list[tuple[str, str]]) -> None:
    assert automatic_reason(parse_message(eml(headers, "1 done\r\n"))) == ""


# --- The token ----------------------------------------------------------------------------------


def test_reply_tokens_come_from_the_recipients_never_from_the_sender() -> None:
    a, b, c = "a" * 20, "b1" * 10, "c2" * 10
    message = parse_message(
        eml(
            [
                ("Return-Path", f"<reply+{'f' * 20}@reply.localhost>"),
                ("From", f"Someone <reply+{'f' * 20}@reply.localhost>"),
                ("To", f'"Lakeshore Reads" <REPLY+{a.upper()}@Reply.Example.org>, x@y.org'),
                ("Cc", f"reply+{b}@other-domain.example, reply+{a}@reply.localhost"),
                ("Delivered-To", f"reply+{c}@reply.localhost"),
                ("X-Original-To", "reply+tooshort@reply.localhost"),
                ("Envelope-To", f"reply+{'d' * 21}@reply.localhost"),
                ("Subject", "Re: Your commitments"),
            ]
        )
    )

    # Envelope headers (written by the mail server) first, then To and Cc; each token once.
    assert reply_tokens(message) == [c, a, b]


def test_a_message_with_no_reply_address_has_no_token() -> None:
    message = parse_message(eml([("From", PARTNER), ("To", "partners@lakeshore.example.org")]))
    assert reply_tokens(message) == []


# --- Processing ---------------------------------------------------------------------------------


def commitment_snapshot(nag: NagMessage) -> list[tuple[Any, ...]]:
    return list(
        Commitment.objects.filter(pk__in=nag.commitment_ids).values_list("pk", "status", "due_date")
    )


def test_an_auto_reply_is_ignored_changes_nothing_and_answers_nothing(nag: NagMessage) -> None:
    before = commitment_snapshot(nag)
    emails_before = OutboundEmail.objects.count()
    raw = gmail_reply(
        to=reply_address(nag),
        subject="Automatic reply: How is it going?",
        body="I am out of the office until Monday. Done!",
        extra=[("Auto-Submitted", "auto-replied")],
    )
    row, _ = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)

    row = inbound_process(pk=row.pk)

    assert row.status == InboundEmail.Status.IGNORED
    assert row.reason == "Automatic email (Auto-Submitted: auto-replied)"
    assert row.processed_at is not None
    assert (row.nag_message_id, row.person_id, row.token) == (None, None, "")
    assert commitment_snapshot(nag) == before
    assert OutboundEmail.objects.count() == emails_before
    assert nag.email.status == OutboundEmail.objects.get(pk=nag.email_id).status


def test_a_message_without_a_reply_address_is_unmatched(db: None) -> None:
    raw = gmail_reply(to="partners@lakeshore.example.org")
    row, _ = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)

    row = inbound_process(pk=row.pk)

    assert row.status == InboundEmail.Status.UNMATCHED
    assert row.reason == "No reply address (reply+…) among the recipients"
    assert row.organization_id is None


def test_a_processed_message_is_left_alone(nag: NagMessage) -> None:
    raw = gmail_reply(to=reply_address(nag))
    row, _ = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    InboundEmail.objects.filter(pk=row.pk).update(
        status=InboundEmail.Status.RESOLVED, reason="Dismissed by staff"
    )

    again = inbound_process(pk=row.pk)

    assert (again.status, again.reason, again.nag_message_id) == (
        "resolved",
        "Dismissed by staff",
        None,
    )
    assert again.processed_at is None


def test_the_queued_task_processes_the_message_when_the_row_commits(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    raw = gmail_reply(to=TO, extra=[("Precedence", "junk")])

    with django_capture_on_commit_callbacks(execute=True) as queued:
        row, _ = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)

    assert len(queued) == 1
    row.refresh_from_db()
    assert (row.status, row.reason) == ("ignored", "Automatic email (Precedence: junk)")


def test_a_reply_whose_task_was_lost_is_queued_again(db: None) -> None:
    lost, _ = inbound_receive(raw=gmail_reply(to=TO, message_id="<lost@x>"), source="pipe")
    fresh, _ = inbound_receive(raw=gmail_reply(to=TO, message_id="<fresh@x>"), source="pipe")
    InboundEmail.objects.filter(pk=lost.pk).update(
        received_at=timezone.now() - timedelta(minutes=6)
    )

    assert requeue_waiting_inbound_emails.delay().result == 1

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == InboundEmail.Status.UNMATCHED
    assert fresh.status == InboundEmail.Status.RECEIVED


# --- Two deliveries at once (PostgreSQL) --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_message_at_once_make_one_row() -> None:
    vendor = connections["default"].vendor
    assert vendor == "postgresql", f"this race needs PostgreSQL; the database is {vendor}"
    raw = gmail_reply(to=TO, message_id="<race@mail.gmail.com>")

    results = at_once(
        4, lambda: inbound_receive(raw=raw, source=InboundEmail.Source.WEBHOOK, provider="x")
    )

    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len({row.pk for row, _ in results}) == 1
    assert InboundEmail.objects.count() == 1


# --- A failure keeps nothing, and the retry applies once ----------------------------------------


@time_machine.travel(REPLY_AT, tick=False)
def test_a_failed_attempt_keeps_nothing_and_the_retry_applies_the_reply_once(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = reply_world(personas)
    raw = reply_message(world, "1 is done, 2 I need help with the venue").as_bytes()
    row, _ = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    emails_before = OutboundEmail.objects.count()
    real_handle = replies.reply_handle

    def handle_then_fail(inbound: InboundEmail, message: Any) -> InboundEmail:
        # Every effect is written (statuses, help request, emails), then the worker fails.
        real_handle(inbound, message)
        raise RuntimeError("worker lost its database connection")

    monkeypatch.setattr(replies, "reply_handle", handle_then_fail)
    with pytest.raises(RuntimeError, match="worker lost its database connection"):
        inbound_process(pk=row.pk)

    row.refresh_from_db()
    assert (row.status, row.reason) == (
        "failed",
        "RuntimeError: worker lost its database connection",
    )
    assert [world.fresh(n).status for n in (1, 2, 3)] == ["open", "open", "open"]
    assert HelpRequest.objects.count() == 0
    assert OutboundEmail.objects.count() == emails_before

    monkeypatch.setattr(replies, "reply_handle", real_handle)
    retried = inbound_process(pk=row.pk)
    again = inbound_process(pk=row.pk)

    assert (retried.status, retried.reason, again.status) == ("applied", "", "applied")
    assert [world.fresh(n).status for n in (1, 2, 3)] == ["done", "need_help", "open"]
    assert HelpRequest.objects.count() == 1
    assert OutboundEmail.objects.count() == emails_before + 3
