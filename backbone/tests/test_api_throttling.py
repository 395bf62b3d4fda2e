"""Throttling per API token (per user for a session): over BACKBONE_API_RATE the answer is 429
with Retry-After, in the one error format; another token, or another person, is not held up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from backbone.roles import Role
from backbone.tests.test_platform import _start
from initiatives.models import PartnerOrganization
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOW,
    Agenda,
    agenda_fixture,
    frozen_fixture,
    send,
)
from tests.factories import APITokenFactory

THROTTLED = {
    "error": {
        "code": "throttled",
        "message": "Request was throttled. Expected available in 60 seconds.",
        "fields": {},
    }
}


def token_of(agenda: Agenda, role: Role, key: str, **fields: Any) -> dict[str, str]:
    APITokenFactory(
        organization=agenda.personas.org,
        user=agenda.personas.by_role(role),
        key=key,
        last_used_at=NOW,
        **fields,
    )
    return {"Authorization": f"Token {key}"}


@pytest.fixture
def three_a_minute(settings: Any) -> None:
    settings.BACKBONE_API_RATE = "3/min"


def test_a_token_over_the_rate_gets_429_with_retry_after(
    agenda: Agenda, three_a_minute: None
) -> None:
    token = token_of(agenda, Role.STAFF, "bb_busy-script")
    client = Client()

    answers = [send(client, "GET", "people/", headers=token).status_code for _ in range(3)]
    refused = send(client, "GET", "people/", headers=token)

    assert answers == [200, 200, 200]
    assert (refused.status_code, refused.json(), refused["Retry-After"]) == (429, THROTTLED, "60")


def test_writes_and_reads_count_together_and_nothing_is_written_once_throttled(
    agenda: Agenda, three_a_minute: None
) -> None:
    token = token_of(agenda, Role.STAFF, "bb_busy-script")
    client = Client()
    for _ in range(3):
        send(client, "GET", "people/", headers=token)

    refused = send(
        client,
        "POST",
        "partner-organizations/",
        {"name": "Lakeshore YMCA", "sector": "nonprofit"},
        headers=token,
    )

    assert (refused.status_code, refused.json()) == (429, THROTTLED)
    assert PartnerOrganization.objects.filter(name="Lakeshore YMCA").count() == 0


def test_another_token_and_another_person_are_not_held_up(
    agenda: Agenda, three_a_minute: None, login: Any
) -> None:
    busy = token_of(agenda, Role.STAFF, "bb_busy-script")
    # The same person's second token counts on its own, like another person's.
    second = token_of(agenda, Role.STAFF, "bb_nightly-export")
    other = token_of(agenda, Role.STEERING, "bb_steering-sheet")
    client = Client()
    for _ in range(4):
        send(client, "GET", "people/", headers=busy)

    assert send(client, "GET", "people/", headers=busy).status_code == 429
    assert send(client, "GET", "people/", headers=second).status_code == 200
    assert send(client, "GET", "people/", headers=other).status_code == 200
    browser = login(agenda.personas.steering)
    assert [send(browser, "GET", "people/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_count_starts_again_after_the_period(agenda: Agenda, three_a_minute: None) -> None:
    token = token_of(agenda, Role.STAFF, "bb_busy-script")
    client = Client()
    for _ in range(3):
        send(client, "GET", "people/", headers=token)
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        waiting = send(client, "GET", "people/", headers=token)
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        again = send(client, "GET", "people/", headers=token)

    assert (waiting.status_code, waiting["Retry-After"]) == (429, "30")
    assert again.status_code == 200


def test_the_default_rate_is_600_a_minute(settings: Any) -> None:
    assert settings.BACKBONE_API_RATE == "600/min"


def test_a_malformed_rate_stops_the_start_naming_it(tmp_path: Path) -> None:
    result = _start({"DEBUG": "true", "BACKBONE_API_RATE": "600 per minute"}, tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: BACKBONE_API_RATE='600 per minute' is "
        "not a rate; use e.g. 600/min, 20/s, 10000/day."
    )
