from django.urls import path

from backbone.webhooks import views

# Pages of one organization; mounted under /o/<org_slug>/ (see config/urls.py).
urlpatterns = [
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/new/", views.webhook_create, name="webhook_create"),
    path("webhooks/<int:endpoint_id>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:endpoint_id>/edit/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:endpoint_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/<int:endpoint_id>/secret/",
        views.webhook_rotate_secret,
        name="webhook_rotate_secret",
    ),
    path("webhooks/<int:endpoint_id>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<int:endpoint_id>/enable/", views.webhook_enable, name="webhook_enable"),
]
