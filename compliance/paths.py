"""The path to the next band or zone: which unmet indicators lift a unit, and which units lift a
government, the most. Pure functions over plain values (no ORM), like ``scoring``.

A unit's score is linear in its indicator values while the set of applicable indicators stays
the same, so raising several indicators gains the sum of their single gains. Picking the
largest gains first therefore gives the smallest set of indicators that reaches a target.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .scoring import (HUNDRED, AnswerInput, BandSpec, DimensionSpec, band_for, component_score,
                      round2, unit_score)

HALF_CENT = Decimal("0.005")


@dataclass(frozen=True)
class IndicatorState:
    key: object  # the caller's id for the indicator
    component: str  # component code
    value: int | None  # None = unanswered (scores 0)
    weight: Decimal = Decimal(1)
    not_applicable: bool = False


@dataclass(frozen=True)
class Step:
    key: object
    component: str
    gain: Decimal  # points on the 0-100 unit score, unrounded


@dataclass(frozen=True)
class UnitPath:
    score: Decimal | None
    target: BandSpec | None  # None: already in the top band
    needed: Decimal  # points still needed (0 when reached or no target)
    steps: list  # the smallest set of indicators to raise, largest gain first
    reachable: bool  # False when even raising every unmet indicator falls short


def target_band(score: Decimal | None, bands: Sequence[BandSpec], index_max: Decimal = HUNDRED,
                by: str = "band") -> BandSpec | None:
    """The next band above the score's band (by="band"), or the first band of a better zone
    (by="zone"; in the best zone already, the next band within it). None at the top."""
    ordered = sorted(bands, key=lambda band: band.lower_bound)
    current = band_for(score if score is not None else Decimal(0), ordered, index_max)
    above = [band for band in ordered if current is None or band.lower_bound > current.lower_bound]
    if by == "zone" and current is not None:
        better = [band for band in above if band.zone != current.zone]
        above = better or above
    return above[0] if above else None


def threshold(band: BandSpec, index_max: Decimal = HUNDRED) -> Decimal:
    """The lowest 0-100 score whose rounded published value reaches the band."""
    return (band.lower_bound - HALF_CENT) * HUNDRED / Decimal(index_max)


def shown_gap(band: BandSpec, score: Decimal | None, index_max: Decimal = HUNDRED) -> Decimal:
    """The points still needed as a reader works them out from the figures on the page: the
    band's bound minus the score rounded to two decimals (the unrounded difference can differ
    from that by a cent, and a page must never contradict its own figures)."""
    return max(Decimal(0), round2(score_bound(band, index_max) - round2(score or Decimal(0))))


def score_bound(band: BandSpec, index_max: Decimal = HUNDRED) -> Decimal:
    """The band's lower bound on the 0-100 score (PEKPPP's bands are on its 0-5 index)."""
    return band.lower_bound * HUNDRED / Decimal(index_max)


def _unit(states, scale_max, dimensions, surveys):
    grouped: dict[str, list[AnswerInput]] = {}
    for state in states:
        grouped.setdefault(state.component, []).append(
            AnswerInput(value=state.value, weight=state.weight,
                        not_applicable=state.not_applicable))
    components = {code: component_score(items, scale_max) for code, items in grouped.items()}
    return unit_score(components, dimensions, surveys)


def indicator_gains(states: Sequence[IndicatorState], scale_max: int,
                    dimensions: Sequence[DimensionSpec] = (),
                    survey_scores: Mapping[str, Decimal | None] | None = None) -> list[Step]:
    """What raising each unmet indicator to the top of the scale adds to the unit score,
    largest first (ties in the caller's order)."""
    base = _unit(states, scale_max, dimensions, survey_scores) or Decimal(0)
    steps = []
    for index, state in enumerate(states):
        if state.not_applicable or (state.value or 0) >= scale_max or state.weight == 0:
            continue
        raised = list(states)
        raised[index] = IndicatorState(key=state.key, component=state.component,
                                       value=scale_max, weight=state.weight)
        gain = (_unit(raised, scale_max, dimensions, survey_scores) or Decimal(0)) - base
        if gain > 0:
            steps.append((index, Step(key=state.key, component=state.component, gain=gain)))
    steps.sort(key=lambda item: (-item[1].gain, item[0]))
    return [step for _index, step in steps]


def unit_path(states: Sequence[IndicatorState], scale_max: int, bands: Sequence[BandSpec],
              index_max: Decimal = HUNDRED, dimensions: Sequence[DimensionSpec] = (),
              survey_scores: Mapping[str, Decimal | None] | None = None,
              by: str = "band") -> UnitPath:
    """The smallest set of unmet indicators whose fulfilment lifts the unit into the next band
    (or zone), ordered by points gained."""
    score = _unit(states, scale_max, dimensions, survey_scores)
    target = target_band(score, bands, index_max, by)
    if target is None:
        return UnitPath(score=score, target=None, needed=Decimal(0), steps=[], reachable=True)
    needed = max(Decimal(0), threshold(target, index_max) - (score or Decimal(0)))
    chosen, total = [], Decimal(0)
    for step in indicator_gains(states, scale_max, dimensions, survey_scores):
        if total >= needed:
            break
        chosen.append(step)
        total += step.gain
    return UnitPath(score=score, target=target, needed=shown_gap(target, score, index_max),
                    steps=chosen, reachable=total >= needed)


@dataclass(frozen=True)
class UnitOption:
    key: object
    score: Decimal
    potential: Decimal  # how much the government score rises if this unit reaches 100
    steps: list  # this unit's indicator steps, gains already divided by the number of units


@dataclass(frozen=True)
class GovernmentPath:
    score: Decimal | None
    target: BandSpec | None
    needed: Decimal  # points the government score still needs, as the page's figures show
    units: list  # UnitOption, largest potential first
    plan: list  # (unit key, Step) across all units, largest gain first, until the target
    bound: Decimal | None = None  # the target band's lower bound on the score's 0-100 scale


def government_path(units: Mapping[object, tuple[Decimal | None, list[Step]]],
                    bands: Sequence[BandSpec], index_max: Decimal = HUNDRED,
                    by: str = "zone") -> GovernmentPath:
    """units: key -> (unit score, its indicator gains). The government score is the mean of
    its units, so a unit's gain counts 1/n; units to work on first are those with the most room,
    and the plan takes the largest single gains across all units until the next zone."""
    scored = {key: (score, steps) for key, (score, steps) in units.items() if score is not None}
    if not scored:
        return GovernmentPath(score=None, target=None, needed=Decimal(0), units=[], plan=[])
    count = Decimal(len(scored))
    score = round2(sum(round2(s) for s, _steps in scored.values()) / count)
    target = target_band(score, bands, index_max, by)
    options = sorted(
        (UnitOption(key=key, score=unit_score_, potential=(HUNDRED - unit_score_) / count,
                    steps=[Step(key=s.key, component=s.component, gain=s.gain / count)
                           for s in steps])
         for key, (unit_score_, steps) in scored.items()),
        key=lambda option: -option.potential)
    if target is None:
        return GovernmentPath(score=score, target=None, needed=Decimal(0), units=options,
                              plan=[])
    # The plan gathers gains until the score reaches the band as published (its rounding
    # included); the page says what a reader works out from its figures, as a unit's path
    # does, on the score's own 0-100 scale (PEKPPP's bands are on its 0-5 index).
    needed = max(Decimal(0), threshold(target, index_max) - score)
    candidates = sorted(((option.key, step) for option in options for step in option.steps),
                        key=lambda item: -item[1].gain)
    plan, total = [], Decimal(0)
    for key, step in candidates:
        if total >= needed:
            break
        plan.append((key, step))
        total += step.gain
    return GovernmentPath(score=score, target=target, needed=shown_gap(target, score, index_max),
                          units=options, plan=plan,
                          bound=round2(score_bound(target, index_max)))
