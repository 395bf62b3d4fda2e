"""Factories for the workplans app's models. Shared by every area's tests: add to it, keep each
factory's defaults valid on their own (a key action's strategy belongs to its workplan's
initiative, and everything to one organization)."""

from __future__ import annotations

import factory

from initiatives.tests.factories import StrategyFactory, TableFactory
from workplans.models import KeyAction, KeyActionUpdate, Workplan


class WorkplanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplan

    table = factory.SubFactory(TableFactory)
    organization = factory.SelfAttribute("table.organization")
    initiative = factory.SelfAttribute("table.initiative")
    year = 2025


class KeyActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyAction

    workplan = factory.SubFactory(WorkplanFactory)
    organization = factory.SelfAttribute("workplan.organization")
    strategy = factory.SubFactory(
        StrategyFactory,
        result__initiative=factory.SelfAttribute("...workplan.initiative"),
        organization=factory.SelfAttribute("..workplan.organization"),
    )
    description = factory.Sequence(lambda n: f"Key action {n}")
    position = factory.Sequence(lambda n: n)


class KeyActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyActionUpdate

    key_action = factory.SubFactory(KeyActionFactory)
    organization = factory.SelfAttribute("key_action.organization")
    text = factory.Sequence(lambda n: f"Update {n}")
