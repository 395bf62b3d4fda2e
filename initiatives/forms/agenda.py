"""Forms of the common agenda pages. They parse input only; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backbone.models import TIME_ZONE_CHOICES
from initiatives.models import FilterCriterion, Screening
from initiatives.services import Answer


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class InitiativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    north_star = forms.CharField(
        label=_("North Star"),
        widget=_textarea(3),
        help_text=_(
            "The common result, in one sentence everyone can repeat: “Every third grader in "
            "the county reads at grade level by 2030.”"
        ),
    )
    focus_population = forms.CharField(
        label=_("Focus population"),
        max_length=300,
        required=False,
        help_text=_("Who the result is for, for example “children from birth to age 8”."),
    )
    geography = forms.CharField(label=_("Geography"), max_length=300, required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[("", _("The organization's time zone")), *TIME_ZONE_CHOICES],
        required=False,
        help_text=_("Meeting times and reminders use it."),
    )


class ResultForm(forms.Form):
    statement = forms.CharField(
        label=_("Result statement"),
        widget=_textarea(2),
        help_text=_(
            "A condition of well-being for the population, such as “Children are ready "
            "for kindergarten”."
        ),
    )


class StrategyForm(forms.Form):
    title = forms.CharField(label=_("Strategy"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=_textarea(3), required=False)


class GroundRuleForm(forms.Form):
    text = forms.CharField(
        label=_("Ground rule"),
        max_length=400,
        help_text=_("A behaviour people can see and be held to."),
    )


class CriterionForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=400,
        help_text=_("Answerable yes or no, for example “Does it move one of our results?”"),
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class ReorderForm(forms.Form):
    """The full new order of a list, as posted by drag and drop: ids separated by commas."""

    order = forms.CharField(max_length=4000)

    def clean_order(self) -> list[int]:
        raw = [part.strip() for part in self.cleaned_data["order"].split(",") if part.strip()]
        if not raw or not all(part.isdigit() for part in raw):
            raise forms.ValidationError(_("The new order could not be read; reload and retry."))
        return [int(part) for part in raw]


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ScreeningForm(forms.Form):
    """A proposal and one yes/no answer, with an optional note, for each current criterion."""

    title = forms.CharField(label=_("Proposed activity"), max_length=300)
    description = forms.CharField(label=_("What is proposed"), widget=_textarea(3), required=False)
    proposed_by = forms.CharField(
        label=_("Proposed by"),
        max_length=200,
        required=False,
        help_text=_("A person, partner organization or workgroup."),
    )

    def __init__(self, *args: Any, criteria: Sequence[FilterCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"answer_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no.")},
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note"), max_length=500, required=False
            )

    def criterion_rows(self) -> list[tuple[FilterCriterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"answer_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def answers(self) -> list[Answer]:
        data = self.cleaned_data
        return [
            Answer(c, data[f"answer_{c.pk}"] == "yes", data.get(f"note_{c.pk}", ""))
            for c in self.criteria
        ]


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it goes ahead anyway"),
        widget=_textarea(3),
        help_text=_("Everyone who reads the screening will see this reason."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Screening.Decision.ADOPTED, Screening.Decision.ADOPTED.label),
            (Screening.Decision.DECLINED, Screening.Decision.DECLINED.label),
            (Screening.Decision.DEFERRED, Screening.Decision.DEFERRED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=_textarea(2), required=False)
