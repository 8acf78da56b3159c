"""One agency's checklist in one round: components in Article 21 order with their indicators,
the current answers and the stored scores (four queries whatever the checklist's size)."""
from dataclasses import dataclass

from django.db.models import Count, Q
from decimal import Decimal

from compliance.models import Component, Indicator
from compliance.prepared import prepared
from compliance.scoring import completion
from compliance.specs import instrument_spec, methodology_spec

from ..models import Answer, Assessment, ChecklistEvent, ComponentScore, Evidence, ProductSample
from .instruments import answer_slot_count, round_indicators


@dataclass
class IndicatorLine:
    indicator: Indicator
    answer: Answer | None
    evidence: list = None

    @property
    def claims_without_evidence(self):
        """Answered as (partly) fulfilled but nothing attached: what assessors flag first."""
        return bool(self.answer and self.answer.value and not self.evidence)

    @property
    def version(self):
        return self.answer.version if self.answer else 0

    @property
    def is_answered(self):
        return bool(self.answer and self.answer.is_answered)


@dataclass
class ComponentBlock:
    """The indicators of one Art. 21 component, or (for indicators that concern none, e.g. the
    2022 instrument's interview questions) of one dimension: ``component`` None."""

    component: Component | None
    lines: list
    score: Decimal | None
    dimension: object = None

    @property
    def answered(self):
        return sum(1 for line in self.lines if line.is_answered)


@dataclass
class Checklist:
    assessment: Assessment
    blocks: list
    scale_max: int
    completion: object
    band: object

    events: list = None
    samples: list = None  # SampleProgress of the sampled service products, in order
    has_per_product: bool = False

    @property
    def lines(self):
        return [line for block in self.blocks for line in block.lines]

    @property
    def unanswered(self):
        return [line for line in self.lines if not line.is_answered]

    @property
    def unanswered_count(self):
        """Answers still missing: per-unit indicators, and per-product ones per product."""
        return max(self.completion.total - self.completion.answered, 0)

    @property
    def without_evidence(self):
        return [line for line in self.lines if line.claims_without_evidence]


def value_choices(scale_max: int):
    return list(range(scale_max + 1))


def checklist_indicators_with_components(assessment: Assessment):
    """The round's per-unit indicators (its instrument's), with their components, in
    checklist order. Per-product indicators are answered on each sampled product's page."""
    return [indicator for indicator in round_indicators(assessment.round.instrument_id)
            if not indicator.per_product]


def group_blocks(indicators, make_line, scores) -> list:
    """Lines grouped by component (by dimension for indicators without one), in order."""
    blocks: dict = {}
    for indicator in indicators:
        key = indicator.component_id or ("dimension", indicator.dimension_id)
        block = blocks.get(key)
        if block is None:
            block = blocks[key] = ComponentBlock(
                component=indicator.component, lines=[],
                score=scores.get(indicator.component_id) if indicator.component_id else None,
                dimension=indicator.dimension)
        block.lines.append(make_line(indicator))
    return list(blocks.values())


SCORE_FIELDS = {"self": "self_score", "verified": "verified_score"}

# The checklist's reads of one unit, each compiled once (``compliance.prepared``): the page
# and the response to each save run them for every operator.


@prepared(int)
def _unit_answer_rows(assessment_id):
    return Answer.objects.filter(assessment_id=assessment_id, product_sample__isnull=True)


@prepared(int)
def _unit_evidence(assessment_id):
    """The evidence of the unit's per-unit answers."""
    return Evidence.objects.filter(assessment_id=assessment_id, product_sample__isnull=True)


@prepared(int)
def _all_evidence(assessment_id):
    return Evidence.objects.filter(assessment_id=assessment_id)


@prepared(int)
def _events(assessment_id):
    return ChecklistEvent.objects.filter(assessment_id=assessment_id).select_related("actor")


def _stored_scores_of(field):
    @prepared(int)
    def read(assessment_id):
        return ComponentScore.objects.filter(assessment_id=assessment_id).values_list(
            "component_id", field)
    return read


_stored_scores = {side: _stored_scores_of(field) for side, field in SCORE_FIELDS.items()}


