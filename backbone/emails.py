"""One function per kind of email this app sends; templates in templates/emails/."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from backbone.invitations import invitation_path
from backbone.mail.compose import compose
from backbone.models import Invitation, User


def invitation_language(invitation: Invitation) -> str:
    """The invitee's language: their contact record's in the organization (a partner invited
    to log in usually has one), else the interface language of an account they already have,
    else the language the inviter is working in."""
    # initiatives builds on backbone; the contact record is looked up here only.
    from initiatives.models import Person

    contact = (
        Person.objects.filter(
            organization=invitation.organization,
            email__iexact=invitation.email,
            archived_at__isnull=True,
        )
        .values_list("preferred_language", flat=True)
        .first()
    )
    account = (
        User.objects.filter(email__iexact=invitation.email).values_list("language", flat=True)
    ).first()
    return contact or account or translation.get_language() or settings.LANGUAGE_CODE


def send_invitation(invitation: Invitation) -> None:
    inviter = invitation.invited_by
    with translation.override(invitation_language(invitation)):
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
