"""Writes of the dashboard app's settings. Board packets have their own module (packets.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dashboard.models import DashboardSettings, new_public_key
from initiatives.models import Initiative
from metrics.models import Indicator

# The board packet goes out at most a month ahead (the model's validator says the same).
PACKET_DAYS_BEFORE_MAX = 30


def settings_for(initiative: Initiative) -> DashboardSettings:
    """The initiative's dashboard settings, made with the defaults the first time they are read
    (off by default: partners do not read the dashboard and nothing is published)."""
    found, _created = DashboardSettings.objects.get_or_create(
        initiative=initiative, defaults={"organization_id": initiative.organization_id}
    )
    return found


@transaction.atomic
def dashboard_settings_update(
    *,
    settings: DashboardSettings,
    partners_may_view: bool,
    packet_auto_send: bool,
    packet_days_before: int,
    public_enabled: bool,
    public_intro: str,
    public_indicators: Iterable[Indicator],
) -> DashboardSettings:
    """Save what staff chose on the settings page. Only the initiative's own indicators can be
    published: an indicator of another initiative (or organization) is refused and nothing is
    saved, whatever the form let through."""
    indicators = list(public_indicators)
    errors: dict[str, str] = {}
    if not 0 <= packet_days_before <= PACKET_DAYS_BEFORE_MAX:
        errors["packet_days_before"] = _("Choose between 0 and %(max)s days.") % {
            "max": PACKET_DAYS_BEFORE_MAX
        }
    foreign = [
        i
        for i in indicators
        if i.organization_id != settings.organization_id
        or i.initiative_id != settings.initiative_id
    ]
    if foreign:
        errors["public_indicators"] = _("Only this initiative's indicators can be published.")
    if errors:
        raise ValidationError(errors)
    settings.partners_may_view = partners_may_view
    settings.packet_auto_send = packet_auto_send
    settings.packet_days_before = packet_days_before
    settings.public_enabled = public_enabled
    settings.public_intro = public_intro.strip()
    settings.save(
        update_fields=[
            "partners_may_view",
            "packet_auto_send",
            "packet_days_before",
            "public_enabled",
            "public_intro",
            "updated_at",
        ]
    )
    settings.public_indicators.set(indicators)
    return settings


@transaction.atomic
def public_key_renew(*, settings: DashboardSettings) -> str:
    """Give the public page a new address: the old one answers 404 from now on (for instance
    when a draft link went around before the page was ready)."""
    settings.public_key = new_public_key()
    settings.save(update_fields=["public_key", "updated_at"])
    return settings.public_key
