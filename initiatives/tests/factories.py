"""Factories for the initiatives app's models. Shared by every area's tests: add to it, keep
each factory's defaults valid on their own."""

from __future__ import annotations

import factory

from initiatives.models import (
    FilterCriterion,
    GroundRule,
    ImportBatch,
    Initiative,
    PartnerOrganization,
    Person,
    Result,
    Screening,
    ScreeningAnswer,
    Seat,
    Sector,
    Strategy,
    Table,
)
from tests.factories import OrganizationFactory


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Initiative {n}")
    north_star = "Every child in the county reads at grade level by the end of third grade."
    focus_population = "Children from birth to age 8"
    geography = "Lakeshore County"


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SelfAttribute("initiative.organization")
    statement = factory.Sequence(lambda n: f"Population result {n}")
    position = factory.Sequence(lambda n: n)


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    result = factory.SubFactory(ResultFactory)
    initiative = factory.SelfAttribute("result.initiative")
    organization = factory.SelfAttribute("result.organization")
    title = factory.Sequence(lambda n: f"Strategy {n}")
    description = ""
    position = factory.Sequence(lambda n: n)


class GroundRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroundRule

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SelfAttribute("initiative.organization")
    text = factory.Sequence(lambda n: f"We keep promise number {n}.")
    position = factory.Sequence(lambda n: n)


class FilterCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FilterCriterion

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SelfAttribute("initiative.organization")
    question = factory.Sequence(lambda n: f"Does it meet criterion {n}?")
    position = factory.Sequence(lambda n: n)


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A screening with no answers; use services.screening_record for a realistic one."""

    class Meta:
        model = Screening

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SelfAttribute("initiative.organization")
    title = factory.Sequence(lambda n: f"Proposal {n}")
    passes_all = False


class ScreeningAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningAnswer

    screening = factory.SubFactory(ScreeningFactory)
    organization = factory.SelfAttribute("screening.organization")
    question = "Does it move one of our results?"
    answer = True


class PartnerOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganization

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Partner organization {n}")
    sector = Sector.NONPROFIT


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"contact{n}@partners.example.org")


class TableFactory(factory.django.DjangoModelFactory):
    """A workgroup; pass kind=Table.Kind.STEERING for the (one) steering committee."""

    class Meta:
        model = Table

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SelfAttribute("initiative.organization")
    kind = Table.Kind.WORKGROUP
    name = factory.Sequence(lambda n: f"Workgroup {n}")


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    table = factory.SubFactory(TableFactory)
    organization = factory.SelfAttribute("table.organization")
    person = factory.SubFactory(PersonFactory, organization=factory.SelfAttribute("..organization"))
    role = Seat.Role.MEMBER


class ImportBatchFactory(factory.django.DjangoModelFactory):
    """An uploaded people file of one importable row, waiting for its preview to be accepted."""

    class Meta:
        model = ImportBatch

    organization = factory.SubFactory(OrganizationFactory)
    kind = ImportBatch.Kind.PEOPLE
    filename = "people.csv"
    headers = factory.LazyFunction(lambda: ["Name", "Email"])
    rows = factory.LazyFunction(lambda: [{"n": 2, "cells": ["Ana López", "ana@example.org"]}])
    mapping = factory.LazyFunction(lambda: ["full_name", "email"])
