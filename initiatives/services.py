"""Writes of the common agenda, partners, people and tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backbone.access import check_same_organization
from backbone.models import Organization, User
from initiatives.models import (
    FilterCriterion,
    GroundRule,
    Initiative,
    Ordered,
    PartnerOrganization,
    Person,
    Result,
    Screening,
    ScreeningAnswer,
    Seat,
    Strategy,
    Table,
)

OrderedT = TypeVar("OrderedT", bound=Ordered)


def _update(obj: models.Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()


# --- Ordering -------------------------------------------------------------------------------


def _siblings(obj: Ordered) -> models.QuerySet[Any]:
    scope = {
        Result: "initiative_id",
        GroundRule: "initiative_id",
        FilterCriterion: "initiative_id",
        Strategy: "result_id",
    }[type(obj)]
    siblings: models.QuerySet[Any] = type(obj).objects.filter(**{scope: getattr(obj, scope)})
    if isinstance(obj, FilterCriterion):
        # Retired criteria are out of the list people order; moving skips over them.
        siblings = siblings.filter(retired_at__isnull=True)
    return siblings.order_by("position", "id")


def _next_position(queryset: models.QuerySet[Any]) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def item_move(*, item: OrderedT, direction: str) -> OrderedT:
    """Move an item one place up or down among its siblings (the keyboard-friendly way)."""
    siblings = list(_siblings(item).select_for_update())
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    # update() skips auto_now: updated_at is set here so ?updated_since= sees a reorder.
    now = timezone.now()
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            type(sibling).objects.filter(pk=sibling.pk).update(position=position, updated_at=now)
    item.refresh_from_db(fields=["position", "updated_at"])
    return item


@transaction.atomic
def items_reorder(*, items: Sequence[OrderedT], ordered_ids: Sequence[int]) -> None:
    """Apply a full new order (from drag and drop). The ids must be exactly the siblings'."""
    by_id = {item.pk: item for item in items}
    if sorted(by_id) != sorted(ordered_ids):
        raise ValidationError(_("The list changed while you were reordering it; reload and retry."))
    now = timezone.now()
    for position, pk in enumerate(ordered_ids):
        if by_id[pk].position != position:
            type(by_id[pk]).objects.filter(pk=pk).update(position=position, updated_at=now)


# --- Initiatives ----------------------------------------------------------------------------


@transaction.atomic
def initiative_create(
    *,
    organization: Organization,
    name: str,
    north_star: str,
    focus_population: str = "",
    geography: str = "",
    time_zone: str = "",
) -> Initiative:
    initiative = Initiative(
        organization=organization,
        name=name.strip(),
        north_star=north_star.strip(),
        focus_population=focus_population.strip(),
        geography=geography.strip(),
        time_zone=time_zone,
    )
    initiative.full_clean()
    initiative.save()
    # Every initiative has exactly one steering committee from the start.
    Table.objects.create(
        organization=organization,
        initiative=initiative,
        kind=Table.Kind.STEERING,
        name=_("Steering committee"),
    )
    return initiative


