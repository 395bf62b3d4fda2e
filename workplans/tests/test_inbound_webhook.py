"""Replies posted by the email provider to anymail's inbound webhooks
(/anymail/<provider>/inbound/): refused without the basic-auth secret or the provider's
signature, refused when the provider's timestamp is stale, stored once per event and per
Message-ID, and processed through the same path as the pipe. Real Postmark (JSON) and Mailgun
(signed form post) payloads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType, inbound
from django.test import Client
from django.utils import timezone

from backbone.models import OutboundEmail
from workplans.models import HelpRequest, InboundEmail
from workplans.tests.reply_world import ANA, REPLY_AT, reply_message, reply_world

SECRET = "hooks:s3cret-for-tests"
SIGNING_KEY = "key-mailgun-signing-for-tests"
POSTMARK = "/anymail/postmark/inbound/"
MAILGUN = "/anymail/mailgun/inbound/"
UNKNOWN = "reply+zz9yy8xx7ww6vv5uu4tt@reply.example.org"
# Mailgun's per-post random token: anymail's event id.
MAILGUN_TOKEN = "5f0c4e6b0e1a4c4f9bbd2d1e97c5a7f03e2b1c0a9f8e7d6c5b"


@pytest.fixture(autouse=True)
def _webhook_secrets(settings: Any) -> None:
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


def auth(secret: str = SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


RAW = (
    "Return-Path: <ana@partners.example.org>\r\n"
    "From: Ana Diaz <ana@partners.example.org>\r\n"
    f"To: {UNKNOWN}\r\n"
    "Subject: Re: How is it going? Your commitments for Early Learning\r\n"
    "Message-ID: <CAF=webhook-1@mail.gmail.com>\r\n"
    "Date: Wed, 25 Mar 2026 10:00:00 -0500\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: text/plain; charset="UTF-8"\r\n'
    "\r\n"
    "All done, thanks!\r\n"
)


def postmark_payload(
    *,
    raw: str | None = RAW,
    event_id: str = "a8c1040e-db1c-4e18-ac79-bc5f64c7ce2c",
    to: str = UNKNOWN,
    text: str = "All done, thanks!",
    message_id: str = "<CAF=webhook-1@mail.gmail.com>",
) -> str:
    """Postmark's inbound JSON (as documented), with RawEmail when "include raw content" is on."""
    payload: dict[str, Any] = {
        "FromName": "Ana Diaz",
        "MessageStream": "inbound",
        "From": ANA,
        "FromFull": {"Email": ANA, "Name": "Ana Diaz", "MailboxHash": ""},
        "To": to,
        "ToFull": [{"Email": to, "Name": "", "MailboxHash": to.split("+")[1].split("@")[0]}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": to,
        "Subject": "Re: How is it going? Your commitments for Early Learning",
        "MessageID": event_id,
        "ReplyTo": "",
        "MailboxHash": to.split("+")[1].split("@")[0],
        "Date": "Wed, 25 Mar 2026 10:00:00 -0500",
        "TextBody": text,
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": f"<{ANA}>"},
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "X-Spam-Score", "Value": "-0.1"},
            {"Name": "MIME-Version", "Value": "1.0"},
            {"Name": "Message-ID", "Value": message_id},
        ],
        "Attachments": [],
    }
    if raw is not None:
        payload["RawEmail"] = raw
    return json.dumps(payload)


def mailgun_post(
    client: Client,
    *,
    raw: str = RAW,
    timestamp: int | None = None,
    token: str = MAILGUN_TOKEN,
    key: str = SIGNING_KEY,
    headers: dict[str, str] | None = None,
    recipient: str = UNKNOWN,
) -> Any:
    """Mailgun's route forward() with "raw MIME": a signed multipart form post."""
    stamp = str(timestamp if timestamp is not None else int(timezone.now().timestamp()))
    signature = hmac.new(key.encode(), f"{stamp}{token}".encode(), hashlib.sha256).hexdigest()
    return client.post(
        MAILGUN,
        {
            "recipient": recipient,
            "sender": ANA,
            "from": f"Ana Diaz <{ANA}>",
            "subject": "Re: How is it going? Your commitments for Early Learning",
            "body-mime": raw,
            "timestamp": stamp,
            "token": token,
            "signature": signature,
        },
        headers=auth() if headers is None else headers,
    )


