"""Reads of workplans, meetings and commitments, each in a fixed number of queries, and the
follow-through figures the dashboard and reminders reuse."""

from __future__ import annotations

import statistics
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from backbone.models import Organization, User
from initiatives.access import seated_table_ids
from initiatives.models import Person, Strategy, Table
from workplans.models import (
    Commitment,
    CommitmentChange,
    HelpRequest,
    KeyAction,
    Meeting,
    Workplan,
)

# --- Workplans ------------------------------------------------------------------------------


@dataclass
class StrategyGroup:
    strategy: Strategy
    key_actions: list[KeyAction]


@dataclass
class WorkplanView:
    workplan: Workplan
    groups: list[StrategyGroup]
    overdue: list[KeyAction]
    at_risk: list[KeyAction]
    done: int
    total: int

    @property
    def completion(self) -> int:
        """Share of key actions done, in percent (dropped ones are not counted)."""
        counted = self.total - sum(
            1 for g in self.groups for a in g.key_actions if a.status == KeyAction.Status.DROPPED
        )
        return round(100 * self.done / counted) if counted else 0


def is_overdue(action: KeyAction, today: date) -> bool:
    return (
        action.due_date is not None
        and action.due_date < today
        and action.status not in KeyAction.FINISHED
    )


def workplan_view(*, workplan: Workplan, today: date | None = None) -> WorkplanView:
    """Key actions grouped by the strategy they advance, in the common agenda's order."""
    today = today or timezone.localdate()
    actions = list(
        workplan.key_actions.select_related("strategy", "strategy__result", "lead")
        .prefetch_related("contributors")
        .order_by("strategy__result__position", "strategy__position", "position", "id")
    )
    groups: dict[int, StrategyGroup] = {}
    for action in actions:
        groups.setdefault(
            action.strategy_id, StrategyGroup(action.strategy, [])
        ).key_actions.append(action)
    return WorkplanView(
        workplan=workplan,
        groups=list(groups.values()),
        overdue=[a for a in actions if is_overdue(a, today)],
        at_risk=[
            a for a in actions if a.status in (KeyAction.Status.AT_RISK, KeyAction.Status.OFF_TRACK)
        ],
        done=sum(1 for a in actions if a.status == KeyAction.Status.DONE),
        total=len(actions),
    )


def workplans_of(*, table: Table) -> QuerySet[Workplan]:
    return (
        Workplan.objects.filter(table=table)
        .annotate(
            total=Count("key_actions"),
            done=Count("key_actions", filter=Q(key_actions__status=KeyAction.Status.DONE)),
            dropped=Count("key_actions", filter=Q(key_actions__status=KeyAction.Status.DROPPED)),
            # Unfinished actions copied into next year's workplan when this one was renewed.
            carried=Count("key_actions__carried_to"),
        )
        .order_by("-year")
    )


# --- Meetings -------------------------------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(table_id=meeting.table_id, starts_at__lt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def next_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(table_id=meeting.table_id, starts_at__gt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )


def commitments_to_review(meeting: Meeting) -> list[Commitment]:
    """What the meeting opens with: the previous meeting's commitments, each in its current
    state, plus any older ones still open at this table (carried forward or not)."""
    previous = previous_meeting(meeting)
    if previous is None:
        return []
    return list(
        Commitment.objects.filter(
            table_id=meeting.table_id, meeting__starts_at__lt=meeting.starts_at
        )
        .filter(Q(meeting=previous) | Q(status__in=Commitment.ACTIVE))
        .select_related("person", "meeting", "key_action")
        .order_by("meeting__starts_at", "position", "id")
    )


# --- Commitments ----------------------------------------------------------------------------


def commitment_list(
    *,
    organization: Organization,
    table: Table | None = None,
    person: Person | None = None,
    status: str | None = None,
    overdue_on: date | None = None,
) -> QuerySet[Commitment]:
    qs = Commitment.objects.in_org(organization).select_related(
        "person", "table", "meeting", "key_action"
    )
    if table is not None:
        qs = qs.filter(table=table)
    if person is not None:
        qs = qs.filter(person=person)
    if status:
        qs = qs.filter(status=status)
    if overdue_on is not None:
        qs = qs.filter(status__in=Commitment.ACTIVE, due_date__lt=overdue_on)
    return qs.order_by("due_date", "id")


