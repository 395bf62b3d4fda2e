"""What a partner's reply to a NAG email does: changes through the same service as the pages
(channel "email reply", the message id, the person), help requests and the co-chairs' email,
notes and a flag when it is unclear, a hold when someone else wrote it, one short confirmation
(rate-limited), and staff's "apply as …" and "dismiss" on what waits for review."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from backbone.models import OutboundEmail
from tests.concurrency import at_once, require_postgresql
from workplans.models import (
    Channel,
    Commitment,
    CommitmentChange,
    HelpRequest,
    InboundEmail,
    Meeting,
)
from workplans.replies import (
    CONFIRMATIONS_PER_HOUR,
    reply_apply_as,
    reply_dismiss,
    reply_handle,
)
from workplans.reply_intent import Action
from workplans.services import commitment_change
from workplans.tests.public_world import require_compiled_spanish
from workplans.tests.reply_world import (
    ANA,
    REPLY_AT,
    SENDER,
    ReplyWorld,
    answer,
    handle,
    inbound_for,
    matched,
    reply_message,
    reply_world,
)

# As the reply's header has it, and as stored (workplans.inbound keeps it without brackets).
HEADER_ID = "<CAF=reply-1@mail.gmail.com>"
MESSAGE_ID = "CAF=reply-1@mail.gmail.com"


@pytest.fixture(autouse=True)
def clock(settings: Any) -> Any:
    settings.BACKBONE_EMAIL_DELIVERY = "outbox"
    settings.SITE_URL = "https://backbone.example.org"
    with time_machine.travel(REPLY_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(personas: Any) -> ReplyWorld:
    return reply_world(personas)


def changes_since_setup(world: ReplyWorld) -> list[CommitmentChange]:
    """Changes other than the ones the commitments were created with (none: factories)."""
    return list(
        CommitmentChange.objects.filter(commitment__in=world.commitments).order_by("at", "id")
    )


def emails(kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("id"))


def outcome(inbound: InboundEmail) -> list[tuple[int, str, bool]]:
    return [(e["number"], e["action"], e["applied"]) for e in inbound.outcome]


def test_done_and_need_help_mark_each_open_a_help_request_and_confirm(
    world: ReplyWorld,
) -> None:
    c1, c2, c3 = world.commitments
    inbound = answer(world, "1 is done, 2 I need help with the venue")

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.APPLIED
    assert inbound.reason == ""
    assert inbound.visible_text == "1 is done, 2 I need help with the venue"
    assert inbound.processed_at == REPLY_AT
    assert outcome(inbound) == [(1, "done", True), (2, "need_help", True)]
    assert [e["commitment_id"] for e in inbound.outcome] == [c1.pk, c2.pk]
    assert [(e["new_date"], e["reason"]) for e in inbound.outcome] == [(None, ""), (None, "")]
    help_note = inbound.outcome[1]["note"]
    assert "venue" in help_note

    assert (world.fresh(1).status, world.fresh(2).status, world.fresh(3).status) == (
        "done",
        "need_help",
        "open",
    )
    assert world.fresh(1).completed_at == REPLY_AT
    changes = changes_since_setup(world)
    assert [
        (ch.commitment_id, ch.channel, ch.by_person_id, ch.by_user_id, ch.message_id)
        for ch in changes
    ] == [
        (c1.pk, "email_reply", world.ana.pk, None, MESSAGE_ID),
        (c2.pk, "email_reply", world.ana.pk, None, MESSAGE_ID),
    ]
    assert [(ch.old_status, ch.new_status) for ch in changes] == [
        ("open", "done"),
        ("open", "need_help"),
    ]
    assert changes[1].note == help_note

    request = HelpRequest.objects.get()
    assert (request.commitment_id, request.person_id, request.kind, request.channel) == (
        c2.pk,
        world.ana.pk,
        "need_help",
        "email_reply",
    )
    assert (request.inbound_id, request.text, request.status) == (inbound.pk, help_note, "open")
    assert [e.to for e in emails("help_request")] == [
        ["carla@cochairs.example.org"],
        ["dev@cochairs.example.org"],
    ]

    assert world.nag_email.status == OutboundEmail.Status.REPLIED
    (confirmation,) = emails("reply_confirmation")
    assert inbound.confirmation_id == confirmation.pk
    assert confirmation.to == [ANA]
    assert confirmation.subject == f"Re: {world.nag_email.subject}"
    assert confirmation.reply_to == [world.reply_address]
    assert confirmation.from_email == f"{SENDER} <backbone@localhost>"
    assert confirmation.headers == {
        "Auto-Submitted": "auto-replied",
        "In-Reply-To": HEADER_ID,
        "References": HEADER_ID,
    }
    assert confirmation.body_text == (
        "Hello Ana Diaz,\n\n"
        "Thank you for your reply. Recorded:\n"
        "1. Book the library room for the family reading night — done\n"
        "2. Find a venue for the summer reading kickoff — need help: co-chairs notified\n\n"
        f"— {SENDER}\n"
    )
    assert "need help: co-chairs notified" in confirmation.body_html
    assert c3.pk not in {ch.commitment_id for ch in changes}


def test_the_confirmation_continues_the_thread(world: ReplyWorld) -> None:
    inbound = answer(
        world,
        "1 done",
        references="<nag-1@backbone.example.org> <older@mail.gmail.com>",
    )
    assert inbound.confirmation is not None
    confirmation = inbound.confirmation
    assert confirmation.headers["In-Reply-To"] == HEADER_ID
    assert confirmation.headers["References"] == (
        f"<nag-1@backbone.example.org> <older@mail.gmail.com> {HEADER_ID}"
    )


def test_the_confirmation_is_delivered_with_its_headers(
    world: ReplyWorld, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BACKBONE_EMAIL_DELIVERY = "locmem"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer(world, "1 done")
    (sent,) = mail.outbox
    message = sent.message()
    assert message["To"] == ANA
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == HEADER_ID
    assert message["References"] == HEADER_ID
    assert message["Reply-To"] == world.reply_address
    assert "X-Backbone-Kind" not in message


def test_a_reply_from_someone_else_is_held_and_changes_nothing(world: ReplyWorld) -> None:
    before = OutboundEmail.objects.count()
    inbound = answer(world, "1 done", sender="Boss <boss@partners.example.org>")

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.HELD
    assert inbound.reason == (
        "Sent from boss@partners.example.org, not ana@partners.example.org "
        "(forwarded or replied by someone else)"
    )
    assert outcome(inbound) == [(1, "done", False)]
    assert inbound.outcome[0]["reason"] == "Held: not sent by Ana Diaz"
    assert inbound.visible_text == "1 done"
    assert inbound.confirmation is None
    assert changes_since_setup(world) == []
    assert {c.status for c in Commitment.objects.all()} == {"open"}
    assert HelpRequest.objects.count() == 0
    assert OutboundEmail.objects.count() == before
    assert world.nag_email.status == OutboundEmail.Status.KEPT


def test_the_sender_address_is_compared_without_case(world: ReplyWorld) -> None:
    inbound = answer(world, "1 done", sender="ANA DIAZ <Ana@Partners.Example.ORG>")
    assert inbound.status == InboundEmail.Status.APPLIED
    assert world.fresh(1).status == "done"


def test_a_bare_done_to_several_commitments_is_a_note_and_a_flag(world: ReplyWorld) -> None:
    inbound = answer(world, "Done!")

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.NEEDS_LOOK
    assert inbound.reason != ""
    assert outcome(inbound) == [(1, "unclear", False), (2, "unclear", False), (3, "unclear", False)]
    assert {e["reason"] for e in inbound.outcome} == {inbound.reason}
    assert {c.status for c in Commitment.objects.all()} == {"open"}
    changes = changes_since_setup(world)
    assert [(ch.commitment_id, ch.old_status, ch.new_status, ch.note) for ch in changes] == [
        (c.pk, "", "", "Done!") for c in world.commitments
    ]
    assert {(ch.channel, ch.by_person_id, ch.message_id) for ch in changes} == {
        ("email_reply", world.ana.pk, MESSAGE_ID)
    }
    assert world.fresh(2).progress_note == "Done!"
    assert HelpRequest.objects.count() == 0
    (confirmation,) = emails("reply_confirmation")
    assert confirmation.body_text == (
        "Hello Ana Diaz,\n\n"
        "Thank you for your reply. We passed it to the Lakeshore Learning Partnership staff "
        "to read.\n\n"
        f"— {SENDER}\n"
    )
    assert world.nag_email.status == OutboundEmail.Status.REPLIED


def test_what_is_clear_is_applied_and_the_rest_passed_to_staff(world: ReplyWorld) -> None:
    inbound = answer(world, "1 done. 2 maybe?")
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.NEEDS_LOOK
    assert world.fresh(1).status == "done"
    assert {world.fresh(2).status, world.fresh(3).status} == {"open"}
    (confirmation,) = emails("reply_confirmation")
    assert "1. Book the library room for the family reading night — done\n" in (
        confirmation.body_text
    )
    assert (
        "We passed the rest of your reply to the Lakeshore Learning Partnership staff to read."
        in confirmation.body_text
    )


def test_the_unclear_part_is_a_note_only_on_the_commitment_it_names(world: ReplyWorld) -> None:
    c1, c2, c3 = world.commitments
    inbound = answer(world, "1 is done. About 2, I talked to Maria yesterday.")

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.NEEDS_LOOK
    assert inbound.reason == "Mentions commitment 2 without saying what about it."
    assert outcome(inbound) == [(1, "done", True), (2, "unclear", False)]
    text = "1 is done. About 2, I talked to Maria yesterday."
    assert [
        (ch.commitment_id, ch.old_status, ch.new_status, ch.note)
        for ch in changes_since_setup(world)
    ] == [(c1.pk, "open", "done", ""), (c2.pk, "", "", text)]
    assert (world.fresh(2).status, world.fresh(2).progress_note) == ("open", text)
    # Commitment 3 was not mentioned: nothing is written on it.
    assert (world.fresh(3).status, world.fresh(3).progress_note) == ("open", c3.progress_note)


def test_a_done_commitment_is_not_reopened_by_email(world: ReplyWorld) -> None:
    commitment_change(
        commitment=world.commitments[0], channel=Channel.WEB, status=Commitment.Status.DONE
    )
    inbound = answer(world, "1 need help")

    inbound.refresh_from_db()
    assert world.fresh(1).status == "done"
    assert inbound.status == InboundEmail.Status.NEEDS_LOOK
    assert inbound.reason == "1 is already done; an email reply does not reopen it."
    assert outcome(inbound) == [(1, "need_help", False)]
    assert [ch.channel for ch in changes_since_setup(world)] == ["web"]
    assert HelpRequest.objects.count() == 0
    assert emails("help_request") == []


def test_done_again_on_a_done_commitment_is_fine(world: ReplyWorld) -> None:
    commitment_change(
        commitment=world.commitments[0], channel=Channel.WEB, status=Commitment.Status.DONE
    )
    inbound = answer(world, "1 done")
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.APPLIED
    assert inbound.outcome[0]["reason"] == "Already done."
    assert [ch.channel for ch in changes_since_setup(world)] == ["web"]
    (confirmation,) = emails("reply_confirmation")
    assert "1. Book the library room for the family reading night — already done\n" in (
        confirmation.body_text
    )


def test_a_date_the_service_refuses_is_flagged_not_applied(world: ReplyWorld) -> None:
    # The third commitment's meeting was moved after the email went out: a date before it is
    # refused by commitment_change, and the reply waits for staff.
    later: Any = Meeting.objects.create(
        organization=world.org,
        table=world.table,
        initiative=world.initiative,
        starts_at=REPLY_AT + timedelta(days=60),
        ends_at=REPLY_AT + timedelta(days=60, hours=1),
    )
    Commitment.objects.filter(pk=world.commitments[2].pk).update(meeting=later)
    inbound = answer(world, "3 new date 2026-04-30")
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.NEEDS_LOOK
    assert inbound.reason == "3: The new date is before the meeting."
    assert outcome(inbound) == [(3, "new_date", False)]
    assert inbound.outcome[0]["new_date"] == "2026-04-30"
    assert world.fresh(3).due_date == date(2026, 4, 21)
    assert changes_since_setup(world) == []


def test_a_new_date_is_recorded(world: ReplyWorld) -> None:
    inbound = answer(world, "3 new date 2026-04-30")
    assert inbound.status == InboundEmail.Status.APPLIED
    assert world.fresh(3).due_date == date(2026, 4, 30)
    (change,) = changes_since_setup(world)
    assert (change.old_due_date, change.new_due_date, change.new_status) == (
        date(2026, 4, 21),
        date(2026, 4, 30),
        "",
    )
    (confirmation,) = emails("reply_confirmation")
    assert "3. Share the tutoring sign-up sheet — new date: Apr 30\n" in confirmation.body_text


def test_a_second_need_help_adds_to_the_open_request(world: ReplyWorld) -> None:
    answer(world, "2 need help with the venue")
    second = answer(
        world, "2 still need help, the church hall fell through", message_id="<reply-2@x.org>"
    )
    request = HelpRequest.objects.get()
    assert request.inbound_id != second.pk  # the first reply opened it
    assert "church hall" in request.text
    assert len(emails("help_request")) == 2
    last = emails("reply_confirmation")[-1]
    assert (
        "2. Find a venue for the summer reading kickoff — need help: added to your open help "
        "request\n" in last.body_text
    )


def test_a_commitment_no_longer_theirs_is_not_touched(world: ReplyWorld) -> None:
    Commitment.objects.filter(pk=world.commitments[2].pk).update(person=world.dev)
    inbound = answer(world, "1 done, 2 done, 3 done")
    assert world.fresh(3).status == "open"
    assert {e["commitment_id"] for e in inbound.outcome if e["applied"]} == {
        world.commitments[0].pk,
        world.commitments[1].pk,
    }
    assert world.commitments[2].pk not in {ch.commitment_id for ch in changes_since_setup(world)}


def test_confirmations_are_rate_limited_per_sender(world: ReplyWorld, clock: Any) -> None:
    sent = [
        answer(world, "1 done", message_id=f"<reply-{n}@x.org>").confirmation_id
        for n in range(CONFIRMATIONS_PER_HOUR + 2)
    ]
    assert [pk is not None for pk in sent] == [True] * CONFIRMATIONS_PER_HOUR + [False, False]
    assert len(emails("reply_confirmation")) == CONFIRMATIONS_PER_HOUR
    clock.shift(timedelta(minutes=61))
    later = answer(world, "1 done", message_id="<reply-later@x.org>")
    assert later.confirmation_id is not None
    assert len(emails("reply_confirmation")) == CONFIRMATIONS_PER_HOUR + 1


def test_a_spanish_speaker_is_confirmed_in_spanish(personas: Any) -> None:
    require_compiled_spanish()
    world = reply_world(personas, language="es")
    answer(world, "1 listo")
    (confirmation,) = emails("reply_confirmation")
    assert confirmation.body_text.startswith("Hola, Ana Diaz:\n")


def test_a_failure_leaves_no_trace(world: ReplyWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's transaction is rolled back on error and the message is read again later:
    nothing of the first attempt may remain, or the retry would apply it twice."""
    message = reply_message(world, "1 is done, 2 I need help with the venue")
    inbound = inbound_for(world, message)
    before = OutboundEmail.objects.count()

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("mail system down")

    monkeypatch.setattr("workplans.replies._send_confirmation", broken)
    with pytest.raises(RuntimeError):
        handle(world, message, inbound)
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.RECEIVED
    assert (inbound.outcome, inbound.processed_at) == ([], None)
    assert changes_since_setup(world) == []
    assert HelpRequest.objects.count() == 0
    assert OutboundEmail.objects.count() == before
    assert world.nag_email.status == OutboundEmail.Status.KEPT

    monkeypatch.undo()
    handle(world, message, inbound)
    assert len(changes_since_setup(world)) == 2
    assert HelpRequest.objects.count() == 1


