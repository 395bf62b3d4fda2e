"""Unsubscribing from an initiative's NAG emails (/u/<token>/): a page with a button, the
RFC 8058 one-click POST of mail clients, idempotent, reversible by staff."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from initiatives.tests.factories import InitiativeFactory, PersonFactory
from workplans.links import unsubscribe_token
from workplans.models import NagOptOut
from workplans.tests.public_world import SENDER, PublicWorld, csrf_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any) -> PublicWorld:
    return PublicWorld(personas)


def text_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_opening_the_link_shows_a_button_and_records_nothing(
    world: PublicWorld, client: Client
) -> None:
    response = client.get(world.unsubscribe())
    head = client.head(world.unsubscribe())

    assert response.status_code == 200
    assert head.status_code == 200
    assert ">Stop reminders for Lakeshore Reads</button>" in response.content.decode()
    page = text_of(response)
    assert page.startswith("Reminder emails")
    assert "Hello Ana Diaz." in page
    assert SENDER in page
    assert NagOptOut.objects.count() == 0


def test_the_button_stops_the_reminders_once_and_says_staff_can_restore_them(
    world: PublicWorld, client: Client
) -> None:
    first = client.post(world.unsubscribe())

    assert first.status_code == 200
    page = text_of(first)
    assert "Reminders stopped" in page
    assert "You will not receive any more reminder emails for Lakeshore Reads." in page
    assert f"{SENDER} can turn them back on for you, with your consent." in page
    opt_out = NagOptOut.objects.get()
    assert (opt_out.person, opt_out.initiative, opt_out.organization) == (
        world.ana,
        world.initiative,
        world.org,
    )

    again = client.post(world.unsubscribe())

    assert again.status_code == 200
    assert "Reminders are already stopped" in text_of(again)
    assert NagOptOut.objects.count() == 1
    shown = client.get(world.unsubscribe())
    assert "Reminders are already stopped" in text_of(shown)
    assert "<button" not in shown.content.decode().split('<main id="main"')[1]


def test_rfc8058_one_click_post_works_without_a_csrf_token(world: PublicWorld) -> None:
    mail_client = csrf_client()

    response = mail_client.post(
        world.unsubscribe(),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert list(NagOptOut.objects.values_list("person_id", "initiative_id")) == [
        (world.ana.pk, world.initiative.pk)
    ]


def test_only_the_unsubscribe_page_is_exempt_from_csrf(world: PublicWorld) -> None:
    response = csrf_client().post(world.link(world.c1, "done"))
    assert response.status_code == 403


def test_the_unsubscribe_link_does_not_expire(world: PublicWorld, client: Client) -> None:
    url = world.unsubscribe()
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        assert client.post(url).status_code == 200
    assert NagOptOut.objects.count() == 1


def test_a_tampered_link_gets_a_clear_page_and_records_nothing(
    world: PublicWorld, client: Client
) -> None:
    token = world.unsubscribe().split("/")[2]
    payload, signature = token.split(":")
    ben_payload = world.unsubscribe(world.ben).split("/")[2].split(":")[0]
    for url in (
        f"/u/{payload}:{signature[:-2]}xy/",
        f"/u/{ben_payload}:{signature}/",
        "/u/garbage/",
        world.link(world.c1, "done").replace("/r/", "/u/"),  # a commitment link's token
    ):
        for response in (client.get(url), csrf_client().post(url, {})):
            assert response.status_code == 400, url
            assert "This link is not valid" in text_of(response)
    assert NagOptOut.objects.count() == 0


def test_a_link_mixing_organizations_is_refused(
    world: PublicWorld, client: Client, personas: Any
) -> None:
    stranger: Any = PersonFactory(organization=personas.other_org, full_name="Sam Stranger")
    theirs: Any = InitiativeFactory(organization=personas.other_org, name="Riverside Health")
    mixed = unsubscribe_token(person_id=world.ana.pk, initiative_id=theirs.pk)
    other_way = unsubscribe_token(person_id=stranger.pk, initiative_id=world.initiative.pk)

    for token in (mixed, other_way):
        response = client.post(f"/u/{token}/")
        assert response.status_code == 400
        assert "This link is not valid" in text_of(response)
        assert "Riverside Health" not in text_of(response)
    assert NagOptOut.objects.count() == 0


def test_a_link_to_a_removed_initiative_no_longer_works(world: PublicWorld, client: Client) -> None:
    url = unsubscribe_token(person_id=world.ana.pk, initiative_id=world.initiative.pk + 1000)

    response = client.post(f"/u/{url}/")

    assert response.status_code == 410
    assert "This link no longer works" in text_of(response)
    assert f"ask {SENDER}" in text_of(response)
    assert NagOptOut.objects.count() == 0
