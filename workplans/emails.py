"""The NAG email: one per person per sweep, listing every touch due to them (a digest when
there are several), in the person's language. Templates: templates/emails/nag.*"""

from __future__ import annotations

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
from workplans.reminders import next_scheduled_meeting, token_for_message


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


def build_nag_message(
    *, person: Person, items: list[tuple[Reminder, list[Commitment]]], token: str
) -> NagDraft:
    """Render the email exactly as `person` gets it, without sending or saving anything.
    The sweep sends what this returns; staff's preview shows it."""
    organization = items[0][0].meeting.organization
    meeting_ids = [r.meeting_id for r, _ in items]
    intros = {
        (c.meeting_id, c.touch): c.intro
        for c in TouchControl.objects.filter(meeting_id__in=meeting_ids)
        if c.intro
    }
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
            chart = list(
                reminder.meeting.commitments.select_related("person", "key_action", "strategy")
            )
        sections.append(
            Section(
                touch=reminder.touch,
                meeting=reminder.meeting,
                intro=intros.get((reminder.meeting_id, reminder.touch), ""),
                own=numbered,
                chart=chart,
                next_meeting=next_scheduled_meeting(reminder.meeting),
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
    *, person: Person, items: list[tuple[Reminder, list[Commitment]]], now: datetime
) -> OutboundEmail:
    """Compose and queue the email; returns its outbox row. Runs inside the sweep's
    transaction, so the email exists only if the reminders are marked sent with it."""
    token = token_for_message()
    draft = build_nag_message(person=person, items=items, token=token)
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
