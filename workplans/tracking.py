"""What the email provider tells us after sending: bounces and spam complaints.

anymail turns each provider's webhook (Postmark, Mailgun, Amazon SES, Brevo, ...) into one
normalized event and sends it through its `tracking` signal; the receiver below is connected
in WorkplansConfig.ready and only hands the event to `tracking_event_record`. A bounce, a
complaint or a rejection marks the email bounced in the email log and flags everyone with that
address in the organization that sent it as undeliverable, so the reminder sweep stops writing
to them ("address undeliverable") until staff clear it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from backbone.models import OutboundEmail
from initiatives.models import Person

log = logging.getLogger(__name__)

# anymail's normalized event types that mean "do not write to this address again".
UNDELIVERABLE_EVENTS = ("bounced", "complained", "rejected")
# Without the provider's message id, a bounce is matched to the newest email to that address
# sent within this window.
MATCH_WINDOW = timedelta(days=30)
REASON_MAX = 200


@dataclass
class TrackingOutcome:
    email: OutboundEmail | None = None
    people_flagged: int = 0


def _reason(event_type: str, description: str, mta_response: str) -> str:
    detail = " ".join((description or mta_response or "").split())
    label = {
        "bounced": "Bounced",
        "complained": "Marked as spam by the recipient",
        "rejected": "Rejected by the email provider",
    }[event_type]
    return (f"{label}: {detail}" if detail else label)[:REASON_MAX]


def _email_for(recipient: str, message_id: str, now: datetime) -> OutboundEmail | None:
    if message_id:
        found = OutboundEmail.objects.filter(message_id=message_id).first()
        if found is not None:
            return found
    if not recipient:
        return None
    # Emails sent on an organization's behalf have one recipient (reminders, invitations).
    return (
        OutboundEmail.objects.filter(
            organization__isnull=False,
            created_at__gte=now - MATCH_WINDOW,
            to__0__iexact=recipient,
        )
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def tracking_event_record(
    *,
    event_type: str,
    recipient: str,
    message_id: str = "",
    description: str = "",
    mta_response: str = "",
    now: datetime | None = None,
) -> TrackingOutcome:
    """Record one provider event. Only bounces, complaints and rejections change anything."""
    if event_type not in UNDELIVERABLE_EVENTS:
        return TrackingOutcome()
    now = now or timezone.now()
    email = _email_for(recipient.strip(), message_id or "", now)
    if email is None or email.organization_id is None:
        # Without the email we cannot tell which organization's contact this is.
        log.info("Tracking event %s for %s matches no email; ignored", event_type, recipient)
        return TrackingOutcome()
    reason = _reason(event_type, description, mta_response)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.BOUNCED, error=reason, updated_at=now
    )
    email.status = OutboundEmail.Status.BOUNCED
    email.error = reason
    address = recipient.strip() or (email.to[0] if email.to else "")
    flagged = person_mark_undeliverable(
        organization_id=email.organization_id, email=address, reason=reason, at=now
    )
    return TrackingOutcome(email=email, people_flagged=flagged)


def person_mark_undeliverable(
    *, organization_id: int, email: str, reason: str, at: datetime
) -> int:
    """Flag everyone of the organization with this address; the first reason is kept."""
    if not email:
        return 0
    return Person.objects.filter(
        organization_id=organization_id, email__iexact=email, undeliverable_at__isnull=True
    ).update(undeliverable_at=at, undeliverable_reason=reason[:REASON_MAX], updated_at=at)


def outbound_email_mark_replied(*, email: OutboundEmail) -> None:
    """The recipient answered this email (the inbound reply handling calls this): the email
    log shows it as replied. A delivered email only; a bounce stays a bounce."""
    OutboundEmail.objects.filter(
        pk=email.pk, status__in=(OutboundEmail.Status.SENT, OutboundEmail.Status.KEPT)
    ).update(status=OutboundEmail.Status.REPLIED, updated_at=timezone.now())


def on_tracking_event(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's `tracking` signal receiver: thin, the rules are in tracking_event_record."""
    tracking_event_record(
        event_type=str(event.event_type or ""),
        recipient=str(event.recipient or ""),
        message_id=str(event.message_id or ""),
        description=str(event.description or ""),
        mta_response=str(event.mta_response or ""),
    )
