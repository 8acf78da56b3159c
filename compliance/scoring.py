"""Pure scoring: answers -> component -> unit -> government score -> band, and ranking.

No ORM here: callers pass plain values, so every rule can be checked with tables and no
database. All arithmetic is Decimal; rounding is half-up to two decimals, done once at the end
of each published figure (a unit's score, a government's score), never on the way.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def round2(value) -> Decimal:
    """Round half-up to two decimals, as the Ombudsman publishes scores. A float is read through
    its shortest text form, so 50.995 means 50.995 and not its binary neighbour 50.99499…"""
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AnswerInput:
    """One indicator's answer: ``value`` None means unanswered, which scores as 0.
    ``scale_max``, when given, is this indicator's own scale (instruments mix scales)."""

    value: int | None
    weight: Decimal = Decimal(1)
    not_applicable: bool = False
    scale_max: int | None = None


def component_score(answers: Iterable[AnswerInput], scale_max: int | None = None
                    ) -> Decimal | None:
    """Σ(weight × value) / Σ(weight × max) × 100 over applicable indicators (the "points" rule),
    ``max`` being each answer's own scale or else ``scale_max``.

    Unanswered indicators count as 0: an item nobody has evidenced is not fulfilled. Returns
    None when no indicator is applicable (all N/A or zero weight), so the component drops out of
    the unit instead of dragging it to 0.
    """
    if scale_max is not None and scale_max < 1:
        raise ValueError("scale_max must be at least 1")
    numerator = Decimal(0)
    denominator = Decimal(0)
    for answer in answers:
        if answer.not_applicable:
            continue
        top = answer.scale_max if answer.scale_max is not None else scale_max
        if top is None or top < 1:
            raise ValueError("scale_max must be at least 1")
        weight = Decimal(answer.weight)
        if weight < 0:
            raise ValueError("indicator weights cannot be negative")
        value = answer.value or 0
        if not 0 <= value <= top:
            raise ValueError(f"value {value} outside 0..{top}")
        numerator += weight * value
        denominator += weight * top
    if denominator == 0:
        return None
    return numerator / denominator * HUNDRED


POINTS = "points"
COMPONENT_MEAN = "component_mean"


@dataclass(frozen=True)
class DimensionSpec:
    """A weighted part of a unit's score: a group of components (``components``, the codes of
    the components its indicators concern), or (``is_survey``) a score entered directly.
    ``rollup`` says how ``instrument_unit`` turns its indicators into its score."""

    code: str
    weight: Decimal
    components: tuple[str, ...] = ()
    is_survey: bool = False
    rollup: str = COMPONENT_MEAN


def _weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    total = Decimal(0)
    weights = Decimal(0)
    for value, weight in pairs:
        total += Decimal(value) * Decimal(weight)
        weights += Decimal(weight)
    if weights == 0:
        return None
    return total / weights


def unit_score(
    component_scores: Mapping[str, Decimal | None],
    dimensions: Sequence[DimensionSpec] = (),
    survey_scores: Mapping[str, Decimal | None] | None = None,
    component_weights: Mapping[str, Decimal] | None = None,
) -> Decimal | None:
    """A unit's (agency's) score on 0-100, unrounded.

    Without dimensions: the weighted mean of the component scores (equal weights by default).
    With dimensions: each dimension is the mean of its components (or its survey score), and the
    unit is the weighted mean of the dimensions that have a score, so a survey not yet entered
    leaves a mock self-score over the other dimensions rather than a zero.
    """
    weights = component_weights or {}
    if not dimensions:
        pairs = [(score, Decimal(weights.get(code, 1)))
                 for code, score in component_scores.items() if score is not None]
        return _weighted_mean(pairs)
    scores = dimension_scores(component_scores, dimensions, survey_scores, weights)
    return _weighted_mean((scores[dimension.code], dimension.weight) for dimension in dimensions
                          if scores[dimension.code] is not None)


