"""The data of one indicator, or of every indicator of an initiative, as CSV or XLSX in the long
layout the importer reads: one row per value, with its indicator, period, disaggregation and
group (blank for everyone), value, suppression, source and note. Performance measures download
the same way, their name in the first column.

Text cells that would run as a formula in a spreadsheet (starting with = + - @, a tab or a
carriage return) are neutralised as the people export does (initiatives.exporters.neutralise).
Values stay numbers, so a negative value is not mistaken for a formula nor turned into text; a
suppressed value has no number, and says so in its own columns, never as zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from initiatives.exporters import neutralise
from initiatives.models import Initiative
from metrics.models import DataPoint, Indicator, PerformanceMeasure

Cell = str | Decimal | None


def headers(*, measures: bool = False) -> list[str]:
    return [
        _("Performance measure") if measures else _("Indicator"),
        _("Period"),
        _("Dimension"),
        _("Category"),
        _("Value"),
        _("Suppressed"),
        _("Suppression marker"),
        _("Source"),
        _("Note"),
    ]


def _points(points: QuerySet[DataPoint], *, subject: str = "indicator") -> list[list[Cell]]:
    # Everyone first, then the groups in their order; periods oldest first.
    place = (
        ("indicator__result__position", "indicator__position", "indicator_id")
        if subject == "indicator"
        else ("measure__position", "measure_id")
    )
    ordered = points.select_related(subject, "category__dimension").order_by(
        *place,
        "period_start",
        F("category__dimension__position").asc(nulls_first=True),
        "category__dimension_id",
        "category__position",
        "category_id",
    )
    rows: list[list[Cell]] = []
    for point in ordered:
        owner = getattr(point, subject)
        assert owner is not None  # filtered on indicators, or on measures
        category = point.category
        rows.append(
            [
                owner.name,
                point.period,
                category.dimension.name if category else "",
                category.name if category else "",
                None if point.value is None else point.value.normalize(),
                _("yes") if point.suppressed else "",
                point.suppression_marker,
                point.source,
                point.note,
            ]
        )
    return rows


def indicator_table(*, indicator: Indicator) -> tuple[list[str], list[list[Cell]]]:
    """Every value of one indicator (one query)."""
    points = DataPoint.objects.filter(
        organization_id=indicator.organization_id, indicator=indicator
    )
    return headers(), _points(points)


def initiative_table(*, initiative: Initiative) -> tuple[list[str], list[list[Cell]]]:
    """Every value of every indicator of an initiative, indicator by indicator in the order of
    the results page (one query)."""
    points = DataPoint.objects.filter(
        organization_id=initiative.organization_id, indicator__initiative=initiative
    )
    return headers(), _points(points)


def measure_table(*, measure: PerformanceMeasure) -> tuple[list[str], list[list[Cell]]]:
    """Every value of one performance measure (one query)."""
    points = DataPoint.objects.filter(organization_id=measure.organization_id, measure=measure)
    return headers(measures=True), _points(points, subject="measure")


def initiative_measures_table(*, initiative: Initiative) -> tuple[list[str], list[list[Cell]]]:
    """Every value of every performance measure of an initiative, measure by measure (one
    query)."""
    points = DataPoint.objects.filter(
        organization_id=initiative.organization_id, measure__initiative=initiative
    )
    return headers(measures=True), _points(points, subject="measure")


def _safe(cell: Cell) -> Cell:
    return neutralise(cell) if isinstance(cell, str) else cell


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    return f"{cell:f}" if isinstance(cell, Decimal) else neutralise(cell)


def to_csv(head: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM, so Excel shows accented names as they are. A value is written as plain
    digits ("45.2", "-3.5"): a number, which a spreadsheet never runs."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in head])
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(head: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet: str) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append([neutralise(h) for h in head])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(c) for c in row])
    for i, header in enumerate(head):
        letter = ws.cell(row=1, column=i + 1).column_letter
        ws.column_dimensions[letter].width = max(12, min(40, len(header) + 4))
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
