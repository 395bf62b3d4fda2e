"""People and partner organizations as CSV or XLSX, in the same columns the importer reads, so an
export can be edited in a spreadsheet and imported back.

A cell that starts with = + - @ (or a tab or carriage return) would run as a formula when the
file is opened in a spreadsheet; it gets a leading single quote, which the importer removes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from backbone.models import Organization
from initiatives.importers.fields import PARTNER_FIELDS, PEOPLE_FIELDS, Field
from initiatives.models import PartnerOrganization, Person
from initiatives.selectors import partners_list, people_list

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PEOPLE_COLUMNS = [
    "full_name",
    "email",
    "phone",
    "partner_organization",
    "title",
    "preferred_language",
    "is_community_member",
    "race_ethnicity",
    "gender",
]


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """The inverse of neutralise, for a cell read back from one of our exports."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _people_fields(with_demographics: bool) -> list[Field]:
    by_name = {f.name: f for f in PEOPLE_FIELDS}
    return [by_name[n] for n in PEOPLE_COLUMNS if with_demographics or not by_name[n].demographic]


def people_table(
    *, organization: Organization, with_demographics: bool
) -> tuple[list[str], list[list[str]]]:
    """The organization's current people (not those removed), one query."""
    fields = _people_fields(with_demographics)

    def cells(person: Person) -> list[str]:
        org = person.partner_organization
        values = {
            "full_name": person.full_name,
            "email": person.email,
            "phone": person.phone,
            "partner_organization": org.name if org else "",
            "title": person.title,
            "preferred_language": str(person.get_preferred_language_display()),
            "is_community_member": _yes_no(person.is_community_member),
            "race_ethnicity": str(person.get_race_ethnicity_display()),
            "gender": str(person.get_gender_display()),
        }
        return [values[f.name] for f in fields]

    return (
        [str(f.label) for f in fields],
        [cells(p) for p in people_list(organization=organization)],
    )


def partners_table(*, organization: Organization) -> tuple[list[str], list[list[str]]]:
    def cells(partner: PartnerOrganization) -> list[str]:
        return [
            partner.name,
            str(partner.get_sector_display()),
            str(partner.get_size_band_display()),
            _yes_no(partner.community_led),
            partner.website,
            partner.notes,
        ]

    return (
        [str(f.label) for f in PARTNER_FIELDS],
        [cells(p) for p in partners_list(organization=organization)],
    )


# A cell of an export: text (neutralised when it would run as a formula), or a number kept as
# a number (a spreadsheet never runs one), or nothing.
Cell = str | Decimal | None


def _safe(cell: Cell) -> Cell:
    return neutralise(cell) if isinstance(cell, str) else cell


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    return f"{cell:f}" if isinstance(cell, Decimal) else neutralise(cell)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM, so Excel shows accented names as they are. A number is written as
    plain digits ("45.2", "-3.5")."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet: str) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append([neutralise(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(c) for c in row])
    for i, header in enumerate(headers):
        letter = ws.cell(row=1, column=i + 1).column_letter
        ws.column_dimensions[letter].width = max(12, min(40, len(header) + 4))
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
