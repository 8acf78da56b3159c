"""Pages over a unit assessed with the shipped 2022–2024 instrument (``ombudsman-2022-assessment``:
points roll-up, interview indicators that concern no component, components whose indicators
sit in two dimensions, eleven indicators per sampled product), checked against figures worked
out by hand. The browser walk (tests/browser/test_round_2022_instrument.py) found these pages
wrong on that instrument.

The unit samples two products. The operator claims 3 for every Input indicator, 1 for every
Pengaduan indicator, 3 for every per-product indicator of the first product and 1 for the
second. The assessor finds 2 for every Input indicator, 3 for every Pengaduan indicator, 3 for
the first product (its cost not applicable) and 0 for the second, and a survey of 80.
"""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency, AgencyKind, Government, Role
from assessments.models import (Answer, Assessment, ProductSample, Round, RoundGovernment,
                                ServiceProduct)
from assessments.selectors.comparison import government_comparison, rapor
from assessments.services.answers import answer_save
from assessments.services.products import product_samples_set
from assessments.services.scores import (assessment_recompute_scores,
                                         assessment_recompute_verified)
from assessments.services.verification import answer_verify, assessment_set_survey
from compliance.models import Indicator, Instrument, Methodology

from compliance.specs import clear_cache

from ..conftest import build_world_once, ensure_standard, make_user


def _claim(indicator, product_position):
    if indicator.per_product:
        return 3 if product_position == 0 else 1
    return 3 if indicator.dimension.code == "input" else 1


def _finding(indicator, product_position):
    """(value, not applicable) the assessor records."""
    if indicator.per_product:
        if product_position == 1:
            return 0, False
        return (None, True) if indicator.component.code == "biaya" else (3, False)
    return (2 if indicator.dimension.code == "input" else 3), False


def build_shipped_unit():
    """Muna Barat's DPMPTSP on the shipped instrument, answered and verified as the module's
    docstring says, onto the standard and Sulawesi Tenggara's governments."""
    from agencies.regions import regions_load

    ensure_standard()
    clear_cache()
    regions_load(provinces={"74"})
    instrument = Instrument.objects.get(code="ombudsman-2022-assessment")
    mubar = Government.objects.get(name="Kabupaten Muna Barat")
    agency = Agency.objects.create(government=mubar, name="DPMPTSP Muna Barat",
                                   short_name="DPMPTSP", kind=AgencyKind.DPMPTSP)
    products = [ServiceProduct.objects.create(agency=agency, name=name, kind=kind)
                for name, kind in (("Izin usaha", "administrative"),
                                   ("Konsultasi", "services"))]
    round_ = Round.objects.create(
        year=2026, name="Penilaian 2026", state=Round.State.SELF_ASSESSMENT,
        methodology=Methodology.objects.get(code="ombudsman-2022"), instrument=instrument,
        self_deadline=timezone.localdate() + timedelta(days=30),
        verification_deadline=timezone.localdate() + timedelta(days=60))
    RoundGovernment.objects.create(round=round_, government=mubar)
    unit = Assessment.objects.create(round=round_, agency=agency, sampled=True)
    operator = make_user("operator", Role.OPERATOR, agency=agency)
    assessor = make_user("assessor", Role.ASSESSOR, government=mubar)
    product_samples_set(assessment_id=unit.id, product_ids=[p.id for p in products])
    samples = list(ProductSample.objects.filter(assessment=unit).order_by("order", "id"))
    indicators = list(Indicator.objects.filter(instrument=instrument, active=True)
                      .select_related("component", "dimension"))
    slots = [(indicator, position, sample.id if indicator.per_product else None)
             for indicator in indicators
             for position, sample in enumerate(samples if indicator.per_product else [None])]
    for indicator, position, sample_id in slots:
        answer_save(assessment_id=unit.id, indicator=indicator, user=operator,
                    value=_claim(indicator, position), not_applicable=False, note="",
                    expected_version=0, product_sample_id=sample_id)
    Round.objects.filter(pk=round_.pk).update(state=Round.State.VERIFICATION)
    for indicator, position, sample_id in slots:
        value, not_applicable = _finding(indicator, position)
        answer_verify(assessment_id=unit.id, indicator=indicator, user=assessor,
                      verified_value=value, verified_not_applicable=not_applicable,
                      finding="", expected_version=0, product_sample_id=sample_id)
    assessment_set_survey(assessment_id=unit.id, user=assessor, score=Decimal("80.00"))
    unit.refresh_from_db()
    round_.refresh_from_db()
    return {"unit": unit, "round": round_, "government": mubar, "samples": samples,
            "indicators": indicators, "operator": operator, "assessor": assessor}


