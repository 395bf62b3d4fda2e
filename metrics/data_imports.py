"""The life of a data file uploaded in the browser (metrics.models.DataImport): uploaded and
previewed with a proposed column mapping, previewed again with the mapping a person corrected,
then imported — all of it or nothing — either at once or by a background worker for a large
file, reporting its progress as it goes.

The reading, mapping, checking and writing are the importer's (metrics.importers); this module
keeps the row that carries one file through them, so the page, the worker and a second look at
the page all agree on what happened.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.models import User
from initiatives.models import Initiative
from metrics.charts import format_value
from metrics.importers.commit import (
    ImportRefused,
    data_points_import,
    import_mapping_recall,
    import_mapping_remember,
)
from metrics.importers.layout import (
    Mapping,
    header_signature,
    mapping_problems,
    propose_mapping,
)
from metrics.importers.read import ReadError, Table, letter, read_table
from metrics.importers.validate import (
    Checked,
    check_rows,
    existing_keys,
    load_context,
    preview,
)
from metrics.models import DataImport, Indicator

logger = logging.getLogger(__name__)

# Files with more rows than this are imported by a background worker, with a progress bar.
BACKGROUND_ROWS = 5000
SAMPLES = 3
# How many problems the page lists; the count says how many there are in all.
SHOWN_ERRORS = 200


def _progress_key(pk: int) -> str:
    return f"metrics:data-import:{pk}:written"


def _table(data_import: DataImport) -> Table:
    return read_table(bytes(data_import.upload), file_name=data_import.file_name)


def _samples(table: Table) -> dict[str, str]:
    shown: dict[str, str] = {}
    for column in table.columns:
        values = []
        for value in table.frame[column].tolist():
            text = "" if value is None or value != value else str(value).strip()
            if text and text not in values:
                values.append(text)
            if len(values) == SAMPLES:
                break
        shown[column] = ", ".join(values)
    return shown


def _check(
    data_import: DataImport, table: Table, mapping: Mapping, progress: Any = None
) -> tuple[Checked | None, list[str], Any]:
    initiative = data_import.initiative
    problems = mapping_problems(
        mapping, table.columns, fixed_indicator=data_import.indicator_id is not None
    )
    context = load_context(initiative, data_import.indicator)
    if problems:
        return None, problems, context
    checked = check_rows(
        table.frame,
        mapping,
        context,
        header_row=table.header_rows[-1] if table.header_rows else 1,
        extra_columns=table.extra_columns,
        progress=progress,
    )
    return checked, [], context


def _store_preview(
    data_import: DataImport, table: Table, mapping: Mapping, *, remembered: bool
) -> None:
    checked, problems, context = _check(data_import, table, mapping)
    summary: dict[str, Any] = {"points": 0, "new": 0, "updated": 0, "suppressed": 0, "rows": []}
    if checked is not None:
        existing = existing_keys(
            data_import.organization_id, {p.indicator_id for p in checked.points}
        )
        summary = preview(checked, existing=existing)
        infos = {info.id: info for info in context.indicators.values()}
        if context.fixed is not None:
            infos[context.fixed.id] = context.fixed
        for row in summary["rows"]:
            info = infos.get(row["indicator_id"])
            row["indicator"] = info.name if info else ""
            # As the indicator's pages will show it: "46%", not "46".
            row["shown"] = (
                format_value(Decimal(row["value"]), info.unit)
                if info is not None and row["value"] is not None
                else row["value"]
            )
            row["group"] = (
                row["category"][1]
                if row["category"]
                else context.category_names.get(row["category_id"], "")
                if row["category_id"]
                else ""
            )
    summary.update(
        {
            "problems": problems,
            "columns": [{"name": c, "letter": letter(i)} for i, c in enumerate(table.columns)],
            "samples": _samples(table),
            "row_count": len(table.frame),
            "kind": table.kind,
            "notes": table.notes[:10],
            "remembered": remembered,
        }
    )
    errors = [] if checked is None else [e.to_json() for e in checked.errors[:SHOWN_ERRORS]]
    data_import.preview = summary
    data_import.errors = errors
    if checked is not None:
        data_import.preview["errors"] = len(checked.errors) + checked.more_errors
    else:
        data_import.preview["errors"] = 0
    data_import.layout = mapping.layout
    data_import.mapping = mapping.to_json()
    data_import.status = DataImport.Status.PREVIEWED
    data_import.progress_total = len(table.frame)


@transaction.atomic
def data_import_create(
    *,
    initiative: Initiative,
    data: bytes,
    file_name: str,
    uploaded_by: User | None,
    indicator: Indicator | None = None,
) -> DataImport:
    """Keep an uploaded file and preview it with the mapping remembered for its source (or a
    guess). Raises ReadError, keeping nothing, for a file that cannot be read at all."""
    if indicator is not None and indicator.initiative_id != initiative.pk:
        raise ReadError(_("That indicator is not one of this initiative's."))
    table = read_table(data, file_name=file_name)
    remembered = import_mapping_recall(
        initiative=initiative, source_key=header_signature(table.columns)
    )
    mapping = propose_mapping(
        table.columns, remembered, indicator_name=indicator.name if indicator else ""
    )
    data_import = DataImport(
        organization_id=initiative.organization_id,
        initiative=initiative,
        indicator=indicator,
        uploaded_by=uploaded_by,
        file_name=file_name[:255],
        upload=data,
    )
    _store_preview(data_import, table, mapping, remembered=bool(remembered))
    data_import.save()
    return data_import


@transaction.atomic
def data_import_set_mapping(*, data_import: DataImport, mapping: Mapping) -> DataImport:
    """Preview again with the mapping a person chose."""
    if data_import.status not in (DataImport.Status.UPLOADED, DataImport.Status.PREVIEWED):
        raise ImportRefused(_("This file was already imported; upload it again to change it."))
    table = _table(data_import)
    _store_preview(data_import, table, mapping, remembered=False)
    data_import.save()
    return data_import


def data_import_is_large(data_import: DataImport) -> bool:
    return int(data_import.preview.get("row_count", 0)) > BACKGROUND_ROWS


def data_import_start(*, data_import: DataImport) -> bool:
    """Mark a previewed file as being imported (compare-and-set, so a second click does not
    import it twice). False when it was not waiting to be imported."""
    changed = DataImport.objects.filter(
        pk=data_import.pk, status=DataImport.Status.PREVIEWED
    ).update(status=DataImport.Status.IMPORTING, progress_done=0)
    if changed:
        cache.delete(_progress_key(data_import.pk))
        data_import.status = DataImport.Status.IMPORTING
        data_import.progress_done = 0
    return bool(changed)


def data_import_run(*, pk: int) -> DataImport | None:
    """Import a file marked as importing: read and check it again (the stored file is the one
    previewed), then write every value or none. The checking progress is written to the row as
    it goes; the writing happens in one transaction, so its progress goes through the cache.
    Safe to run twice: a row no longer importing is left alone."""
    data_import = (
        DataImport.objects.select_related("initiative", "indicator", "uploaded_by")
        .filter(pk=pk, status=DataImport.Status.IMPORTING)
        .first()
    )
    if data_import is None:
        return None
    try:
        table = _table(data_import)
    except ReadError as error:
        return _finish(data_import, failed=[{"row": 0, "column": "", "message": str(error)}])
    mapping = Mapping.from_json(data_import.mapping)

    def checking(done: int, total: int) -> None:
        DataImport.objects.filter(pk=pk).update(progress_done=done, progress_total=total)

    checked, problems, _context = _check(data_import, table, mapping, progress=checking)
    if checked is None:
        return _finish(
            data_import, failed=[{"row": 0, "column": "", "message": p} for p in problems]
        )
    if checked.errors or checked.more_errors:
        return _finish(data_import, failed=[e.to_json() for e in checked.errors[:SHOWN_ERRORS]])

    def writing(done: int, total: int) -> None:
        cache.set(_progress_key(pk), (done, total), timeout=3600)

    try:
        written = data_points_import(
            initiative=data_import.initiative,
            checked=checked,
            user=data_import.uploaded_by,
            progress=writing,
        )
    except ImportRefused as error:
        return _finish(data_import, failed=[{"row": 0, "column": "", "message": str(error)}])
    except Exception:
        # The transaction was rolled back: say so on the page rather than spin forever.
        logger.exception("data import %s failed", pk)
        message = _("The import stopped on an unexpected error; nothing was written.")
        return _finish(data_import, failed=[{"row": 0, "column": "", "message": message}])
    import_mapping_remember(
        initiative=data_import.initiative,
        source_key=header_signature(table.columns),
        mapping=mapping.to_json(),
    )
    data_import.preview = {
        **data_import.preview,
        "written": {
            "created": written.created,
            "updated": written.updated,
            "unchanged": written.unchanged,
            "categories_created": written.categories_created,
        },
    }
    total = written.created + written.updated + written.unchanged
    return _finish(data_import, done=total)


def _finish(
    data_import: DataImport, *, failed: list[dict[str, Any]] | None = None, done: int = 0
) -> DataImport:
    data_import.finished_at = timezone.now()
    if failed is not None:
        data_import.status = DataImport.Status.FAILED
        data_import.errors = failed
    else:
        data_import.status = DataImport.Status.DONE
        data_import.progress_done = data_import.progress_total = done
    DataImport.objects.filter(pk=data_import.pk, status=DataImport.Status.IMPORTING).update(
        status=data_import.status,
        errors=data_import.errors,
        preview=data_import.preview,
        finished_at=data_import.finished_at,
        progress_done=data_import.progress_done,
        progress_total=data_import.progress_total,
    )
    cache.delete(_progress_key(data_import.pk))
    return data_import


def data_import_progress(data_import: DataImport) -> tuple[str, int, int]:
    """(stage, done, total) for the progress bar: "checking" the rows, then "writing" the
    values, or the row's status once it is over."""
    if data_import.status != DataImport.Status.IMPORTING:
        return str(data_import.status), data_import.progress_done, data_import.progress_total
    written = cache.get(_progress_key(data_import.pk))
    if written:
        return "writing", int(written[0]), int(written[1])
    return "checking", data_import.progress_done, data_import.progress_total
