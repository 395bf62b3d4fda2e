"""Run every benchmark and print measurements with their same-run baselines."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("BACKBONE_EMAIL_ECHO", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from bench.common import BenchContext, Row  # noqa: E402

BENCH_SLUG = "bench"
SEED_GOAL_SECONDS = 180

# Dotted paths of benchmark functions, run in this order.
BENCHMARKS = [
    "bench.web.pages",
    "bench.api.api",
    "bench.nag.delivery",
    "bench.replies.replies",
    "bench.metrics_import.imports",
    "bench.dashboard.dashboard",
    "bench.packet.build",
]


def prepare() -> BenchContext:
    from backbone.models import Membership, Organization
    from backbone.roles import Role

    call_command("migrate", verbosity=0)
    seconds = None
    if not Organization.objects.filter(slug=BENCH_SLUG).exists():
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", slug=BENCH_SLUG, size="large", stdout=quiet)
        seconds = time.perf_counter() - started
    org = Organization.objects.get(slug=BENCH_SLUG)
    staff = Membership.objects.filter(organization=org, role=Role.STAFF).first()
    assert staff is not None
    return BenchContext(organization=org, staff=staff.user, seed_seconds=seconds)


def show(rows: list[Row]) -> None:
    for row in rows:
        line = f"  {row.name:<34} {row.value:>10.2f} {row.unit}"
        if row.ratio is not None:
            line += f"   = {row.ratio:.2f}x {row.baseline_name}"
        if row.goal:
            line += f"   (goal {row.goal})"
        print(line)


def main() -> None:
    ctx = prepare()
    print(f"Benchmark tenant: {ctx.organization.name} ({ctx.organization.slug})")
    if ctx.seed_seconds is not None:
        show(
            [Row("seed_demo --size large", ctx.seed_seconds, "s", goal=f"< {SEED_GOAL_SECONDS} s")]
        )
    else:
        print("  (benchmark tenant already present; delete it to time seed_demo --size large)")
    for path in BENCHMARKS:
        print(f"\n{path}")
        show(import_string(path)(ctx))


if __name__ == "__main__":
    main()
