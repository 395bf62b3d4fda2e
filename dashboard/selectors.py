"""What the steering committee reads: one initiative's results, strategies and workgroups rolled
up, in a fixed number of queries however large the initiative (aggregates grouped by workgroup
or strategy, never a query per row).

`dashboard_data` is the whole page (and the board packet's dashboard section); the functions
after it are the lists behind each number, for drilling down.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from itertools import pairwise
from operator import or_
from typing import Any, cast

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dashboard.models import BoardPacket
from initiatives.models import Initiative, Language, Result, Seat, Sector, Strategy, Table
from initiatives.selectors import Bar, Composition, composition
from metrics import charts
from metrics.models import DataPoint, Direction, DisparityGap, Indicator
from metrics.selectors import Freshness, OurNumber, Series, SeriesPoint, _freshness
from metrics.selectors import our_number as our_number_of
from metrics.views.common import as_line, fmt, headline, our_number_text
from workplans.models import (
    Commitment,
    HelpRequest,
    InboundEmail,
    KeyAction,
    Meeting,
    Reminder,
    Workplan,
)

# Follow-through is read over a workgroup's last few closed meetings.
FOLLOW_THROUGH_MEETINGS = 3
# NAG reply rate: the reminder emails sent over this many days before today (or the year's end).
REPLY_WINDOW_DAYS = 90
# With no steering committee meeting yet, wins are counted over this many days.
WINS_FALLBACK_DAYS = 90
# How many named wins of each kind the page lists (the counts cover all of them).
WINS_SHOWN = 6
# Replies that are not a person answering: auto-replies and messages that could not be read.
NOT_A_REPLY = (InboundEmail.Status.IGNORED, InboundEmail.Status.FAILED)


# --- Results and indicators -----------------------------------------------------------------


@dataclass
class GapSummary:
    """A disparity gap at its latest period with both groups' values. `gap` is positive when
    the focus group is behind; `change` compares it with the previous such period."""

    name: str
    focus: str
    reference: str
    period: str
    gap: Decimal | None
    gap_text: str
    target_text: str
    target_period: str
    change: str  # "narrowing" | "widening" | "steady" | ""
    change_text: str


@dataclass
class IndicatorRow:
    indicator: Indicator
    latest: SeriesPoint | None
    latest_text: str
    latest_period: str
    baseline_text: str
    baseline_period: str
    target_text: str
    target_period: str
    # The value the straight-line forecast reaches by the target period, if nothing changes.
    forecast_text: str
    forecast_period: str
    on_course: bool | None  # forecast reaches the target (None: no forecast or no target)
    direction: str  # "better" | "worse" | "steady" | "": latest value against the one before
    direction_text: str
    # Share of the way from the baseline to the target already travelled, 0-100.
    progress: int | None
    our_number: OurNumber | None  # baseline → target, in people
    our_number_text: str
    to_go_text: str  # latest → target, in people
    spark: SafeString
    spark_text: str  # the sparkline in words
    fresh: Freshness
    gap: GapSummary | None = None

    @property
    def improving(self) -> bool:
        return self.direction == "better"


@dataclass
class ResultBlock:
    result: Result
    indicators: list[IndicatorRow]


# --- Strategies and key actions -------------------------------------------------------------


@dataclass
class StatusCounts:
    """Key actions by status; `overdue` overlaps the others (past due and not done/dropped)."""

    not_started: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    done: int = 0
    dropped: int = 0
    overdue: int = 0
    completed_since: int = 0  # done and last changed since the last steering meeting

    @property
    def total(self) -> int:
        return (
            self.not_started + self.on_track + self.at_risk + self.off_track + self.done
        ) + self.dropped

    @property
    def counted(self) -> int:
        return self.total - self.dropped

    @property
    def share_done(self) -> int | None:
        return round(100 * self.done / self.counted) if self.counted else None

    def add(self, other: StatusCounts) -> None:
        for name in (
            "not_started",
            "on_track",
            "at_risk",
            "off_track",
            "done",
            "dropped",
            "overdue",
            "completed_since",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StrategyBlock:
    strategy: Strategy
    result_id: int
    counts: StatusCounts
    workgroups: list[Table]


# --- Workgroups -----------------------------------------------------------------------------


@dataclass
class MeetingFollowThrough:
    """Commitments made at one closed meeting, and how many were done by the next meeting of
    the same table (by the end of it, so one reported done at that meeting's review counts, as
    on the commitments page). Dropped ones are left out of the share, as elsewhere."""

    meeting_id: int
    starts_at: datetime
    made: int = 0
    done_on_time: int = 0
    dropped: int = 0

    @property
    def counted(self) -> int:
        return self.made - self.dropped

    @property
    def share(self) -> int | None:
        return round(100 * self.done_on_time / self.counted) if self.counted else None


@dataclass
class FollowThroughFigure:
    meetings: list[MeetingFollowThrough] = field(default_factory=list)

    @property
    def made(self) -> int:
        return sum(m.made for m in self.meetings)

    @property
    def done_on_time(self) -> int:
        return sum(m.done_on_time for m in self.meetings)

    @property
    def counted(self) -> int:
        return sum(m.counted for m in self.meetings)

    @property
    def share(self) -> int | None:
        return round(100 * self.done_on_time / self.counted) if self.counted else None


@dataclass
class WorkgroupBlock:
    table: Table
    workplan_id: int | None
    key_actions: StatusCounts
    follow_through: FollowThroughFigure
    open_commitments: int
    overdue_commitments: int
    open_help_requests: int
    last_meeting: datetime | None
    next_meeting: datetime | None
    nag_sent: int
    nag_replied: int
    strategy_ids: list[int] = field(default_factory=list)

    @property
    def reply_rate(self) -> int | None:
        return round(100 * self.nag_replied / self.nag_sent) if self.nag_sent else None


# --- Wins and who is at the table -----------------------------------------------------------


@dataclass
class MeetingWin:
    table_name: str
    starts_at: datetime
    text: str


@dataclass
class Wins:
    since: datetime
    since_meeting: bool  # False: no steering meeting yet, counted over the last 90 days
    commitments_done: int
    commitments: list[Commitment]  # the latest few, with person and table
    key_actions_completed: int
    key_actions: list[KeyAction]
    indicators_improving: list[IndicatorRow]
    meeting_wins: list[MeetingWin]

    @property
    def any(self) -> bool:
        return bool(
            self.commitments_done
            or self.key_actions_completed
            or self.indicators_improving
            or self.meeting_wins
        )


@dataclass
class CompositionSummary:
    """Everyone seated at the initiative's tables, each person and organization counted once."""

    tables: int
    people: int
    organizations: int
    community_members: int
    community_led_organizations: int
    grassroots_organizations: int
    by_sector: list[Bar]
    languages: list[Bar]
    per_table: list[Composition]

    @property
    def flags(self) -> list[tuple[str, str]]:
        """(table name, what is worth a look) for every table with something to look at."""
        return [(c.table.name, flag) for c in self.per_table for flag in c.flags]

    @property
    def community_share(self) -> int | None:
        return round(100 * self.community_members / self.people) if self.people else None


