"""Per-table permissions, on top of the organization-wide role table (backbone.roles).

Partners read only the tables they sit at; co-chairs (and the steering committee's chair) may
edit the members and description of their own table. Registered with `rules` as
"initiatives.view_table" and "initiatives.edit_table", checked against a Table.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import QuerySet

from backbone.roles import allowed, role_in
from initiatives.models import Seat, Table

LEAD_ROLES = (Seat.Role.CHAIR, Seat.Role.CO_CHAIR)


def seated_table_ids(
    user: Any, *, organization_id: int | None = None, leading: bool = False
) -> QuerySet[Seat, Any]:
    """The ids of the tables a user sits at through a person record that is not archived (with
    `leading`: as chair or co-chair), as a subquery: what a partner sees, what a co-chair runs."""
    seats = Seat.objects.filter(person__user_id=user.pk, person__archived_at__isnull=True)
    if organization_id is not None:
        seats = seats.filter(organization_id=organization_id)
    if leading:
        seats = seats.filter(role__in=LEAD_ROLES)
    return seats.values("table_id")


def _seat_of(user: Any, table: Table) -> Seat | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, Seat | None] = user.__dict__.setdefault("_backbone_seats", {})
    if table.pk not in cache:
        cache[table.pk] = (
            Seat.objects.filter(table=table, person__user=user, person__archived_at__isnull=True)
            .only("role")
            .first()
        )
    return cache[table.pk]


@rules.predicate
def can_view_table(user: Any, table: Table) -> bool:
    role = role_in(user, table.organization)
    if allowed(role, "view_all_tables"):
        return True
    return role is not None and _seat_of(user, table) is not None


@rules.predicate
def can_edit_table(user: Any, table: Table) -> bool:
    role = role_in(user, table.organization)
    if allowed(role, "manage_tables"):
        return True
    seat = _seat_of(user, table)
    return role is not None and seat is not None and seat.role in LEAD_ROLES


rules.add_perm("initiatives.view_table", can_view_table)
rules.add_perm("initiatives.edit_table", can_edit_table)
