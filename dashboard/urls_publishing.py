"""Staff's settings of an initiative's dashboard and public results page."""

from django.urls import path

from dashboard import views_publishing as views

urlpatterns = [
    path(
        "initiatives/<int:initiative_id>/publishing/",
        views.dashboard_settings,
        name="dashboard_settings",
    ),
    path(
        "initiatives/<int:initiative_id>/publishing/new-address/",
        views.dashboard_public_key_renew,
        name="dashboard_public_key_renew",
    ),
]
