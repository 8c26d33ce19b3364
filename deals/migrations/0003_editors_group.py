"""The Editors group: add and change the tracker's content in the admin, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# (app label, model) pairs editors may add and change; they may also delete timeline events
# and parties, which are corrected by removing them.
EDITABLE = [
    ("deals", "company"),
    ("deals", "companyalias"),
    ("deals", "deal"),
    ("deals", "party"),
    ("deals", "inquiry"),
    ("deals", "event"),
]
DELETABLE = [("deals", "event"), ("deals", "party"), ("deals", "companyalias")]
VIEWABLE = [("deals", "regulator")]


def grant(apps, group, pairs, actions):
    Permission = apps.get_model("auth", "Permission")
    for app_label, model in pairs:
        for action in actions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name="Editors")
    grant(apps, editors, EDITABLE, ["add", "change", "view"])
    grant(apps, editors, DELETABLE, ["delete"])
    grant(apps, editors, VIEWABLE, ["view"])


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0002_regulators"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
