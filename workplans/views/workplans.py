"""Annual workplans: a workgroup's years, one year's key actions grouped by the strategy they
advance, inline edits by the co-chairs, the update log, renewal and the year-over-year view.

Who may do what: staff everything; a table's co-chairs (and chair) edit their own table's
workplans ("initiatives.edit_table"); the steering committee and co-chairs read every workplan
("view_workplans"); partners read the workplans of the tables they sit at. A closed year is
shown without edit controls, and every write to it is refused by the services.

Every edit works without JavaScript: forms post normally and the page redirects back. With
htmx, the changed row (or the whole workplan body) comes back from
templates/workplans/workplans/partials/. Refusals answer 400 and conflicting edits 409 with the
partial to show in place (the pages tell htmx to swap those answers).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from initiatives.charts import Point, bar_chart
from initiatives.models import Strategy, Table
from workplans.forms.workplans import (
    KeyActionForm,
    KeyActionUpdateForm,
    ProgressForm,
    WorkplanStartForm,
)
from workplans.models import KeyAction, Workplan
from workplans.selectors import StrategyGroup, is_overdue, workplan_view, workplans_of
from workplans.services import (
    KeyActionConflict,
    key_action_add_update,
    key_action_create,
    key_action_delete,
    key_action_update,
    workplan_create,
    workplan_renew,
)

PAGES = "workplans/workplans/"
PARTIALS = "workplans/workplans/partials/"


# --- Access ---------------------------------------------------------------------------------


def can_view(request: OrgRequest, table: Table) -> bool:
    return request.user.has_perm(
        "backbone.view_workplans", request.organization
    ) or request.user.has_perm("initiatives.view_table", table)


def can_edit(request: OrgRequest, table: Table) -> bool:
    return request.user.has_perm(
        "backbone.manage_workplans", request.organization
    ) or request.user.has_perm("initiatives.edit_table", table)


def _table(request: OrgRequest, table_id: int) -> Table:
    table = get_in_org_or_404(
        Table.objects.select_related("initiative"), request.organization, pk=table_id
    )
    table.organization = request.organization  # already loaded by the middleware
    table.initiative.organization = request.organization
    if not can_view(request, table):
        raise PermissionDenied
    return table


def _workplan(request: OrgRequest, workplan_id: int, *, edit: bool = False) -> Workplan:
    workplan = get_in_org_or_404(
        Workplan.objects.select_related("table", "initiative", "previous", "next"),
        request.organization,
        pk=workplan_id,
    )
    _attach(request, workplan)
    if not can_view(request, workplan.table) or (edit and not can_edit(request, workplan.table)):
        raise PermissionDenied
    return workplan


def _key_action(request: OrgRequest, key_action_id: int, *, edit: bool = False) -> KeyAction:
    action = get_in_org_or_404(
        KeyAction.objects.select_related(
            "workplan",
            "workplan__table",
            "workplan__initiative",
            "workplan__previous",
            "strategy",
            "lead",
            "carried_from__workplan",
            "carried_to__workplan",
        ).prefetch_related("contributors"),
        request.organization,
        pk=key_action_id,
    )
    _attach(request, action.workplan)
    table = action.workplan.table
    if not can_view(request, table) or (edit and not can_edit(request, table)):
        raise PermissionDenied
    return action


def _attach(request: OrgRequest, workplan: Workplan) -> None:
    workplan.table.organization = request.organization
    workplan.initiative.organization = request.organization


def _today(workplan: Workplan) -> date:
    """Today where the initiative works: what is overdue depends on it."""
    zone = zoneinfo.ZoneInfo(workplan.initiative.effective_time_zone)
    return timezone.localtime(timezone.now(), zone).date()


def _closed_message(workplan: Workplan) -> str:
    return _("The %(year)s workplan is closed; it is kept as it was.") % {"year": workplan.year}


# --- A workgroup's years and the comparison -------------------------------------------------


def completion(done: int, total: int, dropped: int) -> int:
    counted = total - dropped
    return round(100 * done / counted) if counted else 0


def _years(table: Table) -> list[dict[str, Any]]:
    rows: Iterable[Any] = workplans_of(table=table)  # annotated with the counts below
    return [
        {
            "workplan": w,
            "total": w.total,
            "done": w.done,
            "dropped": w.dropped,
            "counted": w.total - w.dropped,
            "carried": w.carried,
            "completion": completion(w.done, w.total, w.dropped),
        }
        for w in rows
    ]


def _list_context(request: OrgRequest, table: Table, **extra: Any) -> dict[str, Any]:
    years = _years(table)
    open_years = [y["workplan"] for y in years if not y["workplan"].is_closed]
    current = open_years[0] if open_years else None
    return {
        "table": table,
        "initiative": table.initiative,
        "years": years,
        "current": current,
        "start_year": timezone.localdate().year,
        "can_edit": can_edit(request, table),
        **extra,
    }


@require_GET
def table_workplans(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id)
    return render(request, PAGES + "list.html", _list_context(request, table))


@require_POST
def workplan_create_view(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id)
    if not can_edit(request, table):
        raise PermissionDenied
    form = WorkplanStartForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            workplan = workplan_create(table=table, year=form.cleaned_data["year"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("The %(year)s workplan has started. Add its first key action.")
                % {"year": workplan.year},
            )
            return redirect("workplan_detail", org_slug=org_slug, workplan_id=workplan.pk)
    else:
        error = _("Choose a year between 2000 and 2100.")
    return render(
        request, PAGES + "list.html", _list_context(request, table, error=error), status=400
    )


@require_GET
def workplans_compare(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id)
    years = list(reversed(_years(table)))  # oldest first, like a timeline
    chart = (
        bar_chart(
            [Point(str(y["workplan"].year), y["completion"]) for y in years],
            title=_("Completion by year (percent of key actions done, dropped ones left out)"),
            chart_id=f"wp-compare-{table.pk}",
        )
        if years
        else None
    )
    return render(
        request,
        PAGES + "compare.html",
        {"table": table, "initiative": table.initiative, "years": years, "chart": chart},
    )


# --- One year's workplan --------------------------------------------------------------------


def _groups(workplan: Workplan, groups: list[StrategyGroup]) -> list[StrategyGroup]:
    """The key actions' groups, plus the strategies the workgroup carries that have none yet
    (so a co-chair can add one there), in the common agenda's order."""
    have = {g.strategy.pk for g in groups}
    carried = Strategy.objects.filter(tables=workplan.table).select_related("result")
    everything = groups + [StrategyGroup(s, []) for s in carried if s.pk not in have]
    return sorted(
        everything,
        key=lambda g: (g.strategy.result.position, g.strategy.position, g.strategy.pk),
    )


