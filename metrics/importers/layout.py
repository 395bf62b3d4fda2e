"""Which shape a data file has, and which column holds what.

Long: one row per value, with a period column and a value column. Wide: the periods are the
column headers ("2015" … "2024", "SY2019-20"…), one row per indicator or group. A flattened
merged header ("Percent proficient / SY2019-20") is a period column of the group "Percent
proficient".

The proposal is a guess from the header names; the person importing corrects it, and the
corrected mapping is remembered for the next file whose header has the same signature. The
signature leaves out the period columns, so next year's file, one column wider, is the same
source.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from metrics.importers.read import GROUP_SEPARATOR
from metrics.periods import PeriodError, parse_period

LONG = "long"
WIDE = "wide"

INDICATOR = "indicator"
PERIOD = "period"
VALUE = "value"
CATEGORY = "category"
DIMENSION = "dimension"
SOURCE = "source"
NOTE = "note"
ROLES = (INDICATOR, PERIOD, VALUE, CATEGORY, DIMENSION, SOURCE, NOTE)

# Header words that name a role, after lower-casing and dropping punctuation. Exact names first;
# then a header containing one of the words.
SYNONYMS: dict[str, tuple[str, ...]] = {
    INDICATOR: ("indicator", "indicator name", "measure", "metric", "indicador", "medida"),
    PERIOD: (
        "period", "year", "school year", "sy", "date", "month", "quarter", "time period",
        "reporting period", "periodo", "año", "fecha", "ano escolar", "año escolar",
    ),
    VALUE: (
        "value", "percent", "percentage", "rate", "count", "number", "amount", "valor",
        "porcentaje", "pct", "result",
    ),
    CATEGORY: (
        "category", "group", "student group", "subgroup", "demographic", "race ethnicity",
        "race", "ethnicity", "gender", "income", "language", "geography", "grupo", "categoría",
        "categoria", "raza etnia",
    ),
    DIMENSION: (
        "dimension", "disaggregation", "group type", "breakdown", "subgroup type",
        "dimensión", "dimension type",
    ),
    SOURCE: ("source", "data source", "fuente"),
    NOTE: ("note", "notes", "comment", "comments", "footnote", "nota", "notas"),
}  # fmt: skip
CONTAINS: dict[str, tuple[str, ...]] = {
    DIMENSION: ("dimension", "disaggregat", "group type"),
    CATEGORY: ("group", "race", "ethnic", "gender", "categor"),
    PERIOD: ("year", "period", "date"),
    INDICATOR: ("indicator", "measure", "metric"),
    VALUE: ("percent", "value", "rate", "count"),
    SOURCE: ("source",),
    NOTE: ("note", "comment"),
}


@dataclass
class Mapping:
    layout: str
    # role → column header (long: indicator, period, value…; wide: all but period and value).
    columns: dict[str, str] = field(default_factory=dict)
    # Wide: the columns that hold values, each with the period label its header names.
    period_columns: dict[str, str] = field(default_factory=dict)
    # Wide: a column's group ("Percent proficient"), naming its indicator when no column does.
    groups: dict[str, str] = field(default_factory=dict)
    # The dimension of the category column when no column names it (its header: "Race").
    dimension_name: str = ""
    parentheses_negative: bool = False
    # A percent column written as fractions (0.452) is read as 45.2 only when this says so.
    percent_as_fraction: bool = False
    excel_serial: bool = False
    create_categories: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "columns": dict(self.columns),
            "period_columns": dict(self.period_columns),
            "groups": dict(self.groups),
            "dimension_name": self.dimension_name,
            "parentheses_negative": self.parentheses_negative,
            "percent_as_fraction": self.percent_as_fraction,
            "excel_serial": self.excel_serial,
            "create_categories": self.create_categories,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        layout = data.get("layout")
        return cls(
            layout=layout if layout in (LONG, WIDE) else LONG,
            columns={k: v for k, v in _strings(data.get("columns")).items() if k in ROLES},
            period_columns={
                str(k): str(v) for k, v in dict(data.get("period_columns") or {}).items()
            },
            groups={str(k): str(v) for k, v in dict(data.get("groups") or {}).items()},
            dimension_name=str(data.get("dimension_name") or ""),
            parentheses_negative=bool(data.get("parentheses_negative")),
            percent_as_fraction=bool(data.get("percent_as_fraction")),
            excel_serial=bool(data.get("excel_serial")),
            create_categories=bool(data.get("create_categories")),
        )


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _words(header: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", header.casefold()).split())


def period_of_header(header: str) -> tuple[str, str] | None:
    """(group, period label) when a header names a period, alone or after its group."""
    parts = header.split(GROUP_SEPARATOR)
    try:
        return GROUP_SEPARATOR.join(parts[:-1]), parse_period(parts[-1]).label
    except PeriodError:
        return None


def detect_layout(columns: list[str]) -> str:
    """Wide when at least two headers are periods (2015, 2016… or SY2019-20…)."""
    return WIDE if sum(1 for c in columns if period_of_header(c)) >= 2 else LONG


def header_signature(columns: list[str]) -> str:
    """The same for two files of the same source: the header names, minus the periods."""
    kept = [_words(c) for c in columns if not period_of_header(c)]
    found = [period_of_header(c) for c in columns]
    groups = sorted({_words(f[0]) for f in found if f and f[0]})
    shape = "wide" if detect_layout(columns) == WIDE else "long"
    text = "\x1f".join([shape, *kept, "\x1e", *groups])
    return f"header:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _guess_role(header: str, taken: set[str]) -> str | None:
    words = _words(header)
    for role, names in SYNONYMS.items():
        if role not in taken and words in names:
            return role
    for role, parts in CONTAINS.items():
        if role not in taken and any(p in words for p in parts):
            return role
    return None


def propose_mapping(
    columns: list[str],
    remembered: dict[str, Any] | None = None,
    *,
    indicator_name: str = "",
) -> Mapping:
    """The mapping to show first: the remembered one for this source, kept to the columns the
    file has, or a guess from the header names. Importing into one indicator (its name given)
    keeps the period columns of one group: the one named like the indicator, or the first."""
    layout = detect_layout(columns)
    if remembered:
        mapping = Mapping.from_json(remembered)
        mapping.columns = {r: c for r, c in mapping.columns.items() if c in columns}
        if layout == WIDE and mapping.layout == WIDE:
            chosen_groups = {mapping.groups.get(c, "") for c in mapping.period_columns}
            _fill_period_columns(mapping, columns, only_groups=chosen_groups)
            return mapping
        if layout == mapping.layout:
            return mapping
    mapping = Mapping(layout=layout)
    taken: set[str] = set()
    for header in columns:
        if layout == WIDE and period_of_header(header):
            continue
        role = _guess_role(header, taken)
        if role is None or (layout == WIDE and role in (PERIOD, VALUE)):
            continue
        mapping.columns[role] = header
        taken.add(role)
    if CATEGORY in mapping.columns and DIMENSION not in mapping.columns:
        header = mapping.columns[CATEGORY]
        generic = _words(header) in ("category", "group", "student group", "subgroup", "grupo")
        mapping.dimension_name = "" if generic else header
    if layout == WIDE:
        _fill_period_columns(mapping, columns, only_groups=None)
        groups = list(dict.fromkeys(mapping.groups.get(c, "") for c in mapping.period_columns))
        if indicator_name and len(groups) > 1:
            named = [g for g in groups if _words(g) == _words(indicator_name)]
            _fill_period_columns(mapping, columns, only_groups={(named or groups)[:1][0]})
    elif VALUE not in mapping.columns:
        # "Families served": the one column left over after the period is the value.
        left = [c for c in columns if c not in mapping.columns.values()]
        if len(left) == 1:
            mapping.columns[VALUE] = left[0]
    return mapping


def _fill_period_columns(
    mapping: Mapping, columns: list[str], only_groups: set[str] | None
) -> None:
    mapping.period_columns = {}
    mapping.groups = {}
    for header in columns:
        found = period_of_header(header)
        if found is None:
            continue
        group, label = found
        if only_groups is not None and group not in only_groups:
            continue
        mapping.period_columns[header] = label
        if group:
            mapping.groups[header] = group


def mapping_problems(mapping: Mapping, columns: list[str], *, fixed_indicator: bool) -> list[str]:
    """Why this mapping cannot be imported, if it cannot (empty when it can)."""
    problems: list[str] = []
    used: dict[str, list[str]] = {}
    for role, header in mapping.columns.items():
        if header not in columns:
            problems.append(_("There is no column “%(column)s” in this file.") % {"column": header})
        used.setdefault(header, []).append(role)
    for header, roles in used.items():
        if len(roles) > 1:
            problems.append(
                _("The column “%(column)s” is chosen for more than one thing.") % {"column": header}
            )
    for header in mapping.period_columns:
        if header not in columns:
            problems.append(_("There is no column “%(column)s” in this file.") % {"column": header})
        elif header in used:
            problems.append(
                _("The column “%(column)s” is chosen for more than one thing.") % {"column": header}
            )
    if mapping.layout == LONG:
        for role, label in ((PERIOD, _("the period")), (VALUE, _("the value"))):
            if role not in mapping.columns:
                problems.append(_("No column holds %(what)s.") % {"what": label})
    elif not mapping.period_columns:
        problems.append(_("No column header is a period (such as 2024 or SY2019-20)."))
    has_groups = any(mapping.groups.get(c) for c in mapping.period_columns)
    if not fixed_indicator and INDICATOR not in mapping.columns and not has_groups:
        problems.append(
            _("No column names the indicator: choose one, or import into one indicator.")
        )
    if fixed_indicator and INDICATOR not in mapping.columns:
        groups = {mapping.groups.get(c, "") for c in mapping.period_columns}
        if len(groups) > 1:
            problems.append(
                _(
                    "The period columns belong to %(count)s different measures (%(names)s): "
                    "keep the columns of one of them."
                )
                % {"count": len(groups), "names": ", ".join(f"“{g}”" for g in sorted(groups))}
            )
    return problems
