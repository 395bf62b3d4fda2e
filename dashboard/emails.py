"""One function per kind of email this app sends; templates in templates/emails/."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from backbone.mail.attachments import reference
from backbone.mail.compose import compose
from backbone.models import OutboundEmail
from dashboard.models import BoardPacket
from initiatives.models import Person


def send_board_packet(*, person: Person, packet: BoardPacket) -> OutboundEmail:
    """The packet of a steering committee meeting, to one member, in their language: the PDF
    attached (a link only when it is too large to attach) and a link to the packet's page.
    Returns the outbox row."""
    from dashboard.packets import ATTACH_MAX_BYTES

    initiative = packet.initiative
    organization = initiative.organization
    attach = 0 < packet.size <= ATTACH_MAX_BYTES
    url = settings.SITE_URL + reverse(
        "board_packet_detail", kwargs={"org_slug": organization.slug, "packet_id": packet.pk}
    )
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        message = compose(
            kind="board_packet",
            to=[person.email],
            organization=organization,
            context={
                "person": person,
                "packet": packet,
                "initiative": initiative,
                "meeting": packet.meeting,
                "time_zone": initiative.effective_time_zone,
                "packet_url": url,
                "attached": attach,
            },
            headers={"Auto-Submitted": "auto-generated"},
            attachments=[reference("board_packet", packet.pk)] if attach else None,
        )
    message.send()
    row: OutboundEmail = message.outbound_email  # type: ignore[attr-defined]
    return row
