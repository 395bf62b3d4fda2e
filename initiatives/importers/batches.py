"""Writes of the import flow: keep an upload, change its column mapping, and commit it.

The commit goes through the people and partner services, every row inside one transaction:
every chosen row lands, or none does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.models import Organization, User
from initiatives.importers.fields import fields_for, propose_mapping
from initiatives.importers.files import ImportFileError, read_upload
from initiatives.importers.preview import Preview, build_preview, check_mapping
from initiatives.models import ImportBatch, PartnerOrganization, Person, Sector
from initiatives.services import partner_create, partner_update, person_create, person_update

# Uploads nobody committed are dropped after this long: they may hold people's details.
ABANDONED_AFTER = timedelta(days=7)


class AlreadyImportedError(Exception):
    def __init__(self, batch: ImportBatch) -> None:
        super().__init__("already imported")
        self.batch = batch


@transaction.atomic
def import_batch_create(
    *,
    organization: Organization,
    kind: str,
    file: IO[bytes],
    filename: str,
    size: int | None,
    uploaded_by: User,
) -> ImportBatch:
    """Read the file and keep it for the preview. Raises ImportFileError, writing nothing."""
    kind = ImportBatch.Kind(kind)
    sheet = read_upload(file, size=size)
    mapping = propose_mapping(kind, sheet.headers)
    if not any(mapping):
        expected = ", ".join(str(f.label) for f in fields_for(kind) if not f.demographic)
        raise ImportFileError(
            _(
                "No column of this file is one we recognise. The first row should name the "
                "columns, such as: %(expected)s. Its first row reads: %(found)s."
            )
            % {"expected": expected, "found": ", ".join(sheet.headers[:8])}
        )
    ImportBatch.objects.in_org(organization).filter(
        committed_at__isnull=True, created_at__lt=timezone.now() - ABANDONED_AFTER
    ).delete()
    return ImportBatch.objects.create(
        organization=organization,
        kind=kind,
        filename=filename[:255],
        uploaded_by=uploaded_by,
        headers=sheet.headers,
        rows=[{"n": n, "cells": cells} for n, cells in sheet.rows],
        mapping=mapping,
    )


@transaction.atomic
def import_batch_set_mapping(
    *, batch: ImportBatch, mapping: list[str], create_missing_organizations: bool = False
) -> ImportBatch:
    if batch.committed_at is not None:
        raise ValidationError(_("This file was already imported."))
    known = {f.name for f in fields_for(batch.kind)}
    if len(mapping) != len(batch.headers) or not set(mapping) <= known | {""}:
        raise ValidationError(_("The columns changed; reload the page and choose again."))
    problems = check_mapping(batch.kind, batch.headers, mapping)
    if problems:
        raise ValidationError(problems)
    batch.mapping = mapping
    batch.create_missing_organizations = (
        create_missing_organizations and batch.kind == ImportBatch.Kind.PEOPLE
    )
    batch.save(update_fields=["mapping", "create_missing_organizations"])
    return batch


@transaction.atomic
def import_batch_commit(
    *, batch: ImportBatch, committed_by: User, only_valid: bool, expected: str
) -> ImportBatch:
    """Import the rows the preview showed as importable. `expected` is the signature of that
    preview; if what importing would do changed since (someone added a person the file names,
    or removed an organization), nothing is written and the person looks again. A second
    commit of the same upload raises AlreadyImportedError.
    """
    # Compare-and-set first: a second request for the same upload waits for this one's
    # transaction, then finds it claimed.
    claimed = ImportBatch.objects.filter(pk=batch.pk, committed_at__isnull=True).update(
        committed_at=timezone.now(), committed_by=committed_by
    )
    if not claimed:
        batch.refresh_from_db()
        raise AlreadyImportedError(batch)
    preview = build_preview(batch)
    if preview.mapping_problems:
        raise ValidationError(preview.mapping_problems)
    if preview.error_count and not only_valid:
        raise ValidationError(
            _(
                "Some rows have errors. Fix the file and upload it again, or import the valid "
                "rows only."
            )
        )
    rows = preview.valid_rows
    if not rows:
        raise ValidationError(_("No row can be imported: every row has an error."))
    if preview.signature != expected:
        raise ValidationError(
            _(
                "The people or organizations this file matches changed since you looked at the "
                "preview. Nothing was imported; check the preview again."
            )
        )
    try:
        if batch.kind == ImportBatch.Kind.PEOPLE:
            created, updated = _commit_people(batch, preview)
        else:
            created, updated = _commit_partners(batch, preview)
    except IntegrityError:
        # Someone else wrote the same person or organization between our checks and our insert.
        raise ValidationError(
            _(
                "Someone changed the same people or organizations while this file was being "
                "imported. Nothing was imported; check the preview again."
            )
        ) from None
    batch.committed_at = timezone.now()
    batch.committed_by = committed_by
    batch.created_count, batch.updated_count = created, updated
    batch.rows = []  # no longer needed, and they may hold demographics
    batch.save(
        update_fields=["committed_at", "committed_by", "created_count", "updated_count", "rows"]
    )
    return batch


def _failed(number: int, error: ValidationError) -> ValidationError:
    return ValidationError(
        _("Row %(row)s could not be imported: %(reason)s Nothing was imported.")
        % {"row": number, "reason": " ".join(error.messages)}
    )


def _commit_people(batch: ImportBatch, preview: Preview) -> tuple[int, int]:
    organization = batch.organization
    added: dict[str, PartnerOrganization] = {}
    for name in preview.new_organizations:
        added[name.casefold()] = partner_create(
            organization=organization, name=name, sector=Sector.OTHER
        )
    created = updated = 0
    for row in preview.valid_rows:
        values: dict[str, Any] = dict(row.values)
        if row.new_organization:
            values["partner_organization"] = added[row.new_organization.casefold()]
        try:
            if isinstance(row.existing, Person):
                person_update(person=row.existing, **values)
                updated += 1
            else:
                person_create(organization=organization, **values)
                created += 1
        except ValidationError as error:
            raise _failed(row.number, error) from error
    return created, updated


def _commit_partners(batch: ImportBatch, preview: Preview) -> tuple[int, int]:
    created = updated = 0
    for row in preview.valid_rows:
        values: dict[str, Any] = dict(row.values)
        try:
            if isinstance(row.existing, PartnerOrganization):
                values.pop("name")  # matched regardless of case: keep the name as it is written
                partner_update(partner=row.existing, **values)
                updated += 1
            else:
                partner_create(organization=batch.organization, **values)
                created += 1
        except ValidationError as error:
            raise _failed(row.number, error) from error
    return created, updated
