"""Forms of meeting mode and the commitment pages: they parse what was typed; the services in
workplans/services.py decide what is allowed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.models import Person, Strategy, Table
from workplans.models import Commitment, KeyAction

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EMAIL_IN_NAME = re.compile(r"^(?P<name>.*?)\s*[(<](?P<email>[^()<>\s]+@[^()<>\s]+)[)>]\s*$")


def person_label(person: Person, duplicates: set[str]) -> str:
    """How a person is written in the "Who" list: the name, with the email when two people of
    the organization share the name (so the typed text still names exactly one)."""
    if person.full_name.casefold() in duplicates and person.email:
        return f"{person.full_name} ({person.email})"
    return person.full_name


def resolve_person(text: str, people: Sequence[Person], preferred: set[int]) -> Person:
    """The one person `text` names among `people`: by name (with the email when names are
    shared), else by a part of the name that only one of them has. `preferred` (the table's
    members and the meeting's invitees) breaks a tie between people of the same name."""
    text = " ".join(text.split())
    if not text:
        raise forms.ValidationError(_("Type the name of who committed."))
    match = EMAIL_IN_NAME.match(text)
    if match:
        email = match["email"].casefold()
        found = [p for p in people if p.email.casefold() == email]
        if len(found) == 1:
            return found[0]
        text = match["name"]
    key = text.casefold()
    exact = [p for p in people if p.full_name.casefold() == key]
    if len(exact) > 1:
        ours = [p for p in exact if p.pk in preferred]
        if len(ours) == 1:
            return ours[0]
        raise forms.ValidationError(
            _("%(count)s people are called %(name)s: pick one from the list (with the email).")
            % {"count": len(exact), "name": text}
        )
    if exact:
        return exact[0]
    partial = [p for p in people if key in p.full_name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(p.full_name for p in partial[:5])
        more = "…" if len(partial) > 5 else ""
        raise forms.ValidationError(
            _("“%(text)s” matches %(count)s people (%(names)s%(more)s): type more of the name.")
            % {"text": text, "count": len(partial), "names": names, "more": more}
        )
    raise forms.ValidationError(
        _("No one called “%(text)s” in this organization. Add them on the People page first.")
        % {"text": text}
    )


class CaptureForm(forms.Form):
    """One new commitment, typed during the meeting: what, who, by when, why it matters."""

    what = forms.CharField(
        label=gettext_lazy("What will be done"),
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    who = forms.CharField(
        label=gettext_lazy("Who"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "mode-people"}),
    )
    due_date = forms.DateField(label=gettext_lazy("By when"), widget=DATE_INPUT)
    why = forms.ChoiceField(label=gettext_lazy("Why it matters"), required=False)

    def __init__(
        self,
        *args: Any,
        people: Sequence[Person],
        preferred: set[int],
        key_actions: Sequence[KeyAction],
        strategies: Sequence[Strategy],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.preferred = preferred
        self.key_actions = {str(k.pk): k for k in key_actions}
        self.strategies = {str(s.pk): s for s in strategies}
        choices: list[Any] = [("", _("— not linked —"))]
        if key_actions:
            choices.append(
                (
                    _("Key actions"),
                    [(f"ka:{k.pk}", str(k)) for k in key_actions],
                )
            )
        if strategies:
            choices.append((_("Strategies"), [(f"st:{s.pk}", s.title) for s in strategies]))
        fields: Any = self.fields
        fields["why"].choices = choices

    def clean_who(self) -> Person:
        return resolve_person(self.cleaned_data["who"], self.people, self.preferred)

    def linked(self) -> dict[str, Any]:
        """The key action or strategy chosen under "why it matters"."""
        kind, _sep, pk = (self.cleaned_data.get("why") or "").partition(":")
        if kind == "ka" and pk in self.key_actions:
            return {"key_action": self.key_actions[pk]}
        if kind == "st" and pk in self.strategies:
            return {"strategy": self.strategies[pk]}
        return {}


class ReviewForm(forms.Form):
    """One review action on a card of meeting mode."""

    ACTIONS = {
        "done": Commitment.Status.DONE,
        "need_help": Commitment.Status.NEED_HELP,
        "blocked": Commitment.Status.BLOCKED,
        "drop": Commitment.Status.DROPPED,
        "carry": Commitment.Status.OPEN,
    }

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(min_value=1)
    due_date = forms.DateField(required=False, widget=DATE_INPUT)
    note = forms.CharField(required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "carry" and not data.get("due_date") and "due_date" in data:
            self.add_error("due_date", _("Give the new date."))
        if data.get("action") == "drop" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the commitment is dropped."))
        return data


class WinsForm(forms.Form):
    wins = forms.CharField(
        label=gettext_lazy("Wins to celebrate"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


QUICK_STATUSES = (
    Commitment.Status.DONE,
    Commitment.Status.NEED_HELP,
    Commitment.Status.BLOCKED,
    Commitment.Status.OPEN,
    Commitment.Status.DROPPED,
)


class QuickStatusForm(forms.Form):
    """A one-click status change from a list: the status, and the reason for a drop."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in QUICK_STATUSES])
    note = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(min_value=1, required=False)


class CommitmentChangeForm(forms.Form):
    """The commitment page's form: a new status, a progress note, a new date (for those who
    may change the date), and the version the page was loaded at."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Commitment.Status.choices)
    new_due_date = forms.DateField(
        label=gettext_lazy("New due date"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Leave empty to keep the date."),
    )
    note = forms.CharField(
        label=gettext_lazy("Progress note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Say what happened. A drop needs a reason."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, can_change_date: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_change_date:
            del self.fields["new_due_date"]


class CommitmentFilterForm(forms.Form):
    """The staff list's filters; an unknown value is ignored rather than refused."""

    table = forms.TypedChoiceField(
        label=gettext_lazy("Workgroup"), required=False, coerce=int, empty_value=None
    )
    person = forms.TypedChoiceField(
        label=gettext_lazy("Person"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(
        self, *args: Any, tables: Sequence[Table], people: Sequence[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["table"].choices = [
            ("", _("All tables")),
            *((t.pk, f"{t.name} · {t.initiative.name}") for t in tables),
        ]
        fields["person"].choices = [("", _("Everyone")), *people]
        fields["status"].choices = [
            ("", _("Any status")),
            ("active", _("Still to do (open, needs help, blocked)")),
            *Commitment.Status.choices,
        ]
