"""Help requests in the API: /api/v1/o/<org_slug>/help-requests/….

The same rules as the help requests page (workplans.views.help): backbone staff and the
steering committee read every request of the organization; anyone else reads the requests of
the tables they lead (a chair or co-chair seat, which a partner may hold too), and a member who
leads no table and may not read them all is refused (403). Staff and a table's chair or
co-chairs act on its requests ("I'll take it", resolve), through the page's services; the
steering committee only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backbone.api.filters import ChoiceFilter, IdFilter, ListFilter, bool_param
from backbone.api.ordering import Ordering
from backbone.models import User
from initiatives.access import seated_table_ids
from initiatives.api.views import ScopedViewSet
from initiatives.models import Seat
from workplans.help_requests import help_request_assign, help_request_resolve
from workplans.models import HelpRequest

# --- Shapes ---------------------------------------------------------------------------------


class HelpRequestSerializer(serializers.ModelSerializer[HelpRequest]):
    """A partner said a commitment needs help (`need_help`) or is blocked (`blocked`)."""

    commitment_what = serializers.CharField(source="commitment.what", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    assigned_to = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = HelpRequest
        fields = [
            "id",
            "initiative",
            "table",
            "commitment",
            "commitment_what",
            "person",
            "person_name",
            "kind",
            "text",
            "channel",
            "status",
            "assigned_to",
            "resolved_at",
            "resolved_by",
            "resolution_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_assigned_to(self, help_request: HelpRequest) -> str | None:
        """The email of the login who took it on, if anyone has."""
        return help_request.assigned_to.email if help_request.assigned_to else None

    def get_resolved_by(self, help_request: HelpRequest) -> str | None:
        """The email of the login who resolved it."""
        return help_request.resolved_by.email if help_request.resolved_by else None


class ResolveInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="How it was resolved (kept with the request).",
    )


# --- Filters --------------------------------------------------------------------------------


class MineFlag(ListFilter):
    """`?mine=true`: only the requests the caller took on."""

    openapi_type = OpenApiTypes.BOOL

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not bool_param(request, self.param):
            return queryset
        return queryset.filter(assigned_to_id=cast(int, request.user.pk))


# --- The endpoint ---------------------------------------------------------------------------


class HelpRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Help requests: a partner said a commitment needs help or is blocked (by replying to a
    reminder, or with its one-click link). Backbone staff and the steering committee read all
    of them; others read those of the tables they lead as chair or co-chair. Staff and the
    table's chair or co-chairs take one on and resolve it; resolving leaves the commitment's
    status as it is."""

    queryset = HelpRequest.objects.all()
    serializer_class = HelpRequestSerializer
    required_permissions = {"*": "use_api"}
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("initiative", "initiative_id", "Only this initiative's requests."),
        IdFilter("table", "table_id", "Only the requests of this table."),
        IdFilter("person", "person_id", "Only the requests of this person."),
        IdFilter("commitment", "commitment_id", "Only the requests about this commitment."),
        ChoiceFilter(
            "status", "status", HelpRequest.Status.values, "Only requests in this status."
        ),
        ChoiceFilter("kind", "kind", HelpRequest.Kind.values, "Only requests of this kind."),
        MineFlag("mine", "true: only the requests you took on."),
        Ordering(("created_at", "updated_at")),
    )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # As on the page: someone who may not read the queue and leads no table sees none.
        if not self.role_allows("view_help_requests") and not self._led_tables().exists():
            raise exceptions.PermissionDenied(
                _(
                    "Only backbone staff, the steering committee and a table's co-chairs see "
                    "help requests."
                )
            )

    def _led_tables(self) -> QuerySet[Seat, Any]:
        return seated_table_ids(
            self.request.user, organization_id=self.organization.pk, leading=True
        )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_help_requests"):
            queryset = queryset.filter(table_id__in=self._led_tables())
        return queryset.select_related(
            "commitment", "person", "assigned_to", "resolved_by"
        ).order_by("status", "-created_at", "-id")

    def _acted_on(self) -> HelpRequest:
        help_request = cast(HelpRequest, self.get_object())
        table = help_request.table
        table.organization = self.organization
        if not self.role_allows("manage_help_requests") and not self.request.user.has_perm(
            "initiatives.edit_table", table
        ):
            raise exceptions.PermissionDenied(
                _("Only backbone staff and the table's chair or co-chairs act on its requests.")
            )
        return help_request

    @extend_schema(
        request=None,
        responses={200: HelpRequestSerializer},
        description='"I\'ll take it": you take the request on (from whoever had it). A '
        "resolved request cannot be taken on (400).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        help_request = self._acted_on()
        help_request_assign(help_request=help_request, user=cast(User, request.user))
        return self.answer(help_request)

    @extend_schema(
        request=ResolveInputSerializer,
        responses={200: HelpRequestSerializer},
        description="Resolves the request, with an optional note on how. Resolving a resolved "
        "request changes nothing and answers the same. The commitment keeps its status.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        help_request = self._acted_on()
        incoming = ResolveInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        help_request_resolve(
            help_request=help_request,
            user=cast(User, request.user),
            note=incoming.validated_data.get("note", ""),
        )
        return self.answer(help_request)
