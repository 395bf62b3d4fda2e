"""Staff's say over NAG emails: what each touch of a meeting will do (or did), a preview of
each email exactly as its recipient gets it, and the writes behind the reminders pages — skip a
touch, change its opening paragraph, pause a person, send the recap now, an initiative's cadence
(which re-times what is still pending) and reversing an unsubscribe.

The sweep (workplans.reminders) reads all of this when it sends; nothing here sends by itself,
except `recap_send_now`, which makes the recap due now and asks the worker for a sweep.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Person, Seat
from workplans.emails import NagDraft, build_nag_message
from workplans.models import (
    Attendance,
    Commitment,
    Meeting,
    NagOptOut,
    NagOptOutReversal,
    NagSettings,
    Reminder,
    Touch,
    TouchControl,
)
from workplans.reminders import (
    civil_moment,
    heads_up_missing,
    heads_up_moment,
    next_scheduled_meeting,
    settings_for,
)

INTRO_MAX = 2000
# Stands in for the random reply token in a preview's Reply-To address.
PREVIEW_REPLY_ID = "preview0000000000000"


# --- Reads: the reminders panel of a meeting -------------------------------------------------


@dataclass
class Recipient:
    person: Person
    # The reminder row once the touch is scheduled; None while it is only foreseen.
    reminder: Reminder | None
    opted_out: bool


@dataclass
class TouchState:
    touch: str
    label: str
    control: TouchControl | None
    recipients: list[Recipient]
    # True while no reminder exists yet: the recipients are who it would go to today.
    foreseen: bool
    pending: int = 0
    sent: int = 0
    skipped: int = 0
    next_due: datetime | None = None
    last_sent: datetime | None = None
    # When it is not scheduled yet: roughly when it would go out (None: unknown or never).
    expected_at: datetime | None = None
    skip_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def skipped_by_staff(self) -> bool:
        return bool(self.control and self.control.skipped)

    @property
    def intro(self) -> str:
        return self.control.intro if self.control else ""


@dataclass
class Panel:
    meeting: Meeting
    settings: NagSettings
    next_meeting: Meeting | None
    heads_up_missing: bool
    touches: list[TouchState]


def _foreseen_people(meeting: Meeting, touch: str) -> list[Person]:
    """Who a touch not yet scheduled would go to: the same rule as workplans.reminders."""
    if touch == Touch.RECAP:
        seated = Seat.objects.filter(table_id=meeting.table_id, person__archived_at__isnull=True)
        present = Attendance.objects.filter(meeting=meeting, present=True)
        ids = set(seated.values_list("person_id", flat=True)) | set(
            present.values_list("person_id", flat=True)
        )
    else:
        ids = set(meeting.commitments.values_list("person_id", flat=True))
    return list(Person.objects.filter(pk__in=ids).order_by("full_name", "id"))


def reminders_panel(*, meeting: Meeting) -> Panel:
    """Every touch of the meeting with its recipients and what happened to each. The query
    count depends on the touches (three), not on how many people are at the table."""
    settings = settings_for(meeting.initiative_id, meeting.organization_id)
    zone = meeting.initiative.effective_time_zone
    following = next_scheduled_meeting(meeting)
    rows = list(
        Reminder.objects.filter(meeting=meeting)
        .select_related("person")
        .order_by("person__full_name", "person_id")
    )
    controls = {c.touch: c for c in TouchControl.objects.filter(meeting=meeting)}
    by_touch: dict[str, list[Reminder]] = {t: [] for t in Touch.values}
    for r in rows:
        by_touch[r.touch].append(r)
    foreseen = {
        t: _foreseen_people(meeting, t)
        for t in Touch.values
        if not by_touch[t] and meeting.status != Meeting.Status.CANCELLED
    }
    people_ids = {r.person_id for r in rows} | {p.pk for ps in foreseen.values() for p in ps}
    opted_out = set(
        NagOptOut.objects.filter(
            initiative_id=meeting.initiative_id, person_id__in=people_ids
        ).values_list("person_id", flat=True)
    )
    touches = []
    for touch in Touch:
        reminders = by_touch[touch.value]
        if reminders:
            state = TouchState(
                touch=touch.value,
                label=str(touch.label),
                control=controls.get(touch.value),
                recipients=[Recipient(r.person, r, r.person_id in opted_out) for r in reminders],
                foreseen=False,
            )
            reasons: Counter[str] = Counter()
            for r in reminders:
                if r.status == Reminder.Status.PENDING:
                    state.pending += 1
                    if state.next_due is None or r.due_at < state.next_due:
                        state.next_due = r.due_at
                elif r.status == Reminder.Status.SENT:
                    state.sent += 1
                    if r.sent_at and (state.last_sent is None or r.sent_at > state.last_sent):
                        state.last_sent = r.sent_at
                else:
                    state.skipped += 1
                    reasons[r.skip_reason] += 1
            state.skip_reasons = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        else:
            people = foreseen.get(touch.value, [])
            state = TouchState(
                touch=touch.value,
                label=str(touch.label),
                control=controls.get(touch.value),
                recipients=[Recipient(p, None, p.pk in opted_out) for p in people],
                foreseen=True,
                expected_at=_expected_at(meeting, touch.value, settings, zone, following),
            )
        touches.append(state)
    return Panel(
        meeting=meeting,
        settings=settings,
        next_meeting=following,
        heads_up_missing=heads_up_missing(meeting),
        touches=touches,
    )


def _expected_at(
    meeting: Meeting,
    touch: str,
    settings: NagSettings,
    zone: str,
    following: Meeting | None,
) -> datetime | None:
    """When a touch not yet scheduled would go out, if the meeting were closed as planned."""
    if meeting.status == Meeting.Status.CANCELLED or touch == Touch.RECAP:
        return None
    if touch == Touch.CHECK_IN:
        day = timezone.localtime(meeting.starts_at, zoneinfo.ZoneInfo(zone)).date()
        return civil_moment(day + timedelta(days=settings.check_in_days), settings, zone)
    if following is None:
        return None
    return heads_up_moment(meeting, following, settings)


def preview_recipients(*, meeting: Meeting, touch: str) -> list[Person]:
    """Whom a touch goes to (its reminders), or would go to while it is not scheduled yet."""
    scheduled = list(
        Person.objects.filter(reminders__meeting=meeting, reminders__touch=touch).order_by(
            "full_name", "id"
        )
    )
    return scheduled or _foreseen_people(meeting, touch)


def preview_touch(*, meeting: Meeting, touch: str, person: Person) -> NagDraft | None:
    """The email this touch sends `person`, rendered by the sweep's own function with the same
    commitments in the same order; None when the sweep would send them nothing (no open
    commitments for a check-in or heads-up). A reminder sent the same day as another of theirs
    goes out inside one digest; the preview shows the touch on its own."""
    own = list(
        Commitment.objects.filter(meeting=meeting, person=person)
        .select_related("key_action", "strategy")
        .order_by("meeting__starts_at", "position", "id")
    )
    if touch != Touch.RECAP:
        own = [c for c in own if c.status in Commitment.ACTIVE]
        if not own:
            return None
    reminder = Reminder(
        organization_id=meeting.organization_id, meeting=meeting, touch=touch, person=person
    )
    return build_nag_message(person=person, items=[(reminder, own)], token=PREVIEW_REPLY_ID)


# --- Writes ---------------------------------------------------------------------------------


def _touch(value: str) -> str:
    if value not in Touch.values:
        raise ValidationError(_("Choose the recap, the check-in or the heads-up."))
    return value


@transaction.atomic
def touch_control_set(
    *,
    meeting: Meeting,
    touch: str,
    skipped: bool | None = None,
    intro: str | None = None,
) -> TouchControl:
    """Skip (or bring back) a touch of a meeting, or change its opening paragraph. Bringing a
    touch back sends only what is not yet due: reminders the sweep already skipped stay so."""
    touch = _touch(touch)
    if intro is not None:
        intro = intro.strip()
        if len(intro) > INTRO_MAX:
            raise ValidationError(
                _("Keep the opening paragraph under %(n)s characters.") % {"n": INTRO_MAX}
            )
    control, _created = TouchControl.objects.select_for_update().get_or_create(
        meeting=meeting, touch=touch, defaults={"organization_id": meeting.organization_id}
    )
    if skipped is not None:
        control.skipped = skipped
    if intro is not None:
        control.intro = intro
    control.save()
    return control


@transaction.atomic
def person_set_nag_paused(*, person: Person, paused: bool) -> Person:
    # update() skips auto_now: updated_at is set so the API's ?updated_since= sees the change.
    Person.objects.filter(pk=person.pk).update(nag_paused=paused, updated_at=timezone.now())
    person.nag_paused = paused
    return person


@transaction.atomic
def person_clear_undeliverable(*, person: Person) -> Person:
    """Staff checked the address (or the person fixed their mailbox): reminders go out again."""
    Person.objects.filter(pk=person.pk).update(
        undeliverable_at=None, undeliverable_reason="", updated_at=timezone.now()
    )
    person.undeliverable_at = None
    person.undeliverable_reason = ""
    return person


@transaction.atomic
def recap_send_now(*, meeting: Meeting) -> int:
    """Make the pending recap of a closed meeting due now and ask the worker for a sweep once
    this commits (the same queued task beat runs every minute; the sweep sends exactly once).
    Returns how many people it is due to."""
    from workplans.tasks import sweep_reminders

    if meeting.status != Meeting.Status.CLOSED:
        raise ValidationError(
            _("The recap goes out when the meeting is closed. Close the meeting to send it.")
        )
    due = Reminder.objects.filter(
        meeting=meeting, touch=Touch.RECAP, status=Reminder.Status.PENDING
    ).update(due_at=timezone.now())
    if not due:
        raise ValidationError(_("The recap of this meeting has already gone out to everyone."))
    transaction.on_commit(sweep_reminders.delay)
    return due


@dataclass
class CadenceChange:
    settings: NagSettings
    retimed: int


@transaction.atomic
def nag_settings_update(
    *,
    initiative: Initiative,
    enabled: bool,
    check_in_days: int,
    heads_up_days: int,
    send_hour: int,
    weekdays_only: bool,
    recap_delay_minutes: int,
) -> CadenceChange:
    """Change an initiative's cadence and re-time its pending reminders to match."""
    errors: dict[str, str] = {}
    if not 1 <= check_in_days <= 90:
        errors["check_in_days"] = _("Choose between 1 and 90 days after the meeting.")
    if not 1 <= heads_up_days <= 30:
        errors["heads_up_days"] = _("Choose between 1 and 30 days before the next meeting.")
    if not 0 <= send_hour <= 23:
        errors["send_hour"] = _("Choose an hour from 0 to 23.")
    if not 0 <= recap_delay_minutes <= 7 * 24 * 60:
        errors["recap_delay_minutes"] = _("Choose at most a week (10080 minutes).")
    if errors:
        raise ValidationError(errors)
    settings = settings_for(initiative.pk, initiative.organization_id)
    settings = NagSettings.objects.select_for_update().get(pk=settings.pk)
    settings.enabled = enabled
    settings.check_in_days = check_in_days
    settings.heads_up_days = heads_up_days
    settings.send_hour = send_hour
    settings.weekdays_only = weekdays_only
    settings.recap_delay_minutes = recap_delay_minutes
    settings.save()
    return CadenceChange(settings=settings, retimed=reminders_retime(initiative=initiative))


