"""How fresh a page built from an organization's data is: a generation number per organization
(and one for changes whose organization is not known), moved on by every change.

Pages that are costly to build from many rows (the steering committee's dashboard) keep what
they built under the generation it was built at; a change moves the generation on, so the next
reader gets a fresh page instead of a stale one. Changes made through the pages and the API
move it on in OrganizationMiddleware (any successful POST, PUT, PATCH or DELETE); the workers
that change data (partners' email replies, data imports, NAG sweeps) move it on themselves.
Anything else (a management command, a date passing) is bounded by the keeper's own expiry.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

# Changes whose organization is not known (an API write, a partner's one-click link) move this
# one on, which every organization's pages also read.
EVERYONE = "all"


def _key(organization_id: int | str) -> str:
    return f"backbone:generation:{organization_id}"


def _start(key: str) -> int:
    """A generation that was never set, or was evicted, starts at a random number rather than
    at 1: a page kept under an earlier (evicted) generation must never match the new one."""
    cache.add(key, secrets.randbits(48), timeout=None)
    value = cache.get(key)
    return int(value) if value is not None else 0


def data_generation(organization_id: int) -> str:
    """The organization's generation and everyone's, read in one round trip."""
    mine, everyone = _key(organization_id), _key(EVERYONE)
    found = cache.get_many([mine, everyone])
    ours = found[mine] if mine in found else _start(mine)
    all_of_them = found[everyone] if everyone in found else _start(everyone)
    return f"{ours}.{all_of_them}"


def data_changed(organization_id: int | None = None) -> None:
    """Move the organization's generation on (everyone's when it is not known)."""
    key = _key(EVERYONE if organization_id is None else organization_id)
    try:
        cache.incr(key)
    except ValueError:  # never set, or evicted: any fresh start differs from what was kept
        _start(key)
