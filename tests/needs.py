"""Tests that need PostgreSQL or Redis: where they run, and why they are never skipped.

`@pytest.mark.postgres` tests race real connections against each other; SQLite's in-memory test
database cannot hold two writers. `@pytest.mark.integration` tests start a real Celery worker
that must reach the test database (PostgreSQL: SQLite's in-memory database lives only in the
test process) and a real Redis broker.

In CI (CI=true) nothing is deselected: CI always has PostgreSQL and Redis (.ci/run starts them or
fails), and if they were missing these tests would fail, not skip. On a newcomer's machine with
neither (`make test` on SQLite) they are *deselected* — listed in the summary, with what to set
to run them — rather than skipped or passed silently.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings


def _missing() -> dict[str, str]:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    missing = {}
    if not on_postgres:
        missing["postgres"] = "DATABASE_URL=postgres://…"
        missing["integration"] = "DATABASE_URL=postgres://… and REDIS_URL=redis://…"
    elif not os.environ.get("REDIS_URL"):
        missing["integration"] = "REDIS_URL=redis://…"
    return missing


_deselected: dict[str, int] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CI") == "true":
        return
    missing = _missing()
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        needs = [m for m in missing if item.get_closest_marker(m) is not None]
        (drop if needs else keep).append(item)
        for marker in needs[:1]:
            _deselected[marker] = _deselected.get(marker, 0) + 1
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    missing = _missing()
    for marker, count in sorted(_deselected.items()):
        terminalreporter.write_line(
            f"{count} test(s) marked `{marker}` deselected: set {missing[marker]} to run them "
            "(CI always runs them)."
        )
