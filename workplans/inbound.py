"""Partners' replies to NAG emails, received: three ways in, one processing path.

Ways in — the mail server's pipe (`manage.py ingest_email`), the provider's inbound webhook
(anymail's `inbound` signal, received by `on_inbound_event`) and IMAP polling
(workplans.imap) — all call `inbound_receive`, which stores the raw message once and queues
`workplans.tasks.process_inbound_email` when that commits. The webhook thus answers as soon as
the row is written.

Once: a message is identified by its Message-ID (angle brackets stripped), or by a SHA-256 of
its bytes when it has none; a webhook event also by (provider, event id). Both are unique in
the database, so two deliveries of the same message — concurrent or not, by the same way in or
by two — make one row, and the second queues nothing.

Size: the first BACKBONE_INBOUND_MAX_BYTES are kept (raw_truncated says the rest was cut) and
the message is read from what was kept: headers and the written reply come first in a message,
what is cut is attachments, which are not read anyway. Python's parser accepts a cut message.

Processing (`inbound_process`) locks the row and acts only on a row still waiting (or one whose
last attempt failed): automatic mail (auto-replies, bounces, our own mail looping back) →
IGNORED; no known reply token among the recipients → UNMATCHED; otherwise the NAG is matched
and `workplans.replies.reply_handle` applies what the reply says. Everything it writes happens
in a savepoint of the locked transaction: an error rolls all of it back (outbox rows and their
queued deliveries included), the row is marked FAILED with the error, and the task's retry
starts again from nothing — so a retry never applies a reply twice.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
from datetime import datetime
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from functools import partial
from typing import Any

from anymail.exceptions import AnymailWebhookValidationFailure
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from workplans.models import InboundEmail, NagMessage

log = logging.getLogger(__name__)

KEY_MAX = 255
# Recipient headers searched for the reply address, envelope headers first: the mail server
# writes those (Postfix: Delivered-To, X-Original-To) and they hold the address even when the
# reply reached us as a Bcc.
RECIPIENT_HEADERS = (
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "To",
    "Cc",
)
TOKEN_RE = re.compile(r"^reply\+([a-z0-9]{20})$")

# --- Reading headers without trusting them ----------------------------------------------------


def _unfold(value: str) -> str:
    return " ".join(value.split())


def _header_values(message: Message, name: str) -> list[str]:
    """Every value of a header as it arrived (unfolded), never parsed by the email package's
    header registry, which can raise on malformed values."""
    wanted = name.lower()
    values = []
    for key, value in message.raw_items():
        if key.lower() == wanted:
            values.append(_unfold(str(value)))
    return values


def _first(message: Message, name: str) -> str:
    values = _header_values(message, name)
    return values[0] if values else ""


def _readable(value: str) -> str:
    """A header value as text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    try:
        return _unfold(str(make_header(decode_header(value))))
    except Exception:  # a malformed encoded word: keep the text as it came
        return value


def _addresses(values: list[str]) -> list[str]:
    found = []
    for _name, address in getaddresses(values):
        address = address.strip().strip("<>").lower()
        if "@" in address and address not in found:
            found.append(address)
    return found


def normalise_message_id(value: str) -> str:
    """'<CAF=x@mail.gmail.com>' → 'CAF=x@mail.gmail.com'; the first id when there are several."""
    value = _unfold(value)
    bracketed = re.search(r"<([^<>\s]+)>", value)
    if bracketed:
        return bracketed.group(1)
    return "".join(value.split()).strip("<>")


def message_key_for(message_id: str, raw: bytes) -> str:
    if message_id and len(message_id) <= KEY_MAX:
        return message_id
    if message_id:
        return "sha256:" + hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_message(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.default)


# --- Receiving ----------------------------------------------------------------------------------


def _queue_processing(pk: int) -> None:
    from workplans.tasks import process_inbound_email

    process_inbound_email.delay(pk)


def _existing(key: str, provider: str, event_id: str) -> InboundEmail | None:
    match = Q(message_key=key)
    if event_id:
        match |= Q(provider=provider, event_id=event_id)
    return InboundEmail.objects.filter(match).order_by("pk").first()


