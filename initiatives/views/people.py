"""People (contacts): the list, a person's page, add, edit, remove (archive) and restore."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from initiatives.access import seated_table_ids
from initiatives.forms.people import PersonForm, SearchForm
from initiatives.models import Person
from initiatives.selectors import people_list, seats_of
from initiatives.services import (
    DuplicatePersonError,
    person_create,
    person_holdings,
    person_remove,
    person_restore,
    person_update,
)
from initiatives.views.partners import PAGE_SIZE
from workplans.calendar_feeds import feed_of
from workplans.views.calendar import subscription


def my_table_ids(request: OrgRequest) -> set[int]:
    """The tables the current user sits at (through their person record), in one query."""
    return set(
        seated_table_ids(request.user, organization_id=request.organization.pk).values_list(
            "table_id", flat=True
        )
    )


def _can(request: OrgRequest, permission: str) -> bool:
    return request.user.has_perm(f"backbone.{permission}", request.organization)


def _person_or_404(request: OrgRequest, person_id: int) -> Person:
    return get_in_org_or_404(
        Person.objects.select_related("partner_organization", "user", "calendar_feed"),
        request.organization,
        pk=person_id,
    )


def _duplicate_error(request: OrgRequest, form: PersonForm, exc: DuplicatePersonError) -> None:
    url = reverse(
        "person_detail",
        kwargs={"org_slug": request.organization.slug, "person_id": exc.existing.pk},
    )
    form.add_error(
        "email",
        format_html(
            '{} <a href="{}">{}</a>',
            " ".join(exc.messages),
            url,
            _("Open their page"),
        ),
    )


def _save_person(request: OrgRequest, form: PersonForm, person: Person | None) -> Person | None:
    fields: dict[str, Any] = dict(form.cleaned_data)
    try:
        if person is None:
            return person_create(organization=request.organization, **fields)
        return person_update(person=person, **fields)
    except DuplicatePersonError as exc:
        _duplicate_error(request, form, exc)
    except ValidationError as exc:
        apply_service_errors(form, exc)
    return None


@require_GET
def people(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "view_people")
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    removed = request.GET.get("show") == "removed"
    qs = people_list(organization=request.organization, query=query, include_archived=removed)
    if removed:
        qs = qs.filter(archived_at__isnull=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "initiatives/people/list.html",
        {"page": page, "search": search, "query": query, "removed": removed},
    )


@require_GET
def person_detail(request: OrgRequest, org_slug: str, person_id: int) -> HttpResponse:
    person = _person_or_404(request, person_id)
    return _detail_page(request, person)


def _detail_page(
    request: OrgRequest,
    person: Person,
    *,
    refused: str = "",
    holdings: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    seats = list(seats_of(person=person))
    if not _can(request, "view_all_tables"):
        # Partners see people only through the tables they share with them.
        mine = my_table_ids(request)
        seats = [s for s in seats if s.table_id in mine]
        if not _can(request, "view_people") and not seats:
            raise PermissionDenied
    return render(
        request,
        "initiatives/people/detail.html",
        {
            "person": person,
            "seats": seats,
            "refused": refused,
            "holdings": holdings or [],
            "show_demographics": _can(request, "view_person_demographics"),
            # Staff copy a partner's calendar address for them (most partners have no login).
            "show_calendar": _can(request, "manage_people") and person.archived_at is None,
            "calendar": subscription(feed_of(person)),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def person_create_view(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "manage_people")
    form = PersonForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        person = _save_person(request, form, None)
        if person is not None:
            messages.success(request, _("%(name)s was added.") % {"name": person.full_name})
            return redirect("person_detail", org_slug=org_slug, person_id=person.pk)
    return render(
        request,
        "initiatives/people/form.html",
        {"form": form, "person": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: OrgRequest, org_slug: str, person_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    person = _person_or_404(request, person_id)
    form = PersonForm(
        request.POST or None,
        organization=request.organization,
        initial=model_to_dict(person, list(PersonForm.base_fields)),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_person(request, form, person)
        if saved is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.full_name})
            return redirect("person_detail", org_slug=org_slug, person_id=person.pk)
        person.refresh_from_db()
    return render(
        request,
        "initiatives/people/form.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@require_POST
def person_remove_view(request: OrgRequest, org_slug: str, person_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    person = _person_or_404(request, person_id)
    try:
        person_remove(person=person)
    except ValidationError as exc:
        return _detail_page(
            request,
            person,
            refused=" ".join(exc.messages),
            holdings=person_holdings(person=person),
            status=409,
        )
    messages.success(
        request,
        _("%(name)s was removed. Their past work is kept; you can restore them.")
        % {"name": person.full_name},
    )
    return redirect("person_detail", org_slug=org_slug, person_id=person.pk)


@require_POST
def person_restore_view(request: OrgRequest, org_slug: str, person_id: int) -> HttpResponse:
    require_perm(request, "manage_people")
    person = _person_or_404(request, person_id)
    person_restore(person=person)
    messages.success(request, _("%(name)s was restored.") % {"name": person.full_name})
    return redirect("person_detail", org_slug=org_slug, person_id=person.pk)
