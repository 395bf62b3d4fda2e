"""The sweep's queries: a fixed number per batch of people, and the same few per email however
many sections (touches) the email has. Pinned, so a query per section, per commitment or per
recipient cannot creep back in.

Per batch (15): the claim (a savepoint, the people, the compare-and-set, the release, the
claimed ids), the reminders, their people, their meetings, opt-outs, skipped touches, the
people's commitments, intros, recap charts, next meetings, and the reply tokens. Per email (5):
the person's savepoint and its release, the outbox row, the NAG message, the reminders'
status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workplans.models import Meeting, Reminder, Touch
from workplans.reminders import send_due_reminders
from workplans.tests.factories import MeetingFactory
from workplans.tests.reminder_world import DueWorld, due_world

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
PER_BATCH = 15
PER_EMAIL = 5


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
def test_two_section_digests_cost_a_fixed_number_of_queries_per_batch_and_per_email(
    personas: Any, people: int
) -> None:
    _world(personas, people)

    assert _sweep() == (people, 2 * people, PER_BATCH + PER_EMAIL * people)


@pytest.mark.django_db
def test_one_section_emails_cost_the_same_per_email(personas: Any) -> None:
    world = _world(personas, 4)
    Reminder.objects.filter(meeting=world.meeting, touch=Touch.CHECK_IN).delete()

    assert _sweep() == (4, 4, PER_BATCH + PER_EMAIL * 4)
