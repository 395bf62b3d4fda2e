"""Everything a partner reads is in Spanish for a Spanish speaker: the NAG emails (each touch and
a digest: subject, text and HTML) and every state of the pages their links open.

The check does not list the strings: it renders the same things in English, cuts the English
into phrases (taking out names, commitments and links, which stay as typed) and fails naming
every English phrase that is still in the Spanish rendering. A new English sentence in a
partner-facing template therefore fails here until it is translated in locale/es."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

from initiatives.tests.factories import TableFactory
from workplans.emails import send_nag_email
from workplans.models import Channel, Commitment, Reminder, Touch
from workplans.services import commitment_change
from workplans.tests.factories import CommitmentFactory, MeetingFactory
from workplans.tests.public_world import SENDER, PublicWorld, require_compiled_spanish

pytestmark = pytest.mark.django_db

# Words that are the same in both languages: the product's name and "API".
SAME_IN_BOTH = {"Backbone", "API"}
BREAKS = re.compile(r"https?://\S+|/[ru]/\S+|[\n\r.,:;!?¡¿()\[\]“”«»\"—–=|·]+|\s-\s")


class Rendering:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, text: str) -> None:
        self.texts.append(" ".join(html.unescape(strip_tags(text)).split()))

    @property
    def all(self) -> str:
        return "\n".join(self.texts)


def phrases(text: str, data: list[str]) -> set[str]:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "\n")
    found = set()
    for part in BREAKS.split(text):
        part = " ".join(part.split())
        if re.search(r"[A-Za-z]{2,}", part) and part not in SAME_IN_BOTH:
            found.add(part)
    return found


def english_left_in(spanish: str, english: Rendering, data: list[str]) -> list[str]:
    left = []
    for phrase in sorted(phrases(english.all, data)):
        if re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", spanish):
            left.append(phrase)
    return left


class World(PublicWorld):
    """The public world, plus a next meeting (for the heads-up) and a second table with its own
    meeting where Ana also committed (for a digest)."""

    def __init__(self, personas: Any) -> None:
        super().__init__(personas)
        start = datetime(2026, 4, 21, 17, 0, tzinfo=UTC)
        self.next_meeting: Any = MeetingFactory(
            table=self.table, starts_at=start, ends_at=start + timedelta(hours=1)
        )
        self.other_table: Any = TableFactory(initiative=self.initiative, name="Attendance Works")
        other_start = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
        self.other_meeting: Any = MeetingFactory(
            table=self.other_table,
            starts_at=other_start,
            ends_at=other_start + timedelta(hours=1),
        )
        MeetingFactory(
            table=self.other_table,
            starts_at=datetime(2026, 3, 31, 17, 0, tzinfo=UTC),
            ends_at=datetime(2026, 3, 31, 18, 0, tzinfo=UTC),
        )
        self.o1: Any = CommitmentFactory(
            meeting=self.other_meeting,
            person=self.ana,
            what="Call three schools about chronic absence",
            due_date=date(2026, 3, 27),
        )

    @property
    def data(self) -> list[str]:
        return [
            "Ana Diaz",
            "Ben Okafor",
            SENDER,
            "Lakeshore Reads",
            "Early Learning",
            "Attendance Works",
            "Lakeshore Learning Partnership",
            *[c.what for c in Commitment.objects.all()],
            *[c.why for c in Commitment.objects.exclude(why="")],
            "The library wants a deposit",
            "No longer needed",
        ]


@pytest.fixture
def world(personas: Any) -> World:
    require_compiled_spanish()
    return World(personas)


@contextmanager
def undone() -> Iterator[None]:
    """Render, then put the database back, so both languages render the same states."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def render_emails(world: World, language: str) -> Rendering:
    world.ana.preferred_language = language
    world.ana.save()
    out = Rendering()
    own = [world.c1, world.c2]
    cases = [
        [(Touch.RECAP, world.meeting, own)],
        [(Touch.CHECK_IN, world.meeting, own)],
        [(Touch.HEADS_UP, world.meeting, own)],
        [(Touch.CHECK_IN, world.meeting, own), (Touch.HEADS_UP, world.other_meeting, [world.o1])],
    ]
    with undone():
        for case in cases:
            items = [
                (Reminder(meeting=m, touch=touch, person=world.ana), mine)
                for touch, m, mine in case
            ]
            row = send_nag_email(person=world.ana, items=items, now=timezone.now())
            out.add(row.subject)
            out.add(row.body_text)
            out.add(row.body_html)
    return out


