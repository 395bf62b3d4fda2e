"""The help requests queue (partners who need help or are blocked), mounted under
/o/<org_slug>/ by workplans/urls.py."""

from django.urls import URLPattern, path

from workplans.views import help as views

urlpatterns: list[URLPattern] = [
    path("help-requests/", views.help_request_list, name="help_requests"),
    # One initiative's queue (the address the co-chairs' notification emails link to): the
    # same name, told apart by its argument, so reverse("help_requests", initiative_id=…) works.
    path(
        "initiatives/<int:initiative_id>/help-requests/",
        views.help_request_list,
        name="help_requests",
    ),
    path(
        "help-requests/<int:help_request_id>/assign/",
        views.help_request_take,
        name="help_request_assign",
    ),
    path(
        "help-requests/<int:help_request_id>/resolve/",
        views.help_request_close,
        name="help_request_resolve",
    ),
]
