"""The dashboard's body, kept for a short while once built.

Building it reads every workgroup's meetings, commitments and key actions and every indicator's
data: tens of milliseconds on a large coalition, for a page the steering committee opens again
and again between changes. What was built is kept under the organization's data generation
(backbone.generations): any change through the pages, the API or the workers moves the
generation on, so the next reader gets a freshly built body, never a stale one. What nothing
announces (a day passing, a management command) is bounded by the key (today's date) and by
BACKBONE_DASHBOARD_CACHE_SECONDS. The body differs by language, role (links a role may follow),
filters and day, so those are in the key too. The drill-down lists are never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from backbone.generations import data_generation
from backbone.http import OrgRequest
from initiatives.models import Initiative


@dataclass(frozen=True)
class Choice:
    pk: int
    name: str = ""
    title: str = ""


@dataclass(frozen=True)
class Filters:
    """What the page around the body needs: the filter form's choices and what is chosen."""

    year: int
    years: list[int]
    table_id: int | None
    strategy_id: int | None
    all_workgroups: list[Choice] = field(default_factory=list)
    all_strategies: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class Body:
    html: str
    filters: Filters
    query: str


def body_key(request: OrgRequest, initiative: Initiative, filters: dict[str, int | None]) -> str:
    organization_id = request.organization.pk
    role = request.membership.role if request.membership else ""
    chosen = ":".join(str(filters[k] or "") for k in ("year", "table_id", "strategy_id"))
    return (
        f"dashboard:body:v1:{organization_id}:{initiative.pk}:"
        f"{data_generation(organization_id)}:{translation.get_language()}:"
        f"{timezone.localdate().isoformat()}:{role}:{chosen}"
    )


def kept_body(
    request: OrgRequest,
    initiative: Initiative,
    filters: dict[str, int | None],
    build: Callable[[], Body],
) -> Body:
    seconds = settings.BACKBONE_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return build()
    key = body_key(request, initiative, filters)
    found = cache.get(key)
    if isinstance(found, Body):
        return found
    made = build()
    cache.set(key, made, seconds)
    return made