def dimension_scores(
    component_scores: Mapping[str, Decimal | None],
    dimensions: Sequence[DimensionSpec],
    survey_scores: Mapping[str, Decimal | None] | None = None,
    component_weights: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal | None]:
    """Each dimension's score, unrounded: the (weighted) mean of its components that have a
    score, or its survey score; None where there is nothing to average."""
    surveys = survey_scores or {}
    weights = component_weights or {}
    scores = {}
    for dimension in dimensions:
        if dimension.is_survey:
            scores[dimension.code] = surveys.get(dimension.code)
        else:
            scores[dimension.code] = _weighted_mean(
                (component_scores[code], Decimal(weights.get(code, 1)))
                for code in dimension.components
                if component_scores.get(code) is not None)
    return scores


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of an instrument, as scoring needs it. ``key`` is the caller's id."""

    key: object
    dimension: str
    weight: Decimal = Decimal(1)
    scale_max: int = 1
    component: str | None = None
    per_product: bool = False


@dataclass(frozen=True)
class UnitScores:
    """A unit's figures on 0-100, unrounded: per dimension, per component, and the unit."""

    dimensions: dict
    components: dict
    score: Decimal | None


def _mean(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [Decimal(value) for value in values if value is not None]
    if not present:
        return None
    return sum(present) / len(present)


def _points(inputs) -> Decimal | None:
    return component_score(AnswerInput(value=value, weight=indicator.weight,
                                       not_applicable=not_applicable,
                                       scale_max=indicator.scale_max)
                           for indicator, (value, not_applicable) in inputs)


def _component_mean(inputs) -> Decimal | None:
    grouped: dict = {}
    for indicator, answer in inputs:
        grouped.setdefault(indicator.component, []).append((indicator, answer))
    return _mean(_points(items) for items in grouped.values())


UNANSWERED = (None, False)


def _over_products(indicators, answers, products, rule) -> Decimal | None:
    """``rule`` over the indicators' answers; when some are per-product and products are
    sampled, once per product (per-unit indicators keep their one answer) and the mean of the
    products that have a score. Without sampled products a per-product indicator reads its
    answer without a product, so the unit is scored as if it were one product."""
    if not indicators:
        return None
    if not products or not any(indicator.per_product for indicator in indicators):
        return rule([(indicator, answers.get((indicator.key, None), UNANSWERED))
                     for indicator in indicators])
    return _mean(
        rule([(indicator, answers.get((indicator.key, product if indicator.per_product
                                       else None), UNANSWERED))
              for indicator in indicators])
        for product in products)


def instrument_unit(
    indicators: Sequence[IndicatorSpec],
    dimensions: Sequence[DimensionSpec],
    answers: Mapping[tuple[object, object], tuple[int | None, bool]],
    products: Sequence[object] = (),
    survey_scores: Mapping[str, Decimal | None] | None = None,
) -> UnitScores:
    """A unit's scores under an instrument.

    ``answers``: (indicator key, product key or None) -> (value or None, not applicable); a
    per-unit answer has product None. Each dimension scores by its rollup: ``points`` is
    Σ w·v / Σ w·max × 100 over its applicable indicators, ``component_mean`` the mean of the
    scores of the components whose indicators it holds; a survey dimension is its entered
    score. A dimension holding per-product indicators is the mean over the sampled products.
    The unit is the weighted mean of the dimensions that have a score (one such dimension: its
    score, exactly). Component scores (points over each component's indicators, per product
    and averaged the same way) are returned for the dashboards.
    """
    surveys = survey_scores or {}
    by_dimension: dict[str, list] = {}
    by_component: dict[str, list] = {}
    for indicator in indicators:
        by_dimension.setdefault(indicator.dimension, []).append(indicator)
        if indicator.component is not None:
            by_component.setdefault(indicator.component, []).append(indicator)
    scores = {}
    for dimension in dimensions:
        if dimension.is_survey:
            scores[dimension.code] = surveys.get(dimension.code)
            continue
        rule = _points if dimension.rollup == POINTS else _component_mean
        if dimension.rollup not in (POINTS, COMPONENT_MEAN):
            raise ValueError(f"unknown rollup {dimension.rollup!r}")
        scores[dimension.code] = _over_products(by_dimension.get(dimension.code, []), answers,
                                                products, rule)
    components = {code: _over_products(items, answers, products, _points)
                  for code, items in by_component.items()}
    scored = [(scores[d.code], d.weight) for d in dimensions if scores[d.code] is not None]
    if len(scored) == 1 and scored[0][1] > 0:
        score = Decimal(scored[0][0])
    else:
        score = _weighted_mean(scored)
    return UnitScores(dimensions=scores, components=components, score=score)


def government_score(unit_scores: Iterable[Decimal | None]) -> Decimal | None:
    """The plain mean of the assessed units' published (rounded) scores, rounded (2022+ rule).

    Units without a score are not assessed and do not count; no assessed unit gives None.
    """
    scores = [round2(score) for score in unit_scores if score is not None]
    if not scores:
        return None
    return round2(sum(scores) / len(scores))


@dataclass(frozen=True)
class BandSpec:
    lower_bound: Decimal
    zone: str
    category: str = ""
    label: str = ""


def published_value(score: Decimal, index_max: Decimal = HUNDRED) -> Decimal:
    """The score on the methodology's published scale (0-100, or 0-5 for PEKPPP), rounded."""
    return round2(Decimal(score) * Decimal(index_max) / HUNDRED)


def band_for(score: Decimal | None, bands: Sequence[BandSpec],
             index_max: Decimal = HUNDRED) -> BandSpec | None:
    """The band whose inclusive lower bound is the highest one not above the rounded score."""
    if score is None or not bands:
        return None
    value = published_value(score, index_max)
    chosen = None
    for band in sorted(bands, key=lambda b: b.lower_bound):
        if value >= band.lower_bound:
            chosen = band
    return chosen


@dataclass(frozen=True)
class Ranked:
    key: object
    name: str
    score: Decimal
    rank: int


def rank(rows: Iterable[tuple[object, str, Decimal]]) -> list[Ranked]:
    """Standard competition ranking (1, 2, 2, 4): higher score first, ties share a rank and are
    listed by name. Rows without a score are the caller's "not assessed" and are skipped."""
    ordered = sorted(
        ((key, name, round2(score)) for key, name, score in rows if score is not None),
        key=lambda row: (-row[2], row[1].casefold(), row[1]),
    )
    result: list[Ranked] = []
    previous_score = None
    current_rank = 0
    for position, (key, name, score) in enumerate(ordered, start=1):
        if score != previous_score:
            current_rank = position
            previous_score = score
        result.append(Ranked(key=key, name=name, score=score, rank=current_rank))
    return result


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Points gained since the previous round, or None when either score is missing."""
    if current is None or previous is None:
        return None
    return round2(Decimal(current) - Decimal(previous))


@dataclass(frozen=True)
class Completion:
    answered: int
    total: int
    percent: Decimal = field(default=Decimal(0))


def completion(answered: int, total: int) -> Completion:
    """How much of a checklist is answered, for progress bars ("31 of 48")."""
    percent = round2(Decimal(answered) * HUNDRED / total) if total else Decimal(0)
    return Completion(answered=answered, total=total, percent=percent)


# --- the assessor's sources (INSTRUMENTS.md §1) ---------------------------------------------

def interview_value(values: Iterable[int | None]) -> int | None:
    """An interview indicator's verified value from the officials who were asked it: the mean
    of their values, rounded half-up to a whole point on the indicator's scale (0, 1, 2, 1 ->
    1; 2, 3 -> 3). ASSUMPTION: the public record names the four interviewed officials but not
    how their answers combine into one value; the sources page says so. None when nobody was
    asked."""
    present = [int(value) for value in values if value is not None]
    if not present:
        return None
    mean = Decimal(sum(present)) / len(present)
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def survey_aggregate(question_scores: Iterable) -> Decimal | None:
    """The survey's score on 0-100 from per-question scores on 0-100: their plain mean, rounded
    half-up to two decimals (ASSUMPTION: equal weights per question, as the SKM's nine
    elements). None without questions."""
    present = [Decimal(str(score)) for score in question_scores if score is not None]
    if not present:
        return None
    for score in present:
        if not Decimal(0) <= score <= HUNDRED:
            raise ValueError(f"question score {score} outside 0..100")
    return round2(sum(present) / len(present))
def follow_up_value(on_time: int, due: int, scale_max: int = 3) -> int | None:
    """The 2025 indicator "follow-up of the Ombudsman's products" from the government's
    record: the share of its products (corrective actions, suggestions, recommendations) due
    by now that were followed up by their due date, on the indicator's scale, rounded down
    (0–3: all → 3, at least two thirds → 2, at least one third → 1, less → 0). None when no
    product is due (not applicable). The app's rule: the Ombudsman publishes none
    (assumption, docs/methodology.md)."""
    if due <= 0:
        return None
    if not 0 <= on_time <= due:
        raise ValueError("on_time must be between 0 and due")
    return (on_time * scale_max) // due
