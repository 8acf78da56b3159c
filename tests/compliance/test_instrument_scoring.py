"""Scoring under an instrument (``compliance.scoring.instrument_unit``): the roll-up rules, mixed
scales, per-product indicators, survey dimensions and the unit's weighted mean, with no
database. Expected figures are literals worked out by hand from the rules in the docstrings and
INSTRUMENTS.md (the 2022–2024 weights; the Muna 2023 and Lebong 2023 government means)."""
from decimal import Decimal as D

import pytest

from compliance.scoring import (COMPONENT_MEAN, POINTS, DimensionSpec, IndicatorSpec,
                                government_score, instrument_unit, round2, unit_score)

# INSTRUMENTS.md §2: Input 21.85 %, Proses 32.37 %, Output 24.24 %, Pengaduan 21.54 % [V].
W_INPUT, W_PROCESS, W_OUTPUT, W_COMPLAINTS = D("21.85"), D("32.37"), D("24.24"), D("21.54")
DIMENSIONS_2022 = [
    DimensionSpec("input", W_INPUT, rollup=POINTS),
    DimensionSpec("process", W_PROCESS, rollup=POINTS),
    DimensionSpec("output", W_OUTPUT, is_survey=True),
    DimensionSpec("complaints", W_COMPLAINTS, rollup=POINTS),
]
INDICATORS_2022 = [  # 0-3 indicators; Proses observed per sampled product
    IndicatorSpec("in-1", "input", scale_max=3),
    IndicatorSpec("in-2", "input", scale_max=3),
    IndicatorSpec("pr-1", "process", scale_max=3, per_product=True),
    IndicatorSpec("pr-2", "process", scale_max=3, per_product=True),
    IndicatorSpec("pr-3", "process", scale_max=3, per_product=True),
    IndicatorSpec("co-1", "complaints", scale_max=3),
]
# Input 3 + 2 of 6 = 250/3; Proses: product A 9/9 = 100, product B 6/9 = 200/3, mean 250/3;
# Pengaduan 2/3 = 200/3; Output (survey) 70.
ANSWERS_2022 = {
    ("in-1", None): (3, False), ("in-2", None): (2, False),
    ("pr-1", "A"): (3, False), ("pr-2", "A"): (3, False), ("pr-3", "A"): (3, False),
    ("pr-1", "B"): (3, False), ("pr-2", "B"): (0, False), ("pr-3", "B"): (3, False),
    ("co-1", None): (2, False),
}


def test_a_2022_style_unit_of_four_weighted_dimensions():
    """(250/3 × 21.85 + 250/3 × 32.37 + 70 × 24.24 + 200/3 × 21.54) / 100
    = (4518.333… + 1696.8 + 1436) / 100 = 76.511333… -> 76.51."""
    result = instrument_unit(INDICATORS_2022, DIMENSIONS_2022, ANSWERS_2022, ["A", "B"],
                             {"output": D("70")})
    assert {code: round2(score) for code, score in result.dimensions.items()} == {
        "input": D("83.33"), "process": D("83.33"), "output": D("70.00"),
        "complaints": D("66.67")}
    assert round2(result.score) == D("76.51")


def test_without_the_survey_the_unit_is_the_mean_of_the_other_three():
    """(4518.333… + 1436) / (21.85 + 32.37 + 21.54 = 75.76) = 78.5946… -> 78.59."""
    result = instrument_unit(INDICATORS_2022, DIMENSIONS_2022, ANSWERS_2022, ["A", "B"])
    assert result.dimensions["output"] is None
    assert round2(result.score) == D("78.59")


def test_a_per_product_dimension_is_the_mean_over_products_not_over_answers():
    """Product B with one applicable indicator scoring 0, product A 3/3 on three: the mean of
    the products is (100 + 0) / 2 = 50, where pooling the answers would give 9/12 = 75."""
    answers = {("pr-1", "A"): (3, False), ("pr-2", "A"): (3, False),
               ("pr-3", "A"): (3, False), ("pr-1", "B"): (0, False),
               ("pr-2", "B"): (None, True), ("pr-3", "B"): (None, True)}
    result = instrument_unit(INDICATORS_2022, DIMENSIONS_2022, answers, ["A", "B"])
    assert result.dimensions["process"] == D("50")


def test_a_product_with_nothing_applicable_drops_out_of_the_mean():
    answers = {("pr-1", "A"): (2, False), ("pr-2", "A"): (2, False), ("pr-3", "A"): (2, False),
               ("pr-1", "B"): (None, True), ("pr-2", "B"): (None, True),
               ("pr-3", "B"): (None, True)}
    result = instrument_unit(INDICATORS_2022, DIMENSIONS_2022, answers, ["A", "B"])
    assert round2(result.dimensions["process"]) == D("66.67")  # product A alone: 6/9


def test_without_sampled_products_per_product_indicators_read_the_unit_answer():
    answers = {("pr-1", None): (3, False), ("pr-2", None): (0, False),
               ("pr-3", None): (0, False)}
    result = instrument_unit(INDICATORS_2022, DIMENSIONS_2022, answers)
    assert round2(result.dimensions["process"]) == D("33.33")


