"""Reads of the common agenda and the tables, each in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from backbone.models import Organization
from initiatives.models import (
    Gender,
    Initiative,
    PartnerOrganization,
    Person,
    RaceEthnicity,
    Result,
    Screening,
    Seat,
    Sector,
    SizeBand,
    Strategy,
    Table,
)

# Demographic groups smaller than this are not shown, so no one can be singled out.
SMALL_GROUP = 5
GRASSROOTS_SECTORS = {Sector.GRASSROOTS, Sector.RESIDENT_ASSOCIATION}


def initiatives_for(
    *, organization: Organization, include_archived: bool = False
) -> QuerySet[Initiative]:
    qs = Initiative.objects.in_org(organization).annotate(
        result_count=Count("results", distinct=True),
        workgroup_count=Count("tables", filter=Q(tables__kind=Table.Kind.WORKGROUP), distinct=True),
    )
    if not include_archived:
        qs = qs.filter(status=Initiative.Status.ACTIVE)
    return qs.order_by("status", "name")


def common_agenda(*, initiative: Initiative) -> list[Result]:
    """North Star → results → strategies → workgroups carrying each, in four queries."""
    workgroups = Table.objects.filter(kind=Table.Kind.WORKGROUP).order_by("name")
    strategies = Strategy.objects.order_by("position", "id").prefetch_related(
        Prefetch("tables", queryset=workgroups)
    )
    return list(
        initiative.results.order_by("position", "id").prefetch_related(
            Prefetch("strategies", queryset=strategies)
        )
    )


def tables_of(*, initiative: Initiative) -> list[Table]:
    """The steering committee first, then workgroups, with seats and strategies loaded."""
    seats = Seat.objects.filter(person__archived_at__isnull=True).select_related(
        "person", "person__partner_organization"
    )
    return sorted(
        Table.objects.filter(initiative=initiative).prefetch_related(
            Prefetch("seats", queryset=seats), "strategies"
        ),
        key=lambda t: (not t.is_steering, t.name.lower()),
    )


def people_list(
    *, organization: Organization, query: str = "", include_archived: bool = False
) -> QuerySet[Person]:
    qs = Person.objects.in_org(organization).select_related("partner_organization", "user")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if query.strip():
        q = query.strip()
        qs = qs.filter(
            Q(full_name__icontains=q)
            | Q(email__icontains=q)
            | Q(partner_organization__name__icontains=q)
        )
    return qs.annotate(table_count=Count("seats", distinct=True)).order_by("full_name", "id")


def partners_list(*, organization: Organization, query: str = "") -> QuerySet[PartnerOrganization]:
    qs = PartnerOrganization.objects.in_org(organization)
    if query.strip():
        qs = qs.filter(name__icontains=query.strip())
    return qs.annotate(
        people_count=Count("people", filter=Q(people__archived_at__isnull=True))
    ).order_by("name")


def seats_of(*, person: Person) -> QuerySet[Seat]:
    return person.seats.select_related("table", "table__initiative").order_by(
        "table__initiative__name", "table__kind", "table__name"
    )


def screenings_of(*, initiative: Initiative) -> QuerySet[Screening]:
    return initiative.screenings.select_related("recorded_by").prefetch_related("answers")


# --- Who is at the table --------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | None  # None: a group too small to show

    @property
    def shown(self) -> str:
        return _("fewer than %(n)s") % {"n": SMALL_GROUP} if self.count is None else str(self.count)


@dataclass
class Composition:
    table: Table
    people: int
    organizations: int
    by_sector: list[Bar] = field(default_factory=list)
    by_size: list[Bar] = field(default_factory=list)
    community_led_organizations: int = 0
    grassroots_organizations: int = 0
    community_members: int = 0
    professionals: int = 0
    race_ethnicity: list[Bar] = field(default_factory=list)
    gender: list[Bar] = field(default_factory=list)
    demographics_shown: bool = False
    flags: list[str] = field(default_factory=list)


def _bars(counter: Counter[str], choices: Any, *, suppress: bool = False) -> list[Bar]:
    bars = []
    for value, label in choices:
        count = counter.get(value, 0)
        if count == 0:
            continue
        bars.append(Bar(str(label), None if suppress and count < SMALL_GROUP else count))
    return bars


def composition(table: Table, seats: Iterable[Seat] | None = None) -> Composition:
    """Who sits at one table. Pass `seats` already loaded (tables_of) to add no queries."""
    seats = list(table.seats.all() if seats is None else seats)
    people = [s.person for s in seats if s.person.archived_at is None]
    orgs = {
        p.partner_organization.pk: p.partner_organization for p in people if p.partner_organization
    }
    sector_counts: Counter[str] = Counter(o.sector for o in orgs.values())
    size_counts: Counter[str] = Counter(o.size_band for o in orgs.values())
    community = sum(1 for p in people if p.is_community_member)
    result = Composition(
        table=table,
        people=len(people),
        organizations=len(orgs),
        by_sector=_bars(sector_counts, Sector.choices),
        by_size=_bars(size_counts, SizeBand.choices),
        community_led_organizations=sum(1 for o in orgs.values() if o.community_led),
        grassroots_organizations=sum(1 for o in orgs.values() if o.sector in GRASSROOTS_SECTORS),
        community_members=community,
        professionals=len(people) - community,
    )
    responding = [p for p in people if p.race_ethnicity or p.gender]
    if len(responding) >= SMALL_GROUP:
        result.demographics_shown = True
        result.race_ethnicity = _bars(
            Counter(p.race_ethnicity for p in people if p.race_ethnicity),
            RaceEthnicity.choices,
            suppress=True,
        )
        result.gender = _bars(
            Counter(p.gender for p in people if p.gender), Gender.choices, suppress=True
        )
    if people and community == 0:
        result.flags.append(_("No community members at this table."))
    if orgs and result.grassroots_organizations == 0 and result.community_led_organizations == 0:
        result.flags.append(_("No grassroots or community-led organizations."))
    small = size_counts.get(SizeBand.UNDER_250K, 0)
    if len(orgs) >= 3 and small == 0:
        result.flags.append(_("No organizations with budgets under $250,000."))
    if len(orgs) >= 4:
        top_sector, top = sector_counts.most_common(1)[0]
        if top * 2 > len(orgs):
            result.flags.append(
                _("More than half of the organizations are from one sector (%(sector)s).")
                % {"sector": Sector(top_sector).label}
            )
    return result
