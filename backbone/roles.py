"""Roles within an organization and what each may do: one declarative table.

Every permission below is registered with `rules` as "backbone.<name>" and checked against an
organization: ``user.has_perm("backbone.manage_members", organization)``. Tests are generated
from PERMISSIONS, so adding a row here adds its tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from backbone.models import Organization


class Role(models.TextChoices):
    STAFF = "staff", _("Backbone staff")
    STEERING = "steering", _("Steering committee member")
    COCHAIR = "cochair", _("Workgroup co-chair")
    PARTNER = "partner", _("Partner")


ROLE_DESCRIPTIONS = {
    Role.STAFF: _("Sets up initiatives, people and workplans; runs meetings and reminders."),
    Role.STEERING: _("Reads everything in the organization's initiatives and the dashboard."),
    Role.COCHAIR: _("Leads a workgroup: its workplan, meetings and commitments."),
    Role.PARTNER: _("Follows up on their own commitments; reads the common agenda."),
}

EVERYONE = frozenset(Role)
STAFF_ONLY = frozenset({Role.STAFF})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "view_organization": EVERYONE,
    "view_members": frozenset({Role.STAFF, Role.STEERING, Role.COCHAIR}),
    "manage_members": STAFF_ONLY,
    "manage_organization": STAFF_ONLY,
    "view_outbox": STAFF_ONLY,
    "use_api": EVERYONE,
    # The common agenda: initiatives, results, strategies, ground rules, filter criteria.
    "view_common_agenda": EVERYONE,
    "edit_common_agenda": STAFF_ONLY,
    # Proposals run through the agenda filter; only staff may override a failed criterion.
    "screen_proposals": frozenset({Role.STAFF, Role.COCHAIR}),
    "override_screening": STAFF_ONLY,
    # Partners see only the tables they sit at (checked per table, see initiatives.access).
    "view_all_tables": frozenset({Role.STAFF, Role.STEERING, Role.COCHAIR}),
    "manage_tables": STAFF_ONLY,
    # Co-chairs may edit their own workgroups' members and description (checked per table).
    "view_people": frozenset({Role.STAFF, Role.STEERING, Role.COCHAIR}),
    "manage_people": STAFF_ONLY,
    "view_person_demographics": STAFF_ONLY,
    # Workplans, meetings and commitments. Co-chairs run their own tables' (checked per table
    # with "initiatives.edit_table"); partners see the tables they sit at and their own
    # commitments, whose status and notes they may change.
    "view_workplans": frozenset({Role.STAFF, Role.STEERING, Role.COCHAIR}),
    "manage_workplans": STAFF_ONLY,
    "manage_meetings": STAFF_ONLY,
    "view_all_commitments": frozenset({Role.STAFF, Role.STEERING}),
    "manage_commitments": STAFF_ONLY,
    # Partners' email replies that wait for a person (held, unclear), and every reply received.
    "review_replies": STAFF_ONLY,
    # Help requests (a partner said "need help" or "blocked"): staff act on all of them, the
    # steering committee reads all of them; co-chairs see and act on those of the tables they
    # lead (checked per table with "initiatives.edit_table", which also lets a partner seated
    # as a table's chair or co-chair act on that table's requests).
    "view_help_requests": frozenset({Role.STAFF, Role.STEERING, Role.COCHAIR}),
    "view_all_help_requests": frozenset({Role.STAFF, Role.STEERING}),
    "manage_help_requests": STAFF_ONLY,
    # Shared measurement: everyone reads the indicators, performance measures and their data;
    # staff keep them and import data. Whoever reads the data may export it.
    "view_measurement": EVERYONE,
    "manage_measurement": STAFF_ONLY,
    # The steering committee's dashboard: partners read it too where the initiative allows it
    # (checked per initiative, see dashboard.access). Board packets are the steering
    # committee's: staff and its members read and make them. Staff decide what is published.
    "view_dashboard": frozenset({Role.STAFF, Role.STEERING, Role.COCHAIR}),
    "view_board_packets": frozenset({Role.STAFF, Role.STEERING}),
    "manage_dashboard": STAFF_ONLY,
    # Webhooks send the organization's events to other systems, signed with a secret the page
    # shows: only staff add them, read their secrets and delivery logs, and turn them on again.
    "manage_webhooks": STAFF_ONLY,
}


def _real(user: Any) -> Any:
    """request.user is a lazy wrapper; `rules` receives the User inside it. Cache on that one."""
    user.pk  # noqa: B018 - evaluates the lazy object
    return getattr(user, "_wrapped", user)


def role_in(user: Any, organization: Organization | None) -> Role | None:
    """The user's role in the organization, cached on the user object for the request."""
    if organization is None or not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, Role | None] = _real(user).__dict__.setdefault("_backbone_roles", {})
    if organization.pk not in cache:
        from backbone.models import Membership

        role = (
            Membership.objects.filter(user=user, organization=organization)
            .values_list("role", flat=True)
            .first()
        )
        cache[organization.pk] = Role(role) if role else None
    return cache[organization.pk]


def remember_role(user: Any, organization: Organization, role: str) -> None:
    _real(user).__dict__.setdefault("_backbone_roles", {})[organization.pk] = Role(role)


def _predicate_for(roles_allowed: frozenset[Role]) -> rules.Predicate:
    @rules.predicate
    def has_role(user: Any, organization: Organization | None) -> bool:
        return role_in(user, organization) in roles_allowed

    return has_role


def allowed(role: str | None, permission: str) -> bool:
    """Pure lookup in the table (no query), for templates and navigation."""
    return role is not None and Role(role) in PERMISSIONS[permission]


for _name, _roles in PERMISSIONS.items():
    rules.add_perm(f"backbone.{_name}", _predicate_for(_roles))
