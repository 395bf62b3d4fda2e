"""The outbox: every email is a row first, then delivered exactly once by a worker (or kept)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from backbone.mail import delivery
from backbone.mail.compose import compose
from backbone.mail.delivery import outbound_email_deliver, stuck_email_ids
from backbone.models import OutboundEmail
from backbone.roles import Role
from backbone.tasks import deliver_email, deliver_emails, requeue_stuck_emails
from config.celery import app as celery_app
from tests.factories import OutboundEmailFactory

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _send(organization: Any = None, **overrides: Any) -> int:
    """Send one product email the way every app does (compose → EmailMessage.send)."""
    message = compose(
        kind="invitation",
        to=overrides.pop("to", ["grace@example.org"]),
        organization=organization,
        reply_to=overrides.pop("reply_to", ["maria@lakeshore.example.org"]),
        context={"invitation": None, "inviter": None, "accept_url": "https://x.test/invite/t/"},
    )
    return message.send()


def _email(**fields: Any) -> OutboundEmail:
    row: Any = OutboundEmailFactory(**fields)
    assert isinstance(row, OutboundEmail)
    return row


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def failing_smtp(settings: Any, closed_port: int) -> None:
    settings.BACKBONE_EMAIL_DELIVERY = "smtp"
    settings.BACKBONE_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


@pytest.fixture
def as_task_attempt() -> Iterator[Any]:
    """Run deliver_email's body as attempt number `retries` (0-based) of an eager task, so a
    retry is raised (and can be inspected) instead of being run again at once."""
    pushed = 0

    def _run(pk: int, retries: int) -> None:
        nonlocal pushed
        request: dict[str, Any] = {
            "retries": retries,
            "is_eager": True,
            "called_directly": False,
            "id": f"attempt-{retries}",
        }
        deliver_email.push_request(**request)
        pushed += 1
        deliver_email.run(pk)

    yield _run
    for _ in range(pushed):
        deliver_email.pop_request()


@pytest.mark.django_db
def test_outbox_backend_records_every_message(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = _send(personas.org, to=["grace@example.org", "tran@example.org"])

    assert sent == 1
    assert len(callbacks) == 1
    row = OutboundEmail.objects.get()
    assert row.organization == personas.org
    assert row.kind == "invitation"
    assert row.to == ["grace@example.org", "tran@example.org"]
    assert row.cc == []
    assert row.reply_to == ["maria@lakeshore.example.org"]
    assert row.from_email == "Lakeshore Learning Partnership <backbone@localhost>"
    assert row.subject == "You are invited to join Lakeshore Learning Partnership on Backbone"
    assert "https://x.test/invite/t/" in row.body_text
    assert 'href="https://x.test/invite/t/"' in row.body_html
    # The internal filing headers are read, not stored or sent.
    assert row.headers == {}
    assert row.status == OutboundEmail.Status.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    assert len(mail.outbox) == 1
    delivered = mail.outbox[0]
    assert delivered.to == row.to
    assert delivered.subject == row.subject
    assert delivered.body == row.body_text
    # The one header delivery adds: a Message-ID kept on the row (the same on every retry).
    row.refresh_from_db()
    assert delivered.extra_headers == {"Message-ID": row.message_id}
    assert row.message_id.startswith("<")
    assert row.message_id.endswith("@localhost>")


@pytest.mark.django_db
def test_plain_django_mail_is_recorded_as_an_account_email(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        EmailMessage("Hi", "Body", "from@example.org", ["to@example.org"]).send()

    row = OutboundEmail.objects.get()
    assert (row.organization, row.kind, row.subject, row.body_text, row.body_html) == (
        None,
        "account",
        "Hi",
        "Body",
        "",
    )
    assert row.to == ["to@example.org"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_outbox_delivery_keeps_the_email_and_delivers_nothing(
    settings: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BACKBONE_EMAIL_DELIVERY = "outbox"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _send(personas.org)

    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.KEPT
    assert row.attempts == 0
    assert row.sent_at is None
    assert callbacks == []
    assert mail.outbox == []
    # A kept email is never picked up by the sweep either.
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert stuck_email_ids() == []


@pytest.mark.django_db(transaction=True)
def test_a_real_smtp_server_receives_exactly_the_message(personas: Any, smtp_server: Any) -> None:
    personas.org.sender_name = "Lakeshore Reads"
    personas.org.save()

    _send(personas.org, to=["grace@example.org", "tran@example.org"])

    received = smtp_server.wait_for(1)
    assert len(received) == 1
    got = received[0]
    assert sorted(got.rcpt_tos) == ["grace@example.org", "tran@example.org"]
    assert got.mail_from == "backbone@localhost"
    message = got.message
    assert (
        message["Subject"] == "You are invited to join Lakeshore Learning Partnership on Backbone"
    )
    assert parseaddr(message["From"]) == ("Lakeshore Reads", "backbone@localhost")
    assert message["To"] == "grace@example.org, tran@example.org"
    assert message["Reply-To"] == "maria@lakeshore.example.org"
    assert message["X-Backbone-Organization"] is None
    assert message["X-Backbone-Kind"] is None
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    row = OutboundEmail.objects.get()
    assert got.text.replace("\r\n", "\n") == row.body_text
    assert got.html.replace("\r\n", "\n") == row.body_html
    assert 'href="https://x.test/invite/t/"' in got.html
    assert row.status == OutboundEmail.Status.SENT
    assert row.attempts == 1
    assert row.error == ""
    time_sent = row.sent_at
    assert time_sent is not None

    # Delivering the row again (a duplicate task, the sweep) sends nothing more.
    assert outbound_email_deliver(pk=row.pk) is None
    deliver_email.delay(row.pk)
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (OutboundEmail.Status.SENT, 1, time_sent)


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_one_email_after_another_over_one_smtp_session(
    personas: Any, smtp_server: Any
) -> None:
    for n in range(3):
        _send(personas.org, to=[f"p{n}@example.org"])

    received = smtp_server.wait_for(3)
    assert sorted(r.rcpt_tos[0] for r in received) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    assert smtp_server.sessions == 1
    assert list(OutboundEmail.objects.values_list("status", "attempts")) == [("sent", 1)] * 3


@pytest.mark.django_db(transaction=True)
def test_a_server_restart_between_emails_costs_no_email_and_no_attempt(
    personas: Any, smtp_server: Any
) -> None:
    _send(personas.org, to=["first@example.org"])
    assert len(smtp_server.wait_for(1)) == 1
    # The server goes away and comes back on the same port: the kept session is dead.
    smtp_server.restart()

    _send(personas.org, to=["second@example.org"])

    received = smtp_server.wait_for(2)
    assert [r.rcpt_tos for r in received] == [["first@example.org"], ["second@example.org"]]
    assert smtp_server.sessions == 2
    assert list(OutboundEmail.objects.order_by("pk").values_list("status", "attempts")) == [
        ("sent", 1),
        ("sent", 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_an_idle_session_is_not_trusted(
    personas: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery._Transport, "IDLE_SECONDS", 0.0)
    for n in range(2):
        _send(personas.org, to=[f"p{n}@example.org"])

    assert len(smtp_server.wait_for(2)) == 2
    assert smtp_server.sessions == 2


@pytest.mark.django_db
def test_transport_failure_keeps_the_row_queued_with_a_retry_scheduled(
    personas: Any, failing_smtp: None, as_task_attempt: Any
) -> None:
    row = _email(organization=personas.org, status=OutboundEmail.Status.QUEUED)

    with time_machine.travel(NOW, tick=False), pytest.raises(Retry) as retry:
        as_task_attempt(row.pk, retries=0)

    assert retry.value.when == 30
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.QUEUED
    assert row.attempts == 1
    assert row.error.startswith("ConnectionRefusedError: ")
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    assert row.claimed_at is None
    assert row.sent_at is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_backoff_doubles_with_each_retry(
    personas: Any, failing_smtp: None, as_task_attempt: Any
) -> None:
    row = _email(organization=personas.org, status=OutboundEmail.Status.QUEUED)

    with time_machine.travel(NOW, tick=False), pytest.raises(Retry) as retry:
        as_task_attempt(row.pk, retries=3)

    assert retry.value.when == 240
    row.refresh_from_db()
    assert row.next_attempt_at == NOW + timedelta(minutes=4)
    assert row.status == OutboundEmail.Status.QUEUED


@pytest.mark.django_db
def test_last_attempt_failing_marks_the_email_failed(
    personas: Any, failing_smtp: None, as_task_attempt: Any
) -> None:
    row = _email(organization=personas.org, status=OutboundEmail.Status.QUEUED)

    as_task_attempt(row.pk, retries=5)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert row.error.startswith("ConnectionRefusedError: ")
    assert row.claimed_at is None
    assert row.sent_at is None
    assert stuck_email_ids(now=timezone.now() + timedelta(hours=1)) == []


@pytest.mark.django_db
def test_an_unreachable_server_ends_failed_after_six_attempts(
    personas: Any, failing_smtp: None, django_capture_on_commit_callbacks: Any
) -> None:
    # Eager Celery runs each retry at once, so the whole retry chain happens inside send();
    # without propagation, as a worker would, a retry is not an error of the caller.
    celery_app.conf.task_eager_propagates = False
    with django_capture_on_commit_callbacks(execute=True):
        _send(personas.org)

    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.FAILED
    assert row.attempts == 6
    assert row.error.startswith("ConnectionRefusedError: ")
    assert mail.outbox == []


def _queued(age: timedelta, **fields: Any) -> OutboundEmail:
    with time_machine.travel(NOW - age, tick=False):
        fields.setdefault("status", OutboundEmail.Status.QUEUED)
        row: OutboundEmail = _email(**fields)
    return row


@pytest.mark.django_db
def test_sweep_picks_only_queued_rows_that_lost_their_task() -> None:
    stuck = _queued(timedelta(minutes=3))
    dead_claim = _queued(timedelta(minutes=30), claimed_at=NOW - timedelta(minutes=11))
    retry_due = _queued(timedelta(minutes=5), next_attempt_at=NOW - timedelta(seconds=1))
    _queued(timedelta(minutes=1))  # fresh: its task is probably on its way
    _queued(timedelta(minutes=5), next_attempt_at=NOW + timedelta(seconds=30))  # backing off
    _queued(timedelta(minutes=5), claimed_at=NOW - timedelta(minutes=1))  # a worker holds it
    _queued(timedelta(minutes=5), status=OutboundEmail.Status.SENT)
    _queued(timedelta(minutes=5), status=OutboundEmail.Status.KEPT)
    _queued(timedelta(minutes=5), status=OutboundEmail.Status.FAILED)

    assert sorted(stuck_email_ids(now=NOW)) == sorted([stuck.pk, dead_claim.pk, retry_due.pk])


@pytest.mark.django_db
def test_sweep_boundary_is_two_minutes() -> None:
    just_under = _queued(timedelta(minutes=2) - timedelta(seconds=1))
    just_over = _queued(timedelta(minutes=2) + timedelta(seconds=1))

    assert stuck_email_ids(now=NOW) == [just_over.pk]
    assert just_under.pk not in stuck_email_ids(now=NOW)


@pytest.mark.django_db(transaction=True)
def test_requeue_task_delivers_stuck_emails_once() -> None:
    stuck = _queued(timedelta(minutes=3))
    fresh = _queued(timedelta(seconds=10))

    with time_machine.travel(NOW, tick=False):
        assert requeue_stuck_emails() == 1
        assert requeue_stuck_emails() == 0

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (OutboundEmail.Status.SENT, 1)
    assert (fresh.status, fresh.attempts) == (OutboundEmail.Status.QUEUED, 0)
    assert [m.subject for m in mail.outbox] == [stuck.subject]


@pytest.mark.django_db
def test_delivering_a_sent_row_again_sends_nothing() -> None:
    row = _email(status=OutboundEmail.Status.QUEUED)
    assert outbound_email_deliver(pk=row.pk) is not None
    assert len(mail.outbox) == 1

    assert outbound_email_deliver(pk=row.pk) is None
    deliver_email.delay(row.pk)

    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundEmail.Status.SENT, 1)


@pytest.mark.django_db
def test_a_row_claimed_by_a_live_worker_is_not_sent_by_another() -> None:
    row = _email(status=OutboundEmail.Status.QUEUED, claimed_at=timezone.now())

    assert outbound_email_deliver(pk=row.pk) is None

    assert mail.outbox == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundEmail.Status.QUEUED, 0)


def _file_together(organization: Any, addresses: list[str]) -> list[OutboundEmail]:
    """File several emails in one call to the outbox, as the NAG sweep does."""
    messages = [
        compose(
            kind="invitation",
            to=[address],
            organization=organization,
            context={"invitation": None, "inviter": None, "accept_url": "https://x.test/i/"},
        )
        for address in addresses
    ]
    get_connection().send_messages(messages)
    return [m.outbound_email for m in messages]  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_emails_filed_together_go_out_in_one_task_over_one_session(
    personas: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[int]] = []
    singles: list[int] = []
    run_batch = deliver_emails.delay

    def delay(pks: list[int]) -> Any:
        batches.append(pks)
        return run_batch(pks)

    monkeypatch.setattr(deliver_emails, "delay", delay)
    monkeypatch.setattr(deliver_email, "delay", singles.append)
    addresses = [f"p{n}@example.org" for n in range(12)]

    rows = _file_together(personas.org, addresses)

    # Ten per task: twelve emails are two tasks, and no single-email task.
    assert batches == [[r.pk for r in rows[:10]], [r.pk for r in rows[10:]]]
    assert singles == []
    received = smtp_server.wait_for(12)
    assert [r.rcpt_tos for r in received] == [[a] for a in addresses]
    assert smtp_server.sessions == 1
    sent = list(OutboundEmail.objects.order_by("pk").values_list("status", "attempts", "error"))
    assert sent == [("sent", 1, "")] * 12
    ids = [r.message["Message-ID"] for r in received]
    assert len(set(ids)) == 12
    assert sorted(ids) == sorted(OutboundEmail.objects.values_list("message_id", flat=True))


@pytest.mark.django_db
def test_a_batch_costs_one_query_and_two_per_email(
    personas: Any, django_assert_num_queries: Any
) -> None:
    rows = [_email(organization=personas.org, status=OutboundEmail.Status.QUEUED) for _ in range(4)]

    with django_assert_num_queries(1 + 2 * 4):
        assert delivery.outbound_emails_deliver(pks=[r.pk for r in rows]) == []

    assert [m.to for m in mail.outbox] == [r.to for r in rows]


@pytest.mark.django_db
def test_a_batch_sends_only_what_is_still_its_own(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent, held by a live worker, or attempted by another worker since the batch read it
    (that worker failed and scheduled its own retry): none of these is sent by the batch."""
    org = personas.org
    first = _email(organization=org, status=OutboundEmail.Status.QUEUED)
    sent = _email(organization=org, status=OutboundEmail.Status.SENT, attempts=1)
    held = _email(organization=org, status=OutboundEmail.Status.QUEUED, claimed_at=timezone.now())
    overtaken = _email(organization=org, status=OutboundEmail.Status.QUEUED)
    last = _email(organization=org, status=OutboundEmail.Status.QUEUED)
    send = delivery._transport.send

    def other_worker_tries_overtaken_meanwhile(message: Any) -> None:
        if message.to == first.to:
            OutboundEmail.objects.filter(pk=overtaken.pk).update(
                attempts=1, error="SMTPServerDisconnected: gone", next_attempt_at=timezone.now()
            )
        send(message)

    monkeypatch.setattr(delivery._transport, "send", other_worker_tries_overtaken_meanwhile)

    failed = delivery.outbound_emails_deliver(
        pks=[first.pk, sent.pk, held.pk, overtaken.pk, last.pk]
    )

    assert failed == []
    assert [m.to for m in mail.outbox] == [first.to, last.to]
    states = {row.pk: (row.status, row.attempts) for row in OutboundEmail.objects.all()}
    assert states == {
        first.pk: ("sent", 1),
        sent.pk: ("sent", 1),
        held.pk: ("queued", 0),
        overtaken.pk: ("queued", 1),
        last.pk: ("sent", 1),
    }


