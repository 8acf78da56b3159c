"""Table-driven checks of ``compliance.scoring`` against docs/methodology.md and published results.

No database: bands and dimensions are built here as plain specs, never loaded from the DB.
"""
import csv
from decimal import Decimal as D
from pathlib import Path

import pytest

from compliance.scoring import (
    AnswerInput,
    BandSpec,
    Completion,
    DimensionSpec,
    band_for,
    change,
    completion,
    component_score,
    government_score,
    published_value,
    rank,
    round2,
    unit_score,
)

SULTRA_2021_CSV = Path(__file__).resolve().parents[2] / "assessments" / "data" / "sultra_2021.csv"


def close(value, expected, places=20):
    """Equal to ``places`` decimals: for non-terminating quotients (e.g. 200/3)."""
    quantum = D(1).scaleb(-places)
    return D(value).quantize(quantum) == D(expected).quantize(quantum)


# --------------------------------------------------------------------------- bands (DOMAIN §3)

BANDS_2016 = [
    BandSpec(D("0"), "red", "", "Kepatuhan rendah"),
    BandSpec(D("51.00"), "yellow", "", "Kepatuhan sedang"),
    BandSpec(D("81.00"), "green", "", "Kepatuhan tinggi"),
]

# Deliberately listed out of order: band_for must not rely on the caller's ordering.
BANDS_2022 = [
    BandSpec(D("78.00"), "green", "B", "Kualitas Tinggi"),
    BandSpec(D("0"), "red", "E", "Kualitas Terendah"),
    BandSpec(D("54.00"), "yellow", "C", "Kualitas Sedang"),
    BandSpec(D("88.00"), "green", "A", "Kualitas Tertinggi"),
    BandSpec(D("32.00"), "red", "D", "Kualitas Rendah"),
]

BANDS_PEKPPP = [  # on the published 0-5 index
    BandSpec(D("0"), "red", "F", "Gagal"),
    BandSpec(D("1.01"), "red", "E"),
    BandSpec(D("1.51"), "red", "D"),
    BandSpec(D("2.01"), "yellow", "C-"),
    BandSpec(D("2.51"), "yellow", "C"),
    BandSpec(D("3.01"), "yellow", "B-"),
    BandSpec(D("3.51"), "green", "B"),
    BandSpec(D("4.01"), "green", "A-"),
    BandSpec(D("4.51"), "green", "A", "Pelayanan Prima"),
]


# ---------------------------------------------------------------------------------- round2

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0.005"), D("0.01")),
        ("0.005", D("0.01")),
        (0.005, D("0.01")),  # float whose binary value is just above .005
        (D("0.004"), D("0.00")),
        (D("0.0049999"), D("0.00")),
        (D("34.185"), D("34.19")),
        ("34.185", D("34.19")),
        (D("2.675"), D("2.68")),  # the classic float trap, given as Decimal
        (D("2.665"), D("2.67")),  # half-up, not banker's rounding (half-even gives 2.66)
        (D("2.685"), D("2.69")),
        (D("69.27"), D("69.27")),
        (D("100"), D("100.00")),
        (0, D("0.00")),
        (7, D("7.00")),
        (D("-0.005"), D("-0.01")),  # half away from zero, symmetric for negatives
        (D("-34.185"), D("-34.19")),
        (D("-2.675"), D("-2.68")),
        (D("-0.004"), D("0.00")),
        (D("-1.234"), D("-1.23")),
    ],
)
def test_round2_half_up(value, expected):
    result = round2(value)
    assert isinstance(result, D)
    assert result == expected
    assert result.as_tuple().exponent == -2  # always two decimals, as published


# A float is read through its shortest text form, so 2.675 means 2.675 (not 2.67499…).
@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.675, D("2.68")), (1.005, D("1.01")), (50.995, D("51.00"))],
)
def test_round2_float_input_is_half_up_on_its_text(value, expected):
    assert round2(value) == expected


# -------------------------------------------------------------------------------- band_for

