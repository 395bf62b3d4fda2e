"""The NAG email: one per person per sweep, listing every touch due to them (a digest when
there are several), in the person's language. Templates: templates/emails/nag.*"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from backbone.mail.compose import compose
from backbone.models import OutboundEmail
from initiatives.models import Person
from workplans.links import action_url, unsubscribe_url
from workplans.models import Commitment, Meeting, NagMessage, Reminder, Touch, TouchControl
from workplans.reminders import token_for_message


@dataclass
class Numbered:
    number: int
    commitment: Commitment
    done_url: str
    help_url: str
    new_date_url: str


@dataclass
class Section:
    touch: str
    meeting: Meeting
    intro: str
    own: list[Numbered]
    # The recap's chart: every commitment made at the meeting, whoever made it.
    chart: list[Commitment]
    next_meeting: Meeting | None


def reply_address(person: Person, token: str) -> str:
    domain = person.organization.reply_domain or settings.BACKBONE_REPLY_DOMAIN
    return f"reply+{token}@{domain}"


@dataclass
class NagDraft:
    """A NAG email built but not sent: the message, and the commitments it numbers."""

    message: EmailMultiAlternatives
    commitment_ids: list[int]


@dataclass
class SweepData:
    """What the sections of many emails need, loaded once for a whole sweep batch, so an email
    costs the same few queries however many sections it has."""

    intros: dict[tuple[int, str], str]
    # The recap's chart of each recapped meeting.
    charts: dict[int, list[Commitment]]
    next_meetings: dict[int, Meeting | None]


def load_sweep_data(reminders: Iterable[Reminder]) -> SweepData:
    """Three queries, whatever the number of reminders (their meetings must be loaded)."""
    meetings = {r.meeting_id: r.meeting for r in reminders}
    recapped = {r.meeting_id for r in reminders if r.touch == Touch.RECAP}
    intros = {
        (c.meeting_id, c.touch): c.intro
        for c in TouchControl.objects.filter(meeting_id__in=meetings).exclude(intro="")
    }
    charts: dict[int, list[Commitment]] = {pk: [] for pk in recapped}
    if recapped:
        for c in (
            Commitment.objects.filter(meeting_id__in=recapped)
            .select_related("person", "key_action", "strategy")
            .order_by("meeting_id", "position", "id")
        ):
            charts[c.meeting_id].append(c)
    upcoming: dict[int, list[Meeting]] = defaultdict(list)
    for m in Meeting.objects.filter(
        table_id__in={m.table_id for m in meetings.values()}, status=Meeting.Status.SCHEDULED
    ).order_by("starts_at", "id"):
        upcoming[m.table_id].append(m)
    next_meetings = {
        pk: next((u for u in upcoming[m.table_id] if u.starts_at > m.starts_at), None)
        for pk, m in meetings.items()
    }
    return SweepData(intros=intros, charts=charts, next_meetings=next_meetings)


def build_nag_message(
    *,
    person: Person,
    items: list[tuple[Reminder, list[Commitment]]],
    token: str,
    data: SweepData | None = None,
) -> NagDraft:
    """Render the email exactly as `person` gets it, without sending or saving anything.
    The sweep sends what this returns (with `data` loaded once per batch); staff's preview
    shows it."""
    organization = items[0][0].meeting.organization
    if data is None:
        data = load_sweep_data([r for r, _ in items])
    intros = data.intros
    sections: list[Section] = []
    numbered_ids: list[int] = []
    number = 0
    for reminder, own in items:
        numbered = []
        for c in own:
            # A commitment appears once per email, even when two touches of its meeting fall
            # into one digest: the reply numbers must each name one commitment.
            if c.status not in Commitment.ACTIVE or c.pk in numbered_ids:
                continue
            number += 1
            numbered_ids.append(c.pk)
            numbered.append(
                Numbered(
                    number,
                    c,
                    action_url(person_id=person.pk, commitment_id=c.pk, action="done"),
                    action_url(person_id=person.pk, commitment_id=c.pk, action="need_help"),
                    action_url(person_id=person.pk, commitment_id=c.pk, action="new_date"),
                )
            )
        chart: list[Commitment] = []
        if reminder.touch == Touch.RECAP:
            chart = data.charts[reminder.meeting_id]
        sections.append(
            Section(
                touch=reminder.touch,
                meeting=reminder.meeting,
                intro=intros.get((reminder.meeting_id, reminder.touch), ""),
                own=numbered,
                chart=chart,
                next_meeting=data.next_meetings[reminder.meeting_id],
            )
        )
    initiative = items[0][0].meeting.initiative
    unsubscribe = unsubscribe_url(person_id=person.pk, initiative_id=initiative.pk)
    context: dict[str, Any] = {
        "person": person,
        "sections": sections,
        "digest": len(sections) > 1,
        "first": sections[0],
        "time_zone": initiative.effective_time_zone,
        "unsubscribe_url": unsubscribe,
        "has_own": bool(numbered_ids),
    }
    with translation.override(person.preferred_language or "en"):
        message = compose(
            kind=f"nag_{sections[0].touch}" if len(sections) == 1 else "nag_digest",
            template="nag",
            to=[person.email],
            organization=organization,
            reply_to=[reply_address(person, token)],
            context=context,
            headers={
                "Auto-Submitted": "auto-generated",
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    return NagDraft(message=message, commitment_ids=numbered_ids)


def send_nag_email(
    *,
    person: Person,
    items: list[tuple[Reminder, list[Commitment]]],
    now: datetime,
    data: SweepData | None = None,
    token: str | None = None,
) -> OutboundEmail:
    """Compose and queue the email; returns its outbox row. Runs inside the sweep's
    transaction, so the email exists only if the reminders are marked sent with it."""
    token = token or token_for_message()
    draft = build_nag_message(person=person, items=items, token=token, data=data)
    draft.message.send()
    row: OutboundEmail = draft.message.outbound_email  # type: ignore[attr-defined]
    NagMessage.objects.create(
        organization_id=items[0][0].meeting.organization_id,
        email=row,
        person=person,
        token=token,
        commitment_ids=draft.commitment_ids,
    )
    return row