@dataclass
class Dashboard:
    initiative: Initiative
    today: date
    year: int
    years: list[int]
    table_id: int | None
    strategy_id: int | None
    north_star: str
    results: list[ResultBlock]
    strategies: list[StrategyBlock]
    workgroups: list[WorkgroupBlock]
    key_actions: StatusCounts  # over the strategies shown
    wins: Wins
    composition: CompositionSummary
    last_steering_meeting: datetime | None
    next_steering_meeting: datetime | None
    # For the filters: every workgroup and strategy of the initiative.
    all_workgroups: list[Table]
    all_strategies: list[Strategy]

    @property
    def indicator_count(self) -> int:
        return sum(len(r.indicators) for r in self.results)

    @property
    def filtered(self) -> bool:
        return self.table_id is not None or self.strategy_id is not None


# --- Helpers --------------------------------------------------------------------------------


def _tz(initiative: Initiative) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(initiative.effective_time_zone)


def year_bounds(initiative: Initiative, year: int) -> tuple[datetime, datetime]:
    tz = _tz(initiative)
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def as_of(initiative: Initiative, year: int, today: date) -> tuple[date, datetime]:
    """The day and moment figures are read at: now for the current year (or a later one), the
    year's end for a past year."""
    if year >= today.year:
        return today, timezone.now()
    end = year_bounds(initiative, year)[1]
    return date(year, 12, 31), end


def _direction(indicator: Indicator, points: list[SeriesPoint]) -> tuple[str, str]:
    known = [p for p in points if p.value is not None and not p.suppressed]
    if len(known) < 2:
        return "", ""
    before, latest = known[-2].value, known[-1].value
    assert before is not None
    assert latest is not None
    if latest == before:
        return "steady", _("No change")
    up = latest > before
    better = up if indicator.direction == Direction.HIGHER else not up
    return ("better", _("Getting better")) if better else ("worse", _("Getting worse"))


def _progress(indicator: Indicator, latest: SeriesPoint | None) -> int | None:
    if (
        latest is None
        or latest.value is None
        or indicator.baseline_value is None
        or indicator.target_value is None
        or indicator.target_value == indicator.baseline_value
    ):
        return None
    share = (latest.value - indicator.baseline_value) / (
        indicator.target_value - indicator.baseline_value
    )
    return max(0, min(100, round(float(share) * 100)))


def _gap_summary(indicator: Indicator, gap: DisparityGap, points: list[Any]) -> GapSummary:
    """`points`: (category_id, period, period_start, value) of the gap's two groups."""
    by_period: dict[str, dict[int, Decimal]] = {}
    starts: dict[str, date] = {}
    for category_id, period, start, value in points:
        if value is not None and category_id in (gap.reference_id, gap.focus_id):
            by_period.setdefault(period, {})[category_id] = value
            starts[period] = start
    higher = indicator.direction == Direction.HIGHER
    series: list[tuple[str, Decimal]] = []
    for period in sorted(by_period, key=lambda p: starts[p]):
        pair = by_period[period]
        if gap.reference_id in pair and gap.focus_id in pair:
            ref, focus = pair[gap.reference_id], pair[gap.focus_id]
            series.append((period, ref - focus if higher else focus - ref))
    period, value = series[-1] if series else ("", None)
    change, change_text = "", ""
    if len(series) >= 2:
        before = series[-2][1]
        assert value is not None
        if abs(value) < abs(before):
            change, change_text = "narrowing", _("Narrowing")
        elif abs(value) > abs(before):
            change, change_text = "widening", _("Widening")
        else:
            change, change_text = "steady", _("No change")
    return GapSummary(
        name=gap.name,
        focus=gap.focus.name,
        reference=gap.reference.name,
        period=period,
        gap=value,
        gap_text=fmt(indicator, value, difference=True) if value is not None else "",
        target_text=fmt(indicator, gap.target_value, difference=True)
        if gap.target_value is not None
        else "",
        target_period=gap.target_period,
        change=change,
        change_text=change_text,
    )


