"""``manage.py recompute_scores [--round ID]``: rebuild stored self-scores from the answers.

On PostgreSQL each round is scored in one set-based statement
(``assessments.services.recompute_sql``), checked against ``compute_unit`` by the tests and by
``make bench``. Elsewhere (SQLite), and with ``--python``, the portable path: assessments in
chunks, each chunk's rows locked (as ``answer_save`` locks one), its answers and stored
component scores read in one query each, every unit scored with the app's own
``compute_unit``. Either way only the figures that differ are written: a consistent database is
read and left untouched, and the same numbers come out as from ``assessment_recompute_scores``.
Each round is scored with its own instrument (``Round.instrument``); a round whose instrument
the SQL statement does not cover (``InstrumentSpec.sql_ready``) takes the portable path.
"""
from collections import defaultdict

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import Assessment, ComponentScore, Round
from assessments.services.recompute_sql import recompute_round_sql
from assessments.services.scores import (assessment_answers, assessment_products,
                                         checklist_indicators, compute_unit)
from compliance.scoring import round2
from compliance.specs import instrument_spec

CHUNK = 2000


def _rounded(value):
    return None if value is None else round2(value)


def recompute_chunk(ids, instruments, now) -> tuple[int, int]:
    """Recompute one chunk of assessments inside a transaction; returns (assessments changed,
    component scores written). ``instruments``: round id -> instrument id."""
    with transaction.atomic():
        assessments = list(
            Assessment.objects.select_for_update(of=("self",)).filter(id__in=ids).order_by("id")
            .only("id", "round_id", "self_score", "answered_count", "status", "survey_score"))
        answers = assessment_answers(ids)
        products = assessment_products(ids)
        indicators = {}
        stored = defaultdict(dict)
        for assessment_id, component_id, score in ComponentScore.objects.filter(
                assessment_id__in=ids).values_list("assessment_id", "component_id",
                                                   "self_score"):
            stored[assessment_id][component_id] = (score,)
        changed_assessments, changed_scores = [], []
        for assessment in assessments:
            instrument_id = instruments[assessment.round_id]
            if instrument_id not in indicators:
                indicators[instrument_id] = checklist_indicators(instrument_id)
            result = compute_unit(indicators[instrument_id], answers.get(assessment.id, {}),
                                  instrument_spec(instrument_id), assessment.survey_score,
                                  products.get(assessment.id, ()))
            current = stored.get(assessment.id, {})
            for component_id, score in result.component_scores.items():
                rounded = _rounded(score)
                if current.get(component_id) != (rounded,):
                    changed_scores.append(ComponentScore(
                        assessment_id=assessment.id, component_id=component_id,
                        self_score=rounded))
            score = _rounded(result.score)
            status = assessment.status
            if status == Assessment.Status.NOT_STARTED and result.answered:
                status = Assessment.Status.IN_PROGRESS
            if (score, result.answered, status) != (assessment.self_score,
                                                    assessment.answered_count, assessment.status):
                assessment.self_score, assessment.answered_count = score, result.answered
                assessment.status, assessment.updated_at = status, now
                changed_assessments.append(assessment)
        if changed_scores:
            ComponentScore.objects.bulk_create(
                changed_scores, batch_size=1000, update_conflicts=True,
                unique_fields=["assessment", "component"], update_fields=["self_score"])
        if changed_assessments:
            Assessment.objects.bulk_update(
                changed_assessments, ["self_score", "answered_count", "status", "updated_at"],
                batch_size=1000)
    return len(changed_assessments), len(changed_scores)


def recompute_scores(round_id=None, chunk=CHUNK, python=False) -> dict:
    """``python``: the portable path even on PostgreSQL (the reference, and SQLite's)."""
    if connection.vendor == "postgresql" and not python:
        return _recompute_sql(round_id)
    queryset = Assessment.objects.order_by("id")
    if round_id is not None:
        queryset = queryset.filter(round_id=round_id)
    return _recompute_python(queryset, chunk)


def _recompute_python(queryset, chunk=CHUNK) -> dict:
    ids = list(queryset.values_list("id", flat=True))
    instruments = dict(Round.objects.values_list("id", "instrument_id"))
    now = timezone.now()
    totals = {"assessments": len(ids), "changed": 0, "component_scores_written": 0}
    for start in range(0, len(ids), chunk):
        changed, written = recompute_chunk(ids[start:start + chunk], instruments, now)
        totals["changed"] += changed
        totals["component_scores_written"] += written
    return totals


def _recompute_sql(round_id) -> dict:
    rounds = Round.objects.filter(assessments__isnull=False).distinct().order_by("id")
    if round_id is not None:
        rounds = rounds.filter(id=round_id)
    now = timezone.now()
    totals = {"assessments": 0, "changed": 0, "component_scores_written": 0}
    for found, instrument_id in rounds.values_list("id", "instrument_id"):
        if not instrument_spec(instrument_id).sql_ready:
            part = _recompute_python(Assessment.objects.filter(round_id=found).order_by("id"))
            assessments, changed, written = (part["assessments"], part["changed"],
                                             part["component_scores_written"])
        else:
            assessments, changed, written = recompute_round_sql(found, now)
        totals["assessments"] += assessments
        totals["changed"] += changed
        totals["component_scores_written"] += written
    return totals


class Command(BaseCommand):
    help = "Rebuild the stored scores of assessments from their answers."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, default=None, help="round id (default: all)")
        parser.add_argument("--python", action="store_true",
                            help="score in Python with compute_unit even on PostgreSQL")

    def handle(self, *args, round=None, python=False, **options):
        totals = recompute_scores(round, python=python)
        self.stdout.write(f"{totals['assessments']} assessments recomputed "
                          f"({totals['changed']} changed, {totals['component_scores_written']} "
                          f"component scores written).")
