"""Charts of indicators and performance measures, drawn on the server as SVG with pygal.

One SVG serves the page, the email and the WeasyPrint PDF alike: no script, nothing loaded from
elsewhere (pygal's configuration script, tooltips and comments are stripped), no foreignObject,
generic font stacks, and the colours, dash patterns and markers written as attributes on the
shapes themselves so that the drawing holds up even where the <style> block is dropped.

What a reader sees:

- each line over time, periods in order; a suppressed or missing value leaves a gap in the line,
  never a zero;
- measured values as solid lines, each line with its own marker shape so that lines can be told
  apart without colour; the forecast is the only dashed line;
- the baseline (a filled square) and the target (a ring), each labelled with its value;
- the forecast "if nothing changes": a straight line fitted by least squares to the last (up to
  five) known values of the first line, continued period by period to the target period.

Every chart names itself in <title>/<desc>, and `chart_table` gives the same numbers as rows for
an HTML table beside it.

Periods are the canonical labels the importer stores: "2024", "SY2019-20", "2024-Q3", "2024-03"
and "2024-03-15".
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from xml.etree import ElementTree as ET

import pygal
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from initiatives.charts import FONT, GRID, MUTED, TEXT, _strip_scripts_and_comments

#: How many of the latest known values the forecast is fitted to.
FORECAST_WINDOW = 5

WIDTH = 480
HEIGHT = 300
FONT_SIZE = 15
# About the width of one character of an axis label (FONT_SIZE - 1 in a sans-serif), in px.
LABEL_CHAR_WIDTH = 8.5

# Distinct on white (each at least 4.5:1) and distinct from each other; the project's palette.
LINE_COLOURS = ("#1f5f5b", "#234f78", "#a12c25", "#7a4d00", "#5b3f7a", "#23643a")
# Marker shapes so that lines never rely on colour alone.
LINE_MARKERS = ("circle", "square", "triangle", "diamond", "triangle_down", "ring_small")
FORECAST_COLOUR = MUTED
FORECAST_DASH = "7,5"
MARK_COLOUR = TEXT


@dataclass(frozen=True)
class Point:
    period: str
    start: date
    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class Line:
    label: str
    points: list[Point]


# --- numbers -----------------------------------------------------------------------------------

CURRENCY_SYMBOLS = {"": "$", "$": "$", "USD": "$", "EUR": "€", "€": "€", "GBP": "£", "£": "£"}


def _number(value: float | Decimal, max_decimals: int, min_decimals: int = 0) -> str:
    """The value in the active language's grouping and decimal marks, trailing zeros trimmed."""
    quantum = Decimal(1).scaleb(-max_decimals)
    exact = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    decimals = max(min_decimals, -exact.normalize().as_tuple().exponent)  # type: ignore[operator]
    decimals = min(max(decimals, 0), max_decimals)
    if exact == 0:
        exact = abs(exact)  # never "-0"
    return number_format(exact, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_value(
    value: float | Decimal | None, unit: str, unit_label: str = "", *, difference: bool = False
) -> str:
    """A value as a reader expects it: "45.2%", "1,234", "3.1 per 1,000", "$1,200.50".

    `difference` formats a gap between two values: a gap between percentages is in points.
    """
    if value is None:
        return "—"
    if unit == "percent":
        if difference:
            return _("%(value)s pts") % {"value": _number(value, 2)}
        return f"{_number(value, 2)}%"
    if unit == "rate_per_1000":
        return _("%(value)s per 1,000") % {"value": _number(value, 2)}
    if unit == "currency":
        code = unit_label.strip()
        amount = Decimal(str(value))
        whole = amount == amount.to_integral_value()
        shown = _number(abs(amount), 2, 0 if whole else 2)
        sign = "−" if amount < 0 else ""
        symbol = CURRENCY_SYMBOLS.get(code.upper())
        if symbol is not None:
            return f"{sign}{symbol}{shown}"
        return f"{sign}{shown} {code}"
    shown = _number(value, 2)
    if unit == "other" and unit_label.strip():
        return f"{shown} {unit_label.strip()}"
    return shown


def _bounds(unit: str | None) -> tuple[float | None, float | None]:
    if unit == "percent":
        return 0.0, 100.0
    if unit in {"count", "rate_per_1000", "currency"}:
        return 0.0, None
    return None, None


# --- periods -----------------------------------------------------------------------------------

_YEAR = re.compile(r"^(\d{4})$")
_SCHOOL_YEAR = re.compile(r"^SY(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _step(label: str) -> tuple[str, int] | None:
    """The period's kind and its ordinal in a sequence of that kind, for canonical labels."""
    if m := _YEAR.match(label):
        return "year", int(m[1])
    if m := _SCHOOL_YEAR.match(label):
        return "school_year", int(m[1])
    if m := _QUARTER.match(label):
        return "quarter", int(m[1]) * 4 + int(m[2]) - 1
    if (m := _MONTH.match(label)) and 1 <= int(m[2]) <= 12:
        return "month", int(m[1]) * 12 + int(m[2]) - 1
    if _DATE.match(label):
        try:
            return "date", date.fromisoformat(label).toordinal()
        except ValueError:
            return None
    return None


def _period(kind: str, ordinal: int) -> tuple[str, date]:
    """The label and start of the `ordinal`-th period of `kind` (the inverse of `_step`)."""
    if kind == "year":
        return str(ordinal), date(ordinal, 1, 1)
    if kind == "school_year":
        return f"SY{ordinal}-{(ordinal + 1) % 100:02d}", date(ordinal, 7, 1)
    if kind == "quarter":
        year, q = divmod(ordinal, 4)
        return f"{year}-Q{q + 1}", date(year, q * 3 + 1, 1)
    if kind == "month":
        year, m = divmod(ordinal, 12)
        return f"{year}-{m + 1:02d}", date(year, m + 1, 1)
    day = date.fromordinal(ordinal)
    return day.isoformat(), day


def _start_of(label: str) -> date | None:
    step = _step(label)
    return _period(*step)[1] if step else None


# --- forecast ----------------------------------------------------------------------------------


def known(points: Sequence[Point]) -> list[Point]:
    """The points with a value, oldest first (suppressed and missing values left out)."""
    return sorted(
        (p for p in points if p.value is not None and not p.suppressed), key=lambda p: p.start
    )


def forecast(
    points: Sequence[Point],
    until: date | str,
    *,
    unit: str | None = None,
    window: int = FORECAST_WINDOW,
) -> list[Point]:
    """What the values would be if nothing changes, one point per period after the last known
    value up to and including `until` (a period label, or a date: the last period starting on
    or before it).

    The method: a least-squares straight line through the last `window` known values (by period
    ordinal, so a skipped year counts as a year), continued. Fewer than two known values, or all
    of them in the same period, give no forecast. With a `unit`, values stay within what the unit
    allows (a percentage between 0 and 100, a count not below 0). Values are rounded to 4
    decimal places, like stored values.
    """
    history = known(points)[-window:]
    if len(history) < 2:
        return []
    steps = [_step(p.period) for p in history]
    kinds = {s[0] for s in steps if s}
    if None in steps or len(kinds) != 1:
        kind, xs = "date", [p.start.toordinal() for p in history]
    else:
        kind, xs = kinds.pop(), [s[1] for s in steps if s]
    if isinstance(until, str):
        step = _step(until)
        if step is None:
            return []
        end = step[1] if step[0] == kind else _last_ordinal_starting_by(kind, _period(*step)[1])
    else:
        end = _last_ordinal_starting_by(kind, until)
    ys = [float(p.value) for p in history if p.value is not None]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return []
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    low, high = _bounds(unit)
    if kind == "date":
        ordinals = [end] if end > xs[-1] else []
    else:
        ordinals = list(range(xs[-1] + 1, end + 1))
    result = []
    for x in ordinals:
        value = mean_y + slope * (x - mean_x)
        if low is not None:
            value = max(low, value)
        if high is not None:
            value = min(high, value)
        label, start = _period(kind, x)
        result.append(Point(label, start, round(value, 4) + 0.0))
    return result


def _last_ordinal_starting_by(kind: str, day: date) -> int:
    if kind == "date":
        return day.toordinal()
    if kind == "year":
        return day.year
    if kind == "school_year":
        return day.year if day >= date(day.year, 7, 1) else day.year - 1
    if kind == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    return day.year * 12 + day.month - 1


def gap_line(reference: Line, focus: Line, *, direction: str, label: str) -> Line:
    """The disparity gap per period: how far the focus group is behind the reference group
    (reference minus focus when higher is better, focus minus reference when lower is better), so a
    positive gap is a gap to close. A period where either value is suppressed is suppressed; a
    period missing from either is left out."""
    by_period = {p.period: p for p in reference.points}
    points = []
    for f in sorted(focus.points, key=lambda p: p.start):
        r = by_period.get(f.period)
        if r is None:
            continue
        if r.suppressed or f.suppressed or r.value is None or f.value is None:
            points.append(Point(f.period, f.start, None, suppressed=r.suppressed or f.suppressed))
            continue
        gap = r.value - f.value if direction != "lower" else f.value - r.value
        points.append(Point(f.period, f.start, round(gap, 4) + 0.0))
    return Line(label, points)


# --- the data table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    period: str
    cells: list[str]
    note: str = ""  # "Baseline" / "Target", when the period carries one


@dataclass(frozen=True)
class ChartTable:
    columns: list[str]  # the series, in the order of the cells
    rows: list[TableRow] = field(default_factory=list)


def chart_table(
    *,
    unit: str,
    lines: Sequence[Line],
    baseline: tuple[str, float] | None = None,
    target: tuple[str, float] | None = None,
    forecast: Sequence[Point] | None = None,
    unit_label: str = "",
    difference: bool = False,
) -> ChartTable:
    """The chart's numbers as a table: one row per period, one cell per line (and the forecast),
    a suppressed value shown as "suppressed", a missing one as "—"."""
    axis = _axis(lines, forecast or [], baseline, target)
    columns = [line.label for line in lines]
    if forecast:
        columns.append(_("Forecast if nothing changes"))

    def cell(point: Point | None) -> str:
        if point is None:
            return "—"
        if point.suppressed:
            return _("suppressed")
        return format_value(point.value, unit, unit_label, difference=difference)

    by_line = [{p.period: p for p in line.points} for line in lines]
    by_forecast = {p.period: p for p in forecast or []}
    rows = []
    for label, _start in axis:
        cells = [cell(points.get(label)) for points in by_line]
        if forecast:
            cells.append(cell(by_forecast.get(label)))
        notes = []
        if baseline and baseline[0] == label:
            shown = format_value(baseline[1], unit, unit_label, difference=difference)
            notes.append(_("Baseline: %(value)s") % {"value": shown})
        if target and target[0] == label:
            shown = format_value(target[1], unit, unit_label, difference=difference)
            notes.append(_("Target: %(value)s") % {"value": shown})
        if any(c != "—" for c in cells) or notes:
            rows.append(TableRow(label, cells, "; ".join(notes)))
    return ChartTable(columns, rows)


# --- drawing -----------------------------------------------------------------------------------


def _axis(
    lines: Sequence[Line],
    forecast: Sequence[Point],
    baseline: tuple[str, float] | None,
    target: tuple[str, float] | None,
) -> list[tuple[str, date]]:
    """Every period to draw, in order: the data's, the forecast's, the baseline's and the
    target's, with the periods between them filled in so that time runs evenly."""
    starts: dict[str, date] = {}
    for line in lines:
        for p in line.points:
            starts.setdefault(p.period, p.start)
    for p in forecast:
        starts.setdefault(p.period, p.start)
    for mark in (baseline, target):
        if mark and mark[0] not in starts and (start := _start_of(mark[0])):
            starts[mark[0]] = start
    steps = [_step(label) for label in starts]
    kinds = {s[0] for s in steps if s}
    if starts and None not in steps and len(kinds) == 1 and (kind := kinds.pop()) != "date":
        ordinals = [s[1] for s in steps if s]
        low, high = min(ordinals), max(ordinals)
        if high - low <= 240:
            return [_period(kind, n) for n in range(low, high + 1)]
    return sorted(starts.items(), key=lambda item: (item[1], item[0]))


@dataclass(frozen=True)
class _Look:
    """How one pygal series is drawn."""

    colour: str
    marker: str | None  # None: no markers
    dash: str = ""
    width: float = 2.5
    label: str = ""  # text printed beside the (single) marker


def _el(tag: str, attrs: dict[str, str]) -> ET.Element:
    return ET.Element(tag, attrs)


def _marker(kind: str, x: float, y: float, colour: str) -> ET.Element:
    r = 4.5
    at = {"cx": f"{x:.2f}", "cy": f"{y:.2f}"}
    if kind in {"circle", "ring_small"}:
        fill = "#ffffff" if kind == "ring_small" else colour
        return _el(
            "circle", {**at, "r": f"{r:.1f}", "fill": fill, "stroke": colour, "stroke-width": "2"}
        )
    if kind == "ring":  # the target: a ring with a dot in it
        group = _el("g", {})
        ring = {**at, "r": "7", "fill": "#ffffff", "stroke": colour, "stroke-width": "2.5"}
        group.append(_el("circle", ring))
        group.append(_el("circle", {**at, "r": "2.5", "fill": colour}))
        return group
    shapes: dict[str, list[tuple[float, float]]] = {
        "square": [(-1, -1), (1, -1), (1, 1), (-1, 1)],
        "big_square": [(-1.35, -1.35), (1.35, -1.35), (1.35, 1.35), (-1.35, 1.35)],
        "triangle": [(0, -1.35), (1.2, 0.9), (-1.2, 0.9)],
        "triangle_down": [(0, 1.35), (1.2, -0.9), (-1.2, -0.9)],
        "diamond": [(0, -1.4), (1.4, 0), (0, 1.4), (-1.4, 0)],
    }
    corners = shapes.get(kind, shapes["square"])
    d = "M" + " L".join(f"{x + dx * r:.2f} {y + dy * r:.2f}" for dx, dy in corners) + " Z"
    return _el("path", {"d": d, "fill": colour, "stroke": colour, "stroke-width": "1"})


def _classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def _dress(looks: Sequence[_Look], width: float) -> Callable[[ET.Element], ET.Element]:
    """Write each series' colour, dash and marker onto its shapes; label the marks; draw the
    legend's swatches as samples of the line; drop pygal's tooltip machinery."""

    def dress(root: ET.Element) -> ET.Element:
        for parent in list(root.iter()):
            for child in list(parent):
                classes = _classes(child)
                if "tooltip-overlay" in classes or (
                    child.tag == "desc" and _classes(parent) & {"dots"}
                ):
                    parent.remove(child)
        for group in list(root.iter("g")):
            classes = _classes(group)
            index = next(
                (int(c.removeprefix("serie-")) for c in classes if c.startswith("serie-")), None
            )
            if index is None or index >= len(looks) or "series" not in classes:
                continue
            look = looks[index]
            for path in group.iter("path"):
                if "line" in _classes(path):
                    path.set("class", "line")  # pygal's "reactive" style would thin it
                    path.set("fill", "none")
                    path.set("stroke", look.colour)
                    path.set("stroke-width", str(look.width))
                    path.set("stroke-linejoin", "round")
                    path.set("stroke-linecap", "round")
                    if look.dash:
                        path.set("stroke-dasharray", look.dash)
            for dots in [g for g in group if g.tag == "g" and "dots" in _classes(g)]:
                for circle in [c for c in dots if c.tag == "circle"]:
                    x, y = float(circle.get("cx", 0)), float(circle.get("cy", 0))
                    dots.remove(circle)
                    if look.marker:
                        dots.append(_marker(look.marker, x, y, look.colour))
                    if look.label:
                        dots.append(_mark_label(look.label, x, y, width))
        for legend in [g for g in root.iter("g") if "legend" in _classes(g)]:
            index = next(
                (
                    int(c.removeprefix("activate-serie-"))
                    for c in [legend.get("id") or ""]
                    if c.startswith("activate-serie-")
                ),
                None,
            )
            # pygal's id serves only its tooltip script, which is never sent; two charts on one
            # page would repeat it.
            legend.attrib.pop("id", None)
            rect = legend.find("rect")
            text = legend.find("text")
            if index is None or index >= len(looks) or rect is None or text is None:
                continue
            look = looks[index]
            x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
            size = float(rect.get("height", 14))
            legend.remove(rect)
            mid = y + size / 2
            if look.width:
                legend.insert(
                    0,
                    _el(
                        "path",
                        {
                            "d": f"M{x:.2f} {mid:.2f} h26",
                            "fill": "none",
                            "stroke": look.colour,
                            "stroke-width": str(look.width),
                            **({"stroke-dasharray": look.dash} if look.dash else {}),
                        },
                    ),
                )
            if look.marker:
                legend.append(_marker(look.marker, x + 13, mid, look.colour))
            text.set("x", f"{float(text.get('x', 0)) + 18:.2f}")
            text.set("fill", TEXT)
        for text in root.iter("text"):
            text.set("font-family", FONT)
            text.set("fill", text.get("fill") or TEXT)
        return root

    return dress


def _mark_label(label: str, x: float, y: float, width: float) -> ET.Element:
    """A baseline or target label above its marker, kept inside the plot."""
    anchor = "end" if x > width * 0.6 else ("start" if x < width * 0.25 else "middle")
    nudge = {"end": 4.0, "start": -4.0, "middle": 0.0}[anchor]
    text = _el(
        "text",
        {
            "x": f"{x + nudge:.2f}",
            "y": f"{y - 13:.2f}",
            "fill": MARK_COLOUR,
            "text-anchor": anchor,
            "font-size": str(FONT_SIZE - 1),
            "font-weight": "600",
            "class": "mark-label",
        },
    )
    text.text = label
    return text


def _labelled(
    title: str, description: str, chart_id: str, kind: str
) -> Callable[[ET.Element], ET.Element]:
    def label(root: ET.Element) -> ET.Element:
        for old in [el for el in root if el.tag in {"title", "desc"}]:
            root.remove(old)
        title_el = ET.Element("title", id=f"{chart_id}-title")
        title_el.text = title
        desc_el = ET.Element("desc", id=f"{chart_id}-desc")
        desc_el.text = description
        root.insert(0, desc_el)
        root.insert(0, title_el)
        root.set("role", "img")
        root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
        root.set("class", f"metric-chart {kind}")
        root.set("focusable", "false")
        return root

    return label


def _style(colours: Sequence[str]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=TEXT,
        foreground_strong=TEXT,
        foreground_subtle=MUTED,
        opacity="1",
        opacity_hover="1",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        transition="none",
        colors=tuple(colours),
        guide_stroke_color=GRID,
        major_guide_stroke_color=GRID,
        guide_stroke_dasharray="0",
        major_guide_stroke_dasharray="0",
        font_family=FONT,
        label_font_family=FONT,
        major_label_font_family=FONT,
        value_font_family=FONT,
        value_label_font_family=FONT,
        title_font_family=FONT,
        legend_font_family=FONT,
        no_data_font_family=FONT,
        title_font_size=FONT_SIZE + 2,
        label_font_size=FONT_SIZE - 1,
        major_label_font_size=FONT_SIZE - 1,
        legend_font_size=FONT_SIZE - 1,
        value_font_size=FONT_SIZE - 1,
        value_label_font_size=FONT_SIZE - 1,
        no_data_font_size=FONT_SIZE + 2,
    )


@dataclass(frozen=True)
class _Series:
    label: str
    values: list[float | None]
    look: _Look
    stroke: bool = True


def _render(
    *,
    title: str,
    description: str,
    chart_id: str,
    kind: str,
    axis: list[tuple[str, date]],
    series: list[_Series],
    formatter: Callable[[float], str],
    include_zero: bool = False,
) -> SafeString:
    labels = [label for label, _start in axis]
    longest = max((len(label) for label in labels), default=4)
    fits = max(2, int((WIDTH - 90) / (longest * 8.5 + 14)))
    # An x label is centred under its period, so the first and the last stick out of the plot by
    # half their width: leave that much room at each side (the left side already has the y
    # labels' room), or "SY2025-26" is cut at the chart's right edge.
    half_label = math.ceil(longest * LABEL_CHAR_WIDTH / 2) + 4
    every = max(1, math.ceil(len(labels) / fits))
    values = [v for s in series for v in s.values if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = _ticks(low, high)
    longest_legend = max((len(s.label) for s in series), default=0)
    columns = 2 if len(series) > 1 and longest_legend * 8 + 48 < (WIDTH - 80) / 2 else 1
    # pygal reserves one legend row too few when the last row is not full; add it back.
    missing_rows = math.ceil(len(series) / columns) - max(len(series) // columns, 1)
    chart = pygal.Line(
        style=_style([s.look.colour for s in series]),
        js=[],
        disable_xml_declaration=True,
        pretty_print=False,
        explicit_size=False,
        width=WIDTH,
        height=HEIGHT + math.ceil(len(series) / columns) * 22 + 22 * title.count("\n"),
        title=title,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=columns,
        legend_box_size=14,
        truncate_legend=-1,
        truncate_label=-1,
        allow_interruptions=True,
        show_x_guides=False,
        show_y_guides=True,
        show_minor_x_labels=every == 1,
        x_labels_major_every=every if every > 1 else None,
        x_label_rotation=0,
        y_labels=ticks,
        range=(ticks[0], ticks[-1]),
        include_x_axis=include_zero,
        value_formatter=formatter,
        margin=12,
        margin_bottom=12 + missing_rows * 21,
        margin_right=max(28, half_label),
        margin_left=max(12, half_label - _y_label_room(ticks, formatter)),
        spacing=12,
        dots_size=4,
        tooltip_border_radius=0,
        no_data_text=_("No values yet"),
    )
    chart.x_labels = labels
    for s in series:
        chart.add(s.label, s.values, stroke=s.stroke, show_dots=s.look.marker is not None)
    chart.add_xml_filter(_strip_scripts_and_comments)
    chart.add_xml_filter(_dress([s.look for s in series], WIDTH))
    chart.add_xml_filter(_labelled(title.replace("\n", " "), description, chart_id, kind))
    svg = chart.render(is_unicode=True)
    return mark_safe(svg)  # noqa: S308 - pygal escapes every label it writes


def _y_label_room(ticks: Sequence[float], formatter: Callable[[float], str]) -> int:
    """About how wide pygal's y labels are: the room left of the plot the x labels may use."""
    return int(max((len(formatter(t)) for t in ticks), default=1) * LABEL_CHAR_WIDTH) + 10


def _ticks(low: float, high: float) -> list[float]:
    """Four to six round values from at or below `low` to at or above `high`; never below zero
    when nothing is below zero."""
    span = high - low
    if span <= 0:
        span = abs(high) * 0.2 or 1.0
        low, high = low - span / 2, high + span / 2
        if low < 0 <= min(high, low + span / 2):
            low = 0.0
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    if first == low and low != 0:
        first -= step  # a little room below the lowest value
    if last == high:
        last += step
    if low >= 0 > first:
        first = 0.0
    count = round((last - first) / step)
    return [round(first + i * step, 10) + 0.0 for i in range(count + 1)]


def _wrap(title: str) -> str:
    return "\n".join(textwrap.wrap(title, 42)) or title


def _aligned(points: Sequence[Point], axis: list[tuple[str, date]]) -> list[float | None]:
    by_period = {p.period: p for p in points}
    values: list[float | None] = []
    for label, _start in axis:
        p = by_period.get(label)
        values.append(None if p is None or p.suppressed or p.value is None else float(p.value))
    return values


def _single(label: str, axis: list[tuple[str, date]], value: float) -> list[float | None]:
    return [value if period == label else None for period, _start in axis]


def _summary(
    lines: Sequence[Line],
    fmt: Callable[[float | None], str],
    direction: str | None,
    baseline: tuple[str, float] | None,
    target: tuple[str, float] | None,
    forecast: Sequence[Point] | None,
) -> list[str]:
    """Sentences for <desc>: what the chart shows, in words."""
    sentences = []
    if direction == "lower":
        sentences.append(_("Lower is better."))
    elif direction == "higher":
        sentences.append(_("Higher is better."))
    for line in lines:
        values = known(line.points)
        if not values:
            sentences.append(_("%(line)s: no values yet.") % {"line": line.label})
        elif len(values) == 1:
            sentences.append(
                _("%(line)s: %(value)s in %(period)s.")
                % {"line": line.label, "value": fmt(values[0].value), "period": values[0].period}
            )
        else:
            sentences.append(
                _("%(line)s: %(first)s in %(start)s, %(last)s in %(end)s.")
                % {
                    "line": line.label,
                    "first": fmt(values[0].value),
                    "start": values[0].period,
                    "last": fmt(values[-1].value),
                    "end": values[-1].period,
                }
            )
        hidden = [p.period for p in sorted(line.points, key=lambda p: p.start) if p.suppressed]
        if hidden:
            sentences.append(
                _("%(line)s: suppressed (too few to report) in %(periods)s.")
                % {"line": line.label, "periods": ", ".join(hidden)}
            )
    if baseline:
        sentences.append(
            _("Baseline: %(value)s in %(period)s.")
            % {"value": fmt(baseline[1]), "period": baseline[0]}
        )
    if target:
        sentences.append(
            _("Target: %(value)s by %(period)s.") % {"value": fmt(target[1]), "period": target[0]}
        )
    if forecast and lines:
        used = min(FORECAST_WINDOW, len(known(lines[0].points)))
        sentences.append(
            _(
                "The dashed line is a forecast if nothing changes: a straight line fitted by "
                "least squares to the last %(count)s known values of %(line)s, continued to "
                "%(period)s, where it reaches %(value)s."
            )
            % {
                "count": used,
                "line": lines[0].label,
                "period": forecast[-1].period,
                "value": fmt(forecast[-1].value),
            }
        )
    return sentences


def _anchored(lines: Sequence[Line], forecast: Sequence[Point]) -> list[Point]:
    """The forecast joined to the last known value of the first line before it."""
    if not forecast or not lines:
        return list(forecast)
    before = [p for p in known(lines[0].points) if p.start < forecast[0].start]
    return [before[-1], *forecast] if before else list(forecast)


def _line_looks(count: int) -> list[_Look]:
    return [
        _Look(
            colour=LINE_COLOURS[i % len(LINE_COLOURS)],
            marker=LINE_MARKERS[i % len(LINE_MARKERS)],
            width=3.0 if i == 0 else 2.5,
        )
        for i in range(count)
    ]


def trend_chart(
    *,
    title: str,
    description: str,
    unit: str,
    direction: str,
    lines: list[Line],
    baseline: tuple[str, float] | None,
    target: tuple[str, float] | None,
    forecast: list[Point] | None,
    unit_label: str = "",
    chart_id: str = "trend",
) -> SafeString:
    """An indicator's (or performance measure's) lines over time with its baseline, target and
    forecast. The first line is the headline (usually everyone); more lines are the categories
    of a disaggregation. `chart_id` keeps element ids unique when a page shows several charts."""

    def fmt(value: float | None) -> str:
        return format_value(value, unit, unit_label)

    forecast = forecast or []
    axis = _axis(lines, forecast, baseline, target)
    series = [
        _Series(line.label, _aligned(line.points, axis), look)
        for line, look in zip(lines, _line_looks(len(lines)), strict=True)
    ]
    if forecast:
        series.append(
            _Series(
                _("Forecast if nothing changes"),
                _aligned(_anchored(lines, forecast), axis),
                _Look(FORECAST_COLOUR, None, FORECAST_DASH, width=2.5),
            )
        )
    if baseline:
        series.append(
            _Series(
                _("Baseline (%(period)s)") % {"period": baseline[0]},
                _single(baseline[0], axis, float(baseline[1])),
                _Look(MARK_COLOUR, "big_square", width=0, label=fmt(baseline[1])),
                stroke=False,
            )
        )
    if target:
        series.append(
            _Series(
                _("Target (%(period)s)") % {"period": target[0]},
                _single(target[0], axis, float(target[1])),
                _Look(MARK_COLOUR, "ring", width=0, label=fmt(target[1])),
                stroke=False,
            )
        )
    sentences = _summary(lines, fmt, direction, baseline, target, forecast)
    return _render(
        title=_wrap(title),
        description=" ".join([description.strip(), *sentences]).strip(),
        chart_id=chart_id,
        kind="trend-chart",
        axis=axis,
        series=series,
        formatter=lambda v: fmt(v),
        include_zero=False,
    )


def gap_chart(
    *,
    title: str,
    description: str,
    unit: str,
    gap: Line,
    target: tuple[str, float] | None,
    baseline: tuple[str, float] | None = None,
    forecast: list[Point] | None = None,
    unit_label: str = "",
    chart_id: str = "gap",
) -> SafeString:
    """A disparity gap over time (see `gap_line`), with its own target; zero is no gap, and the
    zero line is always in view. A gap between percentages is shown in points."""

    def fmt(value: float | None) -> str:
        return format_value(value, unit, unit_label, difference=True)

    forecast = forecast or []
    axis = _axis([gap], forecast, baseline, target)
    series = [_Series(gap.label, _aligned(gap.points, axis), _line_looks(1)[0])]
    if forecast:
        series.append(
            _Series(
                _("Forecast if nothing changes"),
                _aligned(_anchored([gap], forecast), axis),
                _Look(FORECAST_COLOUR, None, FORECAST_DASH, width=2.5),
            )
        )
    if baseline:
        series.append(
            _Series(
                _("Baseline (%(period)s)") % {"period": baseline[0]},
                _single(baseline[0], axis, float(baseline[1])),
                _Look(MARK_COLOUR, "big_square", width=0, label=fmt(baseline[1])),
                stroke=False,
            )
        )
    if target:
        series.append(
            _Series(
                _("Target (%(period)s)") % {"period": target[0]},
                _single(target[0], axis, float(target[1])),
                _Look(MARK_COLOUR, "ring", width=0, label=fmt(target[1])),
                stroke=False,
            )
        )
    sentences = [_("Smaller is better: zero means no gap.")]
    sentences += _summary([gap], fmt, None, baseline, target, forecast)
    return _render(
        title=_wrap(title),
        description=" ".join([description.strip(), *sentences]).strip(),
        chart_id=chart_id,
        kind="gap-chart",
        axis=axis,
        series=series,
        formatter=lambda v: fmt(v),
        include_zero=True,
    )
