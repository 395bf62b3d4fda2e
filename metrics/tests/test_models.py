"""The database itself refuses what the measurement model forbids: a data point of both or
neither an indicator and a measure, a second value for the same period and group, a gap
between a group and itself. And every change of a data point is kept in its history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from metrics.models import DataPoint, TurnTheCurve
from metrics.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    DisparityGapFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)

pytestmark = pytest.mark.django_db


def _refused(**fields: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPointFactory(**fields)


def test_a_data_point_belongs_to_exactly_one_indicator_or_measure() -> None:
    indicator: Any = IndicatorFactory()
    measure: Any = PerformanceMeasureFactory(organization=indicator.organization)

    _refused(indicator=indicator, measure=measure)
    _refused(indicator=None, measure=None, organization=indicator.organization)

    assert DataPoint.objects.count() == 0


def test_one_total_value_per_indicator_and_period() -> None:
    point: Any = DataPointFactory(period="2020", value=Decimal("41.5"))

    _refused(indicator=point.indicator, period="2020", value=Decimal("44"))

    assert list(DataPoint.objects.values_list("period", "value")) == [("2020", Decimal("41.5"))]
    DataPointFactory(indicator=point.indicator, period="2021")
    assert DataPoint.objects.count() == 2


def test_one_value_per_indicator_period_and_group_beside_the_total() -> None:
    indicator: Any = IndicatorFactory()
    dimension: Any = DimensionFactory(initiative=indicator.initiative)
    black: Any = CategoryFactory(dimension=dimension, name="Black")
    white: Any = CategoryFactory(dimension=dimension, name="White")
    DataPointFactory(indicator=indicator, period="2020")
    DataPointFactory(indicator=indicator, period="2020", category=black)
    DataPointFactory(indicator=indicator, period="2020", category=white)

    _refused(indicator=indicator, period="2020", category=black)

    assert DataPoint.objects.filter(indicator=indicator).count() == 3


def test_one_value_per_measure_period_and_group() -> None:
    measure: Any = PerformanceMeasureFactory()
    category: Any = CategoryFactory(
        dimension=DimensionFactory(initiative=measure.initiative), name="Spanish"
    )
    DataPointFactory(indicator=None, measure=measure, organization=measure.organization)
    DataPointFactory(
        indicator=None, measure=measure, organization=measure.organization, category=category
    )

    _refused(indicator=None, measure=measure, organization=measure.organization)
    _refused(indicator=None, measure=measure, organization=measure.organization, category=category)

    assert DataPoint.objects.filter(measure=measure).count() == 2


def test_a_period_cannot_end_before_it_starts() -> None:
    _refused(period="2020", period_end=date(2019, 12, 31))

    assert DataPoint.objects.count() == 0


def test_a_gap_compares_two_different_groups() -> None:
    gap: Any = DisparityGapFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        DisparityGapFactory(
            indicator=gap.indicator, dimension=gap.dimension, reference=gap.focus, focus=gap.focus
        )


def test_a_turn_the_curve_note_belongs_to_exactly_one_indicator_or_measure() -> None:
    indicator: Any = IndicatorFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        TurnTheCurve.objects.create(organization=indicator.organization)

    assert TurnTheCurve.objects.count() == 0


def test_each_change_of_a_data_point_is_kept_in_its_history() -> None:
    point: Any = DataPointFactory(period="2019", value=Decimal("38.0"))
    point.value = Decimal("38.4")
    point.save()

    history = list(point.history.order_by("history_id").values_list("history_type", "value"))

    assert history == [("+", Decimal("38.0")), ("~", Decimal("38.4"))]


@pytest.mark.postgres
def test_a_data_point_names_an_indicator_or_measure_of_its_own_organization() -> None:
    """The database, not only the code, keeps a point with its indicator's or measure's
    organization: one composite foreign key each (migration 0007)."""
    from django.db import connection

    from tests.concurrency import require_postgresql

    require_postgresql()
    # The foreign keys are deferred to the commit, which a test never reaches: check them at
    # the end of each statement instead.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    indicator: Any = IndicatorFactory()
    other: Any = IndicatorFactory()
    measure: Any = PerformanceMeasureFactory(organization=indicator.organization)
    other_measure: Any = PerformanceMeasureFactory()

    _refused(indicator=indicator, organization=other.organization)
    _refused(indicator=other, organization=indicator.organization)
    _refused(indicator=None, measure=other_measure, organization=indicator.organization)
    _refused(indicator=None, measure=measure, organization=other_measure.organization)
    assert DataPoint.objects.count() == 0

    kept: list[Any] = [
        DataPointFactory(indicator=indicator),
        DataPointFactory(indicator=None, measure=measure, organization=indicator.organization),
    ]
    assert sorted(DataPoint.objects.values_list("pk", flat=True)) == sorted(p.pk for p in kept)

    # An indicator with points cannot be deleted behind Django's back either.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_indicator WHERE id = %s", [indicator.pk])
    assert DataPoint.objects.filter(indicator=indicator).count() == 1
