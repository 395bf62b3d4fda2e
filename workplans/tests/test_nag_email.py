"""The NAG email as a partner receives it over real SMTP: headers, both parts, numbered
commitments, and links that open a page (GET) and record (POST) — in English and in Spanish."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.smtp import Received, SMTPSink
from workplans.models import Channel, Commitment, NagMessage, NagOptOut, Reminder, Touch
from workplans.reminders import send_due_reminders
from workplans.services import meeting_close
from workplans.tests.public_world import SENDER, PublicWorld, require_compiled_spanish

SITE = "https://backbone.example.org"
CLOSED_AT = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)  # the meeting ended at 14:00 in Chicago
CHECK_IN_AT = datetime(2026, 3, 24, 14, 0, tzinfo=UTC)  # 14 days later, 09:00 in Chicago
REPLY_TO = re.compile(r"^reply\+([a-z0-9]{20})@reply\.example\.org$")


@pytest.fixture
def site(settings: Any) -> None:
    settings.SITE_URL = SITE
    settings.BACKBONE_REPLY_DOMAIN = "reply.example.org"


def by_recipient(received: list[Received]) -> dict[str, list[Received]]:
    found: dict[str, list[Received]] = {}
    for r in received:
        assert len(r.rcpt_tos) == 1
        found.setdefault(r.rcpt_tos[0], []).append(r)
    return found


def text_of(got: Received) -> str:
    return got.text.replace("\r\n", "\n")


def action_links(body: str) -> list[str]:
    return re.findall(rf"{re.escape(SITE)}/r/[^\s\"<>]+/", body)


def assert_nag_headers(got: Received, person: Any) -> str:
    message = got.message
    assert parseaddr(message["From"]) == (SENDER, "backbone@localhost")
    assert message["To"] == person.email
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Long headers are folded on the wire; a reader unfolds them (hence the strip).
    unsubscribe = re.fullmatch(
        rf"<({re.escape(SITE)}/u/[^>\s]+/)>", message["List-Unsubscribe"].strip()
    )
    assert unsubscribe is not None
    reply_to = message["Reply-To"]
    match = REPLY_TO.match(reply_to)
    assert match is not None, reply_to
    assert len(reply_to.split("@")[0]) < 64
    nag = NagMessage.objects.get(token=match.group(1))
    assert nag.person_id == person.pk
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    return unsubscribe.group(1)


def close_meeting(world: PublicWorld) -> None:
    with time_machine.travel(CLOSED_AT, tick=False):
        meeting_close(meeting=world.meeting)


@pytest.mark.django_db(transaction=True)
def test_the_recap_and_check_in_arrive_with_headers_numbers_and_working_links(
    personas: Any, smtp_server: SMTPSink, site: None
) -> None:
    world = PublicWorld(personas)

    close_meeting(world)  # the recap goes out right after the close commits

    received = by_recipient(smtp_server.wait_for(2))
    assert sorted(received) == ["ana@partners.example.org", "ben@partners.example.org"]
    assert [len(v) for v in received.values()] == [1, 1]
    ana = received["ana@partners.example.org"][0]
    assert ana.message["Subject"] == "Commitments from the Early Learning meeting on March 10"
    unsubscribe = assert_nag_headers(ana, world.ana)
    text = text_of(ana)
    assert text.startswith("Hello Ana Diaz,\n")
    assert (
        "Thank you for the Early Learning meeting on Tuesday, March 10. Here is what we each "
        "committed to do before we meet again." in text
    )
    # The recap's chart: every commitment of the meeting, whoever made it.
    assert "- Bring the attendance figures — Ben Okafor, by Apr 7" in text
    # Ana's own, numbered so a reply can say "1 done, 2 need help".
    assert "\n1. Book the library room for the family reading night — by Apr 7\n" in text
    assert "\n2. Share the tutoring sign-up sheet — by Apr 14\n" in text
    assert "\n3. " not in text
    assert f"Stop these reminders for this initiative: {unsubscribe}" in text
    links = action_links(text)
    assert len(links) == 6
    assert sorted(action_links(ana.html)) == sorted(links)
    assert f'href="{unsubscribe}"' in ana.html
    assert ">1.</strong> Book the library room for the family reading night" in ana.html
    # The same chart in the HTML part: one row per commitment of the meeting, in order.
    rows = re.findall(
        r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", ana.html
    )
    assert [(re.sub("<.*", "", what), who, due) for what, who, due in rows] == [
        (c.what, c.person.full_name, c.due_date.strftime("%b %-d"))
        for c in world.meeting.commitments.order_by("position", "id").select_related("person")
    ]
    assert ">What</th>" in ana.html
    nag = NagMessage.objects.get(person=world.ana)
    assert nag.commitment_ids == [world.c1.pk, world.c2.pk]

    ben = received["ben@partners.example.org"][0]
    assert_nag_headers(ben, world.ben)
    assert "\n1. Bring the attendance figures — by Apr 7\n" in text_of(ben)
    assert "\n2. " not in text_of(ben)
    assert ana.message["Reply-To"] != ben.message["Reply-To"]

    # Every link opens a page about its own commitment and changes nothing.
    reading = time_machine.travel(CLOSED_AT + timedelta(hours=2), tick=False)
    reading.start()
    client = Client()
    whats = [world.c1.what] * 3 + [world.c2.what] * 3
    for link, what in zip(links, whats, strict=True):
        response = client.get(link.removeprefix(SITE))
        assert response.status_code == 200
        assert what in response.content.decode()
    assert {c.status for c in Commitment.objects.all()} == {"open"}

    # Pressing the buttons records, by Ana, through the email link.
    done_1, help_2 = links[0], links[4]
    assert client.post(done_1.removeprefix(SITE)).status_code == 200
    assert client.post(help_2.removeprefix(SITE), {"note": "Who prints it?"}).status_code == 200
    world.c1.refresh_from_db()
    world.c2.refresh_from_db()
    assert (world.c1.status, world.c2.status) == ("done", "need_help")
    assert [(c.channel, c.by_person_id) for c in world.c1.changes.all()] == [
        (Channel.EMAIL_LINK, world.ana.pk)
    ]
    assert world.c2.changes.get().note == "Who prints it?"
    reading.stop()

    # The check-in, 14 days later at 09:00 in Chicago, lists only what is still open.
    with time_machine.travel(CHECK_IN_AT, tick=False):
        result = send_due_reminders(now=CHECK_IN_AT)
    assert sorted(result.recipients) == ["ana@partners.example.org", "ben@partners.example.org"]
    received = by_recipient(smtp_server.wait_for(4))
    check_in = received["ana@partners.example.org"][1]
    assert check_in.message["Subject"] == "How is it going? Your commitments for Early Learning"
    assert_nag_headers(check_in, world.ana)
    text = text_of(check_in)
    assert "How is it going, and do you need any help or support?" in text
    assert "\n1. Share the tutoring sign-up sheet — by Apr 14\n" in text
    assert "Book the library room" not in text
    assert "\n2. " not in text

    # The mail client's one-click unsubscribe, then no more reminders for Ana.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe.removeprefix(SITE),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert NagOptOut.objects.filter(person=world.ana, initiative=world.initiative).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_spanish_speaker_gets_the_email_and_the_pages_in_spanish(
    personas: Any, smtp_server: SMTPSink, site: None
) -> None:
    require_compiled_spanish()
    world = PublicWorld(personas, language="es")

    close_meeting(world)

    received = by_recipient(smtp_server.wait_for(2))
    ana = received["ana@partners.example.org"][0]
    subject = ana.message["Subject"].strip()
    assert subject == "Compromisos de la reunión de Early Learning del 10 de marzo"
    unsubscribe = assert_nag_headers(ana, world.ana)
    text = text_of(ana)
    assert text.startswith("Hola, Ana Diaz:\n")
    assert (
        "Gracias por la reunión de Early Learning del martes 10 de marzo. Esto es lo que cada "
        "quien se comprometió a hacer antes de volver a reunirnos." in text
    )
    assert "- Bring the attendance figures — Ben Okafor, para el 7 abr" in text
    assert "\nSus compromisos:\n1. Book the library room for the family reading night" in text
    assert "\n2. Share the tutoring sign-up sheet — para el 14 abr\n" in text
    assert "   Listo: " in text
    assert "   Necesito ayuda: " in text
    assert "   Nueva fecha: " in text
    assert "«1 listo, 2 necesito ayuda con el local»" in text
    assert f"Dejar de recibir estos recordatorios de esta iniciativa: {unsubscribe}" in text
    assert ">Qué</th>" in ana.html
    assert ">Quién</th>" in ana.html
    assert ">Para cuándo</th>" in ana.html
    assert "Enviado con Backbone" in ana.html
    # Ben reads English: each email follows its own reader.
    ben = received["ben@partners.example.org"][0]
    assert text_of(ben).startswith("Hello Ben Okafor,\n")

    links = action_links(text)
    client = Client()
    reading = time_machine.travel(CLOSED_AT + timedelta(hours=2), tick=False)
    reading.start()
    page = client.get(links[0].removeprefix(SITE)).content.decode()
    assert '<html lang="es">' in page
    assert "¿Marcar este compromiso como cumplido?" in page
    assert ">Marcar como cumplido</button>" in page
    posted = client.post(links[0].removeprefix(SITE)).content.decode()
    assert "Registrado: este compromiso está cumplido." in posted
    world.c1.refresh_from_db()
    assert world.c1.status == "done"
    late = client.post(links[5].removeprefix(SITE), {"due_date": "2026-03-01"})
    assert late.status_code == 400
    assert "La nueva fecha es anterior a la reunión." in late.content.decode()
    moved = client.post(links[5].removeprefix(SITE), {"due_date": "2026-05-05"})
    assert "Registrado: la nueva fecha es el martes 5 de mayo de 2026." in moved.content.decode()
    world.c2.refresh_from_db()
    assert world.c2.due_date == date(2026, 5, 5)
    unsubscribed = client.post(unsubscribe.removeprefix(SITE)).content.decode()
    assert "Ya no recibirá más correos de recordatorio de Lakeshore Reads." in unsubscribed
    reading.stop()


@pytest.mark.django_db(transaction=True)
def test_after_unsubscribing_the_next_touch_is_skipped(
    personas: Any, smtp_server: SMTPSink, site: None
) -> None:
    world = PublicWorld(personas)
    close_meeting(world)
    smtp_server.wait_for(2)
    unsubscribe = re.search(
        r"/u/[^\s]+/", text_of(by_recipient(smtp_server.received)[world.ana.email][0])
    )
    assert unsubscribe is not None
    Client().post(unsubscribe.group(0))

    with time_machine.travel(CHECK_IN_AT, tick=False):
        result = send_due_reminders(now=CHECK_IN_AT)

    assert result.recipients == ["ben@partners.example.org"]
    skipped = Reminder.objects.get(person=world.ana, touch=Touch.CHECK_IN)
    assert (skipped.status, skipped.skip_reason) == (
        Reminder.Status.SKIPPED,
        "unsubscribed from this initiative",
    )
    assert len(smtp_server.wait_for(3)) == 3
