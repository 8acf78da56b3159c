"""Edges of ``compliance.scoring`` that the tables of test_scoring.py leave open (each one a
mutant that survived them): an N/A answer before applicable ones, component weights inside a
dimension, names that differ only in case, and the errors said for impossible input.

No database; literal expected values worked out by hand below each case.
"""
from decimal import Decimal as D

import pytest

from compliance.scoring import (AnswerInput, DimensionSpec, component_score, dimension_scores,
                                rank, unit_score)


def test_an_na_answer_before_applicable_ones_skips_only_itself():
    answers = [AnswerInput(None, not_applicable=True), AnswerInput(3), AnswerInput(1)]
    # (3 + 1) / (3 + 3) × 100 = 66.66…
    assert component_score(answers, scale_max=3).quantize(D("0.01")) == D("66.67")


@pytest.mark.parametrize(("answers", "scale_max", "message"), [
    ([AnswerInput(1)], 0, "scale_max must be at least 1"),
    ([AnswerInput(1, weight=D(-1))], 3, "indicator weights cannot be negative"),
    ([AnswerInput(4)], 3, "value 4 outside 0..3"),
    ([AnswerInput(-1)], 3, "value -1 outside 0..3"),
])
def test_impossible_input_is_refused_with_its_reason(answers, scale_max, message):
    with pytest.raises(ValueError) as caught:
        component_score(answers, scale_max=scale_max)
    assert str(caught.value) == message


# Two dimensions: "input" holds x (weight 3) and y (no weight given: 1); "process" holds z.
DIMENSIONS = [DimensionSpec("input", D("40"), ("x", "y")),
              DimensionSpec("process", D("60"), ("z",))]
COMPONENTS = {"x": D(100), "y": D(0), "z": D(50)}
WEIGHTS = {"x": D(3), "z": D(2)}


def test_component_weights_count_inside_a_dimension():
    scores = dimension_scores(COMPONENTS, DIMENSIONS, component_weights=WEIGHTS)
    # input = (100 × 3 + 0 × 1) / (3 + 1) = 75; process = 50 (one component)
    assert scores == {"input": D(75), "process": D(50)}
    # without weights: input = (100 + 0) / 2 = 50
    assert dimension_scores(COMPONENTS, DIMENSIONS) == {"input": D(50), "process": D(50)}


def test_the_unit_passes_its_component_weights_to_the_dimensions():
    # (75 × 40 + 50 × 60) / 100 = 60
    assert unit_score(COMPONENTS, DIMENSIONS, component_weights=WEIGHTS) == D(60)
    # equal weights: (50 × 40 + 50 × 60) / 100 = 50
    assert unit_score(COMPONENTS, DIMENSIONS) == D(50)


def test_names_that_differ_only_in_case_are_ordered_by_their_exact_text():
    """Ties are listed by name, case-insensitively first and then by the exact text, whatever
    order the rows come in."""
    rows = [(1, "kota a", D("70")), (2, "Kota A", D("70")), (3, "Kota B", D("80"))]
    ranked = rank(rows)
    assert [(row.name, row.rank) for row in ranked] == [
        ("Kota B", 1), ("Kota A", 2), ("kota a", 2)]
    assert [(row.name, row.rank) for row in rank(reversed(rows))] == [
        ("Kota B", 1), ("Kota A", 2), ("kota a", 2)]


def test_an_answer_needs_a_scale_of_at_least_one_point():
    """Its own scale, or else the component's: none at all, or 0, is refused (the score would
    divide by nothing)."""
    for answers, scale_max in (([AnswerInput(value=0)], None),
                               ([AnswerInput(value=0, scale_max=0)], 3),
                               ([AnswerInput(value=0)], 0)):
        with pytest.raises(ValueError, match="^scale_max must be at least 1$"):
            component_score(answers, scale_max=scale_max)
    assert component_score([AnswerInput(value=1, scale_max=1)]) == D("100.00")
