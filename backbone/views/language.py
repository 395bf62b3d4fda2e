"""Choosing the interface language: saved on the person's account when signed in (it then wins
over their browser on every page, see UserLanguageMiddleware), kept in the language cookie for
anyone."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backbone.http import safe_next
from backbone.middleware import remember_language
from backbone.models import User
from backbone.services import user_set_language


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """Switch the pages to the posted language and go back where the person was."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Choose English or Spanish."))
    if isinstance(request.user, User):
        user_set_language(user=request.user, language=language)
    response = redirect(safe_next(request, "/"))
    remember_language(response, language)
    return response
