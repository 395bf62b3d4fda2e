"""Workplans, key actions, meetings (and their agenda items), commitments, help requests and
the NAG cadence and unsubscribes, mounted under /api/v1/o/<org_slug>/."""

from rest_framework.routers import SimpleRouter

from workplans.api import agenda, help_requests, nag, views

router = SimpleRouter(trailing_slash=True)
router.register("workplans", views.WorkplanViewSet, basename="api-workplans")
router.register("key-actions", views.KeyActionViewSet, basename="api-key-actions")
router.register("meetings", views.MeetingViewSet, basename="api-meetings")
router.register("commitments", views.CommitmentViewSet, basename="api-commitments")
router.register("agenda-items", agenda.AgendaItemViewSet, basename="api-agenda-items")
router.register("help-requests", help_requests.HelpRequestViewSet, basename="api-help-requests")
router.register("nag-settings", nag.NagSettingsViewSet, basename="api-nag-settings")
router.register("nag-opt-outs", nag.NagOptOutViewSet, basename="api-nag-opt-outs")

urlpatterns = router.urls
