"""A world for partners' email replies: the initiative "Lakeshore Reads" (Chicago time) of the
lakeshore organization (replies to reply.lakeshore.example.org), its workgroup "Early Learning"
with two co-chairs (Carla Reyes, who reads Spanish, and Dev Patel) and a member, Ana Diaz, who
made three open commitments at the meeting of March 10, 2026. The real NAG sweep sends Ana her
check-in on March 24 (09:00 in Chicago): `world.nag` is that email's NagMessage, numbering her
commitments 1 to 3 in the order below.

`reply_message` writes Ana's answer as real RFC 822 bytes (a Gmail-style reply quoting the
NAG), and `handle` runs it through `reply_handle` the way workplans.inbound does: inside a
transaction, the InboundEmail row locked, organization, person and NAG email set."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import format_datetime, parseaddr
from typing import Any

from django.db import transaction

from backbone.models import OutboundEmail
from initiatives.models import Seat
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from tests.fixtures import Personas
from workplans.inbound import normalise_message_id
from workplans.models import Commitment, InboundEmail, Meeting, NagMessage, Reminder, Touch
from workplans.reminders import send_due_reminders
from workplans.tests.factories import CommitmentFactory, MeetingFactory

MEETING_START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # 12:00 in Chicago
CHECK_IN_AT = datetime(2026, 3, 24, 14, 0, tzinfo=UTC)  # 09:00 in Chicago
# When the tests' replies arrive: Wednesday March 25, 2026, 10:00 in Chicago.
REPLY_AT = datetime(2026, 3, 25, 15, 0, tzinfo=UTC)
SENDER = "Lakeshore Reads Backbone"
REPLY_DOMAIN = "reply.lakeshore.example.org"
ANA = "ana@partners.example.org"


@dataclass
class ReplyWorld:
    personas: Personas
    initiative: Any
    table: Any
    meeting: Meeting
    carla: Any  # co-chair, Spanish
    dev: Any  # co-chair, English
    ana: Any  # the partner who replies
    commitments: list[Commitment]
    nag: NagMessage

    @property
    def org(self) -> Any:
        return self.personas.org

    @property
    def reply_address(self) -> str:
        return f"reply+{self.nag.token}@{REPLY_DOMAIN}"

    @property
    def nag_email(self) -> OutboundEmail:
        return OutboundEmail.objects.get(pk=self.nag.email_id)

    def fresh(self, n: int) -> Commitment:
        """Commitment number n (1-based) as the database has it now."""
        return Commitment.objects.get(pk=self.commitments[n - 1].pk)


def reply_world(personas: Personas, *, language: str = "en") -> ReplyWorld:
    org: Any = personas.org
    org.sender_name = SENDER
    org.reply_domain = REPLY_DOMAIN
    org.save()
    initiative: Any = InitiativeFactory(
        organization=org, name="Lakeshore Reads", time_zone="America/Chicago"
    )
    table: Any = TableFactory(initiative=initiative, name="Early Learning")
    carla: Any = PersonFactory(
        organization=org,
        full_name="Carla Reyes",
        email="carla@cochairs.example.org",
        preferred_language="es",
    )
    dev: Any = PersonFactory(
        organization=org, full_name="Dev Patel", email="dev@cochairs.example.org"
    )
    ana: Any = PersonFactory(
        organization=org, full_name="Ana Diaz", email=ANA, preferred_language=language
    )
    SeatFactory(table=table, person=carla, role=Seat.Role.CO_CHAIR)
    SeatFactory(table=table, person=dev, role=Seat.Role.CO_CHAIR)
    SeatFactory(table=table, person=ana, role=Seat.Role.MEMBER)
    meeting: Any = MeetingFactory(
        table=table,
        starts_at=MEETING_START,
        ends_at=MEETING_START + timedelta(hours=1, minutes=30),
        status=Meeting.Status.CLOSED,
        closed_at=MEETING_START + timedelta(hours=1, minutes=30),
    )
    commitments: list[Any] = [
        CommitmentFactory(
            meeting=meeting,
            person=ana,
            what="Book the library room for the family reading night",
            due_date=date(2026, 4, 7),
        ),
        CommitmentFactory(
            meeting=meeting,
            person=ana,
            what="Find a venue for the summer reading kickoff",
            due_date=date(2026, 4, 14),
        ),
        CommitmentFactory(
            meeting=meeting,
            person=ana,
            what="Share the tutoring sign-up sheet",
            due_date=date(2026, 4, 21),
        ),
    ]
    Reminder.objects.create(
        organization=org, meeting=meeting, touch=Touch.CHECK_IN, person=ana, due_at=CHECK_IN_AT
    )
    result = send_due_reminders(now=CHECK_IN_AT)
    assert result.recipients == [ANA]
    nag = NagMessage.objects.get(person=ana)
    assert nag.commitment_ids == [c.pk for c in commitments]
    return ReplyWorld(
        personas=personas,
        initiative=initiative,
        table=table,
        meeting=meeting,
        carla=carla,
        dev=dev,
        ana=ana,
        commitments=commitments,
        nag=nag,
    )


def reply_message(
    world: ReplyWorld,
    text: str,
    *,
    sender: str = f"Ana Diaz <{ANA}>",
    message_id: str = "<CAF=reply-1@mail.gmail.com>",
    references: str = "",
) -> Message:
    """Ana's answer as her mail client sends it: her words on top, the NAG quoted below."""
    nag_email = world.nag_email
    message = EmailMessage()
    message["From"] = sender
    message["To"] = world.reply_address
    message["Subject"] = f"Re: {nag_email.subject}"
    message["Date"] = format_datetime(REPLY_AT)
    message["Message-ID"] = message_id
    if references:
        message["References"] = references
        message["In-Reply-To"] = references.split()[-1]
    quoted = "\n".join(f"> {line}" for line in nag_email.body_text.splitlines())
    message.set_content(
        f"{text}\n\nOn Tue, Mar 24, 2026 at 9:00 AM {SENDER} <backbone@localhost> wrote:\n"
        f"{quoted}\n"
    )
    return email.message_from_bytes(bytes(message), policy=email.policy.default)


