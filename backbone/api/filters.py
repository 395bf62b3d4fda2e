"""Declarative list filters: a viewset names its query parameters once, in `list_filters`, and
gets both the filtering and their OpenAPI description.

    filter_backends = [ListFilterBackend]
    list_filters = (IdFilter("initiative", "initiative_id", "Only this initiative's objects."),)

Filters apply to the list only: an object stays reachable by its id whatever they say. A
malformed value is a 400 naming the parameter.

Every list of a model with an `updated_at` also takes `?updated_since=` (incremental sync),
added here by the backend, not by each viewset.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

# --- Query parameters -----------------------------------------------------------------------

# The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    # isdigit() alone also passes digits int() refuses ("²").
    if not (raw.isascii() and raw.isdigit()):
        raise exceptions.ValidationError({name: [_("Give the id as a whole number.")]})
    return int(raw)


def bool_param(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise exceptions.ValidationError({name: [_("Use true or false.")]})


def choice_param(request: Request, name: str, choices: Sequence[str], default: str = "") -> str:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise exceptions.ValidationError(
            {name: [_("Use one of: %(choices)s.") % {"choices": ", ".join(choices)}]}
        )
    return raw


# --- Filters --------------------------------------------------------------------------------


class ListFilter:
    """One query parameter of a list: `apply` parses it and narrows the queryset."""

    openapi_type = OpenApiTypes.STR

    def __init__(self, param: str, description: str) -> None:
        self.param = param
        self.description = description

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def enum(self) -> list[str] | None:
        return None

    def openapi_parameter(self) -> dict[str, Any]:
        schema = build_basic_type(self.openapi_type)
        assert schema is not None
        return build_parameter_type(
            name=self.param,
            schema=schema,
            location="query",
            description=self.description,
            enum=self.enum(),
        )


class IdFilter(ListFilter):
    """`?param=<id>`: only the objects whose `field` is that id."""

    openapi_type = OpenApiTypes.INT

    def __init__(self, param: str, field: str, description: str) -> None:
        super().__init__(param, description)
        self.field = field

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = int_param(request, self.param)
        if value is None:
            return queryset
        if value > MAX_ID:  # no row has it, and the database could not even compare it
            return queryset.none()
        return queryset.filter(**{self.field: value})


class ChoiceFilter(ListFilter):
    """`?param=<choice>`: only the objects whose `field` is that choice; without the parameter,
    those of `default` if there is one, else all."""

    def __init__(
        self, param: str, field: str, choices: Sequence[str], description: str, default: str = ""
    ) -> None:
        super().__init__(param, description)
        self.field = field
        self.choices = list(choices)
        self.default = default

    def enum(self) -> list[str] | None:
        return self.choices

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = choice_param(request, self.param, self.choices, self.default)
        return queryset.filter(**{self.field: value}) if value else queryset


class SearchFilter(ListFilter):
    """`?search=<text>`: only the objects with the text (ignoring case) in any of `fields`."""

    def __init__(self, fields: Sequence[str], description: str, param: str = "search") -> None:
        super().__init__(param, description)
        self.fields = list(fields)

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        search = request.query_params.get(self.param, "").strip()
        if not search:
            return queryset
        match = Q()
        for name in self.fields:
            match |= Q(**{f"{name}__icontains": search})
        return queryset.filter(match)


class IncludeFlag(ListFilter):
    """`?param=true`: also list the objects left out by default, those not matching `shown`
    (e.g. the archived ones)."""

    openapi_type = OpenApiTypes.BOOL

    def __init__(self, param: str, shown: Q, description: str) -> None:
        super().__init__(param, description)
        self.shown = shown

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset if bool_param(request, self.param) else queryset.filter(self.shown)


# An offset's "+" sent unencoded in a query string arrives as a space: "…T09:00:00 02:00".
_PLUS_AS_SPACE = re.compile(r" (\d{2}(?::?\d{2})?)$")


def moment_param(request: Request, name: str) -> datetime | None:
    """An ISO 8601 moment; without an offset, read in the organization's time zone. A date
    alone is the first moment of that day there."""
    raw = _PLUS_AS_SPACE.sub(r"+\1", request.query_params.get(name, "").strip())
    if not raw:
        return None
    try:
        # A date first: parse_datetime would read "2026-03-10" as midnight anyway, but say so.
        day = parse_date(raw)
        moment = datetime.combine(day, time()) if day is not None else parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            {name: [_("Give a date and time in ISO 8601, such as 2026-03-01T18:00:00Z.")]}
        )
    if timezone.is_naive(moment):
        organization = getattr(request, "organization", None)
        moment = moment.replace(
            tzinfo=zoneinfo.ZoneInfo(organization.time_zone) if organization else UTC
        )
    try:
        # The database compares in UTC; a moment at the edge of the calendar has no UTC form.
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise exceptions.ValidationError({name: [_("This moment is out of range.")]}) from None


class UpdatedSinceFilter(ListFilter):
    """`?updated_since=<moment>`: only the objects changed (or created) at or after it. A
    client keeps the time it started its last sync and asks for what changed since; objects
    changed exactly then come again rather than never."""

    openapi_type = OpenApiTypes.DATETIME

    def __init__(self, field: str = "updated_at") -> None:
        super().__init__(
            "updated_since",
            "Incremental sync: only the objects created or changed at or after this moment "
            "(ISO 8601, e.g. 2026-03-01T18:00:00Z; without an offset, in the organization's "
            "time zone). Compare with each object's `updated_at`.",
        )
        self.field = field

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        since = moment_param(request, self.param)
        return queryset if since is None else queryset.filter(**{f"{self.field}__gte": since})


UPDATED_SINCE = UpdatedSinceFilter()


def has_updated_at(view: Any) -> bool:
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return False
    try:
        field = queryset.model._meta.get_field("updated_at")
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.DateTimeField)


def view_list_filters(view: Any) -> list[ListFilter]:
    """The view's own filters, then updated_since when its model keeps an updated_at."""
    filters = list(getattr(view, "list_filters", ()))
    if has_updated_at(view) and not any(f.param == UPDATED_SINCE.param for f in filters):
        filters.append(UPDATED_SINCE)
    return filters


class ListFilterBackend(BaseFilterBackend):
    """Applies the view's `list_filters`, in their order, to the list action only, and
    `?updated_since=` to the list of every model that has an `updated_at`."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        if getattr(view, "action", None) != "list":
            return queryset
        for list_filter in view_list_filters(view):
            queryset = list_filter.apply(request, queryset)
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [f.openapi_parameter() for f in view_list_filters(view)]