def test_a_two_commitment_reply_costs_a_fixed_number_of_queries(
    world: ReplyWorld, django_assert_num_queries: Any
) -> None:
    """Reading and locking the commitments with all their effects need (1), two changes
    through commitment_change on those rows (4 each: the update, the history row and the
    savepoint), the help request with its two co-chair emails (7: its savepoint, the open one
    looked for, the request, the co-chairs, two emails), the NAG email marked replied, the rate
    limit, the confirmation and the row itself (4), the organization's webhook endpoints read
    once for the reply's three events (1); reply_handle has no savepoint of its own."""
    message = reply_message(world, "1 is done, 2 I need help with the venue")
    inbound = inbound_for(world, message)
    with transaction.atomic():
        row = matched(world, inbound)
        with django_assert_num_queries(21):
            reply_handle(row, message)
    assert len(changes_since_setup(world)) == 2
    assert HelpRequest.objects.count() == 1
    assert OutboundEmail.objects.exclude(kind__startswith="nag_").count() == 3


# --- Staff's review: apply as …, dismiss ------------------------------------------------------


def held(world: ReplyWorld, text: str = "Ana asked me to say: 1 is finished") -> InboundEmail:
    return answer(world, text, sender="Boss <boss@partners.example.org>")


def test_apply_as_on_a_held_reply_records_the_staff_member_and_resolves_it(
    world: ReplyWorld, clock: Any
) -> None:
    inbound = held(world)
    staff = world.personas.staff
    clock.shift(timedelta(hours=1))
    resolved = reply_apply_as(
        inbound=inbound, commitment=world.commitments[0], action="done", by_user=staff
    )
    assert resolved.status == InboundEmail.Status.RESOLVED
    assert (resolved.reviewed_by_id, resolved.reviewed_at) == (
        staff.pk,
        REPLY_AT + timedelta(hours=1),
    )
    assert world.fresh(1).status == "done"
    (change,) = changes_since_setup(world)
    assert (change.channel, change.by_user_id, change.by_person_id, change.message_id) == (
        "email_reply",
        staff.pk,
        None,
        MESSAGE_ID,
    )
    assert resolved.outcome[-1] == {
        "number": 1,
        "commitment_id": world.commitments[0].pk,
        "action": "done",
        "note": "",
        "new_date": None,
        "applied": True,
        "reason": f"Applied by {staff.display_name}",
        "by_user_id": staff.pk,
    }
    # Staff's action is not a reply: no confirmation to anyone.
    assert emails("reply_confirmation") == []

    clock.shift(timedelta(hours=1))
    again = reply_apply_as(
        inbound=inbound, commitment=world.commitments[0], action="done", by_user=staff
    )
    assert again.reviewed_at == REPLY_AT + timedelta(hours=1)
    assert len(changes_since_setup(world)) == 1
    assert len(again.outcome) == len(resolved.outcome)


