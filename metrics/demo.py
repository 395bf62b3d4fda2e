"""Demo shared measurement for the early-literacy coalition: indicators under each result with
ten years of data for everyone and by race/ethnicity, baselines, targets, the population behind
each percentage, disparity gaps with targets, turn-the-curve notes, and performance measures
(how much / how well / better off) for every workgroup.

The figures are invented for a fictional county but shaped like real ones: a pandemic dip in
2020-21 and a slow recovery, no spring 2020 state test, chronic absence nearly doubling in
2021-22 (nationally it rose from about 15% in 2018-19 to about 28% in 2021-22 — U.S. Department
of Education data as summarized by Attendance Works, https://www.attendanceworks.org/), third-
grade reading in the high 30s to low 40s (nationally about a third of fourth graders read at or
above NAEP Proficient — https://www.nationsreportcard.gov/), and gaps between groups that are
large and only slowly narrowing. Small groups have suppressed cells, stored as suppressed.

Periods are placed relative to today, so the demo's data is never overdue, except for one
indicator left stale on purpose so the stale list has something to show. Built with bulk inserts
(with their history rows) so the large benchmark tenant stays quick to create.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from initiatives.models import PartnerOrganization, Person, Result, Seat, Strategy, Table
from metrics.models import (
    Category,
    DataPoint,
    Dimension,
    Direction,
    DisparityGap,
    Frequency,
    Indicator,
    PerformanceMeasure,
    Unit,
)
from metrics.periods import Period, quarter, school_year, year
from metrics.services import data_point_upsert, turn_the_curve_save
from workplans.models import KeyAction

if TYPE_CHECKING:
    from backbone.demo import DemoContext
    from backbone.models import Organization

# Largest groups first; the small-size demo uses the first five. (name, points from the total
# where higher is better, before the gaps start narrowing)
GROUPS = [
    ("Black or African American", Decimal("-13")),
    ("Hispanic or Latino", Decimal("-7")),
    ("White", Decimal("12")),
    ("Asian", Decimal("8")),
    ("Two or more races", Decimal("1")),
    ("American Indian or Alaska Native", Decimal("-10")),
    ("Native Hawaiian or Pacific Islander", Decimal("-6")),
    ("Middle Eastern or North African", Decimal("-2")),
]
# Groups small enough in the county that the source hides some of their cells.
SMALL_GROUPS = {
    "Two or more races",
    "American Indian or Alaska Native",
    "Native Hawaiian or Pacific Islander",
}
MARKERS = ["n<10", "*", "<10"]


@dataclass(frozen=True)
class Curve:
    """The shape of a curve: the 2015 value, the yearly change before the pandemic, the shock in
    its worst year, the yearly change after it, and how widely the groups spread around it."""

    start: Decimal
    slope: Decimal
    shock_year: int
    shock: Decimal
    recovery: Decimal
    spread: Decimal


@dataclass(frozen=True)
class Spec:
    name: str
    result: int  # index of the result in initiatives.demo.AGENDA
    direction: str
    frequency: str
    definition: str
    data_source: str
    curve: Curve
    target: Decimal
    population: int
    population_label: str
    skip_years: tuple[int, ...] = ()
    stale: bool = False


D = Decimal
INDICATORS = [
    Spec(
        "Kindergartners ready to learn",
        0,
        Direction.HIGHER,
        Frequency.SCHOOL_YEAR,
        "Share of kindergartners meeting the readiness benchmark in all domains of the fall "
        "kindergarten entry assessment.",
        "State kindergarten entry assessment (fall), Lakeshore Unified and charter schools",
        curve=Curve(D("42.0"), D("0.8"), 2020, D("-5.0"), D("1.2"), D("0.9")),
        target=D("65"),
        population=2400,
        population_label="kindergartners in the county's public schools",
    ),
    Spec(
        "Children screened for developmental delays by age 3",
        0,
        Direction.HIGHER,
        Frequency.ANNUAL,
        "Share of children turning 3 in the year who had at least one validated developmental "
        "screening (ASQ-3) since birth.",
        "County Department of Health, Help Me Grow screening records",
        curve=Curve(D("48.0"), D("1.5"), 2020, D("-9.0"), D("2.5"), D("0.6")),
        target=D("80"),
        population=2600,
        population_label="children turning 3 each year",
        stale=True,
    ),
    Spec(
        "K-3 students chronically absent",
        1,
        Direction.LOWER,
        Frequency.SCHOOL_YEAR,
        "Share of students in kindergarten through third grade enrolled 10 days or more who "
        "missed 10% or more of school days, for any reason.",
        "Lakeshore Unified attendance records",
        curve=Curve(D("14.5"), D("0.2"), 2021, D("13.0"), D("-2.3"), D("-0.6")),
        target=D("10"),
        population=9600,
        population_label="students in kindergarten through third grade",
    ),
    Spec(
        "Average daily attendance, K-3",
        1,
        Direction.HIGHER,
        Frequency.SCHOOL_YEAR,
        "Days attended as a share of days enrolled, kindergarten through third grade.",
        "Lakeshore Unified attendance records",
        curve=Curve(D("94.6"), D("0.05"), 2021, D("-3.2"), D("0.6"), D("0.12")),
        target=D("96"),
        population=9600,
        population_label="students in kindergarten through third grade",
    ),
    Spec(
        "Third graders reading at grade level",
        2,
        Direction.HIGHER,
        Frequency.SCHOOL_YEAR,
        "Share of third graders scoring proficient or above on the state English language arts "
        "assessment. No test was given in spring 2020.",
        "State assessment, grade 3 English language arts",
        curve=Curve(D("38.0"), D("0.9"), 2020, D("-6.5"), D("1.6"), D("1.0")),
        target=D("80"),
        population=2300,
        population_label="third graders in the county's public schools",
        skip_years=(2019,),
    ),
    Spec(
        "First graders reading at benchmark",
        2,
        Direction.HIGHER,
        Frequency.SCHOOL_YEAR,
        "Share of first graders at or above benchmark on the spring literacy screener.",
        "Lakeshore Unified spring literacy screener",
        curve=Curve(D("52.0"), D("0.7"), 2020, D("-8.0"), D("2.0"), D("0.9")),
        target=D("75"),
        population=2450,
        population_label="first graders in the county's public schools",
        skip_years=(2019,),
    ),
    Spec(
        "Families who feel welcome at their child's school",
        3,
        Direction.HIGHER,
        Frequency.ANNUAL,
        "Share of family survey respondents who agree or strongly agree that they feel welcome "
        "at their child's school.",
        "Lakeshore Unified family climate survey",
        curve=Curve(D("61.0"), D("0.6"), 2020, D("-4.0"), D("1.0"), D("0.5")),
        target=D("85"),
        population=8800,
        population_label="families of children in kindergarten through third grade",
    ),
    Spec(
        "Parents reading with their child 3 or more days a week",
        3,
        Direction.HIGHER,
        Frequency.ANNUAL,
        "Share of parents of children under 9 who read or tell stories with their child on at "
        "least three days of a typical week.",
        "Lakeshore family survey (with the Community Foundation)",
        curve=Curve(D("55.0"), D("0.5"), 2020, D("3.0"), D("-0.5"), D("0.5")),
        target=D("75"),
        population=11000,
        population_label="families with children under 9",
    ),
]
# Where the large tenant's further indicators are measured (the same indicator per place).
PLACES = [
    "Northside", "Eastgate", "Riverbend", "Southside", "Harbor", "Westfield", "Lakeview",
    "Old Town",
]  # fmt: skip

# (kind, name, unit, first quarter's value, change per quarter) per workgroup, in the order of
# initiatives.demo.WORKGROUPS; generated workgroups cycle through them.
MEASURES: list[list[tuple[str, str, str, float, float]]] = [
    [
        ("how_much", "Children screened for developmental delays", Unit.COUNT, 180, 9),
        ("how_well", "Screenings with a concern followed up within 30 days", Unit.PERCENT, 58, 2),
        ("better_off", "Children referred who started services", Unit.PERCENT, 41, 1.5),
    ],
    [
        ("how_much", "Families reached by attendance outreach", Unit.COUNT, 120, 12),
        ("how_well", "Outreach calls made in the first week of absence", Unit.PERCENT, 47, 2.5),
        ("better_off", "Students reached no longer chronically absent", Unit.PERCENT, 30, 1.5),
    ],
    [
        ("how_much", "Children tutored twice a week", Unit.COUNT, 210, 10),
        ("how_well", "Tutoring sessions attended", Unit.PERCENT, 71, 1),
        ("better_off", "Tutored children who gained a reading level", Unit.PERCENT, 44, 1.2),
    ],
    [
        ("how_much", "Parent reading circles held", Unit.COUNT, 14, 1),
        ("how_well", "Circles led by parents", Unit.PERCENT, 35, 3),
        ("better_off", "Circle parents reading at home 3+ days a week", Unit.PERCENT, 52, 1.4),
    ],
]  # fmt: skip
# Which of a named workgroup's strategies its measures belong to.
MEASURE_STRATEGY = [1, 0, 1, 0]
MEASURE_QUARTERS = 8

NOTES = {
    "Third graders reading at grade level": (
        "Reading proficiency climbed slowly until 2019, fell by more than six points after a "
        "year of remote learning, and has been recovering since. The gap between Black and White "
        "third graders is the widest of any group and has narrowed only a little.",
        "Lakeshore Public Library, Literacy Lakeshore, Lakeshore Unified School District, "
        "Parents United for Reading",
        "Tutoring at least three times a week by trained tutors; summer programs that run six "
        "weeks or more; books children choose themselves.",
        "Grow tutoring to 600 children in the four schools with the lowest scores; open summer "
        "reading at two more branches; share results by school every fall.",
    ),
    "K-3 students chronically absent": (
        "Chronic absence nearly doubled in 2021-22 and is coming down, but is still well above "
        "where it was before the pandemic, most of all for Black and Hispanic students.",
        "Lakeshore Unified School District, County Human Services, Family Resource Center, "
        "Lakeshore Housing Authority",
        "Personal outreach in the first two weeks of absence; fixing transportation; health "
        "services in school.",
        "Outreach in three more schools; bus-pass fixes with the transit agency; a monthly "
        "attendance review by school.",
    ),
    "Kindergartners ready to learn": (
        "Readiness rose with the new pre-K seats, dipped when centers closed in 2020, and has "
        "more than recovered. Hispanic children are still least likely to enter ready.",
        "Head Start of Lakeshore, Centro Hispano, County Department of Health",
        "High-quality pre-K; screening and early help; play-and-learn groups in Spanish.",
        "Add 600 pre-K seats in Northside and Eastgate; screen every child at well-child visits.",
    ),
    "Families who feel welcome at their child's school": (
        "Families feel more welcome where schools interpret and translate, and less where "
        "they hear from the school only when something is wrong.",
        "Centro Hispano, Hmong American Friendship Association, Family Resource Center",
        "Interpretation at every meeting; positive phone calls home; parent-led circles.",
        "Interpretation in every school office by spring; two positive calls per child a year.",
    ),
}


def _curve(spec: Spec, when: int) -> Decimal:
    c = spec.curve
    pre = c.start + c.slope * (min(when, 2019) - 2015)
    if when < c.shock_year:
        return pre
    return pre + c.shock + c.recovery * (when - c.shock_year)


def _offset(base: Decimal, spec: Spec, when: int) -> Decimal:
    # The gaps narrow by 4% a year from 2022: a curve starting to turn.
    narrowing = max(Decimal("0.6"), 1 - Decimal("0.04") * max(0, when - 2021))
    return base * spec.curve.spread * narrowing


def _clamp(value: Decimal) -> Decimal:
    return min(Decimal("99.5"), max(Decimal("0.5"), value)).quantize(Decimal("0.1"))


def _periods(spec: Spec, today: date, count: int) -> list[tuple[int, Period]]:
    """The `count` latest complete periods (a school year's first year as its year)."""
    school = spec.frequency == Frequency.SCHOOL_YEAR
    last = today.year - (1 if not school or today.month >= 7 else 2)
    if spec.stale:
        last -= 2  # two years of data have not come in: the stale list has this one
    make = school_year if school else year
    return [(y, make(y)) for y in range(last - count + 1, last + 1) if y not in spec.skip_years]


def _target_period(spec: Spec) -> str:
    return school_year(2029).label if spec.frequency == Frequency.SCHOOL_YEAR else "2030"


def build_measurement(ctx: DemoContext) -> None:
    org = ctx.organization
    rng = ctx.rng
    size = ctx.size
    today = timezone.localdate()
    results = list(Result.objects.filter(organization=org).select_related("initiative"))
    if not results:
        return
    initiative = results[0].initiative
    staff = ctx.users.get("staff")
    steward = Person.objects.filter(organization=org, user=staff).first() if staff else None

    dimension = Dimension.objects.create(
        organization=org, initiative=initiative, name="Race/ethnicity", position=0
    )
    groups = GROUPS[: size.groups]
    categories = Category.objects.bulk_create(
        Category(organization=org, dimension=dimension, name=name, position=n)
        for n, (name, _) in enumerate(groups)
    )

    specs: list[tuple[Spec, str]] = [(spec, spec.name) for spec in INDICATORS]
    for n in range(len(specs), size.indicators):
        spec = INDICATORS[n % len(INDICATORS)]
        place = PLACES[(n // len(INDICATORS) - 1) % len(PLACES)]
        specs.append((spec, f"{spec.name} — {place}"))
    specs = specs[: size.indicators]

    indicators: list[Indicator] = []
    series: list[list[tuple[int, Period, Decimal]]] = []
    positions: dict[int, int] = {}
    for spec, name in specs:
        periods = [
            (when, period, _clamp(_curve(spec, when) + Decimal(rng.randint(-4, 4)) / 10))
            for when, period in _periods(spec, today, size.years)
        ]
        series.append(periods)
        result = results[spec.result % len(results)]
        positions[result.pk] = positions.get(result.pk, -1) + 1
        indicators.append(
            Indicator(
                organization=org,
                initiative=initiative,
                result=result,
                name=name,
                definition=spec.definition,
                unit=Unit.PERCENT,
                direction=spec.direction,
                baseline_value=periods[0][2],
                baseline_period=periods[0][1].label,
                target_value=spec.target,
                target_period=_target_period(spec),
                population=Decimal(spec.population),
                population_label=spec.population_label,
                data_source=spec.data_source,
                frequency=spec.frequency,
                steward=steward,
                position=positions[result.pk],
            )
        )
    indicators = Indicator.objects.bulk_create(indicators)

    points: list[DataPoint] = []
    for i, ((spec, _), indicator, periods) in enumerate(
        zip(specs, indicators, series, strict=True)
    ):
        for j, (when, period, total) in enumerate(periods):
            points.append(_point(org, indicator, period, total, spec.data_source))
            for category, (group, base) in zip(categories, groups, strict=True):
                if group in SMALL_GROUPS and (i + j) % 4 == 0:
                    points.append(
                        _point(
                            org,
                            indicator,
                            period,
                            None,
                            spec.data_source,
                            category=category,
                            marker=MARKERS[(i + j) % len(MARKERS)],
                        )
                    )
                    continue
                noise = Decimal(rng.randint(-8, 8)) / 10
                value = _clamp(total + _offset(base, spec, when) + noise)
                points.append(
                    _point(org, indicator, period, value, spec.data_source, category=category)
                )

    # Performance measures: three per workgroup, quarterly for the last two years.
    workgroups = list(
        Table.objects.filter(organization=org, kind=Table.Kind.WORKGROUP)
        .prefetch_related("strategies")
        .order_by("id")
    )
    cochairs: dict[int, Person] = {}
    for seat in Seat.objects.filter(
        organization=org, table__in=workgroups, role=Seat.Role.CO_CHAIR
    ).select_related("person"):
        cochairs.setdefault(seat.table_id, seat.person)
    last_quarter = (today.month - 1) // 3  # 0 means last year's fourth quarter
    quarters: list[Period] = []
    y, q = (today.year, last_quarter) if last_quarter else (today.year - 1, 4)
    for _ in range(MEASURE_QUARTERS):
        quarters.insert(0, quarter(y, q))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    measures: list[PerformanceMeasure] = []
    shapes: list[tuple[float, float, str]] = []
    for n, table in enumerate(workgroups):
        strategies = list(table.strategies.all())
        pick = MEASURE_STRATEGY[n % len(MEASURE_STRATEGY)]
        for kind, name, unit, start, change in MEASURES[n % len(MEASURES)]:
            end = start + change * (MEASURE_QUARTERS + 4)
            measures.append(
                PerformanceMeasure(
                    organization=org,
                    initiative=initiative,
                    kind=kind,
                    strategy=strategies[min(pick, len(strategies) - 1)] if strategies else None,
                    table=table,
                    name=name,
                    unit=unit,
                    direction=Direction.HIGHER,
                    baseline_value=Decimal(start),
                    baseline_period=quarters[0].label,
                    target_value=_clamp(Decimal(end)) if unit == Unit.PERCENT else Decimal(end),
                    target_period=quarter(today.year + 1, 4).label,
                    data_source=f"{table.name} program records",
                    frequency=Frequency.QUARTERLY,
                    steward=cochairs.get(table.pk),
                    position=len(measures),
                )
            )
            shapes.append((start, change, unit))
    measures = PerformanceMeasure.objects.bulk_create(measures)
    for measure, (start, change, unit) in zip(measures, shapes, strict=True):
        for k, period in enumerate(quarters):
            raw = Decimal(str(start + change * k + rng.uniform(-1.5, 1.5) * change))
            value = _clamp(raw) if unit == Unit.PERCENT else raw.quantize(Decimal(1))
            points.append(_point(org, measure, period, value, f"{measure.table} program records"))
    bulk_create_with_history(points, DataPoint, batch_size=2000, default_user=staff)

    _gaps(ctx, indicators[: len(INDICATORS)], categories)
    _notes(ctx, indicators[: len(INDICATORS)], measures)
    # A value the source corrected after it was first loaded, so the history shows a change.
    reading = next(i for i in indicators if i.name == "Third graders reading at grade level")
    corrected = DataPoint.objects.filter(indicator=reading, category=None).order_by("-period_start")
    point = corrected[1] if corrected.count() > 1 else None
    if point is not None and point.value is not None:
        data_point_upsert(
            subject=reading,
            period=point.period,
            value=point.value + Decimal("0.4"),
            source="State assessment, grade 3 English language arts (revised file)",
            note="The state re-issued the file after score appeals.",
            changed_by=staff,
        )


def _point(
    org: Organization,
    subject: Indicator | PerformanceMeasure,
    period: Period,
    value: Decimal | None,
    source: str,
    *,
    category: Category | None = None,
    marker: str = "",
) -> DataPoint:
    return DataPoint(
        organization=org,
        indicator=subject if isinstance(subject, Indicator) else None,
        measure=subject if isinstance(subject, PerformanceMeasure) else None,
        period=period.label,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        category=category,
        value=value,
        suppressed=value is None,
        suppression_marker=marker,
        source=source,
    )


def _gaps(ctx: DemoContext, indicators: list[Indicator], categories: list[Category]) -> None:
    by_name = {c.name: c for c in categories}
    wanted = [
        ("Third graders reading at grade level", "White", "Black or African American"),
        ("Kindergartners ready to learn", "White", "Hispanic or Latino"),
        ("K-3 students chronically absent", "White", "Black or African American"),
    ]
    gaps = []
    for name, reference, focus in wanted:
        indicator = next((i for i in indicators if i.name == name), None)
        if indicator is None or reference not in by_name or focus not in by_name:
            continue
        first = (
            DataPoint.objects.filter(
                indicator=indicator, category__in=[by_name[reference], by_name[focus]]
            )
            .order_by("period_start")
            .values_list("category__name", "value")[:2]
        )
        values = dict(first)
        start_gap = abs((values.get(reference) or Decimal(0)) - (values.get(focus) or Decimal(0)))
        gaps.append(
            DisparityGap(
                organization=ctx.organization,
                indicator=indicator,
                dimension=by_name[reference].dimension,
                reference=by_name[reference],
                focus=by_name[focus],
                name=f"{focus} and {reference} students",
                # "Close the gap by half by 2030."
                target_value=(start_gap / 2).quantize(Decimal("0.1")),
                target_period=indicator.target_period,
            )
        )
    DisparityGap.objects.bulk_create(gaps)


def _notes(
    ctx: DemoContext, indicators: list[Indicator], measures: list[PerformanceMeasure]
) -> None:
    org = ctx.organization
    today = timezone.localdate()
    partners = {p.name: p for p in PartnerOrganization.objects.filter(organization=org)}
    staff = ctx.users.get("staff")
    for indicator in indicators:
        if indicator.name not in NOTES:
            continue
        story, who, what_works, plan = NOTES[indicator.name]
        strategies = list(Strategy.objects.filter(result_id=indicator.result_id))
        actions = list(
            KeyAction.objects.filter(strategy__in=strategies, workplan__year=today.year).order_by(
                "id"
            )[:3]
        )
        turn_the_curve_save(
            subject=indicator,
            story=story,
            what_works=what_works,
            action_plan=plan,
            partners=[partners[n] for n in who.split(", ") if n in partners],
            strategies=strategies,
            key_actions=actions,
            by=staff,
        )
    tutoring = next(
        (m for m in measures if m.name == "Tutored children who gained a reading level"), None
    )
    if tutoring is not None:
        turn_the_curve_save(
            subject=tutoring,
            story="Children who came to most sessions gained; those who missed half did not.",
            what_works="Same tutor all year; sessions right after school.",
            action_plan="Move sessions to the school day in Eastgate; text reminders to families.",
            strategies=[tutoring.strategy] if tutoring.strategy else [],
            by=staff,
        )
