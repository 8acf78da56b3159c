"""The shipped instruments' formulas, table-driven, with literal expected values.

Each row gives indicator values by code (and per sampled product where the instrument asks per
product) and the figure the public rule gives, worked out by hand in the row's comment; the
instrument is read from the shipped data through ``instrument_spec``, exactly as rounds read it.
Madiun 2025's PEKPPP index (4.7375, published 4.74 and 94.75) is the public record's figure.
"""
from decimal import Decimal

import pytest

from compliance.models import Instrument, RuleStatus
from compliance.scoring import instrument_unit, published_value, round2
from compliance.specs import instrument_spec, methodology_spec

pytestmark = pytest.mark.django_db

PEKPPP_PERFECT = 5
MADIUN_KEBIJAKAN = {"standar-pelayanan": 4, "maklumat-pelayanan": 5, "skm": 5, "sop": 4,
                    "tindak-lanjut-skm": 4, "kebijakan-rentan": 3, "penetapan-standar": 5,
                    "publikasi-standar": 5, "partisipasi-masyarakat": 5}
MADIUN_SISTEM_INFORMASI = {"si-informasi": 4, "si-aplikasi": 4, "si-pemutakhiran": 4,
                           "si-integrasi": 5}


def unit(code, values, *, products=(), surveys=None):
    """Score one unit: ``values`` maps an indicator code to its value (a per-unit answer) or
    to {product: value}; indicators not named score ``default`` where given in values["*"]."""
    instrument = Instrument.objects.get(code=code)
    spec = instrument_spec(instrument.id)
    ids = dict(instrument.indicators.values_list("code", "id"))
    default = values.get("*")
    answers = {}
    for indicator in spec.indicators:
        code_ = next(c for c, pk in ids.items() if pk == indicator.key)
        value = values.get(code_, default)
        if isinstance(value, dict):
            for product, item in value.items():
                answers[(indicator.key, product)] = (item, False)
        elif value is not None:
            if indicator.per_product and products:
                for product in products:
                    answers[(indicator.key, product)] = (value, False)
            else:
                answers[(indicator.key, None)] = (value, False)
    return instrument_unit(spec.indicators, spec.dimensions, answers, products, surveys or {})


# --- PEKPPP ---------------------------------------------------------------------------------

def test_madiun_2025_index_is_reproduced():
    # Kebijakan Pelayanan: (17·4 + 14·5 + 7·5 + 14·4 + 10·4 + 17·3 + 7·5·3) / 100 = 4.25;
    # Sistem Informasi: (25·4·3 + 25·5) / 100 = 4.25; the other aspects 5.
    # Index = .24·4.25 + .25·5 + .18·5 + .11·4.25 + .10·5 + .12·5 = 4.7375.
    scores = unit("pekppp-assessment",
                  {"*": PEKPPP_PERFECT, **MADIUN_KEBIJAKAN, **MADIUN_SISTEM_INFORMASI})
    assert scores.score == Decimal("94.75")  # the index × 20, exactly
    assert scores.score / 20 == Decimal("4.7375")
    pekppp = methodology_spec(Instrument.objects.get(code="pekppp-assessment").methodology_id)
    assert published_value(scores.score, pekppp.index_max) == Decimal("4.74")
    assert round2(scores.score) == Decimal("94.75")
    assert pekppp.band(scores.score).category == "A"  # 4.51–5.00 Pelayanan Prima
    assert round2(scores.dimensions["kebijakan"]) == Decimal("85.00")
    assert round2(scores.dimensions["sistem-informasi"]) == Decimal("85.00")


@pytest.mark.parametrize(("zeroed", "expected", "index"), [
    # One indicator at 0, the rest at 5: the unit loses aspect weight × indicator weight.
    ("kinerja-pelaksana", "92.50", "4.63"),  # SDM 25 % × 30 % = 7.5; 4.625 rounds half up
    ("kode-etik", "97.50", "4.88"),  # SDM 25 % × 10 % = 2.5
    ("budaya-pelayanan", "95.00", "4.75"),  # SDM 25 % × 20 % = 5
    ("standar-pelayanan", "95.92", "4.80"),  # Kebijakan 24 % × 17 % = 4.08; 4.796
    ("maklumat-pelayanan", "96.64", "4.83"),  # Kebijakan 24 % × 14 % = 3.36; 4.832
    ("skm", "98.32", "4.92"),  # Kebijakan 24 % × 7 % = 1.68; 4.916
    ("tindak-lanjut-skm", "97.60", "4.88"),  # Kebijakan 24 % × 10 % = 2.4
    ("inovasi-ada", "94.00", "4.70"),  # Inovasi 12 % × 50 % = 6
    ("si-aplikasi", "97.25", "4.86"),  # Sistem Informasi 11 % × 25 % = 2.75; 4.8625
])
def test_pekppp_indicator_and_aspect_weights(zeroed, expected, index):
    scores = unit("pekppp-assessment", {"*": PEKPPP_PERFECT, zeroed: 0})
    assert round2(scores.score) == Decimal(expected)
    assert published_value(scores.score, Decimal(5)) == Decimal(index)


