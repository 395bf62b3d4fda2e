from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backbone.webhooks.models import SUBSCRIBABLE
from backbone.webhooks.targets import TargetRefused, check_address


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Address"),
        max_length=2000,
        assume_scheme="https",
        help_text=_(
            "Where Backbone sends each event, as a POST request with a JSON body: an https:// "
            "address on the public internet."
        ),
        # No placeholder: "https://" would read as already filled in, and is not the only
        # accepted start in development (see the help text).
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What receives it, so colleagues know, e.g. “Data warehouse sync”."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=[(str(e), e.label) for e in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "event-choices"}),
        error_messages={"required": _("Choose at least one event.")},
    )

    def __init__(self, *args: object, with_active: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if settings.BACKBONE_WEBHOOK_LOCAL_TARGETS:
            self.fields["url"].help_text = _(
                "Where Backbone sends each event, as a POST request with a JSON body. In "
                "production: an https:// address on the public internet. On this development "
                "server (BACKBONE_WEBHOOK_LOCAL_TARGETS is on), http:// and local addresses "
                "such as http://localhost:8000/hooks work too."
            )
        if with_active:
            self.fields["active"] = forms.BooleanField(
                label=_("Send events to this address"),
                required=False,
                help_text=_("Untick to pause it; events that happen meanwhile are not sent."),
            )

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"]).strip()
        try:
            check_address(url)
        except TargetRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url
