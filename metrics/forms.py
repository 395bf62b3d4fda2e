"""Forms of shared measurement: indicators and performance measures, turn-the-curve notes, and
the data file upload with its column mapping. They parse input only; the rules (a target after
its baseline, a percentage between 0 and 100…) are the services' and come back on the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, PartnerOrganization, Person, Result, Strategy, Table
from metrics.importers.layout import (
    CATEGORY,
    DIMENSION,
    INDICATOR,
    LONG,
    NOTE,
    PERIOD,
    SOURCE,
    VALUE,
    WIDE,
    Mapping,
    period_of_header,
)
from metrics.importers.read import MAX_UPLOAD_BYTES
from metrics.models import (
    Category,
    DataImport,
    Dimension,
    Direction,
    Frequency,
    Indicator,
    PerformanceMeasure,
    Unit,
)
from metrics.services import MEASURED_FIELDS
from workplans.models import KeyAction


def _text(**extra: Any) -> forms.CharField:
    return forms.CharField(required=False, **extra)


class MeasuredForm(forms.Form):
    """The fields an indicator and a performance measure share."""

    name = forms.CharField(label=_("Name"), max_length=300)
    definition = _text(
        label=_("Definition"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What exactly is counted, of whom, and how."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.PERCENT)
    unit_label = _text(
        label=_("Unit label"),
        max_length=40,
        help_text=_("For “other”: what is counted. For currency: the currency code, e.g. USD."),
    )
    direction = forms.ChoiceField(
        label=_("Direction of improvement"), choices=Direction.choices, initial=Direction.HIGHER
    )
    baseline_value = forms.DecimalField(
        label=_("Baseline value"), required=False, max_digits=18, decimal_places=4
    )
    baseline_period = _text(
        label=_("Baseline period"),
        max_length=40,
        help_text=_("A year (2015), school year (SY2019-20), quarter (2024-Q3) or month."),
    )
    target_value = forms.DecimalField(
        label=_("Target value"), required=False, max_digits=18, decimal_places=4
    )
    target_period = _text(label=_("Target period"), max_length=40)
    population = forms.DecimalField(
        label=_("Population size"),
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text=_("How many people a percentage is a share of, to show the goal as a number."),
    )
    population_label = _text(
        label=_("Who the population is"),
        max_length=200,
        help_text=_("For example: third graders in the county's public schools."),
    )
    data_source = _text(label=_("Data source"), widget=forms.Textarea(attrs={"rows": 2}))
    frequency = forms.ChoiceField(
        label=_("Reporting frequency"), choices=Frequency.choices, initial=Frequency.ANNUAL
    )
    steward = forms.ModelChoiceField(
        label=_("Data steward"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steward = self.fields["steward"]
        assert isinstance(steward, forms.ModelChoiceField)
        steward.queryset = Person.objects.filter(
            organization_id=initiative.organization_id, archived_at__isnull=True
        ).order_by("full_name")

    def measured_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in MEASURED_FIELDS}


class IndicatorForm(MeasuredForm):
    result = forms.ModelChoiceField(label=_("Population result"), queryset=Result.objects.none())

    field_order = ["result", "name"]

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, initiative=initiative, **kwargs)
        result = self.fields["result"]
        assert isinstance(result, forms.ModelChoiceField)
        result.queryset = Result.objects.filter(
            organization_id=initiative.organization_id, initiative=initiative
        ).order_by("position", "id")
        result.empty_label = None


class MeasureForm(MeasuredForm):
    kind = forms.ChoiceField(
        label=_("What it answers"),
        choices=PerformanceMeasure.Kind.choices,
        widget=forms.RadioSelect,
    )
    strategy = forms.ModelChoiceField(
        label=_("Strategy"), queryset=Strategy.objects.none(), required=False
    )
    table = forms.ModelChoiceField(
        label=_("Workgroup"), queryset=Table.objects.none(), required=False
    )

    field_order = ["name", "kind", "strategy", "table"]

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, initiative=initiative, **kwargs)
        org = initiative.organization_id
        strategy, table = self.fields["strategy"], self.fields["table"]
        assert isinstance(strategy, forms.ModelChoiceField)
        assert isinstance(table, forms.ModelChoiceField)
        strategy.queryset = Strategy.objects.filter(
            organization_id=org, initiative=initiative
        ).order_by("result__position", "position", "id")
        table.queryset = Table.objects.filter(organization_id=org, initiative=initiative).order_by(
            "name"
        )
        self.fields["unit"].initial = Unit.COUNT


class TurnTheCurveForm(forms.Form):
    story = _text(
        label=_("The story behind the curve"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the line looks the way it does: the causes and forces at work."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners with a role to play"),
        queryset=PartnerOrganization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    what_works = _text(label=_("What works"), widget=forms.Textarea(attrs={"rows": 4}))
    action_plan = _text(label=_("Action plan"), widget=forms.Textarea(attrs={"rows": 4}))
    strategies = forms.ModelMultipleChoiceField(
        label=_("Strategies"),
        queryset=Strategy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    key_actions = forms.ModelMultipleChoiceField(
        label=_("Key actions"),
        queryset=KeyAction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = initiative.organization_id
        querysets = {
            "partners": PartnerOrganization.objects.filter(organization_id=org).order_by("name"),
            "strategies": Strategy.objects.filter(
                organization_id=org, initiative=initiative
            ).order_by("result__position", "position", "id"),
            "key_actions": KeyAction.objects.filter(
                organization_id=org, workplan__initiative=initiative
            ).order_by("workplan_id", "position", "id"),
        }
        for name, queryset in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = queryset


class _GroupChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.dimension.name}: {obj.name}"


class GapForm(forms.Form):
    """A disparity gap of an indicator: two groups of one of its disaggregations, and a target.
    The disaggregations offered are those the indicator has data for."""

    dimension = forms.ModelChoiceField(label=_("Disaggregation"), queryset=Dimension.objects.none())
    reference = _GroupChoice(
        label=_("Reference group"),
        queryset=Category.objects.none(),
        help_text=_("The group the others are compared with, often the one doing best."),
    )
    focus = _GroupChoice(
        label=_("Focus group"),
        queryset=Category.objects.none(),
        help_text=_("The group whose gap is to close."),
    )
    name = _text(
        label=_("Name"),
        max_length=300,
        help_text=_("Left blank: “Gap between” the focus and the reference group."),
    )
    target_value = forms.DecimalField(
        label=_("Target gap"),
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text=_("For example half of today's gap: close the gap by half."),
    )
    target_period = _text(
        label=_("Target period"),
        max_length=40,
        help_text=_("A year (2030), school year (SY2029-30), quarter (2030-Q2) or month."),
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dimensions = Dimension.objects.filter(
            organization_id=indicator.organization_id,
            initiative_id=indicator.initiative_id,
            categories__data_points__indicator=indicator,
        ).distinct()
        groups = Category.objects.filter(dimension__in=dimensions).select_related("dimension")
        for name, queryset in (
            ("dimension", dimensions.order_by("position", "id")),
            ("reference", groups.order_by("dimension__position", "dimension_id", "position")),
            ("focus", groups.order_by("dimension__position", "dimension_id", "position")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dimension = data.get("dimension")
        for name in ("reference", "focus"):
            group = data.get(name)
            if dimension is not None and group is not None and group.dimension_id != dimension.pk:
                self.add_error(
                    name, _("Pick a group of %(dimension)s.") % {"dimension": dimension.name}
                )
        return data


class DataUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Data file"),
        help_text=_(
            "A CSV or Excel (.xlsx) file of up to 20 MB: one row per value, or the periods as "
            "columns (2015 … 2024, SY2019-20…)."
        ),
        error_messages={
            "required": _("Choose a CSV or Excel file to upload."),
            "empty": _("This file is empty."),
            "invalid": _("Choose a CSV or Excel file to upload."),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        label=_("Into one indicator"),
        empty_label=_("The file names the indicator of each row"),
        help_text=_(
            "A state report card usually holds one indicator: choose it. Leave this as it is "
            "when a column of the file names the indicator."
        ),
    )

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Indicator.objects.filter(
            organization_id=initiative.organization_id, initiative=initiative
        ).order_by("result__position", "position", "id")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is larger than 20 MB. Split it into smaller files and import each.")
            )
        return upload


VALUES = "values"
ROLE_CHOICES = [
    ("", _("Ignore this column")),
    (INDICATOR, _("Indicator name")),
    (PERIOD, _("Period")),
    (VALUE, _("Value")),
    (CATEGORY, _("Group (category)")),
    (DIMENSION, _("Disaggregation (dimension)")),
    (SOURCE, _("Source")),
    (NOTE, _("Note")),
]


class MappingForm(forms.Form):
    """Where each column of the file goes: a select per column, the layout, and the reading
    options. A wide file's period columns may also be "values of that period"."""

    layout = forms.ChoiceField(
        label=_("Layout"), choices=DataImport.Layout.choices, widget=forms.RadioSelect
    )
    dimension_name = _text(
        label=_("Disaggregation of the group column"),
        max_length=100,
        help_text=_("When no column names it, e.g. “Race/ethnicity”."),
    )
    create_categories = forms.BooleanField(
        label=_("Create the groups the file names that do not exist yet"), required=False
    )
    percent_as_fraction = forms.BooleanField(
        label=_("Percentages are written as fractions (0.452 is 45.2%)"), required=False
    )
    parentheses_negative = forms.BooleanField(
        label=_("Numbers in parentheses are negative: (12) is −12"), required=False
    )
    excel_serial = forms.BooleanField(
        label=_("Numbers in the period column are Excel dates"), required=False
    )

    def __init__(self, *args: Any, data_import: DataImport, **kwargs: Any) -> None:
        mapping = Mapping.from_json(data_import.mapping)
        columns = [c["name"] for c in data_import.preview.get("columns", [])]
        by_column = {header: role for role, header in mapping.columns.items()}
        initial = {
            "layout": mapping.layout,
            "dimension_name": mapping.dimension_name,
            "create_categories": mapping.create_categories,
            "percent_as_fraction": mapping.percent_as_fraction,
            "parentheses_negative": mapping.parentheses_negative,
            "excel_serial": mapping.excel_serial,
        }
        for index, header in enumerate(columns):
            initial[f"column_{index}"] = (
                VALUES if header in mapping.period_columns else by_column.get(header, "")
            )
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        samples = data_import.preview.get("samples", {})
        self.headers = columns
        self.columns = []
        for index, column in enumerate(data_import.preview.get("columns", [])):
            header = column["name"]
            choices: list[tuple[str, Any]] = list(ROLE_CHOICES)
            found = period_of_header(header)
            if found:
                choices.append((VALUES, _("Values of %(period)s") % {"period": found[1]}))
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(label=header, choices=choices, required=False)
            self.columns.append(
                {"letter": column["letter"], "field": self[name], "sample": samples.get(header)}
            )

    def mapping(self) -> Mapping:
        data = self.cleaned_data
        mapping = Mapping(
            layout=WIDE if data["layout"] == WIDE else LONG,
            dimension_name=data["dimension_name"].strip(),
            create_categories=data["create_categories"],
            percent_as_fraction=data["percent_as_fraction"],
            parentheses_negative=data["parentheses_negative"],
            excel_serial=data["excel_serial"],
        )
        for index, header in enumerate(self.headers):
            role = data.get(f"column_{index}") or ""
            if role == VALUES:
                found = period_of_header(header)
                if found:
                    mapping.period_columns[header] = found[1]
                    if found[0]:
                        mapping.groups[header] = found[0]
            elif role:
                mapping.columns[role] = header
        return mapping

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[str, str] = {}
        for index, header in enumerate(self.headers):
            role = data.get(f"column_{index}") or ""
            if role and role != VALUES:
                if role in chosen:
                    self.add_error(
                        f"column_{index}",
                        _("“%(other)s” is already the %(role)s column; choose one.")
                        % {"other": chosen[role], "role": dict(ROLE_CHOICES)[role]},
                    )
                chosen[role] = header
        return data
