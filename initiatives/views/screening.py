"""The agenda filter: the initiative's yes/no criteria, and proposals screened against them.

A screening stores the questions as they were worded when answered, so rewording or retiring a
criterion later leaves every past screening as it was.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from initiatives import services
from initiatives.forms.agenda import (
    CriterionForm,
    DecisionForm,
    MoveForm,
    OverrideForm,
    ScreeningForm,
)
from initiatives.models import FilterCriterion, Initiative, Screening
from initiatives.selectors import screenings_of
from initiatives.views.agenda import (
    PARTIALS,
    apply_errors,
    focus_after_swap,
    get_initiative,
    inline_form,
    moved_focus,
    reorder,
)


def _filter_url(initiative: Initiative, anchor: str = "") -> str:
    url = reverse(
        "agenda_filter",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def _criterion_url(initiative: Initiative, criterion: FilterCriterion, name: str) -> str:
    return reverse(
        name,
        kwargs={
            "org_slug": initiative.organization.slug,
            "initiative_id": initiative.pk,
            "criterion_id": criterion.pk,
        },
    )


def _current_criteria(initiative: Initiative) -> list[FilterCriterion]:
    return list(
        initiative.filter_criteria.filter(retired_at__isnull=True).order_by("position", "id")
    )


def _get_criterion(
    request: OrgRequest, initiative: Initiative, criterion_id: int, *, current: bool = True
) -> FilterCriterion:
    qs = FilterCriterion.objects.filter(initiative=initiative)
    if current:
        qs = qs.filter(retired_at__isnull=True)
    return get_in_org_or_404(qs, request.organization, pk=criterion_id)


def _criteria_context(
    initiative: Initiative, form: CriterionForm | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "initiative": initiative,
        "criteria": _current_criteria(initiative),
        "criterion_form": form or CriterionForm(auto_id="id_new_criterion_%s"),
        **extra,
    }


def _criteria_partial(
    request: OrgRequest,
    initiative: Initiative,
    status: int = 200,
    form: CriterionForm | None = None,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        PARTIALS + "criteria.html",
        _criteria_context(initiative, form, **extra),
        status=status,
    )


def _filter_page(
    request: OrgRequest, initiative: Initiative, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _criteria_context(initiative, extra.pop("form", None), **extra)
    context["retired"] = list(
        initiative.filter_criteria.filter(retired_at__isnull=False).order_by("-retired_at")
    )
    context["screenings"] = list(screenings_of(initiative=initiative))
    return render(request, "initiatives/agenda/agenda_filter.html", context, status=status)


@require_GET
def agenda_filter(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    return _filter_page(request, get_initiative(request, initiative_id))


# --- Criteria -------------------------------------------------------------------------------


@require_POST
def criterion_add(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    form = CriterionForm(request.POST, auto_id="id_new_criterion_%s")
    if form.is_valid():
        try:
            criterion = services.criterion_create(
                initiative=initiative, question=form.cleaned_data["question"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if request.htmx:
                return _criteria_partial(request, initiative)
            messages.success(request, _("The criterion was added."))
            return redirect(_filter_url(initiative, f"criterion-{criterion.pk}"))
    if request.htmx:
        return _criteria_partial(request, initiative, status=400, form=form)
    return _filter_page(request, initiative, status=400, form=form)


@require_GET
def criterion_row(
    request: OrgRequest, org_slug: str, initiative_id: int, criterion_id: int
) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    criterion = _get_criterion(request, initiative, criterion_id)
    if not request.htmx:
        return redirect(_filter_url(initiative, f"criterion-{criterion.pk}"))
    return render(
        request, PARTIALS + "criterion.html", {"initiative": initiative, "criterion": criterion}
    )


@require_http_methods(["GET", "POST"])
def criterion_edit(
    request: OrgRequest, org_slug: str, initiative_id: int, criterion_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    criterion = _get_criterion(request, initiative, criterion_id)
    auto_id = f"id_criterion_{criterion.pk}_%s"
    status = 200
    if request.method == "POST":
        form = CriterionForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                services.criterion_update(
                    criterion=criterion, question=form.cleaned_data["question"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if request.htmx:
                    return render(
                        request,
                        PARTIALS + "criterion.html",
                        {"initiative": initiative, "criterion": criterion, "saved": True},
                    )
                messages.success(request, _("The criterion was saved."))
                return redirect(_filter_url(initiative, f"criterion-{criterion.pk}"))
        status = 400
    else:
        form = CriterionForm(initial={"question": criterion.question}, auto_id=auto_id)
    return inline_form(
        request,
        form,
        action=_criterion_url(initiative, criterion, "criterion_edit"),
        cancel_row=_criterion_url(initiative, criterion, "criterion_row"),
        page_url=_filter_url(initiative, f"criterion-{criterion.pk}"),
        heading=_("Edit the criterion"),
        initiative=initiative,
        status=status,
    )


@require_POST
def criterion_move(
    request: OrgRequest, org_slug: str, initiative_id: int, criterion_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    criterion = _get_criterion(request, initiative, criterion_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        message = _("Choose up or down.")
        if not request.htmx:
            messages.error(request, message)
            return redirect(_filter_url(initiative, f"criterion-{criterion.pk}"))
        return _criteria_partial(
            request,
            initiative,
            status=400,
            error_kind="criterion",
            error_pk=criterion.pk,
            error=message,
        )
    direction = form.cleaned_data["direction"]
    services.item_move(item=criterion, direction=direction)
    if not request.htmx:
        return redirect(_filter_url(initiative, f"criterion-{criterion.pk}"))
    count = len(_current_criteria(initiative))
    return focus_after_swap(
        _criteria_partial(request, initiative),
        f"criterion-{criterion.pk}-{moved_focus(criterion, direction, count)}",
    )


@require_POST
def criterion_retire(
    request: OrgRequest, org_slug: str, initiative_id: int, criterion_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    criterion = _get_criterion(request, initiative, criterion_id)
    services.criterion_retire(criterion=criterion)
    if request.htmx:
        return _criteria_partial(request, initiative)
    messages.success(
        request,
        _("The criterion was retired. Past screenings keep the answers given to it."),
    )
    return redirect(_filter_url(initiative))


@require_POST
def criteria_reorder(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    return reorder(
        request,
        _current_criteria(initiative),
        lambda: _criteria_partial(request, initiative),
        _filter_url(initiative),
    )


# --- Screenings -----------------------------------------------------------------------------


def _screening_form_page(
    request: OrgRequest, initiative: Initiative, form: ScreeningForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "initiatives/agenda/screening_form.html",
        {"initiative": initiative, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def screening_new(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "screen_proposals")
    initiative = get_initiative(request, initiative_id)
    criteria = _current_criteria(initiative)
    if request.method != "POST":
        return _screening_form_page(request, initiative, ScreeningForm(criteria=criteria))
    form = ScreeningForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            screening = services.screening_record(
                initiative=initiative,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                proposed_by=form.cleaned_data["proposed_by"],
                answers=form.answers(),
                recorded_by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if screening.passes_all:
                messages.success(request, _("The proposal passes every criterion."))
            else:
                messages.warning(request, _("The proposal does not pass the agenda filter."))
            return redirect(_screening_url(initiative, screening, "screening_detail"))
    return _screening_form_page(request, initiative, form, status=400)


def _screening_url(initiative: Initiative, screening: Screening, name: str) -> str:
    return reverse(
        name,
        kwargs={
            "org_slug": initiative.organization.slug,
            "initiative_id": initiative.pk,
            "screening_id": screening.pk,
        },
    )


def _get_screening(request: OrgRequest, initiative: Initiative, screening_id: int) -> Screening:
    return get_in_org_or_404(
        screenings_of(initiative=initiative), request.organization, pk=screening_id
    )


def _screening_page(
    request: OrgRequest,
    initiative: Initiative,
    screening: Screening,
    status: int = 200,
    override_form: OverrideForm | None = None,
    decision_form: DecisionForm | None = None,
) -> HttpResponse:
    initial = {}
    if screening.decision != Screening.Decision.PENDING:
        initial = {"decision": screening.decision, "note": screening.decision_note}
    return render(
        request,
        "initiatives/agenda/screening_detail.html",
        {
            "initiative": initiative,
            "screening": screening,
            "override_form": override_form or OverrideForm(),
            "decision_form": decision_form or DecisionForm(initial=initial),
        },
        status=status,
    )


@require_GET
def screening_detail(
    request: OrgRequest, org_slug: str, initiative_id: int, screening_id: int
) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    return _screening_page(request, initiative, _get_screening(request, initiative, screening_id))


@require_POST
def screening_override(
    request: OrgRequest, org_slug: str, initiative_id: int, screening_id: int
) -> HttpResponse:
    require_perm(request, "override_screening")
    initiative = get_initiative(request, initiative_id)
    screening = _get_screening(request, initiative, screening_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.screening_override(screening=screening, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError(exc.messages)  # its field is our "reason"
            apply_errors(form, exc)
            screening.refresh_from_db()
        else:
            messages.success(request, _("The proposal goes ahead by staff override."))
            return redirect(_screening_url(initiative, screening, "screening_detail"))
    return _screening_page(request, initiative, screening, status=400, override_form=form)


@require_POST
def screening_decide(
    request: OrgRequest, org_slug: str, initiative_id: int, screening_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    screening = _get_screening(request, initiative, screening_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.screening_decide(
                screening=screening,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            screening.refresh_from_db()
        else:
            messages.success(
                request,
                _("Decision recorded: %(decision)s.")
                % {"decision": screening.get_decision_display()},
            )
            return redirect(_screening_url(initiative, screening, "screening_detail"))
    return _screening_page(request, initiative, screening, status=400, decision_form=form)
