"""The outbox backend files a list of messages as rows in one INSERT, each message learning its
row, and queues each row's delivery when the transaction commits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backbone.models import OutboundEmail
from backbone.tasks import hand_to_workers


def _messages(count: int) -> list[EmailMultiAlternatives]:
    messages = []
    for n in range(count):
        message = EmailMultiAlternatives(
            subject=f"Note {n}",
            body=f"Hello {n} — ü",
            from_email="Lakeshore <nag@backbone.example>",
            to=[f"partner{n}@partners.example.org"],
            headers={"X-Backbone-Kind": "nag_recap", "Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(f"<p>Hello {n} — ü</p>", "text/html")
        messages.append(message)
    return messages


def _sent(messages: list[EmailMultiAlternatives]) -> list[OutboundEmail]:
    return [m.outbound_email for m in messages]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_many_messages_are_one_insert_and_each_knows_its_row(
    django_capture_on_commit_callbacks: Any,
) -> None:
    messages = _messages(3)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        assert get_connection().send_messages(messages) == 3

    assert len(queries) == 1
    rows = _sent(messages)
    assert [r.pk for r in rows] == list(
        OutboundEmail.objects.order_by("id").values_list("pk", flat=True)
    )
    stored = OutboundEmail.objects.get(pk=rows[1].pk)
    assert (stored.kind, stored.to, stored.subject) == (
        "nag_recap",
        ["partner1@partners.example.org"],
        "Note 1",
    )
    assert (stored.body_text, stored.body_html) == ("Hello 1 — ü", "<p>Hello 1 — ü</p>")
    assert stored.headers == {"Auto-Submitted": "auto-generated"}
    assert stored.status == OutboundEmail.Status.QUEUED
    # One hand-over to the workers on commit, of all three rows.
    assert [(c.func, c.args) for c in callbacks] == [(hand_to_workers, ([r.pk for r in rows],))]


@pytest.mark.django_db
def test_without_ids_from_a_bulk_insert_each_row_is_saved_alone(monkeypatch: Any) -> None:
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    messages = _messages(2)

    with CaptureQueriesContext(connection) as queries:
        assert get_connection().send_messages(messages) == 2

    assert len(queries) == 2
    assert [r.pk for r in _sent(messages)] == list(
        OutboundEmail.objects.order_by("id").values_list("pk", flat=True)
    )


def test_an_empty_list_writes_nothing() -> None:
    assert get_connection().send_messages([]) == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_insert_binds_its_values_on_the_server_and_stores_them_exactly() -> None:
    import psycopg

    awkward = 'O\'Brien & Sons \\ %s %(name)s $1 "quoted" — ü 😀\ttab\r\nCRLF'
    message = EmailMultiAlternatives(
        subject=f"Subject {awkward}",
        body=f"Text {awkward}" * 2000,
        from_email="Lakeshore <nag@backbone.example>",
        to=["partner@partners.example.org"],
        reply_to=["reply+abc@reply.backbone.example"],
        headers={"X-Backbone-Kind": "nag_recap", "X-Note": awkward},
    )
    message.attach_alternative(f"<p>{awkward}</p>" * 2000, "text/html")
    cursors: list[Any] = []

    def look(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        cursors.append(type(context["cursor"].cursor))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(look):
        assert get_connection().send_messages([message]) == 1
        OutboundEmail.objects.count()

    # The insert went with server-side binding; the next query is back to Django's default.
    assert len(cursors) == 2
    assert issubclass(cursors[0], psycopg.Cursor)
    assert not issubclass(cursors[0], psycopg.ClientCursor)
    assert issubclass(cursors[1], psycopg.ClientCursor)
    stored = OutboundEmail.objects.get()
    assert stored.subject == f"Subject {awkward}"
    assert stored.body_text == f"Text {awkward}" * 2000
    assert stored.body_html == f"<p>{awkward}</p>" * 2000
    assert stored.headers == {"X-Note": awkward}
    assert stored.reply_to == ["reply+abc@reply.backbone.example"]
