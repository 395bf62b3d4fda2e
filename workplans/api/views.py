"""Workplans, key actions, meetings and commitments in the API: /api/v1/o/<org_slug>/….

Each view parses input, authorizes (the role table per action, then per table: backbone staff
and a table's chair or co-chairs run it; the person who committed may change the status and
progress note of their own commitment), calls one service, and shapes the answer.
A change based on an old `version` is refused with 409 and the current object, never applied.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backbone.api.filters import ChoiceFilter, IdFilter, ListFilter
from initiatives.api.views import NO_PUT_NO_DELETE, ChangeableViewSet, ScopedViewSet, Serializer
from initiatives.models import PartnerOrganization, Person, Table
from workplans.api.filters import DateFilter, MomentFilter, OverdueFlag, organization_today
from workplans.api.nag import REMINDER_ACTIONS, MeetingRemindersMixin
from workplans.api.serializers import (
    AttendanceInputSerializer,
    CommitmentChangeInputSerializer,
    CommitmentConflictSerializer,
    CommitmentHistorySerializer,
    CommitmentSerializer,
    KeyActionConflictSerializer,
    KeyActionSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    WorkplanSerializer,
)
from workplans.models import (
    AgendaItem,
    Attendance,
    Channel,
    Commitment,
    KeyAction,
    Meeting,
    Workplan,
)
from workplans.selectors import history_of
from workplans.services import (
    CommitmentConflict,
    KeyActionConflict,
    attendance_record,
    commitment_change,
    commitment_create,
    key_action_create,
    key_action_delete,
    key_action_update,
    meeting_cancel,
    meeting_close,
    meeting_schedule,
    meeting_update,
    workplan_create,
    workplan_renew,
)

# Partners follow their commitments through the API; workplans and meetings are read by staff,
# the steering committee and co-chairs, and run (per table) by staff and the table's co-chairs.
WORKPLAN_PERMISSIONS = {"*": "view_workplans"}


class YearFilter(IdFilter):
    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raw = request.query_params.get(self.param, "").strip()
        if raw and not raw.isdigit():
            raise exceptions.ValidationError({self.param: [_("Give the year as four digits.")]})
        return super().apply(request, queryset)


class WorkplansViewSet(ScopedViewSet):
    """What the viewsets of this module share: `today` where the organization is, answers to
    a conflict, and the per-table check for writes."""

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["today"] = organization_today(self.request)
        return context

    def require_edit_table(self, table: Table) -> None:
        # has_perm reads the table's organization; the queryset may not have loaded it.
        table.organization = self.organization
        super().require_edit_table(table)

    def conflict(self, error: DjangoValidationError, current: Any) -> Response:
        return Response(
            {
                "error": {
                    "code": "conflict",
                    "message": " ".join(error.messages),
                    "fields": {},
                    "current": self.get_serializer(self.reload(current)).data,
                }
            },
            status=status.HTTP_409_CONFLICT,
        )

    def incoming(self, serializer_class: type[Serializer]) -> Any:
        incoming = serializer_class(data=self.request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        return incoming.validated_data


BY_INITIATIVE = IdFilter("initiative", "initiative_id", "Only the objects of this initiative.")


# --- Workplans ------------------------------------------------------------------------------


class WorkplanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, WorkplansViewSet
):
    """Each workgroup's annual workplans. Backbone staff and a workgroup's co-chairs start one
    (one per year) and renew it: renewing carries the unfinished key actions into next year's
    workplan and closes this one, which is then read-only."""

    queryset = Workplan.objects.all()
    serializer_class = WorkplanSerializer
    required_permissions = WORKPLAN_PERMISSIONS
    list_filters: ClassVar[Sequence[ListFilter]] = (
        BY_INITIATIVE,
        IdFilter("table", "table_id", "Only this workgroup's workplans."),
        YearFilter("year", "year", "Only the workplans of this year."),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            key_action_count=Count("key_actions"),
            key_actions_done=Count(
                "key_actions", filter=Q(key_actions__status=KeyAction.Status.DONE)
            ),
        ).order_by("initiative_id", "table__name", "table_id", "-year")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.require_edit_table(data["table"])
        workplan = workplan_create(table=data["table"], year=data["year"])
        return self.answer(workplan, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={201: WorkplanSerializer},
        description="Starts next year's workplan: unfinished key actions are carried forward "
        "(each linked to the one it continues), done and dropped ones stay here, and this "
        "year is closed (read-only). Answers with the new workplan.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def renew(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        workplan = self.get_object()
        self.require_edit_table(workplan.table)
        return self.answer(workplan_renew(workplan=workplan), status.HTTP_201_CREATED)


# --- Key actions ----------------------------------------------------------------------------

KEY_ACTION_CONFLICT = OpenApiResponse(
    KeyActionConflictSerializer,
    description="The key action changed since `version`; nothing was saved. `error.current` "
    "is the key action as it is now.",
)


@extend_schema_view(
    update=extend_schema(responses={200: KeyActionSerializer, 409: KEY_ACTION_CONFLICT}),
    partial_update=extend_schema(responses={200: KeyActionSerializer, 409: KEY_ACTION_CONFLICT}),
    destroy=extend_schema(
        description="Deletes a key action no commitment advances (otherwise 400: mark it "
        "dropped instead)."
    ),
)
class KeyActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    WorkplansViewSet,
):
    """The key actions of the workplans: the strategy each advances, its lead, contributing
    partners, dates, how we will know it is done (well), status and progress. Changing one
    (PUT or PATCH) needs the `version` it was read at: a stale version is refused with 409 and
    the current key action. A closed year's key actions are read-only (400)."""

    queryset = KeyAction.objects.all()
    serializer_class = KeyActionSerializer
    required_permissions = WORKPLAN_PERMISSIONS
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("initiative", "workplan__initiative_id", "Only this initiative's key actions."),
        IdFilter("table", "workplan__table_id", "Only this workgroup's key actions."),
        IdFilter("workplan", "workplan_id", "Only this workplan's key actions."),
        ChoiceFilter(
            "status", "status", KeyAction.Status.values, "Only key actions in this status."
        ),
        IdFilter("strategy", "strategy_id", "Only the key actions advancing this strategy."),
        IdFilter("lead", "lead_id", "Only the key actions this person leads."),
        DateFilter("due_before", "due_date", "lte", "Only key actions due on or before this date."),
        DateFilter("due_after", "due_date", "gte", "Only key actions due on or after this date."),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return (
            queryset.select_related("workplan")
            .prefetch_related(
                Prefetch(
                    "contributors", queryset=PartnerOrganization.objects.only("id").order_by("id")
                )
            )
            .order_by(
                "workplan_id", "strategy__result__position", "strategy__position", "position", "id"
            )
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        workplan = data.pop("workplan")
        self.require_edit_table(workplan.table)
        key_action = key_action_create(workplan=workplan, **data)
        return self.answer(key_action, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key_action = self.get_object()
        self.require_edit_table(key_action.workplan.table)
        serializer = self.get_serializer(
            key_action, data=request.data, partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        contributors = data.pop("contributors", None)
        try:
            saved = key_action_update(
                key_action=key_action,
                expected_version=version,
                contributors=contributors,
                **data,
            )
        except KeyActionConflict as error:
            return self.conflict(error, error.current)
        return self.answer(saved)

    def perform_destroy(self, instance: KeyAction) -> None:
        self.require_edit_table(instance.workplan.table)
        key_action_delete(key_action=instance)


# --- Meetings -------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        description="Schedules a meeting: the table's members are invited unless `invitees` "
        "is given, and the agenda is generated (check-in, ground rules, review of the last "
        "meeting's commitments, workplan progress, problem solving, coordination, scan of the "
        "environment, wins)."
    ),
)
class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    MeetingRemindersMixin,
    WorkplansViewSet,
):
    """Meetings of the workgroups and steering committees. Times are given in the initiative's
    time zone (`time_zone`); a time sent without an offset is read in it. Partners read the
    meetings of the tables they sit at; backbone staff, the steering committee and co-chairs
    read all of them. Backbone staff and the table's chair or co-chairs schedule, change, close
    and cancel meetings, record attendance and control the meeting's NAG emails (reminders/).
    The agenda is part of a single meeting's answer; agenda-items/ changes it."""

    queryset = Meeting.objects.all()
    # As on the pages, per table rather than per role: everyone sees the meetings of the tables
    # they sit at (the queryset; staff, steering members and co-chairs see every table's), and
    # every change, the reminders included, is checked with "initiatives.edit_table" (staff, and
    # the table's chair or co-chairs, whatever their role in the organization).
    required_permissions = {"*": "use_api"}
    list_filters: ClassVar[Sequence[ListFilter]] = (
        BY_INITIATIVE,
        IdFilter("table", "table_id", "Only this table's meetings."),
        ChoiceFilter("status", "status", Meeting.Status.values, "Only meetings in this status."),
        MomentFilter(
            "starts_after",
            "starts_at",
            after=True,
            description="Only meetings starting at or after this moment (a date: that whole "
            "day, in the organization's time zone).",
        ),
        MomentFilter(
            "starts_before",
            "starts_at",
            after=False,
            description="Only meetings starting at or before this moment (a date: that whole "
            "day, in the organization's time zone).",
        ),
    )

    def get_serializer_class(self) -> type[Serializer]:
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_tables"):
            queryset = queryset.filter(table_id__in=self.seated_tables())
        if self.action in REMINDER_ACTIONS:
            return queryset.select_related("table", "initiative")
        queryset = queryset.select_related("initiative__organization").prefetch_related(
            Prefetch("invitees", queryset=Person.objects.only("id").order_by("id")),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("person").order_by(
                    "person__full_name", "person_id"
                ),
            ),
        )
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "id"))
            )
        return queryset.order_by("-starts_at", "-id")

    @transaction.atomic
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        table = data.pop("table")
        self.require_edit_table(table)
        meeting = meeting_schedule(
            table=table,
            starts_at=data.pop("starts_at"),
            ends_at=data.pop("ends_at"),
            title=data.pop("title", ""),
            location=data.pop("location", ""),
            video_link=data.pop("video_link", ""),
            invitees=data.pop("invitees", None),
        )
        if data:  # notes and wins, written already when scheduling
            meeting = meeting_update(meeting=meeting, **data)
        return self.answer(meeting, status.HTTP_201_CREATED)

    @transaction.atomic
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        self.require_edit_table(meeting.table)
        serializer = self.get_serializer(meeting, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        meeting = meeting_update(meeting=meeting, **serializer.validated_data)
        return self.answer(meeting)

    @extend_schema(
        request=None,
        responses={200: MeetingDetailSerializer},
        description="Closes the meeting. Closing a closed meeting changes nothing and answers "
        "the same; a cancelled meeting cannot be closed (400).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        self.require_edit_table(meeting.table)
        return self.answer(meeting_close(meeting=meeting))

    @extend_schema(
        request=None,
        responses={200: MeetingDetailSerializer},
        description="Cancels a scheduled meeting (calendars drop it when they next read its "
        "invitation or feed). Cancelling a cancelled meeting changes nothing and answers the "
        "same; a meeting that took place (closed) cannot be cancelled (400).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        self.require_edit_table(meeting.table)
        return self.answer(meeting_cancel(meeting=meeting))

    @extend_schema(
        request=AttendanceInputSerializer,
        responses={200: MeetingDetailSerializer},
        description="Records who came: everyone in `present` is present, every other invitee "
        "absent. Replaces what was recorded before.",
    )
    @action(detail=True, methods=["put"], filter_backends=[])
    def attendance(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        self.require_edit_table(meeting.table)
        data = self.incoming(AttendanceInputSerializer)
        attendance_record(meeting=meeting, present=data["present"])
        return self.answer(meeting)


# --- Commitments ----------------------------------------------------------------------------

COMMITMENT_CONFLICT = OpenApiResponse(
    CommitmentConflictSerializer,
    description="The commitment changed since `version`; nothing was saved. `error.current` "
    "is the commitment as it is now.",
)


@contextmanager
def note_is_the_progress_note() -> Iterator[None]:
    """The service calls the reason for a change its `note`; the API calls it progress_note."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict") and "note" in error.error_dict:
            messages = error.message_dict
            messages["progress_note"] = messages.pop("note")
            raise exceptions.ValidationError(messages) from None
        raise


@extend_schema_view(
    create=extend_schema(
        description="Records a commitment made at a meeting (backbone staff or the table's "
        "co-chairs). Its date may not be before the meeting. A person, key action or "
        "strategy of another organization is refused with 400, like one that does not exist."
    ),
    partial_update=extend_schema(
        request=CommitmentChangeInputSerializer,
        responses={200: CommitmentSerializer, 409: COMMITMENT_CONFLICT},
        description="Changes the status, progress note or date; the change is kept in the "
        "history (channel `api`, by you). Dropping needs a progress_note saying why. The "
        "person who committed may change the status and progress note of their own "
        "commitment; the table's co-chairs and backbone staff may change any of it.",
    ),
)
class CommitmentViewSet(ChangeableViewSet, WorkplansViewSet):
    """Action commitments made at meetings: what will be done, who committed, by when, why it
    matters. Partners see the commitments of the tables they sit at. `status` is one of open,
    done, need_help, blocked, dropped. Every change is kept: see commitments/{id}/history/."""

    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    http_method_names = NO_PUT_NO_DELETE
    required_permissions = {"*": "use_api", "create": "view_workplans"}
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("initiative", "table__initiative_id", "Only this initiative's commitments."),
        IdFilter("table", "table_id", "Only the commitments made at this table's meetings."),
        IdFilter("meeting", "meeting_id", "Only the commitments made at this meeting."),
        IdFilter("person", "person_id", "Only this person's commitments."),
        ChoiceFilter("status", "status", Commitment.Status.values, "Only this status."),
        DateFilter("due_before", "due_date", "lte", "Only commitments due on or before this date."),
        DateFilter("due_after", "due_date", "gte", "Only commitments due on or after this date."),
        OverdueFlag(
            "overdue",
            date_field="due_date",
            active=list(Commitment.ACTIVE),
            description="true: only commitments still to do (open, need_help, blocked) past "
            "their date, in the organization's time zone.",
        ),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_tables"):
            queryset = queryset.filter(table_id__in=self.seated_tables())
        return queryset.select_related("person", "table").order_by("due_date", "id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        meeting = data.pop("meeting")
        self.require_edit_table(meeting.table)
        commitment = commitment_create(
            meeting=meeting,
            by_user=request.user,  # type: ignore[arg-type]
            channel=Channel.API,
            **data,
        )
        return self.answer(commitment, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        commitment = self.get_object()
        data = self.incoming(CommitmentChangeInputSerializer)
        self.require_change(commitment, data)
        try:
            with note_is_the_progress_note():
                changed = commitment_change(
                    commitment=commitment,
                    channel=Channel.API,
                    by_user=request.user,  # type: ignore[arg-type]
                    status=data.get("status"),
                    new_due_date=data.get("due_date"),
                    note=data.get("progress_note", ""),
                    expected_version=data.get("version"),
                )
        except CommitmentConflict as error:
            return self.conflict(error, error.current)
        return self.answer(changed)

    def require_change(self, commitment: Commitment, data: dict[str, Any]) -> None:
        commitment.table.organization = self.organization
        if self.request.user.has_perm("initiatives.edit_table", commitment.table):
            return
        if commitment.person.user_id != self.request.user.pk:
            raise exceptions.PermissionDenied(
                _(
                    "Only backbone staff, the table's co-chairs and the person who committed "
                    "may change a commitment."
                )
            )
        if set(data) - {"status", "progress_note", "version"}:
            raise exceptions.PermissionDenied(
                _(
                    "You may change the status and progress note of your own commitment; ask "
                    "a co-chair or the backbone staff to move its date."
                )
            )

    @extend_schema(
        responses={200: CommitmentHistorySerializer(many=True)},
        description="Every change to the commitment, oldest first: when, through which "
        "channel (web, api, email_reply, email_link, import, meeting), by whom, the status and "
        "date before and after (null when unchanged), and the note.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        commitment = self.get_object()
        changes = self.paginate_queryset(history_of(commitment))
        serializer = CommitmentHistorySerializer(changes, many=True)
        return self.get_paginated_response(serializer.data)
