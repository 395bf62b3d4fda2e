"""Emitting an event: services call `webhook_emit` inside their transaction.

The event becomes delivery rows, one per subscribed active endpoint of the organization, in the
same transaction as the change it reports: a change that rolls back sends nothing, a committed
one is never lost (the rows wait for a worker; the beat sweep re-queues any whose task was
lost). After the commit, one callback queues the transaction's deliveries.

Cost: the organization's active endpoints are read once per transaction (one query, kept for
the rest of it: a reply that changes five commitments reads them once) and the rows are written
with one INSERT. An organization without endpoints pays the one read and nothing else.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from backbone.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class _Subscriber:
    endpoint_id: int
    events: frozenset[str]
    organization_slug: str


@dataclass(eq=False)
class _Transaction:
    """What this transaction's emits did: the endpoints read, the deliveries to queue. It is
    also the on-commit callback that queues them."""

    endpoints: dict[int, list[_Subscriber]] = field(default_factory=dict)
    delivery_ids: list[int] = field(default_factory=list)
    done: bool = False

    def __call__(self) -> None:
        from backbone.webhooks.tasks import deliver_webhook

        self.done = True
        ids, self.delivery_ids = self.delivery_ids, []
        for pk in ids:
            deliver_webhook.delay(pk)


_ATTRIBUTE = "_backbone_webhooks"


def _current() -> _Transaction:
    """This transaction's record, registered as its on-commit callback when first needed.
    A record whose callback is no longer registered (the transaction, or the savepoint it
    was made in, rolled back) or already ran belongs to an earlier transaction."""
    connection = transaction.get_connection()
    found: _Transaction | None = getattr(connection, _ATTRIBUTE, None)
    if (
        found is None
        or found.done
        or not any(callback is found for _, callback, _ in connection.run_on_commit)
    ):
        found = _Transaction()
        transaction.on_commit(found)
        setattr(connection, _ATTRIBUTE, found)
    return found


def queue_after_commit(delivery_ids: list[int]) -> None:
    """Queue these deliveries once the current transaction commits."""
    _current().delivery_ids.extend(delivery_ids)


def forget_endpoints(organization_id: int) -> None:
    """An endpoint of the organization changed in this transaction: read them again."""
    found: _Transaction | None = getattr(transaction.get_connection(), _ATTRIBUTE, None)
    if found is not None:
        found.endpoints.pop(organization_id, None)


def _subscribers(record: _Transaction, organization_id: int) -> list[_Subscriber]:
    if organization_id not in record.endpoints:
        record.endpoints[organization_id] = [
            _Subscriber(pk, frozenset(events), slug)
            for pk, events, slug in WebhookEndpoint.objects.filter(
                organization_id=organization_id, active=True
            )
            .order_by("pk")
            .values_list("pk", "events", "organization__slug")
        ]
    return record.endpoints[organization_id]


def _json_safe(value: Any) -> Any:
    """Dates, times, decimals and ids as the JSON that will be sent (and stored)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def envelope(
    *, event_id: uuid.UUID, event: str, organization_slug: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    return _json_safe(
        {
            "id": str(event_id),
            "type": event,
            "created": timezone.now(),
            "organization": organization_slug,
            "data": data,
        }
    )


def webhook_emit(
    *,
    organization_id: int,
    event: EventType,
    data: Callable[[], Mapping[str, Any]],
) -> int:
    """Record the event for every active endpoint of the organization subscribed to it.
    `data` builds the event's "data" object; it is called only when someone subscribes.
    Returns the number of deliveries made."""
    with transaction.atomic(savepoint=False):
        record = _current()
        subscribed = [s for s in _subscribers(record, organization_id) if str(event) in s.events]
        if not subscribed:
            return 0
        event_id = uuid.uuid4()
        payload = envelope(
            event_id=event_id,
            event=str(event),
            organization_slug=subscribed[0].organization_slug,
            data=data(),
        )
        made = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    organization_id=organization_id,
                    endpoint_id=s.endpoint_id,
                    event_id=event_id,
                    event_type=str(event),
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
                for s in subscribed
            ]
        )
        record.delivery_ids.extend(d.pk for d in made)
        return len(made)
