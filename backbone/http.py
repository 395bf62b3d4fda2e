"""Request types for views, so type checking knows what the middleware has set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from backbone.models import Membership, Organization, User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


class OrgRequest(AuthedRequest):
    """A request to a page under /o/<org_slug>/: OrganizationMiddleware has checked membership."""

    organization: Organization
    membership: Membership


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back after a form: the posted "next" when it stays on this site, else
    `default` (a crafted link must not send staff to another site)."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default
