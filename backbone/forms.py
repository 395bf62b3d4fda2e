from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backbone.models import TIME_ZONE_CHOICES, APIToken, Organization, User
from backbone.onboarding.services import onboarding_begin
from backbone.roles import Role
from backbone.services import organization_create


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, otherwise on the whole form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class SignupForm(AllauthSignupForm):
    """Sign up = a new backbone organization with its first staff member."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    organization_name = forms.CharField(
        label=_("Your backbone organization"),
        max_length=200,
        help_text=_("For example “Read Milwaukee” or “Healthy Start Coalition”."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="America/Chicago"
    )

    field_order = ["full_name", "email", "password1", "organization_name", "time_zone"]

    def save(self, request: HttpRequest) -> User:
        with transaction.atomic():
            user: User = super().save(request)
            user.full_name = self.cleaned_data["full_name"].strip()
            user.save(update_fields=["full_name"])
            organization = organization_create(
                name=self.cleaned_data["organization_name"],
                owner=user,
                time_zone=self.cleaned_data["time_zone"],
            )
            onboarding_begin(organization=organization)
        return user


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=200)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="America/Chicago"
    )


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "time_zone", "sender_name", "reply_domain"]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.PARTNER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationSignupForm(forms.Form):
    """For an invited person who has no account yet: the email is the invitation's."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password: str = self.cleaned_data["password"]
        validate_password(
            password, User(email=self.email, full_name=str(self.data.get("full_name", "")))
        )
        return password


class APITokenForm(forms.ModelForm):
    class Meta:
        model = APIToken
        fields = ["name", "can_write"]
        labels = {"name": _("What is it for?")}
