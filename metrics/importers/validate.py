"""From a mapped table to the data points it would write, or the reasons it cannot, each naming
the spreadsheet row and column. Nothing is written here.

Per cell: a number that cannot be read, a period that is not one, a category or indicator this
initiative does not have, a percent outside 0 to 100, and the same indicator, period and group
twice in the file. Per column: percentages written two ways (some "45.2%", some "0.452"), or a
percent column of fractions that was not declared as such. A suppression marker is kept as
suppressed with no value; a blank cell is no data and is skipped, not an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from metrics.importers.layout import (
    CATEGORY,
    DIMENSION,
    INDICATOR,
    NOTE,
    PERIOD,
    SOURCE,
    VALUE,
    WIDE,
    Mapping,
)
from metrics.numbers import PERCENT, NumberError, Parsed, parse_number
from metrics.periods import DATE, MONTH, Period, PeriodError, month, parse_period

PREVIEW_ROWS = 20
MAX_ERRORS = 1000  # a file that is wrong everywhere says so in its first thousand errors
# A group column saying "everyone" writes the total, stored with no category.
TOTAL_NAMES = frozenset(
    {"all", "all students", "total", "everyone", "overall", "all groups", "todos", "total general"}
)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    name: str
    unit: str


@dataclass
class Context:
    """What the file is checked against, read from the database once (see load_context)."""

    indicators: dict[str, IndicatorInfo] = field(default_factory=dict)  # by casefolded name
    fixed: IndicatorInfo | None = None  # import everything into this indicator
    # (dimension, category) casefolded → category id; and each dimension's name as stored.
    categories: dict[tuple[str, str], int] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)
    category_names: dict[int, str] = field(default_factory=dict)


@dataclass(slots=True)
class Point:
    row: int
    column: str
    indicator_id: int
    period: Period
    category_id: int | None
    # (dimension, category) as named in the file, for a category that does not exist yet.
    new_category: tuple[str, str] | None
    value: Decimal | None
    suppressed: bool
    marker: str
    source: str
    note: str


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Checked:
    points: list[Point] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_categories: list[tuple[str, str]] = field(default_factory=list)
    blank_cells: int = 0
    more_errors: int = 0  # errors beyond MAX_ERRORS, counted but not listed

    @property
    def suppressed_count(self) -> int:
        return sum(1 for p in self.points if p.suppressed)

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))
        else:
            self.more_errors += 1


def _key(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _text(value: Any) -> str:
    if value.__class__ is str:  # nearly every cell: the rest of the tests are for XLSX cells
        return value.strip()
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


@dataclass
class _ColumnUnits:
    """How one value column wrote the percentages of one indicator."""

    first_row: int
    with_sign: int = 0
    fraction_rows: list[int] = field(default_factory=list)  # plain values strictly between 0 and 1
    over_one: int = 0  # plain values above 1


def check_rows(
    frame: pd.DataFrame,
    mapping: Mapping,
    context: Context,
    *,
    header_row: int = 1,
    extra_columns: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    every: int = 10000,
) -> Checked:
    """The data points of a mapped table, and every problem found, by row and column."""
    fast = _check_clean_text(
        frame, mapping, context, extra_columns=extra_columns, progress=progress, every=every
    )
    if fast is not None:
        return fast
    checked = Checked()
    columns = [str(c) for c in frame.columns]
    position = {c: i for i, c in enumerate(columns)}
    cols = mapping.columns

    def cell_getter(role: str) -> Callable[[tuple[Any, ...]], Any] | None:
        if role not in cols or cols[role] not in position:
            return None
        index = position[cols[role]] + 1  # itertuples puts the row number first
        return lambda row: row[index]

    get_indicator = cell_getter(INDICATOR)
    get_category = cell_getter(CATEGORY)
    get_dimension = cell_getter(DIMENSION)
    get_source = cell_getter(SOURCE)
    get_note = cell_getter(NOTE)

    # Value cells: long files have one value column and a period column; wide files have one
    # value column per period, its period read once from its header.
    value_columns: list[tuple[str, int, Period | None, str]] = []
    if mapping.layout == WIDE:
        for header, label in mapping.period_columns.items():
            if header not in position:
                continue
            try:
                period = parse_period(label, excel_serial=False)
            except PeriodError as error:
                checked.error(header_row, header, str(error))
                continue
            value_columns.append(
                (header, position[header] + 1, period, mapping.groups.get(header, ""))
            )
    elif VALUE in cols and cols[VALUE] in position:
        value_columns.append((cols[VALUE], position[cols[VALUE]] + 1, None, ""))
    get_period = cell_getter(PERIOD)
    period_column = cols.get(PERIOD, "")

    periods: dict[Any, Period | PeriodError] = {}
    prefer = _prefer_months(frame[period_column]) if get_period and period_column in frame else None
    # A "Month" column of Excel dates holds the first of each month: those are months.
    month_dates = prefer == MONTH or any(w in _key(period_column) for w in ("month", "mes"))

    def read_period(raw: Any) -> Period | PeriodError:
        cache_key = (type(raw), raw) if not isinstance(raw, float) or raw == raw else "nan"
        found = periods.get(cache_key)
        if found is None:
            try:
                found = parse_period(raw, excel_serial=mapping.excel_serial, prefer=prefer)
                if month_dates and found.kind == DATE and found.start.day == 1:
                    found = month(found.start.year, found.start.month)
            except PeriodError as error:
                found = error
            periods[cache_key] = found
        return found

    category_cache: dict[tuple[str, str], tuple[int | None, tuple[str, str] | None] | str] = {}
    new_categories: dict[tuple[str, str], tuple[str, str]] = {}

    def read_category(
        dimension_text: str, category_text: str, named_in_file: bool
    ) -> tuple[int | None, tuple[str, str] | None] | str:
        cache_key = (dimension_text, category_text)
        if cache_key in category_cache:
            return category_cache[cache_key]
        found = _find_category(
            context, mapping, dimension_text, category_text, new_categories, named_in_file
        )
        category_cache[cache_key] = found
        return found

    # A large file repeats its values ("45.2%", "*"): each text is read once per unit. Only text
    # is kept (1 and True, or 1.0 and 1, are equal keys but not the same cell).
    numbers: dict[tuple[str, str], Parsed | NumberError] = {}
    parentheses_negative = mapping.parentheses_negative

    def read_number(raw: Any, unit: str) -> Parsed | NumberError:
        if raw.__class__ is not str:
            try:
                return parse_number(raw, unit=unit, parentheses_negative=parentheses_negative)
            except NumberError as error:
                return error
        cache_key = (unit, raw)
        found = numbers.get(cache_key)
        if found is None:
            try:
                found = parse_number(raw, unit=unit, parentheses_negative=parentheses_negative)
            except NumberError as error:
                found = error
            numbers[cache_key] = found
        return found

    group_indicators: dict[str, IndicatorInfo | str] = {}
    indicator_cache: dict[Any, tuple[str, IndicatorInfo | None]] = {}
    seen: dict[tuple[int, str, Any], int] = {}
    units: dict[tuple[str, int], _ColumnUnits] = {}
    percent_as_fraction = mapping.percent_as_fraction
    total = len(frame)
    indicator_column = cols.get(INDICATOR, "")
    category_column = cols.get(CATEGORY, "")

    extra = [(c, position[c] + 1) for c in extra_columns if c in position]
    # Plain lists rather than itertuples: a row is then a tuple of Python objects, read fast.
    lists = [frame.index.tolist(), *(frame[c].tolist() for c in frame.columns)]
    for done, row in enumerate(zip(*lists, strict=True), start=1):
        number = int(row[0])
        if progress is not None and done % every == 0:
            progress(done, total)
        row_indicator: IndicatorInfo | None = context.fixed
        row_failed = False
        for header, index in extra:
            if _text(row[index]):
                checked.error(
                    number,
                    header,
                    _(
                        "This row has more cells than the header has columns; a number with a "
                        "comma and no quotes (1,234) splits in two. Nothing of this row is "
                        "imported."
                    ),
                )
                row_failed = True
                break
        if get_indicator is not None:
            raw_name = get_indicator(row)
            if raw_name in indicator_cache:
                name, row_indicator = indicator_cache[raw_name]
            else:
                name = _text(raw_name)
                row_indicator = context.indicators.get(_key(name))
                indicator_cache[raw_name] = (name, row_indicator)
            if not name:
                checked.error(number, indicator_column, _("The indicator is empty."))
                row_failed = True
            elif row_indicator is None:
                checked.error(
                    number,
                    indicator_column,
                    _("This initiative has no indicator called “%(name)s”.") % {"name": name},
                )
                row_failed = True
        category_id: int | None = None
        new_category: tuple[str, str] | None = None
        category_key: Any = None
        if get_category is not None:
            category_text = _text(get_category(row))
            dimension_text = _text(get_dimension(row)) if get_dimension else mapping.dimension_name
            if category_text:
                found = read_category(dimension_text, category_text, get_dimension is not None)
                if isinstance(found, str):
                    checked.error(number, category_column, found)
                    row_failed = True
                else:
                    category_id, new_category = found
                    category_key = category_id if category_id is not None else new_category
        source = _text(get_source(row)) if get_source else ""
        note = _text(get_note(row)) if get_note else ""
        row_period: Period | None = None
        if get_period is not None:
            raw_period = get_period(row)
            if _text(raw_period) == "":
                checked.error(number, period_column, _("The period is empty."))
                row_failed = True
            else:
                found_period = read_period(raw_period)
                if isinstance(found_period, PeriodError):
                    checked.error(number, period_column, str(found_period))
                    row_failed = True
                else:
                    row_period = found_period
        for header, index, column_period, group in value_columns:
            raw = row[index]
            if _text(raw) == "":
                checked.blank_cells += 1
                continue
            indicator = row_indicator
            if indicator is None and get_indicator is None:
                by_group = _group_indicator(context, group, group_indicators)
                if isinstance(by_group, str):
                    checked.error(number, header, by_group)
                    continue
                indicator = by_group
            if indicator is None or row_failed:
                continue
            point_period = column_period or row_period
            if point_period is None:
                continue
            parsed_or_error = read_number(raw, indicator.unit)
            if isinstance(parsed_or_error, NumberError):
                checked.error(number, header, str(parsed_or_error))
                continue
            parsed: Parsed = parsed_or_error
            value = parsed.value
            if indicator.unit == PERCENT and value is not None:
                tally = units.setdefault((header, indicator.id), _ColumnUnits(number))
                if parsed.symbol == "%":
                    tally.with_sign += 1
                elif Decimal(0) < value < Decimal(1):
                    tally.fraction_rows.append(number)
                elif value > 1:
                    tally.over_one += 1
                if percent_as_fraction and parsed.symbol != "%":
                    value = value * HUNDRED
                    if value > HUNDRED:
                        checked.error(
                            number,
                            header,
                            _(
                                "“%(text)s” is an out-of-range percent: as a fraction it is "
                                "%(value)s%%."
                            )
                            % {"text": _text(raw), "value": value.normalize()},
                        )
                        continue
            key = (indicator.id, point_period.label, category_key)
            first = seen.get(key)
            if first is not None:
                checked.error(
                    number,
                    header,
                    _("The value for %(indicator)s, %(period)s%(group)s is also on row %(row)s.")
                    % {
                        "indicator": indicator.name,
                        "period": point_period.label,
                        "group": _group_words(context, category_id, new_category),
                        "row": first,
                    },
                )
                continue
            seen[key] = number
            checked.points.append(
                Point(
                    row=number,
                    column=header,
                    indicator_id=indicator.id,
                    period=point_period,
                    category_id=category_id,
                    new_category=new_category,
                    value=value,
                    suppressed=parsed.suppressed,
                    marker=parsed.marker,
                    source=source,
                    note=note,
                )
            )
    if progress is not None:
        progress(total, total)
    _check_percent_columns(checked, units, percent_as_fraction=percent_as_fraction)
    checked.new_categories = list(new_categories.values())  # in the file's order
    return checked


class _NotClean(Exception):
    """The table is not a clean long table of text: the row-by-row check reads it instead."""


def _check_clean_text(
    frame: pd.DataFrame,
    mapping: Mapping,
    context: Context,
    *,
    extra_columns: Sequence[str],
    progress: Callable[[int, int], None] | None,
    every: int,
) -> Checked | None:
    """check_rows for the common large file, column by column: a long table of text cells (a
    CSV) in which every indicator, group, period and value can be read and no value is there
    twice. Each distinct cell is read once, with the same rules as the row-by-row check, and
    only the data points are made row by row. None when the table is not such a file (an error
    anywhere, a wide layout, cells that are not text): check_rows then reads it row by row, so
    the errors and their order are the ones it always gave."""
    try:
        return _clean_text_points(
            frame, mapping, context, extra_columns=extra_columns, progress=progress, every=every
        )
    except _NotClean:
        return None


def _clean_text_points(
    frame: pd.DataFrame,
    mapping: Mapping,
    context: Context,
    *,
    extra_columns: Sequence[str],
    progress: Callable[[int, int], None] | None,
    every: int,
) -> Checked:
    columns = [str(c) for c in frame.columns]
    position = {c: i for i, c in enumerate(columns)}
    cols = mapping.columns
    total = len(frame)
    if mapping.layout == WIDE or not total:
        raise _NotClean
    for role in (VALUE, PERIOD):
        if role not in cols or cols[role] not in position:
            raise _NotClean

    def texts(role_or_header: str, *, header: bool = False) -> pd.Series | None:
        name = role_or_header if header else cols.get(role_or_header)
        if name is None or name not in position:
            return None
        series = frame.iloc[:, position[name]]
        if pd.api.types.infer_dtype(series, skipna=False) != "string":
            raise _NotClean
        return series

    def factorize(series: pd.Series) -> tuple[Any, list[Any]]:
        codes, uniques = pd.factorize(series, sort=False)
        return codes, list(uniques)

    for header in extra_columns:
        extra = texts(header, header=True)
        if extra is not None and extra.str.strip().ne("").any():
            raise _NotClean

    # Indicators: each distinct name once.
    indicator_series = texts(INDICATOR)
    if indicator_series is not None:
        indicator_codes, names = factorize(indicator_series)
        infos: list[IndicatorInfo] = []
        for raw in names:
            info = context.indicators.get(_key(_text(raw))) if _text(raw) else None
            if info is None:
                raise _NotClean
            infos.append(info)
    elif context.fixed is not None:
        indicator_codes, infos = np.zeros(total, dtype=np.intp), [context.fixed]
    else:
        raise _NotClean

    # Groups: each distinct (disaggregation, group) pair once, in the file's order.
    category_series = texts(CATEGORY)
    dimension_series = texts(DIMENSION) if category_series is not None else None
    groups: list[tuple[int | None, tuple[str, str] | None, Any]] = [(None, None, None)]
    group_codes: Any = np.zeros(total, dtype=np.intp)
    new_categories: dict[tuple[str, str], tuple[str, str]] = {}
    if category_series is not None:
        category_codes, category_values = factorize(category_series)
        if dimension_series is not None:
            dimension_codes, dimension_values = factorize(dimension_series)
            pairs = category_codes.astype(np.int64) * len(dimension_values) + dimension_codes
        else:
            dimension_values = [mapping.dimension_name]
            pairs = category_codes.astype(np.int64) * 1
        group_codes, pair_values = factorize(pd.Series(pairs))
        groups = []
        by_text: dict[tuple[str, str], tuple[int | None, tuple[str, str] | None] | str] = {}
        for pair in pair_values:
            category_text = _text(category_values[pair // len(dimension_values)])
            dimension_text = dimension_values[pair % len(dimension_values)]
            if dimension_series is not None:
                dimension_text = _text(dimension_text)
            if not category_text:
                groups.append((None, None, None))
                continue
            text_key = (dimension_text, category_text)
            if text_key not in by_text:
                by_text[text_key] = _find_category(
                    context,
                    mapping,
                    dimension_text,
                    category_text,
                    new_categories,
                    dimension_series is not None,
                )
            found = by_text[text_key]
            if isinstance(found, str):
                raise _NotClean
            category_id, new_category = found
            group_key = category_id if category_id is not None else new_category
            groups.append((category_id, new_category, group_key))

    def plain(role: str) -> tuple[Any, list[str]]:
        series = texts(role)
        if series is None:
            return np.zeros(total, dtype=np.intp), [""]
        codes, values = factorize(series)
        return codes, [_text(v) for v in values]

    source_codes, sources = plain(SOURCE)
    note_codes, notes = plain(NOTE)

    # Periods: each distinct cell once.
    period_column = cols[PERIOD]
    period_series = texts(PERIOD)
    assert period_series is not None
    prefer = _prefer_months(frame[period_column]) if period_column in frame else None
    month_dates = prefer == MONTH or any(w in _key(period_column) for w in ("month", "mes"))
    period_codes, period_cells = factorize(period_series)
    periods: list[Period] = []
    for raw in period_cells:
        if _text(raw) == "":
            raise _NotClean
        try:
            period = parse_period(raw, excel_serial=mapping.excel_serial, prefer=prefer)
        except PeriodError:
            raise _NotClean from None
        if month_dates and period.kind == DATE and period.start.day == 1:
            period = month(period.start.year, period.start.month)
        periods.append(period)

    # Values: each distinct (cell, indicator) once; a blank cell is no data.
    header = cols[VALUE]
    value_series = texts(VALUE)
    assert value_series is not None
    value_codes, value_cells = factorize(value_series)
    blank = np.array([_text(v) == "" for v in value_cells], dtype=bool)[value_codes]
    # A cell reads the same for every indicator of one unit.
    unit_names = sorted({i.unit for i in infos})
    unit_of = np.array([unit_names.index(i.unit) for i in infos], dtype=np.int64)
    pair_codes, value_pairs = factorize(
        pd.Series(value_codes.astype(np.int64) * len(unit_names) + unit_of[indicator_codes])
    )
    parentheses_negative = mapping.parentheses_negative
    percent_as_fraction = mapping.percent_as_fraction
    # Per distinct (cell, unit): the Parsed, the value stored, and how a percent value was
    # written (1 with the sign, 2 a fraction, 3 above one, 0 neither; None: not a percent value).
    readings: list[tuple[Parsed, Decimal | None, int | None] | None] = []
    for pair in value_pairs:
        raw = value_cells[pair // len(unit_names)]
        unit = unit_names[pair % len(unit_names)]
        if _text(raw) == "":
            readings.append(None)
            continue
        try:
            parsed = parse_number(raw, unit=unit, parentheses_negative=parentheses_negative)
        except NumberError:
            raise _NotClean from None
        value = parsed.value
        written: int | None = None
        if unit == PERCENT and value is not None:
            written = 0
            if parsed.symbol == "%":
                written = 1
            elif Decimal(0) < value < Decimal(1):
                written = 2
            elif value > 1:
                written = 3
            if percent_as_fraction and parsed.symbol != "%":
                value = value * HUNDRED
                if value > HUNDRED:
                    raise _NotClean
        readings.append((parsed, value, written))

    # The same indicator, period and group twice is an error: the row-by-row check names both.
    kept = ~blank
    label_codes, _labels = factorize(pd.Series([p.label for p in periods]))
    group_keys, _keys = factorize(pd.Series([repr(g[2]) for g in groups]))
    key = pd.DataFrame(
        {
            "indicator": np.array([i.id for i in infos], dtype=np.int64)[indicator_codes],
            "period": np.asarray(label_codes)[period_codes],
            "group": np.asarray(group_keys)[group_codes],
        }
    )[kept]
    if key.duplicated().any():
        raise _NotClean

    checked = Checked()
    checked.blank_cells = int(blank.sum())
    units: dict[tuple[str, int], _ColumnUnits] = {}
    append = checked.points.append
    rows = [int(n) for n in frame.index.tolist()]
    row_infos = [infos[c] for c in indicator_codes.tolist()]
    row_periods = [periods[c] for c in period_codes.tolist()]
    row_groups = [groups[c] for c in group_codes.tolist()]
    row_sources = [sources[c] for c in source_codes.tolist()]
    row_notes = [notes[c] for c in note_codes.tolist()]
    row_readings = [readings[c] for c in pair_codes.tolist()]
    for start in range(0, total, every):
        if progress is not None and start:
            progress(start, total)
        for number, info, period, group, source, note, reading in zip(
            rows[start : start + every],
            row_infos[start : start + every],
            row_periods[start : start + every],
            row_groups[start : start + every],
            row_sources[start : start + every],
            row_notes[start : start + every],
            row_readings[start : start + every],
            strict=True,
        ):
            if reading is None:
                continue
            parsed, value, written = reading
            if written is not None:
                tally = units.get((header, info.id))
                if tally is None:
                    tally = units[(header, info.id)] = _ColumnUnits(number)
                if written == 1:
                    tally.with_sign += 1
                elif written == 2:
                    tally.fraction_rows.append(number)
                elif written == 3:
                    tally.over_one += 1
            append(
                Point(
                    number,
                    header,
                    info.id,
                    period,
                    group[0],
                    group[1],
                    value,
                    parsed.suppressed,
                    parsed.marker,
                    source,
                    note,
                )
            )
    if progress is not None:
        if total % every == 0:
            progress(total, total)
        progress(total, total)
    _check_percent_columns(checked, units, percent_as_fraction=percent_as_fraction)
    checked.new_categories = list(new_categories.values())
    return checked


def _prefer_months(values: pd.Series) -> str | None:
    """A period column whose other cells are months ("2010-12") reads "2010-11" as a month."""
    sample = [_text(v) for v in values.head(200)]
    months = 0
    for text in sample:
        try:
            if parse_period(text).kind == MONTH:
                months += 1
        except PeriodError:
            continue
    return MONTH if months else None


def _group_words(context: Context, category_id: int | None, new: tuple[str, str] | None) -> str:
    if category_id is not None:
        return ", " + context.category_names.get(category_id, "")
    if new is not None:
        return ", " + new[1]
    return ""


def _group_indicator(
    context: Context, group: str, cache: dict[str, IndicatorInfo | str]
) -> IndicatorInfo | str:
    if group not in cache:
        found = context.indicators.get(_key(group)) if group else None
        if found is not None:
            cache[group] = found
        elif group:
            cache[group] = _("This initiative has no indicator called “%(name)s”.") % {
                "name": group
            }
        else:
            cache[group] = _("No indicator is chosen for this column.")
    return cache[group]


def _find_category(
    context: Context,
    mapping: Mapping,
    dimension_text: str,
    category_text: str,
    new_categories: dict[tuple[str, str], tuple[str, str]],
    named_in_file: bool,
) -> tuple[int | None, tuple[str, str] | None] | str:
    category = _key(category_text)
    if category in TOTAL_NAMES:
        return None, None
    if dimension_text and not named_in_file and _key(dimension_text) not in context.dimensions:
        # The dimension was guessed from the column's header ("Raza/etnia"): the groups may
        # well exist under the initiative's own name for it.
        anywhere = {cid for (_d, c), cid in context.categories.items() if c == category}
        if len(anywhere) == 1:
            return anywhere.pop(), None
    if dimension_text:
        dimension = _key(dimension_text)
        found = context.categories.get((dimension, category))
        if found is not None:
            return found, None
        if mapping.create_categories:
            name = context.dimensions.get(dimension, " ".join(dimension_text.split()))
            new = (name, " ".join(category_text.split()))
            new_categories.setdefault((dimension, category), new)
            return None, new
        if dimension not in context.dimensions:
            return _(
                "This initiative has no disaggregation called “%(dimension)s”. Add it first, or "
                "let the import create the groups the file names."
            ) % {"dimension": dimension_text}
        return _(
            "“%(category)s” is not a group of %(dimension)s. Add it first, or let the import "
            "create the groups the file names."
        ) % {"category": category_text, "dimension": context.dimensions[dimension]}
    matches = [cid for (_d, c), cid in context.categories.items() if c == category]
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        return _(
            "“%(category)s” is a group of more than one disaggregation: choose the column that "
            "names the disaggregation."
        ) % {"category": category_text}
    return _(
        "“%(category)s” is not a group of any disaggregation of this initiative. Add it first, "
        "or name the disaggregation and let the import create the groups the file names."
    ) % {"category": category_text}


def _check_percent_columns(
    checked: Checked, units: dict[tuple[str, int], _ColumnUnits], *, percent_as_fraction: bool
) -> None:
    for (header, _indicator_id), tally in units.items():
        if not tally.fraction_rows:
            continue
        if tally.with_sign and not percent_as_fraction:
            checked.error(
                tally.fraction_rows[0],
                header,
                _(
                    "This column mixes units: some cells are percentages (45.2%) and some "
                    "look like fractions (0.452)."
                ),
            )
        elif not tally.with_sign and not tally.over_one and not percent_as_fraction:
            checked.error(
                tally.first_row,
                header,
                _(
                    "The values of this column look like fractions (0.452), not percentages "
                    "from 0 to 100. If they are fractions, choose “Percentages written as "
                    "fractions”."
                ),
            )


def preview(checked: Checked, *, existing: set[tuple[int, str, int | None]]) -> dict[str, Any]:
    """Counts and the first rows, as JSON for DataImport.preview and the command's output."""
    new = sum(
        1
        for p in checked.points
        if p.new_category is not None
        or (p.indicator_id, p.period.label, p.category_id) not in existing
    )
    return {
        "points": len(checked.points),
        "new": new,
        "updated": len(checked.points) - new,
        "suppressed": checked.suppressed_count,
        "blank_cells": checked.blank_cells,
        "errors": len(checked.errors) + checked.more_errors,
        "new_categories": [list(c) for c in checked.new_categories],
        "rows": [
            {
                "row": p.row,
                "column": p.column,
                "indicator_id": p.indicator_id,
                "period": p.period.label,
                "category_id": p.category_id,
                "category": list(p.new_category) if p.new_category else None,
                "value": None if p.value is None else str(p.value),
                "suppressed": p.suppressed,
                "marker": p.marker,
            }
            for p in checked.points[:PREVIEW_ROWS]
        ],
    }


