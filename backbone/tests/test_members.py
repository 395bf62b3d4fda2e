"""The members page: list, htmx role change, removal, the last-staff rule; query counts pinned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from backbone.models import APIToken, Membership
from backbone.roles import Role
from backbone.services import api_token_create
from tests.factories import InvitationFactory, MembershipFactory, OutboundEmailFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Dozens of users per test: the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _roles(personas: Any) -> dict[str, str]:
    return dict(
        Membership.objects.filter(organization=personas.org).values_list("user__email", "role")
    )


PERSONA_ROLES = {
    "staff@lakeshore.example.org": "staff",
    "steering@lakeshore.example.org": "steering",
    "cochair@lakeshore.example.org": "cochair",
    "partner@lakeshore.example.org": "partner",
}


@pytest.mark.django_db
def test_members_page_lists_the_members_of_this_organization_only(
    login: Any, personas: Any
) -> None:
    response = login(personas.staff).get("/o/lakeshore/members/")

    assert response.status_code == 200
    assert sorted(m.user.email for m in response.context["members"]) == sorted(PERSONA_ROLES)
    content = response.content.decode()
    for email in PERSONA_ROLES:
        assert email in content
    assert "outsider@riverside.example.org" not in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR])
def test_steering_and_cochairs_see_members_without_controls(
    login: Any, personas: Any, role: str
) -> None:
    response = login(personas.by_role(role)).get("/o/lakeshore/members/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "partner@lakeshore.example.org" in content
    assert "/remove/" not in content
    assert "Send invitation" not in content


@pytest.mark.django_db
def test_partner_may_not_see_the_members_page(login: Any, personas: Any) -> None:
    response = login(personas.partner).get("/o/lakeshore/members/")

    assert response.status_code == 403
    assert b"Your role does not include this" in response.content


@pytest.mark.django_db
def test_htmx_role_change_returns_the_row_with_the_new_role_and_saved(
    login: Any, personas: Any
) -> None:
    membership = personas.membership(personas.partner)

    response = login(personas.staff).post(
        f"/o/lakeshore/members/{membership.pk}/role/", {"role": "cochair"}, **HTMX
    )

    assert response.status_code == 200
    assert response.templates[0].name == "backbone/partials/member_row.html"
    content = response.content.decode()
    assert content.startswith(f'<tr id="member-{membership.pk}"')
    assert '<option value="cochair" selected>' in content
    assert content.count("selected>") == 1
    assert '<span class="saved">Saved</span>' in content
    assert "<html" not in content
    assert _roles(personas) == {**PERSONA_ROLES, "partner@lakeshore.example.org": "cochair"}


@pytest.mark.django_db
def test_role_change_without_htmx_redirects_with_a_message(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    membership = personas.membership(personas.steering)

    response = client.post(f"/o/lakeshore/members/{membership.pk}/role/", {"role": "staff"})

    assert response.status_code == 302
    assert response["Location"] == "/o/lakeshore/members/"
    assert _roles(personas)["steering@lakeshore.example.org"] == "staff"
    page = client.get("/o/lakeshore/members/").content.decode()
    assert f"{personas.steering.full_name} is now Backbone staff." in page


@pytest.mark.django_db
def test_unknown_role_is_refused_and_nothing_changes(login: Any, personas: Any) -> None:
    membership = personas.membership(personas.partner)

    response = login(personas.staff).post(
        f"/o/lakeshore/members/{membership.pk}/role/", {"role": "owner"}, **HTMX
    )

    assert response.status_code == 400
    assert "Choose one of the listed roles." in response.content.decode()
    assert _roles(personas) == PERSONA_ROLES


@pytest.mark.django_db
def test_demoting_the_last_staff_member_is_refused(login: Any, personas: Any) -> None:
    membership = personas.membership(personas.staff)

    response = login(personas.staff).post(
        f"/o/lakeshore/members/{membership.pk}/role/", {"role": "partner"}, **HTMX
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert (
        f"{personas.staff.full_name} is the only backbone staff member. Make someone else "
        "backbone staff first, so the organization always has someone who can manage it."
    ) in content.replace("&#x27;", "'")
    assert '<option value="staff" selected>' in content
    assert "Saved" not in content
    assert _roles(personas) == PERSONA_ROLES


@pytest.mark.django_db
def test_removing_the_last_staff_member_is_refused(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    membership = personas.membership(personas.staff)

    response = client.post(f"/o/lakeshore/members/{membership.pk}/remove/", follow=True)

    assert response.redirect_chain == [("/o/lakeshore/members/", 302)]
    assert (
        f"{personas.staff.full_name} is the only backbone staff member and cannot be removed. "
        "Make someone else backbone staff first."
    ) in [str(m) for m in response.context["messages"]]
    assert _roles(personas) == PERSONA_ROLES


@pytest.mark.django_db
def test_a_staff_member_can_be_demoted_when_another_remains(login: Any, personas: Any) -> None:
    MembershipFactory(organization=personas.org, role=Role.STAFF)
    membership = personas.membership(personas.staff)

    response = login(personas.staff).post(
        f"/o/lakeshore/members/{membership.pk}/role/", {"role": "steering"}, **HTMX
    )

    assert response.status_code == 200
    assert _roles(personas)["staff@lakeshore.example.org"] == "steering"


@pytest.mark.django_db
def test_removing_another_member_works(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    membership = personas.membership(personas.cochair)

    response = client.post(f"/o/lakeshore/members/{membership.pk}/remove/", follow=True)

    assert response.redirect_chain == [("/o/lakeshore/members/", 302)]
    assert f"{personas.cochair.full_name} was removed from the organization." in [
        str(m) for m in response.context["messages"]
    ]
    expected = dict(PERSONA_ROLES)
    del expected["cochair@lakeshore.example.org"]
    assert _roles(personas) == expected
    assert Membership.objects.filter(user=personas.cochair).count() == 0
    # The person is gone from the organization: its pages are a 404 for them now.
    assert login(personas.cochair).get("/o/lakeshore/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_only_staff_change_roles_or_remove(login: Any, personas: Any, role: str) -> None:
    client = login(personas.by_role(role))
    target = personas.membership(personas.partner if role != Role.PARTNER else personas.cochair)

    responses = [
        client.post(f"/o/lakeshore/members/{target.pk}/role/", {"role": "staff"}, **HTMX),
        client.post(f"/o/lakeshore/members/{target.pk}/remove/"),
    ]

    assert [r.status_code for r in responses] == [403, 403]
    assert _roles(personas) == PERSONA_ROLES


@pytest.mark.django_db
def test_outsider_gets_404_for_every_member_action(login: Any, personas: Any) -> None:
    client = login(personas.outsider)
    target = personas.membership(personas.partner)

    responses = [
        client.get("/o/lakeshore/members/"),
        client.post(f"/o/lakeshore/members/{target.pk}/role/", {"role": "staff"}, **HTMX),
        client.post(f"/o/lakeshore/members/{target.pk}/remove/"),
        # The outsider's own organization, with a membership id from another one.
        client.post(f"/o/riverside/members/{target.pk}/role/", {"role": "staff"}, **HTMX),
        client.post(f"/o/riverside/members/{target.pk}/remove/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404, 404]
    assert _roles(personas) == PERSONA_ROLES


# --- Query counts -------------------------------------------------------------------------------

# session, user, membership (middleware), the switcher's memberships, + the page's.
MEMBERS_PAGE_QUERIES = 6
# Staff's home page also looks for a guided start to continue.
ORG_HOME_QUERIES = 8
OUTBOX_QUERIES = 6
TOKENS_QUERIES = 5


def _measure(
    client: Client, url: str, expected: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    assert client.get(url).status_code == 200  # warm-up: the session records the last org
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


def _add_members(personas: Any, count: int) -> None:
    for _ in range(count):
        MembershipFactory(organization=personas.org, role=Role.PARTNER)
        InvitationFactory(organization=personas.org, invited_by=personas.staff)


def _add_emails(personas: Any, count: int) -> None:
    OutboundEmailFactory.create_batch(count, organization=personas.org)


def _add_tokens(personas: Any, count: int) -> None:
    for n in range(count):
        api_token_create(user=personas.staff, organization=personas.org, name=f"Script {n}")


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_members_page_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    _add_members(personas, rows)
    client = login(personas.staff)

    _measure(client, "/o/lakeshore/members/", MEMBERS_PAGE_QUERIES, django_assert_num_queries)
    response = client.get("/o/lakeshore/members/")
    assert len(response.context["members"]) == 4 + rows
    assert len(response.context["invitations"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_org_home_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    _add_members(personas, rows)
    _add_emails(personas, rows)
    client = login(personas.staff)

    _measure(client, "/o/lakeshore/", ORG_HOME_QUERIES, django_assert_num_queries)
    overview = client.get("/o/lakeshore/").context["overview"]
    assert (overview.member_count, overview.pending_invitations, overview.emails_sent) == (
        4 + rows,
        rows,
        rows,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_outbox_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    _add_emails(personas, rows)
    OutboundEmailFactory(organization=personas.other_org)
    client = login(personas.staff)

    _measure(client, "/o/lakeshore/outbox/", OUTBOX_QUERIES, django_assert_num_queries)
    assert len(client.get("/o/lakeshore/outbox/").context["page"].object_list) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_tokens_page_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    _add_tokens(personas, rows)
    client = login(personas.staff)

    _measure(client, "/o/lakeshore/api-tokens/", TOKENS_QUERIES, django_assert_num_queries)
    assert APIToken.objects.filter(user=personas.staff).count() == rows
    assert len(client.get("/o/lakeshore/api-tokens/").context["tokens"]) == rows
