"""The interface language: a signed-in person's saved choice wins over their browser on every
page; a visitor who is not signed in gets their browser's language, or the one they ask for with
?lang= (kept in the language cookie); the chooser in the header saves it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from backbone.models import User
from dashboard.services import settings_for as dashboard_settings_for
from initiatives.tests.factories import InitiativeFactory
from tests.fixtures import Personas
from workplans.tests.public_world import PublicWorld, require_compiled_spanish

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_login_page_follows_the_browser(client: Client) -> None:
    spanish = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert spanish.status_code == 200
    assert "Iniciar sesión en Backbone" in spanish.content.decode()
    assert spanish["Content-Language"] == "es"
    assert COOKIE not in spanish.cookies

    english = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert "Log in to Backbone" in english.content.decode()
    assert english["Content-Language"] == "en"


def test_lang_parameter_wins_over_the_browser_and_is_remembered(client: Client) -> None:
    response = client.get("/accounts/login/?lang=es&next=/o/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Iniciar sesión en Backbone" in response.content.decode()
    assert response.cookies[COOKIE].value == "es"

    # The next page, without asking, stays in Spanish: the cookie comes before the browser.
    again = client.get("/accounts/password/reset/", HTTP_ACCEPT_LANGUAGE="en")
    assert again["Content-Language"] == "es"
    assert COOKIE not in again.cookies


def test_unknown_lang_parameter_is_ignored(client: Client) -> None:
    response = client.get("/accounts/login/?lang=fr", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    assert COOKIE not in response.cookies


def test_header_offers_the_other_language_keeping_the_address(client: Client) -> None:
    english = client.get("/accounts/login/?next=/o/lakeshore/", HTTP_ACCEPT_LANGUAGE="en")
    assert (
        '<a href="/accounts/login/?next=%2Fo%2Flakeshore%2F&amp;lang=es" lang="es" '
        'hreflang="es">Español</a>' in english.content.decode()
    )
    spanish = Client().get("/accounts/login/?lang=es", HTTP_ACCEPT_LANGUAGE="en")
    assert (
        '<a href="/accounts/login/?lang=en" lang="en" hreflang="en">English</a>'
        in spanish.content.decode()
    )
    assert "Español</a>" not in spanish.content.decode()


def test_saved_choice_wins_over_the_browser_on_every_page(
    personas: Personas, login: Callable[[User], Client]
) -> None:
    personas.cochair.language = "es"
    personas.cochair.save()
    client = login(personas.cochair)
    for path in ("/o/lakeshore/", "/o/lakeshore/meetings/", "/o/lakeshore/my-commitments/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert response.status_code == 200, path
        assert response["Content-Language"] == "es", path
        assert '<html lang="es">' in response.content.decode(), path
        assert "Mis compromisos" in response.content.decode(), path
    # It is kept in the cookie, so the login page after logging out speaks it too.
    assert client.cookies[COOKIE].value == "es"
    client.post("/accounts/logout/")
    login_page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Iniciar sesión en Backbone" in login_page.content.decode()


def test_no_saved_choice_follows_the_browser(
    personas: Personas, login: Callable[[User], Client]
) -> None:
    assert personas.staff.language == ""
    client = login(personas.staff)
    spanish = client.get("/o/lakeshore/", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish["Content-Language"] == "es"
    english = client.get("/o/lakeshore/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"
    assert COOKIE not in client.cookies


def test_saved_choice_costs_no_query(
    personas: Personas, login: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    # The person is loaded for the page anyway; reading their choice adds nothing.
    client = login(personas.staff)
    client.get("/o/lakeshore/members/")
    with django_assert_num_queries(6):
        client.get("/o/lakeshore/members/", HTTP_ACCEPT_LANGUAGE="en")
    personas.staff.language = "es"
    personas.staff.save()
    with django_assert_num_queries(6):
        response = client.get("/o/lakeshore/members/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "es"


def test_chooser_saves_the_choice_and_returns(
    personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.partner)
    page = client.get("/o/lakeshore/my-commitments/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<input type="hidden" name="next" value="/o/lakeshore/my-commitments/">' in html
    assert (
        '<button class="link-button" type="submit" name="language" value="es" lang="es">'
        "Español</button>" in html
    )

    response = client.post("/language/", {"language": "es", "next": "/o/lakeshore/my-commitments/"})
    assert response.status_code == 302
    assert response["Location"] == "/o/lakeshore/my-commitments/"
    assert response.cookies[COOKIE].value == "es"
    personas.partner.refresh_from_db()
    assert personas.partner.language == "es"
    # A browser that drops the cookie still gets the saved choice.
    del client.cookies[COOKIE]
    after = client.get("/o/lakeshore/my-commitments/", HTTP_ACCEPT_LANGUAGE="en")
    assert after["Content-Language"] == "es"
    assert "English</button>" in after.content.decode()

    client.post("/language/", {"language": "en", "next": "/o/lakeshore/"})
    personas.partner.refresh_from_db()
    assert personas.partner.language == "en"


def test_chooser_refuses_an_unknown_language_and_another_site(
    personas: Personas, login: Callable[[User], Client]
) -> None:
    client = login(personas.staff)
    refused = client.post("/language/", {"language": "fr", "next": "/o/lakeshore/"})
    assert refused.status_code == 400
    assert COOKIE not in refused.cookies
    personas.staff.refresh_from_db()
    assert personas.staff.language == ""

    elsewhere = client.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/"
    assert client.get("/language/").status_code == 405


def test_chooser_for_a_visitor_sets_only_the_cookie(client: Client, personas: Personas) -> None:
    response = client.post("/language/", {"language": "es", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE].value == "es"
    assert list(User.objects.exclude(language="").values_list("email", flat=True)) == []


def test_one_click_page_speaks_the_persons_language_unless_asked(personas: Personas) -> None:
    require_compiled_spanish()
    world = PublicWorld(personas, language="es")
    link = world.link(world.c1, "done")
    # The person's language, whatever the browser says; a GET changes nothing.
    spanish = Client().get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert "¿Marcar este compromiso como cumplido?" in spanish.content.decode()
    assert f'<a href="{link}?lang=en" lang="en" hreflang="en">English</a>' in (
        spanish.content.decode()
    )
    # Asked for English on the page: the page and its form (posting to the same address) are.
    english = Client().get(f"{link}?lang=en", HTTP_ACCEPT_LANGUAGE="es")
    assert "Mark this commitment as done?" in english.content.decode()
    assert "¿Marcar este compromiso como cumplido?" not in english.content.decode()
    world.c1.refresh_from_db()
    assert world.c1.status == "open"
    done = Client().post(f"{link}?lang=en", HTTP_ACCEPT_LANGUAGE="es")
    assert done.status_code == 200
    assert "¿Marcar" not in done.content.decode()
    world.c1.refresh_from_db()
    assert world.c1.status == "done"

    unsubscribe = Client().get(f"{world.unsubscribe()}?lang=en")
    assert "Stop these reminders?" in unsubscribe.content.decode()
    assert "¿Dejar de recibir estos recordatorios?" in (
        Client().get(world.unsubscribe()).content.decode()
    )


def test_a_page_kept_by_proxies_never_sets_the_language_cookie(personas: Personas) -> None:
    # The public results page is cached for everyone: it takes ?lang= but sets no cookie.
    initiative: Any = InitiativeFactory(organization=personas.org)
    settings_row = dashboard_settings_for(initiative)
    settings_row.public_enabled = True
    settings_row.save()
    response = Client().get(f"/results/{settings_row.public_key}/?lang=es")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert '<html lang="es">' in response.content.decode()
    assert COOKIE not in response.cookies
