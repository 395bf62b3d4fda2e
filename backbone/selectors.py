"""Reads that cross relations, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from backbone.models import APIToken, Invitation, Membership, Organization, OutboundEmail
from backbone.roles import Role


@dataclass(frozen=True)
class OrganizationOverview:
    member_count: int
    staff_count: int
    pending_invitations: int
    emails_sent: int
    role_counts: dict[str, int]


def organization_overview(*, organization: Organization, user: Any) -> OrganizationOverview:
    counts = Membership.objects.in_org(organization).aggregate(
        total=Count("pk"),
        **{role.value: Count("pk", filter=Q(role=role)) for role in Role},
    )
    return OrganizationOverview(
        member_count=counts["total"],
        staff_count=counts[Role.STAFF.value],
        pending_invitations=Invitation.objects.in_org(organization).pending().count(),
        emails_sent=OutboundEmail.objects.filter(organization=organization).count(),
        role_counts={role.value: counts[role.value] for role in Role},
    )


def member_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.in_org(organization)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def pending_invitations(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.in_org(organization).pending().select_related("invited_by")


def api_tokens_of(*, organization: Organization, user: Any) -> QuerySet[APIToken]:
    return APIToken.objects.in_org(organization).filter(user=user, revoked_at__isnull=True)


def outbox_for(*, organization: Organization) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(organization=organization).defer("body_html", "body_text")
