"""Delivering an outbox row through the real transport chosen by EMAIL_URL.

The row is the source of truth, not the broker: a worker claims a queued row (compare-and-set
on claimed_at), sends, and records the outcome. A lost task (broker restarted, worker killed)
leaves a queued row that the periodic sweep hands to a worker again. The one window no database
can close — the provider accepted the message and the process died before recording it — may
send that email twice; we prefer that to losing it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.utils import timezone

from backbone.models import OutboundEmail

# A claim older than this belongs to a worker that died; the row may be claimed again.
CLAIM_TIMEOUT = timedelta(minutes=10)
# A queued row this old with no live claim is assumed to have lost its task.
STUCK_AFTER = timedelta(minutes=2)


def _claimable(now: datetime) -> Q:
    return Q(status=OutboundEmail.Status.QUEUED) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def outbound_email_deliver(*, pk: int) -> OutboundEmail | None:
    """Send one queued email. Raises on a transport error so the task can retry it."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(_claimable(now), pk=pk).update(
        claimed_at=now, next_attempt_at=None
    )
    if claimed != 1:
        return None  # sent already, or another worker holds it
    row = OutboundEmail.objects.get(pk=pk)
    # One Message-ID per email, kept across retries, so a receiver can tell a retry from a
    # new email and a reply's In-Reply-To can name it.
    message_id = row.message_id or make_msgid(
        domain=(parseaddr(row.from_email)[1].rpartition("@")[2] or "backbone.local")
    )
    OutboundEmail.objects.filter(pk=pk).update(attempts=row.attempts + 1, message_id=message_id)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        reply_to=row.reply_to,
        headers={**row.headers, "Message-ID": message_id},
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    try:
        get_connection(settings.BACKBONE_DELIVERY_BACKEND, fail_silently=False).send_messages(
            [message]
        )
    except Exception as exc:
        OutboundEmail.objects.filter(pk=pk).update(
            claimed_at=None, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    # An email provider (anymail) answers with its own id, which its bounce and complaint
    # webhooks quote: keep that one when there is one.
    provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    OutboundEmail.objects.filter(pk=pk).update(
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        claimed_at=None,
        error="",
        message_id=str(provider_id or message_id)[:255],
    )
    row.refresh_from_db()
    return row


def outbound_email_schedule_retry(*, pk: int, delay: timedelta) -> None:
    OutboundEmail.objects.filter(pk=pk, status=OutboundEmail.Status.QUEUED).update(
        next_attempt_at=timezone.now() + delay
    )


def outbound_email_fail(*, pk: int, error: str) -> None:
    OutboundEmail.objects.filter(pk=pk, status=OutboundEmail.Status.QUEUED).update(
        status=OutboundEmail.Status.FAILED, error=error[:2000], claimed_at=None
    )


def stuck_email_ids(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        OutboundEmail.objects.filter(_claimable(now), created_at__lt=now - STUCK_AFTER)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)[:500]
    )
