"""The one error format, {"error": {"code", "message", "fields"}}, for every failure the API
can answer: DRF's own (parse errors, media types, methods, content negotiation), Django's (404
from an address matching no route, a crash), roles and tokens, and nested field errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from backbone.api.errors import server_error
from backbone.models import Membership
from backbone.roles import Role
from initiatives.models import Strategy
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOW,
    Agenda,
    agenda_fixture,
    frozen_fixture,
    send,
    url,
)
from tests.factories import APITokenFactory
from workplans.services import key_action_create, workplan_create

KEY = "bb_errors-key"


def error(code: str, message: str, fields: dict[str, list[str]] | None = None) -> Any:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@pytest.fixture
def token(agenda: Agenda) -> dict[str, str]:
    APITokenFactory(
        organization=agenda.personas.org, user=agenda.personas.staff, key=KEY, last_used_at=NOW
    )
    return {"Authorization": f"Token {KEY}"}


def post_raw(body: str, content_type: str, token: dict[str, str]) -> Any:
    return Client().generic(
        "POST", url("partner-organizations/"), body, content_type=content_type, headers=token
    )


def test_a_body_that_is_not_json_is_a_parse_error(agenda: Agenda, token: dict[str, str]) -> None:
    response = post_raw('{"name": ', "application/json", token)

    assert (response.status_code, response.json()) == (
        400,
        error("parse_error", "JSON parse error - Expecting value: line 1 column 10 (char 9)"),
    )


def test_a_body_of_another_media_type_is_415(agenda: Agenda, token: dict[str, str]) -> None:
    response = post_raw("<name>YMCA</name>", "application/xml", token)

    assert (response.status_code, response.json()) == (
        415,
        error("unsupported_media_type", 'Unsupported media type "application/xml" in request.'),
    )


def test_a_method_a_route_does_not_take_is_405(agenda: Agenda, token: dict[str, str]) -> None:
    response = send(Client(), "PUT", "partner-organizations/1/", {"name": "x"}, headers=token)

    assert (response.status_code, response.json()) == (
        405,
        error("method_not_allowed", 'Method "PUT" not allowed.'),
    )
    assert response["Allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS"


def test_an_answer_in_a_format_the_api_does_not_speak_is_406(
    agenda: Agenda, token: dict[str, str]
) -> None:
    response = Client().get(
        url("people/"), headers={**token, "Accept": "application/xml"}, format="json"
    )

    assert response.status_code == 406
    assert response.json() == error(
        "not_acceptable", "Could not satisfy the request Accept header."
    )


def test_no_credentials_is_401_and_says_which_scheme(agenda: Agenda) -> None:
    response = send(Client(), "GET", "people/")

    assert (response.status_code, response.json(), response["WWW-Authenticate"]) == (
        401,
        error("not_authenticated", "Authentication credentials were not provided."),
        "Token",
    )


def test_an_id_that_is_not_here_and_an_address_that_is_no_route_are_the_same_404(
    agenda: Agenda, token: dict[str, str]
) -> None:
    missing = send(Client(), "GET", "people/999999/", headers=token)
    not_an_id = send(Client(), "GET", "people/first/", headers=token)
    no_route = send(Client(), "GET", "no-such-things/", headers=token)
    no_version = Client().get("/api/v9/o/lakeshore/people/", headers=token)

    for response in (missing, not_an_id, no_route, no_version):
        assert (response.status_code, response.json()) == (404, error("not_found", "Not found."))
    # Pages outside the API keep their page.
    assert Client().get("/o/lakeshore/no-such-page/")["Content-Type"].startswith("text/html")


def test_a_role_refusal_and_a_read_only_token_are_403(agenda: Agenda) -> None:
    APITokenFactory(
        organization=agenda.personas.org,
        user=agenda.personas.staff,
        key="bb_read-only",
        can_write=False,
        last_used_at=NOW,
    )
    APITokenFactory(
        organization=agenda.personas.org,
        user=agenda.personas.by_role(Role.PARTNER),
        key="bb_partner",
        last_used_at=NOW,
    )
    body = {"name": "Lakeshore YMCA", "sector": "nonprofit"}

    read_only = send(
        Client(),
        "POST",
        "partner-organizations/",
        body,
        headers={"Authorization": "Token bb_read-only"},
    )
    partner = send(
        Client(),
        "POST",
        "partner-organizations/",
        body,
        headers={"Authorization": "Token bb_partner"},
    )

    assert (read_only.status_code, read_only.json()) == (
        403,
        error("permission_denied", "This token is read-only."),
    )
    assert (partner.status_code, partner.json()) == (
        403,
        error("permission_denied", "Your role in this organization may not do this."),
    )


def test_nested_field_errors_are_named_by_their_path(agenda: Agenda, token: dict[str, str]) -> None:
    criterion = agenda.criteria[0]
    response = send(
        Client(),
        "POST",
        "screenings/",
        {
            "initiative": agenda.initiative.pk,
            "title": "Summer book bus",
            "answers": [
                {"criterion": criterion.pk, "answer": True},
                {"criterion": 999999, "answer": "perhaps"},
            ],
        },
        headers=token,
    )

    assert (response.status_code, response.json()) == (
        400,
        error(
            "invalid",
            "The request has invalid fields.",
            {
                "answers[1].criterion": ['Invalid pk "999999" - object does not exist.'],
                "answers[1].answer": ["Must be a valid boolean."],
            },
        ),
    )


def test_a_crash_under_the_api_answers_in_the_format_and_elsewhere_with_the_page() -> None:
    factory = RequestFactory()

    api = server_error(factory.get("/api/v1/o/lakeshore/people/"))
    page = server_error(factory.get("/o/lakeshore/"))

    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
    assert api.content == (
        b'{"error": {"code": "server_error", "message": "Something went wrong on our side; it '
        b'has been logged.", "fields": {}}}'
    )
    assert (page.status_code, page["Content-Type"]) == (500, "text/html; charset=utf-8")


# --- What schemathesis found: each was a 500 -----------------------------------------------


@pytest.mark.parametrize("path", ["commitments/", "meetings/", "key-actions/", "people/"])
def test_options_describes_a_route(agenda: Agenda, token: dict[str, str], path: str) -> None:
    response = Client().options(url(path), headers=token)

    assert response.status_code == 200
    assert set(response.json()["actions"]) == {"POST"}


@pytest.mark.parametrize(
    ("value", "status", "count"),
    [("99999999999999999999999", 200, 0), ("9223372036854775807", 200, 0), ("²", 400, None)],
)
def test_an_id_filter_past_any_id_matches_nothing(
    agenda: Agenda, token: dict[str, str], value: str, status: int, count: int | None
) -> None:
    response = send(Client(), "GET", "people/", {"partner_organization": value}, headers=token)

    assert response.status_code == status
    if count is None:
        assert response.json() == error(
            "invalid",
            "The request has invalid fields.",
            {"partner_organization": ["Give the id as a whole number."]},
        )
    else:
        assert response.json()["count"] == count


def test_data_point_ids_beyond_any_row_are_refused_by_field(
    agenda: Agenda, token: dict[str, str]
) -> None:
    response = send(
        Client(),
        "POST",
        "data-points/bulk/",
        {
            "points": [
                {"measure": -96041917101559988224, "period": "2024"},
                {"indicator": 66866149552086418203927904256, "period": "2024", "category": 0},
            ]
        },
        headers=token,
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "points[0].measure": ["Ensure this value is greater than or equal to 1."],
        "points[1].indicator": ["Ensure this value is less than or equal to 9223372036854775807."],
        "points[1].category": ["Ensure this value is greater than or equal to 1."],
    }


def test_patching_a_member_without_a_role_changes_nothing(
    agenda: Agenda, token: dict[str, str]
) -> None:
    member = Membership.objects.get(organization=agenda.personas.org, user=agenda.personas.partner)

    response = send(Client(), "PATCH", f"members/{member.pk}/", {}, headers=token)

    assert (response.status_code, response.json()["role"]) == (200, "partner")
    member.refresh_from_db()
    assert member.role == Role.PARTNER


def test_a_strategy_that_key_actions_advance_is_not_deleted(
    agenda: Agenda, token: dict[str, str]
) -> None:
    workplan = workplan_create(table=agenda.workgroup, year=2026)
    key_action_create(
        workplan=workplan, strategy=agenda.strategy, description="Open 12 summer reading sites"
    )
    agenda.strategy.tables.clear()

    response = send(Client(), "DELETE", f"strategies/{agenda.strategy.pk}/", headers=token)

    assert (response.status_code, response.json()) == (
        400,
        error(
            "invalid",
            "Key actions advance it; move them to another strategy first: Open 12 summer "
            "reading sites.",
        ),
    )
    assert Strategy.objects.filter(pk=agenda.strategy.pk).count() == 1
