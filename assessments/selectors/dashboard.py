"""A government's dashboard: its trend, units, component heat-map, weakest components and the
path to the next zone, for one round chosen from the government's rounds (the latest with
published figures by default). A live round is a self-assessment projection: shown beside the
published round, or on its own only when chosen or when nothing is published yet. A fixed number
of queries whatever the number of units."""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from compliance.models import Component
from compliance.paths import IndicatorState, government_path, indicator_gains, unit_path
from compliance.scoring import round2
from compliance.specs import instrument_spec, methodology_spec

from ..models import Answer, Assessment, ComponentScore
from .instruments import round_indicators
from .governments import choose_round, government_history, government_rounds, live_rounds

WEAKEST = 3


@dataclass(frozen=True)
class UnitRow:
    assessment: Assessment
    score: Decimal | None
    band: object
    label: str
    cells: list  # (component, score, band) in component order
    path: object  # compliance.paths.UnitPath


def methodology_warnings(history) -> list[str]:
    warnings = []
    for before, after in zip(history, history[1:]):
        if before.round.methodology_id != after.round.methodology_id:
            warnings.append(_("%(first)s and %(second)s scores are on different methodologies "
                              "(%(m1)s → %(m2)s); compare them with care.") % {
                "first": before.round.year, "second": after.round.year,
                "m1": before.round.methodology.name, "m2": after.round.methodology.name})
    return warnings


def chart_data(history):
    return {
        "labels": [str(row.round.year) for row in history],
        "scores": [float(row.score) if row.score is not None else None for row in history],
        "zones": [row.zone for row in history],
        "categories": [row.category for row in history],
    }


def _states(indicators, answers, use_verified):
    states = []
    for indicator in indicators:
        answer = answers.get(indicator.id)
        if use_verified:
            value = answer.verified_value if answer else None
            na = answer.verified_not_applicable if answer else False
        else:
            value = answer.value if answer else None
            na = answer.not_applicable if answer else False
        component = indicator.component.code if indicator.component else indicator.code
        states.append(IndicatorState(key=indicator.id, component=component,
                                     value=value, weight=indicator.weight, not_applicable=na))
    return states


def weakest_components(assessments, components, cells, limit=WEAKEST):
    """government id -> its weakest components, (component, mean) lowest first: the mean over
    the government's sampled units (the dashboard's list and the round workbook's summary)."""
    sampled = defaultdict(list)
    for assessment in assessments:
        if assessment.sampled:
            sampled[assessment.agency.government_id].append(assessment.id)
    result = {}
    for government_id, ids in sampled.items():
        means = []
        for component in components:
            values = [cells[aid].get(component.id) for aid in ids]
            values = [value for value in values if value is not None]
            if values:
                means.append((component, round2(sum(values) / len(values))))
        result[government_id] = sorted(means, key=lambda item: (item[1], item[0].number))[:limit]
    return result


def government_dashboard(government, round_value=None):
    """``round_value``: the request's ``?round=``, checked against the government's rounds."""
    history = government_history(government)
    rounds = government_rounds(government)
    round_ = choose_round(rounds, round_value)
    chosen_id = round_.id if round_ is not None else None
    live = live_rounds(government)
    result = {"history": history, "warnings": methodology_warnings(history),
              "chart": chart_data(history), "rounds": rounds, "round": round_,
              "is_projection": round_ is not None and not round_.is_published,
              "published_row": next((row for row in history if row.round.id == chosen_id),
                                    None),
              "projections": [entry for entry in live if entry.round.id != chosen_id],
              "selected_live": next((entry for entry in live if entry.round.id == chosen_id),
                                    None),
              "latest_published": next((row for row in reversed(history)
                                        if any(r.id == row.round.id for r in rounds)), None),
              "units": [], "components": [], "weakest": [], "path": None,
              "use_verified": False}
    if round_ is None:
        return result
    spec = methodology_spec(round_.methodology_id)
    # The paths read the instrument as components on one scale (the app's checklists).
    instrument = instrument_spec(round_.instrument_id)
    language = (get_language() or "id")[:2]
    use_verified = round_.is_published
    components = list(Component.objects.order_by("number"))
    indicators = round_indicators(round_.instrument_id)
    assessments = list(Assessment.objects.filter(round=round_, agency__government=government)
                       .select_related("agency").order_by("agency__name"))
    field = "verified_score" if use_verified else "self_score"
    cell_scores = defaultdict(dict)
    for assessment_id, component_id, score in ComponentScore.objects.filter(
            assessment__in=assessments).values_list("assessment_id", "component_id", field):
        cell_scores[assessment_id][component_id] = score
    answers = defaultdict(dict)
    for answer in Answer.objects.filter(assessment__in=assessments,
                                        product_sample__isnull=True).only(
            "assessment_id", "indicator_id", "value", "not_applicable", "verified_value",
            "verified_not_applicable"):
        answers[answer.assessment_id][answer.indicator_id] = answer
    surveys_of = {dim.code for dim in instrument.dimensions if dim.is_survey}
    units, gains = [], {}
    for assessment in assessments:
        score = getattr(assessment, field)
        band = spec.band(score)
        states = _states(indicators, answers[assessment.id], use_verified)
        surveys = {code: assessment.survey_score for code in surveys_of}
        path = unit_path(states, instrument.scale_max, spec.bands, spec.index_max,
                         instrument.dimensions, surveys)
        if assessment.sampled:
            gains[assessment.id] = (score, indicator_gains(states, instrument.scale_max,
                                                           instrument.dimensions, surveys))
        units.append(UnitRow(
            assessment=assessment, score=score, band=band, label=spec.label(band, language),
            cells=[(component, cell_scores[assessment.id].get(component.id),
                    spec.band(cell_scores[assessment.id].get(component.id)))
                   for component in components],
            path=path))
    units.sort(key=lambda row: (row.score is None, -(row.score or 0), row.assessment.agency.name))
    by_indicator = {indicator.id: indicator for indicator in indicators}
    by_assessment = {assessment.id: assessment for assessment in assessments}
    path = government_path(gains, spec.bands, spec.index_max, by="zone")
    result.update({
        "units": units, "components": components, "use_verified": use_verified,
        "weakest": weakest_components(assessments, components, cell_scores).get(
            government.id, []),
        "path": path,
        "units_first": [(by_assessment[o.key], o.potential) for o in path.units[:5]],
        "plan": [(by_assessment[key], by_indicator[step.key], step.gain)
                 for key, step in path.plan],
    })
    return result
