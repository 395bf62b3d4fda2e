"""Incremental sync: `?updated_since=` on every list of a model that keeps `updated_at`, read
like the other moments of the API, and `updated_at` moved by every change a client would want
to pull again, including the writes that go around auto_now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from backbone.mail.delivery import outbound_email_fail
from backbone.models import OutboundEmail, User
from initiatives.models import PartnerOrganization, Seat
from initiatives.services import item_move, seat_change_role, strategy_create, table_update
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOW,
    agenda_fixture,
    frozen_fixture,
    send,
)
from tests.factories import APITokenFactory, OutboundEmailFactory
from workplans.help_requests import help_request_assign, help_request_resolve
from workplans.models import Channel, Commitment, HelpRequest, Meeting, Workplan
from workplans.nag_admin import person_set_nag_paused
from workplans.services import (
    attendance_record,
    commitment_carry_forward,
    commitment_change,
    commitment_create,
    meeting_schedule,
    workplan_renew,
)
from workplans.tests.test_api_common import (  # noqa: F401 (the fixture plan)
    MEETING_START,
    Plan,
    invalid,
    plan_fixture,
)
from workplans.tracking import outbound_email_mark_replied

Login = Callable[[User], Client]

# A day after the world was made (15:00 UTC is 09:00 in Chicago, the organization's zone).
LATER = NOW + timedelta(days=1)
KEY = "bb_sync-key"
MALFORMED = "Give a date and time in ISO 8601, such as 2026-03-01T18:00:00Z."


@pytest.fixture
def token(plan: Plan) -> dict[str, str]:
    # Used just now: authenticating does not write last_used_at (see the query counts).
    APITokenFactory(
        organization=plan.agenda.personas.org,
        user=plan.agenda.personas.staff,
        key=KEY,
        last_used_at=NOW,
    )
    return {"Authorization": f"Token {KEY}"}


def since(token: dict[str, str], path: str, value: str) -> Any:
    return send(Client(), "GET", path, {"updated_since": value}, headers=token)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_updated_since_lists_only_what_changed_at_or_after_it(
    plan: Plan, token: dict[str, str]
) -> None:
    with time_machine.travel(LATER, tick=False):
        commitment_change(
            commitment=plan.partner_commitment,
            channel=Channel.API,
            by_user=plan.agenda.personas.staff,
            status=Commitment.Status.DONE,
        )
    everything = sorted(
        [plan.partner_commitment.pk, plan.cochair_commitment.pk, plan.other_commitment.pk]
    )

    assert sorted(ids(since(token, "commitments/", "2026-03-02T15:00:00Z"))) == everything
    assert ids(since(token, "commitments/", "2026-03-03T15:00:00Z")) == [plan.partner_commitment.pk]
    assert ids(since(token, "commitments/", "2026-03-03T15:00:00.000001Z")) == []
    # Filters combine: changed since, and still open.
    combined = send(
        Client(),
        "GET",
        "commitments/",
        {"updated_since": "2026-03-03T15:00:00Z", "status": "open"},
        headers=token,
    )
    assert ids(combined) == []


@pytest.mark.parametrize(
    ("value", "included"),
    [
        # Without an offset: in the organization's time zone (Chicago, UTC-6 in early March).
        ("2026-03-03T09:00:00", True),
        ("2026-03-03T09:00:01", False),
        # A date alone: from the first moment of that day there.
        ("2026-03-03", True),
        ("2026-03-04", False),
        # Any offset; "+" sent unencoded arrives as a space and still counts as "+".
        ("2026-03-03T16:00:00+01:00", True),
        ("2026-03-03T16:00:01+01:00", False),
        ("2026-03-03T10:00:00-05:00", True),
    ],
)
def test_updated_since_reads_moments_like_the_rest_of_the_api(
    plan: Plan, token: dict[str, str], value: str, included: bool
) -> None:
    with time_machine.travel(LATER, tick=False):
        commitment_change(
            commitment=plan.partner_commitment,
            channel=Channel.API,
            by_user=plan.agenda.personas.staff,
            note="Two principals said yes.",
        )
    raw = Client().get(
        f"/api/v1/o/lakeshore/commitments/?updated_since={value}",
        headers={"Authorization": f"Token {KEY}"},
    )

    assert ids(raw) == ([plan.partner_commitment.pk] if included else [])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", MALFORMED),
        ("2026-13-01T00:00:00Z", MALFORMED),
        ("2026-03-03T25:00:00Z", MALFORMED),
        ("1772550000", MALFORMED),
        ("0001-01-01T00:00:00+01:00", "This moment is out of range."),
        ("9999-12-31T23:00:00", "This moment is out of range."),
    ],
)
def test_a_malformed_updated_since_is_a_400_naming_it(
    plan: Plan, token: dict[str, str], value: str, message: str
) -> None:
    response = since(token, "commitments/", value)

    assert (response.status_code, response.json()) == (
        400,
        invalid({"updated_since": [message]}),
    )


# Every list of the API takes ?updated_since=, except these (with why).
NOT_SYNCED = {
    # Addressed by initiative; the initiatives' own updated_at would say nothing of the cadence.
    "nag-settings/",
    # An opt-out is only ever made or reversed (removed): nothing in it changes.
    "nag-opt-outs/",
    # A meeting's three touches, read whole (a handful of rows).
    "meetings/{id}/reminders/",
    # Append-only: each change is its own row with its own time.
    "commitments/{id}/history/",
}


def _lists(client: Client) -> dict[str, bool]:
    """Each list path of the API: does it document ?updated_since=?"""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    prefix = "/api/v1/o/{org_slug}/"
    return {
        path.removeprefix(prefix): any(
            p["name"] == "updated_since" for p in item["get"].get("parameters", [])
        )
        for path, item in schema["paths"].items()
        if "get" in item and path.startswith(prefix) and not path.endswith("}/")
    }


def test_every_list_but_the_named_few_documents_and_applies_updated_since(
    plan: Plan, token: dict[str, str]
) -> None:
    lists = _lists(Client())
    listed = {path for path, synced in lists.items() if synced}

    assert {path for path, synced in lists.items() if not synced} == NOT_SYNCED
    assert listed >= {
        "results/",
        "strategies/",
        "ground-rules/",
        "filter-criteria/",
        "screenings/",
        "tables/",
        "seats/",
        "members/",
        "invitations/",
        "agenda-items/",
        "email-log/",
        "commitments/",
        "people/",
    }
    for path in sorted(listed):
        everything = since(token, path, "2026-03-01T00:00:00Z")
        # (The people's logins and memberships are made before the clock is frozen.)
        future = since(token, path, "3000-01-01T00:00:00Z")
        bad = since(token, path, "soon")
        assert (path, everything.status_code) == (path, 200)
        assert (path, future.status_code, future.json()["count"]) == (path, 200, 0)
        assert (path, bad.status_code, bad.json()) == (
            path,
            400,
            invalid({"updated_since": [MALFORMED]}),
        )


def test_the_common_agenda_and_the_tables_sync_like_the_rest(
    plan: Plan, token: dict[str, str]
) -> None:
    agenda = plan.agenda
    everything_since = "2026-03-02T15:00:00Z"
    # Made in the fixture, at NOW: all there since NOW, none since a moment after.
    for path, made in [
        ("results/", [agenda.result.pk]),
        ("strategies/", [agenda.strategy.pk]),
        ("ground-rules/", [agenda.rule.pk]),
    ]:
        assert (path, ids(since(token, path, everything_since))) == (path, made)
        assert (path, ids(since(token, path, "2026-03-02T15:00:01Z"))) == (path, [])
    body = since(token, "results/", everything_since).json()["results"][0]
    assert (body["created_at"], body["updated_at"]) == (everything_since, everything_since)

    with time_machine.travel(LATER, tick=False):
        item_move(item=agenda.criteria[1], direction="up")
        seat_change_role(seat=agenda.partner_seat, role=Seat.Role.CO_CHAIR)

    # A reorder moves the two criteria that swapped places, and nothing else.
    assert sorted(ids(since(token, "filter-criteria/", "2026-03-03T15:00:00Z"))) == sorted(
        [agenda.criteria[0].pk, agenda.criteria[1].pk]
    )
    assert ids(since(token, "seats/", "2026-03-03T15:00:00Z")) == [agenda.partner_seat.pk]
    assert ids(since(token, "results/", "2026-03-03T15:00:00Z")) == []
    assert ids(since(token, "tables/", "2026-03-03T15:00:00Z")) == []


# --- updated_at moves with every change a client would pull again -------------------------


def test_carrying_a_commitment_forward_moves_its_updated_at(plan: Plan) -> None:
    later_meeting = meeting_schedule(
        table=plan.agenda.workgroup,
        starts_at=MEETING_START + timedelta(days=14),
        ends_at=MEETING_START + timedelta(days=14, hours=1),
    )
    with time_machine.travel(LATER, tick=False):
        commitment_carry_forward(
            commitment=plan.partner_commitment,
            to_meeting=later_meeting,
            new_due_date=date(2026, 4, 30),
            by_user=plan.agenda.personas.staff,
        )

    saved = Commitment.objects.get(pk=plan.partner_commitment.pk)
    assert (saved.carried_to_id, saved.updated_at, saved.created_at) == (
        later_meeting.pk,
        LATER,
        NOW,
    )


def test_attendance_moves_the_meetings_updated_at(plan: Plan) -> None:
    with time_machine.travel(LATER, tick=False):
        attendance_record(meeting=plan.meeting, present=[plan.agenda.partner_person])

    assert Meeting.objects.get(pk=plan.meeting.pk).updated_at == LATER
    assert Meeting.objects.get(pk=plan.other_meeting.pk).updated_at == NOW


def test_closing_a_workplan_by_renewing_it_moves_its_updated_at(plan: Plan) -> None:
    with time_machine.travel(LATER, tick=False):
        renewed = workplan_renew(workplan=plan.workplan)

    closed = Workplan.objects.get(pk=plan.workplan.pk)
    assert (closed.closed_at, closed.updated_at, closed.created_at) == (LATER, LATER, NOW)
    assert (renewed.created_at, renewed.updated_at) == (LATER, LATER)


def test_taking_on_and_resolving_a_help_request_move_its_updated_at(plan: Plan) -> None:
    commitment = plan.partner_commitment
    asked = HelpRequest.objects.create(
        organization=commitment.organization,
        initiative=commitment.table.initiative,
        table=commitment.table,
        commitment=commitment,
        person=commitment.person,
        kind=HelpRequest.Kind.NEED_HELP,
        channel=Channel.EMAIL_REPLY,
    )
    staff = plan.agenda.personas.staff
    with time_machine.travel(LATER, tick=False):
        taken = help_request_assign(help_request=asked, user=staff)
    assert taken.updated_at == LATER
    with time_machine.travel(LATER + timedelta(hours=1), tick=False):
        resolved = help_request_resolve(help_request=asked, user=staff, note="Found a room.")
    assert resolved.updated_at == LATER + timedelta(hours=1)


def test_timestamps_are_read_only_in_the_api(plan: Plan, token: dict[str, str]) -> None:
    partner = plan.agenda.partner_org
    with time_machine.travel(LATER, tick=False):
        response = send(
            Client(),
            "PATCH",
            f"partner-organizations/{partner.pk}/",
            {
                "notes": "Hosts two sites.",
                "created_at": "2000-01-01T00:00:00Z",
                "updated_at": "2000-01-01T00:00:00Z",
            },
            headers=token,
        )

    assert response.status_code == 200
    body = response.json()
    assert (body["notes"], body["created_at"], body["updated_at"]) == (
        "Hosts two sites.",
        "2026-03-02T15:00:00Z",
        "2026-03-03T15:00:00Z",
    )
    saved = PartnerOrganization.objects.get(pk=partner.pk)
    assert (saved.created_at, saved.updated_at) == (NOW, LATER)


def test_a_pull_of_changes_takes_the_same_queries_for_3_and_30_rows(
    plan: Plan, token: dict[str, str], django_assert_num_queries: Any
) -> None:
    client = Client()
    counts = []
    for n in (3, 27):
        with time_machine.travel(LATER, tick=False):
            for i in range(n):
                commitment_create(
                    meeting=plan.meeting,
                    person=plan.agenda.partner_person,
                    what=f"Call school {i}",
                    due_date=date(2026, 4, 1),
                    by_user=plan.agenda.personas.staff,
                )
        # token (with its user and organization), membership, count, page
        with django_assert_num_queries(4):
            response = send(
                client,
                "GET",
                "commitments/",
                {"updated_since": "2026-03-03T15:00:00Z", "status": "open", "page_size": 100},
                headers=token,
            )
        counts.append(response.json()["count"])
    assert counts == [3, 30]


def test_an_emails_sending_failing_and_reply_move_its_updated_at(
    plan: Plan, token: dict[str, str]
) -> None:
    org = plan.agenda.personas.org
    failed: Any = OutboundEmailFactory(
        organization=org, to=["ana@eastside.example.org"], status=OutboundEmail.Status.QUEUED
    )
    replied: Any = OutboundEmailFactory(
        organization=org, to=["pat@eastside.example.org"], status=OutboundEmail.Status.SENT
    )
    untouched: Any = OutboundEmailFactory(organization=org, to=["lee@eastside.example.org"])
    with time_machine.travel(LATER, tick=False):
        outbound_email_fail(pk=failed.pk, error="550 No such mailbox")
        outbound_email_mark_replied(email=replied)

    assert sorted(ids(since(token, "email-log/", "2026-03-03T15:00:00Z"))) == sorted(
        [failed.pk, replied.pk]
    )
    assert OutboundEmail.objects.get(pk=untouched.pk).updated_at == NOW


def test_pausing_a_persons_reminders_moves_their_updated_at(
    plan: Plan, token: dict[str, str]
) -> None:
    person = plan.agenda.partner_person
    with time_machine.travel(LATER, tick=False):
        person_set_nag_paused(person=person, paused=True)

    assert ids(since(token, "people/", "2026-03-03T15:00:00Z")) == [person.pk]


def test_changing_a_workgroups_strategies_moves_the_table_and_both_strategies(
    plan: Plan, token: dict[str, str]
) -> None:
    agenda = plan.agenda
    other = strategy_create(result=agenda.result, title="Family reading nights")
    untouched = strategy_create(result=agenda.result, title="Book drives")
    with time_machine.travel(LATER, tick=False):
        # Early literacy carried "Summer reading"; now it carries "Family reading nights".
        table_update(table=agenda.workgroup, strategies=[other])
        # The same strategies again: nothing changed, nothing moves.
        table_update(table=agenda.other_workgroup, strategies=[])

    assert ids(since(token, "tables/", "2026-03-03T15:00:00Z")) == [agenda.workgroup.pk]
    assert sorted(ids(since(token, "strategies/", "2026-03-03T15:00:00Z"))) == sorted(
        [agenda.strategy.pk, other.pk]
    )
    assert untouched.pk not in ids(since(token, "strategies/", "2026-03-03T15:00:00Z"))
