"""NAG emails in the API, with the rules and services of the reminders pages
(workplans.views.nag, workplans.nag_admin):

- an initiative's cadence, nag-settings/{initiative}/: one object per initiative, addressed by
  the initiative's id, backbone staff's ("manage_meetings") to read and change. A change goes
  through the page's service, which checks the same ranges and re-times the pending reminders.
  Reading never creates anything: a cadence never changed answers with the defaults;
- a meeting's reminders, meetings/{id}/reminders/ (read; skip, bring back, opening paragraph),
  meetings/{id}/reminders/pause/ and meetings/{id}/send-recap/: backbone staff's and the
  table's chair or co-chairs', as on the meeting's reminders page (MeetingRemindersMixin,
  mixed into workplans.api.views.MeetingViewSet);
- unsubscribes, nag-opt-outs/: staff's to read and, with the person's consent, reverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backbone.api.filters import IdFilter, ListFilter
from initiatives.api.serializers import InOrganization
from initiatives.api.views import ScopedViewSet
from initiatives.models import Initiative, Person, Seat
from workplans.api.serializers import MeetingTime
from workplans.models import (
    Attendance,
    Meeting,
    NagOptOut,
    NagOptOutReversal,
    NagSettings,
    Reminder,
    Touch,
)
from workplans.nag_admin import (
    INTRO_MAX,
    Panel,
    nag_settings_update,
    opt_out_reverse,
    person_set_nag_paused,
    recap_send_now,
    reminders_panel,
    touch_control_set,
)

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
    created_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the cadence was first changed; null while it is the default.",
    )
    updated_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the cadence last changed; null while it is the default.",
    )

    class Meta:
        model = NagSettings
        fields = ["initiative", *CADENCE_FIELDS, "time_zone", "created_at", "updated_at"]
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


# --- A meeting's reminders (meetings/{id}/reminders/, …/reminders/pause/, …/send-recap/) ----
#
# The same rules as the meeting's reminders page (workplans.views.nag): backbone staff and the
# table's chair or co-chairs, whatever their role in the organization ("initiatives.edit_table");
# anyone else who may see the meeting is refused (403), and a meeting they may not see is not
# found (404). The writes go through the page's services.

REMINDER_ACTIONS = ("reminders", "reminders_pause", "send_recap")


class ReminderRecipientSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    full_name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Reminder.Status.choices,
        allow_null=True,
        help_text="pending, sent or skipped; null while the email is not scheduled yet (the "
        "person is who it would go to today).",
    )
    due_at = MeetingTime(allow_null=True)
    sent_at = MeetingTime(allow_null=True)
    skip_reason = serializers.CharField(help_text="Why the sweep did not send it (or empty).")
    opted_out = serializers.BooleanField(
        help_text="Unsubscribed from this initiative's reminders (see nag-opt-outs/)."
    )
    nag_paused = serializers.BooleanField(
        help_text="Reminders to this person are paused, for every meeting."
    )
    undeliverable = serializers.BooleanField(
        help_text="Their address bounced; nothing is sent until staff clear it."
    )


class SkipReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()
    count = serializers.IntegerField()


class TouchStateSerializer(serializers.Serializer[Any]):
    touch = serializers.ChoiceField(choices=Touch.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    skipped = serializers.BooleanField(
        help_text="Staff skipped this email: what comes due is not sent."
    )
    intro = serializers.CharField(help_text="The opening paragraph (empty: the standard words).")
    scheduled = serializers.BooleanField(
        help_text="The reminders exist (the meeting was closed); false while `recipients` are "
        "only who it would go to today."
    )
    expected_at = MeetingTime(
        allow_null=True,
        help_text="While not scheduled: about when it would go out if the meeting were closed "
        "as planned (null: at closing for the recap, or unknown).",
    )
    next_due = MeetingTime(allow_null=True, help_text="The earliest pending reminder.")
    last_sent = MeetingTime(allow_null=True)
    pending = serializers.IntegerField()
    sent = serializers.IntegerField()
    not_sent = serializers.IntegerField(help_text="Reminders the sweep skipped (see skip_reasons).")
    skip_reasons = SkipReasonSerializer(many=True)
    recipients = ReminderRecipientSerializer(many=True)


class MeetingRemindersSerializer(serializers.Serializer[Any]):
    """The NAG emails of a meeting: the recap, the check-in and the heads-up, each with what it
    will do (or did) and for whom. Times are in the initiative's time zone."""

    meeting = serializers.IntegerField()
    meeting_status = serializers.ChoiceField(choices=Meeting.Status.choices)
    time_zone = serializers.CharField()
    enabled = serializers.BooleanField(
        help_text="The initiative's reminders are on (nag-settings/{initiative}/)."
    )
    next_meeting = serializers.IntegerField(
        allow_null=True, help_text="The table's next scheduled meeting, which the heads-up is for."
    )
    heads_up_missing = serializers.BooleanField(
        help_text="No next meeting is scheduled, so the heads-up will not be sent."
    )
    touches = TouchStateSerializer(many=True)


