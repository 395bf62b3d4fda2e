"""Signed links in NAG emails: one-click commitment actions and unsubscribe.

A link names the person and what it does, and is signed and dated: it works without a login,
shows only that person's own commitments, and expires (60 days by default). Opening a link
(GET) only shows a page with a button; the POST of that button acts, once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing

_ACTION_SALT = "backbone.nag.action"
_UNSUBSCRIBE_SALT = "backbone.nag.unsubscribe"
ACTIONS = ("done", "need_help", "new_date")


def _max_age() -> int:
    return int(getattr(settings, "BACKBONE_NAG_LINK_DAYS", 60)) * 24 * 3600


def action_token(*, person_id: int, commitment_id: int, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return signing.TimestampSigner(salt=_ACTION_SALT).sign_object(
        {"p": person_id, "c": commitment_id, "a": action}
    )


def read_action_token(token: str) -> dict[str, Any]:
    """The link's content, or signing.BadSignature / signing.SignatureExpired."""
    data: dict[str, Any] = signing.TimestampSigner(salt=_ACTION_SALT).unsign_object(
        token, max_age=_max_age()
    )
    return data


def read_expired_action_token(token: str) -> dict[str, Any]:
    """The content of a link whose signature is good but too old, to tell its reader who to ask
    for a new one. Raises signing.BadSignature for a link that was not signed by us."""
    data: dict[str, Any] = signing.TimestampSigner(salt=_ACTION_SALT).unsign_object(token)
    return data


def unsubscribe_token(*, person_id: int, initiative_id: int) -> str:
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign_object({"p": person_id, "i": initiative_id})


def read_unsubscribe_token(token: str) -> dict[str, Any]:
    data: dict[str, Any] = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign_object(token)
    return data


def action_url(*, person_id: int, commitment_id: int, action: str) -> str:
    token = action_token(person_id=person_id, commitment_id=commitment_id, action=action)
    return f"{settings.SITE_URL}/r/{token}/"


def unsubscribe_url(*, person_id: int, initiative_id: int) -> str:
    token = unsubscribe_token(person_id=person_id, initiative_id=initiative_id)
    return f"{settings.SITE_URL}/u/{token}/"
