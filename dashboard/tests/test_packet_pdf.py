"""The board packet's PDF, read back as text with poppler's pdftotext: what it holds, its
contents page and page numbers, and that it fetches nothing from elsewhere."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import time_machine

from dashboard import packet_content, pdf
from dashboard.models import BoardPacket
from dashboard.packets import packet_build, packet_request
from dashboard.tests.packet_world import (
    NORTH_STAR,
    NOW,
    PacketWorld,
    packet_world,
    pdf_of,
    pdf_pages,
    poppler,
    squeeze,
)
from initiatives.tests.factories import SeatFactory, TableFactory
from metrics.tests.factories import IndicatorFactory
from workplans.tests.factories import CommitmentFactory, KeyActionFactory, WorkplanFactory


@pytest.fixture
def world(personas: Any) -> PacketWorld:
    with time_machine.travel(NOW, tick=False):
        return packet_world(personas)


def _built(world: PacketWorld, **kwargs: Any) -> BoardPacket:
    with time_machine.travel(NOW, tick=False):
        packet = packet_request(initiative=world.initiative, requested_by=None, **kwargs)
        built = packet_build(packet_id=packet.pk)
    assert built is not None
    assert built.status == BoardPacket.Status.READY, built.error
    return built


def test_packet_text_holds_the_north_star_every_result_and_every_workgroup(
    world: PacketWorld,
) -> None:
    packet = _built(world, meeting=world.meeting)

    pages = pdf_pages(pdf_of(packet))
    text = squeeze(" ".join(pages))
    assert NORTH_STAR in text
    for result in world.results:
        assert result.statement in text
    for table in world.workgroups:
        assert table.name in text
    for phrase in world.texts.values():
        assert phrase in text
    # The dashboard's own section, as on the dashboard page.
    assert "Dashboard" in squeeze(pages[1])
    for heading in ("Strategies: key actions by status", "Who is at the table", "Follow-through"):
        assert heading in text
    # The cover names the meeting it is for; a done commitment is not under review.
    assert "Spring steering meeting" in squeeze(pages[0])
    assert "Translate the flyer (done)" not in text


def test_packet_has_a_contents_page_whose_page_numbers_are_right(world: PacketWorld) -> None:
    packet = _built(world)

    pages = pdf_pages(pdf_of(packet))
    assert len(pages) == packet.page_count
    assert packet.page_count > 4
    info = subprocess.run(  # noqa: S603 - poppler on our own PDF
        [poppler("pdfinfo"), "-"], input=pdf_of(packet), capture_output=True, check=True
    ).stdout.decode()
    assert re.search(rf"^Pages:\s+{packet.page_count}$", info, re.MULTILINE)
    contents = pages[1]
    assert "Contents" in contents
    for name in ("Early Learning", "Family Voice"):
        listed = re.search(rf"{name}[ .]+(\d+)", contents)
        assert listed is not None, name
        page = int(listed.group(1))
        # The workgroup's own page starts with its heading, under the "Workgroup" eyebrow.
        assert re.search(rf"WORKGROUP\s+{name}", pages[page - 1]), (name, page)
    listed = re.search(
        r"Result 2: Children read at grade level by third grade\.[ .]+(\d+)", contents
    )
    assert listed is not None
    assert "Children read at grade level by third grade." in pages[int(listed.group(1)) - 1]


def test_every_page_after_the_cover_has_its_number_and_the_initiative_in_its_header(
    world: PacketWorld,
) -> None:
    packet = _built(world)

    pages = pdf_pages(pdf_of(packet))
    total = len(pages)
    assert "Page 1 of" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page
        assert "Board packet" in page
        assert page.strip().startswith("Lakeshore Reads")


def test_packet_in_spanish_is_written_with_spanish_dates(world: PacketWorld) -> None:
    packet = _built(world, language="es", meeting=world.meeting)

    cover = squeeze(pdf_pages(pdf_of(packet))[0])
    assert "marzo" in cover  # the date of the meeting and of the packet
    assert "March" not in cover


def test_fetcher_refuses_other_servers_and_files_and_serves_static_files() -> None:
    fetcher = pdf._fetcher()
    for url in (
        "https://example.org/logo.png",
        "http://127.0.0.1:8000/static/css/backbone.css",
        "file:///etc/passwd",
        "file:///static/../config/settings.py",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError, match=r"does not fetch|disallowed protocol"):
            fetcher.fetch(url)
    served = fetcher.fetch("file:///static/css/backbone.css")
    assert served.content_type == "text/css"
    assert b"--primary" in served.read()


def test_a_page_with_a_remote_image_is_made_without_fetching_it(monkeypatch: Any) -> None:
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the PDF tried the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    made = pdf.html_to_pdf(
        '<p>Hello</p><img src="https://example.org/tracker.png">'
        '<img src="data:image/svg+xml;base64,'
        'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">'
    )
    assert made.page_count == 1
    assert "Hello" in pdf_pages(made.data)[0]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Page %(page)s of %(pages)s", '"Page " counter(page) " of " counter(pages)'),
        ("%(page)s / %(pages)s", 'counter(page) " / " counter(pages)'),
        ("Seite %(page)s von %(pages)s", '"Seite " counter(page) " von " counter(pages)'),
    ],
)
def test_page_numbers_follow_the_translated_wording(template: str, expected: str) -> None:
    assert pdf.page_of_content(template) == expected


def test_css_strings_cannot_close_the_style_element() -> None:
    assert pdf.css_string('A "quoted" name</style>') == '"A \\"quoted\\" name\\3c /style\\3e "'


def test_long_lists_are_capped_but_every_indicator_and_workgroup_is_named(
    world: PacketWorld, monkeypatch: Any
) -> None:
    monkeypatch.setattr(packet_content, "CHARTS_PER_RESULT", 0)
    monkeypatch.setattr(packet_content, "KEY_ACTIONS_SHOWN", 1)
    monkeypatch.setattr(packet_content, "COMMITMENTS_SHOWN", 1)

    packet = _built(world)

    text = squeeze(" ".join(pdf_pages(pdf_of(packet))))
    assert "Kindergartners ready to learn" in text
    assert "Third graders reading at grade level" in text
    assert text.count("1 more indicator of this result") == 2
    # Early Learning: 3 key actions (the off-track one shown), 2 open commitments (the oldest).
    assert "And 2 more key actions." in text
    assert "Map pre-K seats against births" in text
    assert "Recruit 60 volunteer tutors" not in text
    assert "And 1 more open commitment, due later." in text
    assert "Call the principal at Eastgate" in text
    assert "Send the draft letter" not in text
    for table in world.workgroups:
        assert table.name in text


def test_packet_content_reads_in_a_fixed_number_of_queries(
    world: PacketWorld, django_assert_num_queries: Any
) -> None:
    def read() -> None:
        with time_machine.travel(NOW, tick=False):
            packet_content.result_sections(world.initiative, today=NOW.date())
            packet_content.workgroup_sections(world.initiative, today=NOW.date(), now=NOW)

    with django_assert_num_queries(13) as few:
        read()
    more_tables: list[Any] = [TableFactory(initiative=world.initiative) for _ in range(3)]
    for table in more_tables:
        workplan: Any = WorkplanFactory(table=table, year=2026)
        KeyActionFactory(workplan=workplan)
        CommitmentFactory(meeting__table=table)
        SeatFactory(table=table, role="co_chair")
    IndicatorFactory(result=world.results[1])
    with django_assert_num_queries(len(few.captured_queries)):
        read()
