"""Importing people and partner organizations: upload → columns → preview → import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from backbone.models import User
from initiatives.importers import batches
from initiatives.models import ImportBatch, PartnerOrganization, Person
from initiatives.tests.factories import (
    ImportBatchFactory,
    PartnerOrganizationFactory,
    PersonFactory,
)
from initiatives.tests.import_helpers import (
    MIXED_ERRORS,
    PARTNER_NAMES,
    sample,
    upload,
    xlsx,
    zip_bomb,
)
from tests.fixtures import Personas
from tests.test_isolation_sweep import WRITE_DATA

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def partners(personas: Personas) -> dict[str, PartnerOrganization]:
    made: dict[str, Any] = {
        name: PartnerOrganizationFactory(organization=personas.org, name=name)
        for name in PARTNER_NAMES
    }
    return made


@pytest.fixture
def staff(personas: Personas, login: Login) -> Client:
    return login(personas.staff)


def preview_url(batch: ImportBatch) -> str:
    return reverse("import_preview", kwargs={"org_slug": "lakeshore", "batch_id": batch.pk})


def signature(client: Client, batch: ImportBatch) -> str:
    return str(client.get(preview_url(batch)).context["preview"].signature)


def commit(
    client: Client, batch: ImportBatch, *, only_valid: bool = False, expected: str | None = None
) -> Any:
    """Press the import button of the preview as it is now (or as it was: `expected`)."""
    data = {"expected": signature(client, batch) if expected is None else expected}
    if only_valid:
        data["only_valid"] = "1"
    return client.post(
        reverse("import_commit", kwargs={"org_slug": "lakeshore", "batch_id": batch.pk}), data
    )


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def people() -> list[tuple[str, str, str | None, str, bool]]:
    return [
        (
            p.full_name,
            p.email,
            p.partner_organization.name if p.partner_organization else None,
            p.preferred_language,
            p.is_community_member,
        )
        for p in Person.objects.select_related("partner_organization").order_by("full_name")
    ]


# --- Who may import --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["steering", "cochair", "partner"])
def test_only_staff_may_import(personas: Personas, login: Login, role: str) -> None:
    batch = ImportBatch.objects.create(
        organization=personas.org, kind="people", filename="x.csv", headers=["Name"],
        rows=[{"n": 2, "cells": ["Ana"]}], mapping=["full_name"],
    )  # fmt: skip
    client = login(personas.by_role(role))

    assert client.get(reverse("people_import", kwargs={"org_slug": "lakeshore"})).status_code == 403
    assert upload(client, "people", "p.csv", b"Name\nAna\n").status_code == 403
    assert client.get(preview_url(batch)).status_code == 403
    assert commit(client, batch, expected="x").status_code == 403
    assert Person.objects.count() == 0
    assert ImportBatch.objects.count() == 1


def test_an_outsider_gets_404_and_nothing_is_written(personas: Personas, login: Login) -> None:
    client = login(personas.outsider)

    assert upload(client, "people", "p.csv", b"Name\nAna\n").status_code == 404
    assert upload(client, "partners", "p.csv", b"Name\nAna\n").status_code == 404
    assert ImportBatch.objects.count() == 0


def test_the_upload_page_lists_the_columns_it_recognises(staff: Client) -> None:
    response = staff.get(reverse("people_import", kwargs={"org_slug": "lakeshore"}))

    assert response.status_code == 200
    assert [str(f.label) for f in response.context["fields"]] == [
        "Name",
        "Email",
        "Phone",
        "Organization",
        "Title",
        "Preferred language",
        "Community member",
        "Race or ethnicity",
        "Gender",
    ]


# --- Refused files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "photo.csv",
            sample("not_a_spreadsheet.csv"),
            "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as CSV or .xlsx and "
            "try again.",
        ),
        ("empty.csv", b"", "This file is empty."),
        ("blank.csv", b"\r\n \r\n", "This file is empty."),
        (
            "big.csv",
            b"Name\n" + b"a" * (10 * 1024 * 1024),
            "This file is larger than 10 MB. Split it into smaller files and import each.",
        ),
        (
            "bomb.xlsx",
            zip_bomb(60),
            "This Excel file unpacks to more than 50 MB. Save it as CSV, or split it.",
        ),
        (
            "colors.csv",
            b"Favorite color,Shoe size\nblue,9\n",
            "No column of this file is one we recognise. The first row should name the columns, "
            "such as: Name, First name, Last name, Email, Phone, Organization, Title, Preferred "
            "language, Community member. Its first row reads: Favorite color, Shoe size.",
        ),
    ],
)
def test_a_refused_file_gets_one_message_and_nothing_is_written(
    staff: Client, filename: str, content: bytes, message: str
) -> None:
    response = upload(staff, "people", filename, content)

    assert response.status_code == 400
    assert response.context["form"].errors == {"file": [message]}
    body = response.content.decode()
    assert body.count(escape(message)) == 1
    assert "Please check the highlighted answers" not in body
    assert ImportBatch.objects.count() == 0
    assert Person.objects.count() == 0


def test_uploading_with_no_file_asks_for_one(staff: Client) -> None:
    response = staff.post(reverse("partners_import", kwargs={"org_slug": "lakeshore"}), {})

    assert response.status_code == 400
    assert response.context["form"].errors == {"file": ["Choose a CSV or Excel file to upload."]}
    assert ImportBatch.objects.count() == 0


# --- Preview and import of a partly valid file -----------------------------------------------


@pytest.fixture
def mixed(
    staff: Client, personas: Personas, partners: dict[str, PartnerOrganization]
) -> ImportBatch:
    PersonFactory(
        organization=personas.org,
        full_name="Benjamin Carter",
        email="ben.carter@example.org",
        preferred_language="es",
        is_community_member=True,
    )
    response = upload(staff, "people", "people_mixed.csv", sample("people_mixed.csv"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == preview_url(batch)
    return batch


def test_the_preview_shows_every_row_its_outcome_and_the_counts(
    staff: Client, mixed: ImportBatch
) -> None:
    response = staff.get(preview_url(mixed))

    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(r.number, r.status) for r in preview.rows] == [
        (2, "new"),
        (3, "update"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
        (8, "new"),
    ]
    assert (preview.new_count, preview.update_count, preview.error_count) == (2, 1, 4)
    assert preview.errors == MIXED_ERRORS
    assert preview.rows[1].existing.full_name == "Benjamin Carter"
    body = response.content.decode()
    assert "Import the 3 valid rows only" in body
    assert "Updates Benjamin Carter" in body
    for error in MIXED_ERRORS:
        assert error.replace("“", "&ldquo;") in body or error in body
    # Nothing is written by uploading or looking.
    assert Person.objects.count() == 1


def test_a_partly_valid_file_is_not_imported_without_choosing_valid_rows_only(
    staff: Client, mixed: ImportBatch
) -> None:
    response = commit(staff, mixed)

    assert response.status_code == 302
    assert messages_of(response) == [
        "Some rows have errors. Fix the file and upload it again, or import the valid rows only."
    ]
    assert Person.objects.count() == 1
    mixed.refresh_from_db()
    assert mixed.committed_at is None


def test_importing_the_valid_rows_only_creates_and_updates_exactly_those(
    staff: Client, mixed: ImportBatch
) -> None:
    response = commit(staff, mixed, only_valid=True)

    assert response.status_code == 302
    assert messages_of(response) == ["Imported: 2 created, 1 updated."]
    assert people() == [
        ("Ana López", "ana.lopez@example.org", "Lakeshore Public Schools", "es", True),
        ("Ben Carter", "ben.carter@example.org", "Northside Family Center", "en", False),
        ("Gus Hill", "gus.hill@example.org", None, "en", True),
    ]
    mixed.refresh_from_db()
    assert (mixed.created_count, mixed.updated_count, mixed.rows) == (2, 1, [])
    result = staff.get(preview_url(mixed))
    assert result.templates[0].name == "initiatives/imports/result.html"
    assert "2 created, 1 updated." in result.content.decode()


def test_the_same_upload_cannot_be_imported_twice(staff: Client, mixed: ImportBatch) -> None:
    signature_before = signature(staff, mixed)
    first = commit(staff, mixed, only_valid=True)
    assert messages_of(first) == ["Imported: 2 created, 1 updated."]
    staff.get(preview_url(mixed))  # the result page shows (and uses up) that message

    again = commit(staff, mixed, only_valid=True, expected=signature_before)

    assert again.status_code == 302
    assert messages_of(again) == [
        "This file was already imported (2 created, 1 updated). Nothing was imported again."
    ]
    assert Person.objects.count() == 3


def test_a_preview_that_went_stale_imports_nothing(
    staff: Client, mixed: ImportBatch, personas: Personas
) -> None:
    shown = signature(staff, mixed)
    # Someone adds Gus by hand after the preview was shown: his row would now update, not add.
    PersonFactory(organization=personas.org, full_name="Gus", email="gus.hill@example.org")

    response = commit(staff, mixed, only_valid=True, expected=shown)

    assert messages_of(response) == [
        "The people or organizations this file matches changed since you looked at the "
        "preview. Nothing was imported; check the preview again."
    ]
    assert Person.objects.count() == 2
    mixed.refresh_from_db()
    assert mixed.committed_at is None


def test_creating_missing_organizations_is_a_choice(staff: Client, mixed: ImportBatch) -> None:
    data = {f"column_{i}": name for i, name in enumerate(mixed.mapping)}
    data["create_missing_organizations"] = "on"
    response = staff.post(preview_url(mixed), data)
    assert response.status_code == 302

    preview = staff.get(preview_url(mixed)).context["preview"]
    assert preview.new_organizations == ["Moonbase Alliance"]
    assert [r.number for r in preview.valid_rows] == [2, 3, 7, 8]

    commit(staff, mixed, only_valid=True)
    farah = Person.objects.select_related("partner_organization").get(full_name="Farah Green")
    assert farah.partner_organization is not None
    assert (farah.partner_organization.name, farah.partner_organization.sector) == (
        "Moonbase Alliance",
        "other",
    )
    assert PartnerOrganization.objects.count() == 5


def test_changing_the_mapping_changes_the_preview(staff: Client, mixed: ImportBatch) -> None:
    # Ignore the Organization column: the unknown organization is no longer an error.
    data = {f"column_{i}": name for i, name in enumerate(mixed.mapping)}
    data["column_2"] = ""
    staff.post(preview_url(mixed), data)

    mixed.refresh_from_db()
    assert mixed.mapping == [
        "full_name",
        "email",
        "",
        "preferred_language",
        "is_community_member",
    ]
    preview = staff.get(preview_url(mixed)).context["preview"]
    assert [r.number for r in preview.valid_rows] == [2, 3, 7, 8]


def test_two_columns_for_one_field_is_refused_with_a_message(
    staff: Client, mixed: ImportBatch
) -> None:
    data = {f"column_{i}": name for i, name in enumerate(mixed.mapping)}
    data["column_2"] = "email"

    response = staff.post(preview_url(mixed), data)

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Email is chosen for more than one column: “Email”, “Organization”."
    ]
    mixed.refresh_from_db()
    assert mixed.mapping[2] == "partner_organization"


# --- Realistic files --------------------------------------------------------------------------


def test_200_people_from_a_bom_csv_then_the_same_file_again_updates_them(
    staff: Client, partners: dict[str, PartnerOrganization]
) -> None:
    upload(staff, "people", "people.csv", sample("people_200_bom_crlf.csv"))
    batch = ImportBatch.objects.get()
    preview = staff.get(preview_url(batch)).context["preview"]
    assert (preview.new_count, preview.update_count, preview.error_count) == (200, 0, 0)
    assert "Import 200 rows" in staff.get(preview_url(batch)).content.decode()

    response = commit(staff, batch)

    assert messages_of(response) == ["Imported: 200 created, 0 updated."]
    assert Person.objects.count() == 200
    ana = Person.objects.select_related("partner_organization").get(
        email="ana.alvarez0@partners.example.org"
    )
    assert ana.full_name == "Ana Alvarez"
    assert ana.phone == "(555) 010-0000"
    assert ana.partner_organization == partners["Lakeshore Public Schools"]
    assert (ana.title, ana.preferred_language, ana.is_community_member) == ("Principal", "en", True)
    assert (ana.race_ethnicity, ana.gender) == ("hispanic", "woman")
    fifth = Person.objects.get(email="elena.alvarez4@partners.example.org")
    # "Prefer not to say" and an empty cell both leave the voluntary answer empty.
    assert (fifth.race_ethnicity, fifth.partner_organization_id, fifth.preferred_language) == (
        "",
        None,
        "es",
    )

    upload(staff, "people", "people.csv", sample("people_200_bom_crlf.csv"))
    again = ImportBatch.objects.get(committed_at__isnull=True)
    preview = staff.get(preview_url(again)).context["preview"]
    assert (preview.new_count, preview.update_count, preview.error_count) == (0, 200, 0)
    response = commit(staff, again)
    assert messages_of(response) == ["Imported: 0 created, 200 updated."]
    assert Person.objects.count() == 200


def test_windows_1252_names_arrive_with_their_accents(
    staff: Client, partners: dict[str, PartnerOrganization]
) -> None:
    upload(staff, "people", "people.csv", sample("people_cp1252.csv"))
    batch = ImportBatch.objects.get()

    commit(staff, batch)

    assert people() == [
        ("François Côté", "francois.cote@example.org", None, "en", False),
        ("José Peña", "jose.pena@example.org", "Northside Family Center", "es", False),
        ("María Núñez", "maria.nunez@example.org", None, "es", False),
    ]
    assert Person.objects.get(full_name="María Núñez").title == "Madre líder"


def test_an_xlsx_of_people_is_imported(
    staff: Client, partners: dict[str, PartnerOrganization]
) -> None:
    content = xlsx(
        [
            ["Full name", "Email", "Organization", "Phone", "Community member"],
            ["Keisha Brown", "Keisha@Northside.example.org", "northside family center", 5550101, 1],
            ["Luis Ortega", "luis@example.org", None, None, "no"],
        ]
    )
    upload(staff, "people", "people.xlsx", content)

    commit(staff, ImportBatch.objects.get())

    keisha = Person.objects.get(full_name="Keisha Brown")
    assert (keisha.email, keisha.phone, keisha.is_community_member) == (
        "keisha@northside.example.org",
        "5550101",
        True,
    )
    assert keisha.partner_organization == partners["Northside Family Center"]
    assert Person.objects.count() == 2


def test_partners_are_imported_with_loose_sectors_and_budget_amounts(
    staff: Client, personas: Personas
) -> None:
    existing: Any = PartnerOrganizationFactory(
        organization=personas.org, name="GRACE COMMUNITY CHURCH", sector="other"
    )
    upload(staff, "partners", "partners.csv", sample("partners_mixed.csv"))
    batch = ImportBatch.objects.get()
    preview = staff.get(preview_url(batch)).context["preview"]
    assert [(r.number, r.status) for r in preview.rows] == [
        (2, "new"),
        (3, "new"),
        (4, "update"),
        (5, "error"),
    ]
    assert preview.errors == [
        "Row 5, column “Sector”: “Spaceship” is not a sector we know. Use one of: Nonprofit, "
        "Public agency, School or district, Higher education, Funder, Business, Faith-based, "
        "Community or grassroots group, Resident association, Other."
    ]

    response = commit(staff, batch, only_valid=True)

    assert messages_of(response) == ["Imported: 2 created, 1 updated."]
    assert [
        (p.name, p.sector, p.size_band, p.community_led, p.website)
        for p in PartnerOrganization.objects.order_by("name")
    ] == [
        ("GRACE COMMUNITY CHURCH", "faith", "250k_1m", True, ""),
        ("Lakeshore Public Schools", "school", "over_25m", False, "https://lakeshoreschools.example.org"),
        ("Northside Family Center", "nonprofit", "under_250k", True, "https://northside.example.org"),
    ]  # fmt: skip
    existing.refresh_from_db()
    assert existing.sector == "faith"


# --- All or nothing ---------------------------------------------------------------------------


def test_a_failure_mid_commit_writes_nothing(
    staff: Client, mixed: ImportBatch, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = batches.person_create
    calls = []

    def racing_create(**fields: Any) -> Person:
        calls.append(fields["email"])
        if len(calls) == 2:
            # Another request adds Gus between our checks and our insert.
            Person.objects.create(
                organization=personas.org, full_name="Gus (raced)", email="gus.hill@example.org"
            )
        return real_create(**fields)

    monkeypatch.setattr(batches, "person_create", racing_create)

    response = commit(staff, mixed, only_valid=True)

    assert calls == ["ana.lopez@example.org", "gus.hill@example.org"]
    assert messages_of(response) == [
        "Row 8 could not be imported: Gus (raced) already has this email address. "
        "Nothing was imported."
    ]
    assert people() == [
        ("Benjamin Carter", "ben.carter@example.org", None, "es", True),
    ]
    mixed.refresh_from_db()
    assert (mixed.committed_at, len(mixed.rows)) == (None, 7)


def test_a_database_constraint_failure_mid_commit_writes_nothing(
    staff: Client, mixed: ImportBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = batches.person_create
    calls = []

    def failing_create(**fields: Any) -> Person:
        calls.append(fields["email"])
        if len(calls) == 2:
            raise IntegrityError("UNIQUE constraint failed: person_email_ci_unique")
        return real_create(**fields)

    monkeypatch.setattr(batches, "person_create", failing_create)

    response = commit(staff, mixed, only_valid=True)

    assert messages_of(response) == [
        "Someone changed the same people or organizations while this file was being imported. "
        "Nothing was imported; check the preview again."
    ]
    assert Person.objects.count() == 1
    assert ImportBatch.objects.get().committed_at is None


# --- Query counts ----------------------------------------------------------------------------


def _people_csv(count: int, offset: int = 0) -> bytes:
    lines = ["Name,Email,Organization"]
    lines += [
        f"Person {i},person{i}@example.org,Northside Family Center"
        for i in range(offset, offset + count)
    ]
    return "\n".join(lines).encode()


def _commit_queries(staff: Client, content: bytes) -> int:
    upload(staff, "people", "p.csv", content)
    batch = ImportBatch.objects.get(committed_at__isnull=True)
    shown = signature(staff, batch)
    with CaptureQueriesContext(connection) as queries:
        response = commit(staff, batch, expected=shown)
    assert messages_of(response)[-1].startswith("Imported:")
    return len(queries)


# Per person created through person_create: its savepoint and release, its email check, the
# existence checks of the organization and partner foreign keys, the email constraint check
# (with its own savepoint and release), and the insert.
QUERIES_PER_NEW_PERSON = 9


def test_the_commit_costs_a_constant_number_of_queries_per_row(
    staff: Client, partners: dict[str, PartnerOrganization]
) -> None:
    five = _commit_queries(staff, _people_csv(5))
    twenty = _commit_queries(staff, _people_csv(20, offset=100))

    assert twenty - five == 15 * QUERIES_PER_NEW_PERSON
    # Whatever the number of rows: session, user, membership, the batch, the bulk lookups of
    # people and partner organizations, the claim, the organization, the final save.
    assert five - 5 * QUERIES_PER_NEW_PERSON == 11


def test_the_preview_query_count_does_not_grow_with_rows(
    staff: Client, partners: dict[str, PartnerOrganization], django_assert_num_queries: Any
) -> None:
    upload(staff, "people", "few.csv", _people_csv(3))
    upload(staff, "people", "many.csv", _people_csv(300))
    few, many = ImportBatch.objects.order_by("pk")

    for batch in (few, many):
        # session, user, membership, the batch, people and partners lookups, org switcher
        with django_assert_num_queries(7):
            assert staff.get(preview_url(batch)).status_code == 200


def test_the_isolation_sweeps_commit_body_would_import_a_batch_of_ones_own(
    staff: Client, personas: Personas
) -> None:
    # tests/test_isolation_sweep.py posts this body to another organization's batch; here,
    # to our own, it imports: so a missing tenancy check there would show as a new person.
    batch: Any = ImportBatchFactory(organization=personas.org)

    response = commit(staff, batch, expected=WRITE_DATA["import_commit"]["expected"])

    assert messages_of(response) == ["Imported: 1 created, 0 updated."]
    assert people() == [("Ana López", "ana@example.org", None, "en", False)]
