"""SMTP delivery flattens messages with backbone.mail.smtp.as_bytes: the same bytes Django's
own `message().as_bytes(linesep="\\r\\n")` gives, for every shape of message the product sends."""

from __future__ import annotations

import email
import email.policy
import random
import re
import smtplib
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends import smtp

from backbone.mail import delivery
from backbone.mail.smtp import SMTP, SMTP_SSL, EmailBackend, as_bytes, dot_stuff

LONG_LINE = "x" * 1200  # over SMTP's 998: Django switches that part to quoted-printable

BODIES = [
    ("plain ASCII\nsecond line\n", None),
    ("Ünïcödé — “quotes”\r\nCRLF line\rCR line\nFrom the start of a line\n", None),
    ("no final newline", "<p>no final newline</p>"),
    ("", "<p>only HTML</p>\n"),
    (f"{LONG_LINE}\n", f"<p>{LONG_LINE}</p>\n"),
    (
        "\n".join(f"{n}. Tâche numéro {n} — by Dec 4" for n in range(2000)),
        "\n".join(f"<tr><td>Tâche {n}</td><td>Ana Núñez</td></tr>" for n in range(2000)),
    ),
]


def _message(text: str, html: str | None, attach: bool = False) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Vos engagements — Lakeshore",
        body=text,
        from_email='"Lakeshore Reads" <nag@backbone.example>',
        to=["ana@partners.example.org"],
        reply_to=["reply+abc123@reply.backbone.example"],
        headers={
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": "<https://backbone.example/u/token/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": "<fixed@backbone.example>",
            "Date": "Tue, 10 Mar 2026 15:00:00 -0000",
        },
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    if attach:
        message.attach("packet.pdf", b"%PDF-1.4 \x00\x01\xff" * 300, "application/pdf")
        message.attach("notes.txt", "Notes\nzwei Zeilen — ü\n", "text/plain")
    return message


@pytest.mark.parametrize(("text", "html"), BODIES)
@pytest.mark.parametrize("attach", [False, True])
def test_the_bytes_are_djangos(text: str, html: str | None, attach: bool) -> None:
    mime = _message(text, html, attach).message()
    # Flattened first by Django: that picks the multipart boundary, which the second keeps.
    expected = mime.as_bytes(linesep="\r\n")  # type: ignore[call-arg]

    assert as_bytes(mime) == expected
    assert expected.count(b"\r\n") > 10


def test_smtp_delivery_uses_it(settings: Any) -> None:
    settings.BACKBONE_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert delivery._backend() == "backbone.mail.smtp.EmailBackend"
    assert issubclass(EmailBackend, smtp.EmailBackend)
    settings.BACKBONE_DELIVERY_BACKEND = "anymail.backends.postmark.EmailBackend"
    assert delivery._backend() == "anymail.backends.postmark.EmailBackend"


def test_each_multipart_part_gets_its_own_random_boundary_and_reads_back_whole() -> None:
    text, html = BODIES[-1]
    mime = _message(text, html, attach=True).message()

    data = as_bytes(mime)

    boundaries = [p.get_boundary() for p in mime.walk() if p.is_multipart()]
    assert len(boundaries) == 2  # mixed (the attachments) around alternative (text, HTML)
    assert len(set(boundaries)) == 2
    assert all(re.fullmatch(r"={15}[0-9a-f]{32}==", b or "") for b in boundaries)
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    plain = parsed.get_body(("plain",))
    rich = parsed.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == text
    assert rich.get_content().replace("\r\n", "\n").rstrip("\n") == html
    assert [a.get_filename() for a in parsed.iter_attachments()] == ["packet.pdf", "notes.txt"]


STUFFING_CASES = [
    b"",
    b".",
    b".\r\n",
    b"..\r\n",
    b"a\r\n.b\r\n..c\r\n.\r\nend\r\n",
    b"no line end at the end",
    b"bare\n.line feed\r.carriage return\r\n",
    b"\r\n.\r\n.\r\n",
    b"x" * 5000 + b"\r\n." + b"y" * 5000,
]


@pytest.mark.parametrize("data", STUFFING_CASES)
def test_dot_stuffing_is_smtplibs(data: bytes) -> None:
    expected = smtplib._quote_periods(data)  # type: ignore[attr-defined]
    if not expected.endswith(b"\r\n"):
        expected += b"\r\n"

    assert dot_stuff(data) == expected + b".\r\n"


def test_dot_stuffing_is_smtplibs_on_random_bytes() -> None:
    rng = random.Random(20261121)
    for _ in range(500):
        data = bytes(rng.choice(b".\r\nab") for _ in range(rng.randrange(40)))
        expected = smtplib._quote_periods(data)  # type: ignore[attr-defined]
        if not expected.endswith(b"\r\n"):
            expected += b"\r\n"
        assert dot_stuff(data) == expected + b".\r\n", data


def test_the_backend_connects_with_its_own_client() -> None:
    assert EmailBackend(use_ssl=False).connection_class is SMTP
    assert EmailBackend(use_ssl=True).connection_class is SMTP_SSL
    assert issubclass(SMTP_SSL, smtplib.SMTP_SSL)


@pytest.mark.django_db
def test_lines_starting_with_a_dot_arrive_whole(smtp_server: Any) -> None:
    """A line holding only "." ends the message in SMTP: sent unstuffed, the server would
    take the rest of the body for commands."""
    text = ".first line\n.\n..two dots\nlast line\n"
    html = "<p>\n.\n</p>\n"
    backend = EmailBackend(host="127.0.0.1", port=smtp_server.port, use_tls=False)

    assert backend.send_messages([_message(text, html)]) == 1

    received = smtp_server.wait_for(1)
    assert len(received) == 1
    assert received[0].text.replace("\r\n", "\n") == text
    assert received[0].html.replace("\r\n", "\n") == html
