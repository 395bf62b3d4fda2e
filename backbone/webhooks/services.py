"""Writes of webhook endpoints: staff add, change, turn on again, rotate the secret, test."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.models import Organization, User
from backbone.webhooks.emit import envelope, forget_endpoints, queue_after_commit
from backbone.webhooks.models import (
    SUBSCRIBABLE,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
    new_secret,
)
from backbone.webhooks.targets import TargetRefused, check_address


def _clean(url: str, events: Iterable[str]) -> tuple[str, list[str]]:
    url = url.strip()
    try:
        check_address(url)
    except TargetRefused as exc:
        raise ValidationError({"url": str(exc)}) from None
    chosen = set(events)
    unknown = chosen - {str(e) for e in SUBSCRIBABLE}
    if unknown:
        raise ValidationError({"events": _("Choose among the events listed.")})
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    # Stored in the list's order, whatever order they came in.
    return url, [str(e) for e in SUBSCRIBABLE if str(e) in chosen]


@transaction.atomic
def webhook_endpoint_create(
    *,
    organization: Organization,
    url: str,
    events: Iterable[str],
    description: str = "",
    created_by: User | None = None,
) -> WebhookEndpoint:
    url, chosen = _clean(url, events)
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        events=chosen,
        description=description.strip(),
        created_by=created_by,
    )
    forget_endpoints(organization.pk)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str,
    events: Iterable[str],
    description: str = "",
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change the address, events or description. `active`: staff pause it (False) or turn it
    on (True, as webhook_endpoint_enable)."""
    url, chosen = _clean(url, events)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.url, locked.events, locked.description = url, chosen, description.strip()
    locked.save(update_fields=["url", "events", "description", "updated_at"])
    forget_endpoints(locked.organization_id)
    if active is True and not locked.active:
        return webhook_endpoint_enable(endpoint=locked)
    if active is False and locked.active:
        locked.active = False
        locked.save(update_fields=["active", "updated_at"])
    return locked


@transaction.atomic
def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Turn the endpoint on again (after failures, or a pause): the failure count starts over
    and the deliveries that waited are sent now."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.active:
        return locked
    locked.active = True
    locked.disabled_at = None
    locked.disabled_reason = ""
    locked.consecutive_failures = 0
    locked.save(
        update_fields=[
            "active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "updated_at",
        ]
    )
    forget_endpoints(locked.organization_id)
    waiting = WebhookDelivery.objects.filter(endpoint=locked, status=WebhookDelivery.Status.PENDING)
    ids = list(waiting.values_list("pk", flat=True))
    if ids:
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
        queue_after_commit(ids)
    return locked


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret, used from the next attempt on (retries included)."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log go; nothing more is sent to it."""
    organization_id = endpoint.organization_id
    endpoint.delete()
    forget_endpoints(organization_id)


@transaction.atomic
def webhook_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A "webhook.test" event for this endpoint only, tried once, whatever it subscribes to."""
    if not endpoint.active:
        raise ValidationError(_("Turn the webhook on before sending it a test event."))
    event_id = uuid.uuid4()
    organization = Organization.objects.only("slug").get(pk=endpoint.organization_id)
    delivery = WebhookDelivery.objects.create(
        organization_id=endpoint.organization_id,
        endpoint=endpoint,
        event_id=event_id,
        event_type=EventType.TEST,
        payload=envelope(
            event_id=event_id,
            event=str(EventType.TEST),
            organization_slug=organization.slug,
            data={"message": "This is a test event sent from Backbone."},
        ),
        next_attempt_at=timezone.now(),
    )
    queue_after_commit([delivery.pk])
    return delivery
