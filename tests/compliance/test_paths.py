"""The path to the next band or zone, checked with tables and no database."""
from decimal import Decimal as D

import pytest

from compliance.paths import (IndicatorState, Step, government_path, indicator_gains,
                              target_band, threshold, unit_path)
from compliance.scoring import BandSpec, DimensionSpec

BANDS_2016 = [BandSpec(D(0), "red"), BandSpec(D(51), "yellow"), BandSpec(D(81), "green")]
BANDS_2022 = [BandSpec(D(0), "red", "E"), BandSpec(D(32), "red", "D"),
              BandSpec(D(54), "yellow", "C"), BandSpec(D(78), "green", "B"),
              BandSpec(D(88), "green", "A")]


def states(*values, component="c"):
    return [IndicatorState(key=i, component=component, value=v) for i, v in enumerate(values)]


@pytest.mark.parametrize(("score", "by", "expected"), [
    (D("34.19"), "band", "yellow"), (D("50.99"), "band", "yellow"), (D("51.00"), "band", "green"),
    (D("81"), "band", None), (None, "band", "yellow"),
])
def test_target_band_2016(score, by, expected):
    band = target_band(score, BANDS_2016, by=by)
    assert (band.zone if band else None) == expected


@pytest.mark.parametrize(("score", "by", "expected"), [
    (D("20"), "band", "D"), (D("20"), "zone", "C"), (D("69.27"), "band", "B"),
    (D("69.27"), "zone", "B"), (D("80"), "band", "A"), (D("80"), "zone", "A"),
    (D("93.46"), "band", None),
])
def test_target_band_2022_by_band_or_zone(score, by, expected):
    band = target_band(score, BANDS_2022, by=by)
    assert (band.category if band else None) == expected


def test_threshold_respects_rounding_and_the_pekppp_index():
    assert threshold(BandSpec(D(51), "yellow")) == D("50.995")
    assert threshold(BandSpec(D("3.51"), "green"), D(5)) == D("70.1")  # 3.505 × 20


def test_gains_are_sorted_and_skip_met_and_not_applicable():
    items = states(1, 0, None, 1) + [IndicatorState("na", "c", None, not_applicable=True)]
    gains = indicator_gains(items, scale_max=1)
    assert [step.key for step in gains] == [1, 2]  # equal gains keep the caller's order
    assert all(step.gain == D(25) for step in gains)


def test_weighted_indicator_gains_more():
    items = [IndicatorState("a", "c", 0, D(1)), IndicatorState("b", "c", 0, D(3))]
    gains = indicator_gains(items, scale_max=1)
    assert [(s.key, s.gain) for s in gains] == [("b", D(75)), ("a", D(25))]


@pytest.mark.parametrize(("values", "needed", "steps"), [
    # 10 yes/no indicators, 3 met: 30 → yellow needs 21.00 (50.99 is red): 3 more, 10 each
    ((1, 1, 1, 0, 0, 0, 0, 0, 0, 0), D("21.00"), 3),
    # 5 met: 50 → needs 1.00: one indicator
    ((1, 1, 1, 1, 1, 0, 0, 0, 0, 0), D("1.00"), 1),
    # 8 met: 80 → green at 80.995: one more (90)
    ((1, 1, 1, 1, 1, 1, 1, 1, 0, 0), D("1.00"), 1),
])
def test_unit_path_smallest_set(values, needed, steps):
    path = unit_path(states(*values), scale_max=1, bands=BANDS_2016)
    assert path.needed == needed and len(path.steps) == steps and path.reachable
    assert path.score + sum(s.gain for s in path.steps) >= threshold(path.target)


def test_unit_path_across_components_prefers_small_components():
    # component "x" has 2 indicators (each worth 50 of x), "y" has 8 (each 12.5 of y);
    # the unit is the mean of x and y, so an x indicator adds 25 and a y indicator 6.25.
    items = states(0, 0, component="x") + states(1, 1, 1, 1, 0, 0, 0, 0, component="y")
    path = unit_path(items, scale_max=1, bands=BANDS_2016)
    assert path.score == D(25)
    assert [s.component for s in path.steps] == ["x", "x"]
    assert [s.gain for s in path.steps] == [D(25), D(25)]


def test_unit_path_with_dimensions_and_survey():
    dims = [DimensionSpec("input", D("21.85"), ("g",)), DimensionSpec("process", D("32.37"),
                                                                      ("a",)),
            DimensionSpec("output", D("24.24"), is_survey=True),
            DimensionSpec("complaints", D("21.54"), ("j",))]
    items = (states(3, 3, component="g") + states(3, 0, component="a")
             + states(0, 0, component="j"))
    path = unit_path(items, scale_max=3, bands=BANDS_2022, dimensions=dims,
                     survey_scores={"output": D(80)})
    # input 100, process 50, output 80, complaints 0
    expected = (D(100) * D("21.85") + D(50) * D("32.37") + D(80) * D("24.24")) / D(100)
    assert path.score == expected
    assert path.target.category == "B"  # 57.43 is C; B starts at 78
    # raising the missing process indicator adds 50 × 32.37 %, a complaints one 50 × 21.54 %
    assert [(s.component, s.gain) for s in path.steps] == [
        ("a", D(50) * D("32.37") / D(100)), ("j", D(50) * D("21.54") / D(100))]
    assert path.reachable  # 57.43 + 16.19 = 73.61 is short; + 10.77 = 84.38 reaches B


def test_top_band_and_unreachable():
    assert unit_path(states(1, 1), scale_max=1, bands=BANDS_2016).target is None
    # all indicators N/A but one that is met: nothing can be raised
    items = [IndicatorState(0, "c", 0, D(0)), IndicatorState(1, "c", 1)]
    path = unit_path(items, scale_max=1, bands=BANDS_2016)
    assert path.target is None  # 100 already
    blocked = unit_path([IndicatorState(0, "c", 0, not_applicable=True),
                         IndicatorState(1, "c", 0, D(0))], scale_max=1, bands=BANDS_2016)
    assert blocked.score is None and not blocked.reachable and blocked.steps == []


def test_government_path_orders_units_and_plans_across_them():
    units = {
        "dpmptsp": (D(80), [Step(1, "g", D(10)), Step(2, "h", D(5))]),
        "puskesmas": (D(40), [Step(3, "k", D(30)), Step(4, "g", D(12))]),
        "unassessed": (None, []),
    }
    path = government_path(units, BANDS_2022)
    assert path.score == D(60) and path.target.category == "B"  # next zone: green
    assert path.needed == D("18.00")  # 60.00 + 17.99 would still round to 77.99 (C)
    assert [u.key for u in path.units] == ["puskesmas", "dpmptsp"]
    assert path.units[0].potential == D(30)  # (100 − 40) / 2 units
    # gains count half at government level: 15, 6, 5, 2.5 → 15 + 6 = 21 ≥ 17.995
    assert [(key, step.key) for key, step in path.plan] == [("puskesmas", 3), ("puskesmas", 4)]


def test_government_path_without_units():
    assert government_path({}, BANDS_2022).score is None


def test_the_gap_shown_is_the_difference_of_the_figures_shown():
    """A unit at 1/3 (33.333…, shown as 33,33) needs 54,00 − 33,33 = 20,67 points to reach C,
    not the 20,66 that the unrounded difference to 53.995 would round to."""
    path = unit_path(states(1, 0, 0), 1, BANDS_2022)
    assert round(path.score, 4) == D("33.3333")
    assert path.target.category == "C"
    assert path.needed == D("20.67")
