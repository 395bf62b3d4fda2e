"""What the board packet says, read in a fixed number of queries whatever the size of the
initiative: the cover, one section per result (its indicators, their trend charts and
turn-the-curve notes) and one per workgroup (workplan progress, the commitment review list,
open help requests). The dashboard section is dashboard.selectors.dashboard_data's.

Long lists are capped ("and 12 more") so that a large initiative's packet stays readable and
quick to make; every result and every workgroup is always in it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from backbone.localtime import local_date
from dashboard.pdf import svg_data_uri
from dashboard.selectors import Dashboard
from initiatives.models import Initiative, Result, Seat, Table
from metrics import charts
from metrics.models import DataPoint, Direction, Indicator, TurnTheCurve
from metrics.selectors import Freshness, Series, SeriesPoint, indicators_with_freshness
from metrics.views.common import Chart, as_line, fmt, headline, trend
from workplans.models import Commitment, HelpRequest, KeyAction, Meeting, Workplan

# How many indicators of a result are drawn as charts (with their notes); the others are rows
# of figures. Every indicator is also in the dashboard section's table, with its sparkline.
CHARTS_PER_RESULT = 4
# How many rows each list of a workgroup's page shows before "and N more": what needs the
# committee's attention first, on one page per workgroup.
KEY_ACTIONS_SHOWN = 6
COMMITMENTS_SHOWN = 8
HELP_REQUESTS_SHOWN = 4

# The order a steering committee reviews key actions in: what needs attention first.
KEY_ACTION_ORDER: dict[str, int] = {
    KeyAction.Status.OFF_TRACK: 0,
    KeyAction.Status.AT_RISK: 1,
    KeyAction.Status.NOT_STARTED: 2,
    KeyAction.Status.ON_TRACK: 3,
    KeyAction.Status.DONE: 4,
    KeyAction.Status.DROPPED: 5,
}

# (percent, what is being done in words), for the packet's progress bar.
Progress = Callable[[int, str], None]


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass
class TurnTheCurveNotes:
    story: str
    partners: list[str]
    what_works: str
    action_plan: str

    @property
    def empty(self) -> bool:
        return not (self.story or self.partners or self.what_works or self.action_plan)


@dataclass
class IndicatorBlock:
    indicator: Indicator
    freshness: Freshness
    latest_text: str
    latest_period: str
    baseline_text: str
    target_text: str  # "65% by 2030"
    target_value: str  # "65%"
    forecast_value: str  # where the line fitted to the data reaches by the target period
    forecast_period: str
    trend_text: str  # getting better / worse, in words
    trend_better: bool | None
    our_number_text: str
    chart_uri: SafeString | None
    chart_description: str
    notes: TurnTheCurveNotes | None


@dataclass
class ResultSection:
    anchor: str
    result: Result
    indicators: list[IndicatorBlock]  # with their charts and notes
    more: list[IndicatorBlock] = field(default_factory=list)  # as rows of figures


@dataclass
class KeyActionRow:
    description: str
    strategy: str
    lead: str
    due_date: date | None
    overdue: bool
    status: str
    status_label: str
    percent_complete: int


@dataclass
class CommitmentRow:
    who: str
    what: str
    due_date: date
    overdue: bool
    status: str
    status_label: str


@dataclass
class HelpRow:
    who: str
    kind_label: str
    text: str
    since: date


@dataclass
class WorkgroupSection:
    anchor: str
    table: Table
    chairs: list[str]
    workplan_year: int | None
    key_action_total: int
    key_actions_done: int
    by_status: list[tuple[str, str, int]]  # (status, label, count), statuses with any
    key_actions_overdue: int
    percent_complete: int | None  # the mean over key actions not dropped
    key_actions: list[KeyActionRow]
    key_actions_more: int
    commitments_active: int
    commitments_overdue: int
    commitments: list[CommitmentRow]
    commitments_more: int
    help_open: int
    help_requests: list[HelpRow]
    help_more: int
    last_meeting: datetime | None
    next_meeting: datetime | None


@dataclass
class PacketContent:
    initiative: Initiative
    today: date
    meeting: Meeting | None
    time_zone: str
    results: list[ResultSection]
    workgroups: list[WorkgroupSection]
    dashboard: Dashboard | None = None
    made_at: datetime = field(default_factory=timezone.now)


def _notes(note: TurnTheCurve | None) -> TurnTheCurveNotes | None:
    if note is None:
        return None
    notes = TurnTheCurveNotes(
        story=note.story,
        partners=[p.name for p in note.partners.all()],
        what_works=note.what_works,
        action_plan=note.action_plan,
    )
    return None if notes.empty else notes


def _trend_words(indicator: Indicator, points: list[SeriesPoint]) -> tuple[str, bool | None]:
    """Getting better or worse: the latest value against the one before it."""
    known = [p for p in points if p.value is not None and not p.suppressed]
    if len(known) < 2:
        return "", None
    before, latest = known[-2], known[-1]
    assert before.value is not None
    assert latest.value is not None
    change = latest.value - before.value
    if change == 0:
        return _("No change since %(period)s") % {"period": before.period}, None
    better = (change > 0) == (indicator.direction == Direction.HIGHER)
    words = _("Getting better since %(period)s") if better else _("Getting worse since %(period)s")
    return words % {"period": before.period}, better


def _forecast(indicator: Indicator, ahead: list[charts.Point]) -> tuple[str, str]:
    """The forecast's value at the target period, and that period ("" when there is none)."""
    last = next((p for p in reversed(ahead) if p.value is not None), None)
    if last is None or last.value is None:
        return "", ""
    return fmt(indicator, Decimal(str(round(last.value, 1)))), last.period


