"""NAG reminders: scheduled as rows with a due time, sent by a sweep exactly once.

Scheduling: closing a meeting creates its reminders — the recap to everyone at the table, the
check-in to each person who committed, and (when the next meeting is on the calendar) the
heads-up; scheduling or moving the next meeting (re)times the heads-ups. Check-ins and
heads-ups go out at a civil local hour (09:00 in the initiative's time zone, weekdays).

Sending: `send_due_reminders` claims the due rows of up to BATCH people at a time with a
compare-and-set on a claim token (and SELECT … FOR UPDATE SKIP LOCKED on the people where the
database has it), so two sweeps running at once never take the same row, nor split one
person's rows. Everything due to one person is sent as one email (a digest when there are
several). The emails of up to WRITE_BATCH people, their outbox rows and their reminders' new
status are written in one transaction, which commits only if the rows still carry this sweep's
token: a sweep that dies before committing leaves the rows pending, claimed again once its
claim is CLAIM_TIMEOUT old; a sweep that wakes after its claim was taken over writes nothing.
The unique (meeting, touch, person) constraint makes a second reminder for the same touch a
database error.

So from reminder to outbox row it is exactly once. From outbox row to the recipient's mail
server (backbone.mail.delivery) a worker claims the row, hands the message to SMTP or the
provider, then marks the row sent; a lost task (Redis flushed or restarted, worker killed) leaves
a queued row that backbone.tasks.requeue_stuck_emails hands to a worker again. The database, not
the broker, is the source of truth.

The one window no database can close: the provider accepted the message (SMTP 250 after DATA,
or the API answered 2xx) and the worker died — or lost the database — before committing "sent".
The row stays queued under the dead worker's claim; once that claim is ten minutes old the
requeue sends it again, and that one person gets the same email twice (same subject, same
reply token, so a reply to either copy is read the same way). We choose at-least-once for that
window: a duplicate reminder is a nuisance, a lost one breaks the cadence. A live but slow
worker is not doubled: the transport times out (EMAIL_TIMEOUT, 20 s) long before the claim does.
"""

from __future__ import annotations

import secrets
import string
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from backbone.localtime import local_date
from initiatives.models import Person, Seat
from workplans.models import (
    Attendance,
    Commitment,
    Meeting,
    NagMessage,
    NagOptOut,
    NagSettings,
    Reminder,
    Touch,
    TouchControl,
)

if TYPE_CHECKING:
    from workplans.emails import SweepData

# A claim older than this belongs to a sweep that died; its rows may be claimed again.
CLAIM_TIMEOUT = timedelta(minutes=10)
BATCH = 500
# People whose emails are written in one transaction: a few queries and one commit for them
# all. Small, because a digest can be a few hundred kilobytes and a batch's emails are held in
# memory, several times over, while they are written (50 at once raised the large tenant's
# sweep from 290 to 460 MB, at the same speed).
WRITE_BATCH = 10
TOKEN_ALPHABET = string.ascii_lowercase + string.digits


def settings_for(initiative_id: int, organization_id: int) -> NagSettings:
    found, _ = NagSettings.objects.get_or_create(
        initiative_id=initiative_id, defaults={"organization_id": organization_id}
    )
    return found


def civil_moment(day: date, settings: NagSettings, time_zone: str) -> datetime:
    """The send hour on `day` in the initiative's zone (moved to Monday from a weekend when
    weekdays only). Built from the local wall clock, so it stays 09:00 across DST changes."""
    if settings.weekdays_only:
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return datetime.combine(day, time(settings.send_hour, 0), tzinfo=zoneinfo.ZoneInfo(time_zone))


def _committers(meeting: Meeting) -> set[int]:
    return set(meeting.commitments.values_list("person_id", flat=True))


def _table_people(meeting: Meeting) -> set[int]:
    seated = Seat.objects.filter(table_id=meeting.table_id, person__archived_at__isnull=True)
    present = Attendance.objects.filter(meeting=meeting, present=True)
    return set(seated.values_list("person_id", flat=True)) | set(
        present.values_list("person_id", flat=True)
    )


