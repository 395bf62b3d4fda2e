"""List filters of the workplans API that backbone.api.filters does not have: dates, moments
(read in the organization's time zone) and "overdue"."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions
from rest_framework.request import Request

from backbone.api.filters import ListFilter, bool_param


def organization_today(request: Request) -> date:
    """Today where the organization is (a commitment due today is not overdue yet there)."""
    organization = request.organization  # type: ignore[attr-defined]
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(organization.time_zone))


def _date_param(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise exceptions.ValidationError({name: [_("Give a date as YYYY-MM-DD.")]})
    return value


class DateFilter(ListFilter):
    """`?param=YYYY-MM-DD`: only the objects whose `field` is on or before (`lookup="lte"`) or
    on or after (`lookup="gte"`) that date."""

    openapi_type = OpenApiTypes.DATE

    def __init__(self, param: str, field: str, lookup: str, description: str) -> None:
        super().__init__(param, description)
        self.field = field
        self.lookup = lookup

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = _date_param(request, self.param)
        if value is None:
            return queryset
        return queryset.filter(**{f"{self.field}__{self.lookup}": value})


class MomentFilter(ListFilter):
    """`?param=<date or date-time>`: only the objects whose `field` (a moment) is at or after
    (`after=True`) or at or before that moment. A date is the whole day, and a date-time
    without an offset is read, in the organization's time zone."""

    openapi_type = OpenApiTypes.STR

    def __init__(self, param: str, field: str, *, after: bool, description: str) -> None:
        super().__init__(param, description)
        self.field = field
        self.after = after

    def openapi_parameter(self) -> dict[str, Any]:
        parameter = super().openapi_parameter()
        parameter["examples"] = {
            "date": {"value": "2026-03-01", "summary": "A day"},
            "moment": {"value": "2026-03-01T18:00:00-06:00", "summary": "A moment"},
        }
        return parameter

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raw = request.query_params.get(self.param, "").strip()
        if not raw:
            return queryset
        zone = zoneinfo.ZoneInfo(request.organization.time_zone)  # type: ignore[attr-defined]
        try:
            # A date first: parse_datetime would read "2026-03-10" as its midnight.
            day = parse_date(raw)
            moment = None if day is not None else parse_datetime(raw)
        except ValueError:
            moment = day = None
        if day is not None:
            # The whole day: from its first moment, or up to (not including) the next day's.
            start = datetime.combine(day if self.after else day + timedelta(days=1), time())
            lookup = "gte" if self.after else "lt"
            return queryset.filter(**{f"{self.field}__{lookup}": timezone.make_aware(start, zone)})
        if moment is None:
            raise exceptions.ValidationError(
                {self.param: [_("Give a date (YYYY-MM-DD) or a date and time (ISO 8601).")]}
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, zone)
        return queryset.filter(**{f"{self.field}__{'gte' if self.after else 'lte'}": moment})


class OverdueFlag(ListFilter):
    """`?overdue=true`: only the objects still to do (`active` statuses) past their date."""

    openapi_type = OpenApiTypes.BOOL

    def __init__(self, param: str, *, date_field: str, active: list[str], description: str) -> None:
        super().__init__(param, description)
        self.date_field = date_field
        self.active = active

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not bool_param(request, self.param):
            return queryset
        return queryset.filter(
            **{"status__in": self.active, f"{self.date_field}__lt": organization_today(request)}
        )
