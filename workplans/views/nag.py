"""Staff's control of a meeting's NAG emails (the recap, the check-in, the heads-up) and of an
initiative's cadence.

Who may do what: a meeting's reminders page is for backbone staff and that table's chair or
co-chairs ("initiatives.edit_table"); everyone else in the organization gets 403. The cadence
and reversing an unsubscribe are staff's ("manage_meetings"), and so is clearing an address
flagged undeliverable ("manage_people"). Ids of other organizations answer 404.

Every change is a plain form post that redirects back to the page (no JavaScript needed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest, safe_next
from initiatives.models import Initiative, Person, Seat
from workplans import nag_admin
from workplans.forms.nag import (
    ConsentForm,
    IntroForm,
    NagSettingsForm,
    PauseForm,
    PreviewForm,
    SkipForm,
)
from workplans.models import Attendance, Meeting, NagOptOut, NagOptOutReversal, Reminder, Touch
from workplans.reminders import settings_for

SHOWN_HEADERS = ("Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post")


def _meeting(request: OrgRequest, meeting_id: int) -> Meeting:
    meeting = get_in_org_or_404(
        Meeting.objects.select_related("table", "initiative"), request.organization, pk=meeting_id
    )
    meeting.organization = request.organization
    meeting.table.organization = request.organization
    meeting.initiative.organization = request.organization
    if not request.user.has_perm("initiatives.edit_table", meeting.table):
        raise PermissionDenied
    return meeting


def _initiative(request: OrgRequest, initiative_id: int) -> Initiative:
    initiative = get_in_org_or_404(Initiative, request.organization, pk=initiative_id)
    initiative.organization = request.organization
    require_perm(request, "manage_meetings")
    return initiative


def _panel_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse(
        "meeting_reminders",
        kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _person_of_meeting(meeting: Meeting, person_id: int) -> Person:
    """A person this meeting's reminders concern: a recipient, someone seated at the table,
    present, or who made a commitment there. Anyone else is not found here."""
    person = get_in_org_or_404(Person, meeting.organization, pk=person_id)
    concerned = (
        Reminder.objects.filter(meeting=meeting, person=person).exists()
        or Seat.objects.filter(table_id=meeting.table_id, person=person).exists()
        or Attendance.objects.filter(meeting=meeting, person=person).exists()
        or meeting.commitments.filter(person=person).exists()
    )
    if not concerned:
        raise Http404
    return person


# --- A meeting's reminders ------------------------------------------------------------------


@require_GET
def meeting_reminders(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    panel = nag_admin.reminders_panel(meeting=meeting)
    return render(
        request,
        "workplans/nag/meeting.html",
        {
            "meeting": meeting,
            "table": meeting.table,
            "panel": panel,
            "zone_name": meeting.initiative.effective_time_zone,
        },
    )


@require_GET
def meeting_reminder_preview(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    form = PreviewForm(request.GET)
    if not form.is_valid():
        raise Http404
    touch = form.cleaned_data["touch"] or Touch.RECAP
    people = nag_admin.preview_recipients(meeting=meeting, touch=touch)
    wanted = form.cleaned_data["person"]
    person = next((p for p in people if p.pk == wanted), None) if wanted else None
    if wanted and person is None:
        raise Http404
    person = person or (people[0] if people else None)
    draft = None
    if person is not None:
        person.organization = request.organization
        draft = nag_admin.preview_touch(meeting=meeting, touch=touch, person=person)
    context: dict[str, Any] = {
        "meeting": meeting,
        "table": meeting.table,
        "touch": touch,
        "touch_label": Touch(touch).label,
        "touches": Touch.choices,
        "people": people,
        "person": person,
        "draft": None,
        "opted_out": bool(
            person
            and NagOptOut.objects.filter(
                person=person, initiative_id=meeting.initiative_id
            ).exists()
        ),
    }
    if draft is not None:
        message = draft.message
        html = next((c for c, mime in message.alternatives if mime == "text/html"), "")
        context["draft"] = {
            "subject": message.subject,
            "from_email": message.from_email,
            "to": message.to,
            "reply_to": message.reply_to,
            "headers": [(k, message.extra_headers[k]) for k in SHOWN_HEADERS],
            "html": html,
            "text": message.body,
        }
    return render(request, "workplans/nag/preview.html", context)


@require_POST
def meeting_reminder_intro(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    form = IntroForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_panel_url(meeting))
    touch = form.cleaned_data["touch"]
    try:
        nag_admin.touch_control_set(meeting=meeting, touch=touch, intro=form.cleaned_data["intro"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The opening paragraph was saved."))
    return redirect(_panel_url(meeting, f"touch-{touch}"))


@require_POST
def meeting_reminder_skip(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    form = SkipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_panel_url(meeting))
    touch = form.cleaned_data["touch"]
    skipped = form.cleaned_data["skipped"]
    try:
        nag_admin.touch_control_set(meeting=meeting, touch=touch, skipped=skipped)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("This email will not be sent.")
            if skipped
            else _("This email will be sent again when it is due."),
        )
    return redirect(_panel_url(meeting, f"touch-{touch}"))


@require_POST
def meeting_reminder_pause(
    request: OrgRequest, org_slug: str, meeting_id: int, person_id: int
) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    person = _person_of_meeting(meeting, person_id)
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_panel_url(meeting))
    paused = form.cleaned_data["paused"]
    nag_admin.person_set_nag_paused(person=person, paused=paused)
    if paused:
        text = _("Reminders to %(name)s are paused, for every meeting.")
    else:
        text = _("Reminders to %(name)s will go out again.")
    messages.success(request, text % {"name": person.full_name})
    return redirect(_panel_url(meeting))


@require_POST
def meeting_recap_send_now(request: OrgRequest, org_slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        count = nag_admin.recap_send_now(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _(
                "The recap is on its way to %(n)s people. "
                "It appears in the email log within a minute."
            )
            % {"n": count},
        )
    return redirect(_panel_url(meeting, "touch-recap"))


# --- An initiative's cadence ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def initiative_reminders(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    initiative = _initiative(request, initiative_id)
    current = settings_for(initiative.pk, initiative.organization_id)
    fields = (
        "enabled",
        "check_in_days",
        "heads_up_days",
        "send_hour",
        "weekdays_only",
        "recap_delay_minutes",
    )
    form = NagSettingsForm(
        request.POST or None, initial={name: getattr(current, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = nag_admin.nag_settings_update(initiative=initiative, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(
                request,
                _("The reminder settings were saved; %(n)s pending reminders were re-timed.")
                % {"n": change.retimed},
            )
            url = reverse(
                "initiative_reminders",
                kwargs={"org_slug": org_slug, "initiative_id": initiative.pk},
            )
            return redirect(url)
    opt_outs = list(
        NagOptOut.objects.filter(initiative=initiative)
        .select_related("person")
        .order_by("person__full_name", "id")
    )
    # The last few turned back on, with the note of each person's consent.
    reversals = list(
        NagOptOutReversal.objects.filter(initiative=initiative).select_related(
            "person", "reversed_by"
        )[:10]
    )
    return render(
        request,
        "workplans/nag/initiative.html",
        {
            "initiative": initiative,
            "form": form,
            "settings": current,
            "opt_outs": opt_outs,
            "reversals": reversals,
            "consent_form": ConsentForm(),
            "zone_name": initiative.effective_time_zone,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def opt_out_reverse(
    request: OrgRequest, org_slug: str, initiative_id: int, person_id: int
) -> HttpResponse:
    initiative = _initiative(request, initiative_id)
    person = get_in_org_or_404(Person, request.organization, pk=person_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            nag_admin.opt_out_reverse(
                initiative=initiative,
                person=person,
                consent_note=form.cleaned_data["consent_note"],
                by_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("%(name)s will receive this initiative's reminders again.")
                % {"name": person.full_name},
            )
    url = reverse(
        "initiative_reminders", kwargs={"org_slug": org_slug, "initiative_id": initiative.pk}
    )
    return redirect(f"{url}#opt-outs")


# --- A person's address ---------------------------------------------------------------------


@require_POST
def person_undeliverable_clear(request: OrgRequest, org_slug: str, person_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    person = get_in_org_or_404(Person, request.organization, pk=person_id)
    nag_admin.person_clear_undeliverable(person=person)
    messages.success(
        request,
        _("Reminders to %(email)s will go out again.")
        % {"email": person.email or person.full_name},
    )
    return redirect(
        safe_next(
            request,
            reverse("person_detail", kwargs={"org_slug": org_slug, "person_id": person.pk}),
        )
    )
