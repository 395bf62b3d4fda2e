"""The email log keeps every rendered message. On PostgreSQL the bodies are compressed with
lz4 instead of the default pglz: a NAG digest with its recap charts is a few hundred kilobytes,
and lz4 compresses and reads it back several times faster, at a similar size. Messages already stored
keep their compression (PostgreSQL reads both). Nothing to do on other databases, or on a
PostgreSQL built without lz4. The fields become MessageBodyField (the same text column, inserted
as plain parameters: see its docstring); no schema change."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import backbone.models

COLUMNS = ("body_text", "body_html")


def _has_lz4(schema_editor: Any) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        found = cursor.fetchone()
    return bool(found and found[0])


def _set(method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if not _has_lz4(schema_editor):
            return
        table = schema_editor.quote_name(apps.get_model("backbone", "OutboundEmail")._meta.db_table)
        changes = ", ".join(
            f"ALTER COLUMN {schema_editor.quote_name(c)} SET COMPRESSION {method}" for c in COLUMNS
        )
        schema_editor.execute(f"ALTER TABLE {table} {changes}")

    return run


class Migration(migrations.Migration):
    dependencies = [("backbone", "0006_timestamps_for_sync_more")]

    operations = [
        migrations.AlterField(
            model_name="outboundemail",
            name="body_html",
            field=backbone.models.MessageBodyField(blank=True),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="body_text",
            field=backbone.models.MessageBodyField(),
        ),
        migrations.RunPython(_set("lz4"), _set("default")),
    ]
