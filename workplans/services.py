"""Writes of workplans, meetings and commitments. Pages, the API, email replies and imports
all change commitments through `commitment_change`, so every change is recorded alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.access import check_same_organization
from backbone.localtime import local_date
from backbone.models import User
from initiatives.models import (
    GroundRule,
    Initiative,
    PartnerOrganization,
    Person,
    Strategy,
    Table,
)
from workplans.models import (
    AgendaItem,
    Attendance,
    Channel,
    Commitment,
    CommitmentChange,
    HelpRequest,
    KeyAction,
    KeyActionUpdate,
    Meeting,
    NagOptOut,
    Workplan,
)
from workplans.reminders import (
    reminders_after_meeting_scheduled,
    reminders_schedule_for_closed_meeting,
)
from workplans.webhooks import (
    commitment_status_changed,
    key_action_status_changed,
    meeting_closed,
)

# --- Workplans ------------------------------------------------------------------------------


@transaction.atomic
def workplan_create(*, table: Table, year: int) -> Workplan:
    if table.is_steering:
        raise ValidationError(_("Workplans belong to workgroups."))
    if Workplan.objects.filter(table=table, year=year).exists():
        raise ValidationError(
            _("%(table)s already has a %(year)s workplan.") % {"table": table, "year": year}
        )
    return Workplan.objects.create(
        organization_id=table.organization_id,
        table=table,
        initiative_id=table.initiative_id,
        year=year,
    )


def _check_open(workplan: Workplan) -> None:
    if workplan.is_closed:
        raise ValidationError(
            _("The %(year)s workplan is closed; it is kept as it was. Edit %(next)s instead.")
            % {"year": workplan.year, "next": workplan.year + 1},
            code="closed",
        )


@transaction.atomic
def workplan_renew(*, workplan: Workplan) -> Workplan:
    """Start next year's workplan: unfinished key actions are carried forward (linked to their
    past), done and dropped ones stay in the closed year, which becomes read-only."""
    locked = Workplan.objects.select_for_update().get(pk=workplan.pk)
    _check_open(locked)
    if Workplan.objects.filter(table_id=locked.table_id, year=locked.year + 1).exists():
        raise ValidationError(
            _("A %(year)s workplan already exists for this workgroup.") % {"year": locked.year + 1}
        )
    new = Workplan.objects.create(
        organization_id=locked.organization_id,
        table_id=locked.table_id,
        initiative_id=locked.initiative_id,
        year=locked.year + 1,
        previous=locked,
    )
    unfinished = list(
        locked.key_actions.exclude(status__in=KeyAction.FINISHED).prefetch_related("contributors")
    )
    for old in unfinished:
        copy = KeyAction.objects.create(
            organization_id=old.organization_id,
            workplan=new,
            strategy_id=old.strategy_id,
            description=old.description,
            lead_id=old.lead_id,
            start_date=old.start_date,
            due_date=old.due_date,
            done_when=old.done_when,
            status=old.status,
            percent_complete=old.percent_complete,
            carried_from=old,
            position=old.position,
        )
        copy.contributors.set(old.contributors.all())
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at", "updated_at"])
    return new


# --- Key actions ----------------------------------------------------------------------------


class KeyActionConflict(ValidationError):
    """Someone saved the key action since the editor loaded it; `current` is what is saved."""

    def __init__(self, current: KeyAction) -> None:
        super().__init__(
            _(
                "Someone else changed this key action while you were editing it. Their version "
                "is shown; copy your changes over it and save again."
            ),
            code="conflict",
        )
        self.current = current


KEY_ACTION_FIELDS = {
    "strategy",
    "description",
    "lead",
    "start_date",
    "due_date",
    "done_when",
    "status",
    "percent_complete",
}


def _validate_key_action(key_action: KeyAction, contributors: Sequence[Any] | None) -> None:
    workplan = key_action.workplan
    if key_action.strategy.initiative_id != workplan.initiative_id:
        raise ValidationError({"strategy": _("Choose a strategy of this initiative.")})
    check_same_organization(workplan.organization_id, key_action.lead, *(contributors or []))
    if not key_action.description.strip():
        raise ValidationError({"description": _("Describe the key action.")})
    if not 0 <= key_action.percent_complete <= 100:
        raise ValidationError({"percent_complete": _("Use a percentage from 0 to 100.")})
    if (
        key_action.start_date
        and key_action.due_date
        and key_action.due_date < key_action.start_date
    ):
        raise ValidationError({"due_date": _("The due date is before the start.")})
    if key_action.status == KeyAction.Status.DONE:
        key_action.percent_complete = 100


@transaction.atomic
def key_action_create(
    *,
    workplan: Workplan,
    strategy: Strategy,
    description: str,
    lead: Person | None = None,
    contributors: Sequence[PartnerOrganization] = (),
    start_date: date | None = None,
    due_date: date | None = None,
    done_when: str = "",
    status: str = KeyAction.Status.NOT_STARTED,
    percent_complete: int = 0,
) -> KeyAction:
    _check_open(workplan)
    top = workplan.key_actions.aggregate(top=Max("position"))["top"]
    key_action = KeyAction(
        organization_id=workplan.organization_id,
        workplan=workplan,
        strategy=strategy,
        description=description.strip(),
        lead=lead,
        start_date=start_date,
        due_date=due_date,
        done_when=done_when.strip(),
        status=KeyAction.Status(status),
        percent_complete=percent_complete,
        position=0 if top is None else top + 1,
    )
    _validate_key_action(key_action, contributors)
    key_action.save()
    key_action.contributors.set(contributors)
    return key_action


@transaction.atomic
def key_action_update(
    *,
    key_action: KeyAction,
    expected_version: int | None,
    contributors: Sequence[PartnerOrganization] | None = None,
    **fields: Any,
) -> KeyAction:
    """Save an edit. `expected_version` is the version the editor started from; if someone
    saved since, nothing is written and KeyActionConflict carries their version."""
    unknown = set(fields) - KEY_ACTION_FIELDS
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    locked = (
        KeyAction.objects.select_for_update()
        .select_related("workplan", "strategy")
        .get(pk=key_action.pk)
    )
    _check_open(locked.workplan)
    if expected_version is not None and expected_version != locked.version:
        raise KeyActionConflict(locked)
    old_status = locked.status
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _validate_key_action(locked, contributors)
    locked.version = F("version") + 1
    locked.save()
    if contributors is not None:
        locked.contributors.set(contributors)
    initiative_id = locked.workplan.initiative_id
    locked.refresh_from_db()
    if locked.status != old_status:
        key_action_status_changed(
            key_action=locked, initiative_id=initiative_id, previous_status=old_status
        )
    return locked


@transaction.atomic
def key_action_add_update(
    *,
    key_action: KeyAction,
    text: str,
    author: User | None,
    status: str | None = None,
    percent_complete: int | None = None,
) -> KeyActionUpdate:
    """Add a dated entry to the update log; a status or percentage given with it is applied."""
    if not text.strip():
        raise ValidationError({"text": _("Write what happened.")})
    changes: dict[str, Any] = {}
    if status:
        changes["status"] = KeyAction.Status(status)
    if percent_complete is not None:
        changes["percent_complete"] = percent_complete
    if changes:
        key_action = key_action_update(key_action=key_action, expected_version=None, **changes)
    else:
        _check_open(key_action.workplan)
    return KeyActionUpdate.objects.create(
        organization_id=key_action.organization_id,
        key_action=key_action,
        author=author,
        text=text.strip(),
        status=status or "",
        percent_complete=percent_complete,
    )


@transaction.atomic
def key_action_delete(*, key_action: KeyAction) -> None:
    _check_open(key_action.workplan)
    if key_action.commitments.exists():
        raise ValidationError(
            _("Commitments advance this key action; mark it dropped instead of deleting it.")
        )
    key_action.delete()


# --- Meetings -------------------------------------------------------------------------------

DEFAULT_AGENDA = [
    (AgendaItem.Kind.CHECK_IN, _("Check-in"), 10),
    (AgendaItem.Kind.GROUND_RULES, _("Ground rules"), 2),
    (AgendaItem.Kind.COMMITMENT_REVIEW, _("Review of commitments from the last meeting"), 15),
    (AgendaItem.Kind.WORKPLAN, _("Workplan progress: overdue and at-risk actions"), 15),
    (AgendaItem.Kind.PROBLEM_SOLVING, _("Problem solving"), 20),
    (AgendaItem.Kind.COORDINATION, _("Coordination among partners"), 10),
    (AgendaItem.Kind.ENVIRONMENT, _("Scan of the environment"), 5),
    (AgendaItem.Kind.WINS, _("Celebrate wins"), 5),
]


# What people plan around: a change to one of these is a new version of the calendar event.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "location", "video_link")


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})


@transaction.atomic
def meeting_schedule(
    *,
    table: Table,
    starts_at: datetime,
    ends_at: datetime,
    title: str = "",
    location: str = "",
    video_link: str = "",
    invitees: Iterable[Person] | None = None,
) -> Meeting:
    """Schedule a meeting; the table's members are invited unless others are named, and the
    agenda is generated from the field's meeting practice."""
    _check_times(starts_at, ends_at)
    meeting = Meeting.objects.create(
        organization_id=table.organization_id,
        table=table,
        initiative_id=table.initiative_id,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        video_link=video_link.strip(),
    )
    if invitees is None:
        people = list(
            Person.objects.filter(seats__table=table, archived_at__isnull=True).distinct()
        )
    else:
        people = list(invitees)
        check_same_organization(table.organization_id, *people)
    meeting.invitees.set(people)
    AgendaItem.objects.bulk_create(
        AgendaItem(
            organization_id=table.organization_id,
            meeting=meeting,
            kind=kind,
            title=str(title_),
            minutes=minutes,
            position=position,
        )
        for position, (kind, title_, minutes) in enumerate(DEFAULT_AGENDA)
    )
    # The previous meeting's heads-ups are timed against this one.
    reminders_after_meeting_scheduled(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, invitees: Iterable[Person] | None = None, **fields: Any
) -> Meeting:
    """Edit a meeting (and, when given, its invitees). Notes and wins can be written after the
    meeting; when, where and who only while it is still scheduled."""
    allowed = {"title", "starts_at", "ends_at", "location", "video_link", "notes", "wins"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    planning = (set(fields) - {"notes", "wins"}) or invitees is not None
    if planning and meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(
            _("This meeting is %(status)s; its time, place and invitees stay as they were.")
            % {"status": meeting.get_status_display().lower()}
        )
    before = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    _check_times(meeting.starts_at, meeting.ends_at)
    meeting.full_clean(exclude=["organization", "table", "initiative"])
    if any(getattr(meeting, name) != before[name] for name in CALENDAR_FIELDS):
        meeting.sequence += 1
    meeting.save()
    if invitees is not None:
        meeting_set_invitees(meeting=meeting, invitees=invitees)
    reminders_after_meeting_scheduled(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_set_invitees(*, meeting: Meeting, invitees: Iterable[Person]) -> Meeting:
    people = list(invitees)
    check_same_organization(meeting.organization_id, *people)
    meeting.invitees.set(people)
    _meeting_touched(meeting.pk)
    return meeting


def _meeting_touched(meeting_id: int) -> None:
    """Invitees, attendance and the agenda are part of the meeting an API client reads: a
    change to them is a change to the meeting for ?updated_since= (update() skips auto_now)."""
    Meeting.objects.filter(pk=meeting_id).update(updated_at=timezone.now())


@transaction.atomic
def attendance_record(*, meeting: Meeting, present: Iterable[Person]) -> list[Attendance]:
    """Record who came: everyone invited or present gets a row, present or not."""
    present_people = list(present)
    check_same_organization(meeting.organization_id, *present_people)
    present_ids = {p.pk for p in present_people}
    everyone = {p.pk for p in meeting.invitees.all()} | present_ids
    meeting.attendance.all().delete()
    _meeting_touched(meeting.pk)
    return Attendance.objects.bulk_create(
        Attendance(
            organization_id=meeting.organization_id,
            meeting=meeting,
            person_id=pk,
            present=pk in present_ids,
        )
        for pk in sorted(everyone)
    )


def _check_agenda_open(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(
            _("This meeting is %(status)s; its agenda is kept as it was.")
            % {"status": meeting.get_status_display().lower()},
            code="agenda_closed",
        )


@transaction.atomic
def agenda_item_add(
    *, meeting: Meeting, title: str, notes: str = "", minutes: int | None = None
) -> AgendaItem:
    _check_agenda_open(meeting)
    if not title.strip():
        raise ValidationError({"title": _("Give the agenda item a title.")})
    top = meeting.agenda_items.aggregate(top=Max("position"))["top"]
    _meeting_touched(meeting.pk)
    return AgendaItem.objects.create(
        organization_id=meeting.organization_id,
        meeting=meeting,
        title=title.strip(),
        notes=notes.strip(),
        minutes=minutes,
        position=0 if top is None else top + 1,
    )


@transaction.atomic
def agenda_item_update(
    *, item: AgendaItem, title: str, notes: str = "", minutes: int | None = None
) -> AgendaItem:
    _check_agenda_open(item.meeting)
    if not title.strip():
        raise ValidationError({"title": _("Give the agenda item a title.")})
    item.title, item.notes, item.minutes = title.strip(), notes.strip(), minutes
    item.save(update_fields=["title", "notes", "minutes", "updated_at"])
    _meeting_touched(item.meeting_id)
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem) -> None:
    _check_agenda_open(item.meeting)
    if item.kind == AgendaItem.Kind.COMMITMENT_REVIEW:
        raise ValidationError(
            _("Every meeting opens by reviewing the last meeting's commitments; keep this item.")
        )
    _meeting_touched(item.meeting_id)
    item.delete()


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str) -> AgendaItem:
    """Move an agenda item one place up or down; at either end it stays where it is."""
    _check_agenda_open(item.meeting)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move an item up or down."))
    siblings = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting_id=item.meeting_id)
        .order_by("position", "id")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            AgendaItem.objects.filter(pk=sibling.pk).update(
                position=position, updated_at=timezone.now()
            )
    _meeting_touched(item.meeting_id)
    item.refresh_from_db(fields=["position"])
    return item


