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

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from metrics.importers.validate import Checked, Point
from metrics.models import Category, DataPoint, Dimension, ImportMapping, Indicator

BATCH = 2000
UPDATED_FIELDS = [
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "suppressed",
    "suppression_marker",
    "source",
    "note",
    "updated_at",
]


class ImportRefused(Exception):
    """The checked rows cannot be written; nothing was."""


@dataclass(frozen=True)
class Written:
    created: int
    updated: int
    categories_created: int


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
    stored ones (same indicator, period and group). Raises ImportRefused, writing nothing, if the
    file had any error or names an indicator outside the initiative."""
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
    periods = sorted({p.period.label for p in checked.points})
    stored: dict[tuple[int, str, int | None], tuple[int, Any]] = {
        (indicator_id, period, category_id): (pk, created_at)
        for pk, indicator_id, period, category_id, created_at in DataPoint.objects.filter(
            organization_id=org_id, indicator_id__in=indicator_ids, period__in=periods
        ).values_list("id", "indicator_id", "period", "category_id", "created_at")
    }
    now = timezone.now()
    to_create: list[DataPoint] = []
    to_update: list[DataPoint] = []
    for point in checked.points:
        category_id = new_ids[point.new_category] if point.new_category else point.category_id
        row = _data_point(point, org_id, category_id, now)
        found = stored.get((point.indicator_id, point.period.label, category_id))
        if found is None:
            to_create.append(row)
        else:
            # Its history row copies every field: the stored creation time, not now.
            row.pk, row.created_at = found
            to_update.append(row)
    total = len(to_create) + len(to_update)
    done = 0
    for start in range(0, len(to_create), batch):
        chunk = to_create[start : start + batch]
        bulk_create_with_history(
            chunk, DataPoint, batch_size=batch, default_user=user, default_date=now
        )
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    for start in range(0, len(to_update), batch):
        chunk = to_update[start : start + batch]
        bulk_update_with_history(
            chunk,
            DataPoint,
            fields=UPDATED_FIELDS,
            batch_size=batch,
            default_user=user,
            default_date=now,
        )
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return Written(created=len(to_create), updated=len(to_update), categories_created=len(new_ids))


def _data_point(point: Point, org_id: int, category_id: int | None, now: Any) -> DataPoint:
    return DataPoint(
        organization_id=org_id,
        indicator_id=point.indicator_id,
        period=point.period.label,
        period_kind=point.period.kind,
        period_start=point.period.start,
        period_end=point.period.end,
        category_id=category_id,
        value=point.value,
        suppressed=point.suppressed,
        suppression_marker=point.marker,
        source=point.source[:300],
        note=point.note,
        created_at=now,
        updated_at=now,
    )


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
