"""Thin Celery tasks: take ids, call one service. The delivery rows are the truth; a lost
task is made up for by the sweep."""

from __future__ import annotations

from celery import shared_task

from backbone.webhooks.delivery import due_delivery_ids, webhook_delivery_attempt


@shared_task(acks_late=True)
def deliver_webhook(pk: int) -> None:
    # Failures are recorded on the row and retried by the sweep (not by Celery): a retry
    # planned hours ahead survives a broker restart.
    webhook_delivery_attempt(pk=pk)


@shared_task
def sweep_webhook_deliveries() -> int:
    ids = due_delivery_ids()
    for pk in ids:
        deliver_webhook.delay(pk)
    return len(ids)
