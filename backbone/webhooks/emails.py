"""The one email of webhooks: an endpoint was turned off after repeated failures.
Templates: templates/emails/webhook_disabled.*"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from backbone.mail.compose import compose
from backbone.models import Membership, Organization
from backbone.roles import Role
from backbone.webhooks.models import WebhookEndpoint


def send_webhook_disabled(*, endpoint: WebhookEndpoint) -> None:
    """One email to the organization's staff (they manage webhooks), all addressed at once."""
    organization = Organization.objects.get(pk=endpoint.organization_id)
    staff = list(
        Membership.objects.filter(
            organization_id=organization.pk, role=Role.STAFF, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    if not staff:
        return
    path = reverse(
        "webhook_detail", kwargs={"org_slug": organization.slug, "endpoint_id": endpoint.pk}
    )
    compose(
        kind="webhook_disabled",
        to=staff,
        organization=organization,
        context={
            "endpoint": endpoint,
            "endpoint_url": f"{settings.SITE_URL.rstrip('/')}{path}",
            "failures": settings.BACKBONE_WEBHOOK_DISABLE_AFTER,
        },
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
