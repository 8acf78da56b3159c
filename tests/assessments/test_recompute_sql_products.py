"""The set-based recomputation (PostgreSQL) on the shipped 2022–2024 instrument
(``ombudsman-2022-assessment``): points roll-ups, eleven Process indicators answered per
sampled product (the unit's Process is the mean over its samples), the component sarana split
over Input and Process, six Input indicators without a component, the Output survey.
``compute_unit`` is the reference: on a small synthetic nation disturbed in every way the rules
care about, both give the same figures to the cent; and on one unit worked out by hand, the
statement gives the literal figures."""
import random
from decimal import Decimal

import pytest
from django.db import connection

from assessments.management.commands.recompute_scores import recompute_scores
from assessments.models import (Answer, Assessment, ComponentScore, ProductSample, Round,
                                ServiceProduct)
from assessments.services.recompute_sql import round_differences, round_scores_sql
from assessments.synthetic import Params, generate
from compliance.models import Dimension, Instrument
from compliance.specs import clear_cache, instrument_spec

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the set-based path is PostgreSQL's; SQLite keeps the Python path")

INSTRUMENT = "ombudsman-2022-assessment"
# The generator's default instrument: 20 answers per unit, 11 per sampled product, 2 samples.
SMALL = Params(scale=0.04, seed=13, agencies=8)


