"""The agenda filter page: criteria, screening a proposal, staff override and the decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from backbone.roles import PERMISSIONS, Role
from initiatives import services
from initiatives.models import FilterCriterion, Initiative, Screening, ScreeningAnswer

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Filter:
    initiative: Initiative
    move: FilterCriterion
    lead: FilterCriterion

    @property
    def url(self) -> str:
        return f"/o/lakeshore/initiatives/{self.initiative.pk}/filter/"

    def screen(self, title: str, *answers: bool, staff: Any = None) -> Screening:
        return services.screening_record(
            initiative=self.initiative,
            title=title,
            answers=[
                services.Answer(c, a) for c, a in zip((self.move, self.lead), answers, strict=True)
            ],
            recorded_by=staff,
        )


@pytest.fixture
def agenda_filter(personas: Any) -> Filter:
    initiative = services.initiative_create(
        organization=personas.org, name="Read Lakeshore", north_star="Every child reads."
    )
    move = services.criterion_create(initiative=initiative, question="Does it move a result?")
    lead = services.criterion_create(initiative=initiative, question="Is a partner ready to lead?")
    return Filter(initiative, move, lead)


def _answers(f: Filter, move: str, lead: str, **extra: str) -> dict[str, str]:
    return {
        "title": "Book vending machines",
        "description": "In laundromats",
        "proposed_by": "Lakeshore Library",
        f"answer_{f.move.pk}": move,
        f"note_{f.move.pk}": "Reading time goes up",
        f"answer_{f.lead.pk}": lead,
        f"note_{f.lead.pk}": "",
        **extra,
    }


def _questions(f: Filter) -> list[str]:
    current = f.initiative.filter_criteria.filter(retired_at__isnull=True)
    return list(current.order_by("position", "id").values_list("question", flat=True))


# --- The filter page and its criteria -------------------------------------------------------


def test_filter_page_lists_criteria_and_screenings_newest_first_with_outcomes(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    agenda_filter.screen("Gala", False, True)
    passed = agenda_filter.screen("Book machines", True, True)
    overridden = agenda_filter.screen("Summer camp", True, False)
    services.screening_override(screening=overridden, reason="The city leads it.")
    services.screening_decide(screening=passed, decision="adopted")

    response = login(personas.partner).get(agenda_filter.url)

    assert response.status_code == 200
    assert [s.title for s in response.context["screenings"]] == [
        "Summer camp",
        "Book machines",
        "Gala",
    ]
    content = response.content.decode()
    assert content.index("Summer camp") < content.index("Passed by staff override")
    assert content.index("Book machines") < content.index("Passes") < content.index("Gala")
    assert content.index("Gala") < content.index("Does not pass")
    assert "Added to the agenda" in content
    assert content.index("Does it move a result?") < content.index("Is a partner ready to lead?")
    assert "Screen a proposal" not in content  # partners read only
    assert "Add a criterion" not in content


def test_staff_adds_edits_moves_and_retires_criteria(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    client = login(personas.staff)
    base = agenda_filter.url + "criteria/"

    added = client.post(base + "add/", {"question": "Is it funded?"}, **HTMX)
    edited = client.post(
        f"{base}{agenda_filter.move.pk}/edit/", {"question": "Does it move a result soon?"}, **HTMX
    )
    moved = client.post(f"{base}{agenda_filter.lead.pk}/move/", {"direction": "up"}, **HTMX)
    retired = client.post(f"{base}{agenda_filter.move.pk}/retire/", **HTMX)

    assert [r.status_code for r in (added, edited, moved, retired)] == [200, 200, 200, 200]
    assert added.content.decode().startswith('<div id="criteria"')
    assert f'id="criterion-{agenda_filter.move.pk}"' in edited.content.decode()
    assert _questions(agenda_filter) == ["Is a partner ready to lead?", "Is it funded?"]
    page = client.get(agenda_filter.url)
    assert [c.question for c in page.context["retired"]] == ["Does it move a result soon?"]
    # A retired criterion can no longer be edited or moved.
    again = client.post(f"{base}{agenda_filter.move.pk}/edit/", {"question": "Back?"})
    assert again.status_code == 404


def test_a_blank_criterion_is_refused(login: Any, personas: Any, agenda_filter: Filter) -> None:
    client = login(personas.staff)
    base = agenda_filter.url + "criteria/"

    responses = [
        client.post(base + "add/", {"question": " "}, **HTMX),
        client.post(base + "add/", {"question": ""}),
        client.post(f"{base}{agenda_filter.move.pk}/edit/", {"question": ""}, **HTMX),
        client.post(f"{base}{agenda_filter.move.pk}/move/", {"direction": ""}, **HTMX),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert "This field is required." in responses[0].content.decode()
    assert "Choose up or down." in responses[3].content.decode()
    assert _questions(agenda_filter) == ["Does it move a result?", "Is a partner ready to lead?"]


# --- Screening a proposal -------------------------------------------------------------------


def test_the_screening_form_asks_every_current_criterion_yes_or_no(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    services.criterion_retire(criterion=agenda_filter.lead)

    response = login(personas.cochair).get(agenda_filter.url + "screen/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Does it move a result?" in content
    assert "Is a partner ready to lead?" not in content
    assert content.count(f'name="answer_{agenda_filter.move.pk}"') == 2  # yes and no


def test_a_cochair_screens_a_proposal_that_passes(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    response = login(personas.cochair).post(
        agenda_filter.url + "screen/", _answers(agenda_filter, "yes", "yes")
    )

    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{agenda_filter.url}screenings/{screening.pk}/"
    assert (screening.title, screening.proposed_by, screening.recorded_by) == (
        "Book vending machines",
        "Lakeshore Library",
        personas.cochair,
    )
    assert (screening.outcome, screening.decision) == ("passes", "pending")
    assert [(a.question, a.answer, a.note) for a in screening.answers.all()] == [
        ("Does it move a result?", True, "Reading time goes up"),
        ("Is a partner ready to lead?", True, ""),
    ]


def test_one_no_means_the_proposal_does_not_pass(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    client = login(personas.staff)

    response = client.post(
        agenda_filter.url + "screen/", _answers(agenda_filter, "yes", "no"), follow=True
    )

    assert Screening.objects.get().outcome == "does_not_pass"
    content = response.content.decode()
    assert "The proposal does not pass the agenda filter." in content
    assert "Does not pass" in content
    assert "Let it through by staff override" in content


def test_an_unanswered_criterion_writes_nothing(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    data = _answers(agenda_filter, "yes", "maybe")
    del data[f"answer_{agenda_filter.move.pk}"]

    response = login(personas.staff).post(agenda_filter.url + "screen/", data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[f"answer_{agenda_filter.move.pk}"] == ["Answer yes or no."]
    assert errors[f"answer_{agenda_filter.lead.pk}"] == [
        "Select a valid choice. maybe is not one of the available choices."
    ]
    assert (Screening.objects.count(), ScreeningAnswer.objects.count()) == (0, 0)


def test_a_criterion_added_while_screening_must_be_answered_too(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    funded = services.criterion_create(initiative=agenda_filter.initiative, question="Funded?")

    response = login(personas.staff).post(
        agenda_filter.url + "screen/", _answers(agenda_filter, "yes", "yes")
    )

    assert response.status_code == 400
    assert response.context["form"].errors[f"answer_{funded.pk}"] == ["Answer yes or no."]
    assert Screening.objects.count() == 0


def test_screening_without_criteria_shows_the_service_message(login: Any, personas: Any) -> None:
    initiative = services.initiative_create(organization=personas.org, name="N", north_star="S")

    response = login(personas.staff).post(
        f"/o/lakeshore/initiatives/{initiative.pk}/filter/screen/", {"title": "Anything"}
    )

    assert response.status_code == 400
    assert "Add the initiative&#x27;s filter criteria before screening." in (
        response.content.decode()
    )
    assert Screening.objects.count() == 0


def test_old_screenings_show_the_questions_as_they_were_answered(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    screening = agenda_filter.screen("Book machines", True, False)
    services.criterion_update(criterion=agenda_filter.move, question="Does it move a result now?")
    services.criterion_retire(criterion=agenda_filter.lead)

    response = login(personas.steering).get(f"{agenda_filter.url}screenings/{screening.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Does it move a result?" in content
    assert "Does it move a result now?" not in content
    assert "Is a partner ready to lead?" in content
    assert "Does not pass" in content
    assert "Let it through by staff override" not in content  # steering reads only
    assert "Record the decision" not in content


# --- Override and decision ------------------------------------------------------------------


def test_staff_override_needs_a_reason_then_lets_it_be_adopted(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    screening = agenda_filter.screen("Summer camp", True, False)
    client = login(personas.staff)
    base = f"{agenda_filter.url}screenings/{screening.pk}/"

    refused = client.post(base + "decide/", {"decision": "adopted", "note": ""})
    blank = client.post(base + "override/", {"reason": "  "})
    screening.refresh_from_db()
    assert (screening.outcome, screening.decision) == ("does_not_pass", "pending")
    assert (refused.status_code, blank.status_code) == (400, 400)
    assert "This proposal did not pass the filter." in refused.content.decode()
    assert blank.context["override_form"].errors == {"reason": ["This field is required."]}

    overridden = client.post(base + "override/", {"reason": "The city leads and funds it."})
    adopted = client.post(base + "decide/", {"decision": "adopted", "note": "Starts in June"})

    assert (overridden.status_code, adopted.status_code) == (302, 302)
    screening.refresh_from_db()
    assert (screening.outcome, screening.override_reason) == (
        "overridden",
        "The city leads and funds it.",
    )
    assert (screening.decision, screening.decision_note) == ("adopted", "Starts in June")
    content = client.get(base).content.decode()
    assert "Passed by staff override" in content
    assert "The city leads and funds it." in content


def test_a_passing_proposal_needs_no_override(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    screening = agenda_filter.screen("Book machines", True, True)

    response = login(personas.staff).post(
        f"{agenda_filter.url}screenings/{screening.pk}/override/", {"reason": "Why not"}
    )

    assert response.status_code == 400
    assert "no override is needed" in response.content.decode()
    screening.refresh_from_db()
    assert screening.override_reason == ""


def test_decline_a_proposal_with_a_note(login: Any, personas: Any, agenda_filter: Filter) -> None:
    screening = agenda_filter.screen("Gala", False, True)
    client = login(personas.staff)

    bad = client.post(
        f"{agenda_filter.url}screenings/{screening.pk}/decide/", {"decision": "pending"}
    )
    ok = client.post(
        f"{agenda_filter.url}screenings/{screening.pk}/decide/",
        {"decision": "declined", "note": "Not our work"},
    )

    assert (bad.status_code, ok.status_code) == (400, 302)
    screening.refresh_from_db()
    assert (screening.decision, screening.decision_note) == ("declined", "Not our work")


# --- Permissions, from the roles table ------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_screening_permissions_follow_the_roles_table(
    login: Any, personas: Any, agenda_filter: Filter, role: Role
) -> None:
    failing = agenda_filter.screen("Gala", False, True)
    client = login(personas.by_role(role))
    base = f"{agenda_filter.url}screenings/{failing.pk}/"

    def expect(permission: str, ok: int) -> int:
        return ok if role in PERMISSIONS[permission] else 403

    checks = [
        (client.get(agenda_filter.url), expect("view_common_agenda", 200)),
        (client.get(base), expect("view_common_agenda", 200)),
        (client.get(agenda_filter.url + "screen/"), expect("screen_proposals", 200)),
        (
            client.post(agenda_filter.url + "screen/", _answers(agenda_filter, "yes", "yes")),
            expect("screen_proposals", 302),
        ),
        (
            client.post(base + "override/", {"reason": "Because."}),
            expect("override_screening", 302),
        ),
        (
            client.post(base + "decide/", {"decision": "declined"}),
            expect("edit_common_agenda", 302),
        ),
        (
            client.post(agenda_filter.url + "criteria/add/", {"question": "New?"}),
            expect("edit_common_agenda", 302),
        ),
        (
            client.post(f"{agenda_filter.url}criteria/{agenda_filter.lead.pk}/retire/"),
            expect("edit_common_agenda", 302),
        ),
    ]

    assert [r.status_code for r, _ in checks] == [status for _, status in checks]
    failing.refresh_from_db()
    screened = role in PERMISSIONS["screen_proposals"]
    assert Screening.objects.count() == (2 if screened else 1)
    if role not in PERMISSIONS["override_screening"]:
        assert failing.override_reason == ""
    if role not in PERMISSIONS["edit_common_agenda"]:
        assert failing.decision == "pending"
        assert _questions(agenda_filter) == [
            "Does it move a result?",
            "Is a partner ready to lead?",
        ]


def test_outsider_gets_404_on_the_filter_pages(
    login: Any, personas: Any, agenda_filter: Filter
) -> None:
    screening = agenda_filter.screen("Gala", False, True)
    client = login(personas.outsider)

    responses = [
        client.get(agenda_filter.url),
        client.get(agenda_filter.url + "screen/"),
        client.post(agenda_filter.url + "screen/", _answers(agenda_filter, "yes", "yes")),
        client.get(f"{agenda_filter.url}screenings/{screening.pk}/"),
        client.post(f"{agenda_filter.url}screenings/{screening.pk}/override/", {"reason": "X"}),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert Screening.objects.count() == 1
    screening.refresh_from_db()
    assert screening.override_reason == ""


# --- Query counts ---------------------------------------------------------------------------

# session, user, membership (middleware), the switcher's memberships, + the page's own:
# initiative, current criteria, retired criteria, screenings (with their recorders), answers.
FILTER_QUERIES = 9


@pytest.mark.parametrize("rows", [3, 30])
def test_filter_page_query_count_does_not_grow(
    login: Any,
    personas: Any,
    agenda_filter: Filter,
    django_assert_num_queries: Any,
    rows: int,
) -> None:
    for n in range(rows):
        agenda_filter.screen(f"Proposal {n}", n % 2 == 0, True, staff=personas.staff)
        retired = services.criterion_create(initiative=agenda_filter.initiative, question=f"Q{n}?")
        services.criterion_retire(criterion=retired)
    client = login(personas.staff)
    assert client.get(agenda_filter.url).status_code == 200

    with django_assert_num_queries(FILTER_QUERIES):
        response = client.get(agenda_filter.url)

    assert response.status_code == 200
    assert len(response.context["screenings"]) == rows
    assert len(response.context["retired"]) == rows


def test_screening_without_criteria_points_to_the_filter_and_records_nothing(
    login: Any, personas: Any
) -> None:
    """The 'Screen a proposal' button is always offered (criteria may have been added inline
    since the page loaded); with no criteria the form says where to add them."""
    initiative = services.initiative_create(
        organization=personas.org, name="New coalition", north_star="Every child thrives."
    )
    filter_url = f"/o/lakeshore/initiatives/{initiative.pk}/filter/"
    client = login(personas.staff)

    page = client.get(filter_url).content.decode()
    form = client.get(filter_url + "screen/").content.decode()
    refused = client.post(filter_url + "screen/", {"title": "Book fair"})

    assert f'href="{filter_url}screen/"' in page
    assert "This initiative has no filter criteria yet." in form
    assert f'<a href="{filter_url}">Add them on the agenda filter page</a>' in form
    assert refused.status_code == 400
    assert "Add the initiative&#x27;s filter criteria before screening." in refused.content.decode()
    assert Screening.objects.count() == 0
