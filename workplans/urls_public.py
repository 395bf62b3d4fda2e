"""Pages partners reach from NAG emails, without logging in: at the site root, not under
/o/<org_slug>/ (the signed token names the person; workplans.links builds these URLs)."""

from django.urls import path

from workplans.views import public

urlpatterns = [
    path("r/<str:token>/", public.commitment_link, name="nag_link"),
    path("u/<str:token>/", public.unsubscribe, name="nag_unsubscribe"),
]
