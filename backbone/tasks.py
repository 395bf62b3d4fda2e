"""Thin Celery tasks: take ids, call one service."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import timedelta

from celery import Task, shared_task

from backbone.mail.delivery import (
    outbound_email_deliver,
    outbound_email_fail,
    outbound_email_schedule_retry,
    outbound_emails_deliver,
    stuck_email_ids,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Emails filed together (the NAG sweep files ten people's at once) are delivered by one task
# per this many: a task costs a worker more than sending a small email does.
DELIVERY_BATCH = 10
TRANSIENT = (smtplib.SMTPException, OSError)


def _after_failure(pk: int, exc: Exception, retries: int) -> int | None:
    """Record that attempt number `retries` (from 0) failed; returns the seconds to wait
    before the next one, or None after the last, when the email is marked failed.
    Exponential backoff: 30 s, 1 min, 2 min, 4 min, 8 min."""
    if retries >= MAX_ATTEMPTS - 1:
        outbound_email_fail(pk=pk, error=f"{type(exc).__name__}: {exc}")
        return None
    countdown = 30 * 2**retries
    outbound_email_schedule_retry(pk=pk, delay=timedelta(seconds=countdown))
    return countdown


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1, acks_late=True)
def deliver_email(self: Task, pk: int) -> None:
    try:
        outbound_email_deliver(pk=pk)
    except TRANSIENT as exc:
        countdown = _after_failure(pk, exc, self.request.retries)
        if countdown is None:
            return
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True)
def deliver_emails(pks: list[int]) -> None:
    """Several emails in one task. One that fails goes on alone: deliver_email retries it,
    counting this task's attempt as its first."""
    for pk, exc in outbound_emails_deliver(pks=pks):
        if not isinstance(exc, TRANSIENT):
            # As when deliver_email fails so: the row stays queued, its error recorded, and
            # requeue_stuck_emails hands it to a worker again.
            log.error("Email %s was not sent", pk, exc_info=exc)
            continue
        countdown = _after_failure(pk, exc, 0)
        if countdown is not None:
            # `retries` is the count a retried task carries (Celery's send_task takes it; the
            # type stubs leave it out): deliver_email goes on from the second attempt.
            deliver_email.apply_async((pk,), countdown=countdown, retries=1)  # type: ignore[call-arg]


def hand_to_workers(pks: Sequence[int]) -> None:
    """Queue the delivery of these outbox rows: one task per DELIVERY_BATCH of them."""
    for start in range(0, len(pks), DELIVERY_BATCH):
        batch = list(pks[start : start + DELIVERY_BATCH])
        if len(batch) == 1:
            deliver_email.delay(batch[0])
        else:
            deliver_emails.delay(batch)


@shared_task
def requeue_stuck_emails() -> int:
    ids = stuck_email_ids()
    hand_to_workers(ids)
    return len(ids)
