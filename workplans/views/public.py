"""Pages a partner reaches from a NAG email, without logging in: a commitment's one-click link
(/r/<token>/) and unsubscribe (/u/<token>/).

The signed token names the person; a page shows only that person's own commitment, in their
language (or the one chosen on the page with ?lang=). A GET never changes anything — mail
scanners open every link in an email — it shows a page whose button POSTs. A bad, expired or
foreign link gets a page that says why and who to ask, never an error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from backbone.localtime import local_date
from backbone.middleware import LANGUAGE_PARAM
from initiatives.models import Initiative, Person
from workplans.forms.public import FORMS, NewDateForm
from workplans.links import read_action_token, read_expired_action_token, read_unsubscribe_token
from workplans.models import Commitment, NagOptOut
from workplans.services import (
    commitment_link_apply,
    commitment_link_state,
    nag_opt_out_record,
)


@dataclass
class Problem:
    # "invalid" (tampered or cut off), "expired", "not_yours", "gone" (removed since sent)
    reason: str
    status: int
    person: Person | None = None


@dataclass
class Link:
    person: Person
    commitment: Commitment
    action: str


def _person(pk: Any) -> Person | None:
    if not isinstance(pk, int):
        return None
    return Person.objects.select_related("organization").filter(pk=pk).first()


def _language(request: HttpRequest, person: Person | None) -> str:
    """The page's language: the one asked for with ?lang= (the chooser on the page), else the
    person's, else the browser's (as LocaleMiddleware read it)."""
    asked = request.GET.get(LANGUAGE_PARAM, "")
    if asked in dict(settings.LANGUAGES):
        return asked
    if person is not None and person.preferred_language:
        return person.preferred_language
    return translation.get_language() or settings.LANGUAGE_CODE


def _problem_page(request: HttpRequest, problem: Problem, kind: str) -> HttpResponse:
    person = problem.person
    with translation.override(_language(request, person)):
        return render(
            request,
            "workplans/public/problem.html",
            {
                "reason": problem.reason,
                "kind": kind,
                "person": person,
                "sender": person.organization.email_sender_name if person else "",
            },
            status=problem.status,
        )


def _read_link(token: str) -> Link | Problem:
    try:
        data = read_action_token(token)
    except signing.SignatureExpired:
        # The signature is ours, only too old: its person tells the reader who to ask.
        old = read_expired_action_token(token)
        return Problem("expired", 410, _person(old.get("p")))
    except signing.BadSignature:
        return Problem("invalid", 400)
    person = _person(data.get("p"))
    if person is None or person.archived_at is not None or data.get("a") not in FORMS:
        return Problem("gone", 410, person)
    commitment_id = data.get("c")
    commitment = (
        Commitment.objects.select_related("meeting__initiative", "table")
        .filter(pk=commitment_id)
        .first()
        if isinstance(commitment_id, int)
        else None
    )
    if commitment is None:
        return Problem("gone", 410, person)
    if commitment.person_id != person.pk or commitment.organization_id != person.organization_id:
        return Problem("not_yours", 400, person)
    return Link(person=person, commitment=commitment, action=data["a"])


def _form(link: Link, earliest: date, data: Any = None) -> forms.Form:
    if link.action == "new_date":
        return NewDateForm(data, earliest=earliest)
    return FORMS[link.action](data)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def commitment_link(request: HttpRequest, token: str) -> HttpResponse:
    link = _read_link(token)
    if isinstance(link, Problem):
        return _problem_page(request, link, "commitment")
    with translation.override(_language(request, link.person)):
        return _commitment_page(request, link)


def _commitment_page(request: HttpRequest, link: Link) -> HttpResponse:
    commitment = link.commitment
    meeting = commitment.meeting
    zone = meeting.initiative.effective_time_zone
    earliest = local_date(meeting.starts_at, zone)
    state = commitment_link_state(commitment, link.action)
    form = _form(link, earliest)
    status = 200
    if request.method == "POST" and state == "ready":
        form = _form(link, earliest, request.POST)
        if form.is_valid():
            try:
                outcome = commitment_link_apply(
                    commitment=commitment,
                    person=link.person,
                    action=link.action,
                    note=form.cleaned_data.get("note", ""),
                    new_due_date=form.cleaned_data.get("due_date"),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                commitment = outcome.commitment
                if outcome.recorded:
                    state = "recorded"
                else:
                    state = commitment_link_state(commitment, link.action)
                    if state == "ready":  # a new date that was already the date
                        state = "already"
        if state == "ready":
            status = 400  # the form's errors are shown
    return render(
        request,
        "workplans/public/commitment.html",
        {
            "person": link.person,
            "commitment": commitment,
            "meeting": meeting,
            "table": commitment.table,
            "action": link.action,
            "state": state,
            "form": form,
            "sender": link.person.organization.email_sender_name,
            "time_zone": zone,
        },
        status=status,
    )


# RFC 8058 one-click unsubscribe: the mail client POSTs "List-Unsubscribe=One-Click" to the
# List-Unsubscribe URL itself, with no page shown and so no CSRF token. The signed token in the
# URL is the authority, and a forged cross-site POST could only do what the link's owner can:
# stop their own reminders (staff can turn them back on). Only this view is exempt.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = read_unsubscribe_token(token)
    except signing.BadSignature:
        return _problem_page(request, Problem("invalid", 400), "unsubscribe")
    person = _person(data.get("p"))
    initiative_id = data.get("i")
    initiative = (
        Initiative.objects.filter(pk=initiative_id).first()
        if isinstance(initiative_id, int)
        else None
    )
    if person is None or initiative is None:
        return _problem_page(request, Problem("gone", 410, person), "unsubscribe")
    if initiative.organization_id != person.organization_id:
        # Never minted by us: answer as for any bad link, naming no organization.
        return _problem_page(request, Problem("invalid", 400), "unsubscribe")
    with translation.override(_language(request, person)):
        already = NagOptOut.objects.filter(person=person, initiative=initiative).exists()
        state = "already" if already else "ready"
        if request.method == "POST":
            _, created = nag_opt_out_record(person=person, initiative=initiative)
            state = "recorded" if created else "already"
        return render(
            request,
            "workplans/public/unsubscribe.html",
            {
                "person": person,
                "initiative": initiative,
                "state": state,
                "sender": person.organization.email_sender_name,
            },
        )