@pytest.mark.django_db(transaction=True)
def test_an_email_of_a_batch_the_server_defers_is_retried_alone(
    personas: Any, smtp_server: Any
) -> None:
    # Eager Celery runs each retry at once (see the six-attempts test above).
    celery_app.conf.task_eager_propagates = False
    smtp_server.defer("later@example.org")

    rows = _file_together(
        personas.org, ["first@example.org", "later@example.org", "third@example.org"]
    )

    received = smtp_server.wait_for(2)
    assert [r.rcpt_tos for r in received] == [["first@example.org"], ["third@example.org"]]
    states = list(OutboundEmail.objects.order_by("pk").values_list("pk", "status", "attempts"))
    # The deferred one went on alone through deliver_email's retries, the batch's attempt
    # counted as its first: six in all, then failed.
    assert states == [
        (rows[0].pk, "sent", 1),
        (rows[1].pk, "failed", 6),
        (rows[2].pk, "sent", 1),
    ]
    later = OutboundEmail.objects.get(pk=rows[1].pk)
    assert later.error.startswith("SMTPRecipientsRefused: ")
    assert "451" in later.error


# --- The outbox pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_the_outbox_list_and_an_email(login: Any, personas: Any) -> None:
    mine = _email(
        organization=personas.org,
        subject="Reminder: literacy workgroup",
        to=["tran@example.org"],
        reply_to=["maria@lakeshore.example.org"],
        body_text="Please send the sign-up numbers.",
        body_html="<p>Please send the <b>sign-up</b> numbers.</p>",
    )
    theirs = _email(organization=personas.other_org, subject="Riverside news")
    _email(organization=None, subject="Password Reset Email")
    client = login(personas.staff)

    listing = client.get("/o/lakeshore/outbox/")

    assert listing.status_code == 200
    assert [e.pk for e in listing.context["page"].object_list] == [mine.pk]
    content = listing.content.decode()
    assert "Reminder: literacy workgroup" in content
    assert "tran@example.org" in content
    assert "Sent" in content
    assert "Riverside news" not in content
    assert "Password Reset Email" not in content

    detail = client.get(f"/o/lakeshore/outbox/{mine.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    for text in (
        "Reminder: literacy workgroup",
        "tran@example.org",
        "maria@lakeshore.example.org",
        "Please send the sign-up numbers.",
        "&lt;p&gt;Please send the &lt;b&gt;sign-up&lt;/b&gt; numbers.&lt;/p&gt;",
    ):
        assert text in body
    assert client.get(f"/o/lakeshore/outbox/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
def test_failed_email_shows_its_error(login: Any, personas: Any) -> None:
    row = _email(
        organization=personas.org,
        status=OutboundEmail.Status.FAILED,
        error="SMTPRecipientsRefused: mailbox unavailable",
    )

    body = login(personas.staff).get(f"/o/lakeshore/outbox/{row.pk}/").content.decode()

    assert "Failed" in body
    assert "SMTPRecipientsRefused: mailbox unavailable" in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_non_staff_may_not_read_the_outbox(login: Any, personas: Any, role: str) -> None:
    row = _email(organization=personas.org)
    client = login(personas.by_role(role))

    responses = [client.get("/o/lakeshore/outbox/"), client.get(f"/o/lakeshore/outbox/{row.pk}/")]

    assert [r.status_code for r in responses] == [403, 403]
    assert b"Your role does not include this" in responses[0].content


@pytest.mark.django_db
def test_outsider_gets_404_for_the_outbox(login: Any, personas: Any) -> None:
    row = _email(organization=personas.org)
    client = login(personas.outsider)

    responses = [
        client.get("/o/lakeshore/outbox/"),
        client.get(f"/o/lakeshore/outbox/{row.pk}/"),
        client.get(f"/o/riverside/outbox/{row.pk}/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_outbox_names_each_kind_of_email_in_words(login: Any, personas: Any) -> None:
    OutboundEmailFactory(organization=personas.org, kind="invitation", subject="Join us")
    OutboundEmailFactory(organization=personas.org, kind="weekly_digest", subject="Digest")

    page = login(personas.staff).get("/o/lakeshore/outbox/").content.decode()

    assert '<small class="muted">Invitation</small>' in page
    assert '<small class="muted">Weekly digest</small>' in page
    assert ">invitation<" not in page


@pytest.mark.django_db
def test_a_retried_email_keeps_its_message_id(settings: Any) -> None:
    row: Any = OutboundEmailFactory(status=OutboundEmail.Status.QUEUED)
    settings.BACKBONE_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.filter(pk=row.pk).update(message_id="<first-try@example.org>")

    outbound_email_deliver(pk=row.pk)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert row.message_id == "<first-try@example.org>"
    assert mail.outbox[-1].extra_headers["Message-ID"] == "<first-try@example.org>"
