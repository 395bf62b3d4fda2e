"""A steering committee member logs into the demo organization, reads the dashboard, opens the
commitments behind a workgroup's follow-through figure without a page reload, comes back to
the dashboard with the browser's back button, and downloads a board packet that holds the North
Star, every result and every workgroup."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from backbone.demo import build_demo
from dashboard.selectors import dashboard_data, follow_through_commitments
from dashboard.tests.packet_world import pdf_pages, squeeze
from initiatives.models import Initiative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_steering_member_reads_the_dashboard_and_drills_into_follow_through(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    build_demo(slug="demo")
    initiative = Initiative.objects.get(organization__slug="demo")
    board = dashboard_data(initiative=initiative)
    first = board.workgroups[0]
    behind = follow_through_commitments(table=first.table, year=board.year)
    lines = sum(len(block.lines) for block in behind)
    assert first.follow_through.share is not None
    assert lines == first.follow_through.made

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("steering@demo.example.org")
    page.get_by_label("Password").fill("backbone-demo")
    page.get_by_role("button", name="Log in").click()

    nav = page.get_by_role("navigation", name="Organization")
    nav.get_by_role("link", name="Dashboard").click()
    dashboard_url = f"{live_server.url}/o/demo/initiatives/{initiative.pk}/dashboard/"
    title = f"{initiative.name}: how we are doing"
    expect(page).to_have_url(dashboard_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".dash-northstar__text")).to_have_text(initiative.north_star)
    expect(page.get_by_role("heading", name="Results", exact=True)).to_be_visible()
    expect(page.locator(".dash-ind")).to_have_count(board.indicator_count)
    expect(page.locator(".dash-wg")).to_have_count(len(board.workgroups))
    card = page.locator(f"#wg-{first.table.pk}")
    figure = card.locator("a.dash-ft")
    expect(figure).to_have_text(f"{first.follow_through.share}%")
    page.evaluate("window.__noReload = 'still here'")

    figure.click()
    drill_title = page.locator("#drill-title")
    expect(drill_title).to_have_text(f"{first.table.name}: follow-through")
    expect(drill_title).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/workgroups/{first.table.pk}/follow-through/\?year="))
    expect(page.locator("#drill tbody tr.ft-line")).to_have_count(lines)
    expect(page.locator("#drill .dchip--done", has_text="Done in time")).to_have_count(
        first.follow_through.done_on_time
    )
    expect(page.locator("#dashboard-status")).to_contain_text("follow-through")
    assert page.evaluate("window.__noReload") == "still here"
    page.screenshot(path=str(screenshot_dir / "steering-dashboard-drill.png"), full_page=True)

    page.go_back()
    expect(page).to_have_url(dashboard_url)
    expect(page.locator("#drill-title")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(f"#wg-{first.table.pk} a.dash-ft")).to_be_visible()

    # The board packet: made from the dashboard's "Board packets", downloaded, read back.
    page.get_by_role("link", name="Board packets").click()
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board packet ready")
    with page.expect_download() as download_info:
        page.locator("#packet-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = screenshot_dir / "steering-board-packet.pdf"
    download.save_as(saved)
    text = squeeze(" ".join(pdf_pages(saved.read_bytes())))
    assert squeeze(initiative.north_star) in text
    results = list(initiative.results.values_list("statement", flat=True))
    workgroups = [w.table.name for w in board.workgroups]
    assert len(results) == 4
    assert len(workgroups) == 4
    assert [r for r in results if squeeze(r) not in text] == []
    assert [w for w in workgroups if squeeze(w) not in text] == []
    page.screenshot(path=str(screenshot_dir / "steering-board-packet.png"), full_page=True)
    context.close()
