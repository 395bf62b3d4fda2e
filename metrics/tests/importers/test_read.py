"""Reading uploaded data files: real-world shapes in, a table of cells out, or one refusal."""

from __future__ import annotations

import io
from datetime import date

import pytest

from metrics.importers.read import MAX_UPLOAD_BYTES, ReadError, Table, read_table
from metrics.tests.importers.files import sample

NOT_A_SPREADSHEET = (
    "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as CSV or .xlsx and try again."
)
DAMAGED = "This Excel file could not be read; it may be damaged. Save it again, or as CSV."


def refusal(content: bytes, name: str = "") -> str:
    with pytest.raises(ReadError) as caught:
        read_table(content, file_name=name)
    return str(caught.value)


def split(table: Table) -> dict[str, object]:
    return table.frame.to_dict("split")


def test_report_card_csv_skips_its_title_keeps_its_footnotes_and_strips_cells() -> None:
    table = read_table(sample("report_card_wide.csv"), file_name="report_card_wide.csv")

    assert (table.kind, table.encoding, table.delimiter) == ("csv", "utf-8", ",")
    assert table.header_rows == [3]
    assert table.notes == [
        "* Fewer than 10 students tested; results are suppressed.",
        "Source: State Department of Education, 2019.",
    ]
    assert split(table) == {
        "index": [4, 5, 6, 7, 8],
        "columns": [
            "District",
            "Student group",
            "SY2015-16",
            "SY2016-17",
            "SY2017-18",
            "SY2018-19",
        ],
        "data": [
            ["Lakeshore", "All students", "45.2%", "46.0%", "47.5%", "48.1%"],
            ["Lakeshore", "Hispanic or Latino", "38.4%", "*", "40.2%", "41.0%"],
            ["Lakeshore", "Black or African American", "31.0%", "<10", "n<10", "33.3%"],
            ["Lakeshore", "Asian", "--", "62.5%", "", "N/A"],
            ["Lakeshore", "White", "55.0%", "56.1%", "57.0%", "57.9%"],
        ],
    }


def test_windows_1252_semicolon_file_is_decoded_and_sniffed() -> None:
    content = sample("enrollment_cp1252.csv")
    assert "Asiático".encode("cp1252") in content

    table = read_table(content, file_name="enrollment.csv")

    assert (table.encoding, table.delimiter) == ("windows-1252", ";")
    assert table.columns == ["Indicador", "Año", "Raza/etnia", "Valor", "Fuente"]
    assert [row[2] for row in split(table)["data"]] == [  # type: ignore[attr-defined]
        "Hispanic/Latino",
        "Asiático",
        "Hispanic/Latino",
        "Asiático",
        "Todos",
    ]
    assert list(table.frame["Valor"]) == ["1,234", "312", "1,301", "298", "12,045"]


def test_a_row_with_a_cell_too_many_is_read_under_a_column_of_its_own() -> None:
    table = read_table(sample("long_with_problems.csv"))

    assert table.columns == ["Indicator", "Period", "Group", "Value", "Column E"]
    assert table.extra_columns == ["Column E"]
    assert list(table.frame.loc[9]) == ["Kindergarten readiness", "2019", "", "1", "234"]


def test_merged_header_rows_are_flattened_and_percent_cells_read_as_percentages() -> None:
    table = read_table(sample("report_card_merged.xlsx"), file_name="report card.xlsx")

    assert (table.kind, table.sheet, table.header_rows) == ("xlsx", "Report card", [3, 4])
    assert table.notes == ["* Fewer than 10 students tested."]
    assert split(table) == {
        "index": [5, 6, 7],
        "columns": [
            "Student group",
            "Percent proficient / SY2017-18",
            "Percent proficient / SY2018-19",
            "Percent proficient / SY2019-20",
            "Number tested / SY2019-20",
        ],
        "data": [
            ["All students", "45.2%", "46.1%", "47.5%", 2012],
            ["Hispanic or Latino", "38.4%", "*", "40.2%", 655],
            ["Asian", "n<10", "n<10", "62.5%", 8],
        ],
    }


def test_excel_date_cells_stay_dates() -> None:
    table = read_table(sample("monthly_dates.xlsx"), file_name="monthly.xlsx")

    assert split(table) == {
        "index": [2, 3, 4],
        "columns": ["Month", "Families served"],
        "data": [[date(2024, 1, 1), 120], [date(2024, 2, 1), 131], [date(2024, 3, 1), 1408]],
    }


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_parsing() -> None:
    assert refusal(sample("zip_bomb.xlsx"), "data.xlsx") == (
        "This Excel file unpacks to more than 200 MB. Save it as CSV, or split it."
    )


def test_a_zip_member_that_inflates_past_its_declared_size_is_refused() -> None:
    assert refusal(sample("lying_zip_bomb.xlsx"), "data.xlsx") == DAMAGED


def test_xml_entity_expansion_is_refused() -> None:
    assert refusal(sample("entity_expansion.xlsx"), "data.xlsx") == (
        "This Excel file contains XML entity declarations, which are refused for safety. Open "
        "it in Excel, save it again, and try again."
    )


def test_a_file_over_20_mb_is_refused_without_reading_past_the_limit() -> None:
    stream = io.BytesIO(b"a,b\n" + b"1,2\n" * (MAX_UPLOAD_BYTES // 4))
    with pytest.raises(ReadError) as caught:
        read_table(stream, file_name="big.csv")
    assert str(caught.value) == (
        "This file is larger than 20 MB. Split it into smaller files and import each."
    )
    assert stream.tell() == MAX_UPLOAD_BYTES + 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 ...", "report.pdf", NOT_A_SPREADSHEET),
        (b"Year,Value\n2024,1\n", "report.pdf", NOT_A_SPREADSHEET),
        (b"\x00\x01\x02binary\x00", "data.csv", NOT_A_SPREADSHEET),
        (b"Year,Value\n2024,1\n", "data.xlsx", NOT_A_SPREADSHEET),
        (b"PK\x03\x04not really a zip", "data.xlsx", NOT_A_SPREADSHEET),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old",
            "data.xls",
            "Old Excel files (.xls) cannot be read. Save it as .xlsx or CSV and try again.",
        ),
        (b"  \n\n ", "data.csv", "This file is empty."),
        (b",,,\n,,\n", "data.csv", "This file is empty."),
    ],
)
def test_what_is_not_a_data_file_is_refused(content: bytes, name: str, message: str) -> None:
    assert refusal(content, name) == message
