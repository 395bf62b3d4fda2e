"""What a partner's email reply to a NAG email does: the effects.

workplans.inbound has matched the reply's token to the NAG email (the person and the numbered
commitments it listed) and calls `reply_handle` inside its transaction, with the row locked and
still waiting to be read. Here: a reply not sent by the token's person is held for staff; the
person's own words (quoted history and signature removed) are read; what was read with
confidence goes through `commitment_change` like any page's edit (channel "email reply", the
message id, the person); "need help" and "blocked" open a help request and tell the co-chairs;
what was not understood is kept as a note on the commitments it may concern and flagged for
staff. The partner gets one short confirmation of what was recorded.

Staff's review list acts on held and flagged replies with `reply_apply_as` and `reply_dismiss`.
"""

from __future__ import annotations

import email.message
from datetime import date, timedelta
from email.utils import getaddresses, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backbone.access import check_same_organization
from backbone.localtime import local_date
from backbone.mail.compose import compose
from backbone.models import Organization, OutboundEmail, User
from initiatives.models import Person
from workplans import reply_intent, reply_text
from workplans.help_requests import help_request_open_for
from workplans.models import (
    Channel,
    Commitment,
    HelpRequest,
    InboundEmail,
    Meeting,
    NagMessage,
)
from workplans.reply_intent import Action, Listed, Reading
from workplans.services import commitment_change
from workplans.tracking import outbound_email_mark_replied

# A partner writing back and forth gets at most this many confirmations an hour: enough to
# know each answer landed, never a storm (two mail systems answering each other, say).
CONFIRMATIONS_PER_HOUR = 3

# What "unclear" writes on a commitment is a note, never a status; a long reply is cut there
# (the whole of it stays on the reply for staff).
UNCLEAR = "unclear"
UNCLEAR_NOTE_MAX = 2000

_STATUS_OF = {
    Action.DONE: Commitment.Status.DONE,
    Action.NEED_HELP: Commitment.Status.NEED_HELP,
    Action.BLOCKED: Commitment.Status.BLOCKED,
    Action.DROP: Commitment.Status.DROPPED,
    # "On track": the commitment is (again) simply open, with the person's note.
    Action.IN_PROGRESS: Commitment.Status.OPEN,
}
_HELP_KIND = {
    Action.NEED_HELP: HelpRequest.Kind.NEED_HELP,
    Action.BLOCKED: HelpRequest.Kind.BLOCKED,
}
_CLOSED = (Commitment.Status.DONE, Commitment.Status.DROPPED)


def _sender(message: email.message.Message) -> str:
    """The From: address, case-folded; "" unless there is exactly one."""
    # The header as it arrived (encoded words left as they are: only the address is wanted).
    values = [" ".join(str(v).split()) for k, v in message.raw_items() if k.lower() == "from"]
    addresses = [a for _name, a in getaddresses(values) if a]
    return addresses[0].strip().casefold() if len(addresses) == 1 else ""


def _same_address(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def _changes(action: Action, note: str, new_date: date | None) -> dict[str, Any]:
    """commitment_change's arguments for an answer."""
    if action == Action.NEW_DATE:
        if new_date is None:
            raise ValidationError({"due_date": _("Choose the new date.")})
        return {"new_due_date": new_date, "note": note}
    return {"status": _STATUS_OF[action], "note": note}


def _entry(
    number: int,
    commitment_id: int,
    action: str,
    *,
    note: str = "",
    new_date: date | None = None,
    applied: bool = False,
    reason: str = "",
) -> dict[str, Any]:
    return {
        "number": number,
        "commitment_id": commitment_id,
        "action": str(action),
        "note": note,
        "new_date": new_date.isoformat() if new_date else None,
        "applied": applied,
        "reason": reason,
    }


def _listed(nag: NagMessage, person: Person) -> tuple[list[Listed], dict[int, Commitment]]:
    """The email's numbered commitments still belonging to the person (number n is
    commitment_ids[n-1], as the email showed it), locked for this reply."""
    ids = [int(pk) for pk in nag.commitment_ids]
    # One query for everything the reply's effects read: commitment_change (the meeting and
    # its initiative, for a new date), the help request and the co-chairs' email (the table,
    # its initiative and organization). These rows are the locked ones that commitment_change
    # and help_request_open_for change (already_locked=True): nothing is read twice.
    found = sorted(
        Commitment.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, person_id=person.pk, organization_id=nag.organization_id)
        .select_related("meeting", "table__initiative__organization")
        # In the model's order, sorted here: three rows need no ORDER BY in the query.
        .order_by(),
        key=lambda c: (c.position, c.pk),
    )
    rows = {c.pk: c for c in found}
    for c in rows.values():
        if c.meeting.initiative_id == c.table.initiative_id:
            # The meeting's initiative is the table's: the same object, not another query.
            Meeting.initiative.field.set_cached_value(c.meeting, c.table.initiative)
    listed = [
        Listed(number=n, commitment_id=pk, what=rows[pk].what, due_date=rows[pk].due_date)
        for n, pk in enumerate(ids, start=1)
        if pk in rows
    ]
    return listed, rows


