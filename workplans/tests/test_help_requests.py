"""Help requests: opening one (and who is told, in which language), one open request per
commitment, taking it on and resolving it, and the one-click "I need help" link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from backbone.models import OutboundEmail
from initiatives.models import Seat
from initiatives.tests.factories import PersonFactory, SeatFactory
from workplans.help_requests import help_request_assign, help_request_open, help_request_resolve
from workplans.models import Channel, Commitment, CommitmentChange, HelpRequest
from workplans.services import commitment_link_apply
from workplans.tests.public_world import require_compiled_spanish
from workplans.tests.reply_world import REPLY_AT, SENDER, ReplyWorld, reply_world

SITE = "https://backbone.example.org"
HELP_URL = f"{SITE}/o/lakeshore/initiatives/{{pk}}/help-requests/"


@pytest.fixture(autouse=True)
def _kept_in_outbox(settings: Any) -> None:
    settings.BACKBONE_EMAIL_DELIVERY = "outbox"
    settings.SITE_URL = SITE


@pytest.fixture
def world(personas: Any) -> ReplyWorld:
    return reply_world(personas)


def help_emails() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind="help_request").order_by("to"))


def open_for_venue(world: ReplyWorld, **kwargs: Any) -> HelpRequest:
    args: dict[str, Any] = {
        "commitment": world.commitments[1],
        "person": world.ana,
        "kind": HelpRequest.Kind.NEED_HELP,
        "text": "The church hall fell through; does anyone know a free room?",
        "channel": Channel.EMAIL_REPLY,
        **kwargs,
    }
    with time_machine.travel(REPLY_AT, tick=False):
        return help_request_open(**args)


def test_opening_a_help_request_emails_each_co_chair_in_their_language(
    world: ReplyWorld,
) -> None:
    require_compiled_spanish()
    request = open_for_venue(world)

    row = HelpRequest.objects.get()
    assert row.pk == request.pk
    assert (row.organization_id, row.initiative_id, row.table_id) == (
        world.org.pk,
        world.initiative.pk,
        world.table.pk,
    )
    assert (row.commitment_id, row.person_id, row.kind, row.channel, row.inbound) == (
        world.commitments[1].pk,
        world.ana.pk,
        "need_help",
        "email_reply",
        None,
    )
    assert row.text == "The church hall fell through; does anyone know a free room?"
    assert (row.status, row.assigned_to, row.created_at) == ("open", None, REPLY_AT)

    carla, dev = help_emails()
    assert carla.to == ["carla@cochairs.example.org"]
    assert dev.to == ["dev@cochairs.example.org"]
    url = HELP_URL.format(pk=world.initiative.pk)
    # Each co-chair reads it in their own language: Carla in Spanish, Dev in English.
    assert carla.subject == "Ana Diaz necesita ayuda: Find a venue for the summer reading kickoff"
    assert dev.subject == "Ana Diaz needs help: Find a venue for the summer reading kickoff"
    for sent in (carla, dev):
        assert sent.organization_id == world.org.pk
        assert sent.reply_to == ["ana@partners.example.org"]
        assert sent.headers == {"Auto-Submitted": "auto-generated"}
        assert sent.from_email == f"{SENDER} <backbone@localhost>"
        assert url in sent.body_text
        assert f'href="{url}"' in sent.body_html
    assert carla.body_text.startswith("Hola, Carla Reyes:\n")
    assert dev.body_text == (
        "Hello Dev Patel,\n\n"
        "Ana Diaz asks for help with a commitment made at the Early Learning workgroup:\n\n"
        "  Find a venue for the summer reading kickoff — by Apr 14\n\n"
        "In their words:\n"
        "  > The church hall fell through; does anyone know a free room?\n\n"
        "See the help requests of Lakeshore Reads and take this one on:\n"
        f"{url}\n\n"
        "Reply to this email to write to Ana Diaz.\n\n"
        f"— {SENDER}\n"
    )
    assert OutboundEmail.objects.exclude(kind__startswith="nag_").count() == 2


def test_blocked_says_blocked(world: ReplyWorld) -> None:
    open_for_venue(world, kind=HelpRequest.Kind.BLOCKED, text="")
    sent = help_emails()
    assert [e.subject for e in sent] == [
        "Ana Diaz tiene un bloqueo: Find a venue for the summer reading kickoff",
        "Ana Diaz is blocked: Find a venue for the summer reading kickoff",
    ]
    assert "Ana Diaz says a commitment made at the Early Learning workgroup is blocked:" in (
        sent[1].body_text
    )
    assert "In their words" not in sent[1].body_text


def test_a_second_request_for_the_same_commitment_adds_to_the_open_one(
    world: ReplyWorld,
) -> None:
    first = open_for_venue(world)
    second = open_for_venue(world, kind=HelpRequest.Kind.BLOCKED, text="Still no room.")
    again = open_for_venue(world, text="Still no room.")

    assert first.pk == second.pk == again.pk
    row = HelpRequest.objects.get()
    assert row.text == (
        "The church hall fell through; does anyone know a free room?\n\nStill no room."
    )
    assert row.kind == "need_help"  # the latest answer's kind
    assert len(help_emails()) == 2  # the co-chairs were told once


def test_a_resolved_request_does_not_absorb_a_new_one(world: ReplyWorld) -> None:
    first = open_for_venue(world)
    help_request_resolve(help_request=first, user=world.personas.staff)
    second = open_for_venue(world, text="It fell through again.")
    assert second.pk != first.pk
    assert HelpRequest.objects.filter(status="open").get().pk == second.pk
    assert len(help_emails()) == 4


def test_co_chairs_who_cannot_be_written_to_are_skipped(world: ReplyWorld) -> None:
    world.carla.undeliverable_at = timezone.now()
    world.carla.save()
    no_email: Any = PersonFactory(organization=world.org, full_name="Zed No Email", email="")
    SeatFactory(table=world.table, person=no_email, role=Seat.Role.CO_CHAIR)
    archived: Any = PersonFactory(
        organization=world.org,
        full_name="Ari Archived",
        email="ari@cochairs.example.org",
        archived_at=timezone.now(),
    )
    SeatFactory(table=world.table, person=archived, role=Seat.Role.CO_CHAIR)
    member: Any = PersonFactory(organization=world.org, email="member@partners.example.org")
    SeatFactory(table=world.table, person=member, role=Seat.Role.MEMBER)
    open_for_venue(world)
    assert [e.to for e in help_emails()] == [["dev@cochairs.example.org"]]


def test_a_chair_is_told_too(world: ReplyWorld) -> None:
    chair: Any = PersonFactory(
        organization=world.org, full_name="Chair Person", email="chair@cochairs.example.org"
    )
    SeatFactory(table=world.table, person=chair, role=Seat.Role.CHAIR)
    open_for_venue(world)
    assert [e.to[0] for e in help_emails()] == [
        "carla@cochairs.example.org",
        "chair@cochairs.example.org",
        "dev@cochairs.example.org",
    ]


def test_a_co_chair_asking_is_not_told_about_their_own_request(world: ReplyWorld) -> None:
    commitment = Commitment.objects.create(
        organization=world.org,
        meeting=world.meeting,
        table=world.table,
        person=world.dev,
        what="Print the flyers",
        due_date=world.commitments[0].due_date,
    )
    open_for_venue(world, commitment=commitment, person=world.dev)
    assert [e.to for e in help_emails()] == [["carla@cochairs.example.org"]]
    assert help_emails()[0].reply_to == ["dev@cochairs.example.org"]


def test_without_a_co_chair_to_write_to_the_staff_are_told(world: ReplyWorld) -> None:
    Seat.objects.filter(role=Seat.Role.CO_CHAIR).delete()
    open_for_venue(world)
    (sent,) = help_emails()
    assert sent.to == ["staff@lakeshore.example.org"]
    assert sent.subject == "Ana Diaz needs help: Find a venue for the summer reading kickoff"
    assert (
        "Early Learning has no co-chair we can email, so this request comes to the staff."
        in sent.body_text
    )
    assert sent.body_text.startswith(f"Hello {world.personas.staff.display_name},\n")


def test_staff_without_a_contact_record_are_told_in_their_interface_language(
    world: ReplyWorld,
) -> None:
    require_compiled_spanish()
    Seat.objects.filter(role=Seat.Role.CO_CHAIR).delete()
    staff = world.personas.staff
    staff.language = "es"
    staff.save()
    open_for_venue(world)
    (sent,) = help_emails()
    assert sent.to == ["staff@lakeshore.example.org"]
    assert sent.subject == "Ana Diaz necesita ayuda: Find a venue for the summer reading kickoff"
    assert sent.body_text.startswith(f"Hola, {staff.display_name}:\n")


def test_a_person_of_another_organization_is_refused(world: ReplyWorld) -> None:
    stranger: Any = PersonFactory(organization=world.personas.other_org)
    with pytest.raises(ValidationError):
        open_for_venue(world, person=stranger)
    assert HelpRequest.objects.count() == 0
    assert help_emails() == []


# --- Taking it on, resolving it -------------------------------------------------------------


def test_assign_takes_the_request_on(world: ReplyWorld) -> None:
    request = open_for_venue(world)
    cochair = world.personas.cochair
    taken = help_request_assign(help_request=request, user=cochair)
    assert taken.assigned_to_id == cochair.pk
    staff = world.personas.staff
    help_request_assign(help_request=request, user=staff)
    assert HelpRequest.objects.get().assigned_to_id == staff.pk


def test_an_outsider_cannot_assign_or_resolve(world: ReplyWorld) -> None:
    request = open_for_venue(world)
    outsider = world.personas.outsider
    with pytest.raises(ValidationError):
        help_request_assign(help_request=request, user=outsider)
    with pytest.raises(ValidationError):
        help_request_resolve(help_request=request, user=outsider, note="Mine now")
    row = HelpRequest.objects.get()
    assert (row.status, row.assigned_to, row.resolved_by, row.resolution_note) == (
        "open",
        None,
        None,
        "",
    )


def test_resolve_records_who_and_how_and_twice_changes_nothing(world: ReplyWorld) -> None:
    request = open_for_venue(world)
    staff = world.personas.staff
    resolved_at = REPLY_AT + timedelta(hours=2)
    with time_machine.travel(resolved_at, tick=False):
        help_request_resolve(help_request=request, user=staff, note="  The school gym is free. ")
    with time_machine.travel(resolved_at + timedelta(hours=1), tick=False):
        again = help_request_resolve(
            help_request=request, user=world.personas.cochair, note="Other note"
        )
    row = HelpRequest.objects.get()
    assert (row.status, row.resolved_at, row.resolved_by_id, row.resolution_note) == (
        "resolved",
        resolved_at,
        staff.pk,
        "The school gym is free.",
    )
    assert row.assigned_to_id == staff.pk
    assert again.resolved_by_id == staff.pk
    # The commitment keeps its status: resolving the request says nothing about it.
    assert Commitment.objects.get(pk=world.commitments[1].pk).status == "open"
    with pytest.raises(ValidationError):
        help_request_assign(help_request=row, user=world.personas.cochair)


# --- The one-click "I need help" link -------------------------------------------------------


def test_the_need_help_link_opens_a_help_request(world: ReplyWorld) -> None:
    mail.outbox.clear()
    with time_machine.travel(REPLY_AT, tick=False):
        outcome = commitment_link_apply(
            commitment=world.commitments[0],
            person=world.ana,
            action="need_help",
            note="Who has the library contact?",
        )
        again = commitment_link_apply(
            commitment=world.commitments[0], person=world.ana, action="need_help"
        )
    assert (outcome.recorded, again.recorded) == (True, False)
    row = HelpRequest.objects.get()
    assert (row.commitment_id, row.person_id, row.kind, row.channel, row.text) == (
        world.commitments[0].pk,
        world.ana.pk,
        "need_help",
        "email_link",
        "Who has the library contact?",
    )
    assert [e.subject for e in help_emails()] == [
        "Ana Diaz necesita ayuda: Book the library room for the family reading night",
        "Ana Diaz needs help: Book the library room for the family reading night",
    ]
    change = CommitmentChange.objects.filter(commitment=world.commitments[0]).last()
    assert change is not None
    assert (change.channel, change.new_status) == ("email_link", "need_help")


def test_the_done_and_new_date_links_open_no_help_request(world: ReplyWorld) -> None:
    with time_machine.travel(REPLY_AT, tick=False):
        commitment_link_apply(commitment=world.commitments[0], person=world.ana, action="done")
        commitment_link_apply(
            commitment=world.commitments[1],
            person=world.ana,
            action="new_date",
            new_due_date=world.commitments[2].due_date,
        )
    assert HelpRequest.objects.count() == 0
    assert help_emails() == []
