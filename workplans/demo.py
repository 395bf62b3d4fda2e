"""Demo workplans, meetings and commitments: two years of work for every workgroup.

Each workgroup gets last year's workplan (closed; unfinished actions carried into this year)
and this year's, a dozen monthly meetings with attendance, and the commitments made at them —
mostly kept, some late, some still open, a few needing help, blocked or dropped — with their
history. Built with bulk inserts so the large benchmark tenant stays quick to create.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from initiatives.models import Person, Seat, Strategy, Table
from workplans.models import (
    AgendaItem,
    Attendance,
    Channel,
    Commitment,
    CommitmentChange,
    KeyAction,
    KeyActionUpdate,
    Meeting,
    Workplan,
)
from workplans.services import DEFAULT_AGENDA

if TYPE_CHECKING:
    from backbone.demo import DemoContext

ACTIONS = [
    ("Map pre-K seats against births by neighborhood", "A map the steering committee adopts"),
    ("Recruit two new pre-K providers in Northside", "Two signed agreements"),
    (
        "Train clinic staff to give books at well-child visits",
        "Every clinic trained; 90% of visits",
    ),
    ("Launch attendance outreach in three schools", "Chronic absence down 5 points"),
    ("Publish the family guide in English, Spanish and Hmong", "Guide in every school office"),
    ("Recruit 60 volunteer tutors", "60 tutors trained and placed"),
    ("Run the summer reading challenge at four branches", "1,200 children finishing 10 books"),
    ("Set up the data-sharing agreement with the district", "Signed agreement; first data pull"),
    ("Hold four parent reading circles per month", "Circles meeting; parents leading two"),
    ("Coordinate bus-pass fixes with the transit agency", "No child missing school for fares"),
]
PROMISES = [
    "Send the draft outreach letter to the group",
    "Call the principal at Eastgate about the tutoring space",
    "Share last year's attendance numbers by school",
    "Book the library meeting room for the parent circle",
    "Ask the foundation about a small grant for books",
    "Translate the flyer into Spanish",
    "Bring three parents to the next meeting",
    "Follow up with the clinic director about book distribution",
    "Draft the volunteer tutor job description",
    "Find out who at the district can sign the data agreement",
    "Collect the sign-in sheets from the summer sites",
    "Write up what we learned from the pilot",
]
WHY = [
    "So families hear about it before school starts",
    "We need the space before tutoring can begin",
    "It tells us which schools to start with",
    "Parents asked for an evening time",
    "Books at home is one of our strategies",
]
NOTES: dict[str, str] = {
    Commitment.Status.DONE: "Done; shared with the group by email.",
    Commitment.Status.NEED_HELP: "Need a contact at the district.",
    Commitment.Status.BLOCKED: "Waiting on the school board vote.",
    Commitment.Status.DROPPED: "No longer needed: the district took it on.",
}
MINUTES = ["Good turnout from new partners.", "Agreed to try the outreach script for a month."]


def _meeting_start(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=tz)


def _tuesday_on_or_after(day: date) -> date:
    # Workgroups meet on a weekday; the demo's meet on Tuesday mornings.
    return day + timedelta(days=(1 - day.weekday()) % 7)


def build_workplans(ctx: DemoContext) -> None:
    org = ctx.organization
    rng = ctx.rng
    size = ctx.size
    today = timezone.localdate()
    workgroups = list(
        Table.objects.filter(organization=org, kind=Table.Kind.WORKGROUP)
        .select_related("initiative")
        .prefetch_related("strategies")
        .order_by("id")
    )
    if not workgroups:
        return
    seats = Seat.objects.filter(table__in=workgroups).select_related("person")
    people_at: dict[int, list[Person]] = {t.pk: [] for t in workgroups}
    for seat in seats:
        people_at[seat.table_id].append(seat.person)
    fallback = list(Strategy.objects.filter(initiative=workgroups[0].initiative))
    actions_per_table = max(6, size.key_actions // len(workgroups))
    meetings_per_table = 12
    commitments_per_meeting = max(4, size.commitments // (len(workgroups) * meetings_per_table))

    tz = zoneinfo.ZoneInfo(workgroups[0].initiative.effective_time_zone)
    workplans: list[Workplan] = []
    for table in workgroups:
        last = Workplan(
            organization=org,
            table=table,
            initiative=table.initiative,
            year=today.year - 1,
            closed_at=datetime(today.year, 1, 8, 15, 0, tzinfo=tz),
        )
        workplans.append(last)
    Workplan.objects.bulk_create(workplans)
    current = [
        Workplan(
            organization=org,
            table=t,
            initiative=t.initiative,
            year=today.year,
            previous=last,
        )
        for t, last in zip(workgroups, workplans, strict=True)
    ]
    Workplan.objects.bulk_create(current)

    # Key actions: last year's (most done), and this year's, unfinished ones carried forward.
    old_actions: list[KeyAction] = []
    for table, plan in zip(workgroups, workplans, strict=True):
        strategies = list(table.strategies.all()) or fallback
        people = people_at[table.pk]
        for n in range(actions_per_table // 2):
            text, done_when = ACTIONS[n % len(ACTIONS)]
            status = rng.choices(
                [KeyAction.Status.DONE, KeyAction.Status.DROPPED, KeyAction.Status.ON_TRACK],
                [70, 10, 20],
            )[0]
            old_actions.append(
                KeyAction(
                    organization=org,
                    workplan=plan,
                    strategy=strategies[n % len(strategies)],
                    description=text if n < len(ACTIONS) else f"{text} ({n + 1})",
                    lead=rng.choice(people) if people else None,
                    start_date=date(plan.year, 1 + n % 6, 1),
                    due_date=date(plan.year, 7 + n % 6, 28),
                    done_when=done_when,
                    status=status,
                    percent_complete=100
                    if status == KeyAction.Status.DONE
                    else rng.randint(20, 80),
                    position=n,
                )
            )
    KeyAction.objects.bulk_create(old_actions, batch_size=2000)
    new_actions: list[KeyAction] = []
    by_plan: dict[int, list[KeyAction]] = {}
    for action in old_actions:
        by_plan.setdefault(action.workplan_id, []).append(action)
    for table, old_plan, plan in zip(workgroups, workplans, current, strict=True):
        strategies = list(table.strategies.all()) or fallback
        people = people_at[table.pk]
        carried = [a for a in by_plan.get(old_plan.pk, []) if a.status not in KeyAction.FINISHED]
        for old in carried:
            new_actions.append(
                KeyAction(
                    organization=org,
                    workplan=plan,
                    strategy_id=old.strategy_id,
                    description=old.description,
                    lead_id=old.lead_id,
                    start_date=old.start_date,
                    due_date=date(plan.year, 6, 30),
                    done_when=old.done_when,
                    status=KeyAction.Status.ON_TRACK,
                    percent_complete=old.percent_complete,
                    carried_from=old,
                    position=old.position,
                )
            )
        for n in range(actions_per_table - actions_per_table // 2 - len(carried)):
            text, done_when = ACTIONS[(n + 3) % len(ACTIONS)]
            due = date(plan.year, 1 + (n * 2) % 12, 28)
            status = rng.choices(list(KeyAction.Status), [15, 40, 15, 8, 18, 4])[0]
            new_actions.append(
                KeyAction(
                    organization=org,
                    workplan=plan,
                    strategy=strategies[n % len(strategies)],
                    description=text if n < len(ACTIONS) else f"{text} ({n + 1})",
                    lead=rng.choice(people) if people else None,
                    start_date=date(plan.year, 1, 15),
                    due_date=due,
                    done_when=done_when,
                    status=status,
                    percent_complete=100
                    if status == KeyAction.Status.DONE
                    else rng.choice([0, 10, 25, 40, 60, 75]),
                    position=100 + n,
                )
            )
    KeyAction.objects.bulk_create(new_actions, batch_size=2000)
    staff = ctx.users.get("staff")
    KeyActionUpdate.objects.bulk_create(
        KeyActionUpdate(
            organization=org,
            key_action=a,
            author=staff,
            text="Partners met in October; on track for the spring.",
            status=a.status,
            percent_complete=a.percent_complete,
        )
        for a in new_actions[:: max(1, len(new_actions) // 40)]
    )
    actions_of_plan: dict[int, list[KeyAction]] = {}
    for action in new_actions:
        actions_of_plan.setdefault(action.workplan_id, []).append(action)

    # Meetings: monthly, the last twelve closed, the next one scheduled.
    meetings: list[Meeting] = []
    # Every four weeks: the next meeting in about two weeks, the twelve before it past.
    next_day = _tuesday_on_or_after(today + timedelta(days=12))
    for table in workgroups:
        for months_ago in range(meetings_per_table, 0, -1):
            day = next_day - timedelta(weeks=4 * months_ago)
            start = _meeting_start(day, tz)
            meetings.append(
                Meeting(
                    organization=org,
                    table=table,
                    initiative=table.initiative,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=90),
                    location="Lakeshore Public Library, Room B",
                    status=Meeting.Status.CLOSED,
                    closed_at=start + timedelta(minutes=90),
                    notes=rng.choice(MINUTES),
                    wins="Eastgate doubled summer reading sign-ups." if months_ago == 2 else "",
                )
            )
        start = _meeting_start(next_day, tz)
        meetings.append(
            Meeting(
                organization=org,
                table=table,
                initiative=table.initiative,
                starts_at=start,
                ends_at=start + timedelta(minutes=90),
                video_link="https://meet.example.org/lakeshore-reads",
                location="Lakeshore Public Library, Room B",
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    Meeting.invitees.through.objects.bulk_create(
        Meeting.invitees.through(meeting_id=m.pk, person_id=p.pk)
        for m in meetings
        for p in people_at[m.table_id]
    )
    AgendaItem.objects.bulk_create(
        (
            AgendaItem(
                organization=org,
                meeting=m,
                kind=kind,
                title=str(title),
                minutes=minutes,
                position=i,
            )
            for m in meetings
            for i, (kind, title, minutes) in enumerate(DEFAULT_AGENDA)
        ),
        batch_size=5000,
    )
    Attendance.objects.bulk_create(
        (
            Attendance(organization=org, meeting=m, person=p, present=rng.random() < 0.75)
            for m in meetings
            if m.status == Meeting.Status.CLOSED
            for p in people_at[m.table_id]
        ),
        batch_size=5000,
    )

    # Commitments: older meetings' mostly kept; the recent ones' still in play.
    commitments: list[Commitment] = []
    changes: list[CommitmentChange] = []
    for m in meetings:
        if m.status != Meeting.Status.CLOSED:
            continue
        people = people_at[m.table_id]
        if not people:
            continue
        actions = actions_of_plan.get(current[workgroups.index(m.table)].pk, [])
        meeting_day = m.starts_at.astimezone(tz).date()
        age = (today - meeting_day).days
        for n in range(commitments_per_meeting):
            due = meeting_day + timedelta(days=rng.choice([14, 21, 28, 30]))
            if age > 70:
                c_status = rng.choices(list(Commitment.Status), [4, 82, 2, 2, 10])[0]
            else:
                c_status = rng.choices(list(Commitment.Status), [45, 35, 10, 5, 5])[0]
            completed = None
            if c_status == Commitment.Status.DONE:
                completed = _meeting_start(
                    min(today, due + timedelta(days=rng.choice([-10, -5, -2, 0, 3, 9]))), tz
                )
            chosen = rng.choice(actions) if actions and rng.random() < 0.7 else None
            commitments.append(
                Commitment(
                    organization=org,
                    meeting=m,
                    table_id=m.table_id,
                    person=rng.choice(people),
                    what=PROMISES[(n + m.pk) % len(PROMISES)],
                    due_date=due,
                    why=rng.choice(WHY),
                    key_action=chosen,
                    strategy_id=chosen.strategy_id if chosen else None,
                    status=c_status,
                    progress_note=NOTES.get(c_status, ""),
                    completed_at=completed,
                    position=n,
                )
            )
    Commitment.objects.bulk_create(commitments, batch_size=5000)
    for c in commitments:
        changes.append(
            CommitmentChange(
                organization=org,
                commitment=c,
                at=c.meeting.ends_at,
                channel=Channel.MEETING,
                by_user=staff,
                new_status=Commitment.Status.OPEN,
                new_due_date=c.due_date,
                note="Committed at the meeting.",
            )
        )
        if c.status != Commitment.Status.OPEN:
            channel = rng.choice(
                [Channel.WEB, Channel.EMAIL_REPLY, Channel.EMAIL_LINK, Channel.MEETING]
            )
            changes.append(
                CommitmentChange(
                    organization=org,
                    commitment=c,
                    at=c.completed_at or c.meeting.ends_at + timedelta(days=rng.randint(3, 20)),
                    channel=channel,
                    by_user=staff if channel in (Channel.WEB, Channel.MEETING) else None,
                    by_person=c.person if channel not in (Channel.WEB, Channel.MEETING) else None,
                    old_status=Commitment.Status.OPEN,
                    new_status=c.status,
                    note=c.progress_note,
                )
            )
    CommitmentChange.objects.bulk_create(changes, batch_size=5000)
