"""The staff pages of webhooks: list, add, change, pause, delete, secret, test event, turning it
on again, the delivery log; only staff reach them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import Role
from backbone.tests.webhook_receiver import Receiver
from backbone.webhooks.models import (
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from backbone.webhooks.services import webhook_endpoint_create
from tests.fixtures import Personas
from tests.snapshot import snapshot

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]


def make_endpoint(
    personas: Personas, url: str = "https://hooks.example.org/in", **extra: Any
) -> WebhookEndpoint:
    return webhook_endpoint_create(
        organization=personas.org,
        url=url,
        events=extra.pop("events", [EventType.COMMITMENT_STATUS_CHANGED, EventType.MEETING_CLOSED]),
        description=extra.pop("description", "Data warehouse sync"),
        created_by=personas.staff,
    )


def with_log(endpoint: WebhookEndpoint, deliveries: int) -> None:
    """Deliveries of the endpoint, each tried twice (a 500, then a 200)."""
    at = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
    for n in range(deliveries):
        event_id = uuid.uuid4()
        delivery = WebhookDelivery.objects.create(
            organization_id=endpoint.organization_id,
            endpoint=endpoint,
            event_id=event_id,
            event_type=EventType.MEETING_CLOSED,
            payload={"id": str(event_id), "type": "meeting.closed", "data": {"meeting": {"id": n}}},
            status=WebhookDelivery.Status.DELIVERED,
            attempts=2,
            response_code=200,
        )
        for number, code in ((1, 500), (2, 200)):
            WebhookAttempt.objects.create(
                organization_id=endpoint.organization_id,
                delivery=delivery,
                number=number,
                at=at + timedelta(minutes=number),
                response_code=code,
                error="The receiver answered 500." if code == 500 else "",
                duration_ms=41,
            )


def url(personas: Personas, name: str, endpoint: WebhookEndpoint | None = None) -> str:
    kwargs: dict[str, Any] = {"org_slug": personas.org.slug}
    if endpoint is not None:
        kwargs["endpoint_id"] = endpoint.pk
    return reverse(name, kwargs=kwargs)


# --- Reading ---------------------------------------------------------------------------------


def test_the_settings_page_links_to_webhooks(personas: Personas, login: Login) -> None:
    page = login(personas.staff).get("/o/lakeshore/settings/").content.decode()
    assert 'href="/o/lakeshore/webhooks/"' in page
    assert "Manage webhooks" in page


def test_the_list_shows_each_endpoint_with_its_state_and_last_delivery(
    personas: Personas, login: Login
) -> None:
    working = make_endpoint(personas)
    with_log(working, 2)
    failing = make_endpoint(personas, "https://hooks.example.org/broken", description="")
    WebhookEndpoint.objects.filter(pk=failing.pk).update(
        active=False, disabled_at=datetime(2026, 5, 4, tzinfo=UTC)
    )

    page = login(personas.staff).get(url(personas, "webhooks")).content.decode()

    assert page.count('class="card wh-item"') == 2
    assert "https://hooks.example.org/in" in page
    assert "Data warehouse sync" in page
    assert "A commitment&#x27;s status changed" in page
    assert "A meeting was closed" in page
    assert page.count("chip--wh-active") == 1
    assert page.count("chip--wh-disabled") == 1
    assert "answer 200" in page
    assert "Nothing sent yet." in page
    assert "Backbone-Webhook-Signature" in page


def test_an_empty_list_invites_to_add_one(personas: Personas, login: Login) -> None:
    page = login(personas.staff).get(url(personas, "webhooks")).content.decode()
    assert "No webhooks yet" in page
    assert 'href="/o/lakeshore/webhooks/new/"' in page


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_costs_the_same_queries_for_one_endpoint_or_many(
    count: int, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        with_log(make_endpoint(personas, f"https://hooks.example.org/{n}"), 3)
    client = login(personas.staff)
    assert client.get(url(personas, "webhooks")).status_code == 200  # the session learns the org

    # Session, user, membership (middleware), the switcher's memberships, the endpoints with
    # their last delivery and waiting count.
    with django_assert_num_queries(5):
        response = client.get(url(personas, "webhooks"))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 25])
def test_the_delivery_log_costs_the_same_queries_for_one_delivery_or_a_page(
    count: int, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    endpoint = make_endpoint(personas)
    with_log(endpoint, count)
    client = login(personas.staff)
    assert client.get(url(personas, "webhook_detail", endpoint)).status_code == 200

    # Session, user, membership (middleware), the switcher's memberships, the endpoint with
    # its creator, the log's count, its page, the page's attempts.
    with django_assert_num_queries(8):
        response = client.get(url(personas, "webhook_detail", endpoint))

    page = response.content.decode()
    assert page.count('<details class="wh-delivery">') == count
    assert page.count('wh-code-chip wh-code-chip--ok"') == count
    assert page.count('class="wh-code-chip"') == count  # the 500s


def test_the_endpoint_page_shows_the_secret_on_request_and_the_log(
    personas: Personas, login: Login
) -> None:
    endpoint = make_endpoint(personas)
    with_log(endpoint, 1)

    page = login(personas.staff).get(url(personas, "webhook_detail", endpoint)).content.decode()

    assert f'<code class="token-key" id="wh-secret-value">{endpoint.secret}</code>' in page
    assert '<details class="wh-secret">' in page
    assert (
        '<button class="button button--quiet" type="button" data-copy="wh-secret-value" '
        'data-copied="Copied" aria-label="Copy the signing secret" hidden>Copy</button>'
    ) in page
    assert "js/copy.js" in page
    assert "The receiver answered 500." in page
    assert "&quot;meeting.closed&quot;" in page
    assert "Send a test event" in page


# --- Writing ---------------------------------------------------------------------------------


def test_staff_add_a_webhook_with_its_events(personas: Personas, login: Login) -> None:
    response = login(personas.staff).post(
        url(personas, "webhook_create"),
        {
            "url": "https://hooks.example.org/backbone",
            "description": "  Partner database ",
            "events": ["meeting.closed", "data_point.added"],
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/lakeshore/webhooks/{endpoint.pk}/"
    assert (endpoint.organization, endpoint.url, endpoint.description) == (
        personas.org,
        "https://hooks.example.org/backbone",
        "Partner database",
    )
    assert endpoint.events == ["meeting.closed", "data_point.added"]
    assert endpoint.created_by == personas.staff
    assert endpoint.active is True
    assert endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) == 49


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"url": "https://hooks.example.org/in"}, "events", "Choose at least one event."),
        (
            {"url": "https://hooks.example.org/in", "events": "webhook.test"},
            "events",
            "Select a valid choice. webhook.test is not one of the available choices.",
        ),
        ({"url": "not an address", "events": "meeting.closed"}, "url", "Enter a valid URL."),
    ],
)
def test_a_webhook_without_events_or_address_is_refused_and_nothing_saved(
    data: dict[str, str], field: str, error: str, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).post(url(personas, "webhook_create"), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [error]
    assert WebhookEndpoint.objects.count() == 0


def test_production_refuses_an_http_address_in_the_form(
    personas: Personas, login: Login, settings: Any
) -> None:
    settings.BACKBONE_WEBHOOK_LOCAL_TARGETS = False

    response = login(personas.staff).post(
        url(personas, "webhook_create"),
        {"url": "http://hooks.example.org/in", "events": "meeting.closed"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["url"] == [
        "Use an https:// address: webhooks are only sent encrypted."
    ]
    assert WebhookEndpoint.objects.count() == 0


def test_the_address_field_says_what_production_accepts_and_has_no_placeholder(
    personas: Personas, login: Login, settings: Any
) -> None:
    settings.BACKBONE_WEBHOOK_LOCAL_TARGETS = False

    response = login(personas.staff).get(url(personas, "webhook_create"))

    page = response.content.decode()
    assert response.context["form"]["url"].help_text == (
        "Where Backbone sends each event, as a POST request with a JSON body: an https:// "
        "address on the public internet."
    )
    assert "localhost" not in page
    assert "placeholder" not in page


def test_in_development_the_address_field_says_local_addresses_are_accepted(
    personas: Personas, login: Login, settings: Any
) -> None:
    settings.BACKBONE_WEBHOOK_LOCAL_TARGETS = True
    client = login(personas.staff)
    endpoint = make_endpoint(personas)

    pages = [
        client.get(url(personas, "webhook_create")),
        client.get(url(personas, "webhook_edit", endpoint)),
    ]

    for response in pages:
        assert response.context["form"]["url"].help_text == (
            "Where Backbone sends each event, as a POST request with a JSON body. In "
            "production: an https:// address on the public internet. On this development "
            "server (BACKBONE_WEBHOOK_LOCAL_TARGETS is on), http:// and local addresses "
            "such as http://localhost:8000/hooks work too."
        )
        assert "placeholder" not in response.content.decode()
    # And it is so: a receiver on this machine can be added.
    added = client.post(
        url(personas, "webhook_create"),
        {"url": "http://localhost:8000/hooks", "events": "meeting.closed"},
    )
    assert added.status_code == 302
    assert WebhookEndpoint.objects.filter(url="http://localhost:8000/hooks").count() == 1


def test_staff_change_the_events_and_pause_it(personas: Personas, login: Login) -> None:
    endpoint = make_endpoint(personas)

    response = login(personas.staff).post(
        url(personas, "webhook_edit", endpoint),
        {"url": "https://hooks.example.org/v2", "description": "", "events": "help_request.opened"},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description, endpoint.events, endpoint.active) == (
        "https://hooks.example.org/v2",
        "",
        ["help_request.opened"],
        False,
    )
    assert endpoint.state == "paused"


def test_the_change_form_starts_from_the_endpoint(personas: Personas, login: Login) -> None:
    endpoint = make_endpoint(personas)

    form = login(personas.staff).get(url(personas, "webhook_edit", endpoint)).context["form"]

    assert form.initial == {
        "url": "https://hooks.example.org/in",
        "description": "Data warehouse sync",
        "events": ["commitment.status_changed", "meeting.closed"],
        "active": True,
    }


def test_staff_delete_a_webhook_after_confirming(personas: Personas, login: Login) -> None:
    endpoint = make_endpoint(personas)
    with_log(endpoint, 2)
    client = login(personas.staff)

    confirm = client.get(url(personas, "webhook_delete", endpoint))
    assert confirm.status_code == 200
    assert WebhookEndpoint.objects.count() == 1

    response = client.post(url(personas, "webhook_delete", endpoint))

    assert response["Location"] == "/o/lakeshore/webhooks/"
    assert WebhookEndpoint.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert WebhookAttempt.objects.count() == 0


def test_a_new_secret_replaces_the_old_and_is_shown(personas: Personas, login: Login) -> None:
    endpoint = make_endpoint(personas)
    old = endpoint.secret

    response = login(personas.staff).post(
        url(personas, "webhook_rotate_secret", endpoint), follow=True
    )

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert response.redirect_chain == [
        (f"/o/lakeshore/webhooks/{endpoint.pk}/?secret=shown#secret", 302)
    ]
    page = response.content.decode()
    assert f'<code class="token-key" id="wh-secret-value">{endpoint.secret}</code>' in page
    assert '<details class="wh-secret" open>' in page
    assert 'data-copy="wh-secret-value"' in page
    assert old not in page


def test_the_test_button_posts_a_test_event_to_the_receiver(
    personas: Personas, login: Login, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = make_endpoint(personas, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.staff).post(url(personas, "webhook_test", endpoint))

    assert response.status_code == 302
    [request] = receiver.requests
    body = json.loads(request.body)
    assert (body["type"], body["organization"]) == ("webhook.test", "lakeshore")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("delivered", 200)


def test_turning_a_disabled_webhook_on_again(
    personas: Personas, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = make_endpoint(personas)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=False,
        disabled_at=datetime(2026, 5, 4, tzinfo=UTC),
        disabled_reason="3 attempts in a row failed. The last: The receiver answered 500.",
        consecutive_failures=3,
    )
    client = login(personas.staff)
    page = client.get(url(personas, "webhook_detail", endpoint)).content.decode()
    # In the organization's time zone (Chicago): midnight UTC is 19:00 the day before.
    assert "Turned off on May 3, 2026 19:00 because deliveries kept failing." in page
    assert "The last: The receiver answered 500." in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url(personas, "webhook_enable", endpoint))

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.state, endpoint.consecutive_failures, endpoint.disabled_reason) == (
        "active",
        0,
        "",
    )


# --- Who may -------------------------------------------------------------------------------

ROUTES = [
    ("webhooks", "GET", False),
    ("webhook_create", "GET", False),
    ("webhook_create", "POST", False),
    ("webhook_detail", "GET", True),
    ("webhook_edit", "GET", True),
    ("webhook_edit", "POST", True),
    ("webhook_delete", "GET", True),
    ("webhook_delete", "POST", True),
    ("webhook_rotate_secret", "POST", True),
    ("webhook_test", "POST", True),
    ("webhook_enable", "POST", True),
]


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
@pytest.mark.parametrize(("name", "method", "with_endpoint"), ROUTES)
def test_only_staff_reach_the_webhook_pages_and_a_refusal_changes_nothing(
    name: str,
    method: str,
    with_endpoint: bool,
    role: Role,
    personas: Personas,
    login: Login,
) -> None:
    endpoint = make_endpoint(personas)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    client = login(personas.by_role(role))
    before = snapshot()

    target = url(personas, name, endpoint if with_endpoint else None)
    data = {"url": "https://hooks.example.org/taken", "events": "meeting.closed"}
    response = client.get(target) if method == "GET" else client.post(target, data)

    assert response.status_code == 403
    assert snapshot() == before
