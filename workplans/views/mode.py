"""Meeting mode: the page a co-chair keeps open during the meeting.

It opens with the review of the last meeting's commitments (one card each: done, carry forward,
needs help, blocked, drop), then captures new commitments by keyboard, records wins, and closes
the meeting. Each action is a plain form post that htmx sends in place; without JavaScript the
page reloads at the same spot. Once the meeting is closed the page is a read-only summary.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backbone.access import get_in_org_or_404
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from backbone.localtime import local_date
from initiatives.models import Person, Seat, Strategy
from workplans.forms.commitments import CaptureForm, ReviewForm, WinsForm, person_label
from workplans.models import Channel, Commitment, KeyAction, Meeting
from workplans.selectors import (
    commitments_to_review,
    follow_through_by_meeting,
    previous_meeting,
)
from workplans.services import (
    CommitmentConflict,
    commitment_carry_forward,
    commitment_change,
    commitment_create,
    meeting_close,
    meeting_update,
)

PARTIALS = "workplans/mode/partials/"
# The usual rhythm of a workgroup: the next meeting, and so the default date, two weeks on.
DEFAULT_DAYS = 14


def get_meeting_for_mode(request: OrgRequest, meeting_id: int) -> Meeting:
    """The meeting, if it is of this organization (else 404) and the user may run it: staff,
    or the co-chairs and chair of its table (else 403)."""
    meeting = get_in_org_or_404(
        Meeting.objects.select_related("table", "initiative"), request.organization, pk=meeting_id
    )
    meeting.table.organization = request.organization
    meeting.initiative.organization = request.organization
    if not request.user.has_perm("initiatives.edit_table", meeting.table):
        raise PermissionDenied
    return meeting


def meeting_day(meeting: Meeting) -> date:
    return local_date(meeting.starts_at, meeting.initiative.effective_time_zone)


def _is_open(meeting: Meeting) -> bool:
    return meeting.status == Meeting.Status.SCHEDULED


def _read_only_message(meeting: Meeting) -> str:
    if meeting.status == Meeting.Status.CANCELLED:
        return _("This meeting was cancelled; nothing can be recorded in it.")
    return _("This meeting is closed; its review and commitments are kept as they were.")


def _mode_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse(
        "meeting_mode",
        kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def _review_queryset(meeting: Meeting) -> Any:
    return Commitment.objects.filter(
        table_id=meeting.table_id, meeting__starts_at__lt=meeting.starts_at
    ).select_related("person", "meeting", "key_action", "strategy")


def _made_at(meeting: Meeting) -> list[Commitment]:
    return list(
        meeting.commitments.select_related("person", "key_action", "strategy").order_by(
            "position", "id"
        )
    )


def _capture_form(meeting: Meeting, data: Any = None) -> CaptureForm:
    """The capture row with its lists: who (everyone active in the organization, the table's
    members and invitees first) and why it matters (open key actions, then strategies)."""
    preferred = set(
        Seat.objects.filter(table_id=meeting.table_id).values_list("person_id", flat=True)
    ) | set(meeting.invitees.values_list("pk", flat=True))
    people = list(
        Person.objects.in_org(meeting.organization)
        .active()
        .select_related("partner_organization")
        .order_by("full_name", "id")
    )
    key_actions = list(
        KeyAction.objects.filter(
            workplan__table_id=meeting.table_id, workplan__closed_at__isnull=True
        )
        .exclude(status__in=KeyAction.FINISHED)
        .order_by("-workplan__year", "strategy__position", "position", "id")
    )
    strategies = list(meeting.table.strategies.order_by("result__position", "position"))
    if not strategies:
        strategies = list(
            Strategy.objects.filter(initiative_id=meeting.initiative_id).order_by(
                "result__position", "position"
            )
        )
    initial = {"due_date": meeting_day(meeting) + timedelta(days=DEFAULT_DAYS)}
    form = CaptureForm(
        data,
        initial=initial,
        people=people,
        preferred=preferred,
        key_actions=key_actions,
        strategies=strategies,
        auto_id="capture-%s",
    )
    return form


def _people_options(form: CaptureForm) -> list[dict[str, str]]:
    names = [p.full_name.casefold() for p in form.people]
    duplicates = (
        {n for n in names if names.count(n) > 1} if len(set(names)) != len(names) else set()
    )
    people = sorted(form.people, key=lambda p: (p.pk not in form.preferred, p.full_name, p.pk))
    return [
        {
            "value": person_label(p, duplicates),
            "label": p.partner_organization.name if p.partner_organization else "",
        }
        for p in people
    ]


def _capture_context(meeting: Meeting, form: CaptureForm, **extra: Any) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "form": form,
        "people_options": _people_options(form),
        "made": _made_at(meeting),
        "is_open": _is_open(meeting),
        **extra,
    }


def _card(
    request: OrgRequest,
    meeting: Meeting,
    commitment: Commitment,
    *,
    form: ReviewForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        PARTIALS + "review_card.html",
        {
            "meeting": meeting,
            "c": commitment,
            "form": form,
            "error": error,
            "is_open": _is_open(meeting),
            "meeting_day": meeting_day(meeting),
            "default_new_date": meeting_day(meeting) + timedelta(days=DEFAULT_DAYS),
        },
        status=status,
    )


@require_GET
def meeting_mode(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_mode(request, meeting_id)
    return _mode_page(request, meeting)


def _mode_page(
    request: OrgRequest, meeting: Meeting, form: CaptureForm | None = None, status: int = 200
) -> HttpResponse:
    review = commitments_to_review(meeting)
    prefetch_related_objects(review, "strategy")
    previous = previous_meeting(meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "review": review,
        "previous": previous,
        "is_open": _is_open(meeting),
        "meeting_day": meeting_day(meeting),
        "default_new_date": meeting_day(meeting) + timedelta(days=DEFAULT_DAYS),
        "time_zone": meeting.initiative.effective_time_zone,
        "wins_form": WinsForm(initial={"wins": meeting.wins}, auto_id="wins-%s"),
    }
    if _is_open(meeting):
        context.update(_capture_context(meeting, form or _capture_form(meeting)))
        return render(request, "workplans/mode/mode.html", context, status=status)
    figures = follow_through_by_meeting(meetings=[m for m in (previous, meeting) if m])
    context.update(
        made=_made_at(meeting),
        previous_figures=figures.get(previous.pk) if previous else None,
        read_only=_read_only_message(meeting),
    )
    return render(request, "workplans/mode/closed.html", context, status=status)


@require_POST
def meeting_mode_review(
    request: OrgRequest, org_slug: str, meeting_id: int, commitment_id: int
) -> HttpResponse:
    meeting = get_meeting_for_mode(request, meeting_id)
    commitment = get_in_org_or_404(
        _review_queryset(meeting), request.organization, pk=commitment_id
    )
    if not _is_open(meeting):
        return _refused(request, meeting, commitment, _read_only_message(meeting), 409)
    form = ReviewForm(request.POST, auto_id=f"review-{commitment.pk}-%s")
    if not form.is_valid():
        return _refused(request, meeting, commitment, "", 400, form)
    data = form.cleaned_data
    try:
        if data["action"] == "carry":
            commitment_carry_forward(
                commitment=commitment,
                to_meeting=meeting,
                new_due_date=data["due_date"],
                by_user=request.user,
                expected_version=data["version"],
            )
        else:
            commitment_change(
                commitment=commitment,
                channel=Channel.MEETING,
                by_user=request.user,
                status=ReviewForm.ACTIONS[data["action"]],
                note=data["note"] if data["action"] == "drop" else "",
                expected_version=data["version"],
            )
    except CommitmentConflict as exc:
        current = _review_queryset(meeting).get(pk=exc.current.pk)
        return _refused(request, meeting, current, " ".join(exc.messages), 409)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _refused(request, meeting, commitment, "", 400, form)
    commitment = _review_queryset(meeting).get(pk=commitment.pk)
    if not request.htmx:
        messages.success(request, _("Saved: %(what)s") % {"what": commitment.what[:80]})
        return redirect(_mode_url(meeting, f"review-{commitment.pk}"))
    response = _card(request, meeting, commitment)
    # static/js/mode.js moves the focus on to the next card (or to the capture row).
    response["HX-Trigger-After-Settle"] = json.dumps({"mode:reviewed": f"review-{commitment.pk}"})
    return response


def _refused(
    request: OrgRequest,
    meeting: Meeting,
    commitment: Commitment,
    error: str,
    status: int,
    form: ReviewForm | None = None,
) -> HttpResponse:
    if not request.htmx:
        shown = error or " ".join(
            str(e) for errors in (form.errors.values() if form else []) for e in errors
        )
        messages.error(request, shown)
        return redirect(_mode_url(meeting, f"review-{commitment.pk}"))
    return _card(request, meeting, commitment, form=form, error=error, status=status)


@require_POST
def meeting_mode_capture(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_mode(request, meeting_id)
    form = _capture_form(meeting, request.POST)
    if not _is_open(meeting):
        form.is_valid()
        form.add_error(None, _read_only_message(meeting))
        return _capture_response(request, meeting, form, 409)
    if form.is_valid():
        try:
            commitment_create(
                meeting=meeting,
                person=form.cleaned_data["who"],
                what=form.cleaned_data["what"],
                due_date=form.cleaned_data["due_date"],
                by_user=request.user,
                channel=Channel.MEETING,
                **form.linked(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Commitment added."))
                return redirect(_mode_url(meeting, "capture"))
            return _capture_response(request, meeting, _capture_form(meeting), 200, added=True)
    return _capture_response(request, meeting, form, 400)


def _capture_response(
    request: OrgRequest, meeting: Meeting, form: CaptureForm, status: int, added: bool = False
) -> HttpResponse:
    if not request.htmx:
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return _mode_page(request, meeting, form, status)
    # static/js/mode.js focuses the field marked here: the first refused one, or "What" again.
    wrong = [name for name in form.fields if name in form.errors]
    form.fields[wrong[0] if wrong else "what"].widget.attrs["data-focus"] = ""
    return render(
        request,
        PARTIALS + "capture.html",
        _capture_context(meeting, form, added=added),
        status=status,
    )


@require_POST
def meeting_mode_wins(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_mode(request, meeting_id)
    form = WinsForm(request.POST, auto_id="wins-%s")
    status, saved = 400, False
    if not _is_open(meeting):
        form.is_valid()
        form.add_error(None, _read_only_message(meeting))
        status = 409
    elif form.is_valid():
        try:
            meeting_update(meeting=meeting, wins=form.cleaned_data["wins"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            status, saved = 200, True
    if not request.htmx:
        if saved:
            messages.success(request, _("Wins recorded."))
        else:
            messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
        return redirect(_mode_url(meeting, "wins"))
    return render(
        request,
        PARTIALS + "wins.html",
        {"meeting": meeting, "wins_form": form, "saved": saved, "is_open": _is_open(meeting)},
        status=status,
    )


@require_POST
def meeting_mode_close(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_mode(request, meeting_id)
    try:
        meeting_close(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Meeting closed."))
    return redirect(_mode_url(meeting))
