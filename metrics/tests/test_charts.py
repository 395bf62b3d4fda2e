"""Indicator charts: the forecast's arithmetic, the drawing's parts, and an SVG that carries no
script and loads nothing, read back with defusedxml as a mail client or WeasyPrint would."""

from __future__ import annotations

import re
from datetime import date
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as SafeET
from django.utils import translation

from metrics.charts import (
    FORECAST_DASH,
    LABEL_CHAR_WIDTH,
    WIDTH,
    ChartTable,
    Line,
    Point,
    TableRow,
    chart_table,
    forecast,
    format_value,
    gap_chart,
    gap_line,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def year(y: int, value: float | None, suppressed: bool = False) -> Point:
    return Point(str(y), date(y, 1, 1), value, suppressed)


def values(points: list[Point]) -> list[tuple[str, date, float | None]]:
    return [(p.period, p.start, p.value) for p in points]


def parse(svg: str) -> Element:
    return SafeET.fromstring(svg)


def classes(el: Element) -> set[str]:
    return set((el.get("class") or "").split())


def series_groups(root: Element, index: int) -> list[Element]:
    return [g for g in root.iter(f"{SVG}g") if {"series", f"serie-{index}"} <= classes(g)]


def markers(root: Element, index: int) -> list[Element]:
    """The drawn markers of one series (pygal's dot circles, replaced by our shapes)."""
    return [
        shape
        for group in series_groups(root, index)
        for dots in group.iter(f"{SVG}g")
        if "dots" in classes(dots)
        for shape in dots
        if shape.tag != f"{SVG}text"
    ]


def centre(shape: Element) -> tuple[float, float]:
    if shape.tag == f"{SVG}g":
        shape = shape[0]
    if shape.tag == f"{SVG}circle":
        return float(shape.get("cx", "nan")), float(shape.get("cy", "nan"))
    numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*", shape.get("d", ""))]
    xs, ys = numbers[0::2], numbers[1::2]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def legend_labels(root: Element) -> list[str]:
    return [
        "".join(text.itertext())
        for legend in root.iter(f"{SVG}g")
        if "legend" in classes(legend)
        for text in legend.iter(f"{SVG}text")
    ]


def line_paths(root: Element, index: int) -> list[Element]:
    return [
        path
        for group in series_groups(root, index)
        for path in group.iter(f"{SVG}path")
        if "line" in classes(path)
    ]


READING = Line(
    "All third graders",
    [
        year(2015, 38.0),
        year(2016, 39.5),
        year(2017, 41.2),
        year(2018, 40.8),
        year(2019, None, suppressed=True),
        year(2020, 43.0),
        year(2021, 44.1),
        year(2022, 45.2),
        year(2023, 44.8),
        year(2024, 46.3),
    ],
)


def reading_chart(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "title": "Third graders reading at grade level",
        "description": "Share of third graders proficient in reading.",
        "unit": "percent",
        "direction": "higher",
        "lines": [READING],
        "baseline": ("2015", 38.0),
        "target": ("2030", 60.0),
        "forecast": forecast(READING.points, "2030", unit="percent"),
        "chart_id": "reading",
    }
    arguments.update(overrides)
    return str(trend_chart(**arguments))  # type: ignore[arg-type]


# --- forecast ----------------------------------------------------------------------------------


def test_forecast_continues_a_straight_line_year_by_year() -> None:
    points = [year(2022, 40), year(2023, 42), year(2024, 44)]
    assert values(forecast(points, "2027")) == [
        ("2025", date(2025, 1, 1), 46.0),
        ("2026", date(2026, 1, 1), 48.0),
        ("2027", date(2027, 1, 1), 50.0),
    ]


def test_forecast_is_fitted_to_the_last_five_known_values_only() -> None:
    points = [year(2016, 90), year(2017, 10), year(2018, 90)] + [
        year(2019 + i, 40 + 2 * i) for i in range(5)
    ]
    assert values(forecast(points, "2024")) == [("2024", date(2024, 1, 1), 50.0)]


def test_forecast_is_least_squares_not_first_to_last() -> None:
    # Through 40, 44, 42, 46: slope 1.6, mean 43 at x = 2022.5; 2025 → 43 + 1.6 * 2.5 = 47.
    points = [year(2021, 40), year(2022, 44), year(2023, 42), year(2024, 46)]
    assert values(forecast(points, "2025")) == [("2025", date(2025, 1, 1), 47.0)]


def test_forecast_skips_suppressed_and_counts_the_years_between() -> None:
    points = [year(2022, 40), year(2023, None, suppressed=True), year(2024, 44)]
    assert values(forecast(points, "2026")) == [
        ("2025", date(2025, 1, 1), 46.0),
        ("2026", date(2026, 1, 1), 48.0),
    ]


def test_forecast_needs_two_known_values() -> None:
    assert forecast([], "2030") == []
    assert forecast([year(2024, 40)], "2030") == []
    assert forecast([year(2023, None, suppressed=True), year(2024, 40)], "2030") == []


def test_forecast_ends_at_the_target_period_and_not_before_the_data() -> None:
    points = [year(2022, 40), year(2023, 42), year(2024, 44)]
    assert forecast(points, "2024") == []
    assert forecast(points, "2020") == []
    assert values(forecast(points, date(2026, 6, 30))) == [
        ("2025", date(2025, 1, 1), 46.0),
        ("2026", date(2026, 1, 1), 48.0),
    ]


def test_forecast_by_school_year_quarter_and_month() -> None:
    school = [
        Point("SY2019-20", date(2019, 7, 1), 50),
        Point("SY2020-21", date(2020, 7, 1), 49),
        Point("SY2021-22", date(2021, 7, 1), 48),
    ]
    assert values(forecast(school, "SY2023-24")) == [
        ("SY2022-23", date(2022, 7, 1), 47.0),
        ("SY2023-24", date(2023, 7, 1), 46.0),
    ]
    quarters = [Point("2024-Q3", date(2024, 7, 1), 100), Point("2024-Q4", date(2024, 10, 1), 110)]
    assert values(forecast(quarters, "2025-Q2")) == [
        ("2025-Q1", date(2025, 1, 1), 120.0),
        ("2025-Q2", date(2025, 4, 1), 130.0),
    ]
    months = [Point("2024-11", date(2024, 11, 1), 5), Point("2024-12", date(2024, 12, 1), 6)]
    assert values(forecast(months, "2025")) == [("2025-01", date(2025, 1, 1), 7.0)]


def test_forecast_stays_within_what_the_unit_allows() -> None:
    rising = [year(2023, 90), year(2024, 95)]
    assert [p.value for p in forecast(rising, "2026", unit="percent")] == [100.0, 100.0]
    assert [p.value for p in forecast(rising, "2026")] == [100.0, 105.0]
    falling = [year(2023, 10), year(2024, 5)]
    assert [p.value for p in forecast(falling, "2026", unit="count")] == [0.0, 0.0]


# --- gaps and the data table -------------------------------------------------------------------


def test_gap_line_is_how_far_the_focus_group_is_behind() -> None:
    reference = Line("White", [year(2022, 60), year(2023, 62), year(2024, 63.5)])
    focus = Line("Hispanic", [year(2022, 40), year(2023, None, suppressed=True), year(2024, 45.25)])
    gap = gap_line(reference, focus, direction="higher", label="Gap")
    assert gap == Line(
        "Gap",
        [year(2022, 20.0), year(2023, None, suppressed=True), year(2024, 18.25)],
    )
    lower = gap_line(
        Line("White", [year(2024, 4.0)]),
        Line("Black", [year(2024, 10.5)]),
        direction="lower",
        label="Gap",
    )
    assert lower.points == [year(2024, 6.5)]


def test_chart_table_lists_every_period_with_suppressed_shown_as_such() -> None:
    table = chart_table(
        unit="percent",
        lines=[Line("All", [year(2022, 40), year(2023, None, suppressed=True), year(2024, 44)])],
        baseline=("2022", 40.0),
        target=("2026", 50.0),
        forecast=[year(2025, 46.0), year(2026, 48.0)],
    )
    assert table == ChartTable(
        ["All", "Forecast if nothing changes"],
        [
            TableRow("2022", ["40%", "—"], "Baseline: 40%"),
            TableRow("2023", ["suppressed", "—"]),
            TableRow("2024", ["44%", "—"]),
            TableRow("2025", ["—", "46%"]),
            TableRow("2026", ["—", "48%"], "Target: 50%"),
        ],
    )


@pytest.mark.parametrize(
    ("value", "unit", "label", "shown"),
    [
        (45.2, "percent", "", "45.2%"),
        (45.0, "percent", "", "45%"),
        (1234, "count", "", "1,234"),
        (1234567.5, "count", "", "1,234,567.5"),
        (3.456, "rate_per_1000", "", "3.46 per 1,000"),
        (1200.5, "currency", "", "$1,200.50"),
        (1200, "currency", "USD", "$1,200"),
        (-50, "currency", "EUR", "−€50"),
        (1200, "currency", "CAD", "1,200 CAD"),
        (12, "other", "visits", "12 visits"),
        (-0.001, "count", "", "0"),
        (None, "percent", "", "—"),
    ],
)
def test_values_are_formatted_for_their_unit(
    value: float | None, unit: str, label: str, shown: str
) -> None:
    assert format_value(value, unit, label) == shown


def test_values_follow_the_active_language() -> None:
    with translation.override("es"):
        assert format_value(45.2, "percent") == "45,2%"
        assert format_value(1234, "count") == "1\xa0234"  # Spanish groups with a space


def test_a_gap_between_percentages_is_in_points() -> None:
    assert format_value(12.5, "percent", difference=True) == "12.5 pts"


# --- the drawing -------------------------------------------------------------------------------


def test_trend_chart_is_self_contained_svg() -> None:
    svg = reading_chart()
    assert svg.startswith("<svg ")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    tags = {el.tag for el in root.iter()}
    assert f"{SVG}script" not in tags
    assert f"{SVG}foreignObject" not in tags
    assert f"{SVG}image" not in tags
    assert "<script" not in svg
    assert "<!--" not in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]*", svg)) <= NAMESPACES
    assert "file://" not in svg
    assert "url(" not in svg
    assert "@import" not in svg
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "reading-title reading-desc"
    assert root.get("viewBox") == "0 0 480 388"
    assert root.get("width") is None  # scales to its container, down to phone width


