"""Meetings of a workgroup or the steering committee: the lists, scheduling, and the meeting's
page with its agenda (opening with the review of last meeting's commitments), attendance,
notes and wins, and the .ics invitation.

Who may do what: staff everything; a table's chair or co-chairs run their own table's meetings
("initiatives.edit_table"); steering and co-chairs read every table's meetings, partners those
of the tables they sit at ("initiatives.view_table"). Everyone outside the organization gets
404 from the middleware, and ids of other organizations 404 here.

Every change works without JavaScript (forms post, the page redirects back); with htmx the
changed part comes back as a partial from templates/workplans/meetings/partials/.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404
from backbone.http import OrgRequest
from backbone.roles import allowed
from initiatives.models import Initiative, Person, Table
from workplans import services
from workplans.calendar_feeds import feed_of
from workplans.forms.meetings import (
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    MoveForm,
    NotesForm,
    SearchForm,
)
from workplans.ics import meeting_invite, meeting_title
from workplans.models import AgendaItem, Meeting
from workplans.selectors import (
    commitments_to_review,
    key_actions_for_meeting,
    meetings_of,
    previous_meeting,
    upcoming_meetings,
    with_local_times,
)
from workplans.views.calendar import subscription

PARTIALS = "workplans/meetings/partials/"
CANDIDATES_SHOWN = 20


# --- Loading with permissions ---------------------------------------------------------------


def _table(request: OrgRequest, table_id: int, perm: str = "initiatives.view_table") -> Table:
    table = get_in_org_or_404(
        Table.objects.select_related("initiative", "calendar_feed"),
        request.organization,
        pk=table_id,
    )
    table.organization = request.organization  # already loaded by the middleware
    table.initiative.organization = request.organization
    if not request.user.has_perm(perm, table):
        raise PermissionDenied
    return table


def _meeting(request: OrgRequest, meeting_id: int, *, edit: bool = False) -> Meeting:
    meeting = get_in_org_or_404(
        Meeting.objects.select_related("table", "initiative"), request.organization, pk=meeting_id
    )
    meeting.organization = request.organization
    meeting.table.organization = request.organization
    meeting.initiative.organization = request.organization
    perm = "initiatives.edit_table" if edit else "initiatives.view_table"
    if not request.user.has_perm(perm, meeting.table):
        raise PermissionDenied
    return meeting


def _item(request: OrgRequest, item_id: int) -> AgendaItem:
    item = get_in_org_or_404(
        AgendaItem.objects.select_related("meeting", "meeting__table", "meeting__initiative"),
        request.organization,
        pk=item_id,
    )
    meeting = item.meeting
    meeting.organization = request.organization
    meeting.table.organization = request.organization
    meeting.initiative.organization = request.organization
    if not request.user.has_perm("initiatives.edit_table", meeting.table):
        raise PermissionDenied
    return item


# --- Times in the initiative's zone ---------------------------------------------------------


def _zone(meeting_or_table: Meeting | Table) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(meeting_or_table.initiative.effective_time_zone)


def _meeting_mode_url(meeting: Meeting) -> str | None:
    """Meeting mode is another area's page; link to it once it exists."""
    try:
        return reverse(
            "meeting_mode",
            kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.pk},
        )
    except NoReverseMatch:
        return None


def _detail_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse(
        "meeting_detail", kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.pk}
    )
    return f"{url}#{anchor}" if anchor else url


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- Lists ----------------------------------------------------------------------------------


@require_GET
def table_meetings(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id)
    zone = _zone(table)
    now = timezone.now()
    meetings = [with_local_times(m, zone) for m in meetings_of(table=table)]
    upcoming = [
        m for m in reversed(meetings) if m.ends_at >= now and m.status != Meeting.Status.CLOSED
    ]
    past = [m for m in meetings if m not in upcoming]
    return render(
        request,
        "workplans/meetings/table_meetings.html",
        {
            "table": table,
            "upcoming": upcoming,
            "past": past,
            "can_edit": request.user.has_perm("initiatives.edit_table", table),
            "zone_name": table.initiative.effective_time_zone,
            # Whoever sees the table sees its calendar address; staff make and end it.
            "calendar": subscription(feed_of(table)),
            "manage_calendar": request.user.has_perm(
                "backbone.manage_tables", request.organization
            ),
        },
    )


