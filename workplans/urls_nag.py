"""Reminders pages (staff's control of NAG emails), mounted under /o/<org_slug>/ by
workplans/urls.py."""

from django.urls import URLPattern, path

from backbone.views import outbox
from workplans.views import nag as views

urlpatterns: list[URLPattern] = [
    path("meetings/<int:meeting_id>/reminders/", views.meeting_reminders, name="meeting_reminders"),
    path(
        "meetings/<int:meeting_id>/reminders/preview/",
        views.meeting_reminder_preview,
        name="meeting_reminder_preview",
    ),
    path(
        "meetings/<int:meeting_id>/reminders/intro/",
        views.meeting_reminder_intro,
        name="meeting_reminder_intro",
    ),
    path(
        "meetings/<int:meeting_id>/reminders/skip/",
        views.meeting_reminder_skip,
        name="meeting_reminder_skip",
    ),
    path(
        "meetings/<int:meeting_id>/reminders/recap-now/",
        views.meeting_recap_send_now,
        name="meeting_recap_send_now",
    ),
    path(
        "meetings/<int:meeting_id>/reminders/people/<int:person_id>/pause/",
        views.meeting_reminder_pause,
        name="meeting_reminder_pause",
    ),
    path(
        "initiatives/<int:initiative_id>/reminders/",
        views.initiative_reminders,
        name="initiative_reminders",
    ),
    path(
        "initiatives/<int:initiative_id>/reminders/opt-outs/<int:person_id>/reverse/",
        views.opt_out_reverse,
        name="opt_out_reverse",
    ),
    path(
        "people/<int:person_id>/reminders/clear-undeliverable/",
        views.person_undeliverable_clear,
        name="person_undeliverable_clear",
    ),
    # The email log is the organization's outbox (backbone); resending belongs with it.
    path("outbox/<int:email_id>/resend/", outbox.outbox_email_resend, name="outbox_email_resend"),
]
