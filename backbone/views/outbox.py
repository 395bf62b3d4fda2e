"""The organization's outbox: every email sent on its behalf, exactly as it went out."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from backbone.models import OutboundEmail
from backbone.selectors import outbox_for


@require_GET
def outbox(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_outbox")
    organization = request.organization
    page = Paginator(outbox_for(organization=organization), 50).get_page(request.GET.get("page"))
    return render(request, "backbone/outbox.html", {"page": page})


@require_GET
def outbox_email(request: OrgRequest, org_slug: str, email_id: int) -> HttpResponse:
    require_perm(request, "view_outbox")
    email = get_in_org_or_404(
        OutboundEmail,
        request.organization,
        pk=email_id,
    )
    return render(request, "backbone/outbox_email.html", {"email": email})
