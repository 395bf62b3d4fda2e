from django.urls import path

from backbone.onboarding import views_sandbox

# Outside any organization (mounted at the site root): loading the sample makes a new one.
urlpatterns = [
    path("sample/new/", views_sandbox.sandbox_new, name="sandbox_create"),
]
