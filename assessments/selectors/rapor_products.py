"""The rapor's score per sampled product: for a unit whose instrument has per-product
indicators, each sampled product's score in each dimension that holds them, on both sides,
and that dimension over all the products (what the unit counts). The indicators' own values
per product are the rapor's indicator lines (one per product, ``IndicatorComparison.sample``).

A product's score is what the dimension averages over the products (``instrument_unit`` with
this one product: the dimension's per-product indicators read this product's answers, its
per-unit indicators the unit's), on the same 0–100 scale, rounded like every published figure.
Nothing is stored for it: it comes from the answers through ``compute_unit``, as the stored
unit score does. The verified side follows the stored verified score's rule: a product none
of whose per-product indicators is verified yet has no verified score (not 0.00).

Who may read verified values is the views' business (``may_read_rapor``)."""
from dataclasses import dataclass

from compliance.scoring import round2

from ..services.scores import IndicatorRow, compute_unit


@dataclass(frozen=True)
class ProductScore:
    sample: object  # ProductSample, or None for the mean over the products
    code: str  # the dimension
    name: str
    scores: object  # comparison.Scores of this product in the dimension (no band: not a unit)


@dataclass(frozen=True)
class ProductTable:
    rows: list  # ProductScore per sampled product (in the sample's order) and dimension
    means: list  # ProductScore per dimension over all the products

    def __bool__(self):
        return bool(self.rows)


NO_PRODUCTS = ProductTable(rows=[], means=[])


def _rounded(value):
    return None if value is None else round2(value)


def _side(answers, side):
    """{indicator id or (indicator id, sample id): (value, N/A)} of one side, as
    ``compute_unit`` reads them, from {(indicator id, sample id or None): Answer}."""
    found = {}
    for (indicator_id, sample_id), answer in answers.items():
        key = indicator_id if sample_id is None else (indicator_id, sample_id)
        found[key] = ((answer.value, answer.not_applicable) if side == "self"
                      else (answer.verified_value, answer.verified_not_applicable))
    return found


def product_table(assessment, instrument, indicators, answers, samples, make_scores,
                  language) -> ProductTable:
    """``instrument``: the round's InstrumentSpec; ``indicators``: its Indicator rows in
    checklist order (with component and dimension); ``answers``: {(indicator id, sample id or
    None): Answer} of the assessment; ``samples``: its ProductSamples in order;
    ``make_scores(self, verified)``: the rapor's Scores without a band. No query."""
    if not instrument.has_per_product or not samples:
        return NO_PRODUCTS
    per_product = [indicator for indicator in indicators if indicator.per_product]
    held = {indicator.dimension.code for indicator in per_product}
    dimensions = [d for d in instrument.dimensions if d.code in held]
    names = {code: (english if language == "en" and english else indonesian)
             for code, (indonesian, english) in instrument.dimension_names.items()}
    rows = [IndicatorRow(indicator.id, indicator.component_id,
                         indicator.component.code if indicator.component_id else None,
                         indicator.weight, indicator.dimension.code, indicator.scale_max,
                         indicator.per_product)
            for indicator in indicators]  # as ``checklist_indicators`` reads them
    sides = {side: _side(answers, side) for side in ("self", "verified")}

    def scores(sample_ids, side):
        return compute_unit(rows, sides[side], instrument, assessment.survey_score,
                            sample_ids).dimension_scores

    def looked_at(sample_ids):
        return any(answers.get((indicator.id, sample_id)) is not None
                   and answers[(indicator.id, sample_id)].is_verified
                   for indicator in per_product for sample_id in sample_ids)

    def score_rows(sample, sample_ids):
        own, verified = scores(sample_ids, "self"), scores(sample_ids, "verified")
        seen = looked_at(sample_ids)
        return [ProductScore(
            sample=sample, code=dimension.code, name=names.get(dimension.code, dimension.code),
            scores=make_scores(_rounded(own[dimension.code]),
                               _rounded(verified[dimension.code]) if seen else None))
            for dimension in dimensions]

    return ProductTable(
        rows=[row for sample in samples for row in score_rows(sample, [sample.id])],
        means=score_rows(None, [sample.id for sample in samples]))
