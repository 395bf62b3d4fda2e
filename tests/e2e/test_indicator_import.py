"""A staff member imports a messy state report card into one indicator in the browser: the preview
catches every problem by row and column and writes nothing; the corrected file imports, its
suppressed cells kept as suppressed; the indicator page then draws the trend inline and offers
it as an SVG file. A file large enough for the background worker shows a progress bar until
the worker is done, then the chart."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from django.db.models import F
from playwright.sync_api import Browser, Page, expect

from metrics import data_imports, tasks
from metrics.models import DataImport, DataPoint, Indicator
from metrics.tests.factories import CategoryFactory, DimensionFactory, IndicatorFactory
from tests.factories import PASSWORD
from tests.fixtures import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = Path(__file__).resolve().parents[1] / "metrics_files"
NAME = "Third graders reading at grade level"
SVG = "{http://www.w3.org/2000/svg}"

# report_card_messy.csv: the state's title rows and footnotes around a wide table, plus a word
# for a number, a percent over 100, a group the initiative does not have and a row pasted twice.
MESSY_PROBLEMS = [
    ["Row 5", "SY2018-19", "“two” is not a number."],
    ["Row 6", "SY2018-19", "“145%” is an out-of-range percent: percentages go from 0 to 100."],
    [
        "Row 7",
        "Student group",
        "“Two or more races” is not a group of any disaggregation of this initiative. Add it "
        "first, or name the disaggregation and let the import create the groups the file names.",
    ],
    *(
        [
            "Row 9",
            period,
            f"The value for {NAME}, {period}, White is also on row 8.",
        ]
        for period in ("SY2015-16", "SY2016-17", "SY2017-18", "SY2018-19")
    ),
]

# report_card_wide.csv, the corrected card: (period, group, value, suppressed, marker).
STORED = [
    ("SY2015-16", None, Decimal("45.2"), False, ""),
    ("SY2015-16", "Hispanic or Latino", Decimal("38.4"), False, ""),
    ("SY2015-16", "Black or African American", Decimal("31.0"), False, ""),
    ("SY2015-16", "Asian", None, True, "--"),
    ("SY2015-16", "White", Decimal("55.0"), False, ""),
    ("SY2016-17", None, Decimal("46.0"), False, ""),
    ("SY2016-17", "Hispanic or Latino", None, True, "*"),
    ("SY2016-17", "Black or African American", None, True, "<10"),
    ("SY2016-17", "Asian", Decimal("62.5"), False, ""),
    ("SY2016-17", "White", Decimal("56.1"), False, ""),
    ("SY2017-18", None, Decimal("47.5"), False, ""),
    ("SY2017-18", "Hispanic or Latino", Decimal("40.2"), False, ""),
    ("SY2017-18", "Black or African American", None, True, "n<10"),
    ("SY2017-18", "White", Decimal("57.0"), False, ""),
    ("SY2018-19", None, Decimal("48.1"), False, ""),
    ("SY2018-19", "Hispanic or Latino", Decimal("41.0"), False, ""),
    ("SY2018-19", "Black or African American", Decimal("33.3"), False, ""),
    ("SY2018-19", "Asian", None, True, "N/A"),
    ("SY2018-19", "White", Decimal("57.9"), False, ""),
]


def _stored(indicator: Indicator) -> list[tuple[Any, ...]]:
    """(period, group, value, suppressed, marker), everyone's value first in every database."""
    return list(
        DataPoint.objects.filter(indicator=indicator)
        .order_by("period_start", F("category__position").asc(nulls_first=True))
        .values_list("period", "category__name", "value", "suppressed", "suppression_marker")
    )


