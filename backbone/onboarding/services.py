"""Writes of the guided start. Each step saves through the services of the app whose rows it
makes (initiatives, metrics, workplans) and records itself on the organization's progress row,
in one transaction: a step is either saved with what it made, or not at all.

The progress row is locked while a step saves, so a second click on "Save" finds the first
one's initiative, result, workgroup or meeting and edits it instead of making another."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.models import Organization, User
from backbone.onboarding import steps
from backbone.onboarding.models import OnboardingProgress
from initiatives.models import Initiative, Person, Seat, Strategy, Table
from initiatives.services import (
    initiative_create,
    initiative_update,
    person_create,
    person_with_email,
    result_create,
    result_update,
    seat_add,
    strategy_create,
    table_update,
    workgroup_create,
)
from metrics.models import Indicator
from metrics.services import indicator_create, indicator_update
from workplans.models import Commitment, Meeting
from workplans.services import commitment_create, meeting_close, meeting_schedule, meeting_update


@dataclass(frozen=True)
class NewPerson:
    full_name: str
    email: str
    preferred_language: str
    co_chair: bool


@dataclass(frozen=True)
class NewCommitment:
    person: Person
    what: str
    due_date: date
    strategy: Strategy | None


def _progress(organization: Organization) -> OnboardingProgress:
    """The organization's progress row (made on first use), locked until the step commits."""
    made, _created = OnboardingProgress.objects.get_or_create(organization=organization)
    return OnboardingProgress.objects.select_for_update().get(pk=made.pk)


def _record(progress: OnboardingProgress, key: str, *, saved: bool = True) -> None:
    keep, drop = (progress.saved, progress.skipped) if saved else (progress.skipped, progress.saved)
    if key in drop:
        drop.remove(key)
    if key not in keep:
        keep.append(key)
    if progress.finished_at is None and set(progress.saved) | set(progress.skipped) >= set(
        steps.KEYS
    ):
        progress.finished_at = timezone.now()
    progress.save()


def _needs(progress: OnboardingProgress, key: str) -> None:
    step = steps.BY_KEY[key]
    if step.needs and getattr(progress, f"{step.needs}_id") is None:
        raise ValidationError(
            _("This step builds on an earlier one that was skipped: save that one first.")
        )


@transaction.atomic
def onboarding_begin(*, organization: Organization) -> OnboardingProgress:
    """Start (or find) the organization's guided start, so its home page offers to continue."""
    return _progress(organization)


@transaction.atomic
def onboarding_skip(*, organization: Organization, step: str) -> OnboardingProgress:
    if step not in steps.BY_KEY:
        raise ValidationError(_("There is no such step."))
    progress = _progress(organization)
    _record(progress, step, saved=False)
    return progress


@transaction.atomic
def onboarding_save_initiative(
    *, organization: Organization, name: str, north_star: str
) -> Initiative:
    progress = _progress(organization)
    if progress.initiative is not None:
        initiative = initiative_update(
            initiative=progress.initiative, name=name, north_star=north_star
        )
    else:
        initiative = initiative_create(organization=organization, name=name, north_star=north_star)
        progress.initiative = initiative
    _record(progress, steps.INITIATIVE)
    return initiative


@transaction.atomic
def onboarding_save_result(
    *,
    organization: Organization,
    statement: str,
    indicator_name: str,
    unit: str,
    direction: str,
    baseline_value: Decimal | None = None,
    baseline_period: str = "",
) -> Indicator:
    """The result and its first indicator (edited in place when the step is saved again)."""
    progress = _progress(organization)
    _needs(progress, steps.RESULT)
    initiative = progress.initiative
    assert initiative is not None
    result = progress.result
    if result is not None and result.initiative_id == initiative.pk:
        result = result_update(result=result, statement=statement)
    else:
        result = result_create(initiative=initiative, statement=statement)
    fields: dict[str, Any] = {
        "name": indicator_name,
        "unit": unit,
        "direction": direction,
        "baseline_value": baseline_value,
        "baseline_period": baseline_period,
    }
    indicator = progress.indicator
    if indicator is not None and indicator.result_id == result.pk:
        indicator = indicator_update(indicator=indicator, **fields)
    else:
        indicator = indicator_create(result=result, **fields)
    progress.result, progress.indicator = result, indicator
    _record(progress, steps.RESULT)
    return indicator


