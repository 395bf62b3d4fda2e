"""One function per kind of email this app sends; templates in templates/emails/."""

from __future__ import annotations

from django.conf import settings

from backbone.invitations import invitation_path
from backbone.mail.compose import compose
from backbone.models import Invitation


def send_invitation(invitation: Invitation) -> None:
    inviter = invitation.invited_by
    message = compose(
        kind="invitation",
        to=[invitation.email],
        organization=invitation.organization,
        reply_to=[inviter.email] if inviter else None,
        context={
            "invitation": invitation,
            "inviter": inviter,
            "accept_url": settings.SITE_URL + invitation_path(invitation),
        },
    )
    message.send()
