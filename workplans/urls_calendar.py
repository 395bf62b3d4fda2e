"""Calendar feed addresses, mounted under /o/<org_slug>/ by workplans/urls.py: make a new
address or turn one off (the feeds themselves are at the site root, workplans/urls_public.py)."""

from django.urls import URLPattern, path

from workplans.views import calendar

urlpatterns: list[URLPattern] = [
    path(
        "people/<int:person_id>/calendar/new/",
        calendar.person_calendar_new,
        name="person_calendar_new",
    ),
    path(
        "people/<int:person_id>/calendar/off/",
        calendar.person_calendar_off,
        name="person_calendar_off",
    ),
    path(
        "tables/<int:table_id>/calendar/new/",
        calendar.table_calendar_new,
        name="table_calendar_new",
    ),
    path(
        "tables/<int:table_id>/calendar/off/",
        calendar.table_calendar_off,
        name="table_calendar_off",
    ),
]
