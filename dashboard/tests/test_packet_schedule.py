"""Packets made ahead of steering committee meetings and emailed to their members: one packet
per meeting and one email per member, however many sweeps run, in each member's language, with
the PDF attached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError

from backbone.models import OutboundEmail
from dashboard import packets
from dashboard.models import BoardPacket, PacketDelivery
from dashboard.packets import packet_request, packets_schedule, packets_sweep
from dashboard.services import settings_for
from dashboard.tasks import sweep_board_packets
from dashboard.tests.packet_world import NOW, PacketWorld, packet_world, pdf_of
from initiatives.tests.factories import PersonFactory, SeatFactory
from tests.concurrency import at_once, require_postgresql
from workplans.models import Meeting
from workplans.tests.factories import MeetingFactory


@pytest.fixture
def world(personas: Any) -> PacketWorld:
    with time_machine.travel(NOW, tick=False):
        return packet_world(personas)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sweep(django_capture_on_commit_callbacks: Any) -> Any:
    """One run of the beat task, with what it queues on commit run as a worker would."""

    def run() -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            result: dict[str, int] = sweep_board_packets.delay().get()
        return result

    return run


def _sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_sweep_makes_the_meetings_packet_and_emails_each_member_once(
    world: PacketWorld, sweep: Any
) -> None:
    first = sweep()
    second = sweep()

    # The packet's own build emails it (the sweep's "delivered" counts only its catching up).
    assert first == {"scheduled": 1, "delivered": 0, "requeued": 0, "failed": 0}
    assert second == {"scheduled": 0, "delivered": 0, "requeued": 0, "failed": 0}
    packet = BoardPacket.objects.get()
    assert (packet.trigger, packet.meeting, packet.status) == ("scheduled", world.meeting, "ready")
    assert packet.requested_by is None
    assert _sent_to() == ["ana@example.org", "beto@example.org"]
    deliveries = PacketDelivery.objects.order_by("person__full_name")
    assert [(d.person, d.packet, d.meeting) for d in deliveries] == [
        (world.members["Ana"], packet, world.meeting),
        (world.members["Beto"], packet, world.meeting),
    ]
    assert all(d.email is not None and d.email.kind == "board_packet" for d in deliveries)
    assert OutboundEmail.objects.filter(kind="board_packet").count() == 2


def test_members_read_the_email_in_their_language_with_the_pdf_attached(
    world: PacketWorld, sweep: Any
) -> None:
    sweep()

    by_address = {m.to[0]: m for m in mail.outbox}
    english, spanish = by_address["ana@example.org"], by_address["beto@example.org"]
    assert english.subject == (
        "Board packet for the Lakeshore Reads steering committee meeting on Mar 13"
    )
    assert english.body.startswith("Hello Ana Ortiz,")
    assert "Friday, March 13, 3 p.m." in english.body
    assert "Central Library" in english.body
    assert spanish.body.startswith("Hola, Beto Ruiz:")
    assert "13 mar" in spanish.subject
    assert "marzo" in spanish.body
    packet = BoardPacket.objects.get()
    for message in (english, spanish):
        assert message.extra_headers["Auto-Submitted"] == "auto-generated"
        assert f"/o/lakeshore/packets/{packet.pk}/" in message.body
        [(filename, content, mimetype)] = message.attachments
        assert filename == "board-packet-lakeshore-reads-2026-03-10.pdf"
        assert mimetype == "application/pdf"
        assert content == pdf_of(packet)
        html = message.alternatives[0][0]  # type: ignore[attr-defined]
        assert "By 2030, 80% of Lakeshore third graders read at grade level." in html


def test_a_packet_too_large_to_attach_is_sent_as_a_link(
    world: PacketWorld, sweep: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(packets, "ATTACH_MAX_BYTES", 1000)

    sweep()

    assert len(mail.outbox) == 2
    assert [m.attachments for m in mail.outbox] == [[], []]
    # Each in the member's language: Ana's in English, Beto's in Spanish.
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "Read and download it online" in by_address["ana@example.org"]
    assert "Puede verlo y descargarlo en línea" in by_address["beto@example.org"]
    assert OutboundEmail.objects.filter(kind="board_packet", attachments=[]).count() == 2


def test_only_the_meetings_steering_committee_is_emailed(world: PacketWorld, sweep: Any) -> None:
    sweep()

    emailed = set(PacketDelivery.objects.values_list("person_id", flat=True))
    assert emailed == {p.pk for p in world.members.values()}
    for person in [*world.not_emailed.values(), world.workgroup_member]:
        assert person.pk not in emailed
    assert "fay@example.org" not in _sent_to()
    assert "dan@example.org" not in _sent_to()
    assert "eve@example.org" not in _sent_to()


def test_someone_who_joins_the_committee_before_the_meeting_gets_it_too(
    world: PacketWorld, sweep: Any
) -> None:
    sweep()
    mail.outbox.clear()
    newcomer: Any = PersonFactory(
        organization=world.initiative.organization, full_name="Gia New", email="gia@example.org"
    )
    SeatFactory(table=world.steering, person=newcomer)

    assert sweep()["delivered"] == 1

    assert _sent_to() == ["gia@example.org"]
    assert BoardPacket.objects.count() == 1


def test_no_packet_before_the_chosen_number_of_days(
    world: PacketWorld, sweep: Any, clock: Any
) -> None:
    prefs = settings_for(world.initiative)
    prefs.packet_days_before = 2
    prefs.save()

    assert sweep()["scheduled"] == 0
    assert BoardPacket.objects.count() == 0

    clock.shift(timedelta(days=1, seconds=1))  # the meeting is now less than 2 days ahead
    assert sweep()["scheduled"] == 1
    assert len(mail.outbox) == 2


def test_no_packet_when_the_initiative_does_not_send_them(world: PacketWorld, sweep: Any) -> None:
    prefs = settings_for(world.initiative)
    prefs.packet_auto_send = False
    prefs.save()

    sweep()

    assert BoardPacket.objects.count() == 0
    assert mail.outbox == []


def test_no_packet_for_workgroup_cancelled_or_past_meetings(world: PacketWorld, sweep: Any) -> None:
    Meeting.objects.filter(pk=world.meeting.pk).update(status=Meeting.Status.CANCELLED)
    MeetingFactory(table=world.workgroups[0], starts_at=NOW + timedelta(days=1))
    MeetingFactory(table=world.steering, starts_at=NOW - timedelta(hours=1))

    sweep()

    assert BoardPacket.objects.count() == 0
    assert mail.outbox == []


def test_a_second_scheduled_packet_for_a_meeting_is_a_database_error(world: PacketWorld) -> None:
    packet_request(
        initiative=world.initiative,
        requested_by=None,
        meeting=world.meeting,
        trigger=BoardPacket.Trigger.SCHEDULED,
    )
    with pytest.raises(IntegrityError):
        packet_request(
            initiative=world.initiative,
            requested_by=None,
            meeting=world.meeting,
            trigger=BoardPacket.Trigger.SCHEDULED,
        )
    # A packet made by hand for the same meeting is another matter.
    packet_request(initiative=world.initiative, requested_by=None, meeting=world.meeting)
    assert BoardPacket.objects.filter(trigger="scheduled").count() == 1
    assert BoardPacket.objects.count() == 2


def test_a_sweep_that_loses_the_race_for_the_packet_makes_none(
    world: PacketWorld, monkeypatch: Any
) -> None:
    """Another sweep inserts the meeting's packet between this one's read and its insert."""
    real = packets.packet_request

    def raced(**kwargs: Any) -> BoardPacket:
        real(**kwargs)  # the other sweep, a moment earlier
        return real(**kwargs)

    monkeypatch.setattr(packets, "packet_request", raced)

    assert packets_schedule() == []
    assert BoardPacket.objects.filter(meeting=world.meeting).count() == 1


def test_a_sweep_that_loses_the_race_for_a_person_sends_them_nothing(
    world: PacketWorld, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Another sweep emails Ana between this one's read of who is missing and its insert."""
    with django_capture_on_commit_callbacks(execute=True):
        packets_schedule()  # made and built, emailed to both
    packet = BoardPacket.objects.get()
    PacketDelivery.objects.all().delete()
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()
    real = packets._recipients

    def stale(meeting: Meeting) -> list[Any]:
        people = real(meeting)
        PacketDelivery.objects.create(
            organization_id=packet.organization_id,
            packet=packet,
            meeting=meeting,
            person=world.members["Ana"],
        )
        return people

    monkeypatch.setattr(packets, "_recipients", stale)

    with django_capture_on_commit_callbacks(execute=True):
        sent = packets.packet_deliver(packet=packet)

    assert sent == 1
    assert _sent_to() == ["beto@example.org"]
    assert PacketDelivery.objects.count() == 2


# --- Real threads (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_make_one_packet_and_one_email_per_member(personas: Any) -> None:
    require_postgresql()
    world = packet_world(personas)

    results = at_once(3, lambda: packets_sweep())

    assert sorted(len(r.scheduled) for r in results) == [0, 0, 1]
    assert BoardPacket.objects.filter(meeting=world.meeting).count() == 1
    assert BoardPacket.objects.get().status == "ready"
    assert sorted(
        OutboundEmail.objects.filter(kind="board_packet").values_list("to", flat=True)
    ) == [["ana@example.org"], ["beto@example.org"]]
    assert PacketDelivery.objects.count() == 2
