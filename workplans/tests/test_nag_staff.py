"""Staff's control of NAG emails: a meeting's reminders page (the three touches, recipients,
preview, opening paragraph, skip, pause, send the recap now), an initiative's cadence and
unsubscribes, and clearing an undeliverable address. Every effect is checked on a real sweep
(send_due_reminders with the time moved), every refusal changes nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from backbone.models import OutboundEmail
from initiatives.models import Person, Seat
from initiatives.tests.factories import InitiativeFactory, PersonFactory, SeatFactory, TableFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import (
    Meeting,
    NagOptOut,
    NagOptOutReversal,
    NagSettings,
    Reminder,
    Touch,
    TouchControl,
)
from workplans.reminders import reminders_schedule_for_closed_meeting, send_due_reminders
from workplans.tests.factories import CommitmentFactory, MeetingFactory

CHICAGO = "America/Chicago"
# Monday March 2, 2026, 09:00 in Chicago (CST); closed two hours later.
STARTS = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CLOSED = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
# The check-in: 14 days later, Monday March 16 at 09:00 in Chicago, which is CDT by then.
CHECK_IN_DUE = datetime(2026, 3, 16, 14, 0, tzinfo=UTC)
# The next meeting: Monday March 30 at 09:00 CDT; the heads-up a week before, at 09:00 CDT.
NEXT_STARTS = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)
HEADS_UP_DUE = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
WARNING = "No next meeting is scheduled, so the heads-up will not be sent"


class World:
    def __init__(self, personas: Personas, *, next_meeting: bool = True) -> None:
        org = personas.org
        self.org = org
        self.initiative: Any = InitiativeFactory(
            organization=org, name="Lakeshore Reads", time_zone=CHICAGO
        )
        self.x: Any = TableFactory(initiative=self.initiative, name="Early Learning")
        self.y: Any = TableFactory(initiative=self.initiative, name="Attendance Works")
        self.cochair: Any = PersonFactory(
            organization=org, full_name="Keisha Brown", user=personas.cochair
        )
        self.partner: Any = PersonFactory(
            organization=org, full_name="Tran Nguyen", user=personas.partner
        )
        self.ana: Any = PersonFactory(
            organization=org, full_name="Ana Diaz", email="ana@partners.example.org"
        )
        SeatFactory(table=self.x, person=self.cochair, role=Seat.Role.CO_CHAIR)
        SeatFactory(table=self.x, person=self.partner)
        SeatFactory(table=self.x, person=self.ana)
        meeting: Meeting = MeetingFactory.create(
            table=self.x, starts_at=STARTS, status=Meeting.Status.CLOSED, closed_at=CLOSED
        )
        self.meeting: Any = meeting
        self.ana_first: Any = CommitmentFactory(
            meeting=self.meeting, person=self.ana, what="Book the library room", position=1
        )
        self.ana_second: Any = CommitmentFactory(
            meeting=self.meeting,
            person=self.ana,
            what="Call the principal",
            due_date=date(2026, 3, 20),
            position=2,
        )
        self.partner_one: Any = CommitmentFactory(
            meeting=self.meeting, person=self.partner, what="Share attendance data", position=3
        )
        self.next: Any = None
        if next_meeting:
            self.next = MeetingFactory(table=self.x, starts_at=NEXT_STARTS)
        reminders_schedule_for_closed_meeting(meeting=meeting)
        # The table at Y, which the co-chair persona does not lead.
        self.y_meeting: Any = MeetingFactory(table=self.y, starts_at=STARTS)

    def url(self, name: str = "", meeting: Any = None) -> str:
        meeting = meeting or self.meeting
        base = f"/o/lakeshore/meetings/{meeting.pk}/reminders/"
        return base + name

    @property
    def settings_url(self) -> str:
        return f"/o/lakeshore/initiatives/{self.initiative.pk}/reminders/"


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def _reminder(world: World, touch: str, person: Any) -> Reminder:
    return Reminder.objects.get(meeting=world.meeting, touch=touch, person=person)


def _sweep(at: datetime) -> Any:
    with time_machine.travel(at, tick=False):
        return send_due_reminders()


def _state() -> dict[str, Any]:
    return snapshot()


# --- Who may see and act ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("staff", 200), ("cochair", 200), ("steering", 403), ("partner", 403)]
)
def test_meeting_reminders_page_by_role(
    login: Any, personas: Personas, world: World, role: str, status: int
) -> None:
    client = login(personas.by_role(role))

    assert client.get(world.url()).status_code == status
    assert client.get(world.url("preview/")).status_code == status


@pytest.mark.django_db
def test_cochair_of_another_table_is_refused(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.cochair)
    before = _state()

    responses = [
        client.get(world.url(meeting=world.y_meeting)).status_code,
        client.post(
            world.url("skip/", world.y_meeting), {"touch": "recap", "skipped": "1"}
        ).status_code,
    ]

    assert responses == [403, 403]
    assert _state() == before


@pytest.mark.django_db
def test_outsider_gets_404_and_changes_nothing(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.outsider)
    before = _state()

    statuses = [
        client.get(world.url()).status_code,
        client.get(world.url("preview/")).status_code,
        client.post(world.url("intro/"), {"touch": "recap", "intro": "x"}).status_code,
        client.post(world.url("skip/"), {"touch": "recap", "skipped": "1"}).status_code,
        client.post(world.url("recap-now/")).status_code,
        client.post(world.url(f"people/{world.ana.pk}/pause/"), {"paused": "1"}).status_code,
        client.get(world.settings_url).status_code,
        client.post(
            f"/o/lakeshore/people/{world.ana.pk}/reminders/clear-undeliverable/"
        ).status_code,
    ]

    assert statuses == [404] * 8
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steering", "partner"])
def test_writes_are_refused_to_those_who_do_not_run_the_table(
    login: Any, personas: Personas, world: World, role: str
) -> None:
    client = login(personas.by_role(role))
    before = _state()

    statuses = [
        client.post(world.url("intro/"), {"touch": "recap", "intro": "x"}).status_code,
        client.post(world.url("skip/"), {"touch": "recap", "skipped": "1"}).status_code,
        client.post(world.url("recap-now/")).status_code,
        client.post(world.url(f"people/{world.ana.pk}/pause/"), {"paused": "1"}).status_code,
        client.post(world.settings_url, {"check_in_days": "3"}).status_code,
        client.post(
            f"/o/lakeshore/people/{world.ana.pk}/reminders/clear-undeliverable/"
        ).status_code,
    ]

    assert statuses == [403] * 6
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("staff", 200), ("cochair", 403), ("steering", 403), ("partner", 403)]
)
def test_initiative_cadence_page_is_staffs(
    login: Any, personas: Personas, world: World, role: str, status: int
) -> None:
    assert login(personas.by_role(role)).get(world.settings_url).status_code == status


# --- The panel --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_panel_shows_each_touch_its_times_and_recipients(
    login: Any, personas: Personas, world: World
) -> None:
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recap goes out

    page = login(personas.staff).get(world.url()).content.decode()

    assert "3 sent, last at Mon Mar 2, 11:01 CST" in page
    assert "2 scheduled at Mon Mar 16, 09:00 CDT" in page
    assert "2 scheduled at Mon Mar 23, 09:00 CDT" in page
    assert page.count(">Ana Diaz</a>") == 3  # a recipient of every touch
    assert page.count(">Keisha Brown</a>") == 1  # made no commitment: the recap only
    assert WARNING not in page


@pytest.mark.django_db
def test_panel_warns_when_no_next_meeting_is_scheduled(login: Any, personas: Personas) -> None:
    world = World(personas, next_meeting=False)

    page = login(personas.staff).get(world.url()).content.decode()

    assert WARNING in page
    assert "Not scheduled: no next meeting." in page
    assert Reminder.objects.filter(meeting=world.meeting, touch=Touch.HEADS_UP).count() == 0


@pytest.mark.django_db
def test_panel_of_a_scheduled_meeting_foresees_recipients(
    login: Any, personas: Personas, world: World
) -> None:
    page = login(personas.staff).get(world.url(meeting=world.next)).content.decode()

    assert "Sent to everyone at the table when the meeting is closed." in page
    assert "Would go to 3 people" in page
    assert "Nobody made a commitment at this meeting, so there is no one to remind." in page
    assert WARNING not in page


@pytest.mark.django_db
def test_panel_counts_skips_by_reason_and_shows_undeliverable(
    login: Any, personas: Personas, world: World
) -> None:
    Person.objects.filter(pk=world.ana.pk).update(
        undeliverable_at=CLOSED, undeliverable_reason="Bounced: mailbox full"
    )
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))

    page = login(personas.staff).get(world.url()).content.decode()

    assert "Undeliverable: Bounced: mailbox full" in page
    assert "1 skipped" in page
    assert re.search(r"address undeliverable <span class=\"muted\">× 1</span>", page)
    assert f"/o/lakeshore/people/{world.ana.pk}/reminders/clear-undeliverable/" in page


def _panel_world(personas: Personas, people: int) -> Any:
    table: Any = TableFactory(initiative__organization=personas.org, initiative__time_zone=CHICAGO)
    meeting: Any = MeetingFactory(
        table=table, starts_at=STARTS, status=Meeting.Status.CLOSED, closed_at=CLOSED
    )
    for n in range(people):
        person: Any = PersonFactory(organization=personas.org, nag_paused=n % 3 == 0)
        SeatFactory(table=table, person=person)
        CommitmentFactory(meeting=meeting, person=person)
        if n % 4 == 0:
            NagOptOut.objects.create(
                organization=personas.org, person=person, initiative=table.initiative
            )
    MeetingFactory(table=table, starts_at=NEXT_STARTS)
    reminders_schedule_for_closed_meeting(meeting=meeting)
    TouchControl.objects.create(
        organization=personas.org, meeting=meeting, touch=Touch.CHECK_IN, intro="Hi"
    )
    return meeting


@pytest.mark.django_db
@pytest.mark.parametrize("people", [3, 30])
def test_panel_query_count_does_not_grow_with_people(
    login: Any, personas: Personas, people: int, django_assert_num_queries: Any
) -> None:
    meeting = _panel_world(personas, people)
    client = login(personas.staff)

    with django_assert_num_queries(14):
        response = client.get(f"/o/lakeshore/meetings/{meeting.pk}/reminders/")

    assert response.status_code == 200
    assert response.content.decode().count("Preview<span") == 3 * people


# --- Preview is what the sweep sends ------------------------------------------------------


def _preview(client: Client, world: World, touch: str, person: Any) -> dict[str, str]:
    response = client.get(world.url("preview/"), {"touch": touch, "person": person.pk})
    assert response.status_code == 200
    return response.context["draft"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("touch", "at"),
    [("check_in", CHECK_IN_DUE), ("heads_up", HEADS_UP_DUE)],
)
def test_preview_is_exactly_what_the_sweep_sends(
    login: Any, personas: Personas, world: World, touch: str, at: datetime
) -> None:
    client = login(personas.staff)
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps, out of the way
    if touch == "heads_up":
        _sweep(CHECK_IN_DUE)  # and the check-ins, else the heads-up goes out in a digest
    with time_machine.travel(at, tick=False):
        draft = _preview(client, world, touch, world.ana)
        result = send_due_reminders()

    assert sorted(result.recipients) == sorted([world.ana.email, world.partner.email])
    sent = OutboundEmail.objects.get(kind=f"nag_{touch}", to=[world.ana.email])
    assert (draft["subject"], draft["text"], draft["html"]) == (
        sent.subject,
        sent.body_text,
        sent.body_html,
    )
    assert "1. Book the library room" in draft["text"]
    assert "2. Call the principal" in draft["text"]
    assert "Share attendance data" not in draft["text"]  # the partner's, not Ana's


@pytest.mark.django_db
def test_recap_preview_is_what_the_sweep_sends(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.cochair)
    with time_machine.travel(datetime(2026, 3, 2, 17, 1, tzinfo=UTC), tick=False):
        draft = _preview(client, world, "recap", world.cochair)
        send_due_reminders()

    sent = OutboundEmail.objects.get(kind="nag_recap", to=[world.cochair.email])
    assert (draft["subject"], draft["text"], draft["html"]) == (
        sent.subject,
        sent.body_text,
        sent.body_html,
    )
    assert draft["subject"] == "Commitments from the Early Learning meeting on March 2"


@pytest.mark.django_db
def test_preview_of_someone_without_open_commitments_says_it_will_not_be_sent(
    login: Any, personas: Personas, world: World
) -> None:
    world.partner_one.status = "done"
    world.partner_one.save()

    response = login(personas.staff).get(
        world.url("preview/"), {"touch": "check_in", "person": world.partner.pk}
    )

    assert response.status_code == 200
    assert response.context["draft"] is None
    assert "Tran Nguyen has no open commitments from this meeting" in response.content.decode()


@pytest.mark.django_db
def test_preview_of_someone_not_a_recipient_is_not_found(
    login: Any, personas: Personas, world: World
) -> None:
    stranger: Any = PersonFactory(organization=personas.org)
    client = login(personas.staff)

    statuses = [
        client.get(world.url("preview/"), {"touch": "check_in", "person": stranger.pk}),
        client.get(world.url("preview/"), {"touch": "check_in", "person": world.cochair.pk}),
        client.get(world.url("preview/"), {"touch": "nonsense"}),
    ]

    assert [r.status_code for r in statuses] == [404, 404, 404]


# --- Intro, skip, pause: their effect on a real sweep ------------------------------------


@pytest.mark.django_db
def test_intro_replaces_the_opening_paragraph_of_that_touch(
    login: Any, personas: Personas, world: World
) -> None:
    response = login(personas.cochair).post(
        world.url("intro/"), {"touch": "check_in", "intro": "  Halfway there — how is it going?  "}
    )

    assert response.status_code == 302
    assert response["Location"] == world.url() + "#touch-check_in"
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps
    _sweep(CHECK_IN_DUE)
    sent = OutboundEmail.objects.get(kind="nag_check_in", to=[world.ana.email])
    assert "Halfway there — how is it going?" in sent.body_text
    assert "How is it going, and do you need any help" not in sent.body_text
    control = TouchControl.objects.get(meeting=world.meeting, touch=Touch.CHECK_IN)
    assert (control.intro, control.skipped) == ("Halfway there — how is it going?", False)


@pytest.mark.django_db
def test_intro_too_long_is_refused_with_a_message(
    login: Any, personas: Personas, world: World
) -> None:
    response = login(personas.staff).post(
        world.url("intro/"), {"touch": "check_in", "intro": "x" * 2001}, follow=True
    )

    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    assert TouchControl.objects.count() == 0


@pytest.mark.django_db
def test_skipped_touch_is_not_sent_and_unskipping_brings_it_back(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.staff)

    client.post(world.url("skip/"), {"touch": "check_in", "skipped": "1"})
    assert TouchControl.objects.get(meeting=world.meeting, touch="check_in").skipped is True
    client.post(world.url("skip/"), {"touch": "heads_up", "skipped": "1"})
    client.post(world.url("skip/"), {"touch": "heads_up", "skipped": "0"})
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps
    checked = _sweep(CHECK_IN_DUE)
    headed = _sweep(HEADS_UP_DUE)

    assert (checked.sent_emails, checked.skipped) == (0, 2)
    assert _reminder(world, "check_in", world.ana).skip_reason == "touch skipped by staff"
    assert sorted(headed.recipients) == sorted([world.ana.email, world.partner.email])


@pytest.mark.django_db
def test_paused_person_gets_nothing_until_resumed(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.cochair)

    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps
    response = client.post(world.url(f"people/{world.ana.pk}/pause/"), {"paused": "1"})
    checked = _sweep(CHECK_IN_DUE)
    client.post(world.url(f"people/{world.ana.pk}/pause/"), {"paused": "0"})
    headed = _sweep(HEADS_UP_DUE)

    assert response.status_code == 302
    assert checked.recipients == [world.partner.email]
    assert _reminder(world, "check_in", world.ana).skip_reason == (
        "reminders paused for this person"
    )
    assert sorted(headed.recipients) == sorted([world.ana.email, world.partner.email])
    assert Person.objects.get(pk=world.ana.pk).nag_paused is False


@pytest.mark.django_db
def test_pausing_someone_the_meeting_does_not_concern_is_not_found(
    login: Any, personas: Personas, world: World
) -> None:
    stranger: Any = PersonFactory(organization=personas.org)

    response = login(personas.cochair).post(
        world.url(f"people/{stranger.pk}/pause/"), {"paused": "1"}
    )

    assert response.status_code == 404
    assert Person.objects.get(pk=stranger.pk).nag_paused is False


# --- Send the recap now -------------------------------------------------------------------


@pytest.mark.django_db
def test_send_the_recap_now_sends_it_once_through_the_sweep(
    login: Any,
    personas: Personas,
    world: World,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # A recap set to go out a day after closing; the next morning staff want it now.
    Reminder.objects.filter(meeting=world.meeting, touch=Touch.RECAP).update(
        due_at=datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    )
    client = login(personas.cochair)

    with time_machine.travel(datetime(2026, 3, 3, 14, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(world.url("recap-now/"), follow=True)
        with django_capture_on_commit_callbacks(execute=True):
            again = client.post(world.url("recap-now/"), follow=True)

    assert "The recap is on its way to 3 people." in response.content.decode()
    recaps = OutboundEmail.objects.filter(kind="nag_recap")
    assert sorted(e.to[0] for e in recaps) == sorted(
        [world.ana.email, world.partner.email, world.cochair.email]
    )
    assert "already gone out to everyone" in again.content.decode()
    assert OutboundEmail.objects.filter(kind="nag_recap").count() == 3


@pytest.mark.django_db
def test_send_the_recap_now_of_a_scheduled_meeting_explains_closing_sends_it(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.staff)
    before = _state()

    response = client.post(world.url("recap-now/", world.next), follow=True)

    assert "The recap goes out when the meeting is closed." in response.content.decode()
    assert _state() == before


# --- The initiative's cadence -------------------------------------------------------------


def _cadence(**overrides: str) -> dict[str, str]:
    data = {
        "enabled": "on",
        "check_in_days": "14",
        "heads_up_days": "7",
        "send_hour": "9",
        "weekdays_only": "on",
        "recap_delay_minutes": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.django_db
def test_saving_the_cadence_retimes_pending_reminders_only(
    login: Any, personas: Personas, world: World
) -> None:
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps are sent
    sent_recap = _reminder(world, "recap", world.ana)

    response = login(personas.staff).post(
        world.settings_url,
        _cadence(check_in_days="6", heads_up_days="3", send_hour="8", recap_delay_minutes="30"),
        follow=True,
    )

    # The check-ins and heads-ups of Ana and Tran; the recaps went out already.
    assert "4 pending reminders were re-timed" in response.content.decode()
    # Six days after Monday March 2 is Sunday March 8: weekdays only moves it to Monday the
    # 9th, 08:00 in Chicago, which is CDT from March 8.
    assert _reminder(world, "check_in", world.ana).due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert _reminder(world, "heads_up", world.partner).due_at == datetime(
        2026, 3, 27, 13, 0, tzinfo=UTC
    )
    assert _reminder(world, "recap", world.ana).due_at == sent_recap.due_at
    settings = NagSettings.objects.get(initiative=world.initiative)
    assert (settings.check_in_days, settings.heads_up_days, settings.send_hour) == (6, 3, 8)
    checked = _sweep(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))
    assert sorted(checked.recipients) == sorted([world.ana.email, world.partner.email])


@pytest.mark.django_db
def test_turning_nag_emails_off_skips_what_comes_due(
    login: Any, personas: Personas, world: World
) -> None:
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps
    login(personas.staff).post(world.settings_url, _cadence(enabled=""))

    checked = _sweep(CHECK_IN_DUE)

    assert (checked.sent_emails, checked.skipped) == (0, 2)
    assert _reminder(world, "check_in", world.ana).skip_reason == (
        "NAG emails are off for this initiative"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("check_in_days", "0", "Ensure this value is greater than or equal to 1."),
        ("heads_up_days", "31", "Ensure this value is less than or equal to 30."),
        ("send_hour", "24", "Select a valid choice."),
        ("recap_delay_minutes", "abc", "Enter a whole number."),
    ],
)
def test_bad_cadence_is_refused_and_changes_nothing(
    login: Any, personas: Personas, world: World, field: str, value: str, error: str
) -> None:
    client = login(personas.staff)
    before = _state()

    response = client.post(world.settings_url, _cadence(**{field: value}))

    assert response.status_code == 400
    assert error in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_reversing_an_unsubscribe_needs_the_persons_consent(
    login: Any, personas: Personas, world: World
) -> None:
    NagOptOut.objects.create(
        organization=personas.org, person=world.ana, initiative=world.initiative
    )
    client = login(personas.staff)
    url = f"{world.settings_url}opt-outs/{world.ana.pk}/reverse/"

    page = client.get(world.settings_url).content.decode()
    refused = client.post(url, {}, follow=True).content.decode()
    blank = client.post(url, {"consent_note": "  "}, follow=True).content.decode()
    kept = (NagOptOut.objects.count(), NagOptOutReversal.objects.count())
    client.post(url, {"consent_note": "Ana asked at the March meeting."})
    after = client.get(world.settings_url).content.decode()
    _sweep(datetime(2026, 3, 2, 17, 1, tzinfo=UTC))  # the recaps

    assert "Ana Diaz" in page
    assert "Say how the person asked, or agreed, to receive these emails again." in refused
    assert "Say how the person asked, or agreed, to receive these emails again." in blank
    assert kept == (1, 0)
    assert NagOptOut.objects.count() == 0
    record = NagOptOutReversal.objects.get()
    assert (record.person_id, record.initiative_id, record.reversed_by_id, record.consent_note) == (
        world.ana.pk,
        world.initiative.pk,
        personas.staff.pk,
        "Ana asked at the March meeting.",
    )
    # The page keeps the record in view: who, and the note of their consent.
    assert "Turned back on" in after
    assert "<q>Ana asked at the March meeting.</q>" in after
    assert sorted(_sweep(CHECK_IN_DUE).recipients) == sorted([world.ana.email, world.partner.email])


# --- Undeliverable addresses --------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_and_clear_an_undeliverable_address(
    login: Any, personas: Personas, world: World
) -> None:
    Person.objects.filter(pk=world.ana.pk).update(
        undeliverable_at=CLOSED, undeliverable_reason="Marked as spam by the recipient"
    )
    client = login(personas.staff)
    person_url = f"/o/lakeshore/people/{world.ana.pk}/"

    page = client.get(person_url).content.decode()
    response = client.post(
        f"{person_url}reminders/clear-undeliverable/", {"next": world.url() + "#touch-recap"}
    )

    assert "Undeliverable: Marked as spam by the recipient" in page
    assert response.status_code == 302
    assert response["Location"] == world.url() + "#touch-recap"
    ana = Person.objects.get(pk=world.ana.pk)
    assert (ana.undeliverable_at, ana.undeliverable_reason) == (None, "")


@pytest.mark.django_db
def test_clearing_redirects_only_within_the_site(
    login: Any, personas: Personas, world: World
) -> None:
    response = login(personas.staff).post(
        f"/o/lakeshore/people/{world.ana.pk}/reminders/clear-undeliverable/",
        {"next": "https://evil.example.com/"},
    )

    assert response["Location"] == f"/o/lakeshore/people/{world.ana.pk}/"


@pytest.mark.django_db
def test_meeting_page_links_its_reminders_for_those_who_run_it(
    login: Any, personas: Personas, world: World
) -> None:
    link = f'href="{world.url()}"'
    meeting_url = f"/o/lakeshore/meetings/{world.meeting.pk}/"

    assert link in login(personas.cochair).get(meeting_url).content.decode()
    assert link not in login(personas.steering).get(meeting_url).content.decode()
