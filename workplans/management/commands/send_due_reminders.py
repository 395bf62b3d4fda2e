from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from workplans.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send every NAG reminder due now (or at --now), through the same code as the periodic "
        "sweep, and print what was sent. For cron users, operators and moving time in tests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO 8601 moment to sweep as, e.g. 2026-12-01T15:00Z")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"].replace("Z", "+00:00"))
            except ValueError:
                raise CommandError(
                    f"--now {options['now']!r} is not an ISO 8601 date and time."
                ) from None
            if timezone.is_naive(now):
                raise CommandError("--now needs a time zone, e.g. 2026-12-01T09:00-06:00 or …Z.")
        result = send_due_reminders(now=now)
        for address in result.recipients:
            self.stdout.write(f"sent to {address}")
        self.stdout.write(
            f"{result.sent_emails} email(s) for {result.sent_reminders} reminder(s); "
            f"{result.skipped} skipped."
        )
