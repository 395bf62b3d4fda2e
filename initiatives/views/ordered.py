"""The ordered lists of the agenda area, edited inline: results, strategies, ground rules and
filter criteria. Each shows a row, edits it in place, moves it up or down, reorders by drag and
drop, and deletes (or retires) it, the same way for every kind.

One ItemKind describes what differs between the kinds; the handlers below do the rest. The URL
patterns (initiatives/urls_agenda.py) point at the handlers and pass the kind along, so every
route keeps its own path, name and id kwarg.

Every edit works without JavaScript too: forms post normally and the page redirects back. With
htmx, the edited row or list comes back as a partial from templates/initiatives/agenda/partials/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.forms import apply_service_errors
from backbone.http import OrgRequest
from initiatives import services
from initiatives.forms.agenda import MoveForm, ReorderForm
from initiatives.models import Initiative, Ordered

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PARTIALS = "initiatives/agenda/partials/"


# --- Shared helpers -------------------------------------------------------------------------


def get_initiative(request: OrgRequest, initiative_id: int) -> Initiative:
    initiative = get_in_org_or_404(Initiative, request.organization, pk=initiative_id)
    initiative.organization = request.organization  # already loaded by the middleware
    return initiative


def inline_form(
    request: OrgRequest,
    form: forms.Form,
    *,
    action: str,
    cancel_row: str,
    page_url: str,
    heading: StrOrPromise,
    initiative: Initiative,
    status: int = 200,
    submit: str = "",
) -> HttpResponse:
    """An edit form: the small partial for htmx, or a page of its own without JavaScript."""
    first = next(iter(form.fields.values()))
    first.widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
    context = {
        "form": form,
        "action": action,
        "cancel_row": cancel_row,
        "page_url": page_url,
        "heading": heading,
        "initiative": initiative,
        "submit": submit or _("Save"),
    }
    template = (
        PARTIALS + "inline_form.html" if request.htmx else "initiatives/agenda/form_page.html"
    )
    return render(request, template, context, status=status)


def moved_focus(item: Ordered, direction: str, count: int) -> str:
    """Which move button keeps the keyboard focus after a move: the same one, unless the item
    reached the end of the list and that button is gone."""
    if direction == "up" and item.position == 0 and count > 1:
        return "down"
    if direction == "down" and item.position == count - 1 and count > 1:
        return "up"
    return direction


def focus_after_swap(response: HttpResponse, element_id: str) -> HttpResponse:
    """Keep the keyboard focus on the button that was pressed, once the list is swapped
    (static/js/agenda.js listens for the event)."""
    response["HX-Trigger-After-Settle"] = json.dumps({"agenda:focus": element_id})
    return response


# --- What differs between the kinds ---------------------------------------------------------


@dataclass(frozen=True)
class ItemKind:
    """One kind of ordered item. Its list belongs to an owner: the initiative, or for strategies
    their result; `owner_field` names the owner's id on an item and in the list's URLs."""

    name: str  # "rule": the row template's variable, the anchor "rule-<pk>", the form ids
    kwarg: str  # "rule_id": the URL kwarg naming one item
    url_name: str  # "ground_rule": its routes are ground_rule_row, ground_rule_edit
    row_template: str
    form_class: type[forms.Form]
    heading: StrOrPromise  # of the edit form
    saved: StrOrPromise  # messages, shown without JavaScript
    removed: StrOrPromise
    get: Callable[[OrgRequest, Initiative, int], Any]  # one item of the initiative, or 404
    update: Callable[[Any, dict[str, Any]], object]  # (item, the form's cleaned data)
    remove: Callable[[Any], object]  # delete or retire; may refuse with a ValidationError
    page_url: Callable[[Initiative, str], str]  # the page showing the list, at an anchor
    list_url: Callable[[Initiative, int], str]  # that page after a delete or a reorder
    siblings: Callable[[Initiative, int], QuerySet[Any]]  # the owner's list, in order
    # (request, initiative, owner_id, status=200, **extra context) -> the list's partial
    list_partial: Callable[..., HttpResponse]
    owner_field: str = "initiative_id"
    # The owner named by a list URL when it is not the initiative: found in it, or 404.
    get_owner: Callable[[OrgRequest, Initiative, int], Model] | None = None
    fresh_row: bool = False  # fetch the item again before showing its row

    def item_url(self, initiative: Initiative, item: Any) -> str:
        return self.page_url(initiative, f"{self.name}-{item.pk}")

    def route(self, initiative: Initiative, item: Any, action: str) -> str:
        return reverse(
            f"{self.url_name}_{action}",
            kwargs={
                "org_slug": initiative.organization.slug,
                "initiative_id": initiative.pk,
                self.kwarg: item.pk,
            },
        )


def _row(
    request: OrgRequest, kind: ItemKind, initiative: Initiative, item: Any, **extra: Any
) -> HttpResponse:
    if kind.fresh_row:
        item = kind.get(request, initiative, item.pk)
    return render(request, kind.row_template, {"initiative": initiative, kind.name: item, **extra})


def _refused(
    request: OrgRequest, kind: ItemKind, initiative: Initiative, item: Any, message: str
) -> HttpResponse:
    """A refused change: the list again with the reason at the item."""
    if not request.htmx:
        messages.error(request, message)
        return redirect(kind.item_url(initiative, item))
    return kind.list_partial(
        request,
        initiative,
        getattr(item, kind.owner_field),
        status=400,
        error_kind=kind.name,
        error_pk=item.pk,
        error=message,
    )


# --- The handlers: each URL pattern passes its `kind`, and the item's id under kind.kwarg ---


@require_GET
def item_row(
    request: OrgRequest, org_slug: str, initiative_id: int, *, kind: ItemKind, **ids: int
) -> HttpResponse:
    require_perm(request, "view_common_agenda")
    initiative = get_initiative(request, initiative_id)
    item = kind.get(request, initiative, ids[kind.kwarg])
    if not request.htmx:
        return redirect(kind.item_url(initiative, item))
    return _row(request, kind, initiative, item)


@require_http_methods(["GET", "POST"])
def item_edit(
    request: OrgRequest, org_slug: str, initiative_id: int, *, kind: ItemKind, **ids: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    item = kind.get(request, initiative, ids[kind.kwarg])
    auto_id = f"id_{kind.name}_{item.pk}_%s"
    status = 200
    if request.method == "POST":
        form = kind.form_class(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                kind.update(item, form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if request.htmx:
                    return _row(request, kind, initiative, item, saved=True)
                messages.success(request, kind.saved)
                return redirect(kind.item_url(initiative, item))
        status = 400
    else:
        initial = {name: getattr(item, name) for name in kind.form_class.base_fields}
        form = kind.form_class(initial=initial, auto_id=auto_id)
    return inline_form(
        request,
        form,
        action=kind.route(initiative, item, "edit"),
        cancel_row=kind.route(initiative, item, "row"),
        page_url=kind.item_url(initiative, item),
        heading=kind.heading,
        initiative=initiative,
        status=status,
    )


@require_POST
def item_move(
    request: OrgRequest, org_slug: str, initiative_id: int, *, kind: ItemKind, **ids: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    item = kind.get(request, initiative, ids[kind.kwarg])
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, kind, initiative, item, _("Choose up or down."))
    direction = form.cleaned_data["direction"]
    services.item_move(item=item, direction=direction)
    if not request.htmx:
        return redirect(kind.item_url(initiative, item))
    owner_id = getattr(item, kind.owner_field)
    count = kind.siblings(initiative, owner_id).count()
    return focus_after_swap(
        kind.list_partial(request, initiative, owner_id),
        f"{kind.name}-{item.pk}-{moved_focus(item, direction, count)}",
    )


@require_POST
def item_remove(
    request: OrgRequest, org_slug: str, initiative_id: int, *, kind: ItemKind, **ids: int
) -> HttpResponse:
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    item = kind.get(request, initiative, ids[kind.kwarg])
    owner_id = getattr(item, kind.owner_field)
    try:
        kind.remove(item)
    except ValidationError as exc:
        return _refused(request, kind, initiative, item, " ".join(exc.messages))
    if request.htmx:
        return kind.list_partial(request, initiative, owner_id)
    messages.success(request, kind.removed)
    return redirect(kind.list_url(initiative, owner_id))


@require_POST
def items_reorder(
    request: OrgRequest, org_slug: str, initiative_id: int, *, kind: ItemKind, **ids: int
) -> HttpResponse:
    """Apply the order a drag and drop produced; a stale or garbled order changes nothing."""
    require_perm(request, "edit_common_agenda")
    initiative = get_initiative(request, initiative_id)
    owner_id = initiative.pk
    if kind.get_owner is not None:
        owner_id = kind.get_owner(request, initiative, ids[kind.owner_field]).pk
    page_url = kind.list_url(initiative, owner_id)
    form = ReorderForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors["order"]))
        services.items_reorder(
            items=list(kind.siblings(initiative, owner_id)),
            ordered_ids=form.cleaned_data["order"],
        )
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if not request.htmx:
            messages.error(request, message)
            return redirect(page_url)
        response = kind.list_partial(request, initiative, owner_id)
        response.status_code = 400
        response["HX-Trigger"] = json.dumps({"agenda:refused": message})
        return response
    if not request.htmx:
        return redirect(page_url)
    return kind.list_partial(request, initiative, owner_id)
