"""Keep the stored scores of an assessment in step with its answers.

Pages read stored scores instead of recomputing; this module is the one place that writes them.
The arithmetic itself is ``compliance.scoring``; here we only gather the inputs, from the
round's instrument (``Round.instrument``, frozen for the round's life). The self-score (the
operator's values) and the verified score (the assessor's) are one path with a ``side``.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from compliance.models import SCALE_MAX
from compliance.prepared import prepared
from compliance.scoring import IndicatorSpec, instrument_unit, round2
from compliance.specs import InstrumentSpec, instrument_spec, round_indicator_rows

from ..models import Answer, Assessment, ComponentScore, ProductSample, Round


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    component_id: int | None
    component_code: str | None
    weight: Decimal
    dimension: str = ""
    scale_max: int = 1
    per_product: bool = False


def checklist_indicators(instrument_id: int) -> list[IndicatorRow]:
    """The active indicators of a round's instrument, in checklist order (component, order);
    read once per process (``compliance.specs.round_indicator_rows``)."""
    return [
        IndicatorRow(row.id, row.component_id, row.component.code if row.component else None,
                     row.weight, row.dimension.code, SCALE_MAX[row.scale], row.per_product)
        for row in round_indicator_rows(instrument_id)
    ]


@dataclass(frozen=True)
class UnitResult:
    component_scores: dict  # component id -> Decimal | None (unrounded)
    score: Decimal | None  # unrounded
    answered: int
    dimension_scores: dict = None  # dimension code -> Decimal | None (unrounded)


def compute_unit(indicators: list[IndicatorRow], answers: dict, spec: InstrumentSpec,
                 survey_score=None, products=()) -> UnitResult:
    """answers: indicator id -> (value, not_applicable) for answers per unit, and
    (indicator id, product sample id) -> (value, not_applicable) for per-product ones;
    ``products``: the assessment's product sample ids. ``answered`` counts the answers given
    (a per-product indicator once per sampled product)."""
    specs, component_ids, keyed, answered = [], {}, {}, 0
    for row in indicators:
        specs.append(IndicatorSpec(key=row.id, dimension=row.dimension, weight=row.weight,
                                   scale_max=row.scale_max, component=row.component_code,
                                   per_product=row.per_product))
        if row.component_code is not None:
            component_ids[row.component_code] = row.component_id
        slots = [(row.id, product) for product in products] if (
            row.per_product and products) else [(row.id, None)]
        for key in slots:
            found = answers.get(key if key[1] is not None else row.id, (None, False))
            keyed[key] = found
            if found[1] or found[0] is not None:
                answered += 1
    surveys = {dim.code: survey_score for dim in spec.dimensions if dim.is_survey}
    result = instrument_unit(specs, spec.dimensions, keyed, products, surveys)
    return UnitResult(
        component_scores={component_ids[code]: score
                          for code, score in result.components.items()},
        score=result.score, answered=answered, dimension_scores=result.dimensions)


def _rounded(value):
    return None if value is None else round2(value)


SIDES = {  # side -> (value column, N/A column, stored score, stored count)
    "self": ("value", "not_applicable", "self_score", "answered_count"),
    "verified": ("verified_value", "verified_not_applicable", "verified_score",
                 "verified_count"),
}


def _one_unit_answers(side):
    value, not_applicable = SIDES[side][:2]

    @prepared(int)
    def read(assessment_id):
        return Answer.objects.filter(assessment_id=assessment_id).values_list(
            "assessment_id", "indicator_id", "product_sample_id", value, not_applicable)
    return read


# One unit's answers, each side's compiled once (a save's recompute reads them).
_unit_answers = {side: _one_unit_answers(side) for side in SIDES}


@prepared(int)
def _unit_products(assessment_id):
    return (ProductSample.objects.filter(assessment_id=assessment_id).order_by("order", "id")
            .values_list("assessment_id", "id"))


def assessment_answers(assessment_ids, side="self") -> dict:
    """{assessment id: {indicator id or (indicator id, sample id): (value, N/A)}} for one
    side (one query)."""
    value, not_applicable = SIDES[side][:2]
    assessment_ids = list(assessment_ids)
    found = {assessment_id: {} for assessment_id in assessment_ids}
    rows = (_unit_answers[side](assessment_ids[0]) if len(assessment_ids) == 1 else
            Answer.objects.filter(assessment_id__in=assessment_ids).values_list(
                "assessment_id", "indicator_id", "product_sample_id", value, not_applicable))
    for assessment_id, indicator_id, sample_id, val, na in rows:
        key = indicator_id if sample_id is None else (indicator_id, sample_id)
        found[assessment_id][key] = (val, na)
    return found


def assessment_products(assessment_ids) -> dict:
    """{assessment id: [product sample ids in order]} (one query)."""
    assessment_ids = list(assessment_ids)
    found = {assessment_id: [] for assessment_id in assessment_ids}
    rows = (_unit_products(assessment_ids[0]) if len(assessment_ids) == 1 else
            ProductSample.objects.filter(assessment_id__in=assessment_ids)
            .order_by("order", "id").values_list("assessment_id", "id"))
    for assessment_id, sample_id in rows:
        found[assessment_id].append(sample_id)
    return found


def _inputs(assessment: Assessment, side: str):
    instrument_id = assessment.round.instrument_id
    spec = instrument_spec(instrument_id)
    indicators = checklist_indicators(instrument_id)
    answers = assessment_answers([assessment.id], side)[assessment.id]
    products = (assessment_products([assessment.id])[assessment.id]
                if spec.has_per_product else [])
    return spec, indicators, answers, products


def unit_result(assessment: Assessment, side="self") -> UnitResult:
    """One assessment's figures from its answers on one side, unrounded (no write)."""
    spec, indicators, answers, products = _inputs(assessment, side)
    return compute_unit(indicators, answers, spec, assessment.survey_score, products)


