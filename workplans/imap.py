"""Replies read from a mailbox over IMAP (optional, IMAP_URL): the third way mail comes in.

A beat task polls every minute. Each unseen message is fetched without marking it (BODY.PEEK),
stored through `workplans.inbound.inbound_receive` — committed — and only then flagged \\Seen,
so a poller that dies between the two leaves the message unseen and the next poll stores it
again, which the Message-ID makes a duplicate rather than a second row. Two pollers at once
(two beat processes) are safe for the same reason.

`parse_imap_url` is also what settings.py calls at start-up, so it imports nothing from the
apps (settings are read before the app registry is ready).
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"imaps": 993, "imap+starttls": 143, "imap": 143}
# Messages fetched per poll; the rest wait for the next minute.
POLL_LIMIT = 200


@dataclass(frozen=True)
class ImapTarget:
    security: str  # "tls", "starttls" or "none"
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    mailbox: str
    timeout: int


def parse_imap_url(url: str) -> ImapTarget | None:
    """IMAP_URL → where to read replies from; "" → None (no polling).

    imaps://user:pass@host:993/INBOX          TLS (the usual)
    imap+starttls://user:pass@host:143/INBOX  plain connection upgraded with STARTTLS
    imap://user:pass@host:143/INBOX           no encryption: only for a server on this machine
    The user and password are URL-encoded ("@" as %40); the mailbox defaults to INBOX;
    ?timeout=SECONDS (default 30).
    """
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"IMAP_URL is not a valid URL: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ImproperlyConfigured(
            f"IMAP_URL scheme {scheme!r} is not supported; use imaps://user:pass@host/INBOX, "
            "imap+starttls://… or imap://… (no encryption)."
        )
    if not parts.hostname:
        raise ImproperlyConfigured("IMAP_URL needs a host, e.g. imaps://user:pass@host/INBOX.")
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    if not user or not password:
        raise ImproperlyConfigured(
            "IMAP_URL needs a user and a password before '@' (URL-encoded), e.g. "
            "imaps://replies%40example.org:secret@imap.example.org/INBOX."
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"timeout"})
    if unknown:
        raise ImproperlyConfigured(f"IMAP_URL: unknown option(s) {', '.join(unknown)}.")
    timeout = 30
    if "timeout" in query:
        raw = query["timeout"][-1]
        if not raw.isdigit() or int(raw) == 0:
            raise ImproperlyConfigured(f"IMAP_URL timeout={raw!r} is not a number of seconds.")
        timeout = int(raw)
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapTarget(
        security={"imaps": "tls", "imap+starttls": "starttls", "imap": "none"}[scheme],
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        user=user,
        password=password,
        mailbox=mailbox,
        timeout=timeout,
    )


@dataclass
class PollResult:
    unseen: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0


def _connect(target: ImapTarget) -> imaplib.IMAP4:
    conn: imaplib.IMAP4
    if target.security == "tls":
        conn = imaplib.IMAP4_SSL(
            target.host,
            target.port,
            ssl_context=ssl.create_default_context(),
            timeout=target.timeout,
        )
    else:
        conn = imaplib.IMAP4(target.host, target.port, timeout=target.timeout)
        if target.security == "starttls":
            conn.starttls(ssl_context=ssl.create_default_context())
    conn.login(target.user, target.password)
    return conn


def _quoted(mailbox: str) -> str:
    # imaplib sends the name as it is given; a name with spaces must be quoted.
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message_bytes(data: list) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def imap_poll(*, target: ImapTarget, limit: int = POLL_LIMIT) -> PollResult:
    """Store every unseen message of the mailbox (up to `limit`), then mark each seen.

    Must not run inside a transaction: "seen" is set only once the row is committed.
    """
    from workplans.inbound import inbound_receive
    from workplans.models import InboundEmail

    result = PollResult()
    conn = _connect(target)
    try:
        status, _ = conn.select(_quoted(target.mailbox))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open mailbox {target.mailbox!r}")
        status, found = conn.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error("UID SEARCH UNSEEN failed")
        uids = found[0].split() if found and found[0] else []
        result.unseen = len(uids)
        for uid in uids[:limit]:
            status, data = conn.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = _message_bytes(data) if status == "OK" else None
            if raw is None:
                # Expunged by someone else meanwhile, or a server error: the next poll retries.
                log.warning("IMAP: could not fetch message uid %s", uid.decode())
                result.failed += 1
                continue
            _, created = inbound_receive(raw=raw, source=InboundEmail.Source.IMAP)
            if created:
                result.stored += 1
            else:
                result.duplicates += 1
            conn.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()
    return result
