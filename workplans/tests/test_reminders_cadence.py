"""The three-touch cadence walked through with time moved by time-machine, across the end of
daylight saving time in Chicago (Sunday 2026-11-01), with the emails received by a real SMTP
server.

The people. Early Learning (X): Keisha (co-chair), Tran, Ana, Luis (unsubscribed from the
initiative's NAG emails), Marisol (her address bounces after the recap); Omar sits at no table
but comes to X's meeting. Attendance Works (Y): Ana and Bea (who asks staff to pause her
reminders after Y's recap). Staff skip the check-in of Y's meeting.

The calendar (09:00 in Chicago is 14:00 UTC until Nov 1, 15:00 UTC after):
- Tue Oct 13: Y meets and closes; Y's next meeting is Tue Nov 10, so Y's heads-up is due
  Tue Nov 3 at 09:00 CST.
- Tue Oct 20: X meets and closes with no next meeting: no heads-up yet, staff see a warning.
  X's check-in is due 14 days later: Tue Nov 3 at 09:00 CST = 15:00 UTC (not 14:00).
- Nov 3: Ana is due X's check-in and Y's heads-up the same moment: one digest.
- Nov 5: X's next meeting is scheduled for Tue Nov 24: X's heads-up is due Tue Nov 17.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from initiatives.models import Person, Seat, Table
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from tests.smtp import Received, SMTPSink
from workplans.models import Commitment, Meeting, NagSettings, Reminder, Touch, TouchControl
from workplans.reminders import heads_up_missing
from workplans.services import (
    attendance_record,
    commitment_create,
    commitment_link_apply,
    meeting_close,
    meeting_schedule,
    meeting_update,
    nag_opt_out_record,
)
from workplans.tracking import person_mark_undeliverable

CHICAGO = "America/Chicago"
SENDER = ("Lakeshore Learning Partnership", "backbone@localhost")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class Walk:
    """The initiative, its two workgroups and its people (see the module docstring)."""

    initiative: Any
    x: Any
    y: Any

    def __init__(self, personas: Any) -> None:
        org = personas.org
        self.initiative = InitiativeFactory(
            organization=org, name="Lakeshore Reads", time_zone=CHICAGO
        )
        self.x = TableFactory(initiative=self.initiative, name="Early Learning")
        self.y = TableFactory(initiative=self.initiative, name="Attendance Works")

        def person(name: str) -> Person:
            found: Any = PersonFactory(
                organization=org,
                full_name=name,
                email=f"{name.split()[0].lower()}@partners.example.org",
            )
            return found

        self.keisha = person("Keisha Brown")
        self.tran = person("Tran Nguyen")
        self.ana = person("Ana Diaz")
        self.luis = person("Luis Ortega")
        self.marisol = person("Marisol Vega")
        self.omar = person("Omar Haddad")
        self.bea = person("Bea Lindqvist")
        SeatFactory(table=self.x, person=self.keisha, role=Seat.Role.CO_CHAIR)
        for p in (self.tran, self.ana, self.luis, self.marisol):
            SeatFactory(table=self.x, person=p)
        for p in (self.ana, self.bea):
            SeatFactory(table=self.y, person=p)

    def meet(self, table: Table, starts_at: datetime) -> Meeting:
        return meeting_schedule(
            table=table, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1, minutes=30)
        )

    def commit(self, meeting: Meeting, person: Person, what: str, due: date) -> Commitment:
        return commitment_create(meeting=meeting, person=person, what=what, due_date=due)


def sweep(now: str) -> list[str]:
    out = StringIO()
    call_command("send_due_reminders", now=now, stdout=out)
    return out.getvalue().splitlines()


class Inbox:
    """What the SMTP server received since the last look."""

    def __init__(self, server: SMTPSink) -> None:
        self.server = server
        self.seen = 0

    def new(self, expected: int) -> list[Received]:
        # Delivery runs when the sweep commits, so the messages are already in; wait a little
        # longer for one more to prove there is none.
        got = self.server.wait_for(self.seen + expected + 1, timeout=0.3)[self.seen :]
        self.seen += len(got)
        return sorted(got, key=lambda r: r.rcpt_tos)


def reminders_of(meeting: Meeting) -> list[tuple[str, str, datetime, str, str]]:
    return [
        (r.touch, r.person.full_name, r.due_at, r.status, r.skip_reason)
        for r in Reminder.objects.filter(meeting=meeting)
        .select_related("person")
        .order_by("touch", "person__full_name")
    ]


def assert_nag_headers(got: Received, subject: str, to: str) -> None:
    message = got.message
    assert got.rcpt_tos == [to]
    assert got.mail_from == "backbone@localhost"
    assert message["Subject"] == subject
    assert message["To"] == to
    assert parseaddr(message["From"]) == SENDER
    local, _, domain = parseaddr(message["Reply-To"])[1].partition("@")
    assert domain == settings.BACKBONE_REPLY_DOMAIN
    # A random token of 20 letters and digits: the local part stays well under 64 characters.
    assert re.fullmatch(r"reply\+[a-z0-9]{20}", local)
    assert message["Auto-Submitted"] == "auto-generated"
    # A long header arrives folded after the colon; the value is the same.
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert re.fullmatch(rf"<{re.escape(settings.SITE_URL)}/u/[^/\s]+/>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["X-Backbone-Organization"] is None
    assert message["X-Backbone-Kind"] is None
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def in_order(text: str, *parts: str) -> bool:
    positions = [text.find(p) for p in parts]
    return -1 not in positions and positions == sorted(positions)


@pytest.mark.django_db(transaction=True)
def test_three_touches_across_the_dst_change_reach_exactly_the_right_people(
    personas: Any, smtp_server: SMTPSink
) -> None:
    w = Walk(personas)
    inbox = Inbox(smtp_server)
    nag_opt_out_record(person=w.luis, initiative=w.initiative)

    with time_machine.travel(utc(2026, 10, 13, 16), tick=False) as traveller:
        # --- Oct 13: Attendance Works meets; its next meeting is already on the calendar.
        y1 = w.meet(w.y, utc(2026, 10, 13, 17))
        w.meet(w.y, utc(2026, 11, 10, 18))
        TouchControl.objects.create(
            organization=personas.org, meeting=y1, touch=Touch.CHECK_IN, skipped=True
        )
        w.commit(y1, w.ana, "Call the district attendance office", date(2026, 11, 10))
        w.commit(y1, w.bea, "Draft the letter to families", date(2026, 11, 10))
        traveller.move_to(utc(2026, 10, 13, 18, 30))
        y1 = meeting_close(meeting=y1)

        recaps = inbox.new(2)
        assert [r.rcpt_tos for r in recaps] == [
            ["ana@partners.example.org"],
            ["bea@partners.example.org"],
        ]
        assert not heads_up_missing(y1)
        w.bea.nag_paused = True  # Bea asks staff to pause her reminders.
        w.bea.save()

        # --- Oct 20: Early Learning meets and closes with no next meeting yet.
        traveller.move_to(utc(2026, 10, 20, 16))
        x1 = w.meet(w.x, utc(2026, 10, 20, 17))
        w.commit(x1, w.keisha, "Book the library room", date(2026, 11, 10))
        w.commit(x1, w.keisha, "Ask the principals for reading logs", date(2026, 11, 17))
        tran_task = w.commit(x1, w.tran, "Share the summer enrollment numbers", date(2026, 11, 3))
        w.commit(x1, w.ana, "Translate the flyer into Spanish", date(2026, 11, 17))
        w.commit(x1, w.luis, "Bring the pediatricians' list", date(2026, 11, 17))
        w.commit(x1, w.marisol, "Ask the food bank to hand out books", date(2026, 11, 17))
        attendance_record(meeting=x1, present=[w.keisha, w.tran, w.ana, w.marisol, w.omar])
        traveller.move_to(utc(2026, 10, 20, 18, 30))
        x1 = meeting_close(meeting=x1)

        # The recap: to every member and attendee (Luis unsubscribed), each alone on the To line.
        recaps = inbox.new(5)
        assert [r.rcpt_tos[0] for r in recaps] == [
            "ana@partners.example.org",
            "keisha@partners.example.org",
            "marisol@partners.example.org",
            "omar@partners.example.org",
            "tran@partners.example.org",
        ]
        for got in recaps:
            assert_nag_headers(
                got, "Commitments from the Early Learning meeting on Oct. 20", got.rcpt_tos[0]
            )
        omar = recaps[3].text.replace("\r\n", "\n")
        assert in_order(
            omar,
            "Hello Omar Haddad,",
            "Thank you for the Early Learning meeting on Tuesday, October 20.",
            "- Book the library room — Keisha Brown, by Nov 10",
            "- Ask the principals for reading logs — Keisha Brown, by Nov 17",
            "- Share the summer enrollment numbers — Tran Nguyen, by Nov 3",
            "- Translate the flyer into Spanish — Ana Diaz, by Nov 17",
            "- Bring the pediatricians' list — Luis Ortega, by Nov 17",
            "- Ask the food bank to hand out books — Marisol Vega, by Nov 17",
        )
        assert "Your commitments:" not in omar  # Omar made none.
        keisha = recaps[1].text.replace("\r\n", "\n")
        assert in_order(
            keisha,
            "Your commitments:",
            "1. Book the library room — by Nov 10",
            "2. Ask the principals for reading logs — by Nov 17",
        )
        assert "3. " not in keisha

        # No next meeting: no heads-up rows, and staff see the warning.
        assert heads_up_missing(x1)
        assert Reminder.objects.filter(meeting=x1, touch=Touch.HEADS_UP).count() == 0
        check_in_x = utc(2026, 11, 3, 15)  # 09:00 CST: the clocks went back on Nov 1.
        assert sorted(
            Reminder.objects.filter(meeting=x1, touch=Touch.CHECK_IN).values_list(
                "person__full_name", "due_at"
            )
        ) == [
            ("Ana Diaz", check_in_x),
            ("Keisha Brown", check_in_x),
            ("Luis Ortega", check_in_x),
            ("Marisol Vega", check_in_x),
            ("Tran Nguyen", check_in_x),
        ]

        # Marisol's recap bounced; the provider's report flags her address.
        person_mark_undeliverable(
            organization_id=personas.org.pk,
            email="marisol@partners.example.org",
            reason="550 mailbox unavailable",
            at=utc(2026, 10, 20, 18, 35),
        )

        # --- Oct 27, 09:00 CDT: Y's check-in, which staff skipped.
        assert sweep("2026-10-27T14:00:00Z") == ["0 email(s) for 0 reminder(s); 2 skipped."]
        inbox.new(0)

        # Tran reports his one commitment done from the recap's link.
        traveller.move_to(utc(2026, 10, 29, 16))
        commitment_link_apply(commitment=tran_task, person=w.tran, action="done")

        # --- Nov 3, 14:00 UTC: 09:00 before the change, 08:00 after it. Nothing yet.
        assert sweep("2026-11-03T14:00:00Z") == ["0 email(s) for 0 reminder(s); 0 skipped."]
        # --- Nov 3, 15:00 UTC = 09:00 CST: X's check-in, and Y's heads-up.
        assert sweep("2026-11-03T15:00:00Z") == [
            "sent to keisha@partners.example.org",
            "sent to ana@partners.example.org",
            "2 email(s) for 3 reminder(s); 4 skipped.",
        ]
        ana, keisha_check_in = inbox.new(2)
        assert_nag_headers(
            keisha_check_in,
            "How is it going? Your commitments for Early Learning",
            "keisha@partners.example.org",
        )
        # Ana is due two touches at two tables at the same moment: one digest listing both.
        assert_nag_headers(
            ana,
            "Your commitments: a note from Lakeshore Learning Partnership",
            "ana@partners.example.org",
        )
        digest = ana.text.replace("\r\n", "\n")
        assert in_order(
            digest,
            "Hello Ana Diaz,",
            "== Attendance Works ==",
            "We meet again on Tuesday, November 10. At the start of the meeting",
            "1. Call the district attendance office — by Nov 10",
            "== Early Learning ==",
            "Here is what you committed to at the last meeting.",
            "2. Translate the flyer into Spanish — by Nov 17",
        )
        assert "3. " not in digest
        assert digest.count("Thank you for the") == 0  # no recap chart in a check-in
        assert in_order(ana.html, ">Attendance Works</h2>", ">Early Learning</h2>")

        # --- Nov 5: X's next meeting is scheduled; its heads-up is timed 7 days before.
        traveller.move_to(utc(2026, 11, 5, 16))
        x2 = w.meet(w.x, utc(2026, 11, 24, 18))
        assert x2.status == Meeting.Status.SCHEDULED
        assert not heads_up_missing(x1)
        heads_up_x = utc(2026, 11, 17, 15)

        # --- Nov 17, 09:00 CST: X's heads-up to those whose commitments are still open.
        assert sweep("2026-11-17T14:59:59Z") == ["0 email(s) for 0 reminder(s); 0 skipped."]
        assert sweep("2026-11-17T15:00:00Z") == [
            "sent to keisha@partners.example.org",
            "sent to ana@partners.example.org",
            "2 email(s) for 2 reminder(s); 3 skipped.",
        ]
        ana_heads_up, keisha_heads_up = inbox.new(2)
        for got in (ana_heads_up, keisha_heads_up):
            assert_nag_headers(
                got,
                "You will share progress at the Early Learning meeting on Nov. 24",
                got.rcpt_tos[0],
            )
        assert "We meet again on Tuesday, November 24." in ana_heads_up.text
        # Everything done: a later sweep sends nothing.
        assert sweep("2026-12-31T15:00:00Z") == ["0 email(s) for 0 reminder(s); 0 skipped."]
        inbox.new(0)

    sent, skipped = Reminder.Status.SENT, Reminder.Status.SKIPPED
    recap_y, recap_x = utc(2026, 10, 13, 18, 30), utc(2026, 10, 20, 18, 30)
    check_in_y, heads_up_y = utc(2026, 10, 27, 14), utc(2026, 11, 3, 15)
    assert reminders_of(y1) == [
        ("check_in", "Ana Diaz", check_in_y, skipped, "touch skipped by staff"),
        ("check_in", "Bea Lindqvist", check_in_y, skipped, "reminders paused for this person"),
        ("heads_up", "Ana Diaz", heads_up_y, sent, ""),
        ("heads_up", "Bea Lindqvist", heads_up_y, skipped, "reminders paused for this person"),
        ("recap", "Ana Diaz", recap_y, sent, ""),
        ("recap", "Bea Lindqvist", recap_y, sent, ""),
    ]
    assert reminders_of(x1) == [
        ("check_in", "Ana Diaz", check_in_x, sent, ""),
        ("check_in", "Keisha Brown", check_in_x, sent, ""),
        ("check_in", "Luis Ortega", check_in_x, skipped, "unsubscribed from this initiative"),
        ("check_in", "Marisol Vega", check_in_x, skipped, "address undeliverable"),
        ("check_in", "Tran Nguyen", check_in_x, skipped, "no open commitments"),
        ("heads_up", "Ana Diaz", heads_up_x, sent, ""),
        ("heads_up", "Keisha Brown", heads_up_x, sent, ""),
        ("heads_up", "Luis Ortega", heads_up_x, skipped, "unsubscribed from this initiative"),
        ("heads_up", "Marisol Vega", heads_up_x, skipped, "address undeliverable"),
        ("heads_up", "Tran Nguyen", heads_up_x, skipped, "no open commitments"),
        ("recap", "Ana Diaz", recap_x, sent, ""),
        ("recap", "Keisha Brown", recap_x, sent, ""),
        ("recap", "Luis Ortega", recap_x, skipped, "unsubscribed from this initiative"),
        ("recap", "Marisol Vega", recap_x, sent, ""),
        ("recap", "Omar Haddad", recap_x, sent, ""),
        ("recap", "Tran Nguyen", recap_x, sent, ""),
    ]
    # Ana's digest is one email for both of its reminders.
    digest_rows = Reminder.objects.filter(person=w.ana, due_at=heads_up_y)
    assert digest_rows.count() == 2
    assert len(set(digest_rows.values_list("email_id", flat=True))) == 1
    assert len(smtp_server.received) == 2 + 5 + 2 + 2


# --- Timing rules -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_check_in_falling_on_a_weekend_moves_to_monday_at_nine_across_the_spring_change(
    personas: Any,
) -> None:
    w = Walk(personas)
    # Saturday Mar 7, 2026 (CST). Fourteen days later is Saturday Mar 21 (CDT since Mar 8).
    with time_machine.travel(utc(2026, 3, 7, 15), tick=False) as traveller:
        meeting = w.meet(w.x, utc(2026, 3, 7, 16))
        w.commit(meeting, w.tran, "Share the enrollment numbers", date(2026, 3, 31))
        traveller.move_to(utc(2026, 3, 7, 18))
        meeting_close(meeting=meeting)

    check_in = Reminder.objects.get(meeting=meeting, touch=Touch.CHECK_IN)
    assert check_in.due_at == utc(2026, 3, 23, 14)  # Monday 09:00 CDT


@pytest.mark.django_db
def test_moving_the_next_meeting_moves_the_pending_heads_up(personas: Any) -> None:
    w = Walk(personas)
    with time_machine.travel(utc(2026, 10, 20, 16), tick=False) as traveller:
        meeting = w.meet(w.x, utc(2026, 10, 20, 17))
        w.commit(meeting, w.ana, "Translate the flyer", date(2026, 11, 17))
        w.commit(meeting, w.keisha, "Book the room", date(2026, 11, 17))
        traveller.move_to(utc(2026, 10, 20, 18, 30))
        meeting_close(meeting=meeting)
        following = w.meet(w.x, utc(2026, 11, 17, 18))

        heads_ups = Reminder.objects.filter(meeting=meeting, touch=Touch.HEADS_UP)
        # Tuesday Nov 10, 09:00 CST.
        assert sorted(heads_ups.values_list("person__full_name", "due_at")) == [
            ("Ana Diaz", utc(2026, 11, 10, 15)),
            ("Keisha Brown", utc(2026, 11, 10, 15)),
        ]

        # The next meeting moves to Monday Oct 26: seven days before is a Monday again, in CDT.
        meeting_update(
            meeting=following, starts_at=utc(2026, 10, 26, 17), ends_at=utc(2026, 10, 26, 18)
        )
        assert set(heads_ups.values_list("due_at", flat=True)) == {utc(2026, 10, 19, 14)}
        assert heads_ups.count() == 2


@pytest.mark.django_db
def test_a_heads_up_that_a_weekend_would_push_past_the_meeting_goes_out_on_friday(
    personas: Any,
) -> None:
    w = Walk(personas)
    NagSettings.objects.create(organization=personas.org, initiative=w.initiative, heads_up_days=1)
    with time_machine.travel(utc(2026, 10, 20, 16), tick=False) as traveller:
        meeting = w.meet(w.x, utc(2026, 10, 20, 17))
        w.commit(meeting, w.ana, "Translate the flyer", date(2026, 11, 17))
        traveller.move_to(utc(2026, 10, 20, 18, 30))
        meeting_close(meeting=meeting)
        # Monday Nov 2 at 08:00 CST: the day before is a Sunday, and Monday 09:00 is too late.
        w.meet(w.x, utc(2026, 11, 2, 14))

    heads_up = Reminder.objects.get(meeting=meeting, touch=Touch.HEADS_UP)
    assert heads_up.due_at == utc(2026, 10, 30, 14)  # Friday Oct 30, 09:00 CDT


@pytest.mark.django_db(transaction=True)
def test_with_nag_emails_off_for_the_initiative_every_touch_is_skipped(
    personas: Any, smtp_server: SMTPSink
) -> None:
    w = Walk(personas)
    NagSettings.objects.create(organization=personas.org, initiative=w.initiative, enabled=False)
    with time_machine.travel(utc(2026, 10, 20, 16), tick=False) as traveller:
        meeting = w.meet(w.x, utc(2026, 10, 20, 17))
        w.commit(meeting, w.ana, "Translate the flyer", date(2026, 11, 17))
        traveller.move_to(utc(2026, 10, 20, 18, 30))
        meeting_close(meeting=meeting)
        assert sweep("2026-11-03T15:00:00Z") == ["0 email(s) for 0 reminder(s); 1 skipped."]

    assert smtp_server.wait_for(1, timeout=0.3) == []
    rows = Reminder.objects.filter(meeting=meeting)
    assert rows.count() == 6  # five recaps (everyone at the table) and Ana's check-in
    assert set(rows.values_list("status", "skip_reason")) == {
        (Reminder.Status.SKIPPED, "NAG emails are off for this initiative")
    }


@pytest.mark.django_db
def test_send_due_reminders_refuses_a_moment_it_cannot_read() -> None:
    with pytest.raises(CommandError, match="is not an ISO 8601 date and time"):
        call_command("send_due_reminders", now="next tuesday")
    with pytest.raises(CommandError, match="needs a time zone"):
        call_command("send_due_reminders", now="2026-11-03T09:00")
    assert Reminder.objects.count() == 0
