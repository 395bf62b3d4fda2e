from django.db import migrations, models
from django.db.models import F


def updated_when_created(apps, schema_editor):
    # Partners added before this field existed were last changed, as far as anyone knows, when
    # they were added (not when this migration ran).
    apps.get_model("initiatives", "PartnerOrganization").objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_person_nag_paused_person_undeliverable_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnerorganization",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(updated_when_created, migrations.RunPython.noop),
    ]
