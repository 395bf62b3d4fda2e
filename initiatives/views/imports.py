"""Importing people and partner organizations from a spreadsheet (upload → columns → preview →
import), and exporting them in the same columns."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from initiatives.exporters import partners_table, people_table, to_csv, to_xlsx
from initiatives.forms.imports import MappingForm, UploadForm
from initiatives.importers.batches import (
    AlreadyImportedError,
    import_batch_commit,
    import_batch_create,
    import_batch_set_mapping,
)
from initiatives.importers.fields import fields_for
from initiatives.importers.files import ImportFileError
from initiatives.importers.preview import build_preview
from initiatives.models import ImportBatch

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind_words(kind: str) -> dict[str, str]:
    if kind == ImportBatch.Kind.PEOPLE:
        return {"title": _("Import people"), "list_url": "people", "things": _("people")}
    return {
        "title": _("Import partner organizations"),
        "list_url": "partners",
        "things": _("partner organizations"),
    }


@require_http_methods(["GET", "POST"])
def import_upload(request: OrgRequest, org_slug: str, kind: str) -> HttpResponse:
    require_perm(request, "manage_people")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_create(
                organization=request.organization,
                kind=kind,
                file=upload,
                filename=upload.name or "",
                size=upload.size,
                uploaded_by=request.user,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("import_preview", org_slug=org_slug, batch_id=batch.pk)
    return render(
        request,
        "initiatives/imports/upload.html",
        {
            "form": form,
            "kind": kind,
            "words": _kind_words(kind),
            "fields": [f for f in fields_for(kind) if f.name not in {"first_name", "last_name"}],
            "export_url": f"{kind}_export_csv",
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def import_preview(request: OrgRequest, org_slug: str, batch_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    batch = get_in_org_or_404(ImportBatch, request.organization, pk=batch_id)
    context = {"batch": batch, "kind": batch.kind, "words": _kind_words(batch.kind)}
    if batch.committed_at is not None:
        return render(request, "initiatives/imports/result.html", context)
    form = MappingForm(request.POST if request.method == "POST" else None, batch=batch)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                import_batch_set_mapping(
                    batch=batch,
                    mapping=form.mapping(),
                    create_missing_organizations=form.cleaned_data.get(
                        "create_missing_organizations", False
                    ),
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The preview now uses your choice of columns."))
                return redirect("import_preview", org_slug=org_slug, batch_id=batch.pk)
        status = 400
    preview = build_preview(batch)
    return render(
        request,
        "initiatives/imports/preview.html",
        {**context, "form": form, "preview": preview},
        status=status,
    )


@require_POST
def import_commit(request: OrgRequest, org_slug: str, batch_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    batch = get_in_org_or_404(ImportBatch, request.organization, pk=batch_id)
    try:
        batch = import_batch_commit(
            batch=batch,
            committed_by=request.user,
            only_valid=request.POST.get("only_valid") == "1",
            expected=request.POST.get("expected", ""),
        )
    except AlreadyImportedError as already:
        messages.warning(
            request,
            _(
                "This file was already imported (%(created)s created, %(updated)s updated). "
                "Nothing was imported again."
            )
            % {"created": already.batch.created_count, "updated": already.batch.updated_count},
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Imported: %(created)s created, %(updated)s updated.")
            % {"created": batch.created_count, "updated": batch.updated_count},
        )
    return redirect("import_preview", org_slug=org_slug, batch_id=batch.pk)


@require_GET
def export(request: OrgRequest, org_slug: str, kind: str, fmt: str) -> HttpResponse:
    require_perm(request, "view_people")
    organization = request.organization
    if kind == ImportBatch.Kind.PEOPLE:
        headers, rows = people_table(
            organization=organization,
            with_demographics=request.user.has_perm(
                "backbone.view_person_demographics", organization
            ),
        )
        sheet = str(_("People"))
    else:
        headers, rows = partners_table(organization=organization)
        sheet = str(_("Partner organizations"))
    stem = f"{organization.slug}-{kind}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(headers, rows, sheet=sheet), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(to_csv(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