def _organization(nag: NagMessage, commitments: dict[int, Commitment]) -> Organization:
    if commitments:
        return next(iter(commitments.values())).table.initiative.organization
    return Organization.objects.get(pk=nag.organization_id)


def _today(organization: Organization, commitments: dict[int, Commitment]) -> date:
    """Today where the person's initiative is ("next Friday" is read from there)."""
    now = timezone.now()
    if commitments:
        first = next(iter(commitments.values()))
        return local_date(now, first.table.initiative.effective_time_zone)
    return local_date(now, organization.time_zone)


def _read(
    message: email.message.Message, person: Person, nag: NagMessage
) -> tuple[str, list[Listed], dict[int, Commitment], Organization, Reading]:
    text = reply_text.visible_reply(reply_text.body_text(message))
    listed, commitments = _listed(nag, person)
    organization = _organization(nag, commitments)
    reading = reply_intent.read_reply(
        text,
        listed,
        today=_today(organization, commitments),
        language=person.preferred_language or settings.LANGUAGE_CODE,
    )
    return text, listed, commitments, organization, reading


@transaction.atomic(savepoint=False)
def reply_handle(inbound: InboundEmail, message: email.message.Message) -> InboundEmail:
    """Apply a matched reply (inbound.person and inbound.nag_message are set). Runs in the
    caller's transaction (in one of its own when there is none): if anything fails, every write
    here is undone with it. No savepoint of its own: a caller that goes on after a failure rolls
    back to one of its own (workplans.inbound does)."""
    person = inbound.person
    nag = inbound.nag_message
    if person is None or nag is None:
        raise ValueError("reply_handle needs a reply matched to a NAG email")
    now = timezone.now()
    text, listed, commitments, organization, reading = _read(message, person, nag)
    inbound.visible_text = text
    inbound.processed_at = now

    sender = _sender(message)
    if not _same_address(sender, person.email):
        # Forwarded, or a colleague's reply-all: the token says whose commitments these are,
        # not who is writing. Staff decide; what was read is kept to help them.
        inbound.status = InboundEmail.Status.HELD
        inbound.reason = _(
            "Sent from %(sender)s, not %(person)s (forwarded or replied by someone else)"
        ) % {"sender": sender or _("an unreadable address"), "person": person.email or "—"}
        inbound.outcome = [
            _entry(
                i.number,
                i.commitment_id,
                i.action,
                note=i.note,
                new_date=i.new_date,
                reason=_("Held: not sent by %(name)s") % {"name": person.full_name},
            )
            for i in reading.intents
        ]
        _save(inbound)
        return inbound

    outcome: list[dict[str, Any]] = []
    flags: list[str] = []
    recorded: list[dict[str, Any]] = []
    addressed: set[int] = set()
    for intent in reading.intents:
        addressed.add(intent.commitment_id)
        entry = _entry(
            intent.number,
            intent.commitment_id,
            intent.action,
            note=intent.note,
            new_date=intent.new_date,
        )
        outcome.append(entry)
        commitment = commitments.get(intent.commitment_id)
        if commitment is None:
            entry["reason"] = _("Not one of this person's commitments in that email.")
            flags.append(entry["reason"])
            continue
        if commitment.status in _CLOSED:
            already = (intent.action, commitment.status) in (
                (Action.DONE, Commitment.Status.DONE),
                (Action.DROP, Commitment.Status.DROPPED),
            )
            if already:
                entry["reason"] = _("Already %(status)s.") % {
                    "status": commitment.get_status_display().lower()
                }
                recorded.append({**entry, "what": commitment.what, "already": True})
                continue
            # A commitment that is done or dropped is not reopened from an email.
            entry["reason"] = _(
                "%(number)s is already %(status)s; an email reply does not reopen it."
            ) % {"number": intent.number, "status": commitment.get_status_display().lower()}
            flags.append(entry["reason"])
            continue
        try:
            changed = commitment_change(
                commitment=commitment,
                channel=Channel.EMAIL_REPLY,
                by_person=person,
                message_id=inbound.message_id,
                already_locked=True,
                **_changes(intent.action, intent.note, intent.new_date),
            )
        except ValidationError as error:
            entry["reason"] = " ".join(error.messages)
            flags.append(f"{intent.number}: {entry['reason']}")
            continue
        commitments[changed.pk] = changed
        entry["applied"] = True
        line = {**entry, "what": changed.what, "notified": "", "already": False}
        if intent.action in _HELP_KIND:
            opened = help_request_open_for(
                commitment=changed,
                person=person,
                kind=_HELP_KIND[intent.action],
                text=intent.note or text,
                channel=Channel.EMAIL_REPLY,
                inbound=inbound,
                already_locked=True,
            )
            line["notified"] = opened.notified
        recorded.append(line)

    if reading.unclear or not reading.intents:
        flags.insert(0, reading.reason or _("The reply was not understood."))
        # The person's words are kept, as a note only, on the commitments the part not
        # understood names; when it names none, on every one the reply said nothing clear about.
        if reading.concerned:
            concerned = [item for item in listed if item.commitment_id in reading.concerned]
        else:
            concerned = [item for item in listed if item.commitment_id not in addressed]
        note = text if len(text) <= UNCLEAR_NOTE_MAX else text[: UNCLEAR_NOTE_MAX - 1] + "…"
        for item in concerned if text.strip() else []:
            commitment_change(
                commitment=commitments[item.commitment_id],
                channel=Channel.EMAIL_REPLY,
                by_person=person,
                message_id=inbound.message_id,
                note=note,
                already_locked=True,
            )
            outcome.append(
                _entry(item.number, item.commitment_id, UNCLEAR, note=note, reason=flags[0])
            )
        if not listed:
            flags.append(_("None of the commitments of that email is this person's any more."))

    inbound.outcome = sorted(outcome, key=lambda e: e["number"])
    inbound.status = InboundEmail.Status.NEEDS_LOOK if flags else InboundEmail.Status.APPLIED
    inbound.reason = "\n".join(dict.fromkeys(flags))
    # Only the id is needed to mark the NAG email answered in the email log.
    outbound_email_mark_replied(email=OutboundEmail(pk=nag.email_id))
    if _may_confirm(inbound, person, now):
        inbound.confirmation = _send_confirmation(
            inbound=inbound,
            message=message,
            person=person,
            nag=nag,
            organization=organization,
            recorded=sorted(recorded, key=lambda e: e["number"]),
            passed_on=bool(flags),
        )
    _save(inbound)
    return inbound


