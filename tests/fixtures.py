"""Shared fixtures: the personas of the product, in organization A, and an outsider who is
staff of organization B."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.utils import translation

from backbone.api.throttling import TokenRateThrottle
from backbone.models import Membership, Organization, User
from backbone.roles import Role
from config.celery import app as celery_app
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped tests fail in CI: {report.longrepr}"
    return report


@pytest.fixture(autouse=True)
def _email_through_outbox(settings: Any) -> None:
    """Django's test set-up swaps EMAIL_BACKEND for locmem, which would bypass the outbox.
    Keep the product's backend, and let the worker deliver into locmem (mail.outbox)."""
    settings.EMAIL_BACKEND = "backbone.mail.backends.OutboxBackend"
    settings.BACKBONE_EMAIL_DELIVERY = "locmem"
    settings.BACKBONE_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BACKBONE_EMAIL_ECHO = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Password hashing is deliberately slow; tests create many users and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _dashboard_built_each_time(settings: Any) -> None:
    """Tests read the dashboard built from the data of that moment: a body kept by an earlier
    test (the cache outlives the test database, whose ids repeat) must never answer for a later
    one. dashboard/tests/test_dashboard_cache.py turns keeping on and tests it."""
    settings.BACKBONE_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _api_throttle_counts_per_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test counts its API requests afresh: counts kept by an earlier test (the cache
    outlives the test database, whose token and user ids repeat) must never throttle a later
    one. The rate stays the real one (BACKBONE_API_RATE); a test may lower it."""
    counts = LocMemCache("api-throttle", {})
    counts.clear()
    monkeypatch.setattr(TokenRateThrottle, "cache", counts)


@pytest.fixture(autouse=True)
def _site_language() -> Generator[None, None, None]:
    """Each test starts in the site's language: a request in Spanish leaves Spanish active in
    the thread (LocaleMiddleware does not switch back), which would leak into the next test
    that the same worker runs."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_eager() -> None:
    # Unit tests run tasks inline; the real-worker integration tests start their own worker.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@dataclass
class Personas:
    org: Organization
    staff: User
    steering: User
    cochair: User
    partner: User
    other_org: Organization
    outsider: User

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(user=user, organization=self.org)

    def by_role(self, role: str) -> User:
        return {
            Role.STAFF: self.staff,
            Role.STEERING: self.steering,
            Role.COCHAIR: self.cochair,
            Role.PARTNER: self.partner,
        }[Role(role)]


@pytest.fixture
def personas(db: None) -> Personas:
    org: Any = OrganizationFactory(name="Lakeshore Learning Partnership", slug="lakeshore")
    other: Any = OrganizationFactory(name="Riverside Health Collaborative", slug="riverside")
    users: dict[Role, Any] = {}
    for role in Role:
        users[role] = UserFactory(email=f"{role.value}@lakeshore.example.org")
        MembershipFactory(organization=org, user=users[role], role=role)
    outsider: Any = UserFactory(email="outsider@riverside.example.org")
    MembershipFactory(organization=other, user=outsider, role=Role.STAFF)
    return Personas(
        org=org,
        staff=users[Role.STAFF],
        steering=users[Role.STEERING],
        cochair=users[Role.COCHAIR],
        partner=users[Role.PARTNER],
        other_org=other,
        outsider=outsider,
    )


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    """login(user) -> a Client logged in as that user."""

    def _login(user: User) -> Client:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
