"""Reading pages of shared measurement: an initiative's results with their indicators, one
indicator (or performance measure) with its charts, notes and history, an initiative's
performance measures by workgroup and strategy, and the list of overdue indicators."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from backbone.access import require_perm
from backbone.http import OrgRequest
from initiatives.views.ordered import get_initiative
from metrics.models import DataPoint, DisparityGap, PerformanceMeasure, TurnTheCurve
from metrics.selectors import (
    Series,
    SeriesPoint,
    freshness,
    indicators_with_freshness,
    measured_series,
    stale_indicators,
)
from metrics.views.common import (
    by_dimension,
    gap_charts,
    get_indicator,
    get_measure,
    headline,
    history,
    trend,
)
from metrics.views.svg import download_url


def _totals(points: Any, key: str) -> dict[int, Series]:
    """Everyone's line of each indicator or measure, from one query of their data points."""
    lines: dict[int, Series] = {}
    for point in points:
        owner = getattr(point, key)
        line = lines.setdefault(owner, Series("", None, "", []))
        line.points.append(
            SeriesPoint(point.period, point.period_start, point.value, point.suppressed)
        )
    return lines


def _export_links(name: str, **kwargs: Any) -> list[tuple[str, str]]:
    """The CSV and Excel downloads, when the exports are installed (metrics.urls_export)."""
    try:
        return [
            ("CSV", reverse(f"{name}_csv", kwargs=kwargs)),
            ("Excel", reverse(f"{name}_xlsx", kwargs=kwargs)),
        ]
    except NoReverseMatch:
        return []


