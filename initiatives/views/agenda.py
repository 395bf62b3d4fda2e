"""The common agenda pages: initiatives, the one-page common agenda (results and strategies,
edited inline with htmx), and the ground rules.

Every edit works without JavaScript too: forms post normally and the page redirects back. With
htmx, the edited row or list comes back as a partial from templates/initiatives/agenda/partials/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
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
    GroundRuleForm,
    InitiativeForm,
    MoveForm,
    ReorderForm,
    ResultForm,
    StrategyForm,
)
from initiatives.models import GroundRule, Initiative, Ordered, Result, Strategy
from initiatives.selectors import common_agenda, initiatives_for

PARTIALS = "initiatives/agenda/partials/"


# --- Shared helpers -------------------------------------------------------------------------


def get_initiative(request: OrgRequest, initiative_id: int) -> Initiative:
    initiative = get_in_org_or_404(Initiative, request.organization, pk=initiative_id)
    initiative.organization = request.organization  # already loaded by the middleware
    return initiative


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when it names one, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def inline_form(
    request: OrgRequest,
    form: forms.Form,
    *,
    action: str,
    cancel_row: str,
    page_url: str,
    heading: str,
    initiative: Initiative,
    status: int = 200,
    submit: str = "",
) -> HttpResponse:
    """An edit form: the small partial for htmx, or a page of its own without JavaScript."""
    first = next(iter(form.fields.values()))
    first.widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
    context = {
        "form": form,
        "action": action,
        "cancel_row": cancel_row,
        "page_url": page_url,
        "heading": heading,
        "initiative": initiative,
        "submit": submit or _("Save"),
    }
    template = (
        PARTIALS + "inline_form.html" if request.htmx else "initiatives/agenda/form_page.html"
    )
    return render(request, template, context, status=status)


def moved_focus(item: Ordered, direction: str, count: int) -> str:
    """Which move button keeps the keyboard focus after a move: the same one, unless the item
    reached the end of the list and that button is gone."""
    if direction == "up" and item.position == 0 and count > 1:
        return "down"
    if direction == "down" and item.position == count - 1 and count > 1:
        return "up"
    return direction


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
            apply_errors(form, exc)
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
            apply_errors(form, exc)
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


def focus_after_swap(response: HttpResponse, element_id: str) -> HttpResponse:
    """Keep the keyboard focus on the button that was pressed, once the list is swapped
    (static/js/agenda.js listens for the event)."""
    response["HX-Trigger-After-Settle"] = json.dumps({"agenda:focus": element_id})
    return response


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
            apply_errors(form, exc)
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


@require_GET
def result_row(
    request: OrgRequest, org_slug: str, initiative_id: int, result_id: int
) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    result = _get_result(request, initiative, result_id)
    if not request.htmx:
        return redirect(agenda_url(initiative, f"result-{result.pk}"))
    return render(
        request, PARTIALS + "result_head.html", {"initiative": initiative, "result": result}
    )


@require_http_methods(["GET", "POST"])
def result_edit(
    request: OrgRequest, org_slug: str, initiative_id: int, result_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    result = _get_result(request, initiative, result_id)
    status = 200
    if request.method == "POST":
        form = ResultForm(request.POST, auto_id=f"id_result_{result.pk}_%s")
        if form.is_valid():
            try:
                services.result_update(result=result, statement=form.cleaned_data["statement"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if request.htmx:
                    return render(
                        request,
                        PARTIALS + "result_head.html",
                        {"initiative": initiative, "result": result, "saved": True},
                    )
                messages.success(request, _("The result was saved."))
                return redirect(agenda_url(initiative, f"result-{result.pk}"))
        status = 400
    else:
        form = ResultForm(
            initial={"statement": result.statement}, auto_id=f"id_result_{result.pk}_%s"
        )
    return inline_form(
        request,
        form,
        action=_result_urls(initiative, result, "result_edit"),
        cancel_row=_result_urls(initiative, result, "result_row"),
        page_url=agenda_url(initiative, f"result-{result.pk}"),
        heading=_("Edit the result"),
        initiative=initiative,
        status=status,
    )


@require_POST
def result_move(
    request: OrgRequest, org_slug: str, initiative_id: int, result_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    result = _get_result(request, initiative, result_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, initiative, _("Choose up or down."), "result", result.pk)
    direction = form.cleaned_data["direction"]
    services.item_move(item=result, direction=direction)
    if not request.htmx:
        return redirect(agenda_url(initiative, f"result-{result.pk}"))
    count = initiative.results.count()
    return focus_after_swap(
        _results_partial(request, initiative),
        f"result-{result.pk}-{moved_focus(result, direction, count)}",
    )


@require_POST
def result_delete(
    request: OrgRequest, org_slug: str, initiative_id: int, result_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    result = _get_result(request, initiative, result_id)
    try:
        services.result_delete(result=result)
    except ValidationError as exc:
        return _refused(request, initiative, " ".join(exc.messages), "result", result.pk)
    if request.htmx:
        return _results_partial(request, initiative)
    messages.success(request, _("The result was deleted."))
    return redirect(agenda_url(initiative, "results"))


def _refused(
    request: OrgRequest, initiative: Initiative, message: str, kind: str, pk: int
) -> HttpResponse:
    """A refused change on the common agenda: the list again with the reason at the item."""
    if not request.htmx:
        messages.error(request, message)
        return redirect(agenda_url(initiative, f"{kind}-{pk}"))
    return _results_partial(
        request, initiative, status=400, error_kind=kind, error_pk=pk, error=message
    )


@require_POST
def results_reorder(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    return reorder(
        request,
        list(initiative.results.all()),
        lambda: _results_partial(request, initiative),
        agenda_url(initiative, "results"),
    )


def reorder(
    request: OrgRequest,
    items: list[Any],
    partial: Callable[[], HttpResponse],
    page_url: str,
) -> HttpResponse:
    """Apply the order a drag and drop produced; a stale or garbled order changes nothing."""
    form = ReorderForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors["order"]))
        services.items_reorder(items=items, ordered_ids=form.cleaned_data["order"])
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if not request.htmx:
            messages.error(request, message)
            return redirect(page_url)
        response = partial()
        response.status_code = 400
        response["HX-Trigger"] = json.dumps({"agenda:refused": message})
        return response
    if not request.htmx:
        return redirect(page_url)
    return partial()


# --- Strategies -----------------------------------------------------------------------------


def _get_strategy(request: OrgRequest, initiative: Initiative, strategy_id: int) -> Strategy:
    return get_in_org_or_404(
        Strategy.objects.filter(initiative=initiative).prefetch_related(
            "tables"
        ),  # for the workgroups shown in its row
        request.organization,
        pk=strategy_id,
    )


def _strategy_url(initiative: Initiative, strategy: Strategy, name: str) -> str:
    return reverse(
        name,
        kwargs={
            "org_slug": initiative.organization.slug,
            "initiative_id": initiative.pk,
            "strategy_id": strategy.pk,
        },
    )


def _strategy_row(
    request: OrgRequest, initiative: Initiative, strategy: Strategy, **extra: Any
) -> HttpResponse:
    strategy = _get_strategy(request, initiative, strategy.pk)  # fresh, with its workgroups
    return render(
        request,
        PARTIALS + "strategy.html",
        {"initiative": initiative, "strategy": strategy, **extra},
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
            apply_errors(form, exc)
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


@require_GET
def strategy_row(
    request: OrgRequest, org_slug: str, initiative_id: int, strategy_id: int
) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    strategy = _get_strategy(request, initiative, strategy_id)
    if not request.htmx:
        return redirect(agenda_url(initiative, f"strategy-{strategy.pk}"))
    return _strategy_row(request, initiative, strategy)


@require_http_methods(["GET", "POST"])
def strategy_edit(
    request: OrgRequest, org_slug: str, initiative_id: int, strategy_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    strategy = _get_strategy(request, initiative, strategy_id)
    auto_id = f"id_strategy_{strategy.pk}_%s"
    status = 200
    if request.method == "POST":
        form = StrategyForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                services.strategy_update(strategy=strategy, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if request.htmx:
                    return _strategy_row(request, initiative, strategy, saved=True)
                messages.success(request, _("The strategy was saved."))
                return redirect(agenda_url(initiative, f"strategy-{strategy.pk}"))
        status = 400
    else:
        form = StrategyForm(
            initial={"title": strategy.title, "description": strategy.description},
            auto_id=auto_id,
        )
    return inline_form(
        request,
        form,
        action=_strategy_url(initiative, strategy, "strategy_edit"),
        cancel_row=_strategy_url(initiative, strategy, "strategy_row"),
        page_url=agenda_url(initiative, f"strategy-{strategy.pk}"),
        heading=_("Edit the strategy"),
        initiative=initiative,
        status=status,
    )


def _strategy_refused(
    request: OrgRequest, initiative: Initiative, strategy: Strategy, message: str
) -> HttpResponse:
    if not request.htmx:
        messages.error(request, message)
        return redirect(agenda_url(initiative, f"strategy-{strategy.pk}"))
    return _strategies_partial(
        request,
        initiative,
        strategy.result_id,
        status=400,
        error_kind="strategy",
        error_pk=strategy.pk,
        error=message,
    )


@require_POST
def strategy_move(
    request: OrgRequest, org_slug: str, initiative_id: int, strategy_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    strategy = _get_strategy(request, initiative, strategy_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _strategy_refused(request, initiative, strategy, _("Choose up or down."))
    direction = form.cleaned_data["direction"]
    services.item_move(item=strategy, direction=direction)
    if not request.htmx:
        return redirect(agenda_url(initiative, f"strategy-{strategy.pk}"))
    count = Strategy.objects.filter(result_id=strategy.result_id).count()
    return focus_after_swap(
        _strategies_partial(request, initiative, strategy.result_id),
        f"strategy-{strategy.pk}-{moved_focus(strategy, direction, count)}",
    )


@require_POST
def strategy_delete(
    request: OrgRequest, org_slug: str, initiative_id: int, strategy_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    strategy = _get_strategy(request, initiative, strategy_id)
    try:
        services.strategy_delete(strategy=strategy)
    except ValidationError as exc:
        return _strategy_refused(request, initiative, strategy, " ".join(exc.messages))
    if request.htmx:
        return _strategies_partial(request, initiative, strategy.result_id)
    messages.success(request, _("The strategy was deleted."))
    return redirect(agenda_url(initiative, f"result-{strategy.result_id}"))


@require_POST
def strategies_reorder(
    request: OrgRequest, org_slug: str, initiative_id: int, result_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    result = _get_result(request, initiative, result_id)
    return reorder(
        request,
        list(result.strategies.all()),
        lambda: _strategies_partial(request, initiative, result.pk),
        agenda_url(initiative, f"result-{result.pk}"),
    )


# --- Ground rules ---------------------------------------------------------------------------


def _rules_url(initiative: Initiative, anchor: str = "") -> str:
    url = reverse(
        "ground_rules",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def _rule_url(initiative: Initiative, rule: GroundRule, name: str) -> str:
    return reverse(
        name,
        kwargs={
            "org_slug": initiative.organization.slug,
            "initiative_id": initiative.pk,
            "rule_id": rule.pk,
        },
    )


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
            apply_errors(form, exc)
        else:
            if request.htmx:
                return _rules_partial(request, initiative)
            messages.success(request, _("The ground rule was added."))
            return redirect(_rules_url(initiative, f"rule-{rule.pk}"))
    if request.htmx:
        return _rules_partial(request, initiative, status=400, form=form)
    context = _rules_context(initiative, form)
    return render(request, "initiatives/agenda/ground_rules.html", context, status=400)


@require_GET
def ground_rule_row(
    request: OrgRequest, org_slug: str, initiative_id: int, rule_id: int
) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    rule = _get_rule(request, initiative, rule_id)
    if not request.htmx:
        return redirect(_rules_url(initiative, f"rule-{rule.pk}"))
    return render(request, PARTIALS + "rule.html", {"initiative": initiative, "rule": rule})


@require_http_methods(["GET", "POST"])
def ground_rule_edit(
    request: OrgRequest, org_slug: str, initiative_id: int, rule_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    rule = _get_rule(request, initiative, rule_id)
    auto_id = f"id_rule_{rule.pk}_%s"
    status = 200
    if request.method == "POST":
        form = GroundRuleForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                services.ground_rule_update(rule=rule, text=form.cleaned_data["text"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if request.htmx:
                    return render(
                        request,
                        PARTIALS + "rule.html",
                        {"initiative": initiative, "rule": rule, "saved": True},
                    )
                messages.success(request, _("The ground rule was saved."))
                return redirect(_rules_url(initiative, f"rule-{rule.pk}"))
        status = 400
    else:
        form = GroundRuleForm(initial={"text": rule.text}, auto_id=auto_id)
    return inline_form(
        request,
        form,
        action=_rule_url(initiative, rule, "ground_rule_edit"),
        cancel_row=_rule_url(initiative, rule, "ground_rule_row"),
        page_url=_rules_url(initiative, f"rule-{rule.pk}"),
        heading=_("Edit the ground rule"),
        initiative=initiative,
        status=status,
    )


@require_POST
def ground_rule_move(
    request: OrgRequest, org_slug: str, initiative_id: int, rule_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    rule = _get_rule(request, initiative, rule_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, _("Choose up or down."))
            return redirect(_rules_url(initiative, f"rule-{rule.pk}"))
        return _rules_partial(
            request,
            initiative,
            status=400,
            error_kind="rule",
            error_pk=rule.pk,
            error=_("Choose up or down."),
        )
    direction = form.cleaned_data["direction"]
    services.item_move(item=rule, direction=direction)
    if not request.htmx:
        return redirect(_rules_url(initiative, f"rule-{rule.pk}"))
    count = initiative.ground_rules.count()
    return focus_after_swap(
        _rules_partial(request, initiative), f"rule-{rule.pk}-{moved_focus(rule, direction, count)}"
    )


@require_POST
def ground_rule_delete(
    request: OrgRequest, org_slug: str, initiative_id: int, rule_id: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    rule = _get_rule(request, initiative, rule_id)
    services.ground_rule_delete(rule=rule)
    if request.htmx:
        return _rules_partial(request, initiative)
    messages.success(request, _("The ground rule was deleted."))
    return redirect(_rules_url(initiative))


@require_POST
def ground_rules_reorder(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    return reorder(
        request,
        list(initiative.ground_rules.all()),
        lambda: _rules_partial(request, initiative),
        _rules_url(initiative),
    )
