"""The organization's navigation for each role, and the partner's home.

Every link a role's navigation shows opens for that role; each page marks the one item it belongs
under; a partner's home leads with their own commitments, their tables' next meetings and the
help they asked for, not the staff's figures."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backbone.roles import Role
from workplans.help_requests import help_request_assign, help_request_open
from workplans.models import Channel, Commitment, HelpRequest
from workplans.services import commitment_change
from workplans.tests.commitment_world import World

NAV = re.compile(r'<nav class="orgnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"\s*(aria-current="page")?\s*>([^<]+)</a>')

EXPECTED_NAV = {
    Role.STAFF: [
        "Overview",
        "Dashboard",
        "Initiatives",
        "Meetings",
        "Commitments",
        "People",
        "Partners",
        "Members",
        "Replies",
        "Help requests",
        "Email log",
        "Settings",
    ],
    Role.STEERING: [
        "Overview",
        "Dashboard",
        "Initiatives",
        "Meetings",
        "Commitments",
        "People",
        "Partners",
        "Members",
        "Help requests",
    ],
    Role.COCHAIR: [
        "Overview",
        "Dashboard",
        "My commitments",
        "Initiatives",
        "Meetings",
        "People",
        "Partners",
        "Members",
        "Help requests",
    ],
    Role.PARTNER: ["Overview", "My commitments", "Meetings", "Initiatives"],
}


def nav_links(html: str) -> list[tuple[str, bool, str]]:
    """(href, is current, label) of each item of the organization's navigation."""
    found = NAV.search(html)
    assert found is not None
    return [(href, bool(current), label) for href, current, label in LINK.findall(found[1])]


def current_item(html: str) -> list[str]:
    return [label for _, current, label in nav_links(html) if current]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_navigation_link_opens_for_the_role(login: Any, personas: Any, role: Role) -> None:
    World(personas)
    client = login(personas.by_role(role))

    links = nav_links(client.get("/o/lakeshore/").content.decode())

    assert [label for _, _, label in links] == EXPECTED_NAV[role]
    # The dashboard item goes on to the only initiative's dashboard.
    statuses = {
        label: client.get(href.split("#")[0], follow=True).status_code for href, _, label in links
    }
    assert statuses == dict.fromkeys(EXPECTED_NAV[role], 200)


@pytest.mark.django_db
def test_partner_meetings_item_leads_to_the_meetings_of_their_tables(
    login: Any, personas: Any
) -> None:
    World(personas)
    client = login(personas.partner)

    links = {
        label: href for href, _, label in nav_links(client.get("/o/lakeshore/").content.decode())
    }

    assert links["Meetings"] == "/o/lakeshore/meetings/"
    assert links["My commitments"] == "/o/lakeshore/my-commitments/"
    # The upcoming meetings, of the tables they sit at only (workplans' tests say which).
    assert client.get("/o/lakeshore/meetings/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/o/lakeshore/", "Overview"),
        ("/o/lakeshore/settings/", "Settings"),
        ("/o/lakeshore/webhooks/", "Settings"),
        ("/o/lakeshore/webhooks/new/", "Settings"),
        ("/o/lakeshore/outbox/", "Email log"),
        ("/o/lakeshore/members/", "Members"),
        ("/o/lakeshore/people/", "People"),
        ("/o/lakeshore/partners/", "Partners"),
        ("/o/lakeshore/commitments/", "Commitments"),
        ("/o/lakeshore/meetings/", "Meetings"),
        ("/o/lakeshore/replies/", "Replies"),
        ("/o/lakeshore/help-requests/", "Help requests"),
        ("/o/lakeshore/initiatives/", "Initiatives"),
    ],
)
def test_each_staff_page_marks_the_one_item_it_belongs_under(
    login: Any, personas: Any, path: str, item: str
) -> None:
    response = login(personas.staff).get(path)

    assert response.status_code == 200
    assert current_item(response.content.decode()) == [item]


@pytest.mark.django_db
def test_pages_under_an_initiative_or_a_table_mark_their_own_item(
    login: Any, personas: Any
) -> None:
    world = World(personas)
    client = login(personas.staff)
    initiative, table = world.initiative.pk, world.x.pk
    expected = {
        f"/o/lakeshore/meetings/{world.today.pk}/": "Meetings",
        f"/o/lakeshore/tables/{table}/meetings/": "Meetings",
        f"/o/lakeshore/tables/{table}/": "Initiatives",
        f"/o/lakeshore/tables/{table}/workplans/": "Initiatives",
        f"/o/lakeshore/initiatives/{initiative}/": "Initiatives",
        f"/o/lakeshore/initiatives/{initiative}/dashboard/": "Dashboard",
        f"/o/lakeshore/initiatives/{initiative}/help-requests/": "Help requests",
    }

    found = {}
    for path in expected:
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = current_item(response.content.decode())

    assert found == {path: [item] for path, item in expected.items()}


