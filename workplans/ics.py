"""A meeting as an iCalendar (.ics) invitation that any calendar program imports.

The event carries the initiative's time zone (TZID with its VTIMEZONE), so a 09:00 meeting in
Chicago shows at 09:00 Chicago time in every calendar, whatever the reader's own zone. Its UID
depends only on the meeting, so downloading it again after a change updates the same event
instead of adding a second one.
"""

from __future__ import annotations

import zoneinfo
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from backbone.models import Organization
from workplans.models import Meeting

PRODID = "-//Backbone//Meetings//EN"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{meeting.organization_id}.backbone"


def meeting_title(meeting: Meeting) -> str:
    return meeting.title or str(meeting.table.name)


def meeting_invite(
    meeting: Meeting, *, organization: Organization, time_zone: str, page_url: str
) -> bytes:
    """The .ics bytes for one meeting; `page_url` is the meeting's page (absolute)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-timezone", time_zone)

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", timezone.now())
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
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = vText(organization.email_sender_name)
    event.add("organizer", organizer)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