def _school_year(start: int, value: float) -> Point:
    return Point(f"SY{start}-{(start + 1) % 100:02d}", date(start, 7, 1), value)


@pytest.mark.parametrize("unit", ["percent", "count"])
def test_the_first_and_last_period_labels_fit_inside_the_chart(unit: str) -> None:
    """An x label is centred under its period: the last one must not run past the right edge
    (nor the first past the left), even when it is as long as "SY2025-26"."""
    points = [_school_year(y, 40.0 + y - 2016) for y in range(2016, 2026)]
    svg = trend_chart(
        title="Third graders reading at grade level by race/ethnicity",
        description="",
        unit=unit,
        direction="higher",
        lines=[Line("Everyone", points), Line("White", points)],
        baseline=None,
        target=None,
        forecast=None,
    )
    root = parse(svg)
    plot = next(g for g in root.iter(f"{SVG}g") if "plot" in classes(g))
    match = re.match(r"translate\(([\d.]+)", plot.get("transform", ""))
    assert match is not None
    left = float(match[1])
    axis = next(g for g in root.iter(f"{SVG}g") if classes(g) == {"axis", "x"})
    labels = [(t.text or "", left + float(t.get("x", 0))) for t in axis.iter(f"{SVG}text")]

    assert labels[0][0] == "SY2016-17"
    assert labels[-1][0] == "SY2025-26"
    for text, x in (labels[0], labels[-1]):
        half = len(text) * LABEL_CHAR_WIDTH / 2
        assert x - half >= 0, text
        assert x + half <= WIDTH, text


