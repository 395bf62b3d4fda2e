"""Forms of the pages a partner reaches from a NAG email (no login). They parse what was typed;
workplans.services.commitment_link_apply decides what is allowed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DoneForm(forms.Form):
    """Marking a commitment done asks for nothing but the button."""


class NeedHelpForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What would help?"),
        help_text=gettext_lazy("A few words for the backbone staff and your co-chairs."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NewDateForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("New date"), widget=DATE_INPUT)

    def __init__(self, *args: Any, earliest: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earliest = earliest
        self.fields["due_date"].widget.attrs["min"] = earliest.isoformat()

    def clean_due_date(self) -> date:
        value: date = self.cleaned_data["due_date"]
        if value < self.earliest:
            raise forms.ValidationError(_("The new date is before the meeting."))
        return value


FORMS: dict[str, type[forms.Form]] = {
    "done": DoneForm,
    "need_help": NeedHelpForm,
    "new_date": NewDateForm,
}