def _indicator_block(
    indicator: Indicator,
    fresh: Freshness,
    points: list[SeriesPoint],
    note: TurnTheCurve | None,
    *,
    draw: bool,
) -> IndicatorBlock:
    total = Series(_("Everyone"), None, "", points) if points else None
    head = headline(indicator, total)
    chart: Chart | None = None
    ahead: list[charts.Point] = []
    if draw:
        chart, ahead = trend(indicator, [total] if total else [], chart_id=f"i{indicator.pk}")
    elif total is not None and indicator.target_period:
        line = as_line(total)
        ahead = charts.forecast(line.points, indicator.target_period, unit=indicator.unit)
    words, better = _trend_words(indicator, points)
    target = head.target_text
    if target and indicator.target_period:
        target = _("%(value)s by %(period)s") % {"value": target, "period": indicator.target_period}
    baseline = head.baseline_text
    if baseline and indicator.baseline_period:
        baseline = _("%(value)s in %(period)s") % {
            "value": baseline,
            "period": indicator.baseline_period,
        }
    forecast_value, forecast_period = _forecast(indicator, ahead)
    return IndicatorBlock(
        indicator=indicator,
        freshness=fresh,
        latest_text=head.latest_text,
        latest_period=head.latest.period if head.latest else "",
        baseline_text=baseline,
        target_text=target,
        target_value=head.target_text,
        forecast_value=forecast_value,
        forecast_period=forecast_period,
        trend_text=words,
        trend_better=better,
        our_number_text=head.our_number_text,
        chart_uri=svg_data_uri(str(chart.svg)) if chart else None,
        chart_description=chart.title if chart else "",
        notes=_notes(note),
    )


