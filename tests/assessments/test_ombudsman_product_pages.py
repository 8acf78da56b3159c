"""The government's record of the Ombudsman's products in a round: who reads, keeps and verifies
it, the coordinator's form (errors in both languages, the input kept), the round's state read
again at each write, and the follow-up indicator fed into the units an assessor may still
verify. Expected figures are worked by hand from the 2025 Opini instrument's weights (four
dimensions of 17.5, public trust 30; 0–3 indicators, equal weights) and the values set here."""
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Role
from assessments.models import Answer, Assessment, OmbudsmanProduct, Round
from assessments.services import ombudsman_products as service
from assessments.services.verification import answer_verify, assessment_set_survey
from compliance.models import Indicator, Instrument, Methodology

from ..conftest import make_user

pytestmark = pytest.mark.django_db
FOLLOW_UP = "tindak-lanjut-produk-ombudsman"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def opini(live_round, personas):
    """The conftest's live round moved onto the 2025 Opini instrument (which asks for the
    follow-up of the Ombudsman's products), and an assessor of Kendari."""
    round_ = live_round["round"]
    Round.objects.filter(pk=round_.pk).update(
        methodology=Methodology.objects.get(code="ombudsman-2025"),
        instrument=Instrument.objects.get(code="ombudsman-2025-opini"))
    round_.refresh_from_db()
    live_round["kendari_assessor"] = make_user("assessor_k", Role.ASSESSOR,
                                               government=live_round["kendari"])
    return {**live_round, "personas": personas,
            "indicator": Indicator.objects.get(instrument=round_.instrument, code=FOLLOW_UP)}


def to_state(round_, state):
    Round.objects.filter(pk=round_.pk).update(state=state)
    round_.refresh_from_db()


def page(opini, government=None):
    government = government or opini["government"]
    return reverse("ombudsman-products", args=[government.id, opini["round"].id])


def add(opini, reference, issued, due, followed=None, government=None, kind="suggestion"):
    return service.ombudsman_product_add(
        government=government or opini["government"], round_id=opini["round"].id,
        user=opini["personas"]["coordinator"], kind=kind, reference=reference,
        issued_on=issued, due_on=due, status="followed_up" if followed else "open",
        followed_up_on=followed)


def form(**overrides):
    data = {"kind": "corrective_action", "reference": "TK/0112/SULTRA/2026",
            "issued_on": "2026-02-02", "due_on": "2026-04-02", "status": "followed_up",
            "followed_up_on": "2026-03-30", "evidence_url": ""}
    data.update(overrides)
    return data


# --- pages per persona ---------------------------------------------------------------------------

def test_the_coordinator_records_a_product_and_reads_its_follow_up(client, opini):
    client.force_login(opini["personas"]["coordinator"])
    response = client.post(page(opini), form())
    product = OmbudsmanProduct.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page(opini) + f"#product-{product.id}"
    assert (product.reference, product.status, product.followed_up_on) == (
        "TK/0112/SULTRA/2026", "followed_up", date(2026, 3, 30))
    assert product.government == opini["government"] and product.round == opini["round"]
    response = client.get(page(opini))
    assert response.status_code == 200
    # Due 2 April 2026 (passed), followed up 30 March: 1 of 1 on time → 3.
    summary = response.context["summary"]
    assert (summary.due, summary.on_time, summary.value) == (1, 1, 3)
    html = response.content.decode()
    assert "Asumsi aplikasi" in html and "#rule-follow-up-products" in html
    assert 'id="product-add"' in html  # the form, for the coordinator


@pytest.mark.parametrize("persona,get,post", [
    ("coordinator", 200, 302),
    ("assessor", 200, 403),  # reads and verifies; the coordinator keeps the record
    ("leader", 200, 403),  # reads only
    ("operator", 403, 403),  # in the government's scope, without the right
    ("outsider", 404, 404),  # Kendari's leader: Muna Barat is outside their scope
    ("admin", 200, 302),
])
def test_who_reads_and_who_keeps_the_record(client, opini, persona, get, post):
    client.force_login(opini["personas"][persona])
    assert client.get(page(opini)).status_code == get
    assert client.post(page(opini), form()).status_code == post
    assert OmbudsmanProduct.objects.count() == (1 if post == 302 else 0)


