"""Tenancy and accounts: the organization (tenant), its members and their roles, invitations,
API tokens, and the outbox every email passes through."""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import timedelta
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backbone.roles import Role

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Addresses are compared case-insensitively everywhere; store them lower-cased.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Most partners never do: they are contacts, not users."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    # Django admin access only; being "backbone staff" is a role within an organization.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The interface language the person chose; blank follows the browser (Accept-Language).
    # Their emails follow each organization's Person.preferred_language instead.
    language = models.CharField(
        _("interface language"),
        max_length=5,
        blank=True,
        choices=settings.LANGUAGES,
        default="",
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class Organization(models.Model):
    """The tenant: one backbone organization. Nothing of one is ever visible to another."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("web address name"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="America/Chicago"
    )
    sender_name = models.CharField(
        _("email sender name"),
        max_length=120,
        blank=True,
        help_text=_("Shown as the sender of reminder emails. Defaults to the organization name."),
    )
    reply_domain = models.CharField(
        _("reply domain"),
        max_length=253,
        blank=True,
        help_text=_("The domain that receives partners' email replies, e.g. reply.example.org."),
    )
    # Set on a sample organization (the demo data, loaded for one person to explore and
    # removed in one click: backbone.onboarding.sandbox). Its emails never leave its outbox.
    sandbox_owner = models.ForeignKey(
        "User", on_delete=models.CASCADE, null=True, blank=True, related_name="sandboxes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def email_sender_name(self) -> str:
        return self.sender_name or self.name

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox_owner_id is not None


class TenantQuerySet(models.QuerySet[Any]):
    def in_org(self, organization: Organization) -> Self:
        return self.filter(organization=organization)


class TenantModel(models.Model):
    """Base of every tenant-owned row: the organization is on the row itself (denormalised onto
    children too), so every lookup can be filtered by it and every index can lead with it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        abstract = True


class Membership(TenantModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organization_id}"


class InvitationQuerySet(TenantQuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


def _invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=settings.BACKBONE_INVITATION_DAYS)


class Invitation(TenantModel):
    """An emailed, signed, expiring, single-use invitation to join an organization in a role."""

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # Random per invitation and signed into the link; the link carries no other secret.
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[InvitationQuerySet] = InvitationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["organization", "email"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} as {self.get_role_display()}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class APIToken(TenantModel):
    """A personal API token, made for one organization. Only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the key, shown in lists so a person can tell tokens apart.
    prefix = models.CharField(max_length=12)
    can_write = models.BooleanField(
        _("can change data"),
        default=True,
        help_text=_("A read-only token can read everything its owner can, and change nothing."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "user"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        # Keys are 256-bit random strings: a fast hash is enough (no dictionary to guess from).
        return hashlib.sha256(key.encode()).hexdigest()


# How each kind of email is named in the outbox; apps add their kinds as they send them.
EMAIL_KIND_LABELS = {
    "account": _("Account email"),
    "invitation": _("Invitation"),
    "nag_recap": _("Reminder: recap"),
    "nag_check_in": _("Reminder: check-in"),
    "nag_heads_up": _("Reminder: heads-up"),
    "nag_digest": _("Reminders (digest)"),
    "help_request": _("Help request to co-chairs"),
    "reply_confirmation": _("Reply confirmation"),
}


class MessageBodyField(models.TextField):
    """A text column for whole rendered messages, often hundreds of kilobytes. Inserted as one
    plain parameter per row: on PostgreSQL, Django's bulk insert otherwise packs each column
    into an array literal (INSERT … SELECT * FROM UNNEST(…)), and quoting a large HTML body
    character by character inside an array costs the client far more than sending it."""

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"


class OutboundEmail(models.Model):
    """One email the product sent (or is sending), kept so staff can read exactly what went out.

    Account emails (password resets) belong to no organization; everything sent on an
    organization's behalf carries it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        KEPT = "kept", _("Kept in outbox (not delivered)")
        FAILED = "failed", _("Failed")
        # After delivery: the provider reported a bounce or complaint (anymail's tracking
        # webhook), or the recipient answered a reminder.
        BOUNCED = "bounced", _("Bounced")
        REPLIED = "replied", _("Replied")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40, default="account")
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    body_text = MessageBodyField()
    body_html = MessageBodyField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Files sent with the email, by reference ({"kind": "board_packet", "id": 12}), read when
    # it is delivered (backbone.mail.attachments): a file emailed to twenty people is stored
    # once, not in twenty rows.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set while a worker is sending; a claim older than the timeout belongs to a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a transient failure: not before this time (the task retries with backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            # The email log's ?updated_since= (a status change is a change).
            models.Index(fields=["organization", "updated_at"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def kind_label(self) -> str:
        return str(EMAIL_KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize()))
