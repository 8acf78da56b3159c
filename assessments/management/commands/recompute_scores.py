"""``manage.py recompute_scores [--round ID]``: rebuild stored self-scores from the answers.

Set-wise rather than one assessment at a time: assessments are taken in chunks, each chunk's
rows locked (as ``answer_save`` locks one), its answers and stored component scores read in one
query each, every unit scored with the app's own ``compute_unit``, and only the figures that
differ written back in bulk. A consistent database is read and left untouched; the same numbers
come out as from ``assessment_recompute_scores``.
"""
from collections import defaultdict

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments.models import Answer, Assessment, ComponentScore, Round
from assessments.services.scores import checklist_indicators, compute_unit
from compliance.scoring import round2
from compliance.specs import methodology_spec

CHUNK = 2000


def _rounded(value):
    return None if value is None else round2(value)


def recompute_chunk(ids, indicators, methodologies, now) -> tuple[int, int]:
    """Recompute one chunk of assessments inside a transaction; returns (assessments changed,
    component scores written). ``methodologies``: round id -> methodology id."""
    with transaction.atomic():
        assessments = list(
            Assessment.objects.select_for_update(of=("self",)).filter(id__in=ids).order_by("id")
            .only("id", "round_id", "self_score", "answered_count", "status", "survey_score"))
        answers = defaultdict(dict)
        for assessment_id, indicator_id, value, not_applicable in Answer.objects.filter(
                assessment_id__in=ids).values_list("assessment_id", "indicator_id", "value",
                                                   "not_applicable"):
            answers[assessment_id][indicator_id] = (value, not_applicable)
        stored = defaultdict(dict)
        for assessment_id, component_id, score in ComponentScore.objects.filter(
                assessment_id__in=ids).values_list("assessment_id", "component_id",
                                                   "self_score"):
            stored[assessment_id][component_id] = (score,)
        changed_assessments, changed_scores = [], []
        for assessment in assessments:
            spec = methodology_spec(methodologies[assessment.round_id])
            result = compute_unit(indicators, answers.get(assessment.id, {}), spec,
                                  assessment.survey_score)
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


def recompute_scores(round_id=None, chunk=CHUNK) -> dict:
    queryset = Assessment.objects.order_by("id")
    if round_id is not None:
        queryset = queryset.filter(round_id=round_id)
    ids = list(queryset.values_list("id", flat=True))
    indicators = checklist_indicators()
    methodologies = dict(Round.objects.values_list("id", "methodology_id"))
    now = timezone.now()
    totals = {"assessments": len(ids), "changed": 0, "component_scores_written": 0}
    for start in range(0, len(ids), chunk):
        changed, written = recompute_chunk(ids[start:start + chunk], indicators, methodologies,
                                          now)
        totals["changed"] += changed
        totals["component_scores_written"] += written
    return totals


class Command(BaseCommand):
    help = "Rebuild the stored scores of assessments from their answers."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, default=None, help="round id (default: all)")

    def handle(self, *args, round=None, **options):
        totals = recompute_scores(round)
        self.stdout.write(f"{totals['assessments']} assessments recomputed "
                          f"({totals['changed']} changed, {totals['component_scores_written']} "
                          f"component scores written).")
