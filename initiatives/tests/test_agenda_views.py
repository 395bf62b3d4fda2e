"""The common agenda pages: initiatives, the one-page common agenda with its htmx inline edits,
and the ground rules. Permissions are generated from backbone.roles.PERMISSIONS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from backbone.roles import PERMISSIONS, Role
from initiatives import services
from initiatives.models import GroundRule, Initiative, Result, Strategy, Table
from initiatives.tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Agenda:
    initiative: Initiative
    ready: Result
    attend: Result
    prek: Strategy
    screening: Strategy
    outreach: Strategy
    workgroup: Table
    rules: list[GroundRule]

    @property
    def url(self) -> str:
        return f"/o/lakeshore/initiatives/{self.initiative.pk}/"


@pytest.fixture
def agenda(personas: Any) -> Agenda:
    initiative = services.initiative_create(
        organization=personas.org,
        name="Read Lakeshore",
        north_star="Every third grader in Lakeshore County reads at grade level by 2030.",
        focus_population="Children from birth to age 8",
        geography="Lakeshore County",
    )
    ready = services.result_create(initiative=initiative, statement="Children enter school ready")
    attend = services.result_create(initiative=initiative, statement="Children attend every day")
    prek = services.strategy_create(result=ready, title="Expand pre-K seats")
    screening = services.strategy_create(result=ready, title="Screen every 3-year-old")
    outreach = services.strategy_create(result=attend, title="Family outreach")
    workgroup = services.workgroup_create(
        initiative=initiative, name="Early Learning Workgroup", strategies=[prek]
    )
    rules = [
        services.ground_rule_create(initiative=initiative, text=text)
        for text in ("We start and end on time.", "We let others finish.")
    ]
    return Agenda(initiative, ready, attend, prek, screening, outreach, workgroup, rules)


def _statements(initiative: Initiative) -> list[str]:
    return list(initiative.results.order_by("position", "id").values_list("statement", flat=True))


def _titles(result: Result) -> list[str]:
    return list(result.strategies.order_by("position", "id").values_list("title", flat=True))


def _rules(initiative: Initiative) -> list[str]:
    return list(initiative.ground_rules.order_by("position", "id").values_list("text", flat=True))


# --- Initiatives list, create, edit, archive ------------------------------------------------


def test_list_shows_active_initiatives_first_and_archived_ones_apart(
    login: Any, personas: Any
) -> None:
    for name in ("Zeta Reads", "Alpha Health"):
        services.initiative_create(organization=personas.org, name=name, north_star="A result.")
    old = services.initiative_create(
        organization=personas.org, name="Aardvark 2019", north_star="Done."
    )
    services.initiative_set_status(initiative=old, status="archived")
    InitiativeFactory(organization=personas.other_org, name="Riverside Secret")

    response = login(personas.steering).get("/o/lakeshore/initiatives/")

    assert response.status_code == 200
    assert [i.name for i in response.context["active"]] == ["Alpha Health", "Zeta Reads"]
    assert [i.name for i in response.context["archived"]] == ["Aardvark 2019"]
    content = response.content.decode()
    assert content.index("Alpha Health") < content.index("Zeta Reads") < content.index("Archived")
    assert content.index("Archived (1)") < content.index("Aardvark 2019")
    assert "Riverside Secret" not in content
    assert "Start an initiative" not in content  # steering reads, does not create


def test_empty_list_explains_an_initiative_and_offers_to_start_one(
    login: Any, personas: Any
) -> None:
    content = login(personas.staff).get("/o/lakeshore/initiatives/").content.decode()

    assert "No initiatives yet" in content
    assert "population-level result" in content
    assert 'href="/o/lakeshore/initiatives/new/"' in content
    assert "Start an initiative" in content


def test_staff_starts_an_initiative_with_its_steering_committee(login: Any, personas: Any) -> None:
    response = login(personas.staff).post(
        "/o/lakeshore/initiatives/new/",
        {
            "name": " Read Lakeshore ",
            "north_star": "Every third grader reads at grade level.",
            "focus_population": "Children 0-8",
            "geography": "",
            "time_zone": "",
        },
    )

    initiative = Initiative.objects.get(organization=personas.org)
    assert response.status_code == 302
    assert response["Location"] == f"/o/lakeshore/initiatives/{initiative.pk}/"
    assert (initiative.name, initiative.focus_population, initiative.status) == (
        "Read Lakeshore",
        "Children 0-8",
        "active",
    )
    assert list(initiative.tables.values_list("kind", flat=True)) == ["steering"]


def test_an_initiative_without_a_north_star_is_not_started(login: Any, personas: Any) -> None:
    response = login(personas.staff).post(
        "/o/lakeshore/initiatives/new/", {"name": "Read Lakeshore", "north_star": "  "}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"north_star": ["This field is required."]}
    assert Initiative.objects.count() == 0


def test_staff_edits_an_initiative(login: Any, personas: Any, agenda: Agenda) -> None:
    client = login(personas.staff)
    assert client.get(agenda.url + "edit/").context["form"].initial["name"] == "Read Lakeshore"

    response = client.post(
        agenda.url + "edit/",
        {"name": "Read Lakeshore 2030", "north_star": "All read.", "time_zone": "UTC"},
    )

    agenda.initiative.refresh_from_db()
    assert response.status_code == 302
    assert (agenda.initiative.name, agenda.initiative.north_star) == (
        "Read Lakeshore 2030",
        "All read.",
    )
    assert (agenda.initiative.geography, agenda.initiative.time_zone) == ("", "UTC")


def test_a_bad_time_zone_is_refused_and_nothing_changes(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    response = login(personas.staff).post(
        agenda.url + "edit/", {"name": "X", "north_star": "Y", "time_zone": "Mars/Olympus"}
    )

    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    agenda.initiative.refresh_from_db()
    assert agenda.initiative.name == "Read Lakeshore"


def test_archive_hides_from_the_active_list_and_restore_brings_it_back(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    client = login(personas.staff)

    assert client.get(agenda.url + "archive/").status_code == 405
    response = client.post(agenda.url + "archive/")
    assert response.status_code == 302
    agenda.initiative.refresh_from_db()
    assert agenda.initiative.status == "archived"
    assert agenda.initiative.results.count() == 2  # nothing deleted
    listing = client.get("/o/lakeshore/initiatives/")
    assert (listing.context["active"], [i.pk for i in listing.context["archived"]]) == (
        [],
        [agenda.initiative.pk],
    )
    assert "This initiative is archived" in client.get(agenda.url).content.decode()

    client.post(agenda.url + "restore/")
    agenda.initiative.refresh_from_db()
    assert agenda.initiative.status == "active"


# --- The common agenda page -----------------------------------------------------------------


def test_common_agenda_shows_north_star_results_strategies_and_workgroups_in_order(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    services.item_move(item=agenda.screening, direction="up")

    response = login(personas.partner).get(agenda.url)

    assert response.status_code == 200
    content = response.content.decode()
    order = [
        "Every third grader in Lakeshore County reads at grade level by 2030.",
        "<dd>Children from birth to age 8</dd>",
        "<dd>Lakeshore County</dd>",
        "Children enter school ready",
        "Screen every 3-year-old",
        "Expand pre-K seats",
        "Early Learning Workgroup",
        "Children attend every day",
        "Family outreach",
    ]
    positions = [content.index(text) for text in order]
    assert positions == sorted(positions)
    assert 'href="/o/lakeshore/initiatives/"' in content  # the way back to the list
    assert f'<a href="/o/lakeshore/tables/{agenda.workgroup.pk}/">Early Learning Workgroup</a>' in (
        content
    )
    assert "data-print" in content
    assert "Edit initiative" not in content  # partners read only
    assert f"/strategies/{agenda.prek.pk}/edit/" not in content


def test_staff_sees_the_inline_edit_controls(login: Any, personas: Any, agenda: Agenda) -> None:
    content = login(personas.staff).get(agenda.url).content.decode()

    assert f'hx-get="{agenda.url}strategies/{agenda.prek.pk}/edit/"' in content
    assert f'hx-post="{agenda.url}results/{agenda.ready.pk}/move/"' in content
    assert f'id="result-{agenda.ready.pk}-up"' in content


def test_strategy_edit_form_comes_as_an_htmx_partial(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    response = login(personas.staff).get(f"{agenda.url}strategies/{agenda.prek.pk}/edit/", **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'value="Expand pre-K seats"' in content
    assert f'hx-get="{agenda.url}strategies/{agenda.prek.pk}/"' in content  # cancel
    assert "data-inline-form" in content


def test_strategy_edit_saves_and_returns_the_read_only_row(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    response = login(personas.staff).post(
        f"{agenda.url}strategies/{agenda.prek.pk}/edit/",
        {"title": "Open 400 pre-K seats", "description": "In the east side first."},
        **HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'id="strategy-{agenda.prek.pk}"' in content
    assert "Open 400 pre-K seats" in content
    assert "Early Learning Workgroup" in content
    assert "Saved" in content
    agenda.prek.refresh_from_db()
    assert (agenda.prek.title, agenda.prek.description) == (
        "Open 400 pre-K seats",
        "In the east side first.",
    )


def test_a_blank_strategy_title_is_shown_inline_and_nothing_changes(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    response = login(personas.staff).post(
        f"{agenda.url}strategies/{agenda.prek.pk}/edit/", {"title": " ", "description": ""}, **HTMX
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert "<html" not in response.content.decode()
    agenda.prek.refresh_from_db()
    assert agenda.prek.title == "Expand pre-K seats"


def test_cancel_returns_the_read_only_row(login: Any, personas: Any, agenda: Agenda) -> None:
    client = login(personas.staff)

    row = client.get(f"{agenda.url}strategies/{agenda.prek.pk}/", **HTMX)
    page = client.get(f"{agenda.url}strategies/{agenda.prek.pk}/")

    assert row.status_code == 200
    assert row.content.decode().startswith('<div class="agenda-strategy__body"')
    assert (page.status_code, page["Location"]) == (302, f"{agenda.url}#strategy-{agenda.prek.pk}")


def test_without_javascript_editing_is_a_page_and_saving_redirects(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    client = login(personas.staff)

    page = client.get(f"{agenda.url}results/{agenda.ready.pk}/edit/")
    saved = client.post(
        f"{agenda.url}results/{agenda.ready.pk}/edit/", {"statement": "Children are ready"}
    )

    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert (saved.status_code, saved["Location"]) == (302, f"{agenda.url}#result-{agenda.ready.pk}")
    assert _statements(agenda.initiative) == ["Children are ready", "Children attend every day"]


def test_result_edit_by_htmx(login: Any, personas: Any, agenda: Agenda) -> None:
    response = login(personas.staff).post(
        f"{agenda.url}results/{agenda.attend.pk}/edit/", {"statement": "Children attend"}, **HTMX
    )

    assert response.status_code == 200
    assert f'id="result-{agenda.attend.pk}-head"' in response.content.decode()
    assert _statements(agenda.initiative) == ["Children enter school ready", "Children attend"]


def test_add_a_result_and_a_strategy_inline(login: Any, personas: Any, agenda: Agenda) -> None:
    client = login(personas.staff)

    added = client.post(f"{agenda.url}results/add/", {"statement": "Children read well"}, **HTMX)
    strategy = client.post(
        f"{agenda.url}results/{agenda.attend.pk}/strategies/add/",
        {"title": "Text reminders", "description": ""},
        **HTMX,
    )

    assert added.status_code == 200
    assert added.content.decode().startswith('<div id="results"')
    assert "Children read well" in added.content.decode()
    assert _statements(agenda.initiative)[-1] == "Children read well"
    assert strategy.status_code == 200
    assert strategy.content.decode().startswith(
        f'<div class="agenda-strategies" id="result-{agenda.attend.pk}-strategies"'
    )
    assert _titles(agenda.attend) == ["Family outreach", "Text reminders"]


def test_adding_a_blank_result_or_strategy_writes_nothing(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    client = login(personas.staff)

    result = client.post(f"{agenda.url}results/add/", {"statement": ""}, **HTMX)
    strategy = client.post(
        f"{agenda.url}results/{agenda.attend.pk}/strategies/add/", {"title": ""}, **HTMX
    )
    plain = client.post(f"{agenda.url}results/add/", {"statement": ""})

    assert (result.status_code, strategy.status_code, plain.status_code) == (400, 400, 400)
    assert "This field is required." in result.content.decode()
    assert "This field is required." in strategy.content.decode()
    assert Result.objects.count() == 2
    assert Strategy.objects.count() == 3


def test_move_a_result_up_keeps_the_focus_on_the_pressed_button(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    response = login(personas.staff).post(
        f"{agenda.url}results/{agenda.attend.pk}/move/", {"direction": "up"}, **HTMX
    )

    assert response.status_code == 200
    assert _statements(agenda.initiative) == [
        "Children attend every day",
        "Children enter school ready",
    ]
    # It is first now, so its "up" button is disabled: the focus goes to "down".
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "agenda:focus": f"result-{agenda.attend.pk}-down"
    }
    content = response.content.decode()
    assert content.index("Children attend every day") < content.index("Children enter school ready")


def test_move_a_strategy_down_and_back(login: Any, personas: Any, agenda: Agenda) -> None:
    client = login(personas.staff)
    url = f"{agenda.url}strategies/{agenda.prek.pk}/move/"

    down = client.post(url, {"direction": "down"}, **HTMX)
    assert _titles(agenda.ready) == ["Screen every 3-year-old", "Expand pre-K seats"]
    client.post(url, {"direction": "up"})
    assert _titles(agenda.ready) == ["Expand pre-K seats", "Screen every 3-year-old"]
    assert down.status_code == 200
    assert json.loads(down["HX-Trigger-After-Settle"]) == {
        "agenda:focus": f"strategy-{agenda.prek.pk}-up"
    }


def test_a_move_without_a_direction_is_refused(login: Any, personas: Any, agenda: Agenda) -> None:
    response = login(personas.staff).post(
        f"{agenda.url}results/{agenda.attend.pk}/move/", {"direction": "sideways"}, **HTMX
    )

    assert response.status_code == 400
    assert "Choose up or down." in response.content.decode()
    assert _statements(agenda.initiative) == [
        "Children enter school ready",
        "Children attend every day",
    ]


def test_deleting_a_result_with_strategies_shows_the_refusal(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    response = login(personas.staff).post(f"{agenda.url}results/{agenda.ready.pk}/delete/", **HTMX)

    assert response.status_code == 400
    assert (
        "Move or delete its strategies first: Expand pre-K seats; Screen every 3-year-old."
        in response.content.decode()
    )
    assert Result.objects.count() == 2


def test_deleting_a_strategy_a_workgroup_carries_is_refused(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    client = login(personas.staff)

    response = client.post(f"{agenda.url}strategies/{agenda.prek.pk}/delete/", **HTMX)
    plain = client.post(f"{agenda.url}strategies/{agenda.prek.pk}/delete/", follow=True)

    message = "These workgroups carry it; take it off them first: Early Learning Workgroup."
    assert response.status_code == 400
    assert message in response.content.decode()
    assert message in plain.content.decode()
    assert Strategy.objects.filter(pk=agenda.prek.pk).exists()


def test_delete_a_free_strategy_then_its_empty_result(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    client = login(personas.staff)

    strategy = client.post(f"{agenda.url}strategies/{agenda.outreach.pk}/delete/", **HTMX)
    result = client.post(f"{agenda.url}results/{agenda.attend.pk}/delete/", **HTMX)

    assert (strategy.status_code, result.status_code) == (200, 200)
    assert _statements(agenda.initiative) == ["Children enter school ready"]
    assert Strategy.objects.count() == 2


def test_drag_and_drop_order_is_applied(login: Any, personas: Any, agenda: Agenda) -> None:
    client = login(personas.staff)
    order = f"{agenda.screening.pk},{agenda.prek.pk}"

    response = client.post(
        f"{agenda.url}results/{agenda.ready.pk}/strategies/reorder/", {"order": order}, **HTMX
    )

    assert response.status_code == 200
    assert _titles(agenda.ready) == ["Screen every 3-year-old", "Expand pre-K seats"]


@pytest.mark.parametrize("order", ["", "x,y", "{attend}", "{attend},{ready},{ready}"])
def test_a_stale_or_garbled_order_changes_nothing(
    login: Any, personas: Any, agenda: Agenda, order: str
) -> None:
    order = order.format(attend=agenda.attend.pk, ready=agenda.ready.pk)

    response = login(personas.staff).post(f"{agenda.url}results/reorder/", {"order": order}, **HTMX)

    assert response.status_code == 400
    assert "agenda:refused" in json.loads(response["HX-Trigger"])
    assert _statements(agenda.initiative) == [
        "Children enter school ready",
        "Children attend every day",
    ]


def test_an_id_of_another_initiative_of_the_same_organization_is_not_found(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    other = services.initiative_create(organization=personas.org, name="B", north_star="B.")
    client = login(personas.staff)

    responses = [
        client.get(f"/o/lakeshore/initiatives/{other.pk}/results/{agenda.ready.pk}/edit/"),
        client.post(
            f"/o/lakeshore/initiatives/{other.pk}/strategies/{agenda.prek.pk}/edit/",
            {"title": "Moved"},
        ),
        client.post(
            f"/o/lakeshore/initiatives/{other.pk}/ground-rules/{agenda.rules[0].pk}/delete/"
        ),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    agenda.prek.refresh_from_db()
    assert agenda.prek.title == "Expand pre-K seats"
    assert GroundRule.objects.count() == 2


# --- Ground rules ---------------------------------------------------------------------------


def test_ground_rules_page_explains_behaviours_with_one_example(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    response = login(personas.partner).get(agenda.url + "ground-rules/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "written as behaviours people can see and hold each other to" in content
    assert "Not “Respect”," in content
    assert content.index("We start and end on time.") < content.index("We let others finish.")
    assert "Add a ground rule" not in content


def test_staff_adds_edits_moves_and_deletes_ground_rules(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    client = login(personas.staff)
    first, second = agenda.rules
    base = agenda.url + "ground-rules/"

    added = client.post(base + "add/", {"text": "We read the materials first."}, **HTMX)
    edited = client.post(f"{base}{first.pk}/edit/", {"text": "We start on time."}, **HTMX)
    moved = client.post(f"{base}{second.pk}/move/", {"direction": "up"}, **HTMX)
    deleted = client.post(f"{base}{first.pk}/delete/", **HTMX)

    assert [r.status_code for r in (added, edited, moved, deleted)] == [200, 200, 200, 200]
    assert added.content.decode().startswith('<div id="rules"')
    assert f'id="rule-{first.pk}"' in edited.content.decode()
    assert _rules(agenda.initiative) == ["We let others finish.", "We read the materials first."]


def test_a_blank_ground_rule_is_refused(login: Any, personas: Any, agenda: Agenda) -> None:
    client = login(personas.staff)
    base = agenda.url + "ground-rules/"

    added = client.post(base + "add/", {"text": ""}, **HTMX)
    plain = client.post(base + "add/", {"text": ""})
    edited = client.post(f"{base}{agenda.rules[0].pk}/edit/", {"text": ""}, **HTMX)
    too_long = client.post(base + "add/", {"text": "x" * 401}, **HTMX)

    assert [r.status_code for r in (added, plain, edited, too_long)] == [400, 400, 400, 400]
    assert "This field is required." in added.content.decode()
    assert "at most 400 characters" in too_long.content.decode()
    assert _rules(agenda.initiative) == ["We start and end on time.", "We let others finish."]


# --- Permissions, from the roles table ------------------------------------------------------


def _expected(permission: str, role: Role, allowed: int) -> int:
    return allowed if role in PERMISSIONS[permission] else 403


@pytest.mark.parametrize("role", list(Role))
def test_reading_pages_follows_view_common_agenda(
    login: Any, personas: Any, agenda: Agenda, role: Role
) -> None:
    client = login(personas.by_role(role))

    statuses = [
        client.get(url).status_code
        for url in (
            "/o/lakeshore/initiatives/",
            agenda.url,
            agenda.url + "ground-rules/",
            f"{agenda.url}strategies/{agenda.prek.pk}/",
        )
    ]

    assert statuses == [_expected("view_common_agenda", role, 200)] * 2 + [
        _expected("view_common_agenda", role, 200),
        _expected("view_common_agenda", role, 302),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_editing_follows_edit_common_agenda_and_refusals_change_nothing(
    login: Any, personas: Any, agenda: Agenda, role: Role
) -> None:
    client = login(personas.by_role(role))
    rule = agenda.rules[0]
    requests = [
        ("get", "/o/lakeshore/initiatives/new/", {}, 200),
        ("post", "/o/lakeshore/initiatives/new/", {"name": "N", "north_star": "S"}, 302),
        ("get", agenda.url + "edit/", {}, 200),
        ("post", agenda.url + "edit/", {"name": "Renamed", "north_star": "S"}, 302),
        ("post", f"{agenda.url}results/add/", {"statement": "New"}, 302),
        ("post", f"{agenda.url}results/{agenda.attend.pk}/edit/", {"statement": "Edited"}, 302),
        ("post", f"{agenda.url}results/{agenda.attend.pk}/move/", {"direction": "up"}, 302),
        ("post", f"{agenda.url}strategies/{agenda.outreach.pk}/edit/", {"title": "T"}, 302),
        ("post", f"{agenda.url}strategies/{agenda.screening.pk}/delete/", {}, 302),
        ("post", f"{agenda.url}ground-rules/add/", {"text": "New rule"}, 302),
        ("post", f"{agenda.url}ground-rules/{rule.pk}/edit/", {"text": "Edited rule"}, 302),
        ("post", f"{agenda.url}ground-rules/{rule.pk}/delete/", {}, 302),
        ("post", agenda.url + "archive/", {}, 302),
    ]
    before = (
        list(Initiative.objects.values()),
        list(Result.objects.values()),
        list(Strategy.objects.values()),
        list(GroundRule.objects.values()),
    )

    statuses = [getattr(client, method)(url, data).status_code for method, url, data, _ in requests]

    assert statuses == [_expected("edit_common_agenda", role, ok) for *_, ok in requests]
    after = (
        list(Initiative.objects.values()),
        list(Result.objects.values()),
        list(Strategy.objects.values()),
        list(GroundRule.objects.values()),
    )
    assert (after == before) is (role not in PERMISSIONS["edit_common_agenda"])


def test_outsider_gets_404_for_the_list_pages_and_nothing_changes(
    login: Any, personas: Any, agenda: Agenda
) -> None:
    client = login(personas.outsider)

    responses = [
        client.get("/o/lakeshore/initiatives/"),
        client.get("/o/lakeshore/initiatives/new/"),
        client.post("/o/lakeshore/initiatives/new/", {"name": "N", "north_star": "S"}),
        client.get(agenda.url),
        client.get(agenda.url + "ground-rules/"),
        client.post(agenda.url + "ground-rules/add/", {"text": "Intruder"}),
        # The outsider's own organization, with this organization's initiative id.
        client.get(f"/o/riverside/initiatives/{agenda.initiative.pk}/"),
        client.post(f"/o/riverside/initiatives/{agenda.initiative.pk}/archive/"),
    ]

    assert [r.status_code for r in responses] == [404] * 8
    assert Initiative.objects.count() == 1
    assert GroundRule.objects.count() == 2
    agenda.initiative.refresh_from_db()
    assert agenda.initiative.status == "active"


# --- Query counts ---------------------------------------------------------------------------

# session, user, membership (middleware), the switcher's memberships, + the page's own:
# the list 1; the agenda 4 (initiative, results, strategies, workgroups); ground rules 2.
LIST_QUERIES = 5
AGENDA_QUERIES = 8
RULES_QUERIES = 6


def _measure(client: Client, url: str, expected: int, django_assert_num_queries: Any) -> Any:
    assert client.get(url).status_code == 200  # warm-up: the session records the last org
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("rows", [3, 30])
def test_initiatives_list_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for n in range(rows):
        initiative = services.initiative_create(
            organization=personas.org, name=f"Initiative {n:02}", north_star="A result."
        )
        services.result_create(initiative=initiative, statement="R")
        services.workgroup_create(initiative=initiative, name="W")
        if n % 3 == 0:
            services.initiative_set_status(initiative=initiative, status="archived")

    response = _measure(
        login(personas.staff), "/o/lakeshore/initiatives/", LIST_QUERIES, django_assert_num_queries
    )

    assert len(response.context["active"]) + len(response.context["archived"]) == rows
    assert {(i.result_count, i.workgroup_count) for i in response.context["active"]} == {(1, 1)}


@pytest.mark.parametrize(("results", "strategies"), [(2, 2), (6, 5)])
def test_common_agenda_query_count_does_not_grow(
    login: Any,
    personas: Any,
    django_assert_num_queries: Any,
    results: int,
    strategies: int,
) -> None:
    initiative = services.initiative_create(
        organization=personas.org, name="Read", north_star="All read."
    )
    for r in range(results):
        result = services.result_create(initiative=initiative, statement=f"Result {r}")
        made = [
            services.strategy_create(result=result, title=f"Strategy {r}.{s}")
            for s in range(strategies)
        ]
        services.workgroup_create(initiative=initiative, name=f"Workgroup {r}", strategies=made)

    response = _measure(
        login(personas.staff),
        f"/o/lakeshore/initiatives/{initiative.pk}/",
        AGENDA_QUERIES,
        django_assert_num_queries,
    )

    content = response.content.decode()
    assert content.count('class="agenda-strategy"') == results * strategies
    assert content.count('<span class="workgroup">') == results * strategies


@pytest.mark.parametrize("rows", [3, 30])
def test_ground_rules_query_count_does_not_grow(
    login: Any, personas: Any, agenda: Agenda, django_assert_num_queries: Any, rows: int
) -> None:
    for n in range(rows):
        services.ground_rule_create(initiative=agenda.initiative, text=f"Rule {n}")

    response = _measure(
        login(personas.staff),
        agenda.url + "ground-rules/",
        RULES_QUERIES,
        django_assert_num_queries,
    )

    assert len(response.context["rules"]) == rows + 2
