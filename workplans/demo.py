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

from backbone.models import OutboundEmail
from initiatives.models import Person, Seat, Strategy, Table
from workplans.models import (
    AgendaItem,
    Attendance,
    Channel,
    Commitment,
    CommitmentChange,
    HelpRequest,
    InboundEmail,
    KeyAction,
    KeyActionUpdate,
    Meeting,
    NagMessage,
    Reminder,
    Touch,
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
WINS = [
    "Eastgate doubled summer reading sign-ups.",
    "Two new pre-K providers signed on in Northside.",
    "The clinic network now gives a book at every well-child visit.",
    "Parents led their first reading circle in Spanish.",
    "The district agreed to share attendance data monthly.",
    "Forty volunteer tutors trained in one weekend.",
]
STEERING_WINS = [
    "Adopted the pre-K seat map; the county will fund 40 new seats.",
    "The school board endorsed the attendance campaign.",
    "A funder joined the table and pooled $250,000 for summer reading.",
    "Family survey translated into four languages; response rate up to 38%.",
]
HELP_TEXT = [
    "Who at the district can sign this?",
    "We need a room on Tuesday evenings.",
    "Could someone introduce me to the clinic director?",
]
# NAG recap emails in the demo: the last few meetings of each workgroup, a dozen people each,
# and about how many of them answer (so the dashboard's reply rate has something to show).
NAG_MEETINGS = 3
NAG_PEOPLE = 12
REPLY_SHARE = 0.55


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
                    wins=WINS[(table.pk + months_ago) % len(WINS)] if months_ago in (2, 5) else "",
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
    _finished_key_actions(ctx, old_actions, new_actions, tz)
    _help_requests(ctx, commitments)
    _nag_emails(ctx, meetings, commitments)
    _steering_meetings(ctx, tz, today)


def _finished_key_actions(
    ctx: DemoContext,
    old_actions: list[KeyAction],
    new_actions: list[KeyAction],
    tz: zoneinfo.ZoneInfo,
) -> None:
    """Spread when key actions were finished (their last change) over the past months, so
    "completed since the last steering committee meeting" is a part of them, not all."""
    today = timezone.localdate()
    old_done = [a.pk for a in old_actions if a.status in KeyAction.FINISHED]
    KeyAction.objects.filter(pk__in=old_done).update(
        updated_at=datetime(today.year - 1, 12, 15, 12, 0, tzinfo=tz)
    )
    done = [a.pk for a in new_actions if a.status in KeyAction.FINISHED]
    for weeks, part in ((3, done[0::3]), (9, done[1::3]), (20, done[2::3])):
        KeyAction.objects.filter(pk__in=part).update(
            updated_at=_meeting_start(today - timedelta(weeks=weeks), tz)
        )


def _help_requests(ctx: DemoContext, commitments: list[Commitment]) -> None:
    """Commitments that need help or are blocked wait in the help queue."""
    org = ctx.organization
    HelpRequest.objects.bulk_create(
        (
            HelpRequest(
                organization=org,
                initiative_id=c.meeting.initiative_id,
                table_id=c.table_id,
                commitment=c,
                person_id=c.person_id,
                kind=HelpRequest.Kind.BLOCKED
                if c.status == Commitment.Status.BLOCKED
                else HelpRequest.Kind.NEED_HELP,
                text=HELP_TEXT[c.pk % len(HELP_TEXT)],
                channel=Channel.EMAIL_REPLY,
                created_at=c.meeting.ends_at + timedelta(days=10),
            )
            for c in commitments
            if c.status in (Commitment.Status.NEED_HELP, Commitment.Status.BLOCKED)
        ),
        batch_size=2000,
    )


def _nag_emails(ctx: DemoContext, meetings: list[Meeting], commitments: list[Commitment]) -> None:
    """The recap emails of each workgroup's last meetings, sent, and the partners' replies to
    about half of them."""
    org = ctx.organization
    rng = ctx.rng
    closed: dict[int, list[Meeting]] = {}
    for m in meetings:
        if m.status == Meeting.Status.CLOSED:
            closed.setdefault(m.table_id, []).append(m)
    recent = {m.pk: m for ms in closed.values() for m in ms[-NAG_MEETINGS:]}
    people: dict[int, dict[int, list[int]]] = {}
    for c in commitments:
        if c.meeting_id in recent:
            people.setdefault(c.meeting_id, {}).setdefault(c.person_id, []).append(c.pk)
    sends: list[tuple[Meeting, int, list[int]]] = [
        (recent[meeting_id], person_id, ids)
        for meeting_id, by_person in people.items()
        for person_id, ids in list(by_person.items())[:NAG_PEOPLE]
    ]
    if not sends:
        return
    # Written like the real recap (templates/emails/nag*), shorter: its subject names the table
    # and the day, its body lists the person's commitments.
    made = {c.pk: c for c in commitments}
    address = dict(
        Person.objects.filter(pk__in={person_id for _m, person_id, _ids in sends}).values_list(
            "pk", "email"
        )
    )

    def subject(m: Meeting) -> str:
        day = timezone.localtime(
            m.starts_at, zoneinfo.ZoneInfo(m.table.initiative.effective_time_zone)
        )
        return f"Commitments from the {m.table.name} meeting on {day:%b} {day.day}"

    def body(m: Meeting, ids: list[int]) -> str:
        lines = [f"Thank you for coming to the {m.table.name} meeting. What you committed to:", ""]
        lines += [
            f"{n}. {made[pk].what} (by {made[pk].due_date:%b} {made[pk].due_date.day})"
            for n, pk in enumerate(ids, 1)
        ]
        lines += ["", "Reply to this email to tell us how it is going, or if you need help."]
        return "\n".join(lines)

    emails = OutboundEmail.objects.bulk_create(
        (
            OutboundEmail(
                organization=org,
                kind=f"nag_{Touch.RECAP}",
                from_email=f"Lakeshore Reads <reminders@{org.slug}.example.org>",
                to=[address.get(person_id) or f"person{person_id}@{org.slug}.example.org"],
                subject=subject(m),
                body_text=body(m, ids),
                status=OutboundEmail.Status.SENT,
                sent_at=m.ends_at + timedelta(hours=1),
            )
            for m, person_id, ids in sends
        ),
        batch_size=2000,
    )
    nags = NagMessage.objects.bulk_create(
        (
            NagMessage(
                organization=org,
                email=email,
                person_id=person_id,
                token=f"demo{org.pk}x{email.pk}",
                commitment_ids=ids,
            )
            for email, (_m, person_id, ids) in zip(emails, sends, strict=True)
        ),
        batch_size=2000,
    )
    Reminder.objects.bulk_create(
        (
            Reminder(
                organization=org,
                meeting=m,
                touch=Touch.RECAP,
                person_id=person_id,
                due_at=m.ends_at,
                status=Reminder.Status.SENT,
                sent_at=m.ends_at + timedelta(hours=1),
                email=email,
            )
            for email, (m, person_id, _ids) in zip(emails, sends, strict=True)
        ),
        batch_size=2000,
    )
    InboundEmail.objects.bulk_create(
        (
            InboundEmail(
                organization=org,
                message_key=f"<demo-{org.slug}-{nag.pk}@reply.example.org>",
                source=InboundEmail.Source.PIPE,
                received_at=m.ends_at + timedelta(days=rng.randint(1, 6)),
                raw=b"1 done",
                raw_size=6,
                token=nag.token,
                nag_message=nag,
                person_id=person_id,
                status=InboundEmail.Status.APPLIED,
                visible_text="1 done",
            )
            for nag, (m, person_id, _ids) in zip(nags, sends, strict=True)
            if rng.random() < REPLY_SHARE
        ),
        batch_size=2000,
    )


def _steering_meetings(ctx: DemoContext, tz: zoneinfo.ZoneInfo, today: date) -> None:
    """The steering committee meets quarterly: four meetings held (with the wins they
    celebrated) and the next one in about three and a half weeks, for which the board packet
    is made."""
    org = ctx.organization
    next_day = _tuesday_on_or_after(today + timedelta(days=24))
    made = []
    for steering in Table.objects.filter(organization=org, kind=Table.Kind.STEERING):
        for quarters_ago in range(4, -1, -1):
            start = datetime.combine(
                next_day - timedelta(weeks=13 * quarters_ago), time(16, 0), tzinfo=tz
            )
            held = quarters_ago > 0
            made.append(
                Meeting(
                    organization=org,
                    table=steering,
                    initiative_id=steering.initiative_id,
                    title="Steering committee",
                    starts_at=start,
                    ends_at=start + timedelta(minutes=120),
                    location="United Way of Lakeshore, Board Room",
                    status=Meeting.Status.CLOSED if held else Meeting.Status.SCHEDULED,
                    closed_at=start + timedelta(minutes=120) if held else None,
                    notes="Reviewed the dashboard and the board packet." if held else "",
                    wins=STEERING_WINS[quarters_ago % len(STEERING_WINS)] if held else "",
                )
            )
    Meeting.objects.bulk_create(made)
