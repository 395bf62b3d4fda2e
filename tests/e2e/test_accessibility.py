"""axe-core (WCAG 2.0 to 2.2, A and AA) on every page of the site, as backbone staff, a steering
committee member, a co-chair, a partner and a visitor without a login: no serious or critical
violation anywhere. Then two htmx swaps a screen reader user relies on: a dashboard filter and a
review in meeting mode each say what changed through a live region, and the focus stays where the
person is working.

axe-core is fetched once at set-up (`make install`, pinned and checksummed in the Makefile), never
at run time; tests/e2e/site_pages.py lists every page and says why any other route is not one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from backbone.demo import build_demo
from backbone.models import User
from backbone.onboarding.sandbox import sandbox_create
from initiatives.models import Initiative, Seat, Table
from tests.e2e.site_pages import (
    ANONYMOUS,
    MUST_OPEN,
    NOT_PAGES,
    PAGES,
    PHONE,
    SLUG,
    axe_violations,
    build_world,
    fits_the_phone,
    sign_in,
    site_routes,
    walk,
)
from workplans.models import Meeting

# allauth's pages under /accounts/ that people meet; its other routes are reached from these.
ACCOUNT_PAGES = {"account_login", "account_signup", "account_reset_password", "account_logout"}


def test_every_route_is_a_page_checked_here_or_says_why_it_is_not() -> None:
    routes = {name for name, _ in site_routes()}
    unlisted = routes - set(PAGES) - set(NOT_PAGES)
    assert sorted(unlisted) == [], "add each to PAGES or NOT_PAGES in tests/e2e/site_pages.py"
    assert sorted(set(PAGES) & set(NOT_PAGES)) == []
    assert sorted(set(PAGES) - routes - ACCOUNT_PAGES) == []
    assert sorted(set(NOT_PAGES) - routes - ACCOUNT_PAGES) == []
    assert set(ANONYMOUS) <= set(PAGES)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_has_a_serious_accessibility_violation_for_any_role(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    world = build_world()

    found = walk(
        browser,
        live_server.url,
        world,
        viewport={"width": 1280, "height": 900},
        check=axe_violations,
        shots={
            "staff": "initiative_detail",
            "steering": "dashboard",
            "cochair": "meeting_mode",
            "partner": "my_commitments",
            "anonymous": "nag_link",
        },
        screenshot_dir=screenshot_dir,
        prefix="a11y",
    )

    assert found.problems == {}, "\n" + found.report()
    signed_in = [n for n in PAGES if n not in ANONYMOUS]
    assert found.opened["staff"] == [*signed_in, "not_found"]
    assert found.refused["staff"] == []
    assert found.opened["anonymous"] == [*(n for n in PAGES if n in ANONYMOUS), "not_found"]
    for role, pages in MUST_OPEN.items():
        assert sorted(pages - set(found.opened[role])) == [], role
        assert sorted(set(signed_in) - set(found.opened[role]) - set(found.refused[role])) == []


def _start(browser: Browser, base: str, role: str, path: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, role)
    page.goto(base + path)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_dashboard_filter_is_announced_and_the_focus_stays_on_it(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    build_demo(slug=SLUG)
    initiative = Initiative.objects.get(organization__slug=SLUG)
    workgroup = Table.objects.filter(initiative=initiative, kind=Table.Kind.WORKGROUP).first()
    assert workgroup is not None
    page = _start(
        browser, live_server.url, "steering", f"/o/{SLUG}/initiatives/{initiative.pk}/dashboard/"
    )
    page.evaluate("window.__noReload = 'still here'")
    status = page.locator("#dashboard-status")
    expect(status).to_have_text("")

    chooser = page.locator("#f-workgroup")
    chooser.focus()
    chooser.select_option(str(workgroup.pk))

    expect(page.locator(".dash-wg")).to_have_count(1)
    expect(status).to_have_text(f"Dashboard updated for {page.locator('#f-year').input_value()}.")
    # The same live region, its words changed: that is what a screen reader reads out.
    assert status.get_attribute("aria-live") == "polite"
    expect(chooser).to_be_focused()
    assert page.evaluate("window.__noReload") == "still here"
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "a11y-dashboard-filtered.png", full_page=True)
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_review_in_meeting_mode_is_announced_and_the_focus_moves_to_the_next(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    build_demo(slug=SLUG)
    table = Table.objects.get(
        seats__role=Seat.Role.CO_CHAIR,
        seats__person__user__email=f"cochair@{SLUG}.example.org",
    )
    meeting = Meeting.objects.filter(table=table, status=Meeting.Status.SCHEDULED).earliest(
        "starts_at"
    )
    page = _start(browser, live_server.url, "cochair", f"/o/{SLUG}/meetings/{meeting.pk}/mode/")
    announcer = page.locator("#announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    cards = page.locator("[data-review-card]")
    first, second = cards.nth(0), cards.nth(1)
    expect(first).to_be_focused()
    what = first.locator(".review-card__what").inner_text()

    done = page.locator("[data-review-card] .chip", has_text="Done")
    before = done.count()

    page.keyboard.press("d")

    expect(announcer).to_have_text(f"{what}: Done")
    expect(second).to_be_focused()
    expect(done).to_have_count(before + 1)
    # A letter typed away from the cards marks nothing (WCAG 2.1.4).
    page.locator(".back-link a").focus()
    page.keyboard.press("d")
    page.keyboard.press("n")
    expect(page.locator(".back-link a")).to_be_focused()

    # Adding a commitment: "Added." is read out, and the focus is back on "What".
    page.locator("#capture-what").fill("Send the reading list to every school")
    page.locator("#capture-who").fill("Keisha Brown")
    page.locator("#capture-what").press("Enter")
    expect(announcer).to_have_text("Added.")
    expect(page.locator("#capture-what")).to_be_focused()
    expect(done).to_have_count(before + 1)
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "a11y-meeting-mode-reviewed.png", full_page=True)
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_sample_organizations_pages(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    """The banner every page of a sample organization shows, and the page that removes it."""
    build_demo(slug=SLUG)
    staff = User.objects.get(email=f"staff@{SLUG}.example.org")
    sample = sandbox_create(owner=staff)
    page = _start(browser, live_server.url, "staff", f"/o/{sample.slug}/")
    for path in (f"/o/{sample.slug}/", f"/o/{sample.slug}/sample/remove/"):
        for viewport in ({"width": 1280, "height": 900}, PHONE):
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            response = page.goto(live_server.url + path)
            assert response is not None
            assert response.status == 200
            assert axe_violations(page) + fits_the_phone(page) == []
    page.screenshot(path=screenshot_dir / "a11y-sample-remove.png", full_page=True)
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_staff_tabs_hold_one_line_at_a_laptops_width_in_english_and_spanish(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    """Staff see the most tabs; at 1280 px they fit on one line in either language, the longer
    Spanish names shortened for the tabs only (the "navigation" context)."""
    build_demo(slug=SLUG)
    page = _start(browser, live_server.url, "staff", f"/o/{SLUG}/")
    for lang, last in (("en", "Settings"), ("es", "Ajustes")):
        page.goto(f"{live_server.url}/o/{SLUG}/?lang={lang}")
        tabs = page.locator(".orgnav li")
        expect(tabs.last).to_have_text(last)
        tops = tabs.evaluate_all("(items) => items.map((li) => li.getBoundingClientRect().top)")
        assert len(tops) == 12
        assert set(tops) == {tops[0]}, f"{lang}: the tabs wrap onto {len(set(tops))} lines"
        page.screenshot(path=screenshot_dir / f"tabs-1280-{lang}.png")
    page.context.close()