def inbound_receive(
    *, raw: bytes, source: str, provider: str = "", event_id: str = ""
) -> tuple[InboundEmail, bool]:
    """Store one received message (once) and queue its processing when this commits.

    Returns (row, created); for a message already stored, (that row, False) and nothing queued.
    """
    if source not in InboundEmail.Source.values:
        raise ValueError(f"unknown source {source!r}")
    cap = settings.BACKBONE_INBOUND_MAX_BYTES
    kept = bytes(raw[:cap])
    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(kept)
    message_id = normalise_message_id(_first(headers, "Message-ID"))
    key = message_key_for(message_id, bytes(raw))
    # anymail's ESP name as in its webhook URLs: "Amazon SES" → "amazon_ses".
    provider = "_".join(provider.lower().split())[:40]
    event_id = event_id.strip()[:KEY_MAX]
    try:
        # The usual case first: a new message is one INSERT. A message already stored (or
        # stored at this moment by a concurrent delivery) fails on the unique key; the
        # transaction (a savepoint inside a caller's) is rolled back and that row is the answer.
        with transaction.atomic():
            row = InboundEmail.objects.create(
                message_key=key,
                message_id=message_id[:KEY_MAX],
                event_id=event_id,
                source=source,
                provider=provider,
                raw=kept,
                raw_size=len(raw),
                raw_truncated=len(raw) > cap,
                from_address=_from_address(headers),
                recipients=_recipients(headers),
                subject=_readable(_first(headers, "Subject"))[:998],
            )
            # robust: the row is stored whatever the broker does; a row left waiting is queued
            # again by the requeue task (workplans.tasks.requeue_waiting_inbound_emails).
            transaction.on_commit(partial(_queue_processing, row.pk), robust=True)
    except IntegrityError:
        found = _existing(key, provider, event_id)
        if found is None:
            raise
        log.info("Inbound message %s already received (row %s)", key[:80], found.pk)
        return found, False
    return row, True


def _from_address(message: Message) -> str:
    found = _addresses(_header_values(message, "From"))
    return found[0][:320] if found else ""


def _recipients(message: Message) -> list[str]:
    return _addresses([v for name in RECIPIENT_HEADERS for v in _header_values(message, name)])


# --- Understanding -------------------------------------------------------------------------------

AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
DAEMON_LOCALPARTS = {"mailer-daemon", "postmaster", "mail-daemon", "maildaemon"}
# Subjects auto-replies and bounces start with (after a tag such as "[EXTERNAL]").
AUTOMATIC_SUBJECT_START = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)*(?:"
    r"auto(?:matic)?[\s_-]*(?:reply|response|answer)|auto:|autoreply|auto-?respon(?:se|der)"
    r"|out\s+of\s+(?:the\s+)?office|ooo\b|away\s+from\s+(?:the\s+)?office|on\s+vacation"
    r"|vacation|on\s+leave|annual\s+leave|i\s+am\s+(?:currently\s+)?out\b|i'm\s+out\b"
    r"|undeliverable|undelivered|delivery\s+(?:status\s+notification|failure|failed|delayed)"
    r"|mail\s+delivery\s+(?:failed|failure|subsystem)|returned\s+mail|failure\s+notice"
    r"|message\s+not\s+delivered|delivery\s+has\s+failed|non[\s-]*delivery"
    r"|respuesta\s+autom[aá]tica|autorespuesta|respuesta\s+de\s+ausencia"
    r"|fuera\s+de\s+(?:la\s+)?oficina|ausente|ausencia|de\s+vacaciones|vacaciones"
    r"|no\s+se\s+puede\s+entregar|no\s+entregad[oa]|mensaje\s+no\s+entregado"
    r"|notificaci[oó]n\s+de\s+estado\s+de\s+(?:la\s+)?entrega|error\s+de\s+entrega"
    r"|correo\s+(?:devuelto|no\s+entregado)"
    r")",
    re.IGNORECASE,
)
# Phrases that mark an automatic message wherever they are in the subject ("RE: Your
# commitments — Automatic reply").
AUTOMATIC_SUBJECT_ANYWHERE = re.compile(
    r"out\s+of\s+(?:the\s+)?office|automatic\s+reply|auto[\s-]?reply|autoreply"
    r"|respuesta\s+autom[aá]tica|fuera\s+de\s+(?:la\s+)?oficina|undeliverable"
    r"|delivery\s+status\s+notification|no\s+se\s+puede\s+entregar",
    re.IGNORECASE,
)


