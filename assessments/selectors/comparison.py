"""Self-score next to verified score, so a coordinator learns where the staff over-claim.

Figures are read from the stored scores (``Assessment`` and ``ComponentScore``), never
recomputed from answers, so the page shows exactly what was published; only the dimension
scores, which are not stored, are worked out from the answers by the rule that made the stored
unit scores (``unit_dimension_scores``). The gap is always
verified − self on the rounded figures: negative means the unit claimed more than the assessor
found. A government's figure uses the 2022+ rule on both sides (mean of the sampled units'
rounded scores, rounded), so the self side is the same "mock score" the progress board shows.

Means of component scores are taken in Python over one query's rows rather than with SQL
``AVG``: ``AVG`` over decimals comes back as a float on SQLite, and 66.665 must round half-up
to 66.67 on both databases. A government has a few dozen units, so the rows are few.

Who may read these figures (verified values are secret until publication) is the views'
business; nothing here checks permissions.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language

from agencies.models import Government
from compliance.models import Component, Indicator, Zone
from compliance.scoring import change, government_score, round2
from compliance.specs import MethodologySpec, instrument_spec, methodology_spec

from ..models import (Answer, Assessment, ComponentScore, GovernmentResult, ProductSample,
                      Round, SurveyRecord)
from ..services.scores import (assessment_answers, assessment_products, checklist_indicators,
                               compute_unit)
from .instruments import indicator_code, round_indicators
from .rapor_products import NO_PRODUCTS, product_table


@dataclass(frozen=True)
class BandView:
    category: str = ""
    zone: str = ""
    label: str = ""

    @property
    def zone_display(self) -> str:
        return str(Zone(self.zone).label) if self.zone else ""


NO_BAND = BandView()


def _band(spec: MethodologySpec, score, language: str) -> BandView:
    band = spec.band(score)
    if band is None:
        return NO_BAND
    return BandView(category=band.category, zone=band.zone, label=spec.label(band, language))


@dataclass(frozen=True)
class Scores:
    """A self-score and a verified score of the same thing, with their bands and the gap."""

    self_score: Decimal | None
    verified_score: Decimal | None
    self_band: BandView
    verified_band: BandView

    @property
    def gap(self) -> Decimal | None:
        """verified − self, two decimals; None until both exist."""
        return change(self.verified_score, self.self_score)

    @property
    def over_claimed(self) -> bool:
        return self.gap is not None and self.gap < 0


def _scores(spec, self_score, verified_score, language) -> Scores:
    return Scores(self_score=self_score, verified_score=verified_score,
                  self_band=_band(spec, self_score, language),
                  verified_band=_band(spec, verified_score, language))


def _mean(values) -> Decimal | None:
    present = [Decimal(value) for value in values if value is not None]
    if not present:
        return None
    return round2(sum(present) / len(present))


def _language() -> str:
    return (get_language() or "id")[:2]


@dataclass(frozen=True)
class UnitComparison:
    assessment: Assessment
    scores: Scores

    @property
    def agency(self):
        return self.assessment.agency


@dataclass(frozen=True)
class ComponentComparison:
    component: Component
    scores: Scores
    self_count: int = 0  # units whose score is in the self mean
    verified_count: int = 0


@dataclass(frozen=True)
class DimensionComparison:
    """A dimension of the methodology (2022+: Input, Process, Output, Complaints) on both
    sides. The Output survey of service users is measured by the assessor only: operators
    claim nothing for it, so its self side is empty and the verified total can move against
    the components."""

    code: str
    name: str
    weight: Decimal
    is_survey: bool
    scores: Scores


def unit_dimension_scores(instrument, units) -> dict:
    """{assessment id: (self dimension scores, verified ones)} by dimension code, each rounded,
    worked out from the units' answers with the instrument's own roll-up
    (``services.scores.compute_unit``, the rule that made the stored unit scores). Dimension
    scores are not stored, and the stored component scores do not give them back: under the
    2022–2024 instrument a dimension is points over its indicators, some indicators concern
    no component, and a component's indicators can sit in two dimensions (facilities under
    Input and in every product's Proses). A side whose unit score is not stored has none.
    Four queries whatever the number of units (three without per-product indicators)."""
    ids = [unit.id for unit in units]
    if not ids:
        return {}
    indicators = checklist_indicators(instrument.id)
    answers = {side: assessment_answers(ids, side) for side in ("self", "verified")}
    products = assessment_products(ids) if instrument.has_per_product else {}

    def scores(unit, side, stored, survey):
        if stored is None:
            return {}
        result = compute_unit(indicators, answers[side][unit.id], instrument, survey,
                              products.get(unit.id, ()))
        return {code: None if value is None else round2(value)
                for code, value in result.dimension_scores.items()}

    return {unit.id: (scores(unit, "self", unit.self_score, None),
                      scores(unit, "verified", unit.verified_score, unit.survey_score))
            for unit in units}


def dimension_rows(spec, instrument, units, language) -> list:
    """Per dimension of the round's instrument, the mean over ``units`` (the sampled
    assessments) of each side's dimension score, rounded (``unit_dimension_scores``)."""
    names = {code: (english if language == "en" and english else indonesian)
             for code, (indonesian, english) in instrument.dimension_names.items()}
    per_unit = unit_dimension_scores(instrument, units).values()
    rows = []
    for dimension in instrument.dimensions:
        own = [scores.get(dimension.code) for scores, _verified in per_unit]
        verified = [scores.get(dimension.code) for _own, scores in per_unit]
        rows.append(DimensionComparison(
            code=dimension.code, name=names.get(dimension.code, dimension.code),
            weight=dimension.weight, is_survey=dimension.is_survey,
            scores=_scores(spec, None if dimension.is_survey else _mean(own), _mean(verified),
                           language)))
    return rows


