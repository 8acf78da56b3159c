"""Agencies join the audit trail (until now their import wrote django.contrib.admin's LogEntry
instead)."""
from django.db import migrations

from audit import triggers

MODELS = {"agencies_agency": ("agencies", "Agency")}  # table -> (app label, model)


def install(apps, schema_editor):
    for table, model in MODELS.items():
        columns = [field.column for field in apps.get_model(*model)._meta.concrete_fields]
        triggers.install_table(schema_editor, table, columns)


def uninstall(apps, schema_editor):
    for table in MODELS:
        triggers.uninstall_table(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("agencies", "0001_initial"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
