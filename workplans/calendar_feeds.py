"""Calendar feeds: secret addresses that calendar programs (Google, Outlook, Apple) subscribe to
without a login. A person's feed holds the meetings of the tables they sit at and the due dates
of their open commitments; a table's feed holds its meetings.

The address is `/calendar/<id>-<signature>.ics`, the signature an HMAC (the site's secret key)
over the feed's id and its random nonce. A stored hash of a random key (as for API tokens) could
not be shown again, yet the address must be: every time its owner opens My commitments, and
whenever staff copy it for a partner who has no login. Signed, it can be, while the database
alone reveals no working address. A new address replaces the nonce, which ends the old one at
once; an unknown, ended or altered address gets the same 404.
"""

from __future__ import annotations

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from icalendar import Event

from backbone.models import Organization, User
from initiatives.models import Initiative, Person, Table
from workplans import ics
from workplans.links import action_url
from workplans.models import CalendarFeed, Commitment, Meeting

_SALT = "backbone.calendar.feed"
# Past meetings a feed keeps, so last month's meeting stays in the calendar after it happened.
PAST_DAYS = 90


# --- Addresses ----------------------------------------------------------------------------------


def _signature(feed_id: int, nonce: str, key: str | bytes | None = None) -> str:
    return signing.Signer(salt=_SALT).signature(f"{feed_id}.{nonce}", key=key)


def feed_token(feed: CalendarFeed) -> str:
    return f"{feed.pk}-{_signature(feed.pk, feed.nonce)}"


def feed_url(feed: CalendarFeed) -> str:
    """The https:// address (what Google Calendar's "From URL" wants)."""
    return f"{settings.SITE_URL}{reverse('calendar_feed', kwargs={'token': feed_token(feed)})}"


def webcal_url(feed: CalendarFeed) -> str:
    """The same address as webcal://, which opens the calendar program to subscribe."""
    return "webcal://" + feed_url(feed).split("://", 1)[1]


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed an address names (with its organization, person or table, and initiative), or
    None for anything else: unknown, altered, replaced by a new address, or a removed person."""
    feed_id, _sep, signature = token.partition("-")
    if not feed_id.isdigit() or not signature or len(feed_id) > 18:
        return None
    feed = (
        CalendarFeed.objects.select_related("organization", "person", "table__initiative")
        .filter(pk=int(feed_id))
        .first()
    )
    if feed is None:
        return None
    # A signature made with a retired secret key (SECRET_KEY_FALLBACKS) still counts.
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if not any(
        constant_time_compare(signature, _signature(feed.pk, feed.nonce, key)) for key in keys
    ):
        return None
    if feed.person is not None and feed.person.archived_at is not None:
        return None
    return feed


def feed_of(subject: Person | Table) -> CalendarFeed | None:
    """The subject's feed, if it has one (no query when it was loaded with select_related)."""
    try:
        feed: CalendarFeed = subject.calendar_feed
    except ObjectDoesNotExist:
        return None
    return feed


# --- Services -----------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(
    *, person: Person | None = None, table: Table | None = None, by_user: User | None
) -> CalendarFeed:
    """Give a person or a table a calendar address; when it has one already, a new address
    that ends the old one (anyone holding the old one, or a calendar subscribed to it, gets
    nothing more)."""
    if person is not None and table is None:
        organization_id = person.organization_id
        if person.archived_at is not None:
            raise ValidationError(_("%(name)s was removed.") % {"name": person})
        subject: dict[str, Person | Table] = {"person": person}
    elif table is not None and person is None:
        organization_id = table.organization_id
        subject = {"table": table}
    else:
        raise TypeError("calendar_feed_issue takes a person or a table")
    issued = {"nonce": secrets.token_urlsafe(32), "issued_at": timezone.now(), "issued_by": by_user}
    # Two clicks at once: the second finds the first one's row (one feed per subject) instead
    # of failing on the unique constraint, and gives it yet another address.
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        **subject, defaults={"organization_id": organization_id, **issued}
    )
    if not created:
        for name, value in issued.items():
            setattr(feed, name, value)
        feed.save(update_fields=list(issued))
    return feed


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed) -> None:
    """End the address: nothing answers at it any more, and no new one is made."""
    CalendarFeed.objects.filter(pk=feed.pk).delete()


# --- The feeds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    body: bytes
    filename: str


