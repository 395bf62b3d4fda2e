"""The organization's email log (its outbox): every email sent on its behalf, exactly as it went
out, with what became of it (queued, sent, failed, bounced, replied), filtered by kind and
status, and a resend that queues a copy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from backbone.mail.resend import outbound_email_resend
from backbone.models import EMAIL_KIND_LABELS, OutboundEmail
from backbone.selectors import outbox_for


class LogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Every kind")), *EMAIL_KIND_LABELS.items()],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Every status")), *OutboundEmail.Status.choices],
    )


@require_GET
def outbox(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_outbox")
    organization = request.organization
    emails = outbox_for(organization=organization)
    form = LogFilterForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    if chosen.get("kind"):
        emails = emails.filter(kind=chosen["kind"])
    if chosen.get("status"):
        emails = emails.filter(status=chosen["status"])
    query = urlencode({k: v for k, v in chosen.items() if v})
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backbone/outbox.html",
        {
            "page": page,
            "filter_form": form,
            "filtered": bool(query),
            "query": f"&{query}" if query else "",
        },
    )


@require_GET
def outbox_email(request: OrgRequest, org_slug: str, email_id: int) -> HttpResponse:
    require_perm(request, "view_outbox")
    email = get_in_org_or_404(
        OutboundEmail,
        request.organization,
        pk=email_id,
    )
    return render(request, "backbone/outbox_email.html", {"email": email})


@require_POST
def outbox_email_resend(request: OrgRequest, org_slug: str, email_id: int) -> HttpResponse:
    require_perm(request, "view_outbox")
    email = get_in_org_or_404(OutboundEmail, request.organization, pk=email_id)
    copy = outbound_email_resend(email=email)
    messages.success(
        request, _("A copy was queued for delivery. This is the copy; the original is unchanged.")
    )
    return redirect(reverse("outbox_email", kwargs={"org_slug": org_slug, "email_id": copy.pk}))
