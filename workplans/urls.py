"""Organization pages of the workplans app; each area keeps its own URL list."""

from django.urls import include, path

urlpatterns = [
    path("", include("workplans.urls_workplans")),
    path("", include("workplans.urls_meetings")),
    path("", include("workplans.urls_commitments")),
    path("", include("workplans.urls_nag")),
    path("", include("workplans.urls_replies")),
    path("", include("workplans.urls_help")),
    path("", include("workplans.urls_calendar")),
]
