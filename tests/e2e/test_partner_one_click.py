"""A partner without a login answers a NAG email with one click: the co-chair's meeting is closed
through the service, the recap goes out, and the link is taken from the email in the outbox.
Opening it shows the commitment and a button, and changes nothing (mail scanners open every
link); the button records it and the page shows what was recorded. A Spanish-speaking partner
does the same on a phone, and every sentence she reads is Spanish, even though her browser
asks for English."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from backbone.models import OutboundEmail
from initiatives.models import Seat
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from tests.fixtures import Personas
from workplans.models import Channel, Commitment, CommitmentChange, HelpRequest
from workplans.services import commitment_create, meeting_close, meeting_schedule
from workplans.tests.public_world import require_compiled_spanish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENDER = "Lakeshore Reads Backbone"

# Sentences of the English pages: none may be left on a Spanish speaker's page.
ENGLISH = [
    "Ask for help with this commitment",
    "Hello María López",
    "This is what you committed to",
    "Asking for help is part of the work",
    "will get in touch",
    "I need help",
    "Table",
    "Due",
    "Status",
    "Open",
    "Thank you",
    "Recorded",
    "You can also reply to the email at any time",
    "Skip to content",
    "follow-through for collective impact",
    "What would help",
    "A few words for the backbone staff",
    "Need help",
]


def email_to(address: str) -> OutboundEmail:
    return OutboundEmail.objects.get(to=[address], kind="nag_recap")


def link_after(label: str, body: str, number: int) -> str:
    """The link on the line `label: <url>` under the email's commitment number `number`."""
    section = body.split(f"\n{number}. ", 1)[1]
    match = re.search(rf"^\s+{re.escape(label)}: (\S+)$", section, re.M)
    assert match is not None, section
    return match.group(1)


def state_of(commitment: Commitment) -> tuple[Any, ...]:
    commitment.refresh_from_db()
    return (
        commitment.status,
        commitment.progress_note,
        CommitmentChange.objects.filter(commitment=commitment).count(),
        HelpRequest.objects.count(),
    )


def visible_text(page: Page) -> str:
    return " ".join(page.locator("body").inner_text().split())


def test_partner_answers_a_recap_email_with_one_click_in_english_and_in_spanish(
    browser: Browser,
    live_server: Any,
    personas: Personas,
    settings: Any,
    screenshot_dir: Path,
) -> None:
    require_compiled_spanish()
    settings.SITE_URL = live_server.url
    org = personas.org
    org.sender_name = SENDER
    org.save()
    initiative: Any = InitiativeFactory(
        organization=org, name="Lakeshore Reads", time_zone="America/Chicago"
    )
    table: Any = TableFactory(initiative=initiative, name="Early Learning")
    keisha: Any = PersonFactory(
        organization=org,
        full_name="Keisha Brown",
        email="keisha@lakeshore.example.org",
        user=personas.cochair,
    )
    ana: Any = PersonFactory(
        organization=org, full_name="Ana Diaz", email="ana@partners.example.org"
    )
    maria: Any = PersonFactory(
        organization=org,
        full_name="María López",
        email="maria@partners.example.org",
        preferred_language="es",
    )
    SeatFactory(table=table, person=keisha, role=Seat.Role.CO_CHAIR)
    SeatFactory(table=table, person=ana)
    SeatFactory(table=table, person=maria)
    now = timezone.now()
    meeting = meeting_schedule(
        table=table, starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )
    due = timezone.localdate() + timedelta(days=14)
    flyer = commitment_create(
        meeting=meeting,
        person=ana,
        what="Send the summer reading flyer to every school",
        due_date=due,
    )
    commitment_create(
        meeting=meeting, person=ana, what="Ask the libraries for their numbers", due_date=due
    )
    survey = commitment_create(
        meeting=meeting, person=maria, what="Traducir la encuesta para las familias", due_date=due
    )

    # The co-chair closes the meeting: the recap goes out to everyone at the table.
    meeting_close(meeting=meeting)
    recipients = OutboundEmail.objects.filter(kind="nag_recap").values_list("to", flat=True)
    assert sorted(recipients) == [
        ["ana@partners.example.org"],
        ["keisha@lakeshore.example.org"],
        ["maria@partners.example.org"],
    ]
    to_ana = email_to("ana@partners.example.org")
    assert to_ana.subject.startswith("Commitments from the Early Learning meeting on ")
    done_link = link_after("Done", to_ana.body_text, 1)
    assert done_link.startswith(f"{live_server.url}/r/")

    # Ana opens the link: the commitment and one button; nothing is recorded yet.
    before = state_of(flyer)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(done_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark this commitment as done?")
    expect(page.locator(".public__what")).to_have_text(flyer.what)
    expect(page.get_by_role("button")).to_have_count(1)
    button = page.get_by_role("button", name="Mark as done")
    expect(button).to_be_visible()
    assert state_of(flyer) == before == ("open", "", 1, 0)

    button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Ana Diaz")
    expect(page.locator(".public__recorded")).to_have_text("Recorded: this commitment is done.")
    expect(page.locator(".public__what")).to_have_text(flyer.what)
    expect(page.locator(".public__facts .chip")).to_have_text("Done")
    expect(page.get_by_role("button")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "partner-one-click-en.png", full_page=True)
    context.close()
    flyer.refresh_from_db()
    assert flyer.status == "done"
    assert list(
        CommitmentChange.objects.filter(commitment=flyer)
        .order_by("id")
        .values_list("channel", "old_status", "new_status", "by_person_id")
    )[-1] == (Channel.EMAIL_LINK, "open", "done", ana.pk)

    # María reads Spanish: her email and her page are in Spanish, whatever her browser says.
    to_maria = email_to("maria@partners.example.org")
    assert to_maria.subject.startswith("Compromisos de la reunión de Early Learning del ")
    help_link = link_after("Necesito ayuda", to_maria.body_text, 1)
    before = state_of(survey)
    phone = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="en-US", is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.goto(help_link)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pedir ayuda con este compromiso")
    expect(page.locator(".lede")).to_contain_text(
        "Hola, María López. Esto es lo que se comprometió a hacer en la reunión de "
        "Early Learning del"
    )
    expect(page.locator(".public__what")).to_have_text(survey.what)
    assert state_of(survey) == before == ("open", "", 1, 0)
    shown = visible_text(page)
    assert [s for s in ENGLISH if re.search(rf"\b{re.escape(s)}\b", shown)] == []
    for spanish in ("Mesa", "Fecha límite", "Estado", "Abierto", "¿Qué le ayudaría?"):
        assert spanish in shown, spanish
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("¿Qué le ayudaría?").fill("Necesito a alguien que revise la traducción.")
    page.get_by_role("button", name="Necesito ayuda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gracias, María López")
    expect(page.locator(".public__recorded")).to_have_text(
        "Registrado: pidió ayuda con este compromiso."
    )
    expect(page.locator(".public__note")).to_have_text(
        "Necesito a alguien que revise la traducción."
    )
    shown = visible_text(page)
    assert [s for s in ENGLISH if re.search(rf"\b{re.escape(s)}\b", shown)] == []
    assert f"{SENDER} verá su solicitud" in shown
    page.screenshot(path=screenshot_dir / "partner-one-click-es-375.png", full_page=True)
    phone.close()
    survey.refresh_from_db()
    assert (survey.status, survey.progress_note) == (
        "need_help",
        "Necesito a alguien que revise la traducción.",
    )
    assert HelpRequest.objects.filter(table=table, status="open").count() == 1
