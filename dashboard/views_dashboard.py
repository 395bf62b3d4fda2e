"""The steering committee's dashboard and the lists behind its numbers.

Each list (a workgroup's key actions, a key action's commitments, the commitments behind a
follow-through figure, overdue commitments, open help requests) is its own address: htmx loads
it into the page's drill-down panel and pushes the address, so the back button returns to the
dashboard; opened directly (or without JavaScript) it is the whole dashboard with that panel
open.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backbone.access import get_in_org_or_404
from backbone.http import OrgRequest
from dashboard.access import dashboard_initiatives, get_dashboard_initiative
from dashboard.cache import Body, Choice, Filters, kept_body
from dashboard.selectors import (
    Dashboard,
    dashboard_data,
    follow_through_commitments,
    key_action_commitments,
    open_help_requests,
    overdue_commitments,
    workgroup_key_actions,
)
from initiatives.models import Initiative, Table
from workplans.models import KeyAction


def _int(value: str | None, *, low: int = 1, high: int = 2**31 - 1) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def _filters(request: OrgRequest) -> dict[str, int | None]:
    return {
        "year": _int(request.GET.get("year"), low=1900, high=2200),
        "table_id": _int(request.GET.get("workgroup")),
        "strategy_id": _int(request.GET.get("strategy")),
    }


def _query(board: Dashboard) -> str:
    """The filters as a query string, carried by every link of the page."""
    params: dict[str, Any] = {"year": board.year}
    if board.table_id:
        params["workgroup"] = board.table_id
    if board.strategy_id:
        params["strategy"] = board.strategy_id
    return urlencode(params)


def _page(
    request: OrgRequest,
    initiative: Initiative,
    *,
    drill: dict[str, Any] | None = None,
) -> HttpResponse:
    filters = _filters(request)
    dashboard_url = reverse("dashboard", args=[request.organization.slug, initiative.pk])

    def build() -> Body:
        board = dashboard_data(
            initiative=initiative,
            year=filters["year"],
            table_id=filters["table_id"],
            strategy_id=filters["strategy_id"],
        )
        query = _query(board)
        html = render_to_string(
            "dashboard/partials/body.html",
            {
                "initiative": initiative,
                "board": board,
                "query": query,
                "dashboard_url": dashboard_url,
                "drill": drill,
            },
            request,
        )
        chosen = Filters(
            year=board.year,
            years=board.years,
            table_id=board.table_id,
            strategy_id=board.strategy_id,
            all_workgroups=[Choice(t.pk, name=t.name) for t in board.all_workgroups],
            all_strategies=[Choice(s.pk, title=s.title) for s in board.all_strategies],
        )
        return Body(html, chosen, query)

    # A page with a list open is built afresh (opened directly or restored from history: rare).
    body = build() if drill is not None else kept_body(request, initiative, filters, build)
    context = {
        "initiative": initiative,
        "board": body.filters,
        "body": mark_safe(body.html),  # noqa: S308 - rendered (and escaped) by body.html
        "query": body.query,
        "dashboard_url": dashboard_url,
    }
    if request.htmx and not request.htmx.history_restore_request:
        # The filters changed: only the part below them is swapped, and the change announced.
        status = render_to_string("dashboard/partials/status_line.html", context, request)
        return HttpResponse(status + body.html)
    return render(request, "dashboard/dashboard.html", context)


def _drill(
    request: OrgRequest, initiative: Initiative, template: str, context: dict[str, Any]
) -> HttpResponse:
    drill = {
        **context,
        "template": template,
        "query": request.GET.urlencode(),
        "dashboard_url": reverse("dashboard", args=[request.organization.slug, initiative.pk]),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(
            request,
            "dashboard/partials/drill.html",
            {"initiative": initiative, "d": drill, "oob": True},
        )
    return _page(request, initiative, drill=drill)


def _year(request: OrgRequest) -> int:
    return _int(request.GET.get("year"), low=1900, high=2200) or timezone.localdate().year


def _workgroup(request: OrgRequest, initiative: Initiative, table_id: int) -> Table:
    table = get_in_org_or_404(
        Table.objects.select_related("initiative"),
        request.organization,
        pk=table_id,
        initiative=initiative,
        kind=Table.Kind.WORKGROUP,
    )
    table.initiative.organization = request.organization
    return table


@require_GET
def dashboard_home(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The navigation's "Dashboard": the first initiative whose dashboard this member reads."""
    initiative = dashboard_initiatives(request).first()
    if initiative is None:
        raise Http404
    return redirect("dashboard", org_slug=org_slug, initiative_id=initiative.pk)


