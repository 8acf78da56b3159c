"""Service products, their sample, and the assessor's four sources feeding the verified side;
finalisation refused without a survey unless the reason is recorded, and the "without
survey" flag where the score shows. Expected figures are worked by hand from the published
2022–2024 weights (21.85 / 32.37 / 24.24 / 21.54) and the values entered here."""
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Answer, Assessment, ComplaintRecord, ProductSample, Round
from assessments.services import fieldwork, products
from assessments.services.answers import AnswerConflict, answer_save
from assessments.services.verification import (SurveyMissing, VerificationIncomplete,
                                               answer_verify, assessment_finalise)

from ..workbooks import table
from .fieldwork_fixtures import to_verification
from .helpers import sample_two

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 15)


def test_the_chosen_sample_in_order(field_round):
    samples = sample_two(field_round)
    assert [s.product.name for s in samples] == ["Izin usaha", "Konsultasi"]
    assert [s.order for s in samples] == [1, 2]
    # A product of another unit is refused, and so is an empty sample.
    other = field_round["products"]["k"][0]
    with pytest.raises(ValidationError):
        products.product_samples_set(assessment_id=field_round["assessments"]["a"].id,
                                     by=None, product_ids=[other.id])
    with pytest.raises(ValidationError):
        products.product_samples_set(assessment_id=field_round["assessments"]["a"].id,
                                     by=None, product_ids=[])
    # Once the unit is finalised its sample is fixed.
    Assessment.objects.filter(pk=field_round["assessments"]["a"].pk).update(
        finalised_at="2026-06-30T00:00:00Z")
    with pytest.raises(products.SamplingRefused):
        products.product_samples_set(assessment_id=field_round["assessments"]["a"].id,
                                     by=None, product_ids=[samples[0].product_id])


def test_a_sampled_product_with_answers_cannot_be_dropped(field_round):
    samples = sample_two(field_round)
    assessment = field_round["assessments"]["a"]
    answer_save(assessment_id=assessment.id, indicator=field_round["indicators"]["PR1"],
                user=field_round["personas"]["operator"], value=3, not_applicable=False,
                note="", expected_version=0, product_sample_id=samples[0].id)
    with pytest.raises(ValidationError):
        products.product_samples_set(assessment_id=assessment.id, by=None,
                                     product_ids=[samples[1].product_id])
    assert ProductSample.objects.filter(assessment=assessment).count() == 2


def test_product_names_are_unique_per_unit(field_round):
    agency = field_round["agencies"]["a"]
    with pytest.raises(ValidationError):
        products.product_create(agency=agency, name="Izin usaha", kind="administrative")
    product = products.product_create(agency=agency, name=" Akta kelahiran ",
                                      kind="administrative")
    assert product.name == "Akta kelahiran"


def record_everything(field_round, with_survey=True):
    """The four sources of unit "a", with the values the expected figures are worked from."""
    assessment = field_round["assessments"]["a"]
    ind = field_round["indicators"]
    assessor = field_round["personas"]["assessor"]
    samples = sample_two(field_round)
    to_verification(field_round["round"])
    for role, in1, in2 in (("head", 3, 3), ("section_head", 2, 3),
                           ("complaint_officer", 2, None), ("front_line", 1, None)):
        fieldwork.interview_record(assessment_id=assessment.id, user=assessor, role=role,
                                   interviewed_on=DAY,
                                   values={ind["IN1"].id: in1, ind["IN2"].id: in2})
    for sample, values, unannounced in ((samples[0], (3, 3, 2), True),
                                        (samples[1], (3, 2, 1), False)):
        fieldwork.observation_record(
            assessment_id=assessment.id, user=assessor, sample_id=sample.id, observed_on=DAY,
            unannounced=unannounced,
            values={ind[code].id: (value, False) for code, value in zip(("PR1", "PR2", "PR3"),
                                                                        values)})
    answer_verify(assessment_id=assessment.id, indicator=ind["IN3"], user=assessor,
                  verified_value=3, verified_not_applicable=False, finding="",
                  expected_version=0)
    fieldwork.complaint_record_save(assessment_id=assessment.id, user=assessor,
                                    channel="sp4n_lapor", received=12, resolved=10,
                                    median_days=Decimal("4.5"))
    for code, value in (("PG1", 3), ("PG2", 2)):
        answer_verify(assessment_id=assessment.id, indicator=ind[code], user=assessor,
                      verified_value=value, verified_not_applicable=False, finding="",
                      expected_version=0)
    if with_survey:
        fieldwork.survey_record(assessment_id=assessment.id, user=assessor, respondents=30,
                                aggregate_score=None, question_scores=["75", "85"])
    assessment.refresh_from_db()
    return assessment, samples