def test_the_leader_sees_no_form_and_no_buttons(client, opini):
    add(opini, "S/1", date(2026, 1, 5), date(2026, 2, 5))
    client.force_login(opini["personas"]["leader"])
    html = client.get(page(opini)).content.decode()
    assert 'id="product-add"' not in html and "ombudsman-product-verify" not in html
    assert 'id="read-only-note"' in html and 'id="unit-values"' not in html


def test_an_assessor_of_another_government_cannot_verify(client, opini):
    product = add(opini, "S/1", date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 1))
    to_state(opini["round"], Round.State.VERIFICATION)
    url = reverse("ombudsman-product-verify",
                  args=[opini["government"].id, opini["round"].id, product.id])
    client.force_login(opini["kendari_assessor"])
    assert client.post(url).status_code == 404  # Muna Barat is not theirs
    for persona in ("coordinator", "leader", "operator"):
        client.force_login(opini["personas"][persona])
        assert client.post(url).status_code == 403, persona
    product.refresh_from_db()
    assert product.verified_at is None
    assert not Answer.objects.filter(indicator=opini["indicator"]).exists()


def test_a_round_whose_instrument_has_no_such_indicator_is_not_found(client, live_round,
                                                                     personas):
    # The conftest's round runs on the 2022 app checklist: no follow-up indicator.
    client.force_login(personas["coordinator"])
    url = reverse("ombudsman-products", args=[live_round["government"].id,
                                              live_round["round"].id])
    assert client.get(url).status_code == 404
    published_2021 = Round.objects.get(year=2021)
    assert client.get(reverse("ombudsman-products", args=[
        live_round["government"].id, published_2021.id])).status_code == 404


def test_the_government_page_sources_page_and_queue_link_to_it(client, opini):
    government, round_ = opini["government"], opini["round"]
    unit = opini["assessments"]["a"]
    client.force_login(opini["personas"]["coordinator"])
    assert page(opini) in client.get(reverse("government-detail",
                                             args=[government.id])).content.decode()
    client.force_login(opini["personas"]["operator"])  # may not read it: no link
    assert page(opini) not in client.get(reverse("government-detail",
                                                 args=[government.id])).content.decode()
    client.force_login(opini["personas"]["assessor"])
    assert page(opini) in client.get(reverse("sources", args=[unit.id])).content.decode()
    to_state(round_, Round.State.VERIFICATION)
    assert page(opini) in client.get(reverse("assessor-queue")).content.decode()


# --- the form: errors in both languages, the input kept ------------------------------------------

@pytest.mark.parametrize("language,due_message,date_message", [
    ("id", "Batas waktu tidak boleh sebelum tanggal produk.",
     "Isi tanggal produk ditindaklanjuti (wajib bila statusnya “Sudah ditindaklanjuti”)."),
    ("en", "The due date cannot be before the product's date.",
     "Enter the date the product was followed up (required when its status is “followed "
     "up”)."),
])
def test_refused_input_comes_back_with_its_errors_and_values(client, opini, language,
                                                            due_message, date_message):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(opini["personas"]["coordinator"])
    response = client.post(page(opini), form(reference="TK/0999/SULTRA/2026",
                                             issued_on="2026-05-10", due_on="2026-05-01",
                                             followed_up_on=""))
    assert response.status_code == 400
    assert not OmbudsmanProduct.objects.exists()
    errors = response.context["form"].errors
    assert errors["due_on"] == [due_message]
    assert errors["followed_up_on"] == [date_message]
    html = response.content.decode()
    assert 'value="TK/0999/SULTRA/2026"' in html and 'value="2026-05-10"' in html


@pytest.mark.parametrize("field,value", [("issued_on", "1999-12-31"), ("due_on", "2101-01-01"),
                                         ("followed_up_on", "1999-01-01")])
