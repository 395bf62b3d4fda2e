"""The NAG email: one per person per sweep, listing every touch due to them (a digest when
there are several), in the person's language. Templates: templates/emails/nag.*"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from backbone.mail.compose import compose, render_plain
from backbone.models import OutboundEmail
from initiatives.models import Person
from workplans.links import action_url, unsubscribe_url
from workplans.models import Commitment, Meeting, NagMessage, Reminder, Touch, TouchControl
from workplans.reminders import token_for_message


@dataclass
class Numbered:
    number: int
    commitment: Commitment
    done_url: str
    help_url: str
    new_date_url: str


@dataclass
class Section:
    touch: str
    meeting: Meeting
    intro: str
    own: list[Numbered]
    next_meeting: Meeting | None
    # What everyone at the meeting reads alike, rendered once (see SharedParts.head): the
    # opening paragraph and, in the recap, the chart of every commitment made at the meeting,
    # whoever made it, and the next meeting's date.
    head_text: str = ""
    head_html: SafeString = field(default_factory=SafeString)
    chart_text: str = ""
    chart_html: SafeString = field(default_factory=SafeString)


def reply_address(person: Person, token: str) -> str:
    domain = person.organization.reply_domain or settings.BACKBONE_REPLY_DOMAIN
    return f"reply+{token}@{domain}"


@dataclass
class NagDraft:
    """A NAG email built but not sent: the message, and the commitments it numbers."""

    message: EmailMultiAlternatives
    commitment_ids: list[int]


@dataclass(frozen=True)
class ChartRow:
    """One line of a recap chart, with its date already written out in the active language."""

    what: str
    why: str
    who: str
    due: str
    # "by Dec 4", for the plain-text chart.
    by_due: str


# The recap chart's rows, written here rather than in a template loop: the frame and headings
# are templates/emails/nag_chart.html, each row is one of these. A large table's chart has a
# hundred rows, and the template engine spent about 60 µs on each, more than anything else in a
# big sweep. Each value is escaped as the template's {{ }} does (Django's escape is html.escape).
_CELL = '<td style="padding:6px 8px;border-bottom:1px solid #e2e5df'
CHART_ROW = (
    f'<tr>{_CELL}">{{}}{{}}</td>{_CELL}">{{}}</td>{_CELL};white-space:nowrap">{{}}</td></tr>\n  '
)
CHART_WHY = '<br><span style="color:#5b6770;font-size:13px">{}</span>'


def chart_html(chart: list[ChartRow]) -> SafeString:
    rows = "".join(
        CHART_ROW.format(
            escape(c.what),
            CHART_WHY.format(escape(c.why)) if c.why else "",
            escape(c.who),
            escape(c.due),
        )
        for c in chart
    )
    return mark_safe(render_to_string("emails/nag_chart.html", {"rows": mark_safe(rows)}))  # noqa: S308


def chart_text(chart: list[ChartRow]) -> str:
    return "".join(
        f"- {c.what} — {c.who}, {c.by_due}{f' ({c.why})' if c.why else ''}\n" for c in chart
    )


class SharedParts:
    """The parts of NAG emails that are the same for everyone at a meeting, for one whole
    sweep: each recapped meeting's commitments loaded once, its chart rendered once per
    language, and each section's opening (intro, chart, next meeting) once per touch, language
    and time zone — then shared by every email that carries them. Kept across the sweep's
    batches: in a large tenant each batch of people covers most closed meetings again."""

    def __init__(self) -> None:
        # meeting id -> (what, why, due date, who) of each commitment made there, in order.
        self.rows: dict[int, list[tuple[str, str, date, str]]] = {}
        self.rendered: dict[tuple[int, str], tuple[str, SafeString]] = {}
        self.heads: dict[tuple[int, str, str, str], tuple[str, SafeString]] = {}
        self._dates: dict[tuple[date, str], tuple[str, str]] = {}

    def load(self, meeting_ids: set[int]) -> None:
        """One query for the meetings not loaded yet."""
        missing = meeting_ids - self.rows.keys()
        if not missing:
            return
        for pk in missing:
            self.rows[pk] = []
        # Tuples, not model instances: a large tenant's sweep reads tens of thousands.
        for meeting_id, what, why, due_date, who in (
            Commitment.objects.filter(meeting_id__in=missing)
            .order_by("meeting_id", "position", "id")
            .values_list("meeting_id", "what", "why", "due_date", "person__full_name")
        ):
            self.rows[meeting_id].append((what, why, due_date, who))

    def _due(self, day: date, language: str) -> tuple[str, str]:
        key = (day, language)
        if key not in self._dates:
            due = date_format(day, pgettext("date format", "M j"))
            self._dates[key] = (due, gettext("by %(due)s") % {"due": due})
        return self._dates[key]

    def rendered_chart(self, meeting_id: int) -> tuple[str, SafeString]:
        """The chart in the active language; empty when nothing was committed."""
        language = translation.get_language() or "en"
        key = (meeting_id, language)
        if key not in self.rendered:
            chart = [
                ChartRow(what, why, who, *self._due(due_date, language))
                for what, why, due_date, who in self.rows[meeting_id]
            ]
            if not chart:
                self.rendered[key] = ("", SafeString())
            else:
                self.rendered[key] = (chart_text(chart), chart_html(chart))
        return self.rendered[key]

    def head(self, section: Section, time_zone: str) -> tuple[str, SafeString]:
        """The section's opening, text and HTML, in the active language."""
        language = translation.get_language() or "en"
        key = (section.meeting.pk, section.touch, language, time_zone)
        if key not in self.heads:
            if section.touch == Touch.RECAP:
                section.chart_text, section.chart_html = self.rendered_chart(section.meeting.pk)
            context = {"s": section, "time_zone": time_zone}
            self.heads[key] = (
                render_plain("emails/nag_section.txt", context),
                mark_safe(render_to_string("emails/nag_section.html", context)),  # noqa: S308
            )
        return self.heads[key]


