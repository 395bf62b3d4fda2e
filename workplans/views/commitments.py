"""Commitments outside the meeting: my commitments (one-click status changes), the staff list
with follow-through figures, and one commitment's page with its full history.

Who may change a commitment: staff, the co-chairs (and chair) of its table, and the person who
committed, if they have a login: status and notes of their own commitments, not the date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from backbone.localtime import local_date
from initiatives.models import Person, Table
from workplans.calendar_feeds import feed_of
from workplans.forms.commitments import (
    CommitmentChangeForm,
    CommitmentFilterForm,
    QuickStatusForm,
)
from workplans.models import Channel, Commitment, Meeting
from workplans.selectors import (
    PersonLoad,
    commitment_list,
    commitments_by_person,
    follow_through_by_meeting,
    follow_through_by_table,
    history_of,
    open_commitments_of,
)
from workplans.services import CommitmentConflict, commitment_change
from workplans.views.calendar import subscription

PAGE_SIZE = 50
FIGURES_MEETINGS = 3  # the staff list shows a workgroup's last few meetings' follow-through
FIGURES_DAYS = 365  # and, for all workgroups at once, the last year's


def _can(request: OrgRequest, permission: str) -> bool:
    return request.user.has_perm(f"backbone.{permission}", request.organization)


def _commitment_queryset(request: OrgRequest) -> QuerySet[Commitment]:
    return Commitment.objects.select_related(
        "person", "table", "table__initiative", "meeting", "key_action", "strategy"
    )


def _get_commitment(request: OrgRequest, commitment_id: int) -> Commitment:
    commitment = get_in_org_or_404(
        _commitment_queryset(request), request.organization, pk=commitment_id
    )
    commitment.table.organization = request.organization
    commitment.table.initiative.organization = request.organization
    return commitment


def is_own(request: OrgRequest, commitment: Commitment) -> bool:
    return commitment.person.user_id is not None and commitment.person.user_id == request.user.pk


def may_manage(request: OrgRequest, commitment: Commitment) -> bool:
    """Staff and the table's co-chairs: status, notes and the date."""
    return _can(request, "manage_commitments") or request.user.has_perm(
        "initiatives.edit_table", commitment.table
    )


def may_change(request: OrgRequest, commitment: Commitment) -> bool:
    return is_own(request, commitment) or may_manage(request, commitment)


def may_view(request: OrgRequest, commitment: Commitment) -> bool:
    return (
        _can(request, "view_all_commitments")
        or is_own(request, commitment)
        or request.user.has_perm("initiatives.view_table", commitment.table)
    )


# --- My commitments -------------------------------------------------------------------------


