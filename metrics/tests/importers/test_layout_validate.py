"""Layout detection, the proposed mapping, and the per-row check of real-world files."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from metrics.importers.layout import (
    LONG,
    WIDE,
    Mapping,
    detect_layout,
    header_signature,
    mapping_problems,
    propose_mapping,
)
from metrics.importers.read import read_table
from metrics.importers.validate import Checked, Context, IndicatorInfo, check_rows
from metrics.tests.importers.files import sample

THIRD = IndicatorInfo(1, "Third graders reading at grade level", "percent")
READY = IndicatorInfo(2, "Kindergarten readiness", "count")
ENROLLED = IndicatorInfo(3, "Kindergarten enrollment", "count")
CONTEXT = Context(
    indicators={i.name.casefold(): i for i in (THIRD, READY, ENROLLED)},
    categories={
        ("race/ethnicity", "hispanic or latino"): 10,
        ("race/ethnicity", "black or african american"): 11,
        ("race/ethnicity", "asian"): 12,
        ("race/ethnicity", "white"): 13,
    },
    dimensions={"race/ethnicity": "Race/ethnicity"},
    category_names={
        10: "Hispanic or Latino",
        11: "Black or African American",
        12: "Asian",
        13: "White",
    },
)


def check(name: str, *, fixed: IndicatorInfo | None = None, **options: object) -> Checked:
    table = read_table(sample(name), file_name=name)
    mapping = propose_mapping(table.columns, indicator_name=fixed.name if fixed else "")
    mapping = dataclasses.replace(mapping, **options)  # type: ignore[arg-type]
    assert mapping_problems(mapping, table.columns, fixed_indicator=fixed is not None) == []
    return check_rows(
        table.frame,
        mapping,
        dataclasses.replace(CONTEXT, fixed=fixed),
        header_row=table.header_rows[-1],
        extra_columns=table.extra_columns,
    )


def rows(checked: Checked) -> list[tuple[object, ...]]:
    return [
        (p.row, p.period.label, p.category_id, p.value, p.suppressed, p.marker)
        for p in checked.points
    ]


def test_period_headers_make_a_file_wide() -> None:
    assert detect_layout(["District", "2015", "2016", "2017"]) == WIDE
    assert detect_layout(["Group", "SY2019-20", "SY2020-21"]) == WIDE
    assert detect_layout(["Group", "Rate / 2019", "Rate / 2020"]) == WIDE
    assert detect_layout(["Indicator", "Year", "Value"]) == LONG
    assert detect_layout(["Name", "2024"]) == LONG


def test_a_signature_leaves_out_the_periods_so_next_years_file_is_the_same_source() -> None:
    this_year = header_signature(["District", "Student group", "2019", "2020"])
    assert header_signature([" district", "Student  group", "2019", "2020", "2021"]) == this_year
    assert header_signature(["District", "Group", "2019", "2020"]) != this_year


def test_a_remembered_mapping_is_proposed_again_with_the_new_period_columns() -> None:
    remembered = Mapping(
        layout=WIDE,
        columns={"category": "Student group"},
        period_columns={"2019": "2019"},
        dimension_name="Race/ethnicity",
        parentheses_negative=True,
    ).to_json()

    mapping = propose_mapping(["District", "Student group", "2019", "2020"], remembered)

    assert mapping == Mapping(
        layout=WIDE,
        columns={"category": "Student group"},
        period_columns={"2019": "2019", "2020": "2020"},
        dimension_name="Race/ethnicity",
        parentheses_negative=True,
    )


def test_long_file_columns_are_guessed_from_their_names_in_english_and_spanish() -> None:
    assert propose_mapping(["Indicador", "Año", "Raza/etnia", "Valor", "Fuente"]) == Mapping(
        layout=LONG,
        columns={
            "indicator": "Indicador",
            "period": "Año",
            "category": "Raza/etnia",
            "value": "Valor",
            "source": "Fuente",
        },
        dimension_name="Raza/etnia",
    )
    assert propose_mapping(["Month", "Families served"]).columns == {
        "period": "Month",
        "value": "Families served",
    }


def test_a_file_with_no_recognisable_columns_says_what_is_missing() -> None:
    columns = ["Foo", "Bar"]
    assert mapping_problems(propose_mapping(columns), columns, fixed_indicator=False) == [
        "No column holds the period.",
        "No column holds the value.",
        "No column names the indicator: choose one, or import into one indicator.",
    ]


def test_report_card_wide_file_keeps_suppressed_cells_as_suppressed() -> None:
    checked = check("report_card_wide.csv", fixed=THIRD)

    assert checked.errors == []
    assert checked.blank_cells == 1
    assert rows(checked) == [
        (4, "SY2015-16", None, Decimal("45.2"), False, ""),
        (4, "SY2016-17", None, Decimal("46"), False, ""),
        (4, "SY2017-18", None, Decimal("47.5"), False, ""),
        (4, "SY2018-19", None, Decimal("48.1"), False, ""),
        (5, "SY2015-16", 10, Decimal("38.4"), False, ""),
        (5, "SY2016-17", 10, None, True, "*"),
        (5, "SY2017-18", 10, Decimal("40.2"), False, ""),
        (5, "SY2018-19", 10, Decimal("41"), False, ""),
        (6, "SY2015-16", 11, Decimal("31"), False, ""),
        (6, "SY2016-17", 11, None, True, "<10"),
        (6, "SY2017-18", 11, None, True, "n<10"),
        (6, "SY2018-19", 11, Decimal("33.3"), False, ""),
        (7, "SY2015-16", 12, None, True, "--"),
        (7, "SY2016-17", 12, Decimal("62.5"), False, ""),
        (7, "SY2018-19", 12, None, True, "N/A"),
        (8, "SY2015-16", 13, Decimal("55"), False, ""),
        (8, "SY2016-17", 13, Decimal("56.1"), False, ""),
        (8, "SY2017-18", 13, Decimal("57"), False, ""),
        (8, "SY2018-19", 13, Decimal("57.9"), False, ""),
    ]
    assert {p.period.start.isoformat() for p in checked.points if p.row == 4} == {
        "2015-07-01",
        "2016-07-01",
        "2017-07-01",
        "2018-07-01",
    }


def test_merged_header_workbook_imports_the_group_named_for_the_indicator() -> None:
    checked = check("report_card_merged.xlsx", fixed=THIRD)

    assert checked.errors == []
    assert [p.column for p in checked.points][:3] == [
        "Percent proficient / SY2017-18",
        "Percent proficient / SY2018-19",
        "Percent proficient / SY2019-20",
    ]
    assert rows(checked) == [
        (5, "SY2017-18", None, Decimal("45.2"), False, ""),
        (5, "SY2018-19", None, Decimal("46.1"), False, ""),
        (5, "SY2019-20", None, Decimal("47.5"), False, ""),
        (6, "SY2017-18", 10, Decimal("38.4"), False, ""),
        (6, "SY2018-19", 10, None, True, "*"),
        (6, "SY2019-20", 10, Decimal("40.2"), False, ""),
        (7, "SY2017-18", 12, None, True, "n<10"),
        (7, "SY2018-19", 12, None, True, "n<10"),
        (7, "SY2019-20", 12, Decimal("62.5"), False, ""),
    ]


def test_the_preview_catches_every_problem_by_row_and_column() -> None:
    checked = check("long_with_problems.csv")

    assert [str(e) for e in checked.errors] == [
        "Row 3, column “Value”: “about 40” is not a number.",
        "Row 4, column “Period”: “Spring” is not a period: write a year (2024), a school year "
        "(SY2019-20), a quarter (2024-Q3), a month (2024-03) or a date (2024-03-15).",
        "Row 5, column “Group”: “Martian” is not a group of any disaggregation of this "
        "initiative. Add it first, or name the disaggregation and let the import create the "
        "groups the file names.",
        "Row 6, column “Value”: The value for Third graders reading at grade level, 2019, "
        "Hispanic or Latino is also on row 2.",
        "Row 7, column “Value”: “142%” is an out-of-range percent: percentages go from 0 to 100.",
        "Row 8, column “Value”: “(3)” is in parentheses. If this column writes negative numbers "
        "in parentheses, say so in the column choices; otherwise write -12.",
        "Row 9, column “Column E”: This row has more cells than the header has columns; a "
        "number with a comma and no quotes (1,234) splits in two. Nothing of this row is "
        "imported.",
    ]
    assert checked.errors[0].to_json() == {
        "row": 3,
        "column": "Value",
        "message": "“about 40” is not a number.",
    }
    assert [(p.row, p.indicator_id) for p in checked.points] == [(2, 1), (10, 2)]
    assert rows(checked) == [
        (2, "2019", 10, Decimal("41.5"), False, ""),
        (10, "2020", None, None, True, "<10"),
    ]


def test_accented_groups_of_a_windows_1252_file_are_created_only_when_chosen() -> None:
    refused = check("enrollment_cp1252.csv")
    assert [str(e) for e in refused.errors][:1] == [
        "Row 2, column “Raza/etnia”: This initiative has no disaggregation called "
        "“Raza/etnia”. Add it first, or let the import create the groups the file names."
    ]
    assert len(refused.errors) == 4

    checked = check("enrollment_cp1252.csv", create_categories=True)

    assert checked.errors == []
    assert checked.new_categories == [("Raza/etnia", "Hispanic/Latino"), ("Raza/etnia", "Asiático")]
    assert [(p.period.label, p.new_category, p.value, p.source) for p in checked.points] == [
        ("2022", ("Raza/etnia", "Hispanic/Latino"), Decimal("1234"), "Distrito"),
        ("2022", ("Raza/etnia", "Asiático"), Decimal("312"), "Distrito"),
        ("2023", ("Raza/etnia", "Hispanic/Latino"), Decimal("1301"), "Distrito"),
        ("2023", ("Raza/etnia", "Asiático"), Decimal("298"), "Distrito"),
        ("2023", None, Decimal("12045"), "Distrito"),
    ]


def test_a_month_column_of_excel_dates_is_read_as_months() -> None:
    checked = check("monthly_dates.xlsx", fixed=READY)

    assert checked.errors == []
    assert [(p.period.label, p.period.kind, p.value) for p in checked.points] == [
        ("2024-01", "month", Decimal("120")),
        ("2024-02", "month", Decimal("131")),
        ("2024-03", "month", Decimal("1408")),
    ]


def _long(values: list[str]) -> Checked:
    import pandas as pd

    frame = pd.DataFrame(
        {"Year": [str(2010 + i) for i in range(len(values))], "Value": values},
        index=range(2, 2 + len(values)),
    )
    mapping = Mapping(layout=LONG, columns={"period": "Year", "value": "Value"})
    return check_rows(frame, mapping, dataclasses.replace(CONTEXT, fixed=THIRD))


def test_percentages_and_fractions_mixed_in_one_column_are_an_error() -> None:
    checked = _long(["45.2%", "0.461", "47%"])
    assert [str(e) for e in checked.errors] == [
        "Row 3, column “Value”: This column mixes units: some cells are percentages (45.2%) and "
        "some look like fractions (0.452)."
    ]


def test_a_percent_column_of_fractions_is_read_only_when_declared() -> None:
    assert [str(e) for e in _long(["0.452", "0.461"]).errors] == [
        "Row 2, column “Value”: The values of this column look like fractions (0.452), not "
        "percentages from 0 to 100. If they are fractions, choose “Percentages written as "
        "fractions”."
    ]
    import pandas as pd

    frame = pd.DataFrame({"Year": ["2010", "2011"], "Value": ["0.452", "46.1%"]}, index=[2, 3])
    mapping = Mapping(
        layout=LONG, columns={"period": "Year", "value": "Value"}, percent_as_fraction=True
    )
    checked = check_rows(frame, mapping, dataclasses.replace(CONTEXT, fixed=THIRD))
    assert checked.errors == []
    assert [p.value for p in checked.points] == [Decimal("45.2"), Decimal("46.1")]


def test_a_value_repeated_in_a_large_file_is_read_for_each_indicator_s_unit_and_each_row() -> None:
    import pandas as pd

    # The same texts under a percent and a count indicator, over and over: each read is
    # remembered per unit, and every row still gets its own point or its own error.
    names = [THIRD.name, READY.name] * 3
    frame = pd.DataFrame(
        {
            "Indicator": names,
            "Year": ["2010", "2010", "2011", "2011", "2012", "2012"],
            "Value": ["150", "150", "1,234", "1,234", "(12)", "(12)"],
        },
        index=range(2, 8),
    )
    mapping = Mapping(
        layout=LONG, columns={"indicator": "Indicator", "period": "Year", "value": "Value"}
    )

    checked = check_rows(frame, mapping, CONTEXT)

    assert [str(e) for e in checked.errors] == [
        "Row 2, column “Value”: “150” is an out-of-range percent: percentages go from 0 to 100.",
        "Row 4, column “Value”: “1,234” is an out-of-range percent: percentages go from 0 to 100.",
        "Row 6, column “Value”: “(12)” is in parentheses. If this column writes negative numbers "
        "in parentheses, say so in the column choices; otherwise write -12.",
        "Row 7, column “Value”: “(12)” is in parentheses. If this column writes negative numbers "
        "in parentheses, say so in the column choices; otherwise write -12.",
    ]
    assert [(p.row, p.indicator_id, p.value, p.suppressed, p.marker) for p in checked.points] == [
        (3, READY.id, Decimal("150"), False, ""),
        (5, READY.id, Decimal("1234"), False, ""),
    ]


SAME_EITHER_WAY = (
    "Indicator,Year,Disaggregation,Student group,Value,Source,Note\n"
    "Third graders reading at grade level,2019,Race/ethnicity,Hispanic or Latino,45.2%,SDE, a\n"
    "Third graders reading at grade level,2019,,All students,0.452,SDE,\n"
    "Third graders reading at grade level,2020,Race/ethnicity,Asian, 61 ,SDE,\n"
    "Third graders reading at grade level,2020,Race/ethnicity,Hispanic or Latino,*,,\n"
    "Third graders reading at grade level,2020,,Total,<10,,\n"
    "Third graders reading at grade level,2021,Race/ethnicity,White,,,\n"
    "third  graders reading at grade level,2021,Race/ethnicity,Black or African American,"
    "100%,,\n"
    'Kindergarten readiness,SY2019-20,Race/ethnicity,White,"1,234",,\n'
    "Kindergarten readiness,SY2019-20,Gender,Girls,(12),,\n"
    "Kindergarten readiness,SY2019-20,,All,n<10,,\n"
    "Kindergarten enrollment,2024-Q3,Race/ethnicity,Asian,1 234.5,,\n"
    "Kindergarten enrollment,2024-Q3,Race/ethnicity,White,0.00001,,\n"
    "Kindergarten enrollment,2024-Q3,,All students,-0,,\n"
)


def test_a_clean_long_file_gives_the_same_points_read_by_column_or_row_by_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The column-by-column pass for clean text tables and the row-by-row check agree, cell for
    cell, whatever the options; and a file with any problem is left to the row-by-row check."""
    from metrics.importers import validate

    table = read_table(SAME_EITHER_WAY.encode(), file_name="same.csv")
    base = propose_mapping(table.columns)

    def outcome(mapping: Mapping) -> tuple[object, ...]:
        checked = check_rows(
            table.frame,
            mapping,
            CONTEXT,
            header_row=table.header_rows[-1],
            extra_columns=table.extra_columns,
            progress=lambda done, total: calls.append((done, total)),
            every=4,
        )
        return (
            [dataclasses.astuple(p) for p in checked.points],
            [str(p.value) for p in checked.points],
            [str(e) for e in checked.errors],
            checked.new_categories,
            checked.blank_cells,
        )

    for options in (
        {"create_categories": True, "parentheses_negative": True},
        {"create_categories": True, "parentheses_negative": True, "percent_as_fraction": True},
        {"create_categories": True},  # (12) is an error: left to the row-by-row check
        {},  # Gender is not a disaggregation here: the same
    ):
        mapping = dataclasses.replace(base, **options)  # type: ignore[arg-type]
        calls: list[tuple[int, int]] = []
        fast = outcome(mapping)
        fast_calls = calls
        calls = []
        with monkeypatch.context() as patch:
            patch.setattr(validate, "_check_clean_text", lambda *a, **k: None)
            slow = outcome(mapping)
        assert fast == slow, options
        assert fast_calls == calls == [(4, 13), (8, 13), (12, 13), (13, 13)]

    clean = dataclasses.replace(base, create_categories=True, parentheses_negative=True)
    assert (
        validate._check_clean_text(
            table.frame, clean, CONTEXT, extra_columns=(), progress=None, every=4
        )
        is not None
    )
    assert (
        validate._check_clean_text(
            table.frame, base, CONTEXT, extra_columns=(), progress=None, every=4
        )
        is None
    )
