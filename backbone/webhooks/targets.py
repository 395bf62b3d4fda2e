"""Where a webhook may be sent. In production: an https:// address whose host resolves only to
public internet addresses, so a staff member cannot point the server at itself or its private
network (SSRF). The address is checked when saved, and again at each send, where the host is
resolved once and the connection is made to the address that was checked (a DNS answer that
changes between the check and the connection cannot redirect it).

In development (settings.BACKBONE_WEBHOOK_LOCAL_TARGETS) http:// and local addresses are
allowed, so a receiver on this machine can be tried."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class TargetRefused(Exception):
    """The address may not receive webhooks; the message says why, in words for staff."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    tls: bool
    # The request line's target: path and query.
    path: str
    # The IP address to connect to (checked).
    address: str


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a web address.")) from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("http", "https") or not host:
        raise TargetRefused(_("Give a full web address, starting with https://."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_("Leave the user name and password out of the address."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def check_address(url: str) -> None:
    """What can be known without looking the host up: for forms and services (on save)."""
    scheme, host, _port, _path = _split(url)
    if settings.BACKBONE_WEBHOOK_LOCAL_TARGETS:
        return
    if scheme != "https":
        raise TargetRefused(_("Use an https:// address: webhooks are only sent encrypted."))
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise TargetRefused(_("Use an address on the public internet."))
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return
    if not _is_public(str(literal)):
        raise TargetRefused(_("Use an address on the public internet."))


def resolve(url: str) -> Target:
    """The checked place to connect to, at send time. Raises TargetRefused."""
    check_address(url)
    scheme, host, port, path = _split(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(_("The host %(host)s was not found.") % {"host": host}) from exc
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise TargetRefused(_("The host %(host)s was not found.") % {"host": host})
    if not settings.BACKBONE_WEBHOOK_LOCAL_TARGETS and not all(map(_is_public, addresses)):
        raise TargetRefused(
            _("%(host)s leads to a private or local network address; it was not contacted.")
            % {"host": host}
        )
    return Target(host=host, port=port, tls=scheme == "https", path=path, address=addresses[0])
