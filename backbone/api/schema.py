"""OpenAPI generation: every operation documents the error responses it can return.

Added here for every operation, so no view has to remember them: 401, 403 and 404 (the
organization in the URL is resolved for every route), 429 with Retry-After (throttling per
token), 400 and 415 where there is a request body, and 400 on lists whose query parameters can
be malformed. 409 comes from the views that check a `version` (their own extend_schema).
"""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from backbone.api.errors import ErrorSerializer
from backbone.api.filters import view_list_filters

ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `fields` names each field's problems (nested ones as "
    "`answers[1].criterion`).",
    "401": "No credentials, or an invalid or revoked token.",
    "403": "Authenticated, but this role or a read-only token may not do this.",
    "404": "Not found in this organization (the same answer whether it exists elsewhere or not).",
    "415": "The body is not JSON (or form data).",
    "429": "Too many requests with this token (per user for a session); wait the seconds "
    "`Retry-After` says. `error.code` is `throttled`.",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before the next request.",
    }
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "404", "429"]
        if self.method in WRITE_METHODS:
            codes.insert(0, "400")
            if self.method != "DELETE":
                codes.append("415")
        elif self.method == "GET" and self._is_list_view() and view_list_filters(self.view):
            codes.insert(0, "400")
        return codes

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
        return responses
