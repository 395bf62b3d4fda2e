"""Writing checked data points: all of them or none.

One transaction: missing groups are created (when the mapping asked for it), the indicators are
locked so two imports into one indicator take turns, the points already stored are read in one
query, and the rest is bulk inserts and bulk updates in batches, each with its history rows. A
file with any error writes nothing. The number of queries grows with the number of batches,
never with the number of rows.

Progress is reported through a callback after each batch. It runs inside the transaction: a
caller that shows it elsewhere (a progress bar) must store it outside this transaction (a cache,
or a separate database connection), or nobody sees it before the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.importers.validate import Checked
from metrics.models import Category, DataPoint, Dimension, ImportMapping, Indicator
from metrics.webhooks import data_points_imported

BATCH = 5000  # rows staged between two progress reports


class ImportRefused(Exception):
    """The checked rows cannot be written; nothing was."""


@dataclass(frozen=True)
class Written:
    created: int
    updated: int  # stored before, and changed now
    categories_created: int
    unchanged: int = 0  # stored before with exactly what the file says: not written again


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _create_categories(
    initiative: Any, wanted: list[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The ids of the groups the file names that did not exist, created now."""
    ids: dict[tuple[str, str], int] = {}
    dimensions = {
        _key(d.name): d
        for d in Dimension.objects.filter(
            organization_id=initiative.organization_id, initiative=initiative
        )
    }
    for dimension_name, category_name in wanted:
        dimension = dimensions.get(_key(dimension_name))
        if dimension is None:
            dimension = Dimension.objects.create(
                organization_id=initiative.organization_id,
                initiative=initiative,
                name=dimension_name,
                position=len(dimensions),
            )
            dimensions[_key(dimension_name)] = dimension
        category, _created = Category.objects.get_or_create(
            organization_id=initiative.organization_id,
            dimension=dimension,
            name=category_name,
            defaults={"position": dimension.categories.count()},
        )
        ids[(dimension_name, category_name)] = category.pk
    return ids


STAGE = "metrics_import_stage"
# The staged rows: every column a data point gets from a file, and its id (allocated up front).
STAGE_COLUMNS = [
    ("id", "bigint"),
    ("is_new", "boolean"),
    ("indicator_id", "bigint"),
    ("period", "varchar(20)"),
    ("period_kind", "varchar(12)"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("category_id", "bigint"),
    ("value", "numeric(18, 4)"),
    ("suppressed", "boolean"),
    ("suppression_marker", "varchar(10)"),
    ("source", "varchar(300)"),
    ("note", "text"),
]


@transaction.atomic
def data_points_import(
    *,
    initiative: Any,
    checked: Checked,
    user: Any = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> Written:
    """Write the checked points of one file into `initiative`: insert the new, update the
    stored ones (same indicator, period and group) whose value, period, suppression, source or
    note changed, and write a history row for each of those. A stored point the file repeats
    exactly is left alone, as one saved through the API or the page is: a monthly load that
    sends the whole series again records only what really changed. Raises ImportRefused,
    writing nothing, if the file had any error or names an indicator outside the initiative.

    The rows are staged in a temporary table (COPY on PostgreSQL), then written with one
    INSERT … SELECT, one UPDATE … FROM and one history INSERT … SELECT: set-based statements
    rather than an ORM object per row, so 200,000 rows cost seconds and little memory."""
    if checked.errors or checked.more_errors:
        raise ImportRefused(
            _("This file has %(count)s problems; nothing was imported.")
            % {"count": len(checked.errors) + checked.more_errors}
        )
    org_id = initiative.organization_id
    indicator_ids = sorted({p.indicator_id for p in checked.points})
    locked = set(
        Indicator.objects.select_for_update()
        .filter(organization_id=org_id, initiative=initiative, id__in=indicator_ids)
        .values_list("id", flat=True)
    )
    if locked != set(indicator_ids):
        raise ImportRefused(_("An indicator of this file is not in this initiative."))
    new_ids = _create_categories(initiative, checked.new_categories)
    if not checked.points:
        return Written(created=0, updated=0, categories_created=len(new_ids))
    periods = sorted({p.period.label for p in checked.points})
    stored: dict[tuple[int, str, int | None], int] = {
        (indicator_id, period, category_id): pk
        for pk, indicator_id, period, category_id in DataPoint.objects.filter(
            organization_id=org_id, indicator_id__in=indicator_ids, period__in=periods
        ).values_list("id", "indicator_id", "period", "category_id")
    }
    total = len(checked.points)
    now = timezone.now()
    with connection.cursor() as cursor:
        _stage_create(cursor, postgres=connection.vendor == "postgresql")
        if connection.vendor == "postgresql":
            created = _stage_postgresql(
                cursor, checked, new_ids, stored, total=total, batch=batch, progress=progress
            )
            changed = _write_postgresql(cursor, org_id=org_id, now=now, user=user) - created
        else:
            created = _stage_sqlite(
                cursor, checked, new_ids, stored, total=total, batch=batch, progress=progress
            )
            changed = _write_sqlite(
                cursor, org_id=org_id, now=now, user=user, stored=total - created
            )
    if progress is not None:
        progress(total, total)
    if created:
        data_points_imported(
            organization_id=org_id,
            initiative_id=initiative.pk,
            indicator_ids=indicator_ids,
            added=created,
            updated=changed,
        )
    return Written(
        created=created,
        updated=changed,
        categories_created=len(new_ids),
        unchanged=total - created - changed,
    )


def _allocate_ids(count: int) -> list[int]:
    """Ids for the new rows, taken up front so the history rows can be joined on them."""
    if not count:
        return []
    table = DataPoint._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock is held since BEGIN IMMEDIATE, so nobody else takes ids now;
        # AUTOINCREMENT's counter is moved past them by the insert itself.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))


def _stage_create(cursor: Any, *, postgres: bool) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    on_commit = " ON COMMIT DROP" if postgres else ""
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns}){on_commit}")


