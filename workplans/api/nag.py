"""An initiative's NAG email cadence in the API: /api/v1/o/<org_slug>/nag-settings/{initiative}/.

One object per initiative, addressed by the initiative's id. Like the reminders page of an
initiative (workplans.views.nag.initiative_reminders), it is backbone staff's ("manage_meetings")
to read and change; a change goes through the page's service, which checks the same ranges and
re-times the pending reminders. Reading never creates anything: an initiative whose cadence was
never changed answers with the defaults.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from initiatives.api.views import ScopedViewSet
from initiatives.models import Initiative
from workplans.models import NagSettings
from workplans.nag_admin import nag_settings_update

NAG_PERMISSIONS = {"*": "manage_meetings"}
CADENCE_FIELDS = (
    "enabled",
    "check_in_days",
    "heads_up_days",
    "send_hour",
    "weekdays_only",
    "recap_delay_minutes",
)


class NagSettingsSerializer(serializers.ModelSerializer[NagSettings]):
    """When an initiative's reminders go out: the recap after a meeting is closed, the
    check-in some days after the meeting, the heads-up some days before the next one."""

    enabled = serializers.BooleanField(
        required=False,
        help_text="While false, reminders that come due are skipped, not held back: they are "
        "not sent later when turned on again.",
    )
    check_in_days = serializers.IntegerField(
        min_value=1, max_value=90, required=False, help_text="Check-in: days after the meeting."
    )
    heads_up_days = serializers.IntegerField(
        min_value=1,
        max_value=30,
        required=False,
        help_text="Heads-up: days before the next meeting.",
    )
    send_hour = serializers.IntegerField(
        min_value=0,
        max_value=23,
        required=False,
        help_text="Hour (0-23), in the initiative's time zone, at which check-ins and "
        "heads-ups are sent.",
    )
    weekdays_only = serializers.BooleanField(
        required=False, help_text="A check-in or heads-up due on a weekend goes out on Monday."
    )
    recap_delay_minutes = serializers.IntegerField(
        min_value=0,
        max_value=7 * 24 * 60,
        required=False,
        help_text="Recap: minutes after the meeting is closed (0: at once).",
    )
    time_zone = serializers.SerializerMethodField()

    class Meta:
        model = NagSettings
        fields = ["initiative", *CADENCE_FIELDS, "time_zone"]
        read_only_fields = ["initiative"]

    def get_time_zone(self, settings: NagSettings) -> str:
        """The initiative's time zone, in which `send_hour` is read."""
        return settings.initiative.effective_time_zone


class NagSettingsViewSet(ScopedViewSet):
    """The NAG email cadence of each initiative (backbone staff only), addressed by the
    initiative's id. Changing it re-times the reminders still waiting to go out."""

    queryset = Initiative.objects.all()
    serializer_class = NagSettingsSerializer
    required_permissions = NAG_PERMISSIONS
    http_method_names = ["get", "patch", "head", "options"]
    # No list filters: not even ?updated_since=, which would read the initiatives' own
    # updated_at, not when their cadence changed.
    filter_backends = []

    def refine_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("nag_settings").order_by("name", "id")

    def settings_of(self, initiative: Initiative) -> NagSettings:
        initiative.organization = self.organization
        try:
            found = cast(NagSettings, initiative.nag_settings)
        except ObjectDoesNotExist:
            # Never changed: the defaults, not saved (the service saves them on a change).
            found = NagSettings(organization=self.organization)
        found.initiative = initiative
        return found

    @extend_schema(responses={200: NagSettingsSerializer(many=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # the API always paginates
        settings = [self.settings_of(initiative) for initiative in page]
        return self.get_paginated_response(self.get_serializer(settings, many=True).data)

    @extend_schema(responses={200: NagSettingsSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.settings_of(self.get_object())).data)

    @extend_schema(
        request=NagSettingsSerializer,
        responses={200: NagSettingsSerializer},
        description="Changes the fields sent; the others stay. Pending check-ins, heads-ups "
        "and recaps are re-timed to the new cadence; those already sent or skipped stay.",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        initiative = cast(Initiative, self.get_object())
        current = self.settings_of(initiative)
        serializer = self.get_serializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        cadence = {name: getattr(current, name) for name in CADENCE_FIELDS}
        cadence.update(serializer.validated_data)
        change = nag_settings_update(initiative=initiative, **cadence)
        change.settings.initiative = initiative
        return Response(self.get_serializer(change.settings).data)