@require_GET
def meetings_upcoming(request: OrgRequest, org_slug: str) -> HttpResponse:
    # Everyone sees the meetings ahead: staff, steering members and co-chairs every table's, a
    # partner those of the tables they sit at (as on a meeting's own page).
    every_table = allowed(request.membership.role, "view_all_tables")
    upcoming = upcoming_meetings(
        organization=request.organization, seated=None if every_table else request.user
    )
    meetings = []
    for meeting in upcoming.select_related("initiative__organization"):
        meetings.append(with_local_times(meeting, _zone(meeting)))
    schedule_from = ""
    if not meetings and every_table:
        # Meetings are scheduled from a table's page: point at the workgroups of the only
        # initiative, or at the initiatives when there are several (or none yet).
        active = list(
            Initiative.objects.in_org(request.organization)
            .filter(status=Initiative.Status.ACTIVE)
            .values_list("pk", flat=True)[:2]
        )
        schedule_from = (
            reverse("tables", args=[org_slug, active[0]])
            if len(active) == 1
            else reverse("initiative_list", args=[org_slug])
        )
    return render(
        request,
        "workplans/meetings/upcoming.html",
        {"meetings": meetings, "schedule_from": schedule_from, "every_table": every_table},
    )


# --- Scheduling and editing -----------------------------------------------------------------


def _invitee_choices(table: Table, invited: list[Person]) -> tuple[list[Person], list[Person]]:
    """The table's members (the default invitees), and anyone else already invited."""
    members = list(
        Person.objects.active()
        .filter(seats__table=table)
        .select_related("partner_organization")
        .order_by("full_name", "id")
        .distinct()
    )
    member_ids = {p.pk for p in members}
    others = sorted((p for p in invited if p.pk not in member_ids), key=lambda p: p.full_name)
    return members, others


def _meeting_form_page(
    request: OrgRequest,
    form: MeetingForm,
    *,
    table: Table,
    meeting: Meeting | None,
    invited_ids: set[int],
    others: list[Person],
    members: list[Person],
) -> HttpResponse:
    return render(
        request,
        "workplans/meetings/form.html",
        {
            "form": form,
            "table": table,
            "meeting": meeting,
            "members": members,
            "others": others,
            "invited_ids": invited_ids,
            "zone_name": table.initiative.effective_time_zone,
        },
        status=400 if form.errors else 200,
    )


def _posted_invitees(form: MeetingForm) -> tuple[set[int], list[Person]]:
    """What the form says is invited, to show the checkboxes as they were sent back."""
    field: Any = form.fields["invitees"]
    raw = form.data.getlist("invitees") if hasattr(form.data, "getlist") else []
    ids = {int(v) for v in raw if str(v).isdigit()}
    people = list(field.queryset.filter(pk__in=ids)) if ids else []
    return {p.pk for p in people}, people


