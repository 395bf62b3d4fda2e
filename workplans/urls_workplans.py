"""Pages of the workplans area, mounted under /o/<org_slug>/ by workplans/urls.py: a
workgroup's annual workplans, their key actions and update logs, renewal and comparison."""

from django.urls import path

from workplans.views import workplans as views

urlpatterns = [
    path("tables/<int:table_id>/workplans/", views.table_workplans, name="table_workplans"),
    path(
        "tables/<int:table_id>/workplans/new/",
        views.workplan_create_view,
        name="workplan_create",
    ),
    path(
        "tables/<int:table_id>/workplans/compare/",
        views.workplans_compare,
        name="workplans_compare",
    ),
    path("workplans/<int:workplan_id>/", views.workplan_detail, name="workplan_detail"),
    path("workplans/<int:workplan_id>/renew/", views.workplan_renew_view, name="workplan_renew"),
    path(
        "workplans/<int:workplan_id>/key-actions/new/",
        views.key_action_add,
        name="key_action_add",
    ),
    path("key-actions/<int:key_action_id>/", views.key_action_detail, name="key_action_detail"),
    path("key-actions/<int:key_action_id>/row/", views.key_action_row, name="key_action_row"),
    path("key-actions/<int:key_action_id>/edit/", views.key_action_edit, name="key_action_edit"),
    path(
        "key-actions/<int:key_action_id>/progress/",
        views.key_action_progress,
        name="key_action_progress",
    ),
    path(
        "key-actions/<int:key_action_id>/delete/",
        views.key_action_delete_view,
        name="key_action_delete",
    ),
    path(
        "key-actions/<int:key_action_id>/updates/",
        views.key_action_update_add,
        name="key_action_update_add",
    ),
]
