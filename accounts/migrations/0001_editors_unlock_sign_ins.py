"""Editors may see the failed sign-ins django-axes keeps and lift a lock-out (by removing the
records), without being able to manage users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [("accessattempt", ["view", "delete"]), ("accessfailurelog", ["view"])]


def grant_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for model, actions in GRANTS:
        for action in actions:
            editors.permissions.add(
                Permission.objects.get(content_type__app_label="axes", codename=f"{action}_{model}")
            )


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.remove(*Permission.objects.filter(content_type__app_label="axes"))


class Migration(migrations.Migration):
    dependencies = [
        ("axes", "0010_accessattemptexpiration"),
        ("deals", "0003_editors_group"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