def _indicator_row(
    indicator: Indicator, fresh: Freshness, total: Series | None, gap: GapSummary | None
) -> IndicatorRow:
    head = headline(indicator, total)
    points = total.points if total else []
    ahead: list[charts.Point] = []
    if total is not None and indicator.target_period:
        ahead = charts.forecast(as_line(total).points, indicator.target_period, unit=indicator.unit)
    forecast_end = ahead[-1] if ahead else None
    on_course = None
    if forecast_end is not None and indicator.target_value is not None:
        target = float(indicator.target_value)
        assert forecast_end.value is not None
        on_course = (
            forecast_end.value >= target
            if indicator.direction == Direction.HIGHER
            else forecast_end.value <= target
        )
    direction, direction_text = _direction(indicator, points)
    goal = our_number_of(indicator)
    parts = []
    if head.baseline_text:
        parts.append(
            _("baseline %(value)s (%(period)s)")
            % {"value": head.baseline_text, "period": indicator.baseline_period}
        )
    if head.latest is not None:
        parts.append(
            _("latest %(value)s (%(period)s)")
            % {"value": head.latest_text, "period": head.latest.period}
        )
    if head.target_text:
        parts.append(
            _("target %(value)s by %(period)s")
            % {"value": head.target_text, "period": indicator.target_period}
        )
    return IndicatorRow(
        indicator=indicator,
        latest=head.latest,
        latest_text=head.latest_text,
        latest_period=head.latest.period if head.latest else "",
        baseline_text=head.baseline_text,
        baseline_period=indicator.baseline_period,
        target_text=head.target_text,
        target_period=indicator.target_period,
        forecast_text=fmt(indicator, forecast_end.value) if forecast_end else "",
        forecast_period=forecast_end.period if forecast_end else "",
        on_course=on_course,
        direction=direction,
        direction_text=direction_text,
        progress=_progress(indicator, head.latest),
        our_number=goal,
        our_number_text=our_number_text(indicator, goal),
        to_go_text=head.our_number_text,
        spark=head.spark,
        spark_text="; ".join(parts),
        fresh=fresh,
        gap=gap,
    )


def _results(initiative: Initiative, today: date, result_ids: set[int] | None) -> list[ResultBlock]:
    """Results with their indicators: six queries (indicators, their freshness, everyone's
    values, disparity gaps, the gaps' groups' values, results)."""
    indicators = list(
        Indicator.objects.filter(organization_id=initiative.organization_id, initiative=initiative)
        .select_related("result")
        .order_by("result__position", "result_id", "position", "id")
    )
    # Freshness as metrics.selectors reads it (the latest period with any value, for everyone
    # or a group), from one grouped scan rather than a subquery per indicator.
    last: dict[int, tuple[str, date, Any]] = {}
    for indicator_id, period, end, updated in (
        DataPoint.objects.filter(
            organization_id=initiative.organization_id, indicator__initiative=initiative
        )
        .values("indicator_id", "period", "period_end")
        .annotate(updated=Max("updated_at"))
        .order_by()
        .values_list("indicator_id", "period", "period_end", "updated")
    ):
        seen = last.get(indicator_id)
        if seen is None:
            last[indicator_id] = (period, end, updated)
        else:
            newest = max(seen[2], updated)
            last[indicator_id] = (
                (period, end, newest) if end > seen[1] else (seen[0], seen[1], newest)
            )
    pairs = []
    for indicator in indicators:
        latest: tuple[str | None, date | None, Any] = last.get(indicator.pk, (None, None, None))
        pairs.append((indicator, _freshness(indicator.frequency, *latest, today)))
    totals: dict[int, Series] = {}
    for indicator_id, period, start, value, suppressed in (
        DataPoint.objects.filter(
            organization_id=initiative.organization_id,
            indicator__initiative=initiative,
            category__isnull=True,
        )
        .order_by("indicator_id", "period_start")
        .values_list("indicator_id", "period", "period_start", "value", "suppressed")
    ):
        totals.setdefault(indicator_id, Series("", None, "", [])).points.append(
            SeriesPoint(period, start, value, suppressed)
        )
    gaps: dict[int, DisparityGap] = {}
    for found in (
        DisparityGap.objects.filter(
            organization_id=initiative.organization_id, indicator__initiative=initiative
        )
        .select_related("reference", "focus")
        .order_by("indicator_id", "id")
    ):
        gaps.setdefault(found.indicator_id, found)  # the first gap of each indicator is shown
    in_a_gap = DisparityGap.objects.filter(indicator_id=OuterRef("indicator_id")).filter(
        Q(reference_id=OuterRef("category_id")) | Q(focus_id=OuterRef("category_id"))
    )
    gap_points: dict[int, list[Any]] = {}
    for indicator_id, *rest in (
        DataPoint.objects.filter(
            organization_id=initiative.organization_id,
            indicator__initiative=initiative,
            category__isnull=False,
            suppressed=False,
        )
        .filter(Exists(in_a_gap))
        .order_by("period_start")
        .values_list("indicator_id", "category_id", "period", "period_start", "value")
    ):
        gap_points.setdefault(indicator_id, []).append(rest)
    rows: dict[int, list[IndicatorRow]] = {}
    for indicator, fresh in pairs:
        gap = gaps.get(indicator.pk)
        summary = _gap_summary(indicator, gap, gap_points.get(indicator.pk, [])) if gap else None
        rows.setdefault(indicator.result_id, []).append(
            _indicator_row(indicator, fresh, totals.get(indicator.pk), summary)
        )
    return [
        ResultBlock(result, rows.get(result.pk, []))
        for result in Result.objects.filter(initiative=initiative).order_by("position", "id")
        if result_ids is None or result.pk in result_ids
    ]


