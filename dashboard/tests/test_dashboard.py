"""The dashboard's figures on a hand-built initiative, its filters, and a query count that does
not grow with the data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from backbone.models import OutboundEmail
from dashboard.selectors import dashboard_data, follow_through_commitments
from initiatives.models import Initiative, Language, Sector, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    ResultFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from metrics.models import Direction, PeriodKind
from metrics.tests.factories import DataPointFactory, IndicatorFactory
from tests.fixtures import Personas
from workplans.models import (
    Channel,
    Commitment,
    HelpRequest,
    InboundEmail,
    KeyAction,
    Meeting,
    NagMessage,
    Reminder,
    Touch,
)
from workplans.tests.factories import (
    CommitmentFactory,
    KeyActionFactory,
    MeetingFactory,
    WorkplanFactory,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def at(day: str, hour: int = 17, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


@dataclass
class World:
    initiative: Initiative
    steering: Table
    wa: Table  # the busy workgroup
    wb: Table  # a new workgroup: no meetings yet
    objects: dict[str, Any]


def _meeting(table: Table, day: str, *, closed: bool = True, wins: str = "") -> Meeting:
    starts = at(day)
    made: Any = MeetingFactory(
        table=table,
        starts_at=starts,
        status=Meeting.Status.CLOSED if closed else Meeting.Status.SCHEDULED,
        closed_at=starts + timedelta(hours=2) if closed else None,
        wins=wins,
    )
    return made


def _commitment(meeting: Meeting, status: str, *, due: str, done: datetime | None = None) -> Any:
    return CommitmentFactory(
        meeting=meeting,
        status=status,
        due_date=date.fromisoformat(due),
        completed_at=done,
    )


def _nag(world_org: Any, meeting: Meeting, sent: datetime, reply: str | None) -> None:
    person: Any = PersonFactory(organization=world_org)
    email = OutboundEmail.objects.create(
        organization=world_org,
        kind="nag_recap",
        from_email="r@example.org",
        to=["p@example.org"],
        subject="Your commitments",
        body_text="…",
        status=OutboundEmail.Status.SENT,
    )
    nag = NagMessage.objects.create(
        organization=world_org, email=email, person=person, token=f"t{email.pk}"
    )
    Reminder.objects.create(
        organization=world_org,
        meeting=meeting,
        touch=Touch.RECAP,
        person=person,
        due_at=sent,
        status=Reminder.Status.SENT,
        sent_at=sent,
        email=email,
    )
    if reply is not None:
        InboundEmail.objects.create(
            organization=world_org,
            message_key=f"<reply-{email.pk}@example.org>",
            source=InboundEmail.Source.PIPE,
            raw=b"1 done",
            nag_message=nag,
            status=reply,
        )


def build_world(org: Any) -> World:
    """The hand-built initiative; see the expected numbers in the tests below."""
    initiative: Any = InitiativeFactory(organization=org, name="Reads", time_zone="UTC")
    r1: Any = ResultFactory(initiative=initiative, statement="Children read well.")
    r2: Any = ResultFactory(initiative=initiative, statement="Children attend school.")
    s1: Any = StrategyFactory(result=r1, title="Tutoring")
    s2: Any = StrategyFactory(result=r1, title="Books at home")
    s3: Any = StrategyFactory(result=r2, title="Safe routes")
    steering: Any = TableFactory(initiative=initiative, kind=Table.Kind.STEERING, name="Steering")
    wa: Any = TableFactory(initiative=initiative, name="Alpha group")
    wb: Any = TableFactory(initiative=initiative, name="Beta group")
    wa.strategies.add(s1)
    wb.strategies.add(s2)

    indicator: Any = IndicatorFactory(
        result=r1,
        name="Third graders reading",
        direction=Direction.HIGHER,
        baseline_value=Decimal(40),
        baseline_period="2020",
        target_value=Decimal(60),
        target_period="2030",
    )
    for year, value in (("2022", 42), ("2023", 45), ("2024", 50)):
        DataPointFactory(
            indicator=indicator, period=year, period_kind=PeriodKind.YEAR, value=Decimal(value)
        )

    # Steering committee: met on May 1 (until 18:00), meets again on July 1.
    _meeting(steering, "2026-05-01", wins="The board said yes.")
    _meeting(steering, "2026-07-01", closed=False)

    m1 = _meeting(wa, "2026-03-02", wins="Before the steering meeting.")
    m2 = _meeting(wa, "2026-04-06")
    m3 = _meeting(wa, "2026-05-04")
    m4 = _meeting(wa, "2026-06-01", wins="The library said yes.")
    m5 = _meeting(wa, "2026-07-06", closed=False)
    o: dict[str, Any] = {"m1": m1, "m2": m2, "m3": m3, "m4": m4, "m5": m5, "s1": s1, "s2": s2}
    o["s3"], o["r1"], o["r2"], o["indicator"] = s3, r1, r2, indicator
    done, open_ = Commitment.Status.DONE, Commitment.Status.OPEN
    # M1 (next: M2, ends Apr 6 18:30): one on time, one late, one dropped.
    o["c1"] = _commitment(m1, done, due="2026-03-20", done=at("2026-03-20"))
    o["c2"] = _commitment(m1, done, due="2026-03-30", done=at("2026-04-10"))
    o["c3"] = _commitment(m1, Commitment.Status.DROPPED, due="2026-03-30")
    # M2 (next: M3): one done at the next meeting's review, one still open and overdue.
    o["c4"] = _commitment(m2, done, due="2026-05-04", done=at("2026-05-04", 18, 15))
    o["c5"] = _commitment(m2, open_, due="2026-04-20")
    # M3 (next: M4): one done, one needing help (not yet due).
    o["c6"] = _commitment(m3, done, due="2026-05-30", done=at("2026-05-28"))
    o["c7"] = _commitment(m3, Commitment.Status.NEED_HELP, due="2026-06-30")
    # M4 (next: M5, not held yet): not in the follow-through; one overdue, one done.
    o["c8"] = _commitment(m4, open_, due="2026-06-10")
    o["c9"] = _commitment(m4, done, due="2026-06-20", done=at("2026-06-05"))
    for c, status in ((o["c7"], HelpRequest.Status.OPEN), (o["c5"], HelpRequest.Status.RESOLVED)):
        HelpRequest.objects.create(
            organization=org,
            initiative=initiative,
            table=wa,
            commitment=c,
            person=c.person,
            kind=HelpRequest.Kind.NEED_HELP,
            channel=Channel.WEB,
            status=status,
        )

    plan_a: Any = WorkplanFactory(table=wa, year=2026)
    plan_b: Any = WorkplanFactory(table=wb, year=2026)
    old_a: Any = WorkplanFactory(table=wa, year=2025)
    s = KeyAction.Status
    o["ka1"] = KeyActionFactory(workplan=plan_a, strategy=s1, status=s.DONE)
    o["ka2"] = KeyActionFactory(
        workplan=plan_a, strategy=s1, status=s.ON_TRACK, due_date=date(2026, 5, 1)
    )
    KeyActionFactory(workplan=plan_a, strategy=s1, status=s.AT_RISK, due_date=date(2026, 12, 1))
    KeyActionFactory(workplan=plan_a, strategy=s1, status=s.OFF_TRACK)
    KeyActionFactory(workplan=plan_b, strategy=s2, status=s.NOT_STARTED, due_date=date(2026, 1, 31))
    KeyActionFactory(workplan=plan_b, strategy=s2, status=s.DROPPED, due_date=date(2026, 1, 1))
    o["ka7"] = KeyActionFactory(workplan=old_a, strategy=s1, status=s.DONE)
    KeyAction.objects.filter(pk=o["ka7"].pk).update(updated_at=at("2025-12-01"))
    o["plan_a"] = plan_a

    # NAG emails after M4: three, one answered, one auto-reply (not an answer); one from
    # January (outside the 90 days) answered.
    _nag(org, m4, at("2026-06-01", 20), InboundEmail.Status.APPLIED)
    _nag(org, m4, at("2026-06-01", 20), InboundEmail.Status.IGNORED)
    _nag(org, m4, at("2026-06-01", 20), None)
    _nag(org, m1, at("2026-01-05", 20), InboundEmail.Status.APPLIED)

    # Who is at the table: one person at two tables, counted once.
    nonprofit: Any = PartnerOrganizationFactory(organization=org, sector=Sector.NONPROFIT)
    grassroots: Any = PartnerOrganizationFactory(organization=org, sector=Sector.GRASSROOTS)
    pa: Any = PersonFactory(organization=org, partner_organization=nonprofit)
    pb: Any = PersonFactory(
        organization=org, is_community_member=True, preferred_language=Language.SPANISH
    )
    pc: Any = PersonFactory(organization=org, partner_organization=grassroots)
    SeatFactory(table=steering, person=pa)
    SeatFactory(table=wa, person=pa)
    SeatFactory(table=wa, person=pb)
    SeatFactory(table=wb, person=pc)
    return World(initiative, steering, wa, wb, o)


@pytest.fixture
def world(personas: Personas) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield build_world(personas.org)


def test_workgroup_figures_are_exact(world: World) -> None:
    board = dashboard_data(initiative=world.initiative, today=TODAY)
    assert board.year == 2026
    assert board.years == [2026, 2025]
    assert [w.table.name for w in board.workgroups] == ["Alpha group", "Beta group"]
    alpha, beta = board.workgroups
    o = world.objects
    assert [
        (m.meeting_id, m.made, m.dropped, m.done_on_time) for m in alpha.follow_through.meetings
    ] == [(o["m1"].pk, 3, 1, 1), (o["m2"].pk, 2, 0, 1), (o["m3"].pk, 2, 0, 1)]
    assert alpha.follow_through.made == 7
    assert alpha.follow_through.counted == 6
    assert alpha.follow_through.done_on_time == 3
    assert alpha.follow_through.share == 50
    assert alpha.open_commitments == 3
    assert alpha.overdue_commitments == 2
    assert alpha.open_help_requests == 1
    assert alpha.last_meeting == at("2026-06-01")
    assert alpha.next_meeting == at("2026-07-06")
    assert (alpha.nag_sent, alpha.nag_replied, alpha.reply_rate) == (3, 1, 33)
    assert alpha.workplan_id == o["plan_a"].pk
    assert beta.follow_through.meetings == []
    assert beta.follow_through.share is None
    assert (beta.open_commitments, beta.overdue_commitments, beta.open_help_requests) == (0, 0, 0)
    assert (beta.last_meeting, beta.next_meeting, beta.reply_rate) == (None, None, None)


def test_key_actions_by_strategy_count_each_status_and_overdue(world: World) -> None:
    board = dashboard_data(initiative=world.initiative, today=TODAY)
    by_title = {b.strategy.title: b for b in board.strategies}
    assert list(by_title) == ["Tutoring", "Books at home", "Safe routes"]
    tutoring = by_title["Tutoring"].counts
    assert (tutoring.done, tutoring.on_track, tutoring.at_risk, tutoring.off_track) == (1, 1, 1, 1)
    assert (tutoring.not_started, tutoring.dropped, tutoring.overdue) == (0, 0, 1)
    assert tutoring.total == 4
    books = by_title["Books at home"].counts
    assert (books.not_started, books.dropped, books.overdue, books.done) == (1, 1, 1, 0)
    assert by_title["Safe routes"].counts.total == 0
    assert [t.name for t in by_title["Tutoring"].workgroups] == ["Alpha group"]
    assert [t.name for t in by_title["Books at home"].workgroups] == ["Beta group"]
    assert by_title["Safe routes"].workgroups == []
    assert board.key_actions.total == 6
    assert board.key_actions.overdue == 2


def test_wins_since_the_last_steering_meeting(world: World) -> None:
    board = dashboard_data(initiative=world.initiative, today=TODAY)
    wins = board.wins
    assert wins.since == at("2026-05-01", 18, 30)
    assert wins.since_meeting is True
    assert board.last_steering_meeting == at("2026-05-01", 18, 30)
    assert board.next_steering_meeting == at("2026-07-01")
    # c4 (May 4), c6 (May 28) and c9 (June 5); c1 and c2 were done before.
    assert wins.commitments_done == 3
    assert [c.pk for c in wins.commitments] == [
        world.objects["c9"].pk,
        world.objects["c6"].pk,
        world.objects["c4"].pk,
    ]
    assert wins.key_actions_completed == 1
    assert [a.pk for a in wins.key_actions] == [world.objects["ka1"].pk]
    assert [r.indicator.name for r in wins.indicators_improving] == ["Third graders reading"]
    assert [(m.table_name, m.text) for m in wins.meeting_wins] == [
        ("Alpha group", "The library said yes.")
    ]


def test_results_show_each_indicator_where_it_stands_and_is_headed(world: World) -> None:
    board = dashboard_data(initiative=world.initiative, today=TODAY)
    assert board.north_star == world.initiative.north_star
    assert [b.result.statement for b in board.results] == [
        "Children read well.",
        "Children attend school.",
    ]
    (row,) = board.results[0].indicators
    assert board.results[1].indicators == []
    assert (row.latest_text, row.latest_period) == ("50%", "2024")
    assert (row.baseline_text, row.target_text) == ("40%", "60%")
    assert (row.direction, row.direction_text) == ("better", "Getting better")
    assert row.progress == 50
    assert row.forecast_period == "2030"
    assert row.on_course is True
    assert row.gap is None
    assert row.fresh.last_period == "2024"
    assert "baseline 40% (2020)" in row.spark_text


def test_who_is_at_the_table_counts_each_person_once(world: World) -> None:
    comp = dashboard_data(initiative=world.initiative, today=TODAY).composition
    assert (comp.tables, comp.people, comp.organizations, comp.community_members) == (3, 3, 2, 1)
    assert comp.grassroots_organizations == 1
    assert [(b.label, b.count) for b in comp.by_sector] == [
        ("Nonprofit", 1),
        ("Community or grassroots group", 1),
    ]
    assert [(b.label, b.count) for b in comp.languages] == [("English", 2), ("Spanish", 1)]


def test_workgroup_filter_keeps_its_strategies_and_wins(world: World) -> None:
    board = dashboard_data(initiative=world.initiative, table_id=world.wb.pk, today=TODAY)
    assert board.table_id == world.wb.pk
    assert [w.table.name for w in board.workgroups] == ["Beta group"]
    assert [s.strategy.title for s in board.strategies] == ["Books at home"]
    assert board.wins.commitments_done == 0
    assert board.wins.key_actions_completed == 0
    assert len(board.results) == 2  # results stay in front


def test_strategy_filter_keeps_its_result_and_its_workgroups(world: World) -> None:
    s1 = world.objects["s1"]
    board = dashboard_data(initiative=world.initiative, strategy_id=s1.pk, today=TODAY)
    assert [s.strategy.title for s in board.strategies] == ["Tutoring"]
    assert [w.table.name for w in board.workgroups] == ["Alpha group"]
    assert [b.result.statement for b in board.results] == ["Children read well."]


def test_year_filter_reads_that_years_workplans(world: World) -> None:
    board = dashboard_data(initiative=world.initiative, year=2025, today=TODAY)
    tutoring = board.strategies[0].counts
    assert (tutoring.total, tutoring.done) == (1, 1)
    alpha = board.workgroups[0]
    # As of the end of 2025: no meeting had been held yet.
    assert alpha.follow_through.meetings == []
    assert alpha.overdue_commitments == 0


def test_another_organizations_ids_filter_nothing(world: World, personas: Personas) -> None:
    other: Any = TableFactory(initiative__organization=personas.other_org)
    board = dashboard_data(initiative=world.initiative, table_id=other.pk, today=TODAY)
    assert board.table_id is None
    assert len(board.workgroups) == 2


def test_follow_through_drill_lists_the_commitments_behind_the_figure(world: World) -> None:
    blocks = follow_through_commitments(table=world.wa, year=2026, today=TODAY)
    o = world.objects
    assert [b.meeting.pk for b in blocks] == [o["m3"].pk, o["m2"].pk, o["m1"].pk]
    on_time = {line.commitment.pk: line.on_time for b in blocks for line in b.lines}
    assert on_time == {
        o["c1"].pk: True,
        o["c2"].pk: False,
        o["c3"].pk: False,
        o["c4"].pk: True,
        o["c5"].pk: False,
        o["c6"].pk: True,
        o["c7"].pk: False,
    }
    assert [b.figure.share for b in blocks] == [50, 50, 50]


# --- Query count ----------------------------------------------------------------------------


def grow(world: World, *, workgroups: int, meetings: int, per_meeting: int) -> None:
    """More of everything: workgroups with workplans, meetings, commitments, indicators."""
    org = world.initiative.organization
    strategies = [world.objects["s1"], world.objects["s2"], world.objects["s3"]]
    for n in range(workgroups):
        table: Any = TableFactory(initiative=world.initiative, name=f"Group {n}")
        table.strategies.add(strategies[n % 3])
        plan: Any = WorkplanFactory(table=table, year=2026)
        for k in range(3):
            KeyActionFactory(workplan=plan, strategy=strategies[k], status=KeyAction.Status.DONE)
        person: Any = PersonFactory(organization=org)
        SeatFactory(table=table, person=person)
        for m in range(meetings):
            meeting = _meeting(table, f"2026-0{1 + m % 6}-{10 + n % 10}")
            for _ in range(per_meeting):
                _commitment(meeting, Commitment.Status.DONE, due="2026-05-01", done=NOW)
        _nag(org, meeting, at("2026-06-01", 20), InboundEmail.Status.APPLIED)
    for n in range(4):
        indicator: Any = IndicatorFactory(result=world.objects["r2"], name=f"More {n}")
        DataPointFactory(indicator=indicator, period="2024", value=Decimal(10 + n))


def test_the_query_count_does_not_grow_with_the_data(
    world: World, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(19):
        dashboard_data(initiative=world.initiative, today=TODAY)
    with time_machine.travel(NOW, tick=False):
        grow(world, workgroups=6, meetings=4, per_meeting=3)
    with django_assert_num_queries(19):
        board = dashboard_data(initiative=world.initiative, today=TODAY)
    assert len(board.workgroups) == 8
