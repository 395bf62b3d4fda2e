"""Factories for the metrics app's models. Shared by every area's tests: add to it, keep each
factory's defaults valid on their own (a data point's category belongs to its indicator's
initiative, and everything to one organization)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from initiatives.tests.factories import InitiativeFactory, ResultFactory
from metrics.models import (
    Category,
    DataPoint,
    Dimension,
    DisparityGap,
    Indicator,
    PerformanceMeasure,
    PeriodKind,
    Unit,
)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    initiative = factory.SelfAttribute("result.initiative")
    organization = factory.SelfAttribute("result.organization")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = Unit.PERCENT
    position = factory.Sequence(lambda n: n)


class PerformanceMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformanceMeasure

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SelfAttribute("initiative.organization")
    name = factory.Sequence(lambda n: f"Performance measure {n}")
    kind = PerformanceMeasure.Kind.HOW_MUCH
    unit = Unit.COUNT
    position = factory.Sequence(lambda n: n)


class DimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dimension

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SelfAttribute("initiative.organization")
    name = factory.Sequence(lambda n: f"Dimension {n}")
    position = factory.Sequence(lambda n: n)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    dimension = factory.SubFactory(DimensionFactory)
    organization = factory.SelfAttribute("dimension.organization")
    name = factory.Sequence(lambda n: f"Group {n}")
    position = factory.Sequence(lambda n: n)


class DataPointFactory(factory.django.DjangoModelFactory):
    """A yearly value of an indicator for everyone; pass period/period_start/period_end together
    for another period, and category= for one group."""

    class Meta:
        model = DataPoint

    indicator = factory.SubFactory(IndicatorFactory)
    organization = factory.SelfAttribute("indicator.organization")
    period = "2024"
    period_kind = PeriodKind.YEAR
    period_start = factory.LazyAttribute(lambda o: date(int(o.period[:4]), 1, 1))
    period_end = factory.LazyAttribute(lambda o: date(int(o.period[:4]), 12, 31))
    value = Decimal("50.0")


class DisparityGapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisparityGap

    indicator = factory.SubFactory(IndicatorFactory)
    organization = factory.SelfAttribute("indicator.organization")
    dimension = factory.SubFactory(
        DimensionFactory,
        initiative=factory.SelfAttribute("..indicator.initiative"),
        organization=factory.SelfAttribute("..organization"),
    )
    reference = factory.SubFactory(
        CategoryFactory,
        dimension=factory.SelfAttribute("..dimension"),
        organization=factory.SelfAttribute("..organization"),
    )
    focus = factory.SubFactory(
        CategoryFactory,
        dimension=factory.SelfAttribute("..dimension"),
        organization=factory.SelfAttribute("..organization"),
    )
    name = factory.Sequence(lambda n: f"Gap {n}")