def open_commitments_of(*, organization: Organization, user: User) -> QuerySet[Commitment]:
    """A logged-in person's own commitments still to do, across every table."""
    return commitment_list(organization=organization).filter(
        person__user=user, status__in=Commitment.ACTIVE
    )


def history_of(commitment: Commitment) -> QuerySet[CommitmentChange]:
    return commitment.changes.select_related("by_user", "by_person").order_by("at", "id")


# --- Follow-through figures -----------------------------------------------------------------


@dataclass
class FollowThrough:
    """How commitments made at one meeting (or a set of meetings) were kept.

    `done_by_next_meeting` counts commitments done by the end of the next meeting of the same
    table (so one reported done at that meeting's review counts), or, with no next meeting yet,
    by now; `overdue` counts those still to do past their date; `median_days_late` is over
    commitments that were late: done after their date, or still to do past it (counted to
    today). Dropped commitments are left out of the share.
    """

    made: int = 0
    done_by_next_meeting: int = 0
    dropped: int = 0
    overdue: int = 0
    days_late: list[int] = field(default_factory=list)

    @property
    def share_done(self) -> float | None:
        counted = self.made - self.dropped
        return round(self.done_by_next_meeting / counted, 3) if counted else None

    @property
    def median_days_late(self) -> float | None:
        return statistics.median(self.days_late) if self.days_late else None

    def add(self, other: FollowThrough) -> None:
        self.made += other.made
        self.done_by_next_meeting += other.done_by_next_meeting
        self.dropped += other.dropped
        self.overdue += other.overdue
        self.days_late.extend(other.days_late)


def _late_days(c: Commitment, today: date) -> int | None:
    if c.status == Commitment.Status.DONE and c.completed_at is not None:
        late = (timezone.localdate(c.completed_at) - c.due_date).days
        return late if late > 0 else None
    if c.status in Commitment.ACTIVE and c.due_date < today:
        return (today - c.due_date).days
    return None


def follow_through_by_meeting(
    *, meetings: Iterable[Meeting], today: date | None = None
) -> dict[int, FollowThrough]:
    """Follow-through per meeting, for meetings of any tables, in two queries."""
    today = today or timezone.localdate()
    meetings = list(meetings)
    if not meetings:
        return {}
    table_ids = {m.table_id for m in meetings}
    all_meetings = list(
        Meeting.objects.filter(table_id__in=table_ids)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("table_id", "starts_at")
        .values_list("pk", "table_id", "ends_at")
    )
    next_end: dict[int, datetime | None] = {}
    for i, (pk, table_id, _ends) in enumerate(all_meetings):
        following = all_meetings[i + 1] if i + 1 < len(all_meetings) else None
        next_end[pk] = following[2] if following and following[1] == table_id else None
    result = {m.pk: FollowThrough() for m in meetings}
    commitments = Commitment.objects.filter(meeting_id__in=result).only(
        "meeting_id", "status", "completed_at", "due_date"
    )
    now = timezone.now()
    for c in commitments:
        figures = result[c.meeting_id]
        figures.made += 1
        deadline = next_end.get(c.meeting_id) or now
        if c.status == Commitment.Status.DROPPED:
            figures.dropped += 1
        elif (
            c.status == Commitment.Status.DONE
            and c.completed_at is not None
            and c.completed_at <= deadline
        ):
            figures.done_by_next_meeting += 1
        if c.status in Commitment.ACTIVE and c.due_date < today:
            figures.overdue += 1
        late = _late_days(c, today)
        if late is not None:
            figures.days_late.append(late)
    return result


