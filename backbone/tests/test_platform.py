"""The platform around the pages: /healthz, strict settings, 404/403 pages, the home redirect,
and the demo seed."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client

from backbone.models import Invitation, Membership, Organization, User
from backbone.roles import Role
from backbone.views import health
from config.celery import app as celery_app
from config.env import parse_email_url
from tests.factories import MembershipFactory, OrganizationFactory

REPO = Path(django_settings.BASE_DIR)

# --- /healthz -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_without_login(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_broker() -> Any:
    # The celery app read its settings once; change its own configuration, then restore it.
    conf: Any = celery_app.conf
    original = conf.broker_url
    conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        yield
    finally:
        conf.broker_url = original


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client: Client, unreachable_broker: None) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


class _DownConnection:
    def cursor(self) -> Any:
        raise OperationalError("could not connect to server: Connection refused")


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client: Client, monkeypatch: Any) -> None:
    """A real outage of the test database cannot be staged inside the test, so the health
    check's connection is replaced by one whose cursor() fails as psycopg does when the server
    is gone; the rest of the view runs as it is."""
    monkeypatch.setattr(health, "connection", _DownConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_accepts_only_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


# --- Settings strictness ------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-real-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "backbone.example.org",
    "SITE_URL": "https://backbone.example.org",
    "DATABASE_URL": "postgres://backbone@127.0.0.1:5432/backbone",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://user:pass@smtp.example.org",
    "DEFAULT_FROM_EMAIL": "Backbone <backbone@example.org>",
}


def _start(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and not key.startswith(("EMAIL_", "BACKBONE_", "CELERY_"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        BACKBONE_VAR_DIR=str(tmp_path),
        # A developer's own .env must not fill in what the test leaves out.
        BACKBONE_ENV_FILE=str(tmp_path / "no.env"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_start_with_every_variable_set_succeeds(tmp_path: Path) -> None:
    result = _start(PRODUCTION_ENV, tmp_path)

    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ALLOWED_HOSTS"],
)
def test_production_start_without_a_required_variable_names_it(
    tmp_path: Path, missing: str
) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = _start(env, tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Missing required environment variables "
        f"for production (DEBUG is off): {missing}. See README.md, 'Configuration'. "
        "For development, set DEBUG=true (make run and make test do)."
    )


def test_production_start_with_a_blank_variable_names_it(tmp_path: Path) -> None:
    result = _start({**PRODUCTION_ENV, "SECRET_KEY": "   "}, tmp_path)

    assert result.returncode == 1
    assert "(DEBUG is off): SECRET_KEY." in result.stderr


def test_debug_typo_stops_the_start_naming_debug(tmp_path: Path) -> None:
    result = _start({**PRODUCTION_ENV, "DEBUG": "ture"}, tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG='ture' is not a boolean; "
        "use one of: true, false, 1, 0, yes, no, on, off."
    )


def test_development_start_needs_no_variables(tmp_path: Path) -> None:
    result = _start({"DEBUG": "true"}, tmp_path)

    assert (result.returncode, result.stderr) == (0, "")


def test_parse_email_url_outbox() -> None:
    assert parse_email_url("outbox://") == {"DELIVERY": "outbox"}


def test_parse_email_url_smtp() -> None:
    assert parse_email_url("smtp://u:p@h:2525") == {
        "DELIVERY": "smtp",
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "h",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "u",
        "EMAIL_HOST_PASSWORD": "p",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 20,
    }


def test_parse_email_url_smtp_tls_defaults_to_587_and_unquotes_credentials() -> None:
    assert parse_email_url("smtp+tls://me%40example.org:p%2Fss@mail.example.org?timeout=5") == {
        "DELIVERY": "smtp",
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "me@example.org",
        "EMAIL_HOST_PASSWORD": "p/ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 5,
    }


def test_parse_email_url_smtp_ssl_defaults_to_465() -> None:
    parsed = parse_email_url("smtp+ssl://mail.example.org")
    assert (parsed["EMAIL_PORT"], parsed["EMAIL_USE_SSL"], parsed["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


def test_parse_email_url_postmark() -> None:
    assert parse_email_url("postmark://KEY@") == {
        "DELIVERY": "postmark",
        "BACKEND": "anymail.backends.postmark.EmailBackend",
        "ANYMAIL": {"POSTMARK_SERVER_TOKEN": "KEY"},
    }


def test_parse_email_url_mailgun_keeps_the_sender_domain() -> None:
    assert parse_email_url("mailgun://KEY@mg.example.org") == {
        "DELIVERY": "mailgun",
        "BACKEND": "anymail.backends.mailgun.EmailBackend",
        "ANYMAIL": {"MAILGUN_API_KEY": "KEY", "MAILGUN_SENDER_DOMAIN": "mg.example.org"},
    }


def test_parse_email_url_provider_without_key_is_an_error() -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        parse_email_url("postmark://")

    assert str(error.value) == (
        "EMAIL_URL for postmark needs the API key before '@', e.g. postmark://KEY@"
    )


def test_parse_email_url_unknown_scheme_is_an_error() -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        parse_email_url("sendmail://localhost")

    assert str(error.value) == (
        "EMAIL_URL scheme 'sendmail' is not supported; use outbox://, smtp://, smtp+tls://, "
        "smtp+ssl://, postmark://, mailgun://, sendgrid://, brevo:// or amazonses://."
    )


# --- 404, 403 and the login redirect ------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_organization_and_another_organizations_page_are_the_same_404(
    login: Any, personas: Any
) -> None:
    client = login(personas.outsider)

    unknown = client.get("/o/no-such-org/")
    not_mine = client.get("/o/lakeshore/")
    not_mine_members = client.get("/o/lakeshore/members/")

    for response in (unknown, not_mine, not_mine_members):
        assert response.status_code == 404
        assert response.templates[0].name == "404.html"
        assert b"We could not find that page" in response.content
        assert b"Lakeshore Learning Partnership" not in response.content
    assert client.get("/o/riverside/").status_code == 200


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client: Client, personas: Any) -> None:
    for path in ("/o/lakeshore/", "/o/lakeshore/members/", "/o/no-such-org/outbox/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    assert client.get("/")["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_forbidden_page_renders_the_product_template(login: Any, personas: Any) -> None:
    response = login(personas.partner).get("/o/lakeshore/settings/")

    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert b"Your role does not include this" in response.content


@pytest.mark.django_db
def test_a_non_numeric_id_is_a_404_not_a_500(login: Any, personas: Any) -> None:
    client = login(personas.staff)

    assert client.get("/o/lakeshore/outbox/abc/").status_code == 404
    assert client.get("/o/lakeshore/outbox/99999999/").status_code == 404


# --- Home redirect ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_with_one_organization_goes_to_it(login: Any, personas: Any) -> None:
    response = login(personas.partner).get("/")

    assert response.status_code == 302
    assert response["Location"] == "/o/lakeshore/"


@pytest.mark.django_db
def test_home_with_several_organizations_shows_the_picker(login: Any, personas: Any) -> None:
    MembershipFactory(organization=personas.other_org, user=personas.partner, role=Role.STEERING)
    client = login(personas.partner)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/o/"
    picker = client.get("/o/")
    assert [m.organization.slug for m in picker.context["memberships"]] == [
        "lakeshore",
        "riverside",
    ]


@pytest.mark.django_db
def test_home_remembers_the_last_visited_organization(login: Any, personas: Any) -> None:
    MembershipFactory(organization=personas.other_org, user=personas.partner, role=Role.STEERING)
    client = login(personas.partner)

    assert client.get("/o/riverside/").status_code == 200
    assert client.get("/")["Location"] == "/o/riverside/"
    assert client.get("/o/lakeshore/").status_code == 200
    assert client.get("/")["Location"] == "/o/lakeshore/"


@pytest.mark.django_db
def test_home_ignores_a_remembered_organization_the_user_left(login: Any, personas: Any) -> None:
    extra: Any = OrganizationFactory(slug="third")
    MembershipFactory(organization=extra, user=personas.partner, role=Role.PARTNER)
    client = login(personas.partner)
    assert client.get("/o/third/").status_code == 200

    Membership.objects.filter(organization=extra, user=personas.partner).delete()

    assert client.get("/")["Location"] == "/o/lakeshore/"


@pytest.mark.django_db
def test_home_without_organizations_shows_the_picker(login: Any, db: None) -> None:
    user = User.objects.create_user(email="loner@example.org", password="x" * 12)

    response = login(user).get("/", follow=True)

    assert response.redirect_chain == [("/o/", 302)]
    assert b"You are not a member of any organization yet" in response.content


# --- seed_demo ----------------------------------------------------------------------------------

DEMO_ROLES = {Role.STAFF: 3, Role.STEERING: 4, Role.COCHAIR: 5, Role.PARTNER: 4}
PERSONA_LOGINS = {
    "staff@demo.example.org": Role.STAFF,
    "steering@demo.example.org": Role.STEERING,
    "cochair@demo.example.org": Role.COCHAIR,
    "partner@demo.example.org": Role.PARTNER,
}


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _role_counts(organization: Organization) -> dict[str, int]:
    counts: dict[str, int] = {}
    for role in Membership.objects.filter(organization=organization).values_list("role", flat=True):
        counts[role] = counts.get(role, 0) + 1
    return counts


@pytest.mark.django_db
def test_seed_demo_is_idempotent_per_slug() -> None:
    first = _seed()
    second = _seed()

    organization = Organization.objects.get()
    assert organization.slug == "demo"
    assert Membership.objects.count() == 16
    assert _role_counts(organization) == DEMO_ROLES
    assert User.objects.count() == 16
    for email, role in PERSONA_LOGINS.items():
        user = User.objects.get(email=email)
        assert user.check_password("backbone-demo")
        assert Membership.objects.get(user=user).role == role
    assert Invitation.objects.get().email == "new.cochair@demo.example.org"
    assert "Created the demo organization “Lakeshore Learning Partnership” (small)" in first
    assert "already exists; left as it is." in second
    for output in (first, second):
        for email in PERSONA_LOGINS:
            assert email in output
        assert "Password for every demo login: backbone-demo" in output


@pytest.mark.django_db
def test_seed_demo_with_another_slug_and_owner_makes_a_second_organization() -> None:
    _seed()

    output = _seed("--slug", "other", "--owner-email", "x@example.org", "--password", "pw-other1")

    assert Organization.objects.count() == 2
    other = Organization.objects.get(slug="other")
    owner = User.objects.get(email="x@example.org")
    assert Membership.objects.get(organization=other, user=owner).role == Role.STAFF
    assert owner.check_password("pw-other1")
    assert _role_counts(other) == DEMO_ROLES
    assert not User.objects.filter(email="staff@other.example.org").exists()
    assert "x@example.org" in output
    assert "steering@other.example.org" in output
    assert "staff@other.example.org" not in output
    assert "Password for every demo login: pw-other1" in output
    # The first organization is untouched.
    assert _role_counts(Organization.objects.get(slug="demo")) == DEMO_ROLES


def test_env_file_fills_unset_variables_and_the_environment_wins(
    tmp_path: Any, monkeypatch: Any
) -> None:
    from config.env import read_env_file

    env_file = tmp_path / ".env"
    env_file.write_text(
        "# development checkout\n\nBB_T_ONE=plain\nexport BB_T_TWO='quoted value'\n"
        'BB_T_THREE="x=y"\nBB_T_SET=from-file\n',
        encoding="utf-8",
    )
    for name in ("BB_T_ONE", "BB_T_TWO", "BB_T_THREE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BB_T_SET", "from-environment")

    read_env_file(env_file)

    assert [os.environ[n] for n in ("BB_T_ONE", "BB_T_TWO", "BB_T_THREE", "BB_T_SET")] == [
        "plain",
        "quoted value",
        "x=y",
        "from-environment",
    ]


def test_env_file_line_that_is_not_key_value_stops_start_up(tmp_path: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from config.env import read_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\nthis is not a setting\n", encoding="utf-8")

    with pytest.raises(ImproperlyConfigured, match=r"\.env:2: expected KEY=VALUE"):
        read_env_file(env_file)
    read_env_file(tmp_path / "missing.env")  # no file: nothing to read, no error
