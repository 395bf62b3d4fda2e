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
from initiatives.models import Person
from workplans.selectors import (
    open_commitments_of,
    open_help_asked_by,
    upcoming_meetings,
    with_local_times,
)

# A partner's home shows the first few; the rest are one click away.
PARTNER_HOME_COMMITMENTS = 5
PARTNER_HOME_MEETINGS = 3


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


def _partner_home(request: OrgRequest) -> HttpResponse:
    """What a partner comes for: what they said they would do, when their tables meet next,
    and the help they asked for. Staff figures (members, invitations, emails) mean nothing here."""
    organization = request.organization
    linked = Person.objects.in_org(organization).filter(user=request.user).exists()
    commitments = list(
        open_commitments_of(organization=organization, user=request.user)[
            : PARTNER_HOME_COMMITMENTS + 1
        ]
    )
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
            "commitments": commitments[:PARTNER_HOME_COMMITMENTS],
            "more_commitments": len(commitments) > PARTNER_HOME_COMMITMENTS,
            "meetings": meetings,
            "help_asked": help_asked,
            "today": timezone.localdate(),
        },
    )


def org_home(request: OrgRequest, org_slug: str) -> HttpResponse:
    if request.membership.role == Role.PARTNER:
        return _partner_home(request)
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
