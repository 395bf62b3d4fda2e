"""The data of one indicator, or of every indicator of an initiative, as CSV or XLSX in the long
layout the importer reads: one row per value, with its indicator, period, disaggregation and
group (blank for everyone), value, suppression, source and note. Performance measures download
the same way, their name in the first column.

Text cells that would run as a formula in a spreadsheet (starting with = + - @, a tab or a
carriage return) are neutralised as the people export does (initiatives.exporters.neutralise).
Values stay numbers, so a negative value is not mistaken for a formula nor turned into text; a
suppressed value has no number, and says so in its own columns, never as zero.
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from initiatives.exporters import Cell
from initiatives.models import Initiative
from metrics.models import DataPoint, Indicator, PerformanceMeasure


def headers(*, measures: bool = False) -> list[str]:
    return [
        _("Performance measure") if measures else _("Indicator"),
        _("Period"),
        _("Dimension"),
        _("Category"),
        _("Value"),
        _("Suppressed"),
        _("Suppression marker"),
        _("Source"),
        _("Note"),
    ]


def _points(points: QuerySet[DataPoint], *, subject: str = "indicator") -> list[list[Cell]]:
    # Everyone first, then the groups in their order; periods oldest first.
    place = (
        ("indicator__result__position", "indicator__position", "indicator_id")
        if subject == "indicator"
        else ("measure__position", "measure_id")
    )
    ordered = points.select_related(subject, "category__dimension").order_by(
        *place,
        "period_start",
        F("category__dimension__position").asc(nulls_first=True),
        "category__dimension_id",
        "category__position",
        "category_id",
    )
    rows: list[list[Cell]] = []
    for point in ordered:
        owner = getattr(point, subject)
        assert owner is not None  # filtered on indicators, or on measures
        category = point.category
        rows.append(
            [
                owner.name,
                point.period,
                category.dimension.name if category else "",
                category.name if category else "",
                None if point.value is None else point.value.normalize(),
                _("yes") if point.suppressed else "",
                point.suppression_marker,
                point.source,
                point.note,
            ]
        )
    return rows


def indicator_table(*, indicator: Indicator) -> tuple[list[str], list[list[Cell]]]:
    """Every value of one indicator (one query)."""
    points = DataPoint.objects.filter(
        organization_id=indicator.organization_id, indicator=indicator
    )
    return headers(), _points(points)


def initiative_table(*, initiative: Initiative) -> tuple[list[str], list[list[Cell]]]:
    """Every value of every indicator of an initiative, indicator by indicator in the order of
    the results page (one query)."""
    points = DataPoint.objects.filter(
        organization_id=initiative.organization_id, indicator__initiative=initiative
    )
    return headers(), _points(points)


def measure_table(*, measure: PerformanceMeasure) -> tuple[list[str], list[list[Cell]]]:
    """Every value of one performance measure (one query)."""
    points = DataPoint.objects.filter(organization_id=measure.organization_id, measure=measure)
    return headers(measures=True), _points(points, subject="measure")


def initiative_measures_table(*, initiative: Initiative) -> tuple[list[str], list[list[Cell]]]:
    """Every value of every performance measure of an initiative, measure by measure (one
    query)."""
    points = DataPoint.objects.filter(
        organization_id=initiative.organization_id, measure__initiative=initiative
    )
    return headers(measures=True), _points(points, subject="measure")
