"""The staff review list of partners' email replies.

A reply that was held (sent from another address than the reminder's) or not understood with
confidence ("needs a look") waits here with what the partner wrote, the original message and
what was understood; staff apply it with one click ("apply as done…") or dismiss it. A filter
shows every reply received (applied, ignored as automatic, unmatched) so staff can see
everything that came in. Backbone staff only ("review_replies"); ids of other organizations
answer 404. GET never changes anything.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage, Message
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backbone.access import get_in_org_or_404, require_perm
from backbone.http import OrgRequest, safe_next
from workplans import replies as reply_service
from workplans import reply_text
from workplans.models import Commitment, InboundEmail

PAGE_SIZE = 25
ORIGINAL_HEADERS = ("From", "To", "Cc", "Subject", "Date")
# What the one-click buttons may apply (the values of workplans.reply_intent.Action).
ACTION_LABELS: dict[str, Any] = {
    "done": gettext_lazy("Done"),
    "in_progress": gettext_lazy("In progress"),
    "need_help": gettext_lazy("Need help"),
    "blocked": gettext_lazy("Blocked"),
    "new_date": gettext_lazy("New date"),
    "drop": gettext_lazy("Drop"),
}
# An outcome entry for words that were not understood: kept as a note on the commitment.
UNCLEAR = "unclear"
REVIEW = "review"
EVERY = "all"


class ReplyFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            (REVIEW, gettext_lazy("Waiting for a look")),
            (EVERY, gettext_lazy("Every reply")),
            *[(value, label) for value, label in InboundEmail.Status.choices],
        ],
    )


class ApplyForm(forms.Form):
    commitment = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=list(ACTION_LABELS.items()))
    note = forms.CharField(required=False, max_length=2000, strip=True)
    new_date = forms.DateField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "new_date" and not data.get("new_date"):
            self.add_error("new_date", _("Choose the new date."))
        if data.get("action") == "drop" and not data.get("note"):
            self.add_error("note", _("Say why the commitment is dropped."))
        return data


@dataclass
class Listed:
    """One commitment the reminder listed, numbered as in the email, with what the reply said
    about it (the outcome entry) when anything."""

    number: int
    commitment: Commitment | None  # None: deleted since the email went out
    understood: list[dict[str, Any]]  # what was read, then what staff applied, in order

    @property
    def suggested(self) -> dict[str, Any]:
        """What the forms start from: the last intent read or applied for this commitment (an
        unclear reply's words are already kept as a note: not offered again)."""
        intents = [e for e in self.understood if e.get("action") != UNCLEAR]
        return intents[-1] if intents else {}


@dataclass
class ReplyRow:
    inbound: InboundEmail
    listed: list[Listed]
    other_understood: list[dict[str, Any]]  # outcome entries for no listed commitment
    zone: str
    waiting: bool
    can_apply: bool  # waiting, or resolved: another of its commitments may still be applied
    from_other_address: bool


def _replies(organization: Any) -> QuerySet[InboundEmail]:
    return (
        InboundEmail.objects.filter(organization=organization)
        .select_related("person", "nag_message", "nag_message__email", "reviewed_by")
        # The raw message (up to a megabyte each) and the reminder's bodies stay in the
        # database; the original is loaded only for the reply it is asked for.
        .defer(
            "raw",
            "nag_message__email__body_text",
            "nag_message__email__body_html",
            "nag_message__email__headers",
        )
    )


def _rows(organization: Any, replies: list[InboundEmail]) -> list[ReplyRow]:
    """The replies with their listed commitments, loaded in one query for the whole page."""
    wanted = {
        int(cid)
        for r in replies
        if r.nag_message is not None
        for cid in r.nag_message.commitment_ids
    }
    commitments = (
        {
            c.pk: c
            for c in Commitment.objects.filter(organization=organization, pk__in=wanted)
            .select_related("table", "table__initiative", "meeting")
            .defer("why")
        }
        if wanted
        else {}
    )
    for c in commitments.values():
        c.table.initiative.organization = organization
    rows = []
    for r in replies:
        ids = [int(cid) for cid in (r.nag_message.commitment_ids if r.nag_message else [])]
        outcome = [e for e in (r.outcome or []) if isinstance(e, dict)]
        listed = [
            Listed(
                number=n,
                commitment=commitments.get(cid),
                understood=[e for e in outcome if e.get("commitment_id") == cid],
            )
            for n, cid in enumerate(ids, start=1)
        ]
        first = next((item.commitment for item in listed if item.commitment), None)
        person_email = (r.person.email if r.person else "").casefold()
        rows.append(
            ReplyRow(
                inbound=r,
                listed=listed,
                other_understood=[
                    e
                    for e in outcome
                    if e.get("commitment_id") not in ids and e.get("action") != UNCLEAR
                ],
                zone=(
                    first.table.initiative.effective_time_zone
                    if first is not None
                    else organization.time_zone
                ),
                waiting=r.status in InboundEmail.REVIEW,
                can_apply=r.nag_message is not None
                and r.status in (*InboundEmail.REVIEW, InboundEmail.Status.RESOLVED),
                from_other_address=bool(
                    person_email and r.from_address and r.from_address.casefold() != person_email
                ),
            )
        )
    return rows


def _reply(request: OrgRequest, reply_id: int) -> InboundEmail:
    require_perm(request, "review_replies")
    return get_in_org_or_404(_replies(request.organization), request.organization, pk=reply_id)


def _list_url(org_slug: str) -> str:
    return reverse("replies", kwargs={"org_slug": org_slug})


def _back(request: OrgRequest, org_slug: str) -> str:
    return safe_next(request, _list_url(org_slug))


# --- The list -------------------------------------------------------------------------------


@require_GET
def reply_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request, "review_replies")
    organization = request.organization
    form = ReplyFilterForm(request.GET)
    show = (form.cleaned_data.get("show") if form.is_valid() else "") or REVIEW
    replies = _replies(organization)
    if show == REVIEW:
        replies = replies.filter(status__in=InboundEmail.REVIEW)
    elif show != EVERY:
        replies = replies.filter(status=show)
    counts = dict(
        InboundEmail.objects.filter(organization=organization)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    page = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(InboundEmail.Status.choices)
    return render(
        request,
        "workplans/replies/list.html",
        {
            "rows": _rows(organization, list(page.object_list)),
            "page": page,
            "show": show,
            "show_label": dict(form.fields["show"].choices).get(show, ""),  # type: ignore[attr-defined]
            "filter_form": form,
            "waiting_count": sum(counts.get(s, 0) for s in InboundEmail.REVIEW),
            "total_count": sum(counts.values()),
            "status_counts": [
                (status, labels[status], counts[status])
                for status in InboundEmail.Status.values
                if counts.get(status)
            ],
            "query": f"&show={show}" if show != REVIEW else "",
            "actions": ACTION_LABELS,
        },
    )


# --- One reply ------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:  # a malformed header is shown as missing, never a 500
        return ""


def _original(inbound: InboundEmail) -> dict[str, Any]:
    """The message as received, decoded for reading: a few headers and the text of the body
    (an HTML-only message as text). Never the message's HTML itself."""
    raw = bytes(inbound.raw or b"")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    attachments: list[str] = []
    if isinstance(message, EmailMessage):
        try:
            attachments = [
                part.get_filename() or part.get_content_type()
                for part in message.iter_attachments()
            ]
        except Exception:  # a broken MIME tree still shows its text
            attachments = []
    return {
        "headers": [(name, _header(message, name)) for name in ORIGINAL_HEADERS],
        "text": reply_text.body_text(message),
        "attachments": attachments,
        "size": inbound.raw_size or len(raw),
        "truncated": inbound.raw_truncated,
    }


@require_GET
def reply_detail(request: OrgRequest, org_slug: str, reply_id: int) -> HttpResponse:
    inbound = _reply(request, reply_id)
    return render(
        request,
        "workplans/replies/detail.html",
        {
            "row": _rows(request.organization, [inbound])[0],
            "original": _original(_raw_of(inbound)),
            "actions": ACTION_LABELS,
        },
    )


@require_GET
def reply_original(request: OrgRequest, org_slug: str, reply_id: int) -> HttpResponse:
    """The original message of one reply, as a fragment the list opens in place."""
    inbound = _reply(request, reply_id)
    return render(
        request,
        "workplans/replies/partials/original.html",
        {"inbound": inbound, "original": _original(_raw_of(inbound))},
    )


def _raw_of(inbound: InboundEmail) -> InboundEmail:
    """Load the raw bytes the list left out, for this one reply."""
    inbound.raw = (
        InboundEmail.objects.filter(pk=inbound.pk).values_list("raw", flat=True).first() or b""
    )
    return inbound


# --- Acting on a reply ----------------------------------------------------------------------


def _respond(
    request: OrgRequest,
    org_slug: str,
    inbound: InboundEmail,
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
    fresh = get_in_org_or_404(_replies(request.organization), request.organization, pk=inbound.pk)
    return render(
        request,
        "workplans/replies/partials/card.html",
        {
            "row": _rows(request.organization, [fresh])[0],
            "actions": ACTION_LABELS,
            "error": error,
            "done": done,
            "next": request.POST.get("next", ""),
        },
        status=400 if error else 200,
    )


@require_POST
def reply_apply(request: OrgRequest, org_slug: str, reply_id: int) -> HttpResponse:
    inbound = _reply(request, reply_id)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _respond(request, org_slug, inbound, error=error)
    data = form.cleaned_data
    listed = [
        int(cid) for cid in (inbound.nag_message.commitment_ids if inbound.nag_message else [])
    ]
    commitment = (
        Commitment.objects.filter(organization=request.organization, pk=data["commitment"]).first()
        if data["commitment"] in listed
        else None
    )
    if commitment is None:
        return _respond(
            request, org_slug, inbound, error=_("That commitment was not in this reminder.")
        )
    try:
        reply_service.reply_apply_as(
            inbound=inbound,
            commitment=commitment,
            action=data["action"],
            by_user=request.user,
            note=data["note"],
            new_date=data["new_date"],
        )
    except ValidationError as exc:
        return _respond(request, org_slug, inbound, error=" ".join(exc.messages))
    number = listed.index(commitment.pk) + 1
    return _respond(
        request,
        org_slug,
        inbound,
        done=_("Applied to %(number)s. %(what)s: %(action)s.")
        % {
            "number": number,
            "what": commitment.what[:80],
            "action": ACTION_LABELS[data["action"]],
        },
    )


@require_POST
def reply_dismiss(request: OrgRequest, org_slug: str, reply_id: int) -> HttpResponse:
    inbound = _reply(request, reply_id)
    try:
        reply_service.reply_dismiss(inbound=inbound, by_user=request.user)
    except ValidationError as exc:
        return _respond(request, org_slug, inbound, error=" ".join(exc.messages))
    return _respond(request, org_slug, inbound, done=_("Marked as looked at; nothing was changed."))
