"""The composition charts: valid inline SVG, no scripts, nothing loaded from elsewhere."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

from initiatives.charts import Point, bar_chart, composition_charts
from initiatives.selectors import Bar, Composition

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def chart() -> str:
    return str(
        bar_chart(
            [Point("Nonprofit", 4), Point("Funder", 1), Point("<Tom & Jerry's>", 2)],
            title="Organizations by sector",
            chart_id="t1-sector",
        )
    )


def test_chart_is_valid_inline_svg_without_xml_declaration() -> None:
    svg = chart()
    assert svg.startswith("<svg ")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t1-sector-title t1-sector-desc"


def test_chart_has_no_script_and_loads_nothing() -> None:
    svg = chart()
    assert "<script" not in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]*", svg)) <= NAMESPACES
    assert "<!--" not in svg
    root = parse(svg)
    assert [el for el in root.iter() if el.tag == f"{SVG}script"] == []


def test_chart_names_itself_with_the_numbers() -> None:
    root = parse(chart())
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert title.text == "Organizations by sector"
    assert desc.text == "Nonprofit: 4; Funder: 1; <Tom & Jerry's>: 2"


def test_labels_are_escaped_and_drawn_top_down_in_order() -> None:
    svg = chart()
    assert "<Tom" not in svg.replace("<title", "").replace("<desc", "")
    root = parse(svg)
    labels = [
        t.text
        for t in root.iter(f"{SVG}text")
        if t.text in {"Nonprofit", "Funder", "<Tom & Jerry's>"}
    ]
    # pygal writes the bottom label first; the first point is drawn at the top.
    assert labels == ["<Tom & Jerry's>", "Funder", "Nonprofit"]


def test_printed_values_are_the_counts() -> None:
    root = parse(chart())
    values = sorted(
        t.text or "" for t in root.iter(f"{SVG}text") if "value" in (t.get("class") or "").split()
    )
    assert values == ["1", "2", "4"]


def _composition(**kwargs: Any) -> Composition:
    return Composition(table=None, **kwargs)  # type: ignore[arg-type]


def test_composition_charts_leave_suppressed_groups_out_of_the_drawing() -> None:
    comp = _composition(
        people=9,
        organizations=2,
        by_sector=[Bar("Nonprofit", 2)],
        by_size=[Bar("Not known", 2)],
        community_led_organizations=0,
        community_members=3,
        professionals=6,
        race_ethnicity=[Bar("Asian", 6), Bar("White", None)],
        gender=[Bar("Woman", None), Bar("Man", None)],
        demographics_shown=True,
    )

    blocks = {b.key: b for b in composition_charts(comp, prefix="t9")}

    assert list(blocks) == ["sector", "size", "community_led", "people", "race_ethnicity", "gender"]
    race = blocks["race_ethnicity"]
    assert [(r.label, r.shown) for r in race.rows] == [("Asian", "6"), ("White", "fewer than 5")]
    assert race.svg is not None
    desc = parse(str(race.svg)).find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == "Asian: 6"
    assert blocks["gender"].svg is None
    assert [(r.label, r.shown) for r in blocks["people"].rows] == [
        ("Community members", "3"),
        ("Professionals", "6"),
    ]
    assert [(r.label, r.shown) for r in blocks["community_led"].rows] == [
        ("Community-led", "0"),
        ("Not community-led", "2"),
    ]


def test_composition_without_organizations_draws_no_organization_charts() -> None:
    comp = _composition(people=2, organizations=0, community_members=2, professionals=0)
    blocks = {b.key: b for b in composition_charts(comp, prefix="t1")}
    assert (blocks["sector"].svg, blocks["sector"].rows) == (None, [])
    assert (blocks["community_led"].svg, blocks["community_led"].rows) == (None, [])
    assert blocks["people"].svg is not None
