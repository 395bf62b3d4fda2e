from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from backbone.demo import SIZES, build_demo


class Command(BaseCommand):
    help = (
        "Create a realistic demo organization (an early-literacy coalition) unless one with "
        "this slug exists. --size large builds the benchmark tenant."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", default="demo")
        parser.add_argument("--owner-email", default=None)
        parser.add_argument("--password", default="backbone-demo")
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable data)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = build_demo(
            slug=options["slug"],
            owner_email=options["owner_email"],
            password=options["password"],
            size=options["size"],
            seed=options["seed"],
        )
        org = result.organization
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the demo organization “{org.name}” ({options['size']}) "
                    f"in {time.perf_counter() - started:.1f} s."
                )
            )
        else:
            self.stdout.write(f"The demo organization “{org.name}” already exists; left as it is.")
        self.stdout.write(f"\n  Open {settings.SITE_URL}/o/{org.slug}/ and log in as:\n")
        width = max(len(email) for email, _, _ in result.logins)
        for email, name, what in result.logins:
            self.stdout.write(f"    {email.ljust(width)}  {name} — {what}")
        self.stdout.write(f"\n  Password for every demo login: {options['password']}\n")
