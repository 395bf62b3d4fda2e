from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backbone.api.base import OrganizationScopedMixin, OrganizationScopedViewSet
from backbone.api.serializers import (
    InvitationSerializer,
    MembershipSerializer,
    OrganizationSerializer,
)
from backbone.emails import send_invitation
from backbone.models import Invitation, Membership
from backbone.services import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)


class OrganizationView(OrganizationScopedMixin, APIView):
    """The organization named in the URL, and your role in it."""

    @extend_schema(responses=OrganizationSerializer, tags=["organization"])
    def get(self, request: Request, org_slug: str) -> Response:
        data = OrganizationSerializer(
            self.organization, context={"role": self.membership.role}
        ).data
        return Response(data)


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrganizationScopedViewSet,
):
    """Members of the organization. Staff change roles and remove members; the last backbone
    staff member can be neither demoted nor removed (400)."""

    queryset = Membership.objects.all()
    serializer_class = MembershipSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    required_permissions = {
        "*": "manage_members",
        "list": "view_members",
        "retrieve": "view_members",
    }

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("user", "organization").order_by("user__email")

    def perform_update(self, serializer: MembershipSerializer) -> None:  # type: ignore[override]
        membership = serializer.instance
        assert membership is not None  # an update always has its instance
        # PATCH without a role changes nothing (and answers the member as they are).
        role = serializer.validated_data.get("role", membership.role)
        serializer.instance = membership_change_role(membership=membership, role=role)

    def perform_destroy(self, instance: Membership) -> None:
        membership_remove(membership=instance)


class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    OrganizationScopedViewSet,
):
    """Pending and past invitations. Creating one emails the invitation link; deleting one
    withdraws it (the link stops working)."""

    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    required_permissions = {"*": "manage_members"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("invited_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = invitation_create(
            organization=self.organization,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
            invited_by=request.user,  # type: ignore[arg-type]
        )
        send_invitation(invitation)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Invitation) -> None:
        invitation_revoke(invitation=instance)