def _body_context(request: OrgRequest, workplan: Workplan, **extra: Any) -> dict[str, Any]:
    today = _today(workplan)
    view = workplan_view(workplan=workplan, today=today)
    overdue_ids = {a.pk for a in view.overdue}
    attention = view.overdue + [a for a in view.at_risk if a.pk not in overdue_ids]
    continued: dict[int, int] = {}
    if workplan.is_closed:
        # A closed year's unfinished actions continue next year: nothing here is overdue now.
        overdue_ids, attention = set(), []
        continued = dict(
            KeyAction.objects.filter(carried_from__workplan=workplan).values_list(
                "carried_from_id", "pk"
            )
        )
    dropped = sum(
        1 for g in view.groups for a in g.key_actions if a.status == KeyAction.Status.DROPPED
    )
    return {
        "workplan": workplan,
        "table": workplan.table,
        "initiative": workplan.initiative,
        "view": view,
        "dropped": dropped,
        "counted": view.total - dropped,
        "groups": _groups(workplan, view.groups),
        "attention": attention,
        "overdue_ids": overdue_ids,
        "at_risk_ids": set() if workplan.is_closed else {a.pk for a in view.at_risk},
        "continued": continued,
        "editable": can_edit(request, workplan.table) and not workplan.is_closed,
        "status_choices": KeyAction.Status.choices,
        "today": today,
        **extra,
    }


@require_GET
def workplan_detail(request: OrgRequest, org_slug: str, workplan_id: int) -> HttpResponse:
    workplan = _workplan(request, workplan_id)
    context = _body_context(request, workplan)
    context["can_edit"] = can_edit(request, workplan.table)
    return render(request, PAGES + "detail.html", context)


