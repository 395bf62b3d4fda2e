"""Staff's settings page of an initiative's dashboard: whether partners read it, when the board
packet is emailed, and what the public results page publishes, at which address."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backbone.access import require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from dashboard.forms import DashboardSettingsForm
from dashboard.models import DashboardSettings
from dashboard.services import dashboard_settings_update, public_key_renew, settings_for
from initiatives.models import Initiative, Result
from initiatives.views.ordered import get_initiative
from metrics.models import Indicator
from metrics.selectors import Freshness, indicators_with_freshness

FIELDS = (
    "partners_may_view",
    "packet_auto_send",
    "packet_days_before",
    "public_enabled",
    "public_intro",
)


@dataclass
class Choice:
    indicator: Indicator
    fresh: Freshness
    checked: bool


@dataclass
class ChoiceGroup:
    result: Result
    choices: list[Choice] = field(default_factory=list)


def _choice_groups(initiative: Initiative, chosen: set[str]) -> list[ChoiceGroup]:
    """The initiative's indicators by result, each with its latest period (one query)."""
    groups: dict[int, ChoiceGroup] = {}
    for indicator, fresh in indicators_with_freshness(
        organization=initiative.organization, initiative_id=initiative.pk
    ):
        group = groups.setdefault(indicator.result_id, ChoiceGroup(indicator.result))
        group.choices.append(Choice(indicator, fresh, str(indicator.pk) in chosen))
    return list(groups.values())


def public_addresses(request: OrgRequest, current: DashboardSettings) -> dict[str, str]:
    key = current.public_key
    return {
        "page": request.build_absolute_uri(reverse("public_results", args=[key])),
        "embed": request.build_absolute_uri(reverse("public_results_embed", args=[key])),
        "csv": request.build_absolute_uri(reverse("public_results_csv", args=[key])),
    }


def _page_url(initiative: Initiative) -> str:
    return reverse(
        "dashboard_settings",
        kwargs={"org_slug": initiative.organization.slug, "initiative_id": initiative.pk},
    )


@require_http_methods(["GET", "POST"])
def dashboard_settings(request: OrgRequest, org_slug: str, initiative_id: int) -> HttpResponse:
    require_perm(request, "manage_dashboard")
    initiative = get_initiative(request, initiative_id)
    current = settings_for(initiative)
    posted = request.method == "POST"
    form = DashboardSettingsForm(
        request.POST if posted else None,
        initiative=initiative,
        initial={name: getattr(current, name) for name in FIELDS},
    )
    if posted and form.is_valid():
        try:
            dashboard_settings_update(settings=current, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The settings were saved. The public page is online.")
                if current.public_enabled
                else _("The settings were saved."),
            )
            return redirect(_page_url(initiative))
    chosen = (
        form.chosen_ids()
        if posted
        else {str(pk) for pk in current.public_indicators.values_list("pk", flat=True)}
    )
    groups = _choice_groups(initiative, chosen)
    context: dict[str, Any] = {
        "initiative": initiative,
        "form": form,
        "settings": current,
        "groups": groups,
        "published_count": sum(c.checked for g in groups for c in g.choices),
        "addresses": public_addresses(request, current),
        "archived": initiative.status == Initiative.Status.ARCHIVED,
    }
    return render(request, "dashboard/publishing.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def dashboard_public_key_renew(
    request: OrgRequest, org_slug: str, initiative_id: int
) -> HttpResponse:
    """A new address for the public page, after a confirmation: the old one stops working."""
    require_perm(request, "manage_dashboard")
    initiative = get_initiative(request, initiative_id)
    current = settings_for(initiative)
    if request.method == "POST":
        public_key_renew(settings=current)
        messages.success(
            request,
            _(
                "The public page has a new address. The old address no longer works: update "
                "any link or embedded page that used it."
            ),
        )
        return redirect(f"{_page_url(initiative)}#public-address")
    return render(
        request,
        "dashboard/publishing_new_address.html",
        {
            "initiative": initiative,
            "settings": current,
            "addresses": public_addresses(request, current),
        },
    )