def test_interviews_feed_the_verified_values(field_round):
    assessment, _samples = record_everything(field_round)
    ind = field_round["indicators"]
    verified = dict(Answer.objects.filter(assessment=assessment, product_sample__isnull=True)
                    .values_list("indicator__code", "verified_value"))
    # IN1: 3, 2, 2, 1 -> 2; IN2: 3, 3 -> 3 (two officials not asked).
    assert verified["IN1"] == 2
    assert verified["IN2"] == 3
    # Correcting one interview recomputes the indicator: 3, 2, 2, 3 -> 2.5 -> 3.
    interview = assessment.interviews.get(role="front_line")
    fieldwork.interview_record(assessment_id=assessment.id, user=None, role="front_line",
                               interviewed_on=DAY, values={ind["IN1"].id: 3},
                               expected_version=interview.version)
    assert Answer.objects.get(assessment=assessment, indicator=ind["IN1"]).verified_value == 3
    # A stale form is refused (someone saved the interview since).
    with pytest.raises(AnswerConflict):
        fieldwork.interview_record(assessment_id=assessment.id, user=None, role="front_line",
                                   interviewed_on=DAY, values={ind["IN1"].id: 0},
                                   expected_version=interview.version)


def test_observations_are_verified_values_per_product(field_round):
    assessment, samples = record_everything(field_round)
    per_product = dict(((code, sample), value) for code, sample, value in Answer.objects.filter(
        assessment=assessment, product_sample__isnull=False).values_list(
        "indicator__code", "product_sample_id", "verified_value"))
    assert per_product[("PR3", samples[0].id)] == 2
    assert per_product[("PR3", samples[1].id)] == 1
    assert samples[0].observation.unannounced is True
    # A value off the indicator's scale is refused and changes nothing.
    with pytest.raises(ValidationError):
        fieldwork.observation_record(
            assessment_id=assessment.id, user=None, sample_id=samples[0].id, observed_on=DAY,
            unannounced=False, values={field_round["indicators"]["PR1"].id: (4, False)},
            expected_version=1)


def test_the_four_sources_give_the_unit_score(field_round):
    """Input (2 + 3 + 3) / 9 = 88.89; Proses mean of 8/9 and 6/9 = 77.78; Output 80.00 (75 and
    85); Pengaduan 5/6 = 83.33; weighted by 21.85 / 32.37 / 24.24 / 21.54: 81.94."""
    assessment, _samples = record_everything(field_round)
    assert assessment.survey_score == Decimal("80.00")
    assert assessment.verified_score == Decimal("81.94")
    finalised = assessment_finalise(assessment_id=assessment.id,
                                    user=field_round["personas"]["assessor"])
    assert finalised.finalised_at is not None


def test_no_finalising_without_a_survey_unless_the_reason_is_recorded(field_round):
    assessment, _samples = record_everything(field_round, with_survey=False)
    # Without the survey the unit is scored over the other three dimensions:
    # (1942.22 + 2517.67 + 1795.00) / 75.76 = 82.56.
    assert assessment.verified_score == Decimal("82.56")
    with pytest.raises(SurveyMissing):
        assessment_finalise(assessment_id=assessment.id, user=None)
    assert Assessment.objects.get(pk=assessment.pk).finalised_at is None
    with pytest.raises(ValidationError):  # a reason and figures at once
        fieldwork.survey_record(assessment_id=assessment.id, user=None, respondents=30,
                                aggregate_score=Decimal("70"),
                                no_survey_reason="Belum ada SKM")
    record = fieldwork.survey_record(assessment_id=assessment.id, user=None, respondents=None,
                                     aggregate_score=None,
                                     no_survey_reason="Unit belum melaksanakan SKM")
    assert record.without_survey
    finalised = assessment_finalise(assessment_id=assessment.id, user=None)
    assert finalised.finalised_at is not None
    assert finalised.verified_score == Decimal("82.56")


