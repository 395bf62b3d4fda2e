"""`manage.py import_indicator_data FILE --initiative ID [--indicator ID] [--dry-run]`: the
browser importer for data staff who automate monthly loads. It reads, maps (the mapping
remembered for this source, or a guess), checks, prints the preview and every problem by row
and column, and writes all the rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from initiatives.models import Initiative
from metrics.importers.commit import (
    ImportRefused,
    data_points_import,
    import_mapping_recall,
    import_mapping_remember,
)
from metrics.importers.layout import header_signature, mapping_problems, propose_mapping
from metrics.importers.read import MAX_UPLOAD_BYTES, ReadError, read_table
from metrics.importers.validate import check_rows, existing_keys, load_context, preview
from metrics.models import Indicator

PREVIEW_LINES = 10


class Command(BaseCommand):
    help = (
        "Import indicator data points from a CSV or XLSX file. With --dry-run, print the "
        "preview and the problems and write nothing. A file with any problem writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--initiative", type=int, required=True, help="initiative id")
        parser.add_argument(
            "--indicator", type=int, help="indicator id: import every value into it"
        )
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument(
            "--create-groups",
            action="store_true",
            help="create the disaggregation groups the file names that do not exist yet",
        )
        parser.add_argument("--parentheses-negative", action="store_true", help="read (12) as -12")
        parser.add_argument(
            "--percent-as-fraction",
            action="store_true",
            help="read plain values of percent indicators as fractions (0.452 is 45.2%%)",
        )
        parser.add_argument(
            "--excel-serial",
            action="store_true",
            help="read numbers in the period column as Excel date serial numbers",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        initiative = Initiative.objects.filter(pk=options["initiative"]).first()
        if initiative is None:
            raise CommandError(f"No initiative with the id {options['initiative']}.")
        indicator = None
        if options["indicator"] is not None:
            indicator = Indicator.objects.filter(
                pk=options["indicator"],
                organization_id=initiative.organization_id,
                initiative=initiative,
            ).first()
            if indicator is None:
                raise CommandError(
                    f"The initiative {initiative.pk} has no indicator with the id "
                    f"{options['indicator']}."
                )
        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                data = file.read(MAX_UPLOAD_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            table = read_table(data, file_name=path.name)
        except ReadError as error:
            raise CommandError(str(error)) from None

        signature = header_signature(table.columns)
        remembered = import_mapping_recall(initiative=initiative, source_key=signature)
        mapping = propose_mapping(
            table.columns, remembered, indicator_name=indicator.name if indicator else ""
        )
        for flag, attribute in (
            ("create_groups", "create_categories"),
            ("parentheses_negative", "parentheses_negative"),
            ("percent_as_fraction", "percent_as_fraction"),
            ("excel_serial", "excel_serial"),
        ):
            if options[flag]:
                setattr(mapping, attribute, True)
        out = self.stdout
        out.write(f"File: {path.name} ({table.kind}, {len(table.frame)} rows)")
        out.write(f"Layout: {mapping.layout}" + (" (remembered mapping)" if remembered else ""))
        for role, column in mapping.columns.items():
            out.write(f"  {role}: “{column}”")
        for column, period in mapping.period_columns.items():
            out.write(f"  period {period}: “{column}”")
        problems = mapping_problems(mapping, table.columns, fixed_indicator=indicator is not None)
        if problems:
            raise CommandError("The columns cannot be imported:\n" + "\n".join(problems))

        checked = check_rows(
            table.frame,
            mapping,
            load_context(initiative, indicator),
            header_row=table.header_rows[-1],
            extra_columns=table.extra_columns,
        )
        existing = existing_keys(
            initiative.organization_id, {p.indicator_id for p in checked.points}
        )
        summary = preview(checked, existing=existing)
        out.write(
            f"Values: {summary['points']} ({summary['new']} new, {summary['updated']} updated, "
            f"{summary['suppressed']} suppressed); blank cells skipped: {summary['blank_cells']}"
        )
        for dimension, category in checked.new_categories:
            out.write(f"  new group: {dimension} / {category}")
        for point in checked.points[:PREVIEW_LINES]:
            shown = f"suppressed ({point.marker})" if point.suppressed else str(point.value)
            group = (
                point.new_category[1] if point.new_category else (point.category_id or "everyone")
            )
            out.write(f"  row {point.row}: {point.period.label}, {group}: {shown}")
        if checked.errors:
            for problem in checked.errors:
                self.stderr.write(str(problem))
            if checked.more_errors:
                self.stderr.write(f"… and {checked.more_errors} more problems.")
            raise CommandError(
                f"{len(checked.errors) + checked.more_errors} problems; nothing was imported."
            )
        if options["dry_run"]:
            out.write("Dry run: nothing was written.")
            return

        def progress(done: int, total: int) -> None:
            out.write(f"  written {done} of {total}")

        try:
            written = data_points_import(initiative=initiative, checked=checked, progress=progress)
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        import_mapping_remember(
            initiative=initiative, source_key=signature, mapping=mapping.to_json()
        )
        out.write(
            self.style.SUCCESS(
                f"Imported: {written.created} new, {written.updated} updated, "
                f"{written.unchanged} unchanged, {written.categories_created} new groups."
            )
        )
