"""Building a board packet: queued on commit, claimed once, its progress on the row as it goes,
failures kept with their reason, and lost builds picked up again by the sweep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from dashboard import packets
from dashboard.models import BoardPacket
from dashboard.packets import (
    MAX_ATTEMPTS,
    packet_build,
    packet_request,
    packets_requeue_stuck,
    packets_sweep,
)
from dashboard.tests.packet_world import NOW, PacketWorld, packet_world, pdf_of


@pytest.fixture
def world(personas: Any) -> PacketWorld:
    with time_machine.travel(NOW, tick=False):
        return packet_world(personas)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _row(pk: int) -> BoardPacket:
    return BoardPacket.objects.get(pk=pk)


def test_request_waits_for_the_commit_then_the_worker_builds_it(
    world: PacketWorld, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        packet = packet_request(
            initiative=world.initiative, requested_by=personas.steering, language="es"
        )
    row = _row(packet.pk)
    assert (row.status, row.progress, row.attempts, row.pdf) == ("queued", 0, 0, None)
    assert (row.trigger, row.language, row.requested_by) == ("manual", "es", personas.steering)
    assert len(callbacks) == 1

    callbacks[0]()  # the task, run eagerly

    row = _row(packet.pk)
    assert (row.status, row.progress, row.attempts) == ("ready", 100, 1)
    assert row.size == len(pdf_of(row)) > 0
    assert pdf_of(row).startswith(b"%PDF-")
    assert row.started_at == NOW
    assert row.finished_at == NOW
    assert row.error == ""


def test_progress_is_written_to_the_row_at_each_stage(world: PacketWorld, monkeypatch: Any) -> None:
    packet = packet_request(initiative=world.initiative, requested_by=None)
    seen: list[tuple[str, int, str]] = []
    real = packets._set_progress

    def watch(packet_id: int, attempt: int, percent: int, stage: str) -> None:
        real(packet_id, attempt, percent, stage)
        row = _row(packet_id)
        seen.append((row.status, row.progress, row.stage))

    monkeypatch.setattr(packets, "_set_progress", watch)

    packet_build(packet_id=packet.pk)

    assert seen == [
        ("running", 2, "Starting"),
        ("running", 4, "Reading the dashboard"),
        ("running", 8, "Reading the results and indicators"),
        ("running", 10, "Drawing the charts of result 1 of 2"),
        ("running", 35, "Drawing the charts of result 2 of 2"),
        ("running", 62, "Reading the workgroups’ workplans and commitments"),
        ("running", 75, "Laying out the pages"),
        ("running", 90, "Writing the PDF"),
    ]
    row = _row(packet.pk)
    assert (row.status, row.progress, row.stage) == ("ready", 100, "Ready")


def test_a_packet_is_built_once_however_many_tasks_run(world: PacketWorld) -> None:
    packet = packet_request(initiative=world.initiative, requested_by=None)
    assert packet_build(packet_id=packet.pk) is not None
    first = pdf_of(_row(packet.pk))

    assert packet_build(packet_id=packet.pk) is None

    row = _row(packet.pk)
    assert (row.status, row.attempts) == ("ready", 1)
    assert pdf_of(row) == first


def test_a_failed_build_keeps_its_reason_and_no_pdf(world: PacketWorld, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the font cache is gone")

    monkeypatch.setattr(packets, "packet_render", broken)
    packet = packet_request(initiative=world.initiative, requested_by=None)

    built = packet_build(packet_id=packet.pk)

    assert built is not None
    row = _row(packet.pk)
    assert (row.status, row.error, row.stage) == (
        "failed",
        "RuntimeError: the font cache is gone",
        "Failed",
    )
    assert (row.pdf, row.size, row.page_count) == (None, 0, 0)
    assert row.finished_at == NOW


def test_sweep_builds_again_a_packet_whose_worker_died(
    world: PacketWorld, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    packet = packet_request(initiative=world.initiative, requested_by=None)
    BoardPacket.objects.filter(pk=packet.pk).update(
        status="running", attempts=1, progress=40, started_at=NOW
    )
    clock.shift(packets.STUCK_AFTER - timedelta(seconds=1))
    assert packets_requeue_stuck() == ([], [])
    assert _row(packet.pk).status == "running"

    clock.shift(timedelta(seconds=2))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = packets_sweep()

    assert (outcome.requeued, outcome.failed) == ([packet.pk], [])
    row = _row(packet.pk)
    assert (row.status, row.attempts, row.progress) == ("ready", 2, 100)


def test_sweep_gives_up_on_a_packet_whose_worker_keeps_dying(world: PacketWorld) -> None:
    packet = packet_request(initiative=world.initiative, requested_by=None)
    BoardPacket.objects.filter(pk=packet.pk).update(
        status="running", attempts=MAX_ATTEMPTS, started_at=NOW - timedelta(hours=1)
    )

    requeued, failed = packets_requeue_stuck()

    assert (requeued, failed) == ([], [packet.pk])
    row = _row(packet.pk)
    assert row.status == "failed"
    assert row.error == "The worker making this packet stopped before it was done, 3 times."
    assert row.pdf is None


def test_sweep_queues_again_a_packet_whose_task_was_lost(
    world: PacketWorld, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    packet = packet_request(initiative=world.initiative, requested_by=None)  # task "lost"
    assert _row(packet.pk).status == "queued"
    clock.shift(packets.LOST_AFTER + timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        requeued, failed = packets_requeue_stuck()

    assert (requeued, failed) == ([packet.pk], [])
    assert _row(packet.pk).status == "ready"


def test_a_packet_is_made_for_a_meeting_of_its_own_initiative_only(
    world: PacketWorld, personas: Any
) -> None:
    from django.core.exceptions import ValidationError

    from initiatives.tests.factories import InitiativeFactory
    from workplans.tests.factories import MeetingFactory

    elsewhere: Any = MeetingFactory(table__initiative=InitiativeFactory(organization=personas.org))
    with pytest.raises(ValidationError):
        packet_request(initiative=world.initiative, requested_by=None, meeting=elsewhere)
    other_org: Any = MeetingFactory(
        table__initiative=InitiativeFactory(organization=personas.other_org)
    )
    with pytest.raises(ValidationError):
        packet_request(initiative=world.initiative, requested_by=None, meeting=other_org)
    assert BoardPacket.objects.count() == 0
