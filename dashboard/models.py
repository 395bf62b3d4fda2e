"""What the steering committee reads: each initiative's dashboard settings (who may read it, when
the board packet is sent, what the public results page publishes) and the board packets made.

The dashboard itself stores nothing: it is read from workplans, meetings, commitments and
shared measurement each time (dashboard.selectors)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backbone.models import TenantModel
from initiatives.models import Initiative, Person
from metrics.models import Indicator
from workplans.models import Meeting


def new_public_key() -> str:
    # The public page's address. Random rather than the initiative's id, so an unpublished
    # page cannot be guessed and a published one can be moved (a new key) if staff need to.
    return secrets.token_urlsafe(12)


class DashboardSettings(TenantModel):
    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="dashboard_settings"
    )
    partners_may_view = models.BooleanField(
        _("partners may read the dashboard"),
        default=False,
        help_text=_("Off: only staff, the steering committee and co-chairs read it."),
    )
    packet_auto_send = models.BooleanField(
        _("email the board packet before each steering committee meeting"), default=True
    )
    packet_days_before = models.PositiveSmallIntegerField(
        _("days before the meeting"), default=5, validators=[MaxValueValidator(30)]
    )
    public_enabled = models.BooleanField(_("publish a public results page"), default=False)
    public_key = models.CharField(max_length=24, unique=True, default=new_public_key)
    public_intro = models.TextField(_("introduction on the public page"), blank=True)
    public_indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("published indicators")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dashboard settings")
        verbose_name_plural = _("dashboard settings")

    def __str__(self) -> str:
        return f"Dashboard settings of {self.initiative}"


class BoardPacket(TenantModel):
    """One PDF made for the steering committee: on request, or ahead of a steering meeting."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Made on request")
        SCHEDULED = "scheduled", _("Made before a steering committee meeting")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="board_packets"
    )
    # The steering committee meeting the packet was made for, when there is one.
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The language the packet is written in: the requester's, or the site's for a scheduled one.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # Builds started; a worker that died mid-build leaves a running packet that the sweep
    # queues again, a few times at most.
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for the progress bar
    stage = models.CharField(max_length=200, blank=True)  # what is being made now, in words
    error = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    page_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one scheduled packet per steering meeting, however many sweeps run.
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(trigger="scheduled"),
                name="one_scheduled_packet_per_meeting",
            ),
        ]
        indexes = [models.Index(fields=["organization", "initiative", "-created_at"])]

    def __str__(self) -> str:
        return f"Board packet {self.pk} of {self.initiative}"


class PacketDelivery(TenantModel):
    """A scheduled packet emailed to one steering committee member: once per meeting and person,
    enforced by the database, like a NAG reminder."""

    packet = models.ForeignKey(BoardPacket, on_delete=models.CASCADE, related_name="deliveries")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey(
        "backbone.OutboundEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="packet_once_per_person"),
        ]