@pytest.mark.parametrize(
    ("score", "zone"),
    [
        (D("0"), "red"),
        (D("50.99"), "red"),
        (D("51.00"), "yellow"),
        (D("51"), "yellow"),
        (D("80.99"), "yellow"),
        (D("81.00"), "green"),
        (D("100"), "green"),
        (D("34.19"), "red"),  # Muna Barat 2021
        (D("50.994"), "red"),  # rounds to 50.99
        (D("50.995"), "yellow"),  # rounds to 51.00
        (D("80.9949"), "yellow"),
        (D("80.995"), "green"),
    ],
)
def test_band_for_2016(score, zone):
    band = band_for(score, BANDS_2016)
    assert band is not None
    assert band.zone == zone


@pytest.mark.parametrize(
    ("score", "category", "zone"),
    [
        (D("0"), "E", "red"),
        (D("31.99"), "E", "red"),
        (D("31.994"), "E", "red"),
        (D("31.995"), "D", "red"),
        (D("32.00"), "D", "red"),
        (D("53.99"), "D", "red"),
        (D("54.00"), "C", "yellow"),
        (D("69.27"), "C", "yellow"),  # Muna Barat 2022
        (D("77.99"), "C", "yellow"),
        (D("77.995"), "B", "green"),
        (D("78.00"), "B", "green"),
        (D("87.99"), "B", "green"),
        (D("87.994"), "B", "green"),
        (D("88.00"), "A", "green"),
        (D("93.46"), "A", "green"),  # Muna Barat 2024
        (D("100"), "A", "green"),
    ],
)
def test_band_for_2022(score, category, zone):
    band = band_for(score, BANDS_2022)
    assert band is not None
    assert (band.category, band.zone) == (category, zone)


@pytest.mark.parametrize(
    ("score", "index", "category"),
    [
        (D("0"), D("0.00"), "F"),
        (D("20"), D("1.00"), "F"),
        (D("20.09"), D("1.00"), "F"),  # 1.0045 -> 1.00
        (D("20.1"), D("1.01"), "E"),  # 1.005 -> 1.01 (half-up on the index)
        (D("20.2"), D("1.01"), "E"),
        (D("30.0"), D("1.50"), "E"),
        (D("30.2"), D("1.51"), "D"),
        (D("40"), D("2.00"), "D"),
        (D("40.2"), D("2.01"), "C-"),
        (D("50"), D("2.50"), "C-"),
        (D("50.2"), D("2.51"), "C"),
        (D("60.2"), D("3.01"), "B-"),
        (D("70.2"), D("3.51"), "B"),
        (D("80.2"), D("4.01"), "A-"),
        (D("90.0"), D("4.50"), "A-"),
        (D("90.2"), D("4.51"), "A"),
        (D("100"), D("5.00"), "A"),
    ],
)
def test_band_for_pekppp_index(score, index, category):
    assert published_value(score, D(5)) == index
    band = band_for(score, BANDS_PEKPPP, index_max=D(5))
    assert band is not None
    assert band.category == category


@pytest.mark.parametrize(
    ("score", "bands", "index_max"),
    [
        (None, BANDS_2016, D(100)),
        (None, BANDS_PEKPPP, D(5)),
        (D("50"), [], D(100)),
        (D("50"), (), D(5)),
        (D("-0.01"), BANDS_2022, D(100)),  # below every lower bound
    ],
)
def test_band_for_none(score, bands, index_max):
    assert band_for(score, bands, index_max) is None


def test_band_for_returns_the_spec_itself():
    band = band_for(D("88"), BANDS_2022)
    assert band == BandSpec(D("88.00"), "green", "A", "Kualitas Tertinggi")


# -------------------------------------------------------------------------- component_score

def A(value, weight=1, na=False):  # noqa: N802 - short table helper
    return AnswerInput(value=value, weight=D(weight), not_applicable=na)