@pytest.fixture(scope="module")
def shipped_world(django_db_setup, django_db_blocker):
    """The unit built once for the module (every answer saved and verified through the
    services: ~3 s per test before); each test runs in a savepoint of it."""
    yield from build_world_once(django_db_blocker, build_shipped_unit)


@pytest.fixture
def shipped_unit(shipped_world, db):
    """The module's unit with its rows read again (a test's changes to the round's state or the
    scores were rolled back in the database only) and its users' cached scopes dropped."""
    from agencies.access import forget_scope

    shipped_world["unit"].refresh_from_db()
    shipped_world["round"].refresh_from_db()
    forget_scope(shipped_world["operator"], shipped_world["assessor"])
    return shipped_world


def test_the_unit_scores_by_hand(shipped_unit):
    """Self: Input 42/42, Proses (33/33 + 11/33) / 2, Pengaduan 6/18, no survey:
    (21.85 × 100 + 32.37 × 66.6667 + 21.54 × 33.3333) / 75.76 = 5061 / 75.76 = 66.8031… → 66.80.
    Verified: Input 28/42, Proses (30/30 + 0/33) / 2, Output 80, Pengaduan 18/18:
    (21.85 × 66.6667 + 32.37 × 50 + 24.24 × 80 + 21.54 × 100) / 100 = 71.6837 → 71.68."""
    unit = shipped_unit["unit"]
    assert (unit.self_score, unit.verified_score) == (Decimal("66.80"), Decimal("71.68"))


def test_the_comparison_shows_each_dimension_as_the_instrument_scores_it(shipped_unit):
    """Each dimension as the unit's score is made of it: points over its own indicators,
    Proses per product and then the mean (not the mean of the components' scores, which mix
    the Input facilities with the products' and leave out the interview indicators)."""
    result = government_comparison(government=shipped_unit["government"],
                                   round_=shipped_unit["round"])
    figures = {row.code: (row.scores.self_score, row.scores.verified_score)
               for row in result.dimensions}
    assert figures == {
        "input": (Decimal("100.00"), Decimal("66.67")),
        "process": (Decimal("66.67"), Decimal("50.00")),
        "output": (None, Decimal("80.00")),
        "complaints": (Decimal("33.33"), Decimal("100.00")),
    }


def _row(html, row_id):
    start = html.index(f'<tr id="{row_id}"')
    return html[start:html.index("</tr>", start)]


def test_the_comparison_page_prints_the_published_dimension_weights(client, shipped_unit):
    """21.85 / 32.37 / 24.24 / 21.54 as published (docs/methodology.md), not rounded to
    22 / 32 / 24 / 22."""
    client.force_login(make_user("admin", Role.ADMINISTRATOR))
    html = client.get(reverse("comparison", args=[shipped_unit["government"].id,
                                                  shipped_unit["round"].id])).content.decode()
    for row_id, weight, verified in (("dimension-input", "21,85", "66,67"),
                                     ("dimension-process", "32,37", "50,00"),
                                     ("dimension-output", "24,24", "80,00"),
                                     ("dimension-complaints", "21,54", "100,00")):
        row = _row(html, row_id)
        assert f"{weight}&nbsp;%" in row and verified in row, row_id


