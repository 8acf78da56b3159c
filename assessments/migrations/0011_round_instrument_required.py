"""Every round has its instrument (0010 set them): the column becomes required."""
import django.db.models.deletion
from django.db import migrations, models

from ._sqlite_triggers import restore, set_aside

before, after = set_aside("assessments_round")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0010_checklist_instruments")]

    operations = [
        migrations.RunPython(before, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="round", name="instrument",
            field=models.ForeignKey(blank=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="rounds", to="compliance.instrument",
                                    verbose_name="instrument")),
        # SQLite rebuilt the round table to make the column NOT NULL.
        migrations.RunPython(after, migrations.RunPython.noop),
        migrations.RunPython(restore({"assessments_round": ("assessments", "Round")}),
                             migrations.RunPython.noop),
    ]