# COPY's text format: these characters in a text cell are written escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def _stage_postgresql(
    cursor: Any,
    checked: Checked,
    new_ids: dict[tuple[str, str], int],
    stored: dict[tuple[int, str, int | None], int],
    *,
    total: int,
    batch: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    """COPY the rows into the stage as text lines, each cell written once per distinct
    period, value and text rather than through a tuple and a dumper per cell; the number of
    new rows."""
    names = ", ".join(name for name, _kind in STAGE_COLUMNS)
    # PostgreSQL numbers the new rows itself as it inserts them (and hands them to their history
    # rows through RETURNING): the stage's id is empty for them.
    period_cells: dict[int, str] = {}
    periods_kept: list[Any] = []  # keeps each period alive while its id() is a key
    texts: dict[str, str] = {}
    values: dict[Any, str] = {}

    def text(cell: str) -> str:
        found = texts.get(cell)
        if found is None:
            found = texts[cell] = cell.translate(_COPY_ESCAPES)
        return found

    created = 0
    lines: list[str] = []
    raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
    with raw.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
        for done, point in enumerate(checked.points, 1):
            category_id = new_ids[point.new_category] if point.new_category else point.category_id
            pk = stored.get((point.indicator_id, point.period.label, category_id))
            period = point.period
            period_cell = period_cells.get(id(period))
            if period_cell is None:
                periods_kept.append(period)
                period_cell = period_cells[id(period)] = (
                    f"{text(period.label)}\t{text(period.kind)}\t"
                    f"{period.start.isoformat()}\t{period.end.isoformat()}"
                )
            value = point.value
            value_cell = values.get(value)
            if value_cell is None:
                value_cell = values[value] = _COPY_NULL if value is None else str(value)
            if pk is None:
                created += 1
                head = f"{_COPY_NULL}\tt\t"
            else:
                head = f"{pk}\tf\t"
            lines.append(
                f"{head}{point.indicator_id}\t{period_cell}\t"
                f"{_COPY_NULL if category_id is None else category_id}\t{value_cell}\t"
                f"{'t' if point.suppressed else 'f'}\t{text(point.marker)}\t"
                f"{text(point.source[:300])}\t{text(point.note)}\n"
            )
            if done % batch == 0:
                copy.write("".join(lines))
                lines = []
                if progress is not None:
                    progress(done, total)
        if lines:
            copy.write("".join(lines))
    return created