@dataclass(frozen=True)
class _Org:
    pk: int
    sector: str
    size_band: str
    community_led: bool


@dataclass(frozen=True)
class _Person:
    """Just what composition() reads of a person, from one values() query: a large coalition
    has thousands of seats, and model instances for each would cost more than the rest of the
    page."""

    pk: int
    is_community_member: bool
    preferred_language: str
    race_ethnicity: str
    gender: str
    partner_organization: _Org | None
    archived_at: None = None

    @property
    def partner_organization_id(self) -> int | None:
        return self.partner_organization.pk if self.partner_organization else None


@dataclass(frozen=True)
class _Seat:
    person: _Person

    @property
    def person_id(self) -> int:
        return self.person.pk


def _seats_by_table(initiative: Initiative) -> dict[int, list[_Seat]]:
    """The seats of the initiative's tables, of people not archived (one query)."""
    orgs: dict[int, _Org] = {}
    people: dict[int, _Person] = {}
    seats: dict[int, list[_Seat]] = {}
    for row in (
        Seat.objects.filter(
            organization_id=initiative.organization_id,
            table__initiative=initiative,
            person__archived_at__isnull=True,
        )
        .order_by("table_id", "id")
        .values_list(
            "table_id",
            "person_id",
            "person__is_community_member",
            "person__preferred_language",
            "person__race_ethnicity",
            "person__gender",
            "person__partner_organization_id",
            "person__partner_organization__sector",
            "person__partner_organization__size_band",
            "person__partner_organization__community_led",
        )
    ):
        table_id, person_id, community, language, race, gender, org_id, sector, size, led = row
        person = people.get(person_id)
        if person is None:
            partner = None
            if org_id is not None:
                partner = orgs.setdefault(org_id, _Org(org_id, sector, size, led))
            person = people[person_id] = _Person(
                person_id, community, language, race, gender, partner
            )
        seats.setdefault(table_id, []).append(_Seat(person))
    return seats


def _composition(tables: list[Table], seats: dict[int, list[_Seat]]) -> CompositionSummary:
    """Who is at the table, from the seats already read (no query)."""
    # composition() reads a seat's person and organization: the light rows stand in for them.
    per_table = [composition(t, cast(Any, seats.get(t.pk, []))) for t in tables]
    people: dict[int, _Person] = {}
    for table in tables:
        for seat in seats.get(table.pk, []):
            people[seat.person_id] = seat.person
    orgs = {
        p.partner_organization.pk: p.partner_organization
        for p in people.values()
        if p.partner_organization is not None
    }
    sectors: Counter[str] = Counter(o.sector for o in orgs.values())
    languages: Counter[str] = Counter(p.preferred_language for p in people.values())
    grassroots = {Sector.GRASSROOTS, Sector.RESIDENT_ASSOCIATION}
    return CompositionSummary(
        tables=len(tables),
        people=len(people),
        organizations=len(orgs),
        community_members=sum(1 for p in people.values() if p.is_community_member),
        community_led_organizations=sum(1 for o in orgs.values() if o.community_led),
        grassroots_organizations=sum(1 for o in orgs.values() if o.sector in grassroots),
        by_sector=sorted(
            (Bar(str(label), sectors[value]) for value, label in Sector.choices if sectors[value]),
            key=lambda b: -(b.count or 0),
        ),
        languages=[
            Bar(str(label), languages[value])
            for value, label in Language.choices
            if languages[value]
        ],
        per_table=per_table,
    )


def _status_counts(row: dict[str, Any]) -> StatusCounts:
    return StatusCounts(
        not_started=row["not_started"],
        on_track=row["on_track"],
        at_risk=row["at_risk"],
        off_track=row["off_track"],
        done=row["done"],
        dropped=row["dropped"],
        overdue=row["overdue"],
        completed_since=row["completed_since"],
    )


def _by_status(today: date, since: datetime) -> dict[str, Count]:
    s = KeyAction.Status
    return {
        "not_started": Count("pk", filter=Q(status=s.NOT_STARTED)),
        "on_track": Count("pk", filter=Q(status=s.ON_TRACK)),
        "at_risk": Count("pk", filter=Q(status=s.AT_RISK)),
        "off_track": Count("pk", filter=Q(status=s.OFF_TRACK)),
        "done": Count("pk", filter=Q(status=s.DONE)),
        "dropped": Count("pk", filter=Q(status=s.DROPPED)),
        "overdue": Count("pk", filter=Q(due_date__lt=today) & ~Q(status__in=KeyAction.FINISHED)),
        "completed_since": Count("pk", filter=Q(status=s.DONE, updated_at__gte=since)),
    }


