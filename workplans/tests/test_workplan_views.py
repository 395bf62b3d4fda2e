"""Annual workplan pages: a workgroup's years, one year's key actions edited inline, the update
log, renewal, the year-over-year comparison, and who may do what."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import Role
from initiatives.models import Seat, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import Commitment, KeyAction, KeyActionUpdate, Meeting, Workplan
from workplans.services import workplan_renew
from workplans.tests.factories import KeyActionFactory, KeyActionUpdateFactory, WorkplanFactory

Login = Callable[[User], Client]
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(datetime(2025, 6, 16, 15, 0, tzinfo=UTC), tick=False):
        yield


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


class World:
    """An initiative with two workgroups: X (the co-chair persona co-chairs it, the partner
    persona sits at it) and Y (neither leads it; the partner does not sit there). X has a 2025
    workplan: two key actions under Summer reading, one under Reduce absence."""

    initiative: Any
    reading: Any
    absence: Any
    x: Any
    y: Any
    cochair: Any
    partner_person: Any
    lead: Any
    library: Any
    bank: Any
    plan: Any
    tutors: Any
    challenge: Any
    outreach: Any
    y_plan: Any
    y_action: Any

    def __init__(self, personas: Personas) -> None:
        org = personas.org
        self.org = org
        self.initiative = InitiativeFactory(organization=org, name="Lakeshore Reads")
        self.reading = StrategyFactory(
            result__initiative=self.initiative, organization=org, title="Summer reading"
        )
        self.absence = StrategyFactory(
            result__initiative=self.initiative, organization=org, title="Reduce absence"
        )
        self.x = TableFactory(initiative=self.initiative, name="Early Learning")
        self.x.strategies.set([self.reading, self.absence])
        self.y = TableFactory(initiative=self.initiative, name="Attendance Works")
        self.cochair = PersonFactory(
            organization=org, full_name="Keisha Brown", user=personas.cochair
        )
        self.partner_person = PersonFactory(
            organization=org, full_name="Tran Nguyen", user=personas.partner
        )
        SeatFactory(table=self.x, person=self.cochair, role=Seat.Role.CO_CHAIR)
        SeatFactory(table=self.x, person=self.partner_person)
        self.lead = PersonFactory(organization=org, full_name="Ana Diaz")
        self.library = PartnerOrganizationFactory(organization=org, name="City Library")
        self.bank = PartnerOrganizationFactory(organization=org, name="Harbor Bank")
        self.plan = WorkplanFactory(table=self.x, year=2025)
        self.tutors = KeyActionFactory(
            workplan=self.plan,
            strategy=self.reading,
            description="Recruit 60 volunteer tutors",
            lead=self.lead,
            start_date=date(2025, 1, 15),
            due_date=date(2025, 5, 31),
            done_when="60 tutors trained and placed",
            status=KeyAction.Status.ON_TRACK,
            percent_complete=40,
        )
        self.tutors.contributors.set([self.library])
        self.challenge = KeyActionFactory(
            workplan=self.plan,
            strategy=self.reading,
            description="Run the summer reading challenge",
            due_date=date(2025, 9, 1),
            status=KeyAction.Status.AT_RISK,
            percent_complete=10,
        )
        self.outreach = KeyActionFactory(
            workplan=self.plan,
            strategy=self.absence,
            description="Attendance outreach in three schools",
            status=KeyAction.Status.DONE,
            percent_complete=100,
        )
        self.y_plan = WorkplanFactory(table=self.y, year=2025)
        self.y_action = KeyActionFactory(
            workplan=self.y_plan, strategy=self.absence, description="Bus passes"
        )


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def key_action_row(action: Any) -> dict[str, Any]:
    return dict(KeyAction.objects.filter(pk=action.pk).values().get())


def edit_data(world: World, action: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "strategy": str(action.strategy_id),
        "description": action.description,
        "lead": str(action.lead_id or ""),
        "contributors": [str(c.pk) for c in action.contributors.all()],
        "start_date": action.start_date.isoformat() if action.start_date else "",
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "done_when": action.done_when,
        "status": action.status,
        "percent_complete": str(action.percent_complete),
        "version": str(action.version),
    }
    data.update(overrides)
    return data


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- A workgroup's years --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "table", "status"),
    [
        (Role.STAFF, "y", 200),
        (Role.STEERING, "y", 200),
        (Role.COCHAIR, "y", 200),
        (Role.PARTNER, "x", 200),
        (Role.PARTNER, "y", 403),
    ],
)
def test_workplans_list_reads_by_role(
    role: Role, table: str, status: int, world: World, personas: Personas, login: Login
) -> None:
    t = getattr(world, table)
    response = login(personas.by_role(role)).get(url("table_workplans", table_id=t.pk))

    assert response.status_code == status


def test_workplans_list_of_another_organization_is_not_found(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.outsider).get(url("table_workplans", table_id=world.x.pk))

    assert response.status_code == 404


def test_workplans_list_shows_each_year_with_completion_without_dropped(
    world: World, personas: Personas, login: Login
) -> None:
    KeyActionFactory(workplan=world.plan, strategy=world.absence, status="dropped")
    workplan_renew(workplan=world.plan)

    response = login(personas.steering).get(url("table_workplans", table_id=world.x.pk))

    rows = [
        (y["workplan"].year, y["done"], y["counted"], y["dropped"], y["completion"])
        for y in response.context["years"]
    ]
    assert rows == [(2026, 0, 2, 0, 0), (2025, 1, 3, 1, 33)]
    assert "1 / 3" in text_of(response)
    assert "Start the" not in text_of(response)  # steering reads only


def test_start_button_shows_only_to_those_who_may_start_it(
    personas: Personas, world: World, login: Login
) -> None:
    Workplan.objects.filter(table=world.x).delete()

    for user, shown in [
        (personas.staff, True),
        (personas.cochair, True),
        (personas.steering, False),
        (personas.partner, False),
    ]:
        response = login(user).get(url("table_workplans", table_id=world.x.pk))
        assert ("Start the 2025 workplan" in text_of(response)) is shown, user


@pytest.mark.parametrize("role", [Role.STAFF, Role.COCHAIR])
def test_staff_and_the_tables_cochair_start_a_workplan(
    role: Role, world: World, personas: Personas, login: Login
) -> None:
    Workplan.objects.filter(table=world.x).delete()

    response = login(personas.by_role(role)).post(
        url("workplan_create", table_id=world.x.pk), {"year": "2025"}
    )

    made = Workplan.objects.get(table=world.x)
    assert response.status_code == 302
    assert response["Location"] == url("workplan_detail", workplan_id=made.pk)
    assert (made.year, made.initiative_id, made.closed_at) == (2025, world.initiative.pk, None)


@pytest.mark.parametrize(
    ("role", "table", "status"),
    [
        (Role.STEERING, "x", 403),
        (Role.PARTNER, "x", 403),
        (Role.COCHAIR, "y", 403),
    ],
)
def test_others_cannot_start_a_workplan_and_nothing_changes(
    role: Role, table: str, status: int, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.by_role(role))
    before = snapshot()

    response = client.post(
        url("workplan_create", table_id=getattr(world, table).pk), {"year": "2026"}
    )

    assert response.status_code == status
    assert snapshot() == before


def test_outsider_cannot_start_a_workplan(world: World, personas: Personas, login: Login) -> None:
    client = login(personas.outsider)
    before = snapshot()

    response = client.post(url("workplan_create", table_id=world.x.pk), {"year": "2026"})

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2025", "Early Learning already has a 2025 workplan."),
        ("1999", "Choose a year between 2000 and 2100."),
        ("soon", "Choose a year between 2000 and 2100."),
    ],
)
def test_starting_a_workplan_refused_shows_why(
    year: str, message: str, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(url("workplan_create", table_id=world.x.pk), {"year": year})

    assert response.status_code == 400
    assert response.context["error"] == message
    assert snapshot() == before


def test_the_steering_committee_has_no_workplan(
    world: World, personas: Personas, login: Login
) -> None:
    steering: Any = TableFactory(initiative=world.initiative, kind=Table.Kind.STEERING)
    client = login(personas.staff)

    page = client.get(url("table_workplans", table_id=steering.pk))
    refused = client.post(url("workplan_create", table_id=steering.pk), {"year": "2025"})

    assert "Workplans belong to workgroups" in text_of(page)
    assert refused.status_code == 400
    assert refused.context["error"] == "Workplans belong to workgroups."
    assert Workplan.objects.filter(table=steering).count() == 0


# --- One year's page ------------------------------------------------------------------------


def test_workplan_page_groups_by_strategy_and_lists_what_needs_attention_first(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.steering).get(url("workplan_detail", workplan_id=world.plan.pk))

    assert response.status_code == 200
    groups = [
        (g.strategy.title, [a.description for a in g.key_actions])
        for g in response.context["groups"]
    ]
    assert groups == [
        ("Summer reading", ["Recruit 60 volunteer tutors", "Run the summer reading challenge"]),
        ("Reduce absence", ["Attendance outreach in three schools"]),
    ]
    # Overdue first (due May 31, today is June 16), then at risk.
    assert [a.description for a in response.context["attention"]] == [
        "Recruit 60 volunteer tutors",
        "Run the summer reading challenge",
    ]
    assert response.context["view"].completion == 33
    page = text_of(response)
    assert "1 of 3 key actions done" in page
    assert "Overdue since May 31" in page
    assert "60 tutors trained and placed" in page
    assert "City Library" in page
    assert "Ana Diaz" in page
    assert '<span class="ka-status__icon" aria-hidden="true">!</span>At risk' in page


def test_a_strategy_the_workgroup_carries_without_actions_shows_empty(
    world: World, personas: Personas, login: Login
) -> None:
    world.outreach.delete()

    response = login(personas.staff).get(url("workplan_detail", workplan_id=world.plan.pk))

    assert [(g.strategy.title, len(g.key_actions)) for g in response.context["groups"]] == [
        ("Summer reading", 2),
        ("Reduce absence", 0),
    ]
    assert "No key actions for this strategy yet." in text_of(response)


@pytest.mark.parametrize(
    ("role", "plan", "status", "editable"),
    [
        (Role.STAFF, "plan", 200, True),
        (Role.COCHAIR, "plan", 200, True),
        (Role.COCHAIR, "y_plan", 200, False),
        (Role.STEERING, "plan", 200, False),
        (Role.PARTNER, "plan", 200, False),
        (Role.PARTNER, "y_plan", 403, False),
    ],
)
def test_workplan_page_by_role_and_edit_controls_only_for_editors(
    role: Role,
    plan: str,
    status: int,
    editable: bool,
    world: World,
    personas: Personas,
    login: Login,
) -> None:
    response = login(personas.by_role(role)).get(
        url("workplan_detail", workplan_id=getattr(world, plan).pk)
    )

    assert response.status_code == status
    if status == 200:
        assert response.context["editable"] is editable
        page = response.content.decode()
        assert ('name="percent_complete"' in page) is editable
        assert ("Add a key action" in page) is editable
        assert ("Start next year" in page) is editable


def test_workplan_page_of_another_organization_is_not_found(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.outsider).get(url("workplan_detail", workplan_id=world.plan.pk))

    assert response.status_code == 404


def _plan_with(personas: Personas, n: int) -> Any:
    table: Any = TableFactory(initiative__organization=personas.org)
    strategies = [
        StrategyFactory(result__initiative=table.initiative, organization=personas.org)
        for _ in range(3)
    ]
    table.strategies.set(strategies)
    plan: Any = WorkplanFactory(table=table, year=2025)
    partners = PartnerOrganizationFactory.create_batch(2, organization=personas.org)
    for i in range(n):
        action: Any = KeyActionFactory(
            workplan=plan,
            strategy=strategies[i % 3],
            lead=PersonFactory(organization=personas.org),
            due_date=date(2025, 1, 1) if i % 2 else None,
            status="at_risk" if i % 3 == 0 else "on_track",
        )
        action.contributors.set(partners)
    return plan


def test_workplan_page_queries_do_not_grow(
    personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    small, large = _plan_with(personas, 3), _plan_with(personas, 30)
    client = login(personas.staff)
    client.get(url("workplan_detail", workplan_id=small.pk))
    counts = []
    for plan in (small, large):
        # session, user, membership, switcher; the workplan (table, initiative, previous, next);
        # its key actions (strategy, result, lead joined), their contributors; the strategies
        # the workgroup carries
        with django_assert_num_queries(8):
            response = client.get(url("workplan_detail", workplan_id=plan.pk))
        counts.append(response.context["view"].total)
    assert counts == [3, 30]


def test_cochair_workplan_page_queries_do_not_grow(
    personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    small, large = _plan_with(personas, 3), _plan_with(personas, 30)
    cochair: Any = PersonFactory(organization=personas.org, user=personas.cochair)
    for plan in (small, large):
        SeatFactory(table=plan.table, person=cochair, role=Seat.Role.CO_CHAIR)
    client = login(personas.cochair)
    client.get(url("workplan_detail", workplan_id=small.pk))
    for plan in (small, large):
        # as for staff, plus the co-chair's seat at the table
        with django_assert_num_queries(9):
            response = client.get(url("workplan_detail", workplan_id=plan.pk))
        assert response.context["editable"] is True


@pytest.mark.parametrize("years", [2, 6])
def test_list_and_compare_queries_do_not_grow(
    years: int, world: World, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    plan = world.plan
    for _ in range(years - 1):
        KeyActionFactory(workplan=plan, strategy=world.reading)
        plan = workplan_renew(workplan=plan)
    client = login(personas.staff)
    client.get(url("table_workplans", table_id=world.x.pk))
    # session, user, membership, switcher; the table; its years with their counts
    with django_assert_num_queries(6):
        listed = client.get(url("table_workplans", table_id=world.x.pk))
    with django_assert_num_queries(6):
        compared = client.get(url("workplans_compare", table_id=world.x.pk))
    assert len(listed.context["years"]) == len(compared.context["years"]) == years


# --- Quick progress changes -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.COCHAIR])
def test_status_and_percent_save_on_change_with_htmx(
    role: Role, world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.by_role(role)).post(
        url("key_action_progress", key_action_id=world.challenge.pk),
        {"status": "on_track", "percent_complete": "55", "version": "1"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#ka-{world.challenge.pk}"
    saved = key_action_row(world.challenge)
    assert (saved["status"], saved["percent_complete"], saved["version"]) == ("on_track", 55, 2)
    page = text_of(response)
    assert page.strip().startswith(f'<li class="ka" id="ka-{world.challenge.pk}">')
    assert 'name="version" value="2"' in page
    assert 'id="workplan-summary" aria-labelledby="summary-title" hx-swap-oob="true"' in page
    # No longer at risk: only the overdue one needs attention now.
    assert [a.pk for a in response.context["attention"]] == [world.tutors.pk]


def test_status_done_sets_percent_to_100_without_htmx(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.cochair).post(
        url("key_action_progress", key_action_id=world.tutors.pk),
        {"status": "done", "percent_complete": "40", "version": "1"},
    )

    assert response.status_code == 302
    assert response["Location"] == (
        url("workplan_detail", workplan_id=world.plan.pk) + f"#ka-{world.tutors.pk}"
    )
    saved = key_action_row(world.tutors)
    assert (saved["status"], saved["percent_complete"]) == ("done", 100)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "on_track", "percent_complete": "140"}, "Use a percentage from 0 to 100."),
        ({"status": "finished", "percent_complete": "10"}, "Select a valid choice."),
    ],
)
def test_bad_progress_is_refused_with_a_message_and_nothing_changes(
    data: dict[str, str], message: str, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        url("key_action_progress", key_action_id=world.challenge.pk),
        {**data, "version": "1"},
        headers=HTMX,
    )

    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot() == before


def test_stale_progress_change_shows_both_versions_and_overwrites_nothing(
    world: World, personas: Personas, login: Login
) -> None:
    KeyAction.objects.filter(pk=world.challenge.pk).update(
        status="off_track", percent_complete=20, version=2
    )
    client = login(personas.cochair)
    before = snapshot()

    response = client.post(
        url("key_action_progress", key_action_id=world.challenge.pk),
        {"status": "on_track", "percent_complete": "60", "version": "1"},
        headers=HTMX,
    )

    assert response.status_code == 409
    assert snapshot() == before
    rows = {r.label: (r.theirs, r.yours) for r in response.context["rows"]}
    assert rows["Status"] == ("Off track", "On track")
    assert rows["Percent complete"] == ("20%", "60%")
    assert rows["Key action"] == ("Run the summer reading challenge",) * 2
    page = text_of(response)
    assert "Saved by someone else" in page
    assert "Your changes" in page
    assert 'name="version" value="2"' in page


# --- The full edit form and conflicts ------------------------------------------------------


def test_edit_form_comes_in_place_with_the_version(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.cochair).get(
        url("key_action_edit", key_action_id=world.tutors.pk), headers=HTMX
    )

    assert response.status_code == 200
    page = text_of(response)
    assert page.strip().startswith(f'<li class="ka ka--editing" id="ka-{world.tutors.pk}">')
    assert 'name="version" value="1"' in page
    form = response.context["form"]
    assert [s.title for s in form.fields["strategy"].queryset] == [
        "Summer reading",
        "Reduce absence",
    ]
    assert [p.full_name for p in form.fields["lead"].queryset] == [
        "Ana Diaz",
        "Keisha Brown",
        "Tran Nguyen",
    ]
    assert [p.name for p in form.fields["contributors"].queryset] == [
        "City Library",
        "Harbor Bank",
    ]


def test_edit_offers_only_active_people_and_this_initiatives_strategies(
    world: World, personas: Personas, login: Login
) -> None:
    PersonFactory(organization=personas.org, full_name="Zed Gone", archived_at=datetime.now(UTC))
    StrategyFactory(result__initiative__organization=personas.org, title="Other initiative")
    PersonFactory(organization=personas.other_org, full_name="Elsewhere")

    response = login(personas.staff).get(url("key_action_edit", key_action_id=world.tutors.pk))

    form = response.context["form"]
    assert "Other initiative" not in [s.title for s in form.fields["strategy"].queryset]
    names = [p.full_name for p in form.fields["lead"].queryset]
    assert "Zed Gone" not in names
    assert "Elsewhere" not in names


def test_edit_saves_every_field(world: World, personas: Personas, login: Login) -> None:
    data = edit_data(
        world,
        world.tutors,
        strategy=str(world.absence.pk),
        description="Recruit 80 volunteer tutors",
        lead=str(world.cochair.pk),
        contributors=[str(world.library.pk), str(world.bank.pk)],
        start_date="2025-02-01",
        due_date="2025-10-31",
        done_when="80 tutors placed",
        status="on_track",
        percent_complete="50",
    )

    response = login(personas.cochair).post(
        url("key_action_edit", key_action_id=world.tutors.pk), data, headers=HTMX
    )

    assert response.status_code == 200
    saved = KeyAction.objects.get(pk=world.tutors.pk)
    assert (
        saved.strategy_id,
        saved.description,
        saved.lead_id,
        saved.start_date,
        saved.due_date,
        saved.done_when,
        saved.percent_complete,
        saved.version,
    ) == (
        world.absence.pk,
        "Recruit 80 volunteer tutors",
        world.cochair.pk,
        date(2025, 2, 1),
        date(2025, 10, 31),
        "80 tutors placed",
        50,
        2,
    )
    assert sorted(c.name for c in saved.contributors.all()) == ["City Library", "Harbor Bank"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_date": "2025-01-01"}, "due_date", "The due date is before the start."),
        ({"description": "   "}, "description", "This field is required."),
        ({"percent_complete": "101"}, "percent_complete", "Use a percentage from 0 to 100."),
        ({"lead": "999999"}, "lead", "Select a valid choice."),
    ],
)
def test_edit_with_bad_input_shows_the_message_and_changes_nothing(
    overrides: dict[str, str],
    field: str,
    message: str,
    world: World,
    personas: Personas,
    login: Login,
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        url("key_action_edit", key_action_id=world.tutors.pk),
        edit_data(world, world.tutors, **overrides),
        headers=HTMX,
    )

    assert response.status_code == 400
    assert response["HX-Retarget"] == f"#ka-{world.tutors.pk}"
    assert message in response.context["form"].errors[field][0]
    assert snapshot() == before


def test_edit_refuses_a_strategy_or_partner_of_another_organization(
    world: World, personas: Personas, login: Login
) -> None:
    foreign_strategy: Any = StrategyFactory(result__initiative__organization=personas.other_org)
    foreign_partner: Any = PartnerOrganizationFactory(organization=personas.other_org)
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        url("key_action_edit", key_action_id=world.tutors.pk),
        edit_data(
            world,
            world.tutors,
            strategy=str(foreign_strategy.pk),
            contributors=[str(foreign_partner.pk)],
        ),
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"strategy", "contributors"}
    assert snapshot() == before


def test_conflicting_edit_shows_both_versions_and_overwrites_nothing(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.cochair)
    mine = edit_data(world, world.tutors, description="Recruit 70 tutors", percent_complete="45")
    # Someone else saves first, from the same version.
    theirs = edit_data(world, world.tutors, description="Recruit 65 tutors", status="at_risk")
    assert client.post(url("key_action_edit", key_action_id=world.tutors.pk), theirs).status_code
    before = snapshot()

    response = client.post(url("key_action_edit", key_action_id=world.tutors.pk), mine)

    assert response.status_code == 409
    assert snapshot() == before
    rows = {r.label: (r.theirs, r.yours, r.differs) for r in response.context["rows"]}
    assert rows["Key action"] == ("Recruit 65 tutors", "Recruit 70 tutors", True)
    assert rows["Status"] == ("At risk", "On track", True)
    assert rows["Percent complete"] == ("40%", "45%", True)
    assert rows["Lead"] == ("Ana Diaz", "Ana Diaz", False)
    assert rows["Contributing partners"] == ("City Library", "City Library", False)
    page = text_of(response)
    assert "Saved by someone else" in page
    assert "Your changes" in page
    assert "Recruit 65 tutors" in page
    assert "Recruit 70 tutors" in page
    assert 'name="version" value="2"' in page  # the form now starts from their version


def test_conflict_over_htmx_swaps_the_row_and_applying_again_saves_mine_on_top(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.staff)
    KeyAction.objects.filter(pk=world.tutors.pk).update(description="Their words", version=5)

    conflict = client.post(
        url("key_action_edit", key_action_id=world.tutors.pk),
        edit_data(world, world.tutors, description="My words"),
        headers=HTMX,
    )
    assert conflict.status_code == 409
    assert conflict["HX-Retarget"] == f"#ka-{world.tutors.pk}"
    assert KeyAction.objects.get(pk=world.tutors.pk).description == "Their words"
    again = dict(conflict.context["form"].data.lists())

    applied = client.post(
        url("key_action_edit", key_action_id=world.tutors.pk), again, headers=HTMX
    )

    assert applied.status_code == 200
    saved = key_action_row(world.tutors)
    assert (saved["description"], saved["version"]) == ("My words", 6)


# --- Adding and deleting --------------------------------------------------------------------


def test_add_form_preselects_the_strategy(world: World, personas: Personas, login: Login) -> None:
    response = login(personas.cochair).get(
        url("key_action_add", workplan_id=world.plan.pk),
        {"strategy": world.absence.pk},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.context["form"].initial == {"strategy": world.absence.pk}
    assert 'id="ka-add-form"' in response.content.decode()


def test_add_key_action_with_htmx_returns_the_refreshed_workplan(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.cochair).post(
        url("key_action_add", workplan_id=world.plan.pk),
        {
            "strategy": world.absence.pk,
            "description": "Text families about absences",
            "lead": world.lead.pk,
            "contributors": [world.bank.pk],
            "due_date": "2025-12-01",
            "done_when": "Texts go out weekly",
            "status": "not_started",
            "percent_complete": "0",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#workplan-body"
    added = KeyAction.objects.get(description="Text families about absences")
    assert (added.workplan_id, added.strategy_id, added.lead_id, added.version) == (
        world.plan.pk,
        world.absence.pk,
        world.lead.pk,
        1,
    )
    assert [c.name for c in added.contributors.all()] == ["Harbor Bank"]
    assert f'id="ka-{added.pk}"' in response.content.decode()
    assert response.context["view"].total == 4


def test_add_key_action_without_htmx_redirects_to_it(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).post(
        url("key_action_add", workplan_id=world.plan.pk),
        {
            "strategy": world.reading.pk,
            "description": "Book giveaways",
            "status": "not_started",
            "percent_complete": "0",
        },
    )

    added = KeyAction.objects.get(description="Book giveaways")
    assert response.status_code == 302
    assert response["Location"] == (
        url("workplan_detail", workplan_id=world.plan.pk) + f"#ka-{added.pk}"
    )


def test_add_key_action_with_errors_keeps_the_form_and_adds_nothing(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        url("key_action_add", workplan_id=world.plan.pk),
        {"strategy": "", "description": "", "status": "not_started", "percent_complete": "0"},
        headers=HTMX,
    )

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#ka-add-form"
    assert set(response.context["form"].errors) == {"strategy", "description"}
    assert snapshot() == before


def test_delete_key_action(world: World, personas: Personas, login: Login) -> None:
    client = login(personas.cochair)

    confirm = client.get(url("key_action_delete", key_action_id=world.challenge.pk))
    response = client.post(url("key_action_delete", key_action_id=world.challenge.pk))

    assert confirm.status_code == 200
    assert "Delete this key action?" in text_of(confirm)
    assert response.status_code == 302
    assert response["Location"] == url("workplan_detail", workplan_id=world.plan.pk)
    assert not KeyAction.objects.filter(pk=world.challenge.pk).exists()


def test_delete_with_htmx_returns_the_refreshed_workplan(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).post(
        url("key_action_delete", key_action_id=world.challenge.pk), headers=HTMX
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#workplan-body"
    assert response.context["view"].total == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_delete_refused_when_commitments_advance_it(
    htmx: bool, world: World, personas: Personas, login: Login
) -> None:
    meeting = Meeting.objects.create(
        organization=personas.org,
        table=world.x,
        initiative=world.initiative,
        starts_at=datetime(2025, 6, 1, 15, tzinfo=UTC),
        ends_at=datetime(2025, 6, 1, 16, tzinfo=UTC),
    )
    Commitment.objects.create(
        organization=personas.org,
        meeting=meeting,
        table=world.x,
        person=world.lead,
        what="Call the library",
        due_date=date(2025, 6, 30),
        key_action=world.tutors,
    )
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        url("key_action_delete", key_action_id=world.tutors.pk), headers=HTMX if htmx else {}
    )

    assert response.status_code == 400
    assert (
        "Commitments advance this key action; mark it dropped instead of deleting it."
        in text_of(response)
    )
    assert snapshot() == before


# --- A key action's page and its update log -------------------------------------------------


def test_key_action_page_lists_updates_newest_first(
    world: World, personas: Personas, login: Login
) -> None:
    KeyActionUpdateFactory(key_action=world.tutors, text="Flyers at the library")
    KeyActionUpdateFactory(key_action=world.tutors, text="Twenty tutors signed up")

    response = login(personas.partner).get(url("key_action_detail", key_action_id=world.tutors.pk))

    assert response.status_code == 200
    assert [u.text for u in response.context["updates"]] == [
        "Twenty tutors signed up",
        "Flyers at the library",
    ]
    assert response.context["editable"] is False
    assert "Add update" not in text_of(response)
    assert response.context["overdue"] is True


@pytest.mark.parametrize("htmx", [False, True])
def test_add_an_update_with_a_new_status_and_percent(
    htmx: bool, world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.cochair).post(
        url("key_action_update_add", key_action_id=world.tutors.pk),
        {"text": "Forty tutors placed", "status": "at_risk", "percent_complete": "70"},
        headers=HTMX if htmx else {},
    )

    assert response.status_code == (200 if htmx else 302)
    update = KeyActionUpdate.objects.get(key_action=world.tutors)
    assert (update.text, update.status, update.percent_complete, update.author_id) == (
        "Forty tutors placed",
        "at_risk",
        70,
        personas.cochair.pk,
    )
    saved = key_action_row(world.tutors)
    assert (saved["status"], saved["percent_complete"], saved["version"]) == ("at_risk", 70, 2)
    if htmx:
        assert "Forty tutors placed" in text_of(response)


def test_an_update_needs_words(world: World, personas: Personas, login: Login) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        url("key_action_update_add", key_action_id=world.tutors.pk),
        {"text": "  ", "status": "done"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["text"] == ["This field is required."]
    assert snapshot() == before


# --- Renewal and closed years ---------------------------------------------------------------


def test_renewal_confirmation_lists_what_carries_and_what_stays(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.cochair).get(url("workplan_renew", workplan_id=world.plan.pk))

    assert response.status_code == 200
    assert [a.description for a in response.context["carry"]] == [
        "Recruit 60 volunteer tutors",
        "Run the summer reading challenge",
    ]
    assert [a.description for a in response.context["stay"]] == [
        "Attendance outreach in three schools"
    ]
    assert "Start the 2026 workplan" in text_of(response)


@pytest.mark.parametrize("role", [Role.STAFF, Role.COCHAIR])
def test_renewal_carries_unfinished_actions_and_closes_the_year(
    role: Role, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.by_role(role))

    response = client.post(url("workplan_renew", workplan_id=world.plan.pk))

    new = Workplan.objects.get(table=world.x, year=2026)
    assert response.status_code == 302
    assert response["Location"] == url("workplan_detail", workplan_id=new.pk)
    world.plan.refresh_from_db()
    assert world.plan.is_closed
    assert new.previous_id == world.plan.pk
    carried = list(new.key_actions.order_by("carried_from_id"))
    assert [(a.description, a.carried_from_id, a.status) for a in carried] == [
        ("Recruit 60 volunteer tutors", world.tutors.pk, "on_track"),
        ("Run the summer reading challenge", world.challenge.pk, "at_risk"),
    ]
    assert [c.name for c in carried[0].contributors.all()] == ["City Library"]
    page = text_of(client.get(url("workplan_detail", workplan_id=new.pk)))
    old_link = url("key_action_detail", key_action_id=world.tutors.pk)
    assert f'<a href="{old_link}">Carried from 2025</a>' in page
    old_page = text_of(client.get(url("key_action_detail", key_action_id=world.tutors.pk)))
    new_link = url("key_action_detail", key_action_id=carried[0].pk)
    assert f'<a href="{new_link}">Continues in 2026</a>' in old_page


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        (Role.STEERING, "plan", 403),
        (Role.PARTNER, "plan", 403),
        (Role.COCHAIR, "y_plan", 403),
    ],
)
def test_others_cannot_renew_and_nothing_changes(
    role: Role, plan: str, status: int, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.by_role(role))
    before = snapshot()

    page = client.get(url("workplan_renew", workplan_id=getattr(world, plan).pk))
    response = client.post(url("workplan_renew", workplan_id=getattr(world, plan).pk))

    assert (page.status_code, response.status_code) == (status, status)
    assert snapshot() == before


def test_closed_year_shows_no_edit_controls(world: World, personas: Personas, login: Login) -> None:
    new = workplan_renew(workplan=world.plan)
    client = login(personas.staff)

    response = client.get(url("workplan_detail", workplan_id=world.plan.pk))
    detail = client.get(url("key_action_detail", key_action_id=world.tutors.pk))

    assert response.context["editable"] is False
    page = response.content.decode()
    for control in ('name="percent_complete"', "Add a key action", "Start next year", "Edit<"):
        assert control not in page
    assert "This year is closed" in text_of(response)
    assert url("workplan_detail", workplan_id=new.pk) in page
    assert detail.context["editable"] is False
    assert "Add update" not in text_of(detail)


CLOSED = "The 2025 workplan is closed; it is kept as it was. Edit 2026 instead."


def _closed_writes(world: World) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            url("key_action_add", workplan_id=world.plan.pk),
            {
                "strategy": world.reading.pk,
                "description": "Late idea",
                "status": "not_started",
                "percent_complete": "0",
            },
        ),
        (
            url("key_action_edit", key_action_id=world.tutors.pk),
            edit_data(world, world.tutors, description="Rewritten"),
        ),
        (
            url("key_action_progress", key_action_id=world.tutors.pk),
            {"status": "done", "percent_complete": "100", "version": "1"},
        ),
        (url("key_action_delete", key_action_id=world.tutors.pk), {}),
        (
            url("key_action_update_add", key_action_id=world.tutors.pk),
            {"text": "Too late", "status": "done"},
        ),
        (url("key_action_update_add", key_action_id=world.tutors.pk), {"text": "Too late"}),
    ]


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("index", range(6))
def test_every_write_to_a_closed_year_is_refused_with_the_services_message(
    index: int, htmx: bool, world: World, personas: Personas, login: Login
) -> None:
    workplan_renew(workplan=world.plan)
    target, data = _closed_writes(world)[index]
    client = login(personas.staff)
    before = snapshot()

    response = client.post(target, data, headers=HTMX if htmx else {})

    assert response.status_code == 400
    assert CLOSED in text_of(response)
    assert snapshot() == before


def test_renewing_a_closed_year_again_is_refused(
    world: World, personas: Personas, login: Login
) -> None:
    workplan_renew(workplan=world.plan)
    client = login(personas.staff)
    before = snapshot()

    response = client.post(url("workplan_renew", workplan_id=world.plan.pk))

    assert response.status_code == 400
    assert response.context["error"] == CLOSED
    assert snapshot() == before


@pytest.mark.parametrize("name", ["key_action_add", "key_action_edit"])
def test_forms_of_a_closed_year_are_not_offered(
    name: str, world: World, personas: Personas, login: Login
) -> None:
    workplan_renew(workplan=world.plan)
    kwargs = (
        {"workplan_id": world.plan.pk}
        if name == "key_action_add"
        else {"key_action_id": world.tutors.pk}
    )

    response = login(personas.staff).get(url(name, **kwargs))

    assert response.status_code == 400
    assert "The 2025 workplan is closed; it is kept as it was." in text_of(response)
    assert "form" not in response.context or response.context.get("form") is None


# --- Who may write --------------------------------------------------------------------------


def _writes(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    a = world.tutors
    return [
        ("GET", url("key_action_add", workplan_id=world.plan.pk), {}),
        (
            "POST",
            url("key_action_add", workplan_id=world.plan.pk),
            {
                "strategy": world.reading.pk,
                "description": "Intrusion",
                "status": "not_started",
                "percent_complete": "0",
            },
        ),
        ("GET", url("key_action_edit", key_action_id=a.pk), {}),
        ("POST", url("key_action_edit", key_action_id=a.pk), {"description": "Intrusion"}),
        (
            "POST",
            url("key_action_progress", key_action_id=a.pk),
            {"status": "done", "percent_complete": "100", "version": "1"},
        ),
        ("GET", url("key_action_delete", key_action_id=a.pk), {}),
        ("POST", url("key_action_delete", key_action_id=a.pk), {}),
        ("POST", url("key_action_update_add", key_action_id=a.pk), {"text": "Intrusion"}),
        ("GET", url("workplan_renew", workplan_id=world.plan.pk), {}),
        ("POST", url("workplan_renew", workplan_id=world.plan.pk), {}),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("steering", 403), ("partner", 403), ("cochair_elsewhere", 403), ("outsider", 404)],
)
def test_only_staff_and_the_tables_cochairs_write(
    who: str, status: int, world: World, personas: Personas, login: Login
) -> None:
    if who == "cochair_elsewhere":
        # The co-chair persona co-chairs Y instead of X.
        Seat.objects.filter(table=world.x, person=world.cochair).delete()
        SeatFactory(table=world.y, person=world.cochair, role=Seat.Role.CO_CHAIR)
        user = personas.cochair
    else:
        user = getattr(personas, who)
    client = login(user)
    before = snapshot()

    statuses = [
        client.generic(method, target, data=_encode(data)).status_code
        if method == "POST"
        else client.get(target).status_code
        for method, target, data in _writes(world)
    ]

    assert statuses == [status] * len(_writes(world))
    assert snapshot() == before


def _encode(data: dict[str, Any]) -> Any:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def test_partner_reads_their_tables_key_actions_only(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.partner)

    mine = client.get(url("key_action_detail", key_action_id=world.tutors.pk))
    row = client.get(url("key_action_row", key_action_id=world.tutors.pk))
    other = client.get(url("key_action_detail", key_action_id=world.y_action.pk))
    compare = client.get(url("workplans_compare", table_id=world.y.pk))

    assert (mine.status_code, row.status_code, other.status_code, compare.status_code) == (
        200,
        200,
        403,
        403,
    )


def test_outsider_reads_nothing(world: World, personas: Personas, login: Login) -> None:
    client = login(personas.outsider)

    statuses = [
        client.get(target).status_code
        for target in (
            url("table_workplans", table_id=world.x.pk),
            url("workplans_compare", table_id=world.x.pk),
            url("workplan_detail", workplan_id=world.plan.pk),
            url("key_action_detail", key_action_id=world.tutors.pk),
            url("key_action_row", key_action_id=world.tutors.pk),
        )
    ]

    assert statuses == [404] * 5


# --- Year over year -------------------------------------------------------------------------


def test_compare_years_table_and_chart(world: World, personas: Personas, login: Login) -> None:
    KeyActionFactory(workplan=world.plan, strategy=world.absence, status="dropped")
    new = workplan_renew(workplan=world.plan)
    KeyAction.objects.filter(workplan=new).update(status="done", percent_complete=100)

    response = login(personas.steering).get(url("workplans_compare", table_id=world.x.pk))

    assert response.status_code == 200
    rows = [
        (
            y["workplan"].year,
            y["total"],
            y["done"],
            y["dropped"],
            y["carried"],
            y["completion"],
        )
        for y in response.context["years"]
    ]
    assert rows == [(2025, 4, 1, 1, 2, 33), (2026, 2, 2, 0, 0, 100)]
    svg = str(response.context["chart"])
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "2025: 33; 2026: 100" in svg


def test_compare_without_workplans_says_so(world: World, personas: Personas, login: Login) -> None:
    response = login(personas.staff).get(url("workplans_compare", table_id=world.y.pk))
    Workplan.objects.filter(table=world.y).delete()
    empty = login(personas.staff).get(url("workplans_compare", table_id=world.y.pk))

    assert response.status_code == 200
    assert empty.context["chart"] is None
    assert "nothing to compare" in text_of(empty)


def test_pages_use_the_workplans_stylesheet_and_swap_refusals(
    world: World, personas: Personas, login: Login
) -> None:
    page = login(personas.staff).get(url("workplan_detail", workplan_id=world.plan.pk))

    html = page.content.decode()
    assert "css/workplans.css" in html
    assert '{"code":"400|409","swap":true,"error":false}' in html


def test_today_is_the_initiatives_day(world: World, personas: Personas, login: Login) -> None:
    # 02:00 UTC on June 1 is still May 31 in Chicago: the tutors, due May 31, are not overdue.
    world.initiative.time_zone = "America/Chicago"
    world.initiative.save()
    with time_machine.travel(datetime(2025, 6, 1, 2, 0, tzinfo=UTC), tick=False):
        response = login(personas.staff).get(url("workplan_detail", workplan_id=world.plan.pk))

    assert response.context["today"] == date(2025, 5, 31)
    assert response.context["overdue_ids"] == set()


def test_closed_year_shows_what_continued_instead_of_what_is_overdue(
    world: World, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    new = workplan_renew(workplan=world.plan)
    carried = new.key_actions.get(carried_from=world.tutors)
    client = login(personas.steering)
    client.get(url("workplan_detail", workplan_id=world.plan.pk))

    # as for staff on an open year, plus the actions that continued next year and the steering
    # member's seat (none) at the table, asked to know whether they may edit
    with django_assert_num_queries(10):
        response = client.get(url("workplan_detail", workplan_id=world.plan.pk))

    assert response.context["overdue_ids"] == set()
    assert response.context["attention"] == []
    assert response.context["continued"] == {
        world.tutors.pk: carried.pk,
        world.challenge.pk: new.key_actions.get(carried_from=world.challenge).pk,
    }
    page = text_of(response)
    assert "Needs attention" not in page
    link = url("key_action_detail", key_action_id=carried.pk)
    assert f'<a href="{link}">Continues in 2026</a>' in page
