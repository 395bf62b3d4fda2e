"""NAG reminders are sent exactly once, whatever happens to sweeps, workers and the broker.

How these tests run on both databases. `make test` with no DATABASE_URL uses SQLite, whose
in-memory test database cannot take two writers at once (shared-cache tables answer "locked"
instead of waiting). So the races are staged two ways:

- Serial interleavings, on every database: a second sweep is started *inside* the first one, at
  the exact points where a real race would put it (right after the first sweep's claim, between
  two of its emails, after its claim expired). These drive the same compare-and-set updates a
  real race does, deterministically. They run on SQLite and on PostgreSQL.
- Real threads, each with its own database connection, marked `postgres`: they start together
  at a barrier and sweep the same rows. They assert `connection.vendor == "postgresql"` first,
  so they fail (never skip) on another database. Locally without PostgreSQL the marker
  deselects them (tests/needs.py); in CI (CI=true, PostgreSQL always present) nothing is
  deselected, so they always run there.

Emails are counted as rows of the outbox (backbone.OutboundEmail) and, where the test says so,
as messages a real SMTP server received.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from backbone.models import OutboundEmail
from backbone.tasks import requeue_stuck_emails
from tests.concurrency import at_once, require_postgresql
from workplans import emails, reminders
from workplans.models import Reminder, Touch
from workplans.reminders import CLAIM_TIMEOUT, send_due_reminders
from workplans.tasks import sweep_reminders
from workplans.tests.reminder_world import (
    DueWorld,
    assert_each_reminder_sent_once,
    due_world,
    nag_emails,
)

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
PEOPLE = 12


@pytest.fixture
def world(personas: Any) -> DueWorld:
    return due_world(personas.org, count=PEOPLE, due_at=NOW - timedelta(minutes=1))


def _run_inside(
    target: Any, name: str, during: Callable[[], None], *, before: bool = False
) -> list[int]:
    """Wrap `target.name` so that `during()` runs right after (or before) its first call.

    The wrapped functions are the sweep's steps that run outside any transaction (claiming,
    sending to one person), so the second sweep commits on its own, as it would on its own
    connection, and never inside the first sweep's transaction."""
    real = getattr(target, name)
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1 and before:
            during()
        value = real(*args, **kwargs)
        if calls[0] == 1 and not before:
            during()
        return value

    setattr(target, name, wrapper)
    return calls


# --- Serial interleavings (every database) ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [reminders.BATCH, 5])
def test_a_sweep_started_right_after_another_claimed_sends_nothing_twice(
    world: DueWorld, monkeypatch: Any, limit: int
) -> None:
    second: list[reminders.SweepResult] = []
    monkeypatch.setattr(reminders, "_claim", reminders._claim)
    _run_inside(
        reminders,
        "_claim",
        lambda: second.append(send_due_reminders(now=NOW, limit=limit)),
    )

    first = send_due_reminders(now=NOW, limit=limit)

    # The second sweep took only what the first had not claimed: with one batch, nothing.
    expected_second = 0 if limit >= PEOPLE else PEOPLE - limit
    assert second[0].sent_emails == expected_second
    assert first.sent_emails == PEOPLE - expected_second
    assert sorted(first.recipients + second[0].recipients) == world.addresses
    assert_each_reminder_sent_once(world)


@pytest.mark.django_db
def test_a_sweep_started_between_two_groups_of_emails_of_another_sends_nothing_twice(
    world: DueWorld, monkeypatch: Any
) -> None:
    monkeypatch.setattr(reminders, "WRITE_BATCH", 5)
    second: list[reminders.SweepResult] = []
    monkeypatch.setattr(reminders, "_send_people", reminders._send_people)
    _run_inside(reminders, "_send_people", lambda: second.append(send_due_reminders(now=NOW)))

    first = send_due_reminders(now=NOW)

    assert second[0].sent_emails == 0
    assert first.sent_emails == PEOPLE
    assert_each_reminder_sent_once(world)


@pytest.mark.django_db
def test_two_beat_sweeps_back_to_back_send_each_reminder_once(world: DueWorld) -> None:
    with time_machine.travel(NOW, tick=False):
        assert sweep_reminders.delay().result == PEOPLE
        assert sweep_reminders.delay().result == 0

    assert_each_reminder_sent_once(world)