@pytest.mark.parametrize(
    ("answers", "scale_max", "expected"),
    [
        ([A(1), A(1), A(1)], 1, D(100)),
        ([A(0), A(0)], 1, D(0)),
        ([A(1), A(0)], 1, D(50)),
        ([A(1, 2), A(0, 1), A(1, 1)], 1, D(75)),  # (2+0+1)/(2+1+1)
        ([A(1, "0.5"), A(0, "1.5")], 1, D(25)),
        ([A(1), A(0, na=True), A(1)], 1, D(100)),  # N/A excluded, not counted as 0
        ([A(0), A(1, 5, na=True)], 1, D(0)),
        ([A(1), A(None)], 1, D(50)),  # unanswered counts as 0
        ([A(None), A(None)], 1, D(0)),
        ([A(1, 0), A(0, 1)], 1, D(0)),  # zero-weight indicator contributes nothing
        ([A(3), A(3)], 3, D(100)),
        ([A(3), A(0)], 3, D(50)),
        ([A(2, 2), A(3, 1)], 3, D(7) / D(9) * 100),
        ([A(5), A(4), A(None), A(1, na=True)], 5, D(60)),  # (5+4+0)/15
    ],
)
def test_component_score(answers, scale_max, expected):
    result = component_score(answers, scale_max)
    assert isinstance(result, D)
    assert close(result, expected)


def test_component_score_rubric_thirds():
    result = component_score([A(3), A(2), A(1)], 3)  # 6/9
    assert close(result, D(200) / D(3))
    assert str(result).startswith("66.666666")
    assert round2(result) == D("66.67")


@pytest.mark.parametrize(
    "answers",
    [
        [],
        [A(1, na=True), A(0, na=True)],
        [A(1, 0), A(0, 0)],
        [A(1, 0), A(1, na=True)],
    ],
    ids=["empty", "all-na", "zero-weights", "zero-weight-and-na"],
)
def test_component_score_not_applicable_is_none(answers):
    assert component_score(answers, 1) is None


@pytest.mark.parametrize(
    ("answers", "scale_max"),
    [
        ([A(2)], 1),
        ([A(1), A(4)], 3),
        ([A(6)], 5),
        ([A(-1)], 3),
        ([A(1, -1)], 1),
        ([A(0, "-0.5"), A(1)], 1),
        ([A(1)], 0),
    ],
    ids=["2-on-yes-no", "4-on-0-3", "6-on-0-5", "negative-value", "negative-weight",
         "negative-fractional-weight", "scale-0"],
)
def test_component_score_rejects_bad_input(answers, scale_max):
    with pytest.raises(ValueError):
        component_score(answers, scale_max)


# ------------------------------------------------------------------------------- unit_score

@pytest.mark.parametrize(
    ("components", "weights", "expected"),
    [
        ({"a": D(100), "b": D(50)}, None, D(75)),
        ({"a": D(100), "b": D(50), "c": D(0)}, None, D(50)),
        ({"a": D(100), "b": D(50), "c": None}, None, D(75)),  # None dropped, not 0
        ({"a": D(100), "b": D(0), "c": D(0)}, None, D(100) / 3),
        ({"a": D(100), "b": D(40)}, {"a": D(3), "b": D(1)}, D(85)),
        ({"a": D(100), "b": D(40)}, {"a": D(3)}, D(85)),  # missing weight defaults to 1
        ({"a": D(100), "b": D(40)}, {"a": D(0), "b": D(1)}, D(40)),
        ({"a": None, "b": None}, None, None),
        ({}, None, None),
        ({"a": D(80)}, {"a": D(0)}, None),  # all weight zero
    ],
)
def test_unit_score_without_dimensions(components, weights, expected):
    result = unit_score(components, component_weights=weights)
    if expected is None:
        assert result is None
    else:
        assert close(result, expected)


W_INPUT, W_PROCESS, W_OUTPUT, W_COMPLAINTS = D("21.85"), D("32.37"), D("24.24"), D("21.54")

