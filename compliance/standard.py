"""The reference data of the standard: the 14 Article 21 components (from components.csv, the
project's copy of the shared domain reference), the methodologies with their bands
(methodologies.json) and the shipped instruments (data/instruments/, one JSON file each).

Loading is an upsert, so running it again never duplicates anything. Tests that flush the
database call it again with the live models. (The first data migration keeps its own frozen
copy of the loader of its day; 0003/0009 moved that data to instruments.)

An instrument file holds the instrument's fields, its ``dimensions`` and its ``indicators``:
either a list (each with its ``dimension`` code, optional ``component`` code, scale, kind of
source, per_product, standing, status, guidance and optional ``rubric`` levels), or
``{"from_csv": "indicators.csv", "scale": …, "source_kind": …}``: the app's checklist file,
each row placed in the dimension whose ``components`` list names its component.
"""
import csv
import json
from decimal import Decimal
from pathlib import Path

from django.apps import apps as global_apps

DATA = Path(__file__).resolve().parent / "data"
INSTRUMENTS = DATA / "instruments"

INSTRUMENT_FIELDS = ("name_id", "name_en", "purpose", "status", "source_note", "source_note_id",
                     "is_default")
DIMENSION_FIELDS = ("order", "name_id", "name_en", "is_survey", "rollup", "status",
                    "source_note", "source_note_id")
INDICATOR_FIELDS = ("order", "text_id", "text_en", "evidence_id", "evidence_en", "guidance_id",
                    "guidance_en", "scale", "source_kind", "per_product", "standing", "status",
                    "source_note", "source_note_id")
BAND_FIELDS = ("category", "label_id", "label_en", "zone", "status", "source_note",
               "source_note_id")


def instrument_files():
    """The shipped instrument definitions, in file-name order."""
    for path in sorted(INSTRUMENTS.glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            yield json.load(handle)


def checklist_rows():
    """The app's 48-indicator checklist (indicators.csv) as instrument indicator rows."""
    with open(DATA / "indicators.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield {"code": f"{row['component']}-{row['order']}", "component": row["component"],
                   "order": int(row["order"]), "text_id": row["text_id"],
                   "text_en": row["text_en"], "evidence_id": row["evidence_id"],
                   "evidence_en": row["evidence_en"],
                   # a document that stays valid from year to year (the service standard
                   # decree, the maklumat), offered to carry forward (an app choice)
                   "standing": row.get("standing") == "true"}


def indicator_rows(spec):
    """The indicator rows of an instrument file, each with its dimension code."""
    indicators = spec["indicators"]
    if isinstance(indicators, list):
        return indicators
    dimension_of = {code: dim["code"] for dim in spec["dimensions"]
                    for code in dim.get("components", ())}
    defaults = {key: value for key, value in indicators.items() if key != "from_csv"}
    return [{**defaults, **row, "dimension": dimension_of[row["component"]]}
            for row in checklist_rows()]


def load_instrument(spec, apps=global_apps):
    """Upsert one instrument (by code and version) with its dimensions, indicators and
    rubric levels. Returns the instrument."""
    Methodology = apps.get_model("compliance", "Methodology")
    Component = apps.get_model("compliance", "Component")
    Instrument = apps.get_model("compliance", "Instrument")
    Dimension = apps.get_model("compliance", "Dimension")
    Indicator = apps.get_model("compliance", "Indicator")
    RubricLevel = apps.get_model("compliance", "RubricLevel")
    components = {c.code: c for c in Component.objects.all()}
    instrument, _ = Instrument.objects.update_or_create(
        code=spec["code"], version=spec["version"],
        defaults={"methodology": Methodology.objects.get(code=spec["methodology"]),
                  **_known(Instrument, {key: spec[key] for key in INSTRUMENT_FIELDS
                                        if key in spec})},
    )
    dimensions = {}
    for dim in spec["dimensions"]:
        dimensions[dim["code"]], _ = Dimension.objects.update_or_create(
            instrument=instrument, code=dim["code"],
            defaults={"weight": Decimal(dim["weight"]),
                      **_known(Dimension, {key: dim[key] for key in DIMENSION_FIELDS
                                           if key in dim})},
        )
    for row in indicator_rows(spec):
        indicator, _ = Indicator.objects.update_or_create(
            instrument=instrument, code=row["code"],
            defaults={
                "dimension": dimensions[row["dimension"]],
                "component": components[row["component"]] if row.get("component") else None,
                "weight": Decimal(row.get("weight", "1")),
                **_known(Indicator, {key: row[key] for key in INDICATOR_FIELDS if key in row}),
            },
        )
        for level in row.get("rubric", ()):
            RubricLevel.objects.update_or_create(
                indicator=indicator, level=level["level"],
                defaults={"description_id": level["description_id"],
                          "description_en": level.get("description_en", "")})
    return instrument


def load_standard(apps=global_apps, schema_editor=None):
    """Upsert the components, the methodologies with their bands, and the instruments."""
    Component = apps.get_model("compliance", "Component")
    Methodology = apps.get_model("compliance", "Methodology")
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

    load_methodologies(apps)
    for spec in instrument_files():
        load_instrument(spec, apps)


def _methodology_specs():
    with open(DATA / "methodologies.json", encoding="utf-8") as handle:
        return json.load(handle)


def _known(model, values):
    """Only the fields the (possibly historical) model has: earlier data migrations run with
    the same data files before the status fields (0005) and the Indonesian source notes (0010)
    exist."""
    names = {field.name for field in model._meta.get_fields()}
    return {key: value for key, value in values.items() if key in names}


def load_methodologies(apps=global_apps, schema_editor=None):
    """Upsert the methodologies and their bands (with status and source notes) from
    methodologies.json; the instruments (with their dimensions) are loaded by ``load_standard``."""
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
                "source_note_id": spec.get("source_note_id", ""),
            }),
        )
        for band in spec["bands"]:
            Band.objects.update_or_create(
                methodology=methodology, lower_bound=Decimal(band["lower_bound"]),
                defaults=_known(Band, {key: band[key] for key in BAND_FIELDS if key in band}),
            )
