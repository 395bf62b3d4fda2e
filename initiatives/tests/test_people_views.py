"""People pages: list with search and pages, a person's page, add, edit, remove and restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backbone.models import User
from backbone.roles import PERMISSIONS, Role
from initiatives.models import Gender, Person, RaceEthnicity, Seat, Table
from initiatives.tests.factories import (
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    SeatFactory,
    TableFactory,
)
from tests.fixtures import Personas

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


def status_for(role: Role, permission: str, ok: int = 200) -> int:
    return ok if role in PERMISSIONS[permission] else 403


def people_rows() -> list[Any]:
    return list(Person.objects.order_by("pk").values())


def seat_rows() -> list[Any]:
    return list(Seat.objects.order_by("pk").values())


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "full_name": "Maria Lopez",
        "email": "Maria.Lopez@Example.org",
        "phone": "555-0100",
        "partner_organization": "",
        "title": "Parent leader",
        "preferred_language": "es",
        "is_community_member": "on",
        "user": "",
        "race_ethnicity": RaceEthnicity.HISPANIC,
        "gender": Gender.WOMAN,
    }
    data.update(overrides)
    return data


# --- List -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_people_list_is_for_roles_that_view_people(
    role: Role, personas: Personas, login: Login
) -> None:
    PersonFactory(organization=personas.org)
    response = login(personas.by_role(role)).get(url("people"))
    assert response.status_code == status_for(role, "view_people")


def test_people_list_columns_and_search(personas: Personas, login: Login) -> None:
    bank: Any = PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    maria: Any = PersonFactory(
        organization=personas.org,
        full_name="Maria Lopez",
        email="maria@example.org",
        partner_organization=bank,
        title="Branch manager",
        is_community_member=True,
    )
    PersonFactory(organization=personas.org, full_name="Ben Okafor", email="ben@harbor.example.org")
    PersonFactory(organization=personas.org, full_name="Zoe Diaz", email="zoe@example.org")
    SeatFactory(table__initiative__organization=personas.org, person=maria)
    SeatFactory(table__initiative__organization=personas.org, person=maria)
    client = login(personas.steering)

    everyone = client.get(url("people"))
    by_name = client.get(url("people"), {"q": "lopez"})
    by_email = client.get(url("people"), {"q": "HARBOR.example"})
    by_org = client.get(url("people"), {"q": "harbor bank"})

    assert [(p.full_name, p.table_count) for p in everyone.context["page"].object_list] == [
        ("Ben Okafor", 0),
        ("Maria Lopez", 2),
        ("Zoe Diaz", 0),
    ]
    assert [p.full_name for p in by_name.context["page"].object_list] == ["Maria Lopez"]
    assert [p.full_name for p in by_email.context["page"].object_list] == ["Ben Okafor"]
    assert [p.full_name for p in by_org.context["page"].object_list] == ["Maria Lopez"]
    html = everyone.content.decode()
    for text in ("Harbor Bank", "Branch manager", "Community member"):
        assert text in html


def test_people_list_paginates_by_fifty_keeping_the_search(
    personas: Personas, login: Login
) -> None:
    for i in range(51):
        PersonFactory(organization=personas.org, full_name=f"Maria {i:02d}")
    PersonFactory(organization=personas.org, full_name="Ben Okafor")
    client = login(personas.staff)

    first = client.get(url("people"), {"q": "maria"})
    second = client.get(url("people"), {"q": "maria", "page": "2"})

    assert len(first.context["page"].object_list) == 50
    assert [p.full_name for p in second.context["page"].object_list] == ["Maria 50"]
    assert 'href="?q=maria&amp;page=2"' in first.content.decode()


def test_removed_people_are_listed_only_under_their_filter(
    personas: Personas, login: Login
) -> None:
    PersonFactory(organization=personas.org, full_name="Current Person")
    PersonFactory(organization=personas.org, full_name="Gone Person", archived_at=timezone.now())
    client = login(personas.staff)

    current = client.get(url("people"))
    removed = client.get(url("people"), {"show": "removed"})

    assert [p.full_name for p in current.context["page"].object_list] == ["Current Person"]
    assert [p.full_name for p in removed.context["page"].object_list] == ["Gone Person"]
    assert "Removed people" in removed.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_people_list_queries_do_not_grow(
    count: int, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org)
    table: Any = TableFactory(initiative__organization=personas.org)
    for person in PersonFactory.create_batch(
        count, organization=personas.org, partner_organization=partner, user=None
    ):
        SeatFactory(table=table, person=person)
    client = login(personas.staff)
    client.get(url("people"))  # the first visit also saves the session's last organization
    # session, user, membership, the switcher's memberships; count and page of people
    # (organizations and logins joined, tables counted in SQL)
    with django_assert_num_queries(6):
        response = client.get(url("people"))
    assert len(response.context["page"].object_list) == count


# --- A person's page ------------------------------------------------------------------------


def _person_at_two_tables(personas: Personas) -> tuple[Any, Any, Any]:
    bank: Any = PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    person: Any = PersonFactory(
        organization=personas.org,
        full_name="Maria Lopez",
        email="maria@example.org",
        phone="555-0100",
        partner_organization=bank,
        preferred_language="es",
        is_community_member=True,
        race_ethnicity=RaceEthnicity.HISPANIC,
        gender=Gender.WOMAN,
        user=personas.cochair,
    )
    initiative: Any = InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    early: Any = TableFactory(initiative=initiative, name="Early Learning")
    attendance: Any = TableFactory(initiative=initiative, name="Attendance Works")
    SeatFactory(table=early, person=person, role=Seat.Role.CO_CHAIR)
    SeatFactory(table=attendance, person=person, role=Seat.Role.MEMBER)
    return person, early, attendance


@pytest.mark.parametrize("role", list(Role))
def test_person_page_shows_demographics_only_to_staff(
    role: Role, personas: Personas, login: Login
) -> None:
    person, early, attendance = _person_at_two_tables(personas)
    # The partner sits at both tables, so they may see the person.
    partner_person: Any = PersonFactory(organization=personas.org, user=personas.partner)
    SeatFactory(table=early, person=partner_person)
    SeatFactory(table=attendance, person=partner_person)

    response = login(personas.by_role(role)).get(url("person_detail", person_id=person.pk))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("maria@example.org", "555-0100", "Harbor Bank", "Spanish", "Community member"):
        assert text in html
    assert "Logs in as cochair@lakeshore.example.org" in html
    assert [(s.table.name, s.get_role_display()) for s in response.context["seats"]] == [
        ("Attendance Works", "Member"),
        ("Early Learning", "Co-chair"),
    ]
    shown = role in PERMISSIONS["view_person_demographics"]
    assert response.context["show_demographics"] is shown
    assert ("Hispanic or Latino/a/e" in html) is shown
    assert ('id="demographics"' in html) is shown


def test_partner_sees_a_person_only_through_a_shared_table(
    personas: Personas, login: Login
) -> None:
    person, early, _ = _person_at_two_tables(personas)
    stranger: Any = PersonFactory(organization=personas.org, full_name="Not At My Table")
    partner_person: Any = PersonFactory(organization=personas.org, user=personas.partner)
    SeatFactory(table=early, person=partner_person)
    client = login(personas.partner)

    shared = client.get(url("person_detail", person_id=person.pk))
    other = client.get(url("person_detail", person_id=stranger.pk))

    assert shared.status_code == 200
    # Only the tables the partner can see are listed.
    assert [s.table.name for s in shared.context["seats"]] == ["Early Learning"]
    assert other.status_code == 403


def test_person_without_login_says_so(personas: Personas, login: Login) -> None:
    person: Any = PersonFactory(organization=personas.org, user=None)
    response = login(personas.staff).get(url("person_detail", person_id=person.pk))
    assert "No login — reminders and replies work by email" in response.content.decode()


def test_person_page_queries_are_fixed(
    personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    person, _, _ = _person_at_two_tables(personas)
    client = login(personas.staff)
    client.get(url("people"))
    # session, user, membership, switcher; the person (organization and login joined);
    # their seats with tables and initiatives
    with django_assert_num_queries(6):
        client.get(url("person_detail", person_id=person.pk))


# --- Add and edit ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_add_person_is_staff_only(role: Role, personas: Personas, login: Login) -> None:
    bank: Any = PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    client = login(personas.by_role(role))

    page = client.get(url("person_create"))
    response = client.post(
        url("person_create"),
        form_data(partner_organization=bank.pk, user=personas.partner.pk),
    )

    assert page.status_code == status_for(role, "manage_people")
    if role in PERMISSIONS["manage_people"]:
        person = Person.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("person_detail", person_id=person.pk)
        assert (
            person.full_name,
            person.email,
            person.partner_organization_id,
            person.preferred_language,
            person.is_community_member,
            person.user_id,
            person.race_ethnicity,
            person.gender,
        ) == (
            "Maria Lopez",
            "maria.lopez@example.org",
            bank.pk,
            "es",
            True,
            personas.partner.pk,
            "hispanic",
            "woman",
        )
    else:
        assert response.status_code == 403
        assert Person.objects.count() == 0


def test_duplicate_email_offers_the_existing_person(personas: Personas, login: Login) -> None:
    existing: Any = PersonFactory(
        organization=personas.org, full_name="Maria Lopez", email="maria.lopez@example.org"
    )
    before = people_rows()

    response = login(personas.staff).post(
        url("person_create"), form_data(full_name="M. Lopez", email="MARIA.LOPEZ@example.org")
    )

    assert response.status_code == 400
    link = url("person_detail", person_id=existing.pk)
    assert response.context["form"].errors["email"] == [
        f'Maria Lopez already has this email address. <a href="{link}">Open their page</a>'
    ]
    assert (
        f'Maria Lopez already has this email address. <a href="{link}">Open their page</a>'
        in response.content.decode()
    )
    assert people_rows() == before


def test_same_email_in_another_organization_is_a_different_person(
    personas: Personas, login: Login
) -> None:
    PersonFactory(organization=personas.other_org, email="maria.lopez@example.org")
    response = login(personas.staff).post(url("person_create"), form_data())
    assert response.status_code == 302
    assert Person.objects.filter(organization=personas.org).count() == 1


def test_partner_organization_of_another_organization_is_not_a_choice(
    personas: Personas, login: Login
) -> None:
    foreign: Any = PartnerOrganizationFactory(organization=personas.other_org)
    response = login(personas.staff).post(
        url("person_create"), form_data(partner_organization=foreign.pk)
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["partner_organization"]
    assert Person.objects.count() == 0


def test_bad_email_is_a_form_error(personas: Personas, login: Login) -> None:
    response = login(personas.staff).post(url("person_create"), form_data(email="not-an-email"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert Person.objects.count() == 0


def test_edit_person_saves_and_a_taken_email_is_refused(personas: Personas, login: Login) -> None:
    person: Any = PersonFactory(
        organization=personas.org, full_name="Ben Okafor", email="ben@example.org"
    )
    other: Any = PersonFactory(
        organization=personas.org, full_name="Maria Lopez", email="maria@example.org"
    )
    client = login(personas.staff)

    page = client.get(url("person_edit", person_id=person.pk))
    refused = client.post(
        url("person_edit", person_id=person.pk),
        form_data(full_name="Ben Okafor", email="Maria@example.org"),
    )
    person.refresh_from_db()
    email_after_refusal = person.email
    saved = client.post(
        url("person_edit", person_id=person.pk),
        form_data(full_name="Benjamin Okafor", email="ben@example.org"),
    )
    person.refresh_from_db()

    assert page.status_code == 200
    assert page.context["form"].initial["email"] == "ben@example.org"
    assert refused.status_code == 400
    link = url("person_detail", person_id=other.pk)
    assert refused.context["form"].errors["email"] == [
        f'Maria Lopez already has this email address. <a href="{link}">Open their page</a>'
    ]
    assert email_after_refusal == "ben@example.org"
    assert saved.status_code == 302
    assert (person.full_name, person.title) == ("Benjamin Okafor", "Parent leader")


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_edit_remove_restore_are_refused_to_non_staff(
    role: Role, personas: Personas, login: Login
) -> None:
    person: Any = PersonFactory(organization=personas.org)
    archived: Any = PersonFactory(organization=personas.org, archived_at=timezone.now())
    client = login(personas.by_role(role))
    before = people_rows()

    assert client.get(url("person_edit", person_id=person.pk)).status_code == 403
    assert client.post(url("person_edit", person_id=person.pk), form_data()).status_code == 403
    assert client.post(url("person_remove", person_id=person.pk)).status_code == 403
    assert client.post(url("person_restore", person_id=archived.pk)).status_code == 403
    assert people_rows() == before


# --- Remove and restore ---------------------------------------------------------------------


def test_remove_is_refused_with_what_they_hold_and_nothing_changes(
    personas: Personas, login: Login
) -> None:
    person, early, _ = _person_at_two_tables(personas)
    steering: Any = TableFactory(
        initiative=early.initiative, kind=Table.Kind.STEERING, name="Steering committee"
    )
    SeatFactory(table=steering, person=person, role=Seat.Role.CHAIR)
    people_before, seats_before = people_rows(), seat_rows()

    response = login(personas.staff).post(url("person_remove", person_id=person.pk))

    assert response.status_code == 409
    assert response.context["holdings"] == [
        "Chair of Steering committee",
        "Co-chair of Early Learning",
    ]
    assert response.context["refused"] == (
        "Maria Lopez still holds: Chair of Steering committee; Co-chair of Early Learning. "
        "Reassign these first."
    )
    html = response.content.decode()
    assert "<li>Co-chair of Early Learning</li>" in html
    assert "<li>Chair of Steering committee</li>" in html
    assert people_rows() == people_before
    assert seat_rows() == seats_before


def test_remove_archives_takes_off_every_table_and_restore_brings_back(
    personas: Personas, login: Login
) -> None:
    person: Any = PersonFactory(organization=personas.org, full_name="Ben Okafor")
    SeatFactory.create_batch(2, table__initiative__organization=personas.org, person=person)
    client = login(personas.staff)

    removed = client.post(url("person_remove", person_id=person.pk))
    person.refresh_from_db()
    archived_at = person.archived_at
    seats_after_removal = Seat.objects.filter(person=person).count()
    listed = [p.full_name for p in client.get(url("people")).context["page"].object_list]
    page = client.get(url("person_detail", person_id=person.pk)).content.decode()
    restored = client.post(url("person_restore", person_id=person.pk))
    person.refresh_from_db()

    assert removed.status_code == 302
    assert removed["Location"] == url("person_detail", person_id=person.pk)
    assert archived_at is not None
    assert seats_after_removal == 0
    assert "Ben Okafor" not in listed
    assert "Restore Ben Okafor" in page
    assert restored.status_code == 302
    assert person.archived_at is None
    assert [p.full_name for p in client.get(url("people")).context["page"].object_list] == [
        "Ben Okafor"
    ]


def test_remove_and_restore_are_post_only(personas: Personas, login: Login) -> None:
    person: Any = PersonFactory(organization=personas.org)
    client = login(personas.staff)
    assert client.get(url("person_remove", person_id=person.pk)).status_code == 405
    assert client.get(url("person_restore", person_id=person.pk)).status_code == 405
    person.refresh_from_db()
    assert person.archived_at is None
