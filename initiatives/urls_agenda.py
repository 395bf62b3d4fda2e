"""Pages of the agenda area, mounted under /o/<org_slug>/ by initiatives/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
