from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from metrics.models import (
    Category,
    DataImport,
    DataPoint,
    Dimension,
    DisparityGap,
    ImportMapping,
    Indicator,
    PerformanceMeasure,
    TurnTheCurve,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "initiative", "unit", "direction", "frequency"]
    list_filter = ["unit", "frequency"]
    search_fields = ["name"]
    raw_id_fields = ["organization", "initiative", "result", "steward"]


@admin.register(PerformanceMeasure)
class PerformanceMeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "initiative", "kind", "unit"]
    list_filter = ["kind", "unit"]
    search_fields = ["name"]
    raw_id_fields = ["organization", "initiative", "strategy", "table", "steward"]


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "initiative"]
    raw_id_fields = ["organization", "initiative"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "dimension"]
    raw_id_fields = ["organization", "dimension"]


@admin.register(DataPoint)
class DataPointAdmin(SimpleHistoryAdmin):
    list_display = ["period", "organization", "indicator", "measure", "category", "value"]
    list_filter = ["period_kind", "suppressed"]
    raw_id_fields = ["organization", "indicator", "measure", "category"]


@admin.register(DisparityGap)
class DisparityGapAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "indicator"]
    raw_id_fields = ["organization", "indicator", "dimension", "reference", "focus"]


@admin.register(TurnTheCurve)
class TurnTheCurveAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "updated_at"]
    raw_id_fields = [
        "organization",
        "indicator",
        "measure",
        "partners",
        "strategies",
        "key_actions",
        "updated_by",
    ]


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["source_key", "organization", "initiative", "updated_at"]
    raw_id_fields = ["organization", "initiative"]


@admin.register(DataImport)
class DataImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "organization", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["organization", "initiative", "indicator", "uploaded_by"]
    exclude = ["upload"]
