"""How a delivery is signed (documented for receivers in README.md, "Webhooks").

The signature is HMAC-SHA256, keyed with the endpoint's secret, over the timestamp, a dot and
the exact body bytes: a receiver that checks it knows the body came from us and was not
changed, and, by refusing old timestamps, that it is not an old message played again."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

ID_HEADER = "Backbone-Webhook-Id"
TIMESTAMP_HEADER = "Backbone-Webhook-Timestamp"
SIGNATURE_HEADER = "Backbone-Webhook-Signature"


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={digest.hexdigest()}"


def signed_headers(*, secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Backbone-Webhooks/1",
        ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