def test_apply_as_need_help_on_a_flagged_reply_opens_a_help_request(world: ReplyWorld) -> None:
    inbound = answer(world, "Could someone help me with this?")
    assert inbound.status == InboundEmail.Status.NEEDS_LOOK
    staff = world.personas.staff
    reply_apply_as(
        inbound=inbound,
        commitment=world.commitments[1],
        action=Action.NEED_HELP,
        by_user=staff,
        note="Needs a venue",
    )
    assert world.fresh(2).status == "need_help"
    change = changes_since_setup(world)[-1]
    assert (change.by_user_id, change.by_person_id, change.note) == (
        staff.pk,
        world.ana.pk,
        "Needs a venue",
    )
    request = HelpRequest.objects.get()
    assert (request.commitment_id, request.person_id, request.text, request.inbound_id) == (
        world.commitments[1].pk,
        world.ana.pk,
        "Needs a venue",
        inbound.pk,
    )
    # Another commitment of the same reply can still be applied after it is resolved.
    reply_apply_as(inbound=inbound, commitment=world.commitments[2], action="done", by_user=staff)
    assert world.fresh(3).status == "done"


def test_apply_as_refuses_a_commitment_the_email_did_not_list(world: ReplyWorld) -> None:
    inbound = held(world)
    other = Commitment.objects.create(
        organization=world.org,
        meeting=world.meeting,
        table=world.table,
        person=world.ana,
        what="Something not in that email",
        due_date=date(2026, 5, 1),
    )
    with pytest.raises(ValidationError):
        reply_apply_as(
            inbound=inbound, commitment=other, action="done", by_user=world.personas.staff
        )
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.HELD
    assert Commitment.objects.get(pk=other.pk).status == "open"
    assert changes_since_setup(world) == []


