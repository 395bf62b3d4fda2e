"""The workplans API: what each role may do on each endpoint (per role and per table), tokens,
and the query count of every list. Also the shared set-up of the other test_api_* modules of
workplans: on top of the common agenda's `agenda`, a workplan, a key action and a meeting with
commitments for each of the two workgroups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backbone.models import User
from backbone.roles import Role
from initiatives.tests.factories import PersonFactory, TableFactory
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOT_FOUND,
    ROLE_REFUSAL,
    Agenda,
    agenda_fixture,
    frozen_fixture,
    send,
    url,
)
from tests.factories import APITokenFactory
from tests.snapshot import snapshot
from workplans.models import (
    Channel,
    Commitment,
    HelpRequest,
    KeyAction,
    Meeting,
    NagOptOut,
    Workplan,
)
from workplans.services import (
    attendance_record,
    commitment_create,
    key_action_create,
    meeting_close,
    meeting_schedule,
    workplan_create,
)
from workplans.tests.factories import CommitmentFactory, KeyActionFactory, WorkplanFactory

Login = Callable[[User], Client]

# The meeting of the plan: Tuesday 10 March 2026, noon in Chicago (daylight time from 8 March).
MEETING_START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
MEETING_END = MEETING_START + timedelta(hours=1, minutes=30)

TABLE_REFUSAL = {
    "error": {
        "code": "permission_denied",
        "message": "Only backbone staff and this table's chair or co-chairs may change it.",
        "fields": {},
    }
}
NOT_THEIRS = {
    "error": {
        "code": "permission_denied",
        "message": "Only backbone staff, the table's co-chairs and the person who committed may "
        "change a commitment.",
        "fields": {},
    }
}
STATUS_AND_NOTE_ONLY = {
    "error": {
        "code": "permission_denied",
        "message": "You may change the status and progress note of your own commitment; ask a "
        "co-chair or the backbone staff to move its date.",
        "fields": {},
    }
}
HELP_REFUSAL = {
    "error": {
        "code": "permission_denied",
        "message": "Only backbone staff, the steering committee and a table's co-chairs see help "
        "requests.",
        "fields": {},
    }
}
ACT_REFUSAL = {
    "error": {
        "code": "permission_denied",
        "message": "Only backbone staff and the table's chair or co-chairs act on its requests.",
        "fields": {},
    }
}
REMINDERS_REFUSAL = {
    "error": {
        "code": "permission_denied",
        "message": "Only backbone staff and this table's chair or co-chairs see and change the "
        "reminders of its meetings.",
        "fields": {},
    }
}
READ_ONLY_TOKEN = {
    "error": {"code": "permission_denied", "message": "This token is read-only.", "fields": {}}
}


def invalid(fields: dict[str, list[str]], message: str = "The request has invalid fields.") -> Any:
    return {"error": {"code": "invalid", "message": message, "fields": fields}}


@dataclass
class Plan:
    """The 2026 workplans of `agenda.workgroup` (co-chaired by the co-chair persona, where the
    partner persona sits) and of `agenda.other_workgroup` (where neither sits), each with a
    key action and a meeting; commitments of the partner's and co-chair's people at the first,
    of Ana at the other."""

    agenda: Agenda
    workplan: Workplan
    other_workplan: Workplan
    key_action: KeyAction
    other_key_action: KeyAction
    meeting: Meeting
    other_meeting: Meeting
    partner_commitment: Commitment
    cochair_commitment: Commitment
    other_commitment: Commitment


@pytest.fixture(name="plan")
def plan_fixture(agenda: Agenda) -> Plan:
    workplan = workplan_create(table=agenda.workgroup, year=2026)
    other_workplan = workplan_create(table=agenda.other_workgroup, year=2026)
    key_action = key_action_create(
        workplan=workplan,
        strategy=agenda.strategy,
        description="Open 12 summer reading sites",
        lead=agenda.person,
        contributors=[agenda.partner_org],
        start_date=date(2026, 3, 1),
        due_date=date(2026, 6, 30),
        done_when="Every site has 30 children reading by July.",
        status=KeyAction.Status.ON_TRACK,
        percent_complete=25,
    )
    other_key_action = key_action_create(
        workplan=other_workplan, strategy=agenda.strategy, description="Attendance nudges"
    )
    meeting = meeting_schedule(
        table=agenda.workgroup,
        starts_at=MEETING_START,
        ends_at=MEETING_END,
        title="March meeting",
        location="Eastside Library, room 2",
    )
    other_meeting = meeting_schedule(
        table=agenda.other_workgroup, starts_at=MEETING_START, ends_at=MEETING_END
    )
    staff = agenda.personas.staff
    partner_commitment = commitment_create(
        meeting=meeting,
        person=agenda.partner_person,
        what="Ask three principals to host a site",
        due_date=date(2026, 4, 7),
        why="Sites in every neighborhood",
        key_action=key_action,
        by_user=staff,
    )
    cochair_commitment = commitment_create(
        meeting=meeting,
        person=agenda.cochair_person,
        what="Draft the volunteer sign-up",
        due_date=date(2026, 3, 20),
        by_user=staff,
    )
    other_commitment = commitment_create(
        meeting=other_meeting,
        person=agenda.person,
        what="Send the attendance letters",
        due_date=date(2026, 3, 31),
        by_user=staff,
    )
    return Plan(
        agenda=agenda,
        workplan=workplan,
        other_workplan=other_workplan,
        key_action=key_action,
        other_key_action=other_key_action,
        meeting=meeting,
        other_meeting=other_meeting,
        partner_commitment=partner_commitment,
        cochair_commitment=cochair_commitment,
        other_commitment=other_commitment,
    )


def as_role(login: Login, plan: Plan, role: str) -> Client:
    return login(plan.agenda.personas.by_role(role))


# --- What each role may do, per endpoint and per table --------------------------------------

OK = "ok"  # the endpoint's success status


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[Plan], str]
    status: int  # on success
    # The answer per role: OK, or the refusal's (status, body).
    staff: Any = OK
    steering: Any = OK
    cochair: Any = OK
    partner: Any = OK
    body: Callable[[Plan], Any] = lambda p: None

    def expected(self, role: Role) -> Any:
        return getattr(self, role.value)


R = (403, ROLE_REFUSAL)
T = (403, TABLE_REFUSAL)
N = (404, NOT_FOUND)
C = (403, NOT_THEIRS)
S = (403, STATUS_AND_NOTE_ONLY)
H = (403, HELP_REFUSAL)
A = (403, ACT_REFUSAL)
M = (403, REMINDERS_REFUSAL)


def _meeting_body(table: Callable[[Plan], Any]) -> Callable[[Plan], Any]:
    return lambda p: {
        "table": table(p).pk,
        "starts_at": "2026-04-14T12:00:00",
        "ends_at": "2026-04-14T13:30:00",
    }


def _commitment_body(meeting: Callable[[Plan], Meeting]) -> Callable[[Plan], Any]:
    return lambda p: {
        "meeting": meeting(p).pk,
        "person": p.agenda.person.pk,
        "what": "Bring the library card forms",
        "due_date": "2026-03-31",
    }


def _key_action_body(workplan: Callable[[Plan], Workplan]) -> Callable[[Plan], Any]:
    return lambda p: {
        "workplan": workplan(p).pk,
        "strategy": p.agenda.strategy.pk,
        "description": "Train 40 reading volunteers",
    }


def _spare_key_action(p: Plan) -> int:
    made: Any = KeyActionFactory(workplan=p.workplan)
    return int(made.pk)


def help_request_on(commitment: Commitment, **fields: Any) -> HelpRequest:
    """A request for help with the commitment, as a partner's "need help" reply opens it
    (without its emails)."""
    made = HelpRequest.objects.create(
        organization=commitment.organization,
        initiative=commitment.table.initiative,
        table=commitment.table,
        commitment=commitment,
        person=commitment.person,
        kind=fields.pop("kind", HelpRequest.Kind.NEED_HELP),
        channel=fields.pop("channel", Channel.EMAIL_REPLY),
        **fields,
    )
    return made


def _help(commitment: Callable[[Plan], Commitment], then: str = "") -> Callable[[Plan], str]:
    return lambda p: f"help-requests/{help_request_on(commitment(p)).pk}/{then}"


def _item(meeting: Callable[[Plan], Meeting], kind: str, then: str = "") -> Callable[[Plan], str]:
    return lambda p: f"agenda-items/{meeting(p).agenda_items.get(kind=kind).pk}/{then}"


def _initiative_cadence(p: Plan) -> str:
    return f"nag-settings/{p.agenda.initiative.pk}/"


def _reminders(meeting: Callable[[Plan], Meeting], then: str = "") -> Callable[[Plan], str]:
    return lambda p: f"meetings/{meeting(p).pk}/reminders/{then}"


def _send_recap(meeting: Callable[[Plan], Meeting]) -> Callable[[Plan], str]:
    """Closed with someone present, so its recap waits to go out (the sweep that closing
    queues does not run here)."""

    def path(p: Plan) -> str:
        attendance_record(meeting=meeting(p), present=[p.agenda.person])
        closed = meeting_close(meeting=meeting(p))
        return f"meetings/{closed.pk}/send-recap/"

    return path


def _opt_out(then: str = "") -> Callable[[Plan], str]:
    def path(p: Plan) -> str:
        made = NagOptOut.objects.create(
            organization=p.agenda.personas.org,
            initiative=p.agenda.initiative,
            person=p.agenda.partner_person,
        )
        return f"nag-opt-outs/{made.pk}/{then}"

    return path


def _new_item(meeting: Callable[[Plan], Meeting]) -> Callable[[Plan], Any]:
    return lambda p: {"meeting": meeting(p).pk, "title": "Site visits", "minutes": 10}


def _the_meeting(p: Plan) -> Meeting:
    return p.meeting


def _other_meeting(p: Plan) -> Meeting:
    return p.other_meeting


def _own_commitment(p: Plan) -> Commitment:
    return p.partner_commitment


def _other_commitment(p: Plan) -> Commitment:
    return p.other_commitment


def _resolve_body(p: Plan) -> Any:
    return {"note": "A principal said yes."}


CASES = [
    Case("workplans-list", "GET", lambda p: "workplans/", 200, partner=R),
    Case("workplans-retrieve", "GET", lambda p: f"workplans/{p.workplan.pk}/", 200, partner=R),
    Case("workplans-create", "POST", lambda p: "workplans/", 201, steering=T, partner=R,
         body=lambda p: {"table": p.agenda.workgroup.pk, "year": 2027}),
    Case("workplans-create-other-table", "POST", lambda p: "workplans/", 201, steering=T,
         cochair=T, partner=R, body=lambda p: {"table": p.agenda.other_workgroup.pk,
                                               "year": 2027}),
    Case("workplans-renew", "POST", lambda p: f"workplans/{p.workplan.pk}/renew/", 201,
         steering=T, partner=R),
    Case("workplans-renew-other-table", "POST", lambda p: f"workplans/{p.other_workplan.pk}/renew/",
         201, steering=T, cochair=T, partner=R),
    Case("key-actions-list", "GET", lambda p: "key-actions/", 200, partner=R),
    Case("key-actions-retrieve", "GET", lambda p: f"key-actions/{p.key_action.pk}/", 200,
         partner=R),
    Case("key-actions-create", "POST", lambda p: "key-actions/", 201, steering=T, partner=R,
         body=_key_action_body(lambda p: p.workplan)),
    Case("key-actions-create-other-table", "POST", lambda p: "key-actions/", 201, steering=T,
         cochair=T, partner=R, body=_key_action_body(lambda p: p.other_workplan)),
    Case("key-actions-update", "PATCH", lambda p: f"key-actions/{p.key_action.pk}/", 200,
         steering=T, partner=R, body=lambda p: {"status": "at_risk", "version": 1}),
    Case("key-actions-update-other-table", "PATCH",
         lambda p: f"key-actions/{p.other_key_action.pk}/", 200, steering=T, cochair=T,
         partner=R, body=lambda p: {"status": "at_risk", "version": 1}),
    Case("key-actions-replace", "PUT", lambda p: f"key-actions/{p.key_action.pk}/", 200,
         steering=T, partner=R, body=lambda p: {"strategy": p.agenda.strategy.pk,
                                                "description": "Open 14 sites", "version": 1}),
    Case("key-actions-delete", "DELETE", lambda p: f"key-actions/{p.other_key_action.pk}/", 204,
         steering=T, cochair=T, partner=R),
    Case("key-actions-delete-own-table", "DELETE",
         lambda p: f"key-actions/{_spare_key_action(p)}/", 204, steering=T,
         partner=R),
    # Partners read the meetings of the tables they sit at, as on the pages.
    Case("meetings-list", "GET", lambda p: "meetings/", 200),
    Case("meetings-retrieve", "GET", lambda p: f"meetings/{p.meeting.pk}/", 200),
    Case("meetings-retrieve-other-table", "GET", lambda p: f"meetings/{p.other_meeting.pk}/", 200,
         partner=N),
    Case("meetings-create", "POST", lambda p: "meetings/", 201, steering=T, partner=T,
         body=_meeting_body(lambda p: p.agenda.workgroup)),
    Case("meetings-create-other-table", "POST", lambda p: "meetings/", 201, steering=T,
         cochair=T, partner=T, body=_meeting_body(lambda p: p.agenda.other_workgroup)),
    Case("meetings-update", "PATCH", lambda p: f"meetings/{p.meeting.pk}/", 200, steering=T,
         partner=T, body=lambda p: {"notes": "We met at the library."}),
    Case("meetings-update-other-table", "PATCH", lambda p: f"meetings/{p.other_meeting.pk}/", 200,
         steering=T, cochair=T, partner=N, body=lambda p: {"notes": "Taken over"}),
    Case("meetings-close", "POST", lambda p: f"meetings/{p.meeting.pk}/close/", 200, steering=T,
         partner=T),
    Case("meetings-close-other-table", "POST", lambda p: f"meetings/{p.other_meeting.pk}/close/",
         200, steering=T, cochair=T, partner=N),
    Case("meetings-attendance", "PUT", lambda p: f"meetings/{p.meeting.pk}/attendance/", 200,
         steering=T, partner=T, body=lambda p: {"present": [p.agenda.partner_person.pk]}),
    Case("meetings-attendance-other-table", "PUT",
         lambda p: f"meetings/{p.other_meeting.pk}/attendance/", 200, steering=T, cochair=T,
         partner=N, body=lambda p: {"present": []}),
    Case("commitments-list", "GET", lambda p: "commitments/", 200),
    Case("commitments-retrieve", "GET", lambda p: f"commitments/{p.partner_commitment.pk}/", 200),
    Case("commitments-retrieve-other-table", "GET",
         lambda p: f"commitments/{p.other_commitment.pk}/", 200, partner=N),
    Case("commitments-history", "GET",
         lambda p: f"commitments/{p.cochair_commitment.pk}/history/", 200),
    Case("commitments-history-other-table", "GET",
         lambda p: f"commitments/{p.other_commitment.pk}/history/", 200, partner=N),
    Case("commitments-create", "POST", lambda p: "commitments/", 201, steering=T, partner=R,
         body=_commitment_body(lambda p: p.meeting)),
    Case("commitments-create-other-table", "POST", lambda p: "commitments/", 201, steering=T,
         cochair=T, partner=R, body=_commitment_body(lambda p: p.other_meeting)),
    Case("commitments-update-own-status", "PATCH",
         lambda p: f"commitments/{p.partner_commitment.pk}/", 200, steering=C,
         body=lambda p: {"status": "need_help", "progress_note": "Two principals said no."}),
    Case("commitments-update-own-date", "PATCH",
         lambda p: f"commitments/{p.partner_commitment.pk}/", 200, steering=C, partner=S,
         body=lambda p: {"due_date": "2026-04-21"}),
    Case("commitments-update-someone-elses", "PATCH",
         lambda p: f"commitments/{p.cochair_commitment.pk}/", 200, steering=C, partner=C,
         body=lambda p: {"status": "done"}),
    Case("commitments-update-other-table", "PATCH",
         lambda p: f"commitments/{p.other_commitment.pk}/", 200, steering=C, cochair=C,
         partner=N, body=lambda p: {"status": "done"}),
    Case("meetings-cancel", "POST", lambda p: f"meetings/{p.meeting.pk}/cancel/", 200,
         steering=T, partner=T),
    Case("meetings-cancel-other-table", "POST",
         lambda p: f"meetings/{p.other_meeting.pk}/cancel/", 200, steering=T, cochair=T,
         partner=N),
    Case("agenda-items-list", "GET", lambda p: "agenda-items/", 200),
    Case("agenda-items-retrieve", "GET", _item(_the_meeting, "wins"), 200),
    Case("agenda-items-create", "POST", lambda p: "agenda-items/", 201, steering=T, partner=T,
         body=_new_item(_the_meeting)),
    Case("agenda-items-create-other-table", "POST", lambda p: "agenda-items/", 201, steering=T,
         cochair=T, partner=T, body=_new_item(_other_meeting)),
    Case("agenda-items-update", "PATCH", _item(_the_meeting, "wins"), 200, steering=T, partner=T,
         body=lambda p: {"notes": "Three sites opened."}),
    Case("agenda-items-update-other-table", "PATCH", _item(_other_meeting, "wins"), 200,
         steering=T, cochair=T, partner=N, body=lambda p: {"notes": "Taken over"}),
    Case("agenda-items-delete", "DELETE", _item(_the_meeting, "environment"), 204, steering=T,
         partner=T),
    Case("agenda-items-delete-other-table", "DELETE", _item(_other_meeting, "environment"), 204,
         steering=T, cochair=T, partner=N),
    Case("agenda-items-move", "POST", _item(_the_meeting, "wins", "move/"), 200, steering=T,
         partner=T, body=lambda p: {"direction": "up"}),
    Case("agenda-items-move-other-table", "POST", _item(_other_meeting, "wins", "move/"), 200,
         steering=T, cochair=T, partner=N, body=lambda p: {"direction": "up"}),
    Case("help-requests-list", "GET", lambda p: "help-requests/", 200, partner=H),
    Case("help-requests-retrieve", "GET", _help(_own_commitment), 200, partner=H),
    Case("help-requests-retrieve-other-table", "GET", _help(_other_commitment), 200, cochair=N,
         partner=H),
    Case("help-requests-assign", "POST", _help(_own_commitment, "assign/"), 200, steering=A,
         partner=H),
    Case("help-requests-assign-other-table", "POST", _help(_other_commitment, "assign/"), 200,
         steering=A, cochair=N, partner=H),
    Case("help-requests-resolve", "POST", _help(_own_commitment, "resolve/"), 200, steering=A,
         partner=H, body=_resolve_body),
    Case("help-requests-resolve-other-table", "POST", _help(_other_commitment, "resolve/"), 200,
         steering=A, cochair=N, partner=H, body=_resolve_body),
    Case("meetings-reminders", "GET", _reminders(_the_meeting), 200, steering=M, partner=M),
    Case("meetings-reminders-other-table", "GET", _reminders(_other_meeting), 200, steering=M,
         cochair=M, partner=N),
    Case("meetings-reminders-update", "PATCH", _reminders(_the_meeting), 200, steering=M,
         partner=M, body=lambda p: {"touch": "check_in", "skipped": True}),
    Case("meetings-reminders-update-other-table", "PATCH", _reminders(_other_meeting), 200,
         steering=M, cochair=M, partner=N, body=lambda p: {"touch": "recap", "intro": "Hi"}),
    Case("meetings-reminders-pause", "POST", _reminders(_the_meeting, "pause/"), 200,
         steering=M, partner=M, body=lambda p: {"person": p.agenda.partner_person.pk,
                                                "paused": True}),
    Case("meetings-reminders-pause-other-table", "POST", _reminders(_other_meeting, "pause/"),
         200, steering=M, cochair=M, partner=N,
         body=lambda p: {"person": p.agenda.person.pk, "paused": True}),
    Case("meetings-send-recap", "POST", _send_recap(_the_meeting), 202, steering=M, partner=M),
    Case("meetings-send-recap-other-table", "POST", _send_recap(_other_meeting), 202,
         steering=M, cochair=M, partner=N),
    Case("nag-opt-outs-list", "GET", lambda p: "nag-opt-outs/", 200, steering=R, cochair=R,
         partner=R),
    Case("nag-opt-outs-retrieve", "GET", _opt_out(), 200, steering=R, cochair=R, partner=R),
    Case("nag-opt-outs-reverse", "POST", _opt_out("reverse/"), 200, steering=R, cochair=R,
         partner=R, body=lambda p: {"consent_note": "She asked at the March meeting."}),
    Case("nag-settings-list", "GET", lambda p: "nag-settings/", 200, steering=R, cochair=R,
         partner=R),
    Case("nag-settings-retrieve", "GET", _initiative_cadence, 200, steering=R, cochair=R,
         partner=R),
    Case("nag-settings-update", "PATCH", _initiative_cadence, 200, steering=R, cochair=R,
         partner=R, body=lambda p: {"check_in_days": 10}),
]  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_role_may_do_what_its_role_and_seat_allow(
    case: Case, role: Role, plan: Plan, login: Login
) -> None:
    client = as_role(login, plan, role)
    path, body = case.path(plan), case.body(plan)
    before = snapshot()

    response = send(client, case.method, path, body)

    expected = case.expected(role)
    if expected == OK:
        assert response.status_code == case.status, response.content
    else:
        assert (response.status_code, response.json()) == expected
        assert snapshot() == before


WRITES = [c for c in CASES if c.method != "GET"]


@pytest.mark.parametrize("case", WRITES, ids=lambda c: c.name)
def test_a_read_only_token_cannot_write(case: Case, plan: Plan, client: Client) -> None:
    key = "bb_read_only_token_for_the_workplan_tests_01"
    APITokenFactory(
        organization=plan.agenda.personas.org,
        user=plan.agenda.personas.staff,
        key=key,
        can_write=False,
        last_used_at=timezone.now(),
    )
    path, body = case.path(plan), case.body(plan)
    before = snapshot()

    response = send(client, case.method, path, body, headers={"Authorization": f"Token {key}"})

    assert (response.status_code, response.json()) == (403, READ_ONLY_TOKEN)
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_token_of_another_organization_gets_not_found(
    case: Case, plan: Plan, client: Client
) -> None:
    key = "bb_riverside_token_for_the_workplan_tests_01"
    APITokenFactory(
        organization=plan.agenda.personas.other_org,
        user=plan.agenda.personas.outsider,
        key=key,
        last_used_at=timezone.now(),
    )
    path, body = case.path(plan), case.body(plan)
    before = snapshot()

    response = send(client, case.method, path, body, headers={"Authorization": f"Token {key}"})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_an_outsider_gets_not_found(case: Case, plan: Plan, login: Login) -> None:
    client = login(plan.agenda.personas.outsider)
    path, body = case.path(plan), case.body(plan)
    before = snapshot()

    response = send(client, case.method, path, body)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert snapshot() == before


def test_the_cases_cover_every_endpoint() -> None:
    from workplans.api.urls import router

    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    covered = {max((p for p in prefixes if c.name.startswith(f"{p}-")), key=len)
               for c in CASES}  # fmt: skip
    assert covered == prefixes
    actions = {c.name for c in CASES}
    assert {
        "workplans-list", "workplans-retrieve", "workplans-create", "workplans-renew",
        "key-actions-list", "key-actions-retrieve", "key-actions-create", "key-actions-update",
        "key-actions-replace", "key-actions-delete", "meetings-list", "meetings-retrieve",
        "meetings-create", "meetings-update", "meetings-close", "meetings-attendance",
        "commitments-list", "commitments-retrieve", "commitments-history", "commitments-create",
        "commitments-update-own-status", "meetings-cancel", "agenda-items-list",
        "agenda-items-retrieve", "agenda-items-create", "agenda-items-update",
        "agenda-items-delete", "agenda-items-move", "help-requests-list",
        "help-requests-retrieve", "help-requests-assign", "help-requests-resolve",
        "nag-settings-list", "nag-settings-retrieve", "nag-settings-update",
        "meetings-reminders", "meetings-reminders-update", "meetings-reminders-pause",
        "meetings-send-recap", "nag-opt-outs-list", "nag-opt-outs-retrieve",
        "nag-opt-outs-reverse",
    } <= actions  # fmt: skip


# --- Every list answers in a fixed number of queries ----------------------------------------


def _workplans(p: Plan, n: int) -> None:
    for table in TableFactory.create_batch(n, initiative=p.agenda.initiative):
        KeyActionFactory(workplan=WorkplanFactory(table=table, year=2026))


def _key_actions(p: Plan, n: int) -> None:
    for action in KeyActionFactory.create_batch(
        n, workplan=p.workplan, strategy=p.agenda.strategy, lead=p.agenda.person
    ):
        action.contributors.add(p.agenda.partner_org)


def _meetings(p: Plan, n: int) -> None:
    for i in range(n):
        start = MEETING_START + timedelta(days=7 * (i + 1))
        meeting = meeting_schedule(
            table=p.agenda.workgroup, starts_at=start, ends_at=start + timedelta(hours=1)
        )
        attendance_record(meeting=meeting, present=[p.agenda.partner_person])


def _commitments(p: Plan, n: int) -> None:
    people = PersonFactory.create_batch(3, organization=p.agenda.personas.org)
    for i in range(n):
        CommitmentFactory(
            meeting=p.meeting,
            person=people[i % 3],
            key_action=p.key_action,
            strategy=p.agenda.strategy,
        )


def _history(p: Plan, n: int) -> None:
    commitment = p.partner_commitment
    for i in range(n):
        commitment.changes.create(
            organization=commitment.organization,
            channel=Channel.EMAIL_REPLY if i % 2 else Channel.API,
            by_user=p.agenda.personas.partner if i % 2 == 0 else None,
            by_person=p.agenda.partner_person if i % 2 else None,
            note=f"Change {i}",
        )


def _opt_outs(p: Plan, n: int) -> None:
    org = p.agenda.personas.org
    for person in PersonFactory.create_batch(n, organization=org):
        NagOptOut.objects.create(organization=org, initiative=p.agenda.initiative, person=person)


# list path, adds n rows visible to the role, then the queries: session, user, membership,
# count, rows, and one per prefetched relation.
LISTS = [
    ("workplans/", _workplans, Role.STAFF, 5),
    ("key-actions/", _key_actions, Role.STAFF, 6),
    ("meetings/", _meetings, Role.STAFF, 7),
    ("meetings/", _meetings, Role.PARTNER, 7),
    ("nag-opt-outs/", _opt_outs, Role.STAFF, 5),
    ("commitments/", _commitments, Role.STAFF, 5),
    ("commitments/", _commitments, Role.PARTNER, 5),
    ("commitments/{}/history/", _history, Role.STAFF, 6),
    ("commitments/{}/history/", _history, Role.PARTNER, 6),
]


@pytest.mark.parametrize(
    ("path", "add", "role", "queries"),
    [pytest.param(*case, id=f"{case[0]}-{case[2].value}") for case in LISTS],
)
def test_lists_take_the_same_queries_for_3_and_30_rows(
    path: str,
    add: Callable[[Plan, int], None],
    role: Role,
    queries: int,
    plan: Plan,
    login: Login,
    django_assert_num_queries: Any,
) -> None:
    client = as_role(login, plan, role)
    path = path.format(plan.partner_commitment.pk)
    counts = []
    for n in (3, 27):
        add(plan, n)
        with django_assert_num_queries(queries):
            response = client.get(url(path), {"page_size": 100})
        assert response.status_code == 200
        counts.append(response.json()["count"])
    assert counts[1] - counts[0] == 27


@pytest.mark.parametrize("role", [Role.STAFF, Role.PARTNER])
def test_the_commitments_list_takes_the_same_queries_for_30_and_300(
    role: Role, plan: Plan, login: Login, django_assert_num_queries: Any
) -> None:
    client = as_role(login, plan, role)
    counts = []
    for n in (27, 270):
        _commitments(plan, n)
        with django_assert_num_queries(5):
            response = client.get(url("commitments/"), {"page_size": 500})
        assert len(response.json()["results"]) == response.json()["count"]
        counts.append(response.json()["count"])
    assert counts[1] - counts[0] == 270


def test_a_meeting_and_a_commitment_answer_in_a_fixed_number_of_queries(
    plan: Plan, login: Login, django_assert_num_queries: Any
) -> None:
    client = as_role(login, plan, Role.STAFF)
    # session, user, membership, the meeting, invitees, attendance, agenda
    with django_assert_num_queries(7):
        assert client.get(url(f"meetings/{plan.meeting.pk}/")).status_code == 200
    with django_assert_num_queries(4):
        assert client.get(url(f"commitments/{plan.partner_commitment.pk}/")).status_code == 200