def test_dates_outside_2000_to_2100_are_refused(client, opini, field, value):
    client.force_login(opini["personas"]["coordinator"])
    response = client.post(page(opini), form(**{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == ["Isi tanggal antara tahun 2000 dan 2100."]
    assert not OmbudsmanProduct.objects.exists()


def test_an_open_product_with_a_follow_up_date_is_refused(opini):
    with pytest.raises(ValidationError) as refused:
        service.ombudsman_product_add(
            government=opini["government"], round_id=opini["round"].id, user=None,
            kind="suggestion", reference="S/2", issued_on=date(2026, 1, 1),
            due_on=date(2026, 2, 1), status="open", followed_up_on=date(2026, 1, 20))
    assert set(refused.value.error_dict) == {"followed_up_on"}


def test_the_reference_is_unique_per_government_and_round(client, opini):
    add(opini, "TK/0112/SULTRA/2026", date(2026, 1, 5), date(2026, 2, 5))
    client.force_login(opini["personas"]["coordinator"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(page(opini), form(reference="tk/0112/sultra/2026"))
    assert response.status_code == 400
    assert response.context["form"].errors["reference"] == [
        "A product with the reference “tk/0112/sultra/2026” is already recorded for Kabupaten "
        "Muna Barat in Penilaian 2026; correct that one instead, or enter another reference."]
    assert OmbudsmanProduct.objects.count() == 1
    # The same reference for another government is another product.
    add(opini, "TK/0112/SULTRA/2026", date(2026, 1, 5), date(2026, 2, 5),
        government=opini["kendari"])
    assert OmbudsmanProduct.objects.count() == 2


def test_the_evidence_file_passes_the_evidence_checks_and_downloads_by_the_read_rule(client,
                                                                                    opini):
    coordinator = opini["personas"]["coordinator"]
    client.force_login(coordinator)
    fake = SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(page(opini), {**form(), "evidence_file": fake})
    assert response.status_code == 400
    assert response.context["form"].errors["evidence_file"] == [
        "Isi berkas tidak sesuai dengan ekstensinya."]
    assert not OmbudsmanProduct.objects.exists()
    good = SimpleUploadedFile("Surat tindak lanjut.pdf", PDF, content_type="application/pdf")
    assert client.post(page(opini), {**form(), "evidence_file": good}).status_code == 302
    product = OmbudsmanProduct.objects.get()
    assert product.evidence_file.name.endswith(".pdf")
    assert "Surat" not in product.evidence_file.name  # stored under a generated name
    url = reverse("ombudsman-product-evidence",
                  args=[opini["government"].id, opini["round"].id, product.id])
    for persona, status in (("leader", 200), ("assessor", 200), ("operator", 403),
                            ("outsider", 404)):
        client.force_login(opini["personas"][persona])
        response = client.get(url)
        assert response.status_code == status, persona
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"] == \
                'attachment; filename="tk0112sultra2026.pdf"'
            assert response["X-Content-Type-Options"] == "nosniff"


# --- editing, deleting, the round's state ---------------------------------------------------------

def test_a_change_clears_the_verification_an_unchanged_save_keeps_it(opini):
    product = add(opini, "S/1", date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 1))
    to_state(opini["round"], Round.State.VERIFICATION)
    service.ombudsman_product_verify(product_id=product.id, government=opini["government"],
                                     round_id=opini["round"].id,
                                     user=opini["personas"]["assessor"])
    fields = dict(kind="suggestion", reference="S/1", issued_on=date(2026, 1, 5),
                  due_on=date(2026, 2, 5), status="followed_up",
                  followed_up_on=date(2026, 2, 1))
    edit = dict(product_id=product.id, government=opini["government"],
                round_id=opini["round"].id, user=opini["personas"]["coordinator"])
    service.ombudsman_product_edit(**edit, **fields)
    product.refresh_from_db()
    assert product.verified_by == opini["personas"]["assessor"]
    service.ombudsman_product_edit(**edit, **{**fields, "followed_up_on": date(2026, 2, 3)})
    product.refresh_from_db()
    assert (product.followed_up_on, product.verified_by, product.verified_at) == (
        date(2026, 2, 3), None, None)


def test_only_an_unverified_product_can_be_deleted(client, opini):
    kept = add(opini, "S/1", date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 1))
    mistake = add(opini, "S/2", date(2026, 1, 5), date(2026, 2, 5))
    to_state(opini["round"], Round.State.VERIFICATION)
    service.ombudsman_product_verify(product_id=kept.id, government=opini["government"],
                                     round_id=opini["round"].id,
                                     user=opini["personas"]["assessor"])
    client.force_login(opini["personas"]["coordinator"])
    args = [opini["government"].id, opini["round"].id]
    client.post(reverse("ombudsman-product-delete", args=[*args, kept.id]))
    client.post(reverse("ombudsman-product-delete", args=[*args, mistake.id]))
    assert list(OmbudsmanProduct.objects.values_list("reference", flat=True)) == ["S/1"]


def test_the_round_state_is_read_again_at_each_write(opini):
    government, round_ = opini["government"], opini["round"]
    product = add(opini, "S/1", date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 1))
    # In self-assessment the coordinator keeps the record; nobody verifies yet.
    with pytest.raises(service.ProductsLocked):
        service.ombudsman_product_verify(product_id=product.id, government=government,
                                         round_id=round_.id, user=opini["personas"]["assessor"])
    with pytest.raises(service.ProductsLocked):
        service.follow_up_apply(government=government, round_id=round_.id,
                                user=opini["personas"]["assessor"])
    # The page was read in verification; the round is published before the write lands.
    to_state(round_, Round.State.VERIFICATION)
    Round.objects.filter(pk=round_.pk).update(state=Round.State.PUBLISHED)
    with pytest.raises(service.ProductsLocked):
        add(opini, "S/2", date(2026, 1, 5), date(2026, 2, 5))
    with pytest.raises(service.ProductsLocked):
        service.ombudsman_product_delete(product_id=product.id, government=government,
                                         round_id=round_.id, user=None)
    with pytest.raises(service.ProductsLocked):
        service.ombudsman_product_verify(product_id=product.id, government=government,
                                         round_id=round_.id, user=opini["personas"]["assessor"])
    assert list(OmbudsmanProduct.objects.values_list("reference", "verified_at")) == [
        ("S/1", None)]


def test_a_verify_post_outside_verification_says_why_and_writes_nothing(client, opini):
    product = add(opini, "S/1", date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 1))
    client.force_login(opini["personas"]["assessor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("ombudsman-product-verify", args=[
        opini["government"].id, opini["round"].id, product.id]), follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "The round is not in verification (state: Self-assessment); the Ombudsman products "
        "are verified during verification."]
    product.refresh_from_db()
    assert product.verified_at is None
    assert not Answer.objects.filter(indicator=opini["indicator"]).exists()