def reviewed_meetings(
    rows: list[tuple[int, datetime, datetime, str]], moment: datetime
) -> list[tuple[int, datetime, datetime]]:
    """The meetings follow-through is read over: a table's last closed meetings whose next
    meeting has been held by `moment` (so their commitments have come up for review), each
    with its deadline, the end of that next meeting. `rows`: the table's meetings that were not
    cancelled, oldest first, as (id, starts_at, ends_at, status)."""
    chosen = []
    for (pk, starts, _ends, status), following in pairwise(rows):
        if status == Meeting.Status.CLOSED and following[1] <= moment:
            chosen.append((pk, starts, min(following[2], moment)))
    return chosen[-FOLLOW_THROUGH_MEETINGS:]


# --- The dashboard --------------------------------------------------------------------------


def dashboard_data(
    *,
    initiative: Initiative,
    year: int | None = None,
    table_id: int | None = None,
    strategy_id: int | None = None,
    today: date | None = None,
) -> Dashboard:
    """Everything the steering committee's dashboard shows, for one initiative.

    Filters: `year` picks the workplans (key actions) and reads meeting figures as of that
    year's end (the current year: as of now); `table_id` keeps one workgroup; `strategy_id`
    keeps one strategy, its result and the workgroups carrying it. Wins are always since the
    last steering committee meeting. The query count does not depend on the data.
    """
    today = today or timezone.localdate()
    org_id = initiative.organization_id
    now = timezone.now()

    # 1-3: the tables (steering committee first) with their strategies, and their seats.
    tables = sorted(
        Table.objects.filter(organization_id=org_id, initiative=initiative).prefetch_related(
            "strategies"
        ),
        key=lambda t: (not t.is_steering, t.name.lower()),
    )
    seats = _seats_by_table(initiative)
    steering = next((t for t in tables if t.is_steering), None)
    all_workgroups = [t for t in tables if not t.is_steering]
    # 4: strategies.
    all_strategies = list(
        Strategy.objects.filter(organization_id=org_id, initiative=initiative)
        .select_related("result")
        .order_by("result__position", "result_id", "position", "id")
    )
    # 5: workplans of every year.
    workplans = list(
        Workplan.objects.filter(organization_id=org_id, initiative=initiative).values_list(
            "pk", "table_id", "year"
        )
    )
    years = sorted({y for _pk, _t, y in workplans}, reverse=True)
    if year is None:
        year = today.year if today.year in years or not years else years[0]
    day, moment = as_of(initiative, year, today)
    _start, year_end = year_bounds(initiative, year)

    strategy = next((s for s in all_strategies if s.pk == strategy_id), None)
    if not any(t.pk == table_id for t in all_workgroups):
        table_id = None  # not a workgroup of this initiative: no filter
    workgroups = all_workgroups
    if table_id is not None:
        workgroups = [t for t in workgroups if t.pk == table_id]
    if strategy is not None:
        workgroups = [t for t in workgroups if any(s.pk == strategy.pk for s in t.strategies.all())]
    shown_ids = [t.pk for t in workgroups]
    strategies = [strategy] if strategy is not None else all_strategies
    if table_id is not None and strategy is None:
        carried = {s.pk for t in workgroups for s in t.strategies.all()}
        strategies = [s for s in strategies if s.pk in carried]

    # 6: meetings of every table (steering committee included), oldest first.
    meetings = list(
        Meeting.objects.filter(organization_id=org_id, initiative=initiative)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("table_id", "starts_at", "id")
        .values_list("pk", "table_id", "starts_at", "ends_at", "status", "wins")
    )
    by_table: dict[int, list[tuple[Any, ...]]] = {}
    for meeting_row in meetings:
        by_table.setdefault(meeting_row[1], []).append(meeting_row)
    steering_meetings = by_table.get(steering.pk, []) if steering else []
    # The last one held: closed, or past its end though nobody closed it in Backbone.
    last_steering = max(
        (m[3] for m in steering_meetings if m[4] == Meeting.Status.CLOSED or m[3] <= now),
        default=None,
    )
    next_steering = min(
        (m[2] for m in steering_meetings if m[4] == Meeting.Status.SCHEDULED and m[2] >= now),
        default=None,
    )
    since_meeting = last_steering is not None
    since = last_steering or now - timedelta(days=WINS_FALLBACK_DAYS)

    # Per workgroup: the last closed meetings (as of the year's end) and the next meeting's end.
    follow: dict[int, FollowThroughFigure] = {}
    deadlines: dict[int, datetime] = {}
    last_meeting: dict[int, datetime | None] = {}
    next_meeting: dict[int, datetime | None] = {}
    for table in workgroups:
        rows = by_table.get(table.pk, [])
        reviewed = reviewed_meetings([(r[0], r[2], r[3], r[4]) for r in rows], moment)
        follow[table.pk] = FollowThroughFigure(
            [MeetingFollowThrough(pk, starts) for pk, starts, _deadline in reviewed]
        )
        for pk, _starts, deadline in reviewed:
            deadlines[pk] = deadline
        closed = [r for r in rows if r[4] == Meeting.Status.CLOSED and r[2] < moment]
        last_meeting[table.pk] = closed[-1][2] if closed else None
        next_meeting[table.pk] = min(
            (r[2] for r in rows if r[4] == Meeting.Status.SCHEDULED and r[2] >= now),
            default=None,
        )

    # 7: commitments of those meetings, done by the next meeting or not.
    if deadlines:
        on_time = reduce(
            or_,
            (Q(meeting_id=mid, completed_at__lte=end) for mid, end in deadlines.items()),
        )
        made: dict[int, Any] = {
            r["meeting_id"]: r
            # Not filtered by organization as well: the meetings are this initiative's, and the
            # organization's index would read all its commitments instead of these meetings'.
            for r in Commitment.objects.filter(meeting_id__in=list(deadlines))
            .values("meeting_id")
            .annotate(
                made=Count("pk"),
                dropped=Count("pk", filter=Q(status=Commitment.Status.DROPPED)),
                on_time=Count("pk", filter=Q(status=Commitment.Status.DONE) & on_time),
            )
            .order_by()
        }
    else:
        made = {}
        _one_query_anyway(org_id)
    for figure in follow.values():
        for m in figure.meetings:
            got = made.get(m.meeting_id)
            if got:
                m.made, m.dropped, m.done_on_time = got["made"], got["dropped"], got["on_time"]

    # 8: commitments still to do, overdue, and done since the last steering meeting, per table.
    active = Q(status__in=Commitment.ACTIVE)
    table_ids_all = [t.pk for t in tables]
    counted = Commitment.objects.filter(organization_id=org_id, table_id__in=table_ids_all)
    if year_end <= now:
        counted = counted.filter(meeting__starts_at__lt=year_end)
    commitment_counts: dict[int, Any] = {
        r["table_id"]: r
        for r in counted.values("table_id")
        .annotate(
            open=Count("pk", filter=active),
            overdue=Count("pk", filter=active & Q(due_date__lt=day)),
            done_since=Count(
                "pk", filter=Q(status=Commitment.Status.DONE, completed_at__gte=since)
            ),
        )
        .order_by()
    }
    # 9: open help requests per table.
    help_counts = dict(
        HelpRequest.objects.filter(
            organization_id=org_id, initiative=initiative, status=HelpRequest.Status.OPEN
        )
        .values("table_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("table_id", "n")
    )
    # 10: NAG emails sent per table over the reply window, and how many got a reply.
    replied = InboundEmail.objects.filter(nag_message__email_id=OuterRef("email_id")).exclude(
        status__in=NOT_A_REPLY
    )
    nag_counts: dict[int, Any] = {
        r["meeting__table_id"]: r
        for r in Reminder.objects.filter(
            organization_id=org_id,
            meeting__initiative=initiative,
            status=Reminder.Status.SENT,
            email__isnull=False,
            sent_at__gte=moment - timedelta(days=REPLY_WINDOW_DAYS),
            sent_at__lte=moment,
        )
        .values("meeting__table_id")
        .annotate(
            sent=Count("email_id", distinct=True),
            replied=Count("email_id", distinct=True, filter=Exists(replied)),
        )
        .order_by()
    }
    # 11: key actions of the year's workplans by strategy and workgroup.
    year_plans = {pk: t for pk, t, y in workplans if y == year}
    plan_of_table = {t: pk for pk, t in year_plans.items()}
    action_rows: list[Any] = list(
        KeyAction.objects.filter(
            organization_id=org_id, workplan__initiative=initiative, workplan__year=year
        )
        .values("strategy_id", "workplan__table_id")
        .annotate(**_by_status(day, since))
        .order_by()
    )
    strategy_ids = {s.pk for s in strategies}
    table_ids = set(shown_ids)
    by_strategy: dict[int, StatusCounts] = {}
    by_workgroup: dict[int, StatusCounts] = {}
    carriers: dict[int, set[int]] = {}
    for action_row in action_rows:
        sid, tid = action_row["strategy_id"], action_row["workplan__table_id"]
        if sid not in strategy_ids or tid not in table_ids:
            continue
        counts = _status_counts(action_row)
        by_strategy.setdefault(sid, StatusCounts()).add(counts)
        by_workgroup.setdefault(tid, StatusCounts()).add(counts)
        carriers.setdefault(sid, set()).add(tid)
    for table in workgroups:
        for s in table.strategies.all():
            carriers.setdefault(s.pk, set()).add(table.pk)
    names = {t.pk: t for t in workgroups}
    strategy_blocks = [
        StrategyBlock(
            strategy=s,
            result_id=s.result_id,
            counts=by_strategy.get(s.pk, StatusCounts()),
            workgroups=sorted(
                (names[t] for t in carriers.get(s.pk, set()) if t in names),
                key=lambda t: t.name.lower(),
            ),
        )
        for s in strategies
    ]
    key_action_total = StatusCounts()
    for block in strategy_blocks:
        key_action_total.add(block.counts)

    workgroup_blocks = []
    for table in workgroups:
        c = commitment_counts.get(table.pk, {})
        n = nag_counts.get(table.pk, {})
        workgroup_blocks.append(
            WorkgroupBlock(
                table=table,
                workplan_id=plan_of_table.get(table.pk),
                key_actions=by_workgroup.get(table.pk, StatusCounts()),
                follow_through=follow[table.pk],
                open_commitments=c.get("open", 0),
                overdue_commitments=c.get("overdue", 0),
                open_help_requests=help_counts.get(table.pk, 0),
                last_meeting=last_meeting[table.pk],
                next_meeting=next_meeting[table.pk],
                nag_sent=n.get("sent", 0),
                nag_replied=n.get("replied", 0),
                strategy_ids=[s.pk for s in table.strategies.all()],
            )
        )

    # 12-15: results and indicators (a strategy filter keeps its result).
    results = _results(initiative, today, {strategy.result_id} if strategy else None)

    # 16-18: wins since the last steering committee meeting, for the tables shown.
    win_tables = shown_ids if (table_id is not None or strategy is not None) else None
    done = Commitment.objects.filter(
        organization_id=org_id,
        table_id__in=table_ids_all,
        status=Commitment.Status.DONE,
        completed_at__gte=since,
    )
    completed = KeyAction.objects.filter(
        organization_id=org_id,
        workplan__initiative=initiative,
        workplan__year=year,
        status=KeyAction.Status.DONE,
        updated_at__gte=since,
    )
    if win_tables is not None:
        done = done.filter(table_id__in=win_tables)
        completed = completed.filter(workplan__table_id__in=win_tables)
    if strategy is not None:
        completed = completed.filter(strategy=strategy)
    done_list = list(
        done.select_related("person", "table").order_by("-completed_at", "-id")[:WINS_SHOWN]
    )
    completed_list = list(
        completed.select_related("workplan__table", "strategy").order_by("-updated_at", "-id")[
            :WINS_SHOWN
        ]
    )
    # Wins told at meetings since then (the steering committee's own, and the tables shown).
    names_by_id = {t.pk: t.name for t in tables}
    told_at = {steering.pk} if steering else set()
    told_at |= set(win_tables) if win_tables is not None else set(names_by_id)
    meeting_wins = [
        MeetingWin(names_by_id[r[1]], r[2], r[5])
        for r in sorted(meetings, key=lambda r: (r[2], r[0]), reverse=True)
        if r[5] and r[1] in told_at and r[2] >= since - timedelta(hours=1)
    ][:WINS_SHOWN]
    done_count = sum(
        c.get("done_since", 0)
        for t, c in commitment_counts.items()
        if win_tables is None or t in win_tables
    )
    improving = [
        row
        for block in results
        for row in block.indicators
        if row.improving
        and row.fresh.last_updated_at is not None
        and row.fresh.last_updated_at >= since
    ]
    wins = Wins(
        since=since,
        since_meeting=since_meeting,
        commitments_done=done_count,
        commitments=done_list,
        key_actions_completed=key_action_total.completed_since
        if strategy is not None or table_id is not None
        else sum(r["completed_since"] for r in action_rows),
        key_actions=completed_list,
        indicators_improving=improving,
        meeting_wins=meeting_wins,
    )

    composition_tables = (
        [t for t in tables if t.pk in table_ids or t.is_steering] if win_tables else tables
    )
    return Dashboard(
        initiative=initiative,
        today=today,
        year=year,
        years=years or [year],
        table_id=table_id,
        strategy_id=strategy.pk if strategy else None,
        north_star=initiative.north_star,
        results=results,
        strategies=strategy_blocks,
        workgroups=workgroup_blocks,
        key_actions=key_action_total,
        wins=wins,
        composition=_composition(composition_tables, seats),
        last_steering_meeting=last_steering,
        next_steering_meeting=next_steering,
        all_workgroups=all_workgroups,
        all_strategies=all_strategies,
    )


def _one_query_anyway(org_id: int) -> None:
    """Keeps the query count the same when no workgroup has held a meeting yet."""
    Commitment.objects.filter(organization_id=org_id, pk__lt=0).exists()


# --- Behind each number (drill-downs) -------------------------------------------------------


@dataclass
class KeyActionLine:
    key_action: KeyAction
    overdue: bool
    commitments: int
    commitments_done: int


def workgroup_key_actions(
    *, table: Table, year: int, today: date | None = None
) -> tuple[Workplan | None, list[KeyActionLine]]:
    """A workgroup's workplan of the year: its key actions, each with its commitments counted
    (two queries)."""
    today = today or timezone.localdate()
    workplan = Workplan.objects.filter(table=table, year=year).first()
    if workplan is None:
        return None, []
    actions = (
        KeyAction.objects.filter(workplan=workplan)
        .select_related("strategy", "lead")
        .annotate(
            n_commitments=Count("commitments"),
            n_done=Count("commitments", filter=Q(commitments__status=Commitment.Status.DONE)),
        )
        .order_by("strategy__result__position", "strategy__position", "position", "id")
    )
    return workplan, [
        KeyActionLine(
            a,
            a.due_date is not None and a.due_date < today and a.status not in KeyAction.FINISHED,
            a.n_commitments,
            a.n_done,
        )
        for a in actions
    ]


def key_action_commitments(*, key_action: KeyAction) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(key_action=key_action)
        .select_related("person", "meeting", "table")
        .order_by("-meeting__starts_at", "position", "id")
    )