def follow_through_by_table(
    *, tables: Iterable[Table], since: datetime | None = None, today: date | None = None
) -> dict[int, FollowThrough]:
    """Follow-through per workgroup over its meetings (since a date, if given)."""
    tables = list(tables)
    meetings = Meeting.objects.filter(table__in=tables).exclude(status=Meeting.Status.CANCELLED)
    if since is not None:
        meetings = meetings.filter(starts_at__gte=since)
    per_meeting = follow_through_by_meeting(meetings=meetings.only("pk", "table_id"), today=today)
    owner = dict(meetings.values_list("pk", "table_id"))
    result = {t.pk: FollowThrough() for t in tables}
    for meeting_id, figures in per_meeting.items():
        result[owner[meeting_id]].add(figures)
    return result


@dataclass(frozen=True)
class PersonLoad:
    open: int
    overdue: int


def commitments_by_person(
    *, organization: Organization, today: date | None = None
) -> dict[int, PersonLoad]:
    """Per person: commitments still to do, and how many of those are past their date."""
    today = today or timezone.localdate()
    rows = (
        Commitment.objects.in_org(organization)
        .filter(status__in=Commitment.ACTIVE)
        .values("person_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    return {r["person_id"]: PersonLoad(r["open"], r["overdue"]) for r in rows}


def meetings_of(*, table: Table) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(table=table)
        .annotate(commitment_count=Count("commitments"))
        .order_by("-starts_at")
    )


def with_local_times(meeting: Meeting, zone: zoneinfo.ZoneInfo | None = None) -> Meeting:
    """Put the meeting's start and end in its initiative's zone (or `zone`, its table's, when
    the caller has it already) on it, for the templates."""
    zone = zone or zoneinfo.ZoneInfo(meeting.initiative.effective_time_zone)
    starts = timezone.localtime(meeting.starts_at, zone)
    meeting.local_starts = starts  # type: ignore[attr-defined]
    meeting.local_ends = timezone.localtime(meeting.ends_at, zone)  # type: ignore[attr-defined]
    meeting.zone_abbreviation = starts.tzname()  # type: ignore[attr-defined]
    return meeting


def open_help_asked_by(*, organization: Organization, user: User) -> list[HelpRequest]:
    """The help a person asked for that no one has resolved yet, oldest first."""
    return list(
        HelpRequest.objects.in_org(organization)
        .filter(person__user=user, status=HelpRequest.Status.OPEN)
        .select_related("commitment", "assigned_to")
        .order_by("created_at", "pk")
    )


def upcoming_meetings(
    *, organization: Organization, now: datetime | None = None, seated: User | None = None
) -> QuerySet[Meeting]:
    """The scheduled meetings still ahead, soonest first; with `seated` (a user), only those of
    the tables that user sits at (what a partner sees)."""
    now = now or timezone.now()
    meetings = Meeting.objects.in_org(organization).filter(
        starts_at__gte=now, status=Meeting.Status.SCHEDULED
    )
    if seated is not None:
        meetings = meetings.filter(table_id__in=seated_table_ids(seated))
    return meetings.select_related("table", "initiative").order_by("starts_at")


def key_actions_for_meeting(meeting: Meeting, today: date | None = None) -> list[KeyAction]:
    """Overdue and at-risk key actions of the table's current workplan, for the agenda."""
    today = today or timezone.localdate()
    actions = KeyAction.objects.filter(
        workplan__table_id=meeting.table_id, workplan__closed_at__isnull=True
    ).select_related("lead", "strategy")
    return [
        a
        for a in actions
        if is_overdue(a, today)
        or a.status in (KeyAction.Status.AT_RISK, KeyAction.Status.OFF_TRACK)
    ]


# --- Attendance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceFigures:
    """Who came to a table's meetings: part of who is really at the table.

    `held` counts meetings that took place (not cancelled, already started); the rates are over
    the invitations of the held meetings whose attendance was recorded, in percent (None when
    nothing was recorded). Community members' rate shows whether residents keep coming.
    """

    held: int = 0
    recorded: int = 0
    invited: int = 0
    present: int = 0
    community_invited: int = 0
    community_present: int = 0

    @property
    def rate(self) -> int | None:
        return round(100 * self.present / self.invited) if self.invited else None

    @property
    def community_rate(self) -> int | None:
        return (
            round(100 * self.community_present / self.community_invited)
            if self.community_invited
            else None
        )


def attendance_by_table(
    *, tables: Iterable[Table], since: datetime, now: datetime | None = None
) -> dict[int, AttendanceFigures]:
    """Attendance per table over its meetings held since a date, in one query."""
    now = now or timezone.now()
    tables = list(tables)
    community = Q(attendance__person__is_community_member=True)
    rows = (
        Meeting.objects.filter(table__in=tables, starts_at__gte=since, starts_at__lte=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .values("table_id")
        .annotate(
            held=Count("pk", distinct=True),
            recorded=Count("pk", distinct=True, filter=Q(attendance__isnull=False)),
            invited=Count("attendance"),
            present=Count("attendance", filter=Q(attendance__present=True)),
            community_invited=Count("attendance", filter=community),
            community_present=Count("attendance", filter=community & Q(attendance__present=True)),
        )
        .order_by()
    )
    result = {t.pk: AttendanceFigures() for t in tables}
    for row in rows:
        result[row["table_id"]] = AttendanceFigures(
            held=row["held"],
            recorded=row["recorded"],
            invited=row["invited"],
            present=row["present"],
            community_invited=row["community_invited"],
            community_present=row["community_present"],
        )
    return result


# --- What a co-chair leads ------------------------------------------------------------------


@dataclass
class LedTable:
    """A table the user chairs or co-chairs, with its next meeting (in its initiative's time,
    see with_local_times) and its commitments still to do, and of those, past their date."""

    table: Table
    next_meeting: Meeting | None
    open: int
    overdue: int
    open_help: int


def led_tables(
    *,
    organization: Organization,
    user: User,
    today: date | None = None,
    now: datetime | None = None,
) -> list[LedTable]:
    """The tables a user leads (chair or co-chair seat), the one meeting soonest first, then
    those with nothing scheduled, by name; four queries however many tables or meetings."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    tables = list(
        Table.objects.in_org(organization)
        .filter(pk__in=seated_table_ids(user, organization_id=organization.pk, leading=True))
        .select_related("initiative")
        .order_by("initiative__name", "kind", "name", "id")
    )
    if not tables:
        return []
    ids = [t.pk for t in tables]
    soonest: dict[int, Meeting] = {}
    for ahead in upcoming_meetings(organization=organization, now=now).filter(table_id__in=ids):
        soonest.setdefault(ahead.table_id, ahead)
    counts: dict[int, Any] = {
        row["table_id"]: row
        for row in Commitment.objects.in_org(organization)
        .filter(table_id__in=ids, status__in=Commitment.ACTIVE)
        .values("table_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by()
    }
    help_counts = dict(
        HelpRequest.objects.in_org(organization)
        .filter(table_id__in=ids, status=HelpRequest.Status.OPEN)
        .values("table_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("table_id", "n")
    )
    led = []
    for table in tables:
        table.initiative.organization = organization
        meeting = soonest.get(table.pk)
        if meeting is not None:
            meeting.initiative.organization = organization
            with_local_times(meeting)
        row = counts.get(table.pk, {})
        led.append(
            LedTable(
                table,
                meeting,
                row.get("open", 0),
                row.get("overdue", 0),
                help_counts.get(table.pk, 0),
            )
        )
    scheduled = [t for t in led if t.next_meeting is not None]
    scheduled.sort(key=lambda t: t.next_meeting.starts_at if t.next_meeting else now)
    return scheduled + [t for t in led if t.next_meeting is None]


def open_help_at_led_tables(*, organization: Organization, user: User) -> QuerySet[HelpRequest]:
    """The open help requests of the tables a user leads, oldest first: the part of the help
    requests queue that is theirs to act on (same tables as the queue shows a co-chair)."""
    return (
        HelpRequest.objects.in_org(organization)
        .filter(
            status=HelpRequest.Status.OPEN,
            table_id__in=seated_table_ids(user, organization_id=organization.pk, leading=True),
        )
        .select_related("commitment", "person", "table", "assigned_to")
        .order_by("created_at", "pk")
    )