def result_sections(
    initiative: Initiative,
    *,
    today: date,
    progress: Callable[[int, int], None] = _no_progress,
) -> list[ResultSection]:
    """Every result, in order, with its indicators (five queries); `progress(done, total)` is
    called before each result's charts are drawn. Each result draws the charts of its first
    CHARTS_PER_RESULT indicators, those with turn-the-curve notes first; the others are rows
    of figures."""
    results = list(Result.objects.filter(initiative=initiative).order_by("position", "id"))
    pairs = indicators_with_freshness(
        organization=initiative.organization, initiative_id=initiative.pk, today=today
    )
    points: dict[int, list[SeriesPoint]] = defaultdict(list)
    for point in (
        DataPoint.objects.filter(
            organization_id=initiative.organization_id,
            indicator__initiative=initiative,
            category__isnull=True,
        )
        .only("indicator_id", "period", "period_start", "value", "suppressed")
        .order_by("indicator_id", "period_start")
    ):
        assert point.indicator_id is not None
        points[point.indicator_id].append(
            SeriesPoint(point.period, point.period_start, point.value, point.suppressed)
        )
    notes = {
        n.indicator_id: n
        for n in TurnTheCurve.objects.filter(
            organization_id=initiative.organization_id, indicator__initiative=initiative
        ).prefetch_related("partners")
    }
    by_result: dict[int, list[tuple[Indicator, Freshness]]] = defaultdict(list)
    for indicator, fresh in pairs:
        by_result[indicator.result_id].append((indicator, fresh))
    sections = []
    for index, result in enumerate(results):
        progress(index, len(results))
        pairs_here = by_result.get(result.pk, [])
        charted = {
            indicator.pk
            for indicator, _fresh in sorted(
                pairs_here, key=lambda pair: _notes(notes.get(pair[0].pk)) is None
            )[:CHARTS_PER_RESULT]
        }
        blocks = [
            _indicator_block(
                indicator,
                fresh,
                points.get(indicator.pk, []),
                notes.get(indicator.pk),
                draw=indicator.pk in charted,
            )
            for indicator, fresh in pairs_here
        ]
        sections.append(
            ResultSection(
                anchor=f"result-{result.pk}",
                result=result,
                indicators=[b for b in blocks if b.indicator.pk in charted],
                more=[b for b in blocks if b.indicator.pk not in charted],
            )
        )
    return sections


def _current_workplans(table_ids: list[int], year: int) -> dict[int, Workplan]:
    """Each table's workplan of `year`, or its latest one before it."""
    chosen: dict[int, Workplan] = {}
    for workplan in Workplan.objects.filter(table_id__in=table_ids, year__lte=year).order_by(
        "table_id", "year"
    ):
        chosen[workplan.table_id] = workplan
    return chosen


