"""Exporting people and partner organizations in the columns the importer reads, with
spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from backbone.models import User
from initiatives.exporters import neutralise, restore
from initiatives.models import ImportBatch, PartnerOrganization, Person
from initiatives.tests.factories import PartnerOrganizationFactory, PersonFactory
from initiatives.tests.import_helpers import upload
from tests.fixtures import Personas

Login = Callable[[User], Client]

HYPERLINK = '=HYPERLINK("http://evil.example/steal","Click for your agenda")'
PEOPLE_HEADERS = ["Name", "Email", "Phone", "Organization", "Title", "Preferred language"]
PEOPLE_HEADERS += ["Community member"]
DEMOGRAPHIC_HEADERS = ["Race or ethnicity", "Gender"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def directory(personas: Personas) -> dict[str, Any]:
    northside: Any = PartnerOrganizationFactory(
        organization=personas.org,
        name="Northside Family Center",
        sector="nonprofit",
        size_band="250k_1m",
        community_led=True,
        website="https://northside.example.org",
        notes="Runs the Saturday reading club.",
    )
    sneaky: Any = PartnerOrganizationFactory(
        organization=personas.org, name="@Risk Youth Network", sector="grassroots", notes="-5%"
    )
    people = {
        "maria": PersonFactory(
            organization=personas.org,
            full_name="María Núñez",
            email="maria@northside.example.org",
            phone="+1 555 0100",
            partner_organization=northside,
            title="Parent leader",
            preferred_language="es",
            is_community_member=True,
            race_ethnicity="hispanic",
            gender="woman",
        ),
        "evil": PersonFactory(
            organization=personas.org,
            full_name=HYPERLINK,
            email="evil@example.org",
            title="-Lead organizer",
            partner_organization=sneaky,
        ),
    }
    # Removed people are not exported; other organizations' people never are.
    PersonFactory(organization=personas.org, full_name="Gone", email="gone@example.org")
    Person.objects.filter(full_name="Gone").update(archived_at="2026-01-01T00:00:00Z")
    PersonFactory(organization=personas.other_org, full_name="Outsider", email="o@example.org")
    return {"northside": northside, "sneaky": sneaky, **people}


def url(name: str) -> str:
    return reverse(name, kwargs={"org_slug": "lakeshore"})


def csv_rows(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(response: Any) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    return [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-5%", "'-5%"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ana = Ana", "Ana = Ana"),
        ("'quoted", "'quoted"),
    ],
)
def test_cells_that_would_run_as_formulas_get_a_quote_that_import_removes(
    text: str, written: str
) -> None:
    assert neutralise(text) == written
    assert restore(written) == text


def test_staff_export_people_as_csv_with_demographics_and_formulas_neutralised(
    personas: Personas, login: Login, directory: dict[str, Any]
) -> None:
    response = login(personas.staff).get(url("people_export_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="lakeshore-people-')
    assert csv_rows(response) == [
        PEOPLE_HEADERS + DEMOGRAPHIC_HEADERS,
        [
            "'" + HYPERLINK,
            "evil@example.org",
            "",
            "'@Risk Youth Network",
            "'-Lead organizer",
            "English",
            "no",
            "",
            "",
        ],
        [
            "María Núñez",
            "maria@northside.example.org",
            "'+1 555 0100",
            "Northside Family Center",
            "Parent leader",
            "Spanish",
            "yes",
            "Hispanic or Latino/a/e",
            "Woman",
        ],
    ]


def test_people_xlsx_holds_text_not_formulas(
    personas: Personas, login: Login, directory: dict[str, Any]
) -> None:
    response = login(personas.staff).get(url("people_export_xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = xlsx_rows(response)
    assert rows[0] == PEOPLE_HEADERS + DEMOGRAPHIC_HEADERS
    assert rows[1][:4] == ["'" + HYPERLINK, "evil@example.org", "", "'@Risk Youth Network"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    # Every cell is text ("inlineStr" or "s"), none a formula ("f").
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} <= {"inlineStr", "s"}


def test_steering_export_has_no_demographic_columns(
    personas: Personas, login: Login, directory: dict[str, Any]
) -> None:
    rows = csv_rows(login(personas.steering).get(url("people_export_csv")))

    assert rows[0] == PEOPLE_HEADERS
    assert [len(r) for r in rows] == [7, 7, 7]
    assert "Hispanic or Latino/a/e" not in {cell for row in rows for cell in row}


@pytest.mark.parametrize(
    "name",
    ["people_export_csv", "people_export_xlsx", "partners_export_csv", "partners_export_xlsx"],
)
def test_partners_may_not_export(
    personas: Personas, login: Login, directory: dict[str, Any], name: str
) -> None:
    assert login(personas.partner).get(url(name)).status_code == 403
    assert login(personas.outsider).get(url(name)).status_code == 404


def test_partners_export(personas: Personas, login: Login, directory: dict[str, Any]) -> None:
    response = login(personas.staff).get(url("partners_export_csv"))

    assert csv_rows(response) == [
        ["Name", "Sector", "Annual budget", "Community-led", "Website", "Notes"],
        ["'@Risk Youth Network", "Community or grassroots group", "Not known", "no", "", "'-5%"],
        [
            "Northside Family Center",
            "Nonprofit",
            "$250,000 – $1 million",
            "yes",
            "https://northside.example.org",
            "Runs the Saturday reading club.",
        ],
    ]
    xlsx = xlsx_rows(login(personas.staff).get(url("partners_export_xlsx")))
    assert xlsx == csv_rows(response)


def _snapshot() -> list[tuple[Any, ...]]:
    return list(
        Person.objects.order_by("pk").values_list(
            "full_name",
            "email",
            "phone",
            "partner_organization_id",
            "title",
            "preferred_language",
            "is_community_member",
            "race_ethnicity",
            "gender",
            "archived_at",
        )
    ) + list(
        PartnerOrganization.objects.order_by("pk").values_list(
            "name", "sector", "size_band", "community_led", "website", "notes"
        )
    )


def _reimport(client: Client, kind: str, filename: str, content: bytes) -> Any:
    assert upload(client, kind, filename, content).status_code == 302
    batch = ImportBatch.objects.get(committed_at__isnull=True)
    preview_url = reverse("import_preview", kwargs={"org_slug": "lakeshore", "batch_id": batch.pk})
    preview = client.get(preview_url).context["preview"]
    response = client.post(
        reverse("import_commit", kwargs={"org_slug": "lakeshore", "batch_id": batch.pk}),
        {"expected": preview.signature},
    )
    return preview, [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reimports_cleanly_and_changes_nothing(
    personas: Personas, login: Login, directory: dict[str, Any], fmt: str
) -> None:
    staff = login(personas.staff)
    before = _snapshot()

    people_file = staff.get(url(f"people_export_{fmt}")).content
    partners_file = staff.get(url(f"partners_export_{fmt}")).content
    preview, messages = _reimport(staff, "people", f"people.{fmt}", people_file)

    assert preview.mapping_problems == []
    assert [(r.status, r.name) for r in preview.rows] == [
        ("update", HYPERLINK),
        ("update", "María Núñez"),
    ]
    assert messages == ["Imported: 0 created, 2 updated."]

    preview, messages = _reimport(staff, "partners", f"partners.{fmt}", partners_file)
    assert [(r.status, r.name) for r in preview.rows] == [
        ("update", "@Risk Youth Network"),
        ("update", "Northside Family Center"),
    ]
    assert messages == ["Imported: 0 created, 2 updated."]
    assert _snapshot() == before


def test_an_export_imports_into_a_fresh_organization_as_the_same_people(
    personas: Personas, login: Login, directory: dict[str, Any]
) -> None:
    staff = login(personas.staff)
    people_file = staff.get(url("people_export_csv")).content
    partners_file = staff.get(url("partners_export_csv")).content
    Person.objects.filter(organization=personas.org).delete()
    PartnerOrganization.objects.filter(organization=personas.org).delete()

    _preview, messages = _reimport(staff, "partners", "partners.csv", partners_file)
    assert messages == ["Imported: 2 created, 0 updated."]
    _preview, messages = _reimport(staff, "people", "people.csv", people_file)
    assert messages == ["Imported: 2 created, 0 updated."]

    evil = Person.objects.select_related("partner_organization").get(email="evil@example.org")
    assert evil.full_name == HYPERLINK
    assert evil.title == "-Lead organizer"
    assert evil.partner_organization is not None
    assert evil.partner_organization.name == "@Risk Youth Network"
    maria = Person.objects.get(email="maria@northside.example.org")
    assert (maria.phone, maria.preferred_language, maria.race_ethnicity, maria.gender) == (
        "+1 555 0100",
        "es",
        "hispanic",
        "woman",
    )


@pytest.mark.parametrize("count", [3, 30])
def test_export_query_count_does_not_grow_with_people(
    personas: Personas, login: Login, count: int, django_assert_num_queries: Any
) -> None:
    partner: Any = PartnerOrganizationFactory(organization=personas.org)
    for _ in range(count):
        PersonFactory(organization=personas.org, partner_organization=partner)
    staff = login(personas.staff)
    staff.get(url("people_export_csv"))  # the first page of a visit remembers the organization

    with django_assert_num_queries(4):  # session, user, membership, people
        assert staff.get(url("people_export_csv")).status_code == 200
    with django_assert_num_queries(4):  # session, user, membership, partners
        assert staff.get(url("partners_export_xlsx")).status_code == 200
