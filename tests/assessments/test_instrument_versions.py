"""A round freezes its instrument: publishing a new version, editing that draft and making it
the default change no figure of an existing round (stored scores and a recompute), and the
round's own instrument refuses edits. Also: the data migration's shape and load_standard agree,
answers stay inside their round's instrument, and products are sampled per unit."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments.management.commands.recompute_scores import recompute_scores
from assessments.models import Answer, Assessment, ComponentScore, ProductSample, Round
from assessments.services.answers import answer_save
from assessments.services.products import product_create, products_sample
from assessments.services.scores import (assessment_recompute_scores, round_scores_python,
                                         unit_result)
from compliance.instruments import (InstrumentFrozen, dimension_update, indicator_create,
                                    indicator_update, instrument_make_default,
                                    instrument_new_version)
from compliance.scoring import round2
from compliance.models import Dimension, Indicator, Instrument, Methodology, default_instrument
from compliance.specs import clear_cache
from compliance.standard import load_standard
from tests.checklists import checklist


def _answer_all(assessment, user, value_of):
    for number, indicator in enumerate(checklist().filter(active=True).order_by("id")):
        answer_save(assessment_id=assessment.id, indicator=indicator, user=user,
                    value=value_of(number), not_applicable=False, note="", expected_version=0)


def _figures(round_):
    units = {a.id: (a.self_score, a.answered_count, a.verified_score)
             for a in Assessment.objects.filter(round=round_)}
    components = set(ComponentScore.objects.filter(assessment__round=round_).values_list(
        "assessment_id", "component_id", "self_score", "verified_score"))
    return units, components


@pytest.mark.django_db
def test_a_new_version_and_a_new_default_change_no_figure_of_an_existing_round(personas,
                                                                              live_round):
    round_ = live_round["round"]
    unit = live_round["assessments"]["a"]
    _answer_all(unit, personas["operator"], lambda number: number % 4)
    recompute_scores(round_.id)  # the units nobody answered get their stored 0.00 too
    before = _figures(round_)
    reference = round_scores_python(round_.id)

    current = round_.instrument
    draft = instrument_new_version(instrument=current, version="2")
    assert (draft.code, draft.is_default, draft.indicators.count()) == (current.code, False, 48)
    # Edit the draft: weights, a dimension's weight and roll-up, one more indicator.
    first = draft.indicators.order_by("id").first()
    indicator_update(indicator=first, weight=Decimal("5"))
    process = draft.dimensions.get(code="process")
    dimension_update(dimension=process, weight=Decimal("80"), rollup=Dimension.Rollup.POINTS)
    indicator_create(instrument=draft, dimension=process, code="extra-1", order=1,
                     text_id="Tambahan", text_en="Extra", scale="0_3")
    instrument_make_default(instrument=draft)
    clear_cache()

    assert _figures(round_) == before
    assert round_scores_python(round_.id) == reference
    assert recompute_scores(round_.id)["changed"] == 0
    assessment_recompute_scores(assessment=unit)
    assert _figures(round_) == before

    # A round created now takes the new default; the old one keeps its version.
    newer = Round.objects.create(year=2027, name="Penilaian 2027", methodology=round_.methodology)
    assert newer.instrument_id == draft.id
    round_.refresh_from_db()
    assert round_.instrument_id == current.id


@pytest.mark.django_db
def test_the_instrument_a_round_uses_refuses_edits(live_round):
    instrument = live_round["round"].instrument
    indicator = instrument.indicators.order_by("id").first()
    with pytest.raises(InstrumentFrozen):
        indicator_update(indicator=indicator, weight=Decimal("9"))
    with pytest.raises(InstrumentFrozen):
        dimension_update(dimension=instrument.dimensions.get(code="input"),
                         weight=Decimal("50"))
    with pytest.raises(InstrumentFrozen):
        indicator_create(instrument=instrument, dimension=instrument.dimensions.first(),
                         code="new-1", text_id="Baru", text_en="New")
    indicator.refresh_from_db()
    assert indicator.weight == Decimal("1")
    assert instrument.indicators.count() == 48


@pytest.mark.django_db
def test_a_round_without_an_instrument_takes_the_default_self_assessment_checklist(standard):
    for code, scale in (("ombudsman-2016", "yes_no"), ("ombudsman-2022", "0_3"),
                        ("pekppp", "0_5")):
        methodology = Methodology.objects.get(code=code)
        round_ = Round.objects.create(year=2030, name=f"R {code}", methodology=methodology)
        assert round_.instrument.code == f"app-checklist-{code}"
        assert round_.instrument.purpose == Instrument.Purpose.SELF_ASSESSMENT
        assert set(round_.instrument.indicators.values_list("scale", flat=True)) == {scale}


@pytest.mark.django_db
def test_an_instrument_of_another_methodology_is_refused(standard):
    round_ = Round(year=2030, name="R", methodology=Methodology.objects.get(code="pekppp"),
                   instrument=Instrument.objects.get(code="app-checklist-ombudsman-2022"))
    with pytest.raises(ValidationError):
        round_.full_clean()


@pytest.mark.django_db
def test_the_migrated_standard_is_what_load_standard_loads(db):
    """The data migration built the instruments from the database; load_standard builds them
    from the files. Loading on top of the migrated rows must find every one of them."""
    shape = sorted(Indicator.objects.values_list("instrument__code", "code", "dimension__code",
                                                 "scale", "component__code", "weight"))
    dimensions = sorted(Dimension.objects.values_list("instrument__code", "code", "weight",
                                                      "is_survey", "rollup"))
    load_standard()
    assert Instrument.objects.count() == 3
    assert sorted(Indicator.objects.values_list(
        "instrument__code", "code", "dimension__code", "scale", "component__code",
        "weight")) == shape
    assert sorted(Dimension.objects.values_list("instrument__code", "code", "weight",
                                                "is_survey", "rollup")) == dimensions
    assert len(shape) == 3 * 48
    assert [(code, str(weight)) for _i, code, weight, _s, _r in dimensions
            if _i == "app-checklist-ombudsman-2022"] == [
        ("complaints", "21.54"), ("input", "21.85"), ("output", "24.24"),
        ("process", "32.37")]


@pytest.mark.django_db
def test_an_answer_to_another_instruments_indicator_is_refused(personas, live_round):
    unit = live_round["assessments"]["a"]
    foreign = checklist("ombudsman-2016").get(code="sarana-1")
    with pytest.raises(ValidationError):
        answer_save(assessment_id=unit.id, indicator=foreign, user=personas["operator"],
                    value=1, not_applicable=False, note="", expected_version=0)
    assert not Answer.objects.filter(assessment=unit).exists()


@pytest.mark.django_db
def test_a_value_above_the_indicators_scale_is_refused(personas, live_round):
    unit = live_round["assessments"]["a"]
    with pytest.raises(ValidationError):
        answer_save(assessment_id=unit.id, indicator=checklist().get(code="sarana-1"),
                    user=personas["operator"], value=4, not_applicable=False, note="",
                    expected_version=0)


@pytest.mark.django_db
def test_products_are_sampled_two_per_unit_an_administrative_and_a_service_one(personas,
                                                                              live_round):
    unit = live_round["assessments"]["a"]
    agency = unit.agency
    for name, kind in (("Izin usaha", "administrative"), ("Izin bangunan", "administrative"),
                       ("Konsultasi", "services"), ("Papan nama", "goods")):
        product_create(agency=agency, name=name, kind=kind)
    samples = products_sample(assessment_id=unit.id, by=personas["coordinator"])
    assert [s.product.name for s in samples] == ["Izin bangunan", "Konsultasi"]
    # Sampling again keeps the same rows; the products belong to the agency (next round too).
    again = products_sample(assessment_id=unit.id, by=personas["coordinator"])
    assert [s.id for s in again] == [s.id for s in samples]
    assert ProductSample.objects.filter(assessment=unit).count() == 2


@pytest.mark.django_db
def test_per_product_answers_score_as_the_mean_over_the_sampled_products(personas, sultra):
    """A round on a draft instrument with one per-product 0-3 indicator (points) and nothing
    else: product A answered 3, product B 1 -> (100 + 33.33…) / 2 = 66.67."""
    from agencies.models import Agency, AgencyKind

    methodology = Methodology.objects.get(code="ombudsman-2022")
    instrument = Instrument.objects.create(
        methodology=methodology, code="test-products", version="1", name_id="Uji",
        name_en="Test", purpose=Instrument.Purpose.ASSESSMENT)
    dimension = Dimension.objects.create(instrument=instrument, code="process", weight=100,
                                         rollup=Dimension.Rollup.POINTS)
    indicator = Indicator.objects.create(instrument=instrument, dimension=dimension,
                                         code="p-1", text_id="Produk", text_en="Product",
                                         scale="0_3", per_product=True,
                                         source_kind="observation")
    round_ = Round.objects.create(year=2031, name="R", methodology=methodology,
                                  instrument=instrument, state=Round.State.SELF_ASSESSMENT)
    agency = Agency.objects.create(government=sultra, name="DPMPTSP X",
                                   kind=AgencyKind.DPMPTSP)
    unit = Assessment.objects.create(round=round_, agency=agency, sampled=True)
    for name, kind in (("A", "administrative"), ("B", "services")):
        product_create(agency=agency, name=name, kind=kind)
    first, second = products_sample(assessment_id=unit.id)
    operator = personas["operator"]
    with pytest.raises(ValidationError):  # a per-product indicator needs its product
        answer_save(assessment_id=unit.id, indicator=indicator, user=operator, value=3,
                    not_applicable=False, note="", expected_version=0)
    for sample, value in ((first, 3), (second, 1)):
        answer_save(assessment_id=unit.id, indicator=indicator, user=operator, value=value,
                    not_applicable=False, note="", expected_version=0,
                    product_sample_id=sample.id)
    unit.refresh_from_db()
    assert (unit.self_score, unit.answered_count) == (Decimal("66.67"), 2)
    assert {code: round2(score) for code, score in unit_result(unit).dimension_scores.items()
            } == {"process": Decimal("66.67")}
    assert recompute_scores(round_.id)["changed"] == 0
