"""A digest lists each commitment once, even when two touches of its meeting coincide."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from initiatives import services as agenda
from workplans import services
from workplans.models import NagMessage, Reminder, Touch
from workplans.reminders import send_due_reminders

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.django_db
def test_check_in_and_heads_up_of_one_meeting_in_one_digest_number_each_commitment_once(
    personas: Any,
) -> None:
    initiative = agenda.initiative_create(
        organization=personas.org, name="Lakeshore Reads", north_star="Every child reads."
    )
    result = agenda.result_create(initiative=initiative, statement="Children read well.")
    agenda.strategy_create(result=result, title="Summer reading")
    table = agenda.workgroup_create(initiative=initiative, name="Reading Success")
    ana = agenda.person_create(
        organization=personas.org, full_name="Ana Ruiz", email="ana@example.org"
    )
    agenda.seat_add(table=table, person=ana)
    start = datetime(2026, 10, 20, 9, 0, tzinfo=CHICAGO)
    meeting = services.meeting_schedule(
        table=table, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    for what in ("Book the room", "Call the library"):
        services.commitment_create(
            meeting=meeting, person=ana, what=what, due_date=date(2026, 11, 20)
        )
    following = start + timedelta(days=21)
    services.meeting_schedule(
        table=table, starts_at=following, ends_at=following + timedelta(hours=1)
    )
    services.meeting_close(meeting=meeting)
    moment = datetime(2026, 11, 3, 15, 0, tzinfo=ZoneInfo("UTC"))
    Reminder.objects.filter(meeting=meeting).exclude(touch=Touch.RECAP).update(due_at=moment)
    Reminder.objects.filter(meeting=meeting, touch=Touch.RECAP).update(status="sent")

    sent = send_due_reminders(now=moment)

    assert (sent.sent_emails, sent.sent_reminders) == (1, 2)
    body = NagMessage.objects.get(person=ana).email.body_text
    assert re.findall(r"^(\d+)\. (.+?) —", body, re.M) == [
        ("1", "Book the room"),
        ("2", "Call the library"),
    ]
    message = NagMessage.objects.get(person=ana)
    assert len(message.commitment_ids) == 2
