"""Load the 14 Article 21 components, the default checklist and the methodologies.

The loader of the day, frozen here: ``compliance.standard`` now loads instruments, a shape this
migration's models do not have yet (0003 and assessments 0009 move this data to instruments)."""
import csv
import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

# The methodologies of the day; later ones come with their own migrations.
METHODOLOGIES_OF_THE_DAY = {"ombudsman-2016", "ombudsman-2022", "pekppp"}

# The dimensions of the day (methodologies.json no longer holds them: instruments do).
DIMENSIONS = {'ombudsman-2022': [{'code': 'input',
                     'order': 1,
                     'name_id': 'Input (kompetensi pelaksana, sarana prasarana)',
                     'name_en': 'Input (staff competence, facilities)',
                     'weight': '21.85',
                     'is_survey': False,
                     'components': ['sarana', 'kompetensi', 'jumlah_pelaksana']},
                    {'code': 'process',
                     'order': 2,
                     'name_id': 'Proses (pemenuhan standar pelayanan)',
                     'name_en': 'Process (service-standard compliance)',
                     'weight': '32.37',
                     'is_survey': False,
                     'components': ['dasar_hukum',
                                    'persyaratan',
                                    'prosedur',
                                    'jangka_waktu',
                                    'biaya',
                                    'produk',
                                    'pengawasan',
                                    'jaminan_pelayanan',
                                    'jaminan_keamanan',
                                    'evaluasi_kinerja']},
                    {'code': 'output',
                     'order': 3,
                     'name_id': 'Output (persepsi maladministrasi pengguna layanan)',
                     'name_en': "Output (users' perception of maladministration)",
                     'weight': '24.24',
                     'is_survey': True,
                     'components': []},
                    {'code': 'complaints',
                     'order': 4,
                     'name_id': 'Pengelolaan pengaduan',
                     'name_en': 'Complaint handling',
                     'weight': '21.54',
                     'is_survey': False,
                     'components': ['pengaduan']}]}


def load_standard(apps, schema_editor=None):
    """Upsert the components, the default checklist and the methodologies."""
    Component = apps.get_model("compliance", "Component")
    Indicator = apps.get_model("compliance", "Indicator")
    Methodology = apps.get_model("compliance", "Methodology")
    Band = apps.get_model("compliance", "Band")
    Dimension = apps.get_model("compliance", "Dimension")

    with open(DATA / "components.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Component.objects.update_or_create(
                code=row["code"],
                defaults={
                    "number": int(row["number"]), "letter": row["letter"],
                    "name_id": row["name_id"], "name_en": row["name_en"],
                    "group": row["group"], "must_publish": row["must_publish"] == "true",
                },
            )
    components = {c.code: c for c in Component.objects.all()}

    with open(DATA / "indicators.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            component = components[row["component"]]
            Indicator.objects.update_or_create(
                code=f"{row['component']}-{row['order']}",
                defaults={
                    "component": component, "order": int(row["order"]),
                    "text_id": row["text_id"], "text_en": row["text_en"],
                    "evidence_id": row["evidence_id"], "evidence_en": row["evidence_en"],
                },
            )

    with open(DATA / "methodologies.json", encoding="utf-8") as handle:
        for spec in json.load(handle):
            if spec["code"] not in METHODOLOGIES_OF_THE_DAY:
                continue  # added later by its own migration (0006: ombudsman-2025)
            methodology, _ = Methodology.objects.update_or_create(
                code=spec["code"],
                defaults={
                    "name_id": spec["name_id"], "name_en": spec["name_en"],
                    "scale_max": spec["scale_max"], "index_max": Decimal(spec["index_max"]),
                    "first_year": spec["first_year"], "last_year": spec["last_year"],
                },
            )
            for band in spec["bands"]:
                Band.objects.update_or_create(
                    methodology=methodology, lower_bound=Decimal(band["lower_bound"]),
                    defaults={key: band[key] for key in ("category", "label_id", "label_en",
                                                         "zone")},
                )
            for dim in DIMENSIONS.get(spec["code"], []):
                dimension, _ = Dimension.objects.update_or_create(
                    methodology=methodology, code=dim["code"],
                    defaults={
                        "order": dim["order"], "name_id": dim["name_id"],
                        "name_en": dim["name_en"], "weight": Decimal(dim["weight"]),
                        "is_survey": dim["is_survey"],
                    },
                )
                dimension.components.set([components[code] for code in dim["components"]])


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(load_standard, migrations.RunPython.noop)]
