"""The reference data of the standard: the 14 Article 21 components (from components.csv;
see docs/methodology.md), the default checklist and the methodologies.

Loading is an upsert, so running it again never duplicates anything. The data migration calls
it with historical models; tests that flush the database call it again with the live ones.
"""
import csv
import json
from decimal import Decimal
from pathlib import Path

from django.apps import apps as global_apps

DATA = Path(__file__).resolve().parent / "data"


def load_standard(apps=global_apps, schema_editor=None):
    """Upsert the components, the default checklist and the methodologies."""
    Component = apps.get_model("compliance", "Component")
    Indicator = apps.get_model("compliance", "Indicator")
    Methodology = apps.get_model("compliance", "Methodology")
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

    load_methodologies(apps)
    methodologies = {m.code: m for m in Methodology.objects.all()}
    for spec in _methodology_specs():
        methodology = methodologies[spec["code"]]
        for dim in spec["dimensions"]:
            dimension, _ = Dimension.objects.update_or_create(
                methodology=methodology, code=dim["code"],
                defaults={
                    "order": dim["order"], "name_id": dim["name_id"],
                    "name_en": dim["name_en"], "weight": Decimal(dim["weight"]),
                    "is_survey": dim["is_survey"],
                },
            )
            dimension.components.set([components[code] for code in dim["components"]])


def _methodology_specs():
    with open(DATA / "methodologies.json", encoding="utf-8") as handle:
        return json.load(handle)


def _known(model, values):
    """Only the fields the (possibly historical) model has: the first data migration runs before
    the status fields exist, with the same data file."""
    names = {field.name for field in model._meta.get_fields()}
    return {key: value for key, value in values.items() if key in names}


def load_methodologies(apps=global_apps, schema_editor=None):
    """Upsert the methodologies and their bands (with status and source note) from
    methodologies.json; dimensions are left to ``load_standard``."""
    Methodology = apps.get_model("compliance", "Methodology")
    Band = apps.get_model("compliance", "Band")
    for spec in _methodology_specs():
        methodology, _ = Methodology.objects.update_or_create(
            code=spec["code"],
            defaults=_known(Methodology, {
                "name_id": spec["name_id"], "name_en": spec["name_en"],
                "scale_max": spec["scale_max"], "index_max": Decimal(spec["index_max"]),
                "first_year": spec["first_year"], "last_year": spec["last_year"],
                "status": spec.get("status", "assumption"),
                "source_note": spec.get("source_note", ""),
            }),
        )
        for band in spec["bands"]:
            Band.objects.update_or_create(
                methodology=methodology, lower_bound=Decimal(band["lower_bound"]),
                defaults=_known(Band, {key: band[key] for key in (
                    "category", "label_id", "label_en", "zone", "status", "source_note")}),
            )
