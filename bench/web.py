"""Server time of the organization pages on the large tenant, next to /healthz."""

from __future__ import annotations

from functools import partial

from django.test import Client

from bench.common import BenchContext, Row, median_ms


def pages(ctx: BenchContext) -> list[Row]:
    client = Client()
    client.force_login(ctx.staff, backend="django.contrib.auth.backends.ModelBackend")
    slug = ctx.organization.slug

    def get(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    health = median_ms(partial(get, "/healthz"))
    rows = [Row("/healthz", health, "ms (median)")]
    for name, path in [("organization home", f"/o/{slug}/"), ("members", f"/o/{slug}/members/")]:
        rows.append(Row(name, median_ms(partial(get, path)), "ms (median)", "/healthz", health))
    return rows
