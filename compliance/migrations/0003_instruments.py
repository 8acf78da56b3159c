"""Instruments (step 1 of 3): the new tables and columns, all nullable, so that existing rows
stay valid until assessments 0009 moves the checklist and the dimensions into instruments;
0004 then makes them required and drops the old links (Dimension.methodology, components)."""
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import compliance.models

STATUS = [("confirmed", "Confirmed"), ("single_source", "Single source"),
          ("assumption", "Assumption")]


def status():
    return models.CharField(choices=STATUS, default="assumption", max_length=20,
                            verbose_name="status")


def source_note():
    return models.TextField(blank=True, help_text="Where the rule comes from, or why it is assumed.",
                            verbose_name="source")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_load_standard")]

    operations = [
        migrations.CreateModel(
            name="Instrument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("code", models.SlugField(max_length=60, verbose_name="code")),
                ("version", models.CharField(max_length=40, verbose_name="version")),
                ("name_id", models.CharField(max_length=200, verbose_name="name (Indonesian)")),
                ("name_en", models.CharField(max_length=200, verbose_name="name (English)")),
                ("purpose", models.CharField(choices=[
                    ("assessment", "Assessment (the assessing body's instrument)"),
                    ("self_assessment", "Self-assessment (the app's checklist)")],
                    max_length=20, verbose_name="purpose")),
                ("status", status()),
                ("source_note", source_note()),
                ("is_default", models.BooleanField(default=False,
                                                   verbose_name="default of its methodology")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("methodology", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="instruments",
                    to="compliance.methodology", verbose_name="methodology")),
            ],
            options={
                "verbose_name": "instrument", "verbose_name_plural": "instruments",
                "ordering": ["methodology", "code", "created_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("code", "version"),
                                            name="instrument_version_unique"),
                    models.UniqueConstraint(condition=models.Q(("is_default", True)),
                                            fields=("methodology", "purpose"),
                                            name="one_default_instrument_per_purpose"),
                    models.CheckConstraint(
                        condition=models.Q(("purpose__in", ["assessment", "self_assessment"])),
                        name="instrument_purpose_valid"),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["confirmed", "single_source",
                                                           "assumption"])),
                        name="instrument_status_valid"),
                ],
            },
            bases=(compliance.models.Bilingual, models.Model),
        ),
        # Dimension: gains an instrument (filled by assessments 0009) and its rules' status.
        migrations.RemoveConstraint(model_name="dimension", name="dimension_code_unique"),
        migrations.AddField(
            model_name="dimension", name="instrument",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="dimensions", to="compliance.instrument",
                                    verbose_name="instrument")),
        migrations.AlterField(
            model_name="dimension", name="methodology",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="old_dimensions", to="compliance.methodology")),
        migrations.AddField(
            model_name="dimension", name="rollup",
            field=models.CharField(choices=[("points", "Points over the indicators"),
                                            ("component_mean", "Mean of the component scores")],
                                   default="points", max_length=20, verbose_name="roll-up")),
        migrations.AddField(model_name="dimension", name="status", field=status()),
        migrations.AddField(model_name="dimension", name="source_note", field=source_note()),
        # Indicator: belongs to an instrument and a dimension; code unique per instrument.
        migrations.RemoveConstraint(model_name="indicator", name="indicator_order_unique"),
        migrations.AlterField(
            model_name="indicator", name="code",
            field=models.SlugField(max_length=60, verbose_name="code")),
        migrations.AlterField(
            model_name="indicator", name="component",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="indicators", to="compliance.component",
                                    verbose_name="component")),
        migrations.AddField(
            model_name="indicator", name="instrument",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="indicators", to="compliance.instrument",
                                    verbose_name="instrument")),
        migrations.AddField(
            model_name="indicator", name="dimension",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="indicators", to="compliance.dimension",
                                    verbose_name="dimension")),
        migrations.AddField(model_name="indicator", name="guidance_id",
                            field=models.TextField(blank=True,
                                                   verbose_name="guidance (Indonesian)")),
        migrations.AddField(model_name="indicator", name="guidance_en",
                            field=models.TextField(blank=True, verbose_name="guidance (English)")),
        migrations.AddField(
            model_name="indicator", name="scale",
            field=models.CharField(choices=[("yes_no", "Yes / no (0–1)"), ("0_3", "0–3"),
                                            ("0_5", "0–5 rubric")],
                                   default="yes_no", max_length=10, verbose_name="scale")),
        migrations.AddField(
            model_name="indicator", name="source_kind",
            field=models.CharField(choices=[
                ("document", "Document"), ("interview", "Interview"),
                ("observation", "Observation"), ("survey", "Survey"),
                ("complaint_record", "Complaint record"), ("secondary_data", "Secondary data")],
                default="document", max_length=20, verbose_name="kind of source")),
        migrations.AddField(model_name="indicator", name="per_product",
                            field=models.BooleanField(default=False,
                                                      verbose_name="answered per service product")),
        migrations.AddField(
            model_name="indicator", name="standing",
            field=models.BooleanField(default=False,
                                      verbose_name="standing document (carried forward)")),
        migrations.AddField(model_name="indicator", name="status", field=status()),
        migrations.AddField(model_name="indicator", name="source_note", field=source_note()),
        migrations.CreateModel(
            name="RubricLevel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("level", models.PositiveSmallIntegerField(
                    validators=[django.core.validators.MaxValueValidator(5)],
                    verbose_name="level")),
                ("description_id", models.TextField(verbose_name="description (Indonesian)")),
                ("description_en", models.TextField(blank=True,
                                                    verbose_name="description (English)")),
                ("indicator", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="rubric",
                    to="compliance.indicator", verbose_name="indicator")),
            ],
            options={
                "verbose_name": "rubric level", "verbose_name_plural": "rubric levels",
                "ordering": ["indicator", "level"],
                "constraints": [
                    models.UniqueConstraint(fields=("indicator", "level"),
                                            name="rubric_level_unique"),
                    models.CheckConstraint(condition=models.Q(("level__lte", 5)),
                                           name="rubric_level_range"),
                ],
            },
            bases=(compliance.models.Bilingual, models.Model),
        ),
    ]
