"""The common agenda and who is at which table.

An organization (the backbone) stewards initiatives. Each initiative has a North Star, the
population-level results that define it, the strategies under each result, the ground rules
people hold each other to, and the yes/no criteria any new activity must pass. Partner
organizations and people (contacts, most without a login) sit at tables: the steering committee
and the workgroups that carry strategies.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from backbone.models import TIME_ZONE_CHOICES, TenantModel, TenantQuerySet


class Initiative(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=200)
    north_star = models.TextField(
        _("North Star"),
        help_text=_("The common result, in one sentence everyone can repeat."),
    )
    focus_population = models.CharField(_("focus population"), max_length=300, blank=True)
    geography = models.CharField(_("geography"), max_length=300, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        blank=True,
        help_text=_("Leave empty to use the organization's time zone."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_time_zone(self) -> str:
        return self.time_zone or self.organization.time_zone


class Ordered(TenantModel):
    """Rows a person puts in order (by drag or up/down); `position` keeps that order."""

    position = models.PositiveIntegerField(default=0)
    # For the API's incremental sync (?updated_since=): a reorder counts as a change.
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Result(Ordered):
    """A population-level result of the common agenda (indicators come with shared measurement)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="results")
    statement = models.TextField(_("result statement"))

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "initiative", "position"])]

    def __str__(self) -> str:
        return self.statement


class Strategy(Ordered):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="strategies")
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="strategies")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "strategies"
        indexes = [models.Index(fields=["organization", "result", "position"])]

    def __str__(self) -> str:
        return self.title


class GroundRule(Ordered):
    """A core value written as a behaviour people can be held to; shown atop every agenda."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="ground_rules"
    )
    text = models.CharField(_("ground rule"), max_length=400)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "initiative", "position"])]

    def __str__(self) -> str:
        return self.text


class FilterCriterion(Ordered):
    """A yes/no question every proposed new activity must pass (the agenda filter)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="filter_criteria"
    )
    question = models.CharField(_("question"), max_length=400)
    # Retired rather than deleted: past screenings keep the question they answered.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "filter criteria"
        indexes = [models.Index(fields=["organization", "initiative", "position"])]

    def __str__(self) -> str:
        return self.question


