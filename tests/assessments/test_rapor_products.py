"""The rapor of a unit assessed with the Ombudsman's 2022–2024 instrument
("ombudsman-2022-assessment", shipped): its eleven Process indicators are answered per sampled
product; the rapor shows each product's Process score on both sides (its indicators' values are
the indicator lines, one per product), then the Process dimension as the mean over the
products. On the page, in the PDF and in the workbook.

Figures worked out by hand (Process: points, every indicator weight 1, scale 0–3, so a
product's score is Σ values / (3 × applicable indicators) × 100):
- "Izin usaha": claimed 3 everywhere → 33/33 = 100.00; verified 2 everywhere → 22/33 = 66.67;
- "Konsultasi": cost not applicable on both sides (free of charge); claimed 2 on five
  indicators and 1 on the other five → 15/30 = 50.00; verified 3 on four, 0 on six → 12/30
  = 40.00;
- Process over the two products: self (100 + 50) / 2 = 75.00; verified (66.666… + 40) / 2
  = 53.33."""
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Assessment, Round, ServiceProduct
from assessments.selectors.comparison import rapor
from assessments.services.answers import answer_save
from assessments.services.products import product_samples_set
from assessments.services.verification import answer_verify
from compliance.models import Instrument

from .helpers import figures, text_of_pdf

INSTRUMENT = "ombudsman-2022-assessment"
# Konsultasi: the operator's and the assessor's values per Process indicator (None: N/A)
KONSULTASI_SELF = {"dasar_hukum": 2, "persyaratan": 2, "prosedur": 2, "jangka_waktu": 2,
                   "produk": 2, "biaya": None, "sarana": 1, "kompetensi": 1, "pengaduan": 1,
                   "jaminan_pelayanan": 1, "evaluasi_kinerja": 1}
KONSULTASI_VERIFIED = {"dasar_hukum": 3, "persyaratan": 3, "prosedur": 3, "jangka_waktu": 3,
                       "produk": 0, "biaya": None, "sarana": 0, "kompetensi": 0, "pengaduan": 0,
                       "jaminan_pelayanan": 0, "evaluasi_kinerja": 0}
FINDING = "Produk layanan konsultasi belum ditetapkan dalam SK"


def process_indicators():
    instrument = Instrument.objects.get(code=INSTRUMENT)
    return {indicator.code.removeprefix("proses-"): indicator
            for indicator in instrument.indicators.filter(per_product=True, active=True)
            .select_related("component")}


@pytest.fixture
def product_world(live_round, personas):
    """Unit a of the live round on the shipped instrument, two products sampled, every Process
    indicator answered for both and verified for "Izin usaha" only."""
    round_ = live_round["round"]
    Round.objects.filter(pk=round_.pk).update(
        instrument=Instrument.objects.get(code=INSTRUMENT))
    assessment = Assessment.objects.select_related("round", "agency__government").get(
        pk=live_round["assessments"]["a"].pk)
    agency = assessment.agency
    products = [ServiceProduct.objects.create(agency=agency, name=name, kind=kind)
                for name, kind in (("Izin usaha", "administrative"),
                                   ("Konsultasi", "services"))]
    izin, konsultasi = product_samples_set(assessment_id=assessment.id,
                                           by=personas["coordinator"],
                                           product_ids=[p.id for p in products])
    indicators = process_indicators()
    assert len(indicators) == 11
    for code, indicator in indicators.items():
        for sample, value in ((izin, 3), (konsultasi, KONSULTASI_SELF[code])):
            answer_save(assessment_id=assessment.id, indicator=indicator,
                        user=personas["operator"], value=value,
                        not_applicable=value is None, note="", expected_version=0,
                        product_sample_id=sample.id)
    Round.objects.filter(pk=round_.pk).update(state=Round.State.VERIFICATION)
    assessment.round.refresh_from_db()
    for indicator in indicators.values():
        answer_verify(assessment_id=assessment.id, indicator=indicator,
                      user=personas["assessor"], verified_value=2,
                      verified_not_applicable=False, finding="", expected_version=0,
                      product_sample_id=izin.id)
    return {**live_round, "personas": personas, "unit": assessment, "izin": izin,
            "konsultasi": konsultasi, "indicators": indicators}


def verify_konsultasi(world):
    for code, indicator in world["indicators"].items():
        value = KONSULTASI_VERIFIED[code]
        answer_verify(assessment_id=world["unit"].id, indicator=indicator,
                      user=world["personas"]["assessor"], verified_value=value,
                      verified_not_applicable=value is None,
                      finding=FINDING if code == "produk" else "", expected_version=0,
                      product_sample_id=world["konsultasi"].id)