def test_finalising_needs_every_product_observed(field_round):
    assessment = field_round["assessments"]["a"]
    samples = sample_two(field_round)
    to_verification(field_round["round"])
    ind = field_round["indicators"]
    fieldwork.observation_record(
        assessment_id=assessment.id, user=None, sample_id=samples[0].id, observed_on=DAY,
        unannounced=False, values={ind[c].id: (3, False) for c in ("PR1", "PR2", "PR3")})
    with pytest.raises(VerificationIncomplete) as refused:
        assessment_finalise(assessment_id=assessment.id, user=None)
    assert {i.code for i in refused.value.missing} >= {"PR1", "PR2", "PR3"}


def test_complaint_records_are_checked(field_round):
    assessment = field_round["assessments"]["a"]
    to_verification(field_round["round"])
    with pytest.raises(ValidationError):
        fieldwork.complaint_record_save(assessment_id=assessment.id, user=None,
                                        channel="sp4n_lapor", received=3, resolved=4,
                                        median_days=None)
    record = fieldwork.complaint_record_save(assessment_id=assessment.id, user=None,
                                             channel="sp4n_lapor", received=3, resolved=2,
                                             median_days=Decimal("6.0"))
    assert (record.period_start, record.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    fieldwork.complaint_record_save(assessment_id=assessment.id, user=None,
                                    channel="sp4n_lapor", received=5, resolved=5,
                                    median_days=Decimal("3.0"))
    assert ComplaintRecord.objects.get(assessment=assessment).received == 5


def test_sources_are_locked_outside_verification(field_round):
    assessment = field_round["assessments"]["a"]
    from assessments.services.answers import ChecklistLocked
    with pytest.raises(ChecklistLocked):
        fieldwork.complaint_record_save(assessment_id=assessment.id, user=None,
                                        channel="desk", received=1, resolved=1,
                                        median_days=None)
    # Visits can be planned before verification starts.
    visit = fieldwork.visit_save(assessment_id=assessment.id, user=None, planned_on=DAY)
    fieldwork.visit_save(assessment_id=assessment.id, user=None, planned_on=DAY,
                         done_on=date(2026, 6, 16), visit_id=visit.id)
    visit.refresh_from_db()
    assert visit.done_on == date(2026, 6, 16)


def test_the_without_survey_flag_shows_on_the_pages_and_exports(field_round, client):
    assessment, _samples = record_everything(field_round, with_survey=False)
    fieldwork.survey_record(assessment_id=assessment.id, user=None, respondents=None,
                            aggregate_score=None, no_survey_reason="Unit belum melaksanakan SKM")
    assessment_finalise(assessment_id=assessment.id, user=None)
    round_ = field_round["round"]
    Round.objects.filter(pk=round_.pk).update(state=Round.State.PUBLISHED)
    client.force_login(field_round["personas"]["leader"])
    government = field_round["government"]
    page = client.get(reverse("government-detail", args=[government.id]),
                      {"round": round_.id}).content.decode()
    unit_row = page[page.index("DPMPTSP Muna Barat"):][:1500]
    assert "without-survey" in unit_row
    rapor = client.get(reverse("rapor", args=[assessment.id])).content.decode()
    assert "Unit belum melaksanakan SKM" in rapor
    assert "without-survey" in rapor
    other = client.get(reverse("rapor", args=[field_round["assessments"]["b"].id]))
    assert "without-survey" not in other.content.decode()
    workbook = load_workbook(io.BytesIO(client.get(
        reverse("government-report-xlsx", args=[round_.id, government.id])).content))
    rows = table(workbook.worksheets[2])
    header, body = rows[0], {row[1]: row for row in rows[1:]}
    column = header.index("Survei")
    assert body["DPMPTSP Muna Barat"][column] == "tanpa survei"
    assert body["Disdukcapil Muna Barat"][column] in ("", None)


def test_round_workbook_flags_the_unit(field_round):
    from assessments.selectors.round_report import report_scope

    assessment, _samples = record_everything(field_round, with_survey=False)
    fieldwork.survey_record(assessment_id=assessment.id, user=None, respondents=None,
                            aggregate_score=None, no_survey_reason="Tidak ada SKM")
    rows = {a.id: a.without_survey for a in report_scope(field_round["round"],
                                                         [field_round["government"]])}
    assert rows[assessment.id] is True
    assert rows[field_round["assessments"]["b"].id] is False
