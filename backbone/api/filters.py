"""Declarative list filters: a viewset names its query parameters once, in `list_filters`, and
gets both the filtering and their OpenAPI description.

    filter_backends = [ListFilterBackend]
    list_filters = (IdFilter("initiative", "initiative_id", "Only this initiative's objects."),)

Filters apply to the list only: an object stays reachable by its id whatever they say. A
malformed value is a 400 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

# --- Query parameters -----------------------------------------------------------------------


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
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
        return queryset if value is None else queryset.filter(**{self.field: value})


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


class ListFilterBackend(BaseFilterBackend):
    """Applies the view's `list_filters`, in their order, to the list action only."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        if getattr(view, "action", None) != "list":
            return queryset
        for list_filter in getattr(view, "list_filters", ()):
            queryset = list_filter.apply(request, queryset)
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [f.openapi_parameter() for f in getattr(view, "list_filters", ())]
