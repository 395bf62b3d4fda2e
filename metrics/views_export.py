"""Downloading indicator data as CSV or XLSX: one indicator, or every indicator of an
initiative; the same for performance measures. Whoever may read the data may download it."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from initiatives.exporters import Cell, to_csv, to_xlsx
from initiatives.models import Initiative
from metrics.exporters import (
    indicator_table,
    initiative_measures_table,
    initiative_table,
    measure_table,
)
from metrics.models import Indicator, PerformanceMeasure

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(head: list[str], rows: list[list[Cell]], *, stem: str, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(head, rows, sheet=str(_("Data"))), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(to_csv(head, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _stem(request: OrgRequest, name: str) -> str:
    words = slugify(name)[:60].strip("-") or "data"
    return f"{request.organization.slug}-{words}-{timezone.localdate():%Y-%m-%d}"


@require_GET
def indicator_export(
    request: OrgRequest, org_slug: str, indicator_id: int, fmt: str
) -> HttpResponse:
    require_perm(request, "view_measurement")
    indicator = get_in_org_or_404(Indicator, request.organization, pk=indicator_id)
    head, rows = indicator_table(indicator=indicator)
    return _download(head, rows, stem=_stem(request, indicator.name), fmt=fmt)


@require_GET
def initiative_export(
    request: OrgRequest, org_slug: str, initiative_id: int, fmt: str
) -> HttpResponse:
    require_perm(request, "view_measurement")
    initiative = get_in_org_or_404(Initiative, request.organization, pk=initiative_id)
    head, rows = initiative_table(initiative=initiative)
    stem = _stem(request, f"{initiative.name} {_('indicators')}")
    return _download(head, rows, stem=stem, fmt=fmt)


@require_GET
def measure_export(request: OrgRequest, org_slug: str, measure_id: int, fmt: str) -> HttpResponse:
    require_perm(request, "view_measurement")
    measure = get_in_org_or_404(PerformanceMeasure, request.organization, pk=measure_id)
    head, rows = measure_table(measure=measure)
    return _download(head, rows, stem=_stem(request, measure.name), fmt=fmt)


@require_GET
def initiative_measures_export(
    request: OrgRequest, org_slug: str, initiative_id: int, fmt: str
) -> HttpResponse:
    require_perm(request, "view_measurement")
    initiative = get_in_org_or_404(Initiative, request.organization, pk=initiative_id)
    head, rows = initiative_measures_table(initiative=initiative)
    stem = _stem(request, f"{initiative.name} {_('performance measures')}")
    return _download(head, rows, stem=stem, fmt=fmt)
