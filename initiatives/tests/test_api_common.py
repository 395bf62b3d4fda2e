"""The API of the common agenda, partners, people and tables: what each role may do (generated
from the roles table), tokens, and the query count of every list. Also the shared set-up of the
other test_api_* modules: one initiative of organization "lakeshore" with a bit of everything."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from backbone.models import User
from backbone.roles import Role, allowed
from initiatives.models import (
    FilterCriterion,
    GroundRule,
    Initiative,
    PartnerOrganization,
    Person,
    RaceEthnicity,
    Result,
    Screening,
    Seat,
    Strategy,
    Table,
)
from initiatives.services import (
    Answer,
    criterion_create,
    ground_rule_create,
    initiative_create,
    partner_create,
    person_create,
    result_create,
    screening_record,
    seat_add,
    strategy_create,
    workgroup_create,
)
from initiatives.tests.factories import (
    FilterCriterionFactory,
    GroundRuleFactory,
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    ResultFactory,
    ScreeningFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from tests.factories import APITokenFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
STAMP = "2026-03-02T15:00:00Z"
ROLE_REFUSAL = {
    "error": {
        "code": "permission_denied",
        "message": "Your role in this organization may not do this.",
        "fields": {},
    }
}
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def url(path: str, slug: str = "lakeshore") -> str:
    return f"/api/v1/o/{slug}/{path}"


def api_time(moment: datetime) -> str:
    """A moment as the API writes it: UTC, microseconds kept, a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def send(
    client: Client,
    method: str,
    path: str,
    data: Any = None,
    *,
    slug: str = "lakeshore",
    headers: dict[str, str] | None = None,
) -> Any:
    if method == "GET":
        return client.get(url(path, slug), data, headers=headers)
    body = "" if data is None else json.dumps(data)
    return client.generic(
        method, url(path, slug), body, content_type="application/json", headers=headers
    )


def page(results: list[Any]) -> dict[str, Any]:
    """A whole list answer that fits on one page."""
    return {"count": len(results), "next": None, "previous": None, "results": results}


# Named fixtures so that other modules import them without shadowing a name (ruff F811).
@pytest.fixture(name="frozen")
def frozen_fixture() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Agenda:
    """Lakeshore's one initiative. The co-chair persona co-chairs `workgroup` and the partner
    persona sits at it; neither sits at `other_workgroup` or the steering committee."""

    personas: Personas
    initiative: Initiative
    steering: Table
    result: Result
    strategy: Strategy
    rule: GroundRule
    criteria: list[FilterCriterion]
    screening: Screening
    partner_org: PartnerOrganization
    person: Person
    workgroup: Table
    other_workgroup: Table
    cochair_person: Person
    partner_person: Person
    cochair_seat: Seat
    partner_seat: Seat


@pytest.fixture(name="agenda")
def agenda_fixture(personas: Personas, frozen: None) -> Agenda:
    org = personas.org
    initiative = initiative_create(
        organization=org,
        name="Lakeshore Reads",
        north_star="Every child in Lakeshore County reads at grade level by third grade.",
        focus_population="Children from birth to age 8",
        geography="Lakeshore County",
    )
    result = result_create(initiative=initiative, statement="Children enter kindergarten ready.")
    strategy = strategy_create(result=result, title="Summer reading", description="Eight weeks.")
    rule = ground_rule_create(initiative=initiative, text="We start and end meetings on time.")
    criteria = [
        criterion_create(initiative=initiative, question="Does it move one of our results?"),
        criterion_create(initiative=initiative, question="Is a partner ready to lead it?"),
    ]
    screening = screening_record(
        initiative=initiative,
        title="Book vending machines",
        answers=[Answer(criteria[0], True, "Reading at home"), Answer(criteria[1], False)],
        recorded_by=personas.staff,
        proposed_by="Eastside Library",
    )
    partner_org = partner_create(
        organization=org, name="Eastside Library", sector="public_agency", size_band="1m_5m"
    )
    person = person_create(
        organization=org,
        full_name="Ana Ruiz",
        email="ana@eastside.example.org",
        partner_organization=partner_org,
        race_ethnicity=RaceEthnicity.HISPANIC,
        gender="woman",
    )
    workgroup = workgroup_create(
        initiative=initiative,
        name="Early literacy",
        purpose="Books in every home.",
        strategies=[strategy],
    )
    other_workgroup = workgroup_create(initiative=initiative, name="Attendance")
    cochair_person = person_create(
        organization=org,
        full_name="Carla Chen",
        email="cochair@lakeshore.example.org",
        user=personas.cochair,
    )
    partner_person = person_create(
        organization=org,
        full_name="Pat Okafor",
        email="partner@lakeshore.example.org",
        user=personas.partner,
    )
    return Agenda(
        personas=personas,
        initiative=initiative,
        steering=initiative.tables.get(kind=Table.Kind.STEERING),
        result=result,
        strategy=strategy,
        rule=rule,
        criteria=criteria,
        screening=screening,
        partner_org=partner_org,
        person=person,
        workgroup=workgroup,
        other_workgroup=other_workgroup,
        cochair_person=cochair_person,
        partner_person=partner_person,
        cochair_seat=seat_add(table=workgroup, person=cochair_person, role="co_chair"),
        partner_seat=seat_add(table=workgroup, person=partner_person),
    )


