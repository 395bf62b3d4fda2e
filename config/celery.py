"""The Celery application and the one place where every periodic schedule is declared."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("backbone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # NAG reminders are rows with a due time; this sweep sends those that are due, once each.
    "sweep-reminders": {
        "task": "workplans.tasks.sweep_reminders",
        "schedule": crontab(minute="*"),
    },
    # Emails are rows in the outbox; a queued one whose worker task was lost (broker restarted,
    # worker killed) is handed to a worker again. The database, not the broker, is the truth.
    "requeue-stuck-outbound-emails": {
        "task": "backbone.tasks.requeue_stuck_emails",
        "schedule": crontab(minute="*"),
    },
    # Partners' replies read from a mailbox (only when IMAP_URL is set; otherwise the task
    # returns at once). Each message is stored once, then marked seen.
    "poll-imap-mailbox": {
        "task": "workplans.tasks.poll_imap_mailbox",
        "schedule": crontab(minute="*"),
    },
    # A received reply whose processing task was lost is queued again; processing twice is
    # harmless (a processed reply is left alone).
    "requeue-waiting-inbound-emails": {
        "task": "workplans.tasks.requeue_waiting_inbound_emails",
        "schedule": crontab(minute="*"),
    },
    # Board packets: each steering committee meeting gets one, made the initiative's chosen number
    # of days before it and emailed once to each member; a packet whose build was lost (worker
    # killed, broker restarted) is built again. Safe to run twice, or on two beats at once.
    "sweep-board-packets": {
        "task": "dashboard.tasks.sweep_board_packets",
        "schedule": crontab(minute="*/5"),
    },
    # Outbound webhooks are rows; this sends those whose retry is due (1 min to 6 h after a
    # failure), and those whose worker task was lost or whose worker died mid-send. Each is
    # claimed in the database first, so a second beat or a re-queue never posts one twice.
    "sweep-webhook-deliveries": {
        "task": "backbone.webhooks.tasks.sweep_webhook_deliveries",
        "schedule": crontab(minute="*"),
    },
}
