"""The audit trail also records the Ombudsman's products and their follow-up (entered by
coordinators, verified by assessors; they feed a 2025 indicator)."""
from django.db import migrations

from audit import triggers

MODELS = {  # table -> (app label, model) whose columns the SQLite triggers copy
    "assessments_ombudsmanproduct": ("assessments", "OmbudsmanProduct"),
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
        ("audit", "0004_agencies_tables"),
        ("assessments", "0013_ombudsman_products"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