def test_pekppp_holds_the_published_weights():
    instrument = Instrument.objects.get(code="pekppp-assessment")
    aspects = {d.name_id: d.weight for d in instrument.dimensions.all()}
    assert aspects == {"Kebijakan Pelayanan": Decimal("24"), "Profesionalisme SDM": Decimal("25"),
                       "Sarana Prasarana": Decimal("18"),
                       "Sistem Informasi Pelayanan Publik": Decimal("11"),
                       "Konsultasi dan Pengaduan": Decimal("10"), "Inovasi": Decimal("12")}
    weights = lambda code: [i.weight for i in instrument.indicators.filter(  # noqa: E731
        dimension__code=code).order_by("order")]
    assert weights("kebijakan") == [Decimal(w) for w in (17, 14, 7, 14, 10, 17, 7, 7, 7)]
    assert weights("sdm") == [Decimal(w) for w in (10, 20, 20, 20, 30)]
    assert {i.scale for i in instrument.indicators.all()} == {"0_5"}
    standard = instrument.indicators.get(code="standar-pelayanan")
    assert [level.description_en for level in standard.rubric.all()] == [
        "No service standard", "Exists but lacks components", "Has all 14 components",
        "Formally enacted", "Made with the community", "Monitored and evaluated"]


# --- Ombudsman 2022–2024 --------------------------------------------------------------------

INPUT_HALF = {"pengetahuan-komponen": 3, "pengetahuan-tugas": 3, "pengetahuan-ombudsman": 3,
              "pengetahuan-maladministrasi": 3, "pengetahuan-rekomendasi": 3,
              "pengetahuan-rentan": 3, "pengawasan-internal": 3}  # 7 of 14 at 3, 7 at 0
COMPLAINTS_HALF = {"pengelolaan-pengaduan": 3, "kanal-pengaduan": 3,
                   "pencatatan-pengaduan": 3}  # 3 of 6 at 3


def test_ombudsman_2022_unit_with_two_products_and_a_survey():
    # Input 21/42 = 50; Proses: product A all 3 = 100, product B all 1 = 33.33…, mean 66.66…;
    # Output (survey) 80; Pengaduan 9/18 = 50.
    # Unit = (21.85·50 + 32.37·200/3 + 24.24·80 + 21.54·50) / 100
    #      = (1092.5 + 2158 + 1939.2 + 1077) / 100 = 62.667 → 62.67 (C, yellow).
    process = {f"proses-{code}": {"A": 3, "B": 1} for code in (
        "dasar_hukum", "persyaratan", "prosedur", "jangka_waktu", "biaya", "produk", "sarana",
        "kompetensi", "pengaduan", "jaminan_pelayanan", "evaluasi_kinerja")}
    scores = unit("ombudsman-2022-assessment",
                  {"*": 0, **INPUT_HALF, **COMPLAINTS_HALF, **process},
                  products=("A", "B"), surveys={"output": Decimal(80)})
    assert round2(scores.dimensions["input"]) == Decimal("50.00")
    assert round2(scores.dimensions["process"]) == Decimal("66.67")
    assert round2(scores.dimensions["complaints"]) == Decimal("50.00")
    assert round2(scores.score) == Decimal("62.67")
    band = methodology_spec(Instrument.objects.get(
        code="ombudsman-2022-assessment").methodology_id).band(scores.score)
    assert (band.category, band.zone) == ("C", "yellow")


def test_ombudsman_2022_without_the_survey_weighs_the_other_three():
    # (1092.5 + 2158 + 1077) / (21.85 + 32.37 + 21.54) = 4327.5 / 75.76 = 57.1211… → 57.12
    process = {f"proses-{code}": {"A": 3, "B": 1} for code in (
        "dasar_hukum", "persyaratan", "prosedur", "jangka_waktu", "biaya", "produk", "sarana",
        "kompetensi", "pengaduan", "jaminan_pelayanan", "evaluasi_kinerja")}
    scores = unit("ombudsman-2022-assessment",
                  {"*": 0, **INPUT_HALF, **COMPLAINTS_HALF, **process}, products=("A", "B"))
    assert scores.dimensions["output"] is None
    assert round2(scores.score) == Decimal("57.12")


