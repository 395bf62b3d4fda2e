"""Due NAG reminders, built directly as rows, for the exactly-once tests: one closed meeting of
one workgroup, `count` people who each made one open commitment there, and for each person a
recap and a check-in due at the same moment (so every person's email is a two-section digest,
and "one email per person" is tested along with "each reminder once")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from backbone.models import OutboundEmail
from initiatives.models import Person
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from workplans.models import Meeting, NagMessage, Reminder, Touch
from workplans.tests.factories import CommitmentFactory, MeetingFactory


@dataclass
class DueWorld:
    meeting: Meeting
    people: list[Person]
    due_at: datetime

    @property
    def addresses(self) -> list[str]:
        return sorted(p.email for p in self.people)


def due_world(organization: Any, *, count: int, due_at: datetime) -> DueWorld:
    initiative = InitiativeFactory(
        organization=organization, name="Lakeshore Reads", time_zone="America/Chicago"
    )
    table = TableFactory(initiative=initiative, name="Early Learning")
    starts = due_at - timedelta(days=1)
    meeting: Any = MeetingFactory(
        table=table,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        status=Meeting.Status.CLOSED,
        closed_at=starts + timedelta(hours=1),
    )
    people: list[Person] = []
    for n in range(count):
        person: Any = PersonFactory(
            organization=organization,
            full_name=f"Partner {n:02}",
            email=f"partner{n:02}@partners.example.org",
        )
        SeatFactory(table=table, person=person)
        CommitmentFactory(
            meeting=meeting,
            person=person,
            what=f"Task of partner {n:02}",
            due_date=date(2099, 1, 1),
        )
        people.append(person)
    Reminder.objects.bulk_create(
        Reminder(
            organization=organization, meeting=meeting, touch=touch, person=person, due_at=due_at
        )
        for person in people
        for touch in (Touch.RECAP, Touch.CHECK_IN)
    )
    return DueWorld(meeting=meeting, people=people, due_at=due_at)


def nag_emails() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind__startswith="nag_").order_by("pk"))


def assert_each_reminder_sent_once(world: DueWorld) -> None:
    """Every reminder sent, each person exactly one email listing both of their touches."""
    emails = nag_emails()
    assert sorted(e.to[0] for e in emails) == world.addresses
    assert [len(e.to) for e in emails] == [1] * len(world.people)
    assert {e.kind for e in emails} == {"nag_digest"}
    reminders = list(Reminder.objects.filter(meeting=world.meeting).select_related("person"))
    assert len(reminders) == 2 * len(world.people)
    assert {r.status for r in reminders} == {Reminder.Status.SENT}
    by_email = {e.pk: e for e in emails}
    for r in reminders:
        assert r.email_id is not None
        assert by_email[r.email_id].to == [r.person.email]
    assert NagMessage.objects.count() == len(world.people)
