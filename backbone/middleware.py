"""Every page under /o/<org_slug>/ runs inside one organization, resolved here once.

A URL pattern that names `org_slug` cannot be reached by someone who is not a member of that
organization: they get the same 404 as for an organization that does not exist. The API
resolves its organization after token authentication instead (backbone.api.base).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from backbone.access import membership_for_slug_or_404
from backbone.roles import remember_role

LAST_ORG_SESSION_KEY = "backbone_last_org"


class OrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.get("org_slug")
        if slug is None or request.path.startswith("/api/"):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_for_slug_or_404(request.user, slug)
        request.organization = membership.organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        remember_role(request.user, membership.organization, membership.role)
        if request.session.get(LAST_ORG_SESSION_KEY) != slug:
            request.session[LAST_ORG_SESSION_KEY] = slug
        return None
