"""A co-chair who chose Spanish reads every page of their work in Spanish, and a partner the
public results page: each is rendered in English and in Spanish, the English is cut into
phrases (names, commitments and other typed data taken out), and no phrase may be left in the
Spanish rendering. Spot checks of known Spanish sentences follow."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backbone.models import User
from dashboard.services import settings_for
from initiatives.models import Person, Seat
from initiatives.tests.factories import (
    InitiativeFactory,
    PersonFactory,
    SeatFactory,
    StrategyFactory,
    TableFactory,
)
from metrics.tests.factories import DataPointFactory, IndicatorFactory
from tests.fixtures import Personas
from workplans.help_requests import help_request_open
from workplans.models import AgendaItem, Channel, Commitment, CommitmentChange, HelpRequest
from workplans.services import (
    commitment_create,
    key_action_create,
    local_date,
    meeting_close,
    meeting_schedule,
    workplan_create,
)
from workplans.tests.public_world import require_compiled_spanish
from workplans.tests.test_spanish import Rendering, english_left_in

pytestmark = pytest.mark.django_db


class CochairWorld:
    initiative: Any
    strategy: Any
    indicator: Any
    table: Any
    keisha: Any
    ana: Any
    ben: Any
    result: Any

    def __init__(self, personas: Personas) -> None:
        org = personas.org
        self.personas = personas
        self.initiative = InitiativeFactory(
            organization=org,
            name="Lakeshore Reads",
            time_zone="America/Chicago",
            north_star="Every child in Lakeshore reads at grade level by third grade.",
        )
        self.strategy = StrategyFactory(
            result__initiative=self.initiative, organization=org, title="Summer reading"
        )
        self.result = self.strategy.result
        self.indicator = IndicatorFactory(
            result=self.result, name="Third graders reading at grade level"
        )
        DataPointFactory(indicator=self.indicator)
        self.table = TableFactory(initiative=self.initiative, name="Early Learning")
        self.table.strategies.set([self.strategy])
        self.keisha = PersonFactory(
            organization=org, full_name="Keisha Brown", user=personas.cochair
        )
        self.ana = PersonFactory(organization=org, full_name="Ana Diaz")
        self.ben = PersonFactory(organization=org, full_name="Ben Okafor")
        SeatFactory(table=self.table, person=self.keisha, role=Seat.Role.CO_CHAIR)
        SeatFactory(table=self.table, person=self.ana)
        SeatFactory(table=self.table, person=self.ben)
        now = timezone.now().replace(second=0, microsecond=0)
        self.workplan = workplan_create(table=self.table, year=timezone.localdate().year)
        key_action_create(
            workplan=self.workplan,
            strategy=self.strategy,
            description="Run the library reading challenge",
        )
        self.last = meeting_schedule(
            table=self.table,
            starts_at=now - timedelta(days=14),
            ends_at=now - timedelta(days=14, hours=-1),
        )
        day = local_date(self.last.starts_at, "America/Chicago")
        self.flyer = commitment_create(
            meeting=self.last, person=self.ana, what="Share the reading list", due_date=day
        )
        commitment_create(
            meeting=self.last, person=self.keisha, what="Draft the parent letter", due_date=day
        )
        meeting_close(meeting=self.last)
        self.venue = commitment_create(
            meeting=self.last,
            person=self.ben,
            what="Book the summer venue",
            due_date=day + timedelta(days=30),
        )
        help_request_open(
            commitment=self.venue,
            person=self.ben,
            kind=HelpRequest.Kind.NEED_HELP,
            text="The church hall fell through.",
            channel=Channel.EMAIL_REPLY,
        )
        self.meeting = meeting_schedule(
            table=self.table,
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(minutes=60),
        )
        self.public = settings_for(self.initiative)
        self.public.public_enabled = True
        self.public.public_indicators.add(self.indicator)
        self.public.save()

    @property
    def data(self) -> list[str]:
        org = self.personas.org
        return [
            org.name,
            org.email_sender_name,
            self.initiative.name,
            self.initiative.north_star,
            self.result.statement,
            self.strategy.title,
            self.indicator.name,
            self.table.name,
            "Run the library reading challenge",
            "The church hall fell through.",
            *Person.objects.values_list("full_name", flat=True),
            *[u.display_name for u in User.objects.all()],
            *User.objects.values_list("email", flat=True),
            *Commitment.objects.values_list("what", flat=True),
            # The agenda is written once, in the language of whoever scheduled the meeting.
            *AgendaItem.objects.values_list("title", flat=True),
            self.initiative.time_zone,
            # A commitment's history keeps each note as it was written.
            *CommitmentChange.objects.values_list("note", flat=True),
        ]


def pages(world: CochairWorld) -> list[str]:
    org = "/o/lakeshore"
    return [
        f"{org}/",
        f"{org}/meetings/",
        f"{org}/meetings/{world.meeting.pk}/",
        f"{org}/meetings/{world.meeting.pk}/mode/",
        f"{org}/meetings/{world.last.pk}/",
        f"{org}/my-commitments/",
        f"{org}/commitments/{world.venue.pk}/",
        f"{org}/initiatives/{world.initiative.pk}/help-requests/",
        f"{org}/initiatives/{world.initiative.pk}/dashboard/",
        f"{org}/workplans/{world.workplan.pk}/",
        f"{org}/tables/{world.table.pk}/meetings/",
    ]


# Words that are the same in both languages (file types, minutes, a time zone, a key's name,
# the language chooser naming English in English), and dates whose month is written the same
# way in both ("21 Nov 2026"): the Spanish page may show them.
SAME_IN_BOTH = {"Agenda", "CSV", "CST", "English", "Enter", "Web", "ics"}
SAME_SHAPE = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}|\d+ min")
NOT_TEXT = re.compile(r"<(style|script)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]*>")


class TextNodes(Rendering):
    """Each page as its text nodes, one per line: a phrase never runs from one element into
    the next (a heading into a date), so an English word beside a name is still found."""

    def add(self, text: str) -> None:
        text = TAG.sub("\n", NOT_TEXT.sub("\n", text))
        nodes = (" ".join(line.split()) for line in html.unescape(text).split("\n"))
        self.texts.append("\n".join(n for n in nodes if n))


def render(world: CochairWorld, language: str) -> TextNodes:
    user = world.personas.cochair
    user.language = language
    user.save()
    client = Client()
    client.force_login(user)
    out = TextNodes()
    for path in pages(world):
        response = client.get(path)
        assert response.status_code == 200, path
        out.add(response.content.decode())
    public = Client().get(f"/results/{world.public.public_key}/?lang={language}")
    assert public.status_code == 200
    out.add(public.content.decode())
    return out


def test_a_cochair_reads_their_pages_in_spanish(personas: Personas) -> None:
    require_compiled_spanish()
    world = CochairWorld(personas)
    english = render(world, "en")
    spanish = render(world, "es")
    # Typed data stays as typed: it is taken out of the Spanish rendering too.
    shown = spanish.all
    for value in sorted(world.data, key=len, reverse=True):
        shown = shown.replace(value, "\n")
    left = [
        phrase
        for phrase in english_left_in(shown, english, world.data)
        if phrase not in SAME_IN_BOTH and not SAME_SHAPE.fullmatch(phrase)
    ]
    assert left == [], "\n".join(left)
    assert len(spanish.texts) == len(english.texts) == 12
    home, _up, meeting, mode, last, mine, detail, help_page, board, plan, _table, public = (
        spanish.texts
    )
    assert "Su rol: Copresidente/a de grupo de trabajo" in home
    assert "Agregar al calendario (.ics)" in meeting
    assert "\nReunión de Early Learning\n" in mode
    assert "Estas teclas funcionan mientras el foco está en un compromiso por revisar." in mode
    assert "Esta reunión está cerrada; su agenda se conserva tal como estaba." in last
    assert "Lo que usted dijo que haría, en todas las mesas de las que forma parte." in mine
    assert re.search(
        r"\nPara cuándo\n(lunes|martes|miércoles|jueves|viernes|sábado|domingo) "
        r"\d{1,2} de [a-z]+ de \d{4}\n",
        detail,
    )
    assert "\nSolicitudes de ayuda\n" in help_page
    assert "\nLakeshore Reads: cómo vamos\n" in board
    assert "Las acciones clave que este grupo de trabajo realiza este año" in plan
    assert "\nNuestra Estrella Polar\n" in public
