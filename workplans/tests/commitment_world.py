"""A world for the commitment, meeting-mode and follow-through tests, built through the
services: an initiative in Chicago's time zone, the workgroup "Early Learning" (X) co-chaired by
the co-chair persona and "Attendance Works" (Y) where the co-chair persona does not sit, a
meeting of X two weeks ago (closed, with commitments) and today's meeting of X (scheduled).

People: Keisha (the co-chair persona's person) and Tran (the partner persona's person) sit at X;
Ana Diaz (no login) sits at X and Y; Omar Haddad (no login) sits nowhere."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from initiatives.models import Seat, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PersonFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from tests.fixtures import Personas
from workplans.models import Commitment, Meeting
from workplans.services import commitment_create, meeting_close, meeting_schedule

CHICAGO = "America/Chicago"


def at(days: int, hour: int = 15) -> datetime:
    """A moment `days` from now, at `hour`:00 UTC (09:00 or 10:00 in Chicago)."""
    return timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(
        days=days
    )


class World:
    # Commitments a test keeps at hand.
    c1: Any
    c2: Any
    c3: Any
    h: Any
    made: dict[str, Any]

    def __init__(self, personas: Personas) -> None:
        org = personas.org
        self.personas = personas
        self.org = org
        self.initiative: Any = InitiativeFactory(
            organization=org, name="Lakeshore Reads", time_zone=CHICAGO
        )
        self.strategy: Any = StrategyFactory(
            result__initiative=self.initiative, organization=org, title="Summer reading"
        )
        x: Any = TableFactory(initiative=self.initiative, name="Early Learning")
        x.strategies.set([self.strategy])  # the workgroup carries "Summer reading"
        self.x: Any = x
        self.y: Any = TableFactory(initiative=self.initiative, name="Attendance Works")
        self.steering: Any = TableFactory(
            initiative=self.initiative, kind=Table.Kind.STEERING, name="Steering committee"
        )
        self.keisha: Any = PersonFactory(
            organization=org, full_name="Keisha Brown", user=personas.cochair
        )
        self.tran: Any = PersonFactory(
            organization=org, full_name="Tran Nguyen", user=personas.partner
        )
        self.ana: Any = PersonFactory(organization=org, full_name="Ana Diaz")
        self.omar: Any = PersonFactory(organization=org, full_name="Omar Haddad")
        SeatFactory(table=self.x, person=self.keisha, role=Seat.Role.CO_CHAIR)
        SeatFactory(table=self.x, person=self.tran)
        SeatFactory(table=self.x, person=self.ana)
        SeatFactory(table=self.y, person=self.ana)
        self.previous = self.meeting(days=-14)
        self.today = self.meeting(days=0)

    def meeting(self, table: Any = None, days: int = 0, hour: int = 15) -> Meeting:
        starts = at(days, hour)
        return meeting_schedule(
            table=table or self.x, starts_at=starts, ends_at=starts + timedelta(hours=1, minutes=30)
        )

    def commit(
        self,
        person: Any,
        what: str,
        meeting: Meeting | None = None,
        due: date | None = None,
        **kwargs: Any,
    ) -> Commitment:
        meeting = meeting or self.previous
        return commitment_create(
            meeting=meeting,
            person=person,
            what=what,
            due_date=due or timezone.localdate(meeting.starts_at) + timedelta(days=7),
            **kwargs,
        )

    def close(self, meeting: Meeting) -> Meeting:
        return meeting_close(meeting=meeting)
