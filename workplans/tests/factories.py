"""Factories for the workplans app's models. Shared by every area's tests: add to it, keep each
factory's defaults valid on their own (a key action's strategy belongs to its workplan's
initiative, and everything to one organization)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory

from initiatives.tests.factories import PersonFactory, StrategyFactory, TableFactory
from workplans.models import Commitment, KeyAction, KeyActionUpdate, Meeting, Workplan


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


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduled meeting with no agenda or invitees; use services.meeting_schedule for those."""

    class Meta:
        model = Meeting

    table = factory.SubFactory(TableFactory)
    organization = factory.SelfAttribute("table.organization")
    initiative = factory.SelfAttribute("table.initiative")
    starts_at = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1, minutes=30))


class CommitmentFactory(factory.django.DjangoModelFactory):
    """An open commitment made at a meeting, by a person of the same organization."""

    class Meta:
        model = Commitment

    meeting = factory.SubFactory(MeetingFactory)
    organization = factory.SelfAttribute("meeting.organization")
    table = factory.SelfAttribute("meeting.table")
    person = factory.SubFactory(PersonFactory, organization=factory.SelfAttribute("..organization"))
    what = factory.Sequence(lambda n: f"Commitment {n}")
    due_date = date(2026, 4, 7)
    position = factory.Sequence(lambda n: n)
