from django.urls import path
from rest_framework.routers import SimpleRouter

from backbone.api import views

router = SimpleRouter(trailing_slash=True)
router.register("members", views.MembershipViewSet, basename="api-members")
router.register("invitations", views.InvitationViewSet, basename="api-invitations")

urlpatterns = [
    path("", views.OrganizationView.as_view(), name="api-organization"),
    *router.urls,
]
