"""The email log in the API: read-only, backbone staff only (as the Outbox page), the list
without bodies and one email with them, filters by kind, status and recipient, ordering, and a
list whose query count does not grow with its rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backbone.models import OutboundEmail, User
from backbone.roles import Role
from tests.factories import APITokenFactory, OutboundEmailFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LOG = "/api/v1/o/lakeshore/email-log/"
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
ROLE_MAY_NOT = {
    "error": {
        "code": "permission_denied",
        "message": "Your role in this organization may not do this.",
        "fields": {},
    }
}
READ_ONLY = {
    "error": {"code": "permission_denied", "message": "This token is read-only.", "fields": {}}
}

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _frozen_time(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


class Log:
    """Lakeshore's recap to Ana (sent an hour ago), its help request email to two co-chairs
    (failed, two hours ago), an invitation still queued (now); and Riverside's recap."""

    def __init__(self, personas: Personas) -> None:
        org = personas.org
        self.recap: Any = OutboundEmailFactory(
            organization=org,
            kind="nag_recap",
            from_email="Lakeshore via Backbone <backbone@example.org>",
            to=["ana@eastside.example.org"],
            reply_to=["r+token@reply.example.org"],
            subject="Your commitments from the March meeting",
            body_text="Hello Ana,\n\nHere is what you committed to.",
            body_html="<p>Hello Ana,</p>",
            headers={"Auto-Submitted": "auto-generated"},
            status=OutboundEmail.Status.SENT,
            attempts=1,
            message_id="<recap-1@example.org>",
            sent_at=NOW - timedelta(minutes=59),
        )
        self.help: Any = OutboundEmailFactory(
            organization=org,
            kind="help_request",
            to=["carla@lakeshore.example.org", "dev@lakeshore.example.org"],
            cc=["staff@lakeshore.example.org"],
            subject="Pat needs help",
            status=OutboundEmail.Status.FAILED,
            attempts=3,
            error="550 mailbox unavailable",
        )
        self.invitation: Any = OutboundEmailFactory(
            organization=org,
            kind="invitation",
            to=["NEWCOMER@Example.org"],
            subject="Join Lakeshore",
            status=OutboundEmail.Status.QUEUED,
        )
        self.theirs: Any = OutboundEmailFactory(
            organization=personas.other_org, kind="nag_recap", to=["ana@eastside.example.org"]
        )
        # Account emails belong to no organization: never in anyone's log.
        self.account: Any = OutboundEmailFactory(organization=None, kind="account")
        # Written `age` minutes ago and last changed then, or when sent.
        ages: list[tuple[Any, int]] = [(self.recap, 60), (self.help, 120), (self.invitation, 0)]
        for email, age in ages:
            written = NOW - timedelta(minutes=age)
            OutboundEmail.objects.filter(pk=email.pk).update(
                created_at=written, updated_at=email.sent_at or written
            )
            email.refresh_from_db()


@pytest.fixture
def log(personas: Personas) -> Log:
    return Log(personas)


def recap_json(log: Log) -> dict[str, Any]:
    return {
        "id": log.recap.pk,
        "kind": "nag_recap",
        "status": "sent",
        "from_email": "Lakeshore via Backbone <backbone@example.org>",
        "to": ["ana@eastside.example.org"],
        "cc": [],
        "reply_to": ["r+token@reply.example.org"],
        "subject": "Your commitments from the March meeting",
        "attempts": 1,
        "error": "",
        "message_id": "<recap-1@example.org>",
        "created_at": "2026-03-02T14:00:00Z",
        "updated_at": "2026-03-02T14:01:00Z",
        "sent_at": "2026-03-02T14:01:00Z",
    }


def ids(client: Client, params: dict[str, Any] | None = None) -> list[int]:
    response = client.get(LOG, params or {})
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()["results"]]


def test_the_list_is_newest_first_without_bodies(
    log: Log, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).get(LOG)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [e["id"] for e in body["results"]] == [log.invitation.pk, log.recap.pk, log.help.pk]
    assert body["results"][1] == recap_json(log)


def test_one_email_has_its_bodies_headers_and_attachments(
    log: Log, personas: Personas, login: Login
) -> None:
    OutboundEmail.objects.filter(pk=log.recap.pk).update(
        attachments=[{"kind": "board_packet", "id": 12}]
    )

    response = login(personas.staff).get(f"{LOG}{log.recap.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        **recap_json(log),
        "body_text": "Hello Ana,\n\nHere is what you committed to.",
        "body_html": "<p>Hello Ana,</p>",
        "headers": {"Auto-Submitted": "auto-generated"},
        "attachments": [{"kind": "board_packet", "id": 12}],
    }


