"""Instruments and service products (schema): a round's instrument (nullable until 0010 fills
it, required from 0011), the agencies' service products, the products sampled per assessment,
and answers per sampled product (one answer per indicator per unit, or per indicator and
product)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from audit import triggers

from ._sqlite_triggers import restore

NEW_TABLES = {"assessments_serviceproduct": "ServiceProduct",
              "assessments_productsample": "ProductSample"}


def audit_new_tables(apps, schema_editor):
    """Products and their sampling are choices people make: the audit trail records them."""
    def columns_of(table):
        model = apps.get_model("assessments", NEW_TABLES[table])
        return [field.column for field in model._meta.concrete_fields]

    triggers.install_triggers(schema_editor, columns_of, list(NEW_TABLES))


def unaudit_new_tables(apps, schema_editor):
    triggers.uninstall_triggers(schema_editor, list(NEW_TABLES))


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("assessments", "0008_leader_reports"),
        ("compliance", "0003_instruments"),
        ("audit", "0004_agencies_tables"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="round", name="instrument",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="rounds", to="compliance.instrument",
                                    verbose_name="instrument")),
        migrations.CreateModel(
            name="ServiceProduct",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("kind", models.CharField(choices=[("administrative", "Administrative"),
                                                   ("goods", "Goods"), ("services", "Services")],
                                          max_length=20, verbose_name="kind")),
                ("legal_basis", models.CharField(blank=True, max_length=300,
                                                 verbose_name="legal basis")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("agency", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                             related_name="products", to="agencies.agency",
                                             verbose_name="agency")),
            ],
            options={
                "verbose_name": "service product", "verbose_name_plural": "service products",
                "ordering": ["agency", "name", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("agency", "name"),
                                            name="service_product_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["administrative", "goods", "services"])),
                        name="service_product_kind_valid"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ProductSample",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="order")),
                ("chosen_at", models.DateTimeField(auto_now_add=True, verbose_name="chosen at")),
                ("assessment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="product_samples",
                                                 to="assessments.assessment",
                                                 verbose_name="assessment")),
                ("chosen_by", models.ForeignKey(blank=True, null=True,
                                                on_delete=django.db.models.deletion.SET_NULL,
                                                related_name="+", to=settings.AUTH_USER_MODEL,
                                                verbose_name="chosen by")),
                ("product", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                              related_name="samples",
                                              to="assessments.serviceproduct",
                                              verbose_name="service product")),
            ],
            options={
                "verbose_name": "sampled product", "verbose_name_plural": "sampled products",
                "ordering": ["assessment", "order", "id"],
                "constraints": [models.UniqueConstraint(fields=("assessment", "product"),
                                                        name="one_sample_per_product")],
            },
        ),
        migrations.AddField(
            model_name="answer", name="product_sample",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="answers", to="assessments.productsample",
                                    verbose_name="sampled product")),
        migrations.RemoveConstraint(model_name="answer", name="one_answer_per_indicator"),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.UniqueConstraint(condition=models.Q(("product_sample__isnull", True)),
                                               fields=("assessment", "indicator"),
                                               name="one_answer_per_indicator")),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("product_sample__isnull", False)),
                fields=("assessment", "indicator", "product_sample"),
                name="one_answer_per_indicator_and_product")),
        # SQLite rebuilt the answer table to drop its plain unique constraint.
        migrations.RunPython(restore({"assessments_answer": ("assessments", "Answer"),
                                      "assessments_round": ("assessments", "Round")}),
                             migrations.RunPython.noop),
        migrations.RunPython(audit_new_tables, unaudit_new_tables),
    ]