@dataclass
class CommitmentLine:
    commitment: Commitment
    on_time: bool  # done by the next meeting (see MeetingFollowThrough)


@dataclass
class MeetingCommitments:
    meeting: Meeting
    deadline: datetime
    figure: MeetingFollowThrough
    lines: list[CommitmentLine]


def follow_through_commitments(
    *, table: Table, year: int, today: date | None = None
) -> list[MeetingCommitments]:
    """The commitments behind a workgroup's follow-through figure: those made at its last
    reviewed meetings (see reviewed_meetings; as of the year's end), newest meeting first,
    each marked done by the next meeting or not (two queries)."""
    today = today or timezone.localdate()
    initiative = table.initiative
    _day, moment = as_of(initiative, year, today)
    meetings = list(
        Meeting.objects.filter(table=table)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "id")
    )
    blocks: list[MeetingCommitments] = []
    by_pk = {m.pk: m for m in meetings}
    for pk, starts, deadline in reviewed_meetings(
        [(m.pk, m.starts_at, m.ends_at, m.status) for m in meetings], moment
    ):
        blocks.append(MeetingCommitments(by_pk[pk], deadline, MeetingFollowThrough(pk, starts), []))
    by_id = {b.meeting.pk: b for b in blocks}
    for c in (
        Commitment.objects.filter(meeting_id__in=list(by_id))
        .select_related("person", "key_action")
        .order_by("position", "id")
    ):
        block = by_id[c.meeting_id]
        on_time = (
            c.status == Commitment.Status.DONE
            and c.completed_at is not None
            and c.completed_at <= block.deadline
        )
        block.lines.append(CommitmentLine(c, on_time))
        block.figure.made += 1
        block.figure.dropped += c.status == Commitment.Status.DROPPED
        block.figure.done_on_time += on_time
    blocks.reverse()
    return blocks


