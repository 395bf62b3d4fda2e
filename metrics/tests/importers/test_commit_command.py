"""Writing imported data points (all or none) and the import_indicator_data command."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from initiatives.tests.factories import ResultFactory
from metrics.importers.commit import ImportRefused, data_points_import
from metrics.importers.layout import header_signature, propose_mapping
from metrics.importers.read import read_table
from metrics.importers.validate import check_rows, load_context
from metrics.models import Category, DataPoint, Dimension, ImportMapping, Indicator
from metrics.tests.importers.files import FILES, sample

pytestmark = pytest.mark.django_db

GROUPS = ["Hispanic or Latino", "Black or African American", "Asian", "White"]


def make_indicator(name: str = "Third graders reading at grade level", **extra: Any) -> Indicator:
    result: Any = ResultFactory()
    return Indicator.objects.create(
        organization=result.organization,
        initiative=result.initiative,
        result=result,
        name=name,
        unit=extra.pop("unit", "percent"),
        **extra,
    )


def add_groups(indicator: Indicator) -> dict[str, int]:
    dimension = Dimension.objects.create(
        organization=indicator.organization, initiative=indicator.initiative, name="Race/ethnicity"
    )
    return {
        name: Category.objects.create(
            organization=indicator.organization, dimension=dimension, name=name, position=i
        ).pk
        for i, name in enumerate(GROUPS)
    }


def run(*args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_indicator_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored(indicator: Indicator) -> list[tuple[str, str | None, Decimal | None, bool, str]]:
    return [
        (
            p.period,
            p.category.name if p.category else None,
            p.value,
            p.suppressed,
            p.suppression_marker,
        )
        for p in DataPoint.objects.filter(indicator=indicator)
        .select_related("category")
        .order_by("period_start", F("category__position").asc(nulls_first=True))
    ]


def test_dry_run_prints_the_preview_and_writes_nothing() -> None:
    indicator = make_indicator()
    add_groups(indicator)

    out, err = run(
        str(FILES / "report_card_wide.csv"),
        "--initiative",
        str(indicator.initiative_id),
        "--indicator",
        str(indicator.pk),
        "--dry-run",
    )

    assert err == ""
    assert out.splitlines()[:8] == [
        "File: report_card_wide.csv (csv, 5 rows)",
        "Layout: wide",
        "  category: “Student group”",
        "  period SY2015-16: “SY2015-16”",
        "  period SY2016-17: “SY2016-17”",
        "  period SY2017-18: “SY2017-18”",
        "  period SY2018-19: “SY2018-19”",
        "Values: 19 (19 new, 0 updated, 5 suppressed); blank cells skipped: 1",
    ]
    assert out.splitlines()[-1] == "Dry run: nothing was written."
    assert DataPoint.objects.count() == 0
    assert DataPoint.history.count() == 0
    assert ImportMapping.objects.count() == 0


def test_import_writes_every_value_with_history_and_remembers_the_mapping() -> None:
    indicator = make_indicator()
    add_groups(indicator)
    args = [
        str(FILES / "report_card_wide.csv"),
        "--initiative",
        str(indicator.initiative_id),
        "--indicator",
        str(indicator.pk),
    ]

    out, _err = run(*args)

    assert out.splitlines()[-1] == "Imported: 19 new, 0 updated, 0 unchanged, 0 new groups."
    points = stored(indicator)
    assert len(points) == 19
    assert points[:5] == [
        ("SY2015-16", None, Decimal("45.2000"), False, ""),
        ("SY2015-16", "Hispanic or Latino", Decimal("38.4000"), False, ""),
        ("SY2015-16", "Black or African American", Decimal("31.0000"), False, ""),
        ("SY2015-16", "Asian", None, True, "--"),
        ("SY2015-16", "White", Decimal("55.0000"), False, ""),
    ]
    assert [p for p in points if p[3]] == [
        ("SY2015-16", "Asian", None, True, "--"),
        ("SY2016-17", "Hispanic or Latino", None, True, "*"),
        ("SY2016-17", "Black or African American", None, True, "<10"),
        ("SY2017-18", "Black or African American", None, True, "n<10"),
        ("SY2018-19", "Asian", None, True, "N/A"),
    ]
    assert DataPoint.history.filter(history_type="+").count() == 19
    remembered = ImportMapping.objects.get()
    table = read_table(sample("report_card_wide.csv"))
    assert remembered.source_key == header_signature(table.columns)
    assert remembered.mapping["columns"] == {"category": "Student group"}

    out, _err = run(*args)

    assert "Layout: wide (remembered mapping)" in out
    # The same file again: every value is already stored as it says, so nothing is written.
    assert out.splitlines()[-1] == "Imported: 0 new, 0 updated, 19 unchanged, 0 new groups."
    assert DataPoint.objects.count() == 19
    assert DataPoint.history.count() == 19
    assert DataPoint.history.filter(history_type="~").count() == 0


def test_a_file_with_problems_lists_them_and_writes_nothing() -> None:
    indicator = make_indicator()
    make_indicator_in(indicator, "Kindergarten readiness", unit="count")
    add_groups(indicator)

    with pytest.raises(CommandError) as caught:
        run(
            str(FILES / "long_with_problems.csv"),
            "--initiative",
            str(indicator.initiative_id),
            "--create-groups",
        )

    assert str(caught.value) == "7 problems; nothing was imported."
    assert DataPoint.objects.count() == 0
    assert Category.objects.count() == 4
    assert ImportMapping.objects.count() == 0


def make_indicator_in(other: Indicator, name: str, **extra: Any) -> Indicator:
    return Indicator.objects.create(
        organization=other.organization,
        initiative=other.initiative,
        result=other.result,
        name=name,
        unit=extra.pop("unit", "percent"),
        **extra,
    )


def test_the_problems_are_printed_by_row_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    indicator = make_indicator()
    add_groups(indicator)
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_indicator_data",
            str(FILES / "long_with_problems.csv"),
            "--initiative",
            str(indicator.initiative_id),
            stdout=StringIO(),
            stderr=err,
        )
    assert err.getvalue().splitlines()[0] == "Row 3, column “Value”: “about 40” is not a number."
    assert DataPoint.objects.count() == 0


def test_another_organizations_indicator_is_not_found() -> None:
    indicator = make_indicator()
    outsider = make_indicator()

    with pytest.raises(CommandError) as caught:
        run(
            str(FILES / "report_card_wide.csv"),
            "--initiative",
            str(indicator.initiative_id),
            "--indicator",
            str(outsider.pk),
        )

    assert str(caught.value) == (
        f"The initiative {indicator.initiative_id} has no indicator with the id {outsider.pk}."
    )


def test_a_refused_file_type_is_a_command_error(tmp_path: Path) -> None:
    indicator = make_indicator()
    (tmp_path / "data.pdf").write_bytes(b"%PDF-1.4")

    with pytest.raises(CommandError) as caught:
        run(str(tmp_path / "data.pdf"), "--initiative", str(indicator.initiative_id))

    assert str(caught.value) == (
        "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as CSV or .xlsx and try "
        "again."
    )


def checked_report_card(indicator: Indicator) -> Any:
    table = read_table(sample("report_card_wide.csv"))
    mapping = propose_mapping(table.columns, indicator_name=indicator.name)
    return check_rows(table.frame, mapping, load_context(indicator.initiative, indicator))


def test_a_failure_in_a_later_batch_leaves_nothing_written() -> None:
    indicator = make_indicator()
    add_groups(indicator)
    checked = checked_report_card(indicator)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done > 5:
            raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        data_points_import(
            initiative=indicator.initiative, checked=checked, progress=progress, batch=5
        )

    assert calls == [(5, 19), (10, 19)]
    assert DataPoint.objects.count() == 0
    assert DataPoint.history.count() == 0


def test_groups_are_created_in_the_same_transaction_as_the_points() -> None:
    indicator = make_indicator("Kindergarten enrollment", unit="count")
    table = read_table(sample("enrollment_cp1252.csv"))
    mapping = propose_mapping(table.columns)
    mapping.create_categories = True
    checked = check_rows(table.frame, mapping, load_context(indicator.initiative))

    written = data_points_import(initiative=indicator.initiative, checked=checked)

    assert (written.created, written.updated, written.categories_created) == (5, 0, 2)
    assert list(
        Category.objects.order_by("position").values_list("dimension__name", "name", "position")
    ) == [("Raza/etnia", "Hispanic/Latino", 0), ("Raza/etnia", "Asiático", 1)]
    assert stored(indicator) == [
        ("2022", "Hispanic/Latino", Decimal("1234.0000"), False, ""),
        ("2022", "Asiático", Decimal("312.0000"), False, ""),
        ("2023", None, Decimal("12045.0000"), False, ""),
        ("2023", "Hispanic/Latino", Decimal("1301.0000"), False, ""),
        ("2023", "Asiático", Decimal("298.0000"), False, ""),
    ]


def test_a_checked_file_with_errors_is_refused_by_the_writer_too() -> None:
    indicator = make_indicator()
    add_groups(indicator)
    table = read_table(sample("long_with_problems.csv"))
    checked = check_rows(
        table.frame, propose_mapping(table.columns), load_context(indicator.initiative)
    )

    with pytest.raises(ImportRefused) as caught:
        data_points_import(initiative=indicator.initiative, checked=checked)

    assert str(caught.value) == "This file has 8 problems; nothing was imported."
    assert DataPoint.objects.count() == 0


def test_import_queries_do_not_grow_with_the_rows(
    django_assert_num_queries: Any,
) -> None:
    indicator = make_indicator()
    add_groups(indicator)
    checked = checked_report_card(indicator)

    # The same for 19 rows or 200,000 (one batch): PostgreSQL stages with COPY, which is not
    # counted, writes the points and their history in one statement and drops its staging table
    # at commit; SQLite inserts it, takes the new ids, drops the stored points the file repeats
    # from it, writes in three statements and drops it. Then the organization's webhook
    # endpoints are read for the import's one event.
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 15):
        data_points_import(initiative=indicator.initiative, checked=checked, batch=2000)


def test_every_new_and_updated_value_gets_its_history_row_with_who_and_when() -> None:
    from dataclasses import replace

    from tests.factories import UserFactory

    indicator = make_indicator()
    add_groups(indicator)
    staff: Any = UserFactory()
    checked = checked_report_card(indicator)
    written = data_points_import(initiative=indicator.initiative, checked=checked, user=staff)
    assert (written.created, written.updated) == (19, 0)
    first = dict(DataPoint.objects.values_list("id", "created_at"))

    # The next load revises the first value and brings the rest unchanged: only the revised
    # point is written again and gets a history row.
    checked.points[0] = replace(checked.points[0], value=Decimal("46.1"))
    written = data_points_import(initiative=indicator.initiative, checked=checked)
    assert (written.created, written.updated, written.unchanged) == (0, 1, 18)

    points = {p.pk: p for p in DataPoint.objects.all()}
    assert set(points) == set(first)
    assert {p.created_at for p in points.values()} == set(first.values())
    history = list(
        DataPoint.history.order_by("history_id").values_list(
            "id",
            "history_type",
            "history_user_id",
            "history_change_reason",
            "history_date",
            "organization_id",
            "indicator_id",
            "measure_id",
            "period",
            "category_id",
            "value",
            "suppressed",
            "suppression_marker",
            "created_at",
            "updated_at",
        )
    )
    assert len(history) == 20
    added, changed = history[:19], history[19:]
    revised = next(p for p in points.values() if p.value == Decimal("46.1"))
    assert sorted(h[0] for h in added) == sorted(points)
    assert [h[0] for h in changed] == [revised.pk]
    assert {h[1:4] for h in added} == {("+", staff.pk, None)}
    assert {h[1:4] for h in changed} == {("~", None, None)}
    # The points the load repeated keep when they were last written.
    assert all(p.updated_at == first[p.pk] for p in points.values() if p.pk != revised.pk)
    assert revised.updated_at > first[revised.pk]
    # Each history row holds the point as written then: the revised value in the second.
    for h in changed:
        point = points[h[0]]
        assert h[4:] == (
            point.updated_at,
            indicator.organization_id,
            indicator.pk,
            None,
            point.period,
            point.category_id,
            point.value,
            point.suppressed,
            point.suppression_marker,
            point.created_at,
            point.updated_at,
        )
    assert [h[10] for h in added if h[0] == revised.pk] == [Decimal("45.2000")]
    assert {h[4] for h in added} == {h[13] for h in added} == set(first.values())


@pytest.mark.parametrize(
    ("change", "updated"),
    [
        ({"value": Decimal("45.20")}, 0),  # the same number, written with another zero
        ({"value": Decimal("45.3")}, 1),
        ({"value": None, "suppressed": True, "marker": "*"}, 1),
        ({"source": "State report card, revised"}, 1),
        ({"note": "Corrected by the district"}, 1),
    ],
    ids=["same-number", "value", "suppressed", "source", "note"],
)
def test_a_stored_value_is_written_again_only_when_something_the_file_says_changed(
    change: dict[str, Any], updated: int
) -> None:
    from dataclasses import replace

    indicator = make_indicator()
    add_groups(indicator)
    checked = checked_report_card(indicator)
    data_points_import(initiative=indicator.initiative, checked=checked)
    assert checked.points[0].value == Decimal("45.2")

    checked.points[0] = replace(checked.points[0], **change)
    written = data_points_import(initiative=indicator.initiative, checked=checked)

    assert (written.created, written.updated, written.unchanged) == (0, updated, 19 - updated)
    assert DataPoint.history.filter(history_type="~").count() == updated
    first = DataPoint.objects.get(
        indicator=indicator, period=checked.points[0].period.label, category=None
    )
    wanted = {**{"value": Decimal("45.2"), "suppressed": False, "marker": ""}, **change}
    wanted["source"] = change.get("source", checked.points[0].source)
    wanted["note"] = change.get("note", checked.points[0].note)
    assert (
        first.value,
        first.suppressed,
        first.suppression_marker,
        first.source,
        first.note,
    ) == (
        wanted["value"],
        wanted["suppressed"],
        wanted["marker"],
        wanted["source"],
        wanted["note"],
    )


def test_texts_with_tabs_backslashes_and_line_breaks_are_stored_as_they_came() -> None:
    from metrics.importers.validate import Checked, Point
    from metrics.periods import school_year, year

    indicator = make_indicator()
    groups = add_groups(indicator)
    odd = ["tab\there", "back\\slash \\N", "two\nlines\r\nhere", "\\N"]
    checked = Checked(
        points=[
            Point(
                row=2 + i,
                column="Value",
                indicator_id=indicator.pk,
                period=school_year(2019) if i % 2 else year(2024),
                category_id=groups[GROUPS[i]],
                new_category=None,
                value=Decimal("12.5") if i else None,
                suppressed=not i,
                marker="n<10" if not i else "",
                source=text,
                note=text[::-1],
            )
            for i, text in enumerate(odd)
        ]
    )

    written = data_points_import(initiative=indicator.initiative, checked=checked)

    assert (written.created, written.updated) == (4, 0)
    assert list(
        DataPoint.objects.order_by("category__position").values_list(
            "period", "period_kind", "value", "suppressed", "suppression_marker", "source", "note"
        )
    ) == [
        ("2024", "year", None, True, "n<10", odd[0], odd[0][::-1]),
        ("SY2019-20", "school_year", Decimal("12.5000"), False, "", odd[1], odd[1][::-1]),
        ("2024", "year", Decimal("12.5000"), False, "", odd[2], odd[2][::-1]),
        ("SY2019-20", "school_year", Decimal("12.5000"), False, "", odd[3], odd[3][::-1]),
    ]
    assert list(
        DataPoint.history.order_by("category_id").values_list("history_type", "source", "note")
    ) == [("+", text, text[::-1]) for text in odd]


def test_an_organizations_points_are_found_by_an_index_that_holds_every_row() -> None:
    """Deleting an organization (and its foreign-key check) finds its points by the
    (organization, indicator, period_start) index: only the measure's indexes are partial."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef LIKE '%%WHERE%%' FROM pg_indexes "
                "WHERE tablename = %s AND indexdef LIKE %s ORDER BY indexname",
                [DataPoint._meta.db_table, "%(organization_id%"],
            )
        else:
            cursor.execute(
                "SELECT name, sql LIKE '%%WHERE%%' FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = %s AND sql LIKE %s ORDER BY name",
                [DataPoint._meta.db_table, '%("organization_id"%'],
            )
        assert cursor.fetchall() == [
            ("data_point_indicator_start", False),
            ("data_point_measure_start", True),
        ]
