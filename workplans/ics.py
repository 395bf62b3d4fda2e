"""Meetings and commitment due dates as iCalendar, for any calendar program: one meeting's .ics
invitation, and the calendar feeds people subscribe to (workplans.calendar_feeds).

A meeting's event carries its initiative's time zone (TZID with its VTIMEZONE), so a 09:00
meeting in Chicago shows at 09:00 Chicago time in every calendar, whatever the reader's own zone;
a feed holding meetings of initiatives in several zones carries one VTIMEZONE for each. UIDs
depend only on the meeting or the commitment, so downloading or refreshing again after a change
updates the same event instead of adding a second one; SEQUENCE and LAST-MODIFIED tell a
calendar which copy is newer. A cancelled meeting stays, marked CANCELLED, so calendars remove it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import Calendar, Component, Event, vCalAddress, vDuration, vText

from backbone.models import Organization
from workplans.models import Commitment, Meeting

PRODID = "-//Backbone//Meetings//EN"
# How often a subscribed calendar should fetch the feed again (a hint: Google decides alone).
REFRESH = timedelta(hours=1)
SUMMARY_CHARACTERS = 80


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{meeting.organization_id}.backbone"


def commitment_uid(commitment: Commitment) -> str:
    return f"commitment-{commitment.pk}@{commitment.organization_id}.backbone"


def meeting_title(meeting: Meeting) -> str:
    return meeting.title or str(meeting.table.name)


def organizer(organization: Organization) -> vCalAddress:
    address = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    address.params["cn"] = vText(organization.email_sender_name)
    return address


def meeting_event(
    meeting: Meeting,
    *,
    zone: zoneinfo.ZoneInfo,
    page_url: str,
    organized_by: vCalAddress,
    stamp: datetime,
) -> Event:
    """One meeting as a VEVENT in `zone`; `meeting.table` and `meeting.initiative` are read."""
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", timezone.localtime(meeting.starts_at, zone))
    event.add("dtend", timezone.localtime(meeting.ends_at, zone))
    event.add("summary", meeting_title(meeting))
    if meeting.location:
        event.add("location", meeting.location)
    elif meeting.video_link:
        event.add("location", meeting.video_link)
    lines = [
        _("%(table)s, %(initiative)s.")
        % {"table": meeting.table.name, "initiative": meeting.initiative.name}
    ]
    if meeting.video_link:
        lines.append(_("Join by video: %(link)s") % {"link": meeting.video_link})
    lines.append(
        _("The agenda, opening with the review of last meeting's commitments: %(url)s")
        % {"url": page_url}
    )
    event.add("description", "\n\n".join(lines))
    event.add("url", page_url)
    event.add(
        "status",
        "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED",
    )
    event.add("organizer", organized_by)
    return event


def due_event(commitment: Commitment, *, meeting_day: date, link: str, link_text: str) -> Event:
    """An open commitment's due date as an all-day event that does not make its owner busy.
    `commitment.meeting` and `commitment.table` are read; `link` is where to act on it."""
    event = Event()
    event.add("uid", commitment_uid(commitment))
    event.add("dtstamp", commitment.updated_at)
    event.add("last-modified", commitment.updated_at)
    # The version starts at 1 and rises with every change (status, date, note).
    event.add("sequence", commitment.version - 1)
    event.add("dtstart", commitment.due_date)
    event.add("dtend", commitment.due_date + timedelta(days=1))
    first_line = commitment.what.strip().splitlines()[0] if commitment.what.strip() else ""
    event.add(
        "summary",
        _("Due: %(what)s") % {"what": Truncator(first_line).chars(SUMMARY_CHARACTERS)},
    )
    lines = [
        commitment.what.strip(),
        _("Committed at the %(table)s meeting on %(day)s.")
        % {"table": commitment.table.name, "day": _long_date(meeting_day)},
    ]
    if commitment.why.strip():
        lines.append(_("Why it matters: %(why)s") % {"why": commitment.why.strip()})
    lines.append(f"{link_text} {link}")
    event.add("description", "\n\n".join(lines))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def _long_date(day: date) -> str:
    return date_format(day, pgettext("date format", "l, F j, Y"))


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _finish(calendar: Calendar, events: Iterable[Component]) -> bytes:
    for event in events:
        calendar.add_component(event)
    # One VTIMEZONE for each zone the events use, placed before them.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed(*, name: str, description: str, events: Iterable[Component]) -> bytes:
    """A calendar to subscribe to. No METHOD: it is a published calendar, not a message, so
    each event's DTSTAMP is when it was last changed and the bytes change only with the data."""
    calendar = _calendar()
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return _finish(calendar, events)


def meeting_invite(
    meeting: Meeting, *, organization: Organization, time_zone: str, page_url: str
) -> bytes:
    """The .ics bytes for one meeting; `page_url` is the meeting's page (absolute)."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-timezone", time_zone)
    event = meeting_event(
        meeting,
        zone=zoneinfo.ZoneInfo(time_zone),
        page_url=page_url,
        organized_by=organizer(organization),
        stamp=timezone.now(),
    )
    return _finish(calendar, [event])
