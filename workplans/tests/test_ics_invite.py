"""The .ics invitation of a meeting, parsed back with icalendar: exact fields, the initiative's
time zone with its VTIMEZONE, and a UID that stays the same for the meeting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from backbone.models import User
from tests.fixtures import Personas
from workplans.services import meeting_cancel, meeting_schedule, meeting_update
from workplans.tests.meeting_world import World

Login = Callable[[User], Client]


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


@pytest.fixture(autouse=True)
def _sender(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "Backbone <meetings@backbone.example.org>"


def invite(client: Client, meeting_id: int) -> tuple[Any, Calendar]:
    response = client.get(
        reverse("meeting_invite", kwargs={"org_slug": "lakeshore", "meeting_id": meeting_id})
    )
    return response, Calendar.from_ical(response.content)


def test_the_invitation_carries_the_meeting_in_the_initiatives_zone(
    world: World, personas: Personas, login: Login
) -> None:
    world.org.sender_name = "Lakeshore Backbone Team"
    world.org.save()
    meeting = meeting_schedule(
        table=world.x,
        # 09:00 in Chicago the day after clocks fall back (CST, UTC-6).
        starts_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 2, 16, 30, tzinfo=UTC),
        title="November meeting",
        location="Lakeshore Public Library, Room B",
        video_link="https://meet.example.org/early-learning",
    )

    response, calendar = invite(login(personas.partner), meeting.pk)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="early-learning-2026-11-02.ics"'
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Backbone//Meetings//EN"
    [event] = calendar.walk("VEVENT")
    [zone] = calendar.walk("VTIMEZONE")
    page = f"http://testserver/o/lakeshore/meetings/{meeting.pk}/"
    assert str(zone["TZID"]) == "America/Chicago"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@{world.org.pk}.backbone"
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event["DTEND"].params["TZID"] == "America/Chicago"
    assert event.decoded("DTSTART") == datetime(
        2026, 11, 2, 9, 0, tzinfo=ZoneInfo("America/Chicago")
    )
    assert event.decoded("DTEND") == datetime(
        2026, 11, 2, 10, 30, tzinfo=ZoneInfo("America/Chicago")
    )
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert b"DTSTART;TZID=America/Chicago:20261102T090000" in response.content
    assert str(event["SUMMARY"]) == "November meeting"
    assert str(event["LOCATION"]) == "Lakeshore Public Library, Room B"
    assert str(event["URL"]) == page
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]) == (
        "Early Learning, Lakeshore Reads.\n\n"
        "Join by video: https://meet.example.org/early-learning\n\n"
        f"The agenda, opening with the review of last meeting's commitments: {page}"
    )
    assert str(event["ORGANIZER"]) == "mailto:meetings@backbone.example.org"
    assert event["ORGANIZER"].params["CN"] == "Lakeshore Backbone Team"


def test_the_uid_is_stable_and_a_change_or_cancellation_updates_the_same_event(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting(days=10)
    client = login(personas.staff)
    _, before = invite(client, meeting.pk)

    meeting_update(meeting=meeting, location="", video_link="https://meet.example.org/x")
    _, moved = invite(client, meeting.pk)
    meeting_cancel(meeting=meeting)
    _, cancelled = invite(client, meeting.pk)

    uids = {str(c.walk("VEVENT")[0]["UID"]) for c in (before, moved, cancelled)}
    assert uids == {f"meeting-{meeting.pk}@{world.org.pk}.backbone"}
    [event] = moved.walk("VEVENT")
    # With no place, the video link is where the meeting happens; the title is the table's.
    assert str(event["LOCATION"]) == "https://meet.example.org/x"
    assert str(event["SUMMARY"]) == "Early Learning"
    assert event["ORGANIZER"].params["CN"] == "Lakeshore Learning Partnership"
    assert str(cancelled.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_an_initiative_without_its_own_zone_uses_the_organizations(
    world: World, personas: Personas, login: Login
) -> None:
    world.initiative.time_zone = ""
    world.initiative.save()
    world.org.time_zone = "America/New_York"
    world.org.save()
    meeting = meeting_schedule(
        table=world.x,
        starts_at=datetime(2026, 7, 1, 13, 0, tzinfo=UTC),
        ends_at=datetime(2026, 7, 1, 14, 0, tzinfo=UTC),
    )

    response, calendar = invite(login(personas.staff), meeting.pk)

    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert b"DTSTART;TZID=America/New_York:20260701T090000" in response.content
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["America/New_York"]
