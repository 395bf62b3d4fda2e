"""Pages of the commitments area, mounted under /o/<org_slug>/ by workplans/urls.py: meeting
mode (run a meeting: review, capture, wins, close), my commitments, the staff list and one
commitment's page with its history."""

from django.urls import URLPattern, path

from workplans.views import commitments, mode

urlpatterns: list[URLPattern] = [
    path("meetings/<int:meeting_id>/mode/", mode.meeting_mode, name="meeting_mode"),
    path(
        "meetings/<int:meeting_id>/mode/review/<int:commitment_id>/",
        mode.meeting_mode_review,
        name="meeting_mode_review",
    ),
    path(
        "meetings/<int:meeting_id>/mode/commitments/",
        mode.meeting_mode_capture,
        name="meeting_mode_capture",
    ),
    path("meetings/<int:meeting_id>/mode/wins/", mode.meeting_mode_wins, name="meeting_mode_wins"),
    path(
        "meetings/<int:meeting_id>/mode/close/", mode.meeting_mode_close, name="meeting_mode_close"
    ),
    path("my-commitments/", commitments.my_commitments, name="my_commitments"),
    path("commitments/", commitments.commitment_list_view, name="commitments"),
    path(
        "commitments/<int:commitment_id>/",
        commitments.commitment_detail,
        name="commitment_detail",
    ),
    path(
        "commitments/<int:commitment_id>/status/",
        commitments.commitment_status,
        name="commitment_status",
    ),
]
