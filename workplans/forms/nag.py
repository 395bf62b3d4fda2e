"""Forms of the reminders pages. They parse input; the rules (ranges of the cadence, what a
skip or a pause does) are the services' (workplans.nag_admin)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workplans.models import Touch
from workplans.nag_admin import INTRO_MAX

ON_OFF = [("1", _("on")), ("0", _("off"))]


def _on(value: str) -> bool:
    return value == "1"


class TouchForm(forms.Form):
    touch = forms.ChoiceField(label=_("email"), choices=Touch.choices)


class IntroForm(TouchForm):
    intro = forms.CharField(
        label=_("opening paragraph"),
        required=False,
        max_length=INTRO_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to use the standard words. Sent in every recipient's email."),
    )


class SkipForm(TouchForm):
    skipped = forms.TypedChoiceField(choices=ON_OFF, coerce=_on)


class PauseForm(forms.Form):
    paused = forms.TypedChoiceField(choices=ON_OFF, coerce=_on)


class PreviewForm(forms.Form):
    touch = forms.ChoiceField(choices=Touch.choices, required=False)
    person = forms.IntegerField(required=False, min_value=1)


class NagSettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Send NAG emails for this initiative"),
        required=False,
        help_text=_(
            "While off, reminders that come due are skipped, not held back: they are not sent "
            "later when you turn the emails on again."
        ),
    )
    check_in_days = forms.IntegerField(
        label=_("Check-in: days after the meeting"), min_value=1, max_value=90
    )
    heads_up_days = forms.IntegerField(
        label=_("Heads-up: days before the next meeting"), min_value=1, max_value=30
    )
    send_hour = forms.TypedChoiceField(
        label=_("Local hour to send check-ins and heads-ups"),
        choices=[(str(h), f"{h:02d}:00") for h in range(24)],
        coerce=int,
    )
    weekdays_only = forms.BooleanField(
        label=_("Weekdays only (a weekend date moves to Monday)"), required=False
    )
    recap_delay_minutes = forms.IntegerField(
        label=_("Recap: minutes after the meeting is closed"),
        min_value=0,
        max_value=7 * 24 * 60,
        help_text=_("0 sends the recap as soon as the meeting is closed."),
    )


class ConsentForm(forms.Form):
    consent_note = forms.CharField(
        label=_("How they asked, or agreed, to receive these emails again"),
        max_length=1000,
        help_text=_("For example: “Asked by email on 3 March”. Kept with your name."),
        error_messages={
            "required": _("Say how the person asked, or agreed, to receive these emails again.")
        },
    )
