"""Shapes of workplans, key actions, meetings and commitments in the API.

Serializers only validate and shape; every write goes through workplans.services, called by the
views. Ids in a request body are looked up within the caller's organization only (an id of
another organization is answered like one that does not exist: 400 naming the field).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from backbone.api.errors import ErrorBodySerializer
from initiatives.api.serializers import FixedAfterCreate, InOrganization
from initiatives.models import PartnerOrganization, Person, Strategy, Table
from workplans.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentChange,
    KeyAction,
    Meeting,
    Workplan,
)
from workplans.selectors import is_overdue


def _today(serializer: serializers.BaseSerializer[Any]) -> date:
    today = serializer.context.get("today")
    return today if isinstance(today, date) else timezone.localdate()


# --- Workplans ------------------------------------------------------------------------------


class WorkplanSerializer(serializers.ModelSerializer[Workplan]):
    table = InOrganization(queryset=Table.objects.all(), help_text="The workgroup.")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    closed = serializers.BooleanField(
        source="is_closed",
        read_only=True,
        help_text="A closed year (next year's workplan was started) is read-only.",
    )
    key_action_count = serializers.IntegerField(read_only=True)
    key_actions_done = serializers.IntegerField(read_only=True)

    class Meta:
        model = Workplan
        fields = [
            "id",
            "initiative",
            "table",
            "year",
            "closed",
            "closed_at",
            "previous",
            "key_action_count",
            "key_actions_done",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "initiative",
            "closed_at",
            "previous",
            "created_at",
            "updated_at",
        ]
        # The service says, in words, that the workgroup already has that year's workplan.
        validators: list[Any] = []


# --- Key actions ----------------------------------------------------------------------------

VERSION_HELP = (
    "Bumped on every change. Required when changing the key action (PUT or PATCH): send the "
    "version you read; if someone changed it since, nothing is saved and the answer is 409 "
    "with the current key action."
)


class KeyActionSerializer(FixedAfterCreate):
    """A key action of a workplan. `workplan` is given when creating and stays."""

    workplan = InOrganization(queryset=Workplan.objects.all())
    initiative = serializers.IntegerField(source="workplan.initiative_id", read_only=True)
    table = serializers.IntegerField(
        source="workplan.table_id", read_only=True, help_text="The workgroup."
    )
    year = serializers.IntegerField(source="workplan.year", read_only=True)
    strategy = InOrganization(queryset=Strategy.objects.all())
    lead = InOrganization(
        queryset=Person.objects.all(),
        allow_null=True,
        required=False,
        help_text="The one person accountable for driving it.",
    )
    contributors = InOrganization(
        queryset=PartnerOrganization.objects.all(),
        many=True,
        required=False,
        help_text="Contributing partner organizations.",
    )
    percent_complete = serializers.IntegerField(min_value=0, max_value=100, required=False)
    overdue = serializers.SerializerMethodField()
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

    class Meta:
        model = KeyAction
        fields = [
            "id",
            "workplan",
            "initiative",
            "table",
            "year",
            "strategy",
            "description",
            "lead",
            "contributors",
            "start_date",
            "due_date",
            "done_when",
            "status",
            "percent_complete",
            "overdue",
            "carried_from",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "carried_from", "created_at", "updated_at"]
        create_only = ["workplan"]

    def get_overdue(self, key_action: KeyAction) -> bool:
        return is_overdue(key_action, _today(self))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError(
                {"version": [_("Send the version of the key action you are changing.")]}
            )
        return attrs


# --- Meetings -------------------------------------------------------------------------------


class MeetingTime(serializers.DateTimeField):
    """An ISO 8601 moment. Without an offset it is read in the initiative's time zone; answers
    give it in that time zone, with its offset."""

    def enforce_timezone(self, value: datetime) -> datetime:
        # The serializer places naive moments in the initiative's time zone (see validate).
        return value


class AttendanceSerializer(serializers.ModelSerializer[Attendance]):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["person", "person_name", "present"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    class Meta:
        model = AgendaItem
        fields = ["id", "kind", "title", "notes", "minutes", "position"]
        read_only_fields = fields


class MeetingSerializer(FixedAfterCreate):
    """A meeting of a table. `table` is given when creating and stays."""

    table = InOrganization(
        queryset=Table.objects.all(), help_text="The workgroup or steering committee."
    )
    starts_at = MeetingTime()
    ends_at = MeetingTime()
    time_zone = serializers.SerializerMethodField()
    invitees = InOrganization(
        queryset=Person.objects.all(),
        many=True,
        required=False,
        help_text="People invited; when creating, the table's members unless given.",
    )
    attendance = AttendanceSerializer(
        many=True, read_only=True, help_text="Who came (PUT meetings/{id}/attendance/)."
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "initiative",
            "table",
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "video_link",
            "status",
            "closed_at",
            "notes",
            "wins",
            "invitees",
            "attendance",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "initiative",
            "status",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        create_only = ["table"]

    def get_time_zone(self, meeting: Meeting) -> str:
        """The initiative's time zone, in which starts_at and ends_at are given."""
        return meeting.initiative.effective_time_zone

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        table = attrs.get("table")
        zone_name = (
            table.initiative.effective_time_zone
            if isinstance(table, Table)
            else self.instance.initiative.effective_time_zone  # type: ignore[union-attr]
        )
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("starts_at", "ends_at"):
            moment = attrs.get(name)
            if moment is not None and timezone.is_naive(moment):
                attrs[name] = timezone.make_aware(moment, zone)
        return attrs

    def to_representation(self, instance: Meeting) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        zone = zoneinfo.ZoneInfo(instance.initiative.effective_time_zone)
        for name in ("starts_at", "ends_at"):
            data[name] = timezone.localtime(getattr(instance, name), zone).isoformat()
        return data


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its agenda (generated when it is scheduled, in order)."""

    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda"]


class AttendanceInputSerializer(serializers.Serializer[Any]):
    present = InOrganization(
        queryset=Person.objects.all(),
        many=True,
        help_text="Everyone who came. The other invitees are recorded as absent.",
    )


# --- Commitments ----------------------------------------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer[Commitment]):
    meeting = InOrganization(queryset=Meeting.objects.all(), help_text="Where it was made.")
    initiative = serializers.IntegerField(source="table.initiative_id", read_only=True)
    person = InOrganization(queryset=Person.objects.all(), help_text="Who committed.")
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    key_action = InOrganization(
        queryset=KeyAction.objects.all(),
        allow_null=True,
        required=False,
        help_text="The key action it advances (why it matters).",
    )
    strategy = InOrganization(
        queryset=Strategy.objects.all(),
        allow_null=True,
        required=False,
        help_text="The strategy it advances; the key action's when not given.",
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "initiative",
            "table",
            "meeting",
            "person",
            "person_name",
            "what",
            "due_date",
            "why",
            "key_action",
            "strategy",
            "status",
            "progress_note",
            "completed_at",
            "carried_to",
            "overdue",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "table",
            "status",
            "progress_note",
            "completed_at",
            "carried_to",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_overdue(self, commitment: Commitment) -> bool:
        """Still to do (open, needs help, blocked) and past its date."""
        return commitment.status in Commitment.ACTIVE and commitment.due_date < _today(self)


class CommitmentChangeInputSerializer(serializers.Serializer[Any]):
    """A change to a commitment. The person who committed may change `status` and
    `progress_note` only; the table's co-chairs and backbone staff may also move `due_date`."""

    status = serializers.ChoiceField(choices=Commitment.Status.choices, required=False)
    progress_note = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="How it is going; required when dropping a commitment (say why). "
        "Kept in the commitment's history.",
    )
    due_date = serializers.DateField(
        required=False, help_text="A new date; not before the meeting it was made at."
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read; if the commitment changed since, nothing is saved "
        "and the answer is 409 with the current one.",
    )


