"""Delivering an outbox row through the real transport chosen by EMAIL_URL.

The row is the source of truth, not the broker: a worker claims a queued row (compare-and-set
on claimed_at), sends, and records the outcome. A lost task (broker restarted, worker killed)
leaves a queued row that the periodic sweep hands to a worker again. The one window no database
can close — the provider accepted the message and the process died before recording it — may
send that email twice; we prefer that to losing it.
"""

from __future__ import annotations

import contextlib
import smtplib
import time
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q
from django.utils import timezone

from backbone.mail.attachments import resolve
from backbone.models import OutboundEmail

# A claim older than this belongs to a worker that died; the row may be claimed again.
CLAIM_TIMEOUT = timedelta(minutes=10)
# A queued row this old with no live claim is assumed to have lost its task.
STUCK_AFTER = timedelta(minutes=2)


def _claimable(now: datetime) -> Q:
    return Q(status=OutboundEmail.Status.QUEUED) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


DJANGO_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _backend() -> str:
    """The configured backend; SMTP goes through backbone.mail.smtp, Django's SMTP backend
    with a faster conversion of the message to bytes (the same bytes)."""
    path = settings.BACKBONE_DELIVERY_BACKEND
    return "backbone.mail.smtp.EmailBackend" if path == DJANGO_SMTP_BACKEND else path


class _Transport:
    """The worker process's open connection to the email transport, reused from one email to
    the next: a new SMTP session per email (connect, greeting, EHLO, maybe STARTTLS and AUTH)
    costs more than sending it. A connection idle for a while is reopened rather than trusted;
    any failure closes it, so the next email starts afresh."""

    IDLE_SECONDS = 30.0

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None
        self.key: tuple[str, str, int] | None = None
        self.last_used = 0.0

    def _key(self) -> tuple[str, str, int]:
        return (settings.BACKBONE_DELIVERY_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)

    def close(self) -> None:
        if self.connection is not None:
            # A dead connection is dropped either way.
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None

    def send(self, message: EmailMultiAlternatives) -> None:
        key = self._key()
        if (
            self.connection is not None
            and self.key == key
            and time.monotonic() - self.last_used < self.IDLE_SECONDS
        ):
            try:
                self._send(message)
                return
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                # The server closed the session while it sat idle, before this email was
                # handed over: send it once more on a fresh connection.
                self.close()
        else:
            self.close()
        connection = get_connection(_backend(), fail_silently=False)
        connection.open()
        self.connection, self.key = connection, key
        self._send(message)

    def _send(self, message: EmailMultiAlternatives) -> None:
        assert self.connection is not None
        try:
            self.connection.send_messages([message])
        except Exception:
            self.close()
            raise
        self.last_used = time.monotonic()


_transport = _Transport()


def _message_id_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "backbone.local"


def _claim(row: OutboundEmail) -> bool:
    """Claim a row read a moment ago (compare-and-set): only if it is still claimable and
    nobody attempted it since it was read. Counts the attempt and, on the first, fixes the
    email's Message-ID, kept across retries so a receiver can tell a retry from a new email and
    a reply's In-Reply-To can name it. On success the row in hand is updated to match."""
    now = timezone.now()
    claim: dict[str, Any] = {
        "claimed_at": now,
        "next_attempt_at": None,
        "attempts": row.attempts + 1,
    }
    if not row.message_id:
        claim["message_id"] = make_msgid(domain=_message_id_domain())
    claimed = OutboundEmail.objects.filter(
        _claimable(now), pk=row.pk, attempts=row.attempts
    ).update(**claim)
    if claimed != 1:
        return False  # sent, held by another worker, or attempted by one since it was read
    for name, value in claim.items():
        setattr(row, name, value)
    return True


def outbound_email_deliver(*, pk: int) -> OutboundEmail | None:
    """Send one queued email. Raises on a transport error so the task can retry it.
    Three queries: read, claim, record; and one per attached file, read as it is sent."""
    row = OutboundEmail.objects.filter(_claimable(timezone.now()), pk=pk).first()
    if row is None or not _claim(row):
        return None  # sent already, or another worker holds it
    return _send_claimed(row)


def outbound_emails_deliver(*, pks: list[int]) -> list[tuple[int, Exception]]:
    """Send several queued emails, one after another, over the worker's one connection: one
    query reads them all, then each is claimed, sent and recorded on its own, as
    outbound_email_deliver does, so a worker that dies mid-way leaves each email sent and
    recorded, claimed (the one in flight, retried once its claim times out) or untouched (its
    row still queued, handed to a worker again by requeue_stuck_emails). An email someone
    attempted since it was read is another worker's, sent or on its way, and skipped, as is
    one sent already or held. Returns each email that failed, with its error, for the caller to
    retry; the others are sent. 1 + 2 queries per email."""
    failed: list[tuple[int, Exception]] = []
    rows = OutboundEmail.objects.filter(_claimable(timezone.now()), pk__in=pks).order_by("pk")
    for row in rows:
        if not _claim(row):
            continue
        try:
            _send_claimed(row)
        except Exception as exc:
            failed.append((row.pk, exc))
    return failed


def _send_claimed(row: OutboundEmail) -> OutboundEmail:
    """Hand a claimed row's message to the transport and record the outcome (one query, and
    one per attached file). On any error the claim is released, the error recorded, and the
    error raised."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        reply_to=row.reply_to,
        headers={**row.headers, "Message-ID": row.message_id},
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    try:
        for attachment in resolve(row.attachments):
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        _transport.send(message)
    except Exception as exc:
        OutboundEmail.objects.filter(pk=row.pk).update(
            claimed_at=None, error=f"{type(exc).__name__}: {exc}"[:2000], updated_at=timezone.now()
        )
        raise
    # An email provider (anymail) answers with its own id, which its bounce and complaint
    # webhooks quote: keep that one when there is one.
    provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    sent_at = timezone.now()
    # update() skips auto_now: updated_at is set so the email log's ?updated_since= sees it.
    done = {
        "status": OutboundEmail.Status.SENT,
        "sent_at": sent_at,
        "updated_at": sent_at,
        "claimed_at": None,
        "error": "",
        "message_id": str(provider_id or row.message_id)[:255],
    }
    OutboundEmail.objects.filter(pk=row.pk).update(**done)
    for name, value in done.items():
        setattr(row, name, value)
    return row


def outbound_email_schedule_retry(*, pk: int, delay: timedelta) -> None:
    OutboundEmail.objects.filter(pk=pk, status=OutboundEmail.Status.QUEUED).update(
        next_attempt_at=timezone.now() + delay
    )


def outbound_email_fail(*, pk: int, error: str) -> None:
    OutboundEmail.objects.filter(pk=pk, status=OutboundEmail.Status.QUEUED).update(
        status=OutboundEmail.Status.FAILED,
        error=error[:2000],
        claimed_at=None,
        updated_at=timezone.now(),
    )


def stuck_email_ids(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        OutboundEmail.objects.filter(_claimable(now), created_at__lt=now - STUCK_AFTER)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)[:500]
    )
