"""One error format for every API failure:
{"error": {"code": "not_found", "message": "…", "fields": {"email": ["…"]}}}"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


NON_FIELD_KEYS = frozenset({NON_FIELD_ERRORS, api_settings.NON_FIELD_ERRORS_KEY})


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, list):
        return [str(item) for d in detail for item in _flatten(d)]
    if isinstance(detail, dict):
        return [str(item) for d in detail.values() for item in _flatten(d)]
    return [str(detail)]


def _field_errors(prefix: str, detail: Any, out: dict[str, list[str]]) -> None:
    """A serializer's errors, nested or not, as one level: `answers[1].criterion`, the way
    the bulk data points name `points[3].value`."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A list of objects reports its items' errors under their index (an int key).
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            _field_errors(name, value, out)
    elif isinstance(detail, list) and any(isinstance(d, (dict, list)) for d in detail):
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                _field_errors(f"{prefix}[{index}]", item, out)
            else:
                out.setdefault(prefix, []).append(str(item))
    elif isinstance(detail, list):
        out.setdefault(prefix, []).extend(str(d) for d in detail)
    else:
        out.setdefault(prefix, []).append(str(detail))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
    # Django's own exceptions (get_object_or_404 in get_object) get the same body as DRF's:
    # converted here, not in DRF's handler, so the code below sees the API exception.
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        if isinstance(exc.detail, dict):
            # An error about no field in particular (a service's rule, e.g. "the last staff
            # member") is the message itself, not a pseudo-field a client must know to look in.
            general = [m for k, v in exc.detail.items() if k in NON_FIELD_KEYS for m in _flatten(v)]
            for key, value in exc.detail.items():
                if key not in NON_FIELD_KEYS:
                    _field_errors(str(key), value, fields)
            message = " ".join(general) or "The request has invalid fields."
        else:
            message = " ".join(_flatten(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
        message = " ".join(_flatten(exc.detail))
    else:
        code, message = "error", str(exc)
    if isinstance(exc, exceptions.NotFound):
        code, message = "not_found", "Not found."
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


# Django's own answers for what never reaches a DRF view (an address matching no API route, a
# crash): in the same format under /api/, the usual pages elsewhere.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        body = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        body = {
            "error": {
                "code": "server_error",
                "message": "Something went wrong on our side; it has been logged.",
                "fields": {},
            }
        }
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
