"""What importing an uploaded file would do, row by row, before anything is written.

Existing people and partner organizations are looked up in bulk (a fixed number of queries
whatever the number of rows), so the preview and the commit cost the same for 5 rows or 5,000.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from initiatives.exporters import restore
from initiatives.importers.fields import CellError, Field, field_named
from initiatives.models import ImportBatch, PartnerOrganization, Person

EMAIL_CHUNK = 500  # emails per lookup query, well under every database's parameter limit


@dataclass
class RowOutcome:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # each mapped cell as written
    errors: list[str] = field(default_factory=list)
    # The same errors without the row number, for the row's own line in the preview.
    cell_errors: list[str] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # fields whose cell could not be read
    existing: Person | PartnerOrganization | None = None
    # People only: an organization name that "Create missing organizations" will add.
    new_organization: str = ""

    def add_error(self, column: str, message: str, *, first: bool = False) -> None:
        at = 0 if first else len(self.errors)
        self.errors.insert(at, row_error(self.number, column, message))
        self.cell_errors.insert(
            at, _("“%(column)s”: %(message)s") % {"column": column, "message": message}
        )

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        return "update" if self.existing is not None else "new"

    @property
    def name(self) -> str:
        return str(self.values.get("full_name") or self.values.get("name") or "")

    @property
    def organization_name(self) -> str:
        org = self.values.get("partner_organization")
        if isinstance(org, PartnerOrganization):
            return org.name
        return self.new_organization or str(org or "")


@dataclass
class Preview:
    kind: str
    rows: list[RowOutcome]
    mapping_problems: list[str]
    new_organizations: list[str]

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new_count(self) -> int:
        return self._count("new")

    @property
    def update_count(self) -> int:
        return self._count("update")

    @property
    def error_count(self) -> int:
        return self._count("error")

    @property
    def valid_rows(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.status != "error"]

    @property
    def signature(self) -> str:
        """What importing would do, in short: the commit refuses if it changed since shown."""
        return outcome_signature(
            [
                (r.number, r.status, r.existing.pk if r.existing else None, r.new_organization)
                for r in self.rows
            ]
        )

    @property
    def errors(self) -> list[str]:
        return [e for r in self.rows for e in r.errors]


def outcome_signature(outcome: list[tuple[int, str, int | None, str]]) -> str:
    """A short digest of (row number, status, matched id, organization to add) per row."""
    return hashlib.sha256(repr(outcome).encode()).hexdigest()[:16]


def row_error(number: int, column: str, message: str) -> str:
    return _("Row %(row)s, column “%(column)s”: %(message)s") % {
        "row": number,
        "column": column,
        "message": message,
    }


def check_mapping(kind: str, headers: list[str], mapping: list[str]) -> list[str]:
    """Why this choice of columns cannot work, if it cannot (empty list when it can)."""
    problems = []
    chosen: dict[str, list[str]] = {}
    for header, name in zip(headers, mapping, strict=True):
        if name:
            chosen.setdefault(name, []).append(header)
    for name, columns in chosen.items():
        if len(columns) > 1:
            problems.append(
                _("%(field)s is chosen for more than one column: %(columns)s.")
                % {
                    "field": field_named(kind, name).label,
                    "columns": ", ".join(f"“{c}”" for c in columns),
                }
            )
    if kind == ImportBatch.Kind.PEOPLE:
        if "full_name" in chosen and {"first_name", "last_name"} & set(chosen):
            problems.append(_("Choose either a Name column or First name and Last name columns."))
        elif not {"full_name", "first_name", "last_name"} & set(chosen):
            problems.append(_("No column goes to Name (or First name and Last name)."))
    elif "name" not in chosen:
        problems.append(_("No column goes to Name."))
    return problems


def _people_by_email(organization_id: int, emails: Iterable[str]) -> dict[str, Person]:
    wanted = sorted({e for e in emails if e})
    found: dict[str, Person] = {}
    for start in range(0, len(wanted), EMAIL_CHUNK):
        chunk = wanted[start : start + EMAIL_CHUNK]
        for person in (
            Person.objects.filter(organization_id=organization_id)
            .select_related("organization")
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
        ):
            found[person.email.lower()] = person
    return found


def _partners_by_name(organization_id: int) -> dict[str, PartnerOrganization]:
    return {
        p.name.casefold(): p
        for p in PartnerOrganization.objects.filter(organization_id=organization_id).select_related(
            "organization"
        )
    }


def build_preview(batch: ImportBatch) -> Preview:
    kind = batch.kind
    headers: list[str] = list(batch.headers)
    mapping: list[str] = list(batch.mapping)
    columns: list[tuple[int, Field]] = [
        (i, field_named(kind, name)) for i, name in enumerate(mapping) if name
    ]
    header_of = {f.name: headers[i] for i, f in columns}
    rows: list[RowOutcome] = []
    for raw in batch.rows:
        row = RowOutcome(number=int(raw["n"]))
        for index, spec in columns:
            text = restore(str(raw["cells"][index]).strip())
            if not text:
                continue
            row.raw[spec.name] = text
            try:
                row.values[spec.name] = spec.parse(text)
            except CellError as error:
                row.add_error(headers[index], str(error))
                row.failed.add(spec.name)
        rows.append(row)
    if kind == ImportBatch.Kind.PEOPLE:
        new_organizations = _check_people(batch, rows, header_of)
    else:
        new_organizations = []
        _check_partners(batch, rows, header_of)
    return Preview(
        kind=kind,
        rows=rows,
        mapping_problems=check_mapping(kind, headers, mapping),
        new_organizations=new_organizations,
    )


def _check_people(
    batch: ImportBatch, rows: list[RowOutcome], header_of: dict[str, str]
) -> list[str]:
    existing = _people_by_email(batch.organization_id, (r.values.get("email", "") for r in rows))
    partners = _partners_by_name(batch.organization_id)
    first_row_of: dict[str, int] = {}
    new_organizations: dict[str, str] = {}
    name_column = (
        header_of.get("full_name")
        or header_of.get("first_name")
        or header_of.get("last_name", str(_("Name")))
    )
    for row in rows:
        parts = [row.values.pop(p, "") for p in ("first_name", "last_name")]
        if "full_name" not in row.values and any(parts):
            row.values["full_name"] = " ".join(p for p in parts if p)
        if not row.values.get("full_name"):
            row.add_error(name_column, _("The name is empty."), first=True)
        email = row.values.get("email", "")
        if email:
            if email in first_row_of:
                row.add_error(
                    header_of["email"],
                    _("%(email)s is also on row %(row)s.")
                    % {"email": email, "row": first_row_of[email]},
                )
            else:
                first_row_of[email] = row.number
            row.existing = existing.get(email)
        org_name = row.values.get("partner_organization")
        if org_name:
            partner = partners.get(org_name.casefold())
            if partner is not None:
                row.values["partner_organization"] = partner
            elif batch.create_missing_organizations:
                del row.values["partner_organization"]
                row.new_organization = new_organizations.setdefault(org_name.casefold(), org_name)
            else:
                row.add_error(
                    header_of["partner_organization"],
                    _(
                        "No partner organization is called “%(name)s”. Add it first, or "
                        "choose “Create missing organizations”."
                    )
                    % {"name": org_name},
                )
    return sorted(new_organizations.values(), key=str.casefold)


def _check_partners(batch: ImportBatch, rows: list[RowOutcome], header_of: dict[str, str]) -> None:
    partners = _partners_by_name(batch.organization_id)
    first_row_of: dict[str, int] = {}
    name_column = header_of.get("name", str(_("Name")))
    for row in rows:
        name = row.values.get("name", "")
        if not name:
            row.add_error(name_column, _("The name is empty."), first=True)
            continue
        key = name.casefold()
        if key in first_row_of:
            row.add_error(
                name_column,
                _("%(name)s is also on row %(row)s.") % {"name": name, "row": first_row_of[key]},
            )
            continue
        first_row_of[key] = row.number
        row.existing = partners.get(key)
        if row.existing is None and "sector" not in row.values and "sector" not in row.failed:
            row.add_error(
                header_of.get("sector", str(_("Sector"))),
                _("A new partner organization needs a sector."),
            )
