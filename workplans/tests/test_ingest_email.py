"""`manage.py ingest_email`: one raw message on standard input, as a mail server's pipe hands it
over. Exit 0 when stored, a duplicate or empty; 75 (the mail server retries) only when it could
not be stored. Run in-process with call_command, and as a real process fed a file."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from backbone.models import OutboundEmail
from workplans.models import Commitment, HelpRequest, InboundEmail
from workplans.tests.reply_world import REPLY_AT, ReplyWorld, reply_message, reply_world

UNKNOWN = "reply+zz9yy8xx7ww6vv5uu4tt@reply.example.org"
# A reply from an older client: 8-bit Latin-1 body, no Message-ID encoding niceties.
LATIN1 = (
    b"From: Ana Diaz <ana@partners.example.org>\r\n"
    b"To: " + UNKNOWN.encode() + b"\r\n"
    b"Subject: Re: Sus compromisos\r\n"
    b"Message-ID: <latin1-1@correo.example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Ya est\xe1 hecho, gracias.\r\n"
)


def ingest(raw: bytes, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_email", *args, stdin=io.BytesIO(raw), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def world(personas: Any) -> ReplyWorld:
    return reply_world(personas)


def test_a_message_is_stored_byte_for_byte_and_its_processing_queued(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        out, err = ingest(LATIN1)

    row = InboundEmail.objects.get()
    assert out == f"stored: #{row.pk} latin1-1@correo.example.org; processing queued\n"
    assert err == ""
    assert bytes(row.raw) == LATIN1
    assert (row.source, row.status, row.raw_size) == ("pipe", "received", len(LATIN1))
    assert len(queued) == 1


def test_the_same_message_piped_again_is_a_duplicate_and_exits_zero(db: None) -> None:
    ingest(LATIN1)
    row = InboundEmail.objects.get()

    out, err = ingest(LATIN1)

    assert out == (
        f"duplicate: latin1-1@correo.example.org was already received (#{row.pk}, received)\n"
    )
    assert err == ""
    assert InboundEmail.objects.count() == 1


def test_an_empty_message_is_ignored_and_nothing_stored(db: None) -> None:
    out, _ = ingest(b"\r\n  \r\n")

    assert out == "ignored: empty message\n"
    assert InboundEmail.objects.count() == 0


def test_now_processes_the_message_before_answering(db: None) -> None:
    out, _ = ingest(LATIN1, "--now")

    row = InboundEmail.objects.get()
    assert row.status == InboundEmail.Status.UNMATCHED
    assert out == (
        f"stored: #{row.pk} latin1-1@correo.example.org; unmatched (Unknown reply address "
        "token zz9yy8xx7ww6vv5uu4tt (no reminder was sent with it))\n"
    )


def test_an_out_of_office_piped_in_changes_nothing_and_answers_nothing(
    world: ReplyWorld, django_capture_on_commit_callbacks: Any
) -> None:
    message = reply_message(world, "I am out of the office until April 2.")
    message.replace_header("Subject", "Out of Office: " + str(message["Subject"]))
    message["Auto-Submitted"] = "auto-replied"
    before = [(c.status, c.due_date) for c in Commitment.objects.order_by("pk")]
    emails_before = OutboundEmail.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        out, _ = ingest(message.as_bytes())

    row = InboundEmail.objects.get()
    assert out == f"stored: #{row.pk} CAF=reply-1@mail.gmail.com; processing queued\n"
    assert (row.status, row.reason) == ("ignored", "Automatic email (Auto-Submitted: auto-replied)")
    assert [(c.status, c.due_date) for c in Commitment.objects.order_by("pk")] == before
    assert OutboundEmail.objects.count() == emails_before
    assert HelpRequest.objects.count() == 0


@time_machine.travel(REPLY_AT, tick=False)
def test_a_reply_piped_in_is_applied_once(
    world: ReplyWorld, django_capture_on_commit_callbacks: Any
) -> None:
    raw = reply_message(world, "1 is done, 2 I need help with the venue").as_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        out, _ = ingest(raw)
    with django_capture_on_commit_callbacks(execute=True):
        again, _ = ingest(raw)

    row = InboundEmail.objects.get()
    assert out == f"stored: #{row.pk} CAF=reply-1@mail.gmail.com; processing queued\n"
    assert again == (
        f"duplicate: CAF=reply-1@mail.gmail.com was already received (#{row.pk}, applied)\n"
    )
    assert (row.status, row.nag_message_id, row.person_id, row.token) == (
        "applied",
        world.nag.pk,
        world.ana.pk,
        world.nag.token,
    )
    assert row.organization_id == world.org.pk
    assert [world.fresh(n).status for n in (1, 2, 3)] == ["done", "need_help", "open"]
    assert HelpRequest.objects.count() == 1
    # The co-chairs told once, the partner confirmed once — the second pipe added nothing.
    sent = sorted((e.kind, e.to[0]) for e in OutboundEmail.objects.exclude(pk=world.nag.email_id))
    assert sent == [
        ("help_request", "carla@cochairs.example.org"),
        ("help_request", "dev@cochairs.example.org"),
        ("reply_confirmation", "ana@partners.example.org"),
    ]


# --- As a real process, the way Postfix runs it -----------------------------------------------


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    """Development settings on a database file of its own (the test database is not one a
    second process can open), with the development broker's folder in tmp."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "IMAP_URL"}
        and not k.startswith(("EMAIL_", "BACKBONE_", "CELERY_"))
    }
    env.update(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        BACKBONE_VAR_DIR=str(tmp / "var"),
        BACKBONE_ENV_FILE=str(tmp / "no.env"),
        # kombu warns that the development broker has no host name; not this test's business.
        LOG_LEVEL="ERROR",
        **extra,
    )
    return env


