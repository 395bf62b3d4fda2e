"""The public results page of an initiative, its embeddable version and its data as CSV: no
login, and only what staff published (dashboard.public reads nothing else).

An address answers only while the page is published, at its current key, for an initiative
that is not archived; anything else is the same 404 as an address that never existed. Pages
may be cached by browsers and proxies for a few minutes (a 404 is not). Only the embeddable
version may be shown inside another site's frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.text import slugify
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from dashboard.models import DashboardSettings
from dashboard.public import (
    PublicIndicator,
    csv_headers,
    published_results,
    published_settings,
    published_table,
)
from initiatives.exporters import to_csv
from metrics.views.common import Chart, Headline, headline, trend

# Seconds a browser or proxy may keep a public page: short, so a change (or unpublishing)
# shows within minutes.
PUBLIC_MAX_AGE = 300


@dataclass
class ShownIndicator:
    item: PublicIndicator
    head: Headline
    chart: Chart | None


def _chosen_language(request: HttpRequest) -> str:
    """?lang=es shows the page in another of the site's languages, whatever the browser asks
    for: for a link in a newsletter, or an embed on a Spanish page."""
    language = request.GET.get("lang", "")
    return language if language in dict(django_settings.LANGUAGES) else ""


def _published_or_404(request: HttpRequest, key: str) -> DashboardSettings:
    found = published_settings(key)
    if found is None:
        raise Http404
    language = _chosen_language(request)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return found


def _context(
    request: HttpRequest, found: DashboardSettings, *, chart_prefix: str
) -> dict[str, Any]:
    blocks = []
    for block in published_results(found):
        shown = []
        for item in block.indicators:
            indicator = item.indicator
            chart = None
            if item.total.points:
                chart, _ahead = trend(
                    indicator, [item.total], chart_id=f"{chart_prefix}-{indicator.pk}"
                )
            shown.append(ShownIndicator(item, headline(indicator, item.total), chart))
        blocks.append({"result": block.result, "indicators": shown})
    initiative = found.initiative
    return {
        "initiative": initiative,
        "organization_name": initiative.organization.name,
        "intro": found.public_intro,
        "results": blocks,
        "key": found.public_key,
        "time_zone": initiative.effective_time_zone,
        "lang": _chosen_language(request),
    }


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_results(request: HttpRequest, key: str) -> HttpResponse:
    found = _published_or_404(request, key)
    return render(
        request, "dashboard/public/page.html", _context(request, found, chart_prefix="trend")
    )


@require_GET
@xframe_options_exempt
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_results_embed(request: HttpRequest, key: str) -> HttpResponse:
    """The compact version for another site's iframe: the one page that may be framed."""
    found = _published_or_404(request, key)
    response = render(
        request, "dashboard/public/embed.html", _context(request, found, chart_prefix="embed")
    )
    response["Content-Security-Policy"] = "frame-ancestors *"
    return response


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_results_csv(request: HttpRequest, key: str) -> HttpResponse:
    found = _published_or_404(request, key)
    body = to_csv(csv_headers(), published_table(found))
    name = slugify(found.initiative.name) or "results"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-results.csv"'
    return response
