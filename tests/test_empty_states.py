"""Every list page of a new organization says what belongs there, and offers the one next action
to those who may take it (a button or link) and plain words to everyone else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backbone.models import User
from backbone.roles import Role
from initiatives.models import Initiative, Table
from initiatives.services import initiative_create, result_create, strategy_create
from initiatives.services import workgroup_create as make_workgroup
from initiatives.tests.factories import PersonFactory
from tests.fixtures import Personas
from workplans.services import workplan_create

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def _is_empty_state(classes: list[str]) -> bool:
    return any(c == "empty" or c.endswith(("-empty", "__empty")) for c in classes)


@dataclass
class Page:
    """What a reader meets in <main>: each empty state's words, and every link and button."""

    empty: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self.stack: list[str] = []
        self.in_main = False
        self.empty_depth: int | None = None
        self.empty_text: list[str] = []
        self.link: tuple[str, list[str]] | None = None
        self.button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag in VOID:
            return
        self.stack.append(tag)
        if not self.in_main:
            return
        if self.empty_depth is None and _is_empty_state((a.get("class") or "").split()):
            self.empty_depth = len(self.stack)
            self.empty_text = []
        if tag == "a":
            self.link = (a.get("href") or "", [])
        if tag == "button":
            self.button = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        depth = len(self.stack)
        self.stack.pop()
        if tag == "main":
            self.in_main = False
        if tag == "a" and self.link is not None:
            self.page.links.append((" ".join("".join(self.link[1]).split()), self.link[0]))
            self.link = None
        if tag == "button" and self.button is not None:
            self.page.buttons.append(" ".join("".join(self.button).split()))
            self.button = None
        if self.empty_depth == depth:
            self.page.empty.append(" ".join(" ".join(self.empty_text).split()))
            self.empty_depth = None

    def handle_data(self, data: str) -> None:
        if self.empty_depth is not None:
            self.empty_text.append(data)
        if self.link is not None:
            self.link[1].append(data)
        if self.button is not None:
            self.button.append(data)


