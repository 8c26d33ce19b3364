"""Deals sort under "Newest announced" by their announcement date, else their first event."""

from django.db import migrations, models
from django.db.models import Min, Q


def fill(apps, schema_editor):
    """The announcement date, else the first event of the deal or of its inquiries."""
    Deal = apps.get_model("deals", "Deal")
    Event = apps.get_model("deals", "Event")
    changed = []
    for deal in Deal.objects.only("pk", "announced_on"):
        first = deal.announced_on or Event.objects.filter(
            Q(deal=deal) | Q(inquiry__deal=deal)
        ).aggregate(first=Min("occurred_on"))["first"]
        if first:
            deal.first_known_on = first
            changed.append(deal)
    Deal.objects.bulk_update(changed, ["first_known_on"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("deals", "0015_company_redirects")]

    operations = [
        migrations.AlterModelOptions(
            name="deal",
            options={
                "ordering": [
                    models.OrderBy(models.F("first_known_on"), descending=True, nulls_last=True),
                    "title",
                ]
            },
        ),
        migrations.AddField(
            model_name="deal",
            name="first_known_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="The announcement date, else the date of the deal's first event: what "
                "'Newest announced' sorts on, so an imported deal without an announcement date "
                "does not sort last.",
                null=True,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
