"""The home of steering committee members and co-chairs.

A steering committee member reads each initiative rolled up (key actions, commitments, the first
indicators, the latest board packet, the next steering meeting they sit at); a co-chair gets the
tables they lead, next meeting first, with their figures and links to run the meeting, and the
help asked for at those tables. A steering member who also co-chairs a workgroup gets both.
Neither sees the staff's figures; staff and partners keep their own homes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dashboard.models import BoardPacket
from initiatives.models import Seat
from initiatives.tests.factories import (
    InitiativeFactory,
    PersonFactory,
    ResultFactory,
    SeatFactory,
    TableFactory,
)
from metrics.models import Direction
from metrics.tests.factories import DataPointFactory, IndicatorFactory
from workplans.help_requests import help_request_assign, help_request_open
from workplans.models import Channel, HelpRequest, KeyAction, Meeting
from workplans.tests.commitment_world import World
from workplans.tests.factories import KeyActionFactory, WorkplanFactory

STAFF_FIGURES = ("Pending invitations", "Emails sent", "Backbone staff</h2>", "Members</h2>")


def _html(response: Any) -> str:
    assert response.status_code == 200
    return str(response.content.decode())


def _ahead(*meetings: Meeting) -> Meeting:
    """The first of these meetings still ahead (today's meeting may be over already)."""
    return next(m for m in meetings if m.starts_at >= timezone.now())


def _ask_help(world: World, commitment: Any, person: Any) -> HelpRequest:
    return help_request_open(
        commitment=commitment,
        person=person,
        kind=HelpRequest.Kind.NEED_HELP,
        text="",
        channel=Channel.WEB,
    )


# --- Co-chair -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cochair_home_leads_with_their_table_its_next_meeting_and_figures(
    login: Any, personas: Any
) -> None:
    world = World(personas)
    today = timezone.localdate()
    late = world.commit(world.tran, "Share attendance numbers", due=today - timedelta(days=3))
    world.commit(world.tran, "Ask the foundation about books", due=today + timedelta(days=9))
    stuck = world.commit(world.ana, "Find a room for the reading fair", due=today)
    asked = _ask_help(world, stuck, world.ana)
    help_request_assign(help_request=asked, user=personas.staff)
    mine = world.commit(world.keisha, "Draft the family survey", due=today + timedelta(days=2))
    # Another table's work: not the co-chair's to see here.
    elsewhere = world.commit(
        world.ana, "Call every school principal", meeting=world.meeting(table=world.y, days=-3)
    )
    _ask_help(world, elsewhere, world.ana)
    world.meeting(table=world.y, days=1)
    soon = world.meeting(days=3)
    world.meeting(days=10)
    expected = _ahead(world.today, soon)

    response = login(personas.cochair).get("/o/lakeshore/")

    html = _html(response)
    [led] = response.context["led"]
    assert (led.table.pk, led.next_meeting.pk) == (world.x.pk, expected.pk)
    assert (led.open, led.overdue, led.open_help) == (4, 1, 1)
    assert [h.pk for h in response.context["help_requests"]] == [asked.pk]
    assert [c.pk for c in response.context["commitments"]] == [mine.pk]
    assert "Your role: Workgroup co-chair" in html
    assert "Tables you lead" in html
    assert f'href="/o/lakeshore/meetings/{expected.pk}/mode/"' in html
    assert f'href="/o/lakeshore/meetings/{expected.pk}/#agenda"' in html
    overdue_url = (
        f"/o/lakeshore/initiatives/{world.initiative.pk}/dashboard/workgroups/{world.x.pk}/overdue/"
    )
    assert f'href="{overdue_url}">1</a>' in html
    assert "of 4 still to do" in html
    assert f"{personas.staff.display_name} is taking this on" in html
    assert "Find a room for the reading fair" in html
    assert "Draft the family survey" in html
    assert late.what not in html  # someone else's commitment: counted, not listed
    assert "Attendance Works" not in html
    assert "Call every school principal" not in html
    for figure in STAFF_FIGURES:
        assert figure not in html
    assert "How Lakeshore Reads is doing" not in html  # the steering roll-up is not theirs


@pytest.mark.django_db
def test_cochair_tables_come_soonest_meeting_first(login: Any, personas: Any) -> None:
    world = World(personas)
    later = TableFactory(initiative=world.initiative, name="Attendance Leaders")
    idle: Any = TableFactory(initiative=world.initiative, name="Book Drive")
    sooner = TableFactory(initiative=world.initiative, name="Zoo Readers")
    for table in (later, idle, sooner):
        SeatFactory(table=table, person=world.keisha, role=Seat.Role.CO_CHAIR)
    world.meeting(table=later, days=20)
    world.meeting(table=sooner, days=2)
    # Early Learning's next is in five days: today's meeting is called off.
    Meeting.objects.filter(pk=world.today.pk).update(status=Meeting.Status.CANCELLED)
    world.meeting(days=5)

    response = login(personas.cochair).get("/o/lakeshore/")

    html = _html(response)
    names = [t.table.name for t in response.context["led"]]
    assert names == ["Zoo Readers", "Early Learning", "Attendance Leaders", "Book Drive"]
    assert "No meeting of this table is scheduled yet." in html
    assert f'href="/o/lakeshore/tables/{idle.pk}/meetings/new/"' in html


