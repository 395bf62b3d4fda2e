"""The reply corpus end to end: every message in corpus/ is received twice over, each time on a
fresh world — (a) piped to `manage.py ingest_email` as a mail server does, (b) posted to the
provider's inbound webhook (anymail's Postmark view with the raw message, behind the basic-auth
secret) — and processed by the
Celery task queued on commit (run eagerly here). Each run must lead to exactly the outcome
corpus.toml gives; then the same message arrives again and nothing changes.

Nothing is mocked: real bytes, the real command, a real HTTP request through anymail's view, the
real parser and effects. The corpus accuracy (messages read as expected, per way in) is printed
at the end of the test run (tests/replies/conftest.py)."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import json
import quopri
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.utils import getaddresses
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from backbone.models import OutboundEmail
from tests.replies import (
    COCHAIR,
    REPLY_READ_AT,
    Expected,
    ReplyWorld,
    build_world,
    load_expectations,
    substitute,
    uid_for,
)
from workplans.models import Channel, Commitment, CommitmentChange, HelpRequest, InboundEmail

CASES = load_expectations()
SECRET = "inbound:corpus-s3cret"
CORPUS_KEY = "reply_corpus"


@pytest.fixture(autouse=True)
def _inbound_settings(settings: Any) -> None:
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    settings.SITE_URL = "https://backbone.lakeshore.example.org"
    settings.DEFAULT_FROM_EMAIL = "backbone@lakeshore.example.org"


# --- The two ways in ----------------------------------------------------------------------------


def _auth() -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(SECRET.encode()).decode()}


def _envelope_recipient(raw: bytes) -> str:
    """Where the message was delivered: Delivered-To (what our mail server saw), else To."""
    headers = email.message_from_bytes(raw, policy=email.policy.compat32)
    for name in ("Delivered-To", "To"):
        found = getaddresses([str(v) for v in headers.get_all(name, [])])
        if found:
            return found[0][1]
    return ""


def pipe(raw: bytes, capture: Callable[..., Any]) -> str:
    """`manage.py ingest_email` with the message on standard input; an exit other than 0
    (SystemExit) fails the test."""
    out = io.StringIO()
    with capture(execute=True):
        call_command("ingest_email", stdin=io.BytesIO(raw), stdout=out, stderr=out)
    return out.getvalue()


def postmark_payload(raw: bytes, event_id: str) -> str:
    """Postmark's inbound JSON with "Include raw email content": RawEmail carries the message."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    recipient = _envelope_recipient(raw)
    return json.dumps(
        {
            "MessageID": event_id,
            "MessageStream": "inbound",
            "From": str(message.get("From", "")),
            "To": str(message.get("To", "")),
            "OriginalRecipient": recipient,
            "Subject": str(message.get("Subject", "")),
            "Date": str(message.get("Date", "")),
            "Headers": [{"Name": "Return-Path", "Value": str(message.get("Return-Path", ""))}],
            "TextBody": "",
            "HtmlBody": "",
            "StrippedTextReply": "",
            "Attachments": [],
            "RawEmail": raw.decode("utf-8"),
        }
    )