def _apply(form: MeetingForm, exc: ValidationError) -> None:
    fields = {"starts_at": "start_time", "ends_at": "end_time", "location": "location"}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = fields.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def meeting_schedule(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id, "initiatives.edit_table")
    zone_name = table.initiative.effective_time_zone
    form = MeetingForm(request.POST or None, table=table, time_zone=zone_name)
    if request.method == "POST":
        invited_ids, invited = _posted_invitees(form)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_schedule(
                    table=table,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    title=data["title"],
                    location=data["location"],
                    video_link=data["video_link"],
                    invitees=list(data["invitees"]),
                )
            except ValidationError as exc:
                _apply(form, exc)
            else:
                meeting.organization = request.organization
                messages.success(
                    request,
                    _("The meeting is scheduled, with its agenda ready to edit."),
                )
                return redirect(_detail_url(meeting))
    else:
        invited = []
        invited_ids = set()
    members, others = _invitee_choices(table, invited)
    if request.method == "GET":
        invited_ids = {p.pk for p in members}
    return _meeting_form_page(
        request,
        form,
        table=table,
        meeting=None,
        invited_ids=invited_ids,
        others=others,
        members=members,
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    table = meeting.table
    zone_name = meeting.initiative.effective_time_zone
    if request.method == "POST":
        form = MeetingForm(request.POST, table=table, time_zone=zone_name)
        invited_ids, invited = _posted_invitees(form)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_update(
                    meeting=meeting,
                    invitees=list(data["invitees"]),
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    title=data["title"],
                    location=data["location"],
                    video_link=data["video_link"],
                )
            except ValidationError as exc:
                meeting.refresh_from_db()
                _apply(form, exc)
            else:
                messages.success(request, _("The meeting was saved."))
                return redirect(_detail_url(meeting))
    else:
        form = MeetingForm(
            initial=MeetingForm.initial_for(meeting, zone_name), table=table, time_zone=zone_name
        )
        invited = list(meeting.invitees.all())
        invited_ids = {p.pk for p in invited}
    members, others = _invitee_choices(table, invited)
    return _meeting_form_page(
        request,
        form,
        table=table,
        meeting=meeting,
        invited_ids=invited_ids,
        others=others,
        members=members,
    )


@require_GET
def invitee_search(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    """People of the organization who do not sit at the table, to invite as well."""
    table = _table(request, table_id, "initiatives.edit_table")
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    people: list[Person] = []
    if query:
        people = list(
            Person.objects.in_org(request.organization)
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
    return render(
        request,
        PARTIALS + "invitee_candidates.html",
        {"people": people, "query": query, "searched": bool(query)},
    )


# --- The meeting's page ---------------------------------------------------------------------


def _agenda_context(request: OrgRequest, meeting: Meeting, *, error: str = "") -> dict[str, Any]:
    items = list(meeting.agenda_items.order_by("position", "id"))
    kinds = {item.kind for item in items}
    can_edit = request.user.has_perm("initiatives.edit_table", meeting.table)
    return {
        "meeting": meeting,
        "items": items,
        "can_edit": can_edit,
        "agenda_open": meeting.status == Meeting.Status.SCHEDULED,
        "ground_rules": (
            services.ground_rules_for(meeting) if AgendaItem.Kind.GROUND_RULES in kinds else []
        ),
        "review": commitments_to_review(meeting),
        "review_from_id": getattr(previous_meeting(meeting), "pk", None),
        "key_actions": (
            key_actions_for_meeting(meeting) if AgendaItem.Kind.WORKPLAN in kinds else []
        ),
        "today": timezone.localdate(),
        "zone_name": meeting.initiative.effective_time_zone,
        "agenda_error": error,
        "add_form": AgendaItemForm(auto_id="new-item-%s"),
    }


def _attendance_context(meeting: Meeting, *, saved: bool = False) -> dict[str, Any]:
    """The invitees, each with whether they came (None until attendance is recorded)."""
    invitees = list(meeting.invitees.order_by("full_name", "id"))
    present = dict(meeting.attendance.values_list("person_id", "present"))
    rows = [{"person": p, "present": present.get(p.pk)} for p in invitees]
    return {
        "attendance_rows": rows,
        "recorded": bool(present),
        "present_count": sum(1 for row in rows if row["present"]),
        "saved": saved,
    }


def _loaded(request: OrgRequest, meeting_id: int, *, edit: bool = False) -> Meeting:
    meeting = _meeting(request, meeting_id, edit=edit)
    return with_local_times(meeting, _zone(meeting))


@require_GET
def meeting_detail(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _loaded(request, meeting_id)
    context = _agenda_context(request, meeting)
    context.update(_attendance_context(meeting))
    context.update(
        {
            "table": meeting.table,
            "title": meeting_title(meeting),
            "zone_name": meeting.initiative.effective_time_zone,
            "commitments_made": meeting.commitments.count(),
            "meeting_mode_url": _meeting_mode_url(meeting),
            "notes_form": NotesForm(initial={"notes": meeting.notes, "wins": meeting.wins}),
        }
    )
    return render(request, "workplans/meetings/detail.html", context)


@require_GET
def meeting_invite_ics(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    zone_name = meeting.initiative.effective_time_zone
    body = meeting_invite(
        meeting,
        organization=request.organization,
        time_zone=zone_name,
        page_url=request.build_absolute_uri(_detail_url(meeting)),
    )
    local_day = timezone.localtime(meeting.starts_at, zoneinfo.ZoneInfo(zone_name)).date()
    filename = f"{slugify(meeting.table.name) or 'meeting'}-{local_day.isoformat()}.ics"
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Changes on the meeting's page ----------------------------------------------------------


def _agenda_answer(
    request: OrgRequest, meeting: Meeting, *, error: str = "", anchor: str = "agenda"
) -> HttpResponse:
    """After an agenda change: the refreshed agenda for htmx, else back to the page. htmx does
    not swap 4xx answers, so a refusal comes back as 200 with its message shown."""
    if request.htmx:
        with_local_times(meeting, _zone(meeting))
        return render(
            request, PARTIALS + "agenda.html", _agenda_context(request, meeting, error=error)
        )
    if error:
        messages.error(request, error)
    return redirect(_detail_url(meeting, anchor))


@require_POST
def agenda_item_add(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        return _agenda_answer(request, meeting, error=_form_errors(form))
    try:
        item = services.agenda_item_add(
            meeting=meeting,
            title=form.cleaned_data["title"],
            notes=form.cleaned_data["notes"],
            minutes=form.cleaned_data["minutes"],
        )
    except ValidationError as exc:
        return _agenda_answer(request, meeting, error=_errors(exc))
    return _agenda_answer(request, meeting, anchor=f"item-{item.pk}")


@require_POST
def agenda_item_edit(request: OrgRequest, org_slug: str, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        return _agenda_answer(request, item.meeting, error=_form_errors(form))
    try:
        services.agenda_item_update(
            item=item,
            title=form.cleaned_data["title"],
            notes=form.cleaned_data["notes"],
            minutes=form.cleaned_data["minutes"],
        )
    except ValidationError as exc:
        return _agenda_answer(request, item.meeting, error=_errors(exc))
    return _agenda_answer(request, item.meeting, anchor=f"item-{item.pk}")


@require_POST
def agenda_item_delete(request: OrgRequest, org_slug: str, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    try:
        services.agenda_item_delete(item=item)
    except ValidationError as exc:
        return _agenda_answer(request, item.meeting, error=_errors(exc), anchor=f"item-{item.pk}")
    return _agenda_answer(request, item.meeting)


@require_POST
def agenda_item_move(request: OrgRequest, org_slug: str, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _agenda_answer(request, item.meeting, error=_("Move an item up or down."))
    try:
        services.agenda_item_move(item=item, direction=form.cleaned_data["direction"])
    except ValidationError as exc:
        return _agenda_answer(request, item.meeting, error=_errors(exc))
    return _agenda_answer(request, item.meeting, anchor=f"item-{item.pk}")


@require_POST
def meeting_attendance(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    form = AttendanceForm(request.POST, meeting=meeting)
    error = ""
    if form.is_valid():
        services.attendance_record(meeting=meeting, present=list(form.cleaned_data["present"]))
    else:
        error = _("Tick people from the list of invitees.")
    if request.htmx:
        context = _attendance_context(meeting, saved=not error)
        context.update({"meeting": meeting, "can_edit": True, "attendance_error": error})
        return render(request, PARTIALS + "attendance.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Attendance was saved."))
    return redirect(_detail_url(meeting, "attendance"))


@require_POST
def meeting_notes(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    form = NotesForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.meeting_update(
                meeting=meeting, notes=form.cleaned_data["notes"], wins=form.cleaned_data["wins"]
            )
        except ValidationError as exc:
            meeting.refresh_from_db()
            error = _errors(exc)
    else:
        error = _form_errors(form)
    if request.htmx:
        return render(
            request,
            PARTIALS + "notes.html",
            {
                "meeting": meeting,
                "can_edit": True,
                "notes_form": form,
                "notes_error": error,
                "notes_saved": not error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Notes and wins were saved."))
    return redirect(_detail_url(meeting, "notes"))


@require_POST
def meeting_close(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    was = meeting.status
    try:
        services.meeting_close(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if was != Meeting.Status.CLOSED:
            messages.success(request, _("The meeting is closed. Thank you for running it."))
    return redirect(_detail_url(meeting))


@require_POST
def meeting_cancel(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    try:
        services.meeting_cancel(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("The meeting is cancelled. Download its invitation again to update calendars."),
        )
    return redirect(_detail_url(meeting))
