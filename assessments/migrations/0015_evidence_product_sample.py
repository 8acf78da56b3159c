"""Evidence of a per-product indicator attaches to the sampled product it supports (the
column is empty for the unit's own indicators). The column is added in place on both
databases (nullable), so the closed-round guard's triggers stay; on SQLite the audit
trail's triggers copy columns by name and are written again to include it."""
import django.db.models.deletion
from django.db import migrations, models

from audit import triggers

from ._sqlite_triggers import restore


def audit_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL's trigger copies whole rows
    model = apps.get_model("assessments", "Evidence")
    triggers.install_sqlite(schema_editor, "assessments_evidence",
                            [field.column for field in model._meta.concrete_fields])


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0014_closed_round_guard_more_tables"),
    ]

    operations = [
        # Backwards, SQLite drops the column by rebuilding the table, which loses its
        # triggers: this (run last when going back) puts the audit and guard triggers back.
        migrations.RunPython(migrations.RunPython.noop,
                             restore({"assessments_evidence": ("assessments", "Evidence")})),
        migrations.AddField(
            model_name="evidence",
            name="product_sample",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="evidence_items",
                                    to="assessments.productsample",
                                    verbose_name="sampled product"),
        ),
        migrations.RunPython(audit_columns, audit_columns),
    ]
