"""A small world for the partner-facing pages and the NAG email tests: the initiative "Lakeshore
Reads" (Chicago time) of the lakeshore organization (sender name "Lakeshore Reads Backbone"),
its workgroup "Early Learning" meeting on Tuesday March 10, 2026 at 12:00 in Chicago; Ana Diaz
(no login) made two commitments there and Ben Okafor one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.test import Client

from initiatives.models import Seat
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from tests.fixtures import Personas
from workplans.links import action_token, unsubscribe_token
from workplans.models import Commitment
from workplans.tests.factories import CommitmentFactory, MeetingFactory

MEETING_START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # 12:00 in Chicago (CDT)
SENDER = "Lakeshore Reads Backbone"


class PublicWorld:
    def __init__(self, personas: Personas, *, language: str = "en") -> None:
        org = personas.org
        org.sender_name = SENDER
        org.save()
        self.org = org
        self.initiative: Any = InitiativeFactory(
            organization=org, name="Lakeshore Reads", time_zone="America/Chicago"
        )
        self.table: Any = TableFactory(initiative=self.initiative, name="Early Learning")
        self.ana: Any = PersonFactory(
            organization=org,
            full_name="Ana Diaz",
            email="ana@partners.example.org",
            preferred_language=language,
        )
        self.ben: Any = PersonFactory(
            organization=org, full_name="Ben Okafor", email="ben@partners.example.org"
        )
        SeatFactory(table=self.table, person=self.ana, role=Seat.Role.MEMBER)
        SeatFactory(table=self.table, person=self.ben, role=Seat.Role.MEMBER)
        self.meeting: Any = MeetingFactory(
            table=self.table,
            starts_at=MEETING_START,
            ends_at=MEETING_START + timedelta(hours=1, minutes=30),
        )
        self.c1: Any = CommitmentFactory(
            meeting=self.meeting,
            person=self.ana,
            what="Book the library room for the family reading night",
            why="Families asked for an evening event",
            due_date=date(2026, 4, 7),
        )
        self.c2: Any = CommitmentFactory(
            meeting=self.meeting,
            person=self.ana,
            what="Share the tutoring sign-up sheet",
            due_date=date(2026, 4, 14),
        )
        self.b1: Any = CommitmentFactory(
            meeting=self.meeting,
            person=self.ben,
            what="Bring the attendance figures",
            due_date=date(2026, 4, 7),
        )

    def link(self, commitment: Commitment, action: str, person: Any = None) -> str:
        person = person or commitment.person
        token = action_token(person_id=person.pk, commitment_id=commitment.pk, action=action)
        return f"/r/{token}/"

    def unsubscribe(self, person: Any = None) -> str:
        person = person or self.ana
        return f"/u/{unsubscribe_token(person_id=person.pk, initiative_id=self.initiative.pk)}/"


def csrf_client() -> Client:
    """A browser-like client that enforces CSRF, as a real form post would meet it."""
    return Client(enforce_csrf_checks=True)


def require_compiled_spanish() -> None:
    """The Spanish tests read the compiled catalogue, which is build output (not committed)."""
    po = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    compiled = mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime
    assert compiled, (
        "The Spanish translations are not compiled, or older than locale/es/.../django.po: "
        "run `make install` (or `DEBUG=true .venv/bin/python manage.py compilemessages "
        "--ignore=.venv --ignore=var`)."
    )