def workgroup_sections(
    initiative: Initiative, *, today: date, now: datetime
) -> list[WorkgroupSection]:
    """Every workgroup of the initiative, by name, with its workplan progress and review lists
    (eight queries; each list capped in the database)."""
    tables = list(
        Table.objects.filter(initiative=initiative, kind=Table.Kind.WORKGROUP).order_by(
            "name", "id"
        )
    )
    ids = [t.pk for t in tables]
    chairs: dict[int, list[str]] = defaultdict(list)
    for seat in (
        Seat.objects.filter(table_id__in=ids, role__in=[Seat.Role.CHAIR, Seat.Role.CO_CHAIR])
        .select_related("person")
        .order_by("table_id", "role", "person__full_name")
    ):
        chairs[seat.table_id].append(seat.person.full_name)

    workplans = _current_workplans(ids, today.year)
    key_actions: dict[int, list[KeyAction]] = defaultdict(list)
    for action in (
        KeyAction.objects.filter(workplan_id__in=[w.pk for w in workplans.values()])
        .select_related("strategy", "lead")
        .only(
            "workplan_id",
            "description",
            "status",
            "percent_complete",
            "due_date",
            "position",
            "strategy__title",
            "lead__full_name",
        )
        .order_by("workplan_id", "position", "id")
    ):
        key_actions[action.workplan_id].append(action)

    active = Q(status__in=Commitment.ACTIVE)
    overdue = Q(due_date__lt=today)
    counts = {
        row["table_id"]: row
        for row in Commitment.objects.filter(active, table_id__in=ids)
        .values("table_id")
        .annotate(active=Count("id"), overdue=Count("id", filter=overdue))
    }
    # By due date: the overdue ones first (the oldest first), then what is due next.
    commitments: dict[int, list[Commitment]] = defaultdict(list)
    for commitment in (
        Commitment.objects.filter(active, table_id__in=ids)
        .select_related("person")
        .only("table_id", "what", "due_date", "status", "person__full_name")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("table_id")],
                order_by=[F("due_date").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=COMMITMENTS_SHOWN)
        .order_by("table_id", "due_date", "id")
    ):
        commitments[commitment.table_id].append(commitment)

    help_counts = Counter[int]()
    helps: dict[int, list[HelpRequest]] = defaultdict(list)
    for request in (
        HelpRequest.objects.filter(table_id__in=ids, status=HelpRequest.Status.OPEN)
        .select_related("person")
        .only("table_id", "kind", "text", "created_at", "person__full_name")
        .order_by("table_id", "created_at", "id")
    ):
        help_counts[request.table_id] += 1
        if len(helps[request.table_id]) < HELP_REQUESTS_SHOWN:
            helps[request.table_id].append(request)

    last: dict[int, datetime] = {}
    upcoming: dict[int, datetime] = {}
    for meeting in (
        Meeting.objects.filter(table_id__in=ids)
        .exclude(status=Meeting.Status.CANCELLED)
        .only("table_id", "starts_at", "status")
        .order_by("table_id", "starts_at")
    ):
        if meeting.status == Meeting.Status.CLOSED or meeting.starts_at < now:
            last[meeting.table_id] = meeting.starts_at
        elif meeting.table_id not in upcoming:
            upcoming[meeting.table_id] = meeting.starts_at

    sections = []
    for table in tables:
        workplan = workplans.get(table.pk)
        actions = key_actions.get(workplan.pk, []) if workplan else []
        statuses = Counter(a.status for a in actions)
        going = [a for a in actions if a.status != KeyAction.Status.DROPPED]
        late = [
            a
            for a in actions
            if a.due_date and a.due_date < today and a.status not in KeyAction.FINISHED
        ]
        ordered = sorted(
            actions, key=lambda a: (KEY_ACTION_ORDER.get(a.status, 9), a.due_date or date.max)
        )
        count = counts.get(table.pk, {"active": 0, "overdue": 0})
        sections.append(
            WorkgroupSection(
                anchor=f"workgroup-{table.pk}",
                table=table,
                chairs=chairs.get(table.pk, []),
                workplan_year=workplan.year if workplan else None,
                key_action_total=len(actions),
                key_actions_done=statuses[KeyAction.Status.DONE],
                by_status=[
                    (status.value, str(status.label), statuses[status])
                    for status in KeyAction.Status
                    if statuses[status]
                ],
                key_actions_overdue=len(late),
                percent_complete=round(sum(a.percent_complete for a in going) / len(going))
                if going
                else None,
                key_actions=[
                    KeyActionRow(
                        description=a.description,
                        strategy=a.strategy.title,
                        lead=a.lead.full_name if a.lead else "",
                        due_date=a.due_date,
                        overdue=a in late,
                        status=a.status,
                        status_label=a.get_status_display(),
                        percent_complete=a.percent_complete,
                    )
                    for a in ordered[:KEY_ACTIONS_SHOWN]
                ],
                key_actions_more=max(len(actions) - KEY_ACTIONS_SHOWN, 0),
                commitments_active=count["active"],
                commitments_overdue=count["overdue"],
                commitments=[
                    CommitmentRow(
                        who=c.person.full_name,
                        what=c.what,
                        due_date=c.due_date,
                        overdue=c.due_date < today,
                        status=c.status,
                        status_label=c.get_status_display(),
                    )
                    for c in commitments.get(table.pk, [])
                ],
                commitments_more=max(count["active"] - COMMITMENTS_SHOWN, 0),
                help_open=help_counts[table.pk],
                help_requests=[
                    HelpRow(
                        who=h.person.full_name,
                        kind_label=h.get_kind_display(),
                        text=h.text,
                        since=local_date(h.created_at, initiative.effective_time_zone),
                    )
                    for h in helps.get(table.pk, [])
                ],
                help_more=max(help_counts[table.pk] - HELP_REQUESTS_SHOWN, 0),
                last_meeting=last.get(table.pk),
                next_meeting=upcoming.get(table.pk),
            )
        )
    return sections