def as_role(login: Callable[[User], Client], agenda: Agenda, role: str) -> Client:
    return login(agenda.personas.by_role(role))


# --- What each role may do, from the roles table --------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[Agenda], str]
    permission: str
    status: int
    body: Callable[[Agenda], Any] = lambda a: None


def _empty_result(a: Agenda) -> int:
    return result_create(initiative=a.initiative, statement="To be dropped").pk


def _free_strategy(a: Agenda) -> int:
    return strategy_create(result=a.result, title="Not carried by anyone").pk


def _empty_partner(a: Agenda) -> int:
    return partner_create(
        organization=a.initiative.organization, name="Nobody's", sector="other"
    ).pk


def _answers(a: Agenda) -> list[dict[str, Any]]:
    return [{"criterion": c.pk, "answer": True, "note": ""} for c in a.criteria]


CASES = [
    Case("initiatives-list", "GET", lambda a: "initiatives/", "view_common_agenda", 200),
    Case("initiatives-retrieve", "GET", lambda a: f"initiatives/{a.initiative.pk}/",
         "view_common_agenda", 200),
    Case("initiatives-create", "POST", lambda a: "initiatives/", "edit_common_agenda", 201,
         lambda a: {"name": "Healthy Starts", "north_star": "Halve infant mortality."}),
    Case("initiatives-archive", "PATCH", lambda a: f"initiatives/{a.initiative.pk}/",
         "edit_common_agenda", 200, lambda a: {"status": "archived"}),
    Case("results-list", "GET", lambda a: "results/", "view_common_agenda", 200),
    Case("results-retrieve", "GET", lambda a: f"results/{a.result.pk}/", "view_common_agenda", 200),
    Case("results-create", "POST", lambda a: "results/", "edit_common_agenda", 201,
         lambda a: {"initiative": a.initiative.pk, "statement": "Third graders read well."}),
    Case("results-update", "PATCH", lambda a: f"results/{a.result.pk}/", "edit_common_agenda",
         200, lambda a: {"statement": "Reworded"}),
    Case("results-delete", "DELETE", lambda a: f"results/{_empty_result(a)}/",
         "edit_common_agenda", 204),
    Case("strategies-list", "GET", lambda a: "strategies/", "view_common_agenda", 200),
    Case("strategies-create", "POST", lambda a: "strategies/", "edit_common_agenda", 201,
         lambda a: {"result": a.result.pk, "title": "Tutoring"}),
    Case("strategies-update", "PATCH", lambda a: f"strategies/{a.strategy.pk}/",
         "edit_common_agenda", 200, lambda a: {"title": "Renamed"}),
    Case("strategies-delete", "DELETE", lambda a: f"strategies/{_free_strategy(a)}/",
         "edit_common_agenda", 204),
    Case("ground-rules-list", "GET", lambda a: "ground-rules/", "view_common_agenda", 200),
    Case("ground-rules-create", "POST", lambda a: "ground-rules/", "edit_common_agenda", 201,
         lambda a: {"initiative": a.initiative.pk, "text": "We assume good intent."}),
    Case("ground-rules-update", "PATCH", lambda a: f"ground-rules/{a.rule.pk}/",
         "edit_common_agenda", 200, lambda a: {"text": "We listen first."}),
    Case("ground-rules-delete", "DELETE", lambda a: f"ground-rules/{a.rule.pk}/",
         "edit_common_agenda", 204),
    Case("filter-criteria-list", "GET", lambda a: "filter-criteria/", "view_common_agenda", 200),
    Case("filter-criteria-create", "POST", lambda a: "filter-criteria/", "edit_common_agenda",
         201, lambda a: {"initiative": a.initiative.pk, "question": "Is it funded?"}),
    Case("filter-criteria-update", "PATCH", lambda a: f"filter-criteria/{a.criteria[0].pk}/",
         "edit_common_agenda", 200, lambda a: {"question": "Reworded?"}),
    Case("filter-criteria-retire", "DELETE", lambda a: f"filter-criteria/{a.criteria[0].pk}/",
         "edit_common_agenda", 204),
    Case("screenings-list", "GET", lambda a: "screenings/", "view_common_agenda", 200),
    Case("screenings-retrieve", "GET", lambda a: f"screenings/{a.screening.pk}/",
         "view_common_agenda", 200),
    Case("screenings-create", "POST", lambda a: "screenings/", "screen_proposals", 201,
         lambda a: {"initiative": a.initiative.pk, "title": "Reading buddies",
                    "answers": _answers(a)}),
    Case("screenings-decide", "PATCH", lambda a: f"screenings/{a.screening.pk}/",
         "screen_proposals", 200, lambda a: {"decision": "declined"}),
    Case("partner-organizations-list", "GET", lambda a: "partner-organizations/", "view_people",
         200),
    Case("partner-organizations-retrieve", "GET",
         lambda a: f"partner-organizations/{a.partner_org.pk}/", "view_people", 200),
    Case("partner-organizations-create", "POST", lambda a: "partner-organizations/",
         "manage_people", 201, lambda a: {"name": "Westside YMCA", "sector": "nonprofit"}),
    Case("partner-organizations-update", "PATCH",
         lambda a: f"partner-organizations/{a.partner_org.pk}/", "manage_people", 200,
         lambda a: {"community_led": True}),
    Case("partner-organizations-delete", "DELETE",
         lambda a: f"partner-organizations/{_empty_partner(a)}/", "manage_people", 204),
    Case("people-list", "GET", lambda a: "people/", "view_people", 200),
    Case("people-retrieve", "GET", lambda a: f"people/{a.person.pk}/", "view_people", 200),
    Case("people-create", "POST", lambda a: "people/", "manage_people", 201,
         lambda a: {"full_name": "Lee Park", "email": "lee@example.org"}),
    Case("people-update", "PATCH", lambda a: f"people/{a.person.pk}/", "manage_people", 200,
         lambda a: {"phone": "555-0100"}),
    Case("people-remove", "DELETE", lambda a: f"people/{a.person.pk}/", "manage_people", 204),
    Case("tables-list", "GET", lambda a: "tables/", "view_common_agenda", 200),
    Case("tables-create", "POST", lambda a: "tables/", "manage_tables", 201,
         lambda a: {"initiative": a.initiative.pk, "name": "Family engagement"}),
    Case("seats-list", "GET", lambda a: "seats/", "view_common_agenda", 200),
]  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_role_may_do_what_the_roles_table_says(
    case: Case, role: Role, agenda: Agenda, login: Callable[[User], Client]
) -> None:
    client = as_role(login, agenda, role)
    path, body = case.path(agenda), case.body(agenda)
    before = snapshot()

    response = send(client, case.method, path, body)

    if allowed(role, case.permission):
        assert response.status_code == case.status, response.content
    else:
        assert response.status_code == 403
        assert response.json() == ROLE_REFUSAL
        assert snapshot() == before


