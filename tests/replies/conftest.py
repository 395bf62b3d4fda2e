"""Reports the reply corpus accuracy at the end of the test run: how many corpus messages were
read as expected, for each way in and over both, with every miss named (the tests themselves
fail on any miss). Results travel on each test report's user_properties, so this works under
pytest-xdist as well."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

KEY = "reply_corpus"
_results: dict[tuple[str, str], dict[str, Any]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == KEY and isinstance(value, dict):
            _results[(value["name"], value["way"])] = value


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _results:
        return
    write = terminalreporter.write_line
    terminalreporter.section("reply corpus")
    by_way: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (_name, way), value in sorted(_results.items()):
        by_way[way].append(value)
    names = {name for name, _way in _results}
    both_ok = sum(
        1 for name in names if all(v["ok"] for (n, _w), v in _results.items() if n == name)
    )
    for way, values in sorted(by_way.items()):
        ok = sum(1 for v in values if v["ok"])
        label = {"pipe": "ingest_email", "webhook": "inbound webhook"}.get(way, way)
        share = 100 * ok / len(values)
        write(f"Reply corpus via {label}: {ok}/{len(values)} read as expected ({share:.1f}%)")
    write(
        f"Reply corpus: {both_ok}/{len(names)} read as expected by every way in "
        f"({100 * both_ok / len(names):.1f}%)"
    )
    missed = [v for v in _results.values() if not v["ok"]]
    for v in sorted(missed, key=lambda v: (v["name"], v["way"])):
        write(f"  MISSED {v['name']} ({v['way']}): {'; '.join(v['problems'])}")
