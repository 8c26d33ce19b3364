"""The EC merger register became its own source (`ec-mergers`): the merger cases the `ec` source
stored are now that source's, so its first run finds them (the same inquiries, events and
companies) instead of storing them a second time. Their hash is cleared: the first run applies
each once through the new mapping (procedure, regulation, the notification event)."""

from django.db import migrations


def forwards(apps, schema_editor):
    RawRecord = apps.get_model("ingest", "RawRecord")
    RawRecord.objects.filter(source="ec", external_id__startswith="M.").update(
        source="ec-mergers", content_hash=""
    )


def backwards(apps, schema_editor):
    RawRecord = apps.get_model("ingest", "RawRecord")
    RawRecord.objects.filter(source="ec-mergers").update(source="ec", content_hash="")


class Migration(migrations.Migration):
    dependencies = [("ingest", "0006_source_choices_from_registry")]

    operations = [migrations.RunPython(forwards, backwards)]