@pytest.mark.django_db
def test_a_sweep_that_died_after_claiming_is_taken_over_only_after_the_claim_timeout(
    world: DueWorld,
) -> None:
    _token, claimed = reminders._claim(NOW, reminders.BATCH)
    assert len(claimed) == 2 * PEOPLE
    # The sweep dies here: nothing is sent, the rows stay claimed.

    assert send_due_reminders(now=NOW + timedelta(minutes=1)).sent_emails == 0
    assert send_due_reminders(now=NOW + CLAIM_TIMEOUT).sent_emails == 0
    assert nag_emails() == []
    assert Reminder.objects.filter(status=Reminder.Status.PENDING).count() == 2 * PEOPLE

    later = NOW + CLAIM_TIMEOUT + timedelta(seconds=1)
    assert send_due_reminders(now=later).sent_emails == PEOPLE
    assert send_due_reminders(now=later + CLAIM_TIMEOUT * 2).sent_emails == 0
    assert_each_reminder_sent_once(world)


class WorkerKilled(Exception):
    pass


@pytest.mark.django_db
def test_a_sweep_killed_mid_batch_loses_and_doubles_nothing(
    world: DueWorld, monkeypatch: Any
) -> None:
    """The emails of WRITE_BATCH people are written in one transaction: a sweep killed while
    writing the second group keeps the first group whole and nothing of the second."""
    monkeypatch.setattr(reminders, "WRITE_BATCH", 3)
    real = emails.queue_nag_emails
    written: list[list[str]] = []

    def dies_on_the_second_group(drafts: Any) -> list[OutboundEmail]:
        rows = real(drafts)
        written.append([row.to[0] for row in rows])
        if len(written) == 2:
            raise WorkerKilled("killed while recording the second group's emails")
        return rows

    monkeypatch.setattr(emails, "queue_nag_emails", dies_on_the_second_group)
    with pytest.raises(WorkerKilled):
        send_due_reminders(now=NOW)

    # People are sent in order; the first three are recorded, the next three rolled back whole.
    assert written == [world.addresses[:3], world.addresses[3:6]]
    assert [e.to for e in nag_emails()] == [[a] for a in world.addresses[:3]]
    sent = Reminder.objects.filter(status=Reminder.Status.SENT)
    assert sorted(set(sent.values_list("person__email", flat=True))) == world.addresses[:3]
    assert sent.count() == 6
    pending = Reminder.objects.filter(status=Reminder.Status.PENDING)
    assert pending.count() == 2 * (PEOPLE - 3)
    assert pending.filter(email__isnull=False).count() == 0

    monkeypatch.setattr(emails, "queue_nag_emails", real)
    # The dead sweep's claim still holds for the rest…
    assert send_due_reminders(now=NOW + timedelta(minutes=1)).sent_emails == 0
    # …until it expires; then the rest go out, once.
    result = send_due_reminders(now=NOW + CLAIM_TIMEOUT + timedelta(minutes=1))
    assert result.recipients == world.addresses[3:]
    assert_each_reminder_sent_once(world)


@pytest.mark.django_db
def test_a_sweep_whose_claim_was_taken_over_records_nothing(
    world: DueWorld, monkeypatch: Any
) -> None:
    """A sweep stalls past the claim timeout after loading its rows; another sweep takes them
    over and sends them. When the stalled one goes on, it writes its emails, its compare-and-set
    finds no row still its own, and it rolls them back: nothing is sent twice."""
    taken_over: list[reminders.SweepResult] = []
    later = NOW + CLAIM_TIMEOUT + timedelta(seconds=1)
    monkeypatch.setattr(reminders, "_send_people", reminders._send_people)
    _run_inside(
        reminders,
        "_send_people",
        lambda: taken_over.append(send_due_reminders(now=later)),
        before=True,
    )

    stalled = send_due_reminders(now=NOW)

    assert taken_over[0].sent_emails == PEOPLE
    assert stalled.sent_emails == 0
    assert_each_reminder_sent_once(world)


@pytest.mark.django_db
def test_a_group_partly_taken_over_is_rolled_back_whole_and_sent_once_later(
    world: DueWorld, monkeypatch: Any
) -> None:
    """Only two people's rows were taken over while the sweep stalled: the group of four
    written with them is rolled back whole (no email of it exists), the other groups are
    sent, and once both claims expire the first four get their emails, once."""
    monkeypatch.setattr(reminders, "WRITE_BATCH", 4)
    later = NOW + CLAIM_TIMEOUT + timedelta(seconds=1)

    def take_over_two_people() -> None:
        two = [p.pk for p in world.people[:2]]
        Reminder.objects.filter(person_id__in=two).update(claimed_at=later, claim_token="other")

    monkeypatch.setattr(reminders, "_send_people", reminders._send_people)
    _run_inside(reminders, "_send_people", take_over_two_people, before=True)

    stalled = send_due_reminders(now=NOW)

    assert (stalled.recipients, stalled.skipped) == (world.addresses[4:], 0)
    assert sorted(e.to[0] for e in nag_emails()) == world.addresses[4:]
    assert Reminder.objects.filter(status=Reminder.Status.PENDING).count() == 2 * 4
    result = send_due_reminders(now=later + CLAIM_TIMEOUT + timedelta(seconds=1))
    assert result.recipients == world.addresses[:4]
    assert_each_reminder_sent_once(world)


