from django.urls import path
from rest_framework.routers import SimpleRouter

from backbone.api import outbox, views

router = SimpleRouter(trailing_slash=True)
router.register("members", views.MembershipViewSet, basename="api-members")
router.register("invitations", views.InvitationViewSet, basename="api-invitations")
router.register("email-log", outbox.OutboundEmailViewSet, basename="api-email-log")

urlpatterns = [
    path("", views.OrganizationView.as_view(), name="api-organization"),
    *router.urls,
]
