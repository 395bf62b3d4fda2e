from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from backbone.models import Membership


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Signing up makes the person's organization: its guided start comes first.
        if not request.user.is_authenticated:
            return reverse("home")
        memberships = list(
            Membership.objects.filter(user=request.user).select_related("organization")[:2]
        )
        if len(memberships) == 1:
            slug = memberships[0].organization.slug
            return reverse("onboarding", kwargs={"org_slug": slug})
        return reverse("home")
