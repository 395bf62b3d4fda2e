"""Meetings pages: the lists, scheduling in the initiative's time zone, the meeting's page with
its agenda and live sections, attendance, notes, closing and cancelling, per role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backbone.models import User
from initiatives.models import Seat
from initiatives.tests.factories import PersonFactory, SeatFactory
from tests.fixtures import Personas
from workplans.models import AgendaItem, Attendance, Commitment, KeyAction, Meeting
from workplans.services import (
    agenda_item_add,
    attendance_record,
    commitment_change,
    commitment_create,
    meeting_cancel,
    meeting_close,
)
from workplans.tests.factories import KeyActionFactory, WorkplanFactory
from workplans.tests.meeting_world import World

Login = Callable[[User], Client]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


def meetings_state() -> list[Any]:
    return [
        list(Meeting.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        list(Meeting.invitees.through.objects.order_by("pk").values()),
    ]


def flash(response: Any) -> list[str]:
    """The messages shown on the page a followed redirect landed on."""
    return [str(m) for m in response.context["messages"]]


def agenda_titles(meeting: Meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position", "id").values_list("title", flat=True))


# --- Who may see and do what ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "x", "y"),
    [
        ("staff", 200, 200),
        ("steering", 200, 200),
        ("cochair", 200, 200),
        ("partner", 200, 403),
        ("outsider", 404, 404),
    ],
)
def test_who_may_read_a_tables_meetings_and_a_meeting(
    who: str, x: int, y: int, world: World, personas: Personas, login: Login
) -> None:
    at_x, at_y = world.meeting(world.x), world.meeting(world.y)
    client = login(getattr(personas, who))

    assert client.get(url("table_meetings", table_id=world.x.pk)).status_code == x
    assert client.get(url("table_meetings", table_id=world.y.pk)).status_code == y
    assert client.get(url("meeting_detail", meeting_id=at_x.pk)).status_code == x
    assert client.get(url("meeting_detail", meeting_id=at_y.pk)).status_code == y
    assert client.get(url("meeting_invite", meeting_id=at_x.pk)).status_code == x
    assert client.get(url("meeting_invite", meeting_id=at_y.pk)).status_code == y


@pytest.mark.parametrize(
    ("who", "x", "y"),
    [
        ("staff", True, True),
        ("steering", False, False),
        ("cochair", True, False),
        ("partner", False, None),
    ],
)
def test_who_may_run_which_tables_meetings(
    who: str, x: bool, y: bool | None, world: World, personas: Personas, login: Login
) -> None:
    at_x, at_y = world.meeting(world.x), world.meeting(world.y)
    client = login(getattr(personas, who))

    page = client.get(url("meeting_detail", meeting_id=at_x.pk))
    assert page.context["can_edit"] is x
    assert (b"Close the meeting" in page.content) is x
    assert (
        b"Schedule a meeting" in client.get(url("table_meetings", table_id=world.x.pk)).content
    ) is x
    if y is not None:
        assert client.get(url("meeting_detail", meeting_id=at_y.pk)).context["can_edit"] is y
    expected = 200 if x else 403
    assert client.get(url("meeting_schedule", table_id=world.x.pk)).status_code == expected
    assert client.get(url("meeting_edit", meeting_id=at_x.pk)).status_code == expected


def refused_posts(meeting: Meeting, item: AgendaItem) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            url("meeting_schedule", table_id=meeting.table_id),
            {"date": "2030-03-05", "start_time": "09:00", "end_time": "10:00"},
        ),
        (
            url("meeting_edit", meeting_id=meeting.pk),
            {"date": "2030-03-05", "start_time": "09:00", "end_time": "10:00"},
        ),
        (url("meeting_attendance", meeting_id=meeting.pk), {}),
        (url("meeting_notes", meeting_id=meeting.pk), {"notes": "Mine", "wins": "Mine"}),
        (url("meeting_close", meeting_id=meeting.pk), {}),
        (url("meeting_cancel", meeting_id=meeting.pk), {}),
        (url("agenda_item_add", meeting_id=meeting.pk), {"title": "Mine"}),
        (url("agenda_item_edit", item_id=item.pk), {"title": "Mine"}),
        (url("agenda_item_delete", item_id=item.pk), {}),
        (url("agenda_item_move", item_id=item.pk), {"direction": "down"}),
    ]


@pytest.mark.parametrize(
    ("who", "table", "status"),
    [
        ("steering", "x", 403),
        ("partner", "x", 403),
        ("cochair", "y", 403),
        ("outsider", "x", 404),
    ],
)
def test_refused_changes_change_nothing(
    who: str, table: str, status: int, world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting(getattr(world, table))
    item = meeting.agenda_items.get(kind=AgendaItem.Kind.CHECK_IN)
    client = login(getattr(personas, who))
    before = meetings_state()

    statuses = [
        client.post(target, data).status_code for target, data in refused_posts(meeting, item)
    ]

    assert statuses == [status] * 10
    assert meetings_state() == before


@pytest.mark.parametrize(
    ("who", "status", "shown"),
    [
        ("staff", 200, ["soon", "later"]),
        ("steering", 200, ["soon", "later"]),
        ("cochair", 200, ["soon", "later"]),
        # A partner sees the meetings of the tables they sit at (X), as on a meeting's page.
        ("partner", 200, ["soon"]),
        ("outsider", 404, []),
    ],
)
def test_upcoming_meetings_of_the_organization(
    who: str, status: int, shown: list[str], world: World, personas: Personas, login: Login
) -> None:
    meetings = {"later": world.meeting(world.y, days=9), "soon": world.meeting(world.x, days=2)}
    world.meeting(world.x, days=-3)
    meeting_cancel(meeting=world.meeting(world.steering, days=5))

    response = login(getattr(personas, who)).get(url("meetings_upcoming"))

    assert response.status_code == status
    if status == 200:
        assert [m.pk for m in response.context["meetings"]] == [meetings[n].pk for n in shown]


def test_a_partner_with_no_meeting_ahead_is_told_who_schedules_them(
    world: World, personas: Personas, login: Login
) -> None:
    world.meeting(world.y, days=9)  # another table's

    page = login(personas.partner).get(url("meetings_upcoming")).content.decode()

    assert "No meeting of your tables is scheduled yet." in page
    assert "Choose a workgroup" not in page


def test_the_steering_committees_chair_runs_its_meetings(
    world: World, personas: Personas, login: Login
) -> None:
    chair: Any = PersonFactory(
        organization=world.org, full_name="James Whitfield", user=personas.steering
    )
    SeatFactory(table=world.steering, person=chair, role=Seat.Role.CHAIR)
    client = login(personas.steering)

    response = client.post(
        url("meeting_schedule", table_id=world.steering.pk),
        {"date": "2030-03-05", "start_time": "17:00", "end_time": "18:30", "invitees": [chair.pk]},
    )

    meeting = Meeting.objects.get(table=world.steering)
    assert response.status_code == 302
    assert response["Location"] == url("meeting_detail", meeting_id=meeting.pk)
    assert client.get(url("meeting_schedule", table_id=world.x.pk)).status_code == 403


# --- Lists ----------------------------------------------------------------------------------


def test_a_tables_meetings_upcoming_and_past_with_local_times_and_counts(
    world: World, personas: Personas, login: Login
) -> None:
    past = world.meeting(days=-14)
    commitment_create(
        meeting=past,
        person=world.member,
        what="Call the library",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    commitment_create(
        meeting=past,
        person=world.partner,
        what="Send the flyer",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    cancelled = world.meeting(days=-7)
    meeting_cancel(meeting=cancelled)
    meeting_close(meeting=past)
    upcoming = world.meeting(days=7, location="Lakeshore Public Library, Room B")

    response = login(personas.cochair).get(url("table_meetings", table_id=world.x.pk))

    assert [m.pk for m in response.context["upcoming"]] == [upcoming.pk]
    assert [m.pk for m in response.context["past"]] == [cancelled.pk, past.pk]
    assert [m.commitment_count for m in response.context["past"]] == [0, 2]
    shown = response.context["upcoming"][0]
    assert shown.local_starts.tzinfo.key == "America/Chicago"
    assert shown.local_starts == upcoming.starts_at
    assert shown.local_starts.utcoffset() in (timedelta(hours=-5), timedelta(hours=-6))
    assert (
        shown.zone_abbreviation
        == {-5: "CDT", -6: "CST"}[int(shown.local_starts.utcoffset().total_seconds()) // 3600]
    )
    content = response.content.decode()
    assert f"{shown.local_starts:%H:%M}–{shown.local_ends:%H:%M}" in content
    assert "Lakeshore Public Library, Room B" in content
    assert "America/Chicago" in content


# --- Scheduling and time zones --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_hour", "abbreviation"),
    [("2026-10-30", 14, "CDT"), ("2026-11-02", 15, "CST")],
)
def test_schedule_in_the_initiatives_zone_across_the_daylight_saving_change(
    day: str, utc_hour: int, abbreviation: str, world: World, personas: Personas, login: Login
) -> None:
    client = login(personas.cochair)
    response = client.post(
        url("meeting_schedule", table_id=world.x.pk),
        {
            "date": day,
            "start_time": "09:00",
            "end_time": "10:30",
            "title": "",
            "location": "Library",
            "video_link": "meet.example.org/early",
            "invitees": [world.cochair.pk, world.member.pk, world.other.pk],
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    year, month, dom = (int(p) for p in day.split("-"))
    assert meeting.starts_at == datetime(year, month, dom, utc_hour, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(year, month, dom, utc_hour + 1, 30, tzinfo=UTC)
    assert (meeting.location, meeting.video_link) == ("Library", "https://meet.example.org/early")
    assert set(meeting.invitees.all()) == {world.cochair, world.member, world.other}
    assert agenda_titles(meeting)[2] == "Review of commitments from the last meeting"
    page = client.get(response["Location"])
    assert (
        f'09:00–10:30 <abbr title="America/Chicago">{abbreviation}</abbr>' in page.content.decode()
    )
    edit = client.get(url("meeting_edit", meeting_id=meeting.pk))
    assert edit.context["form"].initial["start_time"].strftime("%H:%M") == "09:00"
    assert edit.context["form"].initial["date"] == date(year, month, dom)


def test_schedule_form_says_which_zone_and_invites_the_members_by_default(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).get(url("meeting_schedule", table_id=world.x.pk))

    assert response.status_code == 200
    assert response.context["zone_name"] == "America/Chicago"
    assert (
        "In the initiative's time zone: <strong>America/Chicago</strong>"
        in response.content.decode()
    )
    assert [p.full_name for p in response.context["members"]] == [
        "Ana Diaz",
        "Keisha Brown",
        "Tran Nguyen",
    ]
    assert response.context["invited_ids"] == {world.member.pk, world.cochair.pk, world.partner.pk}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"date": "2026-03-08", "start_time": "02:30", "end_time": "04:00"},
            "start_time",
            "The clocks change that night: this time does not exist.",
        ),
        (
            {"date": "2026-05-08", "start_time": "10:00", "end_time": "09:00"},
            "end_time",
            "The meeting must end after it starts.",
        ),
        (
            {"date": "2026-05-08", "start_time": "10:00", "end_time": "10:00"},
            "end_time",
            "The meeting must end after it starts.",
        ),
        (
            {"date": "not a day", "start_time": "10:00", "end_time": "11:00"},
            "date",
            "Enter a valid date.",
        ),
        (
            {
                "date": "2026-05-08",
                "start_time": "10:00",
                "end_time": "11:00",
                "video_link": "not a link",
            },
            "video_link",
            "Enter a valid URL.",
        ),
    ],
)
def test_bad_times_are_refused_on_their_field_and_nothing_is_scheduled(
    data: dict[str, str], field: str, message: str, world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).post(url("meeting_schedule", table_id=world.x.pk), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert Meeting.objects.count() == 0


def test_a_person_of_another_organization_cannot_be_invited(
    world: World, personas: Personas, login: Login
) -> None:
    response = login(personas.staff).post(
        url("meeting_schedule", table_id=world.x.pk),
        {
            "date": "2026-05-08",
            "start_time": "10:00",
            "end_time": "11:00",
            "invitees": [world.outsider_person.pk],
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["invitees"]
    assert Meeting.objects.count() == 0


def test_editing_moves_the_meeting_and_changes_invitees(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting()
    client = login(personas.cochair)
    response = client.post(
        url("meeting_edit", meeting_id=meeting.pk),
        {
            "date": "2026-12-01",
            "start_time": "18:00",
            "end_time": "19:00",
            "title": "Winter check-in",
            "invitees": [world.cochair.pk, world.other.pk],
        },
    )

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert (meeting.starts_at, meeting.ends_at, meeting.title) == (
        datetime(2026, 12, 2, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 1, 0, tzinfo=UTC),
        "Winter check-in",
    )
    assert set(meeting.invitees.all()) == {world.cochair, world.other}
    again = client.get(url("meeting_edit", meeting_id=meeting.pk))
    assert [p.full_name for p in again.context["others"]] == ["Omar Haddad"]
    assert again.context["invited_ids"] == {world.cochair.pk, world.other.pk}


def test_a_closed_meeting_keeps_its_time_and_says_why(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = meeting_close(meeting=world.meeting(days=-1))
    before = meetings_state()

    response = login(personas.staff).post(
        url("meeting_edit", meeting_id=meeting.pk),
        {"date": "2026-12-01", "start_time": "18:00", "end_time": "19:00"},
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This meeting is closed; its time, place and invitees stay as they were."
    ]
    assert meetings_state() == before


def test_invitee_search_finds_people_not_at_the_table(
    world: World, personas: Personas, login: Login
) -> None:
    PersonFactory(organization=world.org, full_name="Omar Archived", archived_at=timezone.now())
    client = login(personas.cochair)

    found = client.get(url("meeting_invitee_search", table_id=world.x.pk), {"q": "oma"})
    members = client.get(url("meeting_invitee_search", table_id=world.x.pk), {"q": "Keisha"})
    rita = client.get(url("meeting_invitee_search", table_id=world.x.pk), {"q": "Rita"})

    assert [p.full_name for p in found.context["people"]] == ["Omar Haddad"]
    assert f'name="invitees" value="{world.other.pk}"' in found.content.decode()
    assert members.context["people"] == []
    assert rita.context["people"] == []
    assert (
        client.get(url("meeting_invitee_search", table_id=world.y.pk), {"q": "oma"}).status_code
        == 403
    )


# --- The meeting's page: agenda and live sections -------------------------------------------


def test_meeting_page_shows_the_agenda_with_its_live_sections(
    world: World, personas: Personas, login: Login
) -> None:
    previous = world.meeting(days=-14)
    due = timezone.localdate() + timedelta(days=20)
    done = commitment_create(
        meeting=previous, person=world.member, what="Call the library", due_date=due
    )
    commitment_change(commitment=done, channel="web", status=Commitment.Status.DONE)
    help_ = commitment_create(
        meeting=previous, person=world.partner, what="Send the flyer", due_date=due
    )
    commitment_change(
        commitment=help_, channel="web", status=Commitment.Status.NEED_HELP, note="Need a printer."
    )
    workplan = WorkplanFactory(table=world.x, year=timezone.localdate().year)
    late: Any = KeyActionFactory(
        workplan=workplan,
        strategy=world.strategy,
        description="Open two reading rooms",
        due_date=date(2020, 1, 1),
    )
    KeyActionFactory(
        workplan=workplan,
        strategy=world.strategy,
        description="On its way",
        status=KeyAction.Status.ON_TRACK,
    )
    risky: Any = KeyActionFactory(
        workplan=workplan,
        strategy=world.strategy,
        description="Hire tutors",
        status=KeyAction.Status.AT_RISK,
    )
    meeting = world.meeting(days=1)

    response = login(personas.partner).get(url("meeting_detail", meeting_id=meeting.pk))

    assert response.status_code == 200
    assert [i.kind for i in response.context["items"]] == [
        "check_in",
        "ground_rules",
        "commitment_review",
        "workplan",
        "problem_solving",
        "coordination",
        "environment",
        "wins",
    ]
    assert [r.text for r in response.context["ground_rules"]] == [
        "We start and end on time.",
        "We speak for ourselves.",
    ]
    assert [(c.what, c.status) for c in response.context["review"]] == [
        ("Call the library", "done"),
        ("Send the flyer", "need_help"),
    ]
    assert {a.pk for a in response.context["key_actions"]} == {late.pk, risky.pk}
    content = response.content.decode()
    assert '<span class="chip chip--done">Done</span>' in content
    assert '<span class="chip chip--need_help">Needs help</span>' in content
    assert "Need a printer." in content
    assert "overdue since 1 Jan 2020" in content
    assert response.context["can_edit"] is False
    assert "Add an agenda item" not in content
    assert response.context["meeting_mode_url"] in (
        None,
        f"/o/lakeshore/meetings/{meeting.pk}/mode/",
    )


def test_add_edit_and_remove_agenda_items_with_htmx(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting()
    client = login(personas.cochair)

    added = client.post(
        url("agenda_item_add", meeting_id=meeting.pk),
        {"title": "  Budget  ", "minutes": "10", "notes": "Q3 numbers"},
        headers=HTMX,
    )
    item = meeting.agenda_items.get(title="Budget")
    edited = client.post(
        url("agenda_item_edit", item_id=item.pk),
        {"title": "Budget review", "minutes": "", "notes": ""},
        headers=HTMX,
    )
    check_in = meeting.agenda_items.get(kind=AgendaItem.Kind.CHECK_IN)
    removed = client.post(url("agenda_item_delete", item_id=check_in.pk), headers=HTMX)

    assert (added.status_code, edited.status_code, removed.status_code) == (200, 200, 200)
    assert added.templates[0].name == "workplans/meetings/partials/agenda.html"
    assert "Budget" in added.content.decode()
    item.refresh_from_db()
    assert (item.title, item.minutes, item.notes, item.position) == ("Budget review", None, "", 8)
    assert agenda_titles(meeting)[0] == "Ground rules"
    assert agenda_titles(meeting)[-1] == "Budget review"


def test_agenda_items_move_up_and_down(world: World, personas: Personas, login: Login) -> None:
    meeting = world.meeting()
    client = login(personas.staff)
    wins = meeting.agenda_items.get(kind=AgendaItem.Kind.WINS)

    up = client.post(url("agenda_item_move", item_id=wins.pk), {"direction": "up"})
    client.post(url("agenda_item_move", item_id=wins.pk), {"direction": "up"}, headers=HTMX)
    bad = client.post(
        url("agenda_item_move", item_id=wins.pk), {"direction": "sideways"}, headers=HTMX
    )

    assert up.status_code == 302
    assert up["Location"] == url("meeting_detail", meeting_id=meeting.pk) + f"#item-{wins.pk}"
    assert agenda_titles(meeting)[5:] == [
        "Celebrate wins",
        "Coordination among partners",
        "Scan of the environment",
    ]
    assert bad.status_code == 200
    assert bad.context["agenda_error"] == "Move an item up or down."


def test_the_commitment_review_cannot_be_removed_and_the_page_says_so(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting()
    review = meeting.agenda_items.get(kind=AgendaItem.Kind.COMMITMENT_REVIEW)
    client = login(personas.cochair)
    before = meetings_state()
    message = "Every meeting opens by reviewing the last meeting's commitments; keep this item."

    with_htmx = client.post(url("agenda_item_delete", item_id=review.pk), headers=HTMX)
    without = client.post(url("agenda_item_delete", item_id=review.pk), follow=True)

    assert with_htmx.status_code == 200
    assert with_htmx.context["agenda_error"] == message
    assert message.replace("'", "&#x27;") in with_htmx.content.decode()
    assert without.redirect_chain == [
        (url("meeting_detail", meeting_id=meeting.pk) + f"#item-{review.pk}", 302)
    ]
    assert flash(without) == [message]
    assert meetings_state() == before
    page = client.get(url("meeting_detail", meeting_id=meeting.pk)).content.decode()
    assert page.count("Kept on every agenda") == 1
    assert url("agenda_item_delete", item_id=review.pk) not in page
    assert page.count("/delete/") == 2 * 7  # action and hx-post of the seven other items


@pytest.mark.parametrize(
    "data", [{"title": ""}, {"title": "x", "minutes": "-3"}, {"title": "x", "minutes": "soon"}]
)
def test_bad_agenda_input_is_refused_and_nothing_changes(
    data: dict[str, str], world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting()
    item = meeting.agenda_items.get(kind=AgendaItem.Kind.CHECK_IN)
    client = login(personas.staff)
    before = meetings_state()

    added = client.post(url("agenda_item_add", meeting_id=meeting.pk), data, headers=HTMX)
    edited = client.post(url("agenda_item_edit", item_id=item.pk), data, headers=HTMX)

    assert (added.status_code, edited.status_code) == (200, 200)
    assert added.context["agenda_error"] != ""
    assert edited.context["agenda_error"] != ""
    assert meetings_state() == before


def test_a_closed_meetings_agenda_is_kept_and_shown_without_edit_controls(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = meeting_close(meeting=world.meeting(days=-1))
    item = meeting.agenda_items.get(kind=AgendaItem.Kind.CHECK_IN)
    client = login(personas.staff)
    before = meetings_state()

    response = client.post(
        url("agenda_item_edit", item_id=item.pk), {"title": "Late"}, headers=HTMX
    )
    page = client.get(url("meeting_detail", meeting_id=meeting.pk))

    assert (
        response.context["agenda_error"] == "This meeting is closed; its agenda is kept as it was."
    )
    assert meetings_state() == before
    content = page.content.decode()
    assert "Add an agenda item" not in content
    assert url("agenda_item_edit", item_id=item.pk) not in content
    assert "Close the meeting" not in content


# --- Attendance, notes, closing -------------------------------------------------------------


def test_attendance_is_a_checklist_of_invitees_saved_in_one_click(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting(days=0)
    client = login(personas.cochair)

    response = client.post(
        url("meeting_attendance", meeting_id=meeting.pk),
        {"present": [world.cochair.pk, world.member.pk]},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert dict(meeting.attendance.values_list("person__full_name", "present")) == {
        "Keisha Brown": True,
        "Ana Diaz": True,
        "Tran Nguyen": False,
    }
    assert response.context["present_count"] == 2
    content = response.content.decode()
    assert "2 of 3 present" in content
    assert (
        f'id="present-{world.member.pk}" name="present" value="{world.member.pk}" checked'
        in content
    )
    assert f'id="present-{world.partner.pk}" name="present" value="{world.partner.pk}">' in content

    none = client.post(url("meeting_attendance", meeting_id=meeting.pk), follow=True)
    assert none.redirect_chain == [
        (url("meeting_detail", meeting_id=meeting.pk) + "#attendance", 302)
    ]
    assert flash(none) == ["Attendance was saved."]
    assert list(meeting.attendance.filter(present=True)) == []


def test_attendance_refuses_someone_not_invited(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting()
    attendance_record(meeting=meeting, present=[world.cochair])
    before = meetings_state()

    response = login(personas.staff).post(
        url("meeting_attendance", meeting_id=meeting.pk),
        {"present": [world.other.pk]},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.context["attendance_error"] == "Tick people from the list of invitees."
    assert meetings_state() == before


def test_readers_see_who_came(world: World, personas: Personas, login: Login) -> None:
    meeting = world.meeting(days=-1)
    attendance_record(meeting=meeting, present=[world.member])

    content = (
        login(personas.steering).get(url("meeting_detail", meeting_id=meeting.pk)).content.decode()
    )

    assert "1 of 3 present" in content
    assert content.count('<span class="chip chip--present">Present</span>') == 1
    assert content.count('<span class="chip chip--absent">Absent</span>') == 2
    assert 'name="present"' not in content


def test_notes_and_wins_are_saved(world: World, personas: Personas, login: Login) -> None:
    meeting = world.meeting()
    client = login(personas.cochair)

    response = client.post(
        url("meeting_notes", meeting_id=meeting.pk),
        {"notes": " Good turnout. ", "wins": "40 library cards."},
        headers=HTMX,
    )

    meeting.refresh_from_db()
    assert response.status_code == 200
    assert (meeting.notes, meeting.wins) == ("Good turnout.", "40 library cards.")
    assert "Saved." in response.content.decode()
    page = client.get(url("meeting_detail", meeting_id=meeting.pk)).content.decode()
    assert '<p class="wins">40 library cards.</p>' in page


def test_closing_is_one_click_and_closing_twice_changes_nothing(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting(days=0)
    client = login(personas.cochair)

    first = client.post(url("meeting_close", meeting_id=meeting.pk), follow=True)
    meeting.refresh_from_db()
    closed_at = meeting.closed_at
    after_first = meetings_state()
    second = client.post(url("meeting_close", meeting_id=meeting.pk), follow=True)

    page = url("meeting_detail", meeting_id=meeting.pk)
    assert first.redirect_chain == second.redirect_chain == [(page, 302)]
    assert meeting.status == Meeting.Status.CLOSED
    assert closed_at is not None
    assert flash(first) == ["The meeting is closed. Thank you for running it."]
    assert flash(second) == []
    assert meetings_state() == after_first


def test_cancel_a_meeting_but_not_one_that_took_place(
    world: World, personas: Personas, login: Login
) -> None:
    meeting = world.meeting()
    held = meeting_close(meeting=world.meeting(days=-7))
    client = login(personas.staff)

    cancelled = client.post(url("meeting_cancel", meeting_id=meeting.pk), follow=True)
    before = meetings_state()
    refused = client.post(url("meeting_cancel", meeting_id=held.pk), follow=True)
    refused_close = client.post(url("meeting_close", meeting_id=meeting.pk), follow=True)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert flash(cancelled) == [
        "The meeting is cancelled. Download its invitation again to update calendars."
    ]
    assert flash(refused) == ["This meeting already took place."]
    assert flash(refused_close) == ["A cancelled meeting cannot be closed."]
    assert meetings_state() == before


# --- Query counts ---------------------------------------------------------------------------


def test_meeting_page_queries_do_not_grow_with_commitments_or_agenda_items(
    world: World, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    def build(table: Any, n: int) -> Meeting:
        previous = world.meeting(table, days=-7)
        people: list[Any] = [PersonFactory(organization=world.org) for _ in range(n)]
        for i, person in enumerate(people):
            commitment_create(
                meeting=previous,
                person=person,
                what=f"Task {i}",
                due_date=timezone.localdate() + timedelta(days=40),
            )
        meeting = world.meeting(table, days=7, invitees=people)
        for i in range(n - 3):
            agenda_item_add(meeting=meeting, title=f"Item {i}")
        attendance_record(meeting=meeting, present=people[:2])
        return meeting

    small, large = build(world.x, 3), build(world.y, 30)
    client = login(personas.staff)
    client.get(url("meeting_detail", meeting_id=small.pk))
    sizes = []
    for meeting in (small, large):
        # session, user, membership, switcher; the meeting; agenda items;
        # ground rules; the previous meeting (twice: review and its label); commitments to
        # review; key actions; invitees; attendance; commitments made
        with django_assert_num_queries(14):
            response = client.get(url("meeting_detail", meeting_id=meeting.pk))
        sizes.append((len(response.context["review"]), len(response.context["items"])))
    assert sizes == [(3, 8), (30, 35)]


@pytest.mark.parametrize("page", ["table_meetings", "meetings_upcoming"])
def test_meeting_lists_queries_do_not_grow(
    page: str, world: World, personas: Personas, login: Login, django_assert_num_queries: Any
) -> None:
    client = login(personas.staff)
    kwargs = {"table_id": world.x.pk} if page == "table_meetings" else {}
    client.get(url(page, **kwargs))
    # session, user, membership, switcher; the table (its own page only); the meetings with
    # their commitment counts, tables and initiatives joined
    expected = 6 if page == "table_meetings" else 5
    counts = []
    for n in (3, 30):
        Meeting.objects.all().delete()
        for i in range(n):
            world.meeting(world.x, days=i + 1)
        with django_assert_num_queries(expected):
            response = client.get(url(page, **kwargs))
        counts.append(len(response.context["upcoming" if page == "table_meetings" else "meetings"]))
    assert counts == [3, 30]
