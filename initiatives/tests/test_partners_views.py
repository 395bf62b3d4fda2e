"""Partner organization pages: list with search, page, add, edit, delete; roles and queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import PERMISSIONS, Role
from initiatives.models import PartnerOrganization, Sector, SizeBand
from initiatives.tests.factories import PartnerOrganizationFactory, PersonFactory
from tests.fixtures import Personas

Login = Callable[[User], Client]


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


def status_for(role: Role, permission: str, ok: int = 200) -> int:
    return ok if role in PERMISSIONS[permission] else 403


def rows(model: type[PartnerOrganization]) -> list[Any]:
    return list(model.objects.order_by("pk").values())


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


VALID = {
    "name": "Abuelas Unidas",
    "sector": Sector.GRASSROOTS,
    "size_band": SizeBand.UNDER_250K,
    "community_led": "on",
    "website": "https://abuelas.example.org",
    "notes": "Meets on Tuesdays.",
}


@pytest.mark.parametrize("role", list(Role))
def test_partner_list_is_for_roles_that_view_people(
    role: Role, personas: Personas, login: Login
) -> None:
    PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    response = login(personas.by_role(role)).get(url("partners"))
    assert response.status_code == status_for(role, "view_people")


@pytest.mark.parametrize("role", list(Role))
def test_partner_page_is_for_roles_that_view_people(
    role: Role, personas: Personas, login: Login
) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org)
    response = login(personas.by_role(role)).get(url("partner_detail", partner_id=partner.pk))
    assert response.status_code == status_for(role, "view_people")


def test_partner_list_shows_columns_and_active_people_count(
    personas: Personas, login: Login
) -> None:
    partner: Any = PartnerOrganizationFactory(
        organization=personas.org,
        name="Abuelas Unidas",
        sector=Sector.GRASSROOTS,
        size_band=SizeBand.UNDER_250K,
        community_led=True,
    )
    PersonFactory.create_batch(2, organization=personas.org, partner_organization=partner)
    PersonFactory(
        organization=personas.org, partner_organization=partner, archived_at="2025-01-01T00:00Z"
    )

    response = login(personas.steering).get(url("partners"))

    page = response.context["page"]
    assert [(p.name, p.people_count) for p in page.object_list] == [("Abuelas Unidas", 2)]
    html = response.content.decode()
    for text in (
        "Abuelas Unidas",
        "Community or grassroots group",
        "Under $250,000",
        "Community-led",
    ):
        assert text in html


def test_partner_search_matches_name_only(personas: Personas, login: Login) -> None:
    for name in ("Harbor Bank", "Harbor Health", "Lakeshore Schools"):
        PartnerOrganizationFactory(organization=personas.org, name=name)

    response = login(personas.staff).get(url("partners"), {"q": "harbor"})

    assert [p.name for p in response.context["page"].object_list] == [
        "Harbor Bank",
        "Harbor Health",
    ]


@pytest.mark.parametrize("role", list(Role))
def test_add_partner_is_staff_only(role: Role, personas: Personas, login: Login) -> None:
    client = login(personas.by_role(role))
    assert client.get(url("partner_create")).status_code == status_for(role, "manage_people")
    response = client.post(url("partner_create"), VALID)
    if role in PERMISSIONS["manage_people"]:
        partner = PartnerOrganization.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("partner_detail", partner_id=partner.pk)
        assert (partner.name, partner.sector, partner.size_band, partner.community_led) == (
            "Abuelas Unidas",
            "grassroots",
            "under_250k",
            True,
        )
    else:
        assert response.status_code == 403
        assert PartnerOrganization.objects.count() == 0


def test_duplicate_partner_name_names_and_links_the_existing_one(
    personas: Personas, login: Login
) -> None:
    existing: Any = PartnerOrganizationFactory(organization=personas.org, name="Abuelas Unidas")
    before = rows(PartnerOrganization)

    response = login(personas.staff).post(
        url("partner_create"), {**VALID, "name": "abuelas UNIDAS"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["Abuelas Unidas is already a partner organization."]
    }
    link = url("partner_detail", partner_id=existing.pk)
    assert f'<a href="{link}">Open Abuelas Unidas</a>' in response.content.decode()
    assert rows(PartnerOrganization) == before


def test_same_name_in_another_organization_is_fine(personas: Personas, login: Login) -> None:
    PartnerOrganizationFactory(organization=personas.other_org, name="Abuelas Unidas")
    response = login(personas.staff).post(url("partner_create"), VALID)
    assert response.status_code == 302
    assert PartnerOrganization.objects.filter(organization=personas.org).count() == 1


def test_edit_partner_saves_and_renaming_onto_another_is_refused(
    personas: Personas, login: Login
) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    other: Any = PartnerOrganizationFactory(organization=personas.org, name="Reading Corps")
    client = login(personas.staff)

    form = client.get(url("partner_edit", partner_id=partner.pk))
    assert form.status_code == 200
    assert form.context["form"].initial["name"] == "Harbor Bank"

    refused = client.post(
        url("partner_edit", partner_id=partner.pk), {**VALID, "name": "reading corps"}
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "name": ["Reading Corps is already a partner organization."]
    }
    assert f'href="{url("partner_detail", partner_id=other.pk)}"' in refused.content.decode()
    partner.refresh_from_db()
    assert partner.name == "Harbor Bank"

    saved = client.post(
        url("partner_edit", partner_id=partner.pk), {**VALID, "name": "Harbor Bank & Trust"}
    )
    assert saved.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.sector) == ("Harbor Bank & Trust", "grassroots")


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_edit_and_delete_partner_refused_to_non_staff(
    role: Role, personas: Personas, login: Login
) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    client = login(personas.by_role(role))
    before = rows(PartnerOrganization)
    assert client.get(url("partner_edit", partner_id=partner.pk)).status_code == 403
    assert client.post(url("partner_edit", partner_id=partner.pk), VALID).status_code == 403
    assert client.post(url("partner_delete", partner_id=partner.pk)).status_code == 403
    assert rows(PartnerOrganization) == before


def test_delete_partner_with_people_is_refused_and_lists_them(
    personas: Personas, login: Login
) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    PersonFactory(organization=personas.org, partner_organization=partner, full_name="Maria Lopez")
    PersonFactory(organization=personas.org, partner_organization=partner, full_name="Ben Okafor")
    client = login(personas.staff)

    response = client.post(url("partner_delete", partner_id=partner.pk), follow=True)

    assert response.redirect_chain == [(url("partner_detail", partner_id=partner.pk), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "People still belong to it; move them to another organization first: "
        "Ben Okafor, Maria Lopez."
    ]
    assert PartnerOrganization.objects.filter(pk=partner.pk).exists()
    assert [p.full_name for p in response.context["people"]] == ["Ben Okafor", "Maria Lopez"]


def test_delete_partner_without_people(personas: Personas, login: Login) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org, name="Harbor Bank")
    response = login(personas.staff).post(url("partner_delete", partner_id=partner.pk))
    assert response.status_code == 302
    assert response["Location"] == url("partners")
    assert PartnerOrganization.objects.count() == 0


def test_partner_delete_is_post_only(personas: Personas, login: Login) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org)
    assert (
        login(personas.staff).get(url("partner_delete", partner_id=partner.pk)).status_code == 405
    )
    assert PartnerOrganization.objects.count() == 1


def test_partner_list_paginates_by_fifty(personas: Personas, login: Login) -> None:
    PartnerOrganizationFactory.create_batch(51, organization=personas.org)
    client = login(personas.staff)
    assert len(client.get(url("partners")).context["page"].object_list) == 50
    assert len(client.get(url("partners"), {"page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize("count", [3, 30])
def test_partner_list_queries_do_not_grow(
    count: int, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    for partner in PartnerOrganizationFactory.create_batch(count, organization=personas.org):
        PersonFactory.create_batch(2, organization=personas.org, partner_organization=partner)
    client = login(personas.staff)
    client.get(url("partners"))  # the first visit also saves the session's last organization
    # session, user, membership, the switcher's memberships; count and page of partners
    # (people counted in SQL)
    with django_assert_num_queries(6):
        response = client.get(url("partners"))
    assert len(response.context["page"].object_list) == count
