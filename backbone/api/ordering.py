"""`?ordering=` for a list: one of the fields a viewset names, `-` first for newest first.

    list_filters = (..., Ordering(("created_at", "updated_at")))

Without the parameter the viewset's own order stands. Ties are broken by id in the same
direction, so pages never repeat or skip an object; objects without a value (an email not sent
yet) come last either way, on every database. An unknown field is a 400 naming the
parameter and the choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, QuerySet
from rest_framework.request import Request

from backbone.api.filters import ListFilter, choice_param


class Ordering(ListFilter):
    def __init__(self, fields: Sequence[str], param: str = "ordering") -> None:
        self.fields = list(fields)
        self.choices = [c for f in self.fields for c in (f, f"-{f}")]
        super().__init__(
            param,
            f"Order of the list by {', '.join(self.fields)}: oldest first, or with a "
            "leading '-' newest first. Ties are ordered by id; objects without a value come last.",
        )

    def enum(self) -> list[str] | None:
        return self.choices

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        chosen = choice_param(request, self.param, self.choices)
        if not chosen:
            return queryset
        name = chosen.removeprefix("-")
        if chosen.startswith("-"):
            return queryset.order_by(F(name).desc(nulls_last=True), "-id")
        return queryset.order_by(F(name).asc(nulls_last=True), "id")