def test_trend_chart_names_and_describes_itself() -> None:
    root = parse(reading_chart())
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert title.text == "Third graders reading at grade level"
    assert desc.text == (
        "Share of third graders proficient in reading. Higher is better. "
        "All third graders: 38% in 2015, 46.3% in 2024. "
        "All third graders: suppressed (too few to report) in 2019. "
        "Baseline: 38% in 2015. Target: 60% by 2030. "
        "The dashed line is a forecast if nothing changes: a straight line fitted by least "
        "squares to the last 5 known values of All third graders, continued to 2030, where it "
        "reaches 50.52%."
    )
    assert [t.text for t in root.iter(f"{SVG}title")][:1] == [title.text]


def test_trend_chart_draws_each_series_once() -> None:
    root = parse(reading_chart())
    assert legend_labels(root) == [
        "All third graders",
        "Forecast if nothing changes",
        "Baseline (2015)",
        "Target (2030)",
    ]
    # The x axis runs from the first period to the target period, every year in between.
    axis = [
        t.text
        for g in root.iter(f"{SVG}g")
        if {"axis", "x"} <= classes(g)
        for t in g.iter(f"{SVG}text")
    ]
    assert axis == [str(y) for y in range(2015, 2031, 2)]


def test_suppressed_values_are_gaps_never_zero() -> None:
    root = parse(reading_chart())
    assert len(markers(root, 0)) == 9  # ten years, one suppressed
    assert len(line_paths(root, 0)) == 2  # the line breaks at 2019
    ys = [centre(m)[1] for m in markers(root, 0)]
    baseline_y = centre(markers(root, 2)[0])[1]
    # Nothing is drawn below the baseline of 38%, the lowest value: no point fell to zero.
    assert max(ys) == pytest.approx(baseline_y, abs=0.01)


