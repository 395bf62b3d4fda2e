"""The guided start: seven steps from a new organization to its first recap NAG email.

Each step is one page with one form. "Save and continue" saves it through the services and goes
to the next step; "Skip this step" notes it skipped and goes on; "Finish later" goes to the
organization's home page, which offers to continue. Every step can be opened again from the
list of steps and saved again (it edits what it made). Staff only: the steps set up the common
agenda, people, meetings and commitments, which only backbone staff may do."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from backbone.localtime import local_date
from backbone.onboarding import services, steps
from backbone.onboarding.forms import (
    CommitmentFormSet,
    InitiativeStepForm,
    MeetingStepForm,
    PeopleFormSet,
    ResultStepForm,
    StrategiesStepForm,
    WorkgroupStepForm,
    default_due,
    first_meeting_default,
    focus_first_error,
)
from backbone.onboarding.models import OnboardingProgress
from backbone.onboarding.sandbox import sandbox_of
from backbone.onboarding.selectors import (
    current_step,
    initiative_strategies,
    meeting_commitments,
    progress_of,
    recap_of,
    step_states,
    summary_of,
    workgroup_people,
)
from workplans.models import Meeting, Reminder

PERMISSION = "manage_organization"
SAVE, SKIP = "save", "skip"


def _progress(request: OrgRequest) -> OnboardingProgress:
    require_perm(request, PERMISSION)
    return progress_of(request.organization)


def _step_url(request: OrgRequest, key: str) -> str:
    return reverse(steps.BY_KEY[key].url_name, kwargs={"org_slug": request.organization.slug})


def _go_on(request: OrgRequest, key: str) -> HttpResponse:
    following = steps.after(key)
    if following is None:
        return redirect("onboarding_done", org_slug=request.organization.slug)
    return redirect(_step_url(request, following))


def _skipped(request: OrgRequest, key: str) -> HttpResponse | None:
    """Handle "Skip this step" (a button of every step's form, sent without checking it)."""
    if request.method == "POST" and request.POST.get("action") == SKIP:
        services.onboarding_skip(organization=request.organization, step=key)
        return _go_on(request, key)
    return None


def _saved(
    request: OrgRequest, key: str, form: forms.BaseForm, save: Callable[[], str]
) -> HttpResponse | None:
    """A step's save: `save` calls the step's service and says what was saved; then the next
    step. A refusal of the service lands on the form (None: the step's page again)."""
    try:
        said = save()
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    if said:
        messages.success(request, said)
    return _go_on(request, key)


def _page(
    request: OrgRequest,
    progress: OnboardingProgress,
    key: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    if status == 400:
        checked = [v for v in context.values() if isinstance(v, forms.BaseForm | BaseFormSet)]
        focus_first_error(
            *(f for v in checked for f in (v.forms if isinstance(v, BaseFormSet) else [v]))
        )
    step = steps.BY_KEY[key]
    # A step whose groundwork was skipped says which step makes it.
    maker = None
    if step.needs and getattr(progress, f"{step.needs}_id") is None:
        maker = steps.BY_KEY[steps.MADE_BY[step.needs]]
    return render(
        request,
        f"onboarding/step_{key}.html",
        {
            "step": step,
            "number": steps.number_of(key),
            "total": len(steps.STEPS),
            "states": step_states(progress, key),
            "progress": progress,
            "missing": maker,
            "missing_number": steps.number_of(maker.key) if maker else None,
            "missing_url": _step_url(request, maker.key) if maker else "",
            **context,
        },
        status=status,
    )


@require_GET
def onboarding_start(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Where the guided start picks up: the first step neither saved nor skipped."""
    progress = _progress(request)
    key = current_step(progress)
    if key is None:
        return redirect("onboarding_done", org_slug=org_slug)
    return redirect(_step_url(request, key))


@require_POST
def onboarding_later(request: OrgRequest, org_slug: str) -> HttpResponse:
    """ "Finish later": what was saved stays saved; the home page offers to continue."""
    require_perm(request, PERMISSION)
    services.onboarding_begin(organization=request.organization)
    messages.info(
        request,
        _("Your guided start is kept as you left it. Continue it from here whenever you like."),
    )
    return redirect("org_home", org_slug=org_slug)


# --- 1. The initiative and its North Star ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def step_initiative(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    key = steps.INITIATIVE
    if skipped := _skipped(request, key):
        return skipped
    initiative = progress.initiative
    initial = {"name": initiative.name, "north_star": initiative.north_star} if initiative else {}
    form = InitiativeStepForm(request.POST or None, initial=initial)

    def save() -> str:
        made = services.onboarding_save_initiative(
            organization=request.organization, **form.cleaned_data
        )
        return _("%(name)s is started.") % {"name": made.name}

    if request.method == "POST" and form.is_valid() and (done := _saved(request, key, form, save)):
        return done
    context = {"form": form, "sandbox": sandbox_of(request.user)}
    return _page(request, progress, key, context, status=400 if form.errors else 200)


# --- 2. A result and its first indicator ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def step_result(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    key = steps.RESULT
    if skipped := _skipped(request, key):
        return skipped
    initial: dict[str, Any] = {}
    if progress.result is not None:
        initial["statement"] = progress.result.statement
    if progress.indicator is not None:
        indicator = progress.indicator
        initial |= {
            "indicator_name": indicator.name,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "baseline_value": indicator.baseline_value,
            "baseline_period": indicator.baseline_period,
        }
    form = ResultStepForm(request.POST or None, initial=initial)
    if request.method == "POST" and progress.initiative is not None and form.is_valid():
        try:
            indicator = services.onboarding_save_result(
                organization=request.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.POST.get("action") == "import":
                # The import page of the initiative's data; the guided start waits where it is.
                return redirect(
                    "data_import_upload", org_slug=org_slug, initiative_id=indicator.initiative_id
                )
            messages.success(request, _("The result and its indicator are saved."))
            return _go_on(request, key)
    return _page(request, progress, key, {"form": form}, status=400 if form.errors else 200)


# --- 3. Strategies --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def step_strategies(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    key = steps.STRATEGIES
    if skipped := _skipped(request, key):
        return skipped
    form = StrategiesStepForm(request.POST or None)

    def save() -> str:
        count = len(
            services.onboarding_save_strategies(
                organization=request.organization, titles=form.titles()
            )
        )
        if not count:
            return ""
        return ngettext("%(count)s strategy added.", "%(count)s strategies added.", count) % {
            "count": count
        }

    posted = request.method == "POST" and progress.result is not None and form.is_valid()
    if posted and (done := _saved(request, key, form, save)):
        return done
    existing = (
        list(progress.result.strategies.order_by("position", "pk")) if progress.result else []
    )
    context = {"form": form, "existing": existing}
    return _page(request, progress, key, context, status=400 if form.errors else 200)


# --- 4. A workgroup and its people ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def step_workgroup(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    key = steps.WORKGROUP
    if skipped := _skipped(request, key):
        return skipped
    strategies = initiative_strategies(progress)
    table = progress.workgroup
    initial: dict[str, Any] = {"strategies": [s.pk for s in strategies]}
    if table is not None:
        initial = {
            "name": table.name,
            "strategies": list(table.strategies.values_list("pk", flat=True)),
        }
    data = request.POST if request.method == "POST" else None
    form = WorkgroupStepForm(data, initial=initial, strategies=strategies)
    people = PeopleFormSet(data, prefix="people")
    # Both are checked, so every mistake is shown at once.
    valid = form.is_valid() & people.is_valid()

    def save() -> str:
        made = services.onboarding_save_workgroup(
            organization=request.organization,
            name=form.cleaned_data["name"],
            strategies=list(form.cleaned_data["strategies"]),
            people=people.people(),
        )
        return _("%(name)s is set up.") % {"name": made.name}

    posted = request.method == "POST" and progress.initiative is not None and valid
    if posted and (done := _saved(request, key, form, save)):
        return done
    context = {
        "form": form,
        "people": people,
        "seated": workgroup_people(progress),
        "strategies": strategies,
    }
    failed = bool(form.errors or any(people.errors) or people.non_form_errors())
    return _page(request, progress, key, context, status=400 if failed else 200)


# --- 5. The first meeting -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def step_meeting(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    key = steps.MEETING
    if skipped := _skipped(request, key):
        return skipped
    zone = (
        progress.initiative.effective_time_zone
        if progress.initiative
        else request.organization.time_zone
    )
    local = zoneinfo.ZoneInfo(zone)
    meeting = progress.meeting
    if meeting is not None:
        initial = MeetingStepForm.initial_at(
            timezone.localtime(meeting.starts_at, local), timezone.localtime(meeting.ends_at, local)
        )
        initial |= {"location": meeting.location, "video_link": meeting.video_link}
    else:
        starts = first_meeting_default(timezone.localtime(timezone.now(), local))
        initial = MeetingStepForm.initial_at(starts, starts + timedelta(hours=1))
    held = meeting is not None and meeting.status == Meeting.Status.CLOSED
    form = MeetingStepForm(request.POST or None, initial=initial, time_zone=zone)

    def save() -> str:
        data = form.cleaned_data
        services.onboarding_save_meeting(
            organization=request.organization,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location=data["location"],
            video_link=data["video_link"],
        )
        return _("The first meeting is on the calendar.")

    ready = progress.workgroup is not None and not held
    posted = request.method == "POST" and ready and form.is_valid()
    if posted and (done := _saved(request, key, form, save)):
        return done
    if request.method == "POST" and held:
        return _go_on(request, key)
    context = {"form": form, "held": held, "time_zone": zone, "meeting": meeting}
    return _page(request, progress, key, context, status=400 if form.errors else 200)


# --- 6. Commitments, and closing the meeting ------------------------------------------------


@require_http_methods(["GET", "POST"])
def step_commitments(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    key = steps.COMMITMENTS
    if skipped := _skipped(request, key):
        return skipped
    meeting = progress.meeting
    context: dict[str, Any] = {"meeting": meeting}
    if meeting is None:
        return _page(request, progress, key, context)
    zone = meeting.initiative.effective_time_zone
    day = local_date(meeting.starts_at, zone)
    people = workgroup_people(progress)
    strategies = list(meeting.table.strategies.order_by("position", "pk")) or (
        initiative_strategies(progress)
    )
    data = request.POST if request.method == "POST" else None
    formset = CommitmentFormSet(
        data,
        prefix="c",
        initial=[{"due_date": default_due(day)}] * 3,
        form_kwargs={"people": people, "strategies": strategies},
    )
    errors: list[str] = []
    if request.method == "POST" and meeting.status != Meeting.Status.CANCELLED:
        close = request.POST.get("action") != "more"
        if formset.is_valid():
            try:
                made = services.onboarding_save_commitments(
                    organization=request.organization,
                    commitments=formset.commitments(),
                    close=close,
                    by_user=request.user,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                if close:
                    messages.success(
                        request, _("The meeting is closed and its recap is on its way.")
                    )
                    return _go_on(request, key)
                count = len(made)
                messages.success(
                    request,
                    ngettext("%(count)s commitment saved.", "%(count)s commitments saved.", count)
                    % {"count": count},
                )
                return redirect(f"{_step_url(request, key)}?met=1")
    upcoming = meeting.status == Meeting.Status.SCHEDULED and meeting.starts_at > timezone.now()
    context |= {
        "formset": formset,
        "errors": errors,
        "made": meeting_commitments(meeting),
        "people": people,
        "meeting_day": day,
        "time_zone": zone,
        "waiting": upcoming and request.GET.get("met") != "1" and request.method != "POST",
        "closed": meeting.status == Meeting.Status.CLOSED,
        "cancelled": meeting.status == Meeting.Status.CANCELLED,
    }
    failed = bool(errors or any(formset.errors))
    return _page(request, progress, key, context, status=400 if failed else 200)


# --- 7. The recap in the outbox -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def step_recap(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    key = steps.RECAP
    if skipped := _skipped(request, key):
        return skipped
    if request.method == "POST":
        services.onboarding_finish(organization=request.organization)
        return _go_on(request, key)
    meeting = progress.meeting
    lines = recap_of(meeting) if meeting is not None else []
    pending = [line for line in lines if line.reminder.status == Reminder.Status.PENDING]
    context = {
        "meeting": meeting,
        "closed": meeting is not None and meeting.status == Meeting.Status.CLOSED,
        "lines": lines,
        "first": next((line.email for line in lines if line.email is not None), None),
        "pending": pending,
        "due_at": min((line.reminder.due_at for line in pending), default=None),
        "time_zone": meeting.initiative.effective_time_zone if meeting else "",
    }
    if request.htmx:
        return render(request, "onboarding/partials/recap_status.html", context)
    return _page(request, progress, key, context)


# --- The summary ----------------------------------------------------------------------------


@require_GET
def onboarding_done(request: OrgRequest, org_slug: str) -> HttpResponse:
    progress = _progress(request)
    return render(
        request,
        "onboarding/done.html",
        {
            "progress": progress,
            "states": step_states(progress, None),
            "summary": summary_of(progress),
            "unfinished": current_step(progress),
            "time_zone": (
                progress.initiative.effective_time_zone
                if progress.initiative
                else request.organization.time_zone
            ),
        },
    )
