"""Calendar feeds, fetched without a login and parsed back with icalendar: exactly which events
a person's and a table's feed hold, in which time zones, with which UIDs and versions; and the
address: a new one ends the old one, and anything but the current address gets the same 404."""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from tests.fixtures import Personas
from workplans.calendar_feeds import (
    calendar_feed_issue,
    calendar_feed_revoke,
    feed_token,
    feed_url,
    webcal_url,
)
from workplans.links import action_url
from workplans.models import CalendarFeed, Commitment, Meeting
from workplans.services import meeting_cancel, meeting_close, meeting_update
from workplans.tests.calendar_world import (
    LONDON,
    SITE,
    TODAY,
    CalendarWorld,
    feed_path,
    fetch,
    utc,
)
from workplans.tests.meeting_world import CHICAGO

CHI = ZoneInfo(CHICAGO)
LON = ZoneInfo(LONDON)


@pytest.fixture(autouse=True)
def _today(settings: Any) -> Generator[None, None, None]:
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Backbone <meetings@backbone.example.org>"
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(personas: Personas) -> CalendarWorld:
    return CalendarWorld(personas)


def parse(response: Any) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, Any]:
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT")), "a UID appears twice"
    return found


def uid(obj: Meeting | Commitment) -> str:
    kind = "meeting" if isinstance(obj, Meeting) else "commitment"
    return f"{kind}-{obj.pk}@{obj.organization_id}.backbone"


def page(meeting: Meeting) -> str:
    return f"{SITE}/o/lakeshore/meetings/{meeting.pk}/"