def test_forecast_is_a_dashed_line_from_the_last_known_value() -> None:
    root = parse(reading_chart())
    (path,) = line_paths(root, 1)
    assert path.get("stroke-dasharray") == FORECAST_DASH
    assert markers(root, 1) == []
    last_x, last_y = centre(markers(root, 0)[-1])
    start = [float(n) for n in re.findall(r"-?\d+\.?\d*", path.get("d", ""))[:2]]
    assert start == [pytest.approx(last_x, abs=0.01), pytest.approx(last_y, abs=0.01)]
    # Measured lines are solid.
    assert all(p.get("stroke-dasharray") is None for p in line_paths(root, 0))


def test_baseline_and_target_are_marked_with_their_values() -> None:
    root = parse(reading_chart())
    labels = [t.text for t in root.iter(f"{SVG}text") if "mark-label" in classes(t)]
    assert labels == ["38%", "60%"]
    (target,) = markers(root, 3)
    target_x, target_y = centre(target)
    last_forecast_x = max(
        float(n) for n in re.findall(r"-?\d+\.?\d*", line_paths(root, 1)[0].get("d", ""))[0::2]
    )
    assert target_x == pytest.approx(last_forecast_x, abs=0.01)  # both at 2030
    assert target_y < centre(markers(root, 0)[-1])[1]  # 60% above the latest 46.3%


def test_without_forecast_or_marks_only_the_lines_are_drawn() -> None:
    root = parse(reading_chart(forecast=[], baseline=None, target=None))
    assert legend_labels(root) == ["All third graders"]
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert "forecast" not in (desc.text or "")


