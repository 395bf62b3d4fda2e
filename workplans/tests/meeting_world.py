"""A small world for the meetings tests: an initiative in Chicago's time zone, its steering
committee and two workgroups, X and Y, with meetings scheduled through the services.

The co-chair persona co-chairs X; the partner persona sits at X only; Ana is a community
member at X; Omar sits nowhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from initiatives.models import Seat, Table
from initiatives.tests.factories import (
    GroundRuleFactory,
    InitiativeFactory,
    PersonFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from tests.fixtures import Personas
from workplans.models import Meeting
from workplans.services import meeting_schedule

CHICAGO = "America/Chicago"


def at(days: int, hour: int = 15) -> datetime:
    """A moment `days` from today at `hour`:00 UTC."""
    today = timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


class World:
    initiative: Any
    strategy: Any
    steering: Any
    x: Any
    y: Any
    cochair: Any
    partner: Any
    member: Any
    outsider_person: Any
    other: Any

    def __init__(self, personas: Personas) -> None:
        org = personas.org
        self.org = org
        self.initiative = InitiativeFactory(
            organization=org, name="Lakeshore Reads", time_zone=CHICAGO
        )
        self.strategy = StrategyFactory(
            result__initiative=self.initiative, organization=org, title="Summer reading"
        )
        GroundRuleFactory(initiative=self.initiative, text="We start and end on time.")
        GroundRuleFactory(initiative=self.initiative, text="We speak for ourselves.")
        self.steering = TableFactory(
            initiative=self.initiative, kind=Table.Kind.STEERING, name="Steering committee"
        )
        self.x = TableFactory(initiative=self.initiative, name="Early Learning")
        self.y = TableFactory(initiative=self.initiative, name="Attendance Works")
        self.cochair = PersonFactory(
            organization=org, full_name="Keisha Brown", user=personas.cochair
        )
        self.partner = PersonFactory(
            organization=org, full_name="Tran Nguyen", user=personas.partner
        )
        self.member = PersonFactory(
            organization=org, full_name="Ana Diaz", is_community_member=True
        )
        self.other = PersonFactory(organization=org, full_name="Omar Haddad")
        self.outsider_person = PersonFactory(
            organization=personas.other_org, full_name="Riverside Rita"
        )
        SeatFactory(table=self.x, person=self.cochair, role=Seat.Role.CO_CHAIR)
        SeatFactory(table=self.x, person=self.partner)
        SeatFactory(table=self.x, person=self.member)
        SeatFactory(table=self.y, person=self.member)

    def meeting(self, table: Any = None, days: int = 7, **kwargs: Any) -> Meeting:
        starts = at(days)
        return meeting_schedule(
            table=table or self.x,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            **kwargs,
        )
