"""Downloads of indicator data, mounted under /o/<org_slug>/ by config/urls.py."""

from django.urls import path

from metrics import views_export

urlpatterns = [
    path(
        "indicators/<int:indicator_id>/export.csv",
        views_export.indicator_export,
        {"fmt": "csv"},
        name="indicator_export_csv",
    ),
    path(
        "indicators/<int:indicator_id>/export.xlsx",
        views_export.indicator_export,
        {"fmt": "xlsx"},
        name="indicator_export_xlsx",
    ),
    path(
        "initiatives/<int:initiative_id>/indicators/export.csv",
        views_export.initiative_export,
        {"fmt": "csv"},
        name="initiative_indicators_export_csv",
    ),
    path(
        "initiatives/<int:initiative_id>/indicators/export.xlsx",
        views_export.initiative_export,
        {"fmt": "xlsx"},
        name="initiative_indicators_export_xlsx",
    ),
    path(
        "performance-measures/<int:measure_id>/export.csv",
        views_export.measure_export,
        {"fmt": "csv"},
        name="measure_export_csv",
    ),
    path(
        "performance-measures/<int:measure_id>/export.xlsx",
        views_export.measure_export,
        {"fmt": "xlsx"},
        name="measure_export_xlsx",
    ),
    path(
        "initiatives/<int:initiative_id>/performance-measures/export.csv",
        views_export.initiative_measures_export,
        {"fmt": "csv"},
        name="initiative_measures_export_csv",
    ),
    path(
        "initiatives/<int:initiative_id>/performance-measures/export.xlsx",
        views_export.initiative_measures_export,
        {"fmt": "xlsx"},
        name="initiative_measures_export_xlsx",
    ),
]