class Screening(TenantModel):
    """A proposed activity run through the agenda filter, and what was decided."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not decided yet")
        ADOPTED = "adopted", _("Added to the agenda")
        DECLINED = "declined", _("Declined")
        DEFERRED = "deferred", _("Deferred")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="screenings")
    title = models.CharField(_("proposed activity"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    proposed_by = models.CharField(_("proposed by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Stored when recorded: True only if every criterion was answered yes.
    passes_all = models.BooleanField(default=False)
    override_reason = models.TextField(
        _("reason for staff override"),
        blank=True,
        help_text=_("Staff may let a proposal through that missed a criterion, with a reason."),
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "initiative", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def outcome(self) -> str:
        if self.passes_all:
            return "passes"
        return "overridden" if self.override_reason else "does_not_pass"


class ScreeningAnswer(TenantModel):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(
        FilterCriterion, on_delete=models.SET_NULL, null=True, related_name="answers"
    )
    # The question as it was worded when answered; criteria may change later.
    question = models.CharField(max_length=400)
    answer = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.question}: {'yes' if self.answer else 'no'}"


class Sector(models.TextChoices):
    NONPROFIT = "nonprofit", _("Nonprofit")
    PUBLIC_AGENCY = "public_agency", _("Public agency")
    SCHOOL = "school", _("School or district")
    HIGHER_ED = "higher_ed", _("Higher education")
    FUNDER = "funder", _("Funder")
    BUSINESS = "business", _("Business")
    FAITH = "faith", _("Faith-based")
    GRASSROOTS = "grassroots", _("Community or grassroots group")
    RESIDENT_ASSOCIATION = "resident_association", _("Resident association")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    UNDER_250K = "under_250k", _("Under $250,000")
    FROM_250K = "250k_1m", _("$250,000 – $1 million")
    FROM_1M = "1m_5m", _("$1 – 5 million")
    FROM_5M = "5m_25m", _("$5 – 25 million")
    OVER_25M = "over_25m", _("Over $25 million")
    UNKNOWN = "unknown", _("Not known")


class PartnerOrganization(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices)
    size_band = models.CharField(
        _("annual budget"), max_length=12, choices=SizeBand.choices, default=SizeBand.UNKNOWN
    )
    community_led = models.BooleanField(
        _("community-led"),
        default=False,
        help_text=_("Led by people from the community it serves."),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="partner_org_name_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class RaceEthnicity(models.TextChoices):
    AMERICAN_INDIAN = "american_indian", _("American Indian or Alaska Native")
    ASIAN = "asian", _("Asian")
    BLACK = "black", _("Black or African American")
    HISPANIC = "hispanic", _("Hispanic or Latino/a/e")
    MIDDLE_EASTERN = "mena", _("Middle Eastern or North African")
    PACIFIC_ISLANDER = "pacific_islander", _("Native Hawaiian or Pacific Islander")
    WHITE = "white", _("White")
    MULTIRACIAL = "multiracial", _("Two or more races")
    OTHER = "other", _("Another identity")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NONBINARY = "nonbinary", _("Non-binary")
    OTHER = "other", _("Another identity")


class PersonQuerySet(TenantQuerySet):
    def active(self) -> PersonQuerySet:
        return self.filter(archived_at__isnull=True)


class Person(TenantModel):
    """A contact. Most partners never log in; a person without an account is a full member of
    every table and receives every reminder."""

    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    partner_organization = models.ForeignKey(
        PartnerOrganization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("partner organization"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    is_community_member = models.BooleanField(
        _("community member or resident"),
        default=False,
        help_text=_("Takes part as a resident or person with lived experience, not in a job."),
    )
    # Voluntary demographics: only ever shown in aggregate, and never per person to non-staff.
    race_ethnicity = models.CharField(
        _("race or ethnicity"), max_length=20, choices=RaceEthnicity.choices, blank=True
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("login"),
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    # Reminders: staff may pause them for a person; a bounce or complaint stops them.
    nag_paused = models.BooleanField(_("reminders paused"), default=False)
    undeliverable_at = models.DateTimeField(null=True, blank=True)
    undeliverable_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PersonQuerySet] = PersonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=~Q(email=""),
                name="person_email_ci_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(user__isnull=False),
                name="person_user_unique",
            ),
        ]
        indexes = [models.Index(fields=["organization", "full_name"])]

    def __str__(self) -> str:
        return self.full_name


class Table(TenantModel):
    """Where people sit: the steering committee of an initiative, or one of its workgroups."""

    class Kind(models.TextChoices):
        STEERING = "steering", _("Steering committee")
        WORKGROUP = "workgroup", _("Workgroup")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="tables")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    strategies = models.ManyToManyField(
        Strategy, blank=True, related_name="tables", verbose_name=_("strategies")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(kind="steering"),
                name="one_steering_committee_per_initiative",
            ),
        ]
        indexes = [models.Index(fields=["organization", "initiative", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_steering(self) -> bool:
        return self.kind == self.Kind.STEERING


class Seat(TenantModel):
    """A person at a table. The steering committee has a chair; a workgroup has co-chairs."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        CO_CHAIR = "co_chair", _("Co-chair")
        MEMBER = "member", _("Member")

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="seats")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="seats")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["table", "person"], name="seat_unique"),
        ]
        indexes = [models.Index(fields=["organization", "person"])]

    def __str__(self) -> str:
        return f"{self.person} at {self.table}"


class ImportBatch(TenantModel):
    """An uploaded people or partners spreadsheet waiting for its preview to be accepted.

    Kept as a row rather than in the session: the upload survives worker restarts and several
    web processes, stays out of the signed session cookie, and the compare-and-set on
    `committed_at` makes a second commit of the same upload a no-op instead of duplicates.
    The parsed cells are cleared once committed (they may hold demographics).
    """

    class Kind(models.TextChoices):
        PEOPLE = "people", _("People")
        PARTNERS = "partners", _("Partner organizations")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The file's header cells, and its data rows as {"n": spreadsheet row number, "cells": [...]}.
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    # One entry per header: the field that column goes to, or "" to ignore it.
    mapping = models.JSONField(default=list)
    create_missing_organizations = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return self.filename
