"""The services the common agenda pages rely on: order kept, refusals, screenings kept as
answered."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from initiatives import services
from initiatives.models import FilterCriterion, Screening
from initiatives.tests.factories import InitiativeFactory
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def initiative() -> Any:
    organization: Any = OrganizationFactory()
    return services.initiative_create(
        organization=organization, name="Read Lakeshore", north_star="Every child reads."
    )


def _criteria(initiative: Any, *questions: str) -> list[FilterCriterion]:
    return [services.criterion_create(initiative=initiative, question=q) for q in questions]


def test_results_keep_the_order_they_were_moved_to(initiative: Any) -> None:
    a, b, c = (services.result_create(initiative=initiative, statement=s) for s in "ABC")

    services.item_move(item=c, direction="up")
    services.item_move(item=a, direction="up")  # already first: nothing changes

    assert list(initiative.results.values_list("statement", flat=True)) == ["A", "C", "B"]
    services.items_reorder(items=list(initiative.results.all()), ordered_ids=[b.pk, a.pk, c.pk])
    assert list(initiative.results.values_list("statement", flat=True)) == ["B", "A", "C"]


def test_a_stale_reorder_changes_nothing(initiative: Any) -> None:
    a, b = (services.result_create(initiative=initiative, statement=s) for s in "AB")

    with pytest.raises(ValidationError, match="The list changed"):
        services.items_reorder(items=list(initiative.results.all()), ordered_ids=[b.pk])

    assert list(initiative.results.values_list("pk", flat=True)) == [a.pk, b.pk]


def test_moving_a_criterion_skips_retired_ones(initiative: Any) -> None:
    _first, retired, last = _criteria(initiative, "One?", "Two?", "Three?")
    services.criterion_retire(criterion=retired)

    services.item_move(item=last, direction="up")

    current = initiative.filter_criteria.filter(retired_at__isnull=True).order_by("position")
    assert [c.question for c in current] == ["Three?", "One?"]


def test_a_result_with_strategies_is_not_deleted(initiative: Any) -> None:
    result = services.result_create(initiative=initiative, statement="Ready for kindergarten")
    services.strategy_create(result=result, title="Pre-K seats")

    with pytest.raises(ValidationError, match="Move or delete its strategies first: Pre-K seats"):
        services.result_delete(result=result)

    assert initiative.results.count() == 1


def test_a_proposal_passes_only_if_every_answer_is_yes(initiative: Any) -> None:
    move, lead = _criteria(initiative, "Does it move a result?", "Is a partner ready?")

    yes = services.screening_record(
        initiative=initiative,
        title="Book machines",
        answers=[services.Answer(move, True), services.Answer(lead, True)],
        recorded_by=None,
    )
    no = services.screening_record(
        initiative=initiative,
        title="Gala",
        answers=[services.Answer(move, False, "raises money only"), services.Answer(lead, True)],
        recorded_by=None,
    )

    assert (yes.outcome, no.outcome) == ("passes", "does_not_pass")
    assert [(a.question, a.answer, a.note) for a in no.answers.all()] == [
        ("Does it move a result?", False, "raises money only"),
        ("Is a partner ready?", True, ""),
    ]


def test_adopting_a_failed_proposal_needs_an_override_first(initiative: Any) -> None:
    (move,) = _criteria(initiative, "Does it move a result?")
    screening = services.screening_record(
        initiative=initiative,
        title="Gala",
        answers=[services.Answer(move, False)],
        recorded_by=None,
    )

    with pytest.raises(ValidationError, match="did not pass the filter"):
        services.screening_decide(screening=screening, decision="adopted")
    screening.refresh_from_db()
    assert screening.decision == Screening.Decision.PENDING

    services.screening_override(screening=screening, reason="The mayor's office leads it.")
    services.screening_decide(screening=screening, decision="adopted", note="From June")
    screening.refresh_from_db()
    assert (screening.outcome, screening.decision, screening.decision_note) == (
        "overridden",
        "adopted",
        "From June",
    )


def test_changing_or_retiring_criteria_keeps_old_screenings_as_answered(initiative: Any) -> None:
    move, lead = _criteria(initiative, "Does it move a result?", "Is a partner ready?")
    screening = services.screening_record(
        initiative=initiative,
        title="Book machines",
        answers=[services.Answer(move, True), services.Answer(lead, True)],
        recorded_by=None,
    )

    services.criterion_update(criterion=move, question="Does it move a result within 3 years?")
    services.criterion_retire(criterion=lead)
    services.criterion_create(initiative=initiative, question="Is it funded?")

    screening.refresh_from_db()
    assert screening.outcome == "passes"
    assert [(a.question, a.answer) for a in screening.answers.all()] == [
        ("Does it move a result?", True),
        ("Is a partner ready?", True),
    ]


def test_initiative_create_gives_it_a_steering_committee() -> None:
    initiative: Any = InitiativeFactory()
    assert initiative.tables.count() == 0  # the factory skips the service
    made = services.initiative_create(
        organization=initiative.organization, name="Healthy Start", north_star="Halve it."
    )
    assert list(made.tables.values_list("kind", flat=True)) == ["steering"]