# --- Postmark ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, auth("hooks:wrong"), auth("someone:" + SECRET)])
def test_postmark_without_the_secret_is_refused_and_nothing_stored(
    client: Client, headers: dict[str, str]
) -> None:
    response = client.post(
        POSTMARK, postmark_payload(), content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert InboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_postmark_raw_email_is_stored_as_received_and_processing_queued(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            POSTMARK, postmark_payload(), content_type="application/json", headers=auth()
        )

    assert response.status_code == 200
    assert len(queued) == 1
    row = InboundEmail.objects.get()
    assert (row.source, row.provider, row.event_id, row.status) == (
        "webhook",
        "postmark",
        "a8c1040e-db1c-4e18-ac79-bc5f64c7ce2c",
        "received",
    )
    assert row.message_key == "CAF=webhook-1@mail.gmail.com"
    # The provider's raw message, with the envelope recipient in front as a mail server adds it.
    assert bytes(row.raw) == f"X-Original-To: {UNKNOWN}\r\n{RAW}".encode()
    assert row.recipients == [UNKNOWN]


@pytest.mark.django_db
def test_the_same_postmark_event_twice_is_one_row(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        first = client.post(
            POSTMARK, postmark_payload(), content_type="application/json", headers=auth()
        )
        # Postmark retried without the raw content (rebuilt from its fields).
        second = client.post(
            POSTMARK, postmark_payload(raw=None), content_type="application/json", headers=auth()
        )

    assert (first.status_code, second.status_code) == (200, 200)
    assert InboundEmail.objects.count() == 1
    assert len(queued) == 1


@time_machine.travel(REPLY_AT, tick=False)
def test_a_reply_posted_by_postmark_without_raw_content_is_applied(
    personas: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    world = reply_world(personas)
    message = reply_message(world, "Done with the first one. 3 is on track.")
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    payload = postmark_payload(
        raw=None,
        to=world.reply_address,
        text=body.get_content(),
        message_id=str(message["Message-ID"]),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(POSTMARK, payload, content_type="application/json", headers=auth())

    assert response.status_code == 200
    row = InboundEmail.objects.get()
    assert (row.status, row.person_id, row.nag_message_id) == (
        "applied",
        world.ana.pk,
        world.nag.pk,
    )
    assert [world.fresh(n).status for n in (1, 2, 3)] == ["done", "open", "open"]


# --- Mailgun -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mailgun_signed_post_is_stored(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        response = mailgun_post(client)

    assert response.status_code == 200
    assert len(queued) == 1
    row = InboundEmail.objects.get()
    assert (row.source, row.provider, row.event_id, row.message_key) == (
        "webhook",
        "mailgun",
        MAILGUN_TOKEN,
        "CAF=webhook-1@mail.gmail.com",
    )
    assert bytes(row.raw) == f"X-Original-To: {UNKNOWN}\r\n{RAW}".encode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "headers"),
    [
        ("key-someone-else", None),  # a forged signature
        (SIGNING_KEY, {}),  # signed, but without the basic-auth secret
    ],
    ids=["bad signature", "no secret"],
)
def test_mailgun_without_signature_or_secret_is_refused(
    client: Client, key: str, headers: dict[str, str] | None
) -> None:
    response = mailgun_post(client, key=key, headers=headers)

    assert response.status_code == 400
    assert InboundEmail.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-16 * 60, 16 * 60], ids=["stale", "from the future"])
def test_mailgun_with_a_timestamp_outside_the_window_is_refused(
    client: Client, offset: int
) -> None:
    stamp = int(timezone.now().timestamp()) + offset

    response = mailgun_post(client, timestamp=stamp)

    assert response.status_code == 400
    assert InboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_mailgun_within_the_window_is_accepted(client: Client, settings: Any) -> None:
    settings.BACKBONE_INBOUND_REPLAY_SECONDS = 20 * 60
    stamp = int((timezone.now() - timedelta(minutes=16)).timestamp())

    response = mailgun_post(client, timestamp=stamp)

    assert response.status_code == 200
    assert InboundEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_mailgun_post_is_one_row(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        first = mailgun_post(client)
        replay = mailgun_post(client)
        # The same message again under a new token (Mailgun retried): the Message-ID decides.
        retried = mailgun_post(client, token="0" * 50)

    assert (first.status_code, replay.status_code, retried.status_code) == (200, 200, 200)
    assert InboundEmail.objects.count() == 1
    assert len(queued) == 1


@time_machine.travel(REPLY_AT, tick=False)
def test_a_reply_posted_by_mailgun_is_applied_once_and_an_auto_reply_ignored(
    personas: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    world = reply_world(personas)
    reply = reply_message(world, "1 is done, 2 I need help with the venue")
    away = reply_message(world, "I am away until April 2.", message_id="<ooo-1@mail.example>")
    away.replace_header("Subject", "Automatic reply: " + str(away["Subject"]))
    emails_before = OutboundEmail.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        applied = mailgun_post(client, raw=reply.as_string(), recipient=world.reply_address)
    with django_capture_on_commit_callbacks(execute=True):
        again = mailgun_post(
            client, raw=reply.as_string(), recipient=world.reply_address, token="1" * 50
        )
        ignored = mailgun_post(
            client, raw=away.as_string(), recipient=world.reply_address, token="2" * 50
        )

    assert (applied.status_code, again.status_code, ignored.status_code) == (200, 200, 200)
    statuses = dict(InboundEmail.objects.values_list("message_key", "status"))
    assert statuses == {"CAF=reply-1@mail.gmail.com": "applied", "ooo-1@mail.example": "ignored"}
    assert [world.fresh(n).status for n in (1, 2, 3)] == ["done", "need_help", "open"]
    assert HelpRequest.objects.count() == 1
    # Two co-chairs told, one confirmation to Ana; nothing for the repeat or the auto-reply.
    assert OutboundEmail.objects.count() == emails_before + 3


# --- Timestamps that prove nothing --------------------------------------------------------------


@pytest.mark.django_db
def test_an_unsigned_provider_timestamp_does_not_refuse_a_late_delivery() -> None:
    """Amazon SES dates the message, but nothing signs that date (anymail does not check SNS
    signatures): refusing an old one would only lose a reply SNS delivered late. A signed one
    (Mailgun's) is refused."""
    late = timezone.now() - timedelta(hours=2)

    def event(event_id: str) -> AnymailInboundEvent:
        return AnymailInboundEvent(
            event_type=EventType.INBOUND,
            timestamp=late,
            event_id=event_id,
            esp_event={},
            message=AnymailInboundMessage.parse_raw_mime(RAW),
        )

    inbound.send(sender=None, event=event("ses-1"), esp_name="Amazon SES")
    with pytest.raises(AnymailWebhookValidationFailure):
        inbound.send(sender=None, event=event("mg-1"), esp_name="Mailgun")

    assert list(InboundEmail.objects.values_list("provider", "event_id")) == [
        ("amazon_ses", "ses-1")
    ]
