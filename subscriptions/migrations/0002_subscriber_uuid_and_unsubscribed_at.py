"""Subscribers get a random id for their links, and the time they last unsubscribed.

The id is added empty, filled row by row with a fresh uuid4, then made unique (a callable
default would give every existing row the same value).
"""

import uuid

from django.db import migrations, models


def give_each_subscriber_a_random_id(apps, schema_editor):
    Subscriber = apps.get_model("subscriptions", "Subscriber")
    for pk in Subscriber.objects.filter(uuid__isnull=True).values_list("pk", flat=True):
        Subscriber.objects.filter(pk=pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_subscriber_a_random_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscriber",
            name="uuid",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="Names the subscriber in emailed links: random, so that nobody can make a link for the next subscriber by counting, even knowing the signing key.",
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="subscriber",
            name="unsubscribed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When they last unsubscribed from everything. Links sent before this (manage, confirm) no longer work, so an old email cannot subscribe them again.",
                null=True,
            ),
        ),
    ]
