"""Every app's tests run in `make test`: an app whose tests/ folder is missing from pytest's
testpaths would pass CI without a single one of its tests being collected."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_app_with_tests_is_collected() -> None:
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"
    ]["testpaths"]
    with_tests = sorted(
        path.parent.parent.name
        for path in ROOT.glob("*/tests/__init__.py")
        if not path.parent.parent.name.startswith(".")
    )
    assert with_tests == sorted(set(testpaths) - {"tests"})
