"""A picture of every row of this project's models, to assert that a request changed nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models


def project_models() -> list[type[models.Model]]:
    """The models of this project's apps (not Django's or third-party ones)."""
    base = Path(settings.BASE_DIR)
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        where = Path(config.path)
        if where.is_relative_to(base) and ".venv" not in where.relative_to(base).parts:
            found.extend(config.get_models())
    return found


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model of this project, all fields."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in project_models()
    }
