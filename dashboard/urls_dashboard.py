"""The steering committee's dashboard and the lists behind its numbers (organization pages)."""

from django.urls import URLPattern, path

from dashboard import views_dashboard as views

PREFIX = "initiatives/<int:initiative_id>/dashboard/"

urlpatterns: list[URLPattern] = [
    path("dashboard/", views.dashboard_home, name="dashboard_home"),
    path(PREFIX, views.dashboard, name="dashboard"),
    path(
        PREFIX + "workgroups/<int:table_id>/",
        views.workgroup_drill,
        name="dashboard_workgroup",
    ),
    path(
        PREFIX + "workgroups/<int:table_id>/follow-through/",
        views.follow_through_drill,
        name="dashboard_follow_through",
    ),
    path(
        PREFIX + "workgroups/<int:table_id>/overdue/",
        views.overdue_drill,
        name="dashboard_overdue",
    ),
    path(
        PREFIX + "workgroups/<int:table_id>/help-requests/",
        views.help_drill,
        name="dashboard_help",
    ),
    path(
        PREFIX + "key-actions/<int:key_action_id>/",
        views.key_action_drill,
        name="dashboard_key_action",
    ),
]
