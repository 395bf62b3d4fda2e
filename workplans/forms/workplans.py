"""Forms of the workplans area: starting a year, key actions, their quick progress changes and
their update log.

The forms parse input and offer only this organization's choices; every rule (closed years,
dates in order, the strategy of the right initiative, concurrent edits) is the services' job
(workplans.services), whose messages the views put back on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from initiatives.models import PartnerOrganization, Person, Strategy
from workplans.models import KeyAction, Workplan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Labelled(forms.Form):
    """Labels read as sentences on the page ("Key action"), whatever the model's names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


class WorkplanStartForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)


class ProgressForm(forms.Form):
    """The two controls on each row, saved as soon as one changes."""

    status = forms.ChoiceField(label=_("status"), choices=KeyAction.Status.choices)
    percent_complete = forms.IntegerField(
        label=_("percent complete"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Use a percentage from 0 to 100."),
            "max_value": _("Use a percentage from 0 to 100."),
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class KeyActionForm(_Labelled):
    strategy = forms.ModelChoiceField(
        label=_("strategy it advances"), queryset=Strategy.objects.none()
    )
    description = forms.CharField(
        label=_("key action"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    lead = forms.ModelChoiceField(
        label=_("lead"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("The one person accountable for driving it."),
    )
    contributors = forms.ModelMultipleChoiceField(
        label=_("contributing partners"),
        queryset=PartnerOrganization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-list"}),
    )
    start_date = forms.DateField(label=_("start"), required=False, widget=DATE)
    due_date = forms.DateField(label=_("due"), required=False, widget=DATE)
    done_when = forms.CharField(
        label=_("how we will know it is done (well)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    status = forms.ChoiceField(
        label=_("status"), choices=KeyAction.Status.choices, initial=KeyAction.Status.NOT_STARTED
    )
    percent_complete = forms.IntegerField(
        label=_("percent complete"),
        min_value=0,
        max_value=100,
        initial=0,
        error_messages={
            "min_value": _("Use a percentage from 0 to 100."),
            "max_value": _("Use a percentage from 0 to 100."),
        },
    )
    # The version the editor started from: a save over someone else's newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, workplan: Workplan, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        strategy = self.fields["strategy"]
        assert isinstance(strategy, forms.ModelChoiceField)
        strategy.queryset = Strategy.objects.filter(initiative_id=workplan.initiative_id).order_by(
            "result__position", "position", "id"
        )
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ModelChoiceField)
        lead.queryset = (
            Person.objects.filter(organization_id=workplan.organization_id)
            .active()
            .order_by("full_name", "id")
        )
        contributors = self.fields["contributors"]
        assert isinstance(contributors, forms.ModelMultipleChoiceField)
        contributors.queryset = PartnerOrganization.objects.filter(
            organization_id=workplan.organization_id
        ).order_by("name", "id")
        self.fields["version"].required = editing

    @staticmethod
    def initial_for(key_action: KeyAction) -> dict[str, Any]:
        return {
            "strategy": key_action.strategy_id,
            "description": key_action.description,
            "lead": key_action.lead_id,
            "contributors": [c.pk for c in key_action.contributors.all()],
            "start_date": key_action.start_date,
            "due_date": key_action.due_date,
            "done_when": key_action.done_when,
            "status": key_action.status,
            "percent_complete": key_action.percent_complete,
            "version": key_action.version,
        }


class KeyActionUpdateForm(_Labelled):
    text = forms.CharField(
        label=_("what happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    status = forms.ChoiceField(
        label=_("new status"),
        choices=[("", _("Leave as it is")), *KeyAction.Status.choices],
        required=False,
    )
    percent_complete = forms.IntegerField(
        label=_("new percent complete"),
        min_value=0,
        max_value=100,
        required=False,
        error_messages={
            "min_value": _("Use a percentage from 0 to 100."),
            "max_value": _("Use a percentage from 0 to 100."),
        },
    )
