"""Accepting an invitation from the emailed link, with a new or an existing account.

A GET only shows the invitation; joining happens on the POST of a button (mail scanners follow
links)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backbone.forms import AcceptInvitationSignupForm
from backbone.invitations import LinkCheck, check_invitation_link
from backbone.models import Invitation, User
from backbone.services import invitation_accept, user_create

# The HTTP status of the explanation page for each state of a link that cannot be used.
PROBLEM_STATUS = {"invalid": 400, "expired": 410, "accepted": 410, "revoked": 410}


def _problem(request: HttpRequest, check: LinkCheck) -> HttpResponse:
    return render(
        request,
        "backbone/invitation_problem.html",
        {"state": check.state, "invitation": check.invitation},
        status=PROBLEM_STATUS[check.state],
    )


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(
        request,
        _("Welcome to %(org)s. You joined as %(role)s.")
        % {"org": invitation.organization.name, "role": invitation.get_role_display()},
    )
    return redirect("org_home", org_slug=invitation.organization.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    check = check_invitation_link(token)
    if check.state != "pending" or check.invitation is None:
        return _problem(request, check)
    invitation = check.invitation
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationSignupForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    context = {"invitation": invitation, "has_account": has_account, "form": form}

    if request.method == "POST":
        if request.user.is_authenticated:
            try:
                invitation_accept(invitation=invitation, user=request.user)
            except ValidationError:
                return _problem(request, check_invitation_link(token))
            return _joined(request, invitation)
        if has_account:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                with transaction.atomic():
                    user = user_create(
                        email=invitation.email,
                        password=form.cleaned_data["password"],
                        full_name=form.cleaned_data["full_name"],
                    )
                    invitation_accept(invitation=invitation, user=user)
            except ValidationError:
                return _problem(request, check_invitation_link(token))
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, invitation)
        return render(request, "backbone/invitation_accept.html", context, status=400)
    return render(request, "backbone/invitation_accept.html", context)