def load_context(initiative: Any, indicator: Any = None) -> Context:
    """The initiative's indicators and groups, in three queries whatever the file's size."""
    from metrics.models import Category, Dimension, Indicator

    org = initiative.organization_id
    indicators = {
        _key(i.name): IndicatorInfo(i.pk, i.name, i.unit)
        for i in Indicator.objects.filter(organization_id=org, initiative=initiative).only(
            "id", "name", "unit"
        )
    }
    fixed = IndicatorInfo(indicator.pk, indicator.name, indicator.unit) if indicator else None
    dimensions = {
        _key(name): name
        for name in Dimension.objects.filter(
            organization_id=org, initiative=initiative
        ).values_list("name", flat=True)
    }
    categories: dict[tuple[str, str], int] = {}
    category_names: dict[int, str] = {}
    for cid, name, dimension in Category.objects.filter(
        organization_id=org, dimension__initiative=initiative
    ).values_list("id", "name", "dimension__name"):
        categories[(_key(dimension), _key(name))] = cid
        category_names[cid] = name
    return Context(
        indicators=indicators,
        fixed=fixed,
        categories=categories,
        dimensions=dimensions,
        category_names=category_names,
    )


def existing_keys(
    organization_id: int, indicator_ids: set[int]
) -> set[tuple[int, str, int | None]]:
    """(indicator, period, category) of the data points already stored for these indicators."""
    from metrics.models import DataPoint

    return set(
        DataPoint.objects.filter(
            organization_id=organization_id, indicator_id__in=sorted(indicator_ids)
        ).values_list("indicator_id", "period", "category_id")
    )
