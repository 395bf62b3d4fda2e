"""The agenda filter: the initiative's yes/no criteria, and proposals screened against them.

A screening stores the questions as they were worded when answered, so rewording or retiring a
criterion later leaves every past screening as it was. Editing, moving, reordering and retiring
a criterion is done by the handlers of initiatives/views/ordered.py, from CRITERION below.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from initiatives import services
from initiatives.forms.agenda import CriterionForm, DecisionForm, OverrideForm, ScreeningForm
from initiatives.models import FilterCriterion, Initiative, Screening
from initiatives.selectors import screenings_of
from initiatives.views.ordered import PARTIALS, ItemKind, get_initiative


def _filter_url(initiative: Initiative, anchor: str = "") -> str:
    url = reverse(
        "agenda_filter",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def _current_criteria_qs(initiative: Initiative) -> QuerySet[FilterCriterion]:
    return initiative.filter_criteria.filter(retired_at__isnull=True).order_by("position", "id")


def _current_criteria(initiative: Initiative) -> list[FilterCriterion]:
    return list(_current_criteria_qs(initiative))


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
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _criteria_partial(request, initiative)
            messages.success(request, _("The criterion was added."))
            return redirect(_filter_url(initiative, f"criterion-{criterion.pk}"))
    if request.htmx:
        return _criteria_partial(request, initiative, status=400, form=form)
    return _filter_page(request, initiative, status=400, form=form)


CRITERION = ItemKind(
    name="criterion",
    kwarg="criterion_id",
    url_name="criterion",
    row_template=PARTIALS + "criterion.html",
    form_class=CriterionForm,
    heading=gettext_lazy("Edit the criterion"),
    saved=gettext_lazy("The criterion was saved."),
    removed=gettext_lazy(
        "The criterion was retired. Past screenings keep the answers given to it."
    ),
    get=_get_criterion,
    update=lambda criterion, data: services.criterion_update(
        criterion=criterion, question=data["question"]
    ),
    remove=lambda criterion: services.criterion_retire(criterion=criterion),
    page_url=_filter_url,
    list_url=lambda initiative, _owner: _filter_url(initiative),
    siblings=lambda initiative, _owner: _current_criteria_qs(initiative),
    list_partial=lambda request, initiative, _owner, **extra: _criteria_partial(
        request, initiative, **extra
    ),
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
            apply_service_errors(form, exc)
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
            apply_service_errors(form, exc)
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
            apply_service_errors(form, exc)
            screening.refresh_from_db()
        else:
            messages.success(
                request,
                _("Decision recorded: %(decision)s.")
                % {"decision": screening.get_decision_display()},
            )
            return redirect(_screening_url(initiative, screening, "screening_detail"))
    return _screening_page(request, initiative, screening, status=400, decision_form=form)