def inbound_for(world: ReplyWorld, message: Message) -> InboundEmail:
    """The row workplans.inbound stores and matches before it hands the reply over."""
    raw = bytes(message)
    message_id = normalise_message_id(str(message["Message-ID"]))
    return InboundEmail.objects.create(
        organization=world.org,
        message_key=message_id,
        message_id=message_id,
        source=InboundEmail.Source.PIPE,
        raw=raw,
        raw_size=len(raw),
        from_address=parseaddr(str(message["From"]))[1].lower(),
        recipients=[world.reply_address],
        subject=str(message["Subject"]),
        token=world.nag.token,
        nag_message=world.nag,
        person=world.ana,
    )


def matched(world: ReplyWorld, inbound: InboundEmail) -> InboundEmail:
    """The row locked and matched as workplans.inbound hands it over (call in a transaction)."""
    locked = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
    nag = NagMessage.objects.select_related("person").get(pk=world.nag.pk)
    locked.organization_id = nag.organization_id
    locked.person = nag.person
    locked.nag_message = nag
    return locked


def handle(
    world: ReplyWorld, message: Message, inbound: InboundEmail | None = None
) -> InboundEmail:
    """Process the reply as workplans.inbound.inbound_process does once it has matched it."""
    from workplans.replies import reply_handle

    inbound = inbound or inbound_for(world, message)
    with transaction.atomic():
        return reply_handle(matched(world, inbound), message)


def answer(world: ReplyWorld, text: str, **kwargs: Any) -> InboundEmail:
    return handle(world, reply_message(world, text, **kwargs))
