"""Thin Celery tasks: the reminder sweep."""

from __future__ import annotations

from celery import shared_task

from workplans.reminders import send_due_reminders


@shared_task
def sweep_reminders() -> int:
    """Send every NAG reminder that is due (run every minute by beat; safe to run twice)."""
    return send_due_reminders().sent_emails