def test_the_rapor_lists_each_product_indicator_once_per_sampled_product(client, shipped_unit):
    """20 indicators per unit and 11 per product for 2 products: 42 lines; a per-product line
    names its product and carries that product's two values (it showed "—" on both sides)."""
    unit = shipped_unit["unit"]
    report = rapor(Assessment.objects.select_related("round", "agency__government")
                   .get(id=unit.id))
    assert len(report.indicators) == 42
    legal = [line for line in report.indicators
             if line.indicator.code == "proses-dasar_hukum"]
    assert [(line.text, line.value, line.verified_value) for line in legal] == [
        ("Produk layanan memenuhi komponen Dasar hukum — Izin usaha", 3, 3),
        ("Produk layanan memenuhi komponen Dasar hukum — Konsultasi", 1, 0)]
    cost = [line for line in report.indicators if line.indicator.code == "proses-biaya"]
    assert [(line.value, line.verified_not_applicable) for line in cost] == [
        (3, True), (1, False)]

    client.force_login(make_user("admin", Role.ADMINISTRATOR))
    html = client.get(reverse("rapor", args=[unit.id])).content.decode()
    first, second = shipped_unit["samples"]
    assert "Izin usaha" in _row(html, f"indicator-a1-{first.id}")
    row = _row(html, f"indicator-a1-{second.id}")
    assert "Konsultasi" in row and 'data-figure="verified">0' in row.replace("\n", "")
    workbook = load_workbook(io.BytesIO(client.get(reverse("rapor-xlsx", args=[unit.id]))
                                        .content))
    rows = [row for row in workbook["Temuan"].iter_rows(min_row=6, values_only=True) if row[0]]
    assert len(rows) == 42
    assert ("a1", "Produk layanan memenuhi komponen Dasar hukum — Konsultasi", 1, 0) in [
        row[:4] for row in rows]


def test_the_rapor_workbook_carries_the_survey_score(client, shipped_unit):
    """The summary's "Survei" column held only the reason for a missing survey: with a
    survey of 80 it was empty, where the page shows 80,00."""
    client.force_login(make_user("admin", Role.ADMINISTRATOR))
    workbook = load_workbook(io.BytesIO(client.get(
        reverse("rapor-xlsx", args=[shipped_unit["unit"].id])).content))
    summary = workbook["Ringkasan"]
    headers = [c.value for c in next(summary.iter_rows(min_row=5, max_row=5))]
    values = [c.value for c in next(summary.iter_rows(min_row=6, max_row=6))]
    assert dict(zip(headers, values))["Survei"] == 80


def _forget(unit, code, **values):
    """Empty one per-product indicator's answers on both products, as if never given."""
    Answer.objects.filter(assessment=unit, indicator__code=code).update(**values)


def test_the_confirmation_pages_count_answers_as_the_checklist_and_the_sheet_do(
        client, shipped_unit):
    """A per-product indicator counts once per sampled product, on the confirmation pages as
    on the checklist ("40 of 42") and the verification sheet: one such indicator left on
    both products is 2 answers missing, not 1 (the submit page said "41 of 42"), and the
    finalising page counts the sheet's 42, not the instrument's 31 indicators."""
    unit = shipped_unit["unit"]
    client.force_login(shipped_unit["assessor"])
    text = client.get(reverse("verify-finalise-confirm", args=[unit.id])).content.decode()
    assert "<strong>42 dari 42</strong> indikator sudah diverifikasi." in text

    _forget(unit, "proses-prosedur", verified_value=None)
    assessment_recompute_verified(assessment=unit)
    text = client.get(reverse("verify-finalise-confirm", args=[unit.id])).content.decode()
    assert "<strong>40 dari 42</strong> indikator sudah diverifikasi." in text
    sheet = client.get(reverse("verify", args=[unit.id])).content.decode()
    assert "40 dari 42 indikator terverifikasi" in sheet

    Round.objects.filter(pk=unit.round_id).update(state=Round.State.SELF_ASSESSMENT)
    _forget(unit, "proses-prosedur", value=None)
    assessment_recompute_scores(assessment=unit)
    client.force_login(shipped_unit["operator"])
    text = client.get(reverse("checklist-submit-confirm", args=[unit.id])).content.decode()
    assert "<strong>40 dari 42</strong> indikator sudah dijawab." in text
    checklist_page = client.get(reverse("checklist", args=[unit.id])).content.decode()
    assert "40 dari 42 indikator terjawab" in checklist_page


