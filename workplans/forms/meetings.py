"""Forms of the meetings area. They parse input; the rules (a meeting ends after it starts, the
agenda is kept once the meeting is held, ...) are the services' (workplans.services).

Dates and times are entered in the initiative's time zone and turned into aware datetimes here,
so a meeting at 09:00 in Chicago stays at 09:00 on either side of a daylight saving change."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.models import Person, Table
from workplans.models import AgendaItem, Meeting


def local_moment(day: date, at: time, time_zone: str) -> datetime | None:
    """The aware moment of a wall-clock time in a zone, or None when that wall-clock time does
    not exist there (the hour skipped when clocks spring forward)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    moment = datetime.combine(day, at, tzinfo=zone)
    back = moment.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(zone)
    return moment if back.replace(tzinfo=None) == moment.replace(tzinfo=None) else None


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    title = forms.CharField(
        label=_("title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to call it by the table's name and date."),
    )
    location = forms.CharField(label=_("place"), max_length=300, required=False)
    video_link = forms.URLField(
        label=_("video link"), required=False, assume_scheme="https", max_length=200
    )
    invitees = forms.ModelMultipleChoiceField(
        label=_("invitees"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, table: Table, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        field: Any = self.fields["invitees"]
        # Anyone active in the organization may be invited; the page offers the table's
        # members and a search for the others.
        field.queryset = Person.objects.in_org(table.organization).active()

    @classmethod
    def initial_for(cls, meeting: Meeting, time_zone: str) -> dict[str, Any]:
        zone = zoneinfo.ZoneInfo(time_zone)
        starts = timezone.localtime(meeting.starts_at, zone)
        ends = timezone.localtime(meeting.ends_at, zone)
        return {
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time() if ends.date() == starts.date() else time(23, 59),
            "title": meeting.title,
            "location": meeting.location,
            "video_link": meeting.video_link,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        starts_at = local_moment(day, start, self.time_zone)
        ends_at = local_moment(day, end, self.time_zone)
        if starts_at is None:
            self.add_error(
                "start_time", _("The clocks change that night: this time does not exist.")
            )
        if ends_at is None:
            self.add_error("end_time", _("The clocks change that night: this time does not exist."))
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    minutes = forms.IntegerField(label=_("minutes"), min_value=1, max_value=600, required=False)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def initial_for(cls, item: AgendaItem) -> dict[str, Any]:
        return {"title": item.title, "minutes": item.minutes, "notes": item.notes}


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("up")), ("down", _("down"))])


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["present"]
        field.queryset = Person.objects.filter(
            organization_id=meeting.organization_id, meetings_invited=meeting
        )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    wins = forms.CharField(
        label=_("wins to celebrate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Completed commitments, indicators moving the right way, thanks owed."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
