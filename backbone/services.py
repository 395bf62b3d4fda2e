"""Writes of tenancy and accounts. Views, API views, forms and commands call these."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backbone.models import (
    APIToken,
    Invitation,
    Membership,
    Organization,
    User,
    UserManager,
)
from backbone.roles import Role

RESERVED_SLUGS = frozenset({"new", "api", "admin", "static", "accounts", "invite", "healthz"})


def _unique_slug(name: str) -> str:
    base = (slugify(name)[:50] or "organization").strip("-") or "organization"
    if base in RESERVED_SLUGS:
        base = f"{base}-org"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def organization_create(
    *,
    name: str,
    owner: User,
    time_zone: str = "America/Chicago",
    slug: str | None = None,
    sender_name: str = "",
    reply_domain: str = "",
) -> Organization:
    """Create an organization; its creator becomes its first backbone staff member."""
    organization = Organization.objects.create(
        name=name.strip(),
        slug=slug or _unique_slug(name),
        time_zone=time_zone,
        sender_name=sender_name,
        reply_domain=reply_domain,
    )
    Membership.objects.create(organization=organization, user=owner, role=Role.STAFF)
    return organization


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    name: str,
    time_zone: str,
    sender_name: str,
    reply_domain: str,
) -> Organization:
    organization.name = name.strip()
    organization.time_zone = time_zone
    organization.sender_name = sender_name.strip()
    organization.reply_domain = reply_domain.strip().lower()
    organization.full_clean()
    organization.save(update_fields=["name", "time_zone", "sender_name", "reply_domain"])
    return organization


@transaction.atomic
def user_create(*, email: str, password: str | None, full_name: str = "") -> User:
    email = UserManager.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    return User.objects.create_user(email=email, password=password, full_name=full_name.strip())


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Save the interface language a person chose ("" follows their browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose English or Spanish.")})
    user.language = language
    user.save(update_fields=["language"])
    return user


def _lock_staff(organization: Organization) -> list[int]:
    """Lock the organization's staff memberships so two concurrent removals cannot both pass
    the "last staff member" check."""
    return list(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=Role.STAFF)
        .values_list("pk", flat=True)
    )


class LastStaffMemberError(ValidationError):
    pass


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    new_role = Role(role)
    if membership.role == new_role:
        return membership
    staff_ids = _lock_staff(membership.organization)
    if membership.role == Role.STAFF and staff_ids == [membership.pk]:
        raise LastStaffMemberError(
            _(
                "%(name)s is the only backbone staff member. Make someone else backbone staff "
                "first, so the organization always has someone who can manage it."
            )
            % {"name": membership.user.display_name}
        )
    membership.role = new_role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    staff_ids = _lock_staff(membership.organization)
    if membership.role == Role.STAFF and staff_ids == [membership.pk]:
        raise LastStaffMemberError(
            _(
                "%(name)s is the only backbone staff member and cannot be removed. Make someone "
                "else backbone staff first."
            )
            % {"name": membership.user.display_name}
        )
    membership.delete()


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User | None
) -> Invitation:
    """Invite a person by email. A new invitation replaces any pending one to the same address."""
    email = UserManager.normalize_email(email)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member of this organization.") % {"email": email}}
        )
    now = timezone.now()
    Invitation.objects.in_org(organization).pending().filter(email__iexact=email).update(
        revoked_at=now, updated_at=now
    )
    return Invitation.objects.create(
        organization=organization,
        email=email,
        role=Role(role),
        invited_by=invited_by,
        nonce=get_random_string(24),
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.state == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Accept a pending invitation for `user` (new or existing account). Single use: the row is
    locked and re-checked, so two clicks on the same link create one membership."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.state != "pending":
        raise ValidationError(_("This invitation can no longer be used."), code=locked.state)
    membership, _created = Membership.objects.get_or_create(
        organization=locked.organization, user=user, defaults={"role": locked.role}
    )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@dataclass(frozen=True)
class IssuedToken:
    token: APIToken
    key: str  # shown once, never stored


@transaction.atomic
def api_token_create(
    *, user: User, organization: Organization, name: str, can_write: bool = True
) -> IssuedToken:
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError(_("Only members of an organization can have API tokens for it."))
    for _attempt in range(3):
        key = "bb_" + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = APIToken.objects.create(
                    organization=organization,
                    user=user,
                    name=name.strip() or _("API token"),
                    key_hash=APIToken.hash_key(key),
                    prefix=key[:10],
                    can_write=can_write,
                )
            return IssuedToken(token=token, key=key)
        except IntegrityError:  # pragma: no cover - a 256-bit collision
            continue
    raise RuntimeError("could not generate a unique API token")  # pragma: no cover


@transaction.atomic
def api_token_revoke(*, token: APIToken) -> APIToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