class CommitmentHistorySerializer(serializers.ModelSerializer[CommitmentChange]):
    by = serializers.SerializerMethodField()
    old_status = serializers.SerializerMethodField()
    new_status = serializers.SerializerMethodField()

    class Meta:
        model = CommitmentChange
        fields = [
            "id",
            "at",
            "channel",
            "by",
            "old_status",
            "new_status",
            "old_due_date",
            "new_due_date",
            "note",
        ]
        read_only_fields = fields

    def get_by(self, change: CommitmentChange) -> str | None:
        """Who made the change: the login's email, or the person's name (an email reply)."""
        if change.by_user is not None:
            return change.by_user.email
        if change.by_person is not None:
            return change.by_person.full_name
        return None

    def get_old_status(self, change: CommitmentChange) -> str | None:
        """The status before, when this change changed it."""
        return change.old_status or None

    def get_new_status(self, change: CommitmentChange) -> str | None:
        """The status after, when this change changed it."""
        return change.new_status or None


# --- Conflicts (409) ------------------------------------------------------------------------


class KeyActionConflictBodySerializer(ErrorBodySerializer):
    current = KeyActionSerializer(help_text="The key action as it is saved now.")


class KeyActionConflictSerializer(serializers.Serializer[Any]):
    error = KeyActionConflictBodySerializer()


class CommitmentConflictBodySerializer(ErrorBodySerializer):
    current = CommitmentSerializer(help_text="The commitment as it is saved now.")


class CommitmentConflictSerializer(serializers.Serializer[Any]):
    error = CommitmentConflictBodySerializer()
