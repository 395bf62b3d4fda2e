"""Tables pages: the list, new workgroup, a table's page, editing it, and its seats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import PERMISSIONS, Role
from initiatives.models import Person, Seat, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from tests.fixtures import Personas

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


def table_rows() -> list[Any]:
    return list(Table.objects.order_by("pk").values())


def seat_rows() -> list[Any]:
    return list(Seat.objects.order_by("pk").values())


class World:
    """An initiative with a steering committee and two workgroups, X and Y. The co-chair
    persona co-chairs X; the partner persona sits at X only."""

    initiative: Any
    strategy_a: Any
    strategy_b: Any
    steering: Any
    x: Any
    y: Any
    cochair: Any
    partner: Any
    member: Any
    cochair_seat: Any
    partner_seat: Any
    member_seat: Any
    y_seat: Any
    newcomer: Any

    def __init__(self, personas: Personas) -> None:
        org = personas.org
        self.initiative = InitiativeFactory(organization=org, name="Lakeshore Reads")
        self.strategy_a = StrategyFactory(
            result__initiative=self.initiative, organization=org, title="Summer reading"
        )
        self.strategy_b = StrategyFactory(
            result__initiative=self.initiative, organization=org, title="Reduce absence"
        )
        self.steering = TableFactory(
            initiative=self.initiative, kind=Table.Kind.STEERING, name="Steering committee"
        )
        self.x = TableFactory(
            initiative=self.initiative, name="Early Learning", purpose="Ready for kindergarten."
        )
        self.x.strategies.set([self.strategy_a])
        self.y = TableFactory(initiative=self.initiative, name="Attendance Works")
        bank: Any = PartnerOrganizationFactory(organization=org, name="Harbor Bank")
        self.cochair = PersonFactory(
            organization=org, full_name="Keisha Brown", user=personas.cochair
        )
        self.partner = PersonFactory(
            organization=org, full_name="Tran Nguyen", user=personas.partner
        )
        self.member = PersonFactory(
            organization=org,
            full_name="Ana Diaz",
            partner_organization=bank,
            is_community_member=True,
        )
        self.cochair_seat = SeatFactory(table=self.x, person=self.cochair, role=Seat.Role.CO_CHAIR)
        self.partner_seat = SeatFactory(table=self.x, person=self.partner)
        self.member_seat = SeatFactory(table=self.x, person=self.member)
        self.y_seat = SeatFactory(table=self.y, person=self.member)
        self.newcomer = PersonFactory(organization=org, full_name="Omar Haddad")


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


# --- The list -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_tables_list_steering_first_and_partners_see_only_their_tables(
    role: Role, world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.by_role(role)).get(url("tables", initiative_id=world.initiative.pk))

    assert response.status_code == 200
    names = [row["table"].name for row in response.context["rows"]]
    if role in PERMISSIONS["view_all_tables"]:
        assert names == ["Steering committee", "Attendance Works", "Early Learning"]
    else:
        assert names == ["Early Learning"]
    assert ("New workgroup" in response.content.decode()) is (role in PERMISSIONS["manage_tables"])


def test_tables_list_shows_strategies_co_chairs_and_member_count(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).get(url("tables", initiative_id=world.initiative.pk))
    x = next(r for r in response.context["rows"] if r["table"].pk == world.x.pk)
    assert [s.person.full_name for s in x["leads"]] == ["Keisha Brown"]
    assert x["members"] == 3
    html = response.content.decode()
    assert "Summer reading" in html
    assert "Keisha Brown" in html


@pytest.mark.parametrize("workgroups", [2, 12])
def test_tables_list_queries_do_not_grow(
    workgroups: int, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    initiative: Any = InitiativeFactory(organization=personas.org)
    strategy: Any = StrategyFactory(result__initiative=initiative, organization=personas.org)
    for _ in range(workgroups):
        table: Any = TableFactory(initiative=initiative)
        table.strategies.set([strategy])
        for person in PersonFactory.create_batch(
            4,
            organization=personas.org,
            partner_organization=PartnerOrganizationFactory(organization=personas.org),
        ):
            SeatFactory(table=table, person=person)
    client = login(personas.staff)
    client.get(url("tables", initiative_id=initiative.pk))
    # session, user, membership, switcher; the initiative; tables, their seats (people and
    # organizations joined), their strategies
    with django_assert_num_queries(8):
        response = client.get(url("tables", initiative_id=initiative.pk))
    assert len(response.context["rows"]) == workgroups


# --- New workgroup --------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_new_workgroup_is_staff_only(
    role: Role, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.by_role(role))
    target = url("workgroup_create", initiative_id=world.initiative.pk)
    before = table_rows()

    page = client.get(target)
    response = client.post(
        target,
        {
            "name": "Family Voice",
            "purpose": "Parents shape the work.",
            "strategies": [world.strategy_a.pk, world.strategy_b.pk],
        },
    )

    if role in PERMISSIONS["manage_tables"]:
        table = Table.objects.get(name="Family Voice")
        assert page.status_code == 200
        assert response.status_code == 302
        assert response["Location"] == url("table_detail", table_id=table.pk)
        assert (table.kind, table.purpose, table.initiative_id) == (
            "workgroup",
            "Parents shape the work.",
            world.initiative.pk,
        )
        assert sorted(table.strategies.values_list("title", flat=True)) == [
            "Reduce absence",
            "Summer reading",
        ]
    else:
        assert (page.status_code, response.status_code) == (403, 403)
        assert table_rows() == before


def test_new_workgroup_offers_only_this_initiatives_strategies(
    world: World, personas: Personas, login: Login
) -> None:
    other: Any = StrategyFactory(
        result__initiative__organization=personas.org, organization=personas.org
    )
    client = login(personas.staff)
    target = url("workgroup_create", initiative_id=world.initiative.pk)

    page = client.get(target)
    refused = client.post(target, {"name": "Mixed", "strategies": [other.pk]})

    assert [s.title for s in page.context["form"].fields["strategies"].queryset] == [
        "Summer reading",
        "Reduce absence",
    ]
    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["strategies"]
    assert not Table.objects.filter(name="Mixed").exists()


def test_new_workgroup_needs_a_name(world: World, personas: Personas, login: Login) -> None:
    response = login(personas.staff).post(
        url("workgroup_create", initiative_id=world.initiative.pk), {"name": " "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": ["This field is required."]}


# --- A table's page -------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_table_page_view_permission(
    role: Role, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.by_role(role))
    own = client.get(url("table_detail", table_id=world.x.pk))
    other = client.get(url("table_detail", table_id=world.y.pk))
    assert own.status_code == 200
    assert other.status_code == (200 if role in PERMISSIONS["view_all_tables"] else 403)


def test_table_page_groups_leads_first_with_organization_and_community_tag(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.steering).get(url("table_detail", table_id=world.x.pk))

    assert [s.person.full_name for s in response.context["leads"]] == ["Keisha Brown"]
    assert [s.person.full_name for s in response.context["members"]] == [
        "Ana Diaz",
        "Tran Nguyen",
    ]
    assert response.context["can_edit"] is False
    html = response.content.decode()
    assert html.index("Keisha Brown") < html.index("Ana Diaz") < html.index("Tran Nguyen")
    assert "Harbor Bank" in html
    assert "Ready for kindergarten." in html
    assert "Summer reading" in html
    assert 'id="add-person"' not in html


@pytest.mark.parametrize(
    ("who", "x", "y"),
    [("staff", True, True), ("cochair", True, False), ("steering", False, False)],
)
def test_who_may_edit_which_table(
    who: str, x: bool, y: bool, world: World, personas: Personas, login: Login
) -> None:
    client = login(getattr(personas, who))
    assert client.get(url("table_detail", table_id=world.x.pk)).context["can_edit"] is x
    assert client.get(url("table_detail", table_id=world.y.pk)).context["can_edit"] is y


def test_table_page_queries_do_not_grow(
    personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    def build(people: int) -> Any:
        table: Any = TableFactory(initiative__organization=personas.org)
        table.strategies.set(
            [StrategyFactory(result__initiative=table.initiative, organization=personas.org)]
        )
        for i in range(people):
            person: Any = PersonFactory(
                organization=personas.org,
                partner_organization=PartnerOrganizationFactory(organization=personas.org),
                race_ethnicity="asian" if i % 2 else "white",
                gender="woman",
            )
            SeatFactory(table=table, person=person)
        return table

    small, large = build(3), build(30)
    client = login(personas.staff)
    client.get(url("table_detail", table_id=small.pk))
    counts = []
    for table in (small, large):
        # session, user, membership, switcher; the table; its seats (people and organizations
        # joined); the people matching the search; its strategies; attendance at its meetings
        with django_assert_num_queries(9):
            response = client.get(url("table_detail", table_id=table.pk), {"q": "zz-nobody"})
        counts.append(len(response.context["seats"]))
    assert counts == [3, 30]


# --- Editing the table ----------------------------------------------------------------------


def test_staff_edit_name_purpose_and_strategies(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.staff)
    target = url("table_edit", table_id=world.x.pk)

    page = client.get(target)
    response = client.post(
        target,
        {
            "name": "Early Years",
            "purpose": "Every child ready.",
            "strategies": [world.strategy_b.pk],
        },
    )

    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["name", "purpose", "strategies"]
    assert response.status_code == 302
    world.x.refresh_from_db()
    assert (world.x.name, world.x.purpose) == ("Early Years", "Every child ready.")
    assert list(world.x.strategies.values_list("title", flat=True)) == ["Reduce absence"]


def test_cochair_edits_only_the_purpose_of_their_own_table(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.cochair)

    page = client.get(url("table_edit", table_id=world.x.pk))
    response = client.post(
        url("table_edit", table_id=world.x.pk),
        {"name": "Renamed", "purpose": "Our new purpose.", "strategies": [world.strategy_b.pk]},
    )
    y_before = table_rows()
    other = client.post(url("table_edit", table_id=world.y.pk), {"purpose": "Taken over"})

    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["purpose"]
    assert response.status_code == 302
    world.x.refresh_from_db()
    assert (world.x.name, world.x.purpose) == ("Early Learning", "Our new purpose.")
    assert list(world.x.strategies.values_list("title", flat=True)) == ["Summer reading"]
    assert other.status_code == 403
    assert table_rows() == y_before


@pytest.mark.parametrize("who", ["steering", "partner"])
def test_non_leads_cannot_edit_tables(
    who: str, world: World, personas: Personas, login: Login
) -> None:
    client = login(getattr(personas, who))
    before = table_rows()
    assert client.get(url("table_edit", table_id=world.x.pk)).status_code == 403
    assert client.post(url("table_edit", table_id=world.x.pk), {"purpose": "x"}).status_code == 403
    assert table_rows() == before


def test_steering_committee_has_no_strategies_field(
    world: World, personas: Personas, login: Login
) -> None:
    page = login(personas.staff).get(url("table_edit", table_id=world.steering.pk))
    assert list(page.context["form"].fields) == ["name", "purpose"]


# --- Seats ----------------------------------------------------------------------------------


def test_candidates_are_active_people_not_yet_at_the_table(
    world: World, personas: Personas, login: Login
) -> None:
    PersonFactory(
        organization=personas.org, full_name="Omar Removed", archived_at="2025-01-01T00:00Z"
    )
    PersonFactory(organization=personas.other_org, full_name="Omar Elsewhere")
    client = login(personas.cochair)

    partial = client.get(
        url("table_candidates", table_id=world.x.pk), {"q": "omar"}, headers={"HX-Request": "true"}
    )
    seated = client.get(url("table_candidates", table_id=world.x.pk), {"q": "ana"})
    page = client.get(url("table_detail", table_id=world.x.pk), {"q": "omar"})

    assert [p.full_name for p in partial.context["candidates"]] == ["Omar Haddad"]
    assert partial.content.decode().startswith('<div id="candidates"')
    assert seated.context["candidates"] == []
    assert "No one else matches “ana”." in seated.content.decode()
    assert [p.full_name for p in page.context["candidates"]] == ["Omar Haddad"]


@pytest.mark.parametrize(
    ("who", "status"), [("staff", 200), ("cochair", 200), ("steering", 403), ("partner", 403)]
)
def test_candidates_only_for_those_who_edit_the_table(
    who: str, status: int, world: World, personas: Personas, login: Login
) -> None:
    response = login(getattr(personas, who)).get(
        url("table_candidates", table_id=world.x.pk), {"q": "o"}
    )
    assert response.status_code == status


def test_cochair_adds_a_person_with_htmx_and_gets_the_refreshed_body(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.cochair).post(
        url("seat_add", table_id=world.x.pk),
        {"person": world.newcomer.pk, "role": "co_chair"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="table-body">')
    seat = Seat.objects.get(table=world.x, person=world.newcomer)
    assert seat.role == "co_chair"
    assert [s.person.full_name for s in response.context["leads"]] == [
        "Keisha Brown",
        "Omar Haddad",
    ]


def test_add_without_htmx_redirects_with_a_message(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).post(
        url("seat_add", table_id=world.x.pk),
        {"person": world.newcomer.pk, "role": "member"},
        follow=True,
    )
    assert response.redirect_chain == [(url("table_detail", table_id=world.x.pk), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Omar Haddad now sits at Early Learning as member."
    ]


def test_adding_someone_already_seated_is_refused_with_the_reason(
    world: World, personas: Personas, login: Login
) -> None:
    before = seat_rows()
    response = login(personas.staff).post(
        url("seat_add", table_id=world.x.pk),
        {"person": world.member.pk, "role": "member"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.context["error"] == "Ana Diaz already sits at Early Learning."
    assert "Ana Diaz already sits at Early Learning." in response.content.decode()
    assert seat_rows() == before


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"person": "999999", "role": "member"}, "Choose someone from the list of people."),
        ({"person": "", "role": "member"}, "This field is required."),
        (
            {"role": "chair"},
            "Select a valid choice. chair is not one of the available choices.",
        ),
    ],
)
def test_bad_seat_input_is_refused_with_a_message(
    data: dict[str, str], error: str, world: World, personas: Personas, login: Login
) -> None:
    if "person" not in data:
        data = {**data, "person": str(world.newcomer.pk)}
    before = seat_rows()
    response = login(personas.staff).post(
        url("seat_add", table_id=world.x.pk), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.context["error"] == error
    assert seat_rows() == before


def test_a_person_of_another_organization_cannot_be_seated(
    world: World, personas: Personas, login: Login
) -> None:
    foreign: Any = PersonFactory(organization=personas.other_org)
    before = seat_rows()
    response = login(personas.staff).post(
        url("seat_add", table_id=world.x.pk), {"person": foreign.pk, "role": "member"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Choose someone from the list of people."
    ]
    assert seat_rows() == before


def test_cochair_changes_a_role_and_removes_a_seat_on_their_table(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.cochair)

    changed = client.post(
        url("seat_role", seat_id=world.member_seat.pk),
        {"role": "co_chair"},
        headers={"HX-Request": "true"},
    )
    removed = client.post(
        url("seat_remove", seat_id=world.partner_seat.pk), headers={"HX-Request": "true"}
    )

    assert (changed.status_code, removed.status_code) == (200, 200)
    world.member_seat.refresh_from_db()
    assert world.member_seat.role == "co_chair"
    assert not Seat.objects.filter(pk=world.partner_seat.pk).exists()
    assert [s.person.full_name for s in removed.context["seats"]] == ["Ana Diaz", "Keisha Brown"]


def test_cochair_of_x_gets_403_on_seats_of_y(
    world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.cochair)
    before = seat_rows()
    assert (
        client.post(
            url("seat_add", table_id=world.y.pk), {"person": world.newcomer.pk, "role": "member"}
        ).status_code
        == 403
    )
    assert (
        client.post(url("seat_role", seat_id=world.y_seat.pk), {"role": "co_chair"}).status_code
        == 403
    )
    assert client.post(url("seat_remove", seat_id=world.y_seat.pk)).status_code == 403
    assert seat_rows() == before


@pytest.mark.parametrize("who", ["steering", "partner"])
def test_non_leads_cannot_change_seats(
    who: str, world: World, personas: Personas, login: Login
) -> None:
    client = login(getattr(personas, who))
    before = seat_rows()
    assert (
        client.post(
            url("seat_add", table_id=world.x.pk), {"person": world.newcomer.pk, "role": "member"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            url("seat_role", seat_id=world.member_seat.pk), {"role": "co_chair"}
        ).status_code
        == 403
    )
    assert client.post(url("seat_remove", seat_id=world.member_seat.pk)).status_code == 403
    assert seat_rows() == before


def test_steering_chair_is_one_at_a_time_and_co_chair_is_not_a_choice(
    world: World, personas: Personas, login: Login
) -> None:
    first: Any = SeatFactory(table=world.steering, person=world.member, role=Seat.Role.CHAIR)
    client = login(personas.staff)

    wrong = client.post(url("seat_role", seat_id=first.pk), {"role": "co_chair"}, follow=True)
    client.post(
        url("seat_add", table_id=world.steering.pk), {"person": world.newcomer.pk, "role": "chair"}
    )

    assert [str(m) for m in wrong.context["messages"]] == ["Choose one of the listed roles."]
    assert dict(
        Seat.objects.filter(table=world.steering).values_list("person__full_name", "role")
    ) == {
        "Ana Diaz": "member",
        "Omar Haddad": "chair",
    }


def test_seat_changes_are_post_only(world: World, personas: Personas, login: Login) -> None:
    client = login(personas.staff)
    assert client.get(url("seat_add", table_id=world.x.pk)).status_code == 405
    assert client.get(url("seat_role", seat_id=world.member_seat.pk)).status_code == 405
    assert client.get(url("seat_remove", seat_id=world.member_seat.pk)).status_code == 405
    assert Seat.objects.count() == 4
    assert Person.objects.count() == 4
