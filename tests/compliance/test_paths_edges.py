"""The path to the next band or zone at its edges: the defaults (a unit goes band by band, a
government zone by zone), the whole answer at the top band and without scored units, gaps under
one point, a step that lands exactly on the threshold, and the PEKPPP 0-5 index. Every figure
is worked out by hand in the comment next to it; test_paths.py has the ordinary cases."""
from decimal import Decimal as D

from compliance.paths import (GovernmentPath, IndicatorState, Step, UnitOption, UnitPath,
                              government_path, indicator_gains, target_band, unit_path)
from compliance.scoring import BandSpec, DimensionSpec

# docs/methodology.md: 2016-2021 red 0-50.99, yellow 51-80.99, green 81-100; 2022-2024 E 0,
# D 32, C 54 (yellow), B 78, A 88 (green); PEKPPP (0-5 index, no zones) E 1.01, D 1.51,
# C- 2.01, C 2.51, B- 3.01, B 3.51, A- 4.01, A 4.51.
BANDS_2016 = [BandSpec(D(0), "red"), BandSpec(D(51), "yellow"), BandSpec(D(81), "green")]
BANDS_2022 = [BandSpec(D(0), "red", "E"), BandSpec(D(32), "red", "D"),
              BandSpec(D(54), "yellow", "C"), BandSpec(D(78), "green", "B"),
              BandSpec(D(88), "green", "A")]
BANDS_PEKPPP = [BandSpec(D(0), "", "F"), BandSpec(D("1.01"), "", "E"),
                BandSpec(D("1.51"), "", "D"), BandSpec(D("2.01"), "", "C-"),
                BandSpec(D("2.51"), "", "C"), BandSpec(D("3.01"), "", "B-"),
                BandSpec(D("3.51"), "", "B"), BandSpec(D("4.01"), "", "A-"),
                BandSpec(D("4.51"), "", "A")]


def states(*values, component="c"):
    return [IndicatorState(key=i, component=component, value=v) for i, v in enumerate(values)]


# --- defaults: a unit's next band, a government's next zone -----------------------------------

def test_target_band_goes_band_by_band_unless_asked_for_the_zone():
    assert target_band(D(20), BANDS_2022).category == "D"  # E → D, both red
    assert target_band(D(20), BANDS_2022, by="zone").category == "C"


def test_unit_path_aims_at_the_next_band_by_default_and_at_the_zone_when_asked():
    one_of_five = states(1, 0, 0, 0, 0)  # 20: band E
    assert unit_path(one_of_five, 1, BANDS_2022).target.category == "D"
    assert unit_path(one_of_five, 1, BANDS_2022, by="zone").target.category == "C"


def test_government_path_aims_at_the_next_zone_by_default():
    units = {"dinkes": (D(20), [])}
    assert government_path(units, BANDS_2022).target.category == "C"
    assert government_path(units, BANDS_2022, by="band").target.category == "D"


# --- the whole answer where there is nothing to do --------------------------------------------

def test_unit_path_at_the_top_band_is_complete_and_empty():
    assert unit_path(states(1, 1), 1, BANDS_2016) == UnitPath(
        score=D(100), target=None, needed=D(0), steps=[], reachable=True)


def test_government_path_without_a_scored_unit_is_empty():
    assert government_path({"unassessed": (None, [])}, BANDS_2022) == GovernmentPath(
        score=None, target=None, needed=D(0), units=[], plan=[])


def test_government_path_at_the_top_band_still_lists_its_units():
    units = {"dpmptsp": (D(95), [Step(1, "g", D(5))]), "puskesmas": (D(91), [])}
    # (95 + 91) / 2 = 93.00: band A, nothing above it. Room: (100 − 91) / 2 = 4.5 and
    # (100 − 95) / 2 = 2.5; the DPMPTSP step counts half at government level.
    assert government_path(units, BANDS_2022) == GovernmentPath(
        score=D("93.00"), target=None, needed=D(0),
        units=[UnitOption("puskesmas", D(91), D("4.5"), []),
               UnitOption("dpmptsp", D(95), D("2.5"), [Step(1, "g", D("2.5"))])],
        plan=[])


# --- gaps under one point, and a step that lands exactly on the threshold ---------------------

def test_government_a_cent_below_the_next_zone():
    # 53.99 (D, red) → C at 54: shown 54.00 − 53.99 = 0.01; the first step (0.5) suffices.
    units = {"dinkes": (D("53.99"), [Step(7, "c", D("0.5")), Step(8, "c", D("0.25"))])}
    path = government_path(units, BANDS_2022)
    assert path.target.category == "C"
    assert path.needed == D("0.01")
    assert path.plan == [("dinkes", Step(7, "c", D("0.5")))]


