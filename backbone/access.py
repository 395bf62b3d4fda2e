"""Fetching tenant-owned objects: always within the current organization.

"Not yours" and "does not exist" get the same answer, 404, so ids of other organizations
reveal nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from backbone.models import Membership, Organization

M = TypeVar("M", bound=models.Model)


def get_in_org_or_404(
    model_or_queryset: type[M] | models.QuerySet[M], organization: Organization, **lookup: Any
) -> M:
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    try:
        return queryset.get(organization=organization, **lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        # ValueError/TypeError: an id that is not even a number is just as "not found".
        raise Http404 from None


def membership_for_slug_or_404(user: Any, slug: str) -> Membership:
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, organization__slug=slug)
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if membership is None:
        raise Http404
    return membership


def check_same_organization(organization_id: int, *objects: models.Model | None) -> None:
    """Refuse (ValidationError) any object of another organization: a forged id or a bug.
    Services call it on every object a caller hands them."""
    for obj in objects:
        if obj is not None and getattr(obj, "organization_id", None) != organization_id:
            raise ValidationError(_("That item does not belong to this organization."))


def require_perm(request: HttpRequest, permission: str) -> None:
    """403 when the member's role may not do this. Membership itself was checked by the
    middleware, which answers 404 to anyone outside the organization."""
    organization = getattr(request, "organization", None)
    if organization is None or not request.user.has_perm(f"backbone.{permission}", organization):
        raise PermissionDenied
