"""The set-based recomputation (PostgreSQL) gives, to the cent, what ``compute_unit`` gives:
on a small synthetic nation disturbed in every way the rules care about (unanswered, N/A,
whole components N/A, missing answer rows, survey scores), on a methodology without dimensions,
and on an exact half-cent, which must round up (on both paths)."""
import random
from decimal import Decimal

import pytest
from django.db import connection

from assessments.management.commands.recompute_scores import recompute_scores
from assessments.models import Answer, Assessment, ComponentScore, Round
from assessments.services.recompute_sql import round_differences
from assessments.synthetic import Params, generate
from compliance.models import Methodology, default_instrument
from tests.checklists import checklist

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the set-based path is PostgreSQL's; SQLite keeps the Python path")

# On the app checklist (48 indicators, every one tied to a component, no per-product ones,
# component means). The default nation's instrument (the 2022–2024 assessment: points, per
# product) has its own tests in test_recompute_sql_products.py.
SMALL = Params(scale=0.04, seed=11, agencies=8, instrument="app-checklist-ombudsman-2022")


def disturb(round_, seed=5):
    """Unanswered values, N/A, a component wholly N/A, missing rows and survey scores."""
    rng = random.Random(seed)
    answers = list(Answer.objects.filter(assessment__round=round_).order_by("id")
                   .values_list("id", "assessment_id", "indicator__component_id"))
    for answer_id, _aid, _cid in rng.sample(answers, len(answers) // 10):
        Answer.objects.filter(id=answer_id).update(value=None, not_applicable=False)
    for answer_id, _aid, _cid in rng.sample(answers, len(answers) // 10):
        Answer.objects.filter(id=answer_id).update(not_applicable=True, value=None)
    Answer.objects.filter(id__in=[a for a, *_ in rng.sample(answers, 40)]).delete()
    units = list(Assessment.objects.filter(round=round_).order_by("id"))
    for unit in rng.sample(units, 6):
        component = rng.choice([c for _a, aid, c in answers if aid == unit.id])
        Answer.objects.filter(assessment=unit, indicator__component_id=component).update(
            not_applicable=True, value=None)
    for unit in rng.sample(units, len(units) // 2):
        unit.survey_score = Decimal(rng.randint(0, 10000)) / 100
        unit.save(update_fields=["survey_score"])
    Answer.objects.filter(assessment=units[0]).delete()  # nothing answered at all


@postgresql_only
@pytest.mark.django_db
def test_sql_equals_compute_unit_on_a_synthetic_nation(standard):
    generate(SMALL, log=lambda text: None)
    current = Round.objects.get(is_official=False)
    assert round_differences(current.id) == []  # as generated

    disturb(current)
    differences = round_differences(current.id)
    assert differences == []

    totals = recompute_scores(current.id)
    assert totals["assessments"] == Assessment.objects.filter(round=current).count()
    assert totals["changed"] > 0
    stored = dict(Assessment.objects.filter(round=current).values_list("id", "self_score"))
    components = {(a, c): s for a, c, s in ComponentScore.objects.filter(
        assessment__round=current).values_list("assessment_id", "component_id", "self_score")}
    # The Python path now finds nothing to change: both wrote the same figures.
    assert recompute_scores(current.id, python=True) == {
        "assessments": totals["assessments"], "changed": 0, "component_scores_written": 0}
    assert recompute_scores(current.id) == {
        "assessments": totals["assessments"], "changed": 0, "component_scores_written": 0}
    assert dict(Assessment.objects.filter(round=current).values_list("id", "self_score")) \
        == stored
    assert len(components) == totals["assessments"] * 14

    # A component score alone wrong, or missing, is repaired too (the unit's figures agree).
    first, second = Assessment.objects.filter(round=current).order_by("id")[1:3]
    wrong = ComponentScore.objects.filter(assessment=first).order_by("component__number")[0]
    ComponentScore.objects.filter(id=wrong.id).update(self_score=Decimal("1.23"))
    ComponentScore.objects.filter(assessment=second).order_by("component__number").last().delete()
    assert recompute_scores(current.id) == {
        "assessments": totals["assessments"], "changed": 0, "component_scores_written": 2}
    assert {(a, c): s for a, c, s in ComponentScore.objects.filter(
        assessment__round=current).values_list("assessment_id", "component_id",
                                               "self_score")} == components


@postgresql_only
@pytest.mark.django_db
def test_sql_equals_compute_unit_without_dimensions(live_round):
    """ombudsman-2016: yes/no indicators, the unit is the plain mean of its components."""
    round_ = live_round["round"]
    methodology = Methodology.objects.get(code="ombudsman-2016")
    Round.objects.filter(id=round_.id).update(methodology=methodology,
                                              instrument=default_instrument(methodology.id))
    rng = random.Random(3)
    indicators = list(checklist("ombudsman-2016").filter(active=True).order_by("id"))
    for unit in live_round["assessments"].values():
        not_applicable = [rng.random() < 0.2 for _indicator in indicators]
        Answer.objects.bulk_create([
            Answer(assessment=unit, indicator=indicator, not_applicable=na,
                   value=None if na else rng.choice([None, 0, 1, 1]))
            for indicator, na in zip(indicators, not_applicable)])
    checklist("ombudsman-2016").filter(id=indicators[0].id).update(weight=Decimal("2.50"))
    assert round_differences(round_.id) == []
    totals = recompute_scores(round_.id)
    assert totals == {"assessments": 3, "changed": 3, "component_scores_written": 42}
    statuses = set(Assessment.objects.filter(round=round_).values_list("status", flat=True))
    assert statuses == {Assessment.Status.IN_PROGRESS}


@pytest.mark.django_db
def test_an_exact_half_cent_rounds_up(live_round):
    """On either path (SQL on PostgreSQL, compute_unit on SQLite). Every indicator at its maximum (input, process and complaints 100) and a survey of 6.25:
    (100 × (21.85 + 32.37 + 21.54) + 6.25 × 24.24) / 100 = 77.275 exactly -> 77.28, where
    truncation, or Python's round() of the binary float 77.275, gives 77.27."""
    unit = live_round["assessments"]["a"]
    Answer.objects.bulk_create([Answer(assessment=unit, indicator=indicator, value=3)
                                for indicator in checklist().filter(active=True)])
    Assessment.objects.filter(id=unit.id).update(survey_score=Decimal("6.25"))
    recompute_scores(live_round["round"].id)
    unit.refresh_from_db()
    assert (unit.self_score, unit.answered_count, unit.status) == (
        Decimal("77.28"), 48, Assessment.Status.IN_PROGRESS)
    assert set(ComponentScore.objects.filter(assessment=unit)
               .values_list("self_score", flat=True)) == {Decimal("100.00")}
    other = live_round["assessments"]["b"]
    other.refresh_from_db()
    assert (other.self_score, other.answered_count, other.status) == (
        Decimal("0.00"), 0, Assessment.Status.NOT_STARTED)


@pytest.mark.django_db
def test_a_half_cent_reached_through_thirds_rounds_up(live_round):
    """A unit of the synthetic nation: input 100, process 95, complaints 83.33… (250/3), no
    survey: (100 × 21.85 + 95 × 32.37 + 250/3 × 21.54) / 75.76 = 93.125 exactly -> 93.13. The
    thirds leave 93.1249…9 in finite arithmetic; rounded directly at two places, 93.12."""
    unit = live_round["assessments"]["a"]
    below_max = {"evaluasi_kinerja-2": 2, "evaluasi_kinerja-3": 2, "pengaduan-2": 2,
                 "pengaduan-4": 2, "pengawasan-1": 2, "prosedur-2": 1}
    Answer.objects.bulk_create([
        Answer(assessment=unit, indicator=indicator,
               not_applicable=indicator.code == "jumlah_pelaksana-1",
               value=None if indicator.code == "jumlah_pelaksana-1"
               else below_max.get(indicator.code, 3))
        for indicator in checklist().filter(active=True)])
    recompute_scores(live_round["round"].id)
    unit.refresh_from_db()
    assert (unit.self_score, unit.answered_count) == (Decimal("93.13"), 48)
