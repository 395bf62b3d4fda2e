"""Pages of the imports area, mounted under /o/<org_slug>/ by initiatives/urls.py: importing
people and partner organizations from a spreadsheet, and exporting them."""

from django.urls import path

from initiatives.models import ImportBatch
from initiatives.views import imports

PEOPLE = {"kind": ImportBatch.Kind.PEOPLE.value}
PARTNERS = {"kind": ImportBatch.Kind.PARTNERS.value}

urlpatterns = [
    path("people/import/", imports.import_upload, PEOPLE, name="people_import"),
    path("partners/import/", imports.import_upload, PARTNERS, name="partners_import"),
    path("imports/<int:batch_id>/", imports.import_preview, name="import_preview"),
    path("imports/<int:batch_id>/commit/", imports.import_commit, name="import_commit"),
    path("people/export.csv", imports.export, {**PEOPLE, "fmt": "csv"}, name="people_export_csv"),
    path(
        "people/export.xlsx", imports.export, {**PEOPLE, "fmt": "xlsx"}, name="people_export_xlsx"
    ),
    path(
        "partners/export.csv",
        imports.export,
        {**PARTNERS, "fmt": "csv"},
        name="partners_export_csv",
    ),
    path(
        "partners/export.xlsx",
        imports.export,
        {**PARTNERS, "fmt": "xlsx"},
        name="partners_export_xlsx",
    ),
]
