from __future__ import annotations

from rest_framework import serializers

from backbone.models import Invitation, Membership, Organization
from backbone.roles import Role


class OrganizationSerializer(serializers.ModelSerializer):
    your_role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "time_zone", "sender_name", "reply_domain", "your_role"]
        read_only_fields = fields

    def get_your_role(self, obj: Organization) -> str:
        return str(self.context["role"])


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at", "updated_at"]
        read_only_fields = ["id", "email", "full_name", "created_at", "updated_at"]


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)
    state = serializers.CharField(read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "state",
            "invited_by",
            "created_at",
            "updated_at",
            "expires_at",
        ]
        read_only_fields = ["id", "state", "invited_by", "created_at", "updated_at", "expires_at"]
