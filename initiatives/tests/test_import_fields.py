"""Turning a spreadsheet cell into a field's value, loosely for the ways people write things, and
with a plain reason when it cannot."""

from __future__ import annotations

import pytest

from initiatives.importers.fields import CellError, field_named


def parse(kind: str, field: str, text: str) -> object:
    return field_named(kind, field).parse(text)


def error(kind: str, field: str, text: str) -> str:
    with pytest.raises(CellError) as caught:
        parse(kind, field, text)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("School district", "school"),
        ("School or district", "school"),
        ("Non-profit", "nonprofit"),
        ("nonprofit", "nonprofit"),
        ("Faith", "faith"),
        ("Faith-based", "faith"),
        ("Community college", "higher_ed"),
        ("County government", "public_agency"),
        ("Family foundation", "funder"),
        ("Neighborhood Association", "resident_association"),
        ("resident_association", "resident_association"),
        ("OTHER", "other"),
    ],
)
def test_sectors_are_matched_by_label_value_or_common_words(text: str, sector: str) -> None:
    assert parse("partners", "sector", text) == sector


def test_an_unknown_sector_names_the_choices() -> None:
    assert error("partners", "sector", "Spaceship") == (
        "“Spaceship” is not a sector we know. Use one of: Nonprofit, Public agency, School or "
        "district, Higher education, Funder, Business, Faith-based, Community or grassroots "
        "group, Resident association, Other."
    )


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("$120,000", "under_250k"),
        ("250000", "250k_1m"),
        ("$999,999.99", "250k_1m"),
        ("1000000", "1m_5m"),
        ("2.5M", "1m_5m"),
        ("$25 million", "over_25m"),
        ("$120,000,000", "over_25m"),
        ("250k", "250k_1m"),
        ("Under $250,000", "under_250k"),
        ("$1 – 5 million", "1m_5m"),
        ("5m_25m", "5m_25m"),
        ("Not known", "unknown"),
    ],
)
def test_budgets_become_bands_from_amounts_or_labels(text: str, band: str) -> None:
    assert parse("partners", "size_band", text) == band


def test_an_unreadable_budget_is_an_error() -> None:
    assert error("partners", "size_band", "about a lot") == (
        "“about a lot” is not an amount or a budget band (Under $250,000, $250,000 – $1 million, "
        "$1 – 5 million, $5 – 25 million, Over $25 million, Not known)."
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [("English", "en"), ("en", "en"), ("Spanish", "es"), ("es", "es"), ("Español", "es")],
)
def test_preferred_language(text: str, language: str) -> None:
    assert parse("people", "preferred_language", text) == language


def test_an_unknown_language_is_an_error() -> None:
    assert error("people", "preferred_language", "French") == "“French” is not English or Spanish."


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *[("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), ("Sí", True)],
        *[("no", False), ("false", False), ("0", False), ("N", False)],
    ],
)
def test_yes_no(text: str, value: bool) -> None:
    assert parse("people", "is_community_member", text) is value


def test_a_yes_no_cell_with_other_words_is_an_error() -> None:
    assert error("people", "is_community_member", "sometimes") == "“sometimes” is not yes or no."


def test_emails_are_checked_and_kept_in_lower_case() -> None:
    assert parse("people", "email", "Ana.Lopez@Example.ORG") == "ana.lopez@example.org"
    assert error("people", "email", "ana@") == "“ana@” is not a valid email address."


def test_demographics_accept_common_words_and_a_declined_answer() -> None:
    assert parse("people", "race_ethnicity", "Latina") == "hispanic"
    assert parse("people", "race_ethnicity", "Black or African American") == "black"
    assert parse("people", "race_ethnicity", "Prefer not to say") == ""
    assert parse("people", "gender", "Female") == "woman"
    assert parse("people", "gender", "Non-binary") == "nonbinary"


def test_websites_get_a_scheme_when_it_is_missing() -> None:
    assert parse("partners", "website", "northside.example.org") == "https://northside.example.org"
    assert error("partners", "website", "not a site") == "“not a site” is not a web address."


def test_text_longer_than_the_field_is_an_error() -> None:
    assert error("people", "full_name", "x" * 201) == "Longer than 200 characters."
