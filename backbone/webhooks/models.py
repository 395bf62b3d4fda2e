"""An organization's webhook endpoints, and the outbox of what is sent to them.

A delivery row is one event for one endpoint; the row, not the broker, is the truth. The unique
(endpoint, event_id) pair makes a second delivery of one event to one endpoint a database
error, and the compare-and-set claim in backbone.webhooks.delivery lets only one worker send it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backbone.models import TenantModel


class EventType(models.TextChoices):
    COMMITMENT_STATUS_CHANGED = "commitment.status_changed", _("A commitment's status changed")
    HELP_REQUEST_OPENED = "help_request.opened", _("Someone asked for help")
    MEETING_CLOSED = "meeting.closed", _("A meeting was closed")
    KEY_ACTION_STATUS_CHANGED = "key_action.status_changed", _("A key action's status changed")
    DATA_POINT_ADDED = "data_point.added", _("A data point was added")
    # Sent to one endpoint from its page ("send a test event"); nobody subscribes to it.
    TEST = "webhook.test", _("Test event")


# What an endpoint may subscribe to.
SUBSCRIBABLE = [choice for choice in EventType if choice != EventType.TEST]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(TenantModel):
    url = models.URLField(_("address"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # A list of EventType values.
    events = models.JSONField(_("events"), default=list)
    # Signs every delivery (HMAC-SHA256); shown to staff so the receiver can check signatures.
    secret = models.CharField(max_length=100, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    # Set when deliveries kept failing and the endpoint was turned off (staff turn it back on).
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    # Failed attempts in a row (any delivery); a success resets it.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "active"])]

    def __str__(self) -> str:
        return self.url

    @property
    def state(self) -> str:
        """ "active", "disabled" (turned off after failures) or "paused" (turned off by staff)."""
        if self.active:
            return "active"
        return "disabled" if self.disabled_at else "paused"

    @property
    def event_labels(self) -> list[str]:
        return [str(EventType(e).label) for e in self.events if e in EventType.values]


class WebhookDelivery(TenantModel):
    """One event for one endpoint: the JSON that is POSTed, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The event's id, the same for every endpoint it goes to and across retries (receivers
    # use it to recognise a repeat). Sent as Backbone-Webhook-Id.
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # The whole JSON body: {id, type, created, organization, data}.
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not before this time (the first attempt: at once; after a failure: with backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker is sending; a claim older than the timeout belongs to a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "endpoint", "-created_at"]),
            # The sweep's search for due and stuck rows.
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(TenantModel):
    """One POST of a delivery: when, the receiver's answer (or why there was none), how long."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # When this attempt failed and another is planned: when.
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of delivery {self.delivery_id}"
