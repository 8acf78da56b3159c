"""The audit trail: an append-only table written by triggers on the audited tables."""
from django.db import migrations, models

from audit import triggers

MODELS = {  # table -> (app label, model) whose columns the SQLite triggers copy
    "assessments_round": ("assessments", "Round"),
    "assessments_assessment": ("assessments", "Assessment"),
    "assessments_answer": ("assessments", "Answer"),
    "assessments_evidence": ("assessments", "Evidence"),
    "assessments_governmentresult": ("assessments", "GovernmentResult"),
    "assessments_roundgovernment": ("assessments", "RoundGovernment"),
    "assessments_actionitem": ("assessments", "ActionItem"),
    "assessments_obstacle": ("assessments", "Obstacle"),
    "agencies_membership": ("agencies", "Membership"),
    "auth_user": ("auth", "User"),
}


def install(apps, schema_editor):
    def columns_of(table):
        model = apps.get_model(*MODELS[table])
        return [field.column for field in model._meta.concrete_fields]

    triggers.install(schema_editor, columns_of, list(MODELS))


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor, list(MODELS))


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("assessments", "0005_obstacles"),
        ("agencies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("at", models.DateTimeField(verbose_name="time")),
                ("table_name", models.CharField(max_length=63, verbose_name="table")),
                ("row_id", models.CharField(max_length=40, verbose_name="row")),
                ("action", models.CharField(choices=[("insert", "created"),
                                                     ("update", "changed"),
                                                     ("delete", "deleted")],
                                            max_length=6, verbose_name="action")),
                ("actor", models.CharField(max_length=150, verbose_name="actor")),
                ("actor_id", models.BigIntegerField(null=True, verbose_name="actor id")),
                ("request_id", models.CharField(blank=True, max_length=32,
                                                verbose_name="request id")),
                ("old_values", models.JSONField(null=True, verbose_name="old values")),
                ("new_values", models.JSONField(null=True, verbose_name="new values")),
            ],
            options={"verbose_name": "audit entry", "verbose_name_plural": "audit entries",
                     "db_table": "audit_entry", "ordering": ["-id"], "managed": False},
        ),
        migrations.RunPython(install, uninstall),
    ]
