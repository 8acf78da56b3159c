"""The assessor's view of one unit: the operator's claim and evidence next to the verified
value and finding, per indicator (a fixed number of queries). The indicators fed by the four
sources (interviews, per-product observations, complaint records, the survey) are on the
sources page (``selectors.fieldwork``)."""
from compliance.scoring import completion
from compliance.specs import instrument_spec, methodology_spec

from ..models import ProductSample, SurveyRecord
from .checklist import sheet_blocks
from .instruments import (answer_slot_count, complaint_indicators, follow_up_indicator,
                          interview_indicators)


def verified_progress(assessment):
    """How many of the unit's answers are verified, of how many: a per-product indicator
    counts once per sampled product (the sheet's figure, and the finalising page's)."""
    samples = ProductSample.objects.filter(assessment=assessment).count()
    return completion(assessment.verified_count,
                      answer_slot_count(assessment.round.instrument_id, samples))


def verification_sheet(assessment):
    spec = methodology_spec(assessment.round.methodology_id)
    instrument = instrument_spec(assessment.round.instrument_id)
    # Interview and complaint-record indicators are verified on the sources page; the
    # follow-up of the Ombudsman's products comes from the government's record of them.
    from_sources = {indicator.id for indicator in
                    interview_indicators(assessment.round.instrument_id)
                    + complaint_indicators(assessment.round.instrument_id)}
    follow_up = follow_up_indicator(assessment.round.instrument_id)
    blocks = sheet_blocks(assessment, "verified", leave_out=from_sources | (
        {follow_up.id} if follow_up else set()))
    return {
        "blocks": blocks,
        "scale_max": instrument.scale_max,
        "follow_up": follow_up,
        "has_sources": bool(from_sources) or instrument.has_per_product or instrument.has_survey,
        "progress": verified_progress(assessment),
        "band": spec.band(assessment.verified_score),
        "has_survey": instrument.has_survey,
        "without_survey": SurveyRecord.objects.filter(assessment=assessment).exclude(
            no_survey_reason="").exists(),
    }
