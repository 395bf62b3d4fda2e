"""The events of workplans sent to the organization's webhooks (backbone.webhooks). Each is
emitted by the one service that makes the change, inside its transaction, and builds its data
from the rows that service already holds; only when an endpoint wants the event (the data is
built lazily), and only to name the person behind a signed-in change, does it read one row."""

from __future__ import annotations

from typing import Any

from backbone.models import User
from backbone.webhooks.emit import webhook_emit
from backbone.webhooks.models import EventType
from initiatives.models import Person
from workplans.models import Commitment, HelpRequest, KeyAction, Meeting


def commitment_data(commitment: Commitment) -> dict[str, Any]:
    """Needs commitment.meeting loaded (every service that changes a status has it)."""
    return {
        "id": commitment.pk,
        "initiative_id": commitment.meeting.initiative_id,
        "table_id": commitment.table_id,
        "meeting_id": commitment.meeting_id,
        "person_id": commitment.person_id,
        "what": commitment.what,
        "due_date": commitment.due_date,
        "status": commitment.status,
        "progress_note": commitment.progress_note,
        "completed_at": commitment.completed_at,
        "key_action_id": commitment.key_action_id,
        "strategy_id": commitment.strategy_id,
        "version": commitment.version,
    }


def commitment_status_changed(
    *,
    commitment: Commitment,
    previous_status: str,
    channel: str,
    by_user: User | None,
    by_person: Person | None,
) -> None:
    webhook_emit(
        organization_id=commitment.organization_id,
        event=EventType.COMMITMENT_STATUS_CHANGED,
        data=lambda: {
            "commitment": commitment_data(commitment),
            "previous_status": previous_status,
            "changed_by": {
                "channel": channel,
                "user_id": by_user.pk if by_user else None,
                "person_id": _person_id(commitment.organization_id, by_user, by_person),
            },
        },
    )


def _person_id(organization_id: int, by_user: User | None, by_person: Person | None) -> int | None:
    """Who made the change, as a person of the organization: the one named (an email reply, a
    one-click link), else the person the signed-in user is in this organization, if any."""
    if by_person is not None:
        return by_person.pk
    if by_user is None:
        return None
    return (
        Person.objects.filter(organization_id=organization_id, user=by_user)
        .order_by("archived_at", "id")
        .values_list("pk", flat=True)
        .first()
    )


def help_request_opened(*, help_request: HelpRequest) -> None:
    webhook_emit(
        organization_id=help_request.organization_id,
        event=EventType.HELP_REQUEST_OPENED,
        data=lambda: {
            "help_request": {
                "id": help_request.pk,
                "initiative_id": help_request.initiative_id,
                "table_id": help_request.table_id,
                "commitment_id": help_request.commitment_id,
                "person_id": help_request.person_id,
                "kind": help_request.kind,
                "status": help_request.status,
                "text": help_request.text,
                "channel": help_request.channel,
                "created_at": help_request.created_at,
            }
        },
    )


def meeting_closed(*, meeting: Meeting) -> None:
    webhook_emit(
        organization_id=meeting.organization_id,
        event=EventType.MEETING_CLOSED,
        data=lambda: {
            "meeting": {
                "id": meeting.pk,
                "initiative_id": meeting.initiative_id,
                "table_id": meeting.table_id,
                "title": meeting.title,
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "closed_at": meeting.closed_at,
                "wins": meeting.wins,
            }
        },
    )


def key_action_status_changed(
    *, key_action: KeyAction, initiative_id: int, previous_status: str
) -> None:
    webhook_emit(
        organization_id=key_action.organization_id,
        event=EventType.KEY_ACTION_STATUS_CHANGED,
        data=lambda: {
            "key_action": {
                "id": key_action.pk,
                "initiative_id": initiative_id,
                "workplan_id": key_action.workplan_id,
                "strategy_id": key_action.strategy_id,
                "description": key_action.description,
                "lead_id": key_action.lead_id,
                "due_date": key_action.due_date,
                "status": key_action.status,
                "percent_complete": key_action.percent_complete,
                "version": key_action.version,
            },
            "previous_status": previous_status,
        },
    )
