"""The demo organization: what `make run` shows a newcomer, and (at size "large") the tenant
the benchmarks measure. Each app contributes a builder to DEMO_BUILDERS as it grows; they run
in order inside one transaction, so a failed seed leaves nothing behind."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

from backbone.emails import send_invitation
from backbone.models import Membership, Organization, User
from backbone.roles import Role
from backbone.services import invitation_create, organization_create


@dataclass(frozen=True)
class DemoSize:
    name: str
    workgroups: int
    partner_organizations: int
    people: int
    key_actions: int
    commitments: int
    indicators: int
    years: int
    groups: int


SIZES = {
    "small": DemoSize("small", 4, 40, 80, 60, 400, 8, 10, 5),
    "large": DemoSize("large", 25, 200, 1500, 2500, 25000, 60, 10, 8),
}


@dataclass(frozen=True)
class Persona:
    role: Role
    full_name: str
    local_part: str
    what: str


PERSONAS = [
    Persona(Role.STAFF, "Maria Alvarez", "staff", "backbone staff: sets everything up"),
    Persona(Role.STEERING, "James Whitfield", "steering", "steering committee member"),
    Persona(Role.COCHAIR, "Keisha Brown", "cochair", "co-chair of a workgroup"),
    Persona(Role.PARTNER, "Tran Nguyen", "partner", "partner at a member organization"),
]

# More people with logins, so lists look like a real coalition's.
EXTRA_MEMBERS = [
    (Role.STAFF, "Daniel Okafor"),
    (Role.STAFF, "Priya Raman"),
    (Role.STEERING, "Linda Schultz"),
    (Role.STEERING, "Rev. Marcus Hill"),
    (Role.STEERING, "Ana Castillo"),
    (Role.COCHAIR, "Rosa Delgado"),
    (Role.COCHAIR, "Tom Becker"),
    (Role.COCHAIR, "Aisha Mohamed"),
    (Role.COCHAIR, "Greg Lindqvist"),
    (Role.PARTNER, "Sofia Ramirez"),
    (Role.PARTNER, "Hmong Vang"),
    (Role.PARTNER, "Beth Kowalski"),
]


@dataclass
class DemoContext:
    organization: Organization
    size: DemoSize
    password: str
    rng: random.Random
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)


# Dotted paths of builders `(ctx: DemoContext) -> None`, run in this order.
DEMO_BUILDERS: list[str] = [
    "backbone.demo.build_members",
    "initiatives.demo.build_common_agenda",
    "workplans.demo.build_workplans",
    "metrics.demo.build_measurement",
]


def _user(email: str, full_name: str, password: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    return user


def build_members(ctx: DemoContext) -> None:
    domain = f"{ctx.organization.slug}.example.org"
    for persona in PERSONAS:
        email = f"{persona.local_part}@{domain}"
        user = ctx.users.get(persona.role.value) or _user(email, persona.full_name, ctx.password)
        Membership.objects.get_or_create(
            organization=ctx.organization, user=user, defaults={"role": persona.role}
        )
        ctx.users[persona.role.value] = user
        ctx.logins.append((email, persona.full_name, persona.what))
    for role, name in EXTRA_MEMBERS:
        email = name.lower().replace("rev. ", "").replace(" ", ".") + f"@{domain}"
        user = _user(email, name, ctx.password)
        Membership.objects.get_or_create(
            organization=ctx.organization, user=user, defaults={"role": role}
        )
    # One invitation still waiting for an answer, so the members page shows how that looks.
    send_invitation(
        invitation_create(
            organization=ctx.organization,
            email=f"new.cochair@{domain}",
            role=Role.COCHAIR,
            invited_by=ctx.users[Role.STAFF.value],
        )
    )


@dataclass(frozen=True)
class DemoResult:
    organization: Organization
    created: bool
    logins: list[tuple[str, str, str]]


def demo_logins(organization: Organization) -> list[tuple[str, str, str]]:
    domain = f"{organization.slug}.example.org"
    return [(f"{p.local_part}@{domain}", p.full_name, p.what) for p in PERSONAS]


def build_demo(
    *,
    slug: str = "demo",
    owner_email: str | None = None,
    password: str = "backbone-demo",
    size: str = "small",
    seed: int = 2026,
    builders: list[str] | None = None,
) -> DemoResult:
    """Create the demo organization unless one with this slug exists (idempotent per slug)."""
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        return DemoResult(existing, False, demo_logins(existing))
    with transaction.atomic():
        owner = _user(owner_email or f"staff@{slug}.example.org", PERSONAS[0].full_name, password)
        organization = organization_create(
            name="Lakeshore Learning Partnership" if slug == "demo" else f"Demo ({slug})",
            owner=owner,
            slug=slug,
            time_zone="America/Chicago",
            sender_name="Lakeshore Reads",
            reply_domain=f"reply.{slug}.example.org",
        )
        ctx = DemoContext(organization, SIZES[size], password, random.Random(seed))
        ctx.users[Role.STAFF.value] = owner
        for path in builders or DEMO_BUILDERS:
            builder: Callable[[DemoContext], Any] = import_string(path)
            builder(ctx)
        logins = ctx.logins
        if owner_email:
            logins = [(owner_email, owner.display_name, PERSONAS[0].what), *logins[1:]]
    return DemoResult(organization, True, logins)