def overdue_commitments(
    *, table: Table, year: int, today: date | None = None
) -> QuerySet[Commitment]:
    today = today or timezone.localdate()
    day, _moment = as_of(table.initiative, year, today)
    year_end = year_bounds(table.initiative, year)[1]
    return (
        Commitment.objects.filter(
            table=table,
            status__in=Commitment.ACTIVE,
            due_date__lt=day,
            meeting__starts_at__lt=year_end,
        )
        .select_related("person", "meeting", "key_action")
        .order_by("due_date", "id")
    )


def open_help_requests(*, table: Table) -> QuerySet[HelpRequest]:
    return (
        HelpRequest.objects.filter(table=table, status=HelpRequest.Status.OPEN)
        .select_related("person", "commitment", "assigned_to")
        .order_by("created_at", "id")
    )


# --- The steering committee member's home ---------------------------------------------------

# Indicators a home page shows per initiative; the dashboard has them all.
HOME_INDICATORS = 4


@dataclass
class InitiativeRollup:
    """One initiative in a few lines: the dashboard's own figures (current year), summed over
    its workgroups, its first indicators, and the latest board packet ready to download."""

    initiative: Initiative
    year: int
    key_actions: StatusCounts
    open_commitments: int
    overdue_commitments: int
    open_help_requests: int
    commitments_done_since: int
    since_meeting: bool
    workgroups: int
    indicators: list[IndicatorRow]
    more_indicators: int
    next_steering_at: datetime | None
    packet: BoardPacket | None


