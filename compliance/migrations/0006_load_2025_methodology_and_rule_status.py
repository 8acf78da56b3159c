"""The 2025 "Opini Ombudsman" methodology, every shipped methodology's and band's status and
source note, and PEKPPP's bands without zones (PEKPPP publishes grades only)."""
from django.db import migrations

from compliance.standard import load_methodologies


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_methodology_band_rule_status")]

    operations = [migrations.RunPython(load_methodologies, migrations.RunPython.noop)]
