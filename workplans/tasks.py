"""Thin Celery tasks: the reminder sweep; receiving partners' email replies."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from backbone.generations import data_changed
from workplans.imap import imap_poll
from workplans.inbound import inbound_process
from workplans.models import InboundEmail
from workplans.reminders import send_due_reminders


@shared_task
def sweep_reminders() -> int:
    """Send every NAG reminder that is due (run every minute by beat; safe to run twice)."""
    sent = send_due_reminders().sent_emails
    if sent:
        data_changed()  # the dashboards' reply rates count the emails sent
    return sent


# --- Partners' email replies (workplans.inbound) --------------------------------------------------

# A reply left waiting this long lost its task (broker restarted, worker killed): queue it again.
INBOUND_REQUEUE_AFTER = timedelta(minutes=5)


@shared_task(
    autoretry_for=(Exception,),
    dont_autoretry_for=(InboundEmail.DoesNotExist,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=6,
)
def process_inbound_email(pk: int) -> str:
    """Read one received email and apply it (queued on commit by inbound_receive). Safe to run
    twice or to retry: a row no longer waiting is left alone, and a failed attempt kept nothing."""
    email = inbound_process(pk=pk)
    if email.organization_id is not None:
        data_changed(email.organization_id)  # a reply may have changed commitments
    return str(email.status)


@shared_task
def requeue_waiting_inbound_emails() -> int:
    """Queue again every reply still waiting long after it arrived (run every minute by beat)."""
    waiting = list(
        InboundEmail.objects.filter(
            status=InboundEmail.Status.RECEIVED,
            received_at__lt=timezone.now() - INBOUND_REQUEUE_AFTER,
        ).values_list("pk", flat=True)[:500]
    )
    for pk in waiting:
        process_inbound_email.delay(pk)
    return len(waiting)


@shared_task
def poll_imap_mailbox() -> int:
    """Store the unseen messages of the IMAP_URL mailbox (every minute by beat; returns at once
    when IMAP_URL is not set). Two polls at once store each message once."""
    target = settings.IMAP_TARGET
    if target is None:
        return 0
    return imap_poll(target=target).stored
