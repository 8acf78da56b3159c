"""A round on the shipped 2022–2024 instrument (``ombudsman-2022-assessment``) walked end to end
through the pages only (issue 13): the coordinator samples two of the unit's three service
products, the operator answers the whole self-assessment (per unit and per product) and
submits, the administrator opens verification, the assessor records the four sources
(interviews of the four officials, observations of both products, the survey, complaint
records and their indicators) and the rest on the verification sheet and finalises, the
administrator publishes, and the published unit and government score is the figure worked out
by hand below from the values entered here. The leader's self-vs-verified page shows each
dimension's figure below, the unit's rapor each product's own values, and no page logs a
console error on the way. BROWSER_SHOTS=<folder> saves screenshots of the main steps.

Expected score, by hand (docs/methodology.md, 2022–2024: each dimension is points over the
maximum of its applicable indicators, 0–3 each, weight 1; Proses per sampled product, then the
mean of the products; the unit is the weighted mean of the dimensions, 21.85 / 32.37 / 24.24 /
21.54; an interview indicator's value is the mean of the officials asked, rounded half-up):

- Input, 14 indicators, max 42: interviews 3+2+2+2+1+2+3+1+2+3 = 21, observations on the sheet
  2+3+3+1 = 9; 30/42 = 71.428571…
- Proses, 11 indicators per product: "Izin usaha" 24/33 = 72.727272…, "Konsultasi" 16/30 (cost
  not applicable) = 53.333333…; mean 63.030303…
- Output, the survey: 76.40
- Pengaduan, 6 indicators, max 18: interviews 3+3+2 = 8, complaint records 3+2+2 = 7; 15/18 =
  83.333333…
- unit = (21.85 × 71.428571 + 32.37 × 63.030303 + 24.24 × 76.40 + 21.54 × 83.333333) / 100
       = (1560.714286 + 2040.290909 + 1851.936000 + 1795.000000) / 100 = 72.479412 → 72.48
- the government has one sampled unit: 72.48, category C (54 ≤ 72.48 < 78, "Kualitas Sedang").
"""
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Agency, AgencyKind, Government, Role
from assessments.models import Assessment, ProductSample, Round, RoundGovernment, ServiceProduct
from compliance.models import Indicator, Instrument, Methodology

from ..conftest import make_user
from .helpers import log_in

DAY = "2026-06-15"
SHOTS = os.environ.get("BROWSER_SHOTS")  # a folder: the walk saves its screenshots there

# Interviews: (head, section head, complaint officer, front-line officer); None = not asked.
INTERVIEWS = {
    "pengetahuan-komponen": (3, 3, 2, 3),         # 11/4 = 2.75 -> 3
    "pengetahuan-tugas": (3, 2, None, 2),         # 7/3 = 2.33 -> 2
    "pengetahuan-ombudsman": (2, 1, 2, 1),        # 1.5 -> 2
    "pengetahuan-maladministrasi": (2, 2, 1, 1),  # 1.5 -> 2
    "pengetahuan-rekomendasi": (1, 1, 0, 0),      # 0.5 -> 1
    "pengetahuan-rentan": (2, None, None, 1),     # 1.5 -> 2
    "pengawasan-internal": (3, 2, None, None),    # 2.5 -> 3
    "jaminan-kompensasi": (1, None, None, None),  # 1
    "kompetensi-pelatihan": (2, 2, 2, 2),         # 2
    "evaluasi-kinerja-berkala": (3, None, None, 2),  # 2.5 -> 3
    "pengelolaan-pengaduan": (3, None, 3, None),  # 3
    "kanal-pengaduan": (None, None, 2, 3),        # 2.5 -> 3
    "tindak-lanjut-produk-ombudsman": (2, None, 1, None),  # 1.5 -> 2
}
ROLES = ("head", "section_head", "complaint_officer", "front_line")
SHEET = {"jumlah-pelaksana-abk": 2, "jaminan-keamanan": 3, "sarana-ruang-layanan": 3,
         "sarana-berkebutuhan-khusus": 1}