@pytest.mark.django_db
def test_a_person_is_never_split_across_two_batches(personas: Any) -> None:
    """`limit` counts people, not rows: each person's due touches are claimed together, so a
    batch boundary never turns a digest into two emails."""
    world = due_world(personas.org, count=5, due_at=NOW)

    result = send_due_reminders(now=NOW, limit=3)

    assert result.sent_emails == 5
    assert result.sent_reminders == 10
    assert_each_reminder_sent_once(world)


@pytest.mark.django_db
def test_a_second_reminder_for_the_same_touch_and_person_is_a_database_error(
    world: DueWorld,
) -> None:
    person = world.people[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            organization_id=world.meeting.organization_id,
            meeting=world.meeting,
            touch=Touch.RECAP,
            person=person,
            due_at=NOW + timedelta(days=1),
        )
    assert Reminder.objects.filter(meeting=world.meeting, person=person).count() == 2


# --- The broker loses its messages (every database) ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_flushing_the_broker_between_sweep_and_delivery_loses_and_doubles_nothing(
    personas: Any, smtp_server: Any, monkeypatch: Any
) -> None:
    """The sweep records each email as a queued outbox row and hands a delivery task to the
    broker. Here every one of those tasks is lost (Redis flushed or restarted). The rows are
    the truth: the periodic requeue finds them and each is delivered once."""
    world = due_world(personas.org, count=PEOPLE, due_at=NOW)
    from backbone.tasks import deliver_email, deliver_emails

    lost: list[list[int]] = []
    monkeypatch.setattr(deliver_email, "delay", lambda pk: lost.append([pk]))
    monkeypatch.setattr(deliver_emails, "delay", lost.append)
    with time_machine.travel(NOW, tick=False):
        assert send_due_reminders().sent_emails == PEOPLE
    # One delivery task per group of people the sweep wrote together.
    assert [len(batch) for batch in lost] == [reminders.WRITE_BATCH, PEOPLE - reminders.WRITE_BATCH]
    assert sorted(pk for batch in lost for pk in batch) == sorted(e.pk for e in nag_emails())
    assert smtp_server.wait_for(1, timeout=0.5) == []
    assert {e.status for e in nag_emails()} == {OutboundEmail.Status.QUEUED}
    monkeypatch.undo()

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert requeue_stuck_emails() == 0  # too fresh: their tasks may still be on the way
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        assert requeue_stuck_emails() == PEOPLE
        assert requeue_stuck_emails() == 0
        # A lost task that was redelivered after all (acks_late) sends nothing more.
        for batch in lost:
            deliver_emails.delay(batch)
            for pk in batch:
                deliver_email.delay(pk)

    received = smtp_server.wait_for(PEOPLE + 1, timeout=1)
    assert sorted(r.rcpt_tos[0] for r in received) == world.addresses
    assert [len(r.rcpt_tos) for r in received] == [1] * PEOPLE
    assert {e.status for e in nag_emails()} == {OutboundEmail.Status.SENT}
    assert [e.attempts for e in nag_emails()] == [1] * PEOPLE
    assert_each_reminder_sent_once(world)


# --- Real threads (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit", [reminders.BATCH, 3])
def test_two_sweeps_at_once_on_two_connections_send_each_reminder_once(
    personas: Any, smtp_server: Any, limit: int
) -> None:
    require_postgresql()
    world = due_world(personas.org, count=PEOPLE, due_at=NOW)

    results = at_once(2, lambda: send_due_reminders(now=NOW, limit=limit))

    assert sum(r.sent_emails for r in results) == PEOPLE
    assert sorted(a for r in results for a in r.recipients) == world.addresses
    assert_each_reminder_sent_once(world)
    received = smtp_server.wait_for(PEOPLE + 1, timeout=1)
    assert sorted(r.rcpt_tos[0] for r in received) == world.addresses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beat_processes_sweeping_at_once_send_each_reminder_once(
    personas: Any, smtp_server: Any
) -> None:
    require_postgresql()
    world = due_world(personas.org, count=PEOPLE, due_at=timezone.now() - timedelta(minutes=1))

    results = at_once(4, lambda: sweep_reminders.delay().result)

    assert sum(results) == PEOPLE
    assert_each_reminder_sent_once(world)
    received = smtp_server.wait_for(PEOPLE + 1, timeout=1)
    assert sorted(r.rcpt_tos[0] for r in received) == world.addresses
