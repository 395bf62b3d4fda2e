"""Indicators, performance measures and data points, mounted under /api/v1/o/<org_slug>/."""

from rest_framework.routers import SimpleRouter

from metrics.api import views

router = SimpleRouter(trailing_slash=True)
router.register("indicators", views.IndicatorViewSet, basename="api-indicators")
router.register(
    "performance-measures", views.PerformanceMeasureViewSet, basename="api-performance-measures"
)
router.register("data-points", views.DataPointViewSet, basename="api-data-points")

urlpatterns = router.urls