def _save(inbound: InboundEmail) -> None:
    """One write: what was read and done, with what workplans.inbound read from the headers
    and matched (it leaves the row to be written here)."""
    inbound.save(
        update_fields=[
            "status",
            "reason",
            "visible_text",
            "outcome",
            "processed_at",
            "confirmation",
            "message_id",
            "from_address",
            "subject",
            "recipients",
            "organization",
            "person",
            "nag_message",
            "token",
        ]
    )


def _may_confirm(inbound: InboundEmail, person: Person, now: Any) -> bool:
    if not person.email or person.undeliverable_at is not None:
        return False
    recent = (
        InboundEmail.objects.filter(
            person_id=person.pk,
            confirmation__isnull=False,
            received_at__gte=now - timedelta(hours=1),
        )
        .exclude(pk=inbound.pk)
        .count()
    )
    return recent < CONFIRMATIONS_PER_HOUR


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def _thread_subject(subject: str) -> str:
    subject = _one_line(subject)
    if not subject:
        return ""
    return subject if subject[:3].casefold() in ("re:", "rv:", "aw:") else f"Re: {subject}"


def _send_confirmation(
    *,
    inbound: InboundEmail,
    message: email.message.Message,
    person: Person,
    nag: NagMessage,
    organization: Organization,
    recorded: list[dict[str, Any]],
    passed_on: bool,
) -> OutboundEmail:
    """One short email back to the person: what was recorded, and whether staff will read the
    rest. It answers in the same thread and keeps the reply address, so a further answer to
    it still lands on the same commitments."""
    domain = organization.reply_domain or settings.BACKBONE_REPLY_DOMAIN
    headers = {"Auto-Submitted": "auto-replied"}
    message_id = _one_line(message.get("Message-ID"))
    if message_id:
        references = _one_line(message.get("References")).split()[-9:]
        headers["In-Reply-To"] = message_id
        headers["References"] = " ".join([*references, message_id])
    for line in recorded:
        if line.get("new_date"):
            line["new_date_value"] = date.fromisoformat(line["new_date"])
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        draft = compose(
            kind="reply_confirmation",
            to=[person.email],
            organization=organization,
            reply_to=[f"reply+{nag.token}@{domain}"],
            context={
                "person": person,
                "recorded": recorded,
                "passed_on": passed_on,
                "reply_subject": _thread_subject(
                    inbound.subject or str(message.get("Subject", ""))
                ),
            },
            headers=headers,
        )
    draft.send()
    row: OutboundEmail = draft.outbound_email  # type: ignore[attr-defined]
    return row