def read(client: Client, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = _Reader()
    reader.feed(response.content.decode())
    return reader.page


def login(user: User) -> Client:
    """A client of its own per person (the shared `login` fixture reuses one client)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore", **kwargs})


NO_INITIATIVES = (
    "No initiatives yet An initiative is a coalition of organizations and community members who "
    "agree to move one population-level result together — their North Star, such as “every "
    "third grader in the county reads at grade level”. Its common agenda names the results and "
    "the strategies that will get there, and the workgroups that carry them."
)


def test_no_initiatives_offers_staff_to_start_one_and_tells_others_who_will(
    personas: Personas,
) -> None:
    staff = read(login(personas.staff), url("initiative_list"))
    assert staff.empty == [NO_INITIATIVES + " Start an initiative"]
    assert staff.links.count(("Start an initiative", url("initiative_create"))) == 1

    partner = read(login(personas.partner), url("initiative_list"))
    assert partner.empty == [
        NO_INITIATIVES + " Backbone staff set initiatives up; they will appear here."
    ]
    assert [t for t, _ in partner.links if t == "Start an initiative"] == []


@pytest.fixture
def initiative(personas: Personas) -> Initiative:
    """A new initiative: its steering committee and nothing else."""
    return initiative_create(
        organization=personas.org, name="Lakeshore Reads", north_star="Every child reads."
    )


# (page, kwargs from the initiative) → for staff: (empty states, the action link);
# for the steering committee (who reads but does not set things up): the empty states.
NO_WORKGROUPS = (
    "No workgroups yet A workgroup brings partners from several sectors together on one or more "
    "strategies, led by co-chairs, with its own workplan, meetings and commitments."
)
NO_RESULTS = "This initiative has no population results yet. Add them on the common agenda first."
NO_MEASURES = (
    "No performance measures yet. Each workgroup can track how much it does, how well, and "
    "whether anyone is better off."
)
NO_MEETINGS = "No meeting is scheduled. Schedule one from a workgroup's page."
NO_COMMITMENTS = "No commitments yet. They are made at meetings, in meeting mode."
CASES: list[tuple[str, Callable[[Initiative], dict[str, Any]], list[str], Any, list[str]]] = [
    (
        "tables",
        lambda i: {"initiative_id": i.pk},
        [NO_WORKGROUPS + " New workgroup"],
        lambda i: ("New workgroup", url("workgroup_create", initiative_id=i.pk)),
        [NO_WORKGROUPS + " Backbone staff create the workgroups; they will appear here."],
    ),
    (
        "results_overview",
        lambda i: {"initiative_id": i.pk},
        [NO_RESULTS + " Add a result"],
        lambda i: ("Add a result", url("initiative_detail", initiative_id=i.pk) + "#results"),
        [NO_RESULTS],
    ),
    (
        "measures_overview",
        lambda i: {"initiative_id": i.pk},
        [NO_MEASURES + " Add a performance measure"],
        lambda i: ("Add a performance measure", url("measure_create", initiative_id=i.pk)),
        [NO_MEASURES],
    ),
    (
        "meetings_upcoming",
        lambda i: {},
        [NO_MEETINGS + " Choose a workgroup"],
        lambda i: ("Choose a workgroup", url("tables", initiative_id=i.pk)),
        [NO_MEETINGS],
    ),
    (
        "commitments",
        lambda i: {},
        [NO_COMMITMENTS + " See upcoming meetings"],
        lambda i: ("See upcoming meetings", url("meetings_upcoming")),
        [NO_COMMITMENTS],
    ),
    (
        "people",
        lambda i: {},
        ["No people yet. Add the first person"],
        lambda i: ("Add the first person", url("person_create")),
        ["No people yet."],
    ),
    (
        "partners",
        lambda i: {},
        ["No partner organizations yet. Add the first one"],
        lambda i: ("Add the first one", url("partner_create")),
        ["No partner organizations yet."],
    ),
    (
        "board_packets",
        lambda i: {"initiative_id": i.pk},
        [
            "No packets yet. Make one above; before each steering committee meeting one is also "
            "made and emailed to its members."
        ],
        None,
        [
            "No packets yet. Make one above; before each steering committee meeting one is also "
            "made and emailed to its members."
        ],
    ),
    (
        "help_requests",
        lambda i: {},
        [
            "No open help requests. When a partner answers a reminder with “need help” or "
            "“blocked”, it appears here."
        ],
        None,
        [
            "No open help requests. When a partner answers a reminder with “need help” or "
            "“blocked”, it appears here."
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "for_staff", "action", "for_steering"), CASES, ids=[c[0] for c in CASES]
)
def test_an_empty_list_says_what_belongs_there_and_offers_the_next_step(
    name: str,
    kwargs: Callable[[Initiative], dict[str, Any]],
    for_staff: list[str],
    action: Callable[[Initiative], tuple[str, str]] | None,
    for_steering: list[str],
    initiative: Initiative,
    personas: Personas,
) -> None:
    address = url(name, **kwargs(initiative))

    staff = read(login(personas.staff), address)
    assert staff.empty == for_staff
    steering = read(login(personas.steering), address)
    assert steering.empty == for_steering
    if action is not None:
        text, href = action(initiative)
        assert staff.links.count((text, href)) == 1
        assert [t for t, _ in steering.links if t == text] == []


def test_board_packets_offer_the_button_that_makes_one(
    initiative: Initiative, personas: Personas
) -> None:
    page = read(login(personas.steering), url("board_packets", initiative_id=initiative.pk))
    assert page.buttons.count("Make a board packet") == 1


def test_a_new_initiatives_common_agenda_opens_on_adding_its_first_result(
    initiative: Initiative, personas: Personas
) -> None:
    address = url("initiative_detail", initiative_id=initiative.pk)
    staff = login(personas.staff).get(address).content.decode()
    assert (
        '<details class="inline-add no-print" open>\n    <summary>Add a result</summary>' in staff
    )
    steering = read(login(personas.steering), address)
    assert steering.empty == [
        "No results yet. A result is a condition of well-being for the whole population, such as "
        "“Children enter kindergarten ready to learn”. Most common agendas have two to five."
    ]
    assert "Add result" not in steering.buttons


def test_staff_only_lists_say_what_will_appear_there(
    initiative: Initiative, personas: Personas
) -> None:
    client = login(personas.staff)
    assert read(client, url("replies")).empty == [
        "No reply waits for a look. Replies that were held or not clearly understood will "
        "appear here."
    ]
    assert read(client, url("outbox")).empty == [
        "No emails yet. Invitations and reminders you send will be listed here."
    ]
    webhooks = read(client, url("webhooks"))
    assert webhooks.empty == [
        "No webhooks yet Add the address of a system that should hear about commitments, help "
        "requests, meetings, key actions or new data as they happen: a data warehouse, a "
        "partner's database, an automation tool. Add a webhook"
    ]
    assert webhooks.links.count(("Add a webhook", url("webhook_create"))) == 1


def test_my_commitments_of_a_person_with_none(initiative: Initiative, personas: Personas) -> None:
    PersonFactory(organization=personas.org, full_name="Ana Diaz", user=personas.partner)
    assert read(login(personas.partner), url("my_commitments")).empty == [
        "Nothing open: every commitment you made is done or settled. Thank you."
    ]


@pytest.fixture
def workgroup(initiative: Initiative) -> Table:
    """A new workgroup carrying one strategy: no workplan, no meetings yet."""
    result = result_create(initiative=initiative, statement="Children read at grade level.")
    strategy = strategy_create(result=result, title="Summer reading")
    return make_workgroup(
        initiative=initiative, name="Early Learning", purpose="", strategies=[strategy]
    )


def test_a_new_workgroup_offers_to_start_its_workplan_and_schedule_its_meeting(
    workgroup: Table, personas: Personas
) -> None:
    staff = login(personas.staff)
    year = staff.get(url("table_workplans", table_id=workgroup.pk)).context["start_year"]
    workplans = read(staff, url("table_workplans", table_id=workgroup.pk))
    assert workplans.empty == [f"This workgroup has no workplan yet. Start the {year} workplan"]
    assert workplans.buttons.count(f"Start the {year} workplan") == 1
    steering = read(login(personas.steering), url("table_workplans", table_id=workgroup.pk))
    assert steering.empty == ["This workgroup has no workplan yet."]

    meetings = read(staff, url("table_meetings", table_id=workgroup.pk))
    assert meetings.empty == [
        "No meeting is scheduled. Schedule the next one so the group can review its commitments.",
        "No meetings yet.",
    ]
    assert (
        meetings.links.count(("Schedule a meeting", url("meeting_schedule", table_id=workgroup.pk)))
        == 1
    )

    workplan = workplan_create(table=workgroup, year=year)
    plan = read(staff, url("workplan_detail", workplan_id=workplan.pk))
    assert plan.empty == ["No key actions for this strategy yet."]
    add = url("key_action_add", workplan_id=workplan.pk)
    strategy = workgroup.strategies.get()
    assert (
        plan.links.count(
            (f"+ Add a key action for {strategy.title}", add + f"?strategy={strategy.pk}")
        )
        == 1
    )


def test_every_role_without_tokens_reads_what_they_are_for(personas: Personas) -> None:
    for role in Role:
        body = login(personas.by_role(role)).get(url("tokens")).content.decode()
        assert "You have no API tokens for this organization." in body
        assert "Create token" in body
