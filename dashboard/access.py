"""Who reads an initiative's dashboard: staff, the steering committee and co-chairs always;
partners only where the initiative allows it. Anyone outside the organization gets 404 (the
middleware), a member whose role may not read it 403, as everywhere else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from backbone.access import require_perm
from backbone.http import OrgRequest
from backbone.roles import Role, allowed
from dashboard.services import settings_for
from initiatives.models import Initiative
from initiatives.views.ordered import get_initiative


def get_dashboard_initiative(request: OrgRequest, initiative_id: int) -> Initiative:
    """The initiative, when this member may read its dashboard (404 for another organization's
    or a missing initiative, 403 for a role that may not)."""
    initiative = get_initiative(request, initiative_id)
    if request.membership.role == Role.PARTNER:
        if not settings_for(initiative).partners_may_view:
            raise PermissionDenied
    else:
        require_perm(request, "view_dashboard")
    return initiative


def dashboard_initiatives(request: OrgRequest) -> QuerySet[Initiative]:
    """The active initiatives whose dashboard this member may read, by name."""
    found = Initiative.objects.filter(
        organization=request.organization, status=Initiative.Status.ACTIVE
    ).order_by("name", "id")
    if request.membership.role == Role.PARTNER:
        return found.filter(dashboard_settings__partners_may_view=True)
    if not allowed(request.membership.role, "view_dashboard"):
        return found.none()
    return found
