"""Shared measurement, in the Results-Based Accountability sense.

Population accountability: each population-level result of an initiative has indicators
("third graders reading at grade level"), measured over years for everyone and, where the data
allow, per group of a disaggregation (race/ethnicity, geography, income…). Performance
accountability: each strategy or workgroup has performance measures answering how much did we
do, how well did we do it, and is anyone better off. Both carry data points, a baseline, a target
and the population behind a percentage, so a goal reads as "our number" (+20 points of 2,000
third graders = 400 more children).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backbone.models import Organization, TenantModel
from initiatives.models import Initiative, PartnerOrganization, Person, Result, Strategy, Table
from workplans.models import KeyAction

# Uploads are kept in the database until committed; anything larger is refused at upload.
DATA_IMPORT_MAX_BYTES = 20 * 1024 * 1024


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    RATE_PER_1000 = "rate_per_1000", _("Rate per 1,000")
    CURRENCY = "currency", _("Currency")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Frequency(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    SCHOOL_YEAR = "school_year", _("Every school year")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")
    OTHER = "other", _("Other")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    SCHOOL_YEAR = "school_year", _("School year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    DATE = "date", _("Date")


class Measured(TenantModel):
    """What an indicator and a performance measure share: how it is counted, which way is
    better, where it started, where it should get to, and who keeps the data."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="%(class)ss")
    name = models.CharField(_("name"), max_length=300)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.PERCENT)
    unit_label = models.CharField(
        _("unit label"),
        max_length=40,
        blank=True,
        help_text=_("For “other”: what is counted. For currency: the currency code, e.g. USD."),
    )
    direction = models.CharField(
        _("direction of improvement"),
        max_length=8,
        choices=Direction.choices,
        default=Direction.HIGHER,
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    # Period labels in the canonical form of data points ("2015", "SY2019-20", "2024-Q3").
    baseline_period = models.CharField(_("baseline period"), max_length=20, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_period = models.CharField(_("target period"), max_length=20, blank=True)
    # The people a percentage is a share of, so "+20 points" can also read "400 more children".
    population = models.DecimalField(
        _("population size"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    population_label = models.CharField(
        _("who the population is"),
        max_length=200,
        blank=True,
        help_text=_("For example: third graders in the county's public schools."),
    )
    data_source = models.TextField(_("data source"), blank=True)
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=12,
        choices=Frequency.choices,
        default=Frequency.ANNUAL,
    )
    steward = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stewarded_%(class)ss",
        verbose_name=_("data steward"),
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Indicator(Measured):
    """A population-level measure of a result: how the whole community is doing."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["organization", "initiative", "position"]),
            models.Index(fields=["organization", "result", "position"]),
        ]
        constraints = [
            # What a data point's (indicator, organization) foreign key points at.
            models.UniqueConstraint(
                fields=["id", "organization"], name="indicator_id_organization_unique"
            ),
        ]


class PerformanceMeasure(Measured):
    """A measure of a program or workgroup's own work, for the people it serves."""

    class Kind(models.TextChoices):
        HOW_MUCH = "how_much", _("How much did we do?")
        HOW_WELL = "how_well", _("How well did we do it?")
        BETTER_OFF = "better_off", _("Is anyone better off?")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="performance_measures",
        verbose_name=_("strategy"),
    )
    table = models.ForeignKey(
        Table,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="performance_measures",
        verbose_name=_("workgroup"),
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["organization", "initiative", "position"]),
            models.Index(fields=["organization", "table"]),
        ]
        constraints = [
            # What a data point's (measure, organization) foreign key points at.
            models.UniqueConstraint(
                fields=["id", "organization"], name="performance_measure_id_organization_unique"
            ),
        ]


class Dimension(TenantModel):
    """A way of breaking data down, e.g. race/ethnicity, geography, income, gender, language."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "name"], name="dimension_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Category(TenantModel):
    """One group of a dimension, e.g. "Hispanic or Latino" of race/ethnicity."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["dimension", "name"], name="category_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class DataPointHistory(HistoricalRecords):
    """A data point's history as simple-history keeps it, with the two columns most rows leave
    empty indexed only where they are filled: an indicator's points have no measure, and an
    import from the command line has no user. Its user is not a database foreign key, like its
    other references (a history row outlives what it points at); the user's deletion still
    empties it (SET_NULL, found through the partial index)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("user_db_constraint", False)
        super().__init__(**kwargs)

    @property
    def _date_indexing(self) -> bool:
        # Read by indicator or measure (their pages), never across every point by date: no
        # index of its own on the date, which an import would fill with one entry per value.
        return False

    def _get_history_user_fields(self) -> dict[str, Any]:
        fields = super()._get_history_user_fields()
        fields["history_user"].db_index = False
        return fields

    def get_meta_options(self, model: type[models.Model]) -> dict[str, Any]:
        options = super().get_meta_options(model)
        options["indexes"] = (
            *options.get("indexes", ()),
            models.Index(
                fields=["history_user"],
                condition=Q(history_user__isnull=False),
                name="data_point_history_user",
            ),
            models.Index(
                fields=["measure"],
                condition=Q(measure__isnull=False),
                name="data_point_history_measure",
            ),
        )
        return options


# A data point's owner is checked by the database as one composite foreign key each, added by
# migration 0007 on PostgreSQL (Django has no composite foreign keys): (indicator_id,
# organization_id) and (measure_id, organization_id) must name an indicator or a measure *of
# the point's own organization*. That is stronger than one key per column (a point cannot name
# another tenant's indicator) and costs one check per row on insert instead of three, which is
# most of what a large import waits for at commit.


class DataPoint(TenantModel):
    """One value of an indicator or a performance measure for one period, for everyone
    (no category) or for one group. A suppressed value (a small cell the source hid) is kept
    as suppressed with no value, never as zero.

    Imports write hundreds of thousands of these at once, so the table carries no index that
    another one already covers, and an index on the measure holds only the rows that have
    one: the organization leads both (organization, indicator|measure,
    period_start) indexes, the unique (indicator, period, group) index serves every lookup by
    indicator, and its history is looked up by indicator, measure and date only (one point's
    own history, the admin's history page, reads through the table: rare, and staff only)."""

    # The database checks these three through the two composite (indicator|measure,
    # organization) keys described above, not one foreign key each.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_points",
        db_index=False,  # the unique (indicator, period, category) index leads with it
        db_constraint=False,
    )
    measure = models.ForeignKey(
        PerformanceMeasure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_points",
        db_index=False,  # indexed below for the rows that have one
        db_constraint=False,
    )
    # Canonical label: "2024", "SY2019-20", "2024-Q3", "2024-03", "2024-03-15".
    period = models.CharField(_("period"), max_length=20)
    period_kind = models.CharField(max_length=12, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="data_points"
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    suppressed = models.BooleanField(_("suppressed"), default=False)
    # The marker as it appeared in the source ("*", "<10", "n<10", "--", "N/A").
    suppression_marker = models.CharField(_("suppression marker"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = DataPointHistory(no_db_index=["organization", "category", "id", "measure"])

    class Meta:
        ordering = ["period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(indicator__isnull=False, measure__isnull=True)
                    | Q(indicator__isnull=True, measure__isnull=False)
                ),
                name="data_point_indicator_xor_measure",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="data_point_period_ends_after_start",
            ),
            # One value per indicator, period and group, the total (no group, taken as group 0)
            # included: one index rather than two, which also serves every lookup by indicator,
            # so the indicator has no index of its own. (Not nulls_distinct=False: SQLite would
            # get no constraint at all.)
            models.UniqueConstraint(
                F("indicator"),
                "period",
                Coalesce("category", Value(0)),
                condition=Q(indicator__isnull=False),
                name="data_point_indicator_period_group_unique",
            ),
            models.UniqueConstraint(
                fields=["measure", "period"],
                condition=Q(measure__isnull=False, category__isnull=True),
                name="data_point_measure_period_total_unique",
            ),
            models.UniqueConstraint(
                fields=["measure", "period", "category"],
                condition=Q(measure__isnull=False, category__isnull=False),
                name="data_point_measure_period_category_unique",
            ),
        ]
        # An indicator's points have no measure: the indexes on the measure hold only the rows
        # that have one, so a large import of an indicator's points does not also file 200,000
        # empty measures. The (organization, indicator, period_start) index holds every row:
        # it is also the one that finds an organization's points (its deletion, its exports).
        indexes = [
            models.Index(
                fields=["organization", "indicator", "period_start"],
                name="data_point_indicator_start",
            ),
            models.Index(
                fields=["measure"],
                condition=Q(measure__isnull=False),
                name="data_point_measure",
            ),
            models.Index(
                fields=["organization", "measure", "period_start"],
                condition=Q(measure__isnull=False),
                name="data_point_measure_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}: {'suppressed' if self.suppressed else self.value}"


class DisparityGap(TenantModel):
    """The distance between a reference group and a focus group on one indicator, tracked per
    period as its own series with its own target ("close the gap by half by 2030")."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="gaps")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="gaps")
    reference = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("reference group")
    )
    focus = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("focus group")
    )
    name = models.CharField(_("name"), max_length=300)
    target_value = models.DecimalField(
        _("target gap"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_period = models.CharField(_("target period"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reference=models.F("focus")), name="gap_groups_differ"
            ),
        ]
        indexes = [models.Index(fields=["organization", "indicator"])]

    def __str__(self) -> str:
        return self.name


class TurnTheCurve(TenantModel):
    """The story behind the curve of one indicator or performance measure: why it looks the way
    it does, who has a role to play, what works, and what we will do."""

    indicator = models.OneToOneField(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="turn_the_curve",
    )
    measure = models.OneToOneField(
        PerformanceMeasure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="turn_the_curve",
    )
    story = models.TextField(_("the story behind the curve"), blank=True)
    partners = models.ManyToManyField(
        PartnerOrganization,
        blank=True,
        related_name="turn_the_curve_notes",
        verbose_name=_("partners with a role to play"),
    )
    what_works = models.TextField(_("what works"), blank=True)
    action_plan = models.TextField(_("action plan"), blank=True)
    strategies = models.ManyToManyField(
        Strategy, blank=True, related_name="turn_the_curve_notes", verbose_name=_("strategies")
    )
    key_actions = models.ManyToManyField(
        KeyAction, blank=True, related_name="turn_the_curve_notes", verbose_name=_("key actions")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "turn-the-curve note"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(indicator__isnull=False, measure__isnull=True)
                    | Q(indicator__isnull=True, measure__isnull=False)
                ),
                name="turn_the_curve_indicator_xor_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"Turn the curve: {self.indicator or self.measure}"


class ImportMapping(TenantModel):
    """The column mapping last used for a source, proposed again the next time it is uploaded."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="import_mappings"
    )
    # A signature of the file's header row, or the source's name.
    source_key = models.CharField(max_length=200)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "source_key"], name="import_mapping_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.source_key


class DataImport(TenantModel):
    """An uploaded data file on its way through preview to commit. The file is kept in the
    database (at most DATA_IMPORT_MAX_BYTES) so a background worker can read it."""

    class Layout(models.TextChoices):
        LONG = "long", _("Long: one row per value")
        WIDE = "wide", _("Wide: periods as columns")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWED = "previewed", _("Previewed")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="data_imports"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="data_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    upload = models.BinaryField()
    layout = models.CharField(max_length=4, choices=Layout.choices, blank=True)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Counts and the first rows as they will be written.
    preview = models.JSONField(default=dict)
    # [{"row": 12, "column": "2019", "message": "…"}, …]
    errors = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return self.file_name
