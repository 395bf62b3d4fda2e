"""Tables: the steering committee and workgroups of an initiative, who sits at each, and who
is at the table (composition) for one table and for all of them side by side."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from initiatives.charts import composition_charts
from initiatives.forms.people import (
    PurposeForm,
    SearchForm,
    SeatAddForm,
    SeatRoleForm,
    WorkgroupForm,
    role_choices,
)
from initiatives.models import Initiative, Person, Seat, Table
from initiatives.selectors import composition, tables_of
from initiatives.services import (
    seat_add,
    seat_change_role,
    seat_remove,
    table_update,
    workgroup_create,
)
from workplans.selectors import attendance_by_table

CANDIDATES_SHOWN = 20


def _initiative(request: OrgRequest, initiative_id: int) -> Initiative:
    return get_in_org_or_404(Initiative, request.organization, pk=initiative_id)


def _table(request: OrgRequest, table_id: int, perm: str = "initiatives.view_table") -> Table:
    table = get_in_org_or_404(
        Table.objects.select_related("initiative", "organization"),
        request.organization,
        pk=table_id,
    )
    if not request.user.has_perm(perm, table):
        raise PermissionDenied
    return table


def _seat(request: OrgRequest, seat_id: int) -> Seat:
    seat = get_in_org_or_404(
        Seat.objects.select_related("table", "table__organization", "table__initiative", "person"),
        request.organization,
        pk=seat_id,
    )
    if not request.user.has_perm("initiatives.edit_table", seat.table):
        raise PermissionDenied
    return seat


def _leads(table: Table) -> list[Seat]:
    return [s for s in table.seats.all() if s.role != Seat.Role.MEMBER]


@require_GET
def tables(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = _initiative(request, initiative_id)
    all_tables = tables_of(initiative=initiative)
    if not request.user.has_perm("backbone.view_all_tables", request.organization):
        # Partners see only the tables they sit at (the seats are already loaded).
        all_tables = [
            t for t in all_tables if any(s.person.user_id == request.user.pk for s in t.seats.all())
        ]
    rows = [{"table": t, "leads": _leads(t), "members": len(t.seats.all())} for t in all_tables]
    workgroups = sum(1 for t in all_tables if not t.is_steering)
    return render(
        request,
        "initiatives/tables/list.html",
        {"initiative": initiative, "rows": rows, "workgroups": workgroups},
    )


@require_http_methods(["GET", "POST"])
def workgroup_create_view(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "manage_tables")
    initiative = _initiative(request, initiative_id)
    form = WorkgroupForm(request.POST or None, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        try:
            table = workgroup_create(
                initiative=initiative,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                strategies=list(form.cleaned_data["strategies"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was created. Now add its co-chairs and members.") % {"name": table},
            )
            return redirect("table_detail", org_slug=org_slug, table_id=table.pk)
    return render(
        request,
        "initiatives/tables/form.html",
        {"form": form, "initiative": initiative, "table": None},
        status=400 if form.errors else 200,
    )


def _candidates(table: Table, query: str) -> list[Person]:
    """Active people of the organization who do not sit at this table yet, matching `query`."""
    query = query.strip()
    if not query:
        return []
    return list(
        Person.objects.in_org(table.organization)
        .active()
        .exclude(seats__table=table)
        .filter(
            Q(full_name__icontains=query)
            | Q(email__icontains=query)
            | Q(partner_organization__name__icontains=query)
        )
        .select_related("partner_organization")
        .order_by("full_name", "id")[:CANDIDATES_SHOWN]
    )


def _body_context(
    request: OrgRequest, table: Table, *, query: str = "", error: str = ""
) -> dict[str, Any]:
    seats = list(
        table.seats.filter(person__archived_at__isnull=True)
        .select_related("person", "person__partner_organization")
        .order_by("role", "person__full_name", "id")
    )
    comp = composition(table, seats)
    return {
        "table": table,
        "seats": seats,
        "leads": [s for s in seats if s.role != Seat.Role.MEMBER],
        "members": [s for s in seats if s.role == Seat.Role.MEMBER],
        "can_edit": request.user.has_perm("initiatives.edit_table", table),
        "role_choices": role_choices(table),
        "query": query,
        "candidates": _candidates(table, query),
        "searched": bool(query.strip()),
        "composition": comp,
        "charts": composition_charts(comp, prefix=f"t{table.pk}"),
        "error": error,
    }


def _body(request: OrgRequest, table: Table, *, error: str = "") -> HttpResponse:
    """After a change to the seats: the refreshed body for htmx, else back to the page."""
    if request.htmx:
        # htmx does not swap 4xx answers, so a refusal comes back as 200 with the message shown.
        return render(
            request,
            "initiatives/tables/partials/table_body.html",
            _body_context(request, table, error=error),
        )
    if error:
        messages.error(request, error)
    return redirect("table_detail", org_slug=table.organization.slug, table_id=table.pk)


@require_GET
def table_detail(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    context = _body_context(request, table, query=query)
    context["strategies"] = list(table.strategies.order_by("result__position", "position", "id"))
    # Who really comes: attendance at the last year's meetings (workplans app).
    context["attendance"] = attendance_by_table(
        tables=[table], since=timezone.now() - timedelta(days=365)
    )[table.pk]
    return render(request, "initiatives/tables/detail.html", context)


@require_GET
def table_candidates(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id, "initiatives.edit_table")
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    return render(
        request,
        "initiatives/tables/partials/candidates.html",
        {
            "table": table,
            "candidates": _candidates(table, query),
            "searched": bool(query.strip()),
            "query": query,
            "role_choices": role_choices(table),
        },
    )


@require_http_methods(["GET", "POST"])
def table_edit(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id, "initiatives.edit_table")
    # Staff change everything; a table's own chair or co-chairs change only its purpose.
    full = request.user.has_perm("backbone.manage_tables", request.organization)
    form: WorkgroupForm | PurposeForm
    if full:
        form = WorkgroupForm(
            request.POST or None,
            initiative=table.initiative,
            steering=table.is_steering,
            initial={
                "name": table.name,
                "purpose": table.purpose,
                "strategies": list(table.strategies.values_list("pk", flat=True)),
            },
        )
    else:
        form = PurposeForm(request.POST or None, initial={"purpose": table.purpose})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            table_update(
                table=table,
                purpose=data["purpose"],
                name=data["name"] if full else None,
                strategies=list(data["strategies"]) if "strategies" in data else None,
            )
        except ValidationError as exc:
            table.refresh_from_db()
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": table.name})
            return redirect("table_detail", org_slug=org_slug, table_id=table.pk)
    return render(
        request,
        "initiatives/tables/form.html",
        {"form": form, "initiative": table.initiative, "table": table, "full": full},
        status=400 if form.errors else 200,
    )


@require_POST
def seat_add_view(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id, "initiatives.edit_table")
    form = SeatAddForm(request.POST, table=table)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _body(request, table, error=error)
    person = form.cleaned_data["person"]
    try:
        seat = seat_add(table=table, person=person, role=form.cleaned_data["role"])
    except ValidationError as exc:
        return _body(request, table, error=" ".join(exc.messages))
    if not request.htmx:
        messages.success(
            request,
            _("%(name)s now sits at %(table)s as %(role)s.")
            % {"name": person, "table": table, "role": seat.get_role_display().lower()},
        )
    return _body(request, table)


@require_POST
def seat_role(request: OrgRequest, org_slug: str, seat_id: int) -> HttpResponse:
    seat = _seat(request, seat_id)
    form = SeatRoleForm(request.POST, table=seat.table)
    if not form.is_valid():
        return _body(request, seat.table, error=_("Choose one of the listed roles."))
    try:
        seat_change_role(seat=seat, role=form.cleaned_data["role"])
    except ValidationError as exc:
        return _body(request, seat.table, error=" ".join(exc.messages))
    if not request.htmx:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": seat.person, "role": seat.get_role_display().lower()},
        )
    return _body(request, seat.table)


@require_POST
def seat_remove_view(request: OrgRequest, org_slug: str, seat_id: int) -> HttpResponse:
    seat = _seat(request, seat_id)
    table = seat.table
    seat_remove(seat=seat)
    if not request.htmx:
        messages.success(
            request,
            _("%(name)s no longer sits at %(table)s.") % {"name": seat.person, "table": table},
        )
    return _body(request, table)


@require_GET
def tables_composition(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "view_all_tables")
    initiative = _initiative(request, initiative_id)
    blocks = []
    for table in tables_of(initiative=initiative):
        comp = composition(table, table.seats.all())
        blocks.append(
            {
                "table": table,
                "composition": comp,
                "charts": composition_charts(comp, prefix=f"t{table.pk}"),
            }
        )
    return render(
        request,
        "initiatives/tables/composition.html",
        {"initiative": initiative, "blocks": blocks},
    )
