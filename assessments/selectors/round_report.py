"""What the round workbook holds, for one government or a whole province: streamed from the
database in a fixed number of queries (iterator() keeps memory flat on large provinces)."""
from collections import defaultdict

from compliance.models import Component

from ..models import ActionItem, Answer, Assessment, ComponentScore, Evidence, Round
from .instruments import round_indicators
from .fieldwork import without_survey
from .governments import governments_history


def report_scope(round_, governments, agency_ids=None):
    """Assessments of these governments in the round; ``agency_ids`` (when not None) keeps
    only those agencies' units, for a reader who may see no others."""
    queryset = Assessment.objects.filter(round=round_, agency__government__in=governments)
    if agency_ids is not None:
        queryset = queryset.filter(agency_id__in=agency_ids)
    return list(queryset.select_related("agency", "agency__government")
                .annotate(without_survey=without_survey())
                .order_by("agency__government__name", "agency__name"))


def component_matrix(assessments, verified: bool):
    field = "verified_score" if verified else "self_score"
    cells = defaultdict(dict)
    for assessment_id, component_id, score in ComponentScore.objects.filter(
            assessment__in=assessments).values_list("assessment_id", "component_id", field):
        cells[assessment_id][component_id] = score
    return list(Component.objects.order_by("number")), cells


def findings_and_actions(assessments):
    findings = (Answer.objects.filter(assessment__in=assessments).exclude(finding="")
                .select_related("assessment__agency", "indicator__component")
                .order_by("assessment__agency__name", "indicator__component__number",
                          "indicator__order"))
    actions = (ActionItem.objects.filter(agency__in={a.agency_id for a in assessments})
               .select_related("agency", "component", "source_answer__indicator__component")
               .order_by("agency__name", "due_date", "id"))
    return findings, actions


def raw_answers(assessments):
    """(assessment, indicator, answer or None, evidence list) for every indicator of every
    assessment (its round's instrument's), in checklist order; answers and evidence are
    streamed per query."""
    instrument_of = dict(Round.objects.filter(id__in={a.round_id for a in assessments})
                         .values_list("id", "instrument_id"))
    indicators = {round_id: round_indicators(instrument_id)
                  for round_id, instrument_id in instrument_of.items()}
    answers = defaultdict(dict)
    for answer in Answer.objects.filter(assessment__in=assessments,
                                        product_sample__isnull=True).iterator(chunk_size=5000):
        answers[answer.assessment_id][answer.indicator_id] = answer
    evidence = defaultdict(list)
    for item in Evidence.objects.filter(assessment__in=assessments).iterator(chunk_size=5000):
        evidence[(item.assessment_id, item.indicator_id)].append(item)
    for assessment in assessments:
        for indicator in indicators[assessment.round_id]:
            yield (assessment, indicator, answers[assessment.id].get(indicator.id),
                   evidence.get((assessment.id, indicator.id), []))


def history_of(governments):
    """government id -> its published history, in one query whatever the number."""
    return governments_history(governments)
