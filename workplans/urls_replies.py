"""The staff review list of partners' email replies, mounted under /o/<org_slug>/ by
workplans/urls.py."""

from django.urls import URLPattern, path

from workplans.views import replies as views

urlpatterns: list[URLPattern] = [
    path("replies/", views.reply_list, name="replies"),
    path("replies/<int:reply_id>/", views.reply_detail, name="reply_detail"),
    path("replies/<int:reply_id>/original/", views.reply_original, name="reply_original"),
    path("replies/<int:reply_id>/apply/", views.reply_apply, name="reply_apply"),
    path("replies/<int:reply_id>/dismiss/", views.reply_dismiss, name="reply_dismiss"),
]