@require_GET
def my_commitments(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_organization")
    mine = list(
        Person.objects.in_org(request.organization)
        .filter(user=request.user)
        .select_related("calendar_feed")
    )
    my_people = [p.pk for p in mine]
    me = next((p for p in mine if p.archived_at is None), None)
    rows = list(open_commitments_of(organization=request.organization, user=request.user))
    load = PersonLoad(0, 0)
    if my_people:
        per_person = commitments_by_person(organization=request.organization)
        load = PersonLoad(
            sum(per_person[p].open for p in my_people if p in per_person),
            sum(per_person[p].overdue for p in my_people if p in per_person),
        )
    return render(
        request,
        "workplans/commitments/my.html",
        {
            "rows": rows,
            "linked": bool(my_people),
            "load": load,
            "today": timezone.localdate(),
            "me": me,
            "calendar": subscription(feed_of(me)) if me else None,
        },
    )


@require_POST
def commitment_status(request: OrgRequest, org_slug: str, commitment_id: int) -> HttpResponse:
    """A one-click status change from a list (my commitments)."""
    commitment = _get_commitment(request, commitment_id)
    if not may_change(request, commitment):
        raise PermissionDenied
    form = QuickStatusForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = " ".join(str(e) for es in form.errors.values() for e in es), 400
    else:
        try:
            commitment = commitment_change(
                commitment=commitment,
                channel=Channel.WEB,
                by_user=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except CommitmentConflict as exc:
            error, status = " ".join(exc.messages), 409
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        commitment = _get_commitment(request, commitment.pk)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _saved_message(commitment))
        return redirect("my_commitments", org_slug=org_slug)
    return render(
        request,
        "workplans/commitments/partials/my_row.html",
        {
            "c": commitment,
            "error": error,
            "saved": "" if error else _saved_message(commitment),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _saved_message(commitment: Commitment) -> str:
    if commitment.status == Commitment.Status.DONE:
        return _("Marked done. Well done!")
    return _("Now: %(status)s.") % {"status": commitment.get_status_display()}


# --- The staff list -------------------------------------------------------------------------


@require_GET
def commitment_list_view(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_all_commitments")
    organization = request.organization
    tables = list(
        Table.objects.in_org(organization)
        .select_related("initiative")
        .order_by("initiative__name", "kind", "name", "id")
    )
    people = list(
        Person.objects.in_org(organization)
        .filter(commitments__isnull=False)
        .distinct()
        .order_by("full_name", "id")
        .values_list("pk", "full_name")
    )
    form = CommitmentFilterForm(request.GET or None, tables=tables, people=people)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    table = next((t for t in tables if t.pk == filters.get("table")), None)
    person = (
        Person.objects.in_org(organization).filter(pk=filters["person"]).first()
        if filters.get("person")
        else None
    )
    today = timezone.localdate()
    status = filters.get("status") or ""
    qs = commitment_list(
        organization=organization,
        table=table,
        person=person,
        status=status if status != "active" else None,
        overdue_on=today if filters.get("overdue") else None,
    )
    if status == "active":
        qs = qs.filter(status__in=Commitment.ACTIVE)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for t in tables:
        t.initiative.organization = organization
    zones = {t.pk: t.initiative.effective_time_zone for t in tables}
    rows = [(c, local_date(c.meeting.starts_at, zones[c.table_id])) for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workplans/commitments/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "today": today,
            "table": table,
            "person": person,
            **_figures(organization, tables, table, person, today),
        },
    )


def _figures(
    organization: Any, tables: list[Table], table: Table | None, person: Person | None, today: Any
) -> dict[str, Any]:
    """Follow-through for the page header: the filtered workgroup's last meetings, or every
    workgroup over the last year; and the filtered person's open and overdue commitments."""
    context: dict[str, Any] = {}
    if table is not None:
        meetings = list(
            Meeting.objects.filter(table=table, starts_at__lte=timezone.now())
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("-starts_at")[:FIGURES_MEETINGS]
        )
        figures = follow_through_by_meeting(meetings=meetings, today=today)
        context["meeting_figures"] = [(m, figures[m.pk]) for m in meetings]
    else:
        since: datetime = timezone.now() - timedelta(days=FIGURES_DAYS)
        workgroups = [t for t in tables if not t.is_steering] + [t for t in tables if t.is_steering]
        figures = follow_through_by_table(tables=workgroups, since=since, today=today)
        context["table_figures"] = [(t, figures[t.pk]) for t in workgroups if figures[t.pk].made]
    if person is not None:
        context["person_load"] = commitments_by_person(organization=organization, today=today).get(
            person.pk, PersonLoad(0, 0)
        )
    return context


# --- One commitment -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def commitment_detail(request: OrgRequest, org_slug: str, commitment_id: int) -> HttpResponse:
    commitment = _get_commitment(request, commitment_id)
    if not may_view(request, commitment):
        raise PermissionDenied
    can_manage = may_manage(request, commitment)
    can_change = can_manage or is_own(request, commitment)
    if request.method == "GET":
        form = CommitmentChangeForm(
            initial={"status": commitment.status, "version": commitment.version},
            can_change_date=can_manage,
        )
        return _detail(request, commitment, form, can_change, can_manage)
    if not can_change or (request.POST.get("new_due_date") and not can_manage):
        # Partners change the status and notes of their own commitments; a new date is agreed
        # with the co-chairs.
        raise PermissionDenied
    form = CommitmentChangeForm(request.POST, can_change_date=can_manage)
    if form.is_valid():
        data = form.cleaned_data
        try:
            commitment_change(
                commitment=commitment,
                channel=Channel.WEB,
                by_user=request.user,
                status=data["status"],
                new_due_date=data.get("new_due_date"),
                note=data["note"],
                expected_version=data["version"],
            )
        except CommitmentConflict:
            current = _get_commitment(request, commitment.pk)
            # Keep what they typed, now based on the current version: saving again is a choice
            # made after seeing the other change.
            retry = request.POST.copy()
            retry["version"] = str(current.version)
            form = CommitmentChangeForm(retry, can_change_date=can_manage)
            form.is_valid()
            return _detail(
                request, current, form, can_change, can_manage, conflict=True, status=409
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("commitment_detail", org_slug=org_slug, commitment_id=commitment.pk)
    return _detail(request, commitment, form, can_change, can_manage, status=400)


def _history_rows(commitment: Commitment) -> list[dict[str, Any]]:
    labels = dict(Commitment.Status.choices)
    return [
        {
            "change": h,
            "old": labels.get(h.old_status, h.old_status),
            "new": labels.get(h.new_status, h.new_status),
        }
        for h in history_of(commitment)
    ]


def _detail(
    request: OrgRequest,
    commitment: Commitment,
    form: CommitmentChangeForm,
    can_change: bool,
    can_manage: bool,
    *,
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "workplans/commitments/detail.html",
        {
            "c": commitment,
            "history": _history_rows(commitment),
            "form": form,
            "can_change": can_change,
            "can_manage": can_manage,
            "conflict": conflict,
            "time_zone": commitment.table.initiative.effective_time_zone,
            "today": timezone.localdate(),
        },
        status=status,
    )
