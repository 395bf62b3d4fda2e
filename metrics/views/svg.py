"""Each chart of an indicator's or performance measure's page as an SVG file of its own: the same
drawing as on the page (no script, nothing loaded from elsewhere), to save, mail or put in a
report. Whoever may read the data may download its charts."""

from __future__ import annotations

import re

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from metrics.models import Dimension, DisparityGap, Indicator, PerformanceMeasure
from metrics.selectors import measured_series
from metrics.views.common import Chart, by_dimension, gap_charts, get_indicator, get_measure, trend

SVG_TYPE = "image/svg+xml"
# The file is a drawing: it runs nothing and loads nothing, even opened on its own.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"')


def _file(svg: str, *, name: str) -> HttpResponse:
    """The SVG as a file: an XML declaration and a size of its own (on the page, the chart
    takes the width of its column; opened alone, it is drawn at its natural size)."""
    size = _VIEWBOX.search(svg)
    if size and not svg.startswith("<svg width="):
        svg = svg.replace("<svg ", f'<svg width="{size[1]}" height="{size[2]}" ', 1)
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + svg + "\n"
    response = HttpResponse(body.encode(), content_type=SVG_TYPE)
    stem = slugify(name)[:80].strip("-") or "chart"
    response["Content-Disposition"] = f'inline; filename="{stem}.svg"'
    response["Content-Security-Policy"] = SVG_POLICY
    return response


def _measured(request: OrgRequest, kind: str, pk: int) -> Indicator | PerformanceMeasure:
    require_perm(request, "view_measurement")
    return get_indicator(request, pk) if kind == "indicator" else get_measure(request, pk)


def download_url(
    slug: str, measured: Indicator | PerformanceMeasure, chart: str, *ids: int | None
) -> str:
    """The address of one chart ("trend" or "groups") of an indicator or measure as a file."""
    kind = "indicator" if isinstance(measured, Indicator) else "measure"
    return reverse(f"{kind}_{chart}_svg", args=[slug, measured.pk, *ids])


def _trend(request: OrgRequest, kind: str, pk: int) -> HttpResponse:
    measured = _measured(request, kind, pk)
    chart, _ahead = trend(measured, measured_series(measured))
    if chart is None:
        raise Http404  # no data: nothing to draw
    return _file(chart.svg, name=measured.name)


def _groups(request: OrgRequest, kind: str, pk: int, dimension_id: int) -> HttpResponse:
    measured = _measured(request, kind, pk)
    dimension = get_in_org_or_404(
        Dimension, request.organization, pk=dimension_id, initiative_id=measured.initiative_id
    )
    series = [
        s
        for s in measured_series(measured)
        if s.category_id is None or s.dimension_id == dimension.pk
    ]
    chart: Chart | None = next(iter(by_dimension(measured, series)), None)
    if chart is None:
        raise Http404  # no group of this disaggregation has data
    return _file(chart.svg, name=chart.title)


@require_GET
def indicator_trend_svg(request: OrgRequest, org_slug: str, indicator_id: int) -> HttpResponse:
    return _trend(request, "indicator", indicator_id)


@require_GET
def measure_trend_svg(request: OrgRequest, org_slug: str, measure_id: int) -> HttpResponse:
    return _trend(request, "measure", measure_id)


@require_GET
def indicator_groups_svg(
    request: OrgRequest, org_slug: str, indicator_id: int, dimension_id: int
) -> HttpResponse:
    return _groups(request, "indicator", indicator_id, dimension_id)


@require_GET
def measure_groups_svg(
    request: OrgRequest, org_slug: str, measure_id: int, dimension_id: int
) -> HttpResponse:
    return _groups(request, "measure", measure_id, dimension_id)


@require_GET
def gap_svg(request: OrgRequest, org_slug: str, gap_id: int) -> HttpResponse:
    require_perm(request, "view_measurement")
    gap = get_in_org_or_404(
        DisparityGap.objects.select_related("indicator", "reference", "focus"),
        request.organization,
        pk=gap_id,
    )
    indicator = gap.indicator
    series = measured_series(indicator)
    chart = gap_charts(indicator, series, [gap])[0]
    return _file(chart.svg, name=f"{indicator.name} {gap.name}")
