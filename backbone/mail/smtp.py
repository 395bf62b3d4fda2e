"""SMTP delivery: Django's SMTP backend, with each message flattened to bytes faster and its
lines dot-stuffed faster.

The standard library's generator writes a body line by line (two writes and two encodes per
line); a NAG digest with its recap charts has thousands of lines, and writing them one by one
cost a delivery worker more than everything else it does for the email. This generator writes
each body part with its line ends replaced in one go. The bytes are the same, but for the
multipart boundaries, which are random either way (pinned by backbone/tests/test_mail_smtp.py).
smtplib then doubles each line's leading "." with a multi-line regular expression over the whole
message, a millisecond for a large digest; here a bytes replace does it (the same bytes, pinned
there too)."""

from __future__ import annotations

import secrets
import smtplib
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address


class _Generator(BytesGenerator):
    def _write_lines(self, lines: str) -> None:
        # Every line end the standard generator splits on (CRLF, CR, LF) becomes linesep;
        # str.replace, not a regular expression: several times faster on a large body.
        if "\r" in lines:
            lines = lines.replace("\r\n", "\n").replace("\r", "\n")
        self.write(lines.replace("\n", self._NL))  # type: ignore[attr-defined]


def _boundary() -> str:
    # 128 random bits: no message can contain it by chance, and nobody knows it before the
    # message is sent.
    return f"==============={secrets.token_hex(16)}=="


def as_bytes(message: Message, *, linesep: str = "\r\n") -> bytes:
    """The message as an SMTP server gets it: what Django's `message.as_bytes(linesep=…)`
    returns (lines starting with "From " left alone), faster. A multipart part without a
    boundary gets a random 128-bit one; the standard generator would pick a shorter one and
    then scan the whole message, line by line, for a collision, which costs more than
    writing it."""
    for part in message.walk():
        if part.is_multipart() and part.get_boundary() is None:
            part.set_boundary(_boundary())
    out = BytesIO()
    _Generator(out, mangle_from_=False).flatten(message, unixfrom=False, linesep=linesep)
    return out.getvalue()


def dot_stuff(data: bytes) -> bytes:
    """The message as sent after DATA (RFC 5321, 4.5.2): one more "." before each line that
    starts with one, CRLF at the end, then the line holding only "." that ends the message."""
    # A line starts at the beginning or after a line feed, as smtplib's "(?m)^" reads it.
    stuffed = data.replace(b"\n.", b"\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    # One write: a last small one could wait on the peer's delayed acknowledgement.
    return stuffed + b".\r\n"


class SMTP(smtplib.SMTP):
    """smtplib's client, sending a message's bytes after DATA through dot_stuff."""

    def data(self, msg: Any) -> tuple[int, bytes]:
        if not isinstance(msg, bytes):
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        self.send(dot_stuff(msg))
        return self.getreply()


class SMTP_SSL(SMTP, smtplib.SMTP_SSL):
    """The same over TLS from the first byte (EMAIL_USE_SSL)."""


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend (connection, TLS, timeouts, errors), sending the bytes of
    `as_bytes`, dot-stuffed by `dot_stuff`."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return SMTP_SSL if self.use_ssl else SMTP

    def _send(self, email_message: Any) -> bool:
        recipients = email_message.recipients()
        if not recipients:
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(email_message.from_email, encoding)
        to = [sanitize_address(address, encoding) for address in recipients]
        data = as_bytes(email_message.message())
        try:
            assert self.connection is not None
            self.connection.sendmail(sender, to, data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
