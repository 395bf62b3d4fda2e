"""Dates as people in an initiative's time zone see them."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.utils import timezone


def local_date(moment: datetime, time_zone: str) -> date:
    """The calendar date of `moment` in `time_zone` (a meeting at 19:00 Chicago on Dec 1 is on
    Dec 1 there, though it is Dec 2 in UTC)."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(time_zone)).date()