def disturb(round_, seed=7):
    """Unanswered values, N/A, missing rows, a sample without any answer, a sample wholly N/A,
    units with one sample or none (their per-product indicators answered without a product),
    stray answers the rules ignore, and survey scores."""
    rng = random.Random(seed)
    answers = list(Answer.objects.filter(assessment__round=round_).order_by("id")
                   .values_list("id", flat=True))
    for answer_id in rng.sample(answers, len(answers) // 10):
        Answer.objects.filter(id=answer_id).update(value=None, not_applicable=False)
    for answer_id in rng.sample(answers, len(answers) // 10):
        Answer.objects.filter(id=answer_id).update(not_applicable=True, value=None)
    Answer.objects.filter(id__in=rng.sample(answers, 40)).delete()
    units = list(Assessment.objects.filter(round=round_).order_by("id"))
    assert len(units) >= 24
    chosen = rng.sample(units, 24)
    samples = {unit.id: list(ProductSample.objects.filter(assessment=unit).order_by("order"))
               for unit in chosen}
    process = list(instrument_spec(round_.instrument_id).indicators)
    per_product = [i.key for i in process if i.per_product]
    per_unit = [i.key for i in process if not i.per_product]
    # A sampled product with no answer at all (its indicators unanswered: 0, not absent).
    for unit in chosen[0:4]:
        Answer.objects.filter(product_sample=samples[unit.id][1]).delete()
    # A sample whose every indicator is N/A (it drops out of the mean).
    for unit in chosen[4:8]:
        Answer.objects.filter(product_sample=samples[unit.id][0]).update(
            not_applicable=True, value=None)
    # One sample left (the other removed with its answers).
    for unit in chosen[8:12]:
        samples[unit.id][1].delete()
    # No sample: the per-product indicators answered once, without a product.
    for unit in chosen[12:16]:
        ProductSample.objects.filter(assessment=unit).delete()
        Answer.objects.bulk_create([
            Answer(assessment=unit, indicator_id=key, value=rng.choice([None, 0, 1, 2, 3]),
                   not_applicable=False) for key in per_product[:8]])
    # No sample and no answer without a product either.
    for unit in chosen[16:18]:
        ProductSample.objects.filter(assessment=unit).delete()
    # Stray rows both paths ignore: a per-product indicator answered without a product by a
    # unit that has samples, a per-unit indicator answered for a sample.
    for unit in chosen[18:21]:
        Answer.objects.filter(assessment=unit, indicator_id=per_product[0],
                              product_sample__isnull=True).delete()
        Answer.objects.create(assessment=unit, indicator_id=per_product[0], value=3)
        Answer.objects.filter(assessment=unit, indicator_id=per_unit[0],
                              product_sample=samples[unit.id][0]).delete()
        Answer.objects.create(assessment=unit, indicator_id=per_unit[0], value=0,
                              product_sample=samples[unit.id][0])
    # Nothing answered at all (the samples kept).
    Answer.objects.filter(assessment=chosen[21]).delete()
    for unit in rng.sample(units, len(units) // 2):
        unit.survey_score = Decimal(rng.randint(0, 10000)) / 100
        unit.save(update_fields=["survey_score"])


@postgresql_only
@pytest.mark.django_db
def test_sql_equals_compute_unit_on_a_nation_with_products(standard):
    generate(SMALL, log=lambda text: None)
    current = Round.objects.get(is_official=False)
    assert current.instrument.code == INSTRUMENT
    assert instrument_spec(current.instrument_id).sql_ready
    assert round_differences(current.id) == []  # as generated

    disturb(current)
    assert round_differences(current.id) == []

    count = Assessment.objects.filter(round=current).count()
    totals = recompute_scores(current.id)
    assert totals["assessments"] == count
    assert totals["changed"] > 0
    stored = sorted(Assessment.objects.filter(round=current).values_list(
        "id", "self_score", "answered_count", "status"))
    components = {(a, c): s for a, c, s in ComponentScore.objects.filter(
        assessment__round=current).values_list("assessment_id", "component_id", "self_score")}
    # The Python path finds nothing to change: both wrote the same figures.
    nothing = {"assessments": count, "changed": 0, "component_scores_written": 0}
    assert recompute_scores(current.id, python=True) == nothing
    assert recompute_scores(current.id) == nothing
    assert sorted(Assessment.objects.filter(round=current).values_list(
        "id", "self_score", "answered_count", "status")) == stored
    assert len(components) == count * 14


@postgresql_only
@pytest.mark.django_db
def test_component_mean_dimensions_with_products_equal_compute_unit(standard):
    """The shipped instrument with its Input and Process turned into component-mean dimensions:
    per product, the mean of its components' points (Input's six indicators without a
    component are one more group), then the mean over the samples."""
    generate(SMALL, log=lambda text: None)
    current = Round.objects.get(is_official=False)
    Dimension.objects.filter(instrument=current.instrument, code__in=["input", "process"]) \
        .update(rollup=Dimension.Rollup.COMPONENT_MEAN)
    clear_cache()
    disturb(current, seed=8)
    assert round_differences(current.id) == []


# One unit worked out by hand (every indicator weight 1, scale 0–3; Σ values / (3 × applicable
# indicators) × 100 per dimension or component):
# - Input (14): 3 everywhere but sarana-ruang-layanan 0 and sarana-berkebutuhan-khusus N/A:
#   36 / 39 = 92.307692…;
# - Process per product: "A" 3 on all eleven = 100; "B" prosedur 1, sarana 0, biaya N/A, 3 on
#   the other eight: 25 / 30 = 83.333…; the dimension (100 + 83.333…) / 2 = 91.666…;
# - Pengaduan (6): 2 everywhere: 12 / 18 = 66.666…;
# - Output: the survey, 80.
# Unit: (92.307692… × 21.85 + 91.666… × 32.37 + 80 × 24.24 + 66.666… × 21.54) / 100
#   = (2016.923076… + 2967.25 + 1939.2 + 1436) / 100 = 83.593730… -> 83.59;
#   without the survey (21.85 + 32.37 + 21.54 = 75.76): 6420.173076… / 75.76 = 84.743573…
#   -> 84.74.
# Components, each over every indicator it holds, per product, then the mean over products:
#   sarana: A (0 + 3) / 6 = 50, B (0 + 0) / 6 = 0 -> 25.00; biaya: A 100, B none -> 100.00;
#   prosedur: A 100, B 33.33… -> 66.67; pengaduan: A and B (12 + 3) / 21 = 71.43;
#   pengawasan (Input only) 100.00.
# Answered: 14 + 2 × 11 + 6 = 42 (an N/A counts as answered).
PROCESS_B = {"proses-prosedur": 1, "proses-sarana": 0, "proses-biaya": None}
INPUT = {"sarana-ruang-layanan": 0, "sarana-berkebutuhan-khusus": None}


def hand_worked_unit(live_round, survey):
    round_ = live_round["round"]
    instrument = Instrument.objects.get(code=INSTRUMENT)
    Round.objects.filter(id=round_.id).update(instrument=instrument)
    unit = live_round["assessments"]["a"]
    Assessment.objects.filter(id=unit.id).update(survey_score=survey)
    a, b = (ProductSample.objects.create(
        assessment=unit, order=order,
        product=ServiceProduct.objects.create(agency=unit.agency, name=name, kind=kind))
        for order, (name, kind) in enumerate((("Izin usaha", "administrative"),
                                              ("Konsultasi", "services")), start=1))
    rows = []
    for indicator in instrument.indicators.filter(active=True):
        if indicator.per_product:
            rows.append(Answer(assessment=unit, indicator=indicator, product_sample=a, value=3))
            value = PROCESS_B.get(indicator.code, 3)
            rows.append(Answer(assessment=unit, indicator=indicator, product_sample=b,
                               value=value, not_applicable=value is None))
        elif indicator.dimension.code == "complaints":
            rows.append(Answer(assessment=unit, indicator=indicator, value=2))
        else:
            value = INPUT.get(indicator.code, 3)
            rows.append(Answer(assessment=unit, indicator=indicator, value=value,
                               not_applicable=value is None))
    Answer.objects.bulk_create(rows)
    return round_, unit


def component_scores(unit):
    return {code: score for code, score in ComponentScore.objects.filter(
        assessment=unit, component__code__in=["sarana", "biaya", "prosedur", "pengaduan",
                                              "pengawasan"]).values_list("component__code",
                                                                         "self_score")}


EXPECTED_COMPONENTS = {"sarana": Decimal("25.00"), "biaya": Decimal("100.00"),
                       "prosedur": Decimal("66.67"), "pengaduan": Decimal("71.43"),
                       "pengawasan": Decimal("100.00")}


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(("survey", "expected"), [
    (Decimal("80"), Decimal("83.59")),
    (None, Decimal("84.74")),
])
def test_one_unit_two_products_worked_by_hand(live_round, survey, expected):
    round_, unit = hand_worked_unit(live_round, survey)
    units, _components = round_scores_sql(round_.id)
    assert units[unit.id] == (expected, 42)
    recompute_scores(round_.id)
    unit.refresh_from_db()
    assert (unit.self_score, unit.answered_count, unit.status) == (
        expected, 42, Assessment.Status.IN_PROGRESS)
    assert component_scores(unit) == EXPECTED_COMPONENTS


@postgresql_only
@pytest.mark.django_db
def test_a_unit_without_samples_reads_its_per_product_answers_without_a_product(live_round):
    """The same answers, the samples removed and Process answered once without a product as
    product "B" was: Process 25 / 30 = 83.333…; unit (2016.923076… + 83.333… × 32.37 + 1939.2
    + 1436) / 100 = (2016.923076… + 2697.5 + 1939.2 + 1436) / 100 = 80.896230… -> 80.90.
    sarana (0 + 0) / 6 = 0.00, biaya none (nothing applicable), prosedur 33.33, pengaduan
    (12 + 3) / 21 = 71.43. Answered 14 + 11 + 6 = 31."""
    round_, unit = hand_worked_unit(live_round, Decimal("80"))
    b = ProductSample.objects.get(assessment=unit, order=2)
    Answer.objects.filter(product_sample=b).update(product_sample=None)
    ProductSample.objects.filter(assessment=unit).delete()
    recompute_scores(round_.id)
    unit.refresh_from_db()
    assert (unit.self_score, unit.answered_count) == (Decimal("80.90"), 31)
    assert component_scores(unit) == {
        "sarana": Decimal("0.00"), "biaya": None, "prosedur": Decimal("33.33"),
        "pengaduan": Decimal("71.43"), "pengawasan": Decimal("100.00")}


@postgresql_only
@pytest.mark.django_db
def test_a_unit_whose_samples_have_no_na_worked_by_hand(live_round):
    """The same unit with product "B"'s biaya answered 0 instead of N/A: no sampled answer is
    N/A, so the samples share one denominator and the statement takes the exact fraction of
    the unit's sums instead of scoring each sample. Process B 25 / 33 = 75.7575…, the
    dimension (100 + 75.7575…) / 2 = 87.878787…; unit (2016.923076… + 87.878787… × 32.37
    + 1939.2 + 1436) / 100 = (2016.923076… + 2844.636363… + 1939.2 + 1436) / 100
    = 82.367594… -> 82.37. biaya: A 100, B 0 -> 50.00; the other components as above."""
    round_, unit = hand_worked_unit(live_round, Decimal("80"))
    Answer.objects.filter(assessment=unit, indicator__code="proses-biaya",
                          product_sample__order=2).update(value=0, not_applicable=False)
    units, _components = round_scores_sql(round_.id)
    assert units[unit.id] == (Decimal("82.37"), 42)
    recompute_scores(round_.id)
    unit.refresh_from_db()
    assert (unit.self_score, unit.answered_count) == (Decimal("82.37"), 42)
    assert component_scores(unit) == {**EXPECTED_COMPONENTS, "biaya": Decimal("50.00")}


@postgresql_only
@pytest.mark.django_db
def test_a_unit_with_more_samples_than_the_sums_were_sized_for(live_round, monkeypatch):
    """The packed sums over a unit's samples are sized for the most samples a unit of the round
    has, read before the statement; a unit that has more when the statement runs (a sample
    added in between) is flagged, and the statement is sized and run again, not trusted."""
    from assessments.services import recompute_sql

    round_, unit = hand_worked_unit(live_round, Decimal("80"))
    Answer.objects.filter(assessment=unit, indicator__code="proses-biaya",
                          product_sample__order=2).update(value=0, not_applicable=False)
    counted = iter([1])
    real = recompute_sql._most_samples
    monkeypatch.setattr(recompute_sql, "_most_samples",
                        lambda cursor, round_id: next(counted, None) or real(cursor, round_id))
    units, components = round_scores_sql(round_.id)
    assert units[unit.id] == (Decimal("82.37"), 42)
    assert next(counted, "used") == "used"
