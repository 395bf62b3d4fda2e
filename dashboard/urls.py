"""Organization pages of the dashboard app; each area keeps its own URL list."""

from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.urls_dashboard")),
    path("", include("dashboard.urls_packets")),
    path("", include("dashboard.urls_publishing")),
]
