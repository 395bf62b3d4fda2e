from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from backbone.roles import PERMISSIONS, allowed


def organization(request: HttpRequest) -> dict[str, Any]:
    """The current organization, the user's role and what that role may do (no queries:
    the middleware already loaded the membership; the switcher list is loaded lazily)."""
    membership = getattr(request, "membership", None)
    role = membership.role if membership else None
    user = getattr(request, "user", None)

    def other_memberships() -> list[Any]:
        if user is None or not user.is_authenticated:
            return []
        return list(user.memberships.select_related("organization").order_by("organization__name"))

    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        "can": {name: allowed(role, name) for name in PERMISSIONS},
        "my_memberships": other_memberships,
    }
