"""Replies read from a mailbox: a real IMAP server (Debian's Dovecot, started by the test on a
free loopback port with its own configuration in a temporary folder) holds the messages; the
beat task stores each unseen one once, then marks it seen — and only once it is stored."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from backbone.models import OutboundEmail
from workplans import inbound
from workplans.imap import ImapTarget, imap_poll, parse_imap_url
from workplans.models import InboundEmail
from workplans.tasks import poll_imap_mailbox
from workplans.tests.reply_world import REPLY_AT, reply_message, reply_world

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "replies@lakeshore.example.org", "s3cret p@ss"


@dataclass
class Dovecot:
    port: int
    log: Path

    def url(self, mailbox: str = "INBOX") -> str:
        return f"imap://replies%40lakeshore.example.org:s3cret%20p%40ss@127.0.0.1:{self.port}/{mailbox}"

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, raw: bytes, *, seen: bool = False, mailbox: str = "INBOX") -> None:
        conn = self.client()
        try:
            status, _ = conn.append(mailbox, "(\\Seen)" if seen else None, None, raw)
            assert status == "OK"
        finally:
            conn.logout()

    def flags(self, mailbox: str = "INBOX") -> list[tuple[str, bool]]:
        """(Message-ID, seen) of every message in the mailbox, in order; read without marking."""
        conn = self.client()
        try:
            conn.select(mailbox, readonly=True)
            _, found = conn.uid("SEARCH", "ALL")
            result = []
            for uid in found[0].split():
                _, data = conn.uid(
                    "FETCH", uid.decode(), "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
                )
                head = data[0]
                assert isinstance(head, tuple)
                message_id = head[1].decode().split(":", 1)[1].strip()
                result.append((message_id, b"\\Seen" in head[0]))
            return result
        finally:
            conn.logout()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(folder: Path, port: int) -> str:
    if os.geteuid() == 0:
        # Dovecot refuses to run its login and internal processes as root: as root, use the
        # unprivileged users its Debian package creates, and let mail be owned by "dovecot".
        internal, internal_group, login = "dovecot", "dovecot", "dovenull"
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        internal_group = grp.getgrgid(os.getgid()).gr_name
        uid, gid = os.getuid(), os.getgid()
    home = folder / "home"
    home.mkdir()
    os.chown(home, uid, gid)
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    return f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = {min(uid, 100)}
mail_location = maildir:{home}/%n/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not os.path.exists(DOVECOT):
        # Skipped tests fail in CI (tests/fixtures.py); .ci/run installs dovecot-imapd.
        pytest.skip("needs Dovecot: apt-get install dovecot-imapd")
    # Dovecot's processes run as other users: the folder must be theirs to enter.
    folder = Path(tempfile.mkdtemp(prefix="backbone-dovecot-"))
    folder.chmod(0o755)
    for sub in ("run", "state"):
        (folder / sub).mkdir()
    port = _free_port()
    (folder / "dovecot.conf").write_text(_config(folder, port))
    process = subprocess.Popen(  # noqa: S603 (a fixed program and our own configuration)
        [DOVECOT, "-F", "-c", str(folder / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Dovecot(port=port, log=folder / "dovecot.log")
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                server.client().logout()
                break
            except (OSError, imaplib.IMAP4.error):
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    log = server.log.read_text() if server.log.exists() else ""
                    pytest.fail(f"Dovecot did not start:\n{output}\n{log}")
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)


def imap_message(message_id: str, *, to: str, subject: str = "Re: Your commitments") -> bytes:
    return (
        f"From: Omar <omar@partners.example.org>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
    ).encode()


# --- Polling a real mailbox ---------------------------------------------------------------------


@time_machine.travel(REPLY_AT, tick=False)
@pytest.mark.django_db(transaction=True)
def test_poll_stores_each_unseen_message_once_then_marks_it_seen(
    personas: Any, dovecot: Dovecot, settings: Any
) -> None:
    world = reply_world(personas)
    reply = reply_message(world, "1 is done, 2 I need help with the venue").as_bytes()
    away = reply_message(world, "Away until April 2.", message_id="<ooo-1@mail.example>")
    away.replace_header("Subject", "Out of Office: " + str(away["Subject"]))
    dovecot.append(imap_message("read-1@x", to=world.reply_address), seen=True)
    dovecot.append(reply)
    dovecot.append(away.as_bytes())
    settings.IMAP_TARGET = parse_imap_url(dovecot.url())
    emails_before = OutboundEmail.objects.count()

    assert poll_imap_mailbox.delay().result == 2

    rows = dict(InboundEmail.objects.values_list("message_key", "status"))
    assert rows == {"CAF=reply-1@mail.gmail.com": "applied", "ooo-1@mail.example": "ignored"}
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {"imap"}
    stored = InboundEmail.objects.get(message_key="CAF=reply-1@mail.gmail.com")
    # As the server keeps it: imaplib's APPEND sends CRLF line ends.
    assert bytes(stored.raw) == reply.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert [world.fresh(n).status for n in (1, 2, 3)] == ["done", "need_help", "open"]
    assert OutboundEmail.objects.count() == emails_before + 3
    assert dovecot.flags() == [
        ("<read-1@x>", True),
        ("<CAF=reply-1@mail.gmail.com>", True),
        ("<ooo-1@mail.example>", True),
    ]

    # The next minute: nothing unseen, nothing stored, nothing sent.
    assert poll_imap_mailbox.delay().result == 0
    assert InboundEmail.objects.count() == 2
    assert OutboundEmail.objects.count() == emails_before + 3


@pytest.mark.django_db(transaction=True)
def test_a_message_that_could_not_be_stored_stays_unseen_for_the_next_poll(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    to = "reply+zz9yy8xx7ww6vv5uu4tt@reply.localhost"
    dovecot.append(imap_message("first@x", to=to))
    dovecot.append(imap_message("second@x", to=to))
    target = parse_imap_url(dovecot.url())
    assert target is not None
    real_receive = inbound.inbound_receive

    def database_gone_at_the_second(**kwargs: Any) -> Any:
        if b"second@x" in kwargs["raw"]:
            raise DatabaseError("server closed the connection unexpectedly")
        return real_receive(**kwargs)

    # The storage failing is the one thing simulated: the database going away mid-poll.
    monkeypatch.setattr(inbound, "inbound_receive", database_gone_at_the_second)
    with pytest.raises(DatabaseError):
        imap_poll(target=target)

    assert list(InboundEmail.objects.values_list("message_key", flat=True)) == ["first@x"]
    assert dovecot.flags() == [("<first@x>", True), ("<second@x>", False)]

    monkeypatch.setattr(inbound, "inbound_receive", real_receive)
    result = imap_poll(target=target)

    assert (result.unseen, result.stored, result.duplicates) == (1, 1, 0)
    assert sorted(InboundEmail.objects.values_list("message_key", flat=True)) == [
        "first@x",
        "second@x",
    ]
    assert dovecot.flags() == [("<first@x>", True), ("<second@x>", True)]


@pytest.mark.django_db(transaction=True)
def test_a_message_already_received_another_way_is_marked_seen_and_not_stored_again(
    dovecot: Dovecot,
) -> None:
    raw = imap_message("both-ways@x", to="reply+zz9yy8xx7ww6vv5uu4tt@reply.localhost")
    inbound.inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
    dovecot.append(raw)
    target = parse_imap_url(dovecot.url())
    assert target is not None

    result = imap_poll(target=target)

    assert (result.unseen, result.stored, result.duplicates) == (1, 0, 1)
    assert list(InboundEmail.objects.values_list("source", flat=True)) == ["pipe"]
    assert dovecot.flags() == [("<both-ways@x>", True)]


@pytest.mark.django_db(transaction=True)
def test_a_named_mailbox_is_read_and_a_wrong_password_stores_nothing(dovecot: Dovecot) -> None:
    to = "reply+zz9yy8xx7ww6vv5uu4tt@reply.localhost"
    conn = dovecot.client()
    assert conn.create('"Partner replies"')[0] == "OK"
    conn.logout()
    dovecot.append(imap_message("folder@x", to=to), mailbox='"Partner replies"')
    dovecot.append(imap_message("inbox@x", to=to))
    good = parse_imap_url(dovecot.url("Partner%20replies"))
    assert good is not None

    assert imap_poll(target=good).stored == 1
    assert list(InboundEmail.objects.values_list("message_key", flat=True)) == ["folder@x"]
    assert dovecot.flags("INBOX") == [("<inbox@x>", False)]

    # Last, because after a failed login Dovecot makes the next ones from this address wait.
    bad = parse_imap_url(dovecot.url().replace("s3cret%20p%40ss", "wrong"))
    assert bad is not None
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap_poll(target=bad)
    assert InboundEmail.objects.count() == 1


def test_the_beat_task_does_nothing_without_imap_url(settings: Any) -> None:
    settings.IMAP_TARGET = None
    assert poll_imap_mailbox.delay().result == 0


# --- IMAP_URL -----------------------------------------------------------------------------------


def test_imap_url_forms() -> None:
    assert parse_imap_url("") is None
    assert parse_imap_url(
        "imaps://replies%40example.org:p%40ss@imap.example.org/Partner%20replies?timeout=5"
    ) == ImapTarget(
        security="tls",
        host="imap.example.org",
        port=993,
        user="replies@example.org",
        password="p@ss",
        mailbox="Partner replies",
        timeout=5,
    )
    starttls = parse_imap_url("imap+starttls://u:p@imap.example.org")
    assert starttls is not None
    assert (starttls.security, starttls.port, starttls.mailbox, starttls.timeout) == (
        "starttls",
        143,
        "INBOX",
        30,
    )
    plain = parse_imap_url("imap://u:p@127.0.0.1:1143/INBOX")
    assert plain is not None
    assert (plain.security, plain.port) == ("none", 1143)
    assert "p" not in repr(plain).split("user='u'")[1]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("pop3://u:p@host/INBOX", "IMAP_URL scheme 'pop3' is not supported"),
        ("imaps://host/INBOX", "IMAP_URL needs a user and a password"),
        ("imaps://u@host/INBOX", "IMAP_URL needs a user and a password"),
        ("imaps://u:p@/INBOX", "IMAP_URL needs a host"),
        ("imaps://u:p@host:99999/INBOX", "IMAP_URL is not a valid URL"),
        ("imaps://u:p@host/INBOX?timeout=soon", "IMAP_URL timeout='soon' is not a number"),
        ("imaps://u:p@host/INBOX?ssl=no", "IMAP_URL: unknown option(s) ssl"),
    ],
)
def test_a_bad_imap_url_is_refused(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_imap_url(url)


def test_a_bad_imap_url_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EMAIL_", "BACKBONE_", "CELERY_", "IMAP_"))
    }
    env.update(
        DEBUG="true",
        BACKBONE_VAR_DIR=str(tmp_path),
        BACKBONE_ENV_FILE=str(tmp_path / "no.env"),
        DJANGO_SETTINGS_MODULE="config.settings",
        IMAP_URL="imaps://imap.example.org/INBOX",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: IMAP_URL needs a user and a password "
        "before '@' (URL-encoded), e.g. imaps://replies%40example.org:secret@imap.example.org/"
        "INBOX."
    )