COMPLAINT_INDICATORS = {"pencatatan-pengaduan": 3, "tindak-lanjut-pengaduan": 2,
                        "informasi-pelapor": 2}
COMPONENTS = ("dasar_hukum", "persyaratan", "prosedur", "jangka_waktu", "biaya", "produk",
              "sarana", "kompetensi", "pengaduan", "jaminan_pelayanan", "evaluasi_kinerja")
OBSERVED = {  # per sampled product, in the order of COMPONENTS; "na" = not applicable
    "Izin usaha": (3, 3, 2, 3, 3, 2, 2, 2, 1, 1, 2),        # 24/33
    "Konsultasi": (3, 2, 2, 1, "na", 3, 2, 1, 1, 0, 1),     # 16/30
}


def shot(page, name, width=1280):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    if width != 1280:  # charts and tables lay out at load: look at the page as loaded there
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
    page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    if width != 1280:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()


def saved(page, locator):
    expect(locator).to_contain_text(re.compile("Tersimpan|Saved"))


@pytest.fixture
def shipped_round(transactional_db, standard, regions_sultra):
    """Users, Kabupaten Muna Barat, its DPMPTSP with three service products, and a round on
    the shipped 2022–2024 instrument in self-assessment (nothing sampled, nothing answered)."""
    instrument = Instrument.objects.get(code="ombudsman-2022-assessment")
    mubar = Government.objects.get(name="Kabupaten Muna Barat")
    unit = Agency.objects.create(government=mubar, name="DPMPTSP Muna Barat",
                                 short_name="DPMPTSP", kind=AgencyKind.DPMPTSP)
    for name, kind in (("Izin usaha", "administrative"), ("Konsultasi", "services"),
                       ("Izin reklame", "administrative")):
        ServiceProduct.objects.create(agency=unit, name=name, kind=kind)
    round_ = Round.objects.create(
        year=2026, name="Penilaian 2026", state=Round.State.SELF_ASSESSMENT,
        methodology=Methodology.objects.get(code="ombudsman-2022"), instrument=instrument,
        self_deadline=timezone.localdate() + timedelta(days=30),
        verification_deadline=timezone.localdate() + timedelta(days=60))
    RoundGovernment.objects.create(round=round_, government=mubar)
    assessment = Assessment.objects.create(round=round_, agency=unit, sampled=True)
    make_user("admin", Role.ADMINISTRATOR)
    make_user("operator", Role.OPERATOR, agency=unit)
    make_user("coordinator", Role.COORDINATOR, government=mubar)
    make_user("assessor", Role.ASSESSOR, government=mubar)
    make_user("leader", Role.LEADER, government=mubar)
    return {"round": round_, "assessment": assessment, "government": mubar,
            "instrument": instrument,
            "indicators": {i.code: i for i in Indicator.objects.filter(instrument=instrument,
                                                                        active=True)}}


def switch_user(page, base, username):
    page.context.clear_cookies()
    log_in(page, base, username)


