"""The sample organization: loaded with the demo data for one person, marked on every page,
never sending an email out, and removed whole (and only it) by its owner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from backbone.demo import build_demo
from backbone.emails import send_invitation
from backbone.mail.resend import outbound_email_resend
from backbone.models import Membership, Organization, OutboundEmail, User
from backbone.onboarding.sandbox import sandbox_create, sandbox_remove
from backbone.roles import Role
from backbone.services import invitation_create
from initiatives.models import Initiative, Person
from metrics.models import DataPoint, Indicator
from tests.factories import MembershipFactory
from tests.fixtures import Personas
from tests.snapshot import snapshot
from workplans.models import Commitment, Meeting
from workplans.services import commitment_create, meeting_close

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
BANNER = "Sample data — remove it when you are done."


def sample_of(user: User) -> Organization:
    return Organization.objects.get(sandbox_owner=user)


def test_explore_with_sample_data_loads_a_sample_organization_for_its_owner(
    login: Login, personas: Personas
) -> None:
    client = login(personas.staff)

    response = client.post("/sample/new/")

    sample = sample_of(personas.staff)
    assert response["Location"] == f"/o/{sample.slug}/"
    assert sample.slug.startswith("sample-")
    assert sample.name == "Sample: Lakeshore Learning Partnership"
    assert sample.is_sandbox
    assert Membership.objects.get(organization=sample, user=personas.staff).role == Role.STAFF
    assert Initiative.objects.filter(organization=sample).count() == 1
    # The demo coalition's data, all of it in the sample.
    assert Indicator.objects.filter(organization=sample).count() == 8
    assert Commitment.objects.exclude(organization=sample).count() == 0
    assert Commitment.objects.count() > 0
    # The sample's made-up people live at its own domain; none of them can log in.
    made_up = User.objects.filter(email__endswith=f"@{sample.slug}.example.org")
    assert made_up.count() == 15
    assert not any(user.check_password("backbone-demo") for user in made_up)
    # Asking again opens the same sample.
    assert client.post("/sample/new/")["Location"] == f"/o/{sample.slug}/"
    assert Organization.objects.filter(sandbox_owner__isnull=False).count() == 1
    # The person's own organization is untouched, and not a sample.
    assert not Organization.objects.get(pk=personas.org.pk).is_sandbox


def test_every_page_of_the_sample_says_so_and_offers_its_removal(
    login: Login, personas: Personas
) -> None:
    sample = sandbox_create(owner=personas.staff)
    client = login(personas.staff)

    for path in ("", "meetings/", "outbox/", "people/"):
        page = client.get(f"/o/{sample.slug}/{path}").content.decode()
        assert BANNER in page, path
        assert f'href="/o/{sample.slug}/sample/remove/"' in page, path
    assert BANNER not in client.get("/o/lakeshore/").content.decode()


def test_nothing_the_sample_sends_leaves_its_outbox(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sample = sandbox_create(owner=personas.staff)
    # The demo's own invitation, written while loading it, stayed in the outbox.
    assert set(
        OutboundEmail.objects.filter(organization=sample, kind="invitation").values_list(
            "status", flat=True
        )
    ) == {OutboundEmail.Status.KEPT}
    meeting = (
        Meeting.objects.filter(organization=sample, status=Meeting.Status.SCHEDULED)
        .exclude(table__seats=None)
        .order_by("starts_at")
        .first()
    )
    assert meeting is not None
    seated = Person.objects.filter(seats__table=meeting.table).exclude(email="").first()
    assert seated is not None
    last = OutboundEmail.objects.order_by("pk").last()
    assert last is not None

    with django_capture_on_commit_callbacks(execute=True):
        commitment_create(
            meeting=meeting, person=seated, what="Try the sample", due_date=date(2099, 1, 1)
        )
        meeting_close(meeting=meeting)
        # A reminder emailed again from the outbox stays there too.
        first = OutboundEmail.objects.filter(organization=sample).order_by("pk").first()
        assert first is not None
        copy = outbound_email_resend(email=first)

    written = OutboundEmail.objects.filter(pk__gt=last.pk)
    assert written.filter(kind="nag_recap").count() > 0
    assert set(written.values_list("organization", "status")) == {
        (sample.pk, OutboundEmail.Status.KEPT)
    }
    assert written.filter(pk=copy.pk).count() == 1
    assert mail.outbox == []


def test_another_organizations_email_is_still_delivered(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    sandbox_create(owner=personas.staff)

    with django_capture_on_commit_callbacks(execute=True):
        send_invitation(
            invitation_create(
                organization=personas.org,
                email="new@lakeshore.example.org",
                role=Role.PARTNER,
                invited_by=personas.staff,
            )
        )

    sent = OutboundEmail.objects.get(organization=personas.org)
    assert sent.status == OutboundEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["new@lakeshore.example.org"]]


def test_removing_the_sample_deletes_all_of_it_and_nothing_else(
    login: Login, personas: Personas
) -> None:
    # Another organization with the same demo data, which must come through untouched.
    build_demo(slug="neighbours", size="small")
    client = login(personas.staff)
    client.get("/o/lakeshore/")
    before = snapshot()
    sample = sandbox_create(owner=personas.staff)
    assert DataPoint.history.model.objects.filter(organization_id=sample.pk).count() > 0

    confirm = client.get(f"/o/{sample.slug}/sample/remove/")
    response = client.post(f"/o/{sample.slug}/sample/remove/")

    assert confirm.status_code == 200
    assert "Remove the sample?" in confirm.content.decode()
    assert response["Location"] == "/"
    assert snapshot() == before
    assert not Organization.objects.filter(pk=sample.pk).exists()
    assert client.get(f"/o/{sample.slug}/").status_code == 404


def test_a_sample_person_who_also_belongs_elsewhere_keeps_their_account(
    personas: Personas,
) -> None:
    sample = sandbox_create(owner=personas.staff)
    tran = User.objects.get(email=f"partner@{sample.slug}.example.org")
    MembershipFactory(organization=personas.other_org, user=tran, role=Role.PARTNER)

    sandbox_remove(organization=sample, by_user=personas.staff)

    assert User.objects.filter(pk=tran.pk).exists()
    assert User.objects.filter(email__endswith=f"@{sample.slug}.example.org").count() == 1
    assert Membership.objects.get(user=tran).organization == personas.other_org


def test_only_the_samples_owner_may_remove_it(login: Login, personas: Personas) -> None:
    sample = sandbox_create(owner=personas.staff)
    # A second staff member of the sample (not its owner), and a partner in it.
    MembershipFactory(organization=sample, user=personas.steering, role=Role.STAFF)
    MembershipFactory(organization=sample, user=personas.partner, role=Role.PARTNER)
    url = f"/o/{sample.slug}/sample/remove/"
    clients = {}
    for user in (personas.steering, personas.partner, personas.outsider):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    before = snapshot()

    statuses = []
    for user in (personas.steering, personas.partner, personas.outsider):
        client = clients[user.pk]
        statuses += [client.get(url).status_code, client.post(url).status_code]

    assert statuses == [403, 403, 403, 403, 404, 404]
    assert snapshot() == before
    # The banner offers the removal to the owner only.
    banner = clients[personas.steering.pk].get(f"/o/{sample.slug}/").content.decode()
    assert BANNER in banner
    assert "Remove the sample" not in banner


def test_a_real_organization_cannot_be_removed_as_a_sample(
    login: Login, personas: Personas
) -> None:
    client = login(personas.staff)
    before = snapshot()

    statuses = [
        client.get("/o/lakeshore/sample/remove/").status_code,
        client.post("/o/lakeshore/sample/remove/").status_code,
    ]

    assert statuses == [404, 404]
    assert snapshot() == before
    assert Person.objects.count() == 0
