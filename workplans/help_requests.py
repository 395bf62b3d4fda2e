"""The initiative's help requests: a partner said a commitment needs help or is blocked (by
replying to a NAG email, or with its one-click "I need help" link). The request waits in a queue
that staff and the table's co-chairs see; someone takes it on and resolves it. Opening one
emails the table's co-chairs (and chair), each in their own language; a table without a
co-chair we can write to falls back on the organization's staff, so a request is never silent.
Templates: templates/emails/help_request.*"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backbone.access import check_same_organization
from backbone.mail.compose import compose
from backbone.models import Membership, Organization, User
from backbone.roles import Role
from initiatives.models import Initiative, Person, Seat
from workplans.models import Commitment, HelpRequest, InboundEmail
from workplans.webhooks import help_request_opened

# Who is told, in the confirmation to the partner.
NOTIFIED_COCHAIRS = "cochairs"
NOTIFIED_STAFF = "staff"
# A request was already open for the commitment: the new words were added to it.
NOTIFIED_ALREADY_OPEN = "already_open"
NOTIFIED_NOBODY = "nobody"


@dataclass(frozen=True)
class HelpOpened:
    help_request: HelpRequest
    created: bool
    # One of the NOTIFIED_* values above.
    notified: str


@dataclass(frozen=True)
class _Recipient:
    name: str
    email: str
    language: str


def help_requests_url(initiative: Initiative) -> str:
    """The initiative's help requests page, absolute (it goes into emails)."""
    path = reverse(
        "help_requests",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _table_leaders(commitment: Commitment, asker: Person) -> list[_Recipient]:
    """The table's co-chairs and chair we can write to (the asker excepted: a co-chair asking
    for help is not told about their own request)."""
    seats = (
        Seat.objects.filter(
            table_id=commitment.table_id,
            role__in=(Seat.Role.CO_CHAIR, Seat.Role.CHAIR),
            person__archived_at__isnull=True,
            person__undeliverable_at__isnull=True,
        )
        .exclude(person__email="")
        .exclude(person_id=asker.pk)
        .order_by("person__full_name", "person_id")
        .values_list("person__full_name", "person__email", "person__preferred_language")
    )
    return [_Recipient(name, address, language) for name, address, language in seats]


def _staff(organization_id: int) -> list[_Recipient]:
    """The organization's staff, each in the language of their contact record when they have
    one in this organization, else in the interface language their login chose."""
    members = list(
        Membership.objects.filter(
            organization_id=organization_id, role=Role.STAFF, user__is_active=True
        )
        .select_related("user")
        .order_by("user__email")
    )
    languages = dict(
        Person.objects.filter(
            organization_id=organization_id, user_id__in=[m.user_id for m in members]
        ).values_list("user_id", "preferred_language")
    )
    return [
        _Recipient(
            m.user.display_name,
            m.user.email,
            languages.get(m.user_id) or m.user.language or settings.LANGUAGE_CODE,
        )
        for m in members
    ]


def _notify(help_request: HelpRequest, commitment: Commitment, person: Person) -> str:
    recipients = _table_leaders(commitment, person)
    notified = NOTIFIED_COCHAIRS
    if not recipients:
        recipients = _staff(help_request.organization_id)
        notified = NOTIFIED_STAFF
    if not recipients:
        return NOTIFIED_NOBODY
    table = commitment.table
    initiative = table.initiative
    organization: Organization = initiative.organization
    context: dict[str, Any] = {
        "help_request": help_request,
        "commitment": commitment,
        "person": person,
        "table": table,
        "initiative": initiative,
        "blocked": help_request.kind == HelpRequest.Kind.BLOCKED,
        "to_staff": notified == NOTIFIED_STAFF,
        "help_requests_url": help_requests_url(initiative),
    }
    # A co-chair answering the notification writes to the partner who asked.
    reply_to = [person.email] if person.email else None
    for recipient in recipients:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            compose(
                kind="help_request",
                to=[recipient.email],
                organization=organization,
                reply_to=reply_to,
                context={**context, "recipient_name": recipient.name},
                headers={"Auto-Submitted": "auto-generated"},
            ).send()
    return notified


def help_request_open_for(
    *,
    commitment: Commitment,
    person: Person,
    kind: str,
    text: str,
    channel: str,
    inbound: InboundEmail | None = None,
    already_locked: bool = False,
) -> HelpOpened:
    """help_request_open, also telling who was notified (the reply confirmation says so).

    `already_locked`: the caller holds `commitment` locked (select_for_update) in the current
    transaction, with its table, initiative and organization loaded (an email reply locks the
    commitments it lists at once); it is not read and locked again."""
    check_same_organization(commitment.organization_id, person)
    if inbound is not None and inbound.organization_id != commitment.organization_id:
        raise ValidationError(_("That item does not belong to this organization."))
    kind = HelpRequest.Kind(kind)
    text = text.strip()
    with transaction.atomic():
        # Lock the commitment: two answers at once must not open two requests for it.
        locked = (
            commitment
            if already_locked
            else Commitment.objects.select_for_update(of=("self",))
            .select_related("table__initiative__organization")
            .get(pk=commitment.pk)
        )
        existing = (
            HelpRequest.objects.filter(commitment_id=locked.pk, status=HelpRequest.Status.OPEN)
            .order_by("created_at", "id")
            .first()
        )
        if existing is not None:
            # One open request per commitment: a second "need help" adds its words to the
            # request the co-chairs already have, and does not email them again. The kind
            # follows the latest answer (need help → blocked is worth seeing in the queue).
            fields = []
            if text and text not in existing.text:
                existing.text = f"{existing.text}\n\n{text}" if existing.text else text
                fields.append("text")
            if existing.kind != kind:
                existing.kind = kind
                fields.append("kind")
            if fields:
                existing.save(update_fields=[*fields, "updated_at"])
            return HelpOpened(existing, created=False, notified=NOTIFIED_ALREADY_OPEN)
        help_request = HelpRequest.objects.create(
            organization_id=locked.organization_id,
            initiative_id=locked.table.initiative_id,
            table_id=locked.table_id,
            commitment=locked,
            person=person,
            kind=kind,
            text=text,
            channel=channel,
            inbound=inbound,
        )
        notified = _notify(help_request, locked, person)
        help_request_opened(help_request=help_request)
    return HelpOpened(help_request, created=True, notified=notified)


def help_request_open(
    *,
    commitment: Commitment,
    person: Person,
    kind: str,
    text: str,
    channel: str,
    inbound: InboundEmail | None = None,
) -> HelpRequest:
    """Open a help request for the commitment and email the table's co-chairs (the staff when
    it has none we can write to). While one is open for the commitment, a new one is not
    opened: the words are added to it."""
    return help_request_open_for(
        commitment=commitment,
        person=person,
        kind=kind,
        text=text,
        channel=channel,
        inbound=inbound,
    ).help_request


def _check_member(help_request: HelpRequest, user: User) -> None:
    if not Membership.objects.filter(
        organization_id=help_request.organization_id, user_id=user.pk
    ).exists():
        raise ValidationError(_("That item does not belong to this organization."))


@transaction.atomic
def help_request_assign(*, help_request: HelpRequest, user: User) -> HelpRequest:
    """ "I'll take it": the user takes the request on (from whoever had it)."""
    _check_member(help_request, user)
    locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if locked.status == HelpRequest.Status.RESOLVED:
        raise ValidationError(_("This help request is already resolved."))
    if locked.assigned_to_id != user.pk:
        locked.assigned_to = user
        locked.save(update_fields=["assigned_to", "updated_at"])
    return locked


@transaction.atomic
def help_request_resolve(*, help_request: HelpRequest, user: User, note: str = "") -> HelpRequest:
    """Mark the request resolved. Resolving it again changes nothing. The commitment keeps its
    status: whether it is back on track is the partner's (or the meeting's) to say."""
    _check_member(help_request, user)
    locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if locked.status == HelpRequest.Status.RESOLVED:
        return locked
    locked.status = HelpRequest.Status.RESOLVED
    locked.resolved_at = timezone.now()
    locked.resolved_by = user
    locked.resolution_note = note.strip()
    if locked.assigned_to_id is None:
        locked.assigned_to = user
    locked.save(
        update_fields=[
            "status",
            "resolved_at",
            "resolved_by",
            "resolution_note",
            "assigned_to",
            "updated_at",
        ]
    )
    return locked
