"""Inviting a person by email, and the signed, expiring, single-use link they accept."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from backbone.invitations import check_invitation_link, invitation_path
from backbone.models import Invitation, Membership, OutboundEmail, User
from backbone.roles import Role
from initiatives.tests.factories import PersonFactory
from tests.factories import PASSWORD, InvitationFactory, UserFactory
from workplans.tests.public_world import require_compiled_spanish

ACCEPT_LINK = re.compile(r"http://127\.0\.0\.1:8000(/invite/[^/\s\"]+/)")
NEW_PERSON = {"full_name": "Grace Liu", "password": "a long enough passphrase 42"}


@pytest.fixture
def invite(login: Any, personas: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """invite(email, role) as the staff persona; returns the response."""

    def _invite(email: str, role: str = Role.COCHAIR) -> Any:
        client = login(personas.staff)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/o/lakeshore/members/invite/", {"email": email, "role": role})

    return _invite


def _pending(personas: Any, email: str, role: str = Role.COCHAIR, **kwargs: Any) -> Invitation:
    invitation: Any = InvitationFactory(
        organization=personas.org, email=email, role=role, invited_by=personas.staff, **kwargs
    )
    assert isinstance(invitation, Invitation)
    return invitation


@pytest.mark.django_db
def test_staff_invite_creates_an_invitation_and_emails_the_accept_link(
    personas: Any, invite: Any, settings: Any
) -> None:
    personas.org.sender_name = "Lakeshore Reads"
    personas.org.save()

    response = invite("Grace.Liu@Example.org")

    assert response.status_code == 302
    assert response["Location"] == "/o/lakeshore/members/"
    invitation = Invitation.objects.get()
    assert invitation.organization == personas.org
    assert invitation.email == "grace.liu@example.org"
    assert invitation.role == Role.COCHAIR
    assert invitation.invited_by == personas.staff
    assert invitation.state == "pending"
    row = OutboundEmail.objects.get()
    assert (row.organization, row.kind, row.to) == (
        personas.org,
        "invitation",
        ["grace.liu@example.org"],
    )
    assert len(mail.outbox) == 1
    message: Any = mail.outbox[0]
    assert message.to == ["grace.liu@example.org"]
    assert message.subject == "You are invited to join Lakeshore Learning Partnership on Backbone"
    assert parseaddr(message.from_email) == ("Lakeshore Reads", "backbone@localhost")
    assert message.reply_to == [personas.staff.email]
    assert ACCEPT_LINK.findall(str(message.body)) == [invitation_path(invitation)]
    assert message.alternatives[0].mimetype == "text/html"
    assert invitation_path(invitation) in str(message.alternatives[0].content)


@pytest.mark.django_db
def test_sender_name_defaults_to_the_organization_name(personas: Any, invite: Any) -> None:
    invite("grace@example.org")

    assert parseaddr(mail.outbox[0].from_email) == (
        "Lakeshore Learning Partnership",
        "backbone@localhost",
    )


@pytest.mark.django_db
def test_get_of_the_link_shows_the_signup_form_and_changes_nothing(
    client: Client, personas: Any
) -> None:
    invitation = _pending(personas, "grace@example.org")

    response = client.get(invitation_path(invitation))

    assert response.status_code == 200
    assert b"Join Lakeshore Learning Partnership" in response.content
    assert b"Create account and join" in response.content
    assert response.context["has_account"] is False
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="grace@example.org").exists()
    assert Membership.objects.filter(organization=personas.org).count() == 4


@pytest.mark.django_db
def test_new_person_accepts_with_name_and_password(client: Client, personas: Any) -> None:
    invitation = _pending(personas, "grace@example.org", role=Role.STEERING)

    response = client.post(invitation_path(invitation), NEW_PERSON)

    assert response.status_code == 302
    assert response["Location"] == "/o/lakeshore/"
    user = User.objects.get(email="grace@example.org")
    assert user.full_name == "Grace Liu"
    assert user.check_password("a long enough passphrase 42")
    assert Membership.objects.get(organization=personas.org, user=user).role == Role.STEERING
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get("/o/lakeshore/")
    assert home.status_code == 200
    assert (
        b"Welcome to Lakeshore Learning Partnership. You joined as Steering committee member."
        in (home.content)
    )


@pytest.mark.django_db
def test_new_person_with_a_weak_password_gets_the_form_again(client: Client, personas: Any) -> None:
    invitation = _pending(personas, "grace@example.org")

    response = client.post(invitation_path(invitation), {"full_name": "Grace", "password": "123"})

    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="grace@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_existing_account_is_asked_to_log_in_then_joins(client: Client, personas: Any) -> None:
    existing: Any = UserFactory(email="grace@example.org")
    invitation = _pending(personas, "grace@example.org", role=Role.PARTNER)
    path = invitation_path(invitation)

    shown = client.get(path)
    assert shown.status_code == 200
    assert shown.context["has_account"] is True
    assert b"There is already an account for grace@example.org. Log in to accept." in (
        shown.content
    )

    anonymous_post = client.post(path, NEW_PERSON)
    assert anonymous_post.status_code == 302
    assert anonymous_post["Location"] == f"/accounts/login/?next={quote(path)}"
    assert not Membership.objects.filter(user=existing).exists()
    assert User.objects.filter(email__iexact="grace@example.org").count() == 1
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)

    client.force_login(existing, backend="django.contrib.auth.backends.ModelBackend")
    assert b"Accept and join" in client.get(path).content
    joined = client.post(path)

    assert joined.status_code == 302
    assert joined["Location"] == "/o/lakeshore/"
    assert Membership.objects.get(user=existing).role == Role.PARTNER
    invitation.refresh_from_db()
    assert invitation.accepted_by == existing


@pytest.mark.django_db
def test_link_is_single_use(client: Client, personas: Any) -> None:
    invitation = _pending(personas, "grace@example.org")
    path = invitation_path(invitation)
    assert client.post(path, NEW_PERSON).status_code == 302

    again = client.post(path, NEW_PERSON)

    assert again.status_code == 410
    assert b"This invitation was already used" in again.content
    assert Membership.objects.filter(user__email="grace@example.org").count() == 1
    assert User.objects.filter(email="grace@example.org").count() == 1
    other = Client()
    assert other.get(path).status_code == 410


@pytest.mark.django_db
def test_expired_link_says_who_can_reinvite(client: Client, personas: Any) -> None:
    personas.staff.full_name = "Maria Alvarez"
    personas.staff.save()
    invitation = _pending(personas, "grace@example.org")
    path = invitation_path(invitation)

    with time_machine.travel(invitation.expires_at + timedelta(seconds=1), tick=False):
        shown = client.get(path)
        posted = client.post(path, NEW_PERSON)

    for response in (shown, posted):
        assert response.status_code == 410
        assert b"This invitation has expired" in response.content
        assert (
            b"Ask Maria Alvarez or another backbone staff member at Lakeshore Learning "
            b"Partnership to invite you again" in response.content
        )
    assert not User.objects.filter(email="grace@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_link_still_works_just_before_it_expires(client: Client, personas: Any) -> None:
    invitation = _pending(personas, "grace@example.org")

    with time_machine.travel(invitation.expires_at - timedelta(seconds=5), tick=False):
        response = client.post(invitation_path(invitation), NEW_PERSON)

    assert response.status_code == 302
    assert Membership.objects.filter(user__email="grace@example.org").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[: len(token) // 2],
        lambda token: "not-a-token",
    ],
    ids=["changed", "cut-off", "garbage"],
)
def test_tampered_link_is_not_valid(client: Client, personas: Any, mangle: Any) -> None:
    invitation = _pending(personas, "grace@example.org")
    token = invitation_path(invitation).split("/")[2]

    response = client.post(f"/invite/{mangle(token)}/", NEW_PERSON)

    assert response.status_code == 400
    assert b"This invitation link is not valid" in response.content
    assert not User.objects.filter(email="grace@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_revoked_link_says_withdrawn(login: Any, personas: Any) -> None:
    invitation = _pending(personas, "grace@example.org")
    client = login(personas.staff)

    response = client.post(f"/o/lakeshore/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/o/lakeshore/members/"
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    client.logout()
    answer = client.post(invitation_path(invitation), NEW_PERSON)
    assert answer.status_code == 410
    assert b"This invitation was withdrawn" in answer.content
    assert not User.objects.filter(email="grace@example.org").exists()


@pytest.mark.django_db
def test_a_new_invitation_to_the_same_email_revokes_the_older_one(
    personas: Any, invite: Any
) -> None:
    invite("grace@example.org", Role.PARTNER)
    first = Invitation.objects.get()

    invite("GRACE@example.org", Role.STEERING)

    first.refresh_from_db()
    second = Invitation.objects.exclude(pk=first.pk).get()
    assert first.state == "revoked"
    assert second.state == "pending"
    assert second.role == Role.STEERING
    assert len(mail.outbox) == 2
    assert Client().get(invitation_path(first)).status_code == 410


@pytest.mark.django_db
def test_inviting_an_existing_member_is_a_form_error_and_sends_nothing(
    personas: Any, invite: Any
) -> None:
    response = invite("Partner@lakeshore.example.org")

    assert response.status_code == 400
    assert response.context["invite_form"].errors == {
        "email": ["partner@lakeshore.example.org is already a member of this organization."]
    }
    assert Invitation.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STEERING, Role.COCHAIR, Role.PARTNER])
def test_only_staff_can_invite(login: Any, personas: Any, role: str) -> None:
    client = login(personas.by_role(role))

    response = client.post(
        "/o/lakeshore/members/invite/", {"email": "grace@example.org", "role": Role.STAFF}
    )

    assert response.status_code == 403
    assert Invitation.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_outsider_cannot_invite_revoke_or_resend(login: Any, personas: Any) -> None:
    invitation = _pending(personas, "grace@example.org")
    client = login(personas.outsider)

    responses = [
        client.post("/o/lakeshore/members/invite/", {"email": "x@example.org", "role": "staff"}),
        client.post(f"/o/lakeshore/invitations/{invitation.pk}/revoke/"),
        client.post(f"/o/lakeshore/invitations/{invitation.pk}/resend/"),
        # Their own organization's URL, another organization's invitation id.
        client.post(f"/o/riverside/invitations/{invitation.pk}/revoke/"),
        client.post(f"/o/riverside/invitations/{invitation.pk}/resend/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404, 404]
    assert Invitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_members_page_shows_resend_and_withdraw_for_a_pending_invitation(
    login: Any, personas: Any
) -> None:
    invitation = _pending(personas, "grace@example.org")

    content = login(personas.staff).get("/o/lakeshore/members/").content.decode()

    assert f'action="/o/lakeshore/invitations/{invitation.pk}/resend/"' in content
    assert f'action="/o/lakeshore/invitations/{invitation.pk}/revoke/"' in content
    assert "grace@example.org" in content


@pytest.mark.django_db
def test_resend_replaces_the_invitation_with_a_fresh_link(
    login: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old = _pending(personas, "grace@example.org", role=Role.COCHAIR)
    client = login(personas.staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/lakeshore/invitations/{old.pk}/resend/")

    assert response.status_code == 302
    assert response["Location"] == "/o/lakeshore/members/"
    old.refresh_from_db()
    new = Invitation.objects.exclude(pk=old.pk).get()
    assert old.state == "revoked"
    assert (new.state, new.email, new.role) == ("pending", "grace@example.org", Role.COCHAIR)
    assert len(mail.outbox) == 1
    assert ACCEPT_LINK.findall(str(mail.outbox[0].body)) == [invitation_path(new)]


@pytest.mark.django_db
def test_pending_invitations_expire_by_the_setting(personas: Any, invite: Any) -> None:
    before = timezone.now()
    invite("grace@example.org")

    invitation = Invitation.objects.get()
    assert (
        before + timedelta(days=14) <= invitation.expires_at <= timezone.now() + timedelta(days=14)
    )


def test_an_invitation_has_one_link_whatever_the_time(personas: Any) -> None:
    """Expiry is decided by the invitation row, so the link carries no timestamp: building it
    again later gives the same link (and staff can resend it unchanged)."""
    invitation: Any = InvitationFactory(organization=personas.org)
    with time_machine.travel("2026-11-21 09:00:00+00:00", tick=False):
        first = invitation_path(invitation)
    with time_machine.travel("2026-11-22 17:30:05+00:00", tick=False):
        again = invitation_path(invitation)

    assert first == again
    assert check_invitation_link(first.split("/")[-2]).state == "pending"


@pytest.mark.django_db
def test_the_invitation_is_written_in_the_invitees_language(personas: Any, invite: Any) -> None:
    require_compiled_spanish()
    PersonFactory(
        organization=personas.org, email="maria@partners.example.org", preferred_language="es"
    )
    UserFactory(email="omar@example.org", language="es")

    invite("Maria@Partners.example.org")
    invite("omar@example.org")
    invite("grace@example.org")

    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Le invitamos a unirse a Lakeshore Learning Partnership en Backbone",
        "Le invitamos a unirse a Lakeshore Learning Partnership en Backbone",
        "You are invited to join Lakeshore Learning Partnership on Backbone",
    ]
    # The link's last day, in Spanish order.
    assert re.search(r"hasta el \d{1,2} de [a-z]+ de \d{4}\.", str(mail.outbox[0].body))
