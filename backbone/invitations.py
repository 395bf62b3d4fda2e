"""The invitation link: a signed (invitation id, nonce) pair. Tampering breaks the signature;
expiry and single use are decided by the invitation row, so staff see the same state."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from backbone.models import Invitation

_SALT = "backbone.invitation"


def _signer() -> signing.Signer:
    # No timestamp in the link (signing.dumps would add one): expiry lives on the row, and the
    # same invitation always has the same link.
    return signing.Signer(salt=_SALT)


def invitation_token(invitation: Invitation) -> str:
    return _signer().sign_object([invitation.pk, invitation.nonce], compress=True)


def invitation_path(invitation: Invitation) -> str:
    return reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})


@dataclass(frozen=True)
class LinkCheck:
    """What a link leads to: the invitation (if the signature holds) and its state:
    pending, accepted, revoked, expired — or "invalid" for a tampered or cut-off link."""

    state: str
    invitation: Invitation | None = None


def check_invitation_link(token: str) -> LinkCheck:
    try:
        pk, nonce = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return LinkCheck("invalid")
    invitation = (
        Invitation.objects.select_related("organization", "invited_by", "accepted_by")
        .filter(pk=pk, nonce=nonce)
        .first()
    )
    if invitation is None:
        return LinkCheck("invalid")
    return LinkCheck(invitation.state, invitation)
