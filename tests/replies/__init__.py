"""The reply corpus: realistic answers to a NAG email, as raw RFC 822 files under corpus/, each
with its expected outcome in corpus.toml, and the world they answer.

The world is built the way production builds it: a closed meeting of the "Youth Opportunity"
workgroup (initiative "Lakeshore Reads", Chicago time), the scenario's person with one, two or
three open commitments, and their check-in NAG email sent by `send_nag_email` on Thursday
March 12, 2026 — so the reply token, the numbered commitments and the outbox row are the real
ones. Omar Reyes got a NAG of his own (the token a spoof borrows). Replies are read on Saturday
March 14, 2026 (so "next Friday" is March 20 and "the end of the month" March 31).

Placeholders in the .eml files, replaced byte for byte before a message is ingested (never
inside base64 or quoted-printable bodies, which the files keep encoded as a client sends them):

    {token}               the scenario person's reply token (20 chars)
    {other_token}         the token of Omar's NAG email
    {unknown_token}       a well-formed token no NAG email carries
    {reply_domain}        the organization's reply domain
    {person_name}         the scenario person's name; {person_email} their address
    {other_email}         Omar's address
    {colleague_email}     Jordan Blake, a colleague at the same table (not a co-chair)
    {sender_name}         the organization's sender name; {sender_email} its From address
    {nag_message_id}      the Message-ID of the NAG email answered (without < >)
    {other_nag_message_id} the Message-ID of Omar's NAG email
    {date}                the reply's Date header (RFC 2822, Saturday March 14, 2026)
    {uid}                 unique per ingested message, for Message-IDs (the benchmark sends
                          each file many times; a test sends each file under one uid)
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
EXPECTATIONS = HERE / "corpus.toml"

MEETING_START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # Tuesday, 12:00 in Chicago
NAG_SENT_AT = datetime(2026, 3, 12, 14, 2, tzinfo=UTC)  # Thursday, 09:02 in Chicago
REPLY_READ_AT = datetime(2026, 3, 14, 17, 30, tzinfo=UTC)  # Saturday, 12:30 in Chicago
REPLY_DATE_HEADER = "Sat, 14 Mar 2026 11:47:09 -0500"
SENDER_NAME = "Lakeshore Learning Partnership"
REPLY_DOMAIN = "reply.lakeshore.example.org"
UNKNOWN_TOKEN = "q7m2x9k4p1w8z3n6b5v0"

# The commitments each scenario's NAG email numbers, in order: (what, due date).
TITLES_EN = (
    ("Book the venue for the spring youth forum", date(2026, 3, 18)),
    ("Share the Q3 attendance data with the data team", date(2026, 3, 25)),
    ("Recruit two mentors from the business council", date(2026, 4, 1)),
)
TITLES_ES = (
    ("Reservar el local para el foro juvenil de primavera", date(2026, 3, 18)),
    (
        "Compartir los datos de asistencia del tercer trimestre con el equipo de datos",
        date(2026, 3, 25),
    ),
    ("Reclutar dos mentores del consejo empresarial", date(2026, 4, 1)),
)
# scenario → (language, how many commitments the NAG email lists)
SCENARIOS: dict[str, tuple[str, int]] = {
    "one": ("en", 1),
    "two": ("en", 2),
    "three": ("en", 3),
    "uno": ("es", 1),
    "dos": ("es", 2),
    "tres": ("es", 3),
}
PEOPLE = {
    "en": ("Maria Lopez", "maria.lopez@partners.example.org"),
    "es": ("Lucía Fernández", "lucia.fernandez@socios.example.org"),
}
OTHER = ("Omar Reyes", "omar.reyes@partners.example.org")
COLLEAGUE = ("Jordan Blake", "jordan.blake@partners.example.org")
COCHAIR = ("Dana Whitfield", "dana.whitfield@lakeshore.example.org")
OTHER_TITLE = ("Print the flyers for the spring youth forum", date(2026, 3, 19))

INBOUND_STATUSES = ("applied", "needs_look", "held", "ignored", "unmatched")
COMMITMENT_STATUSES = ("open", "done", "need_help", "blocked", "dropped")
ACTIONS = ("done", "in_progress", "need_help", "blocked", "new_date", "drop")


@dataclass(frozen=True)
class Expected:
    """What one corpus message must lead to, per corpus.toml."""

    name: str
    scenario: str
    client: str
    language: str
    intents: tuple[str, ...]
    status: str
    # Number (1-based) → expected status, due date and note/help text fragments. Listed
    # commitments not named here must be left exactly as they were.
    commitments: dict[int, dict[str, Any]]
    help: dict[int, str]  # number → help request kind opened
    confirm: bool
    matched: str  # "own", "other" (Omar's NAG), "none", or "" (not checked)
    notes: str = ""

    @property
    def path(self) -> Path:
        return CORPUS_DIR / f"{self.name}.eml"


def load_expectations() -> list[Expected]:
    data = tomllib.loads(EXPECTATIONS.read_text(encoding="utf-8"))
    cases = []
    for name, entry in sorted(data.items()):
        scenario = entry["scenario"]
        if scenario not in SCENARIOS:
            raise ValueError(f"{name}: unknown scenario {scenario!r}")
        status = entry["status"]
        if status not in INBOUND_STATUSES:
            raise ValueError(f"{name}: unknown status {status!r}")
        commitments: dict[int, dict[str, Any]] = {}
        for key, value in entry.get("commitments", {}).items():
            number = int(key)
            if not 1 <= number <= SCENARIOS[scenario][1]:
                raise ValueError(f"{name}: commitment {number} is not listed in {scenario!r}")
            if value.get("status", "open") not in COMMITMENT_STATUSES:
                raise ValueError(f"{name}: unknown commitment status {value['status']!r}")
            commitments[number] = dict(value)
        help_kinds = {int(k): v for k, v in entry.get("help", {}).items()}
        for action in entry.get("intents", []):
            if action not in (*ACTIONS, "unclear", "automatic", "bounce", "none"):
                raise ValueError(f"{name}: unknown intent {action!r}")
        cases.append(
            Expected(
                name=name,
                scenario=scenario,
                client=entry["client"],
                language=entry.get("language", SCENARIOS[scenario][0]),
                intents=tuple(entry.get("intents", [])),
                status=status,
                commitments=commitments,
                help=help_kinds,
                confirm=bool(entry.get("confirm", False)),
                matched=entry.get("matched", ""),
                notes=entry.get("notes", ""),
            )
        )
    return cases


@dataclass
class ReplyWorld:
    scenario: str
    organization: Any
    initiative: Any
    table: Any
    person: Any
    other: Any
    colleague: Any
    cochair: Any
    commitments: list[Any]  # in the NAG email's numbered order
    other_commitment: Any
    nag: Any  # NagMessage
    other_nag: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def placeholders(self, uid: str) -> dict[str, str]:
        return {
            "token": self.nag.token,
            "other_token": self.other_nag.token,
            "unknown_token": UNKNOWN_TOKEN,
            "reply_domain": REPLY_DOMAIN,
            "person_name": self.person.full_name,
            "person_email": self.person.email,
            "other_email": self.other.email,
            "colleague_email": self.colleague.email,
            "sender_name": SENDER_NAME,
            "sender_email": self.nag.email.from_email.rsplit("<", 1)[-1].rstrip(">"),
            "nag_message_id": self.nag.email.message_id.strip("<>"),
            "other_nag_message_id": self.other_nag.email.message_id.strip("<>"),
            "date": REPLY_DATE_HEADER,
            "uid": uid,
        }


def substitute(raw: bytes, values: dict[str, str]) -> bytes:
    """Replace every {placeholder} in the raw bytes (the values are ASCII except names, which
    appear only in headers and UTF-8 parts of the files)."""
    for key, value in values.items():
        raw = raw.replace(b"{" + key.encode() + b"}", value.encode("utf-8"))
    return raw


def uid_for(name: str, n: int = 0) -> str:
    return hashlib.sha256(f"{name}/{n}".encode()).hexdigest()[:16].upper()


def build_world(scenario: str, *, organization: Any = None) -> ReplyWorld:
    """The world a corpus message answers (see the module docstring). Runs the real NAG email
    builder, so the database holds the OutboundEmail and NagMessage rows a sweep leaves."""
    import time_machine

    from backbone.models import OutboundEmail
    from initiatives.models import Seat
    from initiatives.tests.factories import (
        InitiativeFactory,
        PersonFactory,
        SeatFactory,
        TableFactory,
    )
    from tests.factories import OrganizationFactory
    from workplans.emails import send_nag_email
    from workplans.models import Meeting, NagMessage, Reminder, Touch
    from workplans.tests.factories import CommitmentFactory, MeetingFactory

    language, count = SCENARIOS[scenario]
    if organization is None:
        organization = OrganizationFactory(
            name=SENDER_NAME, slug="lakeshore", reply_domain=REPLY_DOMAIN
        )
    initiative: Any = InitiativeFactory(
        organization=organization, name="Lakeshore Reads", time_zone="America/Chicago"
    )
    table: Any = TableFactory(initiative=initiative, name="Youth Opportunity")
    name, address = PEOPLE[language]
    person: Any = PersonFactory(
        organization=organization, full_name=name, email=address, preferred_language=language
    )
    other: Any = PersonFactory(organization=organization, full_name=OTHER[0], email=OTHER[1])
    colleague: Any = PersonFactory(
        organization=organization, full_name=COLLEAGUE[0], email=COLLEAGUE[1]
    )
    cochair: Any = PersonFactory(organization=organization, full_name=COCHAIR[0], email=COCHAIR[1])
    # A second co-chair has no address (nobody to email); members are not notified.
    silent: Any = PersonFactory(organization=organization, full_name="Sam Ortiz", email="")
    SeatFactory(table=table, person=cochair, role=Seat.Role.CO_CHAIR)
    SeatFactory(table=table, person=silent, role=Seat.Role.CO_CHAIR)
    for member in (person, other, colleague):
        SeatFactory(table=table, person=member, role=Seat.Role.MEMBER)
    meeting: Any = MeetingFactory(
        table=table,
        starts_at=MEETING_START,
        ends_at=MEETING_START + timedelta(hours=1, minutes=30),
        status=Meeting.Status.CLOSED,
        closed_at=MEETING_START + timedelta(hours=1, minutes=30),
    )
    titles = TITLES_EN if language == "en" else TITLES_ES
    commitments: list[Any] = [
        CommitmentFactory(meeting=meeting, person=person, what=what, due_date=due, position=n)
        for n, (what, due) in enumerate(titles[:count])
    ]
    other_commitment: Any = CommitmentFactory(
        meeting=meeting, person=other, what=OTHER_TITLE[0], due_date=OTHER_TITLE[1], position=9
    )
    nags = []
    with time_machine.travel(NAG_SENT_AT, tick=False):
        for who, own in ((person, commitments), (other, [other_commitment])):
            reminder = Reminder.objects.create(
                organization=organization,
                meeting=meeting,
                touch=Touch.CHECK_IN,
                person=who,
                due_at=NAG_SENT_AT,
            )
            row = send_nag_email(person=who, items=[(reminder, own)], now=NAG_SENT_AT)
            # As the delivery worker leaves it: sent, with its Message-ID.
            OutboundEmail.objects.filter(pk=row.pk).update(
                status=OutboundEmail.Status.SENT,
                sent_at=NAG_SENT_AT,
                message_id=f"<nag.{row.pk}.{reminder.pk}@backbone.lakeshore.example.org>",
            )
            nags.append(NagMessage.objects.select_related("email").get(email=row))
    return ReplyWorld(
        scenario=scenario,
        organization=organization,
        initiative=initiative,
        table=table,
        person=person,
        other=other,
        colleague=colleague,
        cochair=cochair,
        commitments=commitments,
        other_commitment=other_commitment,
        nag=nags[0],
        other_nag=nags[1],
    )