DIMENSIONS_2022 = (
    DimensionSpec("input", W_INPUT, ("sdm", "sarpras")),
    DimensionSpec("process", W_PROCESS, ("persyaratan", "prosedur", "biaya")),
    DimensionSpec("output", W_OUTPUT, is_survey=True),
    DimensionSpec("complaints", W_COMPLAINTS, ("pengaduan",)),
)

COMPONENTS = {
    "sdm": D(80), "sarpras": D(60),  # input mean 70
    "persyaratan": D(100), "prosedur": D(50), "biaya": D(75),  # process mean 75
    "pengaduan": D(40),  # complaints 40
}


def test_2022_weights_sum_to_100():
    assert W_INPUT + W_PROCESS + W_OUTPUT + W_COMPLAINTS == D(100)


def test_unit_score_2022_dimensions_full():
    result = unit_score(COMPONENTS, DIMENSIONS_2022, {"output": D(90)})
    # (70×21.85 + 75×32.37 + 90×24.24 + 40×21.54) / 100 = (1529.5 + 2427.75 + 2181.6 + 861.6) / 100
    expected = (D(70) * W_INPUT + D(75) * W_PROCESS + D(90) * W_OUTPUT + D(40) * W_COMPLAINTS) / (
        W_INPUT + W_PROCESS + W_OUTPUT + W_COMPLAINTS)
    assert expected == D("70.0045")
    assert result == expected
    assert round2(result) == D("70.00")


def test_unit_score_2022_survey_missing_renormalises():
    expected = (D(70) * W_INPUT + D(75) * W_PROCESS + D(40) * W_COMPLAINTS) / (
        W_INPUT + W_PROCESS + W_COMPLAINTS)  # 4818.85 / 75.76
    for surveys in (None, {}, {"output": None}):
        result = unit_score(COMPONENTS, DIMENSIONS_2022, surveys)
        assert close(result, expected)
        assert round2(result) == D("63.61")


def test_unit_score_2022_dimension_with_no_scored_component_drops_out():
    components = dict(COMPONENTS, pengaduan=None)
    result = unit_score(components, DIMENSIONS_2022, {"output": D(90)})
    expected = (D(70) * W_INPUT + D(75) * W_PROCESS + D(90) * W_OUTPUT) / (
        W_INPUT + W_PROCESS + W_OUTPUT)
    assert close(result, expected)


def test_unit_score_2022_dimension_mean_skips_none_components():
    components = dict(COMPONENTS, biaya=None)  # process mean over 100, 50 = 75 still
    components["prosedur"] = D(0)  # process = (100 + 0) / 2 = 50
    result = unit_score(components, DIMENSIONS_2022, {"output": D(90)})
    expected = (D(70) * W_INPUT + D(50) * W_PROCESS + D(90) * W_OUTPUT + D(40) * W_COMPLAINTS) / 100
    assert close(result, expected)


def test_unit_score_2022_non_terminating_dimension_mean():
    components = dict(COMPONENTS, persyaratan=D(100), prosedur=D(50), biaya=D(50))  # 200/3
    result = unit_score(components, DIMENSIONS_2022, {"output": D(90)})
    process = D(200) / 3
    expected = (D(70) * W_INPUT + process * W_PROCESS + D(90) * W_OUTPUT + D(40) * W_COMPLAINTS) / 100
    assert close(result, expected, places=18)


def test_unit_score_2022_component_outside_dimensions_is_ignored():
    components = dict(COMPONENTS, stray=D(0))
    assert unit_score(components, DIMENSIONS_2022, {"output": D(90)}) == D("70.0045")


def test_unit_score_2022_swapped_input_output_weights_are_data():
    swapped = (
        DimensionSpec("input", W_OUTPUT, ("sdm", "sarpras")),
        DimensionSpec("process", W_PROCESS, ("persyaratan", "prosedur", "biaya")),
        DimensionSpec("output", W_INPUT, is_survey=True),
        DimensionSpec("complaints", W_COMPLAINTS, ("pengaduan",)),
    )
    result = unit_score(COMPONENTS, swapped, {"output": D(90)})
    expected = (D(70) * W_OUTPUT + D(75) * W_PROCESS + D(90) * W_INPUT + D(40) * W_COMPLAINTS) / 100
    assert result == expected