@require_GET
def dashboard(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    initiative = get_dashboard_initiative(request, initiative_id)
    return _page(request, initiative)


@require_GET
def workgroup_drill(
    request: OrgRequest, org_slug: str, initiative_id: int, table_id: int
) -> HttpResponse:
    """A workgroup's workplan: its key actions by status, each with its commitments counted."""
    initiative = get_dashboard_initiative(request, initiative_id)
    table = _workgroup(request, initiative, table_id)
    year = _year(request)
    workplan, lines = workgroup_key_actions(table=table, year=year)
    return _drill(
        request,
        initiative,
        "dashboard/partials/drill_workgroup.html",
        {
            "table": table,
            "year": year,
            "workplan": workplan,
            "lines": lines,
            "title": _("%(table)s: key actions %(year)s") % {"table": table.name, "year": year},
        },
    )


@require_GET
def key_action_drill(
    request: OrgRequest, org_slug: str, initiative_id: int, key_action_id: int
) -> HttpResponse:
    initiative = get_dashboard_initiative(request, initiative_id)
    action = get_in_org_or_404(
        KeyAction.objects.select_related("workplan__table", "strategy", "lead"),
        request.organization,
        pk=key_action_id,
        workplan__initiative=initiative,
    )
    return _drill(
        request,
        initiative,
        "dashboard/partials/drill_key_action.html",
        {
            "action": action,
            "table": action.workplan.table,
            "year": action.workplan.year,
            "commitments": list(key_action_commitments(key_action=action)),
            "today": timezone.localdate(),
            "title": _("Commitments for: %(action)s") % {"action": action},
        },
    )


@require_GET
def follow_through_drill(
    request: OrgRequest, org_slug: str, initiative_id: int, table_id: int
) -> HttpResponse:
    initiative = get_dashboard_initiative(request, initiative_id)
    table = _workgroup(request, initiative, table_id)
    year = _year(request)
    return _drill(
        request,
        initiative,
        "dashboard/partials/drill_follow_through.html",
        {
            "table": table,
            "year": year,
            "meetings": follow_through_commitments(table=table, year=year),
            "title": _("%(table)s: follow-through") % {"table": table.name},
        },
    )


@require_GET
def overdue_drill(
    request: OrgRequest, org_slug: str, initiative_id: int, table_id: int
) -> HttpResponse:
    initiative = get_dashboard_initiative(request, initiative_id)
    table = _workgroup(request, initiative, table_id)
    year = _year(request)
    today: date = timezone.localdate()
    commitments = list(overdue_commitments(table=table, year=year, today=today))
    for c in commitments:
        c.days_late = (today - c.due_date).days  # type: ignore[attr-defined]
    return _drill(
        request,
        initiative,
        "dashboard/partials/drill_overdue.html",
        {
            "table": table,
            "year": year,
            "today": today,
            "commitments": commitments,
            "title": _("%(table)s: overdue commitments") % {"table": table.name},
        },
    )


@require_GET
def help_drill(
    request: OrgRequest, org_slug: str, initiative_id: int, table_id: int
) -> HttpResponse:
    initiative = get_dashboard_initiative(request, initiative_id)
    table = _workgroup(request, initiative, table_id)
    return _drill(
        request,
        initiative,
        "dashboard/partials/drill_help.html",
        {
            "table": table,
            "year": _year(request),
            "requests": list(open_help_requests(table=table)),
            "title": _("%(table)s: open help requests") % {"table": table.name},
        },
    )
