"""List filters of the metrics API that backbone.api.filters does not have: a period range."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions
from rest_framework.request import Request

from backbone.api.filters import ListFilter
from metrics.periods import PeriodError, parse_period


class PeriodBoundFilter(ListFilter):
    """`?param=<period>`: only the data points that start on or after the start of that period
    (`after=True`), or end on or before its end. Any period form: 2019, SY2019-20, 2024-Q3…"""

    openapi_type = OpenApiTypes.STR

    def __init__(self, param: str, *, after: bool, description: str) -> None:
        super().__init__(param, description)
        self.after = after

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raw = request.query_params.get(self.param, "").strip()
        if not raw:
            return queryset
        try:
            period = parse_period(raw)
        except PeriodError as error:
            raise exceptions.ValidationError({self.param: [str(error)]}) from None
        if self.after:
            return queryset.filter(period_start__gte=period.start)
        return queryset.filter(period_end__lte=period.end)
