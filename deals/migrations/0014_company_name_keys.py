"""Recompute the name keys of companies and alternative names: the key now leaves out the
legal form ("Volkswagen AG" and "Volkswagen Aktiengesellschaft" both give "volkswagen").

Two companies that now share a key are NOT merged here: `manage.py company_duplicates` lists
them for an editor, who merges them in the admin. Two alternative names of one company that now
share a key are one alternative name: the later one is deleted (the unique constraint allows
one per company and key).
"""

from django.db import migrations

from deals.names import name_key


def recompute(apps, schema_editor):
    Company = apps.get_model("deals", "Company")
    CompanyAlias = apps.get_model("deals", "CompanyAlias")
    changed = []
    for company in Company.objects.only("pk", "name", "name_key").iterator():
        key = name_key(company.name)
        if key != company.name_key:
            company.name_key = key
            changed.append(company)
    Company.objects.bulk_update(changed, ["name_key"], batch_size=500)
    seen, changed, duplicate = set(), [], []
    for alias in CompanyAlias.objects.order_by("pk").only("pk", "company_id", "name", "name_key"):
        key = name_key(alias.name)
        if (alias.company_id, key) in seen:
            duplicate.append(alias.pk)
            continue
        seen.add((alias.company_id, key))
        if key != alias.name_key:
            alias.name_key = key
            changed.append(alias)
    CompanyAlias.objects.filter(pk__in=duplicate).delete()
    CompanyAlias.objects.bulk_update(changed, ["name_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("deals", "0013_search_documents")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
