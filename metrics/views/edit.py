"""Staff's forms of shared measurement: an indicator, a performance measure, and the
turn-the-curve note of either. Each form posts normally and redirects; the services' refusals
(a target before the baseline, a percentage above 100…) come back on the field they name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from initiatives.models import Initiative
from initiatives.views.ordered import get_initiative
from metrics import services
from metrics.forms import GapForm, IndicatorForm, MeasureForm, TurnTheCurveForm
from metrics.models import DisparityGap, Indicator, PerformanceMeasure, TurnTheCurve
from metrics.services import MEASURED_FIELDS
from metrics.views.common import get_indicator, get_measure


def _initial(measured: Any) -> dict[str, Any]:
    initial = {name: getattr(measured, name) for name in MEASURED_FIELDS}
    for name in ("baseline_value", "target_value", "population"):
        value = initial[name]
        if isinstance(value, Decimal):
            initial[name] = format(value.normalize(), "f")  # 45.2000 shows as 45.2
    return initial


def _form_page(
    request: OrgRequest,
    form: Any,
    *,
    initiative: Initiative,
    heading: str,
    cancel: str,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "metrics/form.html",
        {"form": form, "initiative": initiative, "heading": heading, "cancel": cancel},
        status=status,
    )


def _overview_url(initiative: Initiative) -> str:
    return reverse(
        "results_overview",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )


def _indicator_url(indicator: Indicator) -> str:
    return reverse(
        "indicator_detail",
        kwargs={"org_slug": indicator.organization.slug, "indicator_id": indicator.pk},
    )


def _measure_url(measure: PerformanceMeasure) -> str:
    return reverse(
        "measure_detail",
        kwargs={"org_slug": measure.organization.slug, "measure_id": measure.pk},
    )


@require_http_methods(["GET", "POST"])
def indicator_create(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    initiative = get_initiative(request, initiative_id)
    heading = _("Add an indicator")
    cancel = _overview_url(initiative)
    if request.method != "POST":
        initial = {}
        wanted = request.GET.get("result", "")
        if wanted.isdigit():
            initial["result"] = wanted
        form = IndicatorForm(initial=initial, initiative=initiative)
        return _form_page(request, form, initiative=initiative, heading=heading, cancel=cancel)
    form = IndicatorForm(request.POST, initiative=initiative)
    if form.is_valid():
        try:
            indicator = services.indicator_create(
                result=form.cleaned_data["result"], **form.measured_fields()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The indicator was added."))
            indicator.organization = request.organization
            return redirect(_indicator_url(indicator))
    return _form_page(
        request, form, initiative=initiative, heading=heading, cancel=cancel, status=400
    )


@require_http_methods(["GET", "POST"])
def indicator_edit(request: OrgRequest, org_slug: str, indicator_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    indicator = get_indicator(request, indicator_id)
    indicator.organization = request.organization
    initiative = indicator.initiative
    heading = _("Edit the indicator")
    cancel = _indicator_url(indicator)
    if request.method != "POST":
        form = IndicatorForm(
            initial={**_initial(indicator), "result": indicator.result_id}, initiative=initiative
        )
        return _form_page(request, form, initiative=initiative, heading=heading, cancel=cancel)
    form = IndicatorForm(request.POST, initiative=initiative)
    if form.is_valid():
        try:
            services.indicator_update(
                indicator=indicator, result=form.cleaned_data["result"], **form.measured_fields()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect(cancel)
    return _form_page(
        request, form, initiative=initiative, heading=heading, cancel=cancel, status=400
    )


def _measures_url(initiative: Initiative) -> str:
    return reverse(
        "measures_overview",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )


@require_http_methods(["GET", "POST"])
def measure_create(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    initiative = get_initiative(request, initiative_id)
    heading = _("Add a performance measure")
    cancel = _measures_url(initiative)
    if request.method != "POST":
        initial: dict[str, str] = {"kind": PerformanceMeasure.Kind.HOW_MUCH.value}
        for name in ("table", "strategy"):
            wanted = request.GET.get(name, "")
            if wanted.isdigit():
                initial[name] = wanted
        form = MeasureForm(initial=initial, initiative=initiative)
        return _form_page(request, form, initiative=initiative, heading=heading, cancel=cancel)
    form = MeasureForm(request.POST, initiative=initiative)
    if form.is_valid():
        data = form.cleaned_data
        try:
            measure = services.measure_create(
                initiative=initiative,
                kind=data["kind"],
                strategy=data["strategy"],
                table=data["table"],
                **form.measured_fields(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The performance measure was added."))
            measure.organization = request.organization
            return redirect(_measure_url(measure))
    return _form_page(
        request, form, initiative=initiative, heading=heading, cancel=cancel, status=400
    )


@require_http_methods(["GET", "POST"])
def measure_edit(request: OrgRequest, org_slug: str, measure_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    measure = get_measure(request, measure_id)
    measure.organization = request.organization
    initiative = measure.initiative
    heading = _("Edit the performance measure")
    cancel = _measure_url(measure)
    if request.method != "POST":
        initial = {
            **_initial(measure),
            "kind": measure.kind,
            "strategy": measure.strategy_id,
            "table": measure.table_id,
        }
        form = MeasureForm(initial=initial, initiative=initiative)
        return _form_page(request, form, initiative=initiative, heading=heading, cancel=cancel)
    form = MeasureForm(request.POST, initiative=initiative)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_update(
                measure=measure,
                kind=data["kind"],
                strategy=data["strategy"],
                table=data["table"],
                **form.measured_fields(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The performance measure was saved."))
            return redirect(cancel)
    return _form_page(
        request, form, initiative=initiative, heading=heading, cancel=cancel, status=400
    )


def _note_page(
    request: OrgRequest, subject: Indicator | PerformanceMeasure, back: str
) -> HttpResponse:
    require_perm(request, "manage_measurement")
    subject.organization = request.organization
    initiative = subject.initiative
    heading = _("Turn the curve: %(name)s") % {"name": subject.name}
    lookup = {"indicator": subject} if isinstance(subject, Indicator) else {"measure": subject}
    if request.method != "POST":
        note = TurnTheCurve.objects.filter(**lookup).first()
        initial: dict[str, Any] = {}
        if note is not None:
            initial = {
                "story": note.story,
                "what_works": note.what_works,
                "action_plan": note.action_plan,
                "partners": list(note.partners.all()),
                "strategies": list(note.strategies.all()),
                "key_actions": list(note.key_actions.all()),
            }
        form = TurnTheCurveForm(initial=initial, initiative=initiative)
        return _form_page(request, form, initiative=initiative, heading=heading, cancel=back)
    form = TurnTheCurveForm(request.POST, initiative=initiative)
    if form.is_valid():
        try:
            services.turn_the_curve_save(subject=subject, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The turn-the-curve notes were saved."))
            return redirect(f"{back}#turn-the-curve")
    return _form_page(
        request, form, initiative=initiative, heading=heading, cancel=back, status=400
    )


@require_http_methods(["GET", "POST"])
def indicator_notes(request: OrgRequest, org_slug: str, indicator_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    indicator = get_indicator(request, indicator_id)
    indicator.organization = request.organization
    return _note_page(request, indicator, _indicator_url(indicator))


@require_http_methods(["GET", "POST"])
def measure_notes(request: OrgRequest, org_slug: str, measure_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    measure = get_measure(request, measure_id)
    measure.organization = request.organization
    return _note_page(request, measure, _measure_url(measure))


# --- Disparity gaps -------------------------------------------------------------------------


def _gap_fields(form: GapForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "reference": data["reference"],
        "focus": data["focus"],
        "name": data["name"],
        "target_value": data["target_value"],
        "target_period": data["target_period"],
    }


def _get_gap(request: OrgRequest, gap_id: int) -> DisparityGap:
    gap = get_in_org_or_404(
        DisparityGap.objects.select_related("indicator__initiative", "reference", "focus"),
        request.organization,
        pk=gap_id,
    )
    gap.indicator.organization = request.organization
    return gap


@require_http_methods(["GET", "POST"])
def gap_create(request: OrgRequest, org_slug: str, indicator_id: int) -> HttpResponse:
    """Track the gap between two groups of one of the indicator's disaggregations."""
    require_perm(request, "manage_measurement")
    indicator = get_indicator(request, indicator_id)
    indicator.organization = request.organization
    heading = _("Add a disparity gap to “%(name)s”") % {"name": indicator.name}
    cancel = _indicator_url(indicator)
    initiative = indicator.initiative
    if request.method != "POST":
        form = GapForm(indicator=indicator)
        return _form_page(request, form, initiative=initiative, heading=heading, cancel=cancel)
    form = GapForm(request.POST, indicator=indicator)
    if form.is_valid():
        try:
            services.gap_create(indicator=indicator, **_gap_fields(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The disparity gap was added."))
            return redirect(cancel)
    return _form_page(
        request, form, initiative=initiative, heading=heading, cancel=cancel, status=400
    )


@require_http_methods(["GET", "POST"])
def gap_edit(request: OrgRequest, org_slug: str, gap_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    gap = _get_gap(request, gap_id)
    indicator = gap.indicator
    heading = _("Edit the disparity gap")
    cancel = _indicator_url(indicator)
    initiative = indicator.initiative
    if request.method != "POST":
        target = gap.target_value
        form = GapForm(
            initial={
                "dimension": gap.dimension_id,
                "reference": gap.reference_id,
                "focus": gap.focus_id,
                "name": gap.name,
                "target_value": format(target.normalize(), "f") if target is not None else None,
                "target_period": gap.target_period,
            },
            indicator=indicator,
        )
        return _form_page(request, form, initiative=initiative, heading=heading, cancel=cancel)
    form = GapForm(request.POST, indicator=indicator)
    if form.is_valid():
        try:
            services.gap_update(gap=gap, **_gap_fields(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The disparity gap was saved."))
            return redirect(cancel)
    return _form_page(
        request, form, initiative=initiative, heading=heading, cancel=cancel, status=400
    )


@require_http_methods(["GET", "POST"])
def gap_delete(request: OrgRequest, org_slug: str, gap_id: int) -> HttpResponse:
    """Ask first; then stop tracking the gap (the groups' data stay)."""
    require_perm(request, "manage_measurement")
    gap = _get_gap(request, gap_id)
    back = _indicator_url(gap.indicator)
    if request.method != "POST":
        return render(
            request,
            "metrics/gap_delete.html",
            {"gap": gap, "initiative": gap.indicator.initiative, "cancel": back},
        )
    services.gap_delete(gap=gap)
    messages.success(request, _("The disparity gap was deleted."))
    return redirect(back)
