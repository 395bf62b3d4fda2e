"""Reads of shared measurement: "our number", data freshness, the gap series and the series a
chart draws, each as plain data and in a fixed number of queries."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.models import Organization
from metrics.models import (
    DataPoint,
    Direction,
    DisparityGap,
    Frequency,
    Indicator,
    Measured,
    PerformanceMeasure,
    Unit,
)

# How long after a period ends its data is expected: sources publish a year's figures within
# about a year, a quarter's within a few months, a month's within weeks. Past that, overdue.
GRACE_MONTHS = {
    Frequency.ANNUAL: 13,
    Frequency.SCHOOL_YEAR: 13,
    Frequency.QUARTERLY: 4,
    Frequency.MONTHLY: 2,
}


# --- "Our number" ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OurNumber:
    """A goal in people rather than points: `change` is target minus start in the measure's unit
    (points for a percentage); `number` is that change as a count ("400 more third graders"),
    positive for more and negative for fewer; `population_label` says of whom."""

    change: Decimal
    number: Decimal
    population_label: str


def our_number(measured: Measured, *, start: Decimal | None = None) -> OurNumber | None:
    """The change from the baseline (or from `start`, e.g. the latest value) to the target.

    A percentage or a rate per 1,000 becomes a count of people only with a population; a count
    (or an amount) is its own number. None when there is nothing to compute from.
    """
    start = measured.baseline_value if start is None else start
    if start is None or measured.target_value is None:
        return None
    change = measured.target_value - start
    if measured.unit in (Unit.PERCENT, Unit.RATE_PER_1000):
        if measured.population is None:
            return None
        per = Decimal(100) if measured.unit == Unit.PERCENT else Decimal(1000)
        number = (change * measured.population / per).quantize(Decimal(1), ROUND_HALF_UP)
    else:
        number = change
    return OurNumber(change=change, number=number, population_label=measured.population_label)


# --- Freshness ------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Freshness:
    """When data last came in and whether the next is late. `last_period` is the latest period
    with any value (for everyone or a group); `due_by` is when the period after it should have
    been reported (None for an "other" frequency, which is never overdue). An indicator with no
    data at all is overdue unless its frequency is "other"."""

    last_period: str | None
    last_period_end: date | None
    last_updated_at: Any
    due_by: date | None
    overdue: bool


def _freshness(
    frequency: str, last_period: str | None, last_end: date | None, updated: Any, today: date
) -> Freshness:
    grace = GRACE_MONTHS.get(frequency)  # type: ignore[call-overload]
    if grace is None:
        return Freshness(last_period, last_end, updated, None, False)
    if last_end is None:
        return Freshness(None, None, None, None, True)
    due_by = _add_months(last_end, grace)
    return Freshness(last_period, last_end, updated, due_by, today > due_by)


def _with_last_data(queryset: Any, subject: str) -> Any:
    latest = DataPoint.objects.filter(**{subject: OuterRef("pk")}).order_by("-period_end", "-id")
    return queryset.annotate(
        last_period=Subquery(latest.values("period")[:1]),
        last_period_end=Max("data_points__period_end"),
        last_updated_at=Max("data_points__updated_at"),
    )


def freshness(measured: Indicator | PerformanceMeasure, *, today: date | None = None) -> Freshness:
    """Freshness of one indicator or measure (one query)."""
    subject = "indicator" if isinstance(measured, Indicator) else "measure"
    row = _with_last_data(type(measured).objects.filter(pk=measured.pk), subject).values(
        "last_period", "last_period_end", "last_updated_at"
    )[0]
    return _freshness(
        measured.frequency,
        row["last_period"],
        row["last_period_end"],
        row["last_updated_at"],
        today or timezone.localdate(),
    )


def indicators_with_freshness(
    *, organization: Organization, today: date | None = None, initiative_id: int | None = None
) -> list[tuple[Indicator, Freshness]]:
    """Every indicator of an organization (or of one initiative) with its freshness, in the
    order of the results page (one query)."""
    today = today or timezone.localdate()
    indicators = Indicator.objects.filter(organization=organization).select_related(
        "initiative", "result", "steward"
    )
    if initiative_id is not None:
        indicators = indicators.filter(initiative_id=initiative_id)
    indicators = _with_last_data(indicators, "indicator").order_by(
        "initiative__name", "result__position", "result_id", "position", "id"
    )
    return [
        (
            indicator,
            _freshness(
                indicator.frequency,
                indicator.last_period,
                indicator.last_period_end,
                indicator.last_updated_at,
                today,
            ),
        )
        for indicator in indicators
    ]


def stale_indicators(
    *, organization: Organization, today: date | None = None
) -> list[tuple[Indicator, Freshness]]:
    """The indicators whose data are overdue, the longest overdue first (never-reported first of
    all): the list staff work through."""
    stale = [
        pair
        for pair in indicators_with_freshness(organization=organization, today=today)
        if pair[1].overdue
    ]
    stale.sort(key=lambda pair: (pair[1].due_by or date.min, pair[0].pk))
    return stale


# --- Series ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    period: str
    start: date
    value: Decimal | None
    suppressed: bool = False


@dataclass(frozen=True)
class Series:
    """One line of a chart: everyone (category_id None) or one group."""

    label: str
    category_id: int | None
    dimension: str
    points: list[SeriesPoint]
    dimension_id: int | None = None


def measured_series(measured: Indicator | PerformanceMeasure) -> list[Series]:
    """The values over time for everyone, then per group (dimension order, then group order),
    each in period order (one query). A group with no data at all has no line."""
    subject = "indicator" if isinstance(measured, Indicator) else "measure"
    points = (
        DataPoint.objects.filter(**{subject: measured})
        .select_related("category__dimension")
        .order_by(
            "category__dimension__position",
            "category__dimension_id",
            "category__position",
            "category_id",
            "period_start",
        )
    )
    lines: dict[int | None, Series] = {}
    for point in points:
        key = point.category_id
        if key not in lines:
            category = point.category
            lines[key] = Series(
                label=category.name if category else _("Everyone"),
                category_id=key,
                dimension=category.dimension.name if category else "",
                points=[],
                dimension_id=category.dimension_id if category else None,
            )
        lines[key].points.append(
            SeriesPoint(point.period, point.period_start, point.value, point.suppressed)
        )
    total = lines.pop(None, None)
    return ([total] if total else []) + list(lines.values())


@dataclass(frozen=True)
class GapPoint:
    """The gap in one period: positive when the focus group is behind the reference group
    (lower where higher is better, higher where lower is better), negative when ahead. None when
    either value is missing or suppressed."""

    period: str
    start: date
    reference: Decimal | None
    focus: Decimal | None
    gap: Decimal | None
    suppressed: bool


def gap_series(gap: DisparityGap) -> list[GapPoint]:
    """The gap per period in which either group has a data point (one query, plus the indicator
    when not already loaded)."""
    points = DataPoint.objects.filter(
        indicator_id=gap.indicator_id, category_id__in=[gap.reference_id, gap.focus_id]
    ).order_by("period_start", "period")
    by_period: dict[str, dict[int, DataPoint]] = {}
    starts: dict[str, date] = {}
    for point in points:
        assert point.category_id is not None
        by_period.setdefault(point.period, {})[point.category_id] = point
        starts[point.period] = point.period_start
    higher = gap.indicator.direction == Direction.HIGHER
    series = []
    for period, pair in by_period.items():
        reference, focus = pair.get(gap.reference_id), pair.get(gap.focus_id)
        ref_value = reference.value if reference else None
        focus_value = focus.value if focus else None
        value = None
        if ref_value is not None and focus_value is not None:
            value = ref_value - focus_value if higher else focus_value - ref_value
        series.append(
            GapPoint(
                period=period,
                start=starts[period],
                reference=ref_value,
                focus=focus_value,
                gap=value,
                suppressed=bool(
                    (reference and reference.suppressed) or (focus and focus.suppressed)
                ),
            )
        )
    return series


def latest_total(points: Sequence[SeriesPoint]) -> SeriesPoint | None:
    """The most recent point with a value, e.g. to compute "our number" from where we are."""
    return next((p for p in reversed(points) if p.value is not None), None)