# --- Staff's review ---------------------------------------------------------------------------


def _staff_entry_exists(
    inbound: InboundEmail, commitment_id: int, action: str, new_date: date | None
) -> bool:
    iso = new_date.isoformat() if new_date else None
    return any(
        e.get("by_user_id") is not None
        and e.get("commitment_id") == commitment_id
        and e.get("action") == action
        and e.get("new_date") == iso
        for e in inbound.outcome
    )


@transaction.atomic
def reply_apply_as(
    *,
    inbound: InboundEmail,
    commitment: Commitment,
    action: str,
    by_user: User,
    note: str = "",
    new_date: date | None = None,
) -> InboundEmail:
    """Staff's one-click "apply as …" on a held or flagged reply: the change is recorded as
    made by the staff member (and by the person too when the reply was theirs), through the
    email reply channel with the reply's message id; the reply is then resolved. The same click
    twice changes nothing; another commitment of the same reply can still be applied."""
    try:
        act = Action(action)
    except ValueError:
        raise ValidationError(_("Choose what to apply.")) from None
    locked = (
        InboundEmail.objects.select_for_update(of=("self",))
        .select_related("nag_message", "person")
        .get(pk=inbound.pk)
    )
    if locked.organization_id is None or locked.nag_message is None:
        raise ValidationError(_("This reply matches no reminder."))
    check_same_organization(locked.organization_id, commitment)
    ids = [int(pk) for pk in locked.nag_message.commitment_ids]
    if commitment.pk not in ids:
        raise ValidationError(_("That commitment was not in the email this reply answers."))
    if locked.status == InboundEmail.Status.RESOLVED:
        if _staff_entry_exists(locked, commitment.pk, act.value, new_date):
            return locked
    elif locked.status not in InboundEmail.REVIEW:
        raise ValidationError(_("This reply is not waiting for review."))
    person = locked.person
    # A held reply was written by someone else: the staff member alone made the change.
    wrote_it = person is not None and _same_address(parseaddr(locked.from_address)[1], person.email)
    note = note.strip()
    changed = commitment_change(
        commitment=commitment,
        channel=Channel.EMAIL_REPLY,
        by_user=by_user,
        by_person=person if wrote_it else None,
        message_id=locked.message_id,
        **_changes(act, note, new_date),
    )
    if act in _HELP_KIND:
        help_request_open_for(
            commitment=changed,
            person=changed.person,
            kind=_HELP_KIND[act],
            text=note or locked.visible_text,
            channel=Channel.EMAIL_REPLY,
            inbound=locked,
        )
    entry = _entry(
        ids.index(commitment.pk) + 1,
        commitment.pk,
        act.value,
        note=note,
        new_date=new_date,
        applied=True,
        reason=_("Applied by %(name)s") % {"name": by_user.display_name},
    )
    locked.outcome = [*locked.outcome, {**entry, "by_user_id": by_user.pk}]
    _resolve(locked, by_user, extra_fields=["outcome"])
    return locked


def _resolve(inbound: InboundEmail, by_user: User, *, extra_fields: list[str]) -> None:
    inbound.status = InboundEmail.Status.RESOLVED
    inbound.reviewed_by = by_user
    inbound.reviewed_at = timezone.now()
    inbound.save(update_fields=["status", "reviewed_by", "reviewed_at", *extra_fields])


@transaction.atomic
def reply_dismiss(*, inbound: InboundEmail, by_user: User) -> InboundEmail:
    """Staff read the reply and nothing is to be done: it leaves the review list unchanged
    otherwise. Dismissing it again changes nothing."""
    locked = InboundEmail.objects.select_for_update(of=("self",)).get(pk=inbound.pk)
    if locked.status == InboundEmail.Status.RESOLVED:
        return locked
    if locked.status not in InboundEmail.REVIEW:
        raise ValidationError(_("This reply is not waiting for review."))
    _resolve(locked, by_user, extra_fields=[])
    return locked
