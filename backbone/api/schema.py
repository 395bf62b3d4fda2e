"""OpenAPI generation: every operation documents the error responses it can return."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from backbone.api.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `fields` names each field's problems.",
    "401": "No credentials, or an invalid or revoked token.",
    "403": "Authenticated, but this role or a read-only token may not do this.",
    "404": "Not found in this organization (the same answer whether it exists elsewhere or not).",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = ["401", "403", "404"]
        if self.method in WRITE_METHODS:
            codes.insert(0, "400")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses
