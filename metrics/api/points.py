"""Reading data points sent to the API, one or many, the way the importer reads a spreadsheet:
the period with metrics.periods, the value with metrics.numbers against the indicator's unit
(a suppression marker is a suppressed value), ids within the caller's organization, and the
same indicator, period and group only once per request. Then writing them all with
metrics.services.data_point_upsert, or none: any problem, found here or by the service, is
reported under the field it concerns (`points[3].value` in a bulk request) and nothing is saved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings

from backbone.models import Organization, User
from metrics.api.serializers import DataPointInputSerializer
from metrics.models import Category, DataPoint, Indicator, PerformanceMeasure
from metrics.numbers import BLANK, NumberError, Parsed, parse_number
from metrics.periods import Period, PeriodError, parse_period
from metrics.services import data_point_upsert

# Each point is a few queries (the service locks and compares it, and keeps its history): a
# request stays well within a web worker's time. Larger loads go through the file importer.
BULK_MAX = 1000

Subject = Indicator | PerformanceMeasure


@dataclass
class PointToWrite:
    subject: Subject
    period: Period
    category: Category | None
    value: Decimal | None
    suppressed: bool
    marker: str
    source: str
    note: str


class Problems:
    """Field problems of a request: `points[<index>].<field>` in a bulk request, the field's
    own name for a single point."""

    def __init__(self, *, bulk: bool) -> None:
        self.bulk = bulk
        self.fields: dict[str, list[str]] = {}
        self.rows: set[int] = set()

    def key(self, index: int, field: str) -> str:
        if not self.bulk:
            return field
        return f"points[{index}]" if field == NON_FIELD_ERRORS else f"points[{index}].{field}"

    def add(self, index: int, field: str, messages: list[str]) -> None:
        self.fields.setdefault(self.key(index, field), []).extend(str(m) for m in messages)
        self.rows.add(index)

    def raise_if_any(self, total: int) -> None:
        if not self.fields:
            return
        detail: dict[str, Any] = dict(self.fields)
        if self.bulk:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = [
                _("%(bad)s of %(total)s points have problems; nothing was written.")
                % {"bad": len(self.rows), "total": total}
            ]
        raise exceptions.ValidationError(detail)


@dataclass
class Known:
    """The indicators, measures and groups a request names, read in one query each."""

    indicators: dict[int, Indicator]
    measures: dict[int, PerformanceMeasure]
    categories: dict[int, Category]

    @classmethod
    def load(cls, organization: Organization, rows: list[dict[str, Any]]) -> Known:
        def ids(name: str) -> set[int]:
            return {r[name] for r in rows if r.get(name) is not None}

        return cls(
            indicators=Indicator.objects.filter(
                organization=organization, pk__in=ids("indicator")
            ).in_bulk(),
            measures=PerformanceMeasure.objects.filter(
                organization=organization, pk__in=ids("measure")
            ).in_bulk(),
            categories=Category.objects.filter(
                organization=organization, pk__in=ids("category")
            ).in_bulk(),
        )


def _missing(pk: Any) -> str:
    # DRF's words for an id it cannot find, as the other endpoints answer.
    return str(serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]).format(
        pk_value=pk
    )


def _parse_value(raw: Any, unit: str) -> Parsed:
    if raw is None:
        return BLANK
    return parse_number(raw, unit=unit)


def check_point(
    index: int, row: dict[str, Any], known: Known, problems: Problems
) -> PointToWrite | None:
    """One point, shaped by DataPointInputSerializer, ready to write; or None, its problems
    added to `problems`."""
    before = len(problems.fields)
    subject: Subject | None = None
    if (row.get("indicator") is None) == (row.get("measure") is None):
        problems.add(index, "indicator", [_("Give either an indicator or a measure (not both).")])
    elif row.get("indicator") is not None:
        subject = known.indicators.get(row["indicator"])
        if subject is None:
            problems.add(index, "indicator", [_missing(row["indicator"])])
    else:
        subject = known.measures.get(row["measure"])
        if subject is None:
            problems.add(index, "measure", [_missing(row["measure"])])
    category = None
    if row.get("category") is not None:
        category = known.categories.get(row["category"])
        if category is None:
            problems.add(index, "category", [_missing(row["category"])])
    period = None
    try:
        period = parse_period(row["period"])
    except PeriodError as error:
        problems.add(index, "period", [str(error)])
    parsed = BLANK
    if subject is not None:
        try:
            parsed = _parse_value(row.get("value"), subject.unit)
        except NumberError as error:
            problems.add(index, "value", [str(error)])
    if len(problems.fields) > before or subject is None or period is None:
        return None
    marker = row.get("suppression_marker", "").strip()
    return PointToWrite(
        subject=subject,
        period=period,
        category=category,
        value=parsed.value,
        suppressed=bool(row.get("suppressed")) or parsed.suppressed,
        marker=marker or parsed.marker,
        source=row.get("source", ""),
        note=row.get("note", ""),
    )


def _key(point: PointToWrite) -> tuple[str, int, str, int | None]:
    kind = "indicator" if isinstance(point.subject, Indicator) else "measure"
    category_id = None if point.category is None else point.category.pk
    return kind, point.subject.pk, point.period.label, category_id


def check_points(
    organization: Organization, rows: list[Any], *, bulk: bool
) -> tuple[list[PointToWrite], Problems]:
    """Every row checked; the points are complete only when there are no problems."""
    problems = Problems(bulk=bulk)
    shaped: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        serializer = DataPointInputSerializer(data=row)
        if serializer.is_valid():
            shaped.append((index, dict(serializer.validated_data)))
        else:
            errors = serializer.errors
            if isinstance(errors, dict):
                for field, messages in errors.items():
                    field = (
                        NON_FIELD_ERRORS if field == api_settings.NON_FIELD_ERRORS_KEY else field
                    )
                    problems.add(index, field, list(messages))
    known = Known.load(organization, [row for _index, row in shaped])
    points: list[PointToWrite] = []
    first_at: dict[tuple[str, int, str, int | None], int] = {}
    for index, row in shaped:
        point = check_point(index, row, known, problems)
        if point is None:
            continue
        earlier = first_at.setdefault(_key(point), index)
        if earlier != index:
            problems.add(
                index,
                "period",
                [
                    _("points[%(index)s] already gives the value of %(period)s for this group.")
                    % {"index": earlier, "period": point.period.label}
                ],
            )
            continue
        points.append(point)
    return points, problems


def write_points(
    points: list[PointToWrite], problems: Problems, *, total: int, by: User | None
) -> tuple[list[DataPoint], Counter[str]]:
    """Upsert every point in one transaction; if the service refuses any, none is kept. Call
    only with the points of a request that had no problems."""
    problems.raise_if_any(total)
    written: list[DataPoint] = []
    outcomes: Counter[str] = Counter()
    with transaction.atomic():
        for index, point in enumerate(points):
            try:
                saved, outcome = data_point_upsert(
                    subject=point.subject,
                    period=point.period,
                    value=point.value,
                    category=point.category,
                    suppressed=point.suppressed,
                    suppression_marker=point.marker,
                    source=point.source,
                    note=point.note,
                    changed_by=by,
                )
            except DjangoValidationError as error:
                # The service's savepoint undid this point; keep checking the rest so every
                # problem is named, then undo them all.
                if hasattr(error, "error_dict"):
                    for field, texts in error.message_dict.items():
                        problems.add(index, field, texts)
                else:
                    problems.add(index, NON_FIELD_ERRORS, error.messages)
                continue
            written.append(saved)
            outcomes[outcome] += 1
        problems.raise_if_any(total)
    return written, outcomes
