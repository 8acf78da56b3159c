"""django-simple-history's tables go: the audit trail (audit/, database triggers) is the one
record of changes, and the checklist's history reads it. What the historical tables held from
before the trail was installed (audit 0001) is not copied."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_obstacles"),
    ]
    operations = [
        migrations.DeleteModel(name="HistoricalActionItem"),
        migrations.DeleteModel(name="HistoricalAnswer"),
        migrations.DeleteModel(name="HistoricalEvidence"),
        migrations.DeleteModel(name="HistoricalObstacle"),
    ]
