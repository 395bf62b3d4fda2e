from django.db import migrations, models
from django.db.models import F


def fill_from_each_other(apps, schema_editor):
    # Rows made before these fields existed: last changed, as far as anyone knows, when they
    # were made; a key action's making is dated by its last change. One UPDATE per table.
    apps.get_model("workplans", "Workplan").objects.update(updated_at=F("created_at"))
    apps.get_model("workplans", "HelpRequest").objects.update(
        updated_at=models.functions.Coalesce(F("resolved_at"), F("created_at"))
    )
    apps.get_model("workplans", "KeyAction").objects.update(created_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("backbone", "0002_outbound_email_bounced_replied"),
        ("workplans", "0005_meeting_sequence_calendar_feed"),
    ]

    operations = [
        migrations.AddField(
            model_name="workplan",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="keyaction",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AddField(
            model_name="helprequest",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(fill_from_each_other, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["organization", "updated_at"], name="workplans_c_organiz_3e4beb_idx"
            ),
        ),
    ]
