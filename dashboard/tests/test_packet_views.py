"""The packet pages: who may see and make packets, the progress polled by htmx, the download,
a failure shown as a page (never a 500), and the history's query count."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from dashboard import packets
from dashboard.models import BoardPacket
from dashboard.packets import packet_build, packet_request
from dashboard.tests.packet_world import NOW, PacketWorld, packet_world, pdf_of

READERS = ("staff", "steering")
OTHERS = ("cochair", "partner")


@pytest.fixture
def world(personas: Any) -> PacketWorld:
    with time_machine.travel(NOW, tick=False):
        return packet_world(personas)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _list_url(world: PacketWorld) -> str:
    return reverse("board_packets", args=["lakeshore", world.initiative.pk])


def _detail_url(packet: BoardPacket) -> str:
    return reverse("board_packet_detail", args=["lakeshore", packet.pk])


def _download_url(packet: BoardPacket) -> str:
    return reverse("board_packet_download", args=["lakeshore", packet.pk])


def _ready(world: PacketWorld) -> BoardPacket:
    packet = packet_request(initiative=world.initiative, requested_by=None)
    built = packet_build(packet_id=packet.pk)
    assert built is not None
    return built


@pytest.mark.parametrize("role", READERS)
def test_staff_and_steering_make_a_packet_and_download_it(
    world: PacketWorld,
    personas: Any,
    login: Any,
    role: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = login(personas.by_role(role))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_list_url(world))

    packet = BoardPacket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail_url(packet)
    assert (packet.requested_by, packet.trigger, packet.status) == (
        personas.by_role(role),
        "manual",
        "ready",
    )
    assert packet.meeting == world.meeting  # the next steering committee meeting
    page = client.get(_detail_url(packet))
    assert page.status_code == 200
    assert "Board packet ready" in page.content.decode()
    assert _download_url(packet) in page.content.decode()

    download = client.get(_download_url(packet))

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="board-packet-lakeshore-reads-2026-03-10.pdf"'
    )
    assert download.content == pdf_of(packet)


@pytest.mark.parametrize("role", OTHERS)
def test_cochairs_and_partners_are_refused_and_nothing_is_made(
    world: PacketWorld, personas: Any, login: Any, role: str
) -> None:
    packet = _ready(world)
    client = login(personas.by_role(role))

    statuses = [
        client.get(_list_url(world)).status_code,
        client.post(_list_url(world)).status_code,
        client.get(_detail_url(packet)).status_code,
        client.get(_download_url(packet)).status_code,
    ]

    assert statuses == [403, 403, 403, 403]
    assert BoardPacket.objects.count() == 1


def test_outsiders_get_not_found_and_nothing_is_made(
    world: PacketWorld, personas: Any, login: Any
) -> None:
    packet = _ready(world)
    client = login(personas.outsider)

    statuses = [
        client.get(_list_url(world)).status_code,
        client.post(_list_url(world)).status_code,
        client.get(_detail_url(packet)).status_code,
        client.get(_download_url(packet)).status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert BoardPacket.objects.count() == 1


def test_progress_is_polled_until_the_packet_is_over(
    world: PacketWorld, personas: Any, login: Any
) -> None:
    client = login(personas.steering)
    packet = packet_request(initiative=world.initiative, requested_by=personas.steering)
    BoardPacket.objects.filter(pk=packet.pk).update(
        status="running", progress=35, stage="Drawing the charts of result 2 of 2"
    )

    page = client.get(_detail_url(packet)).content.decode()
    poll = client.get(_detail_url(packet), headers={"HX-Request": "true"})

    assert "Making the board packet…" in page
    assert 'hx-trigger="every 1s"' in page
    assert poll.status_code == 200
    body = poll.content.decode()
    assert body.startswith('<div class="packet-progress" id="packet-progress"')
    assert 'value="35"' in body
    assert "Drawing the charts of result 2 of 2…" in body
    assert "HX-Refresh" not in poll

    packet_build_again = BoardPacket.objects.filter(pk=packet.pk)
    packet_build_again.update(status="queued")
    packet_build(packet_id=packet.pk)
    over = client.get(_detail_url(packet), headers={"HX-Request": "true"})

    assert over["HX-Refresh"] == "true"
    assert "hx-trigger" not in over.content.decode()
    assert 'value="100"' in over.content.decode()


def test_a_failed_packet_shows_why_and_offers_another(
    world: PacketWorld, personas: Any, login: Any, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the font cache is gone")

    monkeypatch.setattr(packets, "packet_render", broken)
    client = login(personas.steering)
    packet = packet_request(initiative=world.initiative, requested_by=personas.steering)
    packet_build(packet_id=packet.pk)

    page = client.get(_detail_url(packet))
    history = client.get(_list_url(world))
    download = client.get(_download_url(packet))

    assert page.status_code == 200
    body = page.content.decode()
    assert "The board packet could not be made" in body
    assert "RuntimeError: the font cache is gone" in body
    assert "Make a new packet" in body
    assert "Download the PDF" not in body
    assert history.status_code == 200
    assert "Failed" in history.content.decode()
    assert download.status_code == 404


def test_a_second_click_while_the_packet_is_made_shows_the_same_packet(
    world: PacketWorld, personas: Any, login: Any
) -> None:
    client = login(personas.staff)
    first = client.post(_list_url(world))  # its build is queued, not run (no commit in tests)
    second = client.post(_list_url(world))

    packet = BoardPacket.objects.get()
    assert first["Location"] == second["Location"] == _detail_url(packet)


def test_history_lists_packets_newest_first(world: PacketWorld, personas: Any, login: Any) -> None:
    older = _ready(world)
    scheduled = packet_request(
        initiative=world.initiative,
        requested_by=None,
        meeting=world.meeting,
        trigger=BoardPacket.Trigger.SCHEDULED,
    )
    client = login(personas.steering)

    body = client.get(_list_url(world)).content.decode()

    assert body.index(_detail_url(scheduled)) < body.index(_detail_url(older))
    assert "Made before the meeting and emailed to the steering committee" in body
    assert _download_url(older) in body
    assert _download_url(scheduled) not in body
    assert "Make a board packet" in body


@pytest.mark.parametrize("count", [1, 6])
def test_history_page_query_count_does_not_grow_with_packets(
    world: PacketWorld,
    personas: Any,
    login: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    for _ in range(count):
        packet = packet_request(
            initiative=world.initiative, requested_by=personas.staff, meeting=world.meeting
        )
        BoardPacket.objects.filter(pk=packet.pk).update(status="ready", pdf=b"%PDF-1.7", size=8)
    client = login(personas.steering)
    client.get(_list_url(world))  # sessions and caches warm

    # Session, user, membership; initiative; packets; next steering meeting; org switcher.
    with django_assert_num_queries(7):
        response = client.get(_list_url(world))

    assert response.status_code == 200
    assert response.content.decode().count("/download/") == count


def test_detail_and_progress_query_counts(
    world: PacketWorld, personas: Any, login: Any, django_assert_num_queries: Any
) -> None:
    packet = _ready(world)
    client = login(personas.steering)
    client.get(_detail_url(packet))

    # Session, user, membership; the packet with its initiative, meeting and requester; the
    # page's organization switcher (the htmx progress alone has no page around it).
    with django_assert_num_queries(5):
        client.get(_detail_url(packet))
    with django_assert_num_queries(4):
        client.get(_detail_url(packet), headers={"HX-Request": "true"})
