"""Shapes of indicators, performance measures and data points in the API.

Serializers only validate and shape; every write goes through metrics.services, called by the
views. An id in a request body is looked up within the caller's organization only (an id of
another organization is answered like one that does not exist: 400 naming the field).

A data point's `period` and `value` are read the way the importer reads a spreadsheet cell
(metrics.periods, metrics.numbers): "2019-20" is the school year SY2019-20, "45.2%" is 45.2, and
a suppression marker ("*", "<10", "n<10", "--", "N/A") is a suppressed value, never zero. See
metrics.api.points for the checks, shared by single writes and the bulk upsert.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backbone.api.filters import MAX_ID
from initiatives.api.serializers import FixedAfterCreate, InOrganization
from initiatives.models import Initiative, Person, Result, Strategy, Table
from metrics.models import DataPoint, Indicator, PerformanceMeasure
from metrics.services import MEASURED_FIELDS

PERIOD_HELP = (
    "A period label: a year (2024), a school year (SY2019-20; 2019-20 is read the same), a "
    "quarter (2024-Q3), a month (2024-03) or a date (2024-03-15). Stored in that canonical form."
)


def _decimal(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        allow_null=True,
        required=False,
        help_text=help_text,
    )


# An indicator and a performance measure: how it is counted, baseline, target, our number's
# population and its steward. (No docstring: the schema would show it for both subclasses.)
class MeasuredSerializer(FixedAfterCreate):
    steward = InOrganization(
        queryset=Person.objects.all(),
        allow_null=True,
        required=False,
        help_text="The person who keeps the data.",
    )
    baseline_value = _decimal("Where it started, in the unit; given with baseline_period.")
    baseline_period = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=PERIOD_HELP
    )
    target_value = _decimal("Where it should get to; given with target_period.")
    target_period = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="The period of the target; after the baseline period.",
    )
    population = _decimal(
        "The number of people a percentage (or rate per 1,000) is a share of, so a goal in "
        "points also reads as a number of people (our number)."
    )


class IndicatorSerializer(MeasuredSerializer):
    """A population-level indicator of a result. Moving it to another result keeps it in the
    same initiative."""

    result = InOrganization(queryset=Result.objects.all())

    class Meta:
        model = Indicator
        fields = [
            "id",
            "initiative",
            "result",
            *MEASURED_FIELDS,
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "initiative", "position", "created_at", "updated_at"]


class PerformanceMeasureSerializer(MeasuredSerializer):
    """A performance measure of a strategy or workgroup: how much did we do (how_much), how
    well did we do it (how_well), is anyone better off (better_off)."""

    initiative = InOrganization(queryset=Initiative.objects.all())
    strategy = InOrganization(queryset=Strategy.objects.all(), allow_null=True, required=False)
    table = InOrganization(
        queryset=Table.objects.all(),
        allow_null=True,
        required=False,
        help_text="The workgroup whose work it measures.",
    )

    class Meta:
        model = PerformanceMeasure
        fields = [
            "id",
            "initiative",
            "kind",
            "strategy",
            "table",
            *MEASURED_FIELDS,
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "position", "created_at", "updated_at"]
        create_only = ["initiative"]


VALUE_HELP = (
    'The value, as a number or as text the importer reads: 45.2, "45.2%", "1,234". A '
    'suppression marker ("*", "<10", "n<10", "--", "N/A") makes it a suppressed value, never '
    "zero. A percentage is between 0 and 100. Answers give it as a decimal string, or null when "
    "suppressed."
)


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "nullable": True,
        "description": VALUE_HELP,
    }
)
class ValueField(serializers.Field):
    """A number or a cell's text, read later against the indicator's unit."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, (int, float, str)):
            raise serializers.ValidationError("Give the value as a number or as text.")
        return data

    def to_representation(self, value: Decimal) -> str:
        return str(value)


@extend_schema_field(OpenApiTypes.STR)
class PeriodField(serializers.Field):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            raise serializers.ValidationError("Give the period as text, e.g. 2024 or SY2019-20.")
        return data

    def to_representation(self, value: str) -> str:
        return value


class DataPointSerializer(serializers.ModelSerializer[DataPoint]):
    """One value of an indicator or a performance measure (exactly one of the two) for one
    period, for everyone (category null) or for one group of a disaggregation."""

    period = serializers.CharField(read_only=True, help_text=PERIOD_HELP)
    # null for everyone's value (no category).
    category_name = serializers.CharField(
        source="category.name", read_only=True, default=None, allow_null=True
    )
    dimension = serializers.IntegerField(
        source="category.dimension_id",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="The disaggregation the group belongs to; null for everyone's value.",
    )
    value = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="null when suppressed.",
    )

    class Meta:
        model = DataPoint
        fields = [
            "id",
            "indicator",
            "measure",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "category",
            "category_name",
            "dimension",
            "value",
            "suppressed",
            "suppression_marker",
            "source",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DataPointInputSerializer(serializers.Serializer):
    """A data point to write: exactly one of indicator and measure, the period, the group
    (category; null or left out for everyone) and the value."""

    # Ids are looked up in the caller's organization together (metrics.api.points), not one
    # by one as related fields would; bounded so the database can compare them.
    indicator = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    measure = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    period = PeriodField(help_text=PERIOD_HELP)
    category = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="The group; null for everyone.",
    )
    value = ValueField(allow_null=True, required=False)
    suppressed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true for a value the source hid; a suppression marker as the value says so too.",
    )
    suppression_marker = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=300, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DataPointChangeSerializer(serializers.Serializer):
    """What may change in a data point. A value left out stays as it is, except that marking a
    point suppressed takes its value away, and giving a number takes the suppression away."""

    value = ValueField(allow_null=True, required=False)
    suppressed = serializers.BooleanField(required=False)
    suppression_marker = serializers.CharField(max_length=10, required=False, allow_blank=True)
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=300, required=False, allow_blank=True
    )
    note = serializers.CharField(required=False, allow_blank=True)


class BulkInputSerializer(serializers.Serializer):
    """Many data points at once (at most BULK_MAX). All are written, or none."""

    points = DataPointInputSerializer(many=True)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Points that had no value before.")
    updated = serializers.IntegerField(help_text="Points whose value, source or note changed.")
    unchanged = serializers.IntegerField(help_text="Points sent exactly as they were stored.")