def test_a_round_on_the_shipped_2022_instrument_end_to_end(live_server, page, shipped_round):
    base = live_server.url
    errors = []  # the browser's console errors (htmx reports a fragment with no place there)
    page.on("console", lambda message: message.type == "error" and errors.append(
        f"{page.url}: {message.text}"))
    unit = shipped_round["assessment"]
    ind = shipped_round["indicators"]
    assert len(ind) == 31
    per_unit = [i for i in ind.values() if not i.per_product]
    per_product = {i.component.code: i for i in ind.values() if i.per_product}
    assert len(per_unit) == 20 and len(per_product) == 11

    # The coordinator samples two of the three products.
    log_in(page, base, "coordinator")
    page.goto(f"{base}/checklists/{unit.id}/")
    page.locator("#choose-sample").click()
    products = {p.name: p for p in ServiceProduct.objects.filter(agency=unit.agency)}
    for name, product in products.items():
        box = page.locator(f"#sample-{product.id}")
        box.check() if name in OBSERVED else box.uncheck()
    shot(page, "01-sample")
    page.locator("#sample-save").click()
    expect(page.locator("#current-sample li")).to_have_count(2)
    expect(page.locator("#current-sample")).not_to_contain_text("Izin reklame")

    # The operator answers every per-unit indicator on the checklist (each saves itself) and
    # every per-product indicator on each sampled product's page, then submits.
    switch_user(page, base, "operator")
    page.goto(f"{base}/checklists/{unit.id}/")
    expect(page.locator("#sample-list li")).to_have_count(2)
    expect(page.locator("#completion-text")).to_have_text("0 dari 42 indikator terjawab")
    for number, indicator in enumerate(per_unit, start=1):
        if indicator.code == "sarana-berkebutuhan-khusus":
            page.locator(f"label[for=na-{indicator.id}]").click()
        else:
            page.locator(f"label[for=v-{indicator.id}-{2 + number % 2}]").click()
        saved(page, page.locator(f"#answer-state-{indicator.id}"))
        expect(page.locator("#completion-text")).to_have_text(
            f"{number} dari 42 indikator terjawab")
    shot(page, "02-checklist")
    for position in range(2):
        page.goto(f"{base}/checklists/{unit.id}/")
        page.locator("#sample-list .product-link").nth(position).click()
        for indicator in per_product.values():
            page.locator(f"#pv-{indicator.id}-{3 - position}").check()
            page.locator(f"#product-save-{indicator.id}").click()
            expect(page.locator(f"#pv-{indicator.id}-{3 - position}")).to_be_checked()
        if position == 0:
            shot(page, "03-product")
    page.goto(f"{base}/checklists/{unit.id}/")
    expect(page.locator("#completion-text")).to_have_text("42 dari 42 indikator terjawab")
    page.locator("#submit-checklist").click()
    page.locator("#confirm").click()
    expect(page.locator("#submit-checklist")).to_have_count(0)
    assert Assessment.objects.get(pk=unit.pk).status == "submitted"

    # The administrator opens verification.
    switch_user(page, base, "admin")
    page.goto(f"{base}/rounds/{shipped_round['round'].id}/")
    page.locator("#step-verification a").click()
    page.locator("#confirm").click()
    expect(page.locator("#round-state")).to_contain_text(re.compile("Verifikasi|Verification"))

    # The assessor: the four sources from the work queue.
    switch_user(page, base, "assessor")
    page.locator("#nav-queue").click()
    page.locator(f"#queue-{unit.id} a").click()
    expect(page.locator("h1")).to_contain_text(re.compile("Wawancara|Interviews"))
    for position, role in enumerate(ROLES):
        form = page.locator(f"#interview-{role}")
        form.locator("input[name=interviewed_on]").fill(DAY)
        for code, values in INTERVIEWS.items():
            if values[position] is not None:
                form.locator(f"select[name=value_{ind[code].id}]").select_option(
                    str(values[position]))
        page.locator(f"#interview-save-{role}").click()
        expect(page.locator(f"#interview-{role} legend .badge")).to_be_visible()
    expect(page.locator("#source-progress")).to_contain_text("4 dari 4")

    samples = {s.product.name: s for s in ProductSample.objects.filter(assessment=unit)
               .select_related("product")}
    for name, values in OBSERVED.items():
        sample = samples[name]
        form = page.locator(f"#product-{sample.id}")
        form.locator("input[name=observed_on]").fill(DAY)
        if name == "Konsultasi":
            form.locator("input[name=unannounced]").check()
        for component, value in zip(COMPONENTS, values):
            form.locator(f"select[name=value_{per_product[component].id}]").select_option(
                str(value))
        page.locator(f"#observation-save-{sample.id}").click()
        expect(page.locator(f"#product-{sample.id} legend .badge")).to_contain_text(
            "11 dari 11")

    page.locator("#sv-respondents").fill("30")
    page.locator("#sv-aggregate").fill("76,40")
    page.locator("#survey-save").click()
    expect(page.locator("#survey-state")).to_contain_text("76,40")

    page.locator("#cp-channel").select_option("sp4n_lapor")
    page.locator("#cp-received").fill("12")
    page.locator("#cp-resolved").fill("10")
    page.locator("#cp-median").fill("4,5")
    page.locator("#complaint-save").click()
    expect(page.locator("#complaint-table")).to_contain_text("SP4N-LAPOR!")
    for code, value in COMPLAINT_INDICATORS.items():
        indicator = ind[code]
        page.locator(f"#vv-{indicator.id}-{value}").check()
        page.locator(f"#verify-save-{indicator.id}").click()
        saved(page, page.locator(f"#verify-{indicator.id}"))
    shot(page, "04-sources")
    shot(page, "04-sources", 390)

    # The rest on the verification sheet, then finalise.
    page.goto(f"{base}/verify/{unit.id}/")
    for code, value in SHEET.items():
        indicator = ind[code]
        page.locator(f"#vv-{indicator.id}-{value}").check()
        page.locator(f"#verify-save-{indicator.id}").click()
        saved(page, page.locator(f"#verify-{indicator.id}"))
    expect(page.locator("#verified-progress")).to_have_text(
        "42 dari 42 indikator terverifikasi")
    shot(page, "05-verify")
    page.locator("#finalise-unit").click()
    shot(page, "06-finalise-confirm")
    page.locator("#confirm").click()
    expect(page.locator("#verify-summary")).to_contain_text(re.compile("finali", re.I))
    expect(page.locator("#verify-summary")).to_contain_text("72,48")

    # The administrator publishes.
    switch_user(page, base, "admin")
    page.goto(f"{base}/rounds/{shipped_round['round'].id}/")
    page.locator("#step-published a").click()
    page.locator("#confirm").click()
    expect(page.locator("#round-state")).to_contain_text(re.compile("Dipublikasikan|Published"))

    # The leader reads the published unit and government score.
    switch_user(page, base, "leader")
    page.goto(f"{base}/governments/{shipped_round['government'].id}/")
    shot(page, "07-government")
    shot(page, "07-government", 390)
    row = page.locator("#history-table tbody tr", has_text="2026")
    expect(row).to_contain_text("72,48")
    expect(row).to_contain_text("Kualitas Sedang")
    expect(page.locator("#round-units")).to_contain_text("72,48")

    # Its dimensions, as worked out above, on the self-vs-verified page.
    row.locator("a", has_text=re.compile("mandiri vs terverifikasi")).click()
    for code, weight, figure in (("input", "21,85", "71,43"), ("process", "32,37", "63,03"),
                                 ("output", "24,24", "76,40"),
                                 ("complaints", "21,54", "83,33")):
        cells = page.locator(f"#dimension-{code} td")
        expect(cells.nth(0)).to_have_text(f"{weight}\u00a0%")
        expect(cells.nth(2)).to_have_text(figure)
    shot(page, "08-comparison")

    # The unit's rapor: each product's own values for the per-product indicators.
    page.go_back()
    page.locator("#round-units a", has_text="DPMPTSP").click()
    expect(page.locator("#indicator-table tbody tr")).to_have_count(42)
    for name, values in OBSERVED.items():
        line = page.locator(f"#indicator-a1-{samples[name].id}")
        expect(line).to_contain_text(name)
        expect(line.locator("[data-figure=verified]")).to_have_text(str(values[0]))
    shot(page, "09-rapor")
    shot(page, "09-rapor", 390)
    assert errors == [], "\n".join(errors)