def run_command(tmp: Path, message: Path, *args: str, **extra: str) -> Any:
    """`python manage.py ingest_email < message`, as the mail server runs it."""
    with message.open("rb") as stdin:
        return subprocess.run(  # noqa: S603 (our own command, the test's arguments)
            [sys.executable, "manage.py", "ingest_email", *args],
            stdin=stdin,
            capture_output=True,
            cwd=settings.BASE_DIR,
            env=environment(tmp, **extra),
            timeout=120,
            check=False,
        )


def rows(tmp: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(tmp / "db.sqlite3") as db:
        return db.execute(
            "SELECT source, status, message_key, raw, reason FROM workplans_inboundemail"
        ).fetchall()


def test_the_command_as_a_real_process_reads_bytes_from_standard_input(tmp_path: Path) -> None:
    message = tmp_path / "reply.eml"
    message.write_bytes(LATIN1)

    # No tables yet: the message cannot be stored, the mail server must keep it and retry.
    failed = run_command(tmp_path, message)
    assert failed.returncode == 75
    assert failed.stdout == b""
    assert failed.stderr.startswith(b"failed: could not store the message: OperationalError")

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--skip-checks", "-v0"],
        cwd=settings.BASE_DIR,
        env=environment(tmp_path),
        check=True,
        timeout=120,
    )
    stored = run_command(tmp_path, message)
    assert (stored.returncode, stored.stderr) == (0, b"")
    assert stored.stdout == b"stored: #1 latin1-1@correo.example.org; processing queued\n"
    # Queued for the worker: one task message waiting in the development broker's folder.
    assert len(list((tmp_path / "var" / "celery-broker").iterdir())) == 1
    assert rows(tmp_path) == [("pipe", "received", "latin1-1@correo.example.org", LATIN1, "")]

    again = run_command(tmp_path, message, "--now")
    assert (again.returncode, again.stderr) == (0, b"")
    assert again.stdout == (
        b"duplicate: latin1-1@correo.example.org was already received (#1, received)\n"
    )
    assert len(rows(tmp_path)) == 1

    # With tasks run eagerly (no worker), the task runs as the row commits.
    other = tmp_path / "other.eml"
    other.write_bytes(LATIN1.replace(b"latin1-1@", b"latin1-2@"))
    eager = run_command(tmp_path, other, CELERY_TASK_ALWAYS_EAGER="true")
    assert (eager.returncode, eager.stderr) == (0, b"")
    assert eager.stdout == b"stored: #2 latin1-2@correo.example.org; processing queued\n"
    assert rows(tmp_path)[1][:3] == ("pipe", "unmatched", "latin1-2@correo.example.org")