def test_unit_score_2022_survey_only():
    components = {code: None for code in COMPONENTS}
    assert unit_score(components, DIMENSIONS_2022, {"output": D("82.5")}) == D("82.5")


@pytest.mark.parametrize(
    ("components", "surveys"),
    [
        ({code: None for code in COMPONENTS}, None),
        ({code: None for code in COMPONENTS}, {"output": None}),
        ({}, {}),
    ],
)
def test_unit_score_2022_nothing_scored_is_none(components, surveys):
    assert unit_score(components, DIMENSIONS_2022, surveys) is None


# -------------------------------------------------------------------------- government_score

@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ([D(80), D(60)], D("70.00")),
        ([D("70.0045")], D("70.00")),
        ([D("69.27")], D("69.27")),
        ([D(100), D(0), D(0)], D("33.33")),
        ([D(100), D(100), D(0)], D("66.67")),
        # Units are rounded first: 1.01 + 1.01 + 1.00 = 3.02 / 3 = 1.00666… -> 1.01
        # (the mean of the raw scores, 1.00333…, would give 1.00).
        ([D("1.005"), D("1.005"), D("1.000")], D("1.01")),
        # … and the mean is rounded half-up: (10.00 + 10.01) / 2 = 10.005 -> 10.01.
        ([D("10.00"), D("10.01")], D("10.01")),
        ([D(80), None, D(60)], D("70.00")),  # not-assessed unit does not count
        ([], None),
        ([None, None], None),
    ],
)
def test_government_score(units, expected):
    assert government_score(units) == expected


def test_government_score_accepts_a_generator():
    assert government_score(score for score in [D(50), D(60)]) == D("55.00")


def test_government_score_muna_barat_2022_realistic():
    # Seven sampled units (DPMPTSP, Disdukcapil, Pendidikan, Kesehatan, Sosial, two Puskesmas),
    # unrounded as computed from answers; published unit scores are their rounded values.
    units = [
        D("72.1493"),  # 72.15
        D("65.3951"),  # 65.40
        D("70.875"),  # 70.88 (half-up)
        D("68.0249"),  # 68.02
        D("71.33"),
        D("66.9066"),  # 66.91
        D("70.2"),
        None,  # an OPD prepared but not sampled
    ]
    # 72.15 + 65.40 + 70.88 + 68.02 + 71.33 + 66.91 + 70.20 = 484.89; / 7 = 69.27
    assert government_score(units) == D("69.27")
    assert band_for(government_score(units), BANDS_2022).category == "C"


# ------------------------------------------------------------------------------------- rank

def ranks(result):
    return [(r.key, r.rank) for r in result]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], []),
        ([(1, "Alpha", D(90))], [(1, 1)]),
        (
            [(1, "A", D(90)), (2, "B", D(80)), (3, "C", D(80)), (4, "D", D(70))],
            [(1, 1), (2, 2), (3, 2), (4, 4)],
        ),
        (  # input order does not matter
            [(4, "D", D(70)), (3, "C", D(80)), (1, "A", D(90)), (2, "B", D(80))],
            [(1, 1), (2, 2), (3, 2), (4, 4)],
        ),
        (  # ties listed by name, whatever the key order
            [(1, "Kota Zeta", D(50)), (2, "Kota Alfa", D(50)), (3, "Kota Beta", D(50))],
            [(2, 1), (3, 1), (1, 1)],
        ),
        (  # name order ignores case
            [(1, "buton", D(50)), (2, "Bombana", D(50)), (3, "Muna", D(60))],
            [(3, 1), (2, 2), (1, 2)],
        ),
        (  # None scores are "not assessed" and skipped, without leaving a gap
            [(1, "Puncak", None), (2, "A", D(80)), (3, "B", D(70))],
            [(2, 1), (3, 2)],
        ),
        ([(1, "Puncak", None)], []),
        (  # compared after rounding: 80.004 and 80.001 both publish as 80.00
            [(1, "B", D("80.004")), (2, "A", D("80.001")), (3, "C", D("80.005"))],
            [(3, 1), (2, 2), (1, 2)],
        ),
        (  # three-way tie then gap
            [(1, "A", D(9)), (2, "B", D(9)), (3, "C", D(9)), (4, "D", D(8)), (5, "E", D(8)),
             (6, "F", D(1))],
            [(1, 1), (2, 1), (3, 1), (4, 4), (5, 4), (6, 6)],
        ),
    ],
)
def test_rank(rows, expected):
    assert ranks(rank(rows)) == expected


