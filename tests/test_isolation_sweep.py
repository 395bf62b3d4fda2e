"""The tenant isolation sweep: every organization page and API route, found by walking the URL
resolver, asked for organization B's objects by someone of organization A, answers 404 and
changes nothing.

A new route that takes an object id must be registered here: its kwarg in ID_FACTORIES (or,
for an id whose meaning depends on the route such as the API's `pk`, the route in
ROUTE_ID_FACTORIES), or the route in EXEMPT with the reason. Otherwise
test_every_organization_route_with_an_id_is_swept_or_exempt fails and names it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, re_path, reverse
from django.utils import timezone

from backbone.models import Organization, User
from backbone.roles import Role
from backbone.webhooks.models import WebhookDelivery, WebhookEndpoint
from dashboard.models import BoardPacket
from initiatives.importers.preview import outcome_signature
from initiatives.tests.factories import (
    FilterCriterionFactory,
    GroundRuleFactory,
    ImportBatchFactory,
    InitiativeFactory,
    PartnerOrganizationFactory,
    PersonFactory,
    ResultFactory,
    ScreeningFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from metrics.data_imports import data_import_create
from metrics.tests.factories import (
    DataPointFactory,
    DimensionFactory,
    DisparityGapFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)
from tests.factories import (
    APITokenFactory,
    InvitationFactory,
    MembershipFactory,
    OutboundEmailFactory,
)
from tests.fixtures import Personas
from tests.routes import ORG_KWARG, Route, organization_routes
from tests.snapshot import snapshot
from workplans.calendar_feeds import calendar_feed_issue
from workplans.models import (
    AgendaItem,
    Channel,
    HelpRequest,
    InboundEmail,
    Meeting,
    NagOptOut,
    NagSettings,
)
from workplans.reminders import reminders_schedule_for_closed_meeting
from workplans.tests.factories import (
    CommitmentFactory,
    KeyActionFactory,
    MeetingFactory,
    WorkplanFactory,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
NOT_FOUND_BODY = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


@dataclass
class World:
    """Organization A (whose member asks) and organization B (whose objects are asked for)."""

    org: Organization
    actor: User  # backbone staff of A: every permission there, so only tenancy can say no
    other: Organization
    other_staff: User
    # Owner of B's per-person objects (API tokens): the actor when the actor is also a member
    # of B, so a lookup that filters by person but forgets the organization is caught too.
    owner_in_other: User


IdFactory = Callable[[World], int]


def _membership_of_other(world: World) -> int:
    membership: Any = MembershipFactory(organization=world.other, role=Role.PARTNER)
    return int(membership.pk)


def _invitation_of_other(world: World) -> int:
    invitation: Any = InvitationFactory(
        organization=world.other, invited_by=world.other_staff, role=Role.STEERING
    )
    return int(invitation.pk)


def _token_of_other(world: World) -> int:
    token: Any = APITokenFactory(organization=world.other, user=world.owner_in_other)
    return int(token.pk)


def _email_of_other(world: World) -> int:
    email: Any = OutboundEmailFactory(organization=world.other)
    return int(email.pk)


def _initiative_of_other(world: World) -> int:
    made: Any = InitiativeFactory(organization=world.other)
    return int(made.pk)


def _result_of_other(world: World) -> int:
    made: Any = ResultFactory(initiative__organization=world.other)
    return int(made.pk)


def _strategy_of_other(world: World) -> int:
    made: Any = StrategyFactory(result__initiative__organization=world.other)
    return int(made.pk)


def _rule_of_other(world: World) -> int:
    made: Any = GroundRuleFactory(initiative__organization=world.other)
    return int(made.pk)


def _criterion_of_other(world: World) -> int:
    made: Any = FilterCriterionFactory(initiative__organization=world.other)
    return int(made.pk)


def _screening_of_other(world: World) -> int:
    made: Any = ScreeningFactory(initiative__organization=world.other)
    return int(made.pk)


def _partner_of_other(world: World) -> int:
    made: Any = PartnerOrganizationFactory(organization=world.other)
    return int(made.pk)


def _person_of_other(world: World) -> int:
    made: Any = PersonFactory(organization=world.other)
    return int(made.pk)


def _table_of_other(world: World) -> int:
    made: Any = TableFactory(initiative__organization=world.other)
    return int(made.pk)


def _seat_of_other(world: World) -> int:
    made: Any = SeatFactory(table__initiative__organization=world.other)
    return int(made.pk)


def _import_batch_of_other(world: World) -> int:
    made: Any = ImportBatchFactory(organization=world.other, uploaded_by=world.other_staff)
    return int(made.pk)


def _workplan_of_other(world: World) -> int:
    made: Any = WorkplanFactory(table__initiative__organization=world.other)
    return int(made.pk)


def _key_action_of_other(world: World) -> int:
    made: Any = KeyActionFactory(workplan__table__initiative__organization=world.other)
    return int(made.pk)


def _meeting_of_other(world: World) -> int:
    made: Any = MeetingFactory(table__initiative__organization=world.other)
    return int(made.pk)


def _commitment_of_other(world: World) -> int:
    made: Any = CommitmentFactory(meeting__table__initiative__organization=world.other)
    return int(made.pk)


def _agenda_item_of_other(world: World) -> int:
    meeting = Meeting.objects.get(pk=_meeting_of_other(world))
    made = AgendaItem.objects.create(
        organization=world.other, meeting=meeting, kind=AgendaItem.Kind.PROBLEM_SOLVING, title="B"
    )
    return int(made.pk)


def _reply_of_other(world: World) -> int:
    made = InboundEmail.objects.create(
        organization=world.other,
        message_key=f"<sweep-{InboundEmail.objects.count()}@other.example>",
        source=InboundEmail.Source.PIPE,
        raw=b"From: someone@other.example\r\nSubject: done\r\n\r\ndone\r\n",
        status=InboundEmail.Status.NEEDS_LOOK,
        reason="Which one?",
    )
    return int(made.pk)


def _help_request_of_other(world: World) -> int:
    commitment: Any = CommitmentFactory(meeting__table__initiative__organization=world.other)
    made = HelpRequest.objects.create(
        organization=world.other,
        initiative=commitment.table.initiative,
        table=commitment.table,
        commitment=commitment,
        person=commitment.person,
        kind=HelpRequest.Kind.BLOCKED,
        channel=Channel.EMAIL_REPLY,
    )
    return int(made.pk)


def _nag_settings_of_other(world: World) -> int:
    # The initiative's id addresses its cadence; a row there shows a change made through a
    # route that skipped tenancy.
    initiative: Any = InitiativeFactory(organization=world.other)
    NagSettings.objects.create(organization=world.other, initiative=initiative)
    return int(initiative.pk)


def _closed_meeting_of_other(world: World) -> int:
    # Closed, its recap pending and a person at its table: skipping a touch, pausing someone or
    # sending the recap through a route that skipped tenancy would show as a changed row.
    commitment: Any = CommitmentFactory(meeting__table__initiative__organization=world.other)
    meeting = commitment.meeting
    SeatFactory(table=meeting.table, person=commitment.person)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CLOSED, closed_at=timezone.now()
    )
    meeting.refresh_from_db()
    reminders_schedule_for_closed_meeting(meeting=meeting)
    return int(meeting.pk)


def _opt_out_of_other(world: World) -> int:
    person: Any = PersonFactory(organization=world.other)
    initiative: Any = InitiativeFactory(organization=world.other)
    made = NagOptOut.objects.create(organization=world.other, person=person, initiative=initiative)
    return int(made.pk)


def _indicator_of_other(world: World) -> int:
    made: Any = IndicatorFactory(result__initiative__organization=world.other)
    return int(made.pk)


def _measure_of_other(world: World) -> int:
    made: Any = PerformanceMeasureFactory(initiative__organization=world.other)
    return int(made.pk)


def _data_point_of_other(world: World) -> int:
    made: Any = DataPointFactory(indicator__result__initiative__organization=world.other)
    return int(made.pk)


def _dimension_of_other(world: World) -> int:
    made: Any = DimensionFactory(initiative__organization=world.other)
    return int(made.pk)


def _gap_of_other(world: World) -> int:
    made: Any = DisparityGapFactory(indicator__result__initiative__organization=world.other)
    return int(made.pk)


def _data_import_of_other(world: World) -> int:
    # Previewed and ready: an import that skipped the tenancy check would write B's values.
    indicator: Any = IndicatorFactory(result__initiative__organization=world.other, name="B")
    made = data_import_create(
        initiative=indicator.initiative,
        data=b"Indicator,Period,Value\nB,2024,41%\n",
        file_name="b.csv",
        uploaded_by=world.other_staff,
    )
    return int(made.pk)


def _packet_of_other(world: World) -> int:
    # Ready, with its PDF: a download that skipped tenancy would hand it over.
    initiative: Any = InitiativeFactory(organization=world.other)
    made = BoardPacket.objects.create(
        organization=world.other,
        initiative=initiative,
        status=BoardPacket.Status.READY,
        pdf=b"%PDF-1.7 organization B",
        size=23,
        page_count=1,
    )
    return int(made.pk)


def _person_with_calendar_of_other(world: World) -> int:
    # With an address: turning it off through a route that skipped tenancy would delete it.
    made: Any = PersonFactory(organization=world.other)
    calendar_feed_issue(person=made, by_user=None)
    return int(made.pk)


def _table_with_calendar_of_other(world: World) -> int:
    made: Any = TableFactory(initiative__organization=world.other)
    calendar_feed_issue(table=made, by_user=None)
    return int(made.pk)


def _webhook_endpoint_of_other(world: World) -> int:
    # Turned off after failures, with a delivery waiting: turning it on, testing it, changing its
    # secret or deleting it through a route that skipped tenancy would show as a changed row.
    made = WebhookEndpoint.objects.create(
        organization=world.other,
        url="https://hooks.riverside.example.org/in",
        events=["meeting.closed"],
        active=False,
        disabled_at=timezone.now(),
        disabled_reason="3 attempts in a row failed.",
    )
    WebhookDelivery.objects.create(
        organization=world.other,
        endpoint=made,
        event_id="00000000-0000-4000-8000-000000000001",
        event_type="meeting.closed",
        payload={"type": "meeting.closed"},
        next_attempt_at=timezone.now(),
    )
    return int(made.pk)


# URL kwarg -> builds organization B's object and returns its id.
ID_FACTORIES: dict[str, IdFactory] = {
    "membership_id": _membership_of_other,
    "invitation_id": _invitation_of_other,
    "token_id": _token_of_other,
    "email_id": _email_of_other,
    "initiative_id": _initiative_of_other,
    "result_id": _result_of_other,
    "strategy_id": _strategy_of_other,
    "rule_id": _rule_of_other,
    "criterion_id": _criterion_of_other,
    "screening_id": _screening_of_other,
    "partner_id": _partner_of_other,
    "person_id": _person_of_other,
    "table_id": _table_of_other,
    "seat_id": _seat_of_other,
    "batch_id": _import_batch_of_other,
    "workplan_id": _workplan_of_other,
    "key_action_id": _key_action_of_other,
    "meeting_id": _meeting_of_other,
    "item_id": _agenda_item_of_other,
    "commitment_id": _commitment_of_other,
    "reply_id": _reply_of_other,
    "help_request_id": _help_request_of_other,
    "indicator_id": _indicator_of_other,
    "measure_id": _measure_of_other,
    "import_id": _data_import_of_other,
    "dimension_id": _dimension_of_other,
    "gap_id": _gap_of_other,
    "endpoint_id": _webhook_endpoint_of_other,
    "packet_id": _packet_of_other,
}

# Route name -> {kwarg: factory}, for ids whose model depends on the route (the API's `pk`).
ROUTE_ID_FACTORIES: dict[str, dict[str, IdFactory]] = {
    "api-members-detail": {"pk": _membership_of_other},
    "api-invitations-detail": {"pk": _invitation_of_other},
    "api-initiatives-detail": {"pk": _initiative_of_other},
    "api-results-detail": {"pk": _result_of_other},
    "api-strategies-detail": {"pk": _strategy_of_other},
    "api-ground-rules-detail": {"pk": _rule_of_other},
    "api-filter-criteria-detail": {"pk": _criterion_of_other},
    "api-screenings-detail": {"pk": _screening_of_other},
    "api-partner-organizations-detail": {"pk": _partner_of_other},
    "api-people-detail": {"pk": _person_of_other},
    "api-tables-detail": {"pk": _table_of_other},
    "api-seats-detail": {"pk": _seat_of_other},
    "api-workplans-detail": {"pk": _workplan_of_other},
    "api-workplans-renew": {"pk": _workplan_of_other},
    "api-key-actions-detail": {"pk": _key_action_of_other},
    "api-meetings-detail": {"pk": _meeting_of_other},
    "api-meetings-close": {"pk": _meeting_of_other},
    "api-meetings-attendance": {"pk": _meeting_of_other},
    "api-meetings-cancel": {"pk": _meeting_of_other},
    "api-agenda-items-detail": {"pk": _agenda_item_of_other},
    "api-agenda-items-move": {"pk": _agenda_item_of_other},
    "api-help-requests-detail": {"pk": _help_request_of_other},
    "api-help-requests-assign": {"pk": _help_request_of_other},
    "api-help-requests-resolve": {"pk": _help_request_of_other},
    "api-nag-settings-detail": {"pk": _nag_settings_of_other},
    "api-meetings-reminders": {"pk": _closed_meeting_of_other},
    "api-meetings-reminders-pause": {"pk": _closed_meeting_of_other},
    "api-meetings-send-recap": {"pk": _closed_meeting_of_other},
    "api-nag-opt-outs-detail": {"pk": _opt_out_of_other},
    "api-nag-opt-outs-reverse": {"pk": _opt_out_of_other},
    "api-email-log-detail": {"pk": _email_of_other},
    "api-commitments-detail": {"pk": _commitment_of_other},
    "api-commitments-history": {"pk": _commitment_of_other},
    "api-indicators-detail": {"pk": _indicator_of_other},
    "api-performance-measures-detail": {"pk": _measure_of_other},
    "api-data-points-detail": {"pk": _data_point_of_other},
    "person_calendar_off": {"person_id": _person_with_calendar_of_other},
    "table_calendar_off": {"table_id": _table_with_calendar_of_other},
}

# Route name -> why the sweep need not cover it. Keep it short, and say why.
EXEMPT: dict[str, str] = {}

# Route name -> the body each write sends: a valid change, so a missing tenancy check would
# show up as a changed row rather than as a harmless 400.
WRITE_DATA: dict[str, dict[str, str]] = {
    # Making a board packet posts nothing: the POST itself queues one.
    "board_packets": {},
    "api-initiatives-list": {"name": "Taken over", "north_star": "Ours now."},
    "api-initiatives-detail": {"name": "Taken over", "status": "archived"},
    "api-results-detail": {"statement": "Taken over"},
    "api-strategies-detail": {"title": "Taken over"},
    "api-ground-rules-detail": {"text": "Taken over"},
    "api-filter-criteria-detail": {"question": "Taken over?"},
    "api-screenings-detail": {"decision": "declined"},
    "api-partner-organizations-list": {"name": "Taken over", "sector": "other"},
    "api-partner-organizations-detail": {"name": "Taken over"},
    "api-people-list": {"full_name": "Taken over"},
    "api-people-detail": {"full_name": "Taken over"},
    "api-tables-detail": {"name": "Taken over"},
    "api-seats-detail": {"role": "co_chair"},
    "api-key-actions-detail": {"description": "Taken over", "version": "1"},
    "api-meetings-detail": {"title": "Taken over", "notes": "Intruders win."},
    "api-commitments-detail": {"status": "done", "progress_note": "Taken over"},
    "api-agenda-items-list": {"title": "Taken over"},
    "api-agenda-items-detail": {"title": "Taken over", "notes": "Intruders win."},
    "api-agenda-items-move": {"direction": "down"},
    "api-help-requests-resolve": {"note": "Taken over"},
    "api-nag-settings-detail": {"enabled": "false", "check_in_days": "3", "send_hour": "6"},
    "api-meetings-reminders": {"touch": "recap", "skipped": "true", "intro": "Taken over"},
    # B's person is not known here; the meeting itself must already be not found.
    "api-meetings-reminders-pause": {"paused": "true"},
    "api-nag-opt-outs-reverse": {"consent_note": "Intruders say they agreed."},
    "api-indicators-detail": {"name": "Taken over", "definition": "Ours now."},
    "api-performance-measures-detail": {"name": "Taken over", "kind": "better_off"},
    "api-data-points-detail": {"value": "1", "note": "Taken over"},
    "org_settings": {
        "name": "Taken over",
        "time_zone": "UTC",
        "sender_name": "Intruder",
        "reply_domain": "intruder.example.org",
    },
    "member_invite": {"email": "newcomer@example.org", "role": Role.STAFF},
    "member_role": {"role": Role.STAFF},
    "tokens": {"name": "Stolen", "can_write": "on"},
    "api-members-detail": {"role": Role.STAFF},
    "api-invitations-list": {"email": "newcomer@example.org", "role": Role.STAFF},
    "initiative_create": {"name": "Taken over", "north_star": "Intruders win."},
    "initiative_edit": {"name": "Taken over", "north_star": "Intruders win."},
    "result_add": {"statement": "Taken over"},
    "result_edit": {"statement": "Taken over"},
    "result_move": {"direction": "down"},
    "strategy_add": {"title": "Taken over"},
    "strategy_edit": {"title": "Taken over"},
    "strategy_move": {"direction": "down"},
    "ground_rule_add": {"text": "Taken over"},
    "ground_rule_edit": {"text": "Taken over"},
    "ground_rule_move": {"direction": "down"},
    "criterion_add": {"question": "Taken over?"},
    "criterion_edit": {"question": "Taken over?"},
    "criterion_move": {"direction": "down"},
    "screening_new": {"title": "Taken over"},
    "screening_override": {"reason": "Intruders say so."},
    "screening_decide": {"decision": "declined"},
    "partner_create": {"name": "Taken over", "sector": "other", "size_band": "unknown"},
    "partner_edit": {"name": "Taken over", "sector": "other", "size_band": "unknown"},
    "person_create": {"full_name": "Taken over", "preferred_language": "en"},
    "person_edit": {"full_name": "Taken over", "preferred_language": "en"},
    "workgroup_create": {"name": "Taken over"},
    "table_edit": {"name": "Taken over", "purpose": "Intruders win."},
    "seat_role": {"role": "co_chair"},
    # The other organization's upload would import (its one new row), or change its columns.
    "import_commit": {"expected": outcome_signature([(2, "new", None, "")])},
    "import_preview": {"column_0": "full_name", "column_1": ""},
    "workplan_create": {"year": "2031"},
    "key_action_add": {"description": "Taken over", "status": "done", "percent_complete": "100"},
    "key_action_edit": {"description": "Taken over", "status": "done", "percent_complete": "100"},
    "key_action_progress": {"status": "dropped", "percent_complete": "0", "version": "1"},
    "key_action_update_add": {"text": "Taken over", "status": "dropped"},
    "meeting_mode_review": {"action": "done", "version": "1"},
    "meeting_mode_capture": {"what": "Taken over", "who": "Intruder", "due_date": "2099-01-01"},
    "meeting_mode_wins": {"wins": "Intruders win."},
    "commitment_detail": {"status": "dropped", "note": "Taken over", "version": "1"},
    "commitment_status": {"status": "done"},
    "meeting_schedule": {"date": "2030-03-05", "start_time": "09:00", "end_time": "10:00"},
    "meeting_edit": {"date": "2030-03-05", "start_time": "09:00", "end_time": "10:00"},
    "meeting_notes": {"notes": "Taken over", "wins": "Intruders win."},
    "agenda_item_add": {"title": "Taken over"},
    "agenda_item_edit": {"title": "Taken over"},
    "agenda_item_move": {"direction": "down"},
    "meeting_reminder_intro": {"touch": "recap", "intro": "Taken over"},
    "meeting_reminder_skip": {"touch": "recap", "skipped": "1"},
    "meeting_reminder_pause": {"paused": "1"},
    "initiative_reminders": {
        "check_in_days": "3",
        "heads_up_days": "2",
        "send_hour": "6",
        "recap_delay_minutes": "0",
    },
    "opt_out_reverse": {"consent_note": "Asked by phone."},
    "reply_apply": {"commitment": "1", "action": "done"},
    "help_request_resolve": {"note": "Taken over"},
    "indicator_create": {"name": "Taken over", "unit": "count", "direction": "higher"},
    "indicator_edit": {"name": "Taken over", "unit": "count", "direction": "higher"},
    "indicator_notes": {"story": "Taken over", "action_plan": "Intruders win."},
    "measure_create": {"name": "Taken over", "kind": "how_much", "unit": "count"},
    "measure_edit": {
        "name": "Taken over",
        "kind": "better_off",
        "unit": "count",
        "direction": "higher",
        "frequency": "annual",
    },
    "measure_notes": {"story": "Taken over", "action_plan": "Intruders win."},
    "data_import_detail": {"layout": "long", "column_0": "", "column_1": "period"},
    "gap_create": {"name": "Taken over", "target_value": "1", "target_period": "2099"},
    "gap_edit": {"name": "Taken over", "target_value": "1", "target_period": "2099"},
    "webhook_create": {"url": "https://hooks.example.org/taken", "events": "meeting.closed"},
    "webhook_edit": {
        "url": "https://hooks.example.org/taken",
        "events": "meeting.closed",
        "active": "on",
    },
    "dashboard_settings": {
        "partners_may_view": "on",
        "packet_days_before": "0",
        "public_enabled": "on",
        "public_intro": "Taken over",
    },
    # The confirmation's button posts nothing: the POST itself gives the page a new address.
    "dashboard_public_key_renew": {},
    # The guided start: the first step makes an initiative; any other step, skipped, makes
    # the organization's progress row, and "Finish later" makes it too.
    "onboarding_initiative": {"name": "Taken over", "north_star": "Intruders win."},
    "onboarding_result": {"action": "skip"},
    "onboarding_strategies": {"action": "skip"},
    "onboarding_workgroup": {"action": "skip"},
    "onboarding_meeting": {"action": "skip"},
    "onboarding_commitments": {"action": "skip"},
    "onboarding_recap": {"action": "save"},
    "onboarding_later": {},
    # Removing a sample organization posts nothing: the POST itself deletes it.
    "sandbox_remove": {},
}


def factory_for(route: Route, kwarg: str) -> IdFactory | None:
    return ROUTE_ID_FACTORIES.get(route.name, {}).get(kwarg) or ID_FACTORIES.get(kwarg)


def unswept(routes: list[Route], *, exempt: dict[str, str] | None = None) -> list[str]:
    """What keeps the sweep from covering these routes, one line per route, naming it."""
    exempt = EXEMPT if exempt is None else exempt
    problems = []
    for route in routes:
        if route.name in exempt:
            continue
        if route.kind == "elsewhere":
            problems.append(
                f"{route}: takes org_slug outside /o/<org_slug>/ and /api/v1/o/<org_slug>/"
            )
        elif not route.name:
            problems.append(f"{route}: has no name, so the sweep cannot build its URL")
        missing = [k for k in route.id_kwargs if factory_for(route, k) is None]
        if missing:
            problems.append(
                f"{route}: no factory for {', '.join(missing)} in ID_FACTORIES or "
                "ROUTE_ID_FACTORIES, and not in EXEMPT"
            )
    return problems


ROUTES = organization_routes()
SWEPT = [r for r in ROUTES if r.name not in EXEMPT and not unswept([r])]
SWEPT_WITH_ID = [r for r in SWEPT if r.id_kwargs]


def url_for(route: Route, slug: str, world: World) -> str:
    kwargs: dict[str, Any] = {ORG_KWARG: slug}
    for kwarg in route.id_kwargs:
        make = factory_for(route, kwarg)
        assert make is not None, str(route)
        kwargs[kwarg] = make(world)
    return reverse(route.name, kwargs=kwargs)


def send(
    client: Client, route: Route, method: str, url: str, headers: dict[str, str] | None = None
) -> Any:
    data = WRITE_DATA.get(route.name, {})
    if method == "GET":
        return client.get(url, headers=headers)
    if route.kind == "api":
        return client.generic(
            method, url, json.dumps(data), content_type="application/json", headers=headers
        )
    return client.generic(
        method, url, urlencode(data), "application/x-www-form-urlencoded", headers=headers
    )


def assert_not_found(route: Route, responses: dict[str, Any]) -> None:
    """404 to every method the view accepts. A method it does not accept may get 405 (with the
    same Allow header whatever the id), which tells nothing about the object."""
    allows = {r["Allow"] for r in responses.values() if r.status_code == 405}
    assert len(allows) <= 1, f"{route}: different Allow headers {allows}"
    accepted = (
        {m.strip() for m in allows.pop().split(",")} & set(METHODS) if allows else set(METHODS)
    )
    assert accepted, f"{route} accepts none of {METHODS}"
    statuses = {m: r.status_code for m, r in responses.items()}
    assert statuses == {m: 404 if m in accepted else 405 for m in METHODS}, str(route)
    if route.kind == "api":
        for method in accepted:
            assert responses[method].json() == NOT_FOUND_BODY, f"{route} {method}"


def token_key_for(user: User, organization: Organization) -> str:
    key = f"bb_sweep_{user.pk}_{organization.pk}"
    # Already used just now, so authenticating does not write last_used_at (once a minute).
    APITokenFactory(user=user, organization=organization, key=key, last_used_at=timezone.now())
    return key


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Each case makes a handful of users; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(personas: Personas) -> World:
    return World(
        org=personas.org,
        actor=personas.staff,
        other=personas.other_org,
        other_staff=personas.outsider,
        owner_in_other=personas.outsider,
    )


def _id_sweep_cases() -> list[Any]:
    cases = []
    for route in SWEPT_WITH_ID:
        for auth in ("session", "token") if route.kind == "api" else ("session",):
            for also_in_other in (False, True):
                label = f"{route.name}-{auth}-{'member-of-both' if also_in_other else 'A-only'}"
                cases.append(pytest.param(route, auth, also_in_other, id=label))
    return cases


@pytest.mark.parametrize(("route", "auth", "also_in_other"), _id_sweep_cases())
def test_ids_of_another_organization_are_not_found(
    route: Route, auth: str, also_in_other: bool, world: World, client: Client
) -> None:
    if also_in_other:
        MembershipFactory(organization=world.other, user=world.actor, role=Role.PARTNER)
        world.owner_in_other = world.actor
    headers = None
    if auth == "token":
        headers = {"Authorization": f"Token {token_key_for(world.actor, world.org)}"}
    else:
        client.force_login(world.actor)
    url = url_for(route, world.org.slug, world)
    before = snapshot()

    responses = {m: send(client, route, m, url, headers) for m in METHODS}

    assert_not_found(route, responses)
    assert snapshot() == before
    assert mail.outbox == []


@pytest.mark.parametrize("route", SWEPT, ids=lambda r: r.name)
def test_member_of_one_organization_cannot_reach_another(
    route: Route, world: World, client: Client
) -> None:
    client.force_login(world.actor)
    url = url_for(route, world.other.slug, world)
    before = snapshot()

    responses = {m: send(client, route, m, url) for m in METHODS}

    assert {m: r.status_code for m, r in responses.items()} == dict.fromkeys(METHODS, 404)
    assert snapshot() == before
    assert mail.outbox == []


@pytest.mark.parametrize("route", [r for r in SWEPT if r.kind == "api"], ids=lambda r: r.name)
def test_token_of_one_organization_cannot_reach_another(
    route: Route, world: World, client: Client
) -> None:
    # The actor is backbone staff of both: only the token's organization may say no.
    MembershipFactory(organization=world.other, user=world.actor, role=Role.STAFF)
    world.owner_in_other = world.actor
    headers = {"Authorization": f"Token {token_key_for(world.actor, world.org)}"}
    url = url_for(route, world.other.slug, world)
    before = snapshot()

    responses = {m: send(client, route, m, url, headers) for m in METHODS}

    assert {m: r.status_code for m, r in responses.items()} == dict.fromkeys(METHODS, 404)
    assert {m: r.json() for m, r in responses.items()} == dict.fromkeys(METHODS, NOT_FOUND_BODY)
    assert snapshot() == before
    assert mail.outbox == []


def test_every_organization_route_with_an_id_is_swept_or_exempt() -> None:
    assert unswept(ROUTES) == []


def test_discovered_routes_are_exactly_the_swept_and_the_exempt() -> None:
    discovered = {r.name for r in ROUTES}
    assert {r.name for r in SWEPT} | set(EXEMPT) == discovered
    assert {r.name for r in SWEPT} & set(EXEMPT) == set()
    # Stale entries would hide a renamed route behind a registry that no longer applies.
    assert set(ROUTE_ID_FACTORIES) <= discovered
    assert set(WRITE_DATA) <= discovered


def test_the_sweep_sees_the_organization_pages_and_api_routes() -> None:
    with_id = {r.name: r.id_kwargs for r in SWEPT_WITH_ID}
    assert {
        "member_role": ("membership_id",),
        "member_remove": ("membership_id",),
        "invitation_revoke": ("invitation_id",),
        "invitation_resend": ("invitation_id",),
        "token_revoke": ("token_id",),
        "outbox_email": ("email_id",),
        "api-members-detail": ("pk",),
        "api-invitations-detail": ("pk",),
    }.items() <= with_id.items()
    without_id = {r.name: r.kind for r in SWEPT if not r.id_kwargs}
    assert {
        "org_home": "page",
        "org_settings": "page",
        "members": "page",
        "member_invite": "page",
        "tokens": "page",
        "outbox": "page",
        "api-organization": "api",
        "api-members-list": "api",
        "api-invitations-list": "api",
    }.items() <= without_id.items()


def _view(request: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse()


def test_a_new_route_with_an_unregistered_id_fails_the_sweep_naming_it() -> None:
    urlconf = [
        path(
            "o/<slug:org_slug>/",
            include(
                [
                    path("widgets/", _view, name="widgets"),
                    path("widgets/<int:widget_id>/", _view, name="widget_detail"),
                    path("members/<int:membership_id>/notes/", _view, name="member_notes"),
                    path("gizmos/<int:gizmo_id>/", _view, name="gizmo_detail"),
                    path("nameless/<int:membership_id>/", _view),
                ]
            ),
        ),
        path(
            "api/v1/o/<slug:org_slug>/",
            include([re_path(r"^gadgets/(?P<pk>[^/.]+)/$", _view, name="api-gadgets-detail")]),
        ),
        path("elsewhere/<slug:org_slug>/", _view, name="elsewhere"),
        path("about/<int:page_id>/", _view, name="not_an_organization_page"),
    ]
    routes = organization_routes(urlconf)

    problems = unswept(routes, exempt={"gizmo_detail": "a test of the exemption"})

    assert problems == [
        "widget_detail (o/<slug:org_slug>/widgets/<int:widget_id>/): no factory for widget_id "
        "in ID_FACTORIES or ROUTE_ID_FACTORIES, and not in EXEMPT",
        "<unnamed> (o/<slug:org_slug>/nameless/<int:membership_id>/): has no name, so the "
        "sweep cannot build its URL",
        "api-gadgets-detail (api/v1/o/<slug:org_slug>/^gadgets/(?P<pk>[^/.]+)/$): no factory "
        "for pk in ID_FACTORIES or ROUTE_ID_FACTORIES, and not in EXEMPT",
        "elsewhere (elsewhere/<slug:org_slug>/): takes org_slug outside /o/<org_slug>/ and "
        "/api/v1/o/<org_slug>/",
    ]
