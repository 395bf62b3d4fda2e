"""Every page under /o/<org_slug>/ runs inside one organization, resolved here once.

A URL pattern that names `org_slug` cannot be reached by someone who is not a member of that
organization: they get the same 404 as for an organization that does not exist. The API
resolves its organization after token authentication instead (backbone.api.base).

Inside an organization, times are shown in its time zone (the email log, the token and webhook
logs, "today"): pages about one initiative's meetings still name that initiative's own zone.

The interface language is settled here too, after Django's LocaleMiddleware has read the
browser's: a signed-in person's saved choice wins over it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from backbone.access import membership_for_slug_or_404
from backbone.generations import data_changed
from backbone.roles import remember_role

LAST_ORG_SESSION_KEY = "backbone_last_org"


def zone_of(organization: Any) -> zoneinfo.ZoneInfo:
    """The organization's time zone; UTC if what is stored is not one (never a 500)."""
    try:
        return zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LANGUAGE_PARAM = "lang"


class OrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if request.method not in SAFE_METHODS and response.status_code < 400:
            # Something may have changed: pages kept from the organization's data are stale.
            organization = request.organization  # type: ignore[attr-defined]
            data_changed(organization.pk if organization is not None else None)
        return response

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
        timezone.activate(zone_of(membership.organization))
        remember_role(request.user, membership.organization, membership.role)
        if request.session.get(LAST_ORG_SESSION_KEY) != slug:
            request.session[LAST_ORG_SESSION_KEY] = slug
        return None


class UserLanguageMiddleware:
    """The interface language of a request: `?lang=es` when asked for (anyone, e.g. on a public
    page), else the saved choice of the person signed in, else what LocaleMiddleware read from
    the language cookie or the browser's Accept-Language. A choice made either way is kept in
    the language cookie, so the login page after a log-out still speaks it.

    Only a request carrying a session cookie can be signed in: others (partners' one-click
    links, feeds, the API's token calls) never load a user for this."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = frozenset(code for code, _name in settings.LANGUAGES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = self.chosen(request)
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if (
            chosen
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen
            and not _shared(response)
        ):
            remember_language(response, chosen)
        return response

    def chosen(self, request: HttpRequest) -> str:
        asked = request.GET.get(LANGUAGE_PARAM, "")
        if asked in self.codes:
            return asked
        if request.path.startswith("/api/") or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return ""
        user = request.user
        language = getattr(user, "language", "") if user.is_authenticated else ""
        return language if language in self.codes else ""


def _shared(response: HttpResponse) -> bool:
    """A response proxies may keep for everyone (the public results page) never sets a cookie:
    a kept Set-Cookie would hand one visitor's language to every later one."""
    directives = response.get("Cache-Control", "").lower().split(",")
    return "public" in (d.strip() for d in directives)


def remember_language(response: HttpResponse, language: str) -> None:
    """Keep `language` in Django's language cookie, which LocaleMiddleware reads first."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
