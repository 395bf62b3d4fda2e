"""Personal API tokens: made and revoked in the UI, or printed by `manage.py create_api_token`."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from backbone.models import APIToken
from backbone.roles import Role
from tests.factories import MembershipFactory, UserFactory

KEY = re.compile(r'<code class="token-key" id="new-token">(bb_[A-Za-z0-9_-]{43})</code>')


def _api(key: str, slug: str = "lakeshore") -> Any:
    return Client().get(f"/api/v1/o/{slug}/", HTTP_AUTHORIZATION=f"Token {key}")


def _create_in_ui(client: Client, name: str = "Data warehouse", **extra: Any) -> str:
    response = client.post("/o/lakeshore/api-tokens/", {"name": name, **extra}, follow=True)
    assert response.redirect_chain == [("/o/lakeshore/api-tokens/", 302)]
    keys = KEY.findall(response.content.decode())
    assert len(keys) == 1
    return str(keys[0])


@pytest.mark.django_db
def test_creating_a_token_shows_the_key_once_and_stores_only_its_hash(
    login: Any, personas: Any
) -> None:
    client = login(personas.staff)

    key = _create_in_ui(client, can_write="on")

    token = APIToken.objects.get()
    assert token.user == personas.staff
    assert token.organization == personas.org
    assert token.name == "Data warehouse"
    assert token.can_write is True
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:10]
    assert key not in [getattr(token, f.attname) for f in APIToken._meta.concrete_fields]
    listing = client.get("/o/lakeshore/api-tokens/").content.decode()
    assert f"{key[:10]}…" in listing
    assert key not in listing
    assert "Data warehouse" in listing


@pytest.mark.django_db
def test_the_key_authenticates_against_the_api(login: Any, personas: Any) -> None:
    key = _create_in_ui(login(personas.partner))

    response = _api(key)

    assert response.status_code == 200
    assert response.json()["slug"] == "lakeshore"
    assert APIToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_a_token_is_for_its_own_organization_only(login: Any, personas: Any) -> None:
    MembershipFactory(organization=personas.other_org, user=personas.staff, role=Role.STAFF)
    key = _create_in_ui(login(personas.staff))

    assert _api(key, "riverside").status_code == 404
    assert _api(key, "lakeshore").status_code == 200


@pytest.mark.django_db
def test_an_unknown_key_is_refused(personas: Any) -> None:
    response = _api("bb_" + "x" * 43)

    assert response.status_code == 401


@pytest.mark.django_db
def test_revoking_makes_the_key_fail(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    key = _create_in_ui(client)
    token = APIToken.objects.get()
    APIToken.objects.filter(pk=token.pk).update(created_at=datetime(2026, 5, 4, 12, 0, tzinfo=UTC))
    assert _api(key).status_code == 200

    response = client.post(f"/o/lakeshore/api-tokens/{token.pk}/revoke/", follow=True)

    assert response.redirect_chain == [("/o/lakeshore/api-tokens/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"The token “Data warehouse” ({token.prefix}…, made May 4, 2026) was revoked."
    ]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _api(key).status_code == 401
    assert list(response.context["tokens"]) == []


@pytest.mark.django_db
def test_one_user_cannot_revoke_another_users_token(login: Any, personas: Any) -> None:
    key = _create_in_ui(login(personas.partner))
    token = APIToken.objects.get()

    as_staff = login(personas.staff)
    response = as_staff.post(f"/o/lakeshore/api-tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _api(key).status_code == 200
    # Nor see it: the list is personal.
    assert list(as_staff.get("/o/lakeshore/api-tokens/").context["tokens"]) == []


@pytest.mark.django_db
def test_outsider_gets_404_for_the_tokens_pages(login: Any, personas: Any) -> None:
    key = _create_in_ui(login(personas.staff))
    token = APIToken.objects.get()
    client = login(personas.outsider)

    responses = [
        client.get("/o/lakeshore/api-tokens/"),
        client.post("/o/lakeshore/api-tokens/", {"name": "Mine"}),
        client.post(f"/o/lakeshore/api-tokens/{token.pk}/revoke/"),
        client.post(f"/o/riverside/api-tokens/{token.pk}/revoke/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert APIToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _api(key).status_code == 200


@pytest.mark.django_db
def test_the_new_key_is_shown_on_the_page_after_the_redirect_and_never_again(
    login: Any, personas: Any
) -> None:
    client = login(personas.staff)

    posted = client.post("/o/lakeshore/api-tokens/", {"name": "Data warehouse"})
    first = client.get("/o/lakeshore/api-tokens/").content.decode()
    second = client.get("/o/lakeshore/api-tokens/").content.decode()

    assert posted.status_code == 302
    assert posted["Location"] == "/o/lakeshore/api-tokens/"
    token = APIToken.objects.get()
    keys = KEY.findall(first)
    assert len(keys) == 1
    key = keys[0]
    assert "Your new token “Data warehouse” — copy it now" in first
    assert token.key_hash == APIToken.hash_key(key)
    assert key not in posted["Location"]
    assert KEY.findall(second) == []
    assert key not in second
    assert "copy it now" not in second
    assert f"{token.prefix}…" in second
    # The key is not kept anywhere once shown: not in the session, not in a message.
    assert key not in str(dict(client.session.items()))
    assert list(posted.wsgi_request._messages) == []
    assert APIToken.objects.count() == 1


@pytest.mark.django_db
def test_the_new_key_has_a_copy_button_and_stays_selectable_text(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    client.post("/o/lakeshore/api-tokens/", {"name": "Data warehouse"})

    page = client.get("/o/lakeshore/api-tokens/").content.decode()

    assert (
        '<button class="button button--quiet" type="button" data-copy="new-token" '
        'data-copied="Copied" aria-label="Copy the new token" hidden>Copy</button>'
    ) in page
    assert "js/copy.js" in page
    assert "js/copy.js" not in client.get("/o/lakeshore/api-tokens/").content.decode()


@pytest.mark.django_db
def test_a_refused_token_form_makes_nothing_and_does_not_redirect(
    login: Any, personas: Any
) -> None:
    client = login(personas.staff)

    response = client.post("/o/lakeshore/api-tokens/", {"name": "x" * 101})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "Ensure this value has at most 100 characters (it has 101)."
    ]
    assert response.context["new_key"] is None
    assert APIToken.objects.count() == 0


@pytest.mark.django_db
def test_a_key_revoked_before_the_page_shows_it_is_not_shown(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    client.post("/o/lakeshore/api-tokens/", {"name": "Data warehouse"})
    token = APIToken.objects.get()
    # From another tab, before this one loaded the page after the redirect.
    client.post(f"/o/lakeshore/api-tokens/{token.pk}/revoke/")

    page = client.get("/o/lakeshore/api-tokens/")

    assert page.context["new_key"] is None
    assert KEY.findall(page.content.decode()) == []


@pytest.mark.django_db
def test_the_new_key_waits_for_its_own_organizations_page(login: Any, personas: Any) -> None:
    MembershipFactory(organization=personas.other_org, user=personas.staff, role=Role.STAFF)
    client = login(personas.staff)
    client.post("/o/lakeshore/api-tokens/", {"name": "Data warehouse"})

    elsewhere = client.get("/o/riverside/api-tokens/").content.decode()
    here = client.get("/o/lakeshore/api-tokens/").content.decode()

    assert KEY.findall(elsewhere) == []
    assert len(KEY.findall(here)) == 1


@pytest.mark.django_db
def test_revoking_asks_first_naming_the_token(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    _create_in_ui(client)
    token = APIToken.objects.get()
    APIToken.objects.filter(pk=token.pk).update(created_at=datetime(2026, 5, 4, 12, 0, tzinfo=UTC))

    page = client.get("/o/lakeshore/api-tokens/").content.decode()

    # The first button only opens the question; the form that revokes is inside it.
    start = page.index('<details class="token-revoke">')
    details = page[start : page.index("</details>", start)]
    assert (
        f'<summary>Revoke…<span class="visually-hidden"> Data warehouse ({token.prefix}…)'
        in details
    )
    assert f'action="/o/lakeshore/api-tokens/{token.pk}/revoke/"' in details
    assert (
        f"Revoke “Data warehouse” ({token.prefix}…, made May 4, 2026)? "
        "Whatever uses it stops working at once."
    ) in details
    assert '<button class="button button--danger" type="submit">Revoke token</button>' in details
    assert page.count('type="submit">Revoke') == 1
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_revoking_cannot_happen_by_opening_its_address(login: Any, personas: Any) -> None:
    client = login(personas.staff)
    _create_in_ui(client)
    token = APIToken.objects.get()

    response = client.get(f"/o/lakeshore/api-tokens/{token.pk}/revoke/")

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_create_api_token_command_prints_a_working_key(personas: Any) -> None:
    out = StringIO()

    call_command("create_api_token", "Steering@Lakeshore.example.org", stdout=out)

    key = out.getvalue().strip()
    assert re.fullmatch(r"bb_[A-Za-z0-9_-]{43}", key)
    token = APIToken.objects.get()
    assert (token.user, token.organization, token.name, token.can_write) == (
        personas.steering,
        personas.org,
        "Command line",
        True,
    )
    assert token.key_hash == APIToken.hash_key(key)
    assert _api(key).status_code == 200


@pytest.mark.django_db
def test_create_api_token_command_read_only_with_org(personas: Any) -> None:
    MembershipFactory(organization=personas.other_org, user=personas.staff, role=Role.PARTNER)
    out = StringIO()

    call_command(
        "create_api_token",
        "staff@lakeshore.example.org",
        "--org",
        "riverside",
        "--read-only",
        "--name",
        "Sheet",
        stdout=out,
    )

    token = APIToken.objects.get()
    assert (token.organization, token.name, token.can_write) == (personas.other_org, "Sheet", False)
    assert _api(out.getvalue().strip(), "riverside").status_code == 200


@pytest.mark.django_db
def test_create_api_token_command_unknown_email(personas: Any) -> None:
    with pytest.raises(CommandError) as error:
        call_command("create_api_token", "nobody@example.org", stdout=StringIO())

    assert str(error.value) == "No user with the email address nobody@example.org."
    assert APIToken.objects.count() == 0


@pytest.mark.django_db
def test_create_api_token_command_needs_org_when_in_several(personas: Any) -> None:
    MembershipFactory(organization=personas.other_org, user=personas.staff, role=Role.PARTNER)

    with pytest.raises(CommandError) as error:
        call_command("create_api_token", "staff@lakeshore.example.org", stdout=StringIO())

    assert str(error.value) == (
        "staff@lakeshore.example.org belongs to several organizations; "
        "pass --org (lakeshore, riverside)."
    )
    assert APIToken.objects.count() == 0


@pytest.mark.django_db
def test_create_api_token_command_user_without_organization(personas: Any) -> None:
    UserFactory(email="loner@example.org")

    with pytest.raises(CommandError) as error:
        call_command("create_api_token", "loner@example.org", stdout=StringIO())

    assert str(error.value) == "loner@example.org is not a member of any organization."
    assert APIToken.objects.count() == 0


@pytest.mark.django_db
def test_create_api_token_command_org_the_user_is_not_in(personas: Any) -> None:
    with pytest.raises(CommandError) as error:
        call_command(
            "create_api_token",
            "staff@lakeshore.example.org",
            "--org",
            "riverside",
            stdout=StringIO(),
        )

    assert str(error.value) == (
        "staff@lakeshore.example.org is not a member of an organization with the slug riverside."
    )
    assert APIToken.objects.count() == 0
