"""A real Celery worker, a real Redis broker, PostgreSQL and a real SMTP server: closing a
meeting delivers its recap exactly once, through a worker killed mid-delivery and a broker
flushed twice.

Needs PostgreSQL (the worker process must see the test database) and Redis (REDIS_URL). In CI
both are always there and this test always runs (it fails if they are missing); on a machine
without them it is deselected, never skipped (tests/needs.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from backbone.models import OutboundEmail
from backbone.tasks import deliver_email, deliver_emails, requeue_stuck_emails
from config.celery import app as celery_app
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from tests.integration.worker import HoldingSMTPServer, Worker, database_url
from workplans.models import Meeting, Reminder, Touch
from workplans.reminders import send_due_reminders
from workplans.services import commitment_create, meeting_close, meeting_schedule
from workplans.tasks import sweep_reminders

WAIT = 30.0  # seconds: the bound on every wait for the worker


@pytest.fixture
def smtp() -> Iterator[HoldingSMTPServer]:
    with HoldingSMTPServer() as server:
        yield server


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    url = os.environ.get("REDIS_URL", "")
    assert url, "REDIS_URL is not set: this test needs a real Redis broker"
    assert connection.vendor == "postgresql", (
        f"the worker process cannot see a {connection.vendor} test database; set DATABASE_URL "
        "to PostgreSQL"
    )
    client = redis.Redis.from_url(url)
    client.ping()
    # Tasks published from this process go to the real broker, not inline.
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        yield client
    finally:
        celery_app.control.purge()
        celery_app.conf.task_always_eager = True
        client.close()


@pytest.fixture
def worker(broker: redis.Redis, smtp: HoldingSMTPServer, tmp_path: Path) -> Iterator[Worker]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "BACKBONE_EMAIL_ECHO": "false",
        "BACKBONE_VAR_DIR": str(tmp_path / "var"),
        # The worker keeps no database connection open between tasks, so the test database
        # can be emptied after the test.
        "DATABASE_CONN_MAX_AGE": "0",
    }
    process = Worker(env, tmp_path / "worker.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _table_with_commitments(org: Any, initiative: Any, name: str, count: int) -> Meeting:
    table: Any = TableFactory(initiative=initiative, name=name)
    starts = timezone.now() - timedelta(hours=2)
    meeting = meeting_schedule(table=table, starts_at=starts, ends_at=starts + timedelta(hours=1))
    for n in range(count):
        person: Any = PersonFactory(
            organization=org,
            full_name=f"{name} member {n}",
            email=f"{name.lower().replace(' ', '.')}.{n}@partners.example.org",
        )
        SeatFactory(table=table, person=person)
        commitment_create(
            meeting=meeting,
            person=person,
            what=f"Task {n} of {name}",
            due_date=timezone.localdate() + timedelta(days=20),
        )
    return meeting


def _addresses(meeting: Meeting) -> list[str]:
    recaps = Reminder.objects.filter(meeting=meeting, touch=Touch.RECAP)
    return sorted(recaps.values_list("person__email", flat=True))


def _received(smtp: HoldingSMTPServer) -> list[str]:
    return sorted(a.rcpt_tos[0] for a in smtp.accepted)


def _settle(smtp: HoldingSMTPServer, count: int) -> list[str]:
    """Wait (bounded) for `count` accepted messages, then a moment more to see no extra."""
    smtp.wait_for(count, timeout=WAIT)
    smtp.wait_for(count + 1, timeout=1.5)
    return _received(smtp)


def _quiet(smtp: HoldingSMTPServer, seconds: float = 3.0) -> int:
    """How many messages were accepted after waiting a few seconds for nothing to happen."""
    time.sleep(seconds)
    return len(smtp.accepted)


def _pretend_minutes_passed(minutes: int) -> None:
    """Move the outbox's clock marks back instead of waiting: the worker's requeue sweep then
    sees rows queued `minutes` ago, and claims taken that long ago."""
    queued = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
    for row in queued:
        OutboundEmail.objects.filter(pk=row.pk).update(
            created_at=row.created_at - timedelta(minutes=minutes),
            claimed_at=(row.claimed_at - timedelta(minutes=minutes)) if row.claimed_at else None,
        )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_each_recap_once_through_a_kill_and_a_flushed_broker(
    personas: Any, broker: redis.Redis, smtp: HoldingSMTPServer, worker: Worker
) -> None:
    org = personas.org
    initiative = InitiativeFactory(organization=org, name="Lakeshore Reads")
    first = _table_with_commitments(org, initiative, "Early Learning", 3)
    second = _table_with_commitments(org, initiative, "Attendance Works", 4)
    third = _table_with_commitments(org, initiative, "Summer Reading", 2)

    # 1. Closing a meeting queues the sweep; the worker sweeps and delivers the recaps.
    meeting_close(meeting=first)
    assert _settle(smtp, 3) == _addresses(first), worker.output()
    for accepted in smtp.accepted:
        assert accepted.message["Subject"].startswith("Commitments from the Early Learning")
        assert accepted.message["Auto-Submitted"] == "auto-generated"

    # 2. The worker is killed in the middle of the second meeting's four recaps, one task
    #    sending them one after another: the first sent, the second in flight (the server
    #    never accepted it), two not begun.
    smtp.handler.hold = 3 + 1
    meeting_close(meeting=second)
    assert smtp.handler.holding.wait(WAIT), worker.output()
    worker.kill()
    smtp.handler.release.set()
    assert len(smtp.accepted) == 4
    in_flight = OutboundEmail.objects.get(
        status=OutboundEmail.Status.QUEUED, claimed_at__isnull=False
    )
    untouched = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.QUEUED, claimed_at__isnull=True, attempts=0
    )
    assert untouched.count() == 2

    # Restarted, the worker does not get the dead one's task back from Redis (not before its
    # visibility timeout, an hour): the rows are the truth. Two minutes on (pretended), the
    # periodic requeue hands the two untouched ones to the worker…
    worker.start()
    assert _quiet(smtp) == 4
    _pretend_minutes_passed(3)
    requeue_stuck_emails.delay()
    assert len(_settle(smtp, 6)) == 6
    in_flight.refresh_from_db()
    # …while the dead worker's claim holds the message it was sending until the claim times
    # out; ten minutes later (pretended), the requeue hands it to the worker again.
    assert in_flight.status == OutboundEmail.Status.QUEUED
    _pretend_minutes_passed(11)
    requeue_stuck_emails.delay()
    assert _settle(smtp, 7) == sorted(_addresses(first) + _addresses(second))

    # 3. The broker is flushed twice: once before the sweep ran, once before the emails the
    #    next sweep wrote were delivered. The database keeps both, so nothing is lost.
    worker.kill()
    meeting_close(meeting=third)  # its sweep task waits in Redis…
    assert broker.llen("celery") == 1
    broker.flushdb()  # …and is lost.
    worker.start()
    assert _quiet(smtp) == 7
    pending_recaps = Reminder.objects.filter(
        meeting=third, touch=Touch.RECAP, status=Reminder.Status.PENDING
    )
    assert pending_recaps.count() == 2

    worker.kill()
    assert send_due_reminders().sent_emails == 2  # beat's next minute, in this process
    assert pending_recaps.count() == 0
    assert broker.llen("celery") == 1  # the one task delivering both…
    broker.flushdb()  # …lost too.
    worker.start()
    assert _quiet(smtp) == 7
    _pretend_minutes_passed(3)
    requeue_stuck_emails.delay()
    everyone = sorted(_addresses(first) + _addresses(second) + _addresses(third))
    assert _settle(smtp, 9) == everyone

    # Every row is sent once; delivering them all again (redelivered tasks) and sweeping
    # again change nothing.
    rows = OutboundEmail.objects.filter(kind__startswith="nag_")
    assert sorted(r.to[0] for r in rows) == everyone
    assert {r.status for r in rows} == {OutboundEmail.Status.SENT}
    deliver_emails.delay([row.pk for row in rows])
    for row in rows:
        deliver_email.delay(row.pk)
    sweep_reminders.delay()
    assert _quiet(smtp) == 9
    assert _received(smtp) == everyone
    # The one the killed worker was sending took two attempts; every other took one.
    assert sorted(rows.values_list("attempts", flat=True)) == [1] * 8 + [2]
