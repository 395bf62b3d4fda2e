"""Writes of shared measurement: indicators and performance measures, their data points (each
change kept in the data point's history), disparity gaps and turn-the-curve notes."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from backbone.access import check_same_organization
from backbone.models import User
from initiatives.models import Initiative, PartnerOrganization, Result, Strategy, Table
from metrics.models import (
    Category,
    DataPoint,
    DisparityGap,
    Indicator,
    Measured,
    PerformanceMeasure,
    TurnTheCurve,
    Unit,
)
from metrics.periods import Period, PeriodError, parse_period
from metrics.webhooks import data_point_added
from workplans.models import KeyAction

PERCENT_MAX = Decimal(100)

# The fields of an indicator or measure a person edits, besides its place (result, strategy…),
# in the order forms and the API show them.
MEASURED_FIELDS = (
    "name",
    "definition",
    "unit",
    "unit_label",
    "direction",
    "baseline_value",
    "baseline_period",
    "target_value",
    "target_period",
    "population",
    "population_label",
    "data_source",
    "frequency",
    "steward",
)


def _next_position(queryset: models.QuerySet[Any]) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _period(text: str | Period, field: str) -> Period:
    if isinstance(text, Period):
        return text
    try:
        return parse_period(text)
    except PeriodError as error:
        raise ValidationError({field: str(error)}) from None


def _check_percent(value: Decimal | None, field: str) -> None:
    if value is not None and not Decimal(0) <= value <= PERCENT_MAX:
        raise ValidationError({field: _("A percentage is between 0 and 100; %s is not.") % value})


def _clean_measured(obj: Measured) -> None:
    """Canonical period labels, baseline and target each given whole, and the target after the
    baseline: a goal set for a year before the starting point cannot be tracked."""
    errors: dict[str, str] = {}
    periods: dict[str, Period] = {}
    for which in ("baseline", "target"):
        value: Decimal | None = getattr(obj, f"{which}_value")
        label = getattr(obj, f"{which}_period").strip()
        if label:
            try:
                periods[which] = _period(label, f"{which}_period")
            except ValidationError as error:
                errors[f"{which}_period"] = error.message_dict[f"{which}_period"][0]
                continue
            setattr(obj, f"{which}_period", periods[which].label)
        else:
            setattr(obj, f"{which}_period", "")
        if value is not None and not label:
            errors[f"{which}_period"] = (
                _("Give the period of the baseline as well as its value.")
                if which == "baseline"
                else _("Give the period of the target as well as its value.")
            )
        if value is None and label:
            errors[f"{which}_value"] = (
                _("Give the baseline value for %(period)s.")
                if which == "baseline"
                else _("Give the target value for %(period)s.")
            ) % {"period": label}
        if obj.unit == Unit.PERCENT and value is not None and not 0 <= value <= PERCENT_MAX:
            errors[f"{which}_value"] = _("A percentage is between 0 and 100; %s is not.") % value
    baseline, target = periods.get("baseline"), periods.get("target")
    if baseline and target and target.end <= baseline.end:
        errors["target_period"] = _(
            "The target period (%(target)s) must come after the baseline period (%(baseline)s)."
        ) % {"target": target.label, "baseline": baseline.label}
    if obj.population is not None and obj.population <= 0:
        errors["population"] = _("The population is a number of people greater than zero.")
    if errors:
        raise ValidationError(errors)
    obj.name = obj.name.strip()
    obj.full_clean()


def _apply(obj: Measured, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(MEASURED_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)


# --- Indicators and performance measures ----------------------------------------------------


@transaction.atomic
def indicator_create(*, result: Result, name: str, **fields: Any) -> Indicator:
    """An indicator of a population-level result. `fields` are any of MEASURED_FIELDS."""
    check_same_organization(result.organization_id, fields.get("steward"))
    indicator = Indicator(
        organization_id=result.organization_id,
        initiative_id=result.initiative_id,
        result=result,
        position=_next_position(Indicator.objects.filter(result=result)),
    )
    _apply(indicator, {"name": name, **fields})
    _clean_measured(indicator)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(
    *, indicator: Indicator, result: Result | None = None, **fields: Any
) -> Indicator:
    check_same_organization(indicator.organization_id, result, fields.get("steward"))
    if result is not None and result.pk != indicator.result_id:
        if result.initiative_id != indicator.initiative_id:
            raise ValidationError(_("An indicator can only move to a result of its initiative."))
        indicator.result = result
        indicator.position = _next_position(Indicator.objects.filter(result=result))
    _apply(indicator, fields)
    _clean_measured(indicator)
    indicator.save()
    return indicator


def _check_measure_place(
    measure: PerformanceMeasure, strategy: Strategy | None, table: Table | None
) -> None:
    check_same_organization(measure.organization_id, strategy, table)
    for place in (strategy, table):
        if place is not None and place.initiative_id != measure.initiative_id:
            raise ValidationError(
                _("A performance measure belongs to a strategy or workgroup of its initiative.")
            )


@transaction.atomic
def measure_create(
    *,
    initiative: Initiative,
    name: str,
    kind: str,
    strategy: Strategy | None = None,
    table: Table | None = None,
    **fields: Any,
) -> PerformanceMeasure:
    """A performance measure (how much / how well / better off) of a strategy or workgroup."""
    measure = PerformanceMeasure(
        organization_id=initiative.organization_id,
        initiative=initiative,
        kind=kind,
        strategy=strategy,
        table=table,
        position=_next_position(PerformanceMeasure.objects.filter(initiative=initiative)),
    )
    _check_measure_place(measure, strategy, table)
    check_same_organization(initiative.organization_id, fields.get("steward"))
    _apply(measure, {"name": name, **fields})
    _clean_measured(measure)
    measure.save()
    return measure


_UNSET: Any = object()


@transaction.atomic
def measure_update(
    *,
    measure: PerformanceMeasure,
    kind: str | None = None,
    strategy: Strategy | None = _UNSET,
    table: Table | None = _UNSET,
    **fields: Any,
) -> PerformanceMeasure:
    """Change a measure; strategy and table change only when passed (None takes it off)."""
    new_strategy = measure.strategy if strategy is _UNSET else strategy
    new_table = measure.table if table is _UNSET else table
    _check_measure_place(measure, new_strategy, new_table)
    check_same_organization(measure.organization_id, fields.get("steward"))
    measure.strategy, measure.table = new_strategy, new_table
    if kind is not None:
        measure.kind = kind
    _apply(measure, fields)
    _clean_measured(measure)
    measure.save()
    return measure


# --- Data points ----------------------------------------------------------------------------


def _subject_filter(subject: Indicator | PerformanceMeasure) -> dict[str, Any]:
    return {"indicator": subject} if isinstance(subject, Indicator) else {"measure": subject}


@transaction.atomic
def data_point_upsert(
    *,
    subject: Indicator | PerformanceMeasure,
    period: str | Period,
    value: Decimal | None,
    category: Category | None = None,
    suppressed: bool = False,
    suppression_marker: str = "",
    source: str = "",
    note: str = "",
    changed_by: User | None = None,
) -> tuple[DataPoint, str]:
    """Set the value of an indicator or measure for one period (and one group, or everyone).

    Returns the data point and what happened: "created", "updated" or "unchanged". An unchanged
    value is not saved again, so the history holds only real changes. A suppressed value has no
    value; an unsuppressed one must have one.
    """
    check_same_organization(subject.organization_id, category)
    parsed = _period(period, "period")
    if (
        category is not None
        and not Category.objects.filter(
            pk=category.pk, dimension__initiative_id=subject.initiative_id
        ).exists()
    ):
        raise ValidationError({"category": _("That group is not one of this initiative's.")})
    marker = suppression_marker.strip()
    if suppressed:
        if value is not None:
            raise ValidationError({"value": _("A suppressed value has no number.")})
    else:
        if value is None:
            raise ValidationError({"value": _("Give a value, or mark it as suppressed.")})
        if marker:
            raise ValidationError(
                {"suppression_marker": _("Only a suppressed value has a suppression marker.")}
            )
        if subject.unit == Unit.PERCENT:
            _check_percent(value, "value")
    wanted = {
        "period_kind": parsed.kind,
        "period_start": parsed.start,
        "period_end": parsed.end,
        "value": value,
        "suppressed": suppressed,
        "suppression_marker": marker,
        "source": source.strip(),
        "note": note.strip(),
    }
    lookup = {**_subject_filter(subject), "period": parsed.label, "category": category}
    point = DataPoint.objects.select_for_update().filter(**lookup).first()
    if point is None:
        point = DataPoint(organization_id=subject.organization_id, **lookup, **wanted)
        point.full_clean(validate_constraints=False)
        point._history_user = changed_by  # type: ignore[attr-defined]
        try:
            # A savepoint: when another writer created the same point first, update theirs.
            with transaction.atomic():
                point.save()
            data_point_added(point=point, subject=subject)
            return point, "created"
        except IntegrityError:
            point = DataPoint.objects.select_for_update().get(**lookup)
    if all(_same(getattr(point, name), wanted[name]) for name in wanted):
        return point, "unchanged"
    for name, new in wanted.items():
        setattr(point, name, new)
    point.full_clean(validate_constraints=False)
    point._history_user = changed_by  # type: ignore[attr-defined]
    point.save()
    return point, "updated"


@transaction.atomic
def data_point_delete(*, point: DataPoint, by_user: User | None) -> None:
    """Delete one value; its history keeps the value and who deleted it."""
    point._history_user = by_user  # type: ignore[attr-defined]
    point.delete()


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new  # 45.2000 from the database is 45.2
    return bool(old == new)


# --- Disparity gaps -------------------------------------------------------------------------


def _clean_gap(
    gap: DisparityGap,
    *,
    indicator: Indicator,
    reference: Category,
    focus: Category,
    name: str,
    target_value: Decimal | None,
    target_period: str,
) -> None:
    """Two different groups of one disaggregation of the indicator's initiative, and a target
    (value and period together) for a period after the first in which either group has data."""
    check_same_organization(indicator.organization_id, reference, focus)
    if reference.pk == focus.pk:
        raise ValidationError({"focus": _("Pick two different groups.")})
    if reference.dimension_id != focus.dimension_id:
        raise ValidationError(
            {"focus": _("The reference and focus groups must be of the same disaggregation.")}
        )
    dimension = reference.dimension
    if dimension.initiative_id != indicator.initiative_id:
        raise ValidationError({"reference": _("That group is not one of this initiative's.")})
    period = _period(target_period.strip(), "target_period") if target_period.strip() else None
    if (target_value is None) != (period is None):
        raise ValidationError(
            {"target_period": _("Give the gap's target as a value and a period together.")}
        )
    if period is not None:
        first = (
            DataPoint.objects.filter(indicator=indicator, category__in=[reference, focus])
            .order_by("period_end", "period")
            .values_list("period", "period_end")
            .first()
        )
        if first is not None and period.end <= first[1]:
            raise ValidationError(
                {
                    "target_period": _(
                        "The target period (%(target)s) must come after the first period of "
                        "the data (%(first)s)."
                    )
                    % {"target": period.label, "first": first[0]}
                }
            )
    gap.indicator = indicator
    gap.dimension = dimension
    gap.reference = reference
    gap.focus = focus
    gap.name = name.strip() or _("Gap between %(focus)s and %(reference)s") % {
        "focus": focus.name,
        "reference": reference.name,
    }
    gap.target_value = target_value
    gap.target_period = period.label if period else ""
    gap.full_clean()


@transaction.atomic
def gap_create(
    *,
    indicator: Indicator,
    reference: Category,
    focus: Category,
    name: str = "",
    target_value: Decimal | None = None,
    target_period: str = "",
) -> DisparityGap:
    """Track the gap between a reference group and a focus group of one disaggregation."""
    gap = DisparityGap(organization_id=indicator.organization_id)
    _clean_gap(
        gap,
        indicator=indicator,
        reference=reference,
        focus=focus,
        name=name,
        target_value=target_value,
        target_period=target_period,
    )
    gap.save()
    return gap


@transaction.atomic
def gap_update(
    *,
    gap: DisparityGap,
    reference: Category,
    focus: Category,
    name: str = "",
    target_value: Decimal | None = None,
    target_period: str = "",
) -> DisparityGap:
    """Change a gap's groups, name or target; it stays on its indicator."""
    _clean_gap(
        gap,
        indicator=gap.indicator,
        reference=reference,
        focus=focus,
        name=name,
        target_value=target_value,
        target_period=target_period,
    )
    gap.save()
    return gap


