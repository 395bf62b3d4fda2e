"""A world for the calendar feed tests, on 15 October 2026 (before both autumn clock changes:
London's on 25 October, Chicago's on 1 November).

On top of the meetings world (the Chicago initiative with workgroups X and Y; Ana, a partner
without a login, sits at X and Y; Tran, the partner persona, at X), a London initiative whose
workgroup L Ana sits at too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse

from initiatives.tests.factories import InitiativeFactory, SeatFactory, TableFactory
from tests.fixtures import Personas
from workplans.models import Commitment, Meeting
from workplans.services import meeting_schedule
from workplans.tests.factories import CommitmentFactory
from workplans.tests.meeting_world import World

TODAY = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
LONDON = "Europe/London"
SITE = "https://backbone.example.org"


class CalendarWorld(World):
    london: Any
    l_table: Any

    def __init__(self, personas: Personas) -> None:
        super().__init__(personas)
        self.personas = personas
        self.london = InitiativeFactory(
            organization=personas.org, name="London Reads", time_zone=LONDON
        )
        self.l_table = TableFactory(initiative=self.london, name="Libraries")
        SeatFactory(table=self.l_table, person=self.member)

    def schedule(self, table: Any, starts: datetime, minutes: int = 90, **kwargs: Any) -> Meeting:
        return meeting_schedule(
            table=table, starts_at=starts, ends_at=starts + timedelta(minutes=minutes), **kwargs
        )

    def commitment(
        self, meeting: Meeting, person: Any, what: str, due: date, **kwargs: Any
    ) -> Commitment:
        made: Any = CommitmentFactory(
            meeting=meeting, person=person, what=what, due_date=due, **kwargs
        )
        return made


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def feed_path(token: str) -> str:
    return reverse("calendar_feed", kwargs={"token": token})


def fetch(client: Client, url: str) -> Any:
    """GET a feed by its full address (the site's host is stripped for the test client)."""
    return client.get(url.removeprefix(SITE))
