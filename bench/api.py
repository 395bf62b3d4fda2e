"""Server time of the API on the large tenant, next to /healthz: a page of 100 commitments with
a token (goal 50 ms median), an integrator's incremental pull (open commitments of one
initiative changed since yesterday), and the query counts of each, which stay the same from the
first page to a deep one."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backbone.models import APIToken
from backbone.services import api_token_create, api_token_revoke
from bench.common import BenchContext, Row, median_ms
from initiatives.models import Initiative

PAGE_GOAL_MS = 50


def api(ctx: BenchContext) -> list[Row]:
    issued = api_token_create(
        user=ctx.staff, organization=ctx.organization, name="bench", can_write=False
    )
    try:
        return _measure(ctx, issued.token, issued.key)
    finally:
        api_token_revoke(token=issued.token)


def _measure(ctx: BenchContext, token: APIToken, key: str) -> list[Row]:
    client = Client(headers={"Authorization": f"Token {key}"})
    base = f"/api/v1/o/{ctx.organization.slug}/"
    initiative = Initiative.objects.filter(organization=ctx.organization).order_by("id").first()
    assert initiative is not None
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()

    def get(path: str, params: dict[str, Any] | None = None) -> int:
        response = client.get(path, params)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return int(response.json().get("count", 0)) if path.startswith(base) else 0

    def queries(path: str, params: dict[str, Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            get(path, params)
        return len(captured)

    commitments = f"{base}commitments/"
    total = get(commitments, {"page_size": 1})
    first_page: dict[str, Any] = {"page_size": 100}
    deep_page: dict[str, Any] = {"page_size": 100, "page": max(1, total // 100)}
    pull: dict[str, Any] = {
        "initiative": initiative.pk,
        "status": "open",
        "updated_since": yesterday,
    }

    pulled = get(commitments, {**pull, "page_size": 1})
    health = median_ms(partial(get, "/healthz"))
    page_ms = median_ms(partial(get, commitments, first_page))
    deep_ms = median_ms(partial(get, commitments, deep_page))
    pull_ms = median_ms(partial(get, commitments, {**pull, "page_size": 100}))
    return [
        Row("/healthz", health, "ms (median)"),
        Row(
            f"100 commitments (of {total:,})",
            page_ms,
            "ms (median)",
            "/healthz",
            health,
            goal=f"<= {PAGE_GOAL_MS} ms",
        ),
        Row(
            f"100 commitments, page {deep_page['page']}", deep_ms, "ms (median)", "/healthz", health
        ),
        Row(f"open since yesterday ({pulled:,})", pull_ms, "ms (median)", "/healthz", health),
        Row("queries, first page of 100", queries(commitments, first_page), "queries"),
        Row("queries, deep page of 100", queries(commitments, deep_page), "queries"),
        Row("queries, page of 10", queries(commitments, {"page_size": 10}), "queries"),
    ]
