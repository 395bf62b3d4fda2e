"""Reads of the guided start: the organization's progress, the steps as the person sees them,
the first meeting's recap, and the summary at the end."""

from __future__ import annotations

from dataclasses import dataclass

from backbone.models import Organization, OutboundEmail
from backbone.onboarding import steps
from backbone.onboarding.models import OnboardingProgress
from initiatives.models import Person, Strategy
from workplans.models import Commitment, Meeting, Reminder, Touch


def progress_of(organization: Organization) -> OnboardingProgress:
    """The organization's progress, with what its steps made; an unsaved blank one before the
    first step is saved (looking at the guided start changes nothing)."""
    found = (
        OnboardingProgress.objects.filter(organization=organization)
        .select_related("initiative", "result", "indicator", "workgroup", "meeting")
        .first()
    )
    progress = found or OnboardingProgress(organization=organization)
    # The rows the steps made are this organization's: share the one already loaded.
    for made in (progress.initiative, progress.workgroup, progress.meeting):
        if made is not None:
            made.organization = organization
    meeting, initiative = progress.meeting, progress.initiative
    if meeting is not None and initiative is not None and meeting.initiative_id == initiative.pk:
        meeting.initiative = initiative
    return progress


def unfinished_guided_start(organization: Organization) -> OnboardingProgress | None:
    """For the organization's home page: the guided start to continue, if one is under way."""
    return OnboardingProgress.objects.filter(
        organization=organization, finished_at__isnull=True
    ).first()


def current_step(progress: OnboardingProgress) -> str | None:
    """The first step neither saved nor skipped; None when every step is one or the other."""
    done = set(progress.saved) | set(progress.skipped)
    return next((key for key in steps.KEYS if key not in done), None)


@dataclass(frozen=True)
class StepState:
    key: str
    number: int
    title: str
    url_name: str
    state: str  # "saved", "skipped", "current" or "todo"


def step_states(progress: OnboardingProgress, showing: str | None) -> list[StepState]:
    states = []
    for number, step in enumerate(steps.STEPS, start=1):
        if step.key == showing:
            state = "current"
        elif step.key in progress.saved:
            state = "saved"
        elif step.key in progress.skipped:
            state = "skipped"
        else:
            state = "todo"
        states.append(StepState(step.key, number, str(step.title), step.url_name, state))
    return states


def workgroup_people(progress: OnboardingProgress) -> list[Person]:
    if progress.workgroup_id is None:
        return []
    return list(
        Person.objects.filter(seats__table_id=progress.workgroup_id, archived_at__isnull=True)
        .order_by("full_name", "pk")
        .distinct()
    )


def initiative_strategies(progress: OnboardingProgress) -> list[Strategy]:
    if progress.initiative_id is None:
        return []
    return list(
        Strategy.objects.filter(initiative_id=progress.initiative_id).order_by(
            "result__position", "position", "pk"
        )
    )


def meeting_commitments(meeting: Meeting) -> list[Commitment]:
    return list(meeting.commitments.select_related("person", "strategy").order_by("position"))


@dataclass(frozen=True)
class RecapLine:
    person: Person
    reminder: Reminder
    email: OutboundEmail | None


def recap_of(meeting: Meeting) -> list[RecapLine]:
    """Who the meeting's recap is for, and the email each one got (once the sweep sent it)."""
    reminders = (
        Reminder.objects.filter(meeting=meeting, touch=Touch.RECAP)
        .select_related("person", "email")
        .defer("email__body_text", "email__body_html")
        .order_by("person__full_name", "pk")
    )
    return [RecapLine(r.person, r, r.email) for r in reminders]


@dataclass(frozen=True)
class Summary:
    strategies: int
    people: int
    commitments: int
    recap_emails: int


def summary_of(progress: OnboardingProgress) -> Summary:
    strategies = (
        Strategy.objects.filter(result_id=progress.result_id).count() if progress.result_id else 0
    )
    people = (
        Person.objects.filter(seats__table_id=progress.workgroup_id).distinct().count()
        if progress.workgroup_id
        else 0
    )
    commitments = emails = 0
    if progress.meeting_id:
        commitments = Commitment.objects.filter(meeting_id=progress.meeting_id).count()
        emails = Reminder.objects.filter(
            meeting_id=progress.meeting_id, touch=Touch.RECAP, email__isnull=False
        ).count()
    return Summary(strategies, people, commitments, emails)
