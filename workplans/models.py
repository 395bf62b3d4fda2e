"""Workplans, meetings and the commitments made at them: the accountability loop.

A workgroup keeps one workplan a year: key actions that advance the common agenda's
strategies, each with a lead who drives it. The group meets; every meeting opens by reviewing
the commitments made at the previous one, and ends with new commitments (what, who, by when,
why it matters). Every change to a commitment is kept with who made it and through which channel.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backbone.models import TenantModel
from initiatives.models import Initiative, PartnerOrganization, Person, Strategy, Table


class Workplan(TenantModel):
    """One workgroup's plan for one year. Closed years are kept, read-only."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="workplans")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="workplans")
    year = models.PositiveSmallIntegerField(_("year"))
    # Set when next year's workplan is started: the year is then read-only.
    closed_at = models.DateTimeField(null=True, blank=True)
    previous = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["table__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["table", "year"], name="one_workplan_per_table_year"),
        ]
        indexes = [models.Index(fields=["organization", "initiative", "year"])]

    def __str__(self) -> str:
        return f"{self.table} {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class KeyAction(TenantModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    FINISHED = (Status.DONE, Status.DROPPED)

    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="key_actions")
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="key_actions", verbose_name=_("strategy")
    )
    description = models.TextField(_("key action"))
    lead = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_key_actions",
        verbose_name=_("lead"),
        help_text=_("The one person accountable for driving it."),
    )
    contributors = models.ManyToManyField(
        PartnerOrganization,
        blank=True,
        related_name="key_actions",
        verbose_name=_("contributing partners"),
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    done_when = models.TextField(_("how we will know it is done (well)"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), default=0)
    # The same action in last year's workplan, when it was carried forward unfinished.
    carried_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    position = models.PositiveIntegerField(default=0)
    # Bumped on every save; an edit based on an older version is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["strategy__position", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="key_action_percent_at_most_100"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "workplan", "status"]),
            models.Index(fields=["organization", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class KeyActionUpdate(TenantModel):
    """A dated entry in a key action's update log."""

    key_action = models.ForeignKey(KeyAction, on_delete=models.CASCADE, related_name="updates")
    written_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("update"))
    status = models.CharField(max_length=12, choices=KeyAction.Status.choices, blank=True)
    percent_complete = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return self.text[:80]


class Meeting(TenantModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="meetings")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    invitees = models.ManyToManyField(Person, blank=True, related_name="meetings_invited")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    closed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    wins = models.TextField(_("wins to celebrate"), blank=True)
    # For calendars (workplans.ics): raised when the time, place, title or status people plan
    # around changes, so a calendar holding an older copy of the event replaces it.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["organization", "table", "starts_at"]),
            models.Index(fields=["organization", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title or gettext("%(table)s meeting") % {"table": self.table}


class AgendaItem(TenantModel):
    """One part of a meeting's agenda; generated from the field's meeting practice, then
    editable by the co-chairs before the meeting."""

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        GROUND_RULES = "ground_rules", _("Ground rules")
        COMMITMENT_REVIEW = "commitment_review", _("Review of commitments")
        WORKPLAN = "workplan", _("Workplan progress")
        PROBLEM_SOLVING = "problem_solving", _("Problem solving")
        COORDINATION = "coordination", _("Coordination")
        ENVIRONMENT = "environment", _("Scan of the environment")
        WINS = "wins", _("Celebrate wins")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Attendance(TenantModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"


class Channel(models.TextChoices):
    """How a change reached Backbone."""

    WEB = "web", _("Web")
    API = "api", _("API")
    EMAIL_REPLY = "email_reply", _("Email reply")
    EMAIL_LINK = "email_link", _("Email link")
    IMPORT = "import", _("Import")
    MEETING = "meeting", _("Meeting review")


class Commitment(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        NEED_HELP = "need_help", _("Needs help")
        BLOCKED = "blocked", _("Blocked")
        DROPPED = "dropped", _("Dropped")

    # Still someone's to do: reminders go out for these.
    ACTIVE = (Status.OPEN, Status.NEED_HELP, Status.BLOCKED)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="commitments")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="commitments")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("who")
    )
    what = models.TextField(_("what will be done"))
    due_date = models.DateField(_("by when"))
    why = models.TextField(_("why it matters"), blank=True)
    key_action = models.ForeignKey(
        KeyAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    strategy = models.ForeignKey(
        Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    progress_note = models.TextField(_("progress"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When carried forward at a later meeting: that meeting (the original stays its origin).
    carried_to = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_in"
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["organization", "person", "status"]),
            models.Index(fields=["organization", "table", "status"]),
            models.Index(fields=["organization", "due_date"]),
            models.Index(fields=["meeting", "position"]),
            # ?updated_since= (incremental sync) of an organization's commitments.
            models.Index(fields=["organization", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.what[:80]


class CommitmentChange(TenantModel):
    """One change to a commitment: what changed, who changed it, through which channel."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="changes")
    # Not auto_now_add: an import (or the demo) records when a change really happened.
    at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Partners answering by email have no login: the person is recorded instead.
    by_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    old_due_date = models.DateField(null=True, blank=True)
    new_due_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    # The email that carried the change (for replies), to trace and to process once.
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "commitment", "at"])]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.old_status} → {self.new_status} ({self.channel})"


class Touch(models.TextChoices):
    """The three NAG emails of a meeting (Normalizing Accountability in the Group)."""

    RECAP = "recap", _("Recap after the meeting")
    CHECK_IN = "check_in", _("Check-in: do you need help?")
    HEADS_UP = "heads_up", _("Heads-up before the next meeting")


class NagSettings(TenantModel):
    """An initiative's reminder cadence (defaults are the field's practice)."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="nag_settings"
    )
    enabled = models.BooleanField(_("send NAG emails"), default=True)
    recap_delay_minutes = models.PositiveIntegerField(
        _("recap: minutes after the meeting is closed"), default=0
    )
    check_in_days = models.PositiveSmallIntegerField(
        _("check-in: days after the meeting"), default=14
    )
    heads_up_days = models.PositiveSmallIntegerField(
        _("heads-up: days before the next meeting"), default=7
    )
    send_hour = models.PositiveSmallIntegerField(
        _("local hour to send check-ins and heads-ups"), default=9
    )
    weekdays_only = models.BooleanField(_("send on weekdays only"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"NAG settings of {self.initiative_id}"


class TouchControl(TenantModel):
    """Staff's say over one touch of one meeting: skip it, or change its opening paragraph."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="touch_controls")
    touch = models.CharField(max_length=10, choices=Touch.choices)
    skipped = models.BooleanField(default=False)
    intro = models.TextField(_("opening paragraph"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "touch"], name="touch_control_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.touch}"


class NagOptOut(TenantModel):
    """A person who unsubscribed from one initiative's NAG emails (staff may reverse it)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nag_opt_outs")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "initiative"], name="nag_opt_out_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} out of {self.initiative_id}"


class NagOptOutReversal(TenantModel):
    """Staff turned a person's NAG emails for one initiative back on: the record of the
    person's consent (how they gave it, in staff's words), kept after the opt-out is gone."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    unsubscribed_at = models.DateTimeField()
    reversed_at = models.DateTimeField(auto_now_add=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    consent_note = models.TextField()

    class Meta:
        ordering = ["-reversed_at", "-id"]
        indexes = [models.Index(fields=["organization", "initiative", "-reversed_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} back in {self.initiative_id}"


class Reminder(TenantModel):
    """One touch due to one person for one meeting. The unique constraint makes a second send
    of the same touch a database error, not a second email; several reminders due to the same
    person at the same time go out together as one digest email."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    touch = models.CharField(max_length=10, choices=Touch.choices)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # A sweep that claimed the row; a claim older than the timeout is a dead sweep's.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    email = models.ForeignKey(
        "backbone.OutboundEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "touch", "person"], name="one_reminder_per_touch_and_person"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["organization", "meeting"]),
        ]

    def __str__(self) -> str:
        return f"{self.touch} of {self.meeting_id} to {self.person_id}"


class NagMessage(TenantModel):
    """A NAG email as its recipient got it: the reply token in its Reply-To address and the
    commitments it listed, in their numbered order (replies say "1 done, 2 need help")."""

    email = models.OneToOneField(
        "backbone.OutboundEmail", on_delete=models.CASCADE, related_name="nag_message"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nag_messages")
    token = models.CharField(max_length=32, unique=True)
    commitment_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"NAG to {self.person_id} ({self.token})"


# --- Partners' email replies ------------------------------------------------------------------


class InboundEmail(models.Model):
    """One email received at a reply address, kept as it arrived (size-capped) with what was
    understood from it. The organization is known only once the token in the recipient address
    is matched, so it may be empty (an unknown token, a stray message)."""

    class Source(models.TextChoices):
        PIPE = "pipe", _("Mail server pipe")
        WEBHOOK = "webhook", _("Email provider webhook")
        IMAP = "imap", _("Mailbox (IMAP)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting to be read")
        APPLIED = "applied", _("Applied")
        NEEDS_LOOK = "needs_look", _("Needs a look")
        HELD = "held", _("Held for review")
        IGNORED = "ignored", _("Ignored")
        UNMATCHED = "unmatched", _("No matching reminder")
        RESOLVED = "resolved", _("Resolved by staff")
        FAILED = "failed", _("Failed")

    # Waiting in the staff review list.
    REVIEW = (Status.NEEDS_LOOK, Status.HELD)

    organization = models.ForeignKey(
        "backbone.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The message's identity for "processed once": its Message-ID, or a digest of the raw bytes
    # when it has none.
    message_key = models.CharField(max_length=255, unique=True)
    message_id = models.CharField(max_length=255, blank=True)
    # The provider's event id (webhooks), processed once as well.
    event_id = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    provider = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    raw = models.BinaryField()
    raw_size = models.PositiveIntegerField(default=0)
    raw_truncated = models.BooleanField(default=False)
    from_address = models.CharField(max_length=320, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    token = models.CharField(max_length=32, blank=True)
    nag_message = models.ForeignKey(
        NagMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="email_replies"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    # Why it was ignored, held or flagged, in words staff can read.
    reason = models.TextField(blank=True)
    # The reply as read: quoted history and signature removed.
    visible_text = models.TextField(blank=True)
    # What was understood, one entry per commitment: number, commitment_id, action, note,
    # new_date (ISO) and whether it was applied.
    outcome = models.JSONField(default=list, blank=True)
    confirmation = models.ForeignKey(
        "backbone.OutboundEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=~Q(event_id=""),
                name="inbound_event_once",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "received_at"]),
            models.Index(fields=["person", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"Reply {self.message_key[:60]} ({self.status})"


class HelpRequest(TenantModel):
    """A partner said a commitment needs help or is blocked: an item in the initiative's queue
    that staff and the table's co-chairs see, take on and resolve."""

    class Kind(models.TextChoices):
        NEED_HELP = "need_help", _("Needs help")
        BLOCKED = "blocked", _("Blocked")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="help_requests"
    )
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="help_requests")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="help_requests"
    )
    # Who asked (a partner answering by email has no login).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="help_requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(_("what help"), blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    inbound = models.ForeignKey(
        InboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="help_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(_("how it was resolved"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "initiative", "status"]),
            models.Index(fields=["organization", "table", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.commitment}"


class CalendarFeed(TenantModel):
    """A secret calendar address (iCalendar feed) that calendar programs subscribe to without a
    login: one person's meetings and commitment due dates, or one table's meetings.

    The address is a signature over the feed's id and `nonce` (workplans.calendar_feeds), so it
    can be shown again whenever its owner or staff look for it, and the database alone does not
    reveal it. Making a new address replaces the nonce, which ends the old one."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feed"
    )
    table = models.OneToOneField(
        Table, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feed"
    )
    nonce = models.CharField(max_length=43)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, table__isnull=True)
                | Q(person__isnull=True, table__isnull=False),
                name="calendar_feed_of_a_person_or_a_table",
            ),
        ]

    def __str__(self) -> str:
        subject = f"person {self.person_id}" if self.person_id else f"table {self.table_id}"
        return f"Calendar of {subject}"