@transaction.atomic
def initiative_update(*, initiative: Initiative, **fields: Any) -> Initiative:
    allowed = {"name", "north_star", "focus_population", "geography", "time_zone"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _update(initiative, {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()})
    return initiative


@transaction.atomic
def initiative_set_status(*, initiative: Initiative, status: str) -> Initiative:
    """Archive (hide from daily views) or restore; nothing is deleted."""
    initiative.status = Initiative.Status(status)
    initiative.save(update_fields=["status", "updated_at"])
    return initiative


# --- Results and strategies -----------------------------------------------------------------


@transaction.atomic
def result_create(*, initiative: Initiative, statement: str) -> Result:
    result = Result(
        organization_id=initiative.organization_id,
        initiative=initiative,
        statement=statement.strip(),
        position=_next_position(initiative.results.all()),
    )
    result.full_clean()
    result.save()
    return result


@transaction.atomic
def result_update(*, result: Result, statement: str) -> Result:
    _update(result, {"statement": statement.strip()})
    return result


@transaction.atomic
def result_delete(*, result: Result) -> None:
    strategies = list(result.strategies.values_list("title", flat=True))
    if strategies:
        raise ValidationError(
            _("Move or delete its strategies first: %(list)s.") % {"list": "; ".join(strategies)}
        )
    result.delete()


@transaction.atomic
def strategy_create(*, result: Result, title: str, description: str = "") -> Strategy:
    strategy = Strategy(
        organization_id=result.organization_id,
        initiative_id=result.initiative_id,
        result=result,
        title=title.strip(),
        description=description.strip(),
        position=_next_position(result.strategies.all()),
    )
    strategy.full_clean()
    strategy.save()
    return strategy


@transaction.atomic
def strategy_update(
    *, strategy: Strategy, title: str, description: str, result: Result | None = None
) -> Strategy:
    fields: dict[str, Any] = {"title": title.strip(), "description": description.strip()}
    if result is not None and result.pk != strategy.result_id:
        if result.initiative_id != strategy.initiative_id:
            raise ValidationError(_("A strategy can only move to a result of its initiative."))
        fields["result"] = result
        fields["position"] = _next_position(result.strategies.all())
    _update(strategy, fields)
    return strategy


@transaction.atomic
def strategy_delete(*, strategy: Strategy) -> None:
    tables = list(strategy.tables.values_list("name", flat=True))
    if tables:
        raise ValidationError(
            _("These workgroups carry it; take it off them first: %(list)s.")
            % {"list": "; ".join(tables)}
        )
    # Key actions keep the strategy they advance (the database refuses to leave them without).
    actions = list(strategy.key_actions.values_list("description", flat=True)[:20])
    if actions:
        raise ValidationError(
            _("Key actions advance it; move them to another strategy first: %(list)s.")
            % {"list": "; ".join(actions)}
        )
    strategy.delete()


# --- Ground rules and the agenda filter -----------------------------------------------------


@transaction.atomic
def ground_rule_create(*, initiative: Initiative, text: str) -> GroundRule:
    rule = GroundRule(
        organization_id=initiative.organization_id,
        initiative=initiative,
        text=text.strip(),
        position=_next_position(initiative.ground_rules.all()),
    )
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def ground_rule_update(*, rule: GroundRule, text: str) -> GroundRule:
    _update(rule, {"text": text.strip()})
    return rule


@transaction.atomic
def ground_rule_delete(*, rule: GroundRule) -> None:
    rule.delete()


@transaction.atomic
def criterion_create(*, initiative: Initiative, question: str) -> FilterCriterion:
    criterion = FilterCriterion(
        organization_id=initiative.organization_id,
        initiative=initiative,
        question=question.strip(),
        position=_next_position(initiative.filter_criteria.filter(retired_at__isnull=True)),
    )
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(*, criterion: FilterCriterion, question: str) -> FilterCriterion:
    # Past screenings stored the wording they answered, so rewording changes none of them.
    _update(criterion, {"question": question.strip()})
    return criterion


@transaction.atomic
def criterion_retire(*, criterion: FilterCriterion) -> FilterCriterion:
    if criterion.retired_at is None:
        criterion.retired_at = timezone.now()
        criterion.save(update_fields=["retired_at", "updated_at"])
    return criterion


@dataclass(frozen=True)
class Answer:
    criterion: FilterCriterion
    answer: bool
    note: str = ""


@transaction.atomic
def screening_record(
    *,
    initiative: Initiative,
    title: str,
    answers: Iterable[Answer],
    recorded_by: User | None,
    description: str = "",
    proposed_by: str = "",
    override_reason: str = "",
) -> Screening:
    """Record a proposal screened against every current criterion. It passes only if every
    answer is yes; a staff override needs a written reason (authorised by the caller)."""
    answers = list(answers)
    current = list(initiative.filter_criteria.filter(retired_at__isnull=True))
    if not current:
        raise ValidationError(_("Add the initiative's filter criteria before screening."))
    given = {a.criterion.pk for a in answers}
    missing = [c.question for c in current if c.pk not in given]
    if missing or len(given) != len(answers) or given - {c.pk for c in current}:
        raise ValidationError(
            _("Answer every criterion yes or no: %(list)s.") % {"list": "; ".join(missing)}
            if missing
            else _("The criteria changed while you were screening; reload and answer again.")
        )
    passes = all(a.answer for a in answers)
    override_reason = override_reason.strip()
    if passes and override_reason:
        override_reason = ""  # nothing to override
    screening = Screening.objects.create(
        organization_id=initiative.organization_id,
        initiative=initiative,
        title=title.strip(),
        description=description.strip(),
        proposed_by=proposed_by.strip(),
        recorded_by=recorded_by,
        passes_all=passes,
        override_reason=override_reason,
    )
    order = {c.pk: i for i, c in enumerate(current)}
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            organization_id=initiative.organization_id,
            screening=screening,
            criterion=a.criterion,
            question=a.criterion.question,
            answer=a.answer,
            note=a.note.strip(),
            position=order[a.criterion.pk],
        )
        for a in answers
    )
    return screening