WRITES = [c for c in CASES if c.method != "GET"]


@pytest.mark.parametrize("case", WRITES, ids=lambda c: c.name)
def test_a_read_only_token_cannot_write(case: Case, agenda: Agenda, client: Client) -> None:
    key = "bb_read_only_token_for_the_agenda_tests_0001"
    APITokenFactory(
        organization=agenda.personas.org,
        user=agenda.personas.staff,
        key=key,
        can_write=False,
        last_used_at=timezone.now(),
    )
    path, body = case.path(agenda), case.body(agenda)
    before = snapshot()

    response = send(client, case.method, path, body, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "permission_denied", "message": "This token is read-only.", "fields": {}}
    }
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_token_of_another_organization_gets_not_found(
    case: Case, agenda: Agenda, client: Client
) -> None:
    key = "bb_riverside_token_for_the_agenda_tests_00001"
    APITokenFactory(
        organization=agenda.personas.other_org,
        user=agenda.personas.outsider,
        key=key,
        last_used_at=timezone.now(),
    )
    path, body = case.path(agenda), case.body(agenda)
    before = snapshot()

    response = send(client, case.method, path, body, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert snapshot() == before


def test_the_cases_cover_every_list_and_write_endpoint() -> None:
    from initiatives.api.urls import router

    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    covered = {c.name.rsplit("-", 1)[0] for c in CASES}
    assert covered == prefixes


# --- Every list answers in a fixed number of queries ----------------------------------------


def _initiatives(a: Agenda, n: int) -> None:
    InitiativeFactory.create_batch(n, organization=a.initiative.organization)


def _results(a: Agenda, n: int) -> None:
    ResultFactory.create_batch(n, initiative=a.initiative)


def _strategies(a: Agenda, n: int) -> None:
    for strategy in StrategyFactory.create_batch(n, result=a.result):
        a.workgroup.strategies.add(strategy)
        a.other_workgroup.strategies.add(strategy)


def _ground_rules(a: Agenda, n: int) -> None:
    GroundRuleFactory.create_batch(n, initiative=a.initiative)


def _criteria(a: Agenda, n: int) -> None:
    FilterCriterionFactory.create_batch(n, initiative=a.initiative)


def _screenings(a: Agenda, n: int) -> None:
    for screening in ScreeningFactory.create_batch(
        n, initiative=a.initiative, recorded_by=a.personas.staff
    ):
        for criterion in a.criteria:
            screening.answers.create(
                organization=screening.organization,
                criterion=criterion,
                question=criterion.question,
                answer=True,
            )


def _partners(a: Agenda, n: int) -> None:
    for partner in PartnerOrganizationFactory.create_batch(
        n, organization=a.initiative.organization
    ):
        PersonFactory(organization=partner.organization, partner_organization=partner)


def _people(a: Agenda, n: int) -> None:
    PersonFactory.create_batch(
        n, organization=a.initiative.organization, partner_organization=a.partner_org
    )


def _tables(a: Agenda, n: int) -> None:
    for table in TableFactory.create_batch(n, initiative=a.initiative):
        table.strategies.add(a.strategy)
        SeatFactory(table=table, person=a.partner_person)


def _seats(a: Agenda, n: int) -> None:
    for person in PersonFactory.create_batch(n, organization=a.initiative.organization):
        SeatFactory(table=a.workgroup, person=person)


# list path, adds n rows visible to both staff and the partner persona, then queries per role:
# session, user, membership, count, rows, and one per prefetched relation.
LISTS = [
    ("initiatives/", _initiatives, 5),
    ("results/", _results, 5),
    ("strategies/", _strategies, 6),
    ("ground-rules/", _ground_rules, 5),
    ("filter-criteria/", _criteria, 5),
    ("screenings/", _screenings, 6),
    ("partner-organizations/", _partners, 5),
    ("people/", _people, 5),
    ("tables/", _tables, 6),
    ("seats/", _seats, 5),
]


LIST_CASES = [
    pytest.param(path, add, queries, role, id=f"{path}-{role.value}")
    for path, add, queries in LISTS
    for role in (Role.STAFF, Role.PARTNER)
    # Partners may not list people or partner organizations (the roles table test shows 403).
    if allowed(role, "view_people") or not path.startswith(("people", "partner"))
]


@pytest.mark.parametrize(("path", "add", "queries", "role"), LIST_CASES)
def test_lists_take_the_same_queries_for_3_and_30_rows(
    path: str,
    add: Callable[[Agenda, int], None],
    queries: int,
    role: Role,
    agenda: Agenda,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    client = as_role(login, agenda, role)
    counts = []
    for n in (3, 27):
        add(agenda, n)
        with django_assert_num_queries(queries):
            response = client.get(url(path), {"page_size": 100})
        assert response.status_code == 200
        counts.append(response.json()["count"])
    assert counts[1] - counts[0] == 27