def test_government_plan_stops_when_a_step_lands_exactly_on_the_threshold():
    # 50.00 (red) → yellow: 50.995 rounds to 51.00, so 0.995 is enough and the first step,
    # worth exactly 0.995, reaches it; the second is not needed.
    units = {"dinkes": (D(50), [Step(1, "c", D("0.995")), Step(2, "c", D("0.5"))])}
    path = government_path(units, BANDS_2016)
    assert path.needed == D("1.00")
    assert path.plan == [("dinkes", Step(1, "c", D("0.995")))]


def test_unit_at_zero_needs_the_whole_bound():
    # 10 yes/no indicators, none met: 0 → yellow at 51.00; 50.995 needs 6 indicators (60).
    path = unit_path(states(*[0] * 10), 1, BANDS_2016)
    assert path.score == D(0)
    assert path.needed == D("51.00")
    assert len(path.steps) == 6 and path.reachable


def test_unit_half_a_point_below_the_next_band():
    # 101 of 200 yes/no indicators met: 50.50 → 51.00 − 50.50 = 0.50; each indicator adds
    # 0.5, and 50.50 + 0.5 = 51.00 reaches yellow with one.
    path = unit_path(states(*([1] * 101 + [0] * 99)), 1, BANDS_2016)
    assert path.score == D("50.5")
    assert path.needed == D("0.50")
    assert [step.gain for step in path.steps] == [D("0.5")]


def test_unit_plan_stops_when_a_step_lands_exactly_on_the_threshold():
    # Weights 70.005 (met), 10.99, 10 and 9.005 (unmet) out of 100: the unit scores 70.005,
    # published 70.01 (yellow); green needs 80.995, i.e. 10.99 more, exactly the first gain.
    items = [IndicatorState("met", "c", 1, D("70.005")), IndicatorState("a", "c", 0, D("10.99")),
             IndicatorState("b", "c", 0, D(10)), IndicatorState("c", "c", 0, D("9.005"))]
    path = unit_path(items, 1, BANDS_2016)
    assert path.target.zone == "green"
    assert path.needed == D("10.99")  # 81.00 − 70.01
    assert path.steps == [Step("a", "c", D("10.99"))]
    assert path.reachable


# --- which indicators gain anything ------------------------------------------------------------

def test_an_indicator_worth_less_than_a_point_is_still_a_step():
    # 50 indicators on 0-4, one at 3: raising it adds 1/4 × 1/50 × 100 = 0.5.
    assert indicator_gains(states(3, *[4] * 49), scale_max=4) == [Step(0, "c", D("0.5"))]


def test_an_indicator_outside_every_dimension_gains_nothing():
    dims = [DimensionSpec("input", D("21.85"), ("g",))]
    items = states(0, 3, component="g") + [IndicatorState("z", "z", 0)]
    # input is 50 (one of two at the top); raising g0 makes it 100. z counts nowhere.
    assert indicator_gains(items, scale_max=3, dimensions=dims) == [Step(0, "g", D(50))]
    # a unit with only such indicators has no score, and raising them gives it none
    assert indicator_gains([IndicatorState("z", "z", 0)], scale_max=3, dimensions=dims) == []


# --- the PEKPPP 0-5 index ----------------------------------------------------------------------

def test_pekppp_paths_read_the_bounds_on_the_0_to_5_index():
    # five indicators on 0-5, all at 3: 60 → index 3.00 (C); B- starts at 3.01, i.e. 60.20 on
    # the 0-100 score: 0.20 more; raising one indicator to 5 adds 2/25 = 8 points.
    assert target_band(D(60), BANDS_PEKPPP, D(5)).category == "B-"
    path = unit_path(states(3, 3, 3, 3, 3), 5, BANDS_PEKPPP, D(5))
    assert path.target.category == "B-"
    assert path.needed == D("0.20")
    assert [step.gain for step in path.steps] == [D(8)]
    # the government of two such units: the same target, and one step (8 / 2 = 4) suffices
    units = {"a": (D(60), [Step(1, "c", D(8))]), "b": (D(60), [Step(2, "c", D(8))])}
    government = government_path(units, BANDS_PEKPPP, D(5))
    assert government.target.category == "B-"
    assert government.plan == [("a", Step(1, "c", D(4)))]
    # the dashboard's sentence, on the score's scale like the unit's: 60.00 needs 0.20 more
    # points to reach 60.20 (B- at 3.01 × 20), not 0.10 "to reach 3.01"
    assert (government.needed, government.bound) == (D("0.20"), D("60.20"))