@pytest.mark.django_db
def test_partner_pages_mark_my_commitments_and_meetings(login: Any, personas: Any) -> None:
    world = World(personas)
    mine = world.commit(world.tran, "Share attendance numbers")
    client = login(personas.partner)

    found = {
        path: current_item(client.get(path).content.decode())
        for path in (
            "/o/lakeshore/my-commitments/",
            f"/o/lakeshore/commitments/{mine.pk}/",
            f"/o/lakeshore/meetings/{world.today.pk}/",
        )
    }

    assert found == {
        "/o/lakeshore/my-commitments/": ["My commitments"],
        f"/o/lakeshore/commitments/{mine.pk}/": ["My commitments"],
        f"/o/lakeshore/meetings/{world.today.pk}/": ["Meetings"],
    }


@pytest.mark.django_db
def test_partner_home_leads_with_their_commitments_meetings_and_help_asked(
    login: Any, personas: Any
) -> None:
    world = World(personas)
    today = timezone.localdate()
    late = world.commit(world.tran, "Share attendance numbers", due=today - timedelta(days=3))
    soon = world.commit(world.tran, "Ask the foundation about books", due=today + timedelta(days=9))
    stuck = world.commit(world.tran, "Find a room for the reading fair", due=today)
    asked = help_request_open(
        commitment=stuck,
        person=world.tran,
        kind=HelpRequest.Kind.NEED_HELP,
        text="We need a room for 40 children.",
        channel=Channel.WEB,
    )
    help_request_assign(help_request=asked, user=personas.staff)
    done = world.commit(world.tran, "Bring the sign-in sheets")
    commitment_change(commitment=done, channel=Channel.WEB, by_user=personas.partner, status="done")
    world.commit(world.ana, "Someone else's commitment")
    next_x = world.meeting(days=10)
    world.meeting(table=world.y, days=5)  # a table Tran does not sit at

    response = login(personas.partner).get("/o/lakeshore/")

    assert response.status_code == 200
    html = response.content.decode()
    context = response.context
    assert [c.pk for c in context["commitments"]] == [late.pk, stuck.pk, soon.pk]
    ahead = [m.pk for m in (world.today, next_x) if m.starts_at >= timezone.now()]
    assert [m.pk for m in context["meetings"]] == ahead
    assert [h.commitment_id for h in context["help_asked"]] == [stuck.pk]
    assert f"{personas.staff.display_name} is taking this on" in html
    assert f'href="/o/lakeshore/meetings/{next_x.pk}/"' in html
    assert "Someone else" not in html
    assert "Bring the sign-in sheets" not in html
    assert "Attendance Works" not in html
    assert "past its date" in html
    for staff_figure in ("Pending invitations", "Emails sent", "Backbone staff</h2>"):
        assert staff_figure not in html
    assert Commitment.objects.get(pk=late.pk).status == Commitment.Status.OPEN


@pytest.mark.django_db
def test_partner_home_without_a_linked_person_says_so(login: Any, personas: Any) -> None:
    response = login(personas.partner).get("/o/lakeshore/")

    html = response.content.decode()
    assert "Your login is not linked to a person of this organization yet" in html
    assert (response.context["commitments"], response.context["meetings"]) == ([], [])
    assert "Emails sent" not in html


@pytest.mark.django_db
def test_staff_keep_the_organization_figures(login: Any, personas: Any) -> None:
    # Steering committee members and co-chairs have their own home (test_leader_home.py).
    response = login(personas.staff).get("/o/lakeshore/")

    assert "partner_home" not in response.context
    assert response.context["overview"].member_count == 4


PARTNER_HOME_QUERIES = 8


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 8])
def test_partner_home_query_count_does_not_grow(
    login: Any, personas: Any, django_assert_num_queries: Any, rows: int
) -> None:
    world = World(personas)
    for n in range(rows):
        stuck = world.commit(world.tran, f"Commitment {n}")
        help_request_open(
            commitment=stuck,
            person=world.tran,
            kind=HelpRequest.Kind.BLOCKED,
            text="",
            channel=Channel.WEB,
        )
        world.meeting(days=n + 1)
    client = login(personas.partner)
    assert client.get("/o/lakeshore/").status_code == 200  # the session records the last org

    with django_assert_num_queries(PARTNER_HOME_QUERIES):
        response = client.get("/o/lakeshore/")

    assert len(response.context["help_asked"]) == rows
    assert len(response.context["meetings"]) == 3
