"""Forms of the import flow: the upload, and the choice of where each column goes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from initiatives.importers.fields import fields_for
from initiatives.importers.files import column_letter
from initiatives.models import ImportBatch


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("A CSV or Excel (.xlsx) file of up to 10 MB; its first row names the columns."),
        error_messages={
            "required": _("Choose a CSV or Excel file to upload."),
            "empty": _("This file is empty."),
            "invalid": _("Choose a CSV or Excel file to upload."),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.ms-excel,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class MappingForm(forms.Form):
    """One select per column of the file: the field it fills, or "Ignore this column"."""

    def __init__(self, *args: Any, batch: ImportBatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        choices = [("", _("Ignore this column"))] + [
            (f.name, f.label) for f in fields_for(batch.kind)
        ]
        samples = _samples(batch)
        self.columns = []
        for index, header in enumerate(batch.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=batch.mapping[index] if index < len(batch.mapping) else "",
            )
            self.columns.append(
                {"letter": column_letter(index), "field": self[name], "sample": samples[index]}
            )
        if batch.kind == ImportBatch.Kind.PEOPLE:
            self.fields["create_missing_organizations"] = forms.BooleanField(
                label=_("Create missing organizations"),
                help_text=_(
                    "Add an organization the file names but Backbone does not know yet "
                    "(with sector “Other”; you can change it after)."
                ),
                required=False,
                initial=batch.create_missing_organizations,
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"column_{i}"] for i in range(len(self.batch.headers))]


def _samples(batch: ImportBatch, count: int = 3) -> list[str]:
    """A few non-empty values of each column, to recognise it by."""
    found: list[list[str]] = [[] for _ in batch.headers]
    for row in batch.rows:
        for index, cell in enumerate(row["cells"]):
            if cell and len(found[index]) < count and cell not in found[index]:
                found[index].append(cell)
        if all(len(f) >= count for f in found):
            break
    return [", ".join(f) for f in found]
