"""A new backbone signs up, invites a co-chair, and the co-chair joins from the emailed link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from backbone.models import Invitation, Membership, Organization, OutboundEmail, User
from backbone.roles import Role
from tests.smtp import SMTPSink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_invite_accept_from_emailed_link(
    browser: Browser, live_server: Any, smtp_server: SMTPSink, settings: Any, screenshot_dir: Path
) -> None:
    settings.SITE_URL = live_server.url

    # The backbone director signs up: that creates the organization.
    director = browser.new_context(viewport={"width": 1280, "height": 900})
    page = director.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Your name").fill("Maria Alvarez")
    page.get_by_label("Email").fill("Maria@Lakeshore.example.org")
    page.get_by_label("Password").fill("a long shared-result passphrase")
    page.get_by_label("Your backbone organization").fill("Lakeshore Learning Partnership")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    # The guided start opens; she leaves it for later and goes to the organization's home.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Name the initiative and its North Star"
    )
    page.get_by_role("button", name="Finish later").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lakeshore Learning Partnership")
    org = Organization.objects.get()
    assert org.slug == "lakeshore-learning-partnership"
    assert page.url == f"{live_server.url}/o/{org.slug}/"

    # She invites a co-chair from the members page.
    page.get_by_role("link", name="Members").click()
    invite = page.locator("#invite")
    invite.get_by_label("Email address").fill("keisha@northside.example.org")
    invite.get_by_label("Role").select_option(Role.COCHAIR.value)
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to keisha@northside.example.org.")).to_be_visible()
    page.screenshot(path=screenshot_dir / "members-after-invite.png", full_page=True)

    # The invitation arrives over real SMTP; the co-chair opens the link in her own browser.
    received = smtp_server.wait_for(1)
    assert [r.rcpt_tos for r in received] == [["keisha@northside.example.org"]]
    assert received[0].message["Subject"] == (
        "You are invited to join Lakeshore Learning Partnership on Backbone"
    )
    links = re.findall(r"https?://\S+/invite/\S+/", received[0].text)
    assert len(links) == 1
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT

    cochair = browser.new_context(viewport={"width": 375, "height": 812})
    phone = cochair.new_page()
    phone.goto(links[0])
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Join Lakeshore Learning Partnership"
    )
    assert Membership.objects.count() == 1  # opening the link changed nothing
    phone.get_by_label("Your name").fill("Keisha Brown")
    phone.get_by_label("Choose a password").fill("reading by third grade 2030")
    phone.get_by_role("button", name="Create account and join").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Lakeshore Learning Partnership")
    expect(phone.get_by_text("You joined as Workgroup co-chair")).to_be_visible()
    phone.screenshot(path=screenshot_dir / "cochair-joined-phone.png", full_page=True)

    keisha = User.objects.get(email="keisha@northside.example.org")
    assert keisha.full_name == "Keisha Brown"
    assert {(m.user.email, m.role) for m in Membership.objects.select_related("user")} == {
        ("maria@lakeshore.example.org", Role.STAFF),
        ("keisha@northside.example.org", Role.COCHAIR),
    }
    assert Invitation.objects.get().state == "accepted"

    # The same link a second time explains that it was used, and adds nothing.
    phone.goto(links[0])
    expect(phone.get_by_role("heading", level=1)).to_have_text("This invitation was already used")
    assert Membership.objects.count() == 2
    director.close()
    cochair.close()
