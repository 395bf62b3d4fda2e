"""Board packets: made on request or ahead of each steering committee meeting, built by a
worker with its progress on the row, kept in the packet history, and emailed to the steering
committee's members exactly once per meeting and person.

Like NAG reminders, the database decides what happens once: one scheduled packet per meeting
(a unique constraint, so a second sweep's insert is an IntegrityError, never a second packet)
and one delivery per meeting and person (likewise, never a second email). The broker only
carries work; a lost task leaves a row the sweep hands to a worker again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.defaultfilters import slugify
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backbone.access import check_same_organization
from backbone.localtime import local_date
from backbone.mail.attachments import Attachment
from backbone.models import User
from dashboard import pdf
from dashboard.models import BoardPacket, DashboardSettings, PacketDelivery
from dashboard.packet_content import (
    PacketContent,
    Progress,
    result_sections,
    workgroup_sections,
)
from dashboard.selectors import dashboard_data
from initiatives.models import Initiative, Person, Seat, Table
from workplans.models import Meeting

log = logging.getLogger(__name__)

# A running packet this old has lost its worker (killed, restarted): a build takes seconds.
STUCK_AFTER = timedelta(minutes=15)
# A packet still waiting this long has lost its task (broker restarted): it is queued again.
LOST_AFTER = timedelta(minutes=5)
# Builds tried before a packet whose worker keeps dying is marked failed.
MAX_ATTEMPTS = 3
# Larger packets are emailed as a link only: many mail servers refuse big attachments.
ATTACH_MAX_BYTES = 8 * 1024 * 1024
# How far ahead the sweep looks for steering meetings (the most days_before allows).
SCHEDULE_HORIZON = timedelta(days=31)


def _queue_build(packet_id: int) -> None:
    from dashboard.tasks import build_board_packet

    build_board_packet.delay(packet_id)


@transaction.atomic
def packet_request(
    *,
    initiative: Initiative,
    requested_by: User | None,
    meeting: Meeting | None = None,
    trigger: str = BoardPacket.Trigger.MANUAL,
    language: str = "",
) -> BoardPacket:
    """Make a packet row and queue its build once the transaction commits. A second scheduled
    packet for the same meeting raises IntegrityError (rolled back to this call's savepoint)."""
    check_same_organization(initiative.organization_id, meeting)
    if meeting is not None and meeting.initiative_id != initiative.pk:
        raise ValidationError(_("That meeting is not one of this initiative's."))
    if trigger == BoardPacket.Trigger.SCHEDULED and meeting is None:
        raise ValidationError(_("A scheduled packet is made for a meeting."))
    packet = BoardPacket.objects.create(
        organization_id=initiative.organization_id,
        initiative=initiative,
        meeting=meeting,
        trigger=trigger,
        requested_by=requested_by,
        language=language or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(partial(_queue_build, packet.pk))
    return packet


def next_steering_meeting(*, initiative: Initiative, now: datetime | None = None) -> Meeting | None:
    """The initiative's next scheduled steering committee meeting, which a packet made now is
    for (one query)."""
    return (
        Meeting.objects.filter(
            initiative=initiative,
            table__kind=Table.Kind.STEERING,
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=now or timezone.now(),
        )
        .select_related("table")
        .order_by("starts_at", "id")
        .first()
    )


# --- Building ---------------------------------------------------------------------------------


def _set_progress(packet_id: int, attempt: int, percent: int, stage: str) -> None:
    # Outside any transaction (the build holds none), so each update is committed at once and
    # the page polling the packet sees it.
    BoardPacket.objects.filter(
        pk=packet_id, status=BoardPacket.Status.RUNNING, attempts=attempt
    ).update(progress=max(0, min(percent, 99)), stage=stage[:200])


def packet_content(packet: BoardPacket, *, now: datetime, on_progress: Progress) -> PacketContent:
    """Everything the packet shows, read now."""
    initiative = packet.initiative
    time_zone = initiative.effective_time_zone
    today = local_date(now, time_zone)
    on_progress(4, _("Reading the dashboard"))
    board = dashboard_data(initiative=initiative, today=today)
    on_progress(8, _("Reading the results and indicators"))

    def drawing(done: int, total: int) -> None:
        on_progress(
            10 + 50 * done // max(total, 1),
            _("Drawing the charts of result %(n)s of %(total)s") % {"n": done + 1, "total": total},
        )

    results = result_sections(initiative, today=today, progress=drawing)
    on_progress(62, _("Reading the workgroups’ workplans and commitments"))
    workgroups = workgroup_sections(initiative, today=today, now=now)
    return PacketContent(
        initiative=initiative,
        today=today,
        meeting=packet.meeting,
        time_zone=time_zone,
        results=results,
        workgroups=workgroups,
        dashboard=board,
        made_at=now,
    )


def packet_render(content: PacketContent, *, on_progress: Progress | None = None) -> pdf.Pdf:
    """The packet's PDF, in the active language."""
    report = on_progress or (lambda percent, stage: None)
    report(75, _("Laying out the pages"))
    context = {
        "c": content,
        "page_of": pdf.page_of_content(_("Page %(page)s of %(pages)s")),
        "packet_label": pdf.css_string(_("Board packet")),
    }
    return pdf.render_pdf(
        "dashboard/packet/packet.html",
        context,
        before_writing=lambda: report(90, _("Writing the PDF")),
    )


def packet_build(*, packet_id: int, now: datetime | None = None) -> BoardPacket | None:
    """Build a waiting packet: claim it (compare-and-set, so two workers never build one
    packet), make the PDF with its progress on the row, and store it — or store why it failed.
    A scheduled packet is then emailed to the steering committee. None when the packet was not
    waiting (built already, or being built)."""
    started = timezone.now()
    claimed = BoardPacket.objects.filter(pk=packet_id, status=BoardPacket.Status.QUEUED).update(
        status=BoardPacket.Status.RUNNING,
        started_at=started,
        finished_at=None,
        attempts=F("attempts") + 1,
        progress=1,
        error="",
    )
    if claimed != 1:
        return None
    packet = BoardPacket.objects.select_related("initiative__organization", "meeting__table").get(
        pk=packet_id
    )
    attempt = packet.attempts
    on_progress = partial(_set_progress, packet.pk, attempt)
    with translation.override(packet.language or settings.LANGUAGE_CODE):
        on_progress(2, _("Starting"))
        try:
            content = packet_content(packet, now=now or started, on_progress=on_progress)
            made = packet_render(content, on_progress=on_progress)
        except Exception as exc:
            log.exception("Board packet %s failed", packet.pk)
            packet.status = BoardPacket.Status.FAILED
            packet.error = f"{type(exc).__name__}: {exc}"[:2000]
            packet.stage = _("Failed")
            packet.finished_at = timezone.now()
            BoardPacket.objects.filter(pk=packet.pk, attempts=attempt).update(
                status=packet.status,
                error=packet.error,
                stage=packet.stage,
                finished_at=packet.finished_at,
            )
            return packet
        packet.status = BoardPacket.Status.READY
        packet.pdf = made.data
        packet.size = len(made.data)
        packet.page_count = made.page_count
        packet.progress = 100
        packet.stage = _("Ready")
        packet.finished_at = timezone.now()
    BoardPacket.objects.filter(pk=packet.pk, attempts=attempt).update(
        status=packet.status,
        pdf=packet.pdf,
        size=packet.size,
        page_count=packet.page_count,
        progress=packet.progress,
        stage=packet.stage,
        finished_at=packet.finished_at,
    )
    if packet.trigger == BoardPacket.Trigger.SCHEDULED:
        packet_deliver(packet=packet)
    return packet


def packet_filename(packet: BoardPacket) -> str:
    day = local_date(packet.created_at, packet.initiative.effective_time_zone)
    name = slugify(packet.initiative.name) or "initiative"
    return f"board-packet-{name}-{day.isoformat()}.pdf"


def packet_attachment(packet_id: int) -> Attachment | None:
    """The PDF of a ready packet, for an email of the outbox (backbone.mail.attachments)."""
    packet = (
        BoardPacket.objects.select_related("initiative__organization")
        .filter(pk=packet_id, status=BoardPacket.Status.READY)
        .first()
    )
    if packet is None or not packet.pdf:
        return None
    return Attachment(packet_filename(packet), bytes(packet.pdf), "application/pdf")


# --- Before each steering committee meeting ------------------------------------------------------


def _recipients(meeting: Meeting) -> list[Person]:
    """The steering committee's members who get the packet and have not yet got it for this
    meeting: seated at the meeting's table, with an address that works, not archived."""
    delivered = PacketDelivery.objects.filter(meeting=meeting, person=OuterRef("pk"))
    return list(
        Person.objects.filter(
            organization_id=meeting.organization_id,
            seats__table_id=meeting.table_id,
            archived_at__isnull=True,
            undeliverable_at__isnull=True,
        )
        .exclude(email="")
        .exclude(Exists(delivered))
        .select_related("organization")
        .distinct()
        .order_by("full_name", "id")
    )


def packet_deliver(*, packet: BoardPacket) -> int:
    """Email a ready scheduled packet to each member of its steering committee who has not had
    it: each person's delivery row and outbox email are written in one transaction, and the
    (meeting, person) constraint turns a second sweep's attempt into an IntegrityError, not a
    second email. Returns the number of emails queued."""
    from dashboard.emails import send_board_packet

    if (
        packet.status != BoardPacket.Status.READY
        or packet.trigger != BoardPacket.Trigger.SCHEDULED
        or packet.meeting is None
    ):
        return 0
    meeting = packet.meeting
    sent = 0
    for person in _recipients(meeting):
        try:
            with transaction.atomic():
                delivery = PacketDelivery.objects.create(
                    organization_id=packet.organization_id,
                    packet=packet,
                    meeting=meeting,
                    person=person,
                )
                delivery.email = send_board_packet(person=person, packet=packet)
                delivery.save(update_fields=["email"])
        except IntegrityError:
            continue  # another sweep emailed this person for this meeting
        sent += 1
    return sent


@dataclass
class SweepOutcome:
    scheduled: list[int] = field(default_factory=list)  # packets made for a meeting
    delivered: int = 0  # emails queued
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _settings_by_initiative(initiative_ids: set[int]) -> dict[int, DashboardSettings]:
    return {
        s.initiative_id: s
        for s in DashboardSettings.objects.filter(initiative_id__in=initiative_ids)
    }


def packets_schedule(*, now: datetime | None = None) -> list[int]:
    """Make the packet of each steering committee meeting that starts within its initiative's
    `packet_days_before` days (and has none yet), where the initiative sends packets."""
    now = now or timezone.now()
    has_packet = BoardPacket.objects.filter(
        meeting=OuterRef("pk"), trigger=BoardPacket.Trigger.SCHEDULED
    )
    meetings = list(
        Meeting.objects.filter(
            table__kind=Table.Kind.STEERING,
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + SCHEDULE_HORIZON,
            initiative__status=Initiative.Status.ACTIVE,
        )
        .exclude(Exists(has_packet))
        .select_related("initiative__organization")
        .order_by("starts_at", "id")
    )
    chosen = _settings_by_initiative({m.initiative_id for m in meetings})
    made = []
    for meeting in meetings:
        # No settings row yet: the defaults (send, 5 days before).
        prefs = chosen.get(meeting.initiative_id) or DashboardSettings()
        if not prefs.packet_auto_send:
            continue
        if meeting.starts_at > now + timedelta(days=prefs.packet_days_before):
            continue
        try:
            packet = packet_request(
                initiative=meeting.initiative,
                requested_by=None,
                meeting=meeting,
                trigger=BoardPacket.Trigger.SCHEDULED,
            )
        except IntegrityError:
            continue  # another sweep made it a moment ago
        made.append(packet.pk)
    return made


def packets_deliver_due(*, now: datetime | None = None) -> int:
    """Email the ready scheduled packets of meetings still ahead to the members who have not had
    them: those a sweep missed (a worker died between two emails) and anyone who joined the
    steering committee since."""
    now = now or timezone.now()
    missing = Seat.objects.filter(
        table_id=OuterRef("meeting__table_id"),
        person__archived_at__isnull=True,
        person__undeliverable_at__isnull=True,
    ).exclude(person__email="")
    missing = missing.exclude(
        Exists(
            PacketDelivery.objects.filter(
                meeting_id=OuterRef(OuterRef("meeting_id")), person_id=OuterRef("person_id")
            )
        )
    )
    packets = BoardPacket.objects.filter(
        Exists(missing),
        trigger=BoardPacket.Trigger.SCHEDULED,
        status=BoardPacket.Status.READY,
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__gt=now,
    ).select_related("meeting", "initiative__organization")
    return sum(packet_deliver(packet=packet) for packet in packets.defer("pdf"))


def packets_requeue_stuck(*, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Hand lost builds to a worker again: a packet waiting too long (its task was lost), or
    running too long (its worker died) unless it has been tried MAX_ATTEMPTS times, in which
    case it is marked failed with the reason. Returns (requeued, failed) ids."""
    now = now or timezone.now()
    stuck = Q(status=BoardPacket.Status.RUNNING, started_at__lt=now - STUCK_AFTER)
    gave_up = list(
        BoardPacket.objects.filter(stuck, attempts__gte=MAX_ATTEMPTS).values_list("pk", flat=True)
    )
    if gave_up:
        with translation.override(settings.LANGUAGE_CODE):
            error = _(
                "The worker making this packet stopped before it was done, %(count)s times."
            ) % {"count": MAX_ATTEMPTS}
        BoardPacket.objects.filter(stuck, pk__in=gave_up).update(
            status=BoardPacket.Status.FAILED, error=error, finished_at=now
        )
    BoardPacket.objects.filter(stuck, attempts__lt=MAX_ATTEMPTS).update(
        status=BoardPacket.Status.QUEUED, progress=0
    )
    waiting = list(
        BoardPacket.objects.filter(
            Q(created_at__lt=now - LOST_AFTER) | Q(started_at__lt=now - STUCK_AFTER),
            status=BoardPacket.Status.QUEUED,
        ).values_list("pk", flat=True)[:100]
    )
    for pk in waiting:
        transaction.on_commit(partial(_queue_build, pk))
    return waiting, gave_up


def packets_sweep(*, now: datetime | None = None) -> SweepOutcome:
    """What beat runs every few minutes: builds that lost their worker, the packets due before
    steering meetings, and the emails not yet sent. Safe to run twice, and at once."""
    now = now or timezone.now()
    requeued, failed = packets_requeue_stuck(now=now)
    scheduled = packets_schedule(now=now)
    delivered = packets_deliver_due(now=now)
    return SweepOutcome(scheduled=scheduled, delivered=delivered, requeued=requeued, failed=failed)
