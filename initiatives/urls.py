"""Organization pages of the initiatives app; each area keeps its own URL list."""

from django.urls import include, path

urlpatterns = [
    path("", include("initiatives.urls_agenda")),
    path("", include("initiatives.urls_people")),
    path("", include("initiatives.urls_imports")),
]
