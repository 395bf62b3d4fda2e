"""The email log (the organization's outbox): filters by kind and status, bounced and replied
statuses, the rendered message, and a resend that queues exactly one new row."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from backbone.models import OutboundEmail
from tests.factories import OutboundEmailFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot

LOG = "/o/lakeshore/outbox/"


def _mixed(personas: Personas) -> dict[str, Any]:
    org = personas.org
    return {
        "recap_sent": OutboundEmailFactory(organization=org, kind="nag_recap", subject="Recap A"),
        "recap_bounced": OutboundEmailFactory(
            organization=org,
            kind="nag_recap",
            subject="Recap B",
            status=OutboundEmail.Status.BOUNCED,
            error="Bounced: mailbox does not exist",
        ),
        "check_in_replied": OutboundEmailFactory(
            organization=org,
            kind="nag_check_in",
            subject="Check-in C",
            status=OutboundEmail.Status.REPLIED,
        ),
        "invitation_failed": OutboundEmailFactory(
            organization=org,
            kind="invitation",
            subject="Invitation D",
            status=OutboundEmail.Status.FAILED,
        ),
        "theirs": OutboundEmailFactory(
            organization=personas.other_org, kind="nag_recap", subject="Riverside recap"
        ),
    }


def _subjects(response: Any) -> list[str]:
    return [e.subject for e in response.context["page"].object_list]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Invitation D", "Check-in C", "Recap B", "Recap A"]),
        ({"kind": "nag_recap"}, ["Recap B", "Recap A"]),
        ({"status": "bounced"}, ["Recap B"]),
        ({"status": "replied"}, ["Check-in C"]),
        ({"kind": "nag_recap", "status": "sent"}, ["Recap A"]),
        ({"kind": "invitation", "status": "replied"}, []),
        # An unknown filter value is ignored rather than an error.
        ({"status": "exploded"}, ["Invitation D", "Check-in C", "Recap B", "Recap A"]),
    ],
)
def test_email_log_filters_by_kind_and_status(
    login: Any, personas: Personas, query: dict[str, str], expected: list[str]
) -> None:
    _mixed(personas)

    response = login(personas.staff).get(LOG, query)

    assert response.status_code == 200
    assert _subjects(response) == expected


@pytest.mark.django_db
def test_email_log_names_statuses_in_words(login: Any, personas: Personas) -> None:
    _mixed(personas)

    page = login(personas.staff).get(LOG).content.decode()

    assert '<span class="chip chip--bounced">Bounced</span>' in page
    assert '<span class="chip chip--replied">Replied</span>' in page
    assert "Riverside recap" not in page


@pytest.mark.django_db
def test_filtered_pages_keep_their_filter(login: Any, personas: Personas) -> None:
    for _ in range(51):
        OutboundEmailFactory(organization=personas.org, kind="nag_recap")

    page = login(personas.staff).get(LOG, {"kind": "nag_recap"}).content.decode()

    assert 'href="?page=2&amp;kind=nag_recap"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_filtered_log_query_count_does_not_grow(
    login: Any, personas: Personas, django_assert_num_queries: Any, rows: int
) -> None:
    for n in range(rows):
        OutboundEmailFactory(
            organization=personas.org,
            kind="nag_recap",
            status=OutboundEmail.Status.BOUNCED if n % 2 else OutboundEmail.Status.SENT,
        )
    client = login(personas.staff)
    client.get(LOG)  # the session records the organization

    with django_assert_num_queries(6):
        response = client.get(LOG, {"kind": "nag_recap", "status": "bounced"})

    assert len(response.context["page"].object_list) == rows // 2


@pytest.mark.django_db
def test_email_page_shows_the_bounce_and_offers_a_resend(login: Any, personas: Personas) -> None:
    emails = _mixed(personas)

    page = login(personas.staff).get(f"{LOG}{emails['recap_bounced'].pk}/").content.decode()

    assert "Bounced: mailbox does not exist" in page
    assert f'action="{LOG}{emails["recap_bounced"].pk}/resend/"' in page
    assert '<pre class="email-text">Hello.</pre>' in page


@pytest.mark.django_db
def test_resend_queues_exactly_one_copy_and_keeps_the_original(
    login: Any, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    original: Any = OutboundEmailFactory(
        organization=personas.org,
        kind="nag_check_in",
        to=["ana@partners.example.org"],
        reply_to=["reply+abc123@reply.example.org"],
        subject="How is it going?",
        body_text="Hello Ana",
        body_html="<p>Hello Ana</p>",
        headers={"Auto-Submitted": "auto-generated"},
        status=OutboundEmail.Status.BOUNCED,
        error="Bounced: mailbox full",
    )
    before = OutboundEmail.objects.count()
    client = login(personas.staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LOG}{original.pk}/resend/")

    assert OutboundEmail.objects.count() == before + 1
    copy = OutboundEmail.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == f"{LOG}{copy.pk}/"
    same = ("organization_id", "kind", "from_email", "to", "reply_to", "subject", "body_text")
    assert [getattr(copy, f) for f in same] == [getattr(original, f) for f in same]
    assert (copy.body_html, copy.headers) == (
        "<p>Hello Ana</p>",
        {"Auto-Submitted": "auto-generated"},
    )
    # Delivered by the worker (eager in tests) into Django's test outbox.
    assert copy.status == OutboundEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["ana@partners.example.org"]]
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    original.refresh_from_db()
    assert (original.status, original.error) == ("bounced", "Bounced: mailbox full")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("steering", 403), ("cochair", 403), ("partner", 403)]
)
def test_resend_is_refused_to_all_but_staff(
    login: Any, personas: Personas, role: str, status: int
) -> None:
    email: Any = OutboundEmailFactory(organization=personas.org)
    client = login(personas.by_role(role))
    before = snapshot()

    assert client.post(f"{LOG}{email.pk}/resend/").status_code == status
    assert snapshot() == before


@pytest.mark.django_db
def test_resend_of_another_organizations_email_is_not_found(login: Any, personas: Personas) -> None:
    theirs: Any = OutboundEmailFactory(organization=personas.other_org)
    client = login(personas.staff)
    before = snapshot()

    statuses = [
        client.post(f"{LOG}{theirs.pk}/resend/").status_code,
        client.get(f"{LOG}{theirs.pk}/resend/").status_code,
    ]
    assert statuses == [404, 405]
    assert snapshot() == before

    outsider = login(personas.outsider)
    before = snapshot()
    assert outsider.post(f"{LOG}{theirs.pk}/resend/").status_code == 404
    assert snapshot() == before
