"""Indexes in the orders the public lists sort by (issue 9), so that a page reads the rows it
shows from an index instead of sorting a whole table.

Newest-first orders put undated rows last (DESC NULLS LAST), which only PostgreSQL can index;
SQLite (the `make run` default) scans, as it does for the trigram indexes of 0007.
"""

from django.db import migrations, models

# name, table, columns
NULLS_LAST_INDEXES = [
    ("deal_first_known_idx", "deals_deal", '"first_known_on" DESC NULLS LAST, "title"'),
    ("deal_activity_idx", "deals_deal", '"last_activity_on" DESC NULLS LAST, "id"'),
    ("inquiry_opened_idx", "deals_inquiry", '"opened_on" DESC NULLS LAST, "id"'),
    ("inquiry_deadline_idx", "deals_inquiry", '"deadline_on" DESC NULLS LAST, "id"'),
    (
        "inquiry_regulator_opened_idx",
        "deals_inquiry",
        '"regulator_id", "opened_on" DESC NULLS LAST, "id"',
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in NULLS_LAST_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in NULLS_LAST_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0017_event_timeline_deal'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='occurred_on',
            field=models.DateField(help_text='When it happened.', verbose_name='date'),
        ),
        migrations.AlterField(
            model_name='historicalevent',
            name='occurred_on',
            field=models.DateField(help_text='When it happened.', verbose_name='date'),
        ),
        migrations.AddIndex(
            model_name='company',
            index=models.Index(fields=['name', 'id'], name='company_name_idx'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['occurred_on', 'id'], name='event_occurred_idx'),
        ),
        migrations.AddIndex(
            model_name='inquiry',
            index=models.Index(fields=['opened_on', 'id'], name='inquiry_opened_asc_idx'),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
