"""The methodologies the app ships (compliance/data/methodologies.json, loaded by the data
migration) against the published record, written out here as literals.

Source of every figure: docs/methodology.md (the bands table, the 2022–2024 dimension weights,
the PEKPPP scale, the 2025 assumption), which cites the public record for each. test_scoring.py
checks the scoring rules with bands it builds itself; this module checks the data that real
rounds use, so that a changed bound in the JSON file (B from 78 to 75, say) fails here.
"""
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from compliance.models import Methodology
from compliance.specs import methodology_spec

SHIPPED = Path(__file__).resolve().parents[2] / "compliance" / "data" / "methodologies.json"
INSTRUMENTS = SHIPPED.parent / "instruments"

# docs/methodology.md, "2016–2021 Kepatuhan terhadap Standar Pelayanan Publik": red (kepatuhan
# rendah) 0–50.99 · yellow (sedang) 51.00–80.99 · green (tinggi) 81.00–100.
BANDS_2016 = [  # (lower bound, category, zone, Indonesian label)
    (D("0"), "", "red", "Kepatuhan Rendah"),
    (D("51"), "", "yellow", "Kepatuhan Sedang"),
    (D("81"), "", "green", "Kepatuhan Tinggi"),
]
# docs/methodology.md, "2022–2024 Kepatuhan Penyelenggaraan Pelayanan Publik".
BANDS_2022 = [
    (D("0"), "E", "red", "Kualitas Terendah"),
    (D("32"), "D", "red", "Kualitas Rendah"),
    (D("54"), "C", "yellow", "Kualitas Sedang"),
    (D("78"), "B", "green", "Kualitas Tinggi"),
    (D("88"), "A", "green", "Kualitas Tertinggi"),
]
# docs/methodology.md, "KemenPAN-RB PEKPPP": F 0–1.00 Gagal · E 1.01–1.50 · D 1.51–2.00 ·
# C- 2.01–2.50 · C 2.51–3.00 · B- 3.01–3.50 · B 3.51–4.00 · A- 4.01–4.50 · A 4.51–5.00
# Pelayanan Prima. The record names only the first and last grade's words (the others are the
# app's, pinned here so they change on purpose) and PEKPPP publishes no zones: none is invented.
BANDS_PEKPPP = [
    (D("0"), "F", "", "Gagal"),
    (D("1.01"), "E", "", "Sangat Buruk"),
    (D("1.51"), "D", "", "Buruk"),
    (D("2.01"), "C-", "", "Cukup (dengan catatan)"),
    (D("2.51"), "C", "", "Cukup"),
    (D("3.01"), "B-", "", "Baik (dengan catatan)"),
    (D("3.51"), "B", "", "Baik"),
    (D("4.01"), "A-", "", "Sangat Baik"),
    (D("4.51"), "A", "", "Pelayanan Prima"),
]
# 2025 "Opini Ombudsman": numeric bands are not public. The app keeps the 2022–2024 bounds with
# the opinions' quality words (an assumption: Maluku Utara 2025 published 53.38 "Kualitas
# Rendah" and 57.61–69.63 "Kualitas Sedang", which fit them).
BANDS_2025 = [
    (D("0"), "E", "red", "Kualitas Terendah"),
    (D("32"), "D", "red", "Kualitas Rendah"),
    (D("54"), "C", "yellow", "Kualitas Sedang"),
    (D("78"), "B", "green", "Kualitas Tinggi"),
    (D("88"), "A", "green", "Kualitas Tertinggi"),
]
PUBLISHED_BANDS = {"ombudsman-2016": BANDS_2016, "ombudsman-2022": BANDS_2022,
                   "ombudsman-2025": BANDS_2025, "pekppp": BANDS_PEKPPP}
# (indicator scale 0..scale_max, published index 0..index_max): docs/methodology.md — 0–3
# indicators on a 0–100 index for 2022–2024 (and, assumed, 2025), a 0–5 rubric and a 0–5 index
# for PEKPPP; 0–100 for 2016–2021, whose yes/no (0–1) indicators are the app's reading.
SCALES = {"ombudsman-2016": (1, D("100")), "ombudsman-2022": (3, D("100")),
          "ombudsman-2025": (3, D("100")), "pekppp": (5, D("5"))}
# docs/methodology.md: 2022–2024 dimensions and weights: Input 21.85 %, Process 32.37 %,
# Output (users' perception of maladministration) 24.24 %, Complaint handling 21.54 %.
WEIGHTS_2022 = {"input": D("21.85"), "process": D("32.37"), "output": D("24.24"),
                "complaints": D("21.54")}


def shipped():
    with open(SHIPPED, encoding="utf-8") as handle:
        return {spec["code"]: spec for spec in json.load(handle)}


# --- the file itself (no database) ------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(PUBLISHED_BANDS))
def test_the_shipped_file_holds_the_published_bands(code):
    bands = [(D(band["lower_bound"]), band["category"], band["zone"], band["label_id"])
             for band in shipped()[code]["bands"]]
    assert sorted(bands) == PUBLISHED_BANDS[code]


