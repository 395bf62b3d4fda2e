"""The public results page, its embeddable version and its CSV: off by default, only the
published indicators, never a person or a suppressed value, framed only where meant to be, and
a fixed number of queries however many indicators are published."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dashboard.services import public_key_renew, settings_for
from dashboard.tests.public_world import HIDDEN_TEXTS, PublicWorld, build, more_published
from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory, ResultFactory
from metrics.tests.factories import DataPointFactory, IndicatorFactory
from tests.fixtures import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas) -> PublicWorld:
    return build(personas)


def _urls(key: str) -> dict[str, str]:
    return {
        "page": f"/results/{key}/",
        "embed": f"/results/{key}/embed/",
        "csv": f"/results/{key}/data.csv",
    }


def _text(response: Any) -> str:
    return response.content.decode("utf-8-sig")


def test_nothing_is_public_by_default(client: Client, personas: Personas) -> None:
    world = build(personas, publish=False)

    statuses = {
        name: client.get(url).status_code for name, url in _urls(world.settings.public_key).items()
    }

    assert world.settings.public_enabled is False
    assert statuses == {"page": 404, "embed": 404, "csv": 404}


def test_an_address_that_was_never_given_is_not_found(client: Client, world: PublicWorld) -> None:
    statuses = {name: client.get(url).status_code for name, url in _urls("not-a-key").items()}

    assert statuses == {"page": 404, "embed": 404, "csv": 404}


def test_unpublishing_takes_every_address_offline(client: Client, world: PublicWorld) -> None:
    world.settings.public_enabled = False
    world.settings.save()

    statuses = {
        name: client.get(url).status_code for name, url in _urls(world.settings.public_key).items()
    }

    assert statuses == {"page": 404, "embed": 404, "csv": 404}


def test_an_archived_initiative_is_offline_until_restored(
    client: Client, world: PublicWorld
) -> None:
    key = world.settings.public_key
    Initiative.objects.filter(pk=world.initiative.pk).update(status=Initiative.Status.ARCHIVED)

    archived = {name: client.get(url).status_code for name, url in _urls(key).items()}
    Initiative.objects.filter(pk=world.initiative.pk).update(status=Initiative.Status.ACTIVE)
    restored = {name: client.get(url).status_code for name, url in _urls(key).items()}

    assert archived == {"page": 404, "embed": 404, "csv": 404}
    assert restored == {"page": 200, "embed": 200, "csv": 200}


@pytest.mark.parametrize("kind", ["page", "embed"])
def test_the_page_shows_exactly_the_published_indicators(
    client: Client, world: PublicWorld, kind: str
) -> None:
    response = client.get(_urls(world.settings.public_key)[kind])
    html = _text(response)

    assert response.status_code == 200
    assert html.count('<h3 class="result-indicator__name"') == 2
    assert "Third graders reading at grade level" in html
    assert "Average daily attendance" in html
    assert "Second graders on track in phonics" not in html
    assert "Families who feel welcome" not in html
    # A result with nothing published is left out; the others are there, in order.
    assert "Families are partners in learning." not in html
    assert html.index("Children read at grade level.") < html.index(
        "Children attend school every day."
    )
    assert "Lakeshore Reads" in html
    assert "Lakeshore Learning Partnership" in html


def test_the_full_page_has_the_north_star_intro_figures_and_source(
    client: Client, world: PublicWorld
) -> None:
    html = _text(client.get(_urls(world.settings.public_key)["page"]))

    assert "By 2030, 80% of Lakeshore third graders read at grade level." in html
    assert "These are the numbers we watch together." in html
    assert "Share of third graders meeting the state reading standard." in html
    assert "Latest · 2024" in html
    assert "45%" in html  # the latest value for everyone
    assert "Baseline · 2022" in html
    assert "Target · 2030" in html
    assert "Higher is better" in html
    assert "Source: State reading assessment" in html
    assert "Data updated" in html
    # The chart, and the same numbers as a table.
    assert html.count("<svg") == 2
    assert "Show the numbers" in html
    assert "<td>42.5%</td>" in html
    assert f'href="/results/{world.settings.public_key}/data.csv"' in html


def test_no_person_appears_in_the_page_the_embed_or_the_csv(
    client: Client, world: PublicWorld
) -> None:
    bodies = {
        name: _text(client.get(url)) for name, url in _urls(world.settings.public_key).items()
    }

    leaks = {
        name: [text for text in world.private_texts if text in body]
        for name, body in bodies.items()
    }
    assert leaks == {"page": [], "embed": [], "csv": []}
    assert all("@" not in body for body in bodies.values())


def test_a_suppressed_value_never_appears(client: Client, world: PublicWorld) -> None:
    bodies = {
        name: _text(client.get(url)) for name, url in _urls(world.settings.public_key).items()
    }

    found = {name: [t for t in HIDDEN_TEXTS if t in body] for name, body in bodies.items()}
    assert found == {"page": [], "embed": [], "csv": []}


def test_the_csv_holds_every_published_value_and_nothing_else(
    client: Client, world: PublicWorld
) -> None:
    response = client.get(_urls(world.settings.public_key)["csv"])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lakeshore-reads-results.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert _text(response).split("\r\n") == [
        "Result,Indicator,Unit,Period,Disaggregation,Group,Value,Note",
        "Children read at grade level.,Third graders reading at grade level,Percent,2023,,"
        "Everyone,42.5,",
        "Children read at grade level.,Third graders reading at grade level,Percent,2024,,"
        "Everyone,45,",
        "Children read at grade level.,Third graders reading at grade level,Percent,2024,"
        "Race/ethnicity,White,51,",
        "Children read at grade level.,Third graders reading at grade level,Percent,2024,"
        "Race/ethnicity,Black,,Suppressed: too few to report",
        "Children attend school every day.,Average daily attendance,Percent,2023,,Everyone,,"
        "Suppressed: too few to report",
        "Children attend school every day.,Average daily attendance,Percent,2024,,Everyone,93.25,",
        "",
    ]


def test_a_new_address_retires_the_old_one(client: Client, world: PublicWorld) -> None:
    old = world.settings.public_key

    new = public_key_renew(settings=world.settings)

    assert new != old
    assert {name: client.get(url).status_code for name, url in _urls(old).items()} == {
        "page": 404,
        "embed": 404,
        "csv": 404,
    }
    assert {name: client.get(url).status_code for name, url in _urls(new).items()} == {
        "page": 200,
        "embed": 200,
        "csv": 200,
    }


def test_only_the_embed_may_be_framed(client: Client, world: PublicWorld) -> None:
    urls = _urls(world.settings.public_key)

    page = client.get(urls["page"])
    embed = client.get(urls["embed"])
    csv = client.get(urls["csv"])

    assert page["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in page
    assert "X-Frame-Options" not in embed
    assert embed["Content-Security-Policy"] == "frame-ancestors *"
    assert csv["X-Frame-Options"] == "DENY"


def test_public_answers_may_be_cached_briefly_but_not_a_404(
    client: Client, world: PublicWorld
) -> None:
    responses = [client.get(url) for url in _urls(world.settings.public_key).values()]
    missing = client.get("/results/not-a-key/")

    assert [r["Cache-Control"] for r in responses] == ["public, max-age=300"] * 3
    assert "public" not in missing.get("Cache-Control", "")


def test_the_page_stands_alone_without_app_chrome_forms_or_robots_ban(
    client: Client, world: PublicWorld
) -> None:
    urls = _urls(world.settings.public_key)
    page = _text(client.get(urls["page"]))
    embed = _text(client.get(urls["embed"]))

    for html in (page, embed):
        assert "<form" not in html
        assert "csrf" not in html.lower()
        assert "/accounts/" not in html
        assert "/o/lakeshore/" not in html
        assert 'class="orgnav"' not in html
    assert "noindex" not in page
    assert '<meta name="robots" content="noindex">' in embed


def test_a_visitor_can_ask_for_spanish(client: Client, world: PublicWorld) -> None:
    key = world.settings.public_key

    spanish = _text(client.get(f"/results/{key}/?lang=es"))
    default = _text(client.get(f"/results/{key}/?lang=xx"))

    assert '<html lang="es">' in spanish
    assert '<html lang="en">' in default
    embed = _text(client.get(f"/results/{key}/embed/?lang=es"))
    assert f'href="/results/{key}/?lang=es"' in embed


def test_an_indicator_of_another_initiative_is_never_shown_even_if_linked(
    client: Client, world: PublicWorld, personas: Personas
) -> None:
    # The form refuses it; were it linked anyway (by hand, or moved later), the page skips it.
    elsewhere: Any = IndicatorFactory(
        result=ResultFactory(initiative=InitiativeFactory(organization=personas.org)),
        name="Indicator of another initiative",
    )
    foreign: Any = IndicatorFactory(
        result__initiative__organization=personas.other_org, name="Indicator of another org"
    )
    DataPointFactory(indicator=elsewhere)
    DataPointFactory(indicator=foreign)
    world.settings.public_indicators.add(elsewhere, foreign)

    bodies = [_text(client.get(url)) for url in _urls(world.settings.public_key).values()]

    assert [b.count("Indicator of another") for b in bodies] == [0, 0, 0]


def test_a_published_indicator_without_data_says_so(client: Client, world: PublicWorld) -> None:
    empty: Any = IndicatorFactory(result=world.reading, name="Indicator with no data yet")
    world.settings.public_indicators.add(empty)

    html = _text(client.get(_urls(world.settings.public_key)["page"]))

    assert "Indicator with no data yet" in html
    assert html.count("No data published yet.") == 1


def test_another_initiatives_settings_do_not_open_this_page(
    client: Client, world: PublicWorld, personas: Personas
) -> None:
    initiative: Any = InitiativeFactory(organization=personas.other_org)
    other = settings_for(initiative)
    other.public_enabled = True
    other.save()

    html = _text(client.get(_urls(other.public_key)["page"]))

    assert "Third graders reading at grade level" not in html
    assert "No indicators are published yet." in html


@pytest.mark.parametrize(("kind", "queries"), [("page", 3), ("embed", 3), ("csv", 2)])
def test_query_count_does_not_grow_with_the_published_indicators(
    client: Client, world: PublicWorld, django_assert_num_queries: Any, kind: str, queries: int
) -> None:
    url = _urls(world.settings.public_key)[kind]
    with django_assert_num_queries(queries):
        two = client.get(url)
    more_published(world, 4)
    with django_assert_num_queries(queries):
        six = client.get(url)

    assert two.status_code == six.status_code == 200
    if kind != "csv":
        assert _text(two).count('<h3 class="result-indicator__name"') == 2
        assert _text(six).count('<h3 class="result-indicator__name"') == 6
    else:
        assert len(_text(six).split("\r\n")) - len(_text(two).split("\r\n")) == 16