@pytest.mark.django_db
def test_cochair_home_without_a_table_or_a_linked_person_says_what_to_do(
    login: Any, personas: Any
) -> None:
    response = login(personas.cochair).get("/o/lakeshore/")

    html = _html(response)
    assert response.context["led"] == []
    assert response.context["help_requests"] == []
    assert "Your login is not linked to a person of this organization yet" in html
    assert "You do not lead a table yet." in html
    assert "Nobody at your tables is waiting for help." in html
    for figure in STAFF_FIGURES:
        assert figure not in html


@pytest.mark.django_db
def test_cochair_home_with_nothing_open_thanks_them(login: Any, personas: Any) -> None:
    World(personas)

    response = login(personas.cochair).get("/o/lakeshore/")

    html = _html(response)
    assert "Nothing open: every commitment you made is done or settled. Thank you." in html
    assert "Your login is not linked" not in html
    assert "of 0 still to do" in html


COCHAIR_HOME_QUERIES = 11


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 4])
def test_cochair_home_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    world = World(personas)
    for n in range(rows):
        table = TableFactory(initiative=world.initiative, name=f"Workgroup {n}")
        SeatFactory(table=table, person=world.keisha, role=Seat.Role.CO_CHAIR)
        meeting = world.meeting(table=table, days=-2)
        world.meeting(table=table, days=n + 1)
        stuck = world.commit(world.ana, f"Commitment {n}", meeting=meeting)
        _ask_help(world, stuck, world.ana)
        world.commit(world.keisha, f"Mine {n}", meeting=meeting)
    client = login(personas.cochair)
    assert client.get("/o/lakeshore/").status_code == 200  # the session records the last org

    with django_assert_num_queries(COCHAIR_HOME_QUERIES):
        response = client.get("/o/lakeshore/")

    assert len(response.context["led"]) == rows + 1
    assert len(response.context["help_requests"]) == rows


# --- Steering committee member --------------------------------------------------------------


def _steering_world(personas: Any, *, role: str = Seat.Role.MEMBER) -> tuple[World, Any]:
    """World, with the steering persona seated at the steering committee and the initiative
    carrying this year's workplan, an improving indicator and a steering meeting ahead."""
    world = World(personas)
    james = PersonFactory(
        organization=personas.org, full_name="James Whitfield", user=personas.steering
    )
    SeatFactory(table=world.steering, person=james, role=role)
    today = timezone.localdate()
    plan = WorkplanFactory(table=world.x, year=today.year)
    KeyActionFactory(workplan=plan, status=KeyAction.Status.DONE)
    KeyActionFactory(workplan=plan, status=KeyAction.Status.ON_TRACK)
    KeyActionFactory(
        workplan=plan, status=KeyAction.Status.AT_RISK, due_date=today - timedelta(days=5)
    )
    result = ResultFactory(initiative=world.initiative, organization=personas.org)
    reading = IndicatorFactory(
        result=result, name="Third graders reading at grade level", direction=Direction.HIGHER
    )
    DataPointFactory(indicator=reading, period="2023", value=Decimal("40"))
    DataPointFactory(indicator=reading, period="2024", value=Decimal("46"))
    return world, james


@pytest.mark.django_db
def test_steering_home_rolls_each_initiative_up(login: Any, personas: Any) -> None:
    world, _james = _steering_world(personas)
    today = timezone.localdate()
    world.commit(world.tran, "Share attendance numbers", due=today - timedelta(days=3))
    world.commit(world.ana, "Print the reading logs", due=today + timedelta(days=4))
    board = world.meeting(table=world.steering, days=6)
    packet = BoardPacket.objects.create(
        organization=personas.org,
        initiative=world.initiative,
        meeting=board,
        status=BoardPacket.Status.READY,
        pdf=b"%PDF-1.4",
        size=8,
        page_count=7,
        finished_at=timezone.now(),
    )
    BoardPacket.objects.create(
        organization=personas.org, initiative=world.initiative, status=BoardPacket.Status.FAILED
    )
    InitiativeFactory(organization=personas.other_org, name="Riverside Breathes")

    response = login(personas.steering).get("/o/lakeshore/")

    html = _html(response)
    [(rollup, meeting)] = response.context["rollups"]
    assert rollup.initiative.pk == world.initiative.pk
    counts = rollup.key_actions
    assert (counts.done, counts.on_track, counts.at_risk, counts.overdue) == (1, 1, 1, 1)
    assert (rollup.open_commitments, rollup.overdue_commitments) == (2, 1)
    assert [row.indicator.name for row in rollup.indicators] == [
        "Third graders reading at grade level"
    ]
    assert rollup.packet.pk == packet.pk
    assert meeting.pk == board.pk
    assert "How Lakeshore Reads is doing" in html
    assert "1 of 3 key actions done" in html
    assert "of 2 still to do" in html
    assert "Getting better" in html
    assert "46" in html
    assert f'href="/o/lakeshore/initiatives/{world.initiative.pk}/dashboard/"' in html
    assert f'href="/o/lakeshore/packets/{packet.pk}/download/"' in html
    assert "7 pages" in html
    assert f'href="/o/lakeshore/meetings/{board.pk}/"' in html
    assert f"/meetings/{board.pk}/mode/" not in html  # a member, not the chair
    assert "Tables you lead" not in html
    assert "What you said you would do" not in html  # no commitment of theirs
    assert "Riverside Breathes" not in html
    for figure in STAFF_FIGURES:
        assert figure not in html


