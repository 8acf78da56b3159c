"""The app's checklists mark their standing documents: the indicators whose evidence is the
service standard decree (SK standar pelayanan) or the signed maklumat, which stay valid from one
year to the next and are offered to the operator to carry forward when a new round opens
(indicators.csv, column ``standing``). Only this flag changes: it takes no part in any score."""
from django.db import migrations

from compliance.standard import checklist_rows

APP_CHECKLISTS = ("app-checklist-ombudsman-2016", "app-checklist-ombudsman-2022",
                  "app-checklist-pekppp")


def standing_codes():
    return sorted(row["code"] for row in checklist_rows() if row["standing"])


def forwards(apps, schema_editor):
    Indicator = apps.get_model("compliance", "Indicator")
    Indicator.objects.filter(instrument__code__in=APP_CHECKLISTS,
                             code__in=standing_codes()).update(standing=True)


def backwards(apps, schema_editor):
    Indicator = apps.get_model("compliance", "Indicator")
    Indicator.objects.filter(instrument__code__in=APP_CHECKLISTS,
                             code__in=standing_codes()).update(standing=False)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0008_published_instruments")]

    operations = [migrations.RunPython(forwards, backwards)]
