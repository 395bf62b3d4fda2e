"""Pages of the meetings area, mounted under /o/<org_slug>/ by workplans/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