@transaction.atomic
def screening_decide(*, screening: Screening, decision: str, note: str = "") -> Screening:
    decision = Screening.Decision(decision)
    if decision == Screening.Decision.ADOPTED and screening.outcome == "does_not_pass":
        raise ValidationError(
            _(
                "This proposal did not pass the filter. Staff can add it only with a written "
                "override reason."
            )
        )
    screening.decision = decision
    screening.decision_note = note.strip()
    screening.save(update_fields=["decision", "decision_note", "updated_at"])
    return screening


@transaction.atomic
def screening_override(*, screening: Screening, reason: str) -> Screening:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"override_reason": _("Write why the proposal goes ahead.")})
    if screening.passes_all:
        raise ValidationError(_("This proposal passed every criterion; no override is needed."))
    screening.override_reason = reason
    screening.save(update_fields=["override_reason", "updated_at"])
    return screening


# --- Partner organizations and people -------------------------------------------------------


PARTNER_FIELDS = {"name", "sector", "size_band", "community_led", "website", "notes"}
PERSON_FIELDS = {
    "full_name",
    "email",
    "phone",
    "partner_organization",
    "title",
    "preferred_language",
    "is_community_member",
    "race_ethnicity",
    "gender",
    "user",
}


def _clean_fields(fields: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def partner_with_name(
    organization: Organization, name: str, exclude: int | None = None
) -> PartnerOrganization | None:
    qs = PartnerOrganization.objects.in_org(organization).filter(name__iexact=name.strip())
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.first()


@transaction.atomic
def partner_create(*, organization: Organization, **fields: Any) -> PartnerOrganization:
    fields = _clean_fields(fields, PARTNER_FIELDS)
    existing = partner_with_name(organization, fields.get("name", ""))
    if existing:
        raise ValidationError(
            {"name": _("%(name)s is already a partner organization.") % {"name": existing.name}},
            code="duplicate",
        )
    partner = PartnerOrganization(organization=organization, **fields)
    partner.full_clean()
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, partner: PartnerOrganization, **fields: Any) -> PartnerOrganization:
    fields = _clean_fields(fields, PARTNER_FIELDS)
    if "name" in fields:
        existing = partner_with_name(partner.organization, fields["name"], exclude=partner.pk)
        if existing:
            raise ValidationError(
                {"name": _("%(name)s is already a partner organization.") % {"name": existing.name}}
            )
    _update(partner, fields)
    return partner


@transaction.atomic
def partner_delete(*, partner: PartnerOrganization) -> None:
    people = list(partner.people.active().values_list("full_name", flat=True)[:20])
    if people:
        raise ValidationError(
            _("People still belong to it; move them to another organization first: %(list)s.")
            % {"list": ", ".join(people)}
        )
    partner.delete()


class DuplicatePersonError(ValidationError):
    """An email already used by a person of this organization; `existing` is that person."""

    def __init__(self, existing: Person) -> None:
        super().__init__(
            {"email": _("%(name)s already has this email address.") % {"name": existing.full_name}},
            code="duplicate",
        )
        self.existing = existing


def person_with_email(
    organization: Organization, email: str, exclude: int | None = None
) -> Person | None:
    if not email.strip():
        return None
    qs = Person.objects.in_org(organization).filter(email__iexact=email.strip())
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.first()


@transaction.atomic
def person_create(*, organization: Organization, **fields: Any) -> Person:
    fields = _clean_fields(fields, PERSON_FIELDS)
    fields["email"] = fields.get("email", "").lower()
    existing = person_with_email(organization, fields["email"])
    if existing:
        raise DuplicatePersonError(existing)
    check_same_organization(organization.pk, fields.get("partner_organization"))
    person = Person(organization=organization, **fields)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_update(*, person: Person, **fields: Any) -> Person:
    fields = _clean_fields(fields, PERSON_FIELDS)
    if "email" in fields:
        fields["email"] = fields["email"].lower()
        existing = person_with_email(person.organization, fields["email"], exclude=person.pk)
        if existing:
            raise DuplicatePersonError(existing)
    check_same_organization(person.organization_id, fields.get("partner_organization"))
    _update(person, fields)
    return person


