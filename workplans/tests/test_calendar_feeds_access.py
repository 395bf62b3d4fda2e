"""Where people find their calendar address and who may make a new one or turn it off: a
person their own (My commitments), staff anyone's (the person's page) and a table's (its
meetings page); everyone else is refused and nothing changes; another organization gets 404."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backbone.models import User
from backbone.roles import Role
from tests.fixtures import Personas
from workplans.calendar_feeds import calendar_feed_issue, feed_url, webcal_url
from workplans.models import CalendarFeed
from workplans.tests.calendar_world import SITE, TODAY, CalendarWorld, fetch, utc

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _today(settings: Any) -> Generator[None, None, None]:
    settings.SITE_URL = SITE
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(personas: Personas) -> CalendarWorld:
    return CalendarWorld(personas)


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


def feeds() -> list[tuple[int | None, int | None, str]]:
    return sorted(
        CalendarFeed.objects.values_list("person_id", "table_id", "nonce"),
        key=lambda row: (row[0] or 0, row[1] or 0),
    )


# --- A person's address ---------------------------------------------------------------------


def test_a_partner_gets_their_address_on_my_commitments_and_makes_a_new_one(
    world: CalendarWorld, login: Login, client: Client
) -> None:
    partner = login(world.personas.partner)
    before = partner.get(url("my_commitments")).content.decode()
    assert 'id="calendar"' in before
    assert "Get a calendar address" in before
    assert f"{SITE}/calendar/" not in before

    made = partner.post(url("person_calendar_new", person_id=world.partner.pk))

    assert made.status_code == 302
    assert made["Location"] == url("my_commitments")
    feed = CalendarFeed.objects.get()
    assert (feed.person_id, feed.table_id, feed.issued_by) == (
        world.partner.pk,
        None,
        world.personas.partner,
    )
    first = feed_url(feed)
    shown = partner.get(url("my_commitments")).content.decode()
    assert f'value="{first}"' in shown
    assert f'href="{webcal_url(feed)}"' in shown
    assert "Make a new address" in shown

    partner.post(url("person_calendar_new", person_id=world.partner.pk))

    feed.refresh_from_db()
    assert feed_url(feed) != first
    assert fetch(client, first).status_code == 404
    assert fetch(client, feed_url(feed)).status_code == 200
    assert f'value="{feed_url(feed)}"' in partner.get(url("my_commitments")).content.decode()


def test_a_partner_turns_their_address_off(world: CalendarWorld, login: Login) -> None:
    feed = calendar_feed_issue(person=world.partner, by_user=None)
    address = feed_url(feed)
    partner = login(world.personas.partner)

    response = partner.post(url("person_calendar_off", person_id=world.partner.pk))

    assert response.status_code == 302
    assert CalendarFeed.objects.count() == 0
    assert fetch(partner, address).status_code == 404
    assert "Get a calendar address" in partner.get(url("my_commitments")).content.decode()


@pytest.mark.parametrize("action", ["person_calendar_new", "person_calendar_off"])
@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.STAFF, True), (Role.STEERING, False), (Role.COCHAIR, False), (Role.PARTNER, False)],
)
def test_only_staff_change_someone_elses_address(
    world: CalendarWorld, login: Login, role: str, allowed: bool, action: str
) -> None:
    ana = world.member  # no login
    calendar_feed_issue(person=world.partner, by_user=None)
    if action == "person_calendar_off":
        calendar_feed_issue(person=ana, by_user=None)
    before = feeds()

    response = login(world.personas.by_role(role)).post(url(action, person_id=ana.pk))

    if allowed:
        assert response.status_code == 302
        assert response["Location"] == url("person_detail", person_id=ana.pk)
        after = feeds()
        assert after != before
        assert [row for row in after if row[0] == world.partner.pk] == [
            row for row in before if row[0] == world.partner.pk
        ]
    else:
        assert response.status_code == 403
        assert feeds() == before


@pytest.mark.parametrize("action", ["person_calendar_new", "person_calendar_off"])
def test_another_organization_gets_404_and_nothing_changes(
    world: CalendarWorld, login: Login, action: str
) -> None:
    calendar_feed_issue(person=world.member, by_user=None)
    before = feeds()

    response = login(world.personas.outsider).post(url(action, person_id=world.member.pk))

    assert response.status_code == 404
    assert feeds() == before


def test_gets_are_refused_and_change_nothing(world: CalendarWorld, login: Login) -> None:
    staff = login(world.personas.staff)
    for name, kwargs in [
        ("person_calendar_new", {"person_id": world.member.pk}),
        ("person_calendar_off", {"person_id": world.member.pk}),
        ("table_calendar_new", {"table_id": world.x.pk}),
        ("table_calendar_off", {"table_id": world.x.pk}),
    ]:
        assert staff.get(url(name, **kwargs)).status_code == 405
    assert feeds() == []


def test_a_removed_person_gets_no_address(world: CalendarWorld, login: Login) -> None:
    world.member.archived_at = TODAY
    world.member.save()

    response = login(world.personas.staff).post(
        url("person_calendar_new", person_id=world.member.pk)
    )

    assert response.status_code == 302
    assert feeds() == []


def test_staff_copy_a_partners_address_from_the_persons_page(
    world: CalendarWorld, login: Login
) -> None:
    ana = world.member
    staff = login(world.personas.staff)
    empty = staff.get(url("person_detail", person_id=ana.pk)).content.decode()
    assert "Get a calendar address" in empty

    staff.post(url("person_calendar_new", person_id=ana.pk))

    feed = CalendarFeed.objects.get(person=ana)
    page = staff.get(url("person_detail", person_id=ana.pk)).content.decode()
    assert f'value="{feed_url(feed)}"' in page
    assert "Make a new address" in page
    assert "Turn off" in page
    # Others who may read the person's page do not see the address.
    for role in (Role.STEERING, Role.COCHAIR):
        other = login(world.personas.by_role(role)).get(url("person_detail", person_id=ana.pk))
        assert other.status_code == 200
        assert feed_url(feed) not in other.content.decode()
        assert 'id="calendar"' not in other.content.decode()


def test_the_persons_page_costs_no_query_for_the_address(
    world: CalendarWorld, login: Login, django_assert_num_queries: Any
) -> None:
    staff = login(world.personas.staff)
    staff.get(url("person_detail", person_id=world.member.pk))
    with CaptureQueriesContext(connection) as without:
        staff.get(url("person_detail", person_id=world.member.pk))
    calendar_feed_issue(person=world.member, by_user=None)

    with django_assert_num_queries(len(without.captured_queries)):
        response = staff.get(url("person_detail", person_id=world.member.pk))

    assert 'value="https://backbone.example.org/calendar/' in response.content.decode()


# --- A table's address ----------------------------------------------------------------------


@pytest.mark.parametrize("action", ["table_calendar_new", "table_calendar_off"])
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.STAFF, 302), (Role.STEERING, 403), (Role.COCHAIR, 403), (Role.PARTNER, 403)],
)
def test_only_staff_change_a_tables_address(
    world: CalendarWorld, login: Login, role: str, status: int, action: str
) -> None:
    if action == "table_calendar_off":
        calendar_feed_issue(table=world.x, by_user=None)
    before = feeds()

    response = login(world.personas.by_role(role)).post(url(action, table_id=world.x.pk))

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == url("table_meetings", table_id=world.x.pk)
        assert feeds() != before
    else:
        assert feeds() == before


@pytest.mark.parametrize("action", ["table_calendar_new", "table_calendar_off"])
def test_a_tables_address_is_404_to_another_organization(
    world: CalendarWorld, login: Login, action: str
) -> None:
    calendar_feed_issue(table=world.x, by_user=None)
    before = feeds()

    response = login(world.personas.outsider).post(url(action, table_id=world.x.pk))

    assert response.status_code == 404
    assert feeds() == before


def test_the_tables_meetings_page_shows_its_address_to_those_who_see_the_table(
    world: CalendarWorld, login: Login
) -> None:
    page = url("table_meetings", table_id=world.x.pk)
    partner = login(world.personas.partner)  # sits at X
    assert 'id="calendar"' not in partner.get(page).content.decode()
    staff = login(world.personas.staff)
    assert "Get a calendar address" in staff.get(page).content.decode()

    staff.post(url("table_calendar_new", table_id=world.x.pk))

    address = feed_url(CalendarFeed.objects.get(table=world.x))
    shown = staff.get(page).content.decode()
    assert f'value="{address}"' in shown
    assert "Make a new address" in shown
    seen = login(world.personas.partner).get(page).content.decode()
    assert f'value="{address}"' in seen
    assert "Make a new address" not in seen
    assert "Turn off" not in seen


def test_a_tables_address_answers_with_its_meetings(world: CalendarWorld, login: Login) -> None:
    meeting = world.schedule(world.x, utc(2026, 10, 20, 14))
    staff = login(world.personas.staff)
    staff.post(url("table_calendar_new", table_id=world.x.pk))

    response = fetch(staff, feed_url(CalendarFeed.objects.get(table=world.x)))

    assert response.status_code == 200
    assert f"UID:meeting-{meeting.pk}@{world.org.pk}.backbone".encode() in response.content
