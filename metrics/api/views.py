"""Indicators, performance measures and their data points in the API: /api/v1/o/<org_slug>/….

Everyone in the organization reads them; backbone staff keep them (the roles table's
view_measurement and manage_measurement). Each view parses input, authorizes, calls
metrics.services, and shapes the answer. Data points sent to the API, one or many, are read
like the importer reads a spreadsheet (see metrics.api.points).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backbone.api.filters import ChoiceFilter, IdFilter, ListFilter, SearchFilter
from initiatives.api.views import ChangeableViewSet, ScopedViewSet, Serializer
from metrics import services
from metrics.api.filters import PeriodBoundFilter
from metrics.api.points import BULK_MAX, check_points, write_points
from metrics.api.serializers import (
    BulkInputSerializer,
    BulkResultSerializer,
    DataPointChangeSerializer,
    DataPointInputSerializer,
    DataPointSerializer,
    IndicatorSerializer,
    PerformanceMeasureSerializer,
)
from metrics.models import DataPoint, Indicator, PerformanceMeasure
from metrics.services import indicator_create, indicator_update, measure_create, measure_update

MEASUREMENT_PERMISSIONS = {
    "*": "manage_measurement",
    "list": "view_measurement",
    "retrieve": "view_measurement",
}


class IndicatorViewSet(ChangeableViewSet):
    """Population-level indicators of the initiatives' results, in the order of the results
    page. A percentage goal with a `population` also reads as a number of people. A target
    period before the baseline period is refused (400). Nothing is deleted here."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    required_permissions = MEASUREMENT_PERMISSIONS
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("initiative", "initiative_id", "Only this initiative's indicators."),
        IdFilter("result", "result_id", "Only the indicators of this result."),
        IdFilter("steward", "steward_id", "Only the indicators this person keeps."),
        SearchFilter(["name", "definition"], "Only indicators with this text in their name."),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.order_by("initiative_id", "result__position", "result_id", "position", "id")

    def perform_create(self, serializer: Serializer) -> None:
        fields = dict(serializer.validated_data)
        serializer.instance = indicator_create(
            result=fields.pop("result"), name=fields.pop("name"), **fields
        )

    def perform_update(self, serializer: Serializer) -> None:
        indicator = serializer.instance
        assert isinstance(indicator, Indicator)
        serializer.instance = indicator_update(indicator=indicator, **serializer.validated_data)


class PerformanceMeasureViewSet(ChangeableViewSet):
    """Performance measures of the strategies and workgroups: how much did we do, how well did
    we do it, is anyone better off. The strategy and workgroup are of the measure's initiative
    (400 otherwise). Nothing is deleted here."""

    queryset = PerformanceMeasure.objects.all()
    serializer_class = PerformanceMeasureSerializer
    required_permissions = MEASUREMENT_PERMISSIONS
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("initiative", "initiative_id", "Only this initiative's measures."),
        IdFilter("strategy", "strategy_id", "Only the measures of this strategy."),
        IdFilter("table", "table_id", "Only the measures of this workgroup."),
        ChoiceFilter(
            "kind", "kind", PerformanceMeasure.Kind.values, "Only the measures of this kind."
        ),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.order_by("initiative_id", "position", "id")

    def perform_create(self, serializer: Serializer) -> None:
        fields = dict(serializer.validated_data)
        serializer.instance = measure_create(
            initiative=fields.pop("initiative"),
            name=fields.pop("name"),
            kind=fields.pop("kind"),
            **fields,
        )

    def perform_update(self, serializer: Serializer) -> None:
        measure = serializer.instance
        assert isinstance(measure, PerformanceMeasure)
        serializer.instance = measure_update(measure=measure, **serializer.validated_data)


