"""The organization API: token and session authentication, members, invitations, the one error
format, query counts that do not grow with the data, and the OpenAPI schema and docs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db.models import QuerySet
from django.test import Client
from openapi_spec_validator import validate

from backbone.api.base import OrganizationScopedViewSet
from backbone.invitations import invitation_path
from backbone.models import APIToken, Invitation, Membership, Organization, OutboundEmail, User
from backbone.roles import PERMISSIONS, Role
from backbone.services import api_token_create
from tests.factories import (
    APITokenFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.fixtures import Personas
from tests.snapshot import snapshot

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NOW_JSON = "2026-03-02T15:00:00Z"
# A day on: a change then moves updated_at, never created_at.
LATER = NOW + timedelta(days=1)
LATER_JSON = "2026-03-03T15:00:00Z"
IN_14_DAYS_JSON = "2026-03-16T15:00:00Z"

NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
ROLE_MAY_NOT = {
    "error": {
        "code": "permission_denied",
        "message": "Your role in this organization may not do this.",
        "fields": {},
    }
}
READ_ONLY = {
    "error": {"code": "permission_denied", "message": "This token is read-only.", "fields": {}}
}
INVALID_TOKEN = {
    "error": {
        "code": "authentication_failed",
        "message": "Invalid or revoked token.",
        "fields": {},
    }
}
MEMBERS = "/api/v1/o/lakeshore/members/"
INVITATIONS = "/api/v1/o/lakeshore/invitations/"


@pytest.fixture(autouse=True)
def _frozen_time(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def token_for(
    user: User, organization: Organization, *, can_write: bool = True, fresh: bool = False
) -> str:
    """A token's key. Unless `fresh`, the token counts as used just now, so authenticating with
    it does not write last_used_at (at most once a minute) and "nothing changed" stays exact."""
    issued = api_token_create(
        user=user, organization=organization, name="Script", can_write=can_write
    )
    if not fresh:
        APIToken.objects.filter(pk=issued.token.pk).update(last_used_at=NOW)
    return issued.key


def call(client: Client, method: str, url: str, key: str | None = None, data: Any = None) -> Any:
    headers = {"Authorization": f"Token {key}"} if key else None
    body = "" if data is None else json.dumps(data)
    return client.generic(method, url, body, content_type="application/json", headers=headers)


def member_json(membership: Membership, **changes: Any) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "email": membership.user.email,
        "full_name": membership.user.full_name,
        "role": membership.role,
        "created_at": NOW_JSON,
        "updated_at": NOW_JSON,
        **changes,
    }


def roles_without(permission: str) -> list[Role]:
    return [role for role in Role if role not in PERMISSIONS[permission]]


# --- Authentication ----------------------------------------------------------------------------


def test_valid_token_reads_its_organization(personas: Personas, client: Client) -> None:
    key = token_for(personas.steering, personas.org, fresh=True)

    response = call(client, "GET", "/api/v1/o/lakeshore/", key)

    assert response.status_code == 200
    assert response.json() == {
        "id": personas.org.pk,
        "name": "Lakeshore Learning Partnership",
        "slug": "lakeshore",
        "time_zone": "America/Chicago",
        "sender_name": "",
        "reply_domain": "",
        "your_role": "steering",
    }
    assert APIToken.objects.get().last_used_at == NOW


def test_request_without_credentials_is_401(personas: Personas, client: Client) -> None:
    response = client.get(MEMBERS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


def test_revoked_token_is_401_and_changes_nothing(personas: Personas, client: Client) -> None:
    key = token_for(personas.staff, personas.org)
    APIToken.objects.update(revoked_at=NOW)
    partner = personas.membership(personas.partner)
    before = snapshot()

    response = call(client, "PATCH", f"{MEMBERS}{partner.pk}/", key, {"role": "staff"})

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN
    assert snapshot() == before


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token", "Send the header as 'Token <key>'."),
        ("Token one two", "Send the header as 'Token <key>'."),
        ("Token bb_not-a-real-key", "Invalid or revoked token."),
        ("Token bb_\xe9", "Invalid token."),
    ],
)
def test_malformed_or_unknown_token_is_401(
    header: str, message: str, personas: Personas, client: Client
) -> None:
    token_for(personas.staff, personas.org)

    response = client.get(MEMBERS, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "authentication_failed", "message": message, "fields": {}}
    }


def test_other_authorization_scheme_counts_as_no_credentials(
    personas: Personas, client: Client
) -> None:
    response = client.get(MEMBERS, headers={"Authorization": "Bearer abc"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_of_deactivated_user_is_401(personas: Personas, client: Client) -> None:
    key = token_for(personas.staff, personas.org)
    User.objects.filter(pk=personas.staff.pk).update(is_active=False)

    response = call(client, "GET", MEMBERS, key)

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_read_only_token_reads(personas: Personas, client: Client) -> None:
    key = token_for(personas.staff, personas.org, can_write=False)

    response = call(client, "GET", MEMBERS, key)

    assert response.status_code == 200
    assert response.json()["count"] == 4


@pytest.mark.parametrize(
    ("method", "target", "data"),
    [
        ("PATCH", "member", {"role": "staff"}),
        ("DELETE", "member", None),
        ("POST", "invitations", {"email": "newcomer@example.org", "role": "partner"}),
        ("DELETE", "invitation", None),
    ],
)
def test_read_only_token_cannot_change_anything(
    method: str, target: str, data: Any, personas: Personas, client: Client
) -> None:
    key = token_for(personas.staff, personas.org, can_write=False)
    invitation: Any = InvitationFactory(organization=personas.org, invited_by=personas.staff)
    url = {
        "member": f"{MEMBERS}{personas.membership(personas.partner).pk}/",
        "invitations": INVITATIONS,
        "invitation": f"{INVITATIONS}{invitation.pk}/",
    }[target]
    before = snapshot()

    response = call(client, method, url, key, data)

    assert response.status_code == 403
    assert response.json() == READ_ONLY
    assert snapshot() == before
    assert mail.outbox == []


def test_token_of_one_organization_is_404_in_another_even_for_its_staff(
    personas: Personas, client: Client
) -> None:
    MembershipFactory(organization=personas.other_org, user=personas.staff, role=Role.STAFF)
    key = token_for(personas.staff, personas.org)

    response = call(client, "GET", "/api/v1/o/riverside/members/", key)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_session_of_a_logged_in_member_works(
    personas: Personas, login: Callable[[User], Client]
) -> None:
    response = login(personas.cochair).get("/api/v1/o/lakeshore/")

    assert response.status_code == 200
    assert response.json()["your_role"] == "cochair"


def test_session_writes_need_the_csrf_token(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.staff)
    partner = personas.membership(personas.partner)

    response = call(client, "PATCH", f"{MEMBERS}{partner.pk}/", data={"role": "staff"})

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "CSRF Failed: CSRF cookie not set.",
            "fields": {},
        }
    }
    partner.refresh_from_db()
    assert partner.role == Role.PARTNER


# --- Members -----------------------------------------------------------------------------------


def test_staff_lists_members_sorted_by_email(personas: Personas, client: Client) -> None:
    key = token_for(personas.staff, personas.org)

    response = call(client, "GET", MEMBERS, key)

    assert response.status_code == 200
    users = [personas.cochair, personas.partner, personas.staff, personas.steering]
    assert response.json() == {
        "count": 4,
        "next": None,
        "previous": None,
        "results": [member_json(personas.membership(u)) for u in users],
    }


@pytest.mark.parametrize("role", list(Role))
def test_who_may_list_members_follows_the_roles_table(
    role: Role, personas: Personas, client: Client
) -> None:
    key = token_for(personas.by_role(role), personas.org)

    response = call(client, "GET", MEMBERS, key)

    if role in PERMISSIONS["view_members"]:
        assert response.status_code == 200
        assert response.json()["count"] == 4
    else:
        assert response.status_code == 403
        assert response.json() == ROLE_MAY_NOT


def test_partner_cannot_list_members(personas: Personas, client: Client) -> None:
    response = call(client, "GET", MEMBERS, token_for(personas.partner, personas.org))

    assert response.status_code == 403
    assert response.json() == ROLE_MAY_NOT


def test_steering_member_retrieves_a_member(personas: Personas, client: Client) -> None:
    cochair = personas.membership(personas.cochair)

    response = call(
        client, "GET", f"{MEMBERS}{cochair.pk}/", token_for(personas.steering, personas.org)
    )

    assert response.status_code == 200
    assert response.json() == member_json(cochair)


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_unknown_member_is_404(pk: str, personas: Personas, client: Client) -> None:
    response = call(client, "GET", f"{MEMBERS}{pk}/", token_for(personas.staff, personas.org))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_staff_changes_a_members_role(
    personas: Personas, client: Client, time_machine: Any
) -> None:
    partner = personas.membership(personas.partner)
    key = token_for(personas.staff, personas.org)
    time_machine.move_to(LATER, tick=False)

    response = call(
        client,
        "PATCH",
        f"{MEMBERS}{partner.pk}/",
        key,
        {"role": "steering"},
    )

    assert response.status_code == 200
    partner.refresh_from_db()
    assert (partner.role, partner.created_at, partner.updated_at) == (Role.STEERING, NOW, LATER)
    assert response.json() == member_json(partner, updated_at=LATER_JSON)


@pytest.mark.parametrize("role", roles_without("manage_members"))
def test_only_staff_change_roles(role: Role, personas: Personas, client: Client) -> None:
    partner = personas.membership(personas.partner)
    key = token_for(personas.by_role(role), personas.org)
    before = snapshot()

    response = call(client, "PATCH", f"{MEMBERS}{partner.pk}/", key, {"role": "staff"})

    assert response.status_code == 403
    assert response.json() == ROLE_MAY_NOT
    assert snapshot() == before


def test_unknown_role_is_a_field_error(personas: Personas, client: Client) -> None:
    partner = personas.membership(personas.partner)
    key = token_for(personas.staff, personas.org)
    before = snapshot()

    response = call(client, "PATCH", f"{MEMBERS}{partner.pk}/", key, {"role": "boss"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The request has invalid fields.",
            "fields": {"role": ['"boss" is not a valid choice.']},
        }
    }
    assert snapshot() == before


def test_put_on_a_member_is_not_allowed(personas: Personas, client: Client) -> None:
    partner = personas.membership(personas.partner)
    key = token_for(personas.staff, personas.org)

    response = call(client, "PUT", f"{MEMBERS}{partner.pk}/", key, {"role": "staff"})

    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": 'Method "PUT" not allowed.',
            "fields": {},
        }
    }


def test_staff_removes_a_member(personas: Personas, client: Client) -> None:
    partner = personas.membership(personas.partner)

    response = call(
        client, "DELETE", f"{MEMBERS}{partner.pk}/", token_for(personas.staff, personas.org)
    )

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=partner.pk).exists()
    assert Membership.objects.filter(organization=personas.org).count() == 3


@pytest.mark.parametrize("role", roles_without("manage_members"))
def test_only_staff_remove_members(role: Role, personas: Personas, client: Client) -> None:
    partner = personas.membership(personas.partner)
    key = token_for(personas.by_role(role), personas.org)
    before = snapshot()

    response = call(client, "DELETE", f"{MEMBERS}{partner.pk}/", key)

    assert response.status_code == 403
    assert response.json() == ROLE_MAY_NOT
    assert snapshot() == before


def test_last_staff_member_cannot_be_demoted(personas: Personas, client: Client) -> None:
    staff = personas.membership(personas.staff)
    key = token_for(personas.staff, personas.org)
    before = snapshot()

    response = call(client, "PATCH", f"{MEMBERS}{staff.pk}/", key, {"role": "partner"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": (
                f"{personas.staff.full_name} is the only backbone staff member. Make someone "
                "else backbone staff first, so the organization always has someone who can "
                "manage it."
            ),
            "fields": {},
        }
    }
    assert snapshot() == before


def test_last_staff_member_cannot_be_removed(personas: Personas, client: Client) -> None:
    staff = personas.membership(personas.staff)
    key = token_for(personas.staff, personas.org)
    before = snapshot()

    response = call(client, "DELETE", f"{MEMBERS}{staff.pk}/", key)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": (
                f"{personas.staff.full_name} is the only backbone staff member and cannot be "
                "removed. Make someone else backbone staff first."
            ),
            "fields": {},
        }
    }
    assert snapshot() == before


def test_staff_member_can_step_down_once_another_is_staff(
    personas: Personas, client: Client
) -> None:
    Membership.objects.filter(user=personas.steering).update(role=Role.STAFF)
    staff = personas.membership(personas.staff)

    response = call(
        client,
        "PATCH",
        f"{MEMBERS}{staff.pk}/",
        token_for(personas.staff, personas.org),
        {"role": "partner"},
    )

    assert response.status_code == 200
    assert response.json()["role"] == "partner"
    assert set(
        Membership.objects.filter(organization=personas.org, role=Role.STAFF).values_list(
            "user__email", flat=True
        )
    ) == {"steering@lakeshore.example.org"}


# --- Invitations -------------------------------------------------------------------------------


def test_staff_invites_by_email_and_the_invitation_is_sent(
    personas: Personas, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    key = token_for(personas.staff, personas.org)

    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client, "POST", INVITATIONS, key, {"email": "New.Person@Example.org", "role": "cochair"}
        )

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert response.json() == {
        "id": invitation.pk,
        "email": "new.person@example.org",
        "role": "cochair",
        "state": "pending",
        "invited_by": "staff@lakeshore.example.org",
        "created_at": NOW_JSON,
        "updated_at": NOW_JSON,
        "expires_at": IN_14_DAYS_JSON,
    }
    sent = OutboundEmail.objects.get()
    assert (sent.organization_id, sent.kind, sent.to, sent.status) == (
        personas.org.pk,
        "invitation",
        ["new.person@example.org"],
        OutboundEmail.Status.SENT,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert message.reply_to == ["staff@lakeshore.example.org"]
    assert message.subject == "You are invited to join Lakeshore Learning Partnership on Backbone"
    assert invitation_path(invitation) in str(message.body)


def test_inviting_an_existing_member_is_a_field_error_on_email(
    personas: Personas, client: Client
) -> None:
    key = token_for(personas.staff, personas.org)
    before = snapshot()

    response = call(
        client,
        "POST",
        INVITATIONS,
        key,
        {"email": "Partner@Lakeshore.example.org", "role": "steering"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The request has invalid fields.",
            "fields": {
                "email": ["partner@lakeshore.example.org is already a member of this organization."]
            },
        }
    }
    assert snapshot() == before
    assert mail.outbox == []


def test_invitation_needs_a_valid_email_and_role(personas: Personas, client: Client) -> None:
    key = token_for(personas.staff, personas.org)
    before = snapshot()

    response = call(client, "POST", INVITATIONS, key, {"email": "not-an-address", "role": "x"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The request has invalid fields.",
            "fields": {
                "email": ["Enter a valid email address."],
                "role": ['"x" is not a valid choice.'],
            },
        }
    }
    assert snapshot() == before


@pytest.mark.parametrize("role", roles_without("manage_members"))
def test_only_staff_invite(role: Role, personas: Personas, client: Client) -> None:
    key = token_for(personas.by_role(role), personas.org)
    before = snapshot()

    response = call(
        client, "POST", INVITATIONS, key, {"email": "newcomer@example.org", "role": "staff"}
    )

    assert response.status_code == 403
    assert response.json() == ROLE_MAY_NOT
    assert snapshot() == before
    assert mail.outbox == []


def test_deleting_an_invitation_revokes_it(personas: Personas, client: Client) -> None:
    invitation: Any = InvitationFactory(organization=personas.org, invited_by=personas.staff)
    key = token_for(personas.staff, personas.org)

    response = call(client, "DELETE", f"{INVITATIONS}{invitation.pk}/", key)

    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert invitation.revoked_at == NOW
    shown = call(client, "GET", f"{INVITATIONS}{invitation.pk}/", key)
    assert shown.status_code == 200
    assert shown.json()["state"] == "revoked"


def test_staff_lists_invitations_newest_first(personas: Personas, client: Client) -> None:
    older: Any = InvitationFactory(
        organization=personas.org, invited_by=None, email="a@example.org", role=Role.STEERING
    )
    # Dated back by hand: its updated_at stays when the row was written.
    Invitation.objects.filter(pk=older.pk).update(created_at=datetime(2026, 3, 1, tzinfo=UTC))
    newer: Any = InvitationFactory(
        organization=personas.org, invited_by=personas.staff, email="b@example.org"
    )
    InvitationFactory(organization=personas.other_org)

    response = call(client, "GET", INVITATIONS, token_for(personas.staff, personas.org))

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": newer.pk,
                "email": "b@example.org",
                "role": "partner",
                "state": "pending",
                "invited_by": "staff@lakeshore.example.org",
                "created_at": NOW_JSON,
                "updated_at": NOW_JSON,
                "expires_at": IN_14_DAYS_JSON,
            },
            {
                "id": older.pk,
                "email": "a@example.org",
                "role": "steering",
                "state": "pending",
                "invited_by": None,
                "created_at": "2026-03-01T00:00:00Z",
                "updated_at": NOW_JSON,
                "expires_at": IN_14_DAYS_JSON,
            },
        ],
    }


# --- Query counts ------------------------------------------------------------------------------


def _organization_of(size: int) -> tuple[Organization, str]:
    """An organization with `size` members (one of them staff) and `size` invitations, and a
    staff token that was used just now (so authenticating does not write last_used_at)."""
    organization: Any = OrganizationFactory(slug="crowd")
    staff: Any = UserFactory()
    MembershipFactory(organization=organization, user=staff, role=Role.STAFF)
    MembershipFactory.create_batch(size - 1, organization=organization)
    InvitationFactory.create_batch(size, organization=organization, invited_by=staff)
    key = "bb_counting-key"
    APITokenFactory(organization=organization, user=staff, key=key, last_used_at=NOW)
    return organization, key


# token (with user and organization), membership, count, page
LIST_QUERIES = 4


@pytest.mark.parametrize("size", [3, 30])
def test_member_list_query_count_does_not_grow(
    size: int, db: None, client: Client, django_assert_num_queries: Any
) -> None:
    _, key = _organization_of(size)

    with django_assert_num_queries(LIST_QUERIES):
        response = call(client, "GET", "/api/v1/o/crowd/members/", key)

    assert response.status_code == 200
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [3, 30])
def test_invitation_list_query_count_does_not_grow(
    size: int, db: None, client: Client, django_assert_num_queries: Any
) -> None:
    _, key = _organization_of(size)

    with django_assert_num_queries(LIST_QUERIES):
        response = call(client, "GET", "/api/v1/o/crowd/invitations/", key)

    assert response.status_code == 200
    assert len(response.json()["results"]) == size


def test_organization_endpoint_takes_two_queries(
    db: None, client: Client, django_assert_num_queries: Any
) -> None:
    _, key = _organization_of(3)

    with django_assert_num_queries(2):
        response = call(client, "GET", "/api/v1/o/crowd/", key)

    assert response.status_code == 200


# --- Schema and docs ---------------------------------------------------------------------------

OPERATIONS = ("get", "put", "patch", "post", "delete")


@pytest.fixture
def schema(db: None, client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return dict(response.json())


def _api_operations(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method in OPERATIONS
    }


def test_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_schema_documents_every_api_route(schema: dict[str, Any]) -> None:
    assert set(_api_operations(schema)) >= {
        "GET /api/v1/o/{org_slug}/",
        "GET /api/v1/o/{org_slug}/members/",
        "GET /api/v1/o/{org_slug}/members/{id}/",
        "PATCH /api/v1/o/{org_slug}/members/{id}/",
        "DELETE /api/v1/o/{org_slug}/members/{id}/",
        "GET /api/v1/o/{org_slug}/invitations/",
        "POST /api/v1/o/{org_slug}/invitations/",
        "GET /api/v1/o/{org_slug}/invitations/{id}/",
        "DELETE /api/v1/o/{org_slug}/invitations/{id}/",
    }


def test_every_operation_documents_401_403_404_and_token_auth(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "A personal API token: `Token <key>`.",
    }
    operations = _api_operations(schema)
    assert operations
    missing = {
        name: sorted({"401", "403", "404"} - set(op["responses"]))
        for name, op in operations.items()
        if not {"401", "403", "404"} <= set(op["responses"])
    }
    assert missing == {}
    without_token = [
        name for name, op in operations.items() if {"tokenAuth": []} not in op["security"]
    ]
    assert without_token == []


def test_every_write_operation_documents_400(schema: dict[str, Any]) -> None:
    writes = {
        name: op for name, op in _api_operations(schema).items() if not name.startswith("GET ")
    }
    assert writes
    assert [name for name, op in writes.items() if "400" not in op["responses"]] == []


def test_docs_page_loads_only_local_assets(db: None, client: Client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in references
    assert [r for r in references if not r.startswith("/")] == []
    assert [r for r in references if r.startswith("//")] == []
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]*cdn", html, flags=re.IGNORECASE) == []


# --- The organization filter cannot be skipped ------------------------------------------------


def test_viewset_that_defines_get_queryset_is_rejected_at_class_creation() -> None:
    with pytest.raises(TypeError, match="Sneaky overrides get_queryset"):

        class Sneaky(OrganizationScopedViewSet):
            queryset = Membership.objects.all()

            def get_queryset(self) -> QuerySet[Any]:
                return Membership.objects.all()


def test_viewset_that_refines_its_queryset_is_accepted() -> None:
    class Polite(OrganizationScopedViewSet):
        queryset = Membership.objects.all()

        def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
            return queryset.filter(role=Role.STAFF)

    assert issubclass(Polite, OrganizationScopedViewSet)
