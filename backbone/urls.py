from django.urls import path

from backbone.views import invitations, language, members, outbox, pages, tokens

# Pages of one organization; mounted under /o/<org_slug>/ (see config/urls.py).
org_urlpatterns = [
    path("", pages.org_home, name="org_home"),
    path("settings/", pages.org_settings, name="org_settings"),
    path("members/", members.members, name="members"),
    path("members/invite/", members.invite, name="member_invite"),
    path("members/<int:membership_id>/role/", members.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", members.member_remove, name="member_remove"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        members.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path(
        "invitations/<int:invitation_id>/resend/",
        members.invitation_resend,
        name="invitation_resend",
    ),
    path("api-tokens/", tokens.tokens, name="tokens"),
    path("api-tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<int:email_id>/", outbox.outbox_email, name="outbox_email"),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("o/", pages.org_picker, name="org_picker"),
    path("o/new/", pages.org_create, name="org_create"),
    path("invite/<str:token>/", invitations.invitation_accept_view, name="invitation_accept"),
    path("language/", language.language_choose, name="language_choose"),
]
