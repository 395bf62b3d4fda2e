"""Forms of the people area: partner organizations, people, tables and seats.

The forms only parse and describe input; uniqueness and every other rule is the services' job
(initiatives.services), whose messages the views put back on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backbone.models import Organization, User
from initiatives.models import Initiative, PartnerOrganization, Person, Seat, Strategy, Table

PARTNER_FIELDS = ["name", "sector", "size_band", "community_led", "website", "notes"]


class _ServiceValidatedModelForm(forms.ModelForm):
    """A ModelForm for labels and widgets only: the service checks uniqueness, with the
    product's own messages (and knows the organization, which this instance does not)."""

    def validate_unique(self) -> None:
        return None


class PartnerForm(_ServiceValidatedModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = PartnerOrganization
        fields = PARTNER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class PersonForm(_ServiceValidatedModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "email",
            "phone",
            "partner_organization",
            "title",
            "preferred_language",
            "is_community_member",
            "user",
            "race_ethnicity",
            "gender",
        ]
        help_texts = {
            "email": _("Reminders go here. Each person's email is unique in the organization."),
            "user": _("Only if they log in to Backbone. Most partners never need to."),
            "race_ethnicity": _(
                "Voluntary. Shown to others only as a count for the whole table, and only when "
                "5 or more people share an answer."
            ),
            "gender": _("Voluntary, and only ever shown in aggregate."),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["partner_organization"].queryset = PartnerOrganization.objects.in_org(
            organization
        ).order_by("name")
        fields["partner_organization"].empty_label = _("None (a resident or independent)")
        fields["user"].queryset = User.objects.filter(
            memberships__organization=organization
        ).order_by("email")
        fields["user"].empty_label = _("No login")
        fields["user"].label_from_instance = lambda u: u.email
        fields["race_ethnicity"].choices = [
            ("", _("Not answered")),
            *fields["race_ethnicity"].choices[1:],
        ]
        fields["gender"].choices = [("", _("Not answered")), *fields["gender"].choices[1:]]


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search"))


class WorkgroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this group is for, in a sentence or two."),
    )
    strategies: forms.ModelMultipleChoiceField[Strategy] = forms.ModelMultipleChoiceField(
        label=_("Strategies it carries"),
        queryset=Strategy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, initiative: Initiative, steering: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        fields: Any = self.fields
        if steering:
            # The steering committee oversees the whole agenda; strategies belong to workgroups.
            del fields["strategies"]
        else:
            fields["strategies"].queryset = initiative.strategies.order_by(
                "result__position", "position", "id"
            )


class PurposeForm(forms.Form):
    """What a co-chair may change about their own table."""

    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


def role_choices(table: Table) -> list[tuple[str, str]]:
    lead = Seat.Role.CHAIR if table.is_steering else Seat.Role.CO_CHAIR
    return [(Seat.Role.MEMBER.value, str(Seat.Role.MEMBER.label)), (lead.value, str(lead.label))]


class SeatAddForm(forms.Form):
    person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose someone from the list of people.")},
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["person"].queryset = Person.objects.in_org(table.organization).active()
        fields["role"].choices = role_choices(table)
        fields["role"].initial = Seat.Role.MEMBER


class SeatRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["role"].choices = role_choices(table)