def _zone(initiative: Initiative, organization: Organization) -> zoneinfo.ZoneInfo:
    initiative.organization = organization  # already loaded with the feed
    return zoneinfo.ZoneInfo(initiative.effective_time_zone)


def _meeting_events(
    meetings: list[Meeting], organization: Organization
) -> tuple[list[Event], dict[int, zoneinfo.ZoneInfo]]:
    organized_by = ics.organizer(organization)
    zones: dict[int, zoneinfo.ZoneInfo] = {}
    events = []
    for meeting in meetings:
        zone = zones.setdefault(meeting.initiative_id, _zone(meeting.initiative, organization))
        meeting.organization = organization
        page = reverse(
            "meeting_detail", kwargs={"org_slug": organization.slug, "meeting_id": meeting.pk}
        )
        events.append(
            ics.meeting_event(
                meeting,
                zone=zone,
                page_url=f"{settings.SITE_URL}{page}",
                organized_by=organized_by,
                stamp=meeting.updated_at,
            )
        )
    return events, zones


def _meetings(organization: Organization, since: datetime, **lookup: object) -> list[Meeting]:
    return list(
        Meeting.objects.filter(organization=organization, starts_at__gte=since, **lookup)
        .select_related("table", "initiative")
        .order_by("starts_at", "id")
    )


def person_feed(feed: CalendarFeed, *, now: datetime | None = None) -> Feed:
    """The meetings of the tables the person sits at (the last PAST_DAYS days and all to come)
    and the due dates of their open commitments, in the person's language. Three queries with
    the feed's own, however many there are."""
    person = feed.person
    assert person is not None
    organization = feed.organization
    since = (now or timezone.now()) - timedelta(days=PAST_DAYS)
    with translation.override(person.preferred_language):
        meetings = _meetings(organization, since, table__seats__person=person)
        events, zones = _meeting_events(meetings, organization)
        commitments = (
            Commitment.objects.filter(
                organization=organization, person=person, status__in=Commitment.ACTIVE
            )
            .select_related("table", "meeting__initiative")
            .order_by("due_date", "id")
        )
        my_page = f"{settings.SITE_URL}{reverse('my_commitments', args=[organization.slug])}"
        for commitment in commitments:
            meeting = commitment.meeting
            zone = zones.setdefault(meeting.initiative_id, _zone(meeting.initiative, organization))
            if person.user_id is not None:
                link, text = my_page, _("Tell your table how it is going:")
            else:
                link = action_url(person_id=person.pk, commitment_id=commitment.pk, action="done")
                text = _("Done? Mark it with one click:")
            events.append(
                ics.due_event(
                    commitment,
                    meeting_day=timezone.localtime(meeting.starts_at, zone).date(),
                    link=link,
                    link_text=text,
                )
            )
        body = ics.feed(
            name=_("%(organization)s: %(name)s") % _names(organization, person.full_name),
            description=_(
                "The meetings of %(name)s's tables and the due dates of their open "
                "commitments, from %(organization)s."
            )
            % _names(organization, person.full_name),
            events=events,
        )
    return Feed(body=body, filename=f"{organization.slug}-person-{person.pk}.ics")


def table_feed(feed: CalendarFeed, *, now: datetime | None = None) -> Feed:
    """The table's meetings, the last PAST_DAYS days and all to come. Two queries with the
    feed's own, however many meetings there are."""
    table = feed.table
    assert table is not None
    organization = feed.organization
    since = (now or timezone.now()) - timedelta(days=PAST_DAYS)
    # Read by everyone at the table, whatever language the calendar server asks in.
    with translation.override(settings.LANGUAGE_CODE):
        meetings = _meetings(organization, since, table=table)
        events, _zones = _meeting_events(meetings, organization)
        names = {"table": table.name, "initiative": table.initiative.name}
        body = ics.feed(
            name=_("%(table)s meetings (%(initiative)s)") % names,
            description=_("The meetings of %(table)s, %(initiative)s.") % names,
            events=events,
        )
    return Feed(body=body, filename=f"{organization.slug}-table-{table.pk}.ics")


def _names(organization: Organization, name: str) -> dict[str, str]:
    return {"organization": organization.email_sender_name, "name": name}


def build(feed: CalendarFeed, *, now: datetime | None = None) -> Feed:
    return person_feed(feed, now=now) if feed.person_id else table_feed(feed, now=now)
