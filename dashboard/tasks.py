"""Thin Celery tasks of the dashboard app: building board packets and the packets' sweep."""

from __future__ import annotations

from celery import shared_task

from dashboard.packets import packet_build, packets_sweep


@shared_task(acks_late=True)
def build_board_packet(pk: int) -> str:
    """Build one waiting packet (queued on commit by packet_request), then email it if it was
    made for a steering meeting. Safe to run twice: a packet no longer waiting is left alone."""
    packet = packet_build(packet_id=pk)
    return "skipped" if packet is None else str(packet.status)


@shared_task
def sweep_board_packets() -> dict[str, int]:
    """Every few minutes (beat): lost builds queued again, packets made before steering
    meetings, and their emails sent to members who have not had them. Safe to run twice."""
    outcome = packets_sweep()
    return {
        "scheduled": len(outcome.scheduled),
        "delivered": outcome.delivered,
        "requeued": len(outcome.requeued),
        "failed": len(outcome.failed),
    }