@pytest.mark.parametrize("code", sorted(SCALES))
def test_the_shipped_file_holds_the_published_scales(code):
    spec = shipped()[code]
    assert (spec["scale_max"], D(spec["index_max"])) == SCALES[code]


def test_the_shipped_2022_dimensions_carry_the_published_weights():
    with open(INSTRUMENTS / "app-checklist-ombudsman-2022.json", encoding="utf-8") as handle:
        instrument = json.load(handle)
    assert instrument["methodology"] == "ombudsman-2022"
    dimensions = {dim["code"]: dim for dim in instrument["dimensions"]}
    assert {code: D(dim["weight"]) for code, dim in dimensions.items()} == WEIGHTS_2022
    assert [code for code, dim in dimensions.items() if dim["is_survey"]] == ["output"]
    # every one of the 14 components counts in exactly one checklist dimension
    components = [code for dim in dimensions.values() for code in dim["components"]]
    assert len(components) == len(set(components)) == 14


# --- the same data as a round uses it (database rows from the data migration) -----------------

@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(PUBLISHED_BANDS))
def test_the_loaded_methodology_holds_the_published_bands(code):
    methodology = Methodology.objects.get(code=code)
    bands = [(band.lower_bound, band.category, band.zone, band.label_id)
             for band in methodology.bands.order_by("lower_bound")]
    assert bands == PUBLISHED_BANDS[code]
    assert (methodology.scale_max, methodology.index_max) == SCALES[code]


# Scores on the 0-100 scale the app stores, with the band the record gives for the published
# (rounded) value: both sides of every bound, and a value that only reaches a bound by rounding.
BOUNDARIES = {
    # docs/methodology.md and sultra_2021.csv (Muna Barat 34.19 red, Kolut 51.10)
    "ombudsman-2016": [
        ("0", "", "red"), ("34.19", "", "red"), ("50.99", "", "red"),
        ("50.994", "", "red"), ("50.995", "", "yellow"), ("51.00", "", "yellow"),
        ("51.10", "", "yellow"), ("80.99", "", "yellow"), ("81.00", "", "green"),
        ("100", "", "green"),
    ],
    "ombudsman-2022": [  # docs/methodology.md (Muna Barat 2022 69.27 C, 2024 93.46 A)
        ("0", "E", "red"), ("31.99", "E", "red"), ("32.00", "D", "red"),
        ("53.99", "D", "red"), ("54.00", "C", "yellow"), ("69.27", "C", "yellow"),
        ("77.99", "C", "yellow"), ("77.994", "C", "yellow"), ("77.995", "B", "green"),
        ("78.00", "B", "green"), ("87.99", "B", "green"), ("88.00", "A", "green"),
        ("93.46", "A", "green"), ("100", "A", "green"),
    ],
    # Assumed (see BANDS_2025); Maluku Utara 2025: Morotai 53.38 Rendah, Sula 57.61 Sedang.
    "ombudsman-2025": [
        ("0", "E", "red"), ("31.99", "E", "red"), ("32.00", "D", "red"),
        ("53.38", "D", "red"), ("53.99", "D", "red"), ("54.00", "C", "yellow"),
        ("57.61", "C", "yellow"), ("77.99", "C", "yellow"), ("78.00", "B", "green"),
        ("87.99", "B", "green"), ("88.00", "A", "green"), ("100", "A", "green"),
    ],
    # PEKPPP publishes a 0-5 index: the stored 0-100 score × 5 / 100, rounded to 2 decimals.
    "pekppp": [
        ("0", "F", ""), ("20.00", "F", ""),  # index 1.00
        ("20.20", "E", ""), ("30.00", "E", ""),  # 1.01, 1.50
        ("30.20", "D", ""), ("40.00", "D", ""),  # 1.51, 2.00
        ("40.20", "C-", ""), ("50.00", "C-", ""),  # 2.01, 2.50
        ("50.20", "C", ""), ("60.00", "C", ""),  # 2.51, 3.00
        ("60.20", "B-", ""), ("70.00", "B-", ""),  # 3.01, 3.50
        ("70.20", "B", ""), ("80.00", "B", ""),  # 3.51, 4.00
        ("80.20", "A-", ""), ("90.00", "A-", ""),  # 4.01, 4.50
        ("90.10", "A", ""), ("90.20", "A", ""), ("100", "A", ""),  # 4.505→4.51
        ("90.09", "A-", ""),  # 4.5045 → 4.50
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "score", "category", "zone"), [
    (code, score, category, zone)
    for code, rows in BOUNDARIES.items() for score, category, zone in rows])
def test_a_round_on_each_methodology_bands_scores_as_published(code, score, category, zone):
    spec = methodology_spec(Methodology.objects.get(code=code).id)
    band = spec.band(D(score))
    assert (band.category, band.zone) == (category, zone)
