"""Staff pages of the organization's webhooks: the list, adding and changing an endpoint, its
secret, a test event, turning it on again, and its delivery log."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from backbone.webhooks.forms import WebhookEndpointForm
from backbone.webhooks.models import WebhookEndpoint
from backbone.webhooks.selectors import webhook_deliveries_of, webhook_endpoints_of
from backbone.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_send_test,
)
from backbone.webhooks.signing import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

PERMISSION = "manage_webhooks"
PAGE_SIZE = 25


def _endpoint(request: OrgRequest, endpoint_id: int) -> WebhookEndpoint:
    require_perm(request, PERMISSION)
    return get_in_org_or_404(
        WebhookEndpoint.objects.select_related("created_by"), request.organization, pk=endpoint_id
    )


@require_GET
def webhooks(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, PERMISSION)
    endpoints = list(webhook_endpoints_of(organization=request.organization))
    return render(
        request,
        "webhooks/list.html",
        {
            "endpoints": endpoints,
            "headers": (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER),
        },
    )


@require_http_methods(["GET", "POST"])
def webhook_create(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, PERMISSION)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_endpoint_create(
                organization=request.organization,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                created_by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The webhook was added. Give its signing secret to the receiver."),
            )
            return redirect("webhook_detail", org_slug=org_slug, endpoint_id=endpoint.pk)
    return render(
        request,
        "webhooks/form.html",
        {"form": form, "endpoint": None},
        status=400 if form.errors else 200,
    )


@require_GET
def webhook_detail(request: OrgRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    page = Paginator(webhook_deliveries_of(endpoint=endpoint), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    deliveries = list(page.object_list)
    for delivery in deliveries:
        delivery.pretty = json.dumps(  # type: ignore[attr-defined]
            delivery.payload, indent=2, ensure_ascii=False
        )
    page.object_list = deliveries
    return render(
        request,
        "webhooks/detail.html",
        {
            "endpoint": endpoint,
            "page": page,
            "show_secret": request.GET.get("secret") == "shown",
        },
    )


@require_http_methods(["GET", "POST"])
def webhook_edit(request: OrgRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    form = WebhookEndpointForm(
        request.POST or None,
        with_active=True,
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "active": endpoint.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("webhook_detail", org_slug=org_slug, endpoint_id=endpoint.pk)
    return render(
        request,
        "webhooks/form.html",
        {"form": form, "endpoint": endpoint},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def webhook_delete(request: OrgRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        webhook_endpoint_delete(endpoint=endpoint)
        messages.success(request, _("The webhook to %(url)s was deleted.") % {"url": endpoint.url})
        return redirect("webhooks", org_slug=org_slug)
    return render(request, "webhooks/delete.html", {"endpoint": endpoint})


@require_POST
def webhook_rotate_secret(request: OrgRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    webhook_endpoint_rotate_secret(endpoint=endpoint)
    messages.success(
        request,
        _("A new signing secret is in use from the next delivery on. Give it to the receiver."),
    )
    detail = reverse("webhook_detail", kwargs={"org_slug": org_slug, "endpoint_id": endpoint.pk})
    return redirect(f"{detail}?secret=shown#secret")


@require_POST
def webhook_test(request: OrgRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    try:
        webhook_send_test(endpoint=endpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("A test event is on its way; its answer appears in the log below in a moment."),
        )
    return redirect("webhook_detail", org_slug=org_slug, endpoint_id=endpoint.pk)


@require_POST
def webhook_enable(request: OrgRequest, org_slug: str, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    webhook_endpoint_enable(endpoint=endpoint)
    messages.success(request, _("The webhook is on again; deliveries that waited are being sent."))
    return redirect("webhook_detail", org_slug=org_slug, endpoint_id=endpoint.pk)
