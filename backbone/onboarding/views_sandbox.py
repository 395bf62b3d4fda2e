"""Loading the sample organization (from the guided start or the organization list) and
removing it in one click, with a confirmation first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backbone.access import require_perm
from backbone.http import AuthedRequest, OrgRequest
from backbone.onboarding.sandbox import sandbox_create, sandbox_of, sandbox_remove


@login_required
@require_POST
def sandbox_new(request: AuthedRequest) -> HttpResponse:
    """Load the sample (a few seconds), or open the one this person has."""
    had = sandbox_of(request.user) is not None
    organization = sandbox_create(owner=request.user)
    if not had:
        messages.success(
            request,
            _(
                "Here is a sample coalition to explore. Change anything: no email leaves it. "
                "Remove it with the button at the top when you are done."
            ),
        )
    return redirect("org_home", org_slug=organization.slug)


@require_http_methods(["GET", "POST"])
def sandbox_remove_view(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "manage_organization")
    organization = request.organization
    if organization.sandbox_owner_id is None:
        raise Http404
    if organization.sandbox_owner_id != request.user.pk:
        raise PermissionDenied
    if request.method == "POST":
        sandbox_remove(organization=organization, by_user=request.user)
        messages.success(request, _("The sample is removed."))
        return redirect("home")
    return render(request, "onboarding/sandbox_remove.html")
