"""The base of every organization API view: /api/v1/o/<org_slug>/….

The organization is resolved after authentication from the URL, and the queryset is filtered
by it here; a subclass declares `queryset` and may refine it in `refine_queryset`, but cannot
replace `get_queryset` (defining it raises at import time). A deliberate bypass must be named
`dangerously_*` so it stands out in review.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db.models import QuerySet
from rest_framework import exceptions, permissions, viewsets
from rest_framework.request import Request

from backbone.api.filters import ListFilterBackend
from backbone.models import APIToken, Membership, Organization
from backbone.roles import allowed, remember_role

SAFE_METHODS = permissions.SAFE_METHODS


def resolve_api_membership(request: Request, org_slug: str) -> Membership:
    """The caller's membership in the organization named by the URL, or 404. A token made for
    another organization gets the same 404 as a stranger."""
    token = request.auth if isinstance(request.auth, APIToken) else None
    if token is not None and token.organization.slug != org_slug:
        raise exceptions.NotFound
    membership = (
        Membership.objects.select_related("organization")
        .filter(user_id=cast(int, request.user.pk), organization__slug=org_slug)
        .first()
    )
    if membership is None:
        raise exceptions.NotFound
    return membership


class OrganizationScopedMixin:
    """Resolves request.organization and checks the role table before any handler runs."""

    # Permission (from backbone.roles.PERMISSIONS) required per action; "*" is the default.
    required_permissions: ClassVar[dict[str, str]] = {"*": "use_api"}

    organization: Organization
    membership: Membership

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.membership = resolve_api_membership(request, kwargs["org_slug"])
        self.organization = self.membership.organization
        # On the HttpRequest under DRF's: the copy DRF makes to describe a route (OPTIONS) and
        # the organization middleware (which tells this organization's caches) read it there.
        request._request.organization = self.organization  # type: ignore[attr-defined]
        remember_role(request.user, self.organization, self.membership.role)
        token = request.auth if isinstance(request.auth, APIToken) else None
        if request.method not in SAFE_METHODS and token is not None and not token.can_write:
            raise exceptions.PermissionDenied("This token is read-only.")
        action = getattr(self, "action", None) or (request.method or "get").lower()
        needed = self.required_permissions.get(action, self.required_permissions["*"])
        if not allowed(self.membership.role, needed):
            raise exceptions.PermissionDenied("Your role in this organization may not do this.")


class OrganizationScopedViewSet(OrganizationScopedMixin, viewsets.GenericViewSet):
    queryset: QuerySet[Any]
    # The view's `list_filters`, and ?updated_since= on every list of a model with updated_at.
    filter_backends = [ListFilterBackend]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset, which would skip the organization "
                "filter; override refine_queryset instead."
            )

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request org
            return self.queryset.none()
        return self.refine_queryset(self.queryset.filter(organization=self.organization))