@dataclass(frozen=True)
class Recomputed:
    """What one recompute read and stored, kept on the assessment (``assessment.recomputed``)
    so that the page answering the save shows it without reading it again: the side's answers
    ({indicator id or (indicator id, sample id): (value, N/A)}), the sampled products' ids and
    the stored component scores (rounded)."""

    side: str
    answers: dict
    products: list
    component_scores: dict


def store_component_scores(assessment_id: int, score_field: str, scores: dict) -> None:
    """Upsert one side's component scores of one unit ({component id: rounded score}) in one
    statement that rewrites only the rows whose score changed (a save usually moves one
    component). Written out rather than through ``bulk_create(update_conflicts=...)``, whose
    compile costs a save more CPU than PostgreSQL takes to run it. One statement on both
    databases (ON CONFLICT … DO UPDATE … WHERE: PostgreSQL 9.5+, SQLite 3.24+); only the
    comparison is spelt per database: PostgreSQL's IS DISTINCT FROM, SQLite's IS NOT (both
    true when one side is NULL)."""
    if not scores:
        return
    meta = ComponentScore._meta
    quote = connection.ops.quote_name
    field = meta.get_field(score_field)
    other = "verified_score" if score_field == "self_score" else "self_score"
    table, column = quote(meta.db_table), quote(field.column)
    rows = ", ".join(["(%s, %s, %s, NULL)"] * len(scores))
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    params = []
    for component_id, score in scores.items():
        params += [assessment_id, component_id, field.get_db_prep_save(score, connection)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('assessment_id')}, {quote('component_id')}, "
            f"{column}, {quote(other)}) VALUES {rows} "
            f"ON CONFLICT ({quote('assessment_id')}, {quote('component_id')}) "
            f"DO UPDATE SET {column} = excluded.{column} "
            f"WHERE {table}.{column} {differs} excluded.{column}", params)


def assessment_recompute(*, assessment: Assessment, side: str) -> Assessment:
    """Recompute and store one side's scores of one assessment (call inside the writer's
    transaction, with the assessment row locked).

    The verified side differs in two rules only: a component with no verified indicator yet
    has no verified score (not 0.00: nothing was found wanting, nothing was looked at), and a
    unit with no verified indicator has no verified score."""
    _value, _na, score_field, count_field = SIDES[side]
    spec, indicators, answers, products = _inputs(assessment, side)
    result = compute_unit(indicators, answers, spec, assessment.survey_score, products)
    if side == "verified":
        given = {key if isinstance(key, int) else key[0]
                 for key, answer in answers.items() if answer != (None, False)}
        looked_at = {row.component_id for row in indicators if row.id in given}
        component_scores = {cid: (score if cid in looked_at else None)
                            for cid, score in result.component_scores.items()}
        unit = result.score if result.answered else None
    else:
        component_scores, unit = result.component_scores, result.score
    stored = {cid: _rounded(score) for cid, score in component_scores.items()}
    store_component_scores(assessment.id, score_field, stored)
    setattr(assessment, score_field, _rounded(unit))
    setattr(assessment, count_field, result.answered)
    fields = [score_field, count_field, "updated_at"]
    if side == "self":
        if assessment.status == Assessment.Status.NOT_STARTED and result.answered:
            assessment.status = Assessment.Status.IN_PROGRESS
        fields.append("status")
    assessment.save(update_fields=fields)
    assessment.recomputed = Recomputed(side, answers, products, stored)
    return assessment


def assessment_recompute_scores(*, assessment: Assessment) -> Assessment:
    """Recompute and store the self-score (the operator's values)."""
    return assessment_recompute(assessment=assessment, side="self")


def assessment_recompute_verified(*, assessment: Assessment) -> Assessment:
    """Recompute and store the verified score (the assessor's values)."""
    return assessment_recompute(assessment=assessment, side="verified")


def round_scores_python(round_id, chunk=2000) -> tuple[dict, dict]:
    """The reference figures of a whole round from ``compute_unit``, without writing:
    ({assessment id: (score, answered)}, {(assessment id, component id): score}), rounded to
    two decimals; read in chunks of assessments to keep memory flat."""
    instrument_id = Round.objects.only("instrument_id").get(id=round_id).instrument_id
    indicators = checklist_indicators(instrument_id)
    spec = instrument_spec(instrument_id)
    surveys = dict(Assessment.objects.filter(round_id=round_id).order_by("id")
                   .values_list("id", "survey_score"))
    ids = list(surveys)
    units, components = {}, {}
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        answers = assessment_answers(part)
        products = (assessment_products(part) if spec.has_per_product
                    else {assessment_id: [] for assessment_id in part})
        for assessment_id in part:
            result = compute_unit(indicators, answers[assessment_id], spec,
                                  surveys[assessment_id], products[assessment_id])
            units[assessment_id] = (_rounded(result.score), result.answered)
            for component_id, score in result.component_scores.items():
                components[(assessment_id, component_id)] = _rounded(score)
    return units, components