def person_holdings(*, person: Person) -> list[str]:
    """What a person holds that someone must take over before they can be removed."""
    held = [
        _("%(role)s of %(table)s") % {"role": seat.get_role_display(), "table": seat.table.name}
        for seat in person.seats.select_related("table").exclude(role=Seat.Role.MEMBER)
    ]
    return held


@transaction.atomic
def person_remove(*, person: Person) -> Person:
    """Take a person off every table and archive them (kept for the history of their work)."""
    held = person_holdings(person=person)
    if held:
        raise ValidationError(
            _("%(name)s still holds: %(list)s. Reassign these first.")
            % {"name": person.full_name, "list": "; ".join(held)},
            code="holds",
        )
    person.seats.all().delete()
    person.archived_at = timezone.now()
    person.save(update_fields=["archived_at", "updated_at"])
    return person


@transaction.atomic
def person_restore(*, person: Person) -> Person:
    person.archived_at = None
    person.save(update_fields=["archived_at", "updated_at"])
    return person


# --- Tables ---------------------------------------------------------------------------------


@transaction.atomic
def workgroup_create(
    *,
    initiative: Initiative,
    name: str,
    purpose: str = "",
    strategies: Sequence[Strategy] = (),
) -> Table:
    table = Table(
        organization_id=initiative.organization_id,
        initiative=initiative,
        kind=Table.Kind.WORKGROUP,
        name=name.strip(),
        purpose=purpose.strip(),
    )
    table.full_clean()
    table.save()
    _set_strategies(table, strategies)
    return table


def _set_strategies(table: Table, strategies: Sequence[Strategy]) -> None:
    if any(s.initiative_id != table.initiative_id for s in strategies):
        raise ValidationError(_("A workgroup can carry only strategies of its own initiative."))
    before = set(table.strategies.values_list("pk", flat=True))
    after = {s.pk for s in strategies}
    if before == after:
        return
    table.strategies.set(strategies)
    # The table's strategies and each strategy's workgroups are both in the API: both moved,
    # for ?updated_since= (a many-to-many change saves neither row).
    now = timezone.now()
    Table.objects.filter(pk=table.pk).update(updated_at=now)
    Strategy.objects.filter(pk__in=before ^ after).update(updated_at=now)
    table.updated_at = now


@transaction.atomic
def table_update(
    *,
    table: Table,
    name: str | None = None,
    purpose: str | None = None,
    strategies: Sequence[Strategy] | None = None,
) -> Table:
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = name.strip()
    if purpose is not None:
        fields["purpose"] = purpose.strip()
    if fields:
        _update(table, fields)
    if strategies is not None:
        if table.is_steering:
            raise ValidationError(_("Strategies are carried by workgroups."))
        _set_strategies(table, strategies)
    return table


def _check_seat_role(table: Table, role: str) -> Seat.Role:
    seat_role = Seat.Role(role)
    if table.is_steering and seat_role == Seat.Role.CO_CHAIR:
        raise ValidationError(_("The steering committee has a chair, not co-chairs."))
    if not table.is_steering and seat_role == Seat.Role.CHAIR:
        raise ValidationError(_("A workgroup is led by co-chairs."))
    return seat_role


def _make_sole_chair(table: Table, seat: Seat) -> None:
    if table.is_steering and seat.role == Seat.Role.CHAIR:
        # One chair at a time: the previous chair stays on as a member.
        table.seats.filter(role=Seat.Role.CHAIR).exclude(pk=seat.pk).update(
            role=Seat.Role.MEMBER, updated_at=timezone.now()
        )


@transaction.atomic
def seat_add(*, table: Table, person: Person, role: str = Seat.Role.MEMBER) -> Seat:
    check_same_organization(table.organization_id, person)
    if person.archived_at is not None:
        raise ValidationError(_("%(name)s was removed; restore them first.") % {"name": person})
    seat_role = _check_seat_role(table, role)
    seat, created = Seat.objects.get_or_create(
        table=table,
        person=person,
        defaults={"organization_id": table.organization_id, "role": seat_role},
    )
    if not created:
        raise ValidationError(
            _("%(name)s already sits at %(table)s.") % {"name": person, "table": table}
        )
    _make_sole_chair(table, seat)
    return seat


@transaction.atomic
def seat_change_role(*, seat: Seat, role: str) -> Seat:
    seat.role = _check_seat_role(seat.table, role)
    seat.save(update_fields=["role", "updated_at"])
    _make_sole_chair(seat.table, seat)
    return seat


@transaction.atomic
def seat_remove(*, seat: Seat) -> None:
    seat.delete()