class TouchControlInputSerializer(serializers.Serializer[Any]):
    touch = serializers.ChoiceField(choices=Touch.choices, help_text="Which email.")
    skipped = serializers.BooleanField(
        required=False,
        help_text="true: do not send it; false: bring it back (only what is not yet due).",
    )
    intro = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=INTRO_MAX,
        help_text="The opening paragraph, sent in every recipient's email (empty: the "
        "standard words).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "skipped" not in attrs and "intro" not in attrs:
            raise serializers.ValidationError(_("Send skipped, intro or both."))
        return attrs


class PauseInputSerializer(serializers.Serializer[Any]):
    person = InOrganization(
        queryset=Person.objects.all(),
        help_text="Someone this meeting's reminders concern: seated at the table, present, "
        "a recipient, or who made a commitment here.",
    )
    paused = serializers.BooleanField(help_text="true: pause their reminders; false: resume.")


class PauseAnswerSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    nag_paused = serializers.BooleanField()


class RecapSentSerializer(serializers.Serializer[Any]):
    due_to = serializers.IntegerField(help_text="How many people the recap is now due to.")


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return timezone.localtime(moment, zone) if moment else None


def reminders_answer(panel: Panel) -> dict[str, Any]:
    zone_name = panel.meeting.initiative.effective_time_zone
    zone = ZoneInfo(zone_name)
    return {
        "meeting": panel.meeting.pk,
        "meeting_status": panel.meeting.status,
        "time_zone": zone_name,
        "enabled": panel.settings.enabled,
        "next_meeting": panel.next_meeting.pk if panel.next_meeting else None,
        "heads_up_missing": panel.heads_up_missing,
        "touches": [
            {
                "touch": state.touch,
                "label": state.label,
                "skipped": state.skipped_by_staff,
                "intro": state.intro,
                "scheduled": not state.foreseen,
                "expected_at": _local(state.expected_at, zone),
                "next_due": _local(state.next_due, zone),
                "last_sent": _local(state.last_sent, zone),
                "pending": state.pending,
                "sent": state.sent,
                "not_sent": state.skipped,
                "skip_reasons": [{"reason": r, "count": n} for r, n in state.skip_reasons],
                "recipients": [
                    {
                        "person": r.person.pk,
                        "full_name": r.person.full_name,
                        "status": r.reminder.status if r.reminder else None,
                        "due_at": _local(r.reminder.due_at if r.reminder else None, zone),
                        "sent_at": _local(r.reminder.sent_at if r.reminder else None, zone),
                        "skip_reason": r.reminder.skip_reason if r.reminder else "",
                        "opted_out": r.opted_out,
                        "nag_paused": r.person.nag_paused,
                        "undeliverable": r.person.undeliverable_at is not None,
                    }
                    for r in state.recipients
                ],
            }
            for state in panel.touches
        ],
    }


def concerns(meeting: Meeting, person: Person) -> bool:
    """Whether the meeting's reminders concern the person (as the page's pause asks): a
    recipient, seated at the table, present, or who made a commitment there."""
    return (
        Reminder.objects.filter(meeting=meeting, person=person).exists()
        or Seat.objects.filter(table_id=meeting.table_id, person=person).exists()
        or Attendance.objects.filter(meeting=meeting, person=person).exists()
        or meeting.commitments.filter(person=person).exists()
    )


