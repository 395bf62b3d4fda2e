"""Partner organizations: the list, one organization's page, add, edit and delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from initiatives.forms.people import PARTNER_FIELDS, PartnerForm, SearchForm
from initiatives.models import PartnerOrganization
from initiatives.selectors import partners_list
from initiatives.services import (
    partner_create,
    partner_delete,
    partner_update,
    partner_with_name,
)

PAGE_SIZE = 50


def _same_name(
    request: OrgRequest, form: PartnerForm, exclude: int | None = None
) -> PartnerOrganization | None:
    """The partner organization a refused name belongs to, to link to it from the error."""
    name = (form.data.get("name") or "").strip()
    return partner_with_name(request.organization, name, exclude=exclude) if name else None


@require_GET
def partners(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_people")
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(partners_list(organization=request.organization, query=query), PAGE_SIZE)
    return render(
        request,
        "initiatives/partners/list.html",
        {"page": page.get_page(request.GET.get("page")), "search": search, "query": query},
    )


@require_GET
def partner_detail(request: OrgRequest, org_slug: str, partner_id: int) -> HttpResponse:
    require_perm(request, "view_people")
    partner = get_in_org_or_404(PartnerOrganization, request.organization, pk=partner_id)
    people = partner.people.active().order_by("full_name")
    return render(
        request, "initiatives/partners/detail.html", {"partner": partner, "people": people}
    )


@require_http_methods(["GET", "POST"])
def partner_create_view(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "manage_people")
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = partner_create(organization=request.organization, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": partner.name})
            return redirect("partner_detail", org_slug=org_slug, partner_id=partner.pk)
    return render(
        request,
        "initiatives/partners/form.html",
        {
            "form": form,
            "partner": None,
            "existing": _same_name(request, form) if form.errors else None,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def partner_edit(request: OrgRequest, org_slug: str, partner_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    partner = get_in_org_or_404(PartnerOrganization, request.organization, pk=partner_id)
    # Not bound to the instance, so a refused edit leaves the page's own heading as it was.
    form = PartnerForm(request.POST or None, initial=model_to_dict(partner, PARTNER_FIELDS))
    if request.method == "POST" and form.is_valid():
        try:
            partner_update(partner=partner, **form.cleaned_data)
        except ValidationError as exc:
            partner.refresh_from_db()
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": partner.name})
            return redirect("partner_detail", org_slug=org_slug, partner_id=partner.pk)
    existing = _same_name(request, form, exclude=partner.pk) if form.errors else None
    return render(
        request,
        "initiatives/partners/form.html",
        {"form": form, "partner": partner, "existing": existing},
        status=400 if form.errors else 200,
    )


@require_POST
def partner_delete_view(request: OrgRequest, org_slug: str, partner_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    partner = get_in_org_or_404(PartnerOrganization, request.organization, pk=partner_id)
    try:
        partner_delete(partner=partner)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("partner_detail", org_slug=org_slug, partner_id=partner.pk)
    messages.success(request, _("%(name)s was deleted.") % {"name": partner.name})
    return redirect(reverse("partners", kwargs={"org_slug": org_slug}))
