"""Forms of the guided start. They parse what was typed; the rules are the services' (a target
after its baseline, a commitment due after its meeting...) and come back on the field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backbone.onboarding.services import NewCommitment, NewPerson
from initiatives.models import Language, Person, Strategy
from metrics.models import Direction, Unit
from workplans.forms.meetings import local_moment

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def focus_first_error(*forms_: forms.BaseForm) -> None:
    """Put the keyboard focus on the first answer to check when the page comes back."""
    for form in forms_:
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs["autofocus"] = True
                return


TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class InitiativeStepForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the initiative"),
        max_length=200,
        help_text=_("What partners call the coalition, e.g. “Lakeshore Reads”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Give the initiative a name.")},
    )
    north_star = forms.CharField(
        label=_("North Star"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The common result, in one sentence everyone can repeat, e.g. “Every child in "
            "Lakeshore County reads at grade level by the end of third grade.”"
        ),
        error_messages={"required": _("Write the North Star in one sentence.")},
    )


class ResultStepForm(forms.Form):
    statement = forms.CharField(
        label=_("Result"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "A condition of well-being for the whole population, e.g. “Children enter "
            "kindergarten ready to learn.”"
        ),
        error_messages={"required": _("Write the result in one sentence.")},
    )
    indicator_name = forms.CharField(
        label=_("Its first indicator"),
        max_length=300,
        help_text=_(
            "How everyone will see the result move, e.g. “Share of third graders reading at "
            "grade level”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Name the indicator.")},
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.PERCENT)
    direction = forms.ChoiceField(
        label=_("Direction of improvement"), choices=Direction.choices, initial=Direction.HIGHER
    )
    baseline_value = forms.DecimalField(
        label=_("Where you start"),
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text=_("The latest number you have."),
    )
    baseline_period = forms.CharField(
        label=_("For the period"),
        required=False,
        max_length=40,
        help_text=_("A year (2025), school year (SY2024-25) or quarter (2025-Q3)."),
    )


class StrategiesStepForm(forms.Form):
    strategy_1 = forms.CharField(label=_("Strategy"), max_length=300, required=False)
    strategy_2 = forms.CharField(label=_("Another strategy"), max_length=300, required=False)
    strategy_3 = forms.CharField(label=_("And another"), max_length=300, required=False)

    def titles(self) -> list[str]:
        return [self.cleaned_data[f"strategy_{n}"] for n in (1, 2, 3)]


class WorkgroupStepForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the workgroup"),
        max_length=200,
        help_text=_("The partners who will carry the strategies, e.g. “Early learning”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Give the workgroup a name.")},
    )
    strategies = forms.ModelMultipleChoiceField(
        label=_("Strategies it carries"),
        queryset=Strategy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, strategies: Sequence[Strategy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["strategies"]
        field.queryset = Strategy.objects.filter(pk__in=[s.pk for s in strategies])
        field.choices = [(s.pk, s.title) for s in strategies]


class PersonRowForm(forms.Form):
    """One person typed for the workgroup; an empty row is left out."""

    full_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, initial=Language.ENGLISH
    )
    co_chair = forms.BooleanField(label=_("Co-chair"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, email = data.get("full_name", "").strip(), data.get("email", "")
        if email and not name:
            self.add_error("full_name", _("Add their name."))
        if name and not email and "email" not in self.errors:
            self.add_error("email", _("Add their email, so the recap reaches them."))
        return data

    def new_person(self) -> NewPerson | None:
        data = self.cleaned_data
        if not data.get("full_name", "").strip():
            return None
        return NewPerson(
            full_name=data["full_name"],
            email=data["email"],
            preferred_language=data["preferred_language"],
            co_chair=data["co_chair"],
        )


class BasePeopleFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            email = (form.cleaned_data.get("email") or "").casefold()
            if email and email in seen:
                form.add_error("email", _("This email is on another line too."))
            seen.add(email)

    def people(self) -> list[NewPerson]:
        return [p for form in self.forms if (p := form.new_person()) is not None]


PeopleFormSet = cast(
    type[BasePeopleFormSet],
    forms.formset_factory(
        PersonRowForm, formset=BasePeopleFormSet, extra=4, max_num=4, absolute_max=4
    ),
)


def first_meeting_default(now: datetime) -> datetime:
    """Where the meeting form starts (local time): the next whole hour between 8:00 and 18:00
    on a weekday, else 10:00 on the next weekday morning."""
    starts = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if 8 <= starts.hour <= 18 and starts.weekday() < 5:
        return starts
    day = starts.date() + timedelta(days=1 if starts.hour > 18 else 0)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=now.tzinfo)


class MeetingStepForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Starts at"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME_INPUT)
    location = forms.CharField(label=_("Place"), max_length=300, required=False)
    video_link = forms.URLField(
        label=_("Video link"), required=False, assume_scheme="https", max_length=200
    )

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    @staticmethod
    def initial_at(starts: datetime, ends: datetime) -> dict[str, Any]:
        """Starting values from local wall-clock times."""
        end = ends.time() if ends.date() == starts.date() else time(23, 59)
        return {"date": starts.date(), "start_time": starts.time(), "end_time": end}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        data["starts_at"] = local_moment(day, start, self.time_zone)
        data["ends_at"] = local_moment(day, end, self.time_zone)
        for field, moment in (("start_time", data["starts_at"]), ("end_time", data["ends_at"])):
            if moment is None:
                self.add_error(field, _("The clocks change that night: this time does not exist."))
        return data


class CommitmentRowForm(forms.Form):
    """One commitment made at the meeting; an empty row is left out."""

    person = forms.ChoiceField(label=_("Who"), required=False)
    what = forms.CharField(label=_("What will be done"), max_length=2000, required=False)
    due_date = forms.DateField(label=_("By when"), widget=DATE_INPUT, required=False)
    strategy = forms.ChoiceField(label=_("Why it matters"), required=False)

    def __init__(
        self,
        *args: Any,
        people: Sequence[Person],
        strategies: Sequence[Strategy],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.strategies = {str(s.pk): s for s in strategies}
        fields: Any = self.fields
        fields["person"].choices = [("", _("— choose —"))] + [
            (str(p.pk), p.full_name) for p in people
        ]
        fields["strategy"].choices = [("", _("— not linked to a strategy —"))] + [
            (str(s.pk), s.title) for s in strategies
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_changed_meaningfully(data):
            return data
        if not data.get("person"):
            self.add_error("person", _("Choose who committed."))
        if not (data.get("what") or "").strip():
            self.add_error("what", _("Say what will be done."))
        if data.get("due_date") is None and "due_date" not in self.errors:
            self.add_error("due_date", _("Give a date."))
        return data

    @staticmethod
    def has_changed_meaningfully(data: dict[str, Any]) -> bool:
        # The date and "why" have defaults; a row counts once someone or something is named.
        return bool(data.get("person") or (data.get("what") or "").strip())

    def new_commitment(self) -> NewCommitment | None:
        data = self.cleaned_data
        if not self.has_changed_meaningfully(data):
            return None
        return NewCommitment(
            person=self.people[data["person"]],
            what=data["what"],
            due_date=data["due_date"],
            strategy=self.strategies.get(data.get("strategy") or ""),
        )


class BaseCommitmentFormSet(forms.BaseFormSet):
    def commitments(self) -> list[NewCommitment]:
        return [c for form in self.forms if (c := form.new_commitment()) is not None]


CommitmentFormSet = cast(
    type[BaseCommitmentFormSet],
    forms.formset_factory(
        CommitmentRowForm, formset=BaseCommitmentFormSet, extra=3, max_num=3, absolute_max=3
    ),
)


def default_due(meeting_day: date) -> date:
    """Two weeks after the meeting: when the check-in asks how it is going."""
    return meeting_day + timedelta(days=14)