def test_rank_returns_rounded_scores_and_names():
    result = rank([("k", "Kabupaten Muna Barat", D("34.185"))])
    assert result[0].score == D("34.19")
    assert result[0].name == "Kabupaten Muna Barat"
    assert result[0].key == "k"


def load_sultra_2021():
    with SULTRA_2021_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_sultra_2021_csv_shape():
    rows = load_sultra_2021()
    assert len(rows) == 18
    assert sorted({row["level"] for row in rows}) == ["kabupaten", "kota", "provinsi"]
    assert sum(row["level"] == "kabupaten" for row in rows) == 15


def test_sultra_2021_kabupaten_ranking_matches_published():
    rows = [row for row in load_sultra_2021() if row["level"] == "kabupaten"]
    result = rank((row["name"], row["name"], D(row["score"])) for row in rows)
    assert len(result) == 15
    published = {row["name"]: int(row["published_rank_kabupaten_in_province"]) for row in rows}
    assert {r.key: r.rank for r in result} == published
    mubar = next(r for r in result if r.key == "Kabupaten Muna Barat")
    assert (mubar.rank, mubar.score) == (13, D("34.19"))


def test_sultra_2021_all_governments_ranking():
    rows = load_sultra_2021()
    result = rank((row["name"], row["name"], D(row["score"])) for row in rows)
    assert len(result) == 18
    by_name = {r.key: r.rank for r in result}
    assert by_name["Kabupaten Muna Barat"] == 16
    assert by_name["Kabupaten Bombana"] == 1
    assert by_name["Provinsi Sulawesi Tenggara"] == 3
    assert by_name["Kabupaten Buton Selatan"] == 18
    assert [r.rank for r in result] == list(range(1, 19))  # no ties in this table


@pytest.mark.parametrize("row", load_sultra_2021(), ids=lambda row: row["short_name"])
def test_sultra_2021_zone_matches_published(row):
    assert band_for(D(row["score"]), BANDS_2016).zone == row["published_zone"]


# ----------------------------------------------------------------------------------- change

@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (D("69.27"), D("34.19"), D("35.08")),  # Muna Barat 2021 -> 2022
        (D("93.46"), D("69.27"), D("24.19")),  # Muna Barat 2022 -> 2024
        (D("34.19"), D("69.27"), D("-35.08")),
        (D("50"), D("50"), D("0.00")),
        (D("10.005"), D("0"), D("10.01")),
        (D("0"), D("10.005"), D("-10.01")),
        (None, D("34.19"), None),
        (D("69.27"), None, None),
        (None, None, None),
    ],
)
def test_change(current, previous, expected):
    result = change(current, previous)
    assert result == expected
    if expected is not None:
        assert result.as_tuple().exponent == -2


# ------------------------------------------------------------------------------- completion

@pytest.mark.parametrize(
    ("answered", "total", "percent"),
    [
        (31, 48, D("64.58")),
        (0, 48, D("0.00")),
        (48, 48, D("100.00")),
        (1, 3, D("33.33")),
        (2, 3, D("66.67")),
        (1, 8, D("12.50")),
        (1, 200, D("0.50")),
        (0, 0, D("0")),
    ],
)
def test_completion(answered, total, percent):
    result = completion(answered, total)
    assert result == Completion(answered=answered, total=total, percent=percent)
    assert isinstance(result.percent, D)