def _create(meeting: Meeting, touch: str, people: Iterable[int], due_at: datetime) -> int:
    rows = [
        Reminder(
            organization_id=meeting.organization_id,
            meeting=meeting,
            touch=touch,
            person_id=pk,
            due_at=due_at,
        )
        for pk in sorted(set(people))
    ]
    # The unique (meeting, touch, person) constraint turns a repeat into nothing.
    created = Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def next_scheduled_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            table_id=meeting.table_id,
            starts_at__gt=meeting.starts_at,
            status=Meeting.Status.SCHEDULED,
        )
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def reminders_schedule_for_closed_meeting(*, meeting: Meeting) -> None:
    """Called when a meeting closes: the recap now, the check-in later, the heads-up before the
    next meeting if one is scheduled."""
    initiative = meeting.initiative
    settings = settings_for(initiative.pk, meeting.organization_id)
    zone = initiative.effective_time_zone
    closed_at = meeting.closed_at or timezone.now()
    _create(
        meeting,
        Touch.RECAP,
        _table_people(meeting),
        closed_at + timedelta(minutes=settings.recap_delay_minutes),
    )
    committers = _committers(meeting)
    check_in_day = local_date(meeting.starts_at, zone) + timedelta(days=settings.check_in_days)
    _create(meeting, Touch.CHECK_IN, committers, civil_moment(check_in_day, settings, zone))
    reminders_time_heads_up(meeting=meeting)


def heads_up_moment(meeting: Meeting, following: Meeting, settings: NagSettings) -> datetime:
    zone = meeting.initiative.effective_time_zone
    day = local_date(following.starts_at, zone) - timedelta(days=settings.heads_up_days)
    moment = civil_moment(day, settings, zone)
    if moment >= following.starts_at:  # weekend shift past the meeting: send on the Friday
        moment = civil_moment(day - timedelta(days=2), settings, zone)
    return moment


@transaction.atomic
def reminders_time_heads_up(*, meeting: Meeting) -> int:
    """Create or re-time the heads-ups of a closed meeting for its table's next meeting."""
    if meeting.status != Meeting.Status.CLOSED:
        return 0
    following = next_scheduled_meeting(meeting)
    if following is None:
        return 0
    settings = settings_for(meeting.initiative_id, meeting.organization_id)
    due_at = heads_up_moment(meeting, following, settings)
    Reminder.objects.filter(
        meeting=meeting, touch=Touch.HEADS_UP, status=Reminder.Status.PENDING
    ).update(due_at=due_at)
    return _create(meeting, Touch.HEADS_UP, _committers(meeting), due_at)


def reminders_after_meeting_scheduled(*, meeting: Meeting) -> None:
    """A meeting was scheduled or moved: the previous closed meeting's heads-ups follow it."""
    previous = (
        Meeting.objects.filter(
            table_id=meeting.table_id, starts_at__lt=meeting.starts_at, status=Meeting.Status.CLOSED
        )
        .order_by("-starts_at")
        .first()
    )
    if previous is not None:
        reminders_time_heads_up(meeting=previous)


def heads_up_missing(meeting: Meeting) -> bool:
    """True when a closed meeting has people to remind but no next meeting to remind them of."""
    return (
        meeting.status == Meeting.Status.CLOSED
        and next_scheduled_meeting(meeting) is None
        and meeting.commitments.filter(status__in=Commitment.ACTIVE).exists()
    )


# --- Sending --------------------------------------------------------------------------------


@dataclass
class SweepResult:
    sent_emails: int = 0
    sent_reminders: int = 0
    skipped: int = 0
    recipients: list[str] = field(default_factory=list)


def _claim(now: datetime, limit: int) -> tuple[str, list[int]]:
    """Claim everything due to up to `limit` people. A person is the unit, never a row: a
    batch boundary or a second sweep must not split someone's due touches into two emails."""
    token = secrets.token_hex(16)
    cutoff = now - CLAIM_TIMEOUT
    claimable = Q(status=Reminder.Status.PENDING, due_at__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=cutoff)
    )
    with transaction.atomic():
        people = Person.objects.filter(
            pk__in=Reminder.objects.filter(claimable).values("person_id")
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            # A sweep running at the same moment skips the people this one is claiming.
            people = people.select_for_update(skip_locked=True)
        person_ids = list(people.values_list("pk", flat=True)[:limit])
        # Compare-and-set: only rows still claimable get this sweep's token.
        Reminder.objects.filter(claimable, person_id__in=person_ids).update(
            claimed_at=now, claim_token=token
        )
    claimed = list(Reminder.objects.filter(claim_token=token).values_list("pk", flat=True))
    return token, claimed


def new_reply_token() -> str:
    # Lower-case letters and digits: mail systems may fold the case of the address.
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(20))


