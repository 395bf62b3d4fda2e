from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backbone.models import Membership, User
from backbone.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print its key (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--org", help="organization slug (needed when the user belongs to several)"
        )
        parser.add_argument("--name", default="Command line")
        parser.add_argument("--read-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user with the email address {options['email']}.")
        memberships = Membership.objects.filter(user=user).select_related("organization")
        if options["org"]:
            memberships = memberships.filter(organization__slug=options["org"])
        found = list(memberships)
        if not found:
            raise CommandError(
                f"{user.email} is not a member of "
                + (
                    f"an organization with the slug {options['org']}."
                    if options["org"]
                    else "any organization."
                )
            )
        if len(found) > 1:
            slugs = ", ".join(sorted(m.organization.slug for m in found))
            raise CommandError(
                f"{user.email} belongs to several organizations; pass --org ({slugs})."
            )
        try:
            issued = api_token_create(
                user=user,
                organization=found[0].organization,
                name=options["name"],
                can_write=not options["read_only"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(issued.key)