def _yes(value: str) -> bool:
    return value.strip().lower() not in {"", "no", "false", "0", "off"}


def automatic_reason(message: Message) -> str:
    """ "" for mail a person wrote; else why it is automatic (shown to staff). Automatic mail is
    recorded and never applied nor answered (RFC 3834)."""
    from_addresses = _addresses(_header_values(message, "From"))
    sender = from_addresses[0] if from_addresses else ""
    ours = _addresses([settings.DEFAULT_FROM_EMAIL])
    ours_address = ours[0] if ours else ""
    auto_submitted = _first(message, "Auto-Submitted")
    if sender and sender == ours_address:
        return "Our own email came back (a mail loop)"
    if auto_submitted:
        value = auto_submitted.split(";")[0].strip().lower()
        if value != "no":
            return f"Automatic email (Auto-Submitted: {value})"
    for header in ("X-Autoreply", "X-Autorespond", "X-Autorespond-From", "X-Mail-Autoreply"):
        value = _first(message, header)
        if value and _yes(value):
            return f"Automatic reply ({header})"
    autogenerated = _first(message, "X-Autogenerated").lower()
    if autogenerated in {"reply", "forward", "group", "letter", "mirror", "redirect"}:
        return f"Automatic email (X-Autogenerated: {autogenerated})"
    # X-Auto-Response-Suppress alone says nothing: Outlook sets it on mail people write.
    precedence = _first(message, "Precedence").strip().lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Automatic email (Precedence: {precedence})"
    return_paths = _header_values(message, "Return-Path")
    if return_paths and return_paths[0].replace(" ", "") in {"<>", ""}:
        return "Bounce or automatic reply (empty Return-Path)"
    content_type = _first(message, "Content-Type").lower()
    if content_type.startswith("multipart/report"):
        kind = re.search(r"report-type\s*=\s*\"?([\w/-]+)", content_type)
        return f"Delivery report ({kind.group(1) if kind else 'multipart/report'})"
    if _first(message, "X-Failed-Recipients"):
        return "Bounce (X-Failed-Recipients)"
    if sender.split("@")[0] in DAEMON_LOCALPARTS:
        return f"Mail system message (from {sender})"
    if _first(message, "List-Id") or _first(message, "List-Post"):
        return "Message from a mailing list"
    subject = _readable(_first(message, "Subject"))
    if AUTOMATIC_SUBJECT_START.search(subject) or AUTOMATIC_SUBJECT_ANYWHERE.search(subject):
        return f"Automatic reply (subject: “{subject[:120]}”)"
    return ""


def reply_tokens(message: Message) -> list[str]:
    """The reply tokens among the message's recipients, in RECIPIENT_HEADERS order, each once.
    reply+<token>@<any domain>, case-folded (mail systems may change the case)."""
    tokens: list[str] = []
    for name in RECIPIENT_HEADERS:
        for address in _addresses(_header_values(message, name)):
            local = address.rsplit("@", 1)[0]
            match = TOKEN_RE.match(local)
            if match and match.group(1) not in tokens:
                tokens.append(match.group(1))
    return tokens


# --- Processing ---------------------------------------------------------------------------------

PROCESSABLE = (InboundEmail.Status.RECEIVED, InboundEmail.Status.FAILED)


def _finish(row: InboundEmail, status: str, reason: str = "") -> InboundEmail:
    row.status = status
    row.reason = reason
    row.processed_at = timezone.now()
    row.save()
    return row