def test_lower_is_better_shows_the_target_below() -> None:
    deaths = Line("Infant deaths", [year(2020 + i, v) for i, v in enumerate([7.1, 6.9, 6.6])])
    root = parse(
        trend_chart(
            title="Infant mortality",
            description="",
            unit="rate_per_1000",
            direction="lower",
            lines=[deaths],
            baseline=("2020", 7.1),
            target=("2030", 4.0),
            forecast=forecast(deaths.points, "2030", unit="rate_per_1000"),
            chart_id="deaths",
        )
    )
    (target,) = markers(root, 3)
    assert centre(target)[1] > max(centre(m)[1] for m in markers(root, 0))
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert (desc.text or "").startswith("Lower is better. ")
    labels = [t.text for t in root.iter(f"{SVG}text") if "mark-label" in classes(t)]
    assert labels == ["7.1 per 1,000", "4 per 1,000"]


def test_disaggregated_lines_differ_by_more_than_colour() -> None:
    groups = ["Hispanic or Latino", "White", "Black", "Asian"]
    lines = [READING] + [
        Line(name, [year(2015 + i, 30 + 5 * n + i) for i in range(10)])
        for n, name in enumerate(groups)
    ]
    root = parse(
        trend_chart(
            title="Reading by race/ethnicity",
            description="",
            unit="percent",
            direction="higher",
            lines=lines,
            baseline=None,
            target=None,
            forecast=None,
        )
    )
    assert legend_labels(root) == ["All third graders", *groups]

    def shape(marker: Element) -> tuple[str, str, int]:
        d = marker.get("d", "")
        return marker.tag, marker.get("fill", ""), d.count("L")

    shapes = {shape(markers(root, i)[0]) for i in range(5)}
    assert len(shapes) == 5
    colours = {line_paths(root, i)[0].get("stroke") for i in range(5)}
    assert len(colours) == 5
    # The legend shows a sample of each line with its marker, not a colour swatch.
    for legend in [g for g in root.iter(f"{SVG}g") if "legend" in classes(g)]:
        assert legend.find(f"{SVG}rect") is None
        assert legend.find(f"{SVG}path") is not None


def test_gap_chart_shows_the_gap_in_points_with_its_target() -> None:
    gap = Line("Gap", [year(2020, 24.0), year(2021, None, suppressed=True), year(2022, 21.0)])
    svg = str(
        gap_chart(
            title="Reading gap",
            description="White minus Hispanic or Latino third graders.",
            unit="percent",
            gap=gap,
            target=("2030", 12.0),
            forecast=forecast(gap.points, "2030", unit="percent"),
            chart_id="gap",
        )
    )
    root = parse(svg)
    assert "<script" not in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]*", svg)) <= NAMESPACES
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Reading gap"
    assert desc is not None
    assert desc.text == (
        "White minus Hispanic or Latino third graders. Smaller is better: zero means no gap. "
        "Gap: 24 pts in 2020, 21 pts in 2022. Gap: suppressed (too few to report) in 2021. "
        "Target: 12 pts by 2030. The dashed line is a forecast if nothing changes: a straight "
        "line fitted by least squares to the last 2 known values of Gap, continued to 2030, "
        "where it reaches 9 pts."
    )
    assert legend_labels(root) == ["Gap", "Forecast if nothing changes", "Target (2030)"]
    y_labels = [
        t.text
        for g in root.iter(f"{SVG}g")
        if {"axis", "y"} <= classes(g)
        for t in g.iter(f"{SVG}text")
    ]
    assert y_labels[0] == "0 pts"  # zero, no gap, is always in view
    assert len(markers(root, 0)) == 2


def test_the_svg_renders_in_weasyprint() -> None:
    weasyprint = pytest.importorskip("weasyprint")
    html = f"<html><body><figure>{reading_chart()}</figure></body></html>"
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf is not None
    assert pdf.startswith(b"%PDF-")
