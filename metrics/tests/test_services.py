"""The writes of shared measurement: what is refused (with which message), what is stored,
and that nothing is written when a write is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from initiatives.models import Result
from initiatives.tests.factories import (
    PartnerOrganizationFactory,
    PersonFactory,
    ResultFactory,
    StrategyFactory,
    TableFactory,
)
from metrics import services
from metrics.models import (
    DataPoint,
    DisparityGap,
    Indicator,
    PerformanceMeasure,
    PeriodKind,
    TurnTheCurve,
    Unit,
)
from metrics.tests.factories import (
    CategoryFactory,
    DimensionFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)
from tests.factories import UserFactory
from workplans.tests.factories import KeyActionFactory, WorkplanFactory

pytestmark = pytest.mark.django_db


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


@pytest.fixture
def result() -> Result:
    made: Any = ResultFactory(statement="Children read at grade level by third grade")
    return made


# --- Indicators and measures ------------------------------------------------------------------


def test_indicator_create_stores_canonical_periods_and_the_next_position(result: Result) -> None:
    first = services.indicator_create(result=result, name="Kindergarten readiness")
    indicator = services.indicator_create(
        result=result,
        name="  Third graders reading at grade level ",
        unit=Unit.PERCENT,
        baseline_value=Decimal("38.5"),
        baseline_period="2015",
        target_value=Decimal("58.5"),
        target_period="School year 2029-2030",
        population=Decimal(2000),
        population_label="third graders",
    )

    indicator.refresh_from_db()
    assert (first.position, indicator.position) == (0, 1)
    assert indicator.name == "Third graders reading at grade level"
    assert (indicator.baseline_period, indicator.target_period) == ("2015", "SY2029-30")
    assert indicator.initiative_id == result.initiative_id
    assert indicator.organization_id == result.organization_id


def test_a_target_period_before_the_baseline_period_is_refused(result: Result) -> None:
    with pytest.raises(ValidationError) as error:
        services.indicator_create(
            result=result,
            name="Chronic absence",
            baseline_value=Decimal("18"),
            baseline_period="2020",
            target_value=Decimal("10"),
            target_period="2018",
        )

    assert _messages(error) == {
        "target_period": ["The target period (2018) must come after the baseline period (2020)."]
    }
    assert Indicator.objects.count() == 0


def test_a_target_in_the_baseline_period_is_refused(result: Result) -> None:
    with pytest.raises(ValidationError) as error:
        services.indicator_create(
            result=result,
            name="Chronic absence",
            baseline_value=Decimal("18"),
            baseline_period="SY2019-20",
            target_value=Decimal("10"),
            target_period="2019-20",
        )

    assert _messages(error) == {
        "target_period": [
            "The target period (SY2019-20) must come after the baseline period (SY2019-20)."
        ]
    }


def test_indicator_update_refuses_a_target_before_the_baseline_and_keeps_the_old_one() -> None:
    indicator: Any = IndicatorFactory(
        baseline_value=Decimal("40"),
        baseline_period="2015",
        target_value=Decimal("60"),
        target_period="2030",
    )

    with pytest.raises(ValidationError) as error:
        services.indicator_update(indicator=indicator, target_period="2014")

    assert _messages(error) == {
        "target_period": ["The target period (2014) must come after the baseline period (2015)."]
    }
    indicator.refresh_from_db()
    assert indicator.target_period == "2030"


def test_baseline_and_target_are_each_a_value_with_a_period(result: Result) -> None:
    with pytest.raises(ValidationError) as error:
        services.indicator_create(
            result=result,
            name="Reading",
            baseline_value=Decimal("40"),
            target_period="2030",
        )

    assert _messages(error) == {
        "baseline_period": ["Give the period of the baseline as well as its value."],
        "target_value": ["Give the target value for 2030."],
    }


def test_an_unreadable_period_and_an_impossible_percentage_are_refused(result: Result) -> None:
    with pytest.raises(ValidationError) as error:
        services.indicator_create(
            result=result,
            name="Reading",
            baseline_value=Decimal("140"),
            baseline_period="2015",
            target_value=Decimal("60"),
            target_period="someday",
            population=Decimal(0),
        )

    messages = _messages(error)
    assert messages["baseline_value"] == ["A percentage is between 0 and 100; 140 is not."]
    assert messages["target_period"][0].startswith("“someday” is not a period")
    assert messages["population"] == ["The population is a number of people greater than zero."]
    assert Indicator.objects.count() == 0


def test_an_indicator_refuses_a_steward_of_another_organization(result: Result) -> None:
    with pytest.raises(ValidationError) as error:
        services.indicator_create(result=result, name="Reading", steward=PersonFactory())

    assert error.value.messages == ["That item does not belong to this organization."]
    assert Indicator.objects.count() == 0


def test_indicator_update_moves_it_to_another_result_of_its_initiative_only() -> None:
    indicator: Any = IndicatorFactory()
    sibling: Any = ResultFactory(initiative=indicator.initiative)
    elsewhere: Any = ResultFactory(initiative__organization=indicator.organization)

    with pytest.raises(ValidationError) as error:
        services.indicator_update(indicator=indicator, result=elsewhere)
    assert error.value.messages == ["An indicator can only move to a result of its initiative."]

    services.indicator_update(indicator=indicator, result=sibling, name="Moved")
    indicator.refresh_from_db()
    assert (indicator.result_id, indicator.name, indicator.position) == (sibling.pk, "Moved", 0)


def test_measure_create_ties_it_to_a_strategy_and_a_workgroup_of_its_initiative() -> None:
    table: Any = TableFactory(name="Attendance workgroup")
    strategy: Any = StrategyFactory(
        result__initiative=table.initiative, organization=table.organization
    )

    measure = services.measure_create(
        initiative=table.initiative,
        name="Families reached by attendance outreach",
        kind=PerformanceMeasure.Kind.HOW_MUCH,
        strategy=strategy,
        table=table,
        unit=Unit.COUNT,
        baseline_value=Decimal(120),
        baseline_period="2023-Q1",
        target_value=Decimal(400),
        target_period="2025-Q4",
    )

    measure.refresh_from_db()
    assert (measure.strategy_id, measure.table_id, measure.kind) == (
        strategy.pk,
        table.pk,
        "how_much",
    )
    assert (measure.baseline_period, measure.target_period) == ("2023-Q1", "2025-Q4")


def test_measure_create_refuses_a_workgroup_of_another_initiative() -> None:
    table: Any = TableFactory()
    other: Any = TableFactory(initiative__organization=table.organization)

    with pytest.raises(ValidationError) as error:
        services.measure_create(
            initiative=table.initiative, name="Tutors", kind="how_much", table=other
        )

    assert error.value.messages == [
        "A performance measure belongs to a strategy or workgroup of its initiative."
    ]
    assert PerformanceMeasure.objects.count() == 0


def test_measure_update_changes_the_workgroup_only_when_given() -> None:
    measure: Any = PerformanceMeasureFactory()
    table: Any = TableFactory(initiative=measure.initiative)
    services.measure_update(measure=measure, table=table)

    services.measure_update(measure=measure, name="Tutoring sessions held")

    measure.refresh_from_db()
    assert (measure.table_id, measure.name) == (table.pk, "Tutoring sessions held")
    services.measure_update(measure=measure, table=None, kind="how_well")
    measure.refresh_from_db()
    assert (measure.table_id, measure.kind) == (None, "how_well")


def test_an_unknown_field_is_a_programming_error() -> None:
    indicator: Any = IndicatorFactory()
    with pytest.raises(TypeError):
        services.indicator_update(indicator=indicator, organization_id=1)


# --- Data points ------------------------------------------------------------------------------


@pytest.fixture
def indicator() -> Indicator:
    made: Any = IndicatorFactory(name="Third graders reading at grade level", unit=Unit.PERCENT)
    return made


def test_upsert_creates_then_updates_then_leaves_an_unchanged_value_alone(
    indicator: Indicator,
) -> None:
    user: Any = UserFactory()
    point, outcome = services.data_point_upsert(
        subject=indicator, period="2019-20", value=Decimal("41.2"), source="State report card"
    )
    assert outcome == "created"
    assert (point.period, point.period_kind, str(point.period_start), str(point.period_end)) == (
        "SY2019-20",
        PeriodKind.SCHOOL_YEAR,
        "2019-07-01",
        "2020-06-30",
    )

    same, outcome = services.data_point_upsert(
        subject=indicator, period="SY2019-20", value=Decimal("41.2000"), source="State report card"
    )
    assert (same.pk, outcome) == (point.pk, "unchanged")

    _, outcome = services.data_point_upsert(
        subject=indicator,
        period="SY 2019-2020",
        value=Decimal("41.9"),
        source="State report card (revised)",
        changed_by=user,
    )
    assert outcome == "updated"

    assert DataPoint.objects.count() == 1
    point.refresh_from_db()
    assert (point.value, point.source) == (Decimal("41.9"), "State report card (revised)")
    history = list(
        point.history.order_by("history_id").values_list("history_type", "value", "history_user")
    )
    assert history == [("+", Decimal("41.2"), None), ("~", Decimal("41.9"), user.pk)]


def test_a_suppressed_value_is_stored_without_a_number_and_with_its_marker(
    indicator: Indicator,
) -> None:
    category: Any = CategoryFactory(dimension=DimensionFactory(initiative=indicator.initiative))

    point, _ = services.data_point_upsert(
        subject=indicator,
        period="2021",
        value=None,
        category=category,
        suppressed=True,
        suppression_marker=" n<10 ",
    )

    point.refresh_from_db()
    assert (point.value, point.suppressed, point.suppression_marker) == (None, True, "n<10")
    assert point.category_id == category.pk


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({"value": None}, {"value": ["Give a value, or mark it as suppressed."]}),
        (
            {"value": Decimal(0), "suppressed": True},
            {"value": ["A suppressed value has no number."]},
        ),
        (
            {"value": Decimal(3), "suppression_marker": "*"},
            {"suppression_marker": ["Only a suppressed value has a suppression marker."]},
        ),
        (
            {"value": Decimal("100.5")},
            {"value": ["A percentage is between 0 and 100; 100.5 is not."]},
        ),
    ],
)
def test_upsert_refuses_inconsistent_values(
    indicator: Indicator, fields: dict[str, Any], messages: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationError) as error:
        services.data_point_upsert(subject=indicator, period="2021", **fields)

    assert _messages(error) == messages
    assert DataPoint.objects.count() == 0


def test_upsert_refuses_an_unknown_period(indicator: Indicator) -> None:
    with pytest.raises(ValidationError) as error:
        services.data_point_upsert(subject=indicator, period="last spring", value=Decimal(1))

    assert list(_messages(error)) == ["period"]
    assert DataPoint.objects.count() == 0


def test_upsert_refuses_a_group_of_another_initiative(indicator: Indicator) -> None:
    foreign: Any = CategoryFactory(
        dimension=DimensionFactory(initiative__organization=indicator.organization)
    )
    with pytest.raises(ValidationError) as error:
        services.data_point_upsert(
            subject=indicator, period="2021", value=Decimal(1), category=foreign
        )
    assert _messages(error) == {"category": ["That group is not one of this initiative's."]}

    stranger: Any = CategoryFactory()
    with pytest.raises(ValidationError) as error:
        services.data_point_upsert(
            subject=indicator, period="2021", value=Decimal(1), category=stranger
        )
    assert error.value.messages == ["That item does not belong to this organization."]
    assert DataPoint.objects.count() == 0


def test_a_measure_takes_values_too_with_counts_above_100() -> None:
    measure: Any = PerformanceMeasureFactory(unit=Unit.COUNT)

    point, outcome = services.data_point_upsert(
        subject=measure, period="2024-03", value=Decimal(1250)
    )

    assert outcome == "created"
    assert (point.measure_id, point.indicator_id, point.period_kind) == (measure.pk, None, "month")


# --- Gaps -------------------------------------------------------------------------------------


def test_gap_create_names_the_gap_and_keeps_its_target(indicator: Indicator) -> None:
    dimension: Any = DimensionFactory(initiative=indicator.initiative, name="Race/ethnicity")
    white: Any = CategoryFactory(dimension=dimension, name="White")
    black: Any = CategoryFactory(dimension=dimension, name="Black")

    gap = services.gap_create(
        indicator=indicator,
        reference=white,
        focus=black,
        target_value=Decimal("12.5"),
        target_period="2030",
    )

    gap.refresh_from_db()
    assert (gap.name, gap.dimension_id, gap.target_value, gap.target_period) == (
        "Gap between Black and White",
        dimension.pk,
        Decimal("12.5"),
        "2030",
    )


def test_gap_create_refuses_groups_of_different_disaggregations(indicator: Indicator) -> None:
    race: Any = CategoryFactory(dimension=DimensionFactory(initiative=indicator.initiative))
    income: Any = CategoryFactory(dimension=DimensionFactory(initiative=indicator.initiative))

    with pytest.raises(ValidationError) as error:
        services.gap_create(indicator=indicator, reference=race, focus=income)
    assert _messages(error) == {
        "focus": ["The reference and focus groups must be of the same disaggregation."]
    }
    with pytest.raises(ValidationError) as error:
        services.gap_create(indicator=indicator, reference=race, focus=race)
    assert _messages(error) == {"focus": ["Pick two different groups."]}
    sibling: Any = CategoryFactory(dimension=race.dimension)
    with pytest.raises(ValidationError) as error:
        services.gap_create(
            indicator=indicator,
            reference=race,
            focus=sibling,
            target_value=Decimal(5),
        )
    assert _messages(error) == {
        "target_period": ["Give the gap's target as a value and a period together."]
    }
    assert DisparityGap.objects.count() == 0


# --- Turn the curve ---------------------------------------------------------------------------


def test_turn_the_curve_save_writes_then_rewrites_one_note(indicator: Indicator) -> None:
    user: Any = UserFactory()
    partner: Any = PartnerOrganizationFactory(organization=indicator.organization)
    strategy: Any = StrategyFactory(result=indicator.result, organization=indicator.organization)
    workplan: Any = WorkplanFactory(
        table__initiative=indicator.initiative, organization=indicator.organization
    )
    action: Any = KeyActionFactory(workplan=workplan, strategy=strategy)

    note = services.turn_the_curve_save(
        subject=indicator,
        story=" Absence rose after 2020. ",
        what_works="Home visits",
        action_plan="Outreach in three schools",
        partners=[partner],
        strategies=[strategy],
        key_actions=[action],
        by=user,
    )
    again = services.turn_the_curve_save(
        subject=indicator, story="Rewritten", what_works="", action_plan="", partners=[partner]
    )

    assert again.pk == note.pk
    assert TurnTheCurve.objects.count() == 1
    again.refresh_from_db()
    assert (again.story, again.updated_by_id) == ("Rewritten", None)
    assert list(again.partners.all()) == [partner]
    assert list(again.strategies.all()) == []
    assert list(again.key_actions.all()) == []


def test_turn_the_curve_refuses_strategies_and_actions_of_another_initiative(
    indicator: Indicator,
) -> None:
    other: Any = StrategyFactory(result__initiative__organization=indicator.organization)
    action: Any = KeyActionFactory(
        workplan__table__initiative__organization=indicator.organization,
    )

    with pytest.raises(ValidationError) as error:
        services.turn_the_curve_save(
            subject=indicator, story="", what_works="", action_plan="", strategies=[other]
        )
    assert _messages(error) == {"strategies": ["Pick strategies of this initiative."]}
    with pytest.raises(ValidationError) as error:
        services.turn_the_curve_save(
            subject=indicator, story="", what_works="", action_plan="", key_actions=[action]
        )
    assert _messages(error) == {"key_actions": ["Pick key actions of this initiative."]}
    stranger: Any = PartnerOrganizationFactory()
    with pytest.raises(ValidationError) as error:
        services.turn_the_curve_save(
            subject=indicator,
            story="",
            what_works="",
            action_plan="",
            partners=[stranger],
        )
    assert error.value.messages == ["That item does not belong to this organization."]
    assert TurnTheCurve.objects.count() == 0


def test_turn_the_curve_of_a_measure() -> None:
    measure: Any = PerformanceMeasureFactory()

    note = services.turn_the_curve_save(
        subject=measure, story="Fewer tutors in summer", what_works="", action_plan=""
    )

    assert (note.measure_id, note.indicator_id) == (measure.pk, None)


def test_data_point_delete_removes_one_value_and_keeps_who_in_the_history(
    indicator: Indicator,
) -> None:
    staff: Any = UserFactory()
    point, _ = services.data_point_upsert(subject=indicator, period="2022", value=Decimal("41"))
    kept, _ = services.data_point_upsert(subject=indicator, period="2023", value=Decimal("43"))

    deleted_id = point.pk

    services.data_point_delete(point=point, by_user=staff)

    assert list(DataPoint.objects.values_list("pk", flat=True)) == [kept.pk]
    record = DataPoint.history.get(id=deleted_id, history_type="-")
    assert (record.history_user_id, record.period, record.value) == (
        staff.pk,
        "2022",
        Decimal("41.0000"),
    )
    assert DataPoint.history.filter(id=kept.pk).count() == 1  # the other value untouched