@transaction.atomic
def gap_delete(*, gap: DisparityGap) -> None:
    """Stop tracking a gap; the indicator's data points stay as they are."""
    gap.delete()


# --- Turn the curve -------------------------------------------------------------------------


@transaction.atomic
def turn_the_curve_save(
    *,
    subject: Indicator | PerformanceMeasure,
    story: str,
    what_works: str,
    action_plan: str,
    partners: Iterable[PartnerOrganization] = (),
    strategies: Iterable[Strategy] = (),
    key_actions: Iterable[KeyAction] = (),
    by: User | None = None,
) -> TurnTheCurve:
    """Write (or rewrite) the turn-the-curve note of an indicator or measure."""
    partners, strategies, key_actions = list(partners), list(strategies), list(key_actions)
    check_same_organization(subject.organization_id, *partners, *strategies, *key_actions)
    if any(s.initiative_id != subject.initiative_id for s in strategies):
        raise ValidationError({"strategies": _("Pick strategies of this initiative.")})
    action_ids = [a.pk for a in key_actions]
    if KeyAction.objects.filter(
        pk__in=action_ids, workplan__initiative_id=subject.initiative_id
    ).values("pk").count() != len(set(action_ids)):
        raise ValidationError({"key_actions": _("Pick key actions of this initiative.")})
    note = TurnTheCurve.objects.select_for_update().filter(
        **_subject_filter(subject)
    ).first() or TurnTheCurve(organization_id=subject.organization_id, **_subject_filter(subject))
    note.story = story.strip()
    note.what_works = what_works.strip()
    note.action_plan = action_plan.strip()
    note.updated_by = by
    note.full_clean(validate_constraints=False)
    note.save()
    note.partners.set(partners)
    note.strategies.set(strategies)
    note.key_actions.set(key_actions)
    return note
