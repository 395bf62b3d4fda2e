"""The common agenda, partners, people and tables in the API: /api/v1/o/<org_slug>/….

Each view parses input, authorizes (the role table per action, then per table where a
co-chair's or partner's rights depend on their seat), calls one service, and shapes the answer.
List filters apply to the list only: an object is reachable by its id whatever the filters say.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backbone.api.base import OrganizationScopedViewSet
from backbone.roles import allowed
from initiatives.api.serializers import (
    FilterCriterionSerializer,
    GroundRuleSerializer,
    InitiativeSerializer,
    PartnerOrganizationSerializer,
    PersonSerializer,
    PersonWithDemographicsSerializer,
    ResultSerializer,
    ScreeningCreateSerializer,
    ScreeningSerializer,
    ScreeningUpdateSerializer,
    SeatSerializer,
    StrategySerializer,
    TableSerializer,
)
from initiatives.models import (
    FilterCriterion,
    GroundRule,
    Initiative,
    PartnerOrganization,
    Person,
    Result,
    Screening,
    ScreeningAnswer,
    Seat,
    Sector,
    Strategy,
    Table,
)
from initiatives.services import (
    Answer,
    DuplicatePersonError,
    criterion_create,
    criterion_retire,
    criterion_update,
    ground_rule_create,
    ground_rule_delete,
    ground_rule_update,
    initiative_create,
    initiative_set_status,
    initiative_update,
    partner_create,
    partner_delete,
    partner_update,
    person_create,
    person_remove,
    person_update,
    result_create,
    result_delete,
    result_update,
    screening_decide,
    screening_override,
    screening_record,
    seat_add,
    seat_change_role,
    seat_remove,
    strategy_create,
    strategy_delete,
    strategy_update,
    table_update,
    workgroup_create,
)

Serializer = serializers.BaseSerializer[Any]

# Nothing here is replaced wholesale: PATCH changes the fields sent.
NO_PUT = ["get", "post", "patch", "delete", "head", "options"]
NO_PUT_NO_DELETE = ["get", "post", "patch", "head", "options"]

AGENDA_PERMISSIONS = {
    "*": "edit_common_agenda",
    "list": "view_common_agenda",
    "retrieve": "view_common_agenda",
}
PEOPLE_PERMISSIONS = {"*": "manage_people", "list": "view_people", "retrieve": "view_people"}


# --- Query parameters -----------------------------------------------------------------------


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise exceptions.ValidationError({name: [_("Give the id as a whole number.")]})
    return int(raw)


def bool_param(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise exceptions.ValidationError({name: [_("Use true or false.")]})


def choice_param(request: Request, name: str, choices: list[str], default: str = "") -> str:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise exceptions.ValidationError(
            {name: [_("Use one of: %(choices)s.") % {"choices": ", ".join(choices)}]}
        )
    return raw


def initiative_param(description: str = "Only the objects of this initiative.") -> Any:
    return OpenApiParameter("initiative", OpenApiTypes.INT, description=description)


def search_param(description: str) -> Any:
    return OpenApiParameter("search", OpenApiTypes.STR, description=description)


class ScopedViewSet(OrganizationScopedViewSet):
    def is_listing(self) -> bool:
        return getattr(self, "action", None) == "list"

    def role_allows(self, permission: str) -> bool:
        return allowed(self.membership.role, permission)

    def require_edit_table(self, table: Table) -> None:
        """Staff edit every table; a chair or co-chair edits only their own."""
        if not self.request.user.has_perm("initiatives.edit_table", table):
            raise exceptions.PermissionDenied(
                _("Only backbone staff and this table's chair or co-chairs may change it.")
            )

    def seated_filter(self, prefix: str = "") -> Q:
        """The tables the caller sits at (what a partner may see)."""
        return Q(
            **{
                f"{prefix}seats__person__user": self.request.user,
                f"{prefix}seats__person__archived_at__isnull": True,
            }
        )


# --- The common agenda ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=list(Initiative.Status.values),
                description="Active initiatives (the default) or archived ones.",
            )
        ]
    )
)
class InitiativeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """The initiatives the organization stewards. Nothing is deleted: archive one by setting
    its status to "archived" (and restore it with "active")."""

    queryset = Initiative.objects.all()
    serializer_class = InitiativeSerializer
    http_method_names = NO_PUT_NO_DELETE
    required_permissions = AGENDA_PERMISSIONS

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            status_ = choice_param(
                self.request, "status", list(Initiative.Status.values), Initiative.Status.ACTIVE
            )
            queryset = queryset.filter(status=status_)
        return queryset.order_by("name", "id")

    @transaction.atomic
    def perform_create(self, serializer: Serializer) -> None:
        fields = dict(serializer.validated_data)
        status_ = fields.pop("status", Initiative.Status.ACTIVE)
        initiative = initiative_create(organization=self.organization, **fields)
        if status_ != Initiative.Status.ACTIVE:
            initiative = initiative_set_status(initiative=initiative, status=status_)
        serializer.instance = initiative

    @transaction.atomic
    def perform_update(self, serializer: Serializer) -> None:
        initiative = serializer.instance
        assert isinstance(initiative, Initiative)
        fields = dict(serializer.validated_data)
        status_ = fields.pop("status", None)
        if fields:
            initiative = initiative_update(initiative=initiative, **fields)
        if status_ is not None and status_ != initiative.status:
            initiative = initiative_set_status(initiative=initiative, status=status_)
        serializer.instance = initiative


class AgendaViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    http_method_names = NO_PUT
    required_permissions = AGENDA_PERMISSIONS

    def filter_by_initiative(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        initiative = int_param(self.request, "initiative")
        return queryset if initiative is None else queryset.filter(initiative_id=initiative)


@extend_schema_view(list=extend_schema(parameters=[initiative_param()]))
class ResultViewSet(AgendaViewSet):
    """Population-level results of the common agenda, in their agreed order. A result with
    strategies cannot be deleted (400): move or delete its strategies first."""

    queryset = Result.objects.all()
    serializer_class = ResultSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            queryset = self.filter_by_initiative(queryset)
        return queryset.order_by("initiative_id", "position", "id")

    def perform_create(self, serializer: Serializer) -> None:
        data = serializer.validated_data
        serializer.instance = result_create(
            initiative=data["initiative"], statement=data["statement"]
        )

    def perform_update(self, serializer: Serializer) -> None:
        result = serializer.instance
        assert isinstance(result, Result)
        statement = serializer.validated_data.get("statement", result.statement)
        serializer.instance = result_update(result=result, statement=statement)

    def perform_destroy(self, instance: Result) -> None:
        result_delete(result=instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            initiative_param(),
            OpenApiParameter(
                "result", OpenApiTypes.INT, description="Only the strategies under this result."
            ),
        ]
    )
)
class StrategyViewSet(AgendaViewSet):
    """Strategies under each result. Giving another `result` (of the same initiative) moves the
    strategy there. The workgroups carrying it are set on the workgroup (tables/)."""

    queryset = Strategy.objects.all()
    serializer_class = StrategySerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            queryset = self.filter_by_initiative(queryset)
            result = int_param(self.request, "result")
            if result is not None:
                queryset = queryset.filter(result_id=result)
        return queryset.prefetch_related(
            Prefetch("tables", queryset=Table.objects.only("id").order_by("name", "id"))
        ).order_by("initiative_id", "result__position", "result_id", "position", "id")

    def perform_create(self, serializer: Serializer) -> None:
        data = serializer.validated_data
        serializer.instance = strategy_create(
            result=data["result"], title=data["title"], description=data.get("description", "")
        )

    def perform_update(self, serializer: Serializer) -> None:
        strategy = serializer.instance
        assert isinstance(strategy, Strategy)
        data = serializer.validated_data
        serializer.instance = strategy_update(
            strategy=strategy,
            title=data.get("title", strategy.title),
            description=data.get("description", strategy.description),
            result=data.get("result"),
        )

    def perform_destroy(self, instance: Strategy) -> None:
        strategy_delete(strategy=instance)


@extend_schema_view(list=extend_schema(parameters=[initiative_param()]))
class GroundRuleViewSet(AgendaViewSet):
    """Core values written as behaviours people can be held to, in their agreed order."""

    queryset = GroundRule.objects.all()
    serializer_class = GroundRuleSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            queryset = self.filter_by_initiative(queryset)
        return queryset.order_by("initiative_id", "position", "id")

    def perform_create(self, serializer: Serializer) -> None:
        data = serializer.validated_data
        serializer.instance = ground_rule_create(initiative=data["initiative"], text=data["text"])

    def perform_update(self, serializer: Serializer) -> None:
        rule = serializer.instance
        assert isinstance(rule, GroundRule)
        text = serializer.validated_data.get("text", rule.text)
        serializer.instance = ground_rule_update(rule=rule, text=text)

    def perform_destroy(self, instance: GroundRule) -> None:
        ground_rule_delete(rule=instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            initiative_param(),
            OpenApiParameter(
                "include_retired",
                OpenApiTypes.BOOL,
                description="Also list retired criteria (past screenings still show them).",
            ),
        ]
    ),
    destroy=extend_schema(description="Retires the criterion; past screenings keep it."),
)
class FilterCriterionViewSet(AgendaViewSet):
    """The agenda filter: yes/no questions every proposed new activity must pass. DELETE
    retires a criterion (it is not asked any more); screenings keep what they answered."""

    queryset = FilterCriterion.objects.all()
    serializer_class = FilterCriterionSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            queryset = self.filter_by_initiative(queryset)
            if not bool_param(self.request, "include_retired"):
                queryset = queryset.filter(retired_at__isnull=True)
        return queryset.order_by("initiative_id", "position", "id")

    def perform_create(self, serializer: Serializer) -> None:
        data = serializer.validated_data
        serializer.instance = criterion_create(
            initiative=data["initiative"], question=data["question"]
        )

    def perform_update(self, serializer: Serializer) -> None:
        criterion = serializer.instance
        assert isinstance(criterion, FilterCriterion)
        question = serializer.validated_data.get("question", criterion.question)
        serializer.instance = criterion_update(criterion=criterion, question=question)

    def perform_destroy(self, instance: FilterCriterion) -> None:
        criterion_retire(criterion=instance)


@extend_schema_view(
    list=extend_schema(parameters=[initiative_param()]),
    create=extend_schema(request=ScreeningCreateSerializer, responses={201: ScreeningSerializer}),
    partial_update=extend_schema(
        request=ScreeningUpdateSerializer, responses={200: ScreeningSerializer}
    ),
)
class ScreeningViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Proposed activities screened against the agenda filter: every current criterion answered
    yes or no. A proposal passes only if every answer is yes; backbone staff may let one through
    that missed a criterion with a written `override_reason` (403 for other roles)."""

    queryset = Screening.objects.all()
    serializer_class = ScreeningSerializer
    http_method_names = NO_PUT_NO_DELETE
    required_permissions = {
        "*": "screen_proposals",
        "list": "view_common_agenda",
        "retrieve": "view_common_agenda",
    }

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            initiative = int_param(self.request, "initiative")
            if initiative is not None:
                queryset = queryset.filter(initiative_id=initiative)
        return (
            queryset.select_related("recorded_by")
            .prefetch_related(
                Prefetch("answers", queryset=ScreeningAnswer.objects.order_by("position", "id"))
            )
            .order_by("-created_at", "-id")
        )

    def require_override(self) -> None:
        if not self.role_allows("override_screening"):
            raise exceptions.PermissionDenied(
                _("Only backbone staff may let a proposal through the agenda filter.")
            )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ScreeningCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data["override_reason"].strip():
            self.require_override()
        screening = screening_record(
            initiative=data["initiative"],
            title=data["title"],
            answers=[Answer(a["criterion"], a["answer"], a["note"]) for a in data["answers"]],
            recorded_by=request.user,  # type: ignore[arg-type]
            description=data["description"],
            proposed_by=data["proposed_by"],
            override_reason=data["override_reason"],
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=screening.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        screening = self.get_object()
        incoming = ScreeningUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if "override_reason" in data:
            self.require_override()
        with transaction.atomic():
            # Override first, so one request can let a proposal through and adopt it.
            if "override_reason" in data:
                screening = screening_override(screening=screening, reason=data["override_reason"])
            if "decision" in data or "decision_note" in data:
                screening = screening_decide(
                    screening=screening,
                    decision=data.get("decision", screening.decision),
                    note=data.get("decision_note", screening.decision_note),
                )
        return Response(self.get_serializer(self.get_queryset().get(pk=screening.pk)).data)


# --- Partner organizations and people -------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            search_param("Part of the organization's name."),
            OpenApiParameter(
                "sector",
                OpenApiTypes.STR,
                enum=list(Sector.values),
                description="Only partner organizations of this sector.",
            ),
        ]
    )
)
class PartnerOrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Member organizations of the coalition. Names are unique in the organization (ignoring
    case). One cannot be deleted while people belong to it (400)."""

    queryset = PartnerOrganization.objects.all()
    serializer_class = PartnerOrganizationSerializer
    http_method_names = NO_PUT
    required_permissions = PEOPLE_PERMISSIONS

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            search = self.request.query_params.get("search", "").strip()
            if search:
                queryset = queryset.filter(name__icontains=search)
            sector = choice_param(self.request, "sector", list(Sector.values))
            if sector:
                queryset = queryset.filter(sector=sector)
        return queryset.annotate(
            people_count=Count("people", filter=Q(people__archived_at__isnull=True))
        ).order_by("name", "id")

    def reload(self, partner: PartnerOrganization) -> PartnerOrganization:
        # The answer carries people_count, an annotation of the queryset.
        return self.get_queryset().get(pk=partner.pk)

    def perform_create(self, serializer: Serializer) -> None:
        partner = partner_create(organization=self.organization, **serializer.validated_data)
        serializer.instance = self.reload(partner)

    def perform_update(self, serializer: Serializer) -> None:
        partner = serializer.instance
        assert isinstance(partner, PartnerOrganization)
        partner = partner_update(partner=partner, **serializer.validated_data)
        serializer.instance = self.reload(partner)

    def perform_destroy(self, instance: PartnerOrganization) -> None:
        partner_delete(partner=instance)


def duplicate_email(error: DuplicatePersonError) -> exceptions.ValidationError:
    """The service's message, with the existing person's id so a caller can update them."""
    message = _("%(name)s already has this email address (person %(id)s).") % {
        "name": error.existing.full_name,
        "id": error.existing.pk,
    }
    return exceptions.ValidationError({"email": [message]})


@extend_schema_view(
    list=extend_schema(
        parameters=[
            search_param("Part of the name, email or partner organization's name."),
            OpenApiParameter(
                "partner_organization",
                OpenApiTypes.INT,
                description="Only the people of this partner organization.",
            ),
            OpenApiParameter(
                "include_archived",
                OpenApiTypes.BOOL,
                description="Also list people who were removed (archived).",
            ),
        ]
    )
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """People (contacts), with or without a login. Emails are unique in the organization,
    ignoring case: a duplicate is refused (400) naming the existing person's id. DELETE removes
    a person from every table and archives them, unless they still chair or co-chair a table
    (400, naming what they hold). `race_ethnicity` and `gender` (voluntary) are present only
    for roles that may see demographics (backbone staff)."""

    queryset = Person.objects.all()
    http_method_names = NO_PUT
    required_permissions = PEOPLE_PERMISSIONS

    def get_serializer_class(self) -> type[Serializer]:
        if getattr(self, "swagger_fake_view", False) or self.role_allows(
            "view_person_demographics"
        ):
            return PersonWithDemographicsSerializer
        return PersonSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_listing():
            if not bool_param(self.request, "include_archived"):
                queryset = queryset.filter(archived_at__isnull=True)
            partner = int_param(self.request, "partner_organization")
            if partner is not None:
                queryset = queryset.filter(partner_organization_id=partner)
            search = self.request.query_params.get("search", "").strip()
            if search:
                queryset = queryset.filter(
                    Q(full_name__icontains=search)
                    | Q(email__icontains=search)
                    | Q(partner_organization__name__icontains=search)
                )
        return queryset.order_by("full_name", "id")

    def perform_create(self, serializer: Serializer) -> None:
        try:
            serializer.instance = person_create(
                organization=self.organization, **serializer.validated_data
            )
        except DuplicatePersonError as error:
            raise duplicate_email(error) from None

    def perform_update(self, serializer: Serializer) -> None:
        person = serializer.instance
        assert isinstance(person, Person)
        try:
            serializer.instance = person_update(person=person, **serializer.validated_data)
        except DuplicatePersonError as error:
            raise duplicate_email(error) from None

    def perform_destroy(self, instance: Person) -> None:
        person_remove(person=instance)


# --- Tables ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            initiative_param(),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=list(Table.Kind.values),
                description="Only the steering committee, or only workgroups.",
            ),
        ]
    ),
    create=extend_schema(
        description="Creates a workgroup (each initiative has one steering "
        "committee from the start)."
    ),
)
class TableViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """The steering committee and the workgroups of each initiative. Partners see only the
    tables they sit at. Backbone staff create workgroups and change any table; a table's chair
    or co-chairs may change its `purpose` only."""

    queryset = Table.objects.all()
    serializer_class = TableSerializer
    http_method_names = NO_PUT_NO_DELETE
    required_permissions = {
        "*": "view_common_agenda",
        "create": "manage_tables",
    }

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_tables"):
            queryset = queryset.filter(self.seated_filter())
        if self.is_listing():
            initiative = int_param(self.request, "initiative")
            if initiative is not None:
                queryset = queryset.filter(initiative_id=initiative)
            kind = choice_param(self.request, "kind", list(Table.Kind.values))
            if kind:
                queryset = queryset.filter(kind=kind)
        return (
            queryset.select_related("organization")
            .prefetch_related(
                Prefetch("strategies", queryset=Strategy.objects.only("id").order_by("id"))
            )
            .order_by("initiative_id", "kind", "name", "id")
        )

    def perform_create(self, serializer: Serializer) -> None:
        data = serializer.validated_data
        serializer.instance = workgroup_create(
            initiative=data["initiative"],
            name=data["name"],
            purpose=data.get("purpose", ""),
            strategies=data.get("strategies", []),
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        table = self.get_object()
        self.require_edit_table(table)
        serializer = self.get_serializer(table, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not self.role_allows("manage_tables") and set(data) - {"purpose"}:
            raise exceptions.PermissionDenied(
                _("A chair or co-chair may change the purpose only; staff change the rest.")
            )
        table = table_update(
            table=table,
            name=data.get("name"),
            purpose=data.get("purpose"),
            strategies=data.get("strategies"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=table.pk)).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("table", OpenApiTypes.INT, description="Only this table's seats."),
            OpenApiParameter("person", OpenApiTypes.INT, description="Only this person's seats."),
        ]
    )
)
class SeatViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Who sits at which table, and as what: the steering committee has one chair, a workgroup
    has co-chairs. Backbone staff and the table's chair or co-chairs add, change and remove
    seats; partners see the seats of the tables they sit at."""

    queryset = Seat.objects.all()
    serializer_class = SeatSerializer
    http_method_names = NO_PUT
    required_permissions = {"*": "view_common_agenda"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_tables"):
            queryset = queryset.filter(self.seated_filter("table__"))
        if self.is_listing():
            table = int_param(self.request, "table")
            if table is not None:
                queryset = queryset.filter(table_id=table)
            person = int_param(self.request, "person")
            if person is not None:
                queryset = queryset.filter(person_id=person)
        return queryset.select_related("person", "table__organization").order_by(
            "table_id", "role", "person__full_name", "id"
        )

    def perform_create(self, serializer: Serializer) -> None:
        data = serializer.validated_data
        self.require_edit_table(data["table"])
        serializer.instance = seat_add(
            table=data["table"], person=data["person"], role=data.get("role", Seat.Role.MEMBER)
        )

    def perform_update(self, serializer: Serializer) -> None:
        seat = serializer.instance
        assert isinstance(seat, Seat)
        serializer.instance = seat_change_role(
            seat=seat, role=serializer.validated_data.get("role", seat.role)
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.require_edit_table(self.get_object().table)
        return super().partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance: Seat) -> None:
        self.require_edit_table(instance.table)
        seat_remove(seat=instance)
