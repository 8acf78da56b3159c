"""A small 2022-style instrument for the fieldwork tests: the four dimensions of 2022–2024 with
their published weights (Input 21.85, Proses 32.37, Output 24.24 as a survey, Pengaduan
21.54), scored 0–3, with interview, per-product observation, observation and complaint-record
indicators. Written here, not shipped: the real instrument is another branch's."""
from assessments.models import Round
from compliance.models import Component, Dimension, Indicator, Instrument, Methodology


def build_instrument():
    methodology = Methodology.objects.get(code="ombudsman-2022")
    instrument = Instrument.objects.create(
        methodology=methodology, code="test-ombudsman-2022", version="t1",
        name_id="Instrumen uji 2022", name_en="Test instrument 2022",
        purpose=Instrument.Purpose.ASSESSMENT)
    dims = {}
    for order, (code, weight, survey) in enumerate(
            [("input", "21.85", False), ("process", "32.37", False),
             ("output", "24.24", True), ("complaints", "21.54", False)], start=1):
        dims[code] = Dimension.objects.create(
            instrument=instrument, code=code, order=order, name_id=code.title(),
            name_en=code.title(), weight=weight, is_survey=survey, rollup="points")
    component = {c.code: c for c in Component.objects.all()}
    rows = [  # code, dimension, source, per product, component, text
        ("IN1", "input", "interview", False, None, "Pengetahuan komponen standar pelayanan"),
        ("IN2", "input", "interview", False, None, "Pengetahuan tentang Ombudsman"),
        ("IN3", "input", "observation", False, "sarana", "Sarana prasarana layanan"),
        ("PR1", "process", "observation", True, "persyaratan", "Persyaratan terpampang"),
        ("PR2", "process", "observation", True, "jangka_waktu", "Jangka waktu terpampang"),
        ("PR3", "process", "observation", True, "biaya", "Biaya/tarif terpampang"),
        ("PG1", "complaints", "complaint_record", False, None, "Sarana pengaduan tersedia"),
        ("PG2", "complaints", "complaint_record", False, None, "Pengaduan diselesaikan"),
    ]
    indicators = {}
    for order, (code, dim, source, per_product, comp, text) in enumerate(rows, start=1):
        indicators[code] = Indicator.objects.create(
            instrument=instrument, dimension=dims[dim], code=code, order=order,
            component=component[comp] if comp else None, text_id=text, text_en=text,
            guidance_id=f"Panduan {code}", guidance_en=f"Guidance {code}", scale="0_3",
            source_kind=source, per_product=per_product)
    return instrument, indicators


def to_verification(round_):
    Round.objects.filter(pk=round_.pk).update(state=Round.State.VERIFICATION)
    round_.refresh_from_db()


def record_no_survey(assessment, user=None, reason="Belum ada survei pengguna (data uji)"):
    """What an assessor does for a unit without a survey before finalising it (tests written
    before the rule finalise units of survey instruments without a survey score)."""
    from assessments.services.fieldwork import survey_record

    return survey_record(assessment_id=assessment.id, user=user, respondents=None,
                         aggregate_score=None, no_survey_reason=reason)
