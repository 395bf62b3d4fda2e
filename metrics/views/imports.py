"""Importing indicator data in the browser: upload a CSV or XLSX → check which column goes where
→ preview (new, changed and unchanged values; every problem by row and column) → import, all or
nothing. A large file is imported by a background worker while the page shows its progress."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from initiatives.views.ordered import get_initiative
from metrics import tasks
from metrics.data_imports import (
    data_import_create,
    data_import_is_large,
    data_import_progress,
    data_import_run,
    data_import_set_mapping,
    data_import_start,
)
from metrics.forms import DataUploadForm, MappingForm
from metrics.importers.commit import ImportRefused
from metrics.importers.read import MAX_UPLOAD_BYTES, ReadError
from metrics.models import DataImport, Indicator

# How often the progress bar asks (seconds).
POLL_SECONDS = 1


def _get_import(request: OrgRequest, import_id: int) -> DataImport:
    return get_in_org_or_404(
        DataImport.objects.select_related("initiative", "indicator", "uploaded_by"),
        request.organization,
        pk=import_id,
    )


@require_http_methods(["GET", "POST"])
def data_import_upload(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    initiative = get_initiative(request, initiative_id)
    # From an indicator's page the upload goes into that indicator; from the initiative's,
    # the person chooses one (a report card) or lets a column of the file name it.
    wanted = request.GET.get("indicator", "")
    form = (
        DataUploadForm(request.POST, request.FILES, initiative=initiative)
        if request.method == "POST"
        else DataUploadForm(
            initiative=initiative, initial={"indicator": wanted} if wanted.isdigit() else None
        )
    )
    indicator = None
    if request.method == "GET" and wanted.isdigit():
        indicator = (
            Indicator.objects.filter(
                organization=request.organization, initiative=initiative, pk=int(wanted)
            )
            .only("pk", "name")
            .first()
        )
    if request.method == "POST" and form.is_valid():
        indicator = form.cleaned_data["indicator"]
        upload = form.cleaned_data["file"]
        upload.seek(0)
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            data_import = data_import_create(
                initiative=initiative,
                data=data,
                file_name=upload.name or "",
                uploaded_by=request.user,
                indicator=indicator,
            )
        except ReadError as error:
            form.add_error("file", str(error))
        else:
            return redirect("data_import_detail", org_slug=org_slug, import_id=data_import.pk)
    recent = list(
        DataImport.objects.filter(organization=request.organization, initiative=initiative)
        .select_related("uploaded_by")
        .defer("upload", "preview", "errors", "mapping")[:5]
    )
    return render(
        request,
        "metrics/import_upload.html",
        {"form": form, "initiative": initiative, "indicator": indicator, "recent": recent},
        status=400 if form.errors else 200,
    )


def _detail(
    request: OrgRequest, data_import: DataImport, form: MappingForm | None, status: int = 200
) -> HttpResponse:
    stage, done, total = data_import_progress(data_import)
    return render(
        request,
        "metrics/import_detail.html",
        {
            "data_import": data_import,
            "initiative": data_import.initiative,
            "form": form,
            "preview": data_import.preview,
            "errors": data_import.errors,
            "progress": {"stage": stage, "done": done, "total": total},
            "poll_seconds": POLL_SECONDS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def data_import_detail(request: OrgRequest, org_slug: str, import_id: int) -> HttpResponse:
    """The preview with its column mapping (a POST previews again with the chosen mapping), or
    the progress and outcome of the import."""
    require_perm(request, "manage_measurement")
    data_import = _get_import(request, import_id)
    waiting = data_import.status in (DataImport.Status.UPLOADED, DataImport.Status.PREVIEWED)
    if not waiting:
        return _detail(request, data_import, None)
    if request.method != "POST":
        return _detail(request, data_import, MappingForm(data_import=data_import))
    form = MappingForm(request.POST, data_import=data_import)
    if form.is_valid():
        try:
            data_import_set_mapping(data_import=data_import, mapping=form.mapping())
        except (ReadError, ImportRefused) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The preview now uses your choice of columns."))
            return redirect("data_import_detail", org_slug=org_slug, import_id=data_import.pk)
    return _detail(request, data_import, form, status=400)


@require_POST
def data_import_commit(request: OrgRequest, org_slug: str, import_id: int) -> HttpResponse:
    require_perm(request, "manage_measurement")
    data_import = _get_import(request, import_id)
    back = redirect("data_import_detail", org_slug=org_slug, import_id=data_import.pk)
    ready = (
        not data_import.preview.get("problems")
        and not data_import.preview.get("errors")
        and data_import.preview.get("points")
    )
    if not ready:
        messages.error(request, _("This file cannot be imported until its problems are fixed."))
        return back
    if not data_import_start(data_import=data_import):
        messages.warning(request, _("This file is already being imported, or was imported."))
        return back
    if data_import_is_large(data_import):
        pk = data_import.pk
        transaction.on_commit(lambda: tasks.run_data_import.delay(pk))
        return back
    done = data_import_run(pk=data_import.pk)
    if done is not None and done.status == DataImport.Status.DONE:
        written = done.preview.get("written", {})
        messages.success(
            request,
            _(
                "Imported: %(created)s new values, %(updated)s updated, "
                "%(unchanged)s already up to date."
            )
            % {
                "created": written.get("created", 0),
                "updated": written.get("updated", 0),
                "unchanged": written.get("unchanged", 0),
            },
        )
    else:
        messages.error(request, _("Nothing was imported: see the problems below."))
    return back


@require_GET
def data_import_progress_view(request: OrgRequest, org_slug: str, import_id: int) -> HttpResponse:
    """The progress bar alone, asked for every second by the page while the import runs; once
    it is over, the page reloads itself to show the outcome."""
    require_perm(request, "manage_measurement")
    data_import = _get_import(request, import_id)
    stage, done, total = data_import_progress(data_import)
    response = render(
        request,
        "metrics/partials/import_progress.html",
        {
            "data_import": data_import,
            "progress": {"stage": stage, "done": done, "total": total},
            "poll_seconds": POLL_SECONDS,
        },
    )
    if data_import.status != DataImport.Status.IMPORTING and request.htmx:
        response["HX-Refresh"] = "true"
    return response
