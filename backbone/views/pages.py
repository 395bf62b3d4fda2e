"""The organization's home, the organization picker, creating another organization, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backbone.access import require_perm
from backbone.forms import OrganizationCreateForm, OrganizationSettingsForm
from backbone.http import AuthedRequest, OrgRequest
from backbone.middleware import LAST_ORG_SESSION_KEY
from backbone.models import Membership
from backbone.onboarding import steps
from backbone.onboarding.sandbox import sandbox_of
from backbone.onboarding.selectors import current_step, unfinished_guided_start
from backbone.onboarding.services import onboarding_begin
from backbone.roles import Role, allowed
from backbone.selectors import organization_overview
from backbone.services import organization_create, organization_update
from dashboard.access import dashboard_initiatives
from dashboard.selectors import initiative_rollups
from initiatives.models import Person, Table
from workplans.models import Meeting
from workplans.selectors import (
    led_tables,
    open_commitments_of,
    open_help_asked_by,
    open_help_at_led_tables,
    upcoming_meetings,
    with_local_times,
)

# A partner's home shows the first few; the rest are one click away.
PARTNER_HOME_COMMITMENTS = 5
PARTNER_HOME_MEETINGS = 3
# Likewise the help requests on a co-chair's home (the queue has them all).
LEADER_HOME_HELP = 5


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk).select_related("organization")
    )
    last = request.session.get(LAST_ORG_SESSION_KEY)
    for membership in memberships:
        if membership.organization.slug == last:
            return redirect("org_home", org_slug=last)
    if len(memberships) == 1:
        return redirect("org_home", org_slug=memberships[0].organization.slug)
    return redirect("org_picker")


@login_required
def org_picker(request: AuthedRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("organization").order_by(
        "organization__name"
    )
    return render(
        request,
        "backbone/org_picker.html",
        {"memberships": memberships, "sandbox": sandbox_of(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def org_create(request: AuthedRequest) -> HttpResponse:
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = organization_create(
            name=form.cleaned_data["name"],
            owner=request.user,
            time_zone=form.cleaned_data["time_zone"],
        )
        onboarding_begin(organization=organization)
        messages.success(request, _("%(name)s is ready.") % {"name": organization.name})
        return redirect("onboarding", org_slug=organization.slug)
    return render(request, "backbone/org_create.html", {"form": form})


def _own_commitments(request: OrgRequest) -> dict[str, Any]:
    commitments = list(
        open_commitments_of(organization=request.organization, user=request.user)[
            : PARTNER_HOME_COMMITMENTS + 1
        ]
    )
    return {
        "commitments": commitments[:PARTNER_HOME_COMMITMENTS],
        "more_commitments": len(commitments) > PARTNER_HOME_COMMITMENTS,
        "today": timezone.localdate(),
    }


def _partner_home(request: OrgRequest) -> HttpResponse:
    """What a partner comes for: what they said they would do, when their tables meet next,
    and the help they asked for. Staff figures (members, invitations, emails) mean nothing here."""
    organization = request.organization
    linked = Person.objects.in_org(organization).filter(user=request.user).exists()
    own = _own_commitments(request)
    # Only the tables they sit at: each meeting links to a page they may open.
    meetings = list(
        upcoming_meetings(organization=organization, seated=request.user)[:PARTNER_HOME_MEETINGS]
    )
    for meeting in meetings:
        meeting.initiative.organization = organization
        with_local_times(meeting)
    help_asked = open_help_asked_by(organization=organization, user=request.user)
    return render(
        request,
        "backbone/org_home.html",
        {
            "partner_home": True,
            "linked": linked,
            **own,
            "meetings": meetings,
            "help_asked": help_asked,
        },
    )


def _steering_meetings(request: OrgRequest) -> dict[int, Meeting]:
    """Per initiative, the next steering committee meeting, of those the user sits at."""
    soonest: dict[int, Meeting] = {}
    for meeting in upcoming_meetings(organization=request.organization, seated=request.user).filter(
        table__kind=Table.Kind.STEERING
    ):
        if meeting.initiative_id not in soonest:
            meeting.initiative.organization = request.organization
            soonest[meeting.initiative_id] = with_local_times(meeting)
    return soonest


def _leader_home(request: OrgRequest) -> HttpResponse:
    """Steering committee members and co-chairs. A steering member reads each initiative rolled
    up from its dashboard, its latest board packet and the next steering meeting; whoever leads
    a table (the co-chair's role, or a steering member who also co-chairs a workgroup) gets
    those tables, next meeting first, and the help asked for at them. Both see their own
    commitments. The staff's figures (members, invitations, emails) mean nothing here."""
    organization = request.organization
    role = request.membership.role
    led = led_tables(organization=organization, user=request.user)
    context: dict[str, Any] = {
        "leader_home": True,
        "steering_home": role == Role.STEERING,
        "linked": Person.objects.in_org(organization).filter(user=request.user).exists(),
        **_own_commitments(request),
    }
    if role == Role.STEERING:
        initiatives = list(dashboard_initiatives(request))
        for initiative in initiatives:
            initiative.organization = organization
        meetings = _steering_meetings(request)
        context["rollups"] = [
            (rollup, meetings.get(rollup.initiative.pk))
            for rollup in initiative_rollups(initiatives=initiatives)
        ]
        # The steering committee they chair is in the roll-up already, with its meeting links.
        context["led_steering"] = {t.table.pk for t in led if t.table.is_steering}
        led = [t for t in led if not t.table.is_steering]
    context["led"] = led
    context["lead_part"] = bool(led) or role == Role.COCHAIR
    if context["lead_part"]:
        help_requests = list(
            open_help_at_led_tables(organization=organization, user=request.user)[
                : LEADER_HOME_HELP + 1
            ]
        )
        context["help_requests"] = help_requests[:LEADER_HOME_HELP]
        context["more_help"] = len(help_requests) > LEADER_HOME_HELP
    return render(request, "backbone/org_home.html", context)


def org_home(request: OrgRequest, org_slug: str) -> HttpResponse:
    if request.membership.role == Role.PARTNER:
        return _partner_home(request)
    if request.membership.role in (Role.STEERING, Role.COCHAIR):
        return _leader_home(request)
    overview = organization_overview(
        organization=request.organization,
        user=request.user,
    )
    context: dict[str, Any] = {"overview": overview}
    # Staff of an organization whose guided start is under way are offered to continue it.
    if allowed(request.membership.role, "manage_organization"):
        guided = unfinished_guided_start(request.organization)
        key = current_step(guided) if guided is not None else None
        if guided is not None and key is not None:
            context["guided_start"] = {
                "number": steps.number_of(key),
                "total": len(steps.STEPS),
                "title": steps.BY_KEY[key].title,
                "started": bool(guided.saved or guided.skipped),
            }
    return render(request, "backbone/org_home.html", context)


@require_http_methods(["GET", "POST"])
def org_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "manage_organization")
    organization = request.organization
    form = OrganizationSettingsForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        organization_update(
            organization=organization,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
            sender_name=form.cleaned_data["sender_name"],
            reply_domain=form.cleaned_data["reply_domain"],
        )
        messages.success(request, _("Settings saved."))
        return redirect("org_settings", org_slug=organization.slug)
    return render(request, "backbone/org_settings.html", {"form": form})
