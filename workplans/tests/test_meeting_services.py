"""Meeting services the meeting pages rely on: agenda moves, the agenda kept once the meeting
is over, edits of a held meeting, and attendance figures per table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.fixtures import Personas
from workplans.models import AgendaItem, Meeting
from workplans.selectors import AttendanceFigures, attendance_by_table
from workplans.services import (
    agenda_item_add,
    agenda_item_delete,
    agenda_item_move,
    agenda_item_update,
    attendance_record,
    meeting_cancel,
    meeting_close,
    meeting_update,
)
from workplans.tests.meeting_world import World, at


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def kinds(meeting: Meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position", "id").values_list("kind", flat=True))


def test_agenda_item_moves_one_place_and_stays_at_the_ends(world: World) -> None:
    meeting = world.meeting()
    items = list(meeting.agenda_items.order_by("position"))

    agenda_item_move(item=items[2], direction="up")
    assert kinds(meeting)[:3] == ["check_in", "commitment_review", "ground_rules"]
    agenda_item_move(item=items[0], direction="up")
    assert kinds(meeting)[0] == "check_in"
    agenda_item_move(item=items[7], direction="down")
    assert kinds(meeting)[-1] == "wins"
    assert list(meeting.agenda_items.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]


def test_agenda_move_refuses_an_unknown_direction(world: World) -> None:
    meeting = world.meeting()
    item = meeting.agenda_items.order_by("position").first()
    assert item is not None
    with pytest.raises(ValidationError):
        agenda_item_move(item=item, direction="sideways")
    assert kinds(meeting)[0] == "check_in"


@pytest.mark.parametrize("end", [meeting_close, meeting_cancel])
def test_the_agenda_of_a_held_or_cancelled_meeting_is_kept(world: World, end: Any) -> None:
    meeting = world.meeting()
    item = meeting.agenda_items.order_by("position").first()
    assert item is not None
    end(meeting=meeting)
    item.refresh_from_db()
    item.meeting.refresh_from_db()
    before = list(AgendaItem.objects.order_by("pk").values())

    for attempt in (
        lambda: agenda_item_add(meeting=item.meeting, title="Late addition"),
        lambda: agenda_item_update(item=item, title="Renamed"),
        lambda: agenda_item_delete(item=item),
        lambda: agenda_item_move(item=item, direction="down"),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "its agenda is kept as it was" in refused.value.messages[0]
    assert list(AgendaItem.objects.order_by("pk").values()) == before


def test_a_closed_meeting_keeps_its_time_but_takes_notes_and_wins(world: World) -> None:
    meeting = world.meeting()
    starts = meeting.starts_at
    meeting = meeting_close(meeting=meeting)

    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=meeting, starts_at=starts + timedelta(days=1))
    assert refused.value.messages == [
        "This meeting is closed; its time, place and invitees stay as they were."
    ]
    with pytest.raises(ValidationError):
        meeting_update(meeting=meeting, invitees=[world.other])

    meeting_update(meeting=meeting, notes="Good turnout.", wins="Library cards for 40 kids.")
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.notes, meeting.wins) == (
        starts,
        "Good turnout.",
        "Library cards for 40 kids.",
    )
    assert set(meeting.invitees.all()) == {world.cochair, world.partner, world.member}


def test_meeting_update_sets_invitees_with_the_fields(world: World) -> None:
    meeting = world.meeting()
    meeting_update(meeting=meeting, title="June", invitees=[world.cochair, world.other])
    meeting.refresh_from_db()
    assert meeting.title == "June"
    assert set(meeting.invitees.all()) == {world.cochair, world.other}


def test_attendance_by_table_counts_held_meetings_and_rates(world: World) -> None:
    first = world.meeting(days=-20)
    attendance_record(meeting=first, present=[world.cochair, world.member])
    second = world.meeting(days=-10)
    attendance_record(meeting=second, present=[world.cochair])
    world.meeting(days=-5)  # held, attendance not recorded
    cancelled = world.meeting(days=-3)
    meeting_cancel(meeting=cancelled)
    world.meeting(days=4)  # not held yet
    world.meeting(days=-400)  # too long ago

    figures = attendance_by_table(tables=[world.x, world.y], since=at(-365))

    assert figures[world.x.pk] == AttendanceFigures(
        held=3,
        recorded=2,
        invited=6,
        present=3,
        community_invited=2,
        community_present=1,
    )
    assert (figures[world.x.pk].rate, figures[world.x.pk].community_rate) == (50, 50)
    assert figures[world.y.pk] == AttendanceFigures()
    assert (figures[world.y.pk].rate, figures[world.y.pk].community_rate) == (None, None)


def test_attendance_by_table_is_one_query(world: World, django_assert_num_queries: Any) -> None:
    for days in (-30, -20, -10):
        attendance_record(meeting=world.meeting(days=days), present=[world.cochair])
    with django_assert_num_queries(1):
        attendance_by_table(tables=[world.x, world.y, world.steering], since=at(-365))