@dataclass(frozen=True)
class GovernmentComparison:
    government: Government
    round: Round
    units: list  # UnitComparison, sampled units first, then by name
    components: list  # ComponentComparison over the sampled units, in Article 21 order
    scores: Scores  # the government's figure on both sides
    sampled_count: int
    result: GovernmentResult | None  # the stored (published) result, when there is one
    dimensions: list = ()  # DimensionComparison over the sampled units (methodologies with any)

    @property
    def over_claiming_units(self) -> list:
        """Units that claimed more than the assessor found, largest over-claim first."""
        return sorted((unit for unit in self.units if unit.scores.over_claimed),
                      key=lambda unit: unit.scores.gap)


def government_comparison(*, government: Government, round_: Round) -> GovernmentComparison:
    """Per unit, per component and per dimension (means of the sampled units) and for the
    government: four queries, and three or four for the dimensions of an instrument that has
    several, whatever the number of units; plus the methodology's bands once per process."""
    spec = methodology_spec(round_.methodology_id)
    instrument = instrument_spec(round_.instrument_id)
    language = _language()
    assessments = list(
        Assessment.objects.filter(round=round_, agency__government=government)
        .select_related("agency").order_by("-sampled", "agency__name", "id"))
    units = [UnitComparison(assessment=a, scores=_scores(spec, a.self_score, a.verified_score,
                                                         language))
             for a in assessments]
    sampled = [a for a in assessments if a.sampled]

    all_components = list(Component.objects.order_by("number"))
    by_component: dict[int, tuple[list, list]] = {}
    for assessment_id, component_id, self_score, verified_score in ComponentScore.objects.filter(
            assessment__round=round_, assessment__agency__government=government,
            assessment__sampled=True).values_list("assessment_id", "component_id", "self_score",
                                                  "verified_score"):
        own, verified = by_component.setdefault(component_id, ([], []))
        own.append(self_score)
        verified.append(verified_score)
    components = []
    for component in all_components:
        own, verified = by_component.get(component.id, ([], []))
        components.append(ComponentComparison(
            component=component,
            scores=_scores(spec, _mean(own), _mean(verified), language),
            self_count=sum(1 for value in own if value is not None),
            verified_count=sum(1 for value in verified if value is not None)))

    result = (GovernmentResult.objects.filter(round=round_, government=government).first())
    return GovernmentComparison(
        government=government, round=round_, units=units, components=components,
        scores=_scores(spec, government_score(a.self_score for a in sampled),
                       government_score(a.verified_score for a in sampled), language),
        sampled_count=len(sampled), result=result,
        dimensions=dimension_rows(spec, instrument, sampled, language)
        if len(instrument.dimensions) > 1 else [])


