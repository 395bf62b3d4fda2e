"""Thin Celery tasks: take ids, call one service."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import Task, shared_task

from backbone.mail.delivery import (
    outbound_email_deliver,
    outbound_email_fail,
    outbound_email_schedule_retry,
    stuck_email_ids,
)

MAX_ATTEMPTS = 6


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1, acks_late=True)
def deliver_email(self: Task, pk: int) -> None:
    try:
        outbound_email_deliver(pk=pk)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= (self.max_retries or 0):
            outbound_email_fail(pk=pk, error=f"{type(exc).__name__}: {exc}")
            return
        # Exponential backoff: 30 s, 1 min, 2 min, 4 min, 8 min.
        countdown = 30 * 2**self.request.retries
        outbound_email_schedule_retry(pk=pk, delay=timedelta(seconds=countdown))
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def requeue_stuck_emails() -> int:
    ids = stuck_email_ids()
    for pk in ids:
        deliver_email.delay(pk)
    return len(ids)
