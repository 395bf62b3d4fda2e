"""A co-chair runs a workgroup meeting end to end in meeting mode, by keyboard: reviews the last
meeting's commitments, records five new ones and a win, closes the meeting; the next meeting's
agenda opens with those five (and the one carried forward)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from backbone.roles import Role
from initiatives.models import Seat
from initiatives.tests.factories import (
    InitiativeFactory,
    PersonFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from workplans.models import Channel, Commitment, CommitmentChange, Meeting
from workplans.services import (
    commitment_create,
    key_action_create,
    local_date,
    meeting_close,
    meeting_schedule,
    workplan_create,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = [
    ("Send the summer reading flyer to every school", "Ana Diaz", ""),
    ("Ask the libraries for reading-challenge numbers", "Tran Nguyen", "ka"),
    ("Invite the pediatric clinic to the next meeting", "Omar", "st"),
    ("Draft the family survey in Spanish", "Keisha Brown", ""),
    ("Book the park for the reading picnic", "Tran Nguyen", "st"),
]


def tab_to(page: Page, selector: str, most: int = 8) -> None:
    """Press Tab until `selector` has the focus (a date input takes one Tab per part)."""
    target = page.locator(selector)
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def add_by_keyboard(page: Page, what: str, who: str, why: str) -> None:
    """Type what, Tab, who, Tab over the date (it keeps its default), pick why, Enter."""
    what_input = page.locator("#capture-what")
    expect(what_input).to_be_focused()
    page.keyboard.type(what)
    page.keyboard.press("Tab")
    expect(page.locator("#capture-who")).to_be_focused()
    page.keyboard.type(who)
    page.keyboard.press("Tab")
    expect(page.locator("#capture-due_date")).to_be_focused()
    tab_to(page, "#capture-why")
    # The list opens on "not linked"; then the key action, then the strategy.
    for _ in range({"": 0, "ka": 1, "st": 2}[why]):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def test_cochair_runs_a_meeting_in_meeting_mode(
    browser: Browser, live_server: Any, screenshot_dir: Path
) -> None:
    org: Any = OrganizationFactory(name="Lakeshore Learning Partnership", slug="lakeshore")
    user: Any = UserFactory(email="keisha@lakeshore.example.org", full_name="Keisha Brown")
    MembershipFactory(organization=org, user=user, role=Role.COCHAIR)
    initiative: Any = InitiativeFactory(
        organization=org, name="Lakeshore Reads", time_zone="America/Chicago"
    )
    strategy: Any = StrategyFactory(
        result__initiative=initiative, organization=org, title="Summer reading"
    )
    table: Any = TableFactory(initiative=initiative, name="Early Learning")
    table.strategies.set([strategy])
    keisha: Any = PersonFactory(organization=org, full_name="Keisha Brown", user=user)
    ana: Any = PersonFactory(organization=org, full_name="Ana Diaz")
    tran: Any = PersonFactory(organization=org, full_name="Tran Nguyen")
    omar: Any = PersonFactory(organization=org, full_name="Omar Haddad")
    SeatFactory(table=table, person=keisha, role=Seat.Role.CO_CHAIR)
    SeatFactory(table=table, person=ana)
    SeatFactory(table=table, person=tran)
    now = timezone.now().replace(second=0, microsecond=0)
    workplan = workplan_create(table=table, year=timezone.localdate().year)
    key_action = key_action_create(
        workplan=workplan, strategy=strategy, description="Run the library reading challenge"
    )

    last = meeting_schedule(
        table=table, starts_at=now - timedelta(days=14), ends_at=now - timedelta(days=14, hours=-1)
    )
    last_day = local_date(last.starts_at, "America/Chicago")
    to_finish = commitment_create(
        meeting=last, person=ana, what="Share the reading list", due_date=last_day
    )
    to_carry = commitment_create(
        meeting=last, person=tran, what="Draft the parent letter", due_date=last_day
    )
    to_drop = commitment_create(
        meeting=last, person=omar, what="Book the summer venue", due_date=last_day
    )
    meeting_close(meeting=last)
    meeting = meeting_schedule(
        table=table, starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(minutes=60)
    )
    meeting_day = local_date(meeting.starts_at, "America/Chicago")
    carry_to = meeting_day + timedelta(days=21)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("keisha@lakeshore.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/lakeshore/meetings/{meeting.pk}/mode/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Early Learning meeting")
    page.evaluate("window.__noReload = 'still here'")

    # 1. Review, by keyboard: the first card has the focus; d marks it done and moves on.
    cards = page.locator("[data-review-card]")
    expect(cards).to_have_count(3)
    expect(page.locator(f"#review-{to_finish.pk}")).to_be_focused()
    page.keyboard.press("d")
    expect(page.locator(f"#review-{to_finish.pk} .chip")).to_have_text("Done")
    expect(page.locator(f"#review-{to_carry.pk}")).to_be_focused()

    # c focuses the new date; Enter carries it forward.
    page.keyboard.press("c")
    date_input = page.locator(f"#review-{to_carry.pk}-due")
    expect(date_input).to_be_focused()
    date_input.fill(carry_to.isoformat())
    page.keyboard.press("Enter")
    expect(page.locator(f"#review-{to_carry.pk}")).to_contain_text(
        "Carried forward at this meeting"
    )
    expect(page.locator(f"#review-{to_drop.pk}")).to_be_focused()

    # x focuses the reason; Enter with no reason is refused in place, then a reason drops it.
    page.keyboard.press("x")
    expect(page.locator(f"#review-{to_drop.pk}-reason")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#review-{to_drop.pk}")).to_contain_text(
        "Say why the commitment is dropped."
    )
    expect(page.locator(f"#review-{to_drop.pk}-reason")).to_be_focused()
    page.keyboard.type("The library donated its hall.")
    page.keyboard.press("Enter")
    expect(page.locator(f"#review-{to_drop.pk} .chip")).to_have_text("Dropped")
    # After the last card, the focus goes on to the capture row.
    try:
        expect(page.locator("#capture-what")).to_be_focused()
    except AssertionError as exc:
        # Rare in CI and not seen locally: say where the focus went instead, for the next look.
        where = page.evaluate(
            "(() => { const a = document.activeElement;"
            " return a ? a.outerHTML.slice(0, 300) : 'nothing'; })()"
        )
        raise AssertionError(f"{exc}\nThe focus is on: {where}") from exc

    # 2. Five new commitments, keyboard only. A name that matches no one is refused inline
    # and what was typed stays.
    for what, who, why in NEW[:4]:
        add_by_keyboard(page, what, who, why)
        expect(page.locator("#made-list li").last).to_contain_text(what)
        expect(page.locator("#capture-what")).to_have_value("")
    what, who, why = NEW[4]
    add_by_keyboard(page, what, "Zelda", why)
    expect(page.locator("#capture")).to_contain_text("No one called “Zelda” in this organization.")
    expect(page.locator("#capture-what")).to_have_value(what)
    expect(page.locator("#capture-who")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(who)
    page.keyboard.press("Enter")
    expect(page.locator("#made-list li")).to_have_count(5)
    expect(page.locator("#capture-what")).to_be_focused()

    # 3. A win: Tab past the capture row into the wins, Tab to the button, Enter.
    tab_to(page, "#wins-wins", most=12)
    page.keyboard.type("Forty families got library cards.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#wins")).to_contain_text("Wins recorded.")
    assert page.evaluate("window.__noReload") == "still here"
    page.screenshot(path=screenshot_dir / "meeting-mode.png", full_page=True)

    # 4. Close the meeting: a read-only summary.
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting closed")
    expect(page.get_by_text("5 commitments made at this meeting")).to_be_visible()
    expect(page.locator("[data-review-card]")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "meeting-mode-closed.png", full_page=True)

    # The database, exactly.
    meeting.refresh_from_db()
    assert (meeting.status, meeting.wins) == (
        Meeting.Status.CLOSED,
        "Forty families got library cards.",
    )
    reviewed = {c.pk: c for c in Commitment.objects.filter(meeting=last)}
    assert (reviewed[to_finish.pk].status, reviewed[to_finish.pk].due_date) == ("done", last_day)
    assert (
        reviewed[to_carry.pk].status,
        reviewed[to_carry.pk].due_date,
        reviewed[to_carry.pk].carried_to_id,
    ) == ("open", carry_to, meeting.pk)
    assert (reviewed[to_drop.pk].status, reviewed[to_drop.pk].progress_note) == (
        "dropped",
        "The library donated its hall.",
    )
    made = list(Commitment.objects.filter(meeting=meeting).order_by("position"))
    assert [(c.what, c.person.full_name, c.due_date, c.status) for c in made] == [
        (NEW[0][0], "Ana Diaz", meeting_day + timedelta(days=14), "open"),
        (NEW[1][0], "Tran Nguyen", meeting_day + timedelta(days=14), "open"),
        (NEW[2][0], "Omar Haddad", meeting_day + timedelta(days=14), "open"),
        (NEW[3][0], "Keisha Brown", meeting_day + timedelta(days=14), "open"),
        (NEW[4][0], "Tran Nguyen", meeting_day + timedelta(days=14), "open"),
    ]
    assert [(c.key_action_id, c.strategy_id) for c in made] == [
        (None, None),
        (key_action.pk, strategy.pk),
        (None, strategy.pk),
        (None, None),
        (None, strategy.pk),
    ]
    changes = CommitmentChange.objects.filter(by_user=user).order_by("id")
    assert [(c.commitment_id, c.channel, c.old_status, c.new_status) for c in changes] == [
        (to_finish.pk, Channel.MEETING, "open", "done"),
        (to_carry.pk, Channel.MEETING, "", ""),
        (to_drop.pk, Channel.MEETING, "open", "dropped"),
        *[(c.pk, Channel.MEETING, "", "open") for c in made],
    ]
    carried = changes[1]
    assert (carried.old_due_date, carried.new_due_date) == (last_day, carry_to)

    # The next meeting's agenda opens with those five, and the one carried forward.
    following = meeting_schedule(
        table=table,
        starts_at=now + timedelta(days=14),
        ends_at=now + timedelta(days=14, hours=1),
    )
    page.goto(f"{live_server.url}/o/lakeshore/meetings/{following.pk}/")
    rows = page.locator(".review-table tbody tr")
    expect(rows).to_have_count(6)
    ids = [int(re.sub(r"\D", "", rows.nth(i).get_attribute("id") or "")) for i in range(6)]
    assert ids == [to_carry.pk, *[c.pk for c in made]]
    expect(page.locator(f"#review-{to_carry.pk}")).to_contain_text("Still open from")

    page.goto(f"{live_server.url}/o/lakeshore/meetings/{following.pk}/mode/")
    expect(page.locator("[data-review-card]")).to_have_count(6)
    page.screenshot(path=screenshot_dir / "meeting-mode-next-review.png", full_page=True)
    context.close()
