"""Reads of webhooks, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from backbone.models import Organization
from backbone.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoints_of(*, organization: Organization) -> QuerySet[WebhookEndpoint]:
    """The organization's endpoints with their last delivery (status, answer, time) and how
    many wait: one query."""
    last = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        WebhookEndpoint.objects.in_org(organization)
        .annotate(
            last_status=Subquery(last.values("status")[:1]),
            last_code=Subquery(last.values("response_code")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
            waiting=Count(
                "deliveries",
                filter=Q(
                    deliveries__status__in=(
                        WebhookDelivery.Status.PENDING,
                        WebhookDelivery.Status.SENDING,
                    )
                ),
            ),
        )
        .order_by("created_at", "id")
    )


def webhook_deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first, each with its attempts (one more query per
    page, whatever its length)."""
    return (
        WebhookDelivery.objects.filter(organization_id=endpoint.organization_id, endpoint=endpoint)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("log", queryset=WebhookAttempt.objects.order_by("number")))
    )
