"""Read one email from standard input, as a mail server's pipe delivers it.

Postfix (master.cf), for the reply domain's addresses reply+…@:
    backbone unix - n n - - pipe
      flags=DRq user=backbone argv=/srv/backbone/.venv/bin/python /srv/backbone/manage.py
      ingest_email

Exit status is what the mail server acts on: 0 when the message was stored, was already stored
(a duplicate) or was empty — the mail server is done with it; 75 (EX_TEMPFAIL) when it could
not be stored (the database is down…), so the mail server keeps it and tries again later. A
malformed message is not a failure: it is stored and read as far as it can be.

Processing is the Celery task queued when the row commits, the same path as the webhook and
IMAP. With --now the command also processes the message itself before answering (for a set-up
without a worker, and to see the outcome when piping by hand); the queued task then finds the
message done and does nothing. A processing error with --now is printed but still exits 0: the
message is stored and the task's retries take it from there.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from workplans.inbound import inbound_process, inbound_receive
from workplans.models import InboundEmail

EX_TEMPFAIL = 75


class Command(BaseCommand):
    stealth_options = ("stdin",)
    # Run once per message by the mail server: no system checks on each (deploys run them).
    requires_system_checks: list[str] = []
    help = (
        "Store one raw RFC 822 email read from standard input (what a mail server's pipe "
        "delivers) and queue its processing; --now also processes it here. Exit 0 when stored "
        "or a duplicate, 75 when it could not be stored (the mail server retries)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="also process the message in this process and print the outcome",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # call_command(..., stdin=BytesIO(raw)) in tests; the process's standard input otherwise.
        source = options.get("stdin") or sys.stdin
        stream = getattr(source, "buffer", source)
        raw = stream.read()
        if isinstance(raw, str):  # a text stream handed in by a caller (call_command)
            raw = raw.encode("utf-8", "surrogateescape")
        if not raw.strip():
            self.stdout.write("ignored: empty message")
            return
        try:
            row, created = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
        except Exception as exc:
            self.stderr.write(f"failed: could not store the message: {type(exc).__name__}: {exc}")
            sys.exit(EX_TEMPFAIL)
        if not created:
            self.stdout.write(
                f"duplicate: {row.message_key} was already received (#{row.pk}, {row.status})"
            )
            return
        if not options["now"]:
            self.stdout.write(f"stored: #{row.pk} {row.message_key}; processing queued")
            return
        try:
            row = inbound_process(pk=row.pk)
        except Exception as exc:
            self.stdout.write(
                f"stored: #{row.pk} {row.message_key}; processing failed, it will be retried: "
                f"{type(exc).__name__}: {exc}"
            )
            return
        detail = f" ({row.reason})" if row.reason else ""
        self.stdout.write(f"stored: #{row.pk} {row.message_key}; {row.status}{detail}")
