"""Accounts: sign up (a new organization), log in and out, the failed-login limit, password
reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from django.core.cache import cache
from django.test import Client

from backbone.models import Membership, Organization, OutboundEmail, User
from backbone.roles import Role
from tests.factories import PASSWORD

SIGNUP = {
    "full_name": "Ada Okonkwo",
    "email": "Ada@Example.org",
    "password1": "a long enough passphrase 42",
    "organization_name": "Northside Reads",
    "time_zone": "America/Denver",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # allauth keeps its rate-limit counters in the cache (LocMem in tests), which outlives a test.
    cache.clear()


def _session_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_signup_creates_one_organization_with_the_person_as_staff(client: Client) -> None:
    response = client.post("/accounts/signup/", SIGNUP)

    user = User.objects.get()
    organization = Organization.objects.get()
    assert response.status_code == 302
    # The new organization's guided start comes first.
    assert response["Location"] == "/o/northside-reads/start/"
    assert client.get("/")["Location"] == "/o/northside-reads/"
    assert user.email == "ada@example.org"
    assert user.full_name == "Ada Okonkwo"
    assert user.check_password("a long enough passphrase 42")
    assert (organization.name, organization.slug, organization.time_zone) == (
        "Northside Reads",
        "northside-reads",
        "America/Denver",
    )
    assert list(Membership.objects.values_list("organization_id", "user_id", "role")) == [
        (organization.pk, user.pk, Role.STAFF.value)
    ]
    assert _session_user_id(client) == str(user.pk)
    assert client.get("/o/northside-reads/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["staff@lakeshore.example.org", "Staff@LakeShore.Example.ORG"])
def test_signup_with_a_registered_email_is_a_form_error(
    client: Client, personas: Any, email: str
) -> None:
    users_before = User.objects.count()
    orgs_before = Organization.objects.count()

    response = client.post("/accounts/signup/", {**SIGNUP, "email": email})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["A user is already registered with this email address."]
    }
    assert b"A user is already registered with this email address." in response.content
    assert User.objects.count() == users_before
    assert Organization.objects.count() == orgs_before
    assert not Organization.objects.filter(name="Northside Reads").exists()
    assert _session_user_id(client) is None


@pytest.mark.django_db
def test_login_with_mixed_case_email(client: Client, personas: Any) -> None:
    response = client.post(
        "/accounts/login/", {"login": "STAFF@Lakeshore.Example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _session_user_id(client) == str(personas.staff.pk)
    # One organization: home leads straight to it.
    assert client.get("/")["Location"] == "/o/lakeshore/"


@pytest.mark.django_db
def test_login_with_wrong_password_is_refused(client: Client, personas: Any) -> None:
    response = client.post(
        "/accounts/login/", {"login": "staff@lakeshore.example.org", "password": "wrong"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The email address and/or password you specified are not correct."
    ]
    assert _session_user_id(client) is None


@pytest.mark.django_db
def test_logout_ends_the_session(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    assert client.get("/o/lakeshore/").status_code == 200

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert _session_user_id(client) is None
    assert client.get("/o/lakeshore/")["Location"] == "/accounts/login/?next=/o/lakeshore/"


@pytest.mark.django_db
def test_sixth_login_after_five_failures_is_refused_even_with_the_right_password(
    client: Client, personas: Any
) -> None:
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"login": "staff@lakeshore.example.org", "password": "wrong"}
        )
        assert response.context["form"].non_field_errors() == [
            "The email address and/or password you specified are not correct."
        ]

    response = client.post(
        "/accounts/login/", {"login": "Staff@lakeshore.example.org", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Too many failed login attempts. Try again later."
    ]
    assert b"Too many failed login attempts. Try again later." in response.content
    assert _session_user_id(client) is None


@pytest.mark.django_db
def test_four_failures_do_not_lock_the_account(client: Client, personas: Any) -> None:
    for _ in range(4):
        client.post(
            "/accounts/login/", {"login": "staff@lakeshore.example.org", "password": "wrong"}
        )

    response = client.post(
        "/accounts/login/", {"login": "staff@lakeshore.example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert _session_user_id(client) == str(personas.staff.pk)


@pytest.mark.django_db
def test_failed_logins_of_one_account_do_not_lock_another(client: Client, personas: Any) -> None:
    for _ in range(5):
        client.post(
            "/accounts/login/", {"login": "staff@lakeshore.example.org", "password": "wrong"}
        )

    response = client.post(
        "/accounts/login/", {"login": "partner@lakeshore.example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert _session_user_id(client) == str(personas.partner.pk)


RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/[0-9a-z]+-[0-9a-z-]+/)")


@pytest.mark.django_db
def test_password_reset_emails_a_link_that_sets_a_new_password(
    client: Client, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/reset/", {"email": "Staff@lakeshore.example.org"}
        )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    row = OutboundEmail.objects.get()
    assert row.organization is None
    assert row.kind == "account"
    assert row.to == ["staff@lakeshore.example.org"]
    assert row.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff@lakeshore.example.org"]
    assert message.body == row.body_text
    links = RESET_LINK.findall(str(message.body))
    assert len(links) == 1

    step = client.get(links[0])
    assert step.status_code == 302
    set_password_url = step["Location"]
    assert set_password_url == (
        f"/accounts/password/reset/key/{user_pk_to_url_str(personas.staff)}-set-password/"
    )
    new_password = "a brand new passphrase 77"
    response = client.post(set_password_url, {"password1": new_password, "password2": new_password})

    assert response.status_code == 302
    personas.staff.refresh_from_db()
    assert personas.staff.check_password(new_password)
    assert not personas.staff.check_password(PASSWORD)

    fresh = Client()
    assert (
        fresh.post(
            "/accounts/login/",
            {"login": "staff@lakeshore.example.org", "password": new_password},
        ).status_code
        == 302
    )
    assert fresh.session["_auth_user_id"] == str(personas.staff.pk)
    # The link works once.
    reused = client.get(links[0])
    assert reused.status_code == 200
    assert reused.context["token_fail"] is True


@pytest.mark.django_db
def test_password_reset_for_an_unknown_email_sends_only_the_unknown_account_notice(
    client: Client, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """allauth (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS, on by default) answers an unknown address with
    an "Unknown Account" email and no reset link, so the page cannot tell who has an account."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    row = OutboundEmail.objects.get()
    assert row.organization is None
    assert row.to == ["nobody@example.org"]
    assert row.subject == "[Backbone] Unknown Account"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Backbone] Unknown Account"
    assert RESET_LINK.findall(str(mail.outbox[0].body)) == []