@extend_schema_view(
    create=extend_schema(
        request=DataPointInputSerializer,
        responses={201: DataPointSerializer},
        description="Records one value. There is one value per indicator (or measure), period "
        "and group: a second one for the same is refused (400); change the first with PATCH, "
        "or send both through bulk/.",
    ),
    partial_update=extend_schema(
        request=DataPointChangeSerializer,
        responses={200: DataPointSerializer},
        description="Changes the value, suppression, source or note. The indicator, period and "
        "group stay. Every change is kept in the data point's history.",
    ),
    destroy=extend_schema(description="Deletes the value (kept in the history)."),
)
class DataPointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Values of indicators and performance measures, per period, for everyone (category
    null) or per group of a disaggregation, oldest period first. A value the source suppressed
    (a small number) is `suppressed` with no value, never zero."""

    queryset = DataPoint.objects.all()
    serializer_class = DataPointSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_permissions = MEASUREMENT_PERMISSIONS
    list_filters: ClassVar[Sequence[ListFilter]] = (
        IdFilter("indicator", "indicator_id", "Only this indicator's values."),
        IdFilter("measure", "measure_id", "Only this performance measure's values."),
        IdFilter("category", "category_id", "Only the values of this group."),
        PeriodBoundFilter(
            "period_from",
            after=True,
            description="Only the periods starting on or after the start of this one (any "
            "form: 2019, SY2019-20, 2024-Q3, 2024-03, 2024-03-15).",
        ),
        PeriodBoundFilter(
            "period_to",
            after=False,
            description="Only the periods ending on or before the end of this one.",
        ),
    )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Everyone's value before the groups' in every database.
        return queryset.select_related("category").order_by(
            "indicator_id",
            "measure_id",
            "period_start",
            F("category_id").asc(nulls_first=True),
            "id",
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        points, problems = check_points(self.organization, [request.data], bulk=False)
        if not problems.fields:
            point = points[0]
            taken = (
                DataPoint.objects.filter(
                    organization=self.organization,
                    period=point.period.label,
                    category=point.category,
                    **{
                        "indicator" if isinstance(point.subject, Indicator) else "measure": (
                            point.subject
                        )
                    },
                )
                .values_list("pk", flat=True)
                .first()
            )
            if taken is not None:
                problems.add(
                    0,
                    "period",
                    [
                        _(
                            "There is already a value for %(period)s; change it (data point "
                            "%(id)s) or send it through the bulk upsert."
                        )
                        % {"period": point.period.label, "id": taken}
                    ],
                )
        written, _outcomes = write_points(
            points,
            problems,
            total=1,
            by=request.user,  # type: ignore[arg-type]
        )
        return self.answer(written[0], status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        point = self.get_object()
        incoming = DataPointChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        change = dict(incoming.validated_data)
        row: dict[str, Any] = {
            "indicator": point.indicator_id,
            "measure": point.measure_id,
            "period": point.period,
            "category": point.category_id,
            "value": None if point.value is None else str(point.value),
            "suppressed": point.suppressed,
            "suppression_marker": point.suppression_marker,
            "source": point.source,
            "note": point.note,
        }
        # Suppressing takes the number away; a number takes the suppression away.
        if change.get("suppressed") is True and "value" not in change:
            row["value"] = None
        if "value" in change and change["value"] is not None and "suppressed" not in change:
            row["suppressed"] = False
            row["suppression_marker"] = change.get("suppression_marker", "")
        row.update(change)
        points, problems = check_points(self.organization, [row], bulk=False)
        written, _outcomes = write_points(
            points,
            problems,
            total=1,
            by=request.user,  # type: ignore[arg-type]
        )
        return self.answer(written[0])

    def perform_destroy(self, instance: DataPoint) -> None:
        services.data_point_delete(point=instance, by_user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        request=BulkInputSerializer,
        responses={200: BulkResultSerializer},
        description=f"Creates or updates up to {BULK_MAX} values at once (the same indicator, "
        "period and group is updated), each read like the importer reads a cell: any period "
        'form, "45.2%", suppression markers. All are written or none: a problem anywhere is a '
        "400 naming each one as `points[<index>].<field>` (index from 0), and nothing is saved. "
        "Answers how many were created, updated, and sent unchanged.",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = request.data
        rows = body.get("points") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not rows:
            raise exceptions.ValidationError({"points": [_("Send a list of data points.")]})
        if len(rows) > BULK_MAX:
            raise exceptions.ValidationError(
                {
                    "points": [
                        _("Send at most %(max)s data points at once; this request has %(n)s.")
                        % {"max": BULK_MAX, "n": len(rows)}
                    ]
                }
            )
        points, problems = check_points(self.organization, rows, bulk=True)
        _written, outcomes = write_points(
            points,
            problems,
            total=len(rows),
            by=request.user,  # type: ignore[arg-type]
        )
        result = {name: outcomes[name] for name in ("created", "updated", "unchanged")}
        return Response(BulkResultSerializer(result).data)
