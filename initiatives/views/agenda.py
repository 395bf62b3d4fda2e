"""The common agenda pages: initiatives, the one-page common agenda (results and strategies,
edited inline with htmx), and the ground rules.

Every edit works without JavaScript too: forms post normally and the page redirects back. With
htmx, the edited row or list comes back as a partial from templates/initiatives/agenda/partials/.
Editing, moving, reordering and deleting one result, strategy or ground rule is done by the
handlers of initiatives/views/ordered.py, from the RESULT, STRATEGY and GROUND_RULE below.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from initiatives.forms.agenda import (
    GroundRuleForm,
    InitiativeForm,
    ResultForm,
    StrategyForm,
)
from initiatives.models import GroundRule, Initiative, Result, Strategy
from initiatives.selectors import common_agenda, initiatives_for
from initiatives.views.ordered import PARTIALS, ItemKind, get_initiative, inline_form

# --- Shared helpers -------------------------------------------------------------------------


def agenda_results(
    request: OrgRequest,
    initiative: Initiative,
    strategy_form: StrategyForm | None = None,
    strategy_form_for: int | None = None,
) -> list[Result]:
    """The results in order, each with a blank "add a strategy" form (or the bound one that
    was just refused)."""
    results = common_agenda(initiative=initiative)
    for result in results:
        form = strategy_form if result.pk == strategy_form_for else None
        result.strategy_form = form or StrategyForm(  # type: ignore[attr-defined]
            auto_id=f"id_new_strategy_{result.pk}_%s"
        )
    return results


def agenda_url(initiative: Initiative, anchor: str = "") -> str:
    url = reverse(
        "initiative_detail",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )
    return f"{url}#{anchor}" if anchor else url


# --- Initiatives ----------------------------------------------------------------------------


@require_GET
def initiative_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    everything = list(initiatives_for(organization=request.organization, include_archived=True))
    active = [i for i in everything if i.status == Initiative.Status.ACTIVE]
    archived = [i for i in everything if i.status == Initiative.Status.ARCHIVED]
    return render(
        request,
        "initiatives/agenda/initiative_list.html",
        {"active": active, "archived": archived},
    )


def _initiative_form_page(
    request: OrgRequest, form: InitiativeForm, initiative: Initiative | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "initiatives/agenda/initiative_form.html",
        {"form": form, "initiative": initiative},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def initiative_create(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    if request.method != "POST":
        return _initiative_form_page(request, InitiativeForm(), None)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            initiative = services.initiative_create(
                organization=request.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was started. Add its results and strategies next.")
                % {"name": initiative.name},
            )
            return redirect(agenda_url(initiative))
    return _initiative_form_page(request, form, None, status=400)


@require_http_methods(["GET", "POST"])
def initiative_edit(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    if request.method != "POST":
        initial = {name: getattr(initiative, name) for name in InitiativeForm.base_fields}
        return _initiative_form_page(request, InitiativeForm(initial=initial), initiative)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_update(initiative=initiative, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The initiative was saved."))
            return redirect(agenda_url(initiative))
        initiative.refresh_from_db()
    return _initiative_form_page(request, form, initiative, status=400)


def _set_status(request: OrgRequest, initiative_id: int, status: str) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    services.initiative_set_status(initiative=initiative, status=status)
    if status == Initiative.Status.ARCHIVED:
        messages.success(
            request,
            _("%(name)s was archived. It is kept, with everything in it, under “Archived”.")
            % {"name": initiative.name},
        )
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": initiative.name})
    return redirect("initiative_list", org_slug=request.organization.slug)


@require_POST
def initiative_archive(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    return _set_status(request, initiative_id, Initiative.Status.ARCHIVED)


@require_POST
def initiative_restore(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    return _set_status(request, initiative_id, Initiative.Status.ACTIVE)


@require_GET
def initiative_detail(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    """The one-page common agenda: North Star → results → strategies → workgroups."""
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    return render(
        request,
        "initiatives/agenda/common_agenda.html",
        {
            "initiative": initiative,
            "results": agenda_results(request, initiative),
            "result_form": ResultForm(auto_id="id_new_result_%s"),
        },
    )


# --- Results --------------------------------------------------------------------------------


def _results_partial(
    request: OrgRequest, initiative: Initiative, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "initiative": initiative,
        "results": agenda_results(request, initiative),
        "result_form": ResultForm(auto_id="id_new_result_%s"),
        **extra,
    }
    return render(request, PARTIALS + "results.html", context, status=status)


def _get_result(request: OrgRequest, initiative: Initiative, result_id: int) -> Result:
    return get_in_org_or_404(
        Result.objects.filter(initiative=initiative), request.organization, pk=result_id
    )


def _result_urls(initiative: Initiative, result: Result, name: str) -> str:
    return reverse(
        name,
        kwargs={
            "org_slug": initiative.organization.slug,
            "initiative_id": initiative.pk,
            "result_id": result.pk,
        },
    )


@require_POST
def result_add(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    form = ResultForm(request.POST, auto_id="id_new_result_%s")
    if form.is_valid():
        try:
            result = services.result_create(
                initiative=initiative, statement=form.cleaned_data["statement"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _results_partial(request, initiative)
            messages.success(request, _("The result was added."))
            return redirect(agenda_url(initiative, f"result-{result.pk}"))
    if request.htmx:
        return _results_partial(request, initiative, status=400, result_form=form)
    action = reverse("result_add", kwargs={"org_slug": org_slug, "initiative_id": initiative.pk})
    return inline_form(
        request,
        form,
        action=action,
        cancel_row="",
        page_url=agenda_url(initiative),
        heading=_("Add a result"),
        initiative=initiative,
        status=400,
        submit=_("Add result"),
    )


RESULT = ItemKind(
    name="result",
    kwarg="result_id",
    url_name="result",
    row_template=PARTIALS + "result_head.html",
    form_class=ResultForm,
    heading=gettext_lazy("Edit the result"),
    saved=gettext_lazy("The result was saved."),
    removed=gettext_lazy("The result was deleted."),
    get=_get_result,
    update=lambda result, data: services.result_update(result=result, statement=data["statement"]),
    remove=lambda result: services.result_delete(result=result),
    page_url=agenda_url,
    list_url=lambda initiative, _owner: agenda_url(initiative, "results"),
    siblings=lambda initiative, _owner: initiative.results.all(),
    list_partial=lambda request, initiative, _owner, **extra: _results_partial(
        request, initiative, **extra
    ),
)


# --- Strategies -----------------------------------------------------------------------------


def _get_strategy(request: OrgRequest, initiative: Initiative, strategy_id: int) -> Strategy:
    return get_in_org_or_404(
        Strategy.objects.filter(initiative=initiative).prefetch_related(
            "tables"
        ),  # for the workgroups shown in its row
        request.organization,
        pk=strategy_id,
    )


def _strategies_partial(
    request: OrgRequest,
    initiative: Initiative,
    result_id: int,
    status: int = 200,
    form: StrategyForm | None = None,
    **extra: Any,
) -> HttpResponse:
    results = agenda_results(request, initiative, form, result_id)
    result = next(r for r in results if r.pk == result_id)
    return render(
        request,
        PARTIALS + "strategies.html",
        {"initiative": initiative, "result": result, **extra},
        status=status,
    )


@require_POST
def strategy_add(
    request: OrgRequest, org_slug: str, initiative_id: int, result_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    result = _get_result(request, initiative, result_id)
    form = StrategyForm(request.POST, auto_id=f"id_new_strategy_{result.pk}_%s")
    if form.is_valid():
        try:
            strategy = services.strategy_create(result=result, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _strategies_partial(request, initiative, result.pk)
            messages.success(request, _("The strategy was added."))
            return redirect(agenda_url(initiative, f"strategy-{strategy.pk}"))
    if request.htmx:
        return _strategies_partial(request, initiative, result.pk, status=400, form=form)
    return inline_form(
        request,
        form,
        action=_result_urls(initiative, result, "strategy_add"),
        cancel_row="",
        page_url=agenda_url(initiative, f"result-{result.pk}"),
        heading=_("Add a strategy"),
        initiative=initiative,
        status=400,
        submit=_("Add strategy"),
    )


STRATEGY = ItemKind(
    name="strategy",
    kwarg="strategy_id",
    url_name="strategy",
    row_template=PARTIALS + "strategy.html",
    form_class=StrategyForm,
    heading=gettext_lazy("Edit the strategy"),
    saved=gettext_lazy("The strategy was saved."),
    removed=gettext_lazy("The strategy was deleted."),
    get=_get_strategy,
    update=lambda strategy, data: services.strategy_update(strategy=strategy, **data),
    remove=lambda strategy: services.strategy_delete(strategy=strategy),
    page_url=agenda_url,
    list_url=lambda initiative, result_id: agenda_url(initiative, f"result-{result_id}"),
    siblings=lambda _initiative, result_id: Strategy.objects.filter(result_id=result_id),
    list_partial=_strategies_partial,
    owner_field="result_id",
    get_owner=_get_result,
    fresh_row=True,  # with its workgroups, which a save may have changed
)


# --- Ground rules ---------------------------------------------------------------------------


def _rules_url(initiative: Initiative, anchor: str = "") -> str:
    url = reverse(
        "ground_rules",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def _get_rule(request: OrgRequest, initiative: Initiative, rule_id: int) -> GroundRule:
    return get_in_org_or_404(
        GroundRule.objects.filter(initiative=initiative), request.organization, pk=rule_id
    )


def _rules_context(initiative: Initiative, form: GroundRuleForm | None = None) -> dict[str, Any]:
    return {
        "initiative": initiative,
        "rules": list(initiative.ground_rules.order_by("position", "id")),
        "rule_form": form or GroundRuleForm(auto_id="id_new_rule_%s"),
    }


def _rules_partial(
    request: OrgRequest, initiative: Initiative, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        PARTIALS + "rules.html",
        {**_rules_context(initiative, extra.pop("form", None)), **extra},
        status=status,
    )


@require_GET
def ground_rules(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    return render(request, "initiatives/agenda/ground_rules.html", _rules_context(initiative))


@require_POST
def ground_rule_add(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    form = GroundRuleForm(request.POST, auto_id="id_new_rule_%s")
    if form.is_valid():
        try:
            rule = services.ground_rule_create(
                initiative=initiative, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _rules_partial(request, initiative)
            messages.success(request, _("The ground rule was added."))
            return redirect(_rules_url(initiative, f"rule-{rule.pk}"))
    if request.htmx:
        return _rules_partial(request, initiative, status=400, form=form)
    context = _rules_context(initiative, form)
    return render(request, "initiatives/agenda/ground_rules.html", context, status=400)


GROUND_RULE = ItemKind(
    name="rule",
    kwarg="rule_id",
    url_name="ground_rule",
    row_template=PARTIALS + "rule.html",
    form_class=GroundRuleForm,
    heading=gettext_lazy("Edit the ground rule"),
    saved=gettext_lazy("The ground rule was saved."),
    removed=gettext_lazy("The ground rule was deleted."),
    get=_get_rule,
    update=lambda rule, data: services.ground_rule_update(rule=rule, text=data["text"]),
    remove=lambda rule: services.ground_rule_delete(rule=rule),
    page_url=_rules_url,
    list_url=lambda initiative, _owner: _rules_url(initiative),
    siblings=lambda initiative, _owner: initiative.ground_rules.all(),
    list_partial=lambda request, initiative, _owner, **extra: _rules_partial(
        request, initiative, **extra
    ),
)
