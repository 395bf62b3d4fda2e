"""Sending an email of the outbox again, as a new outbox row: the original stays as it went out
(its status, its error), and the copy is delivered like any new email."""

from __future__ import annotations

import json

from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from backbone.mail.compose import ATTACH_HEADER, KEEP_HEADER, KIND_HEADER, ORG_HEADER
from backbone.models import Organization, OutboundEmail


@transaction.atomic
def outbound_email_resend(*, email: OutboundEmail) -> OutboundEmail:
    """Queue an exact copy of `email` (same sender, recipients, Reply-To, headers, bodies).
    A reminder's copy keeps its reply address, so a reply to either reaches the same reminder."""
    headers = {**email.headers, KIND_HEADER: email.kind}
    if email.organization_id is not None:
        headers[ORG_HEADER] = str(email.organization_id)
        sample = Organization.objects.filter(pk=email.organization_id, sandbox_owner__isnull=False)
        if sample.exists():
            headers[KEEP_HEADER] = "sample"
    if email.attachments:
        headers[ATTACH_HEADER] = json.dumps(email.attachments)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=list(email.to),
        cc=list(email.cc),
        reply_to=list(email.reply_to),
        headers=headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    message.send()  # the outbox backend writes the new row and queues its delivery on commit
    copy: OutboundEmail = message.outbound_email  # type: ignore[attr-defined]
    return copy
