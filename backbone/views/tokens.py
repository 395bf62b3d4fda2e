"""Personal API tokens for the current organization."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import APITokenForm
from backbone.http import OrgRequest
from backbone.models import APIToken, Organization
from backbone.selectors import api_tokens_of
from backbone.services import api_token_create, api_token_revoke


def _new_key_slot(organization: Organization) -> str:
    # Per organization, so opening another organization's tokens page does not use it up.
    return f"backbone.new_api_token.{organization.pk}"


@require_http_methods(["GET", "POST"])
def tokens(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "use_api")
    organization = request.organization
    form = APITokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = api_token_create(
            user=request.user,
            organization=organization,
            name=form.cleaned_data["name"],
            can_write=form.cleaned_data["can_write"],
        )
        # Kept server-side for the one page view that shows it (post/redirect/get: a reload
        # neither makes a second token nor shows the key again); never in the address.
        request.session[_new_key_slot(organization)] = {
            "token": issued.token.pk,
            "key": issued.key,
        }
        return redirect("tokens", org_slug=org_slug)
    token_list = list(api_tokens_of(organization=organization, user=request.user))
    new = (
        request.session.pop(_new_key_slot(organization), None) if request.method == "GET" else None
    )
    new_token, new_key = None, None
    if new:
        # Revoked meanwhile (another tab): the key is no use, so it is not shown.
        new_token = next((t for t in token_list if t.pk == new["token"]), None)
        new_key = new["key"] if new_token else None
    return render(
        request,
        "backbone/tokens.html",
        {
            "form": form,
            "tokens": token_list,
            "new_token": new_token,
            "new_key": new_key,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def token_revoke(request: OrgRequest, org_slug: str, token_id: int) -> HttpResponse:
    require_perm(request, "use_api")
    token = get_in_org_or_404(
        APIToken.objects.filter(user=request.user),
        request.organization,
        pk=token_id,
    )
    api_token_revoke(token=token)
    # Names can repeat: the key's first characters and the day it was made tell which one.
    made = formats.date_format(
        timezone.localtime(token.created_at), pgettext("date format", "M j, Y")
    )
    messages.success(
        request,
        _("The token “%(name)s” (%(prefix)s…, made %(date)s) was revoked.")
        % {"name": token.name, "prefix": token.prefix, "date": made},
    )
    return redirect("tokens", org_slug=org_slug)
