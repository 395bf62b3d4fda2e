"""Real concurrency for race tests: threads released together, each on its own database
connection (PostgreSQL: SQLite serialises writers, so its races prove nothing)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def require_postgresql() -> None:
    vendor = connections["default"].vendor
    assert vendor == "postgresql", (
        f"this race needs PostgreSQL's row locks; the database is {vendor}"
    )


def at_once(count: int, work: Callable[[], Any]) -> list[Any]:
    """Run `work` in `count` threads released together; each thread uses (and closes) its own
    database connection. Re-raises the first error of any thread."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except BaseException as exc:  # handed to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]
    assert len(results) == count
    return results
