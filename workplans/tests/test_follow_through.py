"""Follow-through figures (workplans.selectors): exact values with time frozen, and a query
count that does not grow with the number of commitments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from tests.fixtures import Personas
from workplans.models import Channel, Commitment
from workplans.selectors import (
    PersonLoad,
    commitments_by_person,
    follow_through_by_meeting,
    follow_through_by_table,
)
from workplans.services import commitment_change
from workplans.tests.commitment_world import World

TODAY = date(2026, 3, 10)


def at(day: date, hour: int = 15, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def change(commitment: Commitment, when: datetime, status: str, note: str = "") -> None:
    with time_machine.travel(when, tick=False):
        commitment_change(commitment=commitment, channel=Channel.WEB, status=status, note=note)


@pytest.fixture
def world(personas: Personas) -> World:
    """X met on 15 February and on 1 March 2026 (15:00-16:30 UTC); it is now 10 March."""
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        w = World(personas)
    assert w.previous.starts_at == at(date(2026, 2, 15))
    assert w.today.ends_at == at(date(2026, 3, 1), 16, 30)
    made = {
        "a": (w.ana, date(2026, 2, 20)),
        "b": (w.tran, date(2026, 2, 20)),
        "c": (w.keisha, date(2026, 2, 22)),
        "d": (w.tran, date(2026, 2, 24)),
        "e": (w.ana, date(2026, 2, 26)),
        "f": (w.omar, date(2026, 2, 28)),
        "g": (w.tran, date(2026, 3, 20)),
    }
    w.made = {k: w.commit(person, k, due=due) for k, (person, due) in made.items()}
    change(w.made["a"], at(date(2026, 2, 18)), "done")  # on time
    change(w.made["b"], at(date(2026, 2, 25)), "done")  # 5 days late, before the next meeting
    change(w.made["c"], at(date(2026, 3, 1), 15, 30), "done")  # 7 late, reported at the review
    change(w.made["d"], at(date(2026, 3, 5)), "done")  # 9 late, after the next meeting
    change(w.made["f"], at(date(2026, 2, 27)), "dropped", "The grant did not come.")
    # e: still open, 12 days past its date; g: open, not due yet.
    w.h = w.commit(w.ana, "h", meeting=w.today, due=date(2026, 3, 8))  # open, 2 days late
    return w


def test_follow_through_of_each_meeting(world: World) -> None:
    with time_machine.travel(at(TODAY), tick=False):
        figures = follow_through_by_meeting(meetings=[world.previous, world.today])

    previous = figures[world.previous.pk]
    assert (previous.made, previous.dropped, previous.done_by_next_meeting) == (7, 1, 3)
    assert previous.share_done == 0.5  # a, b and c of the six not dropped
    assert previous.overdue == 1  # e
    assert sorted(previous.days_late) == [5, 7, 9, 12]
    assert previous.median_days_late == 8

    latest = figures[world.today.pk]  # no next meeting yet: done by now
    assert (latest.made, latest.done_by_next_meeting, latest.share_done) == (1, 0, 0.0)
    assert (latest.overdue, latest.median_days_late) == (1, 2)


def test_a_done_commitment_counts_until_the_next_meeting_ends(world: World) -> None:
    change(world.h, at(date(2026, 3, 9)), "done")
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        after = world.meeting(days=14)
    assert after.starts_at == at(date(2026, 3, 15))
    with time_machine.travel(at(TODAY), tick=False):
        figures = follow_through_by_meeting(meetings=[world.today])
    assert (figures[world.today.pk].done_by_next_meeting, figures[world.today.pk].share_done) == (
        1,
        1.0,
    )


def test_follow_through_of_each_workgroup(world: World) -> None:
    with time_machine.travel(at(TODAY), tick=False):
        figures = follow_through_by_table(tables=[world.x, world.y])

    x = figures[world.x.pk]
    assert (x.made, x.dropped, x.done_by_next_meeting, x.overdue) == (8, 1, 3, 2)
    assert x.share_done == 0.429
    assert x.median_days_late == 7
    y = figures[world.y.pk]
    assert (y.made, y.share_done, y.median_days_late) == (0, None, None)

    with time_machine.travel(at(TODAY), tick=False):
        since = follow_through_by_table(tables=[world.x], since=at(date(2026, 3, 1)))
    assert (since[world.x.pk].made, since[world.x.pk].overdue) == (1, 1)


def test_open_and_overdue_per_person(world: World, personas: Personas) -> None:
    assert commitments_by_person(organization=world.org, today=TODAY) == {
        world.ana.pk: PersonLoad(open=2, overdue=2),
        world.tran.pk: PersonLoad(open=1, overdue=0),
    }
    assert commitments_by_person(organization=personas.other_org, today=TODAY) == {}


@pytest.mark.parametrize("count", [5, 50])
def test_figures_take_the_same_queries_whatever_the_number_of_commitments(
    count: int, personas: Personas, django_assert_num_queries: Any
) -> None:
    world = World(personas)
    people = [world.ana, world.tran, world.keisha, world.omar]
    for i in range(count):
        world.commit(people[i % 4], f"Previous {i}")
        world.commit(people[i % 4], f"Today {i}", meeting=world.today)

    with django_assert_num_queries(2):
        by_meeting = follow_through_by_meeting(meetings=[world.previous, world.today])
    with django_assert_num_queries(4):
        by_table = follow_through_by_table(tables=[world.x, world.y])
    with django_assert_num_queries(1):
        by_person = commitments_by_person(organization=world.org)

    assert by_meeting[world.previous.pk].made == count
    assert by_table[world.x.pk].made == 2 * count
    assert sum(load.open for load in by_person.values()) == 2 * count
