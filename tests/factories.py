from __future__ import annotations

from typing import Any

import factory
from django.utils.crypto import get_random_string

from backbone.models import APIToken, Invitation, Membership, Organization, OutboundEmail, User
from backbone.roles import Role

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Coalition {n}")
    slug = factory.Sequence(lambda n: f"coalition-{n}")
    time_zone = "America/Chicago"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PARTNER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.PARTNER
    nonce = factory.LazyFunction(lambda: get_random_string(24))


class APITokenFactory(factory.django.DjangoModelFactory):
    """Pass `key=` to know the token's secret; the row stores only its hash."""

    class Meta:
        model = APIToken

    class Params:
        key = factory.LazyFunction(lambda: "bb_" + get_random_string(43))

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Script {n}")
    key_hash = factory.LazyAttribute(lambda o: APIToken.hash_key(o.key))
    prefix = factory.LazyAttribute(lambda o: o.key[:10])
    can_write = True


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    organization = factory.SubFactory(OrganizationFactory)
    kind = "invitation"
    from_email = "Backbone <backbone@example.org>"
    to = factory.Sequence(lambda n: [f"recipient{n}@example.org"])
    subject = factory.Sequence(lambda n: f"Message {n}")
    body_text = "Hello."
    status = OutboundEmail.Status.SENT
