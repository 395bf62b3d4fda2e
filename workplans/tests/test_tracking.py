"""Bounces and complaints from the email provider: anymail's tracking webhook (guarded by its
basic-auth secret) and signal flag the person undeliverable in the organization that sent the
email, mark the email bounced, and the next reminder sweep skips them."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from anymail.signals import AnymailTrackingEvent, tracking
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.test import Client

from backbone.models import OutboundEmail
from initiatives.models import Person
from initiatives.tests.factories import PersonFactory, SeatFactory, TableFactory
from tests.factories import OutboundEmailFactory
from tests.fixtures import Personas
from workplans.models import Meeting, Reminder, Touch
from workplans.reminders import reminders_schedule_for_closed_meeting, send_due_reminders
from workplans.tests.factories import CommitmentFactory, MeetingFactory
from workplans.tracking import outbound_email_mark_replied, tracking_event_record

SECRET = "hooks:s3cret-for-tests"
URL = "/anymail/postmark/tracking/"
ADDRESS = "ana@partners.example.org"
NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _webhook_secret(settings: Any) -> None:
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


def _postmark_bounce(address: str, message_id: str = "", kind: str = "HardBounce") -> str:
    return json.dumps(
        {
            "RecordType": "Bounce",
            "ID": 4323372036854775807,
            "Type": kind,
            "MessageID": message_id or "00000000-0000-0000-0000-000000000000",
            "Description": "The server was unable to deliver your message (ex: unknown user).",
            "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
            "Email": address,
            "BouncedAt": "2026-03-12T15:00:00Z",
            "Inactive": True,
        }
    )


def _flags(person: Any) -> tuple[bool, str]:
    person.refresh_from_db()
    return person.undeliverable_at is not None, person.undeliverable_reason


@pytest.fixture
def sent(personas: Personas) -> dict[str, Any]:
    """Ana has the same address in Lakeshore and in Riverside; Lakeshore emailed her."""
    ana = PersonFactory(organization=personas.org, full_name="Ana Diaz", email=ADDRESS)
    twin = PersonFactory(organization=personas.other_org, full_name="Ana D.", email=ADDRESS)
    bystander = PersonFactory(organization=personas.org, email="omar@partners.example.org")
    email = OutboundEmailFactory(organization=personas.org, to=[ADDRESS], kind="nag_recap")
    return {"ana": ana, "twin": twin, "bystander": bystander, "email": email}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, _auth("hooks:wrong"), _auth("someone:" + SECRET)])
def test_webhook_without_its_secret_is_refused_and_changes_nothing(
    client: Client, sent: dict[str, Any], headers: dict[str, str]
) -> None:
    response = client.post(
        URL, _postmark_bounce(ADDRESS), content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert _flags(sent["ana"]) == (False, "")
    assert OutboundEmail.objects.get(pk=sent["email"].pk).status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_webhook_with_its_secret_flags_the_sender_organizations_person_and_the_email(
    client: Client, sent: dict[str, Any]
) -> None:
    response = client.post(
        URL,
        _postmark_bounce(ADDRESS.upper()),
        content_type="application/json",
        headers=_auth(SECRET),
    )

    assert response.status_code == 200
    reason = "Bounced: The server was unable to deliver your message (ex: unknown user)."
    assert _flags(sent["ana"]) == (True, reason)
    # The same address in another organization is that organization's business.
    assert _flags(sent["twin"]) == (False, "")
    assert _flags(sent["bystander"]) == (False, "")
    email = OutboundEmail.objects.get(pk=sent["email"].pk)
    assert (email.status, email.error) == (OutboundEmail.Status.BOUNCED, reason)


@pytest.mark.django_db
def test_unset_secret_accepts_no_webhook(
    client: Client, sent: dict[str, Any], settings: Any
) -> None:
    # What config/settings.py does when ANYMAIL_WEBHOOK_SECRET is not set: a random secret.
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "unset:Zr0mXq"}

    response = client.post(URL, _postmark_bounce(ADDRESS), content_type="application/json")

    assert response.status_code == 400
    assert _flags(sent["ana"]) == (False, "")


def _send_signal(event_type: str, recipient: str, **extra: Any) -> None:
    event = AnymailTrackingEvent(
        event_type=event_type,
        recipient=recipient,
        timestamp=NOW,
        esp_event={},
        **extra,
    )
    tracking.send(sender=PostmarkTrackingWebhookView, event=event, esp_name="Postmark")


@pytest.mark.django_db
def test_complaint_through_the_signal_flags_the_person(sent: dict[str, Any]) -> None:
    _send_signal("complained", ADDRESS, reject_reason="spam")

    assert _flags(sent["ana"]) == (True, "Marked as spam by the recipient")
    assert OutboundEmail.objects.get(pk=sent["email"].pk).status == OutboundEmail.Status.BOUNCED


@pytest.mark.django_db
def test_rejection_keeps_the_first_reason(sent: dict[str, Any]) -> None:
    _send_signal("rejected", ADDRESS, description="Recipient is on the suppression list")
    _send_signal("complained", ADDRESS)

    assert _flags(sent["ana"]) == (
        True,
        "Rejected by the email provider: Recipient is on the suppression list",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("event_type", ["delivered", "deferred", "opened", "clicked", "queued"])
def test_other_events_change_nothing(sent: dict[str, Any], event_type: str) -> None:
    _send_signal(event_type, ADDRESS)

    assert _flags(sent["ana"]) == (False, "")
    assert OutboundEmail.objects.get(pk=sent["email"].pk).status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_provider_message_id_picks_the_organization_that_sent_it(
    personas: Personas, sent: dict[str, Any]
) -> None:
    # Riverside emailed Ana later, but the bounce names Lakeshore's message.
    sent["email"].message_id = "pm-lakeshore-1"
    sent["email"].save()
    riverside_email: Any = OutboundEmailFactory(organization=personas.other_org, to=[ADDRESS])

    _send_signal("bounced", ADDRESS, message_id="pm-lakeshore-1")

    assert _flags(sent["ana"])[0] is True
    assert _flags(sent["twin"]) == (False, "")
    assert OutboundEmail.objects.get(pk=riverside_email.pk).status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_without_message_id_the_newest_email_to_the_address_decides(
    personas: Personas, sent: dict[str, Any]
) -> None:
    riverside_email: Any = OutboundEmailFactory(organization=personas.other_org, to=[ADDRESS])

    _send_signal("bounced", ADDRESS, message_id="unknown-to-us")

    assert _flags(sent["twin"])[0] is True
    assert _flags(sent["ana"]) == (False, "")
    assert OutboundEmail.objects.get(pk=riverside_email.pk).status == OutboundEmail.Status.BOUNCED
    assert OutboundEmail.objects.get(pk=sent["email"].pk).status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_bounce_for_an_address_we_did_not_email_recently_changes_nothing(
    personas: Personas, sent: dict[str, Any]
) -> None:
    OutboundEmail.objects.filter(pk=sent["email"].pk).update(
        created_at=datetime.now(UTC) - timedelta(days=31)
    )

    outcome = tracking_event_record(event_type="bounced", recipient=ADDRESS)

    assert (outcome.email, outcome.people_flagged) == (None, 0)
    assert _flags(sent["ana"]) == (False, "")


@pytest.mark.django_db
def test_replied_marks_a_delivered_email_but_not_a_bounced_one(personas: Personas) -> None:
    delivered: Any = OutboundEmailFactory(
        organization=personas.org, status=OutboundEmail.Status.SENT
    )
    bounced: Any = OutboundEmailFactory(
        organization=personas.org, status=OutboundEmail.Status.BOUNCED
    )

    outbound_email_mark_replied(email=delivered)
    outbound_email_mark_replied(email=bounced)

    delivered.refresh_from_db()
    bounced.refresh_from_db()
    assert (delivered.status, bounced.status) == ("replied", "bounced")


@pytest.mark.django_db
def test_after_a_bounce_the_next_sweep_skips_the_person(personas: Personas) -> None:
    table: Any = TableFactory(initiative__organization=personas.org, initiative__time_zone="UTC")
    ana: Any = PersonFactory(organization=personas.org, full_name="Ana Diaz", email=ADDRESS)
    omar: Any = PersonFactory(organization=personas.org, full_name="Omar Haddad")
    for person in (ana, omar):
        SeatFactory(table=table, person=person)
    meeting: Any = MeetingFactory(
        table=table,
        starts_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        status=Meeting.Status.CLOSED,
        closed_at=datetime(2026, 3, 2, 17, 0, tzinfo=UTC),
    )
    CommitmentFactory(meeting=meeting, person=ana, due_date=date(2026, 4, 1))
    CommitmentFactory(meeting=meeting, person=omar, due_date=date(2026, 4, 1))
    reminders_schedule_for_closed_meeting(meeting=meeting)
    with time_machine.travel(datetime(2026, 3, 2, 17, 5, tzinfo=UTC), tick=False):
        first = send_due_reminders()
    assert sorted(first.recipients) == sorted([ADDRESS, omar.email])

    with time_machine.travel(datetime(2026, 3, 3, 8, 0, tzinfo=UTC), tick=False):
        _send_signal("bounced", ADDRESS, description="Mailbox does not exist")

    # The check-in is due 14 days after the meeting, at 09:00 UTC on Monday March 16.
    with time_machine.travel(datetime(2026, 3, 16, 9, 1, tzinfo=UTC), tick=False):
        second = send_due_reminders()
    assert second.recipients == [omar.email]
    check_in = Reminder.objects.get(meeting=meeting, touch=Touch.CHECK_IN, person=ana)
    assert (check_in.status, check_in.skip_reason) == ("skipped", "address undeliverable")
    assert OutboundEmail.objects.filter(to=[ADDRESS], kind="nag_check_in").count() == 0
    assert Person.objects.get(pk=ana.pk).undeliverable_reason == "Bounced: Mailbox does not exist"


@pytest.mark.django_db
def test_tracking_receiver_is_connected_once() -> None:
    receivers = [r for r in tracking.receivers if r[0][0] == "workplans.tracking"]
    assert len(receivers) == 1


@pytest.mark.django_db
def test_a_long_provider_description_is_cut_to_the_field(sent: dict[str, Any]) -> None:
    _send_signal("bounced", ADDRESS, description="x" * 500)

    flagged, reason = _flags(sent["ana"])
    assert (flagged, len(reason), reason[:10]) == (True, 200, "Bounced: x")