@require_GET
def results_overview(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    """Each population result of an initiative with its indicators: where they are, where they
    are headed, and whether their data are up to date."""
    require_perm(request, "view_measurement")
    initiative = get_initiative(request, initiative_id)
    pairs = indicators_with_freshness(
        organization=request.organization, initiative_id=initiative.pk
    )
    totals = _totals(
        DataPoint.objects.filter(
            organization=request.organization,
            indicator__initiative=initiative,
            category__isnull=True,
        )
        .only("indicator_id", "period", "period_start", "value", "suppressed")
        .order_by("indicator_id", "period_start"),
        "indicator_id",
    )
    rows_by_result: dict[int, list[dict[str, Any]]] = {}
    for indicator, fresh in pairs:
        rows_by_result.setdefault(indicator.result_id, []).append(
            {
                "indicator": indicator,
                "fresh": fresh,
                "head": headline(indicator, totals.get(indicator.pk)),
            }
        )
    results = [
        {"result": result, "rows": rows_by_result.get(result.pk, [])}
        for result in initiative.results.order_by("position", "id")
    ]
    overdue = sum(1 for _indicator, fresh in pairs if fresh.overdue)
    return render(
        request,
        "metrics/overview.html",
        {
            "initiative": initiative,
            "results": results,
            "indicator_count": len(pairs),
            "overdue": overdue,
            "exports": _export_links(
                "initiative_indicators_export", org_slug=org_slug, initiative_id=initiative.pk
            ),
        },
    )


def _measured_page(
    request: OrgRequest, measured: Any, *, is_indicator: bool, template: str
) -> HttpResponse:
    series = measured_series(measured)
    total = series[0] if series and series[0].category_id is None else None
    trend_chart, ahead = trend(measured, series)
    gaps: list[DisparityGap] = []
    if is_indicator:
        gaps = list(
            DisparityGap.objects.filter(indicator=measured).select_related(
                "reference", "focus", "dimension"
            )
        )
    note = (
        TurnTheCurve.objects.filter(
            **({"indicator": measured} if is_indicator else {"measure": measured})
        )
        .select_related("updated_by")
        .prefetch_related("partners", "strategies", "key_actions__workplan__table")
        .first()
    )
    head = headline(measured, total)
    slug = request.organization.slug
    if trend_chart is not None:
        trend_chart.download = download_url(slug, measured, "trend")
    group_charts = by_dimension(measured, series)
    for chart in group_charts:
        chart.download = download_url(slug, measured, "groups", chart.dimension_id)
    drawn_gaps = gap_charts(measured, series, gaps) if is_indicator else []
    for chart, gap in zip(drawn_gaps, gaps, strict=True):
        chart.download = reverse("gap_svg", args=[slug, gap.pk])
        chart.gap_id = gap.pk
    return render(
        request,
        template,
        {
            "initiative": measured.initiative,
            "measured": measured,
            "is_indicator": is_indicator,
            "head": head,
            "fresh": freshness(measured),
            "trend": trend_chart,
            "forecast_end": ahead[-1] if ahead else None,
            "group_charts": group_charts,
            "gap_charts": drawn_gaps,
            "gaps": gaps,
            "note": note,
            "changes": history(measured),
            "exports": _export_links(
                "indicator_export", org_slug=request.organization.slug, indicator_id=measured.pk
            )
            if is_indicator
            else _export_links(
                "measure_export", org_slug=request.organization.slug, measure_id=measured.pk
            ),
        },
    )


@require_GET
def indicator_detail(request: OrgRequest, org_slug: str, indicator_id: int) -> HttpResponse:
    require_perm(request, "view_measurement")
    indicator = get_indicator(request, indicator_id)
    return _measured_page(
        request, indicator, is_indicator=True, template="metrics/indicator_detail.html"
    )


@require_GET
def measure_detail(request: OrgRequest, org_slug: str, measure_id: int) -> HttpResponse:
    require_perm(request, "view_measurement")
    measure = get_measure(request, measure_id)
    return _measured_page(
        request, measure, is_indicator=False, template="metrics/indicator_detail.html"
    )


@require_GET
def measures_overview(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    """Performance measures by workgroup (or strategy, when no workgroup carries it), each
    group's measures under how much / how well / is anyone better off."""
    require_perm(request, "view_measurement")
    initiative = get_initiative(request, initiative_id)
    measures = list(
        PerformanceMeasure.objects.filter(organization=request.organization, initiative=initiative)
        .select_related("table", "strategy")
        .order_by("table__name", "strategy__position", "position", "id")
    )
    totals = _totals(
        DataPoint.objects.filter(
            organization=request.organization,
            measure__initiative=initiative,
            category__isnull=True,
        )
        .only("measure_id", "period", "period_start", "value", "suppressed")
        .order_by("measure_id", "period_start"),
        "measure_id",
    )
    kinds = PerformanceMeasure.Kind
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    for measure in measures:
        if measure.table_id:
            key, title = ("table", measure.table_id), measure.table.name  # type: ignore[union-attr]
        elif measure.strategy_id:
            key, title = ("strategy", measure.strategy_id), measure.strategy.title  # type: ignore[union-attr]
        else:
            key, title = ("none", 0), ""
        group = groups.setdefault(
            key,
            {
                "title": title,
                "key": key[0],
                "kinds": {k.value: {"label": k.label, "rows": []} for k in kinds},
            },
        )
        group["kinds"][measure.kind]["rows"].append(
            {"measure": measure, "head": headline(measure, totals.get(measure.pk))}
        )
    for group in groups.values():
        group["kinds"] = [k for k in group["kinds"].values() if k["rows"]]
    return render(
        request,
        "metrics/measures.html",
        {
            "initiative": initiative,
            "groups": list(groups.values()),
            "count": len(measures),
            "exports": _export_links(
                "initiative_measures_export", org_slug=org_slug, initiative_id=initiative.pk
            ),
        },
    )


@require_GET
def stale_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The indicators whose data are overdue, longest overdue first: staff's to-do list."""
    require_perm(request, "manage_measurement")
    return render(
        request,
        "metrics/stale.html",
        {"stale": stale_indicators(organization=request.organization)},
    )
