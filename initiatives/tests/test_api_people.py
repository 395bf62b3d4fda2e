"""Partner organizations and people in the API: exact answers, duplicates, removal refused with
what a person holds, and demographics only for roles that may see them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from backbone.models import User
from backbone.roles import PERMISSIONS, Role
from initiatives.models import PartnerOrganization, Person, Seat
from initiatives.tests.factories import PartnerOrganizationFactory, PersonFactory
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    STAMP,
    Agenda,
    agenda_fixture,
    frozen_fixture,
    page,
    send,
)
from tests.factories import UserFactory
from tests.snapshot import snapshot

Login = Callable[[User], Client]
DEMOGRAPHICS = {"race_ethnicity", "gender"}


def invalid(fields: dict[str, list[str]], message: str = "The request has invalid fields.") -> Any:
    return {"error": {"code": "invalid", "message": message, "fields": fields}}


def partner_json(partner: PartnerOrganization, **changes: Any) -> dict[str, Any]:
    return {
        "id": partner.pk,
        "name": partner.name,
        "sector": partner.sector,
        "size_band": partner.size_band,
        "community_led": partner.community_led,
        "website": partner.website,
        "notes": partner.notes,
        "people_count": 1,
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


def person_json(person: Person, *, demographics: bool = True, **changes: Any) -> dict[str, Any]:
    shape = {
        "id": person.pk,
        "full_name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "partner_organization": person.partner_organization_id,
        "title": person.title,
        "preferred_language": "en",
        "is_community_member": False,
        "user": person.user_id,
        "archived_at": None,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    if demographics:
        shape |= {"race_ethnicity": person.race_ethnicity, "gender": person.gender}
    return shape | changes


# --- Partner organizations ------------------------------------------------------------------


def test_partner_organizations_list_search_and_sector(agenda: Agenda, login: Login) -> None:
    ymca: Any = PartnerOrganizationFactory(
        organization=agenda.personas.org, name="Westside YMCA", sector="nonprofit"
    )
    PartnerOrganizationFactory(organization=agenda.personas.other_org, name="Riverside Library")
    client = login(agenda.personas.cochair)

    everything = send(client, "GET", "partner-organizations/")
    searched = send(client, "GET", "partner-organizations/", {"search": "library"})
    by_sector = send(client, "GET", "partner-organizations/", {"sector": "nonprofit"})
    wrong = send(client, "GET", "partner-organizations/", {"sector": "church"})

    assert everything.json() == page(
        [partner_json(agenda.partner_org), partner_json(ymca, people_count=0)]
    )
    assert searched.json() == page([partner_json(agenda.partner_org)])
    assert [p["name"] for p in by_sector.json()["results"]] == ["Westside YMCA"]
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"] == {
        "sector": [
            "Use one of: nonprofit, public_agency, school, higher_ed, funder, business, faith, "
            "grassroots, resident_association, other."
        ]
    }


def test_partner_organization_create_update_delete(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)

    created = send(
        client,
        "POST",
        "partner-organizations/",
        {
            "name": " Northside Tenants Union ",
            "sector": "resident_association",
            "size_band": "under_250k",
            "community_led": True,
            "website": "https://tenants.example.org",
        },
    )
    pk = created.json()["id"]
    updated = send(client, "PATCH", f"partner-organizations/{pk}/", {"notes": "Meets Mondays."})
    deleted = send(client, "DELETE", f"partner-organizations/{pk}/")

    assert created.status_code == 201
    expected = {
        "id": pk,
        "name": "Northside Tenants Union",
        "sector": "resident_association",
        "size_band": "under_250k",
        "community_led": True,
        "website": "https://tenants.example.org",
        "notes": "",
        "people_count": 0,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    assert created.json() == expected
    assert updated.json() == expected | {"notes": "Meets Mondays."}
    assert deleted.status_code == 204
    assert list(PartnerOrganization.objects.values_list("name", flat=True)) == ["Eastside Library"]


def test_duplicate_partner_name_is_refused(agenda: Agenda, login: Login) -> None:
    other: Any = PartnerOrganizationFactory(organization=agenda.personas.org, name="Westside YMCA")
    client = login(agenda.personas.staff)
    before = snapshot()

    created = send(
        client, "POST", "partner-organizations/", {"name": "EASTSIDE library", "sector": "other"}
    )
    renamed = send(
        client, "PATCH", f"partner-organizations/{other.pk}/", {"name": "eastside Library"}
    )

    assert (created.status_code, renamed.status_code) == (400, 400)
    assert created.json() == invalid(
        {"name": ["Eastside Library is already a partner organization."]}
    )
    assert renamed.json() == created.json()
    assert snapshot() == before


def test_partner_organization_with_people_cannot_be_deleted(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(client, "DELETE", f"partner-organizations/{agenda.partner_org.pk}/")

    assert response.status_code == 400
    assert response.json() == invalid(
        {}, "People still belong to it; move them to another organization first: Ana Ruiz."
    )
    assert snapshot() == before


# --- People ---------------------------------------------------------------------------------


def test_people_list_as_staff_with_demographics(agenda: Agenda, login: Login) -> None:
    PersonFactory(organization=agenda.personas.other_org, full_name="Riverside person")

    response = send(login(agenda.personas.staff), "GET", "people/")

    assert response.status_code == 200
    assert response.json() == page(
        [
            person_json(agenda.person),
            person_json(agenda.cochair_person),
            person_json(agenda.partner_person),
        ]
    )


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR])
def test_demographics_are_absent_for_other_roles(role: Role, agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.by_role(role))

    listed = send(client, "GET", "people/", {"search": "ana"})
    retrieved = send(client, "GET", f"people/{agenda.person.pk}/")

    assert listed.json() == page([person_json(agenda.person, demographics=False)])
    assert retrieved.json() == person_json(agenda.person, demographics=False)
    assert DEMOGRAPHICS & set(retrieved.json()) == set()


def test_people_who_may_edit_but_not_see_demographics_cannot_write_them(
    agenda: Agenda, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were co-chairs ever allowed to manage people, demographics would still be staff-only.
    monkeypatch.setitem(PERMISSIONS, "manage_people", frozenset({Role.STAFF, Role.COCHAIR}))
    client = login(agenda.personas.cochair)

    updated = send(
        client,
        "PATCH",
        f"people/{agenda.person.pk}/",
        {"title": "Branch manager", "gender": "man", "race_ethnicity": "white"},
    )
    created = send(client, "POST", "people/", {"full_name": "Lee Park", "gender": "nonbinary"})

    assert updated.status_code == 200
    assert updated.json() == person_json(agenda.person, demographics=False, title="Branch manager")
    assert created.status_code == 201
    assert DEMOGRAPHICS & set(created.json()) == set()
    person = Person.objects.get(pk=agenda.person.pk)
    assert (person.title, person.gender, person.race_ethnicity) == (
        "Branch manager",
        "woman",
        "hispanic",
    )
    assert Person.objects.get(full_name="Lee Park").gender == ""


def test_people_filters(agenda: Agenda, login: Login) -> None:
    removed: Any = PersonFactory(
        organization=agenda.personas.org,
        full_name="Zoe Former",
        partner_organization=agenda.partner_org,
    )
    client = login(agenda.personas.staff)
    send(client, "DELETE", f"people/{removed.pk}/")

    of_partner = send(client, "GET", "people/", {"partner_organization": agenda.partner_org.pk})
    with_archived = send(
        client,
        "GET",
        "people/",
        {"partner_organization": agenda.partner_org.pk, "include_archived": "true"},
    )
    by_email = send(client, "GET", "people/", {"search": "COCHAIR@"})
    by_partner_name = send(client, "GET", "people/", {"search": "eastside"})

    assert [p["full_name"] for p in of_partner.json()["results"]] == ["Ana Ruiz"]
    assert [p["full_name"] for p in with_archived.json()["results"]] == ["Ana Ruiz", "Zoe Former"]
    assert [p["full_name"] for p in by_email.json()["results"]] == ["Carla Chen"]
    assert [p["full_name"] for p in by_partner_name.json()["results"]] == ["Ana Ruiz"]


def test_person_create_update_and_remove(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)

    created = send(
        client,
        "POST",
        "people/",
        {
            "full_name": "Lee Park",
            "email": "Lee@Example.org",
            "partner_organization": agenda.partner_org.pk,
            "preferred_language": "es",
            "is_community_member": True,
            "gender": "nonbinary",
        },
    )
    pk = created.json()["id"]
    updated = send(client, "PATCH", f"people/{pk}/", {"phone": "555-0100", "title": "Parent"})
    removed = send(client, "DELETE", f"people/{pk}/")
    retrieved = send(client, "GET", f"people/{pk}/")

    expected = {
        "id": pk,
        "full_name": "Lee Park",
        "email": "lee@example.org",
        "phone": "",
        "partner_organization": agenda.partner_org.pk,
        "title": "",
        "preferred_language": "es",
        "is_community_member": True,
        "user": None,
        "archived_at": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        "race_ethnicity": "",
        "gender": "nonbinary",
    }
    assert (created.status_code, created.json()) == (201, expected)
    assert updated.json() == expected | {"phone": "555-0100", "title": "Parent"}
    assert removed.status_code == 204
    assert retrieved.json() == expected | {
        "phone": "555-0100",
        "title": "Parent",
        "archived_at": STAMP,
    }
    assert Person.objects.filter(pk=pk).exists()


def test_person_linked_only_to_a_login_of_the_organization(agenda: Agenda, login: Login) -> None:
    stranger: Any = UserFactory(email="stranger@example.org")
    client = login(agenda.personas.staff)
    before = snapshot()

    refused = send(client, "PATCH", f"people/{agenda.person.pk}/", {"user": stranger.pk})
    assert snapshot() == before
    linked = send(
        client, "PATCH", f"people/{agenda.person.pk}/", {"user": agenda.personas.steering.pk}
    )

    assert refused.status_code == 400
    assert refused.json() == invalid(
        {"user": [f'Invalid pk "{stranger.pk}" - object does not exist.']}
    )
    assert linked.json()["user"] == agenda.personas.steering.pk


def test_duplicate_email_is_refused_naming_the_existing_person(
    agenda: Agenda, login: Login
) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    created = send(
        client, "POST", "people/", {"full_name": "Ana R.", "email": "ANA@eastside.example.org"}
    )
    changed = send(
        client,
        "PATCH",
        f"people/{agenda.cochair_person.pk}/",
        {"email": "ana@EASTSIDE.example.org"},
    )

    expected = invalid(
        {"email": [f"Ana Ruiz already has this email address (person {agenda.person.pk})."]}
    )
    assert (created.status_code, created.json()) == (400, expected)
    assert (changed.status_code, changed.json()) == (400, expected)
    assert snapshot() == before


def test_removing_a_cochair_is_refused_with_what_they_hold(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(client, "DELETE", f"people/{agenda.cochair_person.pk}/")

    assert response.status_code == 400
    assert response.json() == invalid(
        {}, "Carla Chen still holds: Co-chair of Early literacy. Reassign these first."
    )
    assert snapshot() == before


def test_removing_a_member_takes_them_off_every_table(agenda: Agenda, login: Login) -> None:
    response = send(login(agenda.personas.staff), "DELETE", f"people/{agenda.partner_person.pk}/")

    assert response.status_code == 204
    assert list(Seat.objects.values_list("person__full_name", flat=True)) == ["Carla Chen"]
    assert Person.objects.get(pk=agenda.partner_person.pk).archived_at is not None
