"""Indicator data import of 200,000 long-format rows from CSV, next to its floor in the same run.

The import is `manage.py import_indicator_data` as data staff run it (read → layout/mapping →
validate → commit, all or nothing, a history row per value), called in a process of its own so
its peak memory (VmHWM) is its own. The floor, measured in the same run on the same
database: pandas.read_csv of the same file plus a psycopg 3 COPY of the same number of rows,
already typed, into a plain table with the data-point columns and no index. Goal: the import
within 5x the floor, its peak memory within 400 MB.

The file is what a state report card's export looks like: 50 indicators (percent, count and
rate per 1,000) x 20 school years x 200 groups ("All students" and 199 groups of six
disaggregations: race/ethnicity, gender, income, language, grade, district), with "45.2%"
percentages, "1,234" thousands separators and suppression markers ("*", "<10", "n<10", "--").
It is imported three times: into an empty indicator set (every value new, each with its
history row); the same file again (every value already stored as it says: nothing written);
then a revised file in which every value and every suppression marker differs (every value
updated, each with its history row).

It needs PostgreSQL (COPY is the floor). When DATABASE_URL names a PostgreSQL database it is
used; otherwise the local server at 127.0.0.1:5432 (user postgres) gets a database of its own,
`backbone_bench`, created and migrated when missing. With no PostgreSQL reachable the benchmark
says it was skipped and why, and `make bench` goes on. Its tenant (slug `bench-import`) and the
floor's table are removed afterwards, whatever happened.

Run alone: `python bench/run.py` runs everything; with BENCH_IMPORT_PROFILE=out.prof it prints
nothing new but writes a cProfile of each import step (out.new.prof, out.unchanged.prof and
out.updated.prof).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import BenchContext, Row, peak_memory_kb

ROWS = 200_000
SLUG = "bench-import"
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432"
LOCAL_DATABASE = "backbone_bench"
FLOOR_TABLE = "bench_import_floor"
RATIO_GOAL = 5.0
MEMORY_GOAL_MB = 400

# The shape: 50 indicators x 20 school years x 200 groups = 200,000 rows.
YEARS = [f"SY{y}-{(y + 1) % 100:02d}" for y in range(2005, 2025)]
UNITS = ["percent", "percent", "percent", "count", "rate_per_1000"]
INDICATOR_COUNT = 50
TOTAL = "All students"
DIMENSIONS: list[tuple[str, list[str]]] = [
    (
        "Race/ethnicity",
        [
            "American Indian or Alaska Native",
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "Native Hawaiian or Pacific Islander",
            "Two or more races",
            "White",
            "Not reported",
        ],
    ),
    ("Gender", ["Female", "Male", "Nonbinary"]),
    ("Income", ["Low income", "Not low income"]),
    ("Language", ["English learner", "Not English learner"]),
    ("Grade", [f"Grade {g}" for g in range(1, 13)] + ["Kindergarten"]),
    ("District", [f"District {n:03d}" for n in range(1, 172)]),
]
SUPPRESSION = ["*", "<10", "n<10", "--"]


def indicator_names() -> list[tuple[str, str]]:
    return [
        (f"Indicator {n:02d} ({UNITS[n % len(UNITS)].replace('_', ' ')})", UNITS[n % len(UNITS)])
        for n in range(1, INDICATOR_COUNT + 1)
    ]


def groups() -> list[tuple[str, str]]:
    return [("", TOTAL)] + [(d, c) for d, categories in DIMENSIONS for c in categories]


def cells(revised: bool = False) -> Iterator[tuple[str, str, str, str, str, Decimal | None, str]]:
    """Every row of the file: its cells, and the value and marker it must be stored as. The
    revised file differs from the first in every value and every suppression marker."""
    bump = 1 if revised else 0
    names = indicator_names()
    all_groups = groups()
    assert len(names) * len(YEARS) * len(all_groups) == ROWS
    n = 0
    for name, unit in names:
        for year in YEARS:
            for dimension, category in all_groups:
                n += 1
                if n % 37 == 0:
                    marker = SUPPRESSION[(n + bump) % len(SUPPRESSION)]
                    yield name, year, dimension, category, marker, None, marker
                    continue
                if unit == "percent":
                    # 1.0 to 91.9: no fraction-looking cells
                    value = Decimal(n % 900) / 10 + 1 + bump
                    text = f"{value}%" if n % 2 else str(value)
                elif unit == "count":
                    value = Decimal(n * 7 % 99_000 + 10 + bump)
                    text = f"{value:,}"
                else:
                    value = Decimal(n % 5000) / 10 + Decimal(bump) / 10
                    text = str(value)
                yield name, year, dimension, category, text, value, ""


def write_file(path: Path, *, revised: bool = False) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Indicator", "School year", "Disaggregation", "Student group", "Value"])
        for name, year, dimension, category, text, _value, _marker in cells(revised):
            writer.writerow([name, year, dimension, category, text])


# --- Choosing the database ---------------------------------------------------------------------


def _database_url() -> tuple[str, str]:
    """(a PostgreSQL DATABASE_URL for the benchmark, "") or ("", why there is none)."""
    import psycopg
    from django.conf import settings

    from tests.integration.worker import database_url

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        return database_url(db), ""
    try:
        with psycopg.connect(f"{LOCAL_SERVER}/postgres", connect_timeout=3, autocommit=True) as c:
            exists = c.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [LOCAL_DATABASE]
            ).fetchone()
            if not exists:
                c.execute(f"CREATE DATABASE {LOCAL_DATABASE}")
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return "", f"no PostgreSQL at {LOCAL_SERVER} ({reason}); set DATABASE_URL to one"
    return f"{LOCAL_SERVER}/{LOCAL_DATABASE}", ""


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "bench.metrics_import", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.metrics_import {args[0]} failed:\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def imports(ctx: BenchContext) -> list[Row]:
    url, why = _database_url()
    if not url:
        print(f"  skipped: {why}")
        return []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": url,
        "BACKBONE_EMAIL_ECHO": "false",
        "LOG_LEVEL": "WARNING",
    }
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        path = Path(tmp) / "report-card-long.csv"
        write_file(path)
        revised_path = Path(tmp) / "report-card-long-revised.csv"
        write_file(revised_path, revised=True)
        size_mb = path.stat().st_size / 1024 / 1024
        try:
            setup = _child(env, "setup")
            floor = _child(
                env, "floor", str(path)
            )  # first: its COPY into the data table needs it empty
            initiative = str(setup["initiative"])
            first = _child(env, "import", str(path), initiative, "new")
            again = _child(env, "import", str(path), initiative, "unchanged")
            revised = _child(env, "import", str(revised_path), initiative, "updated")
        finally:
            _child(env, "cleanup")
    expected = setup["expected"]
    for report, outcome, history in (
        (first, (ROWS, 0, 0), ROWS),
        (again, (0, 0, ROWS), ROWS),
        (revised, (0, ROWS, 0), 2 * ROWS),
    ):
        assert (report["created"], report["updated"], report["unchanged"]) == outcome, report
        assert report["stored"] == expected, (report["stored"], expected)
        assert report["history"] == history, report
    floor_seconds = floor["read_csv"] + floor["copy"]
    label = "pandas.read_csv + COPY"
    return [
        Row(f"import {ROWS:,} rows, all new", first["seconds"], "s", label, floor_seconds, "≤ 5x"),
        Row("the same file again, all unchanged", again["seconds"], "s", label, floor_seconds),
        Row("a revised file, all updated", revised["seconds"], "s", label, floor_seconds),
        Row(f"floor: {label}", floor_seconds, "s"),
        Row("  pandas.read_csv", floor["read_csv"], "s"),
        Row("  COPY into a plain table", floor["copy"], "s"),
        Row(
            "for the record: COPY into the data table",
            floor["copy_data_table"],
            "s (its indexes and foreign keys; rolled back)",
        ),
        Row(
            "import peak memory",
            max(r["maxrss_kb"] for r in (first, again, revised)) / 1024,
            "MB (VmHWM)",
            goal=f"≤ {MEMORY_GOAL_MB} MB",
        ),
        Row("file", size_mb, f"MB ({ROWS:,} rows, {url.rsplit('/', 1)[-1]})"),
    ]


# --- The child processes (python -m bench.metrics_import STEP …) ------------------------------


def _tenant() -> Any:
    from backbone.models import Organization

    return Organization.objects.filter(slug=SLUG).first()


def _cleanup() -> dict[str, Any]:
    from django.db import connection, transaction

    from metrics.models import DataPoint

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
    org = _tenant()
    if org is None:
        return {"removed": False}
    history = DataPoint.history.model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Set-based first: deleting 200,000 points through the ORM would be most of the run.
        cursor.execute(f"DELETE FROM {history} WHERE organization_id = %s", [org.pk])  # noqa: S608
        cursor.execute(
            f"DELETE FROM {DataPoint._meta.db_table} WHERE organization_id = %s",  # noqa: S608
            [org.pk],
        )
        org.delete()
    return {"removed": True}


def _setup() -> dict[str, Any]:
    from django.core.management import call_command

    from backbone.models import Organization
    from initiatives.models import Initiative, Result
    from metrics.models import Category, Dimension, Indicator

    call_command("migrate", verbosity=0)
    _cleanup()
    org = Organization.objects.create(name="Import benchmark", slug=SLUG)
    initiative = Initiative.objects.create(organization=org, name="Every child reads")
    result = Result.objects.create(
        organization=org, initiative=initiative, statement="Every child reads by third grade"
    )
    for position, (name, unit) in enumerate(indicator_names()):
        Indicator.objects.create(
            organization=org,
            initiative=initiative,
            result=result,
            name=name,
            unit=unit,
            frequency="school_year",
            position=position,
        )
    for position, (dimension_name, categories) in enumerate(DIMENSIONS):
        dimension = Dimension.objects.create(
            organization=org, initiative=initiative, name=dimension_name, position=position
        )
        Category.objects.bulk_create(
            Category(organization=org, dimension=dimension, name=name, position=i)
            for i, name in enumerate(categories)
        )
    suppressed = sum(1 for row in cells() if row[6])
    return {
        "initiative": initiative.pk,
        "expected": {"points": ROWS, "suppressed": suppressed},
    }


def _stored(org: Any) -> dict[str, int]:
    from metrics.models import DataPoint

    points = DataPoint.objects.filter(organization=org)
    return {"points": points.count(), "suppressed": points.filter(suppressed=True).count()}


def _import(path: str, initiative_id: str, kind: str) -> dict[str, Any]:
    import io
    import re

    from django.conf import settings
    from django.core.management import call_command

    from metrics.models import DataPoint

    # As in production: with DEBUG on, Django keeps the SQL of every query.
    settings.DEBUG = False
    out = io.StringIO()
    profile_to = os.environ.get("BENCH_IMPORT_PROFILE")
    if profile_to:
        # Each import keeps its own profile: out.new.prof, out.unchanged.prof and
        # out.updated.prof for out.prof.
        stem, dot, ext = profile_to.rpartition(".")
        profile_to = f"{stem}.{kind}.{ext}" if dot else f"{profile_to}.{kind}"
    started = time.perf_counter()
    if profile_to:
        import cProfile

        with cProfile.Profile() as profile:
            call_command("import_indicator_data", path, initiative=int(initiative_id), stdout=out)
        profile.dump_stats(profile_to)
    else:
        call_command("import_indicator_data", path, initiative=int(initiative_id), stdout=out)
    seconds = time.perf_counter() - started
    maxrss = peak_memory_kb()
    found = re.search(r"Imported: (\d+) new, (\d+) updated, (\d+) unchanged", out.getvalue())
    assert found, out.getvalue()[-2000:]
    org = _tenant()
    return {
        "seconds": seconds,
        "maxrss_kb": maxrss,
        "created": int(found[1]),
        "updated": int(found[2]),
        "unchanged": int(found[3]),
        "stored": _stored(org),
        "history": DataPoint.history.filter(organization_id=org.pk).count(),
    }


def _floor(path: str) -> dict[str, Any]:
    """pandas.read_csv of the file, then COPY of as many rows, typed as the import stores them,
    into a plain table with the data-point columns (no index, no constraint)."""
    import pandas as pd
    from django.db import connection

    periods = {
        year: (date(int(year[2:6]), 7, 1), date(int(year[2:6]) + 1, 6, 30)) for year in YEARS
    }
    now = datetime.now(UTC)
    rows = [
        (
            n,
            1,
            n // 4000 + 1,
            None,
            year,
            "school_year",
            *periods[year],
            None if category == TOTAL else n % 200,
            value,
            bool(marker),
            marker,
            "",
            "",
            now,
            now,
        )
        for n, (_name, year, _dim, category, _text, value, marker) in enumerate(cells(), 1)
    ]
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    read_seconds = time.perf_counter() - started
    assert len(frame) == len(rows) == ROWS
    del frame
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cursor.execute(
            f"CREATE TABLE {FLOOR_TABLE} (id bigint, organization_id bigint, indicator_id bigint, "
            "measure_id bigint, period varchar(20), period_kind varchar(12), period_start date, "
            "period_end date, category_id bigint, value numeric(18, 4), suppressed boolean, "
            "suppression_marker varchar(10), source varchar(300), note text, "
            "created_at timestamptz, updated_at timestamptz)"
        )
    raw.commit()
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY {FLOOR_TABLE} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    raw.commit()
    copy_seconds = time.perf_counter() - started
    with raw.cursor() as cursor:
        cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    raw.commit()
    return {
        "read_csv": read_seconds,
        "copy": copy_seconds,
        "copy_data_table": _copy_into_data_table(raw, rows),
    }


def _copy_into_data_table(raw: Any, rows: list[tuple[Any, ...]]) -> float:
    """For the record, not the goal: the same COPY into the data-point table itself, with the
    tenant's real ids, so its indexes are written and its foreign keys checked (at once, as
    the rows go in); rolled back."""
    from metrics.models import Category, DataPoint, Indicator

    org = _tenant()
    indicators = list(
        Indicator.objects.filter(organization=org).order_by("position").values_list("id", flat=True)
    )
    categories: list[int | None] = [
        None,  # "All students": the total
        *Category.objects.filter(organization=org)
        .order_by("dimension__position", "position")
        .values_list("id", flat=True),
    ]
    real = [
        (org.pk, indicators[(n - 1) // 4000], *row[4:8], categories[(n - 1) % 200], *row[9:])
        for n, row in enumerate(rows, 1)
    ]
    columns = (
        "organization_id, indicator_id, period, period_kind, period_start, period_end, "
        "category_id, value, suppressed, suppression_marker, source, note, created_at, updated_at"
    )
    import psycopg

    started = time.perf_counter()
    with raw.transaction(), raw.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with cursor.copy(f"COPY {DataPoint._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in real:
                copy.write_row(row)
        seconds = time.perf_counter() - started
        raise psycopg.Rollback
    return seconds


def main(argv: list[str]) -> None:
    import django

    django.setup()
    step, *args = argv
    if step == "setup":
        report = _setup()
    elif step == "import":
        report = _import(*args)
    elif step == "floor":
        report = _floor(*args)
    elif step == "cleanup":
        report = _cleanup()
    else:
        raise SystemExit(f"unknown step {step!r}")
    print(json.dumps(report))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    main(sys.argv[1:])
