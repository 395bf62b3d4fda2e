"""The common agenda in the API: initiatives, results, strategies, ground rules, the agenda
filter and screenings. Exact answers as staff; refusals change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client

from backbone.models import User
from initiatives.models import FilterCriterion, Initiative, Result, Screening, Strategy
from initiatives.services import initiative_create, initiative_set_status, result_create
from initiatives.tests.factories import InitiativeFactory
from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOW,
    STAMP,
    Agenda,
    agenda_fixture,
    frozen_fixture,
    page,
    send,
)
from tests.snapshot import snapshot

Login = Callable[[User], Client]
# A day after the fixtures were made: a change then moves updated_at, never created_at.
LATER = NOW + timedelta(days=1)
LATER_STAMP = "2026-03-03T15:00:00Z"


def invalid(fields: dict[str, list[str]], message: str = "The request has invalid fields.") -> Any:
    return {"error": {"code": "invalid", "message": message, "fields": fields}}


def initiative_json(initiative: Initiative, **changes: Any) -> dict[str, Any]:
    return {
        "id": initiative.pk,
        "name": "Lakeshore Reads",
        "north_star": "Every child in Lakeshore County reads at grade level by third grade.",
        "focus_population": "Children from birth to age 8",
        "geography": "Lakeshore County",
        "time_zone": "",
        "status": "active",
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


# --- Initiatives ----------------------------------------------------------------------------


def test_initiatives_list_the_active_ones_unless_asked_for_archived(
    agenda: Agenda, login: Login
) -> None:
    archived = initiative_create(
        organization=agenda.personas.org, name="Old coalition", north_star="Done."
    )
    initiative_set_status(initiative=archived, status="archived")
    InitiativeFactory(organization=agenda.personas.other_org, name="Riverside's own")
    client = login(agenda.personas.staff)

    active = send(client, "GET", "initiatives/")
    archived_list = send(client, "GET", "initiatives/", {"status": "archived"})
    wrong = send(client, "GET", "initiatives/", {"status": "deleted"})

    assert active.json() == page([initiative_json(agenda.initiative)])
    assert [i["name"] for i in archived_list.json()["results"]] == ["Old coalition"]
    assert wrong.status_code == 400
    assert wrong.json() == invalid({"status": ["Use one of: active, archived."]})


def test_initiative_retrieve(agenda: Agenda, login: Login) -> None:
    response = send(login(agenda.personas.steering), "GET", f"initiatives/{agenda.initiative.pk}/")

    assert response.status_code == 200
    assert response.json() == initiative_json(agenda.initiative)


def test_initiative_create_gives_it_a_steering_committee(agenda: Agenda, login: Login) -> None:
    response = send(
        login(agenda.personas.staff),
        "POST",
        "initiatives/",
        {
            "name": "  Healthy Starts ",
            "north_star": "Halve infant mortality in the county.",
            "time_zone": "America/New_York",
        },
    )

    assert response.status_code == 201
    created = Initiative.objects.get(name="Healthy Starts")
    assert response.json() == {
        "id": created.pk,
        "name": "Healthy Starts",
        "north_star": "Halve infant mortality in the county.",
        "focus_population": "",
        "geography": "",
        "time_zone": "America/New_York",
        "status": "active",
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    assert created.organization == agenda.personas.org
    assert list(created.tables.values_list("kind", "name")) == [("steering", "Steering committee")]


def test_initiative_create_with_bad_input_writes_nothing(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "initiatives/",
        {"name": "", "time_zone": "Mars/Olympus"},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {
            "name": ["This field may not be blank."],
            "north_star": ["This field is required."],
            "time_zone": ['"Mars/Olympus" is not a valid choice.'],
        }
    )
    assert snapshot() == before


def test_initiative_archived_and_restored_with_patch_never_deleted(
    agenda: Agenda, login: Login
) -> None:
    client = login(agenda.personas.staff)
    path = f"initiatives/{agenda.initiative.pk}/"

    archived = send(client, "PATCH", path, {"status": "archived", "geography": "Lakeshore"})
    deleted = send(client, "DELETE", path)

    assert archived.status_code == 200
    assert archived.json() == initiative_json(
        agenda.initiative, status="archived", geography="Lakeshore"
    )
    assert deleted.status_code == 405
    assert Initiative.objects.get().status == "archived"
    assert send(client, "GET", "initiatives/").json() == page([])
    restored = send(client, "PATCH", path, {"status": "active"})
    assert restored.json()["status"] == "active"


# --- Results --------------------------------------------------------------------------------


def test_results_list_filtered_by_initiative(agenda: Agenda, login: Login) -> None:
    other = initiative_create(organization=agenda.personas.org, name="Other", north_star="X.")
    other_result = result_create(initiative=other, statement="Elsewhere")
    client = login(agenda.personas.partner)

    everything = send(client, "GET", "results/")
    filtered = send(client, "GET", "results/", {"initiative": agenda.initiative.pk})
    wrong = send(client, "GET", "results/", {"initiative": "first"})

    assert [r["id"] for r in everything.json()["results"]] == [agenda.result.pk, other_result.pk]
    assert filtered.json() == page(
        [
            {
                "id": agenda.result.pk,
                "initiative": agenda.initiative.pk,
                "statement": "Children enter kindergarten ready.",
                "position": 0,
                "created_at": STAMP,
                "updated_at": STAMP,
            }
        ]
    )
    assert wrong.status_code == 400
    assert wrong.json() == invalid({"initiative": ["Give the id as a whole number."]})


def test_result_create_update_and_delete(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)

    created = send(
        client,
        "POST",
        "results/",
        {"initiative": agenda.initiative.pk, "statement": "Third graders read at grade level."},
    )
    pk = created.json()["id"]
    with time_machine.travel(LATER, tick=False):
        updated = send(
            client, "PATCH", f"results/{pk}/", {"statement": "Every third grader reads."}
        )
    retrieved = send(client, "GET", f"results/{pk}/")
    deleted = send(client, "DELETE", f"results/{pk}/")

    assert created.status_code == 201
    assert created.json() == {
        "id": pk,
        "initiative": agenda.initiative.pk,
        "statement": "Third graders read at grade level.",
        "position": 1,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    assert updated.status_code == 200
    assert retrieved.json() == {
        "id": pk,
        "initiative": agenda.initiative.pk,
        "statement": "Every third grader reads.",
        "position": 1,
        "created_at": STAMP,
        "updated_at": LATER_STAMP,
    }
    assert deleted.status_code == 204
    assert list(Result.objects.values_list("pk", flat=True)) == [agenda.result.pk]


def test_result_stays_under_its_initiative(agenda: Agenda, login: Login) -> None:
    other = initiative_create(organization=agenda.personas.org, name="Other", north_star="X.")

    response = send(
        login(agenda.personas.staff),
        "PATCH",
        f"results/{agenda.result.pk}/",
        {"initiative": other.pk},
    )

    assert response.status_code == 200
    assert response.json()["initiative"] == agenda.initiative.pk
    assert Result.objects.get(pk=agenda.result.pk).initiative == agenda.initiative


def test_result_create_under_another_organizations_initiative_is_refused(
    agenda: Agenda, login: Login
) -> None:
    foreign: Any = InitiativeFactory(organization=agenda.personas.other_org)
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "results/",
        {"initiative": foreign.pk, "statement": "Ours now"},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"initiative": [f'Invalid pk "{foreign.pk}" - object does not exist.']}
    )
    assert snapshot() == before


def test_result_with_strategies_cannot_be_deleted(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(client, "DELETE", f"results/{agenda.result.pk}/")

    assert response.status_code == 400
    assert response.json() == invalid({}, "Move or delete its strategies first: Summer reading.")
    assert snapshot() == before


# --- Strategies -----------------------------------------------------------------------------


def test_strategies_list_with_their_workgroups(agenda: Agenda, login: Login) -> None:
    second = result_create(initiative=agenda.initiative, statement="Attendance improves.")
    client = login(agenda.personas.steering)

    everything = send(client, "GET", "strategies/", {"initiative": agenda.initiative.pk})
    under_second = send(client, "GET", "strategies/", {"result": second.pk})

    assert everything.json() == page(
        [
            {
                "id": agenda.strategy.pk,
                "initiative": agenda.initiative.pk,
                "result": agenda.result.pk,
                "title": "Summer reading",
                "description": "Eight weeks.",
                "position": 0,
                "workgroups": [agenda.workgroup.pk],
                "created_at": STAMP,
                "updated_at": STAMP,
            }
        ]
    )
    assert under_second.json() == page([])


def test_strategy_create_move_and_delete(agenda: Agenda, login: Login) -> None:
    second = result_create(initiative=agenda.initiative, statement="Attendance improves.")
    client = login(agenda.personas.staff)

    created = send(client, "POST", "strategies/", {"result": agenda.result.pk, "title": "Tutors"})
    pk = created.json()["id"]
    with time_machine.travel(LATER, tick=False):
        moved = send(
            client, "PATCH", f"strategies/{pk}/", {"result": second.pk, "description": "1:1"}
        )
    deleted = send(client, "DELETE", f"strategies/{pk}/")

    assert created.status_code == 201
    assert created.json() == {
        "id": pk,
        "initiative": agenda.initiative.pk,
        "result": agenda.result.pk,
        "title": "Tutors",
        "description": "",
        "position": 1,
        "workgroups": [],
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    assert moved.json() == {
        "id": pk,
        "initiative": agenda.initiative.pk,
        "result": second.pk,
        "title": "Tutors",
        "description": "1:1",
        "position": 0,
        "workgroups": [],
        "created_at": STAMP,
        "updated_at": LATER_STAMP,
    }
    assert deleted.status_code == 204
    assert list(Strategy.objects.values_list("pk", flat=True)) == [agenda.strategy.pk]


def test_strategy_cannot_move_to_another_initiatives_result(agenda: Agenda, login: Login) -> None:
    other = initiative_create(organization=agenda.personas.org, name="Other", north_star="X.")
    elsewhere = result_create(initiative=other, statement="Elsewhere")
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"strategies/{agenda.strategy.pk}/",
        {"result": elsewhere.pk},
    )

    assert response.status_code == 400
    assert response.json() == invalid({}, "A strategy can only move to a result of its initiative.")
    assert snapshot() == before


def test_strategy_carried_by_a_workgroup_cannot_be_deleted(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(client, "DELETE", f"strategies/{agenda.strategy.pk}/")

    assert response.status_code == 400
    assert response.json() == invalid(
        {}, "These workgroups carry it; take it off them first: Early literacy."
    )
    assert snapshot() == before


def test_strategy_workgroups_are_read_only(agenda: Agenda, login: Login) -> None:
    response = send(
        login(agenda.personas.staff),
        "PATCH",
        f"strategies/{agenda.strategy.pk}/",
        {"workgroups": [agenda.other_workgroup.pk]},
    )

    assert response.status_code == 200
    assert response.json()["workgroups"] == [agenda.workgroup.pk]
    assert list(agenda.strategy.tables.all()) == [agenda.workgroup]


# --- Ground rules ---------------------------------------------------------------------------


def test_ground_rules_list_create_update_delete(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    rule = agenda.rule

    listed = send(client, "GET", "ground-rules/", {"initiative": agenda.initiative.pk})
    created = send(
        client,
        "POST",
        "ground-rules/",
        {"initiative": agenda.initiative.pk, "text": "We say what we will do, and do it."},
    )
    with time_machine.travel(LATER, tick=False):
        updated = send(client, "PATCH", f"ground-rules/{rule.pk}/", {"text": "We start on time."})
        deleted = send(client, "DELETE", f"ground-rules/{rule.pk}/")
    after = send(client, "GET", "ground-rules/")

    assert listed.json() == page(
        [
            {
                "id": rule.pk,
                "initiative": agenda.initiative.pk,
                "text": "We start and end meetings on time.",
                "position": 0,
                "created_at": STAMP,
                "updated_at": STAMP,
            }
        ]
    )
    new = {
        "id": created.json()["id"],
        "initiative": agenda.initiative.pk,
        "text": "We say what we will do, and do it.",
        "position": 1,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    assert (created.status_code, created.json()) == (201, new)
    assert updated.json() == {
        "id": rule.pk,
        "initiative": agenda.initiative.pk,
        "text": "We start on time.",
        "position": 0,
        "created_at": STAMP,
        "updated_at": LATER_STAMP,
    }
    assert deleted.status_code == 204
    assert after.json() == page([new])


def test_ground_rule_blank_text_is_refused(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(client, "PATCH", f"ground-rules/{agenda.rule.pk}/", {"text": " "})

    assert response.status_code == 400
    assert response.json() == invalid({"text": ["This field may not be blank."]})
    assert snapshot() == before


# --- The agenda filter ----------------------------------------------------------------------


def criterion_json(criterion: FilterCriterion, **changes: Any) -> dict[str, Any]:
    return {
        "id": criterion.pk,
        "initiative": criterion.initiative_id,
        "question": criterion.question,
        "position": criterion.position,
        "retired_at": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


def test_filter_criteria_retire_on_delete_and_screenings_keep_their_answers(
    agenda: Agenda, login: Login
) -> None:
    client = login(agenda.personas.staff)
    first, second = agenda.criteria

    with time_machine.travel(LATER, tick=False):
        retired = send(client, "DELETE", f"filter-criteria/{first.pk}/")
    current = send(client, "GET", "filter-criteria/", {"initiative": agenda.initiative.pk})
    everything = send(client, "GET", "filter-criteria/", {"include_retired": "true"})
    wrong = send(client, "GET", "filter-criteria/", {"include_retired": "maybe"})

    assert retired.status_code == 204
    assert current.json() == page([criterion_json(second)])
    assert everything.json() == page(
        [
            criterion_json(first, retired_at=LATER_STAMP, updated_at=LATER_STAMP),
            criterion_json(second),
        ]
    )
    assert wrong.status_code == 400
    assert wrong.json() == invalid({"include_retired": ["Use true or false."]})
    assert FilterCriterion.objects.count() == 2
    answers = send(client, "GET", f"screenings/{agenda.screening.pk}/").json()["answers"]
    assert [a["question"] for a in answers] == [first.question, second.question]


def test_filter_criterion_create_and_reword(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)

    created = send(
        client,
        "POST",
        "filter-criteria/",
        {"initiative": agenda.initiative.pk, "question": "Is it funded for a year?"},
    )
    with time_machine.travel(LATER, tick=False):
        reworded = send(
            client,
            "PATCH",
            f"filter-criteria/{agenda.criteria[0].pk}/",
            {"question": "Does it move a result we share?"},
        )

    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "initiative": agenda.initiative.pk,
        "question": "Is it funded for a year?",
        "position": 2,
        "retired_at": None,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    assert reworded.json() == criterion_json(
        agenda.criteria[0], question="Does it move a result we share?", updated_at=LATER_STAMP
    )
    # The screening answered the old wording and keeps it.
    answered = agenda.screening.answers.get(criterion=agenda.criteria[0])
    assert answered.question == "Does it move one of our results?"


# --- Screenings -----------------------------------------------------------------------------


def screening_json(a: Agenda, **changes: Any) -> dict[str, Any]:
    first, second = a.criteria
    return {
        "id": a.screening.pk,
        "initiative": a.initiative.pk,
        "title": "Book vending machines",
        "description": "",
        "proposed_by": "Eastside Library",
        "recorded_by": "staff@lakeshore.example.org",
        "passes_all": False,
        "outcome": "does_not_pass",
        "override_reason": "",
        "decision": "pending",
        "decision_note": "",
        "created_at": STAMP,
        "updated_at": STAMP,
        "answers": [
            {
                "criterion": first.pk,
                "question": first.question,
                "answer": True,
                "note": "Reading at home",
            },
            {"criterion": second.pk, "question": second.question, "answer": False, "note": ""},
        ],
        **changes,
    }


def test_screenings_list_and_filter(agenda: Agenda, login: Login) -> None:
    other = initiative_create(organization=agenda.personas.org, name="Other", north_star="X.")
    client = login(agenda.personas.partner)

    listed = send(client, "GET", "screenings/", {"initiative": agenda.initiative.pk})
    elsewhere = send(client, "GET", "screenings/", {"initiative": other.pk})

    assert listed.json() == page([screening_json(agenda)])
    assert elsewhere.json() == page([])


def test_a_cochair_screens_a_proposal_that_passes(agenda: Agenda, login: Login) -> None:
    first, second = agenda.criteria

    response = send(
        login(agenda.personas.cochair),
        "POST",
        "screenings/",
        {
            "initiative": agenda.initiative.pk,
            "title": "Reading buddies",
            "description": "Fifth graders read with first graders.",
            "answers": [
                {"criterion": second.pk, "answer": True, "note": "Eastside leads"},
                {"criterion": first.pk, "answer": True},
            ],
        },
    )

    assert response.status_code == 201
    created = Screening.objects.get(title="Reading buddies")
    assert response.json() == {
        "id": created.pk,
        "initiative": agenda.initiative.pk,
        "title": "Reading buddies",
        "description": "Fifth graders read with first graders.",
        "proposed_by": "",
        "recorded_by": "cochair@lakeshore.example.org",
        "passes_all": True,
        "outcome": "passes",
        "override_reason": "",
        "decision": "pending",
        "decision_note": "",
        "created_at": STAMP,
        "updated_at": STAMP,
        "answers": [
            {"criterion": first.pk, "question": first.question, "answer": True, "note": ""},
            {
                "criterion": second.pk,
                "question": second.question,
                "answer": True,
                "note": "Eastside leads",
            },
        ],
    }


def test_a_screening_must_answer_every_criterion(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "screenings/",
        {
            "initiative": agenda.initiative.pk,
            "title": "Half answered",
            "answers": [{"criterion": agenda.criteria[0].pk, "answer": True}],
        },
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {}, "Answer every criterion yes or no: Is a partner ready to lead it?."
    )
    assert snapshot() == before


def test_only_staff_may_override_when_recording(agenda: Agenda, login: Login) -> None:
    body = {
        "initiative": agenda.initiative.pk,
        "title": "Mobile library",
        "override_reason": "The county asked us directly.",
        "answers": [
            {"criterion": agenda.criteria[0].pk, "answer": False},
            {"criterion": agenda.criteria[1].pk, "answer": True},
        ],
    }
    cochair = login(agenda.personas.cochair)
    before = snapshot()

    refused = send(cochair, "POST", "screenings/", body)
    assert snapshot() == before
    allowed = send(login(agenda.personas.staff), "POST", "screenings/", body)

    assert refused.status_code == 403
    assert refused.json() == {
        "error": {
            "code": "permission_denied",
            "message": "Only backbone staff may let a proposal through the agenda filter.",
            "fields": {},
        }
    }
    assert allowed.status_code == 201
    assert (allowed.json()["outcome"], allowed.json()["override_reason"]) == (
        "overridden",
        "The county asked us directly.",
    )


def test_a_failed_proposal_is_adopted_only_after_a_staff_override(
    agenda: Agenda, login: Login
) -> None:
    path = f"screenings/{agenda.screening.pk}/"
    cochair = login(agenda.personas.cochair)
    before = snapshot()

    adopt = send(cochair, "PATCH", path, {"decision": "adopted"})
    override = send(cochair, "PATCH", path, {"override_reason": "Urgent need."})
    assert snapshot() == before
    with time_machine.travel(LATER, tick=False):
        both = send(
            login(agenda.personas.staff),
            "PATCH",
            path,
            {
                "override_reason": "The board asked for it.",
                "decision": "adopted",
                "decision_note": "Go",
            },
        )

    assert adopt.status_code == 400
    assert adopt.json() == invalid(
        {},
        "This proposal did not pass the filter. Staff can add it only with a written override "
        "reason.",
    )
    assert override.status_code == 403
    assert both.status_code == 200
    assert both.json() == screening_json(
        agenda,
        outcome="overridden",
        override_reason="The board asked for it.",
        decision="adopted",
        decision_note="Go",
        updated_at=LATER_STAMP,
    )


def test_a_cochair_records_a_decision(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.cochair)

    with time_machine.travel(LATER, tick=False):
        response = send(
            client,
            "PATCH",
            f"screenings/{agenda.screening.pk}/",
            {"decision": "deferred", "decision_note": "Next spring."},
        )

    assert response.status_code == 200
    assert response.json() == screening_json(
        agenda, decision="deferred", decision_note="Next spring.", updated_at=LATER_STAMP
    )


def test_an_override_needs_a_reason(agenda: Agenda, login: Login) -> None:
    client = login(agenda.personas.staff)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"screenings/{agenda.screening.pk}/",
        {"override_reason": "  ", "decision": "adopted"},
    )

    assert response.status_code == 400
    assert response.json() == invalid({"override_reason": ["Write why the proposal goes ahead."]})
    assert snapshot() == before