# --- feeding the indicator ------------------------------------------------------------------------

def verify_the_rest(opini, unit, value=3, survey="80"):
    """Every other indicator of the unit verified at ``value``, and the public-trust score."""
    assessor = opini["personas"]["assessor"]
    for indicator in Indicator.objects.filter(instrument=opini["round"].instrument,
                                              active=True).exclude(code=FOLLOW_UP):
        answer_verify(assessment_id=unit.id, indicator=indicator, user=assessor,
                      verified_value=value, verified_not_applicable=False, finding="",
                      expected_version=0)
    assessment_set_survey(assessment_id=unit.id, user=assessor, score=Decimal(survey))


def test_verifying_a_product_writes_the_follow_up_into_each_open_unit(client, opini):
    government, round_ = opini["government"], opini["round"]
    unit_a, unit_b = opini["assessments"]["a"], opini["assessments"]["b"]
    on_time = add(opini, "TK/1", date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 5))
    add(opini, "S/2", date(2026, 1, 5), date(2026, 3, 1), date(2026, 2, 20))  # on time
    add(opini, "R/3", date(2026, 1, 5), date(2026, 4, 1), date(2026, 4, 2))  # a day late
    add(opini, "S/4", date(2026, 1, 5), date(2099, 1, 1))  # not yet due: does not count
    to_state(round_, Round.State.VERIFICATION)
    verify_the_rest(opini, unit_a)
    unit_a.refresh_from_db()
    # Before: the follow-up unverified counts 0. Complaints (3 + 0) / 6 = 50;
    # (17.5 × (100 + 100 + 100 + 50) + 30 × 80) / 100 = 85.25.
    assert unit_a.verified_score == Decimal("85.25")
    Assessment.objects.filter(pk=unit_b.pk).update(finalised_at="2026-06-30T00:00:00Z",
                                                   verified_score=Decimal("61.00"))
    client.force_login(opini["personas"]["assessor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("ombudsman-product-verify",
                                   args=[government.id, round_.id, on_time.id]), follow=True)
    # Two of the three due products followed up on time: 2 × 3 // 3 = 2.
    answer = Answer.objects.get(assessment=unit_a, indicator=opini["indicator"])
    assert (answer.verified_value, answer.verified_not_applicable, answer.verified_by) == (
        2, False, opini["personas"]["assessor"])
    unit_a.refresh_from_db()
    # Complaints (3 + 2) / 6 = 83.33…; (17.5 × (300 + 83.33…) + 30 × 80) / 100 = 91.08.
    assert unit_a.verified_score == Decimal("91.08")
    # The finalised unit keeps what it had; Kendari's unit is another government's.
    unit_b.refresh_from_db()
    assert unit_b.verified_score == Decimal("61.00")
    assert not Answer.objects.filter(indicator=opini["indicator"]).exclude(
        assessment=unit_a).exists()
    on_time.refresh_from_db()
    assert on_time.verified_by == opini["personas"]["assessor"]
    html = response.content.decode()
    assert ("Follow-up indicator: 2, written into 1 unit. Skipped (finalised, its verified "
            "score is fixed): Disdukcapil Muna Barat.") in html
    units = {u.assessment.id: (u.value, u.finalised) for u in response.context["units"]}
    assert units == {unit_a.id: (2, False), unit_b.id: (None, True)}


