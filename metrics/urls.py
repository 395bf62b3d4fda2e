"""Pages of shared measurement, mounted under /o/<org_slug>/ by config/urls.py. An initiative's
overviews sit under its address (so the Initiatives tab stays lit); one indicator, measure or
data import is found by its own id within the organization."""

from django.urls import path

from metrics.views import edit, imports, pages, svg

urlpatterns = [
    path(
        "initiatives/<int:initiative_id>/indicators/",
        pages.results_overview,
        name="results_overview",
    ),
    path(
        "initiatives/<int:initiative_id>/indicators/new/",
        edit.indicator_create,
        name="indicator_create",
    ),
    path(
        "initiatives/<int:initiative_id>/performance-measures/",
        pages.measures_overview,
        name="measures_overview",
    ),
    path(
        "initiatives/<int:initiative_id>/performance-measures/new/",
        edit.measure_create,
        name="measure_create",
    ),
    path(
        "initiatives/<int:initiative_id>/data-imports/new/",
        imports.data_import_upload,
        name="data_import_upload",
    ),
    path("indicators/stale/", pages.stale_list, name="indicators_stale"),
    path("indicators/<int:indicator_id>/", pages.indicator_detail, name="indicator_detail"),
    path("indicators/<int:indicator_id>/edit/", edit.indicator_edit, name="indicator_edit"),
    path("indicators/<int:indicator_id>/notes/", edit.indicator_notes, name="indicator_notes"),
    path("performance-measures/<int:measure_id>/", pages.measure_detail, name="measure_detail"),
    path("performance-measures/<int:measure_id>/edit/", edit.measure_edit, name="measure_edit"),
    path(
        "performance-measures/<int:measure_id>/notes/",
        edit.measure_notes,
        name="measure_notes",
    ),
    path("indicators/<int:indicator_id>/gaps/new/", edit.gap_create, name="gap_create"),
    path("gaps/<int:gap_id>/edit/", edit.gap_edit, name="gap_edit"),
    path("gaps/<int:gap_id>/delete/", edit.gap_delete, name="gap_delete"),
    # Each chart as an SVG file.
    path(
        "indicators/<int:indicator_id>/chart.svg",
        svg.indicator_trend_svg,
        name="indicator_trend_svg",
    ),
    path(
        "indicators/<int:indicator_id>/groups/<int:dimension_id>/chart.svg",
        svg.indicator_groups_svg,
        name="indicator_groups_svg",
    ),
    path(
        "performance-measures/<int:measure_id>/chart.svg",
        svg.measure_trend_svg,
        name="measure_trend_svg",
    ),
    path(
        "performance-measures/<int:measure_id>/groups/<int:dimension_id>/chart.svg",
        svg.measure_groups_svg,
        name="measure_groups_svg",
    ),
    path("gaps/<int:gap_id>/chart.svg", svg.gap_svg, name="gap_svg"),
    path("data-imports/<int:import_id>/", imports.data_import_detail, name="data_import_detail"),
    path(
        "data-imports/<int:import_id>/import/",
        imports.data_import_commit,
        name="data_import_commit",
    ),
    path(
        "data-imports/<int:import_id>/progress/",
        imports.data_import_progress_view,
        name="data_import_progress",
    ),
]
