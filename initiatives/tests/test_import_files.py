"""Reading uploaded spreadsheets: what is a CSV or an XLSX is decided by the content, and
anything else is refused with one message."""

from __future__ import annotations

import io
import zipfile

import pytest

from initiatives.importers.fields import propose_mapping
from initiatives.importers.files import MAX_UPLOAD_BYTES, ImportFileError, read_upload
from initiatives.tests.import_helpers import sample, xlsx, zip_bomb

NOT_A_SPREADSHEET = (
    "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as CSV or .xlsx and try again."
)


def read(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    sheet = read_upload(io.BytesIO(content))
    return sheet.headers, sheet.rows


def refusal(content: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_upload(io.BytesIO(content))
    return str(caught.value)


def test_utf8_bom_and_windows_line_endings_are_read_as_plain_text() -> None:
    content = sample("people_200_bom_crlf.csv")
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.count(b"\r\n") == 201

    headers, rows = read(content)

    assert headers == [
        "First name",
        "Last name",
        "E-mail",
        "Phone",
        "Organization",
        "Job title",
        "Language",
        "Community member",
        "Race/Ethnicity",
        "Gender",
    ]
    assert len(rows) == 200
    assert rows[0] == (
        2,
        [
            "Ana",
            "Alvarez",
            "Ana.Alvarez0@Partners.Example.org",
            "(555) 010-0000",
            "Lakeshore Public Schools",
            "Principal",
            "English",
            "yes",
            "Hispanic or Latino/a/e",
            "Woman",
        ],
    )
    assert rows[-1][0] == 201
    assert all(not cell.endswith("\r") for _n, row in rows for cell in row)


def test_windows_1252_accents_are_decoded() -> None:
    headers, rows = read(sample("people_cp1252.csv"))

    assert headers == ["Name", "Email", "Organization", "Preferred language", "Title"]
    assert [row[0] for _n, row in rows] == ["José Peña", "María Núñez", "François Côté"]
    assert rows[0][1][3] == "Español"


def test_a_binary_file_renamed_csv_is_refused() -> None:
    assert refusal(sample("not_a_spreadsheet.csv")) == NOT_A_SPREADSHEET


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", b",,,\r\n,,\r\n"])
def test_an_empty_file_is_refused(content: bytes) -> None:
    assert refusal(content) == "This file is empty."


def test_a_file_over_10_mb_is_refused_before_it_is_parsed() -> None:
    content = b"Name,Email\r\n" + b"x" * (MAX_UPLOAD_BYTES - 11)
    assert len(content) == MAX_UPLOAD_BYTES + 1

    assert refusal(content) == (
        "This file is larger than 10 MB. Split it into smaller files and import each."
    )


def test_a_file_of_exactly_10_mb_is_read() -> None:
    filler = "a" * 1000
    lines = ["Name"] + [filler] * ((MAX_UPLOAD_BYTES - 6) // 1002)
    content = "\r\n".join(lines).encode()
    content += b"b" * (MAX_UPLOAD_BYTES - len(content))
    assert len(content) == MAX_UPLOAD_BYTES

    with pytest.raises(ImportFileError, match="rows; import at most 5,000 at a time"):
        read_upload(io.BytesIO(content))


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = zip_bomb(60)
    assert len(bomb) < 200_000

    assert refusal(bomb) == (
        "This Excel file unpacks to more than 50 MB. Save it as CSV, or split it."
    )


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")

    assert refusal(out.getvalue()) == NOT_A_SPREADSHEET


def test_a_damaged_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml at all")
        archive.writestr("xl/workbook.xml", "<workbook")

    assert refusal(out.getvalue()) == (
        "This Excel file could not be read; it may be damaged. Save it again, or as CSV."
    )


def test_an_old_xls_file_is_refused_with_what_to_do() -> None:
    content = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512

    assert refusal(content) == (
        "Old Excel files (.xls) cannot be read. Save it as .xlsx or CSV and try again."
    )


def test_an_xlsx_made_with_openpyxl_keeps_numbers_and_row_numbers() -> None:
    content = xlsx(
        [
            ["Name", "Sector", "Budget", "Community-led"],
            ["Northside Family Center", "Non-profit", 120000, True],
            [None, None, None, None],
            ["Grace Community Church", "Faith", 1.5, "no"],
        ]
    )

    headers, rows = read(content)

    assert headers == ["Name", "Sector", "Budget", "Community-led"]
    assert rows == [
        (2, ["Northside Family Center", "Non-profit", "120000", "True"]),
        (4, ["Grace Community Church", "Faith", "1.5", "no"]),
    ]


def test_ragged_rows_get_named_extra_columns_and_semicolons_are_understood() -> None:
    headers, rows = read(b"Name;Email\nAna;ana@example.org;extra\n;\nBo\n")

    assert headers == ["Name", "Email", "Column C"]
    assert rows == [(2, ["Ana", "ana@example.org", "extra"]), (4, ["Bo", "", ""])]


def test_more_than_5000_rows_is_refused() -> None:
    content = ("Name\n" + "Someone\n" * 5001).encode()

    assert refusal(content) == "This file has 5,001 rows; import at most 5,000 at a time."


def test_headers_are_matched_to_fields_by_label_or_common_name() -> None:
    assert propose_mapping(
        "people",
        ["Full Name", "E-mail Address", "Organisation", "Idioma", "Resident", "Favorite color"],
    ) == [
        "full_name",
        "email",
        "partner_organization",
        "preferred_language",
        "is_community_member",
        "",
    ]
    # A display name next to first and last name columns: the parts win.
    assert propose_mapping("people", ["Name", "First name", "Last name"]) == [
        "",
        "first_name",
        "last_name",
    ]
    assert propose_mapping("partners", ["Organization", "Type", "Annual revenue", "URL"]) == [
        "name",
        "sector",
        "size_band",
        "website",
    ]
