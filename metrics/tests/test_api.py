"""The metrics API: indicators, performance measures and data points — who may do what, the
one error format, the bulk upsert (all or nothing, every problem named by index and field),
tokens, another organization's 404, and the query count of every list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from backbone.roles import Role
from initiatives.models import Initiative, Result
from initiatives.tests.factories import InitiativeFactory, ResultFactory, StrategyFactory
from initiatives.tests.test_api_common import NOT_FOUND, ROLE_REFUSAL, page, send
from metrics import services
from metrics.api.points import BULK_MAX
from metrics.models import Category, DataPoint, Indicator, PerformanceMeasure, Unit
from metrics.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)
from tests.factories import APITokenFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot

READ_ONLY_TOKEN = {
    "error": {"code": "permission_denied", "message": "This token is read-only.", "fields": {}}
}


def invalid(fields: dict[str, list[str]], message: str = "The request has invalid fields.") -> Any:
    return {"error": {"code": "invalid", "message": message, "fields": fields}}


@dataclass
class World:
    personas: Personas
    initiative: Initiative
    result: Result
    indicator: Indicator  # percent
    measure: PerformanceMeasure  # count
    hispanic: Category
    white: Category


@pytest.fixture
def world(personas: Personas) -> World:
    initiative: Any = InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    result: Any = ResultFactory(initiative=initiative, statement="Children read by grade 3.")
    indicator: Any = IndicatorFactory(
        result=result, name="Third graders reading at grade level", unit=Unit.PERCENT, position=0
    )
    measure: Any = PerformanceMeasureFactory(
        initiative=initiative, name="Families served", unit=Unit.COUNT
    )
    race: Any = DimensionFactory(initiative=initiative, name="Race/ethnicity")
    hispanic: Any = CategoryFactory(dimension=race, name="Hispanic or Latino")
    white: Any = CategoryFactory(dimension=race, name="White")
    return World(personas, initiative, result, indicator, measure, hispanic, white)


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def token(personas: Personas, *, can_write: bool) -> dict[str, str]:
    key = f"bb_metrics_{int(can_write)}"
    # Used just now, so authenticating does not write last_used_at (at most once a minute).
    APITokenFactory(
        user=personas.staff,
        organization=personas.org,
        key=key,
        can_write=can_write,
        last_used_at=timezone.now(),
    )
    return {"Authorization": f"Token {key}"}


def point_body(point: DataPoint) -> dict[str, Any]:
    return {
        "id": point.pk,
        "indicator": point.indicator_id,
        "measure": point.measure_id,
        "period": point.period,
        "period_kind": point.period_kind,
        "period_start": point.period_start.isoformat(),
        "period_end": point.period_end.isoformat(),
        "category": point.category_id,
        "category_name": point.category.name if point.category else None,
        "dimension": point.category.dimension_id if point.category else None,
        "value": None if point.value is None else f"{point.value:.4f}",
        "suppressed": point.suppressed,
        "suppression_marker": point.suppression_marker,
        "source": point.source,
        "note": point.note,
        "created_at": point.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": point.updated_at.isoformat().replace("+00:00", "Z"),
    }


def values(**lookup: Any) -> list[tuple[str, int | None, Decimal | None, bool, str]]:
    return list(
        DataPoint.objects.filter(**lookup)
        # Everyone's value first in every database (PostgreSQL sorts nulls last by default).
        .order_by("period_start", F("category_id").asc(nulls_first=True))
        .values_list("period", "category_id", "value", "suppressed", "suppression_marker")
    )


# --- Indicators and performance measures ----------------------------------------------------


def test_staff_creates_an_indicator_with_its_goal(world: World, client: Client) -> None:
    steward_id = None
    response = send(
        as_user(client, world.personas.staff),
        "POST",
        "indicators/",
        {
            "result": world.result.pk,
            "name": "Kindergarten readiness",
            "unit": "percent",
            "baseline_value": "42.5",
            "baseline_period": "2019-20",
            "target_value": "62.5",
            "target_period": "SY2029-30",
            "population": "2000",
            "population_label": "kindergartners",
            "steward": steward_id,
        },
    )

    assert response.status_code == 201
    made = Indicator.objects.get(name="Kindergarten readiness")
    assert response.json() == {
        "id": made.pk,
        "initiative": world.initiative.pk,
        "result": world.result.pk,
        "name": "Kindergarten readiness",
        "definition": "",
        "unit": "percent",
        "unit_label": "",
        "direction": "higher",
        "baseline_value": "42.5000",
        "baseline_period": "SY2019-20",
        "target_value": "62.5000",
        "target_period": "SY2029-30",
        "population": "2000.0000",
        "population_label": "kindergartners",
        "data_source": "",
        "frequency": "annual",
        "steward": None,
        "position": 1,
        "created_at": made.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": made.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert made.organization_id == world.personas.org.pk


def test_target_before_the_baseline_is_refused_and_nothing_is_saved(
    world: World, client: Client
) -> None:
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "indicators/",
        {
            "result": world.result.pk,
            "name": "Backwards",
            "baseline_value": "40",
            "baseline_period": "2024",
            "target_value": "60",
            "target_period": "2020",
        },
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"target_period": ["The target period (2020) must come after the baseline period (2024)."]}
    )
    assert snapshot() == before


def test_a_result_of_another_organization_is_a_field_error(world: World, client: Client) -> None:
    theirs: Any = ResultFactory(initiative__organization=world.personas.other_org)
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "indicators/",
        {"result": theirs.pk, "name": "Taken over"},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"result": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    )
    assert snapshot() == before


def test_staff_changes_an_indicator(world: World, client: Client) -> None:
    response = send(
        as_user(client, world.personas.staff),
        "PATCH",
        f"indicators/{world.indicator.pk}/",
        {"name": "Reading at grade level", "direction": "higher", "frequency": "school_year"},
    )

    assert response.status_code == 200
    world.indicator.refresh_from_db()
    assert (world.indicator.name, world.indicator.frequency) == (
        "Reading at grade level",
        "school_year",
    )
    assert response.json()["name"] == "Reading at grade level"


def test_indicators_are_not_deleted_through_the_api(world: World, client: Client) -> None:
    response = send(
        as_user(client, world.personas.staff), "DELETE", f"indicators/{world.indicator.pk}/"
    )

    assert response.status_code == 405
    assert Indicator.objects.filter(pk=world.indicator.pk).exists()


def test_staff_creates_a_performance_measure_of_a_strategy(world: World, client: Client) -> None:
    strategy: Any = StrategyFactory(result=world.result)

    response = send(
        as_user(client, world.personas.staff),
        "POST",
        "performance-measures/",
        {
            "initiative": world.initiative.pk,
            "kind": "better_off",
            "strategy": strategy.pk,
            "name": "Children reading more at home",
            "unit": "count",
        },
    )

    assert response.status_code == 201
    made = PerformanceMeasure.objects.get(name="Children reading more at home")
    assert (made.kind, made.strategy_id, made.table_id, made.initiative_id) == (
        "better_off",
        strategy.pk,
        None,
        world.initiative.pk,
    )
    assert response.json()["kind"] == "better_off"


def test_a_measure_cannot_take_a_strategy_of_another_initiative(
    world: World, client: Client
) -> None:
    elsewhere: Any = StrategyFactory(result__initiative__organization=world.personas.org)
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"performance-measures/{world.measure.pk}/",
        {"strategy": elsewhere.pk},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {}, "A performance measure belongs to a strategy or workgroup of its initiative."
    )
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_other_roles_read_but_do_not_write(role: Role, world: World, client: Client) -> None:
    user = world.personas.by_role(role)
    point: Any = DataPointFactory(indicator=world.indicator, value=Decimal("41.0"))
    client = as_user(client, user)
    before = snapshot()

    reads = [
        send(client, "GET", path)
        for path in (
            "indicators/",
            f"indicators/{world.indicator.pk}/",
            "performance-measures/",
            f"performance-measures/{world.measure.pk}/",
            "data-points/",
            f"data-points/{point.pk}/",
        )
    ]
    writes = [
        send(client, "POST", "indicators/", {"result": world.result.pk, "name": "Ours"}),
        send(client, "PATCH", f"indicators/{world.indicator.pk}/", {"name": "Ours"}),
        send(
            client,
            "POST",
            "performance-measures/",
            {"initiative": world.initiative.pk, "kind": "how_much", "name": "Ours"},
        ),
        send(client, "PATCH", f"performance-measures/{world.measure.pk}/", {"name": "Ours"}),
        send(
            client,
            "POST",
            "data-points/",
            {"indicator": world.indicator.pk, "period": "2023", "value": 50},
        ),
        send(client, "PATCH", f"data-points/{point.pk}/", {"value": 99}),
        send(client, "DELETE", f"data-points/{point.pk}/"),
        send(
            client,
            "POST",
            "data-points/bulk/",
            {"points": [{"indicator": world.indicator.pk, "period": "2023", "value": 50}]},
        ),
    ]

    assert [r.status_code for r in reads] == [200] * 6
    assert [r.status_code for r in writes] == [403] * 8
    assert {str(r.json()) for r in writes} == {str(ROLE_REFUSAL)}
    assert snapshot() == before


def test_staff_of_another_organization_gets_404_and_nothing_changes(
    world: World, client: Client
) -> None:
    point: Any = DataPointFactory(indicator=world.indicator)
    client = as_user(client, world.personas.outsider)
    before = snapshot()

    responses = [
        send(client, "GET", "indicators/"),
        send(client, "GET", f"indicators/{world.indicator.pk}/"),
        send(client, "PATCH", f"indicators/{world.indicator.pk}/", {"name": "Taken over"}),
        send(client, "PATCH", f"performance-measures/{world.measure.pk}/", {"name": "Taken"}),
        send(client, "GET", f"data-points/{point.pk}/"),
        send(client, "PATCH", f"data-points/{point.pk}/", {"value": 1}),
        send(client, "DELETE", f"data-points/{point.pk}/"),
        send(
            client,
            "POST",
            "data-points/bulk/",
            {"points": [{"indicator": world.indicator.pk, "period": "2023", "value": 1}]},
        ),
    ]

    assert [r.status_code for r in responses] == [404] * 8
    assert [r.json() for r in responses] == [NOT_FOUND] * 8
    assert snapshot() == before


def test_own_organization_cannot_name_another_organizations_indicator(
    world: World, client: Client
) -> None:
    theirs: Any = IndicatorFactory(result__initiative__organization=world.personas.other_org)
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "data-points/bulk/",
        {"points": [{"indicator": theirs.pk, "period": "2023", "value": 1}]},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"points[0].indicator": [f'Invalid pk "{theirs.pk}" - object does not exist.']},
        "1 of 1 points have problems; nothing was written.",
    )
    assert snapshot() == before


# --- Data points, one at a time -------------------------------------------------------------


def test_staff_records_a_percentage_written_as_text(world: World, client: Client) -> None:
    response = send(
        as_user(client, world.personas.staff),
        "POST",
        "data-points/",
        {
            "indicator": world.indicator.pk,
            "period": "2019-20",
            "category": world.hispanic.pk,
            "value": "45.2%",
            "source": "State report card",
        },
    )

    assert response.status_code == 201
    point = DataPoint.objects.get()
    assert response.json() == point_body(point)
    assert (point.period, point.period_kind, point.period_start, point.period_end) == (
        "SY2019-20",
        "school_year",
        date(2019, 7, 1),
        date(2020, 6, 30),
    )
    assert (point.value, point.suppressed, point.category_id, point.source) == (
        Decimal("45.2"),
        False,
        world.hispanic.pk,
        "State report card",
    )
    assert [h.history_user_id for h in point.history.all()] == [world.personas.staff.pk]


def test_a_suppression_marker_is_stored_as_suppressed_never_zero(
    world: World, client: Client
) -> None:
    response = send(
        as_user(client, world.personas.staff),
        "POST",
        "data-points/",
        {"indicator": world.indicator.pk, "period": 2021, "value": "n<10"},
    )

    assert response.status_code == 201
    assert values() == [("2021", None, None, True, "n<10")]
    assert response.json()["value"] is None


def test_a_second_value_for_the_same_period_and_group_is_refused(
    world: World, client: Client
) -> None:
    first: Any = DataPointFactory(indicator=world.indicator, period="2022")
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "data-points/",
        {"indicator": world.indicator.pk, "period": "2022", "value": "51"},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {
            "period": [
                f"There is already a value for 2022; change it (data point {first.pk}) or send "
                "it through the bulk upsert."
            ]
        }
    )
    assert snapshot() == before


def test_a_point_needs_exactly_one_of_indicator_and_measure(world: World, client: Client) -> None:
    response = send(
        as_user(client, world.personas.staff),
        "POST",
        "data-points/",
        {
            "indicator": world.indicator.pk,
            "measure": world.measure.pk,
            "period": "2022",
            "value": 1,
        },
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"indicator": ["Give either an indicator or a measure (not both)."]}
    )
    assert DataPoint.objects.count() == 0


def test_changing_a_value_keeps_its_history(world: World, client: Client) -> None:
    point: Any = DataPointFactory(indicator=world.indicator, period="2022", value=Decimal("40"))

    response = send(
        as_user(client, world.personas.staff),
        "PATCH",
        f"data-points/{point.pk}/",
        {"value": "41.5", "note": "Corrected by the state"},
    )

    assert response.status_code == 200
    point.refresh_from_db()
    assert response.json() == point_body(point)
    assert (point.value, point.note) == (Decimal("41.5"), "Corrected by the state")
    assert point.history.first().history_user_id == world.personas.staff.pk


def test_suppressing_a_value_takes_its_number_away(world: World, client: Client) -> None:
    point: Any = DataPointFactory(indicator=world.indicator, period="2022", value=Decimal("40"))

    response = send(
        as_user(client, world.personas.staff),
        "PATCH",
        f"data-points/{point.pk}/",
        {"suppressed": True, "suppression_marker": "*"},
    )

    assert response.status_code == 200
    assert values() == [("2022", None, None, True, "*")]


def test_an_out_of_range_percent_is_refused_unchanged(world: World, client: Client) -> None:
    point: Any = DataPointFactory(indicator=world.indicator, period="2022", value=Decimal("40"))
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"data-points/{point.pk}/",
        {"value": "140%"},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"value": ["“140%” is an out-of-range percent: percentages go from 0 to 100."]}
    )
    assert snapshot() == before


def test_staff_deletes_a_value(world: World, client: Client) -> None:
    point: Any = DataPointFactory(indicator=world.indicator, period="2022")
    kept: Any = DataPointFactory(indicator=world.indicator, period="2023")

    response = send(as_user(client, world.personas.staff), "DELETE", f"data-points/{point.pk}/")

    assert response.status_code == 204
    assert list(DataPoint.objects.values_list("pk", flat=True)) == [kept.pk]
    deleted = DataPoint.history.filter(id=point.pk, history_type="-").get()
    assert deleted.history_user_id == world.personas.staff.pk


def test_deleting_a_value_goes_through_the_service(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    point: Any = DataPointFactory(indicator=world.indicator, period="2022")
    calls: list[tuple[int, int]] = []
    real = services.data_point_delete

    def spy(*, point: DataPoint, by_user: Any) -> None:
        calls.append((point.pk, by_user.pk))  # before the delete clears the id
        real(point=point, by_user=by_user)

    monkeypatch.setattr(services, "data_point_delete", spy)

    response = send(as_user(client, world.personas.staff), "DELETE", f"data-points/{point.pk}/")

    assert response.status_code == 204
    assert calls == [(point.pk, world.personas.staff.pk)]


# --- Filters --------------------------------------------------------------------------------


def test_data_points_filter_by_indicator_group_and_period_range(
    world: World, client: Client
) -> None:
    made: list[Any] = [
        DataPointFactory(indicator=world.indicator, period=str(year), category=category)
        for year in (2018, 2019, 2020, 2021)
        for category in (None, world.hispanic)
    ]
    DataPointFactory(
        indicator=None, measure=world.measure, organization=world.personas.org, period="2020"
    )
    client = as_user(client, world.personas.partner)

    response = send(
        client,
        "GET",
        f"data-points/?indicator={world.indicator.pk}&category={world.hispanic.pk}"
        "&period_from=2019&period_to=SY2020-21",
    )

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [made[3].pk, made[5].pk]


def test_a_period_filter_that_is_not_a_period_is_a_400_naming_it(
    world: World, client: Client
) -> None:
    response = send(as_user(client, world.personas.partner), "GET", "data-points/?period_to=soon")

    assert response.status_code == 400
    body = response.json()
    assert list(body["error"]["fields"]) == ["period_to"]
    assert body["error"]["code"] == "invalid"


def test_indicators_filter_by_result(world: World, client: Client) -> None:
    other_result: Any = ResultFactory(initiative=world.initiative)
    other: Any = IndicatorFactory(result=other_result)

    response = send(
        as_user(client, world.personas.partner), "GET", f"indicators/?result={other_result.pk}"
    )

    assert [i["id"] for i in response.json()["results"]] == [other.pk]


# --- The bulk upsert ------------------------------------------------------------------------


def test_bulk_upsert_counts_created_updated_and_unchanged(world: World, client: Client) -> None:
    DataPointFactory(indicator=world.indicator, period="2019", value=Decimal("40"))
    DataPointFactory(indicator=world.indicator, period="2020", value=Decimal("41"))

    response = send(
        as_user(client, world.personas.staff),
        "POST",
        "data-points/bulk/",
        {
            "points": [
                {"indicator": world.indicator.pk, "period": "2019", "value": 40},
                {"indicator": world.indicator.pk, "period": "2020", "value": "42.5%"},
                {"indicator": world.indicator.pk, "period": "2021", "value": "*"},
                {
                    "indicator": world.indicator.pk,
                    "period": "2021",
                    "category": world.white.pk,
                    "value": 61.25,
                },
                {"measure": world.measure.pk, "period": "2021-Q3", "value": "1,234"},
            ]
        },
    )

    assert response.status_code == 200
    assert response.json() == {"created": 3, "updated": 1, "unchanged": 1}
    assert values(indicator=world.indicator) == [
        ("2019", None, Decimal("40.0000"), False, ""),
        ("2020", None, Decimal("42.5000"), False, ""),
        ("2021", None, None, True, "*"),
        ("2021", world.white.pk, Decimal("61.2500"), False, ""),
    ]
    assert values(measure=world.measure) == [("2021-Q3", None, Decimal("1234.0000"), False, "")]


def test_bulk_upsert_with_one_bad_row_writes_nothing_and_names_it(
    world: World, client: Client
) -> None:
    DataPointFactory(indicator=world.indicator, period="2019", value=Decimal("40"))
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "data-points/bulk/",
        {
            "points": [
                {"indicator": world.indicator.pk, "period": "2019", "value": 44},
                {"indicator": world.indicator.pk, "period": "2020", "value": 45},
                {"indicator": world.indicator.pk, "period": "2021", "value": "about 50"},
                {"indicator": world.indicator.pk, "period": "2022", "value": 47},
            ]
        },
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"points[2].value": ["“about 50” is not a number."]},
        "1 of 4 points have problems; nothing was written.",
    )
    assert snapshot() == before


def test_bulk_upsert_names_every_problem_by_index_and_field(world: World, client: Client) -> None:
    theirs: Any = CategoryFactory(dimension__initiative__organization=world.personas.other_org)
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "data-points/bulk/",
        {
            "points": [
                {"indicator": world.indicator.pk, "period": "2020", "value": 45},
                {"indicator": world.indicator.pk, "period": "next year", "value": 45},
                {"indicator": world.indicator.pk, "period": "2020", "value": 46},
                {"indicator": world.indicator.pk, "period": "2021", "value": "140"},
                {"indicator": world.indicator.pk, "period": "2021", "category": theirs.pk},
                {"period": "2021", "value": 1},
                {"measure": world.measure.pk, "period": "2021", "value": True},
                {"measure": world.measure.pk, "period": "2022"},
            ]
        },
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {
        "points[1].period",
        "points[2].period",
        "points[3].value",
        "points[4].category",
        "points[5].indicator",
        "points[6].value",
    }
    assert fields["points[2].period"] == [
        "points[0] already gives the value of 2020 for this group."
    ]
    assert fields["points[3].value"] == [
        "“140” is an out-of-range percent: percentages go from 0 to 100."
    ]
    assert fields["points[4].category"] == [f'Invalid pk "{theirs.pk}" - object does not exist.']
    assert fields["points[5].indicator"] == ["Give either an indicator or a measure (not both)."]
    assert fields["points[6].value"] == ["Give the value as a number or as text."]
    assert response.json()["error"]["message"] == (
        "6 of 8 points have problems; nothing was written."
    )
    assert snapshot() == before


def test_bulk_upsert_rule_of_the_service_refuses_the_whole_request(
    world: World, client: Client
) -> None:
    # A group of another initiative of the same organization: only the service knows.
    elsewhere: Any = CategoryFactory(dimension__initiative__organization=world.personas.org)
    client = as_user(client, world.personas.staff)
    before = snapshot()

    response = send(
        client,
        "POST",
        "data-points/bulk/",
        {
            "points": [
                {"indicator": world.indicator.pk, "period": "2020", "value": 45},
                {"measure": world.measure.pk, "period": "2020"},
                {
                    "indicator": world.indicator.pk,
                    "period": "2021",
                    "category": elsewhere.pk,
                    "value": 45,
                },
            ]
        },
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {
            "points[1].value": ["Give a value, or mark it as suppressed."],
            "points[2].category": ["That group is not one of this initiative's."],
        },
        "2 of 3 points have problems; nothing was written.",
    )
    assert snapshot() == before


def test_bulk_upsert_refuses_more_than_its_limit(world: World, client: Client) -> None:
    rows = [
        {"indicator": world.indicator.pk, "period": f"2024-{1 + i % 12:02d}", "value": 1}
        for i in range(BULK_MAX + 1)
    ]

    response = send(
        as_user(client, world.personas.staff), "POST", "data-points/bulk/", {"points": rows}
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"points": [f"Send at most {BULK_MAX} data points at once; this request has 1001."]}
    )
    assert DataPoint.objects.count() == 0


@pytest.mark.parametrize("body", [{}, {"points": []}, {"points": "2020,45"}, [1, 2]])
def test_bulk_upsert_needs_a_list_of_points(body: Any, world: World, client: Client) -> None:
    response = send(as_user(client, world.personas.staff), "POST", "data-points/bulk/", body)

    assert response.status_code == 400
    assert response.json() == invalid({"points": ["Send a list of data points."]})


# --- Tokens ---------------------------------------------------------------------------------


def test_read_only_token_reads_but_cannot_write(world: World, client: Client) -> None:
    headers = token(world.personas, can_write=False)
    before = snapshot()

    read = send(client, "GET", "data-points/", headers=headers)
    writes = [
        send(
            client,
            "POST",
            "data-points/bulk/",
            {"points": [{"indicator": world.indicator.pk, "period": "2023", "value": 1}]},
            headers=headers,
        ),
        send(
            client,
            "PATCH",
            f"indicators/{world.indicator.pk}/",
            {"name": "Changed"},
            headers=headers,
        ),
    ]

    assert read.status_code == 200
    assert [r.status_code for r in writes] == [403, 403]
    assert [r.json() for r in writes] == [READ_ONLY_TOKEN, READ_ONLY_TOKEN]
    assert snapshot() == before


def test_writing_token_of_staff_upserts(world: World, client: Client) -> None:
    headers = token(world.personas, can_write=True)

    response = send(
        client,
        "POST",
        "data-points/bulk/",
        {"points": [{"indicator": world.indicator.pk, "period": "2023", "value": 1}]},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}


# --- Query counts ---------------------------------------------------------------------------


def _fill(world: World, rows: int) -> None:
    for n in range(rows):
        indicator: Any = IndicatorFactory(result=world.result)
        PerformanceMeasureFactory(initiative=world.initiative)
        DataPointFactory(indicator=indicator, period=str(2000 + n), category=world.white)


# Session, user and membership (3), then the count and the page (2).
LIST_QUERIES = 5


@pytest.mark.parametrize("path", ["indicators/", "performance-measures/", "data-points/"])
@pytest.mark.parametrize("rows", [1, 8])
def test_list_query_count_does_not_grow(
    path: str, rows: int, world: World, client: Client, django_assert_num_queries: Any
) -> None:
    Indicator.objects.all().delete()
    PerformanceMeasure.objects.all().delete()
    _fill(world, rows)
    client = as_user(client, world.personas.partner)

    with django_assert_num_queries(LIST_QUERIES):
        response = send(client, "GET", path)

    assert response.status_code == 200
    assert response.json()["count"] == rows


def test_page_of_points_answers_in_the_documented_shape(world: World, client: Client) -> None:
    point: Any = DataPointFactory(indicator=world.indicator, category=world.hispanic)

    response = send(as_user(client, world.personas.partner), "GET", "data-points/")

    assert response.json() == page([point_body(point)])