def test_an_unanswered_per_product_indicator_counts_zero_for_that_product():
    answers = {("pr-1", "A"): (3, False), ("pr-2", "A"): (3, False), ("pr-3", "A"): (3, False)}
    result = instrument_unit(INDICATORS_2022, DIMENSIONS_2022, answers, ["A", "B"])
    assert result.dimensions["process"] == D("50")  # A 100, B unanswered 0


# One dimension holding component A (one indicator at its maximum) and component B (three
# indicators at 0), all on 0-3 with weight 1.
ROLLUP_INDICATORS = [IndicatorSpec("a1", "d", scale_max=3, component="A")] + [
    IndicatorSpec(f"b{k}", "d", scale_max=3, component="B") for k in (1, 2, 3)]
ROLLUP_ANSWERS = {("a1", None): (3, False), ("b1", None): (0, False),
                  ("b2", None): (0, False), ("b3", None): (0, False)}


@pytest.mark.parametrize(("rollup", "expected"), [
    (POINTS, D("25")),  # 3 / 12 × 100
    (COMPONENT_MEAN, D("50")),  # mean(A 100, B 0)
])
def test_the_two_rollups(rollup, expected):
    result = instrument_unit(ROLLUP_INDICATORS, [DimensionSpec("d", D("100"), rollup=rollup)],
                             ROLLUP_ANSWERS)
    assert result.dimensions["d"] == expected
    assert result.score == expected
    assert result.components == {"A": D("100"), "B": D("0")}


def test_points_over_mixed_scales_weigh_each_indicator_by_its_own_maximum():
    """A yes/no indicator of weight 2 fulfilled and a 0-5 rubric of weight 1 at 4:
    (2 × 1 + 1 × 4) / (2 × 1 + 1 × 5) = 6/7 = 85.714… -> 85.71."""
    indicators = [IndicatorSpec("yn", "d", weight=D("2"), scale_max=1),
                  IndicatorSpec("rubric", "d", weight=D("1"), scale_max=5)]
    result = instrument_unit(indicators, [DimensionSpec("d", D("100"), rollup=POINTS)],
                             {("yn", None): (1, False), ("rubric", None): (4, False)})
    assert round2(result.score) == D("85.71")


def test_a_value_above_an_indicators_own_scale_is_refused():
    indicators = [IndicatorSpec("yn", "d", scale_max=1)]
    with pytest.raises(ValueError):
        instrument_unit(indicators, [DimensionSpec("d", D("100"), rollup=POINTS)],
                        {("yn", None): (3, False)})


def test_an_unknown_rollup_is_refused():
    with pytest.raises(ValueError):
        instrument_unit(ROLLUP_INDICATORS, [DimensionSpec("d", D("100"), rollup="median")],
                        ROLLUP_ANSWERS)


def test_one_component_mean_dimension_gives_the_old_plain_mean_exactly():
    """The 2016 and PEKPPP checklists became one dimension of weight 100: the unit must be
    what ``unit_score`` gave without dimensions, to the last digit (mean of 100, 0 and 1/3 of
    100 over three components = 44.444…)."""
    indicators = [IndicatorSpec("a", "all", component="A"),
                  IndicatorSpec("b", "all", component="B"),
                  *[IndicatorSpec(f"c{k}", "all", component="C") for k in (1, 2, 3)]]
    answers = {("a", None): (1, False), ("b", None): (0, False), ("c1", None): (1, False),
               ("c2", None): (0, False), ("c3", None): (0, False)}
    result = instrument_unit(indicators, [DimensionSpec("all", D("100"))], answers)
    assert result.score == unit_score(result.components)
    assert round2(result.score) == D("44.44")


def test_dimensions_without_a_score_leave_the_weighted_mean_of_the_others():
    dimensions = [DimensionSpec("x", D("30"), rollup=POINTS),
                  DimensionSpec("y", D("70"), rollup=POINTS)]
    indicators = [IndicatorSpec("x1", "x"), IndicatorSpec("y1", "y")]
    result = instrument_unit(indicators, dimensions, {("x1", None): (1, False),
                                                      ("y1", None): (None, True)})
    assert result.dimensions == {"x": D("100"), "y": None}
    assert result.score == D("100")


# INSTRUMENTS.md §2 [V]: government score = plain mean of the sampled units, two decimals.
# Muna 2023: seven units totalling 299.03 -> 42.72; Lebong 2023: 643.97 -> 92.00.
MUNA_2023 = ["40.00", "45.50", "38.25", "50.10", "41.18", "44.00", "40.00"]  # Σ 299.03
LEBONG_2023 = ["92.00", "91.50", "93.25", "90.72", "92.10", "92.40", "92.00"]  # Σ 643.97


@pytest.mark.parametrize(("units", "total", "expected"), [
    (MUNA_2023, D("299.03"), D("42.72")),  # 42.71857…
    (LEBONG_2023, D("643.97"), D("92.00")),  # 91.99571… rounds up to 92.00
])
def test_government_means_of_2023(units, total, expected):
    scores = [D(value) for value in units]
    assert sum(scores) == total
    assert government_score(scores) == expected
