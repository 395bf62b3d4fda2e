"""The guided start: each step saves through the services and records itself; a step can be
skipped, saved again, and picked up later; only backbone staff reach it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from backbone.models import Organization, OutboundEmail, User
from backbone.onboarding.forms import first_meeting_default
from backbone.onboarding.models import OnboardingProgress
from backbone.roles import Role
from initiatives.models import Initiative, Person, Result, Seat, Strategy, Table
from initiatives.tests.factories import PersonFactory
from metrics.models import Indicator
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import AgendaItem, Commitment, Meeting, NagSettings, Reminder, Touch
from workplans.services import DEFAULT_AGENDA

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
START = "/o/lakeshore/start/"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
# A Monday morning in Chicago.
NOW = datetime(2030, 3, 4, 9, 30, tzinfo=CHICAGO)

INITIATIVE = {"name": "Lakeshore Reads", "north_star": "Every child reads by third grade."}
RESULT = {
    "statement": "Children enter kindergarten ready to learn.",
    "indicator_name": "Third graders reading at grade level",
    "unit": "percent",
    "direction": "higher",
    "baseline_value": "41.5",
    "baseline_period": "2029",
}
STRATEGIES = {"strategy_1": "Summer reading", "strategy_2": "Tutors in K-3", "strategy_3": ""}


def people_data(*rows: tuple[str, str, str, bool]) -> dict[str, str]:
    data = {
        "people-TOTAL_FORMS": "4",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "4",
    }
    for n in range(4):
        name, email, language, co_chair = rows[n] if n < len(rows) else ("", "", "en", False)
        data |= {
            f"people-{n}-full_name": name,
            f"people-{n}-email": email,
            f"people-{n}-preferred_language": language,
        }
        if co_chair:
            data[f"people-{n}-co_chair"] = "on"
    return data


KEISHA = ("Keisha Brown", "Keisha@Northside.example.org", "en", True)
LUIS = ("Luis Ortega", "luis@northside.example.org", "es", False)


def commitments_data(*rows: tuple[Person, str, str], action: str = "save") -> dict[str, str]:
    data = {
        "action": action,
        "c-TOTAL_FORMS": "3",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "3",
    }
    for n in range(3):
        person, what, due = rows[n] if n < len(rows) else (None, "", "2030-03-18")
        data |= {
            f"c-{n}-person": str(person.pk) if person else "",
            f"c-{n}-what": what,
            f"c-{n}-due_date": due,
            f"c-{n}-strategy": "",
        }
    return data


@pytest.fixture(autouse=True)
def _monday_morning() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff(login: Login, personas: Personas) -> Client:
    return login(personas.staff)


def progress(personas: Personas) -> OnboardingProgress:
    return OnboardingProgress.objects.get(organization=personas.org)


def through_workgroup(staff: Client) -> None:
    assert staff.post(f"{START}initiative/", INITIATIVE).status_code == 302
    assert staff.post(f"{START}result/", RESULT).status_code == 302
    assert staff.post(f"{START}strategies/", STRATEGIES).status_code == 302
    data = {"name": "Early learning", **people_data(KEISHA, LUIS)}
    assert staff.post(f"{START}workgroup/", data).status_code == 302


def through_meeting(staff: Client) -> Meeting:
    through_workgroup(staff)
    when = {"date": "2030-03-04", "start_time": "08:00", "end_time": "09:00"}
    assert staff.post(f"{START}meeting/", when).status_code == 302
    return Meeting.objects.get()


# --- Opening it ---------------------------------------------------------------------------


def test_the_guided_start_opens_at_its_first_step_and_looking_changes_nothing(
    staff: Client,
) -> None:
    before = snapshot()

    response = staff.get(START)
    page = staff.get(f"{START}initiative/")

    assert response["Location"] == f"{START}initiative/"
    assert page.status_code == 200
    assert "Step 1 of 7" in page.content.decode()
    assert snapshot() == before


def test_signing_up_lands_on_the_guided_start_of_the_new_organization(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "full_name": "Ada Okonkwo",
            "email": "ada@example.org",
            "password1": "a long enough passphrase 42",
            "organization_name": "Northside Reads",
            "time_zone": "America/Chicago",
        },
    )

    organization = Organization.objects.get()
    assert response["Location"] == "/o/northside-reads/start/"
    assert list(OnboardingProgress.objects.values_list("organization", "saved", "skipped")) == [
        (organization.pk, [], [])
    ]


def test_a_new_organization_starts_with_its_guided_start(staff: Client) -> None:
    response = staff.post("/o/new/", {"name": "Riverside Reads", "time_zone": "America/Denver"})

    organization = Organization.objects.get(name="Riverside Reads")
    assert response["Location"] == f"/o/{organization.slug}/start/"
    assert OnboardingProgress.objects.filter(organization=organization).count() == 1


# --- Each step saves through the services ---------------------------------------------------


def test_the_initiative_step_makes_the_initiative_and_its_steering_committee(
    staff: Client, personas: Personas
) -> None:
    response = staff.post(f"{START}initiative/", INITIATIVE)

    initiative = Initiative.objects.get()
    assert response["Location"] == f"{START}result/"
    assert (initiative.organization, initiative.name, initiative.north_star) == (
        personas.org,
        "Lakeshore Reads",
        "Every child reads by third grade.",
    )
    assert list(Table.objects.values_list("initiative", "kind")) == [
        (initiative.pk, Table.Kind.STEERING)
    ]
    saved = progress(personas)
    assert (saved.initiative, saved.saved, saved.skipped) == (initiative, ["initiative"], [])


def test_saving_a_step_again_edits_what_it_made(staff: Client) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)

    staff.post(f"{START}initiative/", {**INITIATIVE, "name": "Lakeshore Reads 2030"})

    assert list(Initiative.objects.values_list("name", flat=True)) == ["Lakeshore Reads 2030"]
    assert Table.objects.count() == 1


def test_a_step_with_a_mistake_says_so_on_the_field_and_saves_nothing(staff: Client) -> None:
    response = staff.post(f"{START}initiative/", {"name": "", "north_star": ""})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="id_name_helptext id_name_error"' in page
    assert 'id="id_name_error"' in page
    assert "Give the initiative a name." in page
    assert "Write the North Star in one sentence." in page
    assert "autofocus" in page.split('id="id_name"')[0].rsplit("<input", 1)[1]
    assert Initiative.objects.count() == 0
    assert OnboardingProgress.objects.count() == 0


def test_the_result_step_makes_the_result_and_its_first_indicator(
    staff: Client, personas: Personas
) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)

    response = staff.post(f"{START}result/", RESULT)

    result = Result.objects.get()
    indicator = Indicator.objects.get()
    assert response["Location"] == f"{START}strategies/"
    assert result.statement == "Children enter kindergarten ready to learn."
    assert (
        indicator.result,
        indicator.name,
        indicator.unit,
        indicator.direction,
        indicator.baseline_value,
        indicator.baseline_period,
    ) == (
        result,
        "Third graders reading at grade level",
        "percent",
        "higher",
        Decimal("41.5"),
        "2029",
    )
    saved = progress(personas)
    assert (saved.result, saved.indicator, saved.saved) == (
        result,
        indicator,
        ["initiative", "result"],
    )


def test_a_refusal_of_the_indicator_service_comes_back_on_its_field(staff: Client) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)

    response = staff.post(f"{START}result/", {**RESULT, "baseline_period": ""})

    assert response.status_code == 400
    assert "Give the period of the baseline as well as its value." in response.content.decode()
    assert (Result.objects.count(), Indicator.objects.count()) == (0, 0)


def test_save_and_import_goes_to_the_initiatives_data_import(staff: Client) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)

    response = staff.post(f"{START}result/", {**RESULT, "action": "import"})

    initiative = Initiative.objects.get()
    assert response["Location"] == f"/o/lakeshore/initiatives/{initiative.pk}/data-imports/new/"
    assert Indicator.objects.count() == 1


def test_the_strategies_step_adds_each_strategy_once(staff: Client, personas: Personas) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)
    staff.post(f"{START}result/", RESULT)

    staff.post(f"{START}strategies/", STRATEGIES)
    again = staff.post(f"{START}strategies/", {**STRATEGIES, "strategy_3": "Books at clinics"})

    assert again["Location"] == f"{START}workgroup/"
    result = Result.objects.get()
    assert list(Strategy.objects.values_list("result", "title", "position")) == [
        (result.pk, "Summer reading", 0),
        (result.pk, "Tutors in K-3", 1),
        (result.pk, "Books at clinics", 2),
    ]
    assert progress(personas).saved == ["initiative", "result", "strategies"]


def test_the_strategies_step_needs_one_strategy_or_a_skip(staff: Client) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)
    staff.post(f"{START}result/", RESULT)

    response = staff.post(f"{START}strategies/", {"strategy_1": ""})

    assert response.status_code == 400
    assert "Add at least one strategy, or skip this step." in response.content.decode()
    assert Strategy.objects.count() == 0


def test_the_workgroup_step_makes_the_workgroup_and_seats_the_people_typed(
    staff: Client, personas: Personas
) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)
    staff.post(f"{START}result/", RESULT)
    staff.post(f"{START}strategies/", STRATEGIES)
    # Someone the organization knows already, by email: seated, not added twice.
    known: Any = PersonFactory(
        organization=personas.org, full_name="Luis Ortega", email="luis@northside.example.org"
    )
    strategies = list(Strategy.objects.order_by("position"))

    response = staff.post(
        f"{START}workgroup/",
        {
            "name": "Early learning",
            "strategies": [str(strategies[0].pk)],
            **people_data(KEISHA, LUIS),
        },
    )

    assert response["Location"] == f"{START}meeting/"
    table = Table.objects.get(kind=Table.Kind.WORKGROUP)
    assert (table.name, list(table.strategies.all())) == ("Early learning", [strategies[0]])
    keisha = Person.objects.get(full_name="Keisha Brown")
    assert (keisha.email, keisha.preferred_language) == ("keisha@northside.example.org", "en")
    assert Person.objects.count() == 2
    assert set(Seat.objects.values_list("table", "person", "role")) == {
        (table.pk, keisha.pk, Seat.Role.CO_CHAIR),
        (table.pk, known.pk, Seat.Role.MEMBER),
    }
    assert progress(personas).workgroup == table


def test_a_person_typed_without_an_email_is_asked_for_it(staff: Client) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)

    response = staff.post(
        f"{START}workgroup/",
        {"name": "Early learning", **people_data(("Keisha Brown", "", "en", False))},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Add their email, so the recap reaches them." in page
    assert 'aria-describedby="id_people-0-email_error"' in page
    assert (Table.objects.filter(kind="workgroup").count(), Person.objects.count()) == (0, 0)


def test_the_meeting_step_schedules_the_meeting_with_its_people_and_agenda(
    staff: Client, personas: Personas
) -> None:
    through_workgroup(staff)

    response = staff.post(
        f"{START}meeting/",
        {"date": "2030-03-11", "start_time": "16:00", "end_time": "17:30", "location": "Library"},
    )

    meeting = Meeting.objects.get()
    assert response["Location"] == f"{START}commitments/"
    assert (meeting.table.name, meeting.starts_at, meeting.ends_at, meeting.location) == (
        "Early learning",
        datetime(2030, 3, 11, 16, 0, tzinfo=CHICAGO),
        datetime(2030, 3, 11, 17, 30, tzinfo=CHICAGO),
        "Library",
    )
    assert sorted(p.full_name for p in meeting.invitees.all()) == ["Keisha Brown", "Luis Ortega"]
    assert AgendaItem.objects.filter(meeting=meeting).count() == len(DEFAULT_AGENDA)
    assert progress(personas).meeting == meeting

    staff.post(
        f"{START}meeting/", {"date": "2030-03-12", "start_time": "16:00", "end_time": "17:00"}
    )
    assert list(Meeting.objects.values_list("starts_at", flat=True)) == [
        datetime(2030, 3, 12, 16, 0, tzinfo=CHICAGO)
    ]


def test_before_the_meeting_the_commitments_step_waits_unless_we_met_already(
    staff: Client,
) -> None:
    through_workgroup(staff)
    staff.post(
        f"{START}meeting/", {"date": "2030-03-11", "start_time": "16:00", "end_time": "17:00"}
    )

    waiting = staff.get(f"{START}commitments/").content.decode()
    met = staff.get(f"{START}commitments/?met=1").content.decode()

    assert "We met already" in waiting
    assert 'name="c-0-what"' not in waiting
    assert 'name="c-0-what"' in met


def test_closing_a_meeting_planned_for_later_moves_it_to_when_it_was_held(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    through_workgroup(staff)
    staff.post(
        f"{START}meeting/", {"date": "2030-03-11", "start_time": "16:00", "end_time": "17:30"}
    )
    keisha = Person.objects.get(full_name="Keisha Brown")

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{START}commitments/", commitments_data((keisha, "Call", "2030-03-18")))

    meeting = Meeting.objects.get()
    # "We met already": it ended now (09:30 on March 4), as long as it was planned to be.
    assert (meeting.status, meeting.starts_at, meeting.ends_at) == (
        Meeting.Status.CLOSED,
        datetime(2030, 3, 4, 8, 0, tzinfo=CHICAGO),
        datetime(2030, 3, 4, 9, 30, tzinfo=CHICAGO),
    )
    subjects = sorted(OutboundEmail.objects.filter(kind="nag_recap").values_list("subject"))
    assert subjects == [  # Keisha's in English, Luis's in Spanish
        ("Commitments from the Early learning meeting on March 4",),
        ("Compromisos de la reunión de Early learning del 4 de marzo",),
    ]


def test_closing_the_meeting_records_the_commitments_and_sends_the_recap(
    staff: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = through_meeting(staff)
    keisha, luis = Person.objects.order_by("full_name")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"{START}commitments/",
            commitments_data(
                (keisha, "Ask the libraries for summer numbers", "2030-03-18"),
                (luis, "Draft the family flyer in Spanish", "2030-03-25"),
            ),
        )

    assert response["Location"] == f"{START}recap/"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED
    assert list(
        Commitment.objects.order_by("position").values_list("person", "what", "due_date", "status")
    ) == [
        (keisha.pk, "Ask the libraries for summer numbers", date(2030, 3, 18), "open"),
        (luis.pk, "Draft the family flyer in Spanish", date(2030, 3, 25), "open"),
    ]
    recaps = Reminder.objects.filter(meeting=meeting, touch=Touch.RECAP)
    assert sorted(recaps.values_list("person__full_name", "status")) == [
        ("Keisha Brown", "sent"),
        ("Luis Ortega", "sent"),
    ]
    assert sorted(OutboundEmail.objects.values_list("kind", "to", "status")) == [
        ("nag_recap", ["keisha@northside.example.org"], "sent"),
        ("nag_recap", ["luis@northside.example.org"], "sent"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "keisha@northside.example.org",
        "luis@northside.example.org",
    ]
    assert progress(personas).saved[-1] == "commitments"

    page = staff.get(f"{START}recap/").content.decode()
    first = OutboundEmail.objects.order_by("to").first()
    assert first is not None
    assert f'href="/o/lakeshore/outbox/{first.pk}/"' in page
    assert "Open the recap email" in page


def test_a_recap_sent_later_says_when_and_the_page_follows_it(
    staff: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = through_meeting(staff)
    NagSettings.objects.create(
        organization=personas.org, initiative=meeting.initiative, recap_delay_minutes=15
    )
    keisha = Person.objects.get(full_name="Keisha Brown")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{START}commitments/", commitments_data((keisha, "Call", "2030-03-18")))

    page = staff.get(f"{START}recap/").content.decode()
    partial = staff.get(f"{START}recap/", headers={"HX-Request": "true"}).content.decode()

    assert OutboundEmail.objects.count() == 0
    assert "The recap is queued and goes out at 9:45 a.m." in page
    assert f'hx-get="{START}recap/" hx-trigger="every 3s"' in page
    assert partial.startswith('<div id="recap-status"')
    assert "<html" not in partial


def test_save_and_add_more_keeps_the_meeting_open(staff: Client, personas: Personas) -> None:
    meeting = through_meeting(staff)
    keisha = Person.objects.get(full_name="Keisha Brown")

    response = staff.post(
        f"{START}commitments/",
        commitments_data((keisha, "Call the principal", "2030-03-18"), action="more"),
    )

    assert response["Location"] == f"{START}commitments/?met=1"
    meeting.refresh_from_db()
    assert (meeting.status, Commitment.objects.count()) == (Meeting.Status.SCHEDULED, 1)
    assert "commitments" not in progress(personas).saved
    assert Reminder.objects.count() == 0


def test_closing_without_a_single_commitment_is_refused(staff: Client) -> None:
    meeting = through_meeting(staff)

    response = staff.post(f"{START}commitments/", commitments_data())

    assert response.status_code == 400
    assert "Capture at least one commitment before closing the meeting." in (
        response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_a_commitment_dated_before_the_meeting_comes_back_on_the_page(staff: Client) -> None:
    through_meeting(staff)
    keisha = Person.objects.get(full_name="Keisha Brown")

    response = staff.post(
        f"{START}commitments/", commitments_data((keisha, "Too early", "2030-03-01"))
    )

    assert response.status_code == 400
    assert "The date is before the meeting." in response.content.decode()
    assert (Commitment.objects.count(), Meeting.objects.get().status) == (0, "scheduled")


def test_finishing_after_the_recap_shows_the_summary(
    staff: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    through_meeting(staff)
    keisha = Person.objects.get(full_name="Keisha Brown")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{START}commitments/", commitments_data((keisha, "Call", "2030-03-18")))

    response = staff.post(f"{START}recap/", {"action": "save"})

    assert response["Location"] == f"{START}done/"
    done = progress(personas)
    assert done.saved == [
        "initiative",
        "result",
        "strategies",
        "workgroup",
        "meeting",
        "commitments",
        "recap",
    ]
    assert done.finished_at == NOW
    summary = staff.get(f"{START}done/")
    assert summary.context["summary"].commitments == 1
    assert summary.context["summary"].recap_emails == 2
    assert "Your coalition's loop is running" in summary.content.decode()
    assert "Your guided start" not in staff.get("/o/lakeshore/").content.decode()


# --- Skipping, resuming, finishing later ----------------------------------------------------


def test_skipping_a_step_saves_nothing_and_goes_on(staff: Client, personas: Personas) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)

    response = staff.post(f"{START}result/", {"action": "skip"})

    assert response["Location"] == f"{START}strategies/"
    assert (Result.objects.count(), Indicator.objects.count()) == (0, 0)
    saved = progress(personas)
    assert (saved.saved, saved.skipped, saved.finished_at) == (["initiative"], ["result"], None)
    # The strategies go under the result: the step says which step makes it.
    page = staff.get(f"{START}strategies/").content.decode()
    assert "This step builds on an earlier one" in page
    assert f'href="{START}result/"' in page


def test_a_skipped_step_saved_later_counts_as_saved(staff: Client, personas: Personas) -> None:
    staff.post(f"{START}initiative/", {"action": "skip"})

    staff.post(f"{START}initiative/", INITIATIVE)

    saved = progress(personas)
    assert (saved.saved, saved.skipped) == (["initiative"], [])


def test_the_guided_start_picks_up_at_the_first_step_not_saved_or_skipped(
    staff: Client,
) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)
    staff.post(f"{START}result/", {"action": "skip"})

    assert staff.get(START)["Location"] == f"{START}strategies/"


def test_finish_later_keeps_everything_and_the_home_page_offers_to_continue(
    staff: Client, personas: Personas
) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)
    before = snapshot()

    response = staff.post(f"{START}later/", {"name": "typed but not saved"})

    assert response["Location"] == "/o/lakeshore/"
    assert snapshot() == before
    home = staff.get("/o/lakeshore/").content.decode()
    assert "Next: step 2 of 7, “Add a result and its first indicator”." in home
    assert f'href="{START}"' in home


def test_skipping_every_step_finishes_the_guided_start(staff: Client, personas: Personas) -> None:
    for key in ("initiative", "result", "strategies", "workgroup", "meeting", "commitments"):
        staff.post(f"{START}{key}/", {"action": "skip"})

    response = staff.post(f"{START}recap/", {"action": "skip"})

    assert response["Location"] == f"{START}done/"
    assert progress(personas).finished_at == NOW
    assert staff.get(START)["Location"] == f"{START}done/"
    assert Initiative.objects.count() == 0


# --- Who may use it -------------------------------------------------------------------------

PAGES = [
    "",
    "initiative/",
    "result/",
    "strategies/",
    "workgroup/",
    "meeting/",
    "commitments/",
    "recap/",
    "done/",
]


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_other_roles_get_403_and_change_nothing(
    role: Role, login: Login, personas: Personas
) -> None:
    client = login(personas.by_role(role))
    before = snapshot()

    gets = {page: client.get(f"{START}{page}").status_code for page in PAGES}
    posts = {
        page: client.post(f"{START}{page}", {**INITIATIVE, "action": "skip"}).status_code
        for page in [*PAGES[1:-1], "later/"]
    }

    assert gets == dict.fromkeys(PAGES, 403)
    assert set(posts.values()) == {403}
    assert snapshot() == before


def test_an_outsider_gets_404_and_changes_nothing(login: Login, personas: Personas) -> None:
    client = login(personas.outsider)
    before = snapshot()

    statuses = {client.get(f"{START}{page}").status_code for page in PAGES}
    statuses |= {client.post(f"{START}initiative/", INITIATIVE).status_code}

    assert statuses == {404}
    assert snapshot() == before


def test_the_home_page_offers_the_guided_start_to_staff_only(
    login: Login, personas: Personas
) -> None:
    OnboardingProgress.objects.create(organization=personas.org)

    staff_home = login(personas.staff).get("/o/lakeshore/").content.decode()
    steering_home = login(personas.steering).get("/o/lakeshore/").content.decode()

    assert "Start the guided start" in staff_home
    assert "guided start" not in steering_home


# --- Query counts ---------------------------------------------------------------------------

STEP_QUERIES = {
    "initiative/": 6,
    "result/": 5,
    "strategies/": 6,
    "workgroup/": 8,
    "meeting/": 5,
    "commitments/": 10,
    "recap/": 6,
    "done/": 9,
}


@pytest.mark.parametrize("people", [1, 4])
def test_each_step_reads_in_a_fixed_number_of_queries(
    staff: Client,
    personas: Personas,
    people: int,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    staff.post(f"{START}initiative/", INITIATIVE)
    staff.post(f"{START}result/", RESULT)
    staff.post(f"{START}strategies/", STRATEGIES)
    rows = [(f"Person {n}", f"p{n}@example.org", "en", n == 0) for n in range(people)]
    staff.post(f"{START}workgroup/", {"name": "Early learning", **people_data(*rows)})
    staff.post(
        f"{START}meeting/", {"date": "2030-03-04", "start_time": "08:00", "end_time": "09:00"}
    )
    who = list(Person.objects.all())
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"{START}commitments/",
            commitments_data(*[(p, f"Task of {p.full_name}", "2030-03-18") for p in who[:3]]),
        )
    staff.get("/o/lakeshore/")  # the session remembers the organization

    for page, expected in STEP_QUERIES.items():
        with django_assert_num_queries(expected):
            assert staff.get(f"{START}{page}").status_code == 200, page


@pytest.mark.parametrize(
    ("now", "suggested"),
    [
        (datetime(2030, 3, 4, 9, 30, tzinfo=CHICAGO), datetime(2030, 3, 4, 10, 0, tzinfo=CHICAGO)),
        (datetime(2030, 3, 4, 18, 5, tzinfo=CHICAGO), datetime(2030, 3, 5, 10, 0, tzinfo=CHICAGO)),
        (datetime(2030, 3, 4, 0, 10, tzinfo=CHICAGO), datetime(2030, 3, 4, 10, 0, tzinfo=CHICAGO)),
        (datetime(2030, 3, 8, 20, 0, tzinfo=CHICAGO), datetime(2030, 3, 11, 10, 0, tzinfo=CHICAGO)),
        (datetime(2030, 3, 9, 11, 0, tzinfo=CHICAGO), datetime(2030, 3, 11, 10, 0, tzinfo=CHICAGO)),
    ],
)
def test_the_meeting_form_suggests_a_working_hour(now: datetime, suggested: datetime) -> None:
    assert first_meeting_default(now) == suggested