@transaction.atomic
def reminders_retime(*, initiative: Initiative) -> int:
    """Re-time every pending reminder of the initiative's closed meetings to its cadence.
    Reminders already sent or skipped keep their history. Returns how many were re-timed."""
    settings = settings_for(initiative.pk, initiative.organization_id)
    zone = initiative.effective_time_zone
    meetings = (
        Meeting.objects.filter(
            initiative=initiative,
            status=Meeting.Status.CLOSED,
            reminders__status=Reminder.Status.PENDING,
        )
        .select_related("initiative__organization")
        .distinct()
    )
    retimed = 0
    for meeting in meetings:
        pending = Reminder.objects.filter(meeting=meeting, status=Reminder.Status.PENDING)
        closed_at = meeting.closed_at or meeting.ends_at
        retimed += pending.filter(touch=Touch.RECAP).update(
            due_at=closed_at + timedelta(minutes=settings.recap_delay_minutes)
        )
        local_day = timezone.localtime(meeting.starts_at, zoneinfo.ZoneInfo(zone)).date()
        retimed += pending.filter(touch=Touch.CHECK_IN).update(
            due_at=civil_moment(local_day + timedelta(days=settings.check_in_days), settings, zone)
        )
        following = next_scheduled_meeting(meeting)
        if following is not None:
            retimed += pending.filter(touch=Touch.HEADS_UP).update(
                due_at=heads_up_moment(meeting, following, settings)
            )
    return retimed


CONSENT_NOTE_MAX = 1000


@transaction.atomic
def opt_out_reverse(
    *, initiative: Initiative, person: Person, consent_note: str, by_user: Any = None
) -> NagOptOutReversal:
    """Staff turn a person's NAG emails for the initiative back on — with their consent, whose
    note (how they gave it) is kept with who turned them back on and when."""
    note = (consent_note or "").strip()
    if not note:
        raise ValidationError(
            {
                "consent_note": _(
                    "Say how the person asked, or agreed, to receive these emails again."
                )
            }
        )
    if len(note) > CONSENT_NOTE_MAX:
        raise ValidationError(
            {"consent_note": _("Keep the note under %(n)s characters.") % {"n": CONSENT_NOTE_MAX}}
        )
    opt_out = (
        NagOptOut.objects.select_for_update().filter(initiative=initiative, person=person).first()
    )
    if opt_out is None:
        raise ValidationError(_("This person is not unsubscribed from this initiative."))
    opt_out.delete()
    return NagOptOutReversal.objects.create(
        organization_id=initiative.organization_id,
        initiative=initiative,
        person=person,
        unsubscribed_at=opt_out.created_at,
        reversed_by=by_user if getattr(by_user, "pk", None) else None,
        consent_note=note,
    )