@dataclass
class SweepData:
    """What the sections of many emails need, loaded once for a whole sweep batch, so an email
    costs the same few queries however many sections it has."""

    intros: dict[tuple[int, str], str]
    parts: SharedParts
    next_meetings: dict[int, Meeting | None]


def load_sweep_data(reminders: Iterable[Reminder], parts: SharedParts | None = None) -> SweepData:
    """Three queries, whatever the number of reminders (their meetings must be loaded); the
    recap charts' query only for meetings `parts` has not loaded yet."""
    meetings = {r.meeting_id: r.meeting for r in reminders}
    recapped = {r.meeting_id for r in reminders if r.touch == Touch.RECAP}
    intros = {
        (c.meeting_id, c.touch): c.intro
        for c in TouchControl.objects.filter(meeting_id__in=meetings).exclude(intro="")
    }
    parts = parts if parts is not None else SharedParts()
    parts.load(recapped)
    upcoming: dict[int, list[Meeting]] = defaultdict(list)
    for m in Meeting.objects.filter(
        table_id__in={m.table_id for m in meetings.values()}, status=Meeting.Status.SCHEDULED
    ).order_by("starts_at", "id"):
        upcoming[m.table_id].append(m)
    next_meetings = {
        pk: next((u for u in upcoming[m.table_id] if u.starts_at > m.starts_at), None)
        for pk, m in meetings.items()
    }
    return SweepData(intros=intros, parts=parts, next_meetings=next_meetings)


def build_nag_message(
    *,
    person: Person,
    items: list[tuple[Reminder, list[Commitment]]],
    token: str,
    data: SweepData | None = None,
) -> NagDraft:
    """Render the email exactly as `person` gets it, without sending or saving anything.
    The sweep sends what this returns (with `data` loaded once per batch); staff's preview
    shows it."""
    organization = items[0][0].meeting.organization
    if data is None:
        data = load_sweep_data([r for r, _ in items])
    language = person.preferred_language or "en"
    initiative = items[0][0].meeting.initiative
    time_zone = initiative.effective_time_zone
    with translation.override(language):
        intros = data.intros
        sections: list[Section] = []
        numbered_ids: list[int] = []
        number = 0
        for reminder, own in items:
            numbered = []
            for c in own:
                # A commitment appears once per email, even when two touches of its meeting fall
                # into one digest: the reply numbers must each name one commitment.
                if c.status not in Commitment.ACTIVE or c.pk in numbered_ids:
                    continue
                number += 1
                numbered_ids.append(c.pk)
                numbered.append(
                    Numbered(
                        number,
                        c,
                        action_url(person_id=person.pk, commitment_id=c.pk, action="done"),
                        action_url(person_id=person.pk, commitment_id=c.pk, action="need_help"),
                        action_url(person_id=person.pk, commitment_id=c.pk, action="new_date"),
                    )
                )
            section = Section(
                touch=reminder.touch,
                meeting=reminder.meeting,
                intro=intros.get((reminder.meeting_id, reminder.touch), ""),
                own=numbered,
                next_meeting=data.next_meetings[reminder.meeting_id],
            )
            section.head_text, section.head_html = data.parts.head(section, time_zone)
            sections.append(section)
    unsubscribe = unsubscribe_url(person_id=person.pk, initiative_id=initiative.pk)
    context: dict[str, Any] = {
        "person": person,
        "sections": sections,
        "digest": len(sections) > 1,
        "first": sections[0],
        "time_zone": time_zone,
        "unsubscribe_url": unsubscribe,
        "has_own": bool(numbered_ids),
    }
    with translation.override(language):
        message = compose(
            kind=f"nag_{sections[0].touch}" if len(sections) == 1 else "nag_digest",
            template="nag",
            to=[person.email],
            organization=organization,
            reply_to=[reply_address(person, token)],
            context=context,
            headers={
                "Auto-Submitted": "auto-generated",
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    return NagDraft(message=message, commitment_ids=numbered_ids)


def queue_nag_emails(drafts: list[tuple[Person, NagDraft, str]]) -> list[OutboundEmail]:
    """Queue built emails, each with the reply token it carries; returns their outbox rows.
    Two queries however many emails: the outbox rows and the NAG messages. Runs inside the
    sweep's transaction, so the emails exist only if their reminders are marked sent with them."""
    if not drafts:
        return []
    messages = [draft.message for _, draft, _ in drafts]
    # The product's backend files every message of the list in one INSERT.
    get_connection().send_messages(messages)
    rows: list[OutboundEmail] = [m.outbound_email for m in messages]  # type: ignore[attr-defined]
    NagMessage.objects.bulk_create(
        NagMessage(
            organization_id=person.organization_id,
            email=row,
            person=person,
            token=token,
            commitment_ids=draft.commitment_ids,
        )
        for (person, draft, token), row in zip(drafts, rows, strict=True)
    )
    return rows


def send_nag_email(
    *,
    person: Person,
    items: list[tuple[Reminder, list[Commitment]]],
    now: datetime,
    data: SweepData | None = None,
    token: str | None = None,
) -> OutboundEmail:
    """Compose and queue one email; returns its outbox row (see queue_nag_emails)."""
    token = token or token_for_message()
    draft = build_nag_message(person=person, items=items, token=token, data=data)
    return queue_nag_emails([(person, draft, token)])[0]
