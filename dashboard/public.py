"""What the public results page reads: the published indicators of one initiative, grouped by
result, with their values for everyone (for the charts) or every value (for the CSV).

Only what staff published is read, and only data: no steward, no person, no note. A suppressed
value (a small cell the source hid) is read without its number, so no page or file built from
here can show it. Each read is a fixed number of queries, however many indicators are published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import F, Max, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from dashboard.models import DashboardSettings
from initiatives.exporters import Cell
from initiatives.models import Initiative, Result
from metrics.models import DataPoint, Indicator
from metrics.selectors import Series, SeriesPoint


def published_settings(key: str) -> DashboardSettings | None:
    """The settings whose public page answers at this address, or None: the page must be
    published, and the initiative not archived (archiving takes it off the web too; restoring
    it brings it back at the same address). One query."""
    return (
        DashboardSettings.objects.select_related("initiative__organization")
        .filter(
            public_key=key,
            public_enabled=True,
            initiative__status=Initiative.Status.ACTIVE,
        )
        .first()
    )


def published_indicators(settings: DashboardSettings) -> QuerySet[Indicator]:
    """The published indicators in the order of the results page. The initiative is checked
    again here, so a published indicator that was moved elsewhere is never shown."""
    return Indicator.objects.filter(
        organization_id=settings.organization_id,
        initiative_id=settings.initiative_id,
        pk__in=settings.public_indicators.values("pk"),
    ).order_by("result__position", "result_id", "position", "id")


@dataclass
class PublicIndicator:
    indicator: Indicator
    total: Series  # everyone's values, oldest first; suppressed ones without a number
    last_period: str | None
    last_updated: datetime | None


@dataclass
class PublicResult:
    result: Result
    indicators: list[PublicIndicator] = field(default_factory=list)


def _point(period: str, start: date, value: Decimal | None, suppressed: bool) -> SeriesPoint:
    return SeriesPoint(period, start, None if suppressed else value, suppressed)


def published_results(settings: DashboardSettings) -> list[PublicResult]:
    """Each result with at least one published indicator, in order, each indicator with
    everyone's series and when its data last changed (two queries). A result with nothing
    published is left out."""
    latest = DataPoint.objects.filter(indicator=OuterRef("pk")).order_by("-period_end", "-id")
    indicators = list(
        published_indicators(settings)
        .select_related("result")
        .annotate(
            last_period=Subquery(latest.values("period")[:1]),
            last_updated=Max("data_points__updated_at"),
        )
    )
    totals: dict[int, list[SeriesPoint]] = {i.pk: [] for i in indicators}
    points = (
        DataPoint.objects.filter(
            organization_id=settings.organization_id,
            indicator_id__in=list(totals),
            category__isnull=True,
        )
        .only("indicator_id", "period", "period_start", "value", "suppressed")
        .order_by("indicator_id", "period_start")
    )
    for point in points if totals else []:
        assert point.indicator_id is not None
        totals[point.indicator_id].append(
            _point(point.period, point.period_start, point.value, point.suppressed)
        )
    results: dict[int, PublicResult] = {}
    for indicator in indicators:
        block = results.setdefault(indicator.result_id, PublicResult(indicator.result))
        block.indicators.append(
            PublicIndicator(
                indicator=indicator,
                total=Series(_("Everyone"), None, "", totals[indicator.pk]),
                last_period=indicator.last_period,
                last_updated=indicator.last_updated,
            )
        )
    return list(results.values())


def unit_text(indicator: Indicator) -> str:
    label = indicator.unit_label.strip()
    shown = str(indicator.get_unit_display())
    return f"{shown} ({label})" if label else shown


def csv_headers() -> list[str]:
    return [
        _("Result"),
        _("Indicator"),
        _("Unit"),
        _("Period"),
        _("Disaggregation"),
        _("Group"),
        _("Value"),
        _("Note"),
    ]


def published_table(settings: DashboardSettings) -> list[list[Cell]]:
    """Every value of the published indicators, one row per data point: indicator by indicator
    in the order of the page, periods oldest first, everyone before the groups (one query). A
    suppressed value is an empty cell with a note saying why."""
    points = (
        DataPoint.objects.filter(
            organization_id=settings.organization_id,
            indicator__in=published_indicators(settings),
        )
        .select_related("indicator__result", "category__dimension")
        .only(
            "period",
            "value",
            "suppressed",
            "indicator__name",
            "indicator__unit",
            "indicator__unit_label",
            "indicator__result__statement",
            "category__name",
            "category__dimension__name",
        )
        .order_by(
            "indicator__result__position",
            "indicator__result_id",
            "indicator__position",
            "indicator_id",
            "period_start",
            F("category__dimension__position").asc(nulls_first=True),
            "category__dimension_id",
            "category__position",
            "category_id",
        )
    )
    suppressed_note = _("Suppressed: too few to report")
    rows: list[list[Cell]] = []
    for point in points:
        indicator = point.indicator
        assert indicator is not None
        category = point.category
        hidden = point.suppressed or point.value is None
        rows.append(
            [
                indicator.result.statement,
                indicator.name,
                unit_text(indicator),
                point.period,
                category.dimension.name if category else "",
                category.name if category else _("Everyone"),
                None if hidden else point.value.normalize(),  # type: ignore[union-attr]
                suppressed_note if point.suppressed else "",
            ]
        )
    return rows