@transaction.atomic
def onboarding_save_strategies(
    *, organization: Organization, titles: Sequence[str]
) -> list[Strategy]:
    """Add the strategies typed under the result; one already there by that title is kept."""
    progress = _progress(organization)
    _needs(progress, steps.STRATEGIES)
    result = progress.result
    assert result is not None
    have = {title.casefold() for title in result.strategies.values_list("title", flat=True)}
    made = []
    for title in titles:
        if title.strip() and title.strip().casefold() not in have:
            made.append(strategy_create(result=result, title=title))
            have.add(title.strip().casefold())
    if not have:
        raise ValidationError(_("Add at least one strategy, or skip this step."))
    _record(progress, steps.STRATEGIES)
    return made


def _seat(table: Table, new: NewPerson) -> Seat | None:
    organization = table.organization
    person = person_with_email(organization, new.email) or person_create(
        organization=organization,
        full_name=new.full_name,
        email=new.email,
        preferred_language=new.preferred_language,
    )
    if Seat.objects.filter(table=table, person=person).exists():
        return None
    return seat_add(
        table=table, person=person, role=Seat.Role.CO_CHAIR if new.co_chair else Seat.Role.MEMBER
    )


@transaction.atomic
def onboarding_save_workgroup(
    *,
    organization: Organization,
    name: str,
    strategies: Sequence[Strategy],
    people: Sequence[NewPerson],
) -> Table:
    """The workgroup, the strategies it carries, and the people typed for it (a person already
    in the organization, by email, is seated rather than added twice)."""
    progress = _progress(organization)
    _needs(progress, steps.WORKGROUP)
    initiative = progress.initiative
    assert initiative is not None
    table = progress.workgroup
    if table is not None and table.initiative_id == initiative.pk:
        table = table_update(table=table, name=name, strategies=strategies)
    else:
        table = workgroup_create(initiative=initiative, name=name, strategies=strategies)
        progress.workgroup = table
    for new in people:
        _seat(table, new)
    if not table.seats.exists():
        raise ValidationError(_("Add at least one person, so the workgroup has someone to meet."))
    _record(progress, steps.WORKGROUP)
    return table


@transaction.atomic
def onboarding_save_meeting(
    *,
    organization: Organization,
    starts_at: datetime,
    ends_at: datetime,
    location: str = "",
    video_link: str = "",
) -> Meeting:
    progress = _progress(organization)
    _needs(progress, steps.MEETING)
    table = progress.workgroup
    assert table is not None
    meeting = progress.meeting
    # A cancelled first meeting is replaced by a new one; a held one stays as it was.
    if (
        meeting is not None
        and meeting.table_id == table.pk
        and meeting.status != Meeting.Status.CANCELLED
    ):
        if meeting.status != Meeting.Status.SCHEDULED:
            raise ValidationError(_("This meeting was held already; it is kept as it was."))
        meeting = meeting_update(
            meeting=meeting,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            video_link=video_link,
        )
    else:
        meeting = meeting_schedule(
            table=table,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            video_link=video_link,
        )
        progress.meeting = meeting
    _record(progress, steps.MEETING)
    return meeting


@transaction.atomic
def onboarding_save_commitments(
    *,
    organization: Organization,
    commitments: Sequence[NewCommitment],
    close: bool,
    by_user: User | None,
) -> list[Commitment]:
    """Record the commitments made at the first meeting; with `close`, close the meeting, which
    queues its recap to everyone at the table (workplans.reminders). The step counts as saved
    once the meeting is closed."""
    progress = _progress(organization)
    _needs(progress, steps.COMMITMENTS)
    meeting = progress.meeting
    assert meeting is not None
    if meeting.status != Meeting.Status.SCHEDULED and commitments:
        raise ValidationError(_("This meeting is closed; its commitments are kept as they were."))
    have = set(meeting.commitments.values_list("person_id", "what", "due_date"))
    made = []
    for new in commitments:
        key = (new.person.pk, new.what.strip(), new.due_date)
        if key in have:
            continue  # the same line sent twice (a double click)
        made.append(
            commitment_create(
                meeting=meeting,
                person=new.person,
                what=new.what,
                due_date=new.due_date,
                strategy=new.strategy,
                by_user=by_user,
            )
        )
        have.add(key)
    if close:
        if not have:
            raise ValidationError(_("Capture at least one commitment before closing the meeting."))
        now = timezone.now()
        if meeting.starts_at > now:
            # "We met already": the meeting happened earlier than planned, so it is moved to
            # have just ended, and the recap names the day it was held, not the planned one.
            length = meeting.ends_at - meeting.starts_at
            meeting = meeting_update(meeting=meeting, starts_at=now - length, ends_at=now)
        progress.meeting = meeting_close(meeting=meeting)
        _record(progress, steps.COMMITMENTS)
    return made


@transaction.atomic
def onboarding_finish(*, organization: Organization) -> OnboardingProgress:
    """The last step: the person has seen the recap."""
    progress = _progress(organization)
    _record(progress, steps.RECAP)
    return progress