@dataclass(frozen=True)
class IndicatorComparison:
    """One indicator's two sides; for an indicator answered per service product, one of
    these per sampled product (``sample``)."""

    indicator: Indicator
    answer: Answer | None
    sample: ProductSample | None = None

    @property
    def code(self) -> str:
        """The checklist's short code, "g2": component letter and indicator order."""
        return indicator_code(self.indicator)

    @property
    def text(self) -> str:
        """The indicator's text, and for a per-product line the product it is about."""
        if self.sample is None:
            return self.indicator.text
        return f"{self.indicator.text} — {self.sample.product.name}"

    @property
    def anchor(self) -> str:
        """A name unique on the page: the code, and the sample for a per-product line."""
        return self.code if self.sample is None else f"{self.code}-{self.sample.id}"

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def not_applicable(self) -> bool:
        return bool(self.answer and self.answer.not_applicable)

    @property
    def verified_value(self):
        return self.answer.verified_value if self.answer else None

    @property
    def verified_not_applicable(self) -> bool:
        return bool(self.answer and self.answer.verified_not_applicable)

    @property
    def is_verified(self) -> bool:
        return bool(self.answer and self.answer.is_verified)

    @property
    def note(self) -> str:
        return self.answer.note if self.answer else ""

    @property
    def finding(self) -> str:
        return self.answer.finding if self.answer else ""

    @property
    def gap(self) -> int | None:
        """verified − claimed on the indicator scale, when both sides gave a value (an N/A,
        an empty claim or a not yet verified indicator has no gap)."""
        if self.value is None or self.verified_value is None:
            return None
        return self.verified_value - self.value

    @property
    def over_claimed(self) -> bool:
        return self.gap is not None and self.gap < 0


@dataclass(frozen=True)
class Rapor:
    """One unit's report: its score, zone, components and the assessor's findings."""

    assessment: Assessment
    scores: Scores
    components: list  # ComponentComparison of this one unit, in Article 21 order
    indicators: list  # IndicatorComparison in checklist order
    scale_max: int
    without_survey: str = ""  # the reason the assessor recorded: scored without the survey
    # each sampled product's score in the dimensions holding per-product indicators, and
    # those dimensions over the products (``rapor_products``; empty without products)
    products: object = NO_PRODUCTS

    @property
    def findings(self) -> list:
        return [line for line in self.indicators if line.finding]


def rapor(assessment: Assessment) -> Rapor:
    """Per indicator: the operator's value and note next to the assessor's value and finding;
    an indicator answered per service product once per sampled product, and each product's
    score (``rapor_products``; no query of its own). Four queries whatever
    the checklist's size (the assessment comes with its round), and one for the sampled
    products where the instrument has per-product indicators."""
    spec = methodology_spec(assessment.round.methodology_id)
    instrument = instrument_spec(assessment.round.instrument_id)
    language = _language()
    indicators = round_indicators(assessment.round.instrument_id)
    answers = {(answer.indicator_id, answer.product_sample_id): answer
               for answer in Answer.objects.filter(assessment=assessment)}
    samples = (list(ProductSample.objects.filter(assessment=assessment)
                    .select_related("product").order_by("order", "id"))
               if instrument.has_per_product else [])
    stored = {component_id: (self_score, verified_score)
              for component_id, self_score, verified_score in ComponentScore.objects.filter(
                  assessment=assessment).values_list("component_id", "self_score",
                                                     "verified_score")}
    components, seen = [], set()
    for indicator in indicators:
        component = indicator.component
        if component is None or component.id in seen:
            continue
        seen.add(component.id)
        self_score, verified_score = stored.get(component.id, (None, None))
        components.append(ComponentComparison(
            component=component, scores=_scores(spec, self_score, verified_score, language),
            self_count=int(self_score is not None),
            verified_count=int(verified_score is not None)))
    return Rapor(
        assessment=assessment,
        scores=_scores(spec, assessment.self_score, assessment.verified_score, language),
        components=components,
        indicators=[
            IndicatorComparison(indicator=indicator, sample=sample,
                                answer=answers.get((indicator.id, sample and sample.id)))
            for indicator in indicators
            for sample in (samples if indicator.per_product and samples else [None])],
        scale_max=instrument.scale_max,
        without_survey=SurveyRecord.objects.filter(assessment=assessment).values_list(
            "no_survey_reason", flat=True).first() or "",
        products=product_table(
            assessment, instrument, indicators, answers, samples,
            lambda own, verified: Scores(self_score=own, verified_score=verified,
                                         self_band=NO_BAND, verified_band=NO_BAND),
            language))
