"""Build an email from its three templates: templates/emails/<kind>.subject.txt, .txt, .html."""

from __future__ import annotations

import json
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string

from backbone.models import Organization

# Internal headers read (and removed) by the outbox backend to file the email.
ORG_HEADER = "X-Backbone-Organization"
KIND_HEADER = "X-Backbone-Kind"
# Files attached by reference (backbone.mail.attachments), as a JSON list.
ATTACH_HEADER = "X-Backbone-Attach"
# Present when the email must stay in the outbox, never delivered: a sample organization's
# (its people's addresses are made up; see backbone.onboarding.sandbox).
KEEP_HEADER = "X-Backbone-Keep"


def render_plain(name: str, ctx: dict[str, Any]) -> str:
    """Subjects and plain-text bodies are not HTML: a partner's "O'Brien & Sons" must arrive
    as written, not as "O&#x27;Brien &amp; Sons" (Django escapes every template by default)."""
    template: Any = get_template(name)
    return str(template.template.render(Context(ctx, autoescape=False)))


def compose(
    *,
    kind: str,
    to: list[str],
    context: dict[str, Any],
    organization: Organization | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    template: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> EmailMultiAlternatives:
    """`kind` files the email in the outbox; `template` (default: the kind) names the files;
    `attachments` are references made with backbone.mail.attachments.reference."""
    ctx = {"organization": organization, "site_url": settings.SITE_URL, **context}
    name = template or kind
    subject = " ".join(render_plain(f"emails/{name}.subject.txt", ctx).split())
    text = render_plain(f"emails/{name}.txt", ctx)
    html = render_to_string(f"emails/{name}.html", ctx)
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender = (
        formataddr((organization.email_sender_name, address))
        if organization
        else settings.DEFAULT_FROM_EMAIL
    )
    all_headers = {KIND_HEADER: kind, **(headers or {})}
    if organization is not None:
        all_headers[ORG_HEADER] = str(organization.pk)
        if organization.is_sandbox:
            all_headers[KEEP_HEADER] = "sample"
    if attachments:
        all_headers[ATTACH_HEADER] = json.dumps(attachments)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender,
        to=to,
        reply_to=reply_to,
        headers=all_headers,
    )
    message.attach_alternative(html, "text/html")
    return message
