"""Staff track disparity gaps from an indicator's page: add one (two groups of a disaggregation
the indicator has data for, a name and a target), change it, delete it. Bad input is refused on
its field and writes nothing; reading the forms writes nothing; only staff may."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from backbone.roles import Role
from initiatives.tests.factories import InitiativeFactory, ResultFactory
from metrics import services
from metrics.models import Category, DataPoint, Dimension, DisparityGap, Indicator
from metrics.services import data_point_upsert
from metrics.tests.factories import CategoryFactory, DimensionFactory, IndicatorFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot

pytestmark = pytest.mark.django_db


@dataclass
class World:
    indicator: Indicator
    race: Dimension
    white: Category
    black: Category
    asian: Category
    income: Dimension
    low_income: Category


@pytest.fixture
def world(personas: Personas) -> World:
    initiative: Any = InitiativeFactory(organization=personas.org, name="Lakeshore Reads")
    result: Any = ResultFactory(initiative=initiative, statement="Children read well.")
    indicator: Any = IndicatorFactory(result=result, name="Third graders reading at grade level")
    race: Any = DimensionFactory(initiative=initiative, name="Race/ethnicity")
    white: Any = CategoryFactory(dimension=race, name="White")
    black: Any = CategoryFactory(dimension=race, name="Black")
    asian: Any = CategoryFactory(dimension=race, name="Asian")
    income: Any = DimensionFactory(initiative=initiative, name="Income")  # no data for it
    low_income: Any = CategoryFactory(dimension=income, name="Low income")
    for year, w, b in [(2020, "50", "30"), (2021, "51", "33")]:
        data_point_upsert(subject=indicator, period=str(year), value=Decimal(w), category=white)
        data_point_upsert(subject=indicator, period=str(year), value=Decimal(b), category=black)
    return World(indicator, race, white, black, asian, income, low_income)


def _new(world: World) -> str:
    return f"/o/lakeshore/indicators/{world.indicator.pk}/gaps/new/"


def _form(world: World, **overrides: Any) -> dict[str, str]:
    data = {
        "dimension": world.race.pk,
        "reference": world.white.pk,
        "focus": world.black.pk,
        "name": "Black and White third graders",
        "target_value": "10",
        "target_period": "2030",
        **overrides,
    }
    return {k: str(v) for k, v in data.items()}


def _gap(world: World, **fields: Any) -> DisparityGap:
    return services.gap_create(
        indicator=world.indicator,
        reference=fields.pop("reference", world.white),
        focus=fields.pop("focus", world.black),
        name=fields.pop("name", "Black and White"),
        target_value=Decimal("10"),
        target_period=fields.pop("target_period", "2030"),
    )


def _rows() -> list[tuple[Any, ...]]:
    return list(
        DisparityGap.objects.values_list(
            "indicator_id",
            "dimension_id",
            "reference_id",
            "focus_id",
            "name",
            "target_value",
            "target_period",
        )
    )


def test_staff_add_a_gap_to_an_indicator(login: Any, personas: Personas, world: World) -> None:
    client = login(personas.staff)

    response = client.post(_new(world), _form(world, target_period="SY2029-30"))

    assert response.status_code == 302
    assert response["Location"] == f"/o/lakeshore/indicators/{world.indicator.pk}/"
    assert _rows() == [
        (
            world.indicator.pk,
            world.race.pk,
            world.white.pk,
            world.black.pk,
            "Black and White third graders",
            Decimal("10"),
            "SY2029-30",
        )
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Black and White third graders" in page
    assert "The disparity gap was added." in page


def test_a_gap_left_unnamed_is_named_after_its_groups(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.staff)

    client.post(_new(world), _form(world, name="", target_value="", target_period=""))

    assert _rows() == [
        (
            world.indicator.pk,
            world.race.pk,
            world.white.pk,
            world.black.pk,
            "Gap between Black and White",
            None,
            "",
        )
    ]


def test_only_disaggregations_with_data_are_offered(
    login: Any, personas: Personas, world: World
) -> None:
    client = login(personas.staff)

    form = client.get(_new(world)).context["form"]

    assert list(form.fields["dimension"].queryset) == [world.race]
    assert [str(c) for c in form.fields["focus"].queryset] == [
        str(world.white),
        str(world.black),
        str(world.asian),
    ]
    assert "Race/ethnicity: Black" in client.get(_new(world)).content.decode()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"focus": "white"}, {"focus": ["Pick two different groups."]}),
        (
            {"focus": "low_income"},
            {"focus": ["Select a valid choice. That choice is not one of the available choices."]},
        ),
        ({"reference": "asian", "dimension": "income"}, "dimension"),
        (
            {"target_period": "2020"},
            {
                "target_period": [
                    "The target period (2020) must come after the first period of the data (2020)."
                ]
            },
        ),
        (
            {"target_period": ""},
            {"target_period": ["Give the gap's target as a value and a period together."]},
        ),
        (
            {"target_period": "someday"},
            "target_period",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(
    login: Any, personas: Personas, world: World, overrides: dict[str, str], errors: Any
) -> None:
    client = login(personas.staff)
    ids = {
        "white": world.white.pk,
        "asian": world.asian.pk,
        "low_income": world.low_income.pk,
        "income": world.income.pk,
    }
    data = _form(world, **{k: ids.get(v, v) for k, v in overrides.items()})
    before = snapshot()

    response = client.post(_new(world), data)

    assert response.status_code == 400
    form_errors = response.context["form"].errors
    if isinstance(errors, str):
        assert list(form_errors) == [errors]
    else:
        assert form_errors == errors
    assert snapshot() == before


def test_a_group_of_another_disaggregation_is_refused(
    login: Any, personas: Personas, world: World
) -> None:
    # Income gets data, so it is offered; its group cannot be paired with race's dimension.
    data_point_upsert(
        subject=world.indicator, period="2021", value=Decimal("20"), category=world.low_income
    )
    client = login(personas.staff)
    before = snapshot()

    response = client.post(_new(world), _form(world, focus=world.low_income.pk))

    assert response.status_code == 400
    assert response.context["form"].errors == {"focus": ["Pick a group of Race/ethnicity."]}
    assert snapshot() == before


def test_staff_edit_a_gap(login: Any, personas: Personas, world: World) -> None:
    gap = _gap(world)
    client = login(personas.staff)
    url = f"/o/lakeshore/gaps/{gap.pk}/edit/"
    initial = client.get(url).context["form"].initial

    response = client.post(url, _form(world, focus=world.asian.pk, name="", target_value="7.5"))

    assert initial["target_value"] == "10"
    assert response.status_code == 302
    assert _rows() == [
        (
            world.indicator.pk,
            world.race.pk,
            world.white.pk,
            world.asian.pk,
            "Gap between Asian and White",
            Decimal("7.5"),
            "2030",
        )
    ]


def test_staff_delete_a_gap_and_the_data_stay(login: Any, personas: Personas, world: World) -> None:
    gap = _gap(world)
    keep = _gap(world, focus=world.asian, name="Asian and White")
    client = login(personas.staff)
    points = DataPoint.objects.count()

    asked = client.get(f"/o/lakeshore/gaps/{gap.pk}/delete/")
    response = client.post(f"/o/lakeshore/gaps/{gap.pk}/delete/")

    assert "Delete this disparity gap?" in asked.content.decode()
    assert response.status_code == 302
    assert list(DisparityGap.objects.values_list("pk", flat=True)) == [keep.pk]
    assert DataPoint.objects.count() == points == 4


def test_reading_the_forms_changes_nothing(login: Any, personas: Personas, world: World) -> None:
    gap = _gap(world)
    client = login(personas.staff)
    before = snapshot()

    statuses = [
        client.get(url).status_code
        for url in (
            _new(world),
            f"/o/lakeshore/gaps/{gap.pk}/edit/",
            f"/o/lakeshore/gaps/{gap.pk}/delete/",
        )
    ]

    assert statuses == [200, 200, 200]
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_only_staff_keep_gaps(login: Any, personas: Personas, world: World, role: Role) -> None:
    gap = _gap(world)
    client = login(personas.by_role(role))
    before = snapshot()

    statuses = [
        client.get(_new(world)).status_code,
        client.post(_new(world), _form(world)).status_code,
        client.post(f"/o/lakeshore/gaps/{gap.pk}/edit/", _form(world, name="X")).status_code,
        client.post(f"/o/lakeshore/gaps/{gap.pk}/delete/").status_code,
    ]

    assert statuses == [403] * 4
    assert snapshot() == before


def test_an_outsider_finds_no_gap(login: Any, personas: Personas, world: World) -> None:
    gap = _gap(world)
    client = login(personas.outsider)
    before = snapshot()

    statuses = [
        client.post(_new(world), _form(world)).status_code,
        client.post(f"/o/lakeshore/gaps/{gap.pk}/edit/", _form(world, name="X")).status_code,
        client.post(f"/o/lakeshore/gaps/{gap.pk}/delete/").status_code,
    ]

    assert statuses == [404] * 3
    assert snapshot() == before


def test_the_page_offers_staff_to_add_edit_and_delete_gaps(
    login: Any, personas: Personas, world: World
) -> None:
    gap = _gap(world)

    staff = login(personas.staff).get(f"/o/lakeshore/indicators/{world.indicator.pk}/")
    partner = login(personas.partner).get(f"/o/lakeshore/indicators/{world.indicator.pk}/")

    for link in (
        _new(world),
        f"/o/lakeshore/gaps/{gap.pk}/edit/",
        f"/o/lakeshore/gaps/{gap.pk}/delete/",
    ):
        assert link in staff.content.decode()
        assert link not in partner.content.decode()


# --- The services ---------------------------------------------------------------------------


def test_gap_update_keeps_the_rules_of_gap_create(world: World) -> None:
    gap = _gap(world)
    other: Any = DimensionFactory(initiative__organization=world.indicator.organization)
    elsewhere: Any = CategoryFactory(dimension=other, name="Elsewhere")
    elsewhere_too: Any = CategoryFactory(dimension=other, name="Elsewhere too")

    refusals = []
    cases: list[dict[str, Any]] = [
        {"reference": world.white, "focus": world.white},
        {"reference": world.white, "focus": world.low_income},
        {"reference": elsewhere, "focus": elsewhere_too},
        {"reference": world.white, "focus": world.black, "target_period": "2019"},
    ]
    for kwargs in cases:
        with pytest.raises(ValidationError) as caught:
            services.gap_update(
                gap=gap,
                target_value=Decimal("5"),
                reference=kwargs["reference"],
                focus=kwargs["focus"],
                target_period=kwargs.get("target_period", "2030"),
            )
        refusals.append(caught.value.message_dict)

    assert refusals == [
        {"focus": ["Pick two different groups."]},
        {"focus": ["The reference and focus groups must be of the same disaggregation."]},
        {"reference": ["That group is not one of this initiative's."]},
        {
            "target_period": [
                "The target period (2019) must come after the first period of the data (2020)."
            ]
        },
    ]
    gap.refresh_from_db()
    assert (gap.focus_id, gap.target_value, gap.target_period) == (
        world.black.pk,
        Decimal("10"),
        "2030",
    )


def test_a_gap_of_groups_without_data_may_target_any_period(world: World) -> None:
    high: Any = CategoryFactory(dimension=world.income, name="High income")

    gap = services.gap_create(
        indicator=world.indicator,
        reference=high,
        focus=world.low_income,
        target_value=Decimal("5"),
        target_period="2010",
    )

    assert (gap.name, gap.target_period, gap.dimension_id) == (
        "Gap between Low income and High income",
        "2010",
        world.income.pk,
    )


def test_gap_delete_removes_only_the_gap(world: World) -> None:
    gap = _gap(world)

    services.gap_delete(gap=gap)

    assert DisparityGap.objects.count() == 0
    assert DataPoint.objects.filter(indicator=world.indicator).count() == 4
    assert Category.objects.filter(pk__in=[world.white.pk, world.black.pk]).count() == 2
