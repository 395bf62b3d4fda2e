"""Personal API tokens for the current organization."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import APITokenForm
from backbone.http import OrgRequest
from backbone.models import APIToken
from backbone.selectors import api_tokens_of
from backbone.services import api_token_create, api_token_revoke


@require_http_methods(["GET", "POST"])
def tokens(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "use_api")
    organization = request.organization
    form = APITokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        issued = api_token_create(
            user=request.user,
            organization=organization,
            name=form.cleaned_data["name"],
            can_write=form.cleaned_data["can_write"],
        )
        new_key = issued.key
        form = APITokenForm()
    return render(
        request,
        "backbone/tokens.html",
        {
            "form": form,
            "tokens": api_tokens_of(organization=organization, user=request.user),
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
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("tokens", org_slug=org_slug)