def test_ombudsman_2022_holds_the_published_shape():
    instrument = Instrument.objects.get(code="ombudsman-2022-assessment")
    assert [(d.code, d.weight, d.is_survey) for d in instrument.dimensions.all()] == [
        ("input", Decimal("21.85"), False), ("process", Decimal("32.37"), False),
        ("output", Decimal("24.24"), True), ("complaints", Decimal("21.54"), False)]
    process = instrument.indicators.filter(dimension__code="process")
    assert process.count() == 11 and all(i.per_product for i in process)
    assert {i.source_kind for i in process} == {"observation"}
    assert {i.scale for i in instrument.indicators.all()} == {"0_3"}
    named = instrument.indicators.filter(dimension__code="input", status="single_source")
    assert named.count() == 10
    assert instrument.indicators.filter(status=RuleStatus.ASSUMPTION).count() == 9
    assert all(i.source_note for i in instrument.indicators.all())


# --- Ombudsman 2016–2021 --------------------------------------------------------------------

def test_ombudsman_2016_is_the_mean_over_products_of_the_components_fulfilled():
    # Product A: 10 of 14 components (71.43), product B: 11 of 14 (78.57); mean 21/28 = 75.00
    # (yellow: 51–80.99).
    instrument = Instrument.objects.get(code="ombudsman-2016-checklist")
    codes = list(instrument.indicators.order_by("component__number").values_list("code",
                                                                                  flat=True))
    values = {code: {"A": int(n < 10), "B": int(n < 11)} for n, code in enumerate(codes)}
    scores = unit("ombudsman-2016-checklist", values, products=("A", "B"))
    assert round2(scores.score) == Decimal("75.00")
    band = methodology_spec(instrument.methodology_id).band(scores.score)
    assert band.zone == "yellow"
    assert len(codes) == 14
    assert instrument.indicators.filter(per_product=True, scale="yes_no").count() == 14


@pytest.mark.parametrize(("yes", "expected", "zone"), [
    (7, "50.00", "red"),  # 7/14 = 50 < 51
    (12, "85.71", "green"),  # 12/14 = 85.714…
    (14, "100.00", "green"),
])
def test_ombudsman_2016_one_product(yes, expected, zone):
    instrument = Instrument.objects.get(code="ombudsman-2016-checklist")
    codes = list(instrument.indicators.order_by("component__number").values_list("code",
                                                                                  flat=True))
    scores = unit("ombudsman-2016-checklist",
                  {code: int(n < yes) for n, code in enumerate(codes)}, products=("A",))
    assert round2(scores.score) == Decimal(expected)
    assert methodology_spec(instrument.methodology_id).band(scores.score).zone == zone


# --- Opini Ombudsman 2025 -------------------------------------------------------------------

@pytest.mark.parametrize(("values", "trust", "expected"), [
    # The four dimensions at 100 and public trust at 0: 70 % of the score.
    ({"*": 3}, Decimal(0), "70.00"),
    # The four dimensions at 0 and public trust at 100: 30 %.
    ({"*": 0}, Decimal(100), "30.00"),
    # Input 6/9 = 66.67, Proses 3/6 = 50, Output 100, Pengaduan 100, trust 60:
    # 17.5 · (66.666… + 50 + 100 + 100) / 100 + 30 · 60 / 100 = 55.4166… + 18 = 73.42.
    ({"*": 3, "perencanaan": 0, "persepsi-pengguna": 0}, Decimal(60), "73.42"),
])
def test_opini_2025_weighs_the_dimensions_70_and_public_trust_30(values, trust, expected):
    scores = unit("ombudsman-2025-opini", values, surveys={"public-trust": trust})
    assert round2(scores.score) == Decimal(expected)


def test_opini_2025_marks_its_split():
    instrument = Instrument.objects.get(code="ombudsman-2025-opini")
    assert instrument.methodology.code == "ombudsman-2025"
    dimensions = {d.code: (d.weight, d.status) for d in instrument.dimensions.all()}
    assert dimensions == {
        "input": (Decimal("17.5"), "assumption"), "process": (Decimal("17.5"), "assumption"),
        "output": (Decimal("17.5"), "assumption"),
        "complaints": (Decimal("17.5"), "assumption"),
        "public-trust": (Decimal("30"), "single_source")}
