"""Where a new organization is in its guided start: which steps were saved or skipped, and what
the saved ones made, so a person can stop at any step and pick it up later where they left."""

from __future__ import annotations

from django.db import models

from backbone.models import TenantModel


class OnboardingProgress(TenantModel):
    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.ForeignKey(
        "initiatives.Result", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    indicator = models.ForeignKey(
        "metrics.Indicator", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    workgroup = models.ForeignKey(
        "initiatives.Table", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        "workplans.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Step keys (backbone.onboarding.steps), in the order they were saved or skipped.
    saved = models.JSONField(default=list, blank=True)
    skipped = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_guided_start_per_org"),
        ]

    def __str__(self) -> str:
        return f"Guided start of {self.organization_id}"
