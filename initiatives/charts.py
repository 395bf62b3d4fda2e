"""Small server-side charts of who is at the table, drawn as inline SVG with pygal.

The SVG carries no script and loads nothing from elsewhere: pygal's own configuration script,
its tooltips and its comments are stripped, so the page stays free of third-party code and works
with scripts off. Each chart names itself in <title>/<desc>; the page shows the same numbers as
a table, so colour is never the only carrier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import pygal
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from initiatives.selectors import SMALL_GROUP, Bar, Composition

TEAL = "#1f5f5b"
TEXT = "#1d2a30"
MUTED = "#55616a"
GRID = "#dde2da"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif'

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground=TEXT,
    foreground_strong=TEXT,
    foreground_subtle=GRID,
    opacity="1",
    opacity_hover="1",
    transition="none",
    colors=(TEAL,),
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    value_label_font_family=FONT,
    title_font_family=FONT,
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    value_label_font_size=14,
)

ROW_HEIGHT = 32
MARGIN = 16
WIDTH = 440
SVG_NS = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Point:
    label: str
    value: int


def _strip_scripts_and_comments(root: ET.Element) -> ET.Element:
    """pygal always adds its config <script> (and credits in comments); remove both."""
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.removeprefix(SVG_NS) == "script" or child.tag is ET.Comment:
                parent.remove(child)
    return root


def _labelled(title: str, description: str, chart_id: str) -> Callable[[ET.Element], ET.Element]:
    def add(root: ET.Element) -> ET.Element:
        title_el = ET.Element("title", id=f"{chart_id}-title")
        title_el.text = title
        desc_el = ET.Element("desc", id=f"{chart_id}-desc")
        desc_el.text = description
        root.insert(0, desc_el)
        root.insert(0, title_el)
        root.set("role", "img")
        root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
        root.set("class", "bar-chart")
        root.set("focusable", "false")
        return root

    return add


def bar_chart(points: Sequence[Point], *, title: str, chart_id: str) -> SafeString:
    """A horizontal bar chart, one bar per point, with the count printed at the bar's end."""
    description = "; ".join(f"{p.label}: {p.value}" for p in points)
    chart = pygal.HorizontalBar(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        no_prefix=False,
        show_legend=False,
        show_y_guides=False,
        show_x_guides=False,
        show_minor_x_labels=False,
        show_x_labels=False,
        print_values=True,
        print_values_position="top",
        tooltip_border_radius=0,
        width=WIDTH,
        height=max(len(points), 1) * ROW_HEIGHT + MARGIN * 2,
        margin=4,
        # pygal guesses label widths for a monospace font; leave room for wide letters.
        margin_left=16,
        spacing=8,
        truncate_label=-1,
        # Headroom past the longest bar for its printed count.
        range=(0, max([p.value for p in points] + [1]) * 1.12),
        include_x_axis=True,
        x_label_rotation=0,
        explicit_size=False,
        pretty_print=False,
    )
    # Largest-to-smallest reads top-down; pygal draws the first label at the bottom.
    ordered = list(reversed(points))
    chart.x_labels = [p.label for p in ordered]
    chart.add(title, [p.value for p in ordered])
    chart.add_xml_filter(_strip_scripts_and_comments)
    chart.add_xml_filter(_labelled(title, description, chart_id))
    svg = chart.render(is_unicode=True)
    return mark_safe(svg)  # noqa: S308 - pygal escapes every label it writes


@dataclass(frozen=True)
class Row:
    label: str
    shown: str  # the count, or "fewer than 5" for a suppressed group


@dataclass(frozen=True)
class ChartBlock:
    """One chart of a table's composition and the same numbers as rows of a data table."""

    key: str
    title: str
    svg: SafeString | None  # None when there is nothing to draw
    rows: list[Row]
    note: str = ""


def _block(key: str, title: str, bars: Sequence[Bar], chart_id: str, note: str = "") -> ChartBlock:
    drawn = [Point(b.label, b.count) for b in bars if b.count is not None]
    return ChartBlock(
        key=key,
        title=title,
        svg=bar_chart(drawn, title=title, chart_id=chart_id) if drawn else None,
        rows=[Row(b.label, b.shown) for b in bars],
        note=note,
    )


def composition_charts(comp: Composition, *, prefix: str) -> list[ChartBlock]:
    """The charts of one table's composition; `prefix` keeps element ids unique on the page."""
    blocks = [
        _block("sector", _("Organizations by sector"), comp.by_sector, f"{prefix}-sector"),
        _block("size", _("Organizations by annual budget"), comp.by_size, f"{prefix}-size"),
        _block(
            "community_led",
            _("Community-led organizations"),
            [
                Bar(str(_("Community-led")), comp.community_led_organizations),
                Bar(
                    str(_("Not community-led")),
                    comp.organizations - comp.community_led_organizations,
                ),
            ]
            if comp.organizations
            else [],
            f"{prefix}-led",
        ),
        _block(
            "people",
            _("Community members and professionals"),
            [
                Bar(str(_("Community members")), comp.community_members),
                Bar(str(_("Professionals")), comp.professionals),
            ]
            if comp.people
            else [],
            f"{prefix}-people",
        ),
    ]
    if comp.demographics_shown:
        note = _("Groups of fewer than %(n)s people are not shown, so no one can be singled out.")
        note = note % {"n": SMALL_GROUP}
        blocks += [
            _block(
                "race_ethnicity",
                _("Race or ethnicity"),
                comp.race_ethnicity,
                f"{prefix}-race",
                note,
            ),
            _block("gender", _("Gender"), comp.gender, f"{prefix}-gender", note),
        ]
    return blocks
