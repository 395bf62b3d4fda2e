"""The sweep's queries: a fixed number per batch of people, and a fixed few per group of
WRITE_BATCH people written together, whatever the number of emails and of sections (touches)
in them. Pinned, so a query per email, per section, per commitment or per recipient cannot
creep back in.

Per batch (15): the claim (a savepoint, the people, the compare-and-set, the release, the
claimed ids), the reminders, their people, their meetings, opt-outs, skipped touches, the
people's commitments, intros, recap charts, next meetings, and the reply tokens. Per group of
people written together (5): the savepoint and its release, the outbox rows, the NAG messages,
the reminders' status; and one per distinct reason when some of the group's touches are
skipped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workplans import reminders
from workplans.models import Meeting, Reminder, Touch
from workplans.reminders import send_due_reminders
from workplans.tests.factories import MeetingFactory
from workplans.tests.reminder_world import DueWorld, due_world

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
PER_BATCH = 15
PER_GROUP = 5


def _world(personas: Any, people: int) -> DueWorld:
    world = due_world(personas.org, count=people, due_at=NOW)
    # A next meeting, so every section has one to name.
    MeetingFactory(
        table=world.meeting.table,
        starts_at=datetime(2026, 4, 7, 17, tzinfo=UTC),
        status=Meeting.Status.SCHEDULED,
    )
    return world


def _sweep() -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as queries:
        result = send_due_reminders(now=NOW)
    return result.sent_emails, result.sent_reminders, len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("people", [3, 30])
def test_two_section_digests_cost_a_fixed_number_of_queries_per_batch_and_group(
    personas: Any, people: int
) -> None:
    _world(personas, people)
    groups = -(-people // reminders.WRITE_BATCH)

    assert _sweep() == (people, 2 * people, PER_BATCH + PER_GROUP * groups)


@pytest.mark.django_db
@pytest.mark.parametrize(("people", "groups"), [(3, 1), (30, 3), (31, 4)])
def test_each_group_of_people_written_together_costs_the_same_few_queries(
    personas: Any, monkeypatch: Any, people: int, groups: int
) -> None:
    monkeypatch.setattr(reminders, "WRITE_BATCH", 10)
    _world(personas, people)

    assert _sweep() == (people, 2 * people, PER_BATCH + PER_GROUP * groups)


@pytest.mark.django_db
def test_one_section_emails_cost_the_same(personas: Any) -> None:
    world = _world(personas, 4)
    Reminder.objects.filter(meeting=world.meeting, touch=Touch.CHECK_IN).delete()

    assert _sweep() == (4, 4, PER_BATCH + PER_GROUP)


@pytest.mark.django_db
def test_skipped_touches_cost_one_query_per_reason_in_a_group(personas: Any) -> None:
    world = _world(personas, 4)
    world.people[0].nag_paused = True
    world.people[0].save()
    world.people[1].archived_at = NOW
    world.people[1].save()

    with CaptureQueriesContext(connection) as queries:
        result = send_due_reminders(now=NOW)

    assert (result.sent_emails, result.sent_reminders, result.skipped) == (2, 4, 4)
    assert len(queries) == PER_BATCH + PER_GROUP + 2