def scores_of(row):
    return (row.code, row.scores.self_score, row.scores.verified_score)


def product_rows(report):
    return {row.sample.product.name: row for row in report.products.rows}


@pytest.mark.django_db
def test_each_product_has_its_process_score_and_the_dimension_their_mean(product_world):
    report = rapor(product_world["unit"])
    assert [row.sample.product.name for row in report.products.rows] == ["Izin usaha",
                                                                         "Konsultasi"]
    rows = product_rows(report)
    # Not yet verified for Konsultasi: no verified score (not 0.00) for that product.
    assert scores_of(rows["Izin usaha"]) == ("process", Decimal("100.00"), Decimal("66.67"))
    assert scores_of(rows["Konsultasi"]) == ("process", Decimal("50.00"), None)

    verify_konsultasi(product_world)
    report = rapor(product_world["unit"])
    rows = product_rows(report)
    assert scores_of(rows["Izin usaha"]) == ("process", Decimal("100.00"), Decimal("66.67"))
    assert scores_of(rows["Konsultasi"]) == ("process", Decimal("50.00"), Decimal("40.00"))
    (mean,) = report.products.means
    assert mean.sample is None
    assert scores_of(mean) == ("process", Decimal("75.00"), Decimal("53.33"))
    assert mean.scores.gap == Decimal("-21.67")
    # The indicators' own values per product are the rapor's lines for that product.
    lines = {(line.indicator.code, line.sample.product.name): line
             for line in report.indicators if line.sample is not None}
    assert len(lines) == 22
    biaya = lines[("proses-biaya", "Konsultasi")]
    produk = lines[("proses-produk", "Konsultasi")]
    assert (biaya.not_applicable, biaya.verified_not_applicable, biaya.gap) == (True, True, None)
    assert (produk.value, produk.verified_value, produk.gap, produk.finding) == (2, 0, -2,
                                                                                FINDING)


@pytest.mark.django_db
def test_the_page_pdf_and_workbook_show_the_product_scores(client, product_world, tmp_path):
    verify_konsultasi(product_world)
    unit, izin, konsultasi = (product_world["unit"], product_world["izin"],
                              product_world["konsultasi"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(product_world["personas"]["assessor"])
    html = client.get(reverse("rapor", args=[unit.id])).content.decode()
    assert figures(html, f"product-{izin.id}-process") == {
        "self": Decimal("100.00"), "verified": Decimal("66.67"), "gap": Decimal("-33.33")}
    assert figures(html, f"product-{konsultasi.id}-process") == {
        "self": Decimal("50.00"), "verified": Decimal("40.00"), "gap": Decimal("-10.00")}
    assert figures(html, "products-mean-process") == {
        "self": Decimal("75.00"), "verified": Decimal("53.33"), "gap": Decimal("-21.67")}

    pdf = text_of_pdf(client.get(reverse("rapor-pdf", args=[unit.id])).content, tmp_path)
    assert "Score per sampled product" in pdf
    assert "1. Izin usaha" in pdf and "2. Konsultasi" in pdf
    assert "100.00 66.67" in pdf and "50.00 40.00" in pdf and "75.00 53.33" in pdf

    book = load_workbook(io.BytesIO(client.get(reverse("rapor-xlsx", args=[unit.id])).content))
    assert book.sheetnames == ["Summary", "Components", "Findings", "Product scores"]
    rows = [[cell.value for cell in row] for row in book["Product scores"].iter_rows(min_row=6)]
    assert [(row[0], round(row[2], 2), round(row[3], 2), round(row[4], 2)) for row in rows] == [
        ("1. Izin usaha", 100.0, 66.67, -33.33), ("2. Konsultasi", 50.0, 40.0, -10.0),
        ("Mean over the products", 75.0, 53.33, -21.67)]


@pytest.mark.django_db
def test_the_rapor_of_an_instrument_without_products_has_no_product_table(
        client, live_round, personas, django_assert_num_queries):
    assessment = Assessment.objects.select_related("round", "agency__government").get(
        id=live_round["assessments"]["a"].id)
    rapor(assessment)  # warms the instrument cache
    with django_assert_num_queries(3):
        report = rapor(assessment)
    assert not report.products
    client.force_login(personas["assessor"])
    assert 'id="rapor-products"' not in client.get(
        reverse("rapor", args=[assessment.id])).content.decode()