def sheet_blocks(assessment: Assessment, side: str, leave_out=frozenset()) -> list:
    """The one path both sheets read: the per-unit indicators (less ``leave_out``) grouped in
    blocks, each line with the unit's answer row (the operator's value and the assessor's
    side by side) and evidence, each block with the stored score of ``side`` ("self" for the
    operator's checklist, "verified" for the assessor's sheet). Four queries."""
    indicators = [indicator for indicator in checklist_indicators_with_components(assessment)
                  if indicator.id not in leave_out]
    answers = {a.indicator_id: a for a in _unit_answer_rows(assessment.id)}
    evidence = evidence_by_indicator(assessment)
    scores = dict(_stored_scores[side](assessment.id))
    return group_blocks(indicators, lambda indicator: IndicatorLine(
        indicator=indicator, answer=answers.get(indicator.id),
        evidence=evidence.get(indicator.id, [])), scores)


def checklist(assessment: Assessment) -> Checklist:
    spec = methodology_spec(assessment.round.methodology_id)
    blocks = sheet_blocks(assessment, "self")
    instrument = instrument_spec(assessment.round.instrument_id)
    samples = sample_progress(assessment, "self") if instrument.has_per_product else []
    total = answer_slot_count(assessment.round.instrument_id, len(samples))
    per_product_answered = sum(sample.done for sample in samples)
    return Checklist(
        assessment=assessment, blocks=blocks,
        scale_max=instrument.scale_max,
        completion=completion(sum(block.answered for block in blocks) + per_product_answered,
                              total),
        band=spec.band(assessment.self_score),
        events=_events(assessment.id),
        samples=samples, has_per_product=instrument.has_per_product,
    )


@dataclass
class SampleProgress:
    sample: ProductSample
    done: int  # per-product indicators answered (self) or verified for this product
    total: int

    @property
    def complete(self):
        return self.total and self.done >= self.total


def sample_progress(assessment, side="self") -> list[SampleProgress]:
    """Each sampled product of the unit with how many of its per-product indicators are
    answered (``side`` "self") or verified ("verified"): two queries."""
    total = sum(1 for indicator in round_indicators(assessment.round.instrument_id)
                if indicator.per_product)
    return [SampleProgress(sample=sample, done=sample.done, total=total)
            for sample in _samples_done[side](assessment.id)]


def _samples_with_done(side):
    value, na = ("value", "not_applicable") if side == "self" else (
        "verified_value", "verified_not_applicable")
    done = Count("answers", filter=(Q(**{f"answers__{value}__isnull": False})
                                    | Q(**{f"answers__{na}": True}))
                 & Q(answers__indicator__active=True))

    @prepared(int)
    def read(assessment_id):
        return (ProductSample.objects.filter(assessment_id=assessment_id)
                .select_related("product").annotate(done=done).order_by("order", "id"))
    return read


_samples_done = {side: _samples_with_done(side) for side in ("self", "verified")}


def evidence_by_indicator(assessment, indicator_id=None, product_sample_id=None):
    """{indicator id: [evidence]} of the unit's answers, or of one sampled product's."""
    if indicator_id is None and product_sample_id is None:
        items = _unit_evidence(assessment.id)
    else:
        items = Evidence.objects.filter(assessment=assessment,
                                        product_sample_id=product_sample_id)
        if indicator_id is not None:
            items = items.filter(indicator_id=indicator_id)
    grouped = {}
    for item in items:
        grouped.setdefault(item.indicator_id, []).append(item)
    return grouped


def indicator_line(assessment, indicator):
    answer = Answer.objects.filter(assessment=assessment, indicator=indicator,
                                   product_sample__isnull=True).first()
    evidence = evidence_by_indicator(assessment, indicator.id).get(indicator.id, [])
    return IndicatorLine(indicator=indicator, answer=answer, evidence=evidence)


def product_indicator_line(assessment, indicator, sample):
    """One per-product indicator's line for one sampled product: its answer and evidence."""
    answer = Answer.objects.filter(assessment=assessment, indicator=indicator,
                                   product_sample=sample).first()
    evidence = evidence_by_indicator(assessment, indicator.id, sample.id).get(indicator.id, [])
    return IndicatorLine(indicator=indicator, answer=answer, evidence=evidence)


