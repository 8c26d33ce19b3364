"""Trigram indexes for the free-text search (`q`) on PostgreSQL.

Django's icontains is `UPPER(column) LIKE UPPER('%text%')`, which no B-tree index can serve; a
GIN trigram index on the same UPPER() expression can. SQLite (the `make run` default) has no
such index and is left alone.
"""

from django.db import migrations

INDEXES = [
    ("deals_deal_title_trgm", "deals_deal", "title"),
    ("deals_company_name_trgm", "deals_company", "name"),
    ("deals_companyalias_name_trgm", "deals_companyalias", "name"),
    ("deals_inquiry_reference_trgm", "deals_inquiry", "reference"),
    ("deals_inquiry_title_trgm", "deals_inquiry", "title"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) '
            "gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("deals", "0006_nulls_last_ordering")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
