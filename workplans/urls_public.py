"""Pages partners reach from NAG emails, and calendar feeds, without logging in: at the site
root, not under /o/<org_slug>/ (the signed token names the person or the feed; workplans.links
and workplans.calendar_feeds build these URLs)."""

from django.urls import path

from workplans.views import calendar, public

urlpatterns = [
    path("r/<str:token>/", public.commitment_link, name="nag_link"),
    path("u/<str:token>/", public.unsubscribe, name="nag_unsubscribe"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
