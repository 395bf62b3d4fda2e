"""Members of an organization: list, invite, change role, remove; pending invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.emails import send_invitation
from backbone.forms import InviteForm, RoleForm, apply_service_errors
from backbone.http import OrgRequest
from backbone.models import Invitation, Membership
from backbone.roles import ROLE_DESCRIPTIONS, Role
from backbone.selectors import member_list, pending_invitations
from backbone.services import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)


def _page(
    request: OrgRequest, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    organization = request.organization
    return render(
        request,
        "backbone/members.html",
        {
            "members": member_list(organization=organization),
            "invitations": pending_invitations(organization=organization),
            "invite_form": invite_form or InviteForm(),
            "roles": Role.choices,
            "role_descriptions": ROLE_DESCRIPTIONS,
        },
        status=status,
    )


@require_GET
def members(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_members")
    return _page(request)


@require_POST
def invite(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "manage_members")
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_create(
                organization=request.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            send_invitation(invitation)
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("members", org_slug=org_slug)
    return _page(request, invite_form=form, status=400)


@require_POST
def member_role(request: OrgRequest, org_slug: str, membership_id: int) -> HttpResponse:
    require_perm(request, "manage_members")
    membership = get_in_org_or_404(
        Membership.objects.select_related("user", "organization"),
        request.organization,
        pk=membership_id,
    )
    form = RoleForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose one of the listed roles.")
    else:
        try:
            membership_change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
            membership.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "backbone/partials/member_row.html",
            {"m": membership, "roles": Role.choices, "row_error": error, "saved": not error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": membership.user.display_name, "role": membership.get_role_display()},
        )
    return redirect("members", org_slug=org_slug)


@require_POST
def member_remove(request: OrgRequest, org_slug: str, membership_id: int) -> HttpResponse:
    require_perm(request, "manage_members")
    membership = get_in_org_or_404(
        Membership.objects.select_related("user", "organization"),
        request.organization,
        pk=membership_id,
    )
    try:
        membership_remove(membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s was removed from the organization.")
            % {"name": membership.user.display_name},
        )
        if membership.user_id == request.user.pk:
            return redirect("home")
    return redirect("members", org_slug=org_slug)


@require_POST
def invitation_revoke_view(request: OrgRequest, org_slug: str, invitation_id: int) -> HttpResponse:
    require_perm(request, "manage_members")
    invitation = get_in_org_or_404(
        Invitation,
        request.organization,
        pk=invitation_id,
    )
    invitation_revoke(invitation=invitation)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("members", org_slug=org_slug)


@require_POST
def invitation_resend(request: OrgRequest, org_slug: str, invitation_id: int) -> HttpResponse:
    require_perm(request, "manage_members")
    old = get_in_org_or_404(
        Invitation,
        request.organization,
        pk=invitation_id,
    )
    try:
        invitation = invitation_create(
            organization=old.organization,
            email=old.email,
            role=old.role,
            invited_by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        send_invitation(invitation)
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("members", org_slug=org_slug)
