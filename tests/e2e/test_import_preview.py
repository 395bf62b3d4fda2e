"""Backbone staff import a partly valid people spreadsheet in the browser: the preview shows the
counts and every row's errors, nothing is written until they import the valid rows only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from initiatives.models import ImportBatch, Person
from initiatives.tests.factories import PartnerOrganizationFactory, PersonFactory
from initiatives.tests.import_helpers import FIXTURES, MIXED_ERRORS
from tests.factories import PASSWORD
from tests.fixtures import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_import_the_valid_rows_of_a_mixed_csv(
    browser: Browser, live_server: Any, personas: Personas, screenshot_dir: Path
) -> None:
    for name in ("Lakeshore Public Schools", "Northside Family Center"):
        PartnerOrganizationFactory(organization=personas.org, name=name)
    PersonFactory(
        organization=personas.org, full_name="Benjamin Carter", email="ben.carter@example.org"
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(personas.staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lakeshore Learning Partnership")

    page.goto(f"{live_server.url}/o/lakeshore/people/import/")
    page.get_by_label("Spreadsheet").set_input_files(FIXTURES / "people_mixed.csv")
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check before importing")
    counts = page.locator("#import-counts")
    expect(counts.locator("[data-count=rows]")).to_have_text("7")
    expect(counts.locator("[data-count=new]")).to_have_text("2")
    expect(counts.locator("[data-count=update]")).to_have_text("1")
    expect(counts.locator("[data-count=error]")).to_have_text("4")
    expect(page.locator("#row-errors li")).to_have_text(MIXED_ERRORS)
    expect(page.locator("#import-rows tr[data-row='3']")).to_contain_text("Updates Benjamin Carter")
    expect(page.locator("#import-rows tr[data-row='5']")).to_contain_text(
        "“Name”: The name is empty."
    )
    page.screenshot(path=screenshot_dir / "import-preview.png", full_page=True)
    # Uploading and looking wrote nothing.
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Benjamin Carter"]

    page.get_by_role("button", name="Import the 3 valid rows only").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import finished")
    expect(page.locator("#result-summary")).to_contain_text("2 created, 1 updated.")
    expect(page.get_by_text("Imported: 2 created, 1 updated.")).to_be_visible()
    page.screenshot(path=screenshot_dir / "import-result.png", full_page=True)
    assert sorted(Person.objects.values_list("full_name", "email")) == [
        ("Ana López", "ana.lopez@example.org"),
        ("Ben Carter", "ben.carter@example.org"),
        ("Gus Hill", "gus.hill@example.org"),
    ]
    assert ImportBatch.objects.get().committed_at is not None
    context.close()