def latest_ready_packets(*, organization_id: int) -> dict[int, BoardPacket]:
    """Per initiative, its newest board packet ready to download (one query, without the PDF)."""
    newest = (
        BoardPacket.objects.filter(
            initiative_id=OuterRef("initiative_id"), status=BoardPacket.Status.READY
        )
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    return {
        p.initiative_id: p
        for p in BoardPacket.objects.filter(
            organization_id=organization_id,
            status=BoardPacket.Status.READY,
            pk=Subquery(newest),
        )
        .select_related("meeting")
        .defer("pdf")
    }


def initiative_rollups(
    *, initiatives: list[Initiative], today: date | None = None
) -> list[InitiativeRollup]:
    """Each initiative read through dashboard_data, in its fixed number of queries, plus one
    for the packets: the count grows with the initiatives, never with their data."""
    if not initiatives:
        return []
    packets = latest_ready_packets(organization_id=initiatives[0].organization_id)
    rollups = []
    for initiative in initiatives:
        board = dashboard_data(initiative=initiative, today=today)
        rows = [row for block in board.results for row in block.indicators]
        rollups.append(
            InitiativeRollup(
                initiative=initiative,
                year=board.year,
                key_actions=board.key_actions,
                open_commitments=sum(w.open_commitments for w in board.workgroups),
                overdue_commitments=sum(w.overdue_commitments for w in board.workgroups),
                open_help_requests=sum(w.open_help_requests for w in board.workgroups),
                commitments_done_since=board.wins.commitments_done,
                since_meeting=board.wins.since_meeting,
                workgroups=len(board.workgroups),
                indicators=rows[:HOME_INDICATORS],
                more_indicators=max(0, len(rows) - HOME_INDICATORS),
                next_steering_at=board.next_steering_meeting,
                packet=packets.get(initiative.pk),
            )
        )
    return rollups
