"""Files sent with an outbox email, kept by reference and read when the email is delivered.

An app that attaches a file registers a resolver here: a function taking the referenced row's
id and returning the file, or None when it no longer exists (the email then goes without it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


# kind -> dotted path of its resolver, (id) -> Attachment | None.
RESOLVERS: dict[str, str] = {
    "board_packet": "dashboard.packets.packet_attachment",
}


def reference(kind: str, pk: int) -> dict[str, Any]:
    if kind not in RESOLVERS:
        raise ValueError(f"No attachment resolver for {kind!r}")
    return {"kind": kind, "id": pk}


def resolve(references: list[dict[str, Any]]) -> list[Attachment]:
    found = []
    for ref in references or []:
        path = RESOLVERS.get(str(ref.get("kind")))
        if path is None:
            log.warning("Email attachment of unknown kind %r left out", ref.get("kind"))
            continue
        resolver: Callable[[int], Attachment | None] = import_string(path)
        attachment = resolver(int(ref["id"]))
        if attachment is None:
            log.warning("Email attachment %r no longer exists; sent without it", ref)
            continue
        found.append(attachment)
    return found