def _skip_reason(
    reminder: Reminder, opted_out: set[tuple[int, int]], skipped_touches: set[tuple[int, str]]
) -> str:
    person = reminder.person
    meeting = reminder.meeting
    if not person.email:
        return "no email address"
    if person.archived_at is not None:
        return "person removed"
    if person.undeliverable_at is not None:
        return "address undeliverable"
    if person.nag_paused:
        return "reminders paused for this person"
    if (person.pk, meeting.initiative_id) in opted_out:
        return "unsubscribed from this initiative"
    if (meeting.pk, reminder.touch) in skipped_touches:
        return "touch skipped by staff"
    nag = getattr(meeting.initiative, "nag_settings", None)
    if nag is not None and not nag.enabled:
        return "NAG emails are off for this initiative"
    return ""


def send_due_reminders(*, now: datetime | None = None, limit: int = BATCH) -> SweepResult:
    """One sweep: claim what is due, send one email per person, record what happened. Each
    batch of people costs a fixed number of queries, and each WRITE_BATCH of its people a few
    more, however many emails and sections they get."""
    from workplans.emails import SharedParts, load_sweep_data

    now = now or timezone.now()
    result = SweepResult()
    parts = SharedParts()
    while True:
        token, ids = _claim(now, limit)
        if not ids:
            return result
        reminders = list(
            Reminder.objects.filter(pk__in=ids, claim_token=token).order_by(
                "person_id", "due_at", "id"
            )
        )
        # Each person and each meeting loaded once, however many of the batch's reminders
        # name them (a join would build them again for every reminder).
        people = Person.objects.select_related("organization").in_bulk(
            {r.person_id for r in reminders}
        )
        meetings = Meeting.objects.select_related(
            "organization",
            "table",
            "initiative",
            "initiative__nag_settings",
            "initiative__organization",
        ).in_bulk({r.meeting_id for r in reminders})
        for r in reminders:
            r.person = people[r.person_id]
            r.meeting = meetings[r.meeting_id]
        meeting_ids = {r.meeting_id for r in reminders}
        person_ids = {r.person_id for r in reminders}
        opted_out = set(
            NagOptOut.objects.filter(person_id__in=person_ids).values_list(
                "person_id", "initiative_id"
            )
        )
        skipped_touches = set(
            TouchControl.objects.filter(meeting_id__in=meeting_ids, skipped=True).values_list(
                "meeting_id", "touch"
            )
        )
        commitments = defaultdict(list)
        # Only each person's commitments at the meetings of their own due touches (not every
        # meeting of the batch), and only what the email shows: what, by when, the status.
        claimed_pair = Reminder.objects.filter(
            claim_token=token, meeting_id=OuterRef("meeting_id"), person_id=OuterRef("person_id")
        )
        for c in (
            Commitment.objects.filter(
                Exists(claimed_pair), meeting_id__in=meeting_ids, person_id__in=person_ids
            )
            .only("meeting_id", "person_id", "what", "due_date", "status")
            .order_by("meeting__starts_at", "position", "id")
        ):
            commitments[(c.meeting_id, c.person_id)].append(c)
        by_person: dict[int, list[Reminder]] = defaultdict(list)
        for r in reminders:
            by_person[r.person_id].append(r)
        data = load_sweep_data(reminders, parts)
        groups = [
            _sort_out(person_reminders, commitments, opted_out, skipped_touches)
            for person_reminders in by_person.values()
        ]
        tokens = fresh_tokens(len(groups))
        for start in range(0, len(groups), WRITE_BATCH):
            _send_people(
                groups[start : start + WRITE_BATCH],
                tokens[start : start + WRITE_BATCH],
                token,
                now,
                result,
                data,
            )
        if len(by_person) < limit:
            return result