@pytest.mark.django_db
def test_steering_chair_who_cochairs_a_workgroup_sees_both(login: Any, personas: Any) -> None:
    world, james = _steering_world(personas, role=Seat.Role.CHAIR)
    SeatFactory(table=world.y, person=james, role=Seat.Role.CO_CHAIR)
    board = world.meeting(table=world.steering, days=6)
    y_meeting = world.meeting(table=world.y, days=2)
    mine = world.commit(james, "Brief the county board", meeting=world.previous)

    response = login(personas.steering).get("/o/lakeshore/")

    html = _html(response)
    assert [t.table.pk for t in response.context["led"]] == [world.y.pk]
    assert [c.pk for c in response.context["commitments"]] == [mine.pk]
    assert "How Lakeshore Reads is doing" in html
    assert "Tables you lead" in html
    assert f'href="/o/lakeshore/meetings/{y_meeting.pk}/mode/"' in html
    assert f'href="/o/lakeshore/meetings/{board.pk}/mode/"' in html  # they chair it
    assert html.count(f"/meetings/{board.pk}/mode/") == 1  # not listed again as a table
    assert "Brief the county board" in html
    assert html.index("How Lakeshore Reads is doing") < html.index("Tables you lead")


@pytest.mark.django_db
def test_steering_home_empty_states_say_what_comes_next(login: Any, personas: Any) -> None:
    response = login(personas.steering).get("/o/lakeshore/")

    assert response.context["rollups"] == []
    assert "No initiative is active yet." in _html(response)

    InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    response = login(personas.steering).get("/o/lakeshore/")

    html = _html(response)
    year = timezone.localdate().year
    assert f"No key actions in the workgroups' {year} workplans yet." in html
    assert "No indicators yet" in html
    assert "No steering committee meeting is scheduled yet." in html
    assert "No board packet yet." in html
    assert "Tables you lead" not in html
    for figure in STAFF_FIGURES:
        assert figure not in html


@pytest.mark.django_db
def test_steering_member_not_at_the_table_is_told_so(login: Any, personas: Any) -> None:
    world = World(personas)
    board = world.meeting(table=world.steering, days=6)

    html = _html(login(personas.steering).get("/o/lakeshore/"))

    assert "You do not sit at the steering committee's meetings." in html
    assert f"/meetings/{board.pk}/" not in html


STEERING_HOME_QUERIES = 29


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 4])
def test_steering_home_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    world, james = _steering_world(personas)
    for n in range(rows):
        table = TableFactory(initiative=world.initiative, name=f"Workgroup {n}")
        meeting = world.meeting(table=table, days=-2)
        world.meeting(table=table, days=n + 1)
        world.commit(world.ana, f"Commitment {n}", meeting=meeting)
        world.commit(james, f"Mine {n}", meeting=meeting)
        KeyActionFactory(workplan=WorkplanFactory(table=table, year=timezone.localdate().year))
        world.meeting(table=world.steering, days=n + 3)
    client = login(personas.steering)
    assert client.get("/o/lakeshore/").status_code == 200  # the session records the last org

    with django_assert_num_queries(STEERING_HOME_QUERIES):
        response = client.get("/o/lakeshore/")

    [(rollup, _meeting)] = response.context["rollups"]
    assert rollup.workgroups == rows + 2
    assert len(response.context["commitments"]) == rows


# --- Staff and partners keep theirs ---------------------------------------------------------


@pytest.mark.django_db
def test_staff_home_keeps_the_organization_figures(login: Any, personas: Any) -> None:
    World(personas)

    response = login(personas.staff).get("/o/lakeshore/")

    html = _html(response)
    assert response.context["overview"].member_count == 4
    assert "leader_home" not in response.context
    assert "Pending invitations" in html
    assert "Tables you lead" not in html


@pytest.mark.django_db
def test_partner_seated_as_cochair_keeps_the_partner_home(login: Any, personas: Any) -> None:
    world = World(personas)
    Seat.objects.filter(table=world.x, person=world.tran).update(role=Seat.Role.CO_CHAIR)

    response = login(personas.partner).get("/o/lakeshore/")

    html = _html(response)
    assert response.context["partner_home"] is True
    assert "leader_home" not in response.context
    assert "Tables you lead" not in html
