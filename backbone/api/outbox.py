"""The organization's email log in the API, read-only: /api/v1/o/<org_slug>/email-log/….

The same log as the Outbox page (backbone.views.outbox), for the same people: backbone staff
("view_outbox"). The list leaves the bodies out (they are long, and a sync wants the status);
one email's answer has them exactly as they went out. Resending stays on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework import mixins, serializers
from rest_framework.request import Request

from backbone.api.base import OrganizationScopedViewSet
from backbone.api.filters import ChoiceFilter, ListFilter, ListFilterBackend
from backbone.api.ordering import Ordering
from backbone.models import EMAIL_KIND_LABELS, OutboundEmail


class OutboundEmailSerializer(serializers.ModelSerializer[OutboundEmail]):
    """An email sent on the organization's behalf, and what became of it."""

    to = serializers.ListField(child=serializers.CharField(), read_only=True)
    cc = serializers.ListField(child=serializers.CharField(), read_only=True)
    reply_to = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = OutboundEmail
        fields = [
            "id",
            "kind",
            "status",
            "from_email",
            "to",
            "cc",
            "reply_to",
            "subject",
            "attempts",
            "error",
            "message_id",
            "created_at",
            "updated_at",
            "sent_at",
        ]
        read_only_fields = fields


class OutboundEmailDetailSerializer(OutboundEmailSerializer):
    """An email with its bodies and headers exactly as they went out, and the files sent with
    it (by reference: {"kind": "board_packet", "id": 12})."""

    headers = serializers.DictField(child=serializers.CharField(), read_only=True)
    attachments = serializers.ListField(
        child=serializers.DictField(), read_only=True, help_text="The files sent with it."
    )

    class Meta(OutboundEmailSerializer.Meta):
        fields = [
            *OutboundEmailSerializer.Meta.fields,
            "body_text",
            "body_html",
            "headers",
            "attachments",
        ]
        read_only_fields = fields


class ExactFilter(ListFilter):
    """`?param=<text>`: only the objects whose `field` is exactly that text."""

    def __init__(self, param: str, field: str, description: str) -> None:
        super().__init__(param, description)
        self.field = field

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = request.query_params.get(self.param, "").strip()
        return queryset.filter(**{self.field: value}) if value else queryset


class RecipientFilter(ListFilter):
    """`?to=<text>`: only the emails with the text (ignoring case) in an address they were
    sent to."""

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = request.query_params.get(self.param, "").strip()
        return queryset.filter(to__icontains=value) if value else queryset


class OutboundEmailViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationScopedViewSet
):
    """The email log: every email sent on the organization's behalf (reminders, help requests,
    invitations, board packets…), newest first, with its status: queued, sent, kept (not
    delivered: the outbox keeps it), failed, bounced or replied. Backbone staff only. The list
    leaves out the bodies; a single email has them."""

    queryset = OutboundEmail.objects.all()
    required_permissions = {"*": "view_outbox"}
    filter_backends = [ListFilterBackend]
    list_filters: ClassVar[Sequence[ListFilter]] = (
        ExactFilter(
            "kind",
            "kind",
            "Only emails of this kind, e.g. " + ", ".join(EMAIL_KIND_LABELS) + ".",
        ),
        ChoiceFilter(
            "status", "status", OutboundEmail.Status.values, "Only emails in this status."
        ),
        RecipientFilter("to", "Only emails to an address containing this text (any case)."),
        Ordering(("created_at", "updated_at", "sent_at")),
    )

    def get_serializer_class(self) -> type[OutboundEmailSerializer]:
        if self.action == "list":
            return OutboundEmailSerializer
        return OutboundEmailDetailSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action == "list":
            queryset = queryset.defer("body_text", "body_html")
        return queryset.order_by("-created_at", "-id")