def test_no_product_due_makes_the_indicator_not_applicable(client, opini):
    add(opini, "S/4", date(2026, 1, 5), date(2099, 1, 1))
    to_state(opini["round"], Round.State.VERIFICATION)
    client.force_login(opini["personas"]["assessor"])
    client.post(reverse("ombudsman-products-apply",
                        args=[opini["government"].id, opini["round"].id]))
    rows = Answer.objects.filter(indicator=opini["indicator"]).order_by("assessment_id")
    assert [(a.assessment_id, a.verified_value, a.verified_not_applicable) for a in rows] == [
        (opini["assessments"]["a"].id, None, True), (opini["assessments"]["b"].id, None, True)]


def test_apply_after_a_correction_writes_the_new_value(opini):
    government, round_ = opini["government"], opini["round"]
    late = add(opini, "R/3", date(2026, 1, 5), date(2026, 4, 1), date(2026, 4, 2))
    to_state(round_, Round.State.VERIFICATION)
    assessor = opini["personas"]["assessor"]
    fed = service.follow_up_apply(government=government, round_id=round_.id, user=assessor)
    assert (fed.follow_up.due, fed.follow_up.on_time, fed.follow_up.value) == (1, 0, 0)
    assert fed.applied == ["DPMPTSP Muna Barat", "Disdukcapil Muna Barat"]
    assert fed.skipped == []
    service.ombudsman_product_edit(
        product_id=late.id, government=government, round_id=round_.id,
        user=opini["personas"]["coordinator"], kind="suggestion", reference="R/3",
        issued_on=date(2026, 1, 5), due_on=date(2026, 4, 1), status="followed_up",
        followed_up_on=date(2026, 3, 31))
    service.follow_up_apply(government=government, round_id=round_.id, user=assessor)
    assert set(Answer.objects.filter(indicator=opini["indicator"])
               .values_list("verified_value", flat=True)) == {3}


def test_the_verification_sheet_leaves_the_indicator_to_the_record(client, opini):
    """On the 2025 instrument the assessor's sheet does not offer the follow-up indicator (a
    value typed there would be overwritten by the record) and says where it comes from."""
    to_state(opini["round"], Round.State.VERIFICATION)
    unit = opini["assessments"]["a"]
    client.force_login(opini["personas"]["assessor"])
    html = client.get(reverse("verify", args=[unit.id])).content.decode()
    assert f'id="verify-{opini["indicator"].id}"' not in html
    assert 'id="follow-up-note"' in html and page(opini) in html


def test_the_2022_instrument_asks_it_in_interviews_not_from_the_record(live_round):
    """The 2022–2024 instrument has an indicator of the same code, fed by the interviews: no
    products page and no record feeding it there."""
    from assessments.selectors.instruments import follow_up_indicator

    instrument = Instrument.objects.get(code="ombudsman-2022-assessment")
    same_code = Indicator.objects.get(instrument=instrument, code=FOLLOW_UP)
    assert same_code.source_kind == "interview"
    assert follow_up_indicator(instrument.id) is None
    assert follow_up_indicator(Instrument.objects.get(code="ombudsman-2025-opini").id).code \
        == FOLLOW_UP
