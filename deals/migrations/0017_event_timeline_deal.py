"""Event.timeline_deal: the deal whose timeline shows an event (its deal, or its inquiry's
deal), so that a timeline is one indexed lookup. Filled here in one UPDATE, then indexed."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Event = apps.get_model("deals", "Event")
    Inquiry = apps.get_model("deals", "Inquiry")
    inquiry_deal = Inquiry.objects.filter(pk=OuterRef("inquiry_id")).values("deal_id")
    Event.objects.update(timeline_deal=Coalesce(F("deal_id"), Subquery(inquiry_deal)))


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0016_deal_first_known_on'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='timeline_deal',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, help_text="The deal whose timeline shows the event: its deal, or its inquiry's deal.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='deals.deal'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['timeline_deal', 'occurred_on', 'id'], name='event_timeline_idx'),
        ),
    ]
