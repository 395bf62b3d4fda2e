"""The help requests queue: commitments whose person said "I need help" or "I'm blocked".

Who sees what: backbone staff and the steering committee see every request of the
organization; a co-chair (or chair) sees those of the tables they lead. Staff act on any
request ("I'll take it", "Resolve"), the steering committee only reads, and the leads of a
table act on its requests ("initiatives.edit_table": the same people who run that table's
meetings, which includes a partner seated as its co-chair). Anyone else gets 403; ids of other
organizations answer 404. GET never changes anything.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backbone.access import get_in_org_or_404
from backbone.http import OrgRequest, safe_next
from initiatives.access import seated_table_ids
from initiatives.models import Initiative, Seat
from workplans import help_requests as help_service
from workplans.models import HelpRequest

PAGE_SIZE = 50
OPEN, RESOLVED, EVERY = "open", "resolved", "all"


class HelpFilterForm(forms.Form):
    initiative = forms.TypedChoiceField(
        label=gettext_lazy("Initiative"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            (OPEN, gettext_lazy("Open")),
            (RESOLVED, gettext_lazy("Resolved")),
            (EVERY, gettext_lazy("All")),
        ],
    )
    mine = forms.BooleanField(label=gettext_lazy("Assigned to me"), required=False)

    def __init__(self, *args: Any, initiatives: list[Initiative], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["initiative"].choices = [  # type: ignore[attr-defined]
            ("", _("Every initiative")),
            *[(i.pk, i.name) for i in initiatives],
        ]


class ResolveForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, strip=True)


def _can(request: OrgRequest, permission: str) -> bool:
    return request.user.has_perm(f"backbone.{permission}", request.organization)


def _led_tables(request: OrgRequest) -> QuerySet[Seat, Any]:
    """The tables the user leads (chair or co-chair seat), as a subquery."""
    return seated_table_ids(request.user, organization_id=request.organization.pk, leading=True)


def _visible(request: OrgRequest) -> QuerySet[HelpRequest]:
    """The requests this member may see; 403 for a member who may see none."""
    requests = HelpRequest.objects.filter(organization=request.organization)
    if _can(request, "view_all_help_requests"):
        return requests
    if not _can(request, "view_help_requests") and not _led_tables(request).exists():
        raise PermissionDenied
    return requests.filter(table_id__in=_led_tables(request))


def _may_act(request: OrgRequest, help_request: HelpRequest) -> bool:
    return _can(request, "manage_help_requests") or request.user.has_perm(
        "initiatives.edit_table", help_request.table
    )


def _rows_queryset(request: OrgRequest) -> QuerySet[HelpRequest]:
    return _visible(request).select_related(
        "commitment", "person", "table", "initiative", "assigned_to", "resolved_by"
    )


@require_GET
def help_request_list(
    request: OrgRequest, org_slug: str, initiative_id: int | None = None
) -> HttpResponse:
    """The queue; under an initiative's address, that initiative's requests."""
    organization = request.organization
    if initiative_id is not None:
        get_in_org_or_404(Initiative, organization, pk=initiative_id)
    requests = _rows_queryset(request)
    initiatives = list(Initiative.objects.filter(organization=organization).order_by("name", "id"))
    data = request.GET.copy()
    if initiative_id is not None and "initiative" not in data:
        data["initiative"] = str(initiative_id)
    form = HelpFilterForm(data, initiatives=initiatives)
    chosen: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    status = chosen.get("status") or OPEN
    if status != EVERY:
        requests = requests.filter(status=status)
    if chosen.get("initiative"):
        requests = requests.filter(initiative_id=chosen["initiative"])
    if chosen.get("mine"):
        requests = requests.filter(assigned_to=request.user)
    requests = requests.order_by("status", "-created_at", "-id")
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Everything the viewer sees is theirs to act on, unless they read every table's requests
    # without managing them (the steering committee).
    can_act = _can(request, "manage_help_requests") or not _can(request, "view_all_help_requests")
    return render(
        request,
        "workplans/help/list.html",
        {
            "page": page,
            "form": form,
            "status": status,
            "filtered": bool(chosen.get("initiative") or chosen.get("mine") or status != OPEN),
            "query": query.urlencode(),
            "can_act": can_act,
            "scoped": not _can(request, "view_all_help_requests"),
        },
    )


def _help_request(request: OrgRequest, help_request_id: int) -> HelpRequest:
    help_request = get_in_org_or_404(
        HelpRequest.objects.select_related(
            "commitment", "person", "table", "initiative", "assigned_to", "resolved_by"
        ),
        request.organization,
        pk=help_request_id,
    )
    help_request.table.organization = request.organization
    if not _may_act(request, help_request):
        raise PermissionDenied
    return help_request


def _back(request: OrgRequest, org_slug: str) -> str:
    return safe_next(request, reverse("help_requests", kwargs={"org_slug": org_slug}))


def _respond(
    request: OrgRequest,
    org_slug: str,
    help_request: HelpRequest,
    *,
    error: str = "",
    done: str = "",
) -> HttpResponse:
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect(_back(request, org_slug))
    fresh = _help_request(request, help_request.pk)
    return render(
        request,
        "workplans/help/partials/row.html",
        {
            "h": fresh,
            "can_act": True,
            "error": error,
            "done": done,
            "next": request.POST.get("next", ""),
        },
        status=400 if error else 200,
    )


@require_POST
def help_request_take(request: OrgRequest, org_slug: str, help_request_id: int) -> HttpResponse:
    help_request = _help_request(request, help_request_id)
    try:
        help_service.help_request_assign(help_request=help_request, user=request.user)
    except ValidationError as exc:
        return _respond(request, org_slug, help_request, error=" ".join(exc.messages))
    return _respond(
        request,
        org_slug,
        help_request,
        done=_("You took on the request of %(who)s.") % {"who": help_request.person.full_name},
    )


@require_POST
def help_request_close(request: OrgRequest, org_slug: str, help_request_id: int) -> HttpResponse:
    help_request = _help_request(request, help_request_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _respond(request, org_slug, help_request, error=error)
    try:
        help_service.help_request_resolve(
            help_request=help_request, user=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        return _respond(request, org_slug, help_request, error=" ".join(exc.messages))
    return _respond(
        request,
        org_slug,
        help_request,
        done=_("Resolved: the request of %(who)s.") % {"who": help_request.person.full_name},
    )
