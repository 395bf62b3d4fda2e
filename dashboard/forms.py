"""The dashboard settings form: who reads the dashboard, when the board packet goes out, and
what the public results page publishes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Field
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dashboard.models import DashboardSettings
from dashboard.services import PACKET_DAYS_BEFORE_MAX
from initiatives.models import Initiative
from metrics.models import Indicator


def _label(name: str) -> Any:
    """The model's own wording, so the form and the admin say the same."""
    found = DashboardSettings._meta.get_field(name)
    assert isinstance(found, Field)
    return capfirst(found.verbose_name)


class DashboardSettingsForm(forms.Form):
    partners_may_view = forms.BooleanField(
        label=_label("partners_may_view"),
        required=False,
        help_text=_(
            "Partner members of your organization then read the same dashboard as the "
            "steering committee."
        ),
    )
    packet_auto_send = forms.BooleanField(label=_label("packet_auto_send"), required=False)
    packet_days_before = forms.IntegerField(
        label=_label("packet_days_before"),
        min_value=0,
        max_value=PACKET_DAYS_BEFORE_MAX,
        help_text=_("Between 0 (the morning of the meeting) and 30."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    public_enabled = forms.BooleanField(label=_label("public_enabled"), required=False)
    public_intro = forms.CharField(
        label=_label("public_intro"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences for the public: who you are and what the numbers show."),
    )
    # Rendered by the page as checkboxes grouped by result; validated here against this
    # initiative's indicators only, so a posted id of any other indicator is refused.
    public_indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators on the public page"),
        queryset=Indicator.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Only this initiative's indicators can be published: %(value)s is not one of "
                "them. Nothing was saved."
            ),
            "invalid_pk_value": _("“%(pk)s” is not an indicator. Nothing was saved."),
        },
    )

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["public_indicators"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Indicator.objects.filter(
            organization_id=initiative.organization_id, initiative=initiative
        )

    def chosen_ids(self) -> set[str]:
        """The indicators to show ticked: what was posted, or what is saved."""
        value = self["public_indicators"].value() or []
        return {str(v) for v in value}
