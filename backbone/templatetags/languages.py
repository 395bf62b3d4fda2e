"""The language chooser in the page header: the other language, named in itself."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info

from backbone.middleware import LANGUAGE_PARAM

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context: dict[str, Any]) -> list[dict[str, str]]:
    """Each language the pages are not in now: its code, its own name ("Español"), this page's
    address asking for it (?lang=, for a visitor who is not signed in) and without asking for
    any (where the chooser's form returns)."""
    request = context.get("request")
    current = translation.get_language() or settings.LANGUAGE_CODE
    others = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        url = here = ""
        if request is not None:
            query = request.GET.copy()
            query.pop(LANGUAGE_PARAM, None)
            here = f"{request.path}?{query.urlencode()}" if query else request.path
            query[LANGUAGE_PARAM] = code
            url = f"{request.path}?{query.urlencode()}"
        name = str(get_language_info(code)["name_local"])
        others.append({"code": code, "name": name[:1].upper() + name[1:], "url": url, "next": here})
    return others