def test_a_persons_feed_holds_their_tables_meetings_in_each_initiatives_zone_and_their_due_dates(
    world: CalendarWorld, client: Client
) -> None:
    ana = world.member  # no login; sits at X and Y (Chicago) and L (London)
    x_before = world.schedule(world.x, utc(2026, 10, 20, 14), title="October meeting")
    x_after = world.schedule(world.x, utc(2026, 11, 3, 15), location="Lakeshore Library, Room B")
    l_before = world.schedule(world.l_table, utc(2026, 10, 21, 17), minutes=60)
    l_after = world.schedule(world.l_table, utc(2026, 10, 28, 18), minutes=60)
    y_meeting = world.schedule(world.y, utc(2026, 10, 22, 15))
    cancelled = meeting_cancel(meeting=world.schedule(world.x, utc(2026, 11, 17, 15)))
    recent = meeting_close(meeting=world.schedule(world.x, utc(2026, 9, 1, 14)))
    # Not Ana's: older than 90 days, and the steering committee, where she does not sit.
    world.schedule(world.x, utc(2026, 7, 1, 14))
    world.schedule(world.steering, utc(2026, 10, 23, 15))
    open_one = world.commitment(
        recent,
        ana,
        "Call the three family child care providers\nabout the reading kits",
        date(2026, 10, 30),
        why="They reach the youngest readers.",
    )
    needs_help = world.commitment(
        recent, ana, "Book the gym", date(2026, 10, 10), status=Commitment.Status.NEED_HELP
    )
    world.commitment(recent, ana, "Done already", date(2026, 10, 1), status="done")
    world.commitment(recent, ana, "Dropped", date(2026, 10, 2), status="dropped")
    world.commitment(recent, world.partner, "Tran's, not Ana's", date(2026, 10, 30))
    feed = calendar_feed_issue(person=ana, by_user=None)

    response = fetch(client, feed_url(feed))

    calendar = parse(response)
    assert response["Content-Disposition"] == f'inline; filename="lakeshore-person-{ana.pk}.ics"'
    assert str(calendar["X-WR-CALNAME"]) == "Lakeshore Learning Partnership: Ana Diaz"
    assert str(calendar["NAME"]) == "Lakeshore Learning Partnership: Ana Diaz"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.content
    assert b"METHOD" not in response.content
    found = events(calendar)
    assert set(found) == {
        uid(m) for m in (x_before, x_after, l_before, l_after, y_meeting, cancelled, recent)
    } | {uid(open_one), uid(needs_help)}
    assert sorted(str(z["TZID"]) for z in calendar.walk("VTIMEZONE")) == [CHICAGO, LONDON]

    # 09:00 in Chicago on both sides of its clock change, 18:00 in London on both sides of its.
    for meeting, zone, local in [
        (x_before, CHICAGO, "20261020T090000"),
        (x_after, CHICAGO, "20261103T090000"),
        (l_before, LONDON, "20261021T180000"),
        (l_after, LONDON, "20261028T180000"),
    ]:
        event = found[uid(meeting)]
        assert event["DTSTART"].params["TZID"] == zone
        assert event["DTEND"].params["TZID"] == zone
        assert event.decoded("DTSTART") == meeting.starts_at
        assert event.decoded("DTEND") == meeting.ends_at
        assert f"DTSTART;TZID={zone}:{local}".encode() in response.content
    assert found[uid(x_before)].decoded("DTSTART").utcoffset() == timedelta(hours=-5)
    assert found[uid(x_after)].decoded("DTSTART").utcoffset() == timedelta(hours=-6)
    assert found[uid(l_before)].decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert found[uid(l_after)].decoded("DTSTART").utcoffset() == timedelta(hours=0)

    event = found[uid(x_before)]
    assert str(event["SUMMARY"]) == "October meeting"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == page(x_before)
    assert str(event["DESCRIPTION"]) == (
        "Early Learning, Lakeshore Reads.\n\n"
        f"The agenda, opening with the review of last meeting's commitments: {page(x_before)}"
    )
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTAMP") == TODAY
    assert event.decoded("LAST-MODIFIED") == TODAY
    assert str(event["ORGANIZER"]) == "mailto:meetings@backbone.example.org"
    assert str(found[uid(x_after)]["LOCATION"]) == "Lakeshore Library, Room B"
    assert str(found[uid(l_before)]["SUMMARY"]) == "Libraries"
    assert str(found[uid(recent)]["STATUS"]) == "CONFIRMED"
    assert str(found[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert found[uid(cancelled)]["SEQUENCE"] == 1

    due = found[uid(open_one)]
    assert b"DTSTART;VALUE=DATE:20261030\r\n" in response.content
    assert due.decoded("DTSTART") == date(2026, 10, 30)
    assert due.decoded("DTEND") == date(2026, 10, 31)
    assert str(due["SUMMARY"]) == "Due: Call the three family child care providers"
    link = action_url(person_id=ana.pk, commitment_id=open_one.pk, action="done")
    assert link.startswith(f"{SITE}/r/")
    assert str(due["DESCRIPTION"]) == (
        "Call the three family child care providers\nabout the reading kits\n\n"
        "Committed at the Early Learning meeting on Tuesday, September 1, 2026.\n\n"
        "Why it matters: They reach the youngest readers.\n\n"
        f"Done? Mark it with one click: {link}"
    )
    assert str(due["URL"]) == link
    assert str(due["TRANSP"]) == "TRANSPARENT"
    assert due["SEQUENCE"] == 0
    assert found[uid(needs_help)].decoded("DTSTART") == date(2026, 10, 10)
    assert str(found[uid(needs_help)]["SUMMARY"]) == "Due: Book the gym"


def test_a_person_with_a_login_is_sent_to_my_commitments_and_sees_only_their_own(
    world: CalendarWorld, client: Client
) -> None:
    tran = world.partner  # logs in; sits at X only
    meeting = world.schedule(world.x, utc(2026, 10, 20, 14))
    world.schedule(world.l_table, utc(2026, 10, 21, 17))
    mine = world.commitment(meeting, tran, "Draft the flyer", date(2026, 11, 2))
    theirs = world.commitment(meeting, world.member, "Ana's task", date(2026, 11, 2))
    cochairs = world.commitment(meeting, world.cochair, "Keisha's task", date(2026, 11, 2))

    calendar = parse(fetch(client, feed_url(calendar_feed_issue(person=tran, by_user=None))))

    found = events(calendar)
    assert set(found) == {uid(meeting), uid(mine)}
    assert uid(theirs) not in found
    assert uid(cochairs) not in found
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == [CHICAGO]
    assert str(found[uid(mine)]["URL"]) == f"{SITE}/o/lakeshore/my-commitments/"
    assert str(found[uid(mine)]["DESCRIPTION"]).endswith(
        f"Tell your table how it is going: {SITE}/o/lakeshore/my-commitments/"
    )


def test_a_feed_is_in_the_persons_language(world: CalendarWorld, client: Client) -> None:
    ana = world.member
    ana.preferred_language = "es"
    ana.save()
    meeting = world.schedule(world.x, utc(2026, 10, 20, 14))
    task = world.commitment(meeting, ana, "Llamar a las bibliotecas", date(2026, 11, 2))

    calendar = parse(fetch(client, feed_url(calendar_feed_issue(person=ana, by_user=None))))

    # The feed's own sentences and its dates are both in Spanish.
    description = str(events(calendar)[uid(task)]["DESCRIPTION"])
    assert "Asumido en la reunión de Early Learning del martes 20 de octubre de 2026." in (
        description
    )
    assert "Committed at" not in description


def test_a_change_keeps_the_uid_and_raises_the_sequence_only_for_what_people_plan_around(
    world: CalendarWorld, client: Client
) -> None:
    meeting = world.schedule(world.x, utc(2026, 10, 20, 14))
    task = world.commitment(meeting, world.member, "Print flyers", date(2026, 11, 2))
    url = feed_url(calendar_feed_issue(table=world.x, by_user=None))

    with time_machine.travel(TODAY + timedelta(hours=2), tick=False):
        meeting_update(meeting=meeting, notes="Bring the sign-in sheets.")
    noted = events(parse(fetch(client, url)))[uid(meeting)]
    with time_machine.travel(TODAY + timedelta(hours=3), tick=False):
        meeting_update(
            meeting=meeting, starts_at=utc(2026, 10, 20, 15), ends_at=utc(2026, 10, 20, 16)
        )
    moved = events(parse(fetch(client, url)))[uid(meeting)]

    assert noted["SEQUENCE"] == 0
    assert noted.decoded("LAST-MODIFIED") == TODAY + timedelta(hours=2)
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("LAST-MODIFIED") == TODAY + timedelta(hours=3)
    assert moved.decoded("DTSTART").astimezone(CHI).hour == 10
    # A table's feed holds meetings only.
    assert uid(task) not in events(parse(fetch(client, url)))


def test_a_tables_feed_holds_its_meetings_only(world: CalendarWorld, client: Client) -> None:
    ours = world.schedule(world.x, utc(2026, 10, 20, 14))
    cancelled = meeting_cancel(meeting=world.schedule(world.x, utc(2026, 10, 27, 14)))
    world.schedule(world.y, utc(2026, 10, 21, 14))
    world.schedule(world.x, utc(2026, 7, 1, 14))
    feed = calendar_feed_issue(table=world.x, by_user=world.personas.staff)

    response = fetch(client, feed_url(feed))

    calendar = parse(response)
    assert set(events(calendar)) == {uid(ours), uid(cancelled)}
    assert str(calendar["X-WR-CALNAME"]) == "Early Learning meetings (Lakeshore Reads)"
    assert str(events(calendar)[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert response["Content-Disposition"] == f'inline; filename="lakeshore-table-{world.x.pk}.ics"'


def test_a_new_address_ends_the_old_one_and_a_revoked_or_unknown_one_gets_the_same_404(
    world: CalendarWorld, client: Client
) -> None:
    ana = world.member
    first = calendar_feed_issue(person=ana, by_user=None)
    old_url, old_token = feed_url(first), feed_token(first)
    assert old_url == f"{SITE}/calendar/{old_token}.ics"
    assert webcal_url(first) == f"webcal://backbone.example.org/calendar/{old_token}.ics"
    assert fetch(client, old_url).status_code == 200

    second = calendar_feed_issue(person=ana, by_user=None)

    assert second.pk == first.pk
    assert feed_token(second) != old_token
    gone = fetch(client, old_url)
    assert gone.status_code == 404
    assert gone["Content-Type"] == "text/plain; charset=utf-8"
    assert gone.content == b"This calendar address does not exist or was replaced."
    assert fetch(client, feed_url(second)).status_code == 200
    feed_id, signature = feed_token(second).split("-", 1)
    unknown = [
        f"{int(feed_id) + 1}-{signature}",
        f"{feed_id}-{signature[:-1]}A"
        if not signature.endswith("A")
        else f"{feed_id}-{signature[:-1]}B",
        f"{feed_id}-",
        "calendar",
        f"x{feed_id}-{signature}",
    ]
    for token in unknown:
        response = client.get(feed_path(token))
        assert response.status_code == 404, token
        assert response.content == gone.content, token

    calendar_feed_revoke(feed=second)

    assert CalendarFeed.objects.count() == 0
    assert fetch(client, feed_url(second)).status_code == 404


def test_a_removed_persons_feed_answers_404(world: CalendarWorld, client: Client) -> None:
    feed = calendar_feed_issue(person=world.member, by_user=None)
    world.member.archived_at = TODAY
    world.member.save()

    assert fetch(client, feed_url(feed)).status_code == 404


def test_an_address_signed_with_a_retired_secret_key_still_works(
    world: CalendarWorld, client: Client, settings: Any
) -> None:
    feed = calendar_feed_issue(person=world.member, by_user=None)
    url = feed_url(feed)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-0123456789-abcdefghij"

    assert fetch(client, url).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert fetch(client, url).status_code == 404


def test_an_unchanged_feed_answers_304_to_a_calendar_that_has_it(
    world: CalendarWorld, client: Client
) -> None:
    world.schedule(world.x, utc(2026, 10, 20, 14))
    url = feed_url(calendar_feed_issue(person=world.member, by_user=None))
    first = fetch(client, url)
    assert first["Cache-Control"] == "private, no-cache"

    again = client.get(url.removeprefix(SITE), headers={"If-None-Match": first["ETag"]})
    world.schedule(world.x, utc(2026, 10, 27, 14))
    changed = client.get(url.removeprefix(SITE), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("meetings", [2, 20])
def test_a_persons_feed_takes_the_same_queries_however_much_it_holds(
    world: CalendarWorld, client: Client, django_assert_num_queries: Any, meetings: int
) -> None:
    ana = world.member
    for n in range(meetings):
        table = world.x if n % 2 else world.l_table
        meeting = world.schedule(table, utc(2026, 10, 16, 14) + timedelta(days=n))
        world.commitment(meeting, ana, f"Task {n}", date(2026, 12, 1) + timedelta(days=n))
    url = feed_url(calendar_feed_issue(person=ana, by_user=None)).removeprefix(SITE)

    # The feed with its person and organization; the meetings; the commitments.
    with django_assert_num_queries(3):
        response = client.get(url)

    assert len(parse(response).walk("VEVENT")) == 2 * meetings


@pytest.mark.parametrize("meetings", [2, 20])
def test_a_tables_feed_takes_the_same_queries_however_much_it_holds(
    world: CalendarWorld, client: Client, django_assert_num_queries: Any, meetings: int
) -> None:
    for n in range(meetings):
        world.schedule(world.x, utc(2026, 10, 16, 14) + timedelta(days=n))
    url = feed_url(calendar_feed_issue(table=world.x, by_user=None)).removeprefix(SITE)

    with django_assert_num_queries(2):
        response = client.get(url)

    assert len(parse(response).walk("VEVENT")) == meetings