def render_pages(world: World, language: str, personas: Any) -> Rendering:
    world.ana.preferred_language = language
    world.ana.save()
    out = Rendering()
    client = Client(HTTP_ACCEPT_LANGUAGE=language)

    def page(response: Any, status: int = 200) -> None:
        assert response.status_code == status
        out.add(response.content.decode())

    with undone():
        for action in ("done", "need_help", "new_date"):
            page(client.get(world.link(world.c1, action)))
        new_date = world.link(world.c1, "new_date")
        page(client.post(new_date, {"due_date": "2026-03-01"}), 400)
        page(client.post(new_date, {"due_date": ""}), 400)
        page(client.post(new_date, {"due_date": "2026-05-05"}))
        page(client.post(new_date, {"due_date": "2026-05-05"}))
        need_help = world.link(world.c1, "need_help")
        page(client.post(need_help, {"note": "The library wants a deposit"}))
        page(client.post(need_help, {"note": "The library wants a deposit"}))
        page(client.post(world.link(world.c1, "done")))
        page(client.get(world.link(world.c1, "done")))
        page(client.get(world.link(world.c1, "need_help")))
        commitment_change(
            commitment=world.c2,
            channel=Channel.WEB,
            by_user=personas.staff,
            status=Commitment.Status.DROPPED,
            note="No longer needed",
        )
        page(client.get(world.link(world.c2, "done")))
        page(client.get(world.unsubscribe()))
        page(client.post(world.unsubscribe()))
        page(client.post(world.unsubscribe()))
        # The pages for links that do not work.
        with time_machine.travel(timezone.now() - timedelta(days=61)):
            expired = world.link(world.o1, "done")
        page(client.get(expired), 410)
        page(client.get(world.link(world.b1, "done", person=world.ana)), 400)
        removed: Any = CommitmentFactory(
            meeting=world.meeting, person=world.ana, what="Removed later", due_date=date(2026, 4, 1)
        )
        gone = world.link(removed, "need_help")
        removed.delete()
        page(client.get(gone), 410)
        page(client.get("/r/cut-off/"), 400)
        page(client.get("/u/cut-off/"), 400)
    return out


def test_nag_emails_have_no_english_left_for_a_spanish_speaker(world: World) -> None:
    english = render_emails(world, "en")
    spanish = render_emails(world, "es")

    assert english_left_in(spanish.all, english, world.data) == []
    # And a few exact Spanish strings, subject by subject.
    subjects = spanish.texts[0::3]
    assert subjects == [
        "Compromisos de la reunión de Early Learning del 10 de marzo",
        "¿Cómo va todo? Sus compromisos con Early Learning",
        "Contará sus avances en la reunión de Early Learning del 21 de abril",
        f"Sus compromisos: un mensaje de {SENDER}",
    ]
    check_in = spanish.texts[4]
    assert "¿Cómo va todo? ¿Necesita ayuda o apoyo? Basta con responder a este correo." in (
        check_in
    )
    assert "Listo" in check_in
    assert "Necesito ayuda" in check_in
    assert "Nueva fecha" in check_in
    heads_up = spanish.texts[7]
    assert (
        "Nos volvemos a reunir el martes 21 de abril. Al comienzo de la reunión, cada quien "
        "contará cómo avanza en estos compromisos." in heads_up
    )
    assert "Dejar de recibir estos recordatorios de esta iniciativa" in heads_up


def test_partner_pages_have_no_english_left_for_a_spanish_speaker(
    world: World, personas: Any
) -> None:
    english = render_pages(world, "en", personas)
    spanish = render_pages(world, "es", personas)

    assert len(english.texts) == len(spanish.texts) == 21
    assert english_left_in(spanish.all, english, world.data) == []
    assert "¿Marcar este compromiso como cumplido?" in spanish.texts[0]
    assert "Pedir ayuda con este compromiso" in spanish.texts[1]
    assert "Necesito ayuda" in spanish.texts[1]
    assert "La nueva fecha es anterior a la reunión." in spanish.texts[3]
    assert "Este campo es requerido." in spanish.texts[4]
    assert "Registrado: la nueva fecha es el martes 5 de mayo de 2026." in spanish.texts[5]
    assert "Dejar de recibir recordatorios de Lakeshore Reads" in spanish.texts[13]
    assert (
        f"¿Cambió de opinión? {SENDER} puede volver a activarlos, con su consentimiento."
        in spanish.texts[14]
    )
    assert "Este enlace ha vencido" in spanish.texts[16]
    assert "Este enlace no es válido" in spanish.texts[19]


def test_the_check_fails_on_an_untranslated_sentence(world: World) -> None:
    # The check itself can fail: an English sentence left in "Spanish" is named.
    english = Rendering()
    english.add("<p>Hello Ana Diaz, thank you.</p><p>Your commitments</p>")
    spanish = "Hola, Ana Diaz: gracias. Your commitments"
    assert english_left_in(spanish, english, world.data) == ["Your commitments"]
