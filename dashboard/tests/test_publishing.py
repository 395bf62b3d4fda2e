"""Staff's dashboard settings page: who reads the dashboard, the board packet's timing, and what
the public page publishes at which address. Staff only; only this initiative's indicators can
be published; a refused form saves nothing; the query count does not grow with indicators."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from backbone.roles import Role
from dashboard.models import DashboardSettings
from dashboard.services import dashboard_settings_update
from dashboard.tests.public_world import PublicWorld, build, more_published
from initiatives.tests.factories import InitiativeFactory, ResultFactory
from metrics.tests.factories import IndicatorFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas) -> PublicWorld:
    return build(personas, publish=False)


def _url(world: PublicWorld, tail: str = "") -> str:
    return f"/o/lakeshore/initiatives/{world.initiative.pk}/publishing/{tail}"


def _saved(world: PublicWorld) -> DashboardSettings:
    return DashboardSettings.objects.get(pk=world.settings.pk)


def _valid(world: PublicWorld, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "partners_may_view": "on",
        "packet_auto_send": "on",
        "packet_days_before": "7",
        "public_enabled": "on",
        "public_intro": "  The numbers we watch together.  ",
        "public_indicators": [str(world.published.pk), str(world.published_too.pk)],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_see_the_settings_with_their_defaults(
    login: Any, personas: Personas, world: PublicWorld
) -> None:
    response = login(personas.staff).get(_url(world))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Dashboard and public page" in html
    assert 'name="partners_may_view"' in html
    assert 'id="id_partners_may_view" checked' not in html
    assert 'name="packet_auto_send" id="id_packet_auto_send" checked' in html
    assert 'value="5"' in html  # days before the meeting
    assert "Not published" in html
    # Every indicator of the initiative, by result, with its latest period; none ticked.
    assert html.count('name="public_indicators"') == 4
    assert html.count('name="public_indicators" value=') == 4
    assert " checked>" not in html.split('name="public_indicators"', 1)[1]
    assert html.count("Latest data: 2024") == 4
    assert "Families are partners in learning." in html
    # No address is shown before the page is published.
    assert world.settings.public_key not in html


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_other_roles_are_refused_and_change_nothing(
    login: Any, personas: Personas, world: PublicWorld, role: Role
) -> None:
    client = login(personas.by_role(role))
    before = snapshot()

    responses = [
        client.get(_url(world)),
        client.post(_url(world), _valid(world)),
        client.get(_url(world, "new-address/")),
        client.post(_url(world, "new-address/")),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert snapshot() == before


def test_outsiders_get_not_found_and_change_nothing(
    login: Any, personas: Personas, world: PublicWorld
) -> None:
    client = login(personas.outsider)
    before = snapshot()

    responses = [
        client.get(_url(world)),
        client.post(_url(world), _valid(world)),
        client.post(_url(world, "new-address/")),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client: Client, world: PublicWorld) -> None:
    response = client.get(_url(world))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_save_every_setting(login: Any, personas: Personas, world: PublicWorld) -> None:
    response = login(personas.staff).post(_url(world), _valid(world))

    saved = _saved(world)
    assert response.status_code == 302
    assert response["Location"] == _url(world)
    assert (
        saved.partners_may_view,
        saved.packet_auto_send,
        saved.packet_days_before,
        saved.public_enabled,
        saved.public_intro,
    ) == (True, True, 7, True, "The numbers we watch together.")
    assert set(saved.public_indicators.all()) == {world.published, world.published_too}


def test_unticking_turns_things_off_and_unpublishes_indicators(
    login: Any, personas: Personas, world: PublicWorld
) -> None:
    client = login(personas.staff)
    client.post(_url(world), _valid(world))

    client.post(_url(world), {"packet_days_before": "0", "public_intro": ""})

    saved = _saved(world)
    assert (
        saved.partners_may_view,
        saved.packet_auto_send,
        saved.packet_days_before,
        saved.public_enabled,
        saved.public_intro,
    ) == (False, False, 0, False, "")
    assert list(saved.public_indicators.all()) == []


def test_once_published_the_page_shows_the_address_and_the_embed_code(
    login: Any, personas: Personas, world: PublicWorld
) -> None:
    client = login(personas.staff)
    client.post(_url(world), _valid(world))

    html = client.get(_url(world)).content.decode()

    key = world.settings.public_key
    assert f'value="http://testserver/results/{key}/"' in html
    assert (
        f'&lt;iframe src="http://testserver/results/{key}/embed/" title="Results of Lakeshore '
        'Reads" width="100%" height="640" style="border:0" loading="lazy"&gt;&lt;/iframe&gt;'
    ) in html
    assert f'href="http://testserver/results/{key}/data.csv"' in html
    assert "Published" in html
    assert html.count(" checked>") == 2 + 3  # two indicators, and three switches


@pytest.mark.parametrize("where", ["another initiative", "another organization"])
def test_an_indicator_from_elsewhere_is_refused_and_nothing_is_saved(
    login: Any, personas: Personas, world: PublicWorld, where: str
) -> None:
    organization = personas.org if where == "another initiative" else personas.other_org
    elsewhere: Any = IndicatorFactory(
        result=ResultFactory(initiative=InitiativeFactory(organization=organization)),
        name="Indicator from elsewhere",
    )
    client = login(personas.staff)
    before = snapshot()

    response = client.post(
        _url(world),
        _valid(world, public_indicators=[str(world.published.pk), str(elsewhere.pk)]),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        f"Only this initiative&#x27;s indicators can be published: {elsewhere.pk} is not one of "
        "them. Nothing was saved."
    ) in html
    assert "Indicator from elsewhere" not in html
    assert snapshot() == before


def test_a_posted_id_that_is_not_a_number_is_refused(
    login: Any, personas: Personas, world: PublicWorld
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(_url(world), _valid(world, public_indicators=["x"]))

    assert response.status_code == 400
    assert "“x” is not an indicator. Nothing was saved." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("days", ["31", "-1", "soon"])
def test_days_before_the_meeting_stay_between_0_and_30(
    login: Any, personas: Personas, world: PublicWorld, days: str
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = client.post(_url(world), _valid(world, packet_days_before=days))

    assert response.status_code == 400
    assert 'id="id_packet_days_before_error"' in response.content.decode()
    assert snapshot() == before


def test_a_refused_form_keeps_what_was_ticked(
    login: Any, personas: Personas, world: PublicWorld
) -> None:
    response = login(personas.staff).post(
        _url(world), _valid(world, packet_days_before="31", public_indicators=[world.published.pk])
    )

    html = response.content.decode()
    assert f'value="{world.published.pk}" id="indicator-{world.published.pk}" checked>' in html
    assert f'value="{world.published_too.pk}" id="indicator-{world.published_too.pk}">' in html


def test_the_service_refuses_an_indicator_of_another_initiative(
    personas: Personas, world: PublicWorld
) -> None:
    elsewhere: Any = IndicatorFactory(result__initiative__organization=personas.org)
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        dashboard_settings_update(
            settings=world.settings,
            partners_may_view=True,
            packet_auto_send=True,
            packet_days_before=3,
            public_enabled=True,
            public_intro="",
            public_indicators=[world.published, elsewhere],
        )

    assert refused.value.message_dict == {
        "public_indicators": ["Only this initiative's indicators can be published."]
    }
    assert snapshot() == before


def test_a_new_address_is_confirmed_first_then_retires_the_old_one(
    login: Any, personas: Personas, world: PublicWorld, client: Client
) -> None:
    staff = login(personas.staff)
    staff.post(_url(world), _valid(world))
    old = world.settings.public_key

    confirm = staff.get(_url(world, "new-address/"))
    unchanged = _saved(world).public_key
    done = staff.post(_url(world, "new-address/"))
    new = _saved(world).public_key

    assert confirm.status_code == 200
    assert "Give the public page a new address?" in confirm.content.decode()
    assert unchanged == old
    assert done.status_code == 302
    assert done["Location"] == _url(world) + "#public-address"
    assert new != old
    client.logout()
    assert client.get(f"/results/{old}/").status_code == 404
    assert client.get(f"/results/{new}/").status_code == 200


def test_the_results_overview_links_staff_to_the_settings(
    login: Any, personas: Personas, world: PublicWorld
) -> None:
    overview = f"/o/lakeshore/initiatives/{world.initiative.pk}/indicators/"
    link = f'href="{_url(world)}#public"'

    staff_html = login(personas.staff).get(overview).content.decode()
    steering_html = login(personas.steering).get(overview).content.decode()

    assert staff_html.count(link) == 1
    assert steering_html.count(link) == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_count_does_not_grow_with_the_indicators(
    login: Any,
    personas: Personas,
    world: PublicWorld,
    django_assert_num_queries: Any,
    method: str,
) -> None:
    client = login(personas.staff)
    client.get(_url(world))  # the settings exist from here on
    world.settings.public_indicators.set([world.published, world.published_too])

    def ask() -> Any:
        if method == "GET":
            return client.get(_url(world))
        # A refused form renders the whole page again (a saved one only redirects).
        return client.post(_url(world), _valid(world, packet_days_before="31"))

    queries = 8
    with django_assert_num_queries(queries):
        two = ask()
    more_published(world, 4)
    with django_assert_num_queries(queries):
        six = ask()

    assert two.content.decode().count('name="public_indicators"') == 4
    assert six.content.decode().count('name="public_indicators"') == 8