def test_filters(log: Log, personas: Personas, login: Login) -> None:
    client = login(personas.staff)

    assert ids(client, {"kind": "help_request"}) == [log.help.pk]
    assert ids(client, {"kind": "board_packet"}) == []
    assert ids(client, {"status": "failed"}) == [log.help.pk]
    assert ids(client, {"status": "queued", "kind": "invitation"}) == [log.invitation.pk]
    assert ids(client, {"to": "ana@eastside.example.org"}) == [log.recap.pk]
    assert ids(client, {"to": "DEV@lakeshore"}) == [log.help.pk]
    assert ids(client, {"to": "newcomer@example.org"}) == [log.invitation.pk]
    # Copies are not recipients in `to`.
    assert ids(client, {"to": "staff@lakeshore.example.org"}) == []
    bad = client.get(LOG, {"status": "lost"})
    assert (bad.status_code, bad.json()["error"]["fields"]) == (
        400,
        {"status": ["Use one of: queued, sent, kept, failed, bounced, replied."]},
    )


def test_ordering(log: Log, personas: Personas, login: Login) -> None:
    client = login(personas.staff)

    assert ids(client, {"ordering": "created_at"}) == [log.help.pk, log.recap.pk, log.invitation.pk]
    assert ids(client, {"ordering": "-created_at"}) == [
        log.invitation.pk,
        log.recap.pk,
        log.help.pk,
    ]
    # Not sent (failed, queued): last either way, by id.
    unsent = [log.help.pk, log.invitation.pk]
    assert ids(client, {"ordering": "sent_at"}) == [log.recap.pk, *unsent]
    assert ids(client, {"ordering": "-sent_at"}) == [log.recap.pk, *reversed(unsent)]
    bad = client.get(LOG, {"ordering": "subject"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["ordering"]


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_only_staff_read_the_log(role: Role, log: Log, personas: Personas, login: Login) -> None:
    client = login(personas.by_role(role))

    listed = client.get(LOG)
    one = client.get(f"{LOG}{log.recap.pk}/")

    assert (listed.status_code, listed.json()) == (403, ROLE_MAY_NOT)
    assert (one.status_code, one.json()) == (403, ROLE_MAY_NOT)


def test_another_organizations_email_is_not_found(
    log: Log, personas: Personas, login: Login
) -> None:
    client = login(personas.staff)

    assert [client.get(f"{LOG}{e.pk}/").json() for e in (log.theirs, log.account)] == [
        NOT_FOUND,
        NOT_FOUND,
    ]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_log_is_read_only_even_for_staff_with_a_read_write_token(
    method: str, log: Log, personas: Personas, client: Client
) -> None:
    key = "bb_email_log_read_write_token_0000000000000001"
    APITokenFactory(organization=personas.org, user=personas.staff, key=key, last_used_at=NOW)
    headers = {"Authorization": f"Token {key}"}
    before = snapshot()

    on_list = client.generic(method, LOG, "{}", "application/json", headers=headers)
    on_one = client.generic(
        method, f"{LOG}{log.recap.pk}/", "{}", "application/json", headers=headers
    )

    assert (on_list.status_code, on_one.status_code) == (405, 405)
    assert snapshot() == before


def test_a_read_only_token_reads_the_log_and_is_refused_a_write(
    log: Log, personas: Personas, client: Client
) -> None:
    key = "bb_email_log_read_only_token_00000000000000001"
    APITokenFactory(
        organization=personas.org,
        user=personas.staff,
        key=key,
        can_write=False,
        last_used_at=NOW,
    )
    headers = {"Authorization": f"Token {key}"}
    before = snapshot()

    read = client.get(LOG, headers=headers)
    write = client.post(LOG, {}, content_type="application/json", headers=headers)

    assert read.status_code == 200
    assert (write.status_code, write.json()) == (403, READ_ONLY)
    assert snapshot() == before


def test_the_list_takes_the_same_queries_for_3_and_30_emails(
    log: Log, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    client = login(personas.staff)
    counts = []
    for n in (0, 27):
        OutboundEmailFactory.create_batch(n, organization=personas.org, sent_at=timezone.now())
        # session, user, membership, count, rows
        with django_assert_num_queries(5):
            response = client.get(LOG, {"page_size": 100})
        assert response.status_code == 200
        counts.append(response.json()["count"])
    assert counts == [3, 30]
