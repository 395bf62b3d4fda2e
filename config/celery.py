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
}