@dataclass
class PersonDue:
    """One person's claimed reminders, sorted out: what goes into their email (each with the
    person's own commitments at that meeting) and what is skipped, with the reason."""

    person: Person
    to_send: list[tuple[Reminder, list[Commitment]]]
    skips: list[tuple[Reminder, str]]


def _sort_out(
    reminders: list[Reminder],
    commitments: dict[tuple[int, int], list[Commitment]],
    opted_out: set[tuple[int, int]],
    skipped_touches: set[tuple[int, str]],
) -> PersonDue:
    due = PersonDue(person=reminders[0].person, to_send=[], skips=[])
    for r in reminders:
        reason = _skip_reason(r, opted_out, skipped_touches)
        own = list(commitments[(r.meeting_id, r.person_id)])
        if not reason and r.touch != Touch.RECAP:
            own = [c for c in own if c.status in Commitment.ACTIVE]
            if not own:
                reason = "no open commitments"
        if reason:
            due.skips.append((r, reason))
        else:
            due.to_send.append((r, own))
    return due


def _send_people(
    group: list[PersonDue],
    reply_tokens: list[str],
    claim_token: str,
    now: datetime,
    result: SweepResult,
    data: SweepData,
) -> None:
    """Build one email per person of `group`, then write them all, their skips and their
    reminders' new status in one transaction, which commits only if every one of those
    reminders still carries this sweep's claim token. If any was taken over (this sweep
    stalled past CLAIM_TIMEOUT and another claimed it), the whole group is rolled back: the
    taken-over rows are the other sweep's to send, and the rest stay claimed by this sweep,
    to be claimed again once the claim expires. Nothing is sent twice."""
    from workplans.emails import build_nag_message, queue_nag_emails

    drafts = [
        (due.person, build_nag_message(person=due.person, items=due.to_send, token=t, data=data), t)
        for due, t in zip(group, reply_tokens, strict=True)
        if due.to_send
    ]
    skips: dict[str, list[int]] = defaultdict(list)
    for due in group:
        for r, reason in due.skips:
            skips[reason].append(r.pk)
    with transaction.atomic():
        for reason, pks in skips.items():
            Reminder.objects.filter(pk__in=pks, claim_token=claim_token).update(
                status=Reminder.Status.SKIPPED, skip_reason=reason, sent_at=now
            )
        if not drafts:
            result.skipped += sum(len(pks) for pks in skips.values())
            return
        rows = queue_nag_emails(drafts)
        email_of = [
            When(person_id=person.pk, then=Value(row.pk))
            for (person, _, _), row in zip(drafts, rows, strict=True)
        ]
        sent = [r.pk for due in group for r, _ in due.to_send]
        updated = Reminder.objects.filter(pk__in=sent, claim_token=claim_token).update(
            status=Reminder.Status.SENT, sent_at=now, email_id=Case(*email_of)
        )
        if updated != len(sent):
            # Another sweep took some of these rows over after our claim expired: send nothing.
            transaction.set_rollback(True)
            return
    result.skipped += sum(len(pks) for pks in skips.values())
    for due in group:
        if due.to_send:
            result.sent_emails += 1
            result.sent_reminders += len(due.to_send)
            result.recipients.append(due.person.email)


def recipients_of(meeting: Meeting, touch: str) -> list[Person]:
    """Who a touch of this meeting goes (or went) to, for staff's preview."""
    return list(
        Person.objects.filter(reminders__meeting=meeting, reminders__touch=touch).order_by(
            "full_name"
        )
    )


def fresh_tokens(count: int) -> list[str]:
    """`count` distinct reply tokens that no message uses yet, checked in one query."""
    tokens: set[str] = set()
    while len(tokens) < count:
        tokens |= {new_reply_token() for _ in range(count - len(tokens))}
        tokens -= set(NagMessage.objects.filter(token__in=tokens).values_list("token", flat=True))
    return sorted(tokens)


def token_for_message() -> str:
    return fresh_tokens(1)[0]