def _stage_sqlite(
    cursor: Any,
    checked: Checked,
    new_ids: dict[tuple[str, str], int],
    stored: dict[tuple[int, str, int | None], int],
    *,
    total: int,
    batch: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    """The rows inserted into the stage in batches, the new ones with ids taken up front (to
    join their history rows on); the number of new rows."""
    created = total - sum(
        1
        for p in checked.points
        if (
            p.indicator_id,
            p.period.label,
            new_ids[p.new_category] if p.new_category else p.category_id,
        )
        in stored
    )
    ops = connection.ops
    fresh = iter(_allocate_ids(created))
    names = ", ".join(name for name, _kind in STAGE_COLUMNS)
    placeholders = ", ".join(["%s"] * len(STAGE_COLUMNS))
    sql = f"INSERT INTO {STAGE} ({names}) VALUES ({placeholders})"  # noqa: S608
    chunk: list[tuple[Any, ...]] = []
    done = 0
    for point in checked.points:
        category_id = new_ids[point.new_category] if point.new_category else point.category_id
        pk = stored.get((point.indicator_id, point.period.label, category_id))
        is_new = pk is None
        period = point.period
        chunk.append(
            (
                next(fresh) if is_new else pk,
                is_new,
                point.indicator_id,
                period.label,
                period.kind,
                ops.adapt_datefield_value(period.start),
                ops.adapt_datefield_value(period.end),
                category_id,
                ops.adapt_decimalfield_value(point.value, 18, 4),
                point.suppressed,
                point.marker,
                point.source[:300],
                point.note,
            )
        )
        if len(chunk) == batch:
            cursor.executemany(sql, chunk)
            done += len(chunk)
            chunk = []
            if progress is not None:
                progress(done, total)
    if chunk:
        cursor.executemany(sql, chunk)
    return created


def _history_columns(
    source: str, *, history_type: str, stamp: Any, user: Any, cast: bool = False
) -> tuple[list[str], list[str], list[Any]]:
    """The history table's columns, and for each the value taken from the data point rows
    `source` (an alias), with the parameters of the placeholders among them. With `cast`, each
    placeholder says its type (a NULL in a UNION would otherwise be read as text)."""
    history = DataPoint.history.model
    point_columns = {f.column for f in DataPoint._meta.concrete_fields}
    targets: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for f in history._meta.concrete_fields:
        if f.primary_key:
            continue
        targets.append(f.column)
        if f.column in point_columns:
            values.append(f"{source}.{f.column}")
        elif f.column == "history_type":
            values.append(history_type)
        else:
            values.append(f"CAST(%s AS {f.cast_db_type(connection)})" if cast else "%s")
            if f.column == "history_date":
                params.append(stamp)
            elif f.column == "history_user_id":
                params.append(getattr(user, "pk", None))
            else:  # history_change_reason
                params.append(None)
    return targets, values, params


# What a file can change on a stored point (its indicator, period and group are how it was
# found): a point whose columns all read the same is not written again.
COMPARED = [
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "suppressed",
    "suppression_marker",
    "source",
    "note",
]


def _write_postgresql(cursor: Any, *, org_id: int, now: Any, user: Any) -> int:
    """One statement: the update of the stored points that changed and the insert of the new
    ones each hand the rows they wrote (RETURNING) to the insert of their history rows, so
    neither the new ids nor the written rows are read back. Returns the number of history rows:
    the new points and the changed ones."""
    table = DataPoint._meta.db_table
    history = DataPoint.history.model._meta.db_table
    copied = [name for name, _kind in STAGE_COLUMNS if name not in ("id", "is_new")]
    targets, updated_values, updated_params = _history_columns(
        "u", history_type="'~'", stamp=now, user=user, cast=True
    )
    _targets, new_values, new_params = _history_columns(
        "i", history_type="'+'", stamp=now, user=user, cast=True
    )
    sets = ", ".join(f"{c} = s.{c}" for c in copied if c not in ("indicator_id", "period"))
    stored = ", ".join(f"{table}.{c}" for c in COMPARED)
    staged = ", ".join(f"s.{c}" for c in COMPARED)
    cursor.execute(
        f"WITH u AS (UPDATE {table} SET {sets}, updated_at = %s FROM {STAGE} AS s "  # noqa: S608
        f"WHERE {table}.id = s.id AND NOT s.is_new "
        f"AND ({stored}) IS DISTINCT FROM ({staged}) RETURNING {table}.*), "
        f"i AS (INSERT INTO {table} (organization_id, measure_id, {', '.join(copied)}, "
        f"created_at, updated_at) SELECT %s, NULL, {', '.join(copied)}, %s, %s "
        f"FROM {STAGE} WHERE is_new RETURNING *) "
        f"INSERT INTO {history} ({', '.join(targets)}) "
        f"SELECT {', '.join(updated_values)} FROM u "
        f"UNION ALL SELECT {', '.join(new_values)} FROM i",
        [now, org_id, now, now, *updated_params, *new_params],
    )
    return int(cursor.rowcount)


def _write_sqlite(cursor: Any, *, org_id: int, now: Any, user: Any, stored: int) -> int:
    """SQLite has no data-modifying WITH: the stored points the file repeats exactly leave the
    stage, then an update, an insert (with the ids taken up front), and the history rows joined
    on those ids. Returns the number of the `stored` points of the stage that changed."""
    table = DataPoint._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    copied = [name for name, _kind in STAGE_COLUMNS if name not in ("id", "is_new")]
    same = " AND ".join(f"d.{c} IS {STAGE}.{c}" for c in COMPARED)
    cursor.execute(
        f"DELETE FROM {STAGE} WHERE NOT is_new AND EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {table} AS d WHERE d.id = {STAGE}.id AND {same})"
    )
    changed = stored - int(cursor.rowcount)
    cursor.execute(
        f"UPDATE {table} SET "  # noqa: S608
        + ", ".join(f"{c} = s.{c}" for c in copied if c not in ("indicator_id", "period"))
        + f", updated_at = %s FROM {STAGE} AS s WHERE {table}.id = s.id AND NOT s.is_new",
        [stamp],
    )
    cursor.execute(
        f"INSERT INTO {table} (id, organization_id, measure_id, {', '.join(copied)}, "  # noqa: S608
        f"created_at, updated_at) SELECT id, %s, NULL, {', '.join(copied)}, %s, %s "
        f"FROM {STAGE} WHERE is_new = 1",
        [org_id, stamp, stamp],
    )
    targets, values, params = _history_columns(
        "d", history_type="CASE WHEN s.is_new = 1 THEN '+' ELSE '~' END", stamp=stamp, user=user
    )
    cursor.execute(
        f"INSERT INTO {DataPoint.history.model._meta.db_table} ({', '.join(targets)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {table} AS d JOIN {STAGE} AS s ON d.id = s.id",
        params,
    )
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    return changed


def import_mapping_remember(*, initiative: Any, source_key: str, mapping: dict[str, Any]) -> None:
    """Keep the mapping used for this source, to propose it for the next file of the source."""
    ImportMapping.objects.update_or_create(
        organization_id=initiative.organization_id,
        initiative=initiative,
        source_key=source_key[:200],
        defaults={"mapping": mapping},
    )


def import_mapping_recall(*, initiative: Any, source_key: str) -> dict[str, Any] | None:
    found = (
        ImportMapping.objects.filter(
            organization_id=initiative.organization_id,
            initiative=initiative,
            source_key=source_key[:200],
        )
        .values_list("mapping", flat=True)
        .first()
    )
    return dict(found) if isinstance(found, dict) else None
