"""Meeting agenda items in the API: /api/v1/o/<org_slug>/agenda-items/….

A meeting's agenda is generated when it is scheduled and is part of a single meeting's answer
(meetings/{id}/); here it is changed, item by item, with the services the meeting page uses.
Read like meetings (backbone staff, the steering committee and co-chairs); changed by staff and
the table's chair or co-chairs, while the meeting is still scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backbone.api.filters import ChoiceFilter, IdFilter, ListFilter
from initiatives.api.serializers import FixedAfterCreate, InOrganization
from initiatives.api.views import NO_PUT
from workplans.api.views import WorkplansViewSet
from workplans.models import AgendaItem, Meeting
from workplans.services import (
    agenda_item_add,
    agenda_item_delete,
    agenda_item_move,
    agenda_item_update,
)


class MeetingAgendaItemSerializer(FixedAfterCreate):
    """An item of a meeting's agenda. `meeting` is given when adding one and stays; new items
    go to the end, of kind `other`."""

    meeting = InOrganization(queryset=Meeting.objects.all())
    table = serializers.IntegerField(source="meeting.table_id", read_only=True)
    minutes = serializers.IntegerField(
        min_value=1,
        max_value=600,
        allow_null=True,
        required=False,
        help_text="How long it is planned to take.",
    )

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "table",
            "kind",
            "title",
            "notes",
            "minutes",
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "kind", "position", "created_at", "updated_at"]
        create_only = ["meeting"]


class AgendaItemMoveSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(
        choices=[("up", "up"), ("down", "down")],
        help_text="One place earlier (up) or later (down); at either end it stays.",
    )


@extend_schema_view(
    create=extend_schema(
        description="Adds an item at the end of a scheduled meeting's agenda (a closed or "
        "cancelled meeting's agenda is kept as it was: 400)."
    ),
    partial_update=extend_schema(
        description="Changes the title, notes or minutes of an item of a scheduled meeting."
    ),
    destroy=extend_schema(
        description="Removes an item of a scheduled meeting. The review of the last meeting's "
        "commitments opens every meeting and cannot be removed (400)."
    ),
)
class AgendaItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    WorkplansViewSet,
):
    """The items of the meetings' agendas, in order (`position`) within each meeting. Backbone
    staff and the table's chair or co-chairs add, change, move and remove items while the
    meeting is scheduled."""

    queryset = AgendaItem.objects.all()
    serializer_class = MeetingAgendaItemSerializer
    http_method_names = NO_PUT
    # As for meetings: the agendas of the tables one sits at, changed by who leads the table.
    required_permissions = {"*": "use_api"}
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("meeting", "meeting_id", "Only this meeting's agenda."),
        IdFilter("table", "meeting__table_id", "Only the agendas of this table's meetings."),
        IdFilter(
            "initiative", "meeting__initiative_id", "Only the agendas of the initiative's meetings."
        ),
        ChoiceFilter("kind", "kind", AgendaItem.Kind.values, "Only items of this kind."),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_tables"):
            queryset = queryset.filter(meeting__table_id__in=self.seated_tables())
        return queryset.select_related("meeting").order_by("meeting_id", "position", "id")

    def _item_to_change(self) -> AgendaItem:
        item = cast(AgendaItem, self.get_object())
        self.require_edit_table(item.meeting.table)
        return item

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = data["meeting"]
        self.require_edit_table(meeting.table)
        item = agenda_item_add(
            meeting=meeting,
            title=data["title"],
            notes=data.get("notes", ""),
            minutes=data.get("minutes"),
        )
        return self.answer(item, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self._item_to_change()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The service sets all three; what is not sent stays as it is.
        item = agenda_item_update(
            item=item,
            title=data.get("title", item.title),
            notes=data.get("notes", item.notes),
            minutes=data.get("minutes", item.minutes),
        )
        return self.answer(item)

    def perform_destroy(self, instance: AgendaItem) -> None:
        self.require_edit_table(instance.meeting.table)
        agenda_item_delete(item=instance)

    @extend_schema(
        request=AgendaItemMoveSerializer,
        responses={200: MeetingAgendaItemSerializer},
        description="Moves the item one place up or down in its meeting's agenda; the other "
        "items' positions follow.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def move(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self._item_to_change()
        data = self.incoming(AgendaItemMoveSerializer)
        return self.answer(agenda_item_move(item=item, direction=data["direction"]))
