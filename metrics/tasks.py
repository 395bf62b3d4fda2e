"""Thin Celery tasks of shared measurement: importing a large data file in the background."""

from __future__ import annotations

from celery import shared_task

from backbone.generations import data_changed
from metrics.data_imports import data_import_run


@shared_task
def run_data_import(pk: int) -> str:
    """Import one data file marked as importing (queued on commit by the import page). Safe to
    run twice: a file no longer importing is left alone, and a failed attempt wrote nothing."""
    done = data_import_run(pk=pk)
    if done is None:
        return "skipped"
    data_changed(done.organization_id)
    return str(done.status)
