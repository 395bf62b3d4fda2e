"""The common agenda, partners, people and tables, mounted under /api/v1/o/<org_slug>/."""

from rest_framework.routers import SimpleRouter

from initiatives.api import views

router = SimpleRouter(trailing_slash=True)
router.register("initiatives", views.InitiativeViewSet, basename="api-initiatives")
router.register("results", views.ResultViewSet, basename="api-results")
router.register("strategies", views.StrategyViewSet, basename="api-strategies")
router.register("ground-rules", views.GroundRuleViewSet, basename="api-ground-rules")
router.register("filter-criteria", views.FilterCriterionViewSet, basename="api-filter-criteria")
router.register("screenings", views.ScreeningViewSet, basename="api-screenings")
router.register(
    "partner-organizations", views.PartnerOrganizationViewSet, basename="api-partner-organizations"
)
router.register("people", views.PersonViewSet, basename="api-people")
router.register("tables", views.TableViewSet, basename="api-tables")
router.register("seats", views.SeatViewSet, basename="api-seats")

urlpatterns = router.urls
