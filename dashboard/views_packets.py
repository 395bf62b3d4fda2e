"""Board packets of an initiative: the history with a button to make one, one packet's progress
(polled by htmx until it is ready or failed) and its download. Staff and the steering
committee's members ("view_board_packets"); others of the organization 403, outsiders 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from dashboard.models import BoardPacket
from dashboard.packets import next_steering_meeting, packet_filename, packet_request
from initiatives.views.ordered import get_initiative

# How often the progress bar asks (seconds), and how many packets the history lists.
POLL_SECONDS = 1
HISTORY_SHOWN = 50

UNDER_WAY = (BoardPacket.Status.QUEUED, BoardPacket.Status.RUNNING)


def _get_packet(request: OrgRequest, packet_id: int) -> BoardPacket:
    packet = get_in_org_or_404(
        BoardPacket.objects.select_related("initiative", "meeting__table", "requested_by").defer(
            "pdf"
        ),
        request.organization,
        pk=packet_id,
    )
    packet.initiative.organization = request.organization
    return packet


@require_http_methods(["GET", "POST"])
def packets(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    """The packet history, newest first; a POST makes a packet for the next steering meeting
    (or, when this person's last one is still being made, shows that one)."""
    require_perm(request, "view_board_packets")
    initiative = get_initiative(request, initiative_id)
    if request.method == "POST":
        under_way = (
            BoardPacket.objects.filter(
                organization=request.organization,
                initiative=initiative,
                requested_by=request.user,
                status__in=UNDER_WAY,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if under_way is not None:
            messages.info(request, _("Your packet is still being made."))
            return redirect("board_packet_detail", org_slug=org_slug, packet_id=under_way)
        packet = packet_request(
            initiative=initiative,
            requested_by=request.user,
            meeting=next_steering_meeting(initiative=initiative),
            language=translation.get_language() or "",
        )
        return redirect("board_packet_detail", org_slug=org_slug, packet_id=packet.pk)
    history = list(
        BoardPacket.objects.filter(organization=request.organization, initiative=initiative)
        .select_related("meeting", "requested_by")
        .defer("pdf")[:HISTORY_SHOWN]
    )
    return render(
        request,
        "dashboard/packets.html",
        {
            "initiative": initiative,
            "packets": history,
            "next_meeting": next_steering_meeting(initiative=initiative),
            "time_zone": initiative.effective_time_zone,
        },
    )


@require_GET
def packet_detail(request: OrgRequest, org_slug: str, packet_id: int) -> HttpResponse:
    """One packet: its progress while it is made (htmx asks for the progress alone every
    second, and reloads the page once it is over), then its download, or why it failed."""
    require_perm(request, "view_board_packets")
    packet = _get_packet(request, packet_id)
    context = {
        "packet": packet,
        "initiative": packet.initiative,
        "poll_seconds": POLL_SECONDS,
        "time_zone": packet.initiative.effective_time_zone,
    }
    if request.htmx:
        response = render(request, "dashboard/partials/packet_progress.html", context)
        if packet.status not in UNDER_WAY:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "dashboard/packet.html", context)


@require_GET
def packet_download(request: OrgRequest, org_slug: str, packet_id: int) -> HttpResponse:
    require_perm(request, "view_board_packets")
    packet = get_in_org_or_404(
        BoardPacket.objects.select_related("initiative"), request.organization, pk=packet_id
    )
    if packet.status != BoardPacket.Status.READY or not packet.pdf:
        raise Http404
    packet.initiative.organization = request.organization
    response = HttpResponse(bytes(packet.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=packet_filename(packet)
    )
    response["Cache-Control"] = "private, no-store"
    return response
