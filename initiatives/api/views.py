"""The common agenda, partners, people and tables in the API: /api/v1/o/<org_slug>/….

Each view parses input, authorizes (the role table per action, then per table where a
co-chair's or partner's rights depend on their seat), calls one service, and shapes the answer.
List filters apply to the list only: an object is reachable by its id whatever the filters say.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar

from django.db import models, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backbone.api.base import OrganizationScopedViewSet
from backbone.api.filters import (
    ChoiceFilter,
    IdFilter,
    IncludeFlag,
    ListFilter,
    ListFilterBackend,
    SearchFilter,
)
from backbone.roles import allowed
from initiatives.access import seated_table_ids
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
ModelT = TypeVar("ModelT", bound=models.Model)

# Nothing here is replaced wholesale: PATCH changes the fields sent.
NO_PUT = ["get", "post", "patch", "delete", "head", "options"]
NO_PUT_NO_DELETE = ["get", "post", "patch", "head", "options"]

AGENDA_PERMISSIONS = {
    "*": "edit_common_agenda",
    "list": "view_common_agenda",
    "retrieve": "view_common_agenda",
}
PEOPLE_PERMISSIONS = {"*": "manage_people", "list": "view_people", "retrieve": "view_people"}


BY_INITIATIVE = IdFilter("initiative", "initiative_id", "Only the objects of this initiative.")


class ScopedViewSet(OrganizationScopedViewSet):
    # Each viewset's query parameters, applied to its list only (and described in the schema).
    filter_backends = [ListFilterBackend]
    list_filters: ClassVar[Sequence[ListFilter]] = ()

    def reload(self, obj: ModelT) -> ModelT:
        """The object again, with the annotations and prefetches of the queryset."""
        return self.get_queryset().get(pk=obj.pk)

    def answer(self, obj: models.Model, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.reload(obj)).data, status=status_code)

    def role_allows(self, permission: str) -> bool:
        return allowed(self.membership.role, permission)

    def require_edit_table(self, table: Table) -> None:
        """Staff edit every table; a chair or co-chair edits only their own."""
        if not self.request.user.has_perm("initiatives.edit_table", table):
            raise exceptions.PermissionDenied(
                _("Only backbone staff and this table's chair or co-chairs may change it.")
            )

    def seated_tables(self) -> QuerySet[Any]:
        """The ids of the tables the caller sits at, as a subquery."""
        return seated_table_ids(self.request.user)

    def seated_filter(self, prefix: str = "") -> Q:
        """The tables the caller sits at (what a partner may see)."""
        return Q(
            **{
                f"{prefix}seats__person__user": self.request.user,
                f"{prefix}seats__person__archived_at__isnull": True,
            }
        )


# Bases of the viewsets below. Their notes are comments, not docstrings: the schema describes a
# viewset by the first docstring up its classes, and these should never stand in for one.


# List, read, create and change; nothing is deleted.
class ChangeableViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    http_method_names = NO_PUT_NO_DELETE


# List, read, create, change and delete.
class CrudViewSet(mixins.DestroyModelMixin, ChangeableViewSet):
    http_method_names = NO_PUT


# --- The common agenda ----------------------------------------------------------------------


class InitiativeViewSet(ChangeableViewSet):
    """The initiatives the organization stewards. Nothing is deleted: archive one by setting
    its status to "archived" (and restore it with "active")."""

    queryset = Initiative.objects.all()
    serializer_class = InitiativeSerializer
    required_permissions = AGENDA_PERMISSIONS
    list_filters = (
        ChoiceFilter(
            "status",
            "status",
            Initiative.Status.values,
            "Active initiatives (the default) or archived ones.",
            default=Initiative.Status.ACTIVE,
        ),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
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


class AgendaViewSet(CrudViewSet):
    required_permissions = AGENDA_PERMISSIONS
    list_filters: ClassVar[Sequence[ListFilter]] = (BY_INITIATIVE,)


# Results, ground rules and filter criteria: one text (`text_field`) under an initiative, in
# the agreed order. A subclass calls its services in create_item and update_item.
class OrderedTextViewSet(AgendaViewSet, Generic[ModelT]):
    text_field: ClassVar[str]

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.order_by("initiative_id", "position", "id")

    def create_item(self, initiative: Initiative, text: str) -> ModelT:
        raise NotImplementedError

    def update_item(self, item: ModelT, text: str) -> ModelT:
        raise NotImplementedError

    def perform_create(self, serializer: Serializer) -> None:
        data = serializer.validated_data
        serializer.instance = self.create_item(data["initiative"], data[self.text_field])

    def perform_update(self, serializer: Serializer) -> None:
        item = serializer.instance
        assert item is not None
        text = serializer.validated_data.get(self.text_field, getattr(item, self.text_field))
        serializer.instance = self.update_item(item, text)


class ResultViewSet(OrderedTextViewSet[Result]):
    """Population-level results of the common agenda, in their agreed order. A result with
    strategies cannot be deleted (400): move or delete its strategies first."""

    queryset = Result.objects.all()
    serializer_class = ResultSerializer
    text_field = "statement"

    def create_item(self, initiative: Initiative, text: str) -> Result:
        return result_create(initiative=initiative, statement=text)

    def update_item(self, item: Result, text: str) -> Result:
        return result_update(result=item, statement=text)

    def perform_destroy(self, instance: Result) -> None:
        result_delete(result=instance)


class StrategyViewSet(AgendaViewSet):
    """Strategies under each result. Giving another `result` (of the same initiative) moves the
    strategy there. The workgroups carrying it are set on the workgroup (tables/)."""

    queryset = Strategy.objects.all()
    serializer_class = StrategySerializer
    list_filters = (
        BY_INITIATIVE,
        IdFilter("result", "result_id", "Only the strategies under this result."),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
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


class GroundRuleViewSet(OrderedTextViewSet[GroundRule]):
    """Core values written as behaviours people can be held to, in their agreed order."""

    queryset = GroundRule.objects.all()
    serializer_class = GroundRuleSerializer
    text_field = "text"

    def create_item(self, initiative: Initiative, text: str) -> GroundRule:
        return ground_rule_create(initiative=initiative, text=text)

    def update_item(self, item: GroundRule, text: str) -> GroundRule:
        return ground_rule_update(rule=item, text=text)

    def perform_destroy(self, instance: GroundRule) -> None:
        ground_rule_delete(rule=instance)


@extend_schema_view(
    destroy=extend_schema(description="Retires the criterion; past screenings keep it."),
)
class FilterCriterionViewSet(OrderedTextViewSet[FilterCriterion]):
    """The agenda filter: yes/no questions every proposed new activity must pass. DELETE
    retires a criterion (it is not asked any more); screenings keep what they answered."""

    queryset = FilterCriterion.objects.all()
    serializer_class = FilterCriterionSerializer
    text_field = "question"
    list_filters = (
        BY_INITIATIVE,
        IncludeFlag(
            "include_retired",
            Q(retired_at__isnull=True),
            "Also list retired criteria (past screenings still show them).",
        ),
    )

    def create_item(self, initiative: Initiative, text: str) -> FilterCriterion:
        return criterion_create(initiative=initiative, question=text)

    def update_item(self, item: FilterCriterion, text: str) -> FilterCriterion:
        return criterion_update(criterion=item, question=text)

    def perform_destroy(self, instance: FilterCriterion) -> None:
        criterion_retire(criterion=instance)


@extend_schema_view(
    create=extend_schema(request=ScreeningCreateSerializer, responses={201: ScreeningSerializer}),
    partial_update=extend_schema(
        request=ScreeningUpdateSerializer, responses={200: ScreeningSerializer}
    ),
)
class ScreeningViewSet(ChangeableViewSet):
    """Proposed activities screened against the agenda filter: every current criterion answered
    yes or no. A proposal passes only if every answer is yes; backbone staff may let one through
    that missed a criterion with a written `override_reason` (403 for other roles)."""

    queryset = Screening.objects.all()
    serializer_class = ScreeningSerializer
    required_permissions = {
        "*": "screen_proposals",
        "list": "view_common_agenda",
        "retrieve": "view_common_agenda",
    }
    list_filters = (BY_INITIATIVE,)

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
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

    def incoming(self, serializer_class: type[Serializer]) -> Any:
        """The request body, validated by a serializer other than the answer's."""
        incoming = serializer_class(data=self.request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        return incoming.validated_data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.incoming(ScreeningCreateSerializer)
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
        return self.answer(screening, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        screening = self.get_object()
        data = self.incoming(ScreeningUpdateSerializer)
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
        return self.answer(screening)


# --- Partner organizations and people -------------------------------------------------------


class PartnerOrganizationViewSet(CrudViewSet):
    """Member organizations of the coalition. Names are unique in the organization (ignoring
    case). One cannot be deleted while people belong to it (400)."""

    queryset = PartnerOrganization.objects.all()
    serializer_class = PartnerOrganizationSerializer
    required_permissions = PEOPLE_PERMISSIONS
    list_filters = (
        SearchFilter(["name"], "Part of the organization's name."),
        ChoiceFilter(
            "sector", "sector", Sector.values, "Only partner organizations of this sector."
        ),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            people_count=Count("people", filter=Q(people__archived_at__isnull=True))
        ).order_by("name", "id")

    # The answers carry people_count, an annotation of the queryset: hence reload.
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


@contextmanager
def duplicate_email_is_invalid() -> Iterator[None]:
    """A DuplicatePersonError as a 400 on `email`: the service's message, with the existing
    person's id so a caller can update them."""
    try:
        yield
    except DuplicatePersonError as error:
        message = _("%(name)s already has this email address (person %(id)s).") % {
            "name": error.existing.full_name,
            "id": error.existing.pk,
        }
        raise exceptions.ValidationError({"email": [message]}) from None


class PersonViewSet(CrudViewSet):
    """People (contacts), with or without a login. Emails are unique in the organization,
    ignoring case: a duplicate is refused (400) naming the existing person's id. DELETE removes
    a person from every table and archives them, unless they still chair or co-chair a table
    (400, naming what they hold). `race_ethnicity` and `gender` (voluntary) are present only
    for roles that may see demographics (backbone staff)."""

    queryset = Person.objects.all()
    required_permissions = PEOPLE_PERMISSIONS
    list_filters = (
        IncludeFlag(
            "include_archived",
            Q(archived_at__isnull=True),
            "Also list people who were removed (archived).",
        ),
        IdFilter(
            "partner_organization",
            "partner_organization_id",
            "Only the people of this partner organization.",
        ),
        SearchFilter(
            ["full_name", "email", "partner_organization__name"],
            "Part of the name, email or partner organization's name.",
        ),
    )

    def get_serializer_class(self) -> type[Serializer]:
        if getattr(self, "swagger_fake_view", False) or self.role_allows(
            "view_person_demographics"
        ):
            return PersonWithDemographicsSerializer
        return PersonSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.order_by("full_name", "id")

    def perform_create(self, serializer: Serializer) -> None:
        with duplicate_email_is_invalid():
            serializer.instance = person_create(
                organization=self.organization, **serializer.validated_data
            )

    def perform_update(self, serializer: Serializer) -> None:
        person = serializer.instance
        assert isinstance(person, Person)
        with duplicate_email_is_invalid():
            serializer.instance = person_update(person=person, **serializer.validated_data)

    def perform_destroy(self, instance: Person) -> None:
        person_remove(person=instance)


# --- Tables ---------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        description="Creates a workgroup (each initiative has one steering "
        "committee from the start)."
    ),
)
class TableViewSet(ChangeableViewSet):
    """The steering committee and the workgroups of each initiative. Partners see only the
    tables they sit at. Backbone staff create workgroups and change any table; a table's chair
    or co-chairs may change its `purpose` only."""

    queryset = Table.objects.all()
    serializer_class = TableSerializer
    required_permissions = {
        "*": "view_common_agenda",
        "create": "manage_tables",
    }
    list_filters = (
        BY_INITIATIVE,
        ChoiceFilter(
            "kind",
            "kind",
            Table.Kind.values,
            "Only the steering committee, or only workgroups.",
        ),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_tables"):
            queryset = queryset.filter(self.seated_filter())
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
        return self.answer(table)


class SeatViewSet(CrudViewSet):
    """Who sits at which table, and as what: the steering committee has one chair, a workgroup
    has co-chairs. Backbone staff and the table's chair or co-chairs add, change and remove
    seats; partners see the seats of the tables they sit at."""

    queryset = Seat.objects.all()
    serializer_class = SeatSerializer
    required_permissions = {"*": "view_common_agenda"}
    list_filters = (
        IdFilter("table", "table_id", "Only this table's seats."),
        IdFilter("person", "person_id", "Only this person's seats."),
        IdFilter("initiative", "table__initiative_id", "Only the seats of this initiative."),
        ChoiceFilter("role", "role", Seat.Role.values, "Only chairs, co-chairs or members."),
        ChoiceFilter(
            "table_kind",
            "table__kind",
            Table.Kind.values,
            "Only the steering committee's seats, or only the workgroups'.",
        ),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.role_allows("view_all_tables"):
            queryset = queryset.filter(self.seated_filter("table__"))
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
