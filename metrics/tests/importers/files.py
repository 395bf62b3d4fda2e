"""The committed data files of tests/metrics_files, made by its make_fixtures.py."""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).resolve().parents[3] / "tests" / "metrics_files"


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()