def _indicator(shipped_unit, code):
    return next(i for i in shipped_unit["indicators"] if i.code == code)


def test_saving_an_answer_without_a_component_sends_no_component_score(client, shipped_unit):
    """An interview indicator concerns no Art. 21 component: its save has no component score
    to refresh, and a fragment for "#component-score-" (no such element) made htmx log an
    error in the browser on every such save."""
    unit = shipped_unit["unit"]
    Round.objects.filter(pk=unit.round_id).update(state=Round.State.SELF_ASSESSMENT)
    client.force_login(shipped_unit["operator"])
    for code, component_score in (("pengetahuan-komponen", False),
                                  ("sarana-ruang-layanan", True)):
        indicator = _indicator(shipped_unit, code)
        html = client.post(reverse("answer-save", args=[unit.id, indicator.id]),
                           {"value": "2", "version": "1"}, HTTP_HX_REQUEST="true"
                           ).content.decode()
        assert "Tersimpan." in html
        assert ('id="component-score-' in html) is component_score, code
        if component_score:
            assert f'id="component-score-{indicator.component_id}"' in html


def test_a_verified_value_saved_on_the_sheet_refreshes_its_component_score(client,
                                                                           shipped_unit):
    """Facilities (g): g11 and g12 under Input (2 each) and each product's facilities (3, 0).
    g11 found 0: per product (0 + 2 + 3) / 9 and (0 + 2 + 0) / 9, mean 7/18 = 38.89 (it was
    61.11, and the sheet kept showing the score of when it was opened)."""
    unit, indicator = shipped_unit["unit"], _indicator(shipped_unit, "sarana-ruang-layanan")
    client.force_login(shipped_unit["assessor"])
    sheet = client.get(reverse("verify", args=[unit.id])).content.decode()
    assert "61,11" in _span(sheet, f"verified-component-score-{indicator.component_id}")
    html = client.post(reverse("verify-save", args=[unit.id, indicator.id]),
                       {"verified_value": "0", "version": "1", "finding": "", "page": "sheet"},
                       HTTP_HX_REQUEST="true").content.decode()
    score = _span(html, f"verified-component-score-{indicator.component_id}")
    assert 'hx-swap-oob="true"' in score and "38,89" in score
    assert 'id="verify-summary"' in html


def test_a_verified_value_saved_on_the_sources_page_sends_nothing_the_page_lacks(
        client, shipped_unit):
    """The sources page has no summary and no component scores: fragments for them made
    htmx log an error in the browser on every save of a complaint-record indicator."""
    unit, indicator = shipped_unit["unit"], _indicator(shipped_unit, "pencatatan-pengaduan")
    client.force_login(shipped_unit["assessor"])
    page = client.get(reverse("sources", args=[unit.id])).content.decode()
    assert 'name="page" value="sources"' in page
    html = client.post(reverse("verify-save", args=[unit.id, indicator.id]),
                       {"verified_value": "2", "version": "1", "finding": "",
                        "page": "sources"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Tersimpan." in html and 'name="page" value="sources"' in html
    assert "hx-swap-oob" not in html


def _span(html, element_id):
    start = html.index(f'<span id="{element_id}"')
    return html[start:html.index("</span>", html.index("</strong>", start))]