def _process(row: InboundEmail) -> InboundEmail:
    message = parse_message(bytes(row.raw))
    row.message_id = normalise_message_id(_first(message, "Message-ID"))[:KEY_MAX]
    row.from_address = _from_address(message)
    row.subject = _readable(_first(message, "Subject"))[:998]
    row.recipients = _recipients(message)
    row.reason = ""
    reason = automatic_reason(message)
    if reason:
        return _finish(row, InboundEmail.Status.IGNORED, reason)
    tokens = reply_tokens(message)
    if not tokens:
        return _finish(
            row, InboundEmail.Status.UNMATCHED, "No reply address (reply+…) among the recipients"
        )
    by_token = {
        nag.token: nag
        for nag in NagMessage.objects.filter(token__in=tokens).select_related("person")
    }
    nag = next((by_token[t] for t in tokens if t in by_token), None)
    if nag is None:
        return _finish(
            row,
            InboundEmail.Status.UNMATCHED,
            f"Unknown reply address token {tokens[0]} (no reminder was sent with it)",
        )
    row.organization_id = nag.organization_id
    row.person = nag.person
    row.nag_message = nag
    row.token = nag.token

    from workplans.replies import reply_handle

    # reply_handle writes the row, with all of the above, once.
    row = reply_handle(row, message)
    if row.processed_at is None:
        row.processed_at = timezone.now()
        row.save(update_fields=["processed_at"])
    return row


def inbound_process(*, pk: int) -> InboundEmail:
    """Read one stored message and act on it, once. A row no longer waiting is returned as it
    is. On an internal error nothing it did is kept, the row is FAILED with the error, and the
    error is raised again (the task retries; FAILED rows are processed again)."""
    failure: Exception | None = None
    with transaction.atomic():
        row = InboundEmail.objects.select_for_update().get(pk=pk)
        if row.status not in PROCESSABLE:
            return row
        try:
            with transaction.atomic():
                row = _process(row)
        except Exception as exc:
            failure = exc
            log.exception("Processing inbound email %s failed", pk)
            row = InboundEmail.objects.get(pk=pk)
            _finish(row, InboundEmail.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
    if failure is not None:
        raise failure
    return row


# --- The provider's webhook ---------------------------------------------------------------------


def _event_raw(event: Any) -> bytes:
    """The message as the provider received it: its raw field where it sends one (Postmark's
    RawEmail, Mailgun's body-mime), else the message anymail built from the parsed fields. The
    envelope recipient (Postmark's OriginalRecipient, Mailgun's recipient) is added as
    X-Original-To, as a mail server does, so a reply that reached us as a Bcc still shows the
    reply address."""
    esp_event = event.esp_event
    text: str | None = None
    if isinstance(esp_event, dict):
        text = esp_event.get("RawEmail")
    elif hasattr(esp_event, "POST"):
        text = esp_event.POST.get("body-mime") or esp_event.POST.get("email")
    message = event.message
    if text:
        raw = text.encode("utf-8", "surrogateescape")
    else:
        try:
            raw = message.as_bytes()
        except Exception:  # a header the serializer refuses: the text form, as UTF-8
            raw = message.as_string().encode("utf-8", "surrogateescape")
    envelope = str(getattr(message, "envelope_recipient", None) or "").strip()
    if envelope and "\r" not in envelope and "\n" not in envelope:
        newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
        raw = b"X-Original-To: " + envelope.encode("utf-8") + newline + raw
    return raw


# Providers whose webhook timestamp is covered by the signature anymail checks. Elsewhere a
# timestamp proves nothing (whoever could replay the request could change it) and refusing an
# old one would only lose a reply whose delivery the provider retried late; there the event id
# and the Message-ID, each received once, are the replay protection.
SIGNED_TIMESTAMPS = {"mailgun", "mailersend", "mandrill"}


def _check_fresh(event: Any, esp_name: str) -> None:
    stamp: datetime | None = getattr(event, "timestamp", None)
    if stamp is None or esp_name.lower() not in SIGNED_TIMESTAMPS:
        return
    age = abs((timezone.now() - stamp).total_seconds())
    if age > settings.BACKBONE_INBOUND_REPLAY_SECONDS:
        log.warning(
            "Refused a %s inbound webhook dated %s (%.0f s from now): replayed or delayed",
            esp_name,
            stamp.isoformat(),
            age,
        )
        # anymail's validation failure: the view answers 400 and nothing is stored.
        raise AnymailWebhookValidationFailure(f"{esp_name} inbound event is too old or too new")


def on_inbound_event(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's `inbound` signal receiver, connected in WorkplansConfig.ready. anymail's view
    has already checked the basic-auth secret and the provider's signature."""
    _check_fresh(event, esp_name)
    inbound_receive(
        raw=_event_raw(event),
        source=InboundEmail.Source.WEBHOOK,
        provider=esp_name,
        event_id=str(event.event_id or ""),
    )
