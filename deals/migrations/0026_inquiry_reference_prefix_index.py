"""A B-tree index on the start of each inquiry's search document (its reference, then its title),
for a search that looks like a case reference (`/inquiries/?q=M.1`, deals/search.py): the
matches are a range of this index, so counting them stops after the thousand the list counts,
where the full-text index read every word starting with "1" in every document first.

`text_pattern_ops`, so that `LIKE ' m 1%'` is a range whatever the database's collation; the
expression is the one `deals.search.document_start()` builds. SQLite (the `make run` default)
scans, as it does for the other search indexes.
"""

from django.db import migrations

INDEX = "deals_inquiry_reference_prefix"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON deals_inquiry "
        "((LEFT(SPLIT_PART(search_document, '|', 1), 120)) text_pattern_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("deals", "0025_stats_year_aggregates")]

    operations = [migrations.RunPython(create_index, drop_index)]
