"""The sample initiative: a separate organization, owned by the person who asked for it, loaded
with the demo coalition's data (backbone.demo) to explore, and removed whole in one click.

A sample organization is marked by its owner (Organization.sandbox_owner). Nothing it sends
leaves the outbox: the sample people's addresses are made up (…@<slug>.example.org), and the
owner's own address is among them as the sample's staff member, so every email written on its
behalf is kept in its Email log, where the owner can read it, and never delivered (see
backbone.mail.compose)."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from backbone.demo import DEMO_BUILDERS, DemoContext, build_demo
from backbone.models import Membership, Organization, User
from backbone.roles import Role
from metrics.models import DataPoint, DisparityGap
from workplans.models import Commitment, KeyAction

SAMPLE_NAME = "Lakeshore Learning Partnership"

# Rows other rows point at with PROTECT (a commitment's person, a key action's strategy, a data
# point's category): deleted before the organization, whose cascade would otherwise refuse.
DELETE_FIRST: tuple[Any, ...] = (Commitment, KeyAction, DisparityGap, DataPoint)


def sandbox_of(user: Any) -> Organization | None:
    """The sample organization this person owns, if any (one each)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Organization.objects.filter(sandbox_owner_id=user.pk).first()


def mark_as_sandbox(ctx: DemoContext) -> None:
    """A demo builder, run before the others: the organization is its owner's sample from its
    first row on, so the invitation and reminders the demo writes stay in its outbox."""
    organization = ctx.organization
    organization.sandbox_owner = ctx.users[Role.STAFF.value]
    organization.name = _("Sample: %(name)s") % {"name": SAMPLE_NAME}
    organization.save(update_fields=["sandbox_owner", "name"])


def _sample_domain(organization: Organization) -> str:
    # The demo's made-up people live at this domain (backbone.demo, initiatives.demo).
    return f"@{organization.slug}.example.org"


@transaction.atomic
def sandbox_create(*, owner: User) -> Organization:
    """Make the owner's sample organization, or return the one they have."""
    User.objects.select_for_update().get(pk=owner.pk)  # one at a time per person
    existing = sandbox_of(owner)
    if existing is not None:
        return existing
    alphabet = string.ascii_lowercase + string.digits
    slug = f"sample-{get_random_string(10, alphabet)}"
    while Organization.objects.filter(slug=slug).exists():
        slug = f"sample-{get_random_string(10, alphabet)}"
    made = build_demo(
        slug=slug,
        owner_email=owner.email,
        # The sample's other people can never log in: nobody knows this password.
        password=get_random_string(48),
        size="small",
        builders=[f"{__name__}.mark_as_sandbox", *DEMO_BUILDERS],
    )
    return made.organization


@transaction.atomic
def sandbox_remove(*, organization: Organization, by_user: User) -> None:
    """Delete the sample organization and everything in it, and the made-up accounts of its
    sample people. Nothing outside it is touched."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if locked.sandbox_owner_id is None:
        raise ValidationError(_("Only a sample organization can be removed this way."))
    if locked.sandbox_owner_id != by_user.pk:
        raise ValidationError(_("Only the person who loaded the sample can remove it."))
    members = set(
        Membership.objects.filter(organization=locked, user__email__endswith=_sample_domain(locked))
        .exclude(user_id=by_user.pk)
        .values_list("user_id", flat=True)
    )
    elsewhere = set(
        Membership.objects.filter(user_id__in=members)
        .exclude(organization=locked)
        .values_list("user_id", flat=True)
    )
    pk = locked.pk
    for model in DELETE_FIRST:
        model.objects.filter(organization_id=pk).delete()
    locked.delete()
    # Data points keep a history (django-simple-history), whose rows name the organization
    # without a foreign key: they go too, the deletions' own history rows with them.
    DataPoint.history.model.objects.filter(organization_id=pk).delete()
    User.objects.filter(pk__in=members - elsewhere).delete()
