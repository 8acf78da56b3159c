"""An index on the assessment an entry's row belongs to, for the checklist's change history
(one index search instead of a scan of every answer's entries)."""
from django.db import migrations

from audit import triggers

INDEX = "audit_entry_assessment"


def install(apps, schema_editor):
    key = triggers.ASSESSMENT_KEY[schema_editor.connection.vendor]
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {triggers.TABLE} ({key}, id)", params=None)


def uninstall(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_agencies")]
    operations = [migrations.RunPython(install, uninstall)]
