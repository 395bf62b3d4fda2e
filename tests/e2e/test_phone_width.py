"""Every page at a phone's width (375 px), for each role and for a visitor without a login: nothing
wider than the screen (no sideways scrolling), a table too wide for it scrolls in its own box that
the keyboard reaches, and every target is large enough to tap (axe-core's two rules that depend on
the layout; the rest run at desktop width in test_accessibility.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.e2e.site_pages import ANONYMOUS, PAGES, PHONE, build_world, fits_the_phone, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_fits_a_phone_for_every_role(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    world = build_world()

    found = walk(
        browser,
        live_server.url,
        world,
        viewport=PHONE,
        check=fits_the_phone,
        shots={
            "staff": "workplan_detail",
            "steering": "dashboard",
            "cochair": "meeting_mode",
            "partner": "my_commitments",
            "anonymous": "nag_link",
        },
        screenshot_dir=screenshot_dir,
        prefix="phone",
    )

    assert found.problems == {}, "\n" + found.report()
    signed_in = [n for n in PAGES if n not in ANONYMOUS]
    assert found.opened["staff"] == [*signed_in, "not_found"]
    assert found.opened["anonymous"] == [*(n for n in PAGES if n in ANONYMOUS), "not_found"]
