"""Sending webhooks to a real HTTP receiver on this machine: signatures, exactly one POST per
event and endpoint, retries with backoff, turning a failing endpoint off, and the production
rules on where webhooks may go."""

from __future__ import annotations

import itertools
import json
import re
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backbone.models import OutboundEmail
from backbone.tests.webhook_receiver import Receiver
from backbone.webhooks.delivery import CLAIM_TIMEOUT, webhook_delivery_attempt
from backbone.webhooks.emit import webhook_emit
from backbone.webhooks.models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from backbone.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_send_test,
)
from backbone.webhooks.targets import TargetRefused, check_address, resolve
from backbone.webhooks.tasks import deliver_webhook, sweep_webhook_deliveries
from tests.fixtures import Personas

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
EVENT = EventType.MEETING_CLOSED


def documented_verifier() -> Callable[..., bool]:
    """The verification snippet of README.md's "Webhooks" section, run as written."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own documentation
    verify: Callable[..., bool] = namespace["verify_backbone_signature"]
    return verify


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def endpoint_for(personas: Personas, receiver: Receiver, **extra: Any) -> WebhookEndpoint:
    return webhook_endpoint_create(
        organization=personas.org,
        url=receiver.url,
        events=extra.pop("events", [EVENT]),
        created_by=personas.staff,
        **extra,
    )


def emit(personas: Personas, capture: Any, *, execute: bool = True) -> list[WebhookDelivery]:
    """Emit a meeting.closed event for the organization; `execute` runs what is queued after
    the commit (a worker sending it at once)."""
    with capture(execute=execute):
        webhook_emit(
            organization_id=personas.org.pk,
            event=EVENT,
            data=lambda: {"meeting": {"id": 7, "title": "Café con leche — planning"}},
        )
    return list(WebhookDelivery.objects.order_by("pk"))


def test_a_delivery_is_signed_so_the_documented_snippet_verifies_it(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint = endpoint_for(personas, receiver)

    [delivery] = emit(personas, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    assert request.path == "/hooks/backbone"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Backbone-Webhook-Id"] == str(delivery.event_id)
    assert request.headers["Backbone-Webhook-Timestamp"] == str(int(T0.timestamp()))
    assert json.loads(request.body) == {
        "id": str(delivery.event_id),
        "type": "meeting.closed",
        "created": "2026-05-04T14:00:00Z",
        "organization": "lakeshore",
        "data": {"meeting": {"id": 7, "title": "Café con leche — planning"}},
    }
    verify = documented_verifier()
    assert verify(endpoint.secret, request.headers, request.body) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    assert delivery.response_excerpt == '{"ok": true}'
    assert delivery.delivered_at == T0


def test_a_changed_body_another_secret_or_an_old_timestamp_fail_the_documented_check(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint = endpoint_for(personas, receiver)
    emit(personas, django_capture_on_commit_callbacks)
    [request] = receiver.requests
    verify = documented_verifier()

    assert verify(endpoint.secret, request.headers, request.body.replace(b"7", b"8")) is False
    assert verify("whsec_someone-else", request.headers, request.body) is False
    clock.shift(timedelta(minutes=6))
    assert verify(endpoint.secret, request.headers, request.body) is False


def test_a_new_secret_signs_the_next_attempts(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint = endpoint_for(personas, receiver)
    receiver.answer_next(503)
    emit(personas, django_capture_on_commit_callbacks)
    old_secret = endpoint.secret

    webhook_endpoint_rotate_secret(endpoint=endpoint)
    clock.shift(timedelta(minutes=1))
    sweep_webhook_deliveries()

    verify = documented_verifier()
    first, retry = receiver.requests
    assert endpoint.secret != old_secret
    assert verify(old_secret, first.headers, first.body) is True
    assert verify(endpoint.secret, retry.headers, retry.body) is True
    assert verify(old_secret, retry.headers, retry.body) is False
    assert retry.headers["Backbone-Webhook-Id"] == first.headers["Backbone-Webhook-Id"]


def test_an_event_is_posted_once_however_often_its_task_and_the_sweep_run(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint_for(personas, receiver)
    [delivery] = emit(personas, django_capture_on_commit_callbacks, execute=False)
    assert receiver.requests == []

    deliver_webhook(delivery.pk)
    deliver_webhook(delivery.pk)
    clock.shift(timedelta(hours=1))
    assert sweep_webhook_deliveries() == 0

    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


def test_an_event_goes_once_to_each_subscribed_endpoint(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    first = endpoint_for(personas, receiver)
    second = endpoint_for(personas, receiver, description="Second copy")

    deliveries = emit(personas, django_capture_on_commit_callbacks)

    assert [d.endpoint_id for d in deliveries] == [first.pk, second.pk]
    assert len({d.event_id for d in deliveries}) == 1
    assert len(receiver.requests) == 2
    signatures = {r.headers["Backbone-Webhook-Signature"] for r in receiver.requests}
    assert len(signatures) == 2  # each endpoint's own secret


def test_a_second_delivery_of_one_event_to_one_endpoint_is_a_database_error(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint_for(personas, receiver)
    [delivery] = emit(personas, django_capture_on_commit_callbacks, execute=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(
            organization=personas.org,
            endpoint=delivery.endpoint,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            payload=delivery.payload,
        )


def test_a_receiver_failing_three_times_sees_retries_with_backoff_then_the_endpoint_is_off_and_staff_emailed_once(  # noqa: E501
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint = endpoint_for(personas, receiver)
    receiver.answer_next(500, 502, 500)

    [delivery] = emit(personas, django_capture_on_commit_callbacks)
    clock.shift(timedelta(seconds=59))
    assert sweep_webhook_deliveries() == 0  # not due yet
    clock.shift(timedelta(seconds=1))
    assert sweep_webhook_deliveries() == 1
    clock.shift(timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):  # the email is sent after commit
        assert sweep_webhook_deliveries() == 1
    clock.shift(timedelta(days=1))
    assert sweep_webhook_deliveries() == 0  # the endpoint is off: nothing more is sent

    assert len(receiver.requests) == 3
    assert len({r.headers["Backbone-Webhook-Id"] for r in receiver.requests}) == 1
    attempts = list(
        WebhookAttempt.objects.filter(delivery=delivery).values_list(
            "number", "at", "response_code", "error", "retry_at"
        )
    )
    assert attempts == [
        (1, T0, 500, "The receiver answered 500.", T0 + timedelta(minutes=1)),
        (
            2,
            T0 + timedelta(minutes=1),
            502,
            "The receiver answered 502.",
            T0 + timedelta(minutes=6),
        ),
        (
            3,
            T0 + timedelta(minutes=6),
            500,
            "The receiver answered 500.",
            T0 + timedelta(minutes=36),
        ),
    ]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 3, 500)
    assert delivery.response_excerpt == "Receiver is down for maintenance"
    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert endpoint.disabled_at == T0 + timedelta(minutes=6)
    assert endpoint.disabled_reason == (
        "3 attempts in a row failed. The last: The receiver answered 500."
    )
    assert endpoint.consecutive_failures == 3
    notices = OutboundEmail.objects.filter(kind="webhook_disabled")
    assert [(n.organization_id, n.to) for n in notices] == [
        (personas.org.pk, ["staff@lakeshore.example.org"])
    ]
    [sent] = mail.outbox
    assert sent.to == ["staff@lakeshore.example.org"]
    assert sent.subject == f"Webhook turned off: {receiver.url}"
    assert "its last 3 attempts failed" in sent.body
    assert f"/o/lakeshore/webhooks/{endpoint.pk}/" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"


def test_turning_it_on_again_sends_what_waited_and_counts_failures_afresh(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint = endpoint_for(personas, receiver)
    receiver.answer_next(500, 500, 500)
    [delivery] = emit(personas, django_capture_on_commit_callbacks)
    for minutes in (1, 5):
        clock.shift(timedelta(minutes=minutes))
        sweep_webhook_deliveries()
    endpoint.refresh_from_db()
    assert endpoint.state == "disabled"
    # Emitted while off: not for this endpoint.
    assert emit(personas, django_capture_on_commit_callbacks) == [delivery]

    with django_capture_on_commit_callbacks(execute=True):
        webhook_endpoint_enable(endpoint=endpoint)

    assert len(receiver.requests) == 4
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 4, 200)
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_at, endpoint.disabled_reason) == (True, None, "")
    assert endpoint.consecutive_failures == 0
    assert OutboundEmail.objects.filter(kind="webhook_disabled").count() == 1


def test_a_delivery_failing_every_attempt_is_retried_on_the_whole_schedule_then_fails(
    personas: Personas,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    clock: Any,
    settings: Any,
) -> None:
    settings.BACKBONE_WEBHOOK_DISABLE_AFTER = 100
    endpoint_for(personas, receiver)
    receiver.answer_next(*[500] * 6)
    [delivery] = emit(personas, django_capture_on_commit_callbacks)

    for wait in (1, 5, 30, 120, 360):
        clock.shift(timedelta(minutes=wait))
        assert sweep_webhook_deliveries() == 1
    clock.shift(timedelta(days=2))

    assert sweep_webhook_deliveries() == 0
    assert len(receiver.requests) == 6
    times = WebhookAttempt.objects.order_by("number").values_list("at", flat=True)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps == [timedelta(minutes=m) for m in (1, 5, 30, 120, 360)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    assert WebhookAttempt.objects.get(number=6).retry_at is None


def test_a_success_resets_the_failures_in_a_row(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint = endpoint_for(personas, receiver)
    receiver.answer_next(500, 500)
    emit(personas, django_capture_on_commit_callbacks)
    emit(personas, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 2

    emit(personas, django_capture_on_commit_callbacks)

    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.active) == (0, True)


def test_a_send_whose_worker_died_is_claimed_again_after_the_timeout(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint_for(personas, receiver)
    [delivery] = emit(personas, django_capture_on_commit_callbacks, execute=False)
    # A worker claimed it and died before sending.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=T0, attempts=1
    )
    assert webhook_delivery_attempt(pk=delivery.pk) is None

    clock.shift(CLAIM_TIMEOUT - timedelta(seconds=1))
    assert sweep_webhook_deliveries() == 0
    clock.shift(timedelta(seconds=2))
    assert sweep_webhook_deliveries() == 1

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_a_new_delivery_whose_task_was_lost_is_sent_by_the_sweep(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint_for(personas, receiver)
    emit(personas, django_capture_on_commit_callbacks, execute=False)

    clock.shift(timedelta(minutes=1))
    assert sweep_webhook_deliveries() == 0  # its own task may still be on its way
    clock.shift(timedelta(minutes=2))
    assert sweep_webhook_deliveries() == 1

    assert len(receiver.requests) == 1


def test_a_redirect_or_a_closed_port_is_a_failed_attempt(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint_for(personas, receiver)
    receiver.answer_next(302)
    [redirected] = emit(personas, django_capture_on_commit_callbacks)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    WebhookEndpoint.objects.update(url=f"http://127.0.0.1:{port}/")

    refused = emit(personas, django_capture_on_commit_callbacks)[-1]

    redirected.refresh_from_db()
    assert (redirected.status, redirected.response_code) == ("pending", 302)
    assert redirected.error == "The receiver answered 302."
    refused.refresh_from_db()
    assert (refused.status, refused.response_code) == ("pending", None)
    assert refused.error.startswith("ConnectionRefusedError: ")
    assert len(receiver.requests) == 1


def test_a_test_event_is_tried_once_whatever_the_endpoint_subscribes_to(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    endpoint = endpoint_for(personas, receiver, events=[EventType.DATA_POINT_ADDED])
    receiver.answer_next(500)

    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_send_test(endpoint=endpoint)
    clock.shift(timedelta(hours=1))
    sweep_webhook_deliveries()

    [request] = receiver.requests
    assert json.loads(request.body)["type"] == "webhook.test"
    assert json.loads(request.body)["data"] == {
        "message": "This is a test event sent from Backbone."
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, 500)
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.consecutive_failures) == (True, 0)


# --- Where webhooks may go -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "http://hooks.example.org/in",
            "Use an https:// address: webhooks are only sent encrypted.",
        ),
        ("https://localhost/in", "Use an address on the public internet."),
        ("https://127.0.0.1/in", "Use an address on the public internet."),
        ("https://10.1.2.3/in", "Use an address on the public internet."),
        ("https://192.168.0.10/in", "Use an address on the public internet."),
        ("https://169.254.169.254/latest/meta-data", "Use an address on the public internet."),
        ("https://[::1]/in", "Use an address on the public internet."),
        ("https://[::ffff:127.0.0.1]/in", "Use an address on the public internet."),
        ("https://100.64.0.1/in", "Use an address on the public internet."),
        ("https://printer.local/in", "Use an address on the public internet."),
        (
            "https://user:pw@hooks.example.org/in",
            "Leave the user name and password out of the address.",
        ),
        ("ftp://hooks.example.org/in", "Give a full web address, starting with https://."),
    ],
)
def test_production_refuses_to_save_an_unencrypted_or_private_address(
    url: str, error: str, personas: Personas, settings: Any
) -> None:
    settings.DEBUG = False
    settings.BACKBONE_WEBHOOK_LOCAL_TARGETS = False

    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(organization=personas.org, url=url, events=[EVENT])

    assert refused.value.message_dict == {"url": [error]}
    assert WebhookEndpoint.objects.count() == 0


def test_production_accepts_a_public_https_address(personas: Personas, settings: Any) -> None:
    settings.DEBUG = False
    settings.BACKBONE_WEBHOOK_LOCAL_TARGETS = False

    check_address("https://hooks.example.org/backbone?source=lakeshore")
    check_address("https://93.184.215.14:8443/in")


def test_production_contacts_nothing_at_an_address_saved_under_development_rules(
    personas: Personas,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    clock: Any,
    settings: Any,
) -> None:
    endpoint_for(personas, receiver)
    settings.DEBUG = False
    settings.BACKBONE_WEBHOOK_LOCAL_TARGETS = False

    [delivery] = emit(personas, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == ("pending", None)
    assert delivery.error == "Use an https:// address: webhooks are only sent encrypted."


def test_production_contacts_nothing_at_a_host_that_resolves_to_a_private_address(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BACKBONE_WEBHOOK_LOCAL_TARGETS = False
    answers = {
        "hooks.example.org": ["93.184.215.14"],
        "rebind.example.org": ["93.184.215.14", "127.0.0.1"],
        "inside.example.org": ["10.0.0.8"],
    }

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    target = resolve("https://hooks.example.org/in?x=1")
    assert (target.host, target.port, target.tls, target.path, target.address) == (
        "hooks.example.org",
        443,
        True,
        "/in?x=1",
        "93.184.215.14",
    )
    for host in ("rebind.example.org", "inside.example.org"):
        with pytest.raises(TargetRefused) as refused:
            resolve(f"https://{host}/in")
        assert str(refused.value) == (
            f"{host} leads to a private or local network address; it was not contacted."
        )


def test_development_may_send_to_this_machine_over_http(personas: Personas) -> None:
    assert settings.BACKBONE_WEBHOOK_LOCAL_TARGETS is True
    endpoint = webhook_endpoint_create(
        organization=personas.org, url="http://127.0.0.1:9/in", events=[EVENT]
    )
    assert endpoint.url == "http://127.0.0.1:9/in"


def test_a_delivery_that_does_not_exist_is_left_alone() -> None:
    assert webhook_delivery_attempt(pk=123456) is None
    assert WebhookAttempt.objects.count() == 0


def test_beat_runs_the_webhook_sweep_every_minute() -> None:
    from config.celery import app

    entry = app.conf.beat_schedule["sweep-webhook-deliveries"]

    assert entry["task"] == "backbone.webhooks.tasks.sweep_webhook_deliveries"
    assert entry["task"] in app.tasks
    assert str(entry["schedule"]) == str(crontab(minute="*"))
