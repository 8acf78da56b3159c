"""The assessing bodies' instruments as the public record shows them: the Ombudsman's 2016–2021
checklist, its 2022–2024 instrument, PEKPPP as published and the 2025 Opinion instrument
(compliance/data/instruments/), and the 2025 methodology they need if it is not there yet
(its bands, not public, come with the methodology data of its own)."""
import json

from django.db import migrations

from compliance.standard import DATA, INSTRUMENTS, load_instrument

FILES = ("ombudsman-2016-checklist.json", "ombudsman-2022-assessment.json",
         "pekppp-assessment.json", "ombudsman-2025-opini.json")


def forwards(apps, schema_editor):
    Methodology = apps.get_model("compliance", "Methodology")
    with open(DATA / "methodologies.json", encoding="utf-8") as handle:
        for spec in json.load(handle):
            if spec["code"] == "ombudsman-2025":
                Methodology.objects.get_or_create(code=spec["code"], defaults={
                    key: spec[key] for key in ("name_id", "name_en", "scale_max", "index_max",
                                               "first_year", "last_year")})
    if not apps.get_model("compliance", "Component").objects.exists():
        return  # a database without the standard (it is loaded by 0002 otherwise)
    for name in FILES:
        with open(INSTRUMENTS / name, encoding="utf-8") as handle:
            load_instrument(json.load(handle), apps)


def backwards(apps, schema_editor):
    Instrument = apps.get_model("compliance", "Instrument")
    codes = []
    for name in FILES:
        with open(INSTRUMENTS / name, encoding="utf-8") as handle:
            codes.append(json.load(handle)["code"])
    Instrument.objects.filter(code__in=codes, rounds__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0007_source_note_help_text")]

    operations = [migrations.RunPython(forwards, backwards)]