@transaction.atomic
def meeting_close(*, meeting: Meeting) -> Meeting:
    """Close the meeting (one click at its end). Closing twice changes nothing."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == Meeting.Status.CLOSED:
        return locked
    if locked.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be closed."))
    locked.status = Meeting.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    meeting_closed(meeting=locked)
    # The recap goes out now; the check-in and heads-up are scheduled (workplans.reminders).
    reminders_schedule_for_closed_meeting(meeting=locked)
    # Sweep right after the commit instead of waiting for beat's next minute, so the recap
    # reaches the table within seconds. The sweep sends only what is due, exactly once.
    transaction.on_commit(_sweep_soon)
    return locked


def _sweep_soon() -> None:
    from workplans.tasks import sweep_reminders

    sweep_reminders.delay()


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError(_("This meeting already took place."))
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    return meeting


def ground_rules_for(meeting: Meeting) -> list[GroundRule]:
    return list(GroundRule.objects.filter(initiative_id=meeting.initiative_id).order_by("position"))


# --- Commitments ----------------------------------------------------------------------------


class CommitmentConflict(ValidationError):
    def __init__(self, current: Commitment) -> None:
        super().__init__(
            _("This commitment changed since you opened it; its current state is shown."),
            code="conflict",
        )
        self.current = current


def _record(
    commitment: Commitment,
    *,
    channel: str,
    by_user: User | None,
    by_person: Person | None,
    old_status: str = "",
    new_status: str = "",
    old_due: date | None = None,
    new_due: date | None = None,
    note: str = "",
    message_id: str = "",
) -> CommitmentChange:
    return CommitmentChange.objects.create(
        organization_id=commitment.organization_id,
        commitment=commitment,
        channel=Channel(channel),
        by_user=by_user,
        by_person=by_person,
        old_status=old_status,
        new_status=new_status,
        old_due_date=old_due,
        new_due_date=new_due,
        note=note,
        message_id=message_id,
    )


def _meeting_date(meeting: Meeting) -> date:
    return local_date(meeting.starts_at, meeting.initiative.effective_time_zone)


@transaction.atomic
def commitment_create(
    *,
    meeting: Meeting,
    person: Person,
    what: str,
    due_date: date,
    why: str = "",
    key_action: KeyAction | None = None,
    strategy: Strategy | None = None,
    by_user: User | None = None,
    channel: str = Channel.WEB,
) -> Commitment:
    """A commitment made at a meeting: what, who, by when, why it matters."""
    check_same_organization(meeting.organization_id, person, key_action, strategy)
    if person.archived_at is not None:
        raise ValidationError({"person": _("%(name)s was removed.") % {"name": person}})
    if not what.strip():
        raise ValidationError({"what": _("Say what will be done.")})
    if due_date < _meeting_date(meeting):
        raise ValidationError({"due_date": _("The date is before the meeting.")})
    if key_action is not None and key_action.workplan.initiative_id != meeting.initiative_id:
        raise ValidationError({"key_action": _("Choose a key action of this initiative.")})
    if strategy is not None and strategy.initiative_id != meeting.initiative_id:
        raise ValidationError({"strategy": _("Choose a strategy of this initiative.")})
    if key_action is not None and strategy is None:
        strategy = key_action.strategy
    top = meeting.commitments.aggregate(top=Max("position"))["top"]
    commitment = Commitment.objects.create(
        organization_id=meeting.organization_id,
        meeting=meeting,
        table_id=meeting.table_id,
        person=person,
        what=what.strip(),
        due_date=due_date,
        why=why.strip(),
        key_action=key_action,
        strategy=strategy,
        position=0 if top is None else top + 1,
    )
    _record(
        commitment,
        channel=channel,
        by_user=by_user,
        by_person=None,
        new_status=Commitment.Status.OPEN,
        new_due=due_date,
        note=_("Committed at the meeting."),
    )
    return commitment


@transaction.atomic
def commitment_change(
    *,
    commitment: Commitment,
    channel: str,
    by_user: User | None = None,
    by_person: Person | None = None,
    status: str | None = None,
    new_due_date: date | None = None,
    note: str = "",
    message_id: str = "",
    expected_version: int | None = None,
    already_locked: bool = False,
) -> Commitment:
    """Change a commitment's status, due date or progress note, and record who, how and when.
    Nothing changes (and nothing is recorded) when the request changes nothing.

    `already_locked`: the caller read `commitment` with select_for_update in the current
    transaction (an email reply locks every commitment it lists at once); that row is changed
    as it is instead of being read and locked a second time."""
    locked = (
        commitment
        if already_locked
        else Commitment.objects.select_for_update()
        .select_related("meeting__initiative")
        .get(pk=commitment.pk)
    )
    if expected_version is not None and expected_version != locked.version:
        raise CommitmentConflict(locked)
    old_status, old_due = locked.status, locked.due_date
    new_status = Commitment.Status(status) if status else old_status
    if new_status == Commitment.Status.DROPPED and old_status != new_status and not note.strip():
        raise ValidationError({"note": _("Say why the commitment is dropped.")})
    if new_due_date is not None and new_due_date < _meeting_date(locked.meeting):
        raise ValidationError({"due_date": _("The new date is before the meeting.")})
    note = note.strip()
    if new_status == old_status and (new_due_date in (None, old_due)) and not note:
        return locked
    locked.status = new_status
    if new_due_date is not None:
        locked.due_date = new_due_date
    if note:
        locked.progress_note = note
    if new_status == Commitment.Status.DONE and old_status != new_status:
        locked.completed_at = timezone.now()
    elif new_status != Commitment.Status.DONE:
        locked.completed_at = None
    # Incremented by the database; the row is locked, so the new value is the old one + 1
    # (no need to read the row back).
    version = locked.version
    locked.version = F("version") + 1
    locked.save(
        update_fields=[
            "status",
            "due_date",
            "progress_note",
            "completed_at",
            "version",
            "updated_at",
        ]
    )
    locked.version = version + 1
    _record(
        locked,
        channel=channel,
        by_user=by_user,
        by_person=by_person,
        old_status=old_status if new_status != old_status else "",
        new_status=new_status if new_status != old_status else "",
        old_due=old_due if locked.due_date != old_due else None,
        new_due=locked.due_date if locked.due_date != old_due else None,
        note=note,
        message_id=message_id,
    )
    if new_status != old_status:
        commitment_status_changed(
            commitment=locked,
            previous_status=old_status,
            channel=channel,
            by_user=by_user,
            by_person=by_person,
        )
    return locked


@transaction.atomic
def commitment_carry_forward(
    *,
    commitment: Commitment,
    to_meeting: Meeting,
    new_due_date: date,
    by_user: User | None,
    expected_version: int | None = None,
) -> Commitment:
    """At a later meeting's review: keep the commitment open with a new date. With
    `expected_version`, a commitment changed since the page was loaded is refused
    (CommitmentConflict), as in commitment_change."""
    if to_meeting.table_id != commitment.table_id:
        raise ValidationError(_("Carry a commitment forward within its own table."))
    if new_due_date < _meeting_date(to_meeting):
        raise ValidationError({"due_date": _("The new date is before this meeting.")})
    changed = commitment_change(
        commitment=commitment,
        channel=Channel.MEETING,
        by_user=by_user,
        status=Commitment.Status.OPEN,
        new_due_date=new_due_date,
        note=_("Carried forward at the meeting of %(date)s.")
        % {"date": _meeting_date(to_meeting).isoformat()},
        expected_version=expected_version,
    )
    # update() skips auto_now: updated_at is set here so ?updated_since= sees the change.
    Commitment.objects.filter(pk=changed.pk).update(
        carried_to=to_meeting, updated_at=timezone.now()
    )
    changed.carried_to = to_meeting
    return changed


# --- Partners' answers from NAG emails (one-click links, unsubscribe) -----------------------


@dataclass(frozen=True)
class LinkOutcome:
    commitment: Commitment
    recorded: bool


def commitment_link_state(commitment: Commitment, action: str) -> str:
    """What a one-click link can do to the commitment now: "ready" to act; "already" when what
    it sets is in place; "closed" when the commitment is done or dropped (staff reopen it)."""
    if action == "done" and commitment.status == Commitment.Status.DONE:
        return "already"
    if commitment.status not in Commitment.ACTIVE:
        return "closed"
    if action == "need_help" and commitment.status == Commitment.Status.NEED_HELP:
        return "already"
    return "ready"


@transaction.atomic
def commitment_link_apply(
    *,
    commitment: Commitment,
    person: Person,
    action: str,
    note: str = "",
    new_due_date: date | None = None,
) -> LinkOutcome:
    """A partner's one-click link from a NAG email: "done", "need_help" (with an optional note)
    or "new_date". A link acts once: when what it sets is already in place (the same button
    pressed twice, or the status changed meanwhile) nothing is recorded. A commitment that is
    done or dropped is not reopened from an email; the partner asks the backbone staff."""
    if commitment.person_id != person.pk or commitment.organization_id != person.organization_id:
        raise ValidationError(_("This commitment belongs to someone else."))
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment_link_state(locked, action) != "ready":
        return LinkOutcome(locked, recorded=False)
    if action == "done":
        changes: dict[str, Any] = {"status": Commitment.Status.DONE}
    elif action == "need_help":
        changes = {"status": Commitment.Status.NEED_HELP, "note": note}
    elif action == "new_date":
        if new_due_date is None:
            raise ValidationError({"due_date": _("Choose the new date.")})
        if new_due_date == locked.due_date:
            return LinkOutcome(locked, recorded=False)
        changes = {"new_due_date": new_due_date}
    else:
        raise ValueError(action)
    changed = commitment_change(
        commitment=locked, channel=Channel.EMAIL_LINK, by_person=person, **changes
    )
    if action == "need_help":
        from workplans.help_requests import help_request_open

        # The same queue and co-chair email as a "need help" reply.
        help_request_open(
            commitment=changed,
            person=person,
            kind=HelpRequest.Kind.NEED_HELP,
            text=note,
            channel=Channel.EMAIL_LINK,
        )
    return LinkOutcome(changed, recorded=True)


@transaction.atomic
def nag_opt_out_record(*, person: Person, initiative: Initiative) -> tuple[NagOptOut, bool]:
    """The person stops NAG emails of this initiative (the email's unsubscribe link or their
    mail client's one-click unsubscribe). Recording it again changes nothing; staff may
    reverse it with the person's consent."""
    check_same_organization(person.organization_id, initiative)
    return NagOptOut.objects.get_or_create(
        person=person,
        initiative=initiative,
        defaults={"organization_id": person.organization_id},
    )
