"""Sending a delivery: claim it, POST it signed, record the answer, plan a retry or give up.

Only one worker sends a delivery: the claim is a compare-and-set UPDATE (waiting and due, or
sending under a claim so old its worker must have died) that exactly one caller wins. The one
window no database can close is a worker that dies after the receiver accepted the POST and
before the answer is recorded: that delivery is sent again after CLAIM_TIMEOUT, with the same
Backbone-Webhook-Id, by which a receiver recognises it. We prefer that to losing it.

A failed attempt is retried after 1 minute, 5 minutes, 30 minutes, 2 hours and 6 hours. Failed
attempts in a row, across an endpoint's deliveries, turn the endpoint off after
settings.BACKBONE_WEBHOOK_DISABLE_AFTER, and its organization's staff are emailed once; its
waiting deliveries wait until staff turn it on again.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.webhooks.models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from backbone.webhooks.signing import body_of, signed_headers
from backbone.webhooks.targets import Target, TargetRefused, resolve

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10.0
# A claim older than this belongs to a worker that died (a send takes at most a few timeouts).
CLAIM_TIMEOUT = timedelta(minutes=5)
# A new delivery this old and never tried is assumed to have lost its task.
STUCK_AFTER = timedelta(minutes=2)
# How much of the receiver's answer is kept for the delivery log.
EXCERPT_CHARS = 500
_READ_BYTES = 4096


def _claimable(now: datetime) -> Q:
    return Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to by now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS, the certificate checked against the host name (SNI included)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    code: int | None
    excerpt: str
    error: str

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST once; never follows a redirect (a 3xx is a failure, its Location in the error)."""
    try:
        target = resolve(url)
    except TargetRefused as exc:
        return Answer(None, "", str(exc))
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, TIMEOUT_SECONDS)
        if target.tls
        else _PinnedHTTPConnection(target, TIMEOUT_SECONDS)
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(_READ_BYTES).decode("utf-8", "replace")[:EXCERPT_CHARS]
        error = ""
        if not 200 <= response.status < 300:
            error = _("The receiver answered %(code)s.") % {"code": response.status}
            if 300 <= response.status < 400 and response.getheader("Location"):
                error += " " + _("Redirects are not followed; it pointed to %(location)s.") % {
                    "location": response.getheader("Location")
                }
        return Answer(response.status, excerpt, error)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, "", f"{type(exc).__name__}: {exc}"[:2000])
    finally:
        connection.close()


def webhook_delivery_attempt(*, pk: int) -> WebhookDelivery | None:
    """Send one delivery if it is due and nobody else is sending it; record what happened.
    Returns None when there was nothing to do (delivered already, not due, claimed, or its
    endpoint is off)."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(_claimable(now), pk=pk, endpoint__active=True).update(
        status=WebhookDelivery.Status.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=pk)
    endpoint = delivery.endpoint
    body = body_of(delivery.payload)
    timestamp = int(timezone.now().timestamp())
    headers = signed_headers(
        secret=endpoint.secret, event_id=str(delivery.event_id), timestamp=timestamp, body=body
    )
    started = time.monotonic()
    answer = post(endpoint.url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    _record(delivery, endpoint, answer, at=now, duration_ms=duration_ms)
    return delivery


@transaction.atomic
def _record(
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    answer: Answer,
    *,
    at: datetime,
    duration_ms: int,
) -> None:
    now = timezone.now()
    is_test = delivery.event_type == EventType.TEST
    # A test event is tried once: staff see at once whether the receiver answers.
    last_try = is_test or delivery.attempts >= MAX_ATTEMPTS
    retry_at = None if answer.ok or last_try else now + BACKOFF[delivery.attempts - 1]
    changes: dict[str, Any] = {
        "claimed_at": None,
        "last_attempt_at": at,
        "response_code": answer.code,
        "response_excerpt": answer.excerpt,
        "error": answer.error,
    }
    if answer.ok:
        changes.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
    elif retry_at is not None:
        changes.update(status=WebhookDelivery.Status.PENDING, next_attempt_at=retry_at)
    else:
        changes.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    for name, value in changes.items():
        setattr(delivery, name, value)
    WebhookAttempt.objects.create(
        organization_id=delivery.organization_id,
        delivery=delivery,
        number=delivery.attempts,
        at=at,
        response_code=answer.code,
        error=answer.error,
        duration_ms=duration_ms,
        retry_at=retry_at,
    )
    if is_test:
        return
    if answer.ok:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
        return
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    limit = settings.BACKBONE_WEBHOOK_DISABLE_AFTER
    reason = _("%(count)s attempts in a row failed. The last: %(error)s") % {
        "count": limit,
        "error": answer.error,
    }
    # Only the attempt that reaches the limit while the endpoint is on turns it off: one email.
    turned_off = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, active=True, consecutive_failures__gte=limit
    ).update(active=False, disabled_at=now, disabled_reason=reason[:2000])
    if turned_off:
        from backbone.webhooks.emails import send_webhook_disabled

        endpoint.refresh_from_db()
        send_webhook_disabled(endpoint=endpoint)


def due_delivery_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries a worker should try now: retries that are due, new ones whose task was lost,
    and sends whose worker died. Endpoints that are off are left alone."""
    now = now or timezone.now()
    fresh_or_retry = Q(attempts__gt=0) | Q(created_at__lt=now - STUCK_AFTER)
    return list(
        WebhookDelivery.objects.filter(_claimable(now), endpoint__active=True)
        .filter(fresh_or_retry | Q(status=WebhookDelivery.Status.SENDING))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
