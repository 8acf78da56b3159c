"""The audit trail also records provinces, governments and aliases (agencies since 0002):
merging two governments, loading the official list and importing agencies change them."""
from django.db import migrations

from audit import triggers

MODELS = {  # table -> (app label, model) whose columns the SQLite triggers copy
    "agencies_province": ("agencies", "Province"),
    "agencies_government": ("agencies", "Government"),
    "agencies_alias": ("agencies", "Alias"),
}


def install(apps, schema_editor):
    def columns_of(table):
        model = apps.get_model(*MODELS[table])
        return [field.column for field in model._meta.concrete_fields]

    triggers.install_triggers(schema_editor, columns_of, list(MODELS))


def uninstall(apps, schema_editor):
    triggers.uninstall_triggers(schema_editor, list(MODELS))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_assessment_index"),
        ("agencies", "0002_official_codes_time_zones_aliases"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