def test_apply_as_refuses_a_reply_not_waiting_for_review(world: ReplyWorld) -> None:
    inbound = answer(world, "1 done")
    with pytest.raises(ValidationError):
        reply_apply_as(
            inbound=inbound,
            commitment=world.commitments[1],
            action="done",
            by_user=world.personas.staff,
        )
    assert world.fresh(2).status == "open"


def test_apply_as_drop_needs_a_reason(world: ReplyWorld) -> None:
    inbound = held(world)
    with pytest.raises(ValidationError), transaction.atomic():
        reply_apply_as(
            inbound=inbound,
            commitment=world.commitments[0],
            action="drop",
            by_user=world.personas.staff,
        )
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.HELD
    assert world.fresh(1).status == "open"


def test_dismiss_resolves_and_changes_nothing(world: ReplyWorld, clock: Any) -> None:
    inbound = held(world)
    staff = world.personas.staff
    dismissed = reply_dismiss(inbound=inbound, by_user=staff)
    assert (dismissed.status, dismissed.reviewed_by_id, dismissed.reviewed_at) == (
        "resolved",
        staff.pk,
        REPLY_AT,
    )
    clock.shift(timedelta(hours=1))
    again = reply_dismiss(inbound=inbound, by_user=world.personas.cochair)
    assert (again.reviewed_by_id, again.reviewed_at) == (staff.pk, REPLY_AT)
    assert changes_since_setup(world) == []
    assert {c.status for c in Commitment.objects.all()} == {"open"}
    applied = answer(world, "1 done", message_id="<reply-9@x.org>")
    with pytest.raises(ValidationError):
        reply_dismiss(inbound=applied, by_user=staff)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_need_help_replies_at_once_open_one_help_request(personas: Any) -> None:
    """Two replies about the same commitment processed by two workers at the same moment: the
    commitments' row locks order them, so the second adds to the first one's request."""
    require_postgresql()
    world = reply_world(personas)
    messages = [
        reply_message(world, f"2 need help with the venue, {word}", message_id=f"<{word}@x.org>")
        for word in ("urgently", "please")
    ]
    inbounds = [inbound_for(world, m) for m in messages]
    pending = list(zip(messages, inbounds, strict=True))

    def work() -> InboundEmail:
        message, inbound = pending.pop()
        return handle(world, message, inbound)

    results = at_once(2, work)

    assert sorted(r.status for r in results) == ["applied", "applied"]
    request = HelpRequest.objects.get()
    assert request.text in (
        "need help with the venue, urgently\n\nneed help with the venue, please",
        "need help with the venue, please\n\nneed help with the venue, urgently",
    )
    assert len(emails("help_request")) == 2
    assert len(emails("reply_confirmation")) == 2
    assert world.fresh(2).status == "need_help"
