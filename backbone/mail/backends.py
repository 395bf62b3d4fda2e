"""The EMAIL_BACKEND of the whole product. It writes every message to the outbox first; what
happens next depends on EMAIL_URL: kept there (development) or delivered by a Celery worker
through SMTP or an anymail provider (backbone.mail.delivery)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction

from backbone.mail.compose import ATTACH_HEADER, KEEP_HEADER, KIND_HEADER, ORG_HEADER
from backbone.models import OutboundEmail

log = logging.getLogger(__name__)


def _html_of(message: EmailMessage) -> str:
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            return str(content)
    return ""


@contextmanager
def _parameters_bound_on_server() -> Iterator[None]:
    """On PostgreSQL, the queries run inside send their parameters apart from the SQL
    (psycopg's server-side binding), as Django's `server_side_binding` option would for every
    query: quoting a few hundred kilobytes of HTML into the statement cost the NAG sweep a
    millisecond per email, and the server then parsed it back out. Only here, where the values
    are large and the statement a plain INSERT; everything else keeps Django's default.
    Prepared statements stay off (Django's prepare_threshold), so connection poolers still work."""
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw: Any = connection.connection
    client_binding = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = client_binding


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Files every message as one outbox row, all in one INSERT however many there are."""
        from backbone.tasks import hand_to_workers

        keep_all = settings.BACKBONE_EMAIL_DELIVERY == "outbox"
        rows: list[OutboundEmail] = []
        for message in email_messages:
            headers: dict[str, Any] = dict(message.extra_headers)
            keep_only = keep_all or headers.pop(KEEP_HEADER, None) is not None
            org_id = headers.pop(ORG_HEADER, None)
            kind = headers.pop(KIND_HEADER, "account")
            attachments = json.loads(headers.pop(ATTACH_HEADER, "[]"))
            rows.append(
                OutboundEmail(
                    organization_id=int(org_id) if org_id else None,
                    kind=kind,
                    from_email=message.from_email,
                    to=list(message.to),
                    cc=list(message.cc),
                    reply_to=list(message.reply_to),
                    subject=str(message.subject),
                    body_text=str(message.body),
                    body_html=_html_of(message),
                    headers={k: str(v) for k, v in headers.items()},
                    attachments=attachments,
                    status=OutboundEmail.Status.KEPT if keep_only else OutboundEmail.Status.QUEUED,
                )
            )
        if not rows:
            return 0
        if connection.features.can_return_rows_from_bulk_insert:
            with _parameters_bound_on_server():
                OutboundEmail.objects.bulk_create(rows)
        else:  # SQLite before 3.35 gives no ids back from a bulk insert; they are needed below.
            for row in rows:
                row.save()
        for message, row in zip(email_messages, rows, strict=True):
            # Callers that need the row (NAG emails link it to their reminders) find it here.
            message.outbound_email = row  # type: ignore[attr-defined]
            if settings.BACKBONE_EMAIL_ECHO:
                log.info(
                    "Email %s to %s: %s\n%s", row.pk, ", ".join(row.to), row.subject, row.body_text
                )
        queued = [row.pk for row in rows if row.status == OutboundEmail.Status.QUEUED]
        if queued:
            transaction.on_commit(partial(hand_to_workers, queued))
        return len(rows)
