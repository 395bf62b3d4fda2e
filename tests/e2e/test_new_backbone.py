"""A new backbone, from nothing to its first recap NAG email: the director signs up, the guided
start takes her through the initiative, a result and its indicator, strategies, a workgroup and
its people, the first meeting and its commitments, and she reads the recap in the Email log.
Every pointer action is counted: the whole journey takes fewer than 40."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from backbone.models import Organization, OutboundEmail
from backbone.onboarding.models import OnboardingProgress
from initiatives.models import Initiative, Person, Seat, Strategy
from metrics.models import Indicator
from workplans.models import Commitment, Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_CLICKS = 40


class Clicks:
    """Counts what a person does with the pointer: a click on a button or link, a tick, a
    choice from a list (two: open it, pick), and a click into each field before typing."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def fill(self, target: Locator, text: str) -> None:
        self.count += 1
        target.fill(text)

    def choose(self, target: Locator, **option: Any) -> None:
        self.count += 2
        target.select_option(**option)

    def tick(self, target: Locator) -> None:
        self.count += 1
        target.check()


def step_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_new_backbone_signs_up_and_reaches_its_first_recap_email(
    browser: Browser, live_server: Any, settings: Any, screenshot_dir: Path
) -> None:
    settings.SITE_URL = live_server.url
    clicks = Clicks()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # Sign up: that makes the organization, and its guided start opens.
    page.goto(f"{live_server.url}/accounts/signup/")
    clicks.fill(page.get_by_label("Your name"), "Maria Alvarez")
    clicks.fill(page.get_by_label("Email"), "maria@lakeshore.example.org")
    clicks.fill(page.get_by_label("Password"), "a long shared-result passphrase")
    clicks.fill(page.get_by_label("Your backbone organization"), "Lakeshore Learning Partnership")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    clicks.click(page.get_by_role("button", name=re.compile("sign up", re.I)))
    step_heading(page, "Name the initiative and its North Star")
    expect(page.get_by_text("Step 1 of 7")).to_be_visible()
    org = Organization.objects.get()
    start = f"{live_server.url}/o/{org.slug}/start/"
    assert page.url == f"{start}initiative/"

    # 1. The initiative and its North Star.
    clicks.fill(page.get_by_label("Name of the initiative"), "Lakeshore Reads")
    clicks.fill(
        page.get_by_label("North Star", exact=True),
        "Every child in Lakeshore County reads at grade level by the end of third grade.",
    )
    clicks.click(page.get_by_role("button", name="Save and continue"))

    # 2. A result and its first indicator.
    step_heading(page, "Add a result and its first indicator")
    clicks.fill(page.get_by_label("Result", exact=True), "Children read at grade level.")
    clicks.fill(page.get_by_label("Its first indicator"), "Third graders reading at grade level")
    clicks.fill(page.get_by_label("Where you start"), "41.5")
    clicks.fill(page.get_by_label("For the period"), "2025")
    clicks.click(page.get_by_role("button", name="Save and continue"))

    # 3. Strategies.
    step_heading(page, "Add strategies")
    clicks.fill(page.get_by_label("Strategy", exact=True), "Summer reading at every branch")
    clicks.fill(page.get_by_label("Another strategy"), "Tutors in every K-3 classroom")
    clicks.click(page.get_by_role("button", name="Save and continue"))

    # 4. A workgroup and its people, typed in.
    step_heading(page, "Create a workgroup and add people")
    clicks.fill(page.get_by_label("Name of the workgroup"), "Early learning")
    first, second = page.locator("fieldset.guided__rowset").all()[:2]
    clicks.fill(first.get_by_label("Name"), "Keisha Brown")
    clicks.fill(first.get_by_label("Email"), "keisha@northside.example.org")
    clicks.tick(first.get_by_label("Co-chair"))
    clicks.fill(second.get_by_label("Name"), "Luis Ortega")
    clicks.fill(second.get_by_label("Email"), "luis@eastside.example.org")
    clicks.choose(second.get_by_label("Language"), value="es")
    clicks.click(page.get_by_role("button", name="Save and continue"))

    # 5. Its first meeting: the suggested time is fine.
    step_heading(page, "Schedule its first meeting")
    clicks.click(page.get_by_role("button", name="Save and continue"))

    # 6. The meeting is still ahead; they met already. Two commitments, then close it.
    step_heading(page, "Capture commitments and close the meeting")
    clicks.click(page.get_by_role("link", name="We met already"))
    rows = page.locator("fieldset.guided__rowset")
    clicks.choose(rows.nth(0).get_by_label("Who"), label="Keisha Brown")
    clicks.fill(rows.nth(0).get_by_label("What will be done"), "Ask the libraries for numbers")
    clicks.choose(rows.nth(1).get_by_label("Who"), label="Luis Ortega")
    clicks.fill(rows.nth(1).get_by_label("What will be done"), "Draft the family flyer")
    clicks.click(page.get_by_role("button", name="Close the meeting and send the recap"))

    # 7. The recap went to everyone at the table.
    step_heading(page, "See the recap email")
    expect(page.locator(".recap-line")).to_have_count(2)
    expect(page.locator(".recap-line .chip--sent")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "new-backbone-recap-step.png", full_page=True)
    clicks.click(page.get_by_role("link", name="Open the recap email"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Commitments from the Early learning meeting"
    )
    expect(page.locator(".meta")).to_contain_text("keisha@northside.example.org")
    preview = page.frame_locator("iframe.email-preview")
    expect(preview.get_by_text("Ask the libraries for numbers", exact=True)).to_be_visible()
    page.screenshot(path=screenshot_dir / "new-backbone-first-recap-email.png", full_page=True)

    assert clicks.count < MOST_CLICKS, clicks.count
    initiative = Initiative.objects.get()
    assert (initiative.name, Indicator.objects.get().baseline_period) == (
        "Lakeshore Reads",
        "2025",
    )
    assert list(Strategy.objects.order_by("position").values_list("title", flat=True)) == [
        "Summer reading at every branch",
        "Tutors in every K-3 classroom",
    ]
    assert sorted(
        Seat.objects.filter(table__kind="workgroup").values_list("person__full_name", "role")
    ) == [("Keisha Brown", "co_chair"), ("Luis Ortega", "member")]
    assert Person.objects.get(full_name="Luis Ortega").preferred_language == "es"
    assert Meeting.objects.get().status == Meeting.Status.CLOSED
    assert Commitment.objects.count() == 2
    assert sorted(OutboundEmail.objects.filter(kind="nag_recap").values_list("to", "status")) == [
        (["keisha@northside.example.org"], "sent"),
        (["luis@eastside.example.org"], "sent"),
    ]
    assert OnboardingProgress.objects.get().saved == [
        "initiative",
        "result",
        "strategies",
        "workgroup",
        "meeting",
        "commitments",
    ]
    context.close()
