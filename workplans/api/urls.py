"""Workplans, key actions, meetings and commitments, mounted under /api/v1/o/<org_slug>/."""

from rest_framework.routers import SimpleRouter

from workplans.api import views

router = SimpleRouter(trailing_slash=True)
router.register("workplans", views.WorkplanViewSet, basename="api-workplans")
router.register("key-actions", views.KeyActionViewSet, basename="api-key-actions")
router.register("meetings", views.MeetingViewSet, basename="api-meetings")
router.register("commitments", views.CommitmentViewSet, basename="api-commitments")

urlpatterns = router.urls