def _upload(page: Page, base: str, indicator: Indicator, file: Path) -> None:
    """From the initiative's results, to its import page; the card goes into `indicator`."""
    page.goto(f"{base}/o/lakeshore/initiatives/{indicator.initiative_id}/indicators/")
    page.get_by_role("link", name="Import data", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import indicator data")
    page.get_by_label("Data file").set_input_files(file)
    page.get_by_label("Into one indicator").select_option(label=NAME)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before importing")


def test_staff_import_a_messy_report_card_then_the_corrected_one_and_see_its_charts(
    browser: Browser, live_server: Any, personas: Personas, screenshot_dir: Path
) -> None:
    indicator: Any = IndicatorFactory(
        result__initiative__organization=personas.org,
        name=NAME,
        target_value=Decimal("60"),
        target_period="SY2024-25",
    )
    IndicatorFactory(result=indicator.result, name="First graders reading at benchmark")
    dimension: Any = DimensionFactory(initiative=indicator.initiative, name="Race/ethnicity")
    for group in ("Hispanic or Latino", "Black or African American", "Asian", "White"):
        CategoryFactory(dimension=dimension, name=group)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(personas.staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lakeshore Learning Partnership")

    # The messy card: the preview names every problem and nothing is written.
    _upload(page, live_server.url, indicator, FILES / "report_card_messy.csv")
    expect(page.locator(".page-header .lede")).to_contain_text(
        f"report_card_messy.csv, 6 rows. Every value goes into “{NAME}”."
    )
    counts = page.locator("#import-counts")
    expect(counts.locator("[data-count=points]")).to_have_text("14")
    expect(counts.locator("[data-count=new]")).to_have_text("14")
    expect(counts.locator("[data-count=updated]")).to_have_text("0")
    expect(counts.locator("[data-count=errors]")).to_have_text("7")
    expect(page.locator("#decision-title")).to_have_text("7 problems to fix first")
    expect(page.locator("#import-decision button")).to_have_count(0)
    rows = page.locator("#row-errors tbody tr")
    expect(rows).to_have_count(len(MESSY_PROBLEMS))
    for row, (where, column, message) in zip(rows.all(), MESSY_PROBLEMS, strict=True):
        expect(row.locator("td")).to_have_text([where, column, message])
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=screenshot_dir / f"e2e-import-preview-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    messy = DataImport.objects.get()
    assert messy.status == DataImport.Status.PREVIEWED
    assert DataPoint.objects.count() == 0

    # The corrected card imports, all of it; suppressed cells stay suppressed, never 0.
    _upload(page, live_server.url, indicator, FILES / "report_card_wide.csv")
    counts = page.locator("#import-counts")
    expect(counts.locator("[data-count=points]")).to_have_text("19")
    expect(counts.locator("[data-count=new]")).to_have_text("19")
    expect(counts.locator("[data-count=errors]")).to_have_text("0")
    expect(page.locator("#import-decision")).to_contain_text(
        "19 values will be saved, all together or not at all. 5 are suppressed and kept as "
        "suppressed. 1 blank cell is skipped."
    )
    expect(page.locator("#row-errors")).to_have_count(0)
    assert DataPoint.objects.count() == 0
    page.get_by_role("button", name="Import 19 values").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Imported")
    expect(
        page.get_by_text("Imported: 19 new values, 0 updated, 0 already up to date.", exact=True)
    ).to_be_visible()
    expect(page.locator("#import-outcome")).to_have_text(
        "19 new values, 0 updated, 0 already up to date, 0 new groups."
    )
    assert _stored(indicator) == STORED
    assert DataImport.objects.get(pk=messy.pk).status == DataImport.Status.PREVIEWED

    # The indicator page draws the trend inline, and offers it as an SVG file.
    page.get_by_role("link", name="See the indicators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator("#latest-value")).to_have_text("48.1%")
    trend = page.locator("#trend")
    expect(trend.locator(".chart__svg > svg > title")).to_have_text(NAME)
    download = trend.get_by_role("link", name="Download SVG")
    expect(download).to_have_text(f"Download SVG: {NAME}")
    href = download.get_attribute("href")
    assert href == f"/o/lakeshore/indicators/{indicator.pk}/chart.svg"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.body())
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == NAME
    context.close()


def test_staff_watch_a_large_import_progress_then_see_the_chart(
    browser: Browser,
    live_server: Any,
    personas: Personas,
    screenshot_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file over the background threshold goes to the worker: the page shows a progress bar
    that follows the worker's counts without a reload, then shows the outcome by itself, and
    the indicator's page draws the chart."""
    indicator: Any = IndicatorFactory(result__initiative__organization=personas.org, name=NAME)
    dimension: Any = DimensionFactory(initiative=indicator.initiative, name="Race/ethnicity")
    for group in ("Hispanic or Latino", "Black or African American", "Asian", "White"):
        CategoryFactory(dimension=dimension, name=group)
    # The report card's 5 rows count as a large file, and the worker waits until told to run.
    monkeypatch.setattr(data_imports, "BACKGROUND_ROWS", 2)
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_data_import, "delay", queued.append)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(personas.staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    _upload(page, live_server.url, indicator, FILES / "report_card_wide.csv")
    page.get_by_role("button", name="Import 19 values").click()

    # Queued for the worker: the page says so and shows an empty bar.
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing…")
    data_import = DataImport.objects.get()
    assert queued == [data_import.pk]
    assert data_import.status == DataImport.Status.IMPORTING
    bar = page.locator("#import-progress progress")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("value", "0")
    expect(page.locator(".import-progress__label")).to_contain_text("Checking the rows…")
    page.evaluate("window.__noReload = 'still here'")

    # The worker reports its counts as it checks the rows: the bar follows, without a reload.
    DataImport.objects.filter(pk=data_import.pk).update(progress_done=3, progress_total=5)
    expect(page.locator(".import-progress__label")).to_contain_text("3 of 5")
    expect(bar).to_have_attribute("value", "3")
    expect(bar).to_have_attribute("max", "5")
    assert page.evaluate("window.__noReload") == "still here"
    assert DataPoint.objects.count() == 0
    page.screenshot(path=screenshot_dir / "e2e-import-progress.png", full_page=True)

    # The worker finishes: the page reloads itself once and shows the outcome.
    assert tasks.run_data_import(data_import.pk) == DataImport.Status.DONE
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported")
    expect(page.locator("#import-outcome")).to_have_text(
        "19 new values, 0 updated, 0 already up to date, 0 new groups."
    )
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "19")
    assert _stored(indicator) == STORED

    page.get_by_role("link", name="See the indicators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator("#latest-value")).to_have_text("48.1%")
    expect(page.locator("#trend .chart__svg > svg > title")).to_have_text(NAME)
    page.screenshot(path=screenshot_dir / "e2e-import-chart.png", full_page=True)
    context.close()
