"""Which services emit which webhook events: exactly one per change, with its exact payload,
to the endpoints of the organization that subscribe to it and are on; nothing otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import transaction

from backbone.webhooks.emit import webhook_emit
from backbone.webhooks.models import SUBSCRIBABLE, EventType, WebhookDelivery, WebhookEndpoint
from backbone.webhooks.services import webhook_endpoint_create, webhook_endpoint_update
from initiatives.models import Person
from initiatives.tests.factories import InitiativeFactory, TableFactory
from metrics.importers.commit import data_points_import
from metrics.importers.layout import propose_mapping
from metrics.importers.read import read_table
from metrics.importers.validate import check_rows, load_context
from metrics.services import data_point_upsert
from metrics.tests.factories import IndicatorFactory
from tests.fixtures import Personas
from workplans.help_requests import help_request_open
from workplans.models import Channel, Commitment, HelpRequest, KeyAction, Meeting
from workplans.services import (
    commitment_change,
    commitment_link_apply,
    key_action_add_update,
    key_action_update,
    meeting_close,
)
from workplans.tests.factories import CommitmentFactory, KeyActionFactory, MeetingFactory
from workplans.tests.reply_world import REPLY_AT, answer, reply_world

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
NOW_JSON = "2026-05-04T14:00:00Z"


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def endpoint(personas: Personas) -> WebhookEndpoint:
    """An endpoint of the organization that subscribes to every event."""
    return webhook_endpoint_create(
        organization=personas.org,
        url="https://hooks.example.org/backbone",
        events=[str(e) for e in SUBSCRIBABLE],
    )


def sent() -> list[tuple[str, dict[str, Any]]]:
    """(type, data) of every delivery, oldest first, after checking their envelopes."""
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    for d in deliveries:
        assert d.payload["id"] == str(d.event_id)
        assert d.payload["type"] == d.event_type
        assert d.payload["organization"] == "lakeshore"
        assert d.status == "pending"
    return [(d.event_type, d.payload["data"]) for d in deliveries]


def a_commitment(personas: Personas, **extra: Any) -> Commitment:
    initiative: Any = InitiativeFactory(organization=personas.org, time_zone="America/Chicago")
    table: Any = TableFactory(initiative=initiative)
    meeting: Any = MeetingFactory(table=table)
    made: Any = CommitmentFactory(meeting=meeting, what="Book the gym", **extra)
    return made


def commitment_json(c: Commitment, **changed: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "initiative_id": c.meeting.initiative_id,
        "table_id": c.table_id,
        "meeting_id": c.meeting_id,
        "person_id": c.person_id,
        "what": "Book the gym",
        "due_date": "2026-04-07",
        "status": "open",
        "progress_note": "",
        "completed_at": None,
        "key_action_id": None,
        "strategy_id": None,
        "version": 2,
        **changed,
    }


# --- Commitments -----------------------------------------------------------------------------


def test_a_commitment_status_change_emits_one_event_with_the_commitment(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    c = a_commitment(personas)

    commitment_change(commitment=c, channel=Channel.WEB, by_user=personas.staff, status="done")

    assert sent() == [
        (
            "commitment.status_changed",
            {
                "commitment": commitment_json(c, status="done", completed_at=NOW_JSON),
                "previous_status": "open",
                "changed_by": {"channel": "web", "user_id": personas.staff.pk, "person_id": None},
            },
        )
    ]
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.payload["created"] == NOW_JSON
    assert (delivery.endpoint_id, delivery.organization_id) == (endpoint.pk, personas.org.pk)


def test_a_signed_in_partners_change_names_the_person_they_are(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    # The partner's login is a person of the organization (the one who committed): the event
    # says who, as a person, not only which login; staff with no person stay unnamed.
    c = a_commitment(personas)
    Person.objects.filter(pk=c.person_id).update(user=personas.partner)

    commitment_change(commitment=c, channel=Channel.API, by_user=personas.partner, status="done")

    [(_kind, data)] = sent()
    assert data["changed_by"] == {
        "channel": "api",
        "user_id": personas.partner.pk,
        "person_id": c.person_id,
    }


def test_a_new_date_or_a_note_alone_emits_nothing(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    c = a_commitment(personas)

    commitment_change(commitment=c, channel=Channel.WEB, new_due_date=date(2026, 6, 1))
    commitment_change(commitment=c, channel=Channel.WEB, note="Gym booked for June.")
    commitment_change(commitment=c, channel=Channel.WEB, status="open")

    assert sent() == []


def test_a_one_click_done_emits_one_event_by_the_person(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    c = a_commitment(personas)

    commitment_link_apply(commitment=c, person=c.person, action="done")
    commitment_link_apply(commitment=c, person=c.person, action="done")  # pressed twice

    assert sent() == [
        (
            "commitment.status_changed",
            {
                "commitment": commitment_json(c, status="done", completed_at=NOW_JSON),
                "previous_status": "open",
                "changed_by": {"channel": "email_link", "user_id": None, "person_id": c.person_id},
            },
        )
    ]


def test_a_one_click_need_help_emits_the_status_change_then_the_help_request(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    c = a_commitment(personas)

    commitment_link_apply(commitment=c, person=c.person, action="need_help", note="No venue")

    request = HelpRequest.objects.get()
    assert sent() == [
        (
            "commitment.status_changed",
            {
                "commitment": commitment_json(c, status="need_help", progress_note="No venue"),
                "previous_status": "open",
                "changed_by": {"channel": "email_link", "user_id": None, "person_id": c.person_id},
            },
        ),
        (
            "help_request.opened",
            {
                "help_request": {
                    "id": request.pk,
                    "initiative_id": c.meeting.initiative_id,
                    "table_id": c.table_id,
                    "commitment_id": c.pk,
                    "person_id": c.person_id,
                    "kind": "need_help",
                    "status": "open",
                    "text": "No venue",
                    "channel": "email_link",
                    "created_at": NOW_JSON,
                }
            },
        ),
    ]


def test_an_email_reply_emits_one_event_per_commitment_it_changes(personas: Personas) -> None:
    world = reply_world(personas)
    webhook_endpoint_create(
        organization=personas.org,
        url="https://hooks.example.org/backbone",
        events=[EventType.COMMITMENT_STATUS_CHANGED, EventType.HELP_REQUEST_OPENED],
    )
    c1, c2, _c3 = world.commitments

    with time_machine.travel(REPLY_AT, tick=False):
        answer(world, "1 is done, 2 I need help with the venue")

    events = sent()
    assert [
        (kind, (data.get("commitment") or data["help_request"])["id"]) for kind, data in events
    ] == [
        ("commitment.status_changed", c1.pk),
        ("commitment.status_changed", c2.pk),
        ("help_request.opened", HelpRequest.objects.get().pk),
    ]
    assert [data.get("changed_by") for _kind, data in events[:2]] == [
        {"channel": "email_reply", "user_id": None, "person_id": world.ana.pk}
    ] * 2
    assert [
        (data["commitment"]["status"], data["previous_status"]) for _kind, data in events[:2]
    ] == [("done", "open"), ("need_help", "open")]


def test_a_second_help_request_for_the_same_commitment_emits_nothing_more(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    c = a_commitment(personas, status=Commitment.Status.BLOCKED)

    first = help_request_open(
        commitment=c, person=c.person, kind="blocked", text="No key", channel=Channel.WEB
    )
    again = help_request_open(
        commitment=c, person=c.person, kind="blocked", text="Still no key", channel=Channel.WEB
    )

    assert again.pk == first.pk
    assert [(kind, data["help_request"]["id"]) for kind, data in sent()] == [
        ("help_request.opened", first.pk)
    ]


# --- Meetings and key actions ----------------------------------------------------------------


def test_closing_a_meeting_emits_one_event_and_closing_again_none(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    meeting: Any = MeetingFactory(
        table__initiative__organization=personas.org, title="May planning", wins="Gym booked"
    )

    meeting_close(meeting=meeting)
    meeting_close(meeting=meeting)

    assert Meeting.objects.get().status == "closed"
    assert sent() == [
        (
            "meeting.closed",
            {
                "meeting": {
                    "id": meeting.pk,
                    "initiative_id": meeting.initiative_id,
                    "table_id": meeting.table_id,
                    "title": "May planning",
                    "starts_at": "2026-03-10T17:00:00Z",
                    "ends_at": "2026-03-10T18:30:00Z",
                    "closed_at": NOW_JSON,
                    "wins": "Gym booked",
                }
            },
        )
    ]


def test_a_key_action_status_change_emits_one_event_and_a_percentage_alone_none(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    action: Any = KeyActionFactory(
        workplan__table__initiative__organization=personas.org,
        description="Train 40 tutors",
        due_date=date(2026, 9, 30),
    )

    key_action_update(key_action=action, expected_version=1, percent_complete=20)
    key_action_update(key_action=action, expected_version=2, status=KeyAction.Status.AT_RISK)
    key_action_add_update(
        key_action=action, text="Tutors trained", author=personas.staff, status="done"
    )

    assert sent() == [
        (
            "key_action.status_changed",
            {
                "key_action": {
                    "id": action.pk,
                    "initiative_id": action.workplan.initiative_id,
                    "workplan_id": action.workplan_id,
                    "strategy_id": action.strategy_id,
                    "description": "Train 40 tutors",
                    "lead_id": None,
                    "due_date": "2026-09-30",
                    "status": status,
                    "percent_complete": percent,
                    "version": version,
                },
                "previous_status": previous,
            },
        )
        for status, percent, version, previous in [
            ("at_risk", 20, 3, "not_started"),
            ("done", 100, 4, "at_risk"),
        ]
    ]


# --- Data points -----------------------------------------------------------------------------


def test_a_new_data_point_emits_one_event_and_a_changed_value_none(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    indicator: Any = IndicatorFactory(result__initiative__organization=personas.org)

    point, outcome = data_point_upsert(
        subject=indicator, period="2025", value=Decimal("41.5"), source="State report card"
    )
    data_point_upsert(subject=indicator, period="2025", value=Decimal("42"))

    assert outcome == "created"
    assert sent() == [
        (
            "data_point.added",
            {
                "via": "entry",
                "data_point": {
                    "id": point.pk,
                    "initiative_id": indicator.initiative_id,
                    "indicator_id": indicator.pk,
                    "measure_id": None,
                    "category_id": None,
                    "period": "2025",
                    "period_start": "2025-01-01",
                    "period_end": "2025-12-31",
                    "value": "41.5",
                    "suppressed": False,
                    "suppression_marker": "",
                    "source": "State report card",
                },
            },
        )
    ]


def test_a_file_import_emits_one_event_for_the_file(
    personas: Personas, endpoint: WebhookEndpoint, clock: None
) -> None:
    indicator: Any = IndicatorFactory(
        result__initiative__organization=personas.org, name="Third graders reading"
    )
    data_point_upsert(subject=indicator, period="2022", value=Decimal("38"))
    WebhookDelivery.objects.all().delete()
    table = read_table(
        b"Indicator,Period,Value\n"
        b"Third graders reading,2022,39%\n"
        b"Third graders reading,2023,41%\n"
        b"Third graders reading,2024,43%\n",
        file_name="reading.csv",
    )
    mapping = propose_mapping(table.columns, indicator_name=indicator.name)
    checked = check_rows(table.frame, mapping, load_context(indicator.initiative, indicator))

    written = data_points_import(initiative=indicator.initiative, checked=checked)

    assert (written.created, written.updated) == (2, 1)
    assert sent() == [
        (
            "data_point.added",
            {
                "via": "import",
                "import": {
                    "initiative_id": indicator.initiative_id,
                    "indicator_ids": [indicator.pk],
                    "added": 2,
                    "updated": 1,
                },
            },
        )
    ]


# --- Who receives ----------------------------------------------------------------------------


def test_nothing_goes_to_an_endpoint_not_subscribed_paused_or_of_another_organization(
    personas: Personas, clock: None
) -> None:
    others = webhook_endpoint_create(
        organization=personas.other_org,
        url="https://hooks.example.org/riverside",
        events=[str(e) for e in SUBSCRIBABLE],
    )
    webhook_endpoint_create(
        organization=personas.org,
        url="https://hooks.example.org/meetings-only",
        events=[EventType.MEETING_CLOSED],
    )
    paused = webhook_endpoint_create(
        organization=personas.org,
        url="https://hooks.example.org/paused",
        events=[str(e) for e in SUBSCRIBABLE],
    )
    webhook_endpoint_update(endpoint=paused, url=paused.url, events=paused.events, active=False)
    c = a_commitment(personas)

    commitment_change(commitment=c, channel=Channel.WEB, status="done")

    assert sent() == []
    assert others.deliveries.count() == 0


def test_a_change_that_rolls_back_leaves_no_delivery_and_queues_nothing(
    personas: Personas,
    endpoint: WebhookEndpoint,
    clock: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    c = a_commitment(personas)

    with django_capture_on_commit_callbacks() as queued:
        try:
            with transaction.atomic():
                commitment_change(commitment=c, channel=Channel.WEB, status="done")
                raise RuntimeError("the request failed after the change")
        except RuntimeError:
            pass
        commitment_change(commitment=c, channel=Channel.WEB, status="blocked")

    assert [(kind, data["commitment"]["status"]) for kind, data in sent()] == [
        ("commitment.status_changed", "blocked")
    ]
    assert len(queued) == 1


# --- What an emit costs ----------------------------------------------------------------------


def test_an_organization_without_endpoints_pays_one_query_per_transaction(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    with transaction.atomic(), django_assert_num_queries(1):
        for _ in range(3):
            assert (
                webhook_emit(
                    organization_id=personas.org.pk,
                    event=EventType.MEETING_CLOSED,
                    data=lambda: pytest.fail("built although nobody subscribes"),
                )
                == 0
            )


def test_each_emit_to_subscribers_is_one_insert_after_one_read(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        webhook_endpoint_create(
            organization=personas.org,
            url=f"https://hooks.example.org/{n}",
            events=[EventType.MEETING_CLOSED],
        )

    with transaction.atomic(), django_assert_num_queries(1 + 4):
        for _ in range(4):
            assert (
                webhook_emit(
                    organization_id=personas.org.pk,
                    event=EventType.MEETING_CLOSED,
                    data=lambda: {"meeting": {"id": 1}},
                )
                == 3
            )

    assert WebhookDelivery.objects.count() == 12


def test_an_endpoint_added_in_the_same_transaction_receives_the_next_event(
    personas: Personas,
) -> None:
    with transaction.atomic():
        webhook_emit(
            organization_id=personas.org.pk, event=EventType.MEETING_CLOSED, data=lambda: {}
        )
        added = webhook_endpoint_create(
            organization=personas.org,
            url="https://hooks.example.org/new",
            events=[EventType.MEETING_CLOSED],
        )
        webhook_emit(
            organization_id=personas.org.pk, event=EventType.MEETING_CLOSED, data=lambda: {}
        )

    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [added.pk]


def test_each_organization_receives_its_own_events_only(personas: Personas) -> None:
    ours = webhook_endpoint_create(
        organization=personas.org,
        url="https://hooks.example.org/a",
        events=[EventType.MEETING_CLOSED],
    )
    theirs = webhook_endpoint_create(
        organization=personas.other_org,
        url="https://hooks.example.org/b",
        events=[EventType.MEETING_CLOSED],
    )

    with transaction.atomic():
        webhook_emit(organization_id=personas.org.pk, event=EventType.MEETING_CLOSED, data=dict)
        webhook_emit(
            organization_id=personas.other_org.pk, event=EventType.MEETING_CLOSED, data=dict
        )

    assert [
        (d.endpoint_id, d.organization_id, d.payload["organization"])
        for d in WebhookDelivery.objects.order_by("pk")
    ] == [(ours.pk, personas.org.pk, "lakeshore"), (theirs.pk, personas.other_org.pk, "riverside")]