def after_save(assessment, indicator, answer=None) -> dict:
    """What the response to one save of a per-unit answer shows: the unit (its figures as the
    save left them), the indicator's line and the header's figures, with the unit's evidence
    read once. ``answer``: the saved answer (carrying its locked, recomputed assessment); None
    after a refused save, when the unit and the current answer are read again."""
    if answer is not None:
        assessment = answer.assessment
    else:
        assessment.refresh_from_db(fields=["self_score", "answered_count", "status"])
        answer = Answer.objects.filter(assessment=assessment, indicator=indicator,
                                       product_sample__isnull=True).first()
    evidence = _all_evidence(assessment.id)
    line = IndicatorLine(indicator=indicator, answer=answer, evidence=[
        item for item in evidence
        if item.indicator_id == indicator.id and item.product_sample_id is None])
    return {"assessment": assessment, "line": line,
            **summary(assessment, evidence, getattr(assessment, "recomputed", None))}


def missing_indicators(assessment) -> list:
    """Active indicators without an answer (a value or N/A), in checklist order; a
    per-product indicator until it is answered for every sampled product."""
    answered = set(Answer.objects.filter(assessment=assessment)
                   .filter(Q(value__isnull=False) | Q(not_applicable=True))
                   .values_list("indicator_id", "product_sample_id"))
    samples = list(ProductSample.objects.filter(assessment=assessment)
                   .values_list("id", flat=True))
    missing = []
    for indicator in round_indicators(assessment.round.instrument_id):
        slots = [(indicator.id, sample) for sample in samples] if indicator.per_product \
            else [(indicator.id, None)]
        if not slots or any(slot not in answered for slot in slots):
            missing.append(indicator)
    return missing


def summary(assessment: Assessment, evidence=None, recomputed=None):
    """The figures the checklist header shows, refreshed after each save (the link to the
    first unanswered indicator too, so that it moves on and goes away at 0). Four queries;
    fewer with what the caller already holds: ``evidence`` (every item of the unit) and
    ``recomputed`` (the self side's answers, products and component scores a save's
    recompute has just read and stored, ``services.scores.Recomputed``)."""
    spec = methodology_spec(assessment.round.methodology_id)
    if recomputed is not None and recomputed.side != "self":
        recomputed = None  # the header shows the operator's side only
    if recomputed is not None:
        answers = [(key, None, *given) if isinstance(key, int) else (*key, *given)
                   for key, given in recomputed.answers.items()]
        samples = recomputed.products
    else:
        answers = list(Answer.objects.filter(assessment=assessment).values_list(
            "indicator_id", "product_sample_id", "value", "not_applicable"))
        samples = list(ProductSample.objects.filter(assessment=assessment)
                       .values_list("id", flat=True))
    answered = {(indicator_id, sample) for indicator_id, sample, value, not_applicable
                in answers if value is not None or not_applicable}
    # The link goes to the first one on this page (per-product ones are on their own).
    first_unanswered = next((indicator for indicator
                             in round_indicators(assessment.round.instrument_id)
                             if not indicator.per_product
                             and (indicator.id, None) not in answered), None)
    total = answer_slot_count(assessment.round.instrument_id, len(samples))
    # per answer: the unit's, or one product's (evidence of another product does not count)
    if evidence is None:
        with_evidence = set(Evidence.objects.filter(assessment=assessment)
                            .values_list("indicator_id", "product_sample_id"))
    else:
        with_evidence = {(item.indicator_id, item.product_sample_id) for item in evidence}
    claims_without_evidence = sum(
        1 for indicator_id, sample, value, _na in answers
        if value and (indicator_id, sample) not in with_evidence)
    if recomputed is not None:
        scores = dict(recomputed.component_scores)
    else:
        scores = dict(ComponentScore.objects.filter(assessment=assessment)
                      .values_list("component_id", "self_score"))
    return {
        "completion": completion(assessment.answered_count, total),
        "band": spec.band(assessment.self_score),
        "component_scores": scores,
        "without_evidence_count": claims_without_evidence,
        "first_unanswered": first_unanswered,
        "unanswered_count": max(total - assessment.answered_count, 0),
    }
