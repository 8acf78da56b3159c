"""Load the 14 Article 21 components, the default checklist and the methodologies."""
from django.db import migrations

from compliance.standard import load_standard


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(load_standard, migrations.RunPython.noop)]
