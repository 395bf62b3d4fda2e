"""Throttling per API token (a session's requests count per user): BACKBONE_API_RATE requests
per period, counted in the Django cache (Redis in production, so every web worker shares the
count). Over the rate the answer is 429 with `Retry-After` (seconds), in the one error format.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from backbone.models import APIToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        # Read on each request (not once at import, as DRF does) so tests can lower it.
        return str(settings.BACKBONE_API_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, APIToken):
            ident = f"token:{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anon:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"
