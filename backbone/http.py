"""Request types for views, so type checking knows what the middleware has set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

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
