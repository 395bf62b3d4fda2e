"""A small initiative for the board packet's tests: two results (one indicator with data and
turn-the-curve notes, one without data), two workgroups (one busy, one quiet), and a steering
committee whose members differ in what the email must do with them (English, Spanish, no
address, archived, undeliverable), with a meeting three days ahead.

Time is frozen at NOW by the tests that use it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from initiatives.models import Initiative, Person, Result, Seat, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    ResultFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from metrics.models import Indicator, TurnTheCurve
from metrics.tests.factories import DataPointFactory, IndicatorFactory
from tests.fixtures import Personas
from workplans.models import Channel, Commitment, HelpRequest, KeyAction, Meeting
from workplans.tests.factories import (
    CommitmentFactory,
    KeyActionFactory,
    MeetingFactory,
    WorkplanFactory,
)

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NORTH_STAR = "By 2030, 80% of Lakeshore third graders read at grade level."


@dataclass
class PacketWorld:
    initiative: Initiative
    results: list[Result]
    indicator: Indicator
    workgroups: list[Table]
    steering: Table
    meeting: Meeting
    # Steering committee members who get the packet, by first name.
    members: dict[str, Person]
    # Seated at the steering table but never emailed.
    not_emailed: dict[str, Person]
    workgroup_member: Person
    texts: dict[str, str] = field(default_factory=dict)


def packet_world(personas: Personas) -> PacketWorld:
    org = personas.org
    initiative: Any = InitiativeFactory(
        organization=org, name="Lakeshore Reads", north_star=NORTH_STAR, time_zone="UTC"
    )
    ready: Any = ResultFactory(
        initiative=initiative, statement="Children enter kindergarten ready to learn."
    )
    reading: Any = ResultFactory(
        initiative=initiative, statement="Children read at grade level by third grade."
    )
    indicator: Any = IndicatorFactory(
        result=ready,
        name="Kindergartners ready to learn",
        baseline_value=Decimal("40"),
        baseline_period="2020",
        target_value=Decimal("65"),
        target_period="2030",
    )
    for year, value in ((2020, "40"), (2021, "42"), (2022, "41"), (2023, "45"), (2024, "47")):
        DataPointFactory(indicator=indicator, period=str(year), value=Decimal(value))
    IndicatorFactory(result=reading, name="Third graders reading at grade level")
    note = TurnTheCurve.objects.create(
        organization=org,
        indicator=indicator,
        story="Readiness rose with the new pre-K seats.",
        what_works="Screening every child at well-child visits.",
        action_plan="Add 600 pre-K seats in Northside.",
    )
    partner: Any = PartnerOrganizationFactory(organization=org, name="Centro Hispano")
    note.partners.add(partner)

    strategy: Any = StrategyFactory(result=ready, title="Expand pre-K")
    early: Any = TableFactory(initiative=initiative, name="Early Learning")
    family: Any = TableFactory(initiative=initiative, name="Family Voice")
    chair: Any = SeatFactory(table=early, role=Seat.Role.CO_CHAIR, person__full_name="Keisha Brown")
    workplan: Any = WorkplanFactory(table=early, year=2026)
    WorkplanFactory(table=family, year=2026)
    for description, status, percent, due in (
        ("Map pre-K seats against births", KeyAction.Status.OFF_TRACK, 10, date(2026, 2, 1)),
        ("Recruit 60 volunteer tutors", KeyAction.Status.ON_TRACK, 50, date(2026, 6, 30)),
        ("Publish the family guide", KeyAction.Status.DONE, 100, date(2026, 1, 15)),
    ):
        KeyActionFactory(
            workplan=workplan,
            strategy=strategy,
            description=description,
            status=status,
            percent_complete=percent,
            due_date=due,
            lead=chair.person,
        )
    closed: Any = MeetingFactory(
        table=early, starts_at=NOW - timedelta(days=20), status=Meeting.Status.CLOSED
    )
    overdue: Any = CommitmentFactory(
        meeting=closed, what="Call the principal at Eastgate", due_date=date(2026, 3, 1)
    )
    CommitmentFactory(
        meeting=closed,
        what="Send the draft letter",
        due_date=date(2026, 3, 20),
        status=Commitment.Status.BLOCKED,
    )
    CommitmentFactory(
        meeting=closed,
        what="Translate the flyer (done)",
        due_date=date(2026, 3, 2),
        status=Commitment.Status.DONE,
    )
    HelpRequest.objects.create(
        organization=org,
        initiative=initiative,
        table=early,
        commitment=overdue,
        person=overdue.person,
        kind=HelpRequest.Kind.NEED_HELP,
        text="We need a contact at the district office.",
        channel=Channel.EMAIL_REPLY,
    )

    steering: Any = TableFactory(
        initiative=initiative, name="Steering Committee", kind=Table.Kind.STEERING
    )
    members: dict[str, Any] = {
        "Ana": PersonFactory(organization=org, full_name="Ana Ortiz", email="ana@example.org"),
        "Beto": PersonFactory(
            organization=org,
            full_name="Beto Ruiz",
            email="beto@example.org",
            preferred_language="es",
        ),
    }
    not_emailed: dict[str, Any] = {
        "Cara": PersonFactory(organization=org, full_name="Cara No-Email", email=""),
        "Dan": PersonFactory(
            organization=org, full_name="Dan Archived", email="dan@example.org", archived_at=NOW
        ),
        "Eve": PersonFactory(
            organization=org,
            full_name="Eve Bounced",
            email="eve@example.org",
            undeliverable_at=NOW,
        ),
    }
    for person in [*members.values(), *not_emailed.values()]:
        SeatFactory(table=steering, person=person)
    workgroup_member: Any = PersonFactory(
        organization=org, full_name="Fay Workgroup", email="fay@example.org"
    )
    SeatFactory(table=early, person=workgroup_member)
    meeting: Any = MeetingFactory(
        table=steering,
        title="Spring steering meeting",
        starts_at=NOW + timedelta(days=3),
        location="Central Library",
    )
    return PacketWorld(
        initiative=initiative,
        results=[ready, reading],
        indicator=indicator,
        workgroups=[early, family],
        steering=steering,
        meeting=meeting,
        members=members,
        not_emailed=not_emailed,
        workgroup_member=workgroup_member,
        texts={
            "story": "Readiness rose with the new pre-K seats.",
            "partner": "Centro Hispano",
            "commitment": "Call the principal at Eastgate",
            "help": "We need a contact at the district office.",
            "key_action": "Map pre-K seats against births",
        },
    )


def poppler(tool: str) -> str:
    """The path of one of poppler's tools (Debian's poppler-utils)."""
    path = shutil.which(tool)
    assert path is not None, f"{tool} is not installed (apt-get install poppler-utils)"
    return path


def pdf_of(packet: Any) -> bytes:
    assert packet.pdf is not None
    return bytes(packet.pdf)


def pdf_pages(data: bytes) -> list[str]:
    """The PDF's text, page by page (poppler's pdftotext)."""
    text = subprocess.run(  # noqa: S603 - poppler on our own PDF
        [poppler("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squeeze(text: str) -> str:
    """Whitespace folded, so that a phrase broken across lines or columns is found whole."""
    return " ".join(text.split())