def seven_bit(raw: bytes) -> bytes:
    """The message with every 8-bit part re-encoded as quoted-printable, as an MTA relaying to
    a server without 8BITMIME must do (RFC 6152): the same message, in ASCII. A provider's JSON
    (Postmark's RawEmail is a string) cannot carry 8-bit bytes that are not UTF-8 otherwise."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or payload.isascii():
            continue
        encoded = quopri.encodestring(payload).decode("ascii")
        del part["Content-Transfer-Encoding"]
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(encoded)
    return message.as_bytes()


def webhook(raw: bytes, capture: Callable[..., Any], *, event_id: str) -> str:
    try:
        raw.decode("utf-8")
        way = "Postmark"
    except UnicodeDecodeError:
        raw = seven_bit(raw)
        way = "Postmark, 8-bit parts as quoted-printable"
    with capture(execute=True):
        response = Client().post(
            "/anymail/postmark/inbound/",
            postmark_payload(raw, event_id),
            content_type="application/json",
            headers=_auth(),
        )
    assert response.status_code == 200, (way, response.status_code, response.content[:500])
    return way


# --- What the world looks like -------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    inbound: tuple[tuple[Any, ...], ...]
    commitments: tuple[tuple[Any, ...], ...]
    changes: int
    help_requests: tuple[tuple[Any, ...], ...]
    outbound: tuple[tuple[Any, ...], ...]


def state() -> State:
    return State(
        inbound=tuple(
            InboundEmail.objects.order_by("pk").values_list(
                "pk", "status", "reason", "nag_message_id", "confirmation_id", "outcome"
            )
        ),
        commitments=tuple(
            Commitment.objects.order_by("pk").values_list(
                "pk", "status", "due_date", "progress_note", "version"
            )
        ),
        changes=CommitmentChange.objects.count(),
        help_requests=tuple(
            HelpRequest.objects.order_by("pk").values_list("pk", "kind", "status", "text")
        ),
        outbound=tuple(OutboundEmail.objects.order_by("pk").values_list("pk", "kind", "to")),
    )


def _recorded_text(commitment: Commitment) -> str:
    """Everything recorded with a commitment from the reply: its progress note, the notes of
    its email-reply changes and the text of its help requests."""
    parts = [commitment.progress_note]
    parts += CommitmentChange.objects.filter(
        commitment=commitment, channel=Channel.EMAIL_REPLY
    ).values_list("note", flat=True)
    parts += HelpRequest.objects.filter(commitment=commitment).values_list("text", flat=True)
    return "\n".join(parts).casefold()


def outcome_mismatches(
    world: ReplyWorld, case: Expected, originals: dict[int, tuple[Any, date]], first_outbound: int
) -> list[str]:
    """Every way the world differs from what corpus.toml expects for `case` (empty: as
    expected)."""
    problems: list[str] = []
    rows = list(InboundEmail.objects.all())
    if len(rows) != 1:
        return [f"{len(rows)} inbound rows stored, expected 1"]
    row = rows[0]
    if row.status != case.status:
        problems.append(f"status {row.status!r} ({row.reason!r}), expected {case.status!r}")
    if case.status in ("ignored", "held", "needs_look", "unmatched") and not row.reason.strip():
        problems.append(f"a {row.status} reply with no reason for staff")
    expected_nag = {"own": world.nag, "other": world.other_nag, "none": None}.get(case.matched, ...)
    if expected_nag is not ...:
        if row.nag_message_id != (expected_nag.pk if expected_nag else None):
            problems.append(f"matched NAG {row.nag_message_id}, expected {case.matched!r}")
        if expected_nag is not None and (
            row.person_id != expected_nag.person_id or row.organization_id != world.organization.pk
        ):
            problems.append("the row's person/organization are not the token's")
        if expected_nag is None and row.organization_id is not None:
            problems.append("an unmatched reply was given an organization")

    # Commitments: the expected status, date and recorded words; the rest untouched.
    person = world.person
    for number, commitment in enumerate(world.commitments, start=1):
        commitment.refresh_from_db()
        spec = case.commitments.get(number, {})
        status0, due0 = originals[commitment.pk]
        want_status = spec.get("status", status0)
        want_due = date.fromisoformat(spec["due"]) if "due" in spec else due0
        if commitment.status != want_status:
            problems.append(f"{number}: status {commitment.status!r}, expected {want_status!r}")
        if commitment.due_date != want_due:
            problems.append(f"{number}: due {commitment.due_date}, expected {want_due}")
        if "note" in spec and spec["note"].casefold() not in _recorded_text(commitment):
            problems.append(
                f"{number}: {spec['note']!r} not recorded (progress note "
                f"{commitment.progress_note!r})"
            )
        changes = list(
            CommitmentChange.objects.filter(commitment=commitment, channel=Channel.EMAIL_REPLY)
        )
        changed = want_status != status0 or want_due != due0 or "note" in spec
        if changed:
            if not any(
                c.by_person_id == person.pk and c.message_id == row.message_id and row.message_id
                for c in changes
            ):
                problems.append(
                    f"{number}: no email-reply change by the person with the message id"
                )
        elif case.status != "needs_look" and changes:
            # Only an unclear reply may leave a note on a commitment it does not change.
            problems.append(f"{number}: an email-reply change recorded, expected none")
    other = world.other_commitment
    other.refresh_from_db()
    if (other.status, other.due_date, other.progress_note) != (
        Commitment.Status.OPEN,
        originals[other.pk][1],
        "",
    ) or CommitmentChange.objects.filter(commitment=other).exists():
        problems.append("Omar's commitment changed")

    # Help requests, one per need-help/blocked commitment, from this reply.
    numbers = {c.pk: n for n, c in enumerate(world.commitments, start=1)}
    opened = {numbers.get(h.commitment_id, -1): h.kind for h in HelpRequest.objects.all()}
    if HelpRequest.objects.count() != len(case.help) or opened != case.help:
        problems.append(f"help requests {opened}, expected {case.help}")
    for h in HelpRequest.objects.all():
        if (h.person_id, h.channel, h.inbound_id, h.status, h.table_id) != (
            person.pk,
            Channel.EMAIL_REPLY,
            row.pk,
            HelpRequest.Status.OPEN,
            world.table.pk,
        ):
            problems.append(f"help request {h.pk} not from this reply, open, at the table")

    # Emails: one confirmation to the person when expected, one note to the co-chair per help
    # request, nothing else.
    new = list(OutboundEmail.objects.filter(pk__gte=first_outbound).order_by("pk"))
    confirmations = [e for e in new if e.kind == "reply_confirmation"]
    notices = [e for e in new if e.kind == "help_request"]
    others = [e for e in new if e.kind not in ("reply_confirmation", "help_request")]
    if others:
        problems.append(f"unexpected emails: {[(e.kind, e.to) for e in others]}")
    if len(confirmations) != int(case.confirm):
        problems.append(f"{len(confirmations)} confirmations, expected {int(case.confirm)}")
    if any(e.to != [person.email] for e in confirmations):
        problems.append(f"confirmation sent to {[e.to for e in confirmations]}")
    if (row.confirmation_id is not None) != case.confirm or (
        confirmations and row.confirmation_id != confirmations[0].pk
    ):
        problems.append("the row does not name its confirmation email")
    if len(notices) != len(case.help):
        problems.append(f"{len(notices)} co-chair notices, expected {len(case.help)}")
    if any(e.to != [COCHAIR[1]] for e in notices):
        problems.append(f"co-chair notices sent to {[e.to for e in notices]}")

    # The NAG email answered shows as replied in the email log; only the person's own reply.
    world.nag.email.refresh_from_db()
    world.other_nag.email.refresh_from_db()
    replied = case.status in ("applied", "needs_look")
    if (world.nag.email.status == OutboundEmail.Status.REPLIED) != replied:
        problems.append(f"the NAG email is {world.nag.email.status!r}")
    if world.other_nag.email.status == OutboundEmail.Status.REPLIED:
        problems.append("Omar's NAG email was marked replied")
    return problems


# --- The tests ---------------------------------------------------------------------------------


def run_case(
    case: Expected,
    way: str,
    request: pytest.FixtureRequest,
    capture: Callable[..., Any],
) -> None:
    world = build_world(case.scenario)
    raw = substitute(case.path.read_bytes(), world.placeholders(uid_for(case.name)))
    originals = {c.pk: (c.status, c.due_date) for c in [*world.commitments, world.other_commitment]}
    first_outbound = (
        OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    event_id = str(uuid.uuid5(uuid.NAMESPACE_OID, case.name))

    def deliver() -> str:
        if way == "pipe":
            return pipe(raw, capture)
        return webhook(raw, capture, event_id=event_id)

    with time_machine.travel(REPLY_READ_AT, tick=False):
        detail = deliver()
        problems = outcome_mismatches(world, case, originals, first_outbound)
        before = state()
        deliver()  # the same message again: one effect
        if state() != before:
            problems.append("the same message received twice changed something")
    row = InboundEmail.objects.first()
    request.node.user_properties.append(
        (
            CORPUS_KEY,
            {
                "name": case.name,
                "way": way,
                "ok": not problems,
                "problems": problems,
                "status": row.status if row else "",
                "reason": row.reason if row else "",
                "visible": row.visible_text if row else "",
                "intents": list(case.intents),
                "client": case.client,
                "language": case.language,
            },
        )
    )
    assert not problems, (
        f"{case.name} via {way} ({detail.strip()}): "
        + "; ".join(problems)
        + f"\n  read: {row.visible_text if row else ''!r}\n  reason: {row.reason if row else ''!r}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_piped_to_ingest_email(
    case: Expected,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run_case(case, "pipe", request, django_capture_on_commit_callbacks)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_posted_to_the_inbound_webhook(
    case: Expected,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run_case(case, "webhook", request, django_capture_on_commit_callbacks)


def test_the_corpus_covers_every_client_language_and_intent() -> None:
    """At least 60 messages, and each kind the issue names is there."""
    assert len(CASES) >= 70
    files = {p.stem for p in CASES[0].path.parent.glob("*.eml")}
    assert files == {c.name for c in CASES}, "every .eml has an expected outcome and back"
    intents = {i for c in CASES for i in c.intents}
    assert intents >= {
        "done",
        "in_progress",
        "need_help",
        "blocked",
        "new_date",
        "drop",
        "unclear",
        "automatic",
        "bounce",
        "none",
    }
    statuses = {c.status for c in CASES}
    assert statuses == {"applied", "needs_look", "held", "ignored", "unmatched"}
    assert {c.language for c in CASES} == {"en", "es"}
    clients = " ".join(c.client for c in CASES)
    for name in (
        "Gmail",
        "Outlook desktop",
        "Outlook on the web",
        "Apple Mail",
        "iOS Mail",
        "Android",
        "Thunderbird",
        "Yahoo",
        "HTML only",
        "inline",
    ):
        assert name in clients, name
