"""What the measurement pages share: finding an indicator or measure within the organization,
turning stored series into the charts' plain data, a sparkline, and the history of changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from backbone.access import get_in_org_or_404
from backbone.http import OrgRequest
from metrics import charts
from metrics.models import DataPoint, Indicator, Measured, PerformanceMeasure
from metrics.selectors import OurNumber, Series, SeriesPoint, latest_total, our_number

# How many changes of data the page lists, newest first.
HISTORY_SHOWN = 40


def get_indicator(request: OrgRequest, indicator_id: int) -> Indicator:
    return get_in_org_or_404(
        Indicator.objects.select_related("initiative", "result", "steward"),
        request.organization,
        pk=indicator_id,
    )


def get_measure(request: OrgRequest, measure_id: int) -> PerformanceMeasure:
    return get_in_org_or_404(
        PerformanceMeasure.objects.select_related("initiative", "strategy", "table", "steward"),
        request.organization,
        pk=measure_id,
    )


def as_line(series: Series) -> charts.Line:
    return charts.Line(
        series.label,
        [
            charts.Point(
                p.period, p.start, None if p.value is None else float(p.value), p.suppressed
            )
            for p in series.points
        ],
    )


def _mark(period: str, value: Decimal | None) -> tuple[str, float] | None:
    return (period, float(value)) if period and value is not None else None


def fmt(measured: Measured, value: Decimal | float | None, *, difference: bool = False) -> str:
    return charts.format_value(value, measured.unit, measured.unit_label, difference=difference)


@dataclass
class Chart:
    """One chart of the page: its SVG and the same numbers as a table."""

    id: str
    title: str
    svg: SafeString
    table: charts.ChartTable
    note: str = ""
    target_period: str = ""
    target_text: str = ""
    dimension_id: int | None = None  # a by-group chart's disaggregation
    download: str = ""  # the address of the chart as an SVG file
    gap_id: int | None = None  # a gap chart's gap


@dataclass
class Headline:
    """The top of an indicator's or measure's page, and of its row in an overview."""

    latest: SeriesPoint | None
    latest_text: str
    baseline_text: str
    target_text: str
    our_number: OurNumber | None
    our_number_text: str
    spark: SafeString
    extra: dict[str, Any] = field(default_factory=dict)


def our_number_text(measured: Measured, number: OurNumber | None) -> str:
    """ "+20 points = 400 more kindergartners…" in words, or "" when there is no number."""
    if number is None:
        return ""
    change = fmt(measured, number.change, difference=True)
    if number.change > 0:
        change = "+" + change
    people = charts.format_value(abs(number.number), "count")
    who = number.population_label or _("people")
    if measured.unit in ("percent", "rate_per_1000"):
        if number.number == 0:
            return _("%(change)s: no change in the number of %(who)s") % {
                "change": change,
                "who": who,
            }
        more = number.number > 0
        template = (
            _("%(change)s = %(people)s more %(who)s")
            if more
            else _("%(change)s = %(people)s fewer %(who)s")
        )
        return template % {"change": change, "people": people, "who": who}
    return change


def headline(measured: Measured, total: Series | None) -> Headline:
    points = total.points if total else []
    latest = latest_total(points)
    start = latest.value if latest else None
    number = our_number(measured, start=start) if start is not None else None
    return Headline(
        latest=latest,
        latest_text=fmt(measured, latest.value) if latest else "",
        baseline_text=fmt(measured, measured.baseline_value)
        if measured.baseline_value is not None
        else "",
        target_text=fmt(measured, measured.target_value)
        if measured.target_value is not None
        else "",
        our_number=number,
        our_number_text=our_number_text(measured, number),
        spark=sparkline(points, measured),
    )


def sparkline(points: Sequence[SeriesPoint], measured: Measured) -> SafeString:
    """A small line of the values for everyone, for a list; decorative (the numbers are beside
    it), so hidden from screen readers. Gaps where a value is missing or suppressed."""
    values = [
        (i, float(p.value))
        for i, p in enumerate(points)
        if p.value is not None and not p.suppressed
    ]
    if len(values) < 2:
        return mark_safe("")
    width, height, pad = 120.0, 32.0, 3.0
    low = min(v for _i, v in values)
    high = max(v for _i, v in values)
    if measured.target_value is not None:
        low, high = min(low, float(measured.target_value)), max(high, float(measured.target_value))
    span = (high - low) or 1.0
    last = max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return (
            round(pad + (width - 2 * pad) * i / last, 1),
            round(height - pad - (height - 2 * pad) * (v - low) / span, 1),
        )

    segments: list[list[tuple[float, float]]] = [[]]
    previous = None
    for i, v in values:
        if previous is not None and i != previous + 1:
            segments.append([])
        segments[-1].append(xy(i, v))
        previous = i
    lines = "".join(
        '<polyline fill="none" stroke="#1f5f5b" stroke-width="2" stroke-linejoin="round" '
        f'stroke-linecap="round" points="{" ".join(f"{x},{y}" for x, y in seg)}"/>'
        for seg in segments
        if seg
    )
    x, y = segments[-1][-1]
    target = ""
    if measured.target_value is not None:
        ty = xy(0, float(measured.target_value))[1]
        target = (
            f'<line x1="{pad}" x2="{width - pad}" y1="{ty}" y2="{ty}" stroke="#6b7280" '
            'stroke-width="1" stroke-dasharray="3,3"/>'
        )
    return mark_safe(  # noqa: S308 - numbers only, built here
        f'<svg class="spark" viewBox="0 0 {width:g} {height:g}" width="{width:g}" '
        f'height="{height:g}" aria-hidden="true" focusable="false">{target}{lines}'
        f'<circle cx="{x}" cy="{y}" r="2.5" fill="#1f5f5b"/></svg>'
    )


def trend(
    measured: Measured, series: list[Series], *, chart_id: str = "trend"
) -> tuple[Chart | None, list[charts.Point]]:
    """The headline chart: everyone's line with the baseline, target and the forecast if
    nothing changes (fitted to everyone's line, continued to the target period)."""
    total = series[0] if series and series[0].category_id is None else None
    if total is None:
        return None, []
    line = as_line(total)
    baseline = _mark(measured.baseline_period, measured.baseline_value)
    target = _mark(measured.target_period, measured.target_value)
    ahead = (
        charts.forecast(line.points, measured.target_period, unit=measured.unit)
        if measured.target_period
        else []
    )
    title = measured.name
    description = _(
        "The forecast if nothing changes is a straight line fitted by least squares to the "
        "last %(count)s known values, continued to the target period."
    ) % {"count": charts.FORECAST_WINDOW}
    svg = charts.trend_chart(
        title=title,
        description=description if ahead else "",
        unit=measured.unit,
        direction=measured.direction,
        lines=[line],
        baseline=baseline,
        target=target,
        forecast=ahead,
        unit_label=measured.unit_label,
        chart_id=chart_id,
    )
    table = charts.chart_table(
        unit=measured.unit,
        lines=[line],
        baseline=baseline,
        target=target,
        forecast=ahead,
        unit_label=measured.unit_label,
    )
    return Chart(chart_id, title, svg, table), ahead


def by_dimension(measured: Measured, series: list[Series]) -> list[Chart]:
    """One chart per disaggregation, everyone's line first for comparison."""
    total = series[0] if series and series[0].category_id is None else None
    groups: dict[str, list[Series]] = {}
    for line in series:
        if line.category_id is not None:
            groups.setdefault(line.dimension, []).append(line)
    result = []
    for index, (dimension, lines) in enumerate(groups.items()):
        dimension_id = lines[0].dimension_id
        drawn = ([as_line(total)] if total else []) + [as_line(s) for s in lines]
        title = _("%(name)s by %(dimension)s") % {
            "name": measured.name,
            "dimension": dimension.lower(),
        }
        chart_id = f"groups-{index}"
        svg = charts.trend_chart(
            title=title,
            description=_("Each group's line, and everyone's for comparison."),
            unit=measured.unit,
            direction=measured.direction,
            lines=drawn,
            baseline=None,
            target=None,
            forecast=None,
            unit_label=measured.unit_label,
            chart_id=chart_id,
        )
        table = charts.chart_table(unit=measured.unit, lines=drawn, unit_label=measured.unit_label)
        result.append(Chart(chart_id, title, svg, table, dimension_id=dimension_id))
    return result


def gap_charts(indicator: Indicator, series: list[Series], gaps: list[Any]) -> list[Chart]:
    """One chart per disparity gap, computed from the lines already read (no query)."""
    by_category = {s.category_id: s for s in series if s.category_id is not None}
    result = []
    for index, gap in enumerate(gaps):
        reference, focus = by_category.get(gap.reference_id), by_category.get(gap.focus_id)
        chart_id = f"gap-{index}"
        empty = charts.Line(gap.name, [])
        line = (
            charts.gap_line(
                as_line(reference), as_line(focus), direction=indicator.direction, label=gap.name
            )
            if reference and focus
            else empty
        )
        target = _mark(gap.target_period, gap.target_value)
        ahead = charts.forecast(line.points, gap.target_period) if gap.target_period else []
        description = _(
            "How far the %(focus)s group is behind the %(reference)s group, by period."
        ) % {
            "focus": gap.focus.name,
            "reference": gap.reference.name,
        }
        svg = charts.gap_chart(
            title=gap.name,
            description=description,
            unit=indicator.unit,
            gap=line,
            target=target,
            forecast=ahead,
            unit_label=indicator.unit_label,
            chart_id=chart_id,
        )
        table = charts.chart_table(
            unit=indicator.unit,
            lines=[line],
            target=target,
            forecast=ahead,
            unit_label=indicator.unit_label,
            difference=True,
        )
        result.append(
            Chart(
                chart_id,
                gap.name,
                svg,
                table,
                note=description,
                target_period=gap.target_period,
                target_text=fmt(indicator, gap.target_value, difference=True)
                if gap.target_value is not None
                else "",
            )
        )
    return result


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    period: str
    group: str
    kind: str  # "+" created, "~" changed, "-" deleted
    old: str
    new: str


def _shown(measured: Measured, value: Decimal | None, suppressed: bool, marker: str) -> str:
    if suppressed:
        return _("suppressed (%(marker)s)") % {"marker": marker} if marker else _("suppressed")
    return fmt(measured, value)


def history(measured: Indicator | PerformanceMeasure) -> list[Change]:
    """The changes of the data points, newest first, each with its previous value (one query:
    the history of one indicator is small — ten years times a few groups and their revisions)."""
    subject = "indicator_id" if isinstance(measured, Indicator) else "measure_id"
    records = (
        DataPoint.history.filter(**{subject: measured.pk})
        .select_related("history_user", "category")
        .order_by("id", "history_date", "history_id")
    )
    changes: list[Change] = []
    previous: dict[int, Any] = {}
    for record in records:
        before = previous.get(record.id)
        new = _shown(measured, record.value, record.suppressed, record.suppression_marker)
        old = (
            _shown(measured, before.value, before.suppressed, before.suppression_marker)
            if before is not None
            else ""
        )
        previous[record.id] = record
        if record.history_type == "~" and old == new:
            continue
        user = record.history_user
        changes.append(
            Change(
                when=record.history_date,
                who=(user.display_name if user else _("an import or the system")),
                period=record.period,
                group=record.category.name if record.category else _("Everyone"),
                kind=record.history_type,
                old=old,
                new="" if record.history_type == "-" else new,
            )
        )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:HISTORY_SHOWN]