class MeetingRemindersMixin(ScopedViewSet):
    # The reminders actions of MeetingViewSet (workplans.api.views). A comment, not a
    # docstring: the schema would take a docstring as the meetings' description.

    def reminders_meeting(self) -> Meeting:
        meeting = cast(Meeting, self.get_object())
        meeting.organization = self.organization
        meeting.table.organization = self.organization  # has_perm reads it
        meeting.initiative.organization = self.organization
        if not self.request.user.has_perm("initiatives.edit_table", meeting.table):
            raise exceptions.PermissionDenied(
                _(
                    "Only backbone staff and this table's chair or co-chairs see and change "
                    "the reminders of its meetings."
                )
            )
        return meeting

    def panel_response(self, meeting: Meeting) -> Response:
        answer = reminders_answer(reminders_panel(meeting=meeting))
        return Response(MeetingRemindersSerializer(answer).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: MeetingRemindersSerializer},
        description="The meeting's three NAG emails (recap, check-in, heads-up): skipped or "
        "not, the opening paragraph, when each is due or was sent, and to whom. Before the "
        "meeting is closed, the recipients are who each would go to today.",
    )
    @extend_schema(
        methods=["PATCH"],
        request=TouchControlInputSerializer,
        responses={200: MeetingRemindersSerializer},
        description="Skips one email (`skipped`: true) or brings it back (false: only what is "
        "not yet due is sent; what the sweep already skipped stays so), and/or changes its "
        "opening paragraph. `touch` (which email) is required, with `skipped`, `intro` or "
        "both. Answers the meeting's reminders as they are now.",
    )
    @action(detail=True, methods=["get", "patch"], url_path="reminders", filter_backends=[])
    def reminders(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.reminders_meeting()
        if request.method == "PATCH":
            data = self.incoming(TouchControlInputSerializer)
            touch_control_set(
                meeting=meeting,
                touch=data["touch"],
                skipped=data.get("skipped"),
                intro=data.get("intro"),
            )
        return self.panel_response(meeting)

    @extend_schema(
        request=PauseInputSerializer,
        responses={200: PauseAnswerSerializer},
        description="Pauses (or resumes) every reminder to a person this meeting concerns, for "
        "every meeting: while paused, what comes due is skipped, not held back. Someone the "
        "meeting does not concern is refused (400).",
    )
    @action(detail=True, methods=["post"], url_path="reminders/pause", filter_backends=[])
    def reminders_pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.reminders_meeting()
        data = self.incoming(PauseInputSerializer)
        person = cast(Person, data["person"])
        if not concerns(meeting, person):
            raise exceptions.ValidationError(
                {"person": [_("This meeting's reminders do not concern this person.")]}
            )
        person = person_set_nag_paused(person=person, paused=data["paused"])
        return Response(
            PauseAnswerSerializer({"person": person.pk, "nag_paused": person.nag_paused}).data
        )

    @extend_schema(
        request=None,
        responses={202: RecapSentSerializer},
        description="Sends the recap of a closed meeting now, to everyone it has not gone to "
        "yet: the worker sends it within a minute, exactly once. A meeting not closed, or "
        "whose recap has gone out to everyone, is refused (400).",
    )
    @action(detail=True, methods=["post"], url_path="send-recap", filter_backends=[])
    def send_recap(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.reminders_meeting()
        due_to = recap_send_now(meeting=meeting)
        return Response(
            RecapSentSerializer({"due_to": due_to}).data, status=status.HTTP_202_ACCEPTED
        )

    def incoming(self, serializer_class: type[serializers.BaseSerializer[Any]]) -> Any:
        incoming = serializer_class(data=self.request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        return incoming.validated_data


# --- Unsubscribes: /api/v1/o/<org_slug>/nag-opt-outs/ --------------------------------------


class NagOptOutSerializer(serializers.ModelSerializer[NagOptOut]):
    """A person who unsubscribed from one initiative's NAG emails (with the link in every
    reminder). `created_at` is when."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = NagOptOut
        fields = ["id", "initiative", "person", "person_name", "created_at"]
        read_only_fields = fields


class ConsentInputSerializer(serializers.Serializer[Any]):
    consent_note = serializers.CharField(
        max_length=2000,
        help_text="How the person asked, or agreed, to receive these emails again (who, when, "
        "how). Required: reminders are turned back on only with their consent.",
    )


class OptOutReversedSerializer(serializers.ModelSerializer[NagOptOutReversal]):
    """The record kept of a reversal: whose, since when they had unsubscribed, who turned
    their reminders back on and when, and the note of their consent."""

    reversed_by = serializers.EmailField(source="reversed_by.email", read_only=True, default=None)

    class Meta:
        model = NagOptOutReversal
        fields = [
            "id",
            "initiative",
            "person",
            "unsubscribed_at",
            "reversed_at",
            "reversed_by",
            "consent_note",
        ]
        read_only_fields = fields


class NagOptOutViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Who unsubscribed from which initiative's NAG emails (backbone staff only, as on the
    initiative's reminders page). Reversing one turns that person's reminders for the
    initiative back on, and needs a note of their consent."""

    queryset = NagOptOut.objects.all()
    serializer_class = NagOptOutSerializer
    required_permissions = NAG_PERMISSIONS
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("initiative", "initiative_id", "Only the unsubscribes from this initiative."),
        IdFilter("person", "person_id", "Only this person's unsubscribes."),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("person", "initiative").order_by(
            "initiative_id", "person__full_name", "person_id", "id"
        )

    @extend_schema(
        request=ConsentInputSerializer,
        responses={200: OptOutReversedSerializer},
        description="Turns the person's reminders for the initiative back on: they receive "
        "what comes due from now on. `consent_note` says how they gave their consent; it is "
        "kept with who reversed it and when (the answer is that record).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reverse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opt_out = cast(NagOptOut, self.get_object())
        incoming = ConsentInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        note = incoming.validated_data["consent_note"]
        opt_out.initiative.organization = self.organization
        reversal = opt_out_reverse(
            initiative=opt_out.initiative,
            person=opt_out.person,
            consent_note=note,
            by_user=request.user,
        )
        return Response(OptOutReversedSerializer(reversal).data)