def _body(request: OrgRequest, workplan: Workplan, *, status: int = 200, **extra: Any) -> Any:
    response = render(
        request, PARTIALS + "body.html", _body_context(request, workplan, **extra), status=status
    )
    response["HX-Retarget"] = "#workplan-body"
    response["HX-Reswap"] = "outerHTML"
    return response


def _page(request: OrgRequest, workplan: Workplan, *, status: int, error: str) -> HttpResponse:
    """The workplan page with a refusal on top, for requests without htmx."""
    context = _body_context(request, workplan, error=error)
    context["can_edit"] = can_edit(request, workplan.table)
    return render(request, PAGES + "detail.html", context, status=status)


# --- Renewal --------------------------------------------------------------------------------


def _renew_context(workplan: Workplan, **extra: Any) -> dict[str, Any]:
    actions = [a for g in workplan_view(workplan=workplan).groups for a in g.key_actions]
    return {
        "workplan": workplan,
        "table": workplan.table,
        "initiative": workplan.initiative,
        "carry": [a for a in actions if a.status not in KeyAction.FINISHED],
        "stay": [a for a in actions if a.status in KeyAction.FINISHED],
        "next_year": workplan.year + 1,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def workplan_renew_view(request: OrgRequest, org_slug: str, workplan_id: int) -> HttpResponse:
    workplan = _workplan(request, workplan_id, edit=True)
    if request.method == "GET":
        return render(request, PAGES + "renew.html", _renew_context(workplan))
    try:
        new = workplan_renew(workplan=workplan)
    except ValidationError as exc:
        workplan.refresh_from_db()
        return render(
            request,
            PAGES + "renew.html",
            _renew_context(workplan, error=" ".join(exc.messages)),
            status=400,
        )
    carried = new.key_actions.count()
    messages.success(
        request,
        _(
            "The %(year)s workplan has started: %(n)s unfinished key actions were carried "
            "forward. The %(old)s workplan is closed and kept as it was."
        )
        % {"year": new.year, "n": carried, "old": workplan.year},
    )
    return redirect("workplan_detail", org_slug=org_slug, workplan_id=new.pk)


# --- Key actions: rows, inline edits, conflicts ---------------------------------------------


def _row(
    request: OrgRequest, action: KeyAction, *, status: int = 200, error: str = ""
) -> HttpResponse:
    """One key action's row; after a change, the summary at the top is refreshed with it."""
    workplan = action.workplan
    context = _body_context(request, workplan, row_error=error, oob=True)
    fresh = next((a for g in context["groups"] for a in g.key_actions if a.pk == action.pk), None)
    context["action"] = fresh or action
    response = render(request, PARTIALS + "row_response.html", context, status=status)
    response["HX-Retarget"] = f"#ka-{action.pk}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _refused(request: OrgRequest, action: KeyAction, message: str) -> HttpResponse:
    if request.htmx:
        return _row(request, action, status=400, error=message)
    return _page(request, action.workplan, status=400, error=message)


def _saved(request: OrgRequest, action: KeyAction, message: str) -> HttpResponse:
    if request.htmx:
        return _row(request, action)
    messages.success(request, message)
    url = reverse(
        "workplan_detail",
        kwargs={"org_slug": request.organization.slug, "workplan_id": action.workplan_id},
    )
    return redirect(f"{url}#ka-{action.pk}")


@require_GET
def key_action_row(request: OrgRequest, org_slug: str, key_action_id: int) -> HttpResponse:
    action = _key_action(request, key_action_id)
    context = _body_context(request, action.workplan)
    context["action"] = next(
        (a for g in context["groups"] for a in g.key_actions if a.pk == action.pk), action
    )
    return render(request, PARTIALS + "row.html", context)


def _form_response(
    request: OrgRequest,
    form: KeyActionForm,
    workplan: Workplan,
    *,
    action: KeyAction | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "workplan": workplan,
        "table": workplan.table,
        "initiative": workplan.initiative,
        "action": action,
    }
    if request.htmx:
        response = render(request, PARTIALS + "key_action_form.html", context, status=status)
        if status >= 400:
            response["HX-Retarget"] = f"#ka-{action.pk}" if action else "#ka-add-form"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, PAGES + "key_action_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def key_action_add(request: OrgRequest, org_slug: str, workplan_id: int) -> HttpResponse:
    workplan = _workplan(request, workplan_id, edit=True)
    if request.method == "GET":
        if workplan.is_closed:
            return _page(request, workplan, status=400, error=_closed_message(workplan))
        strategy = request.GET.get("strategy", "")
        form = KeyActionForm(
            workplan=workplan,
            editing=False,
            initial={"strategy": int(strategy)} if strategy.isdigit() else {},
        )
        return _form_response(request, form, workplan, action=None)
    form = KeyActionForm(request.POST, workplan=workplan, editing=False)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = key_action_create(
                workplan=workplan,
                strategy=data["strategy"],
                description=data["description"],
                lead=data["lead"],
                contributors=list(data["contributors"]),
                start_date=data["start_date"],
                due_date=data["due_date"],
                done_when=data["done_when"],
                status=data["status"],
                percent_complete=data["percent_complete"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _body(request, workplan, added=action.pk)
            messages.success(request, _("The key action was added."))
            url = reverse(
                "workplan_detail", kwargs={"org_slug": org_slug, "workplan_id": workplan.pk}
            )
            return redirect(f"{url}#ka-{action.pk}")
    return _form_response(request, form, workplan, action=None, status=400)


def _values(action: KeyAction) -> dict[str, Any]:
    return {
        "strategy": action.strategy,
        "description": action.description,
        "lead": action.lead,
        "contributors": list(action.contributors.all()),
        "start_date": action.start_date,
        "due_date": action.due_date,
        "done_when": action.done_when,
        "status": action.status,
        "percent_complete": action.percent_complete,
    }


def _shown(name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if name == "strategy":
        return str(value.title)
    if name == "lead":
        return str(value.full_name)
    if name == "contributors":
        return ", ".join(sorted(str(c.name) for c in value))
    if isinstance(value, date):
        return str(formats.date_format(value, "DATE_FORMAT"))
    if name == "status":
        return str(KeyAction.Status(value).label)
    if name == "percent_complete":
        return f"{value}%"
    return str(value)


@dataclass(frozen=True)
class Difference:
    label: str
    theirs: str
    yours: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.yours


def _conflict(
    request: OrgRequest, current: KeyAction, yours: dict[str, Any], form: KeyActionForm
) -> HttpResponse:
    """Someone saved first: nothing was written. Show their version and what was submitted,
    and offer the submitted values again, now based on their version."""
    theirs = _values(current)
    rows = [
        Difference(str(form.fields[name].label), _shown(name, theirs[name]), _shown(name, value))
        for name, value in yours.items()
    ]
    data = QueryDict(mutable=True)
    for name, value in yours.items():
        if name == "contributors":
            data.setlist(name, [str(c.pk) for c in value])
        elif name in ("strategy", "lead"):
            data[name] = str(value.pk) if value is not None else ""
        elif isinstance(value, date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    data["version"] = str(current.version)
    again = KeyActionForm(data, workplan=current.workplan, editing=True)
    again.is_valid()
    context = {
        "action": current,
        "workplan": current.workplan,
        "table": current.workplan.table,
        "initiative": current.workplan.initiative,
        "rows": rows,
        "form": again,
        "message": _(
            "Someone else saved this key action while you were editing it. Nothing was "
            "overwritten: their version is saved. Compare below; to keep your changes, "
            "apply them on top of theirs."
        ),
    }
    template = PARTIALS + "conflict.html" if request.htmx else PAGES + "conflict.html"
    response = render(request, template, context, status=409)
    if request.htmx:
        response["HX-Retarget"] = f"#ka-{current.pk}"
        response["HX-Reswap"] = "outerHTML"
    return response


@require_http_methods(["GET", "POST"])
def key_action_edit(request: OrgRequest, org_slug: str, key_action_id: int) -> HttpResponse:
    action = _key_action(request, key_action_id, edit=True)
    workplan = action.workplan
    if request.method == "GET":
        if workplan.is_closed:
            return _refused(request, action, _closed_message(workplan))
        form = KeyActionForm(
            initial=KeyActionForm.initial_for(action), workplan=workplan, editing=True
        )
        return _form_response(request, form, workplan, action=action)
    form = KeyActionForm(request.POST, workplan=workplan, editing=True)
    if not form.is_valid():
        return _form_response(request, form, workplan, action=action, status=400)
    data = form.cleaned_data
    fields = {k: v for k, v in data.items() if k not in ("version", "contributors")}
    try:
        updated = key_action_update(
            key_action=action,
            expected_version=data["version"],
            contributors=list(data["contributors"]),
            **fields,
        )
    except KeyActionConflict as exc:
        yours = {k: v for k, v in data.items() if k != "version"}
        yours["contributors"] = list(data["contributors"])
        return _conflict(request, exc.current, yours, form)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "closed":
            return _refused(request, action, " ".join(exc.messages))
        apply_service_errors(form, exc)
        return _form_response(request, form, workplan, action=action, status=400)
    return _saved(request, updated, _("The key action was saved."))


@require_POST
def key_action_progress(request: OrgRequest, org_slug: str, key_action_id: int) -> HttpResponse:
    """The status select and percentage on a row: saved as soon as one changes."""
    action = _key_action(request, key_action_id, edit=True)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        errors: Iterable[str] = (str(e) for errs in form.errors.values() for e in errs)
        return _refused(request, action, " ".join(errors))
    data = form.cleaned_data
    try:
        updated = key_action_update(
            key_action=action,
            expected_version=data["version"],
            status=KeyAction.Status(data["status"]),
            percent_complete=data["percent_complete"],
        )
    except KeyActionConflict as exc:
        yours = _values(action)
        yours["status"] = data["status"]
        yours["percent_complete"] = data["percent_complete"]
        form_for_labels = KeyActionForm(workplan=action.workplan, editing=True)
        return _conflict(request, exc.current, yours, form_for_labels)
    except ValidationError as exc:
        return _refused(request, action, " ".join(exc.messages))
    return _saved(request, updated, _("The key action was saved."))


@require_http_methods(["GET", "POST"])
def key_action_delete_view(request: OrgRequest, org_slug: str, key_action_id: int) -> HttpResponse:
    action = _key_action(request, key_action_id, edit=True)
    workplan = action.workplan
    context = {
        "action": action,
        "workplan": workplan,
        "table": workplan.table,
        "initiative": workplan.initiative,
    }
    if request.method == "GET":
        return render(request, PAGES + "delete.html", context)
    try:
        key_action_delete(key_action=action)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if request.htmx:
            return _row(request, action, status=400, error=message)
        return render(request, PAGES + "delete.html", {**context, "error": message}, status=400)
    if request.htmx:
        return _body(request, workplan)
    messages.success(request, _("The key action was deleted."))
    return redirect("workplan_detail", org_slug=org_slug, workplan_id=workplan.pk)


# --- A key action's page and update log -----------------------------------------------------


def _detail_context(
    request: OrgRequest, action: KeyAction, form: KeyActionUpdateForm | None = None
) -> dict[str, Any]:
    workplan = action.workplan
    editable = can_edit(request, workplan.table) and not workplan.is_closed
    return {
        "action": action,
        "workplan": workplan,
        "table": workplan.table,
        "initiative": workplan.initiative,
        "updates": list(action.updates.select_related("author")),
        "editable": editable,
        "overdue": is_overdue(action, _today(workplan)),
        "form": form or (KeyActionUpdateForm() if editable else None),
    }


@require_GET
def key_action_detail(request: OrgRequest, org_slug: str, key_action_id: int) -> HttpResponse:
    action = _key_action(request, key_action_id)
    return render(request, PAGES + "key_action_detail.html", _detail_context(request, action))


@require_POST
def key_action_update_add(request: OrgRequest, org_slug: str, key_action_id: int) -> HttpResponse:
    action = _key_action(request, key_action_id, edit=True)
    form = KeyActionUpdateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            key_action_add_update(
                key_action=action,
                text=data["text"],
                author=request.user,
                status=data["status"] or None,
                percent_complete=data["percent_complete"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            action = _key_action(request, key_action_id)
            if request.htmx:
                return render(
                    request, PARTIALS + "key_action_body.html", _detail_context(request, action)
                )
            messages.success(request, _("The update was added."))
            return redirect("key_action_detail", org_slug=org_slug, key_action_id=action.pk)
    context = _detail_context(request, action, form)
    template = (
        PARTIALS + "key_action_body.html" if request.htmx else PAGES + "key_action_detail.html"
    )
    return render(request, template, context, status=400)
