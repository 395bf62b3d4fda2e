"""Tests generated from the roles table, backbone.roles.PERMISSIONS: a new row or a new role adds
its cases here without anyone writing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import PERMISSIONS, Role
from backbone.urls import org_urlpatterns
from tests.factories import (
    APITokenFactory,
    InvitationFactory,
    MembershipFactory,
    OutboundEmailFactory,
)
from tests.fixtures import Personas
from tests.snapshot import snapshot

TABLE = [(name, role) for name in PERMISSIONS for role in Role]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(("permission", "role"), TABLE, ids=lambda v: str(v))
def test_each_role_has_exactly_the_permissions_of_the_table(
    permission: str, role: Role, personas: Personas
) -> None:
    user = personas.by_role(role)

    assert user.has_perm(f"backbone.{permission}", personas.org) is (
        role in PERMISSIONS[permission]
    )


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_staff_of_another_organization_has_no_permission_here(
    permission: str, personas: Personas
) -> None:
    assert personas.outsider.has_perm(f"backbone.{permission}", personas.org) is False
    # ...while holding every staff permission in its own organization.
    assert personas.outsider.has_perm(f"backbone.{permission}", personas.other_org) is (
        Role.STAFF in PERMISSIONS[permission]
    )


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_anonymous_visitor_has_no_permission(permission: str, personas: Personas) -> None:
    assert AnonymousUser().has_perm(f"backbone.{permission}", personas.org) is False


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_permission_without_an_organization_is_refused(permission: str, personas: Personas) -> None:
    assert personas.staff.has_perm(f"backbone.{permission}") is False


# --- Pages that guard a permission ---------------------------------------------------------


@dataclass(frozen=True)
class GuardedPage:
    route: str
    method: str
    permission: str
    allowed_status: int  # what a role that may do this gets
    writes: bool  # whether an allowed request changes rows
    # Builds the URL kwargs other than org_slug: (personas, requesting user) -> kwargs.
    target: Callable[[Personas, User], dict[str, int]] = lambda personas, user: {}
    data: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.route}"


def _other_member(personas: Personas, user: User) -> dict[str, int]:
    member: Any = MembershipFactory(organization=personas.org, role=Role.PARTNER)
    return {"membership_id": member.pk}


def _pending_invitation(personas: Personas, user: User) -> dict[str, int]:
    invitation: Any = InvitationFactory(organization=personas.org, invited_by=personas.staff)
    return {"invitation_id": invitation.pk}


def _own_token(personas: Personas, user: User) -> dict[str, int]:
    token: Any = APITokenFactory(organization=personas.org, user=user)
    return {"token_id": token.pk}


def _sent_email(personas: Personas, user: User) -> dict[str, int]:
    email: Any = OutboundEmailFactory(organization=personas.org)
    return {"email_id": email.pk}


GUARDED_PAGES = [
    GuardedPage("org_home", "GET", "view_organization", 200, writes=False),
    GuardedPage("members", "GET", "view_members", 200, writes=False),
    GuardedPage(
        "member_invite",
        "POST",
        "manage_members",
        302,
        writes=True,
        data={"email": "newcomer@example.org", "role": Role.PARTNER},
    ),
    GuardedPage(
        "member_role",
        "POST",
        "manage_members",
        302,
        writes=True,
        target=_other_member,
        data={"role": Role.STEERING},
    ),
    GuardedPage("member_remove", "POST", "manage_members", 302, True, _other_member),
    GuardedPage("invitation_revoke", "POST", "manage_members", 302, True, _pending_invitation),
    GuardedPage("invitation_resend", "POST", "manage_members", 302, True, _pending_invitation),
    GuardedPage("org_settings", "GET", "manage_organization", 200, writes=False),
    GuardedPage(
        "org_settings",
        "POST",
        "manage_organization",
        302,
        writes=True,
        data={
            "name": "Lakeshore Partnership",
            "time_zone": "America/Chicago",
            "sender_name": "Lakeshore",
            "reply_domain": "",
        },
    ),
    GuardedPage("outbox", "GET", "view_outbox", 200, writes=False),
    GuardedPage("outbox_email", "GET", "view_outbox", 200, False, _sent_email),
    GuardedPage("tokens", "GET", "use_api", 200, writes=False),
    # Made, then back to the page that shows the new key once (post/redirect/get).
    GuardedPage("tokens", "POST", "use_api", 302, writes=True, data={"name": "Sheets"}),
    GuardedPage("token_revoke", "POST", "use_api", 302, True, _own_token),
]


def test_every_page_of_the_organization_is_in_the_guard_table() -> None:
    assert {p.route for p in GUARDED_PAGES} == {p.name for p in org_urlpatterns}
    assert {p.permission for p in GUARDED_PAGES} <= set(PERMISSIONS)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("page", GUARDED_PAGES, ids=str)
def test_page_answers_each_role_as_the_table_says_and_a_refusal_changes_nothing(
    page: GuardedPage, role: Role, personas: Personas, login: Callable[[User], Client]
) -> None:
    user = personas.by_role(role)
    url = reverse(page.route, kwargs={"org_slug": personas.org.slug, **page.target(personas, user)})
    client = login(user)
    before = snapshot()

    response = client.generic(
        page.method,
        url,
        urlencode(page.data),
        content_type="application/x-www-form-urlencoded",
    )

    may = role in PERMISSIONS[page.permission]
    assert response.status_code == (page.allowed_status if may else 403)
    assert (snapshot() != before) is (may and page.writes)
    if not may:
        assert mail.outbox == []
