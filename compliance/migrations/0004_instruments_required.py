"""Instruments (step 3 of 3): after assessments 0010 placed every indicator and dimension in an
instrument, those links become required, the old ones (a dimension's methodology and its list
of components: which components a dimension covers now follows from its indicators) go, and
codes are unique per instrument."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0003_instruments"),
        ("assessments", "0010_checklist_instruments"),
    ]

    operations = [
        migrations.RemoveField(model_name="dimension", name="components"),
        migrations.RemoveField(model_name="dimension", name="methodology"),
        migrations.AlterField(
            model_name="dimension", name="instrument",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="dimensions", to="compliance.instrument",
                                    verbose_name="instrument")),
        migrations.AlterField(
            model_name="indicator", name="instrument",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="indicators", to="compliance.instrument",
                                    verbose_name="instrument")),
        migrations.AlterField(
            model_name="indicator", name="dimension",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="indicators", to="compliance.dimension",
                                    verbose_name="dimension")),
        migrations.AlterModelOptions(
            name="dimension",
            options={"ordering": ["instrument", "order", "id"], "verbose_name": "dimension",
                     "verbose_name_plural": "dimensions"}),
        migrations.AlterModelOptions(
            name="indicator",
            options={"ordering": ["instrument", "component__number", "order", "id"],
                     "verbose_name": "indicator", "verbose_name_plural": "indicators"}),
        migrations.AddConstraint(
            model_name="dimension",
            constraint=models.UniqueConstraint(fields=("instrument", "code"),
                                               name="dimension_code_unique")),
        migrations.AddConstraint(
            model_name="dimension",
            constraint=models.CheckConstraint(
                condition=models.Q(("rollup__in", ["points", "component_mean"])),
                name="dimension_rollup_valid")),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(fields=("instrument", "code"),
                                               name="indicator_code_unique")),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(condition=models.Q(("component__isnull", False)),
                                               fields=("instrument", "component", "order"),
                                               name="indicator_order_unique")),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(("scale__in", ["yes_no", "0_3", "0_5"])),
                name="indicator_scale_valid")),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(("source_kind__in", ["document", "interview", "observation",
                                                        "survey", "complaint_record",
                                                        "secondary_data"])),
                name="indicator_source_kind_valid")),
        migrations.AddIndex(
            model_name="indicator",
            index=models.Index(fields=["instrument", "active"],
                               name="compliance__instrum_6de750_idx")),
    ]
