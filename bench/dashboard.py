"""The steering committee's dashboard on the large tenant: server time next to /healthz, the
same number of queries on a small and the large tenant, and how much slower large is."""

from __future__ import annotations

import os
from functools import partial
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.common import BenchContext, Row, median_ms

SMALL_SLUG = "bench-small"
GOAL_MS = 150
GOAL_RATIO = 30
GOAL_GROWTH = 2
GOAL_QUERIES = 25


def _steering_client(organization: Any) -> tuple[Client, str]:
    from backbone.models import Membership
    from backbone.roles import Role
    from initiatives.models import Initiative

    member = Membership.objects.filter(organization=organization, role=Role.STEERING).first()
    assert member is not None
    initiative = Initiative.objects.filter(organization=organization).order_by("id").first()
    assert initiative is not None
    client = Client()
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    slug = organization.slug
    return client, f"/o/{slug}/initiatives/{initiative.pk}/dashboard/"


def _small_tenant() -> Any:
    from backbone.models import Organization

    if not Organization.objects.filter(slug=SMALL_SLUG).exists():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", slug=SMALL_SLUG, size="small", stdout=quiet)
    return Organization.objects.get(slug=SMALL_SLUG)


def _queries(client: Client, path: str) -> int:
    client.get(path)  # the first organization page of a session writes the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


def _measure(
    large: tuple[Client, str], small: tuple[Client, str], health: float, label: str
) -> list[Row]:
    def get(client: Client, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    large_ms = median_ms(partial(get, *large))
    small_ms = median_ms(partial(get, *small))
    large_queries = _queries(*large)
    small_queries = _queries(*small)
    return [
        Row(
            f"dashboard, {label} (large tenant)",
            large_ms,
            "ms (median)",
            "/healthz",
            health,
            goal=f"<= {GOAL_MS} ms and <= {GOAL_RATIO}x /healthz",
        ),
        Row(f"dashboard, {label} (small tenant)", small_ms, "ms (median)"),
        Row(
            f"dashboard, {label}: large / small",
            large_ms / small_ms,
            "x",
            goal=f"<= {GOAL_GROWTH}x",
        ),
        Row(f"dashboard, {label}: queries (small)", small_queries, "queries"),
        Row(
            f"dashboard, {label}: queries (large)",
            large_queries,
            "queries",
            goal=f"== small tenant's, <= {GOAL_QUERIES}",
        ),
    ]


def dashboard(ctx: BenchContext) -> list[Row]:
    """Twice: as readers get it (the body kept between changes, dashboard.cache) and built
    afresh on every request (as after each change, or with BACKBONE_DASHBOARD_CACHE_SECONDS=0)."""
    from backbone.generations import data_changed

    large = _steering_client(ctx.organization)
    small_tenant = _small_tenant()
    small = _steering_client(small_tenant)
    for organization in (ctx.organization, small_tenant):
        data_changed(organization.pk)  # nothing kept by an earlier run answers this one
    health_client = Client()

    def health_get() -> None:
        assert health_client.get("/healthz").status_code == 200

    health = median_ms(health_get)
    rows = [Row("/healthz", health, "ms (median)")]
    rows += _measure(large, small, health, "as read")
    with override_settings(BACKBONE_DASHBOARD_CACHE_SECONDS=0):
        rows += _measure(large, small, health, "built afresh")
    return rows
