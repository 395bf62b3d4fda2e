"""Backbone staff edit the common agenda in place: a strategy's title through htmx without a page
load, and a result moved up with the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from backbone.models import Membership
from backbone.roles import Role
from initiatives import services
from initiatives.models import Strategy
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    # The whole suite may run in parallel with this test: leave the live server time to answer.
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


def test_staff_edits_a_strategy_inline_and_moves_a_result_with_the_keyboard(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    org: Any = OrganizationFactory(name="Lakeshore Learning Partnership", slug="lakeshore")
    staff: Any = UserFactory(email="maria@lakeshore.example.org", full_name="Maria Alvarez")
    Membership.objects.create(organization=org, user=staff, role=Role.STAFF)
    initiative = services.initiative_create(
        organization=org,
        name="Read Lakeshore",
        north_star="Every third grader in Lakeshore County reads at grade level by 2030.",
    )
    ready = services.result_create(initiative=initiative, statement="Children enter school ready")
    attend = services.result_create(initiative=initiative, statement="Children attend every day")
    prek = services.strategy_create(result=ready, title="Expand pre-K seats")
    services.strategy_create(result=attend, title="Family outreach")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("maria@lakeshore.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/lakeshore/initiatives/{initiative.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Read Lakeshore")

    # A marker on window survives only if the page is never reloaded.
    page.evaluate("window.__noReload = 'still here'")
    row = page.locator(f"#strategy-{prek.pk}")
    row.get_by_role("link", name="Edit").click()
    title = page.locator(f"#id_strategy_{prek.pk}_title")
    expect(title).to_be_focused()
    title.fill("Open 400 new pre-K seats")
    page.get_by_role("button", name="Save").click()
    saved = page.locator(f"#strategy-{prek.pk}")
    expect(saved.get_by_role("heading", level=4)).to_have_text("Open 400 new pre-K seats")
    expect(saved.get_by_role("status")).to_have_text("Saved")
    assert page.evaluate("window.__noReload") == "still here"
    assert Strategy.objects.get(pk=prek.pk).title == "Open 400 new pre-K seats"

    # Escape leaves an edit without saving.
    saved.get_by_role("link", name="Edit").click()
    again = page.locator(f"#id_strategy_{prek.pk}_title")
    expect(again).to_be_focused()  # swapped in and settled
    again.fill("Not kept")
    again.press("Escape")
    expect(page.locator(f"#strategy-{prek.pk} h4")).to_have_text("Open 400 new pre-K seats")

    page.reload()
    expect(page.locator(f"#strategy-{prek.pk} h4")).to_have_text("Open 400 new pre-K seats")

    # Move the second result up with the keyboard: focus its button, press Enter.
    page.evaluate("window.__noReload = 'still here'")
    up = page.locator(f"#result-{attend.pk}-up")
    up.focus()
    page.keyboard.press("Enter")
    statements = page.locator(".agenda-result__statement")
    expect(statements).to_have_text(["Children attend every day", "Children enter school ready"])
    # It is first now, so the focus stays on its other move button, ready for another press.
    expect(page.locator(f"#result-{attend.pk}-down")).to_be_focused()
    assert page.evaluate("window.__noReload") == "still here"
    page.screenshot(path=screenshot_dir / "common-agenda-after-inline-edit.png", full_page=True)

    page.reload()
    expect(page.locator(".agenda-result__statement")).to_have_text(
        ["Children attend every day", "Children enter school ready"]
    )
    assert list(initiative.results.order_by("position").values_list("pk", flat=True)) == [
        attend.pk,
        ready.pk,
    ]
    context.close()
