"""A tenant for the public results page's tests: an initiative with published and unpublished
indicators, suppressed values, and people everywhere a page could leak them (stewards, seats,
commitments, help requests, notes on data points)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from dashboard.models import DashboardSettings
from dashboard.services import settings_for
from initiatives.models import Initiative, Person, Result, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PersonFactory,
    ResultFactory,
    SeatFactory,
    TableFactory,
)
from metrics.models import Category, Indicator, PeriodKind
from metrics.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    IndicatorFactory,
)
from tests.fixtures import Personas
from workplans.models import Channel, HelpRequest
from workplans.tests.factories import CommitmentFactory, MeetingFactory

# A value stored on a suppressed point by a careless import: it must never appear anywhere.
HIDDEN_VALUE = Decimal("77.7")
HIDDEN_TEXTS = ("77.7", "77,7")


@dataclass
class PublicWorld:
    initiative: Initiative
    reading: Result
    attendance: Result
    families: Result  # nothing of it published: left off the page
    published: Indicator  # reading, with groups and suppressed values
    published_too: Indicator  # attendance
    unpublished: Indicator  # reading, not chosen
    unpublished_other: Indicator  # families, not chosen
    white: Category
    black: Category
    settings: DashboardSettings
    people: list[Person] = field(default_factory=list)
    private_texts: list[str] = field(default_factory=list)


def _point(indicator: Indicator, year: int, value: str | None, **extra: Any) -> None:
    DataPointFactory(
        indicator=indicator,
        period=str(year),
        period_kind=PeriodKind.YEAR,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        value=None if value is None else Decimal(value),
        **extra,
    )


def build(personas: Personas, *, publish: bool = True) -> PublicWorld:
    org = personas.org
    initiative: Any = InitiativeFactory(
        organization=org,
        name="Lakeshore Reads",
        north_star="By 2030, 80% of Lakeshore third graders read at grade level.",
    )
    reading: Any = ResultFactory(
        initiative=initiative, statement="Children read at grade level.", position=1
    )
    attendance: Any = ResultFactory(
        initiative=initiative, statement="Children attend school every day.", position=2
    )
    families: Any = ResultFactory(
        initiative=initiative, statement="Families are partners in learning.", position=3
    )
    steward: Any = PersonFactory(
        organization=org, full_name="Octavia Pemberton-Vance", email="octavia@stewards.example"
    )
    published: Any = IndicatorFactory(
        result=reading,
        name="Third graders reading at grade level",
        definition="Share of third graders meeting the state reading standard.",
        data_source="State reading assessment",
        baseline_value=Decimal("40"),
        baseline_period="2022",
        target_value=Decimal("60"),
        target_period="2030",
        steward=steward,
        position=1,
    )
    unpublished: Any = IndicatorFactory(
        result=reading, name="Second graders on track in phonics", position=2
    )
    published_too: Any = IndicatorFactory(
        result=attendance,
        name="Average daily attendance",
        data_source="District attendance records",
        steward=steward,
        position=1,
    )
    unpublished_other: Any = IndicatorFactory(
        result=families, name="Families who feel welcome", position=1
    )
    dimension: Any = DimensionFactory(initiative=initiative, name="Race/ethnicity", position=1)
    white: Any = CategoryFactory(dimension=dimension, name="White", position=1)
    black: Any = CategoryFactory(dimension=dimension, name="Black", position=2)
    _point(published, 2023, "42.5", note="Checked by Zebulon Quartermaine")
    _point(published, 2024, "45")
    _point(published, 2024, "51", category=white)
    _point(
        published,
        2024,
        str(HIDDEN_VALUE),
        category=black,
        suppressed=True,
        suppression_marker="<10",
    )
    _point(published_too, 2023, str(HIDDEN_VALUE), suppressed=True, suppression_marker="*")
    _point(published_too, 2024, "93.25")
    _point(unpublished, 2024, "12")
    _point(unpublished_other, 2024, "64")

    # People, and everything they do, where no public page may show them.
    steering: Any = TableFactory(
        initiative=initiative, kind=Table.Kind.STEERING, name="Steering committee"
    )
    workgroup: Any = TableFactory(initiative=initiative, name="Early literacy workgroup")
    chair: Any = SeatFactory(
        table=steering,
        person__full_name="Marisol Etxeberria",
        person__email="marisol@partners.example",
    )
    member: Any = SeatFactory(
        table=workgroup,
        person__full_name="Thaddeus Okonkwo-Lindqvist",
        person__email="thaddeus@partners.example",
    )
    meeting: Any = MeetingFactory(table=workgroup)
    commitment: Any = CommitmentFactory(
        meeting=meeting, person=member.person, what="Call the superintendent about tutors"
    )
    HelpRequest.objects.create(
        organization=org,
        initiative=initiative,
        table=workgroup,
        commitment=commitment,
        person=member.person,
        kind=HelpRequest.Kind.BLOCKED,
        channel=Channel.EMAIL_REPLY,
    )

    settings = settings_for(initiative)
    if publish:
        settings.public_enabled = True
        settings.public_intro = "These are the numbers we watch together."
        settings.save()
        settings.public_indicators.set([published, published_too])
    people = [steward, chair.person, member.person]
    private = [
        *(p.full_name for p in people),
        *(p.email for p in people),
        "Zebulon Quartermaine",
        "Call the superintendent about tutors",
        "Early literacy workgroup",
        "Steering committee",
        *(u.full_name for u in (personas.staff, personas.steering, personas.partner)),
        *(u.email for u in (personas.staff, personas.steering, personas.partner)),
    ]
    return PublicWorld(
        initiative=initiative,
        reading=reading,
        attendance=attendance,
        families=families,
        published=published,
        published_too=published_too,
        unpublished=unpublished,
        unpublished_other=unpublished_other,
        white=white,
        black=black,
        settings=settings,
        people=people,
        private_texts=private,
    )


def more_published(world: PublicWorld, count: int) -> list[Indicator]:
    """`count` more published indicators, each with values for everyone and a group (one of
    them suppressed), spread over the first two results."""
    made = []
    for n in range(count):
        result = world.reading if n % 2 == 0 else world.attendance
        indicator: Any = IndicatorFactory(result=result, name=f"Extra indicator {n}")
        _point(indicator, 2023, "10")
        _point(indicator, 2024, "11")
        _point(indicator, 2024, "12", category=world.white)
        _point(indicator, 2024, None, category=world.black, suppressed=True)
        made.append(indicator)
    world.settings.public_indicators.add(*made)
    return made
