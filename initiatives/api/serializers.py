"""Shapes of the common agenda, partners, people and tables in the API.

Serializers only validate and shape: every write goes through initiatives.services, called by
the views. An id in a request body is looked up within the caller's organization only, so an id
of another organization is answered like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from backbone.models import User
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
    Strategy,
    Table,
)

# When the object was made and last changed (lists take ?updated_since= on the latter).
TIMESTAMPS = ("created_at", "updated_at")


class InOrganization(serializers.PrimaryKeyRelatedField[Any]):
    """The id of an object of the organization named in the URL."""

    # How the object is tied to its organization.
    organization_lookup = "organization"

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None
        organization = getattr(self.context.get("view"), "organization", None)
        if organization is None:
            return queryset.none()
        return queryset.filter(**{self.organization_lookup: organization})


class MemberUser(InOrganization):
    """The id of a user account that is a member of the organization named in the URL."""

    organization_lookup = "memberships__organization"


class FixedAfterCreate(serializers.ModelSerializer[Any]):
    """Fields in Meta.create_only may be given when creating, and are read-only afterwards
    (a result stays under its initiative; a seat stays at its table)."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, QuerySet)):
            for name in getattr(self.Meta, "create_only", ()):
                fields[name].read_only = True
        return fields


class InitiativeSerializer(serializers.ModelSerializer[Initiative]):
    class Meta:
        model = Initiative
        fields = [
            "id",
            "name",
            "north_star",
            "focus_population",
            "geography",
            "time_zone",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


# An object under an initiative of the organization, where it stays. (No docstring: the
# schema describes each serializer by the first docstring up its classes, FixedAfterCreate's.)
class UnderInitiative(FixedAfterCreate):
    initiative = InOrganization(queryset=Initiative.objects.all())

    class Meta:
        create_only = ["initiative"]


class ResultSerializer(UnderInitiative):
    class Meta(UnderInitiative.Meta):
        model = Result
        fields = ["id", "initiative", "statement", "position", *TIMESTAMPS]
        read_only_fields = ["id", "position", *TIMESTAMPS]


class StrategySerializer(serializers.ModelSerializer[Strategy]):
    result = InOrganization(queryset=Result.objects.all())
    workgroups = serializers.PrimaryKeyRelatedField(  # type: ignore[var-annotated]
        source="tables",
        many=True,
        read_only=True,
        help_text="The workgroups carrying this strategy (set them on the workgroup).",
    )

    class Meta:
        model = Strategy
        fields = [
            "id",
            "initiative",
            "result",
            "title",
            "description",
            "position",
            "workgroups",
            *TIMESTAMPS,
        ]
        read_only_fields = ["id", "initiative", "position", *TIMESTAMPS]


class GroundRuleSerializer(UnderInitiative):
    class Meta(UnderInitiative.Meta):
        model = GroundRule
        fields = ["id", "initiative", "text", "position", *TIMESTAMPS]
        read_only_fields = ["id", "position", *TIMESTAMPS]


class FilterCriterionSerializer(UnderInitiative):
    class Meta(UnderInitiative.Meta):
        model = FilterCriterion
        fields = ["id", "initiative", "question", "position", "retired_at", *TIMESTAMPS]
        read_only_fields = ["id", "position", "retired_at", *TIMESTAMPS]


class ScreeningAnswerSerializer(serializers.ModelSerializer[ScreeningAnswer]):
    class Meta:
        model = ScreeningAnswer
        fields = ["criterion", "question", "answer", "note"]
        read_only_fields = fields


class ScreeningSerializer(serializers.ModelSerializer[Screening]):
    recorded_by = serializers.EmailField(source="recorded_by.email", read_only=True, default=None)
    outcome = serializers.ChoiceField(
        choices=["passes", "does_not_pass", "overridden"], read_only=True
    )
    answers = ScreeningAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "initiative",
            "title",
            "description",
            "proposed_by",
            "recorded_by",
            "passes_all",
            "outcome",
            "override_reason",
            "decision",
            "decision_note",
            *TIMESTAMPS,
            "answers",
        ]
        read_only_fields = fields


class AnswerInputSerializer(serializers.Serializer[Any]):
    criterion = InOrganization(queryset=FilterCriterion.objects.all())
    answer = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


OVERRIDE_REASON_HELP = "Staff only: why a proposal that missed a criterion goes ahead anyway."


class ScreeningCreateSerializer(serializers.Serializer[Any]):
    """A proposed activity and its answer to every current criterion of the initiative."""

    initiative = InOrganization(queryset=Initiative.objects.all())
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_by = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=OVERRIDE_REASON_HELP,
    )
    answers = AnswerInputSerializer(many=True)


class ScreeningUpdateSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Screening.Decision.choices, required=False)
    decision_note = serializers.CharField(required=False, allow_blank=True)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=OVERRIDE_REASON_HELP,
    )


class PartnerOrganizationSerializer(serializers.ModelSerializer[PartnerOrganization]):
    people_count = serializers.IntegerField(
        read_only=True, help_text="People of this organization who are not archived."
    )

    class Meta:
        model = PartnerOrganization
        fields = [
            "id",
            "name",
            "sector",
            "size_band",
            "community_led",
            "website",
            "notes",
            "people_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


PERSON_FIELDS = [
    "id",
    "full_name",
    "email",
    "phone",
    "partner_organization",
    "title",
    "preferred_language",
    "is_community_member",
    "user",
    "archived_at",
    "created_at",
    "updated_at",
]


class PersonSerializer(serializers.ModelSerializer[Person]):
    """A contact. Voluntary demographics are not part of this shape: see
    PersonWithDemographicsSerializer, used only for roles that may see them."""

    partner_organization = InOrganization(
        queryset=PartnerOrganization.objects.all(), allow_null=True, required=False
    )
    user = MemberUser(
        queryset=User.objects.all(),
        allow_null=True,
        required=False,
        help_text="The login of this person, if they have one (a member of the organization).",
    )

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        read_only_fields = ["id", "archived_at", "created_at", "updated_at"]


class PersonWithDemographicsSerializer(PersonSerializer):
    """A contact with the voluntary demographics (only for roles with
    view_person_demographics: backbone staff)."""

    class Meta(PersonSerializer.Meta):
        fields = [*PERSON_FIELDS, "race_ethnicity", "gender"]


class TableSerializer(UnderInitiative):
    strategies = InOrganization(queryset=Strategy.objects.all(), many=True, required=False)

    class Meta(UnderInitiative.Meta):
        model = Table
        fields = ["id", "initiative", "kind", "name", "purpose", "strategies", *TIMESTAMPS]
        read_only_fields = ["id", "kind", *TIMESTAMPS]


class SeatSerializer(FixedAfterCreate):
    table = InOrganization(queryset=Table.objects.all())
    person = InOrganization(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Seat
        fields = ["id", "table", "person", "person_name", "role", "joined_at", "updated_at"]
        read_only_fields = ["id", "person_name", "joined_at", "updated_at"]
        create_only = ["table", "person"]
        # The service says who already sits where, in words; not DRF's generic unique check.
        validators: list[Any] = []
