"""Importing indicator data in the browser: upload → mapping → preview → import, all or nothing;
a large file through the background task with its progress; bad files get a message, not a 500."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrics import data_imports
from metrics.models import DataImport, DataPoint, Indicator
from metrics.tests.factories import CategoryFactory, DimensionFactory, IndicatorFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot

pytestmark = pytest.mark.django_db
FILES = Path(__file__).resolve().parents[2] / "tests" / "metrics_files"


@pytest.fixture
def indicator(personas: Personas) -> Indicator:
    made: Any = IndicatorFactory(
        result__initiative__organization=personas.org,
        name="Third graders reading at grade level",
    )
    dimension: Any = DimensionFactory(initiative=made.initiative, name="Race/ethnicity")
    CategoryFactory(dimension=dimension, name="Hispanic or Latino")
    return made


def _upload(client: Any, into: Indicator, name: str, data: bytes, **extra: str) -> Any:
    """Upload from the initiative of `into` (the form's fields in `extra`)."""
    return client.post(
        f"/o/lakeshore/initiatives/{into.initiative_id}/data-imports/new/",
        {"file": SimpleUploadedFile(name, data), **extra},
    )


LONG = (
    b"Indicator,Period,Group,Value\n"
    b"Third graders reading at grade level,2019,Hispanic or Latino,41.5%\n"
    b"Third graders reading at grade level,2020,Hispanic or Latino,*\n"
    b"Third graders reading at grade level,2021,Hispanic or Latino,43.25%\n"
)


def test_upload_previews_then_import_writes_every_value(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    client = login(personas.staff)

    uploaded = _upload(client, indicator, "scores.csv", LONG)
    data_import = DataImport.objects.get()
    preview_page = client.get(uploaded["Location"])
    imported = client.post(f"/o/lakeshore/data-imports/{data_import.pk}/import/")

    assert uploaded.status_code == 302
    assert uploaded["Location"] == f"/o/lakeshore/data-imports/{data_import.pk}/"
    html = preview_page.content.decode()
    assert 'data-count="points">3</p>' in html
    assert 'data-count="new">3</p>' in html
    assert 'data-count="errors">0</p>' in html
    # Values as the indicator's pages show them, with their unit.
    assert '<td data-label="Value">41.5%</td>' in html
    assert '<td data-label="Value">suppressed (*)</td>' in html
    assert imported.status_code == 302
    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.DONE
    assert data_import.preview["written"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "categories_created": 0,
    }
    assert list(
        DataPoint.objects.order_by("period").values_list("period", "value", "suppressed")
    ) == [("2019", Decimal("41.5"), False), ("2020", None, True), ("2021", Decimal("43.25"), False)]


def test_the_same_file_again_changes_only_what_changed_and_says_so(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    client = login(personas.staff)
    _upload(client, indicator, "scores.csv", LONG)
    first = DataImport.objects.get()
    client.post(f"/o/lakeshore/data-imports/{first.pk}/import/")
    revised = LONG.replace(b"43.25%", b"43.5%")

    _upload(client, indicator, "scores.csv", revised)
    again = DataImport.objects.exclude(pk=first.pk).get()
    done = client.post(f"/o/lakeshore/data-imports/{again.pk}/import/", follow=True)

    again.refresh_from_db()
    assert again.preview["written"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "categories_created": 0,
    }
    html = done.content.decode()
    assert "Imported: 0 new values, 1 updated, 2 already up to date." in html
    assert "0 new values, 1 updated, 2 already up to date, 0 new groups." in html
    assert list(DataPoint.history.order_by("history_id").values_list("period", "history_type")) == [
        ("2019", "+"),
        ("2020", "+"),
        ("2021", "+"),
        ("2021", "~"),
    ]


def test_a_file_with_problems_names_row_and_column_and_imports_nothing(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    client = login(personas.staff)
    data = LONG + b"Third graders reading at grade level,2022,Hispanic or Latino,about 40\n"

    _upload(client, indicator, "scores.csv", data)
    data_import = DataImport.objects.get()
    page = client.get(f"/o/lakeshore/data-imports/{data_import.pk}/").content.decode()
    refused = client.post(f"/o/lakeshore/data-imports/{data_import.pk}/import/", follow=True)

    assert data_import.errors == [
        {"row": 5, "column": "Value", "message": data_import.errors[0]["message"]}
    ]
    assert "Row 5" in page
    assert "Import 4 values" not in page
    assert "This file cannot be imported until its problems are fixed." in (
        refused.content.decode()
    )
    assert DataPoint.objects.count() == 0
    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.PREVIEWED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"%PDF-1.4 not a spreadsheet", "This file is not a CSV or Excel"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "Old Excel files (.xls)"),
        ("bomb.xlsx", (FILES / "zip_bomb.xlsx").read_bytes(), "unpacks to more than 200 MB"),
        ("evil.xlsx", (FILES / "entity_expansion.xlsx").read_bytes(), ""),
    ],
)
def test_a_bad_file_gets_a_message_and_nothing_is_kept(
    login: Any, personas: Personas, indicator: Indicator, name: str, data: bytes, message: str
) -> None:
    client = login(personas.staff)
    before = snapshot()

    response = _upload(client, indicator, name, data)

    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    assert message in errors[0]
    assert snapshot() == before


def test_changing_the_mapping_previews_again(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    client = login(personas.staff)
    _upload(client, indicator, "scores.csv", LONG)
    data_import = DataImport.objects.get()

    response = client.post(
        f"/o/lakeshore/data-imports/{data_import.pk}/",
        {
            "layout": "long",
            "column_0": "indicator",
            "column_1": "period",
            "column_2": "",  # the group column ignored: every value is for everyone
            "column_3": "value",
        },
    )

    data_import.refresh_from_db()
    assert response.status_code == 302
    assert "category" not in data_import.mapping["columns"]
    assert data_import.preview["points"] == 3
    assert {row["group"] for row in data_import.preview["rows"]} == {""}


def test_a_column_chosen_twice_is_refused_on_the_form(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    client = login(personas.staff)
    _upload(client, indicator, "scores.csv", LONG)
    data_import = DataImport.objects.get()
    mapping_before = data_import.mapping

    response = client.post(
        f"/o/lakeshore/data-imports/{data_import.pk}/",
        {"layout": "long", "column_0": "value", "column_1": "period", "column_3": "value"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "column_3": ["“Indicator” is already the Value column; choose one."]
    }
    data_import.refresh_from_db()
    assert data_import.mapping == mapping_before


def test_a_large_file_runs_in_the_background_with_its_progress(
    login: Any,
    personas: Personas,
    indicator: Indicator,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(data_imports, "BACKGROUND_ROWS", 2)
    client = login(personas.staff)
    _upload(client, indicator, "scores.csv", LONG)
    data_import = DataImport.objects.get()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(f"/o/lakeshore/data-imports/{data_import.pk}/import/")
    data_import.refresh_from_db()
    waiting = client.get(f"/o/lakeshore/data-imports/{data_import.pk}/progress/")
    for callback in queued:
        callback()  # the worker (Celery runs eagerly in tests)
    finished = client.get(
        f"/o/lakeshore/data-imports/{data_import.pk}/progress/", HTTP_HX_REQUEST="true"
    )

    assert len(queued) == 1
    assert data_import.status == DataImport.Status.IMPORTING
    assert DataPoint.objects.count() == 3
    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    assert finished["HX-Refresh"] == "true"
    assert 'hx-trigger="every' not in finished.content.decode()
    assert DataImport.objects.get().status == DataImport.Status.DONE


def test_importing_twice_writes_once(login: Any, personas: Personas, indicator: Indicator) -> None:
    client = login(personas.staff)
    _upload(client, indicator, "scores.csv", LONG)
    data_import = DataImport.objects.get()

    client.post(f"/o/lakeshore/data-imports/{data_import.pk}/import/")
    again = client.post(f"/o/lakeshore/data-imports/{data_import.pk}/import/", follow=True)

    assert "already being imported, or was imported" in again.content.decode()
    assert DataPoint.objects.count() == 3
    assert DataPoint.history.count() == 3


def test_the_preview_page_query_count_is_pinned(
    login: Any, personas: Personas, indicator: Indicator, django_assert_num_queries: Any
) -> None:
    client = login(personas.staff)
    _upload(client, indicator, "scores.csv", LONG)
    url = f"/o/lakeshore/data-imports/{DataImport.objects.get().pk}/"
    client.get(url)

    with django_assert_num_queries(5):
        response = client.get(url)

    assert response.status_code == 200


REPORT_CARD = (
    b"Grade 3 reading: percent meeting standard,,,\n"
    b"District,Student group,SY2019-20,SY2020-21\n"
    b"Lakeshore,Hispanic or Latino,38.4%,*\n"
)


def test_a_report_card_goes_into_the_indicator_chosen_on_the_upload_form(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    """A state report card names no indicator: from the initiative's upload page the person
    chooses which one it holds."""
    client = login(personas.staff)
    IndicatorFactory(result=indicator.result, name="First graders reading at benchmark")

    page = client.get(f"/o/lakeshore/initiatives/{indicator.initiative_id}/data-imports/new/")
    uploaded = _upload(client, indicator, "card.csv", REPORT_CARD, indicator=str(indicator.pk))

    html = page.content.decode()
    assert "Into one indicator" in html
    assert f'<option value="{indicator.pk}">Third graders reading at grade level</option>' in html
    assert uploaded.status_code == 302
    data_import = DataImport.objects.get()
    assert data_import.indicator_id == indicator.pk
    preview = client.get(uploaded["Location"]).content.decode()
    assert 'data-count="points">2</p>' in preview
    assert 'data-count="errors">0</p>' in preview
    assert DataPoint.objects.count() == 0


def test_the_indicator_page_link_chooses_its_indicator(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    client = login(personas.staff)

    page = client.get(
        f"/o/lakeshore/initiatives/{indicator.initiative_id}/data-imports/new/"
        f"?indicator={indicator.pk}"
    ).content.decode()

    assert (
        f'<option value="{indicator.pk}" selected>Third graders reading at grade level</option>'
        in page
    )


def test_an_indicator_of_another_initiative_is_refused_and_nothing_is_kept(
    login: Any, personas: Personas, indicator: Indicator
) -> None:
    client = login(personas.staff)
    elsewhere: Any = IndicatorFactory(result__initiative__organization=personas.org)

    response = _upload(client, indicator, "card.csv", REPORT_CARD, indicator=str(elsewhere.pk))

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert DataImport.objects.count() == 0
