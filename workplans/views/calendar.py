"""Calendar feeds: the feed itself (/calendar/<token>.ics, no login: calendar programs fetch it)
and the buttons that make a new address or end one.

A person makes a new address for their own feed (My commitments); staff do it for anyone (the
person's page), for instance to copy it to a partner who has no login. A table's feed is staff's
to make and end (the table's meetings page); whoever may see the table sees its address.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest
from initiatives.models import Person, Table
from workplans.calendar_feeds import (
    build,
    calendar_feed_issue,
    calendar_feed_revoke,
    feed_for_token,
    feed_of,
    feed_url,
    webcal_url,
)
from workplans.models import CalendarFeed


def subscription(feed: CalendarFeed | None) -> dict[str, Any] | None:
    """What templates/workplans/calendar/partials/subscribe.html shows of an address."""
    if feed is None:
        return None
    return {"feed": feed, "url": feed_url(feed), "webcal": webcal_url(feed)}


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = feed_for_token(token)
    if feed is None:
        # Read by calendar programs, not people: one short answer, the same for every reason.
        return HttpResponseNotFound(
            _("This calendar address does not exist or was replaced."),
            content_type="text/plain; charset=utf-8",
        )
    built = build(feed)
    response = HttpResponse(built.body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{built.filename}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Calendars ask again every so often; an unchanged feed answers 304 without its body, and a
    # shared cache never keeps a secret address's content.
    patch_cache_control(response, private=True, no_cache=True)
    set_response_etag(response)
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    return conditional or response


# --- A person's address -------------------------------------------------------------------------


def _person(request: OrgRequest, person_id: int) -> Person:
    person = get_in_org_or_404(
        Person.objects.select_related("calendar_feed"), request.organization, pk=person_id
    )
    own = person.user_id is not None and person.user_id == request.user.pk
    if not own and not request.user.has_perm("backbone.manage_people", request.organization):
        raise PermissionDenied
    return person


def _back(request: OrgRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _person_default(request: OrgRequest, person: Person) -> str:
    if person.user_id == request.user.pk:
        return reverse("my_commitments", args=[request.organization.slug])
    return reverse("person_detail", args=[request.organization.slug, person.pk])


@require_POST
def person_calendar_new(request: OrgRequest, org_slug: str, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    had = feed_of(person) is not None
    try:
        calendar_feed_issue(person=person, by_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _issued_message(request, person, had=had))
    return _back(request, _person_default(request, person))


def _issued_message(request: OrgRequest, person: Person, *, had: bool) -> str:
    if person.user_id == request.user.pk:
        if had:
            return _(
                "Your calendar has a new address. Subscribe again with it: the old one no "
                "longer works."
            )
        return _("Your calendar address is ready. Add it to your calendar app.")
    if had:
        return _("%(name)s's calendar has a new address; the old one no longer works.") % {
            "name": person.full_name
        }
    return _("%(name)s's calendar address is ready.") % {"name": person.full_name}


@require_POST
def person_calendar_off(request: OrgRequest, org_slug: str, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    feed = feed_of(person)
    if feed is not None:
        calendar_feed_revoke(feed=feed)
        messages.success(request, _("The calendar address was turned off."))
    return _back(request, _person_default(request, person))


# --- A table's address --------------------------------------------------------------------------


def _table(request: OrgRequest, table_id: int) -> Table:
    table = get_in_org_or_404(
        Table.objects.select_related("calendar_feed"), request.organization, pk=table_id
    )
    require_perm(request, "manage_tables")
    return table


@require_POST
def table_calendar_new(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id)
    had = feed_of(table) is not None
    calendar_feed_issue(table=table, by_user=request.user)
    messages.success(
        request,
        _("The meetings calendar has a new address; the old one no longer works.")
        if had
        else _("The meetings calendar address is ready."),
    )
    return redirect("table_meetings", org_slug=org_slug, table_id=table.pk)


@require_POST
def table_calendar_off(request: OrgRequest, org_slug: str, table_id: int) -> HttpResponse:
    table = _table(request, table_id)
    feed = feed_of(table)
    if feed is not None:
        calendar_feed_revoke(feed=feed)
        messages.success(request, _("The meetings calendar address was turned off."))
    return redirect("table_meetings", org_slug=org_slug, table_id=table.pk)
