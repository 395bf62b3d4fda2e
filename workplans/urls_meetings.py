"""Pages of the meetings area, mounted under /o/<org_slug>/ by workplans/urls.py."""

from django.urls import URLPattern, path

from workplans.views import meetings as views

urlpatterns: list[URLPattern] = [
    path("meetings/", views.meetings_upcoming, name="meetings_upcoming"),
    path("tables/<int:table_id>/meetings/", views.table_meetings, name="table_meetings"),
    path("tables/<int:table_id>/meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path(
        "tables/<int:table_id>/meetings/invitee-search/",
        views.invitee_search,
        name="meeting_invitee_search",
    ),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/invite.ics", views.meeting_invite_ics, name="meeting_invite"),
    path(
        "meetings/<int:meeting_id>/attendance/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("meetings/<int:meeting_id>/notes/", views.meeting_notes, name="meeting_notes"),
    path("meetings/<int:meeting_id>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/agenda/add/", views.agenda_item_add, name="agenda_item_add"),
    path("agenda-items/<int:item_id>/edit/", views.agenda_item_edit, name="agenda_item_edit"),
    path("agenda-items/<int:item_id>/delete/", views.agenda_item_delete, name="agenda_item_delete"),
    path("agenda-items/<int:item_id>/move/", views.agenda_item_move, name="agenda_item_move"),
]
