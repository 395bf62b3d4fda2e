"""The "data_point.added" event sent to the organization's webhooks (backbone.webhooks).

A value entered (a page, the API) is one event with the point. A file import is one event for
the whole file, naming its indicators and how many points it added: an import of 200,000 values
must not become 200,000 requests to every receiver, which re-reads the indicators it cares
about through the API instead."""

from __future__ import annotations

from collections.abc import Sequence

from backbone.webhooks.emit import webhook_emit
from backbone.webhooks.models import EventType
from metrics.models import DataPoint, Indicator, PerformanceMeasure


def data_point_added(*, point: DataPoint, subject: Indicator | PerformanceMeasure) -> None:
    webhook_emit(
        organization_id=point.organization_id,
        event=EventType.DATA_POINT_ADDED,
        data=lambda: {
            "via": "entry",
            "data_point": {
                "id": point.pk,
                "initiative_id": subject.initiative_id,
                "indicator_id": point.indicator_id,
                "measure_id": point.measure_id,
                "category_id": point.category_id,
                "period": point.period,
                "period_start": point.period_start,
                "period_end": point.period_end,
                "value": point.value,
                "suppressed": point.suppressed,
                "suppression_marker": point.suppression_marker,
                "source": point.source,
            },
        },
    )


def data_points_imported(
    *,
    organization_id: int,
    initiative_id: int,
    indicator_ids: Sequence[int],
    added: int,
    updated: int,
) -> None:
    webhook_emit(
        organization_id=organization_id,
        event=EventType.DATA_POINT_ADDED,
        data=lambda: {
            "via": "import",
            "import": {
                "initiative_id": initiative_id,
                "indicator_ids": list(indicator_ids),
                "added": added,
                "updated": updated,
            },
        },
    )
