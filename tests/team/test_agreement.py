"""Agreement figures against published worked examples and hand-computed fixtures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualtui.analysis.agreement import (
    Coding,
    DocumentData,
    cohen_kappa,
    compare,
    figures,
    krippendorff_alpha_nominal,
    passages,
    percent_agreement,
    tally_code,
)

N = None

# -- published examples ---------------------------------------------------------------------
# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication, University of Pennsylvania. Section A: binary data, two observers, no
# missing data: alpha = 0.095.
KRIPP_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
           [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
# Section B: nominal data, two observers, no missing data: alpha = 0.692.
KRIPP_B = ["a a b b d c c c e d d a".split(),
           "b a b b b c c c e d d d".split()]
# Section C: nominal data, any number of observers, missing data (4 observers, 12 units;
# unit 12 has one value and is not pairable): alpha = 0.743.
KRIPP_C = [[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
           [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
           [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
           [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]]
# Krippendorff's alpha article (Wikipedia, "A computational example"; also the test data of
# the krippendorff Python package): 3 coders, 15 units, nominal alpha = 0.691358.
KRIPP_WIKI = [[N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
              [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
              [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4]]


@pytest.mark.parametrize("data, expected", [
    (KRIPP_A, 0.095), (KRIPP_B, 0.692), (KRIPP_C, 0.743), (KRIPP_WIKI, 0.691),
])
def test_krippendorff_published_examples(data, expected) -> None:
    assert round(krippendorff_alpha_nominal(data), 3) == expected


def test_krippendorff_exact_values() -> None:
    # Section A worked out: 1 - (n-1) * o_01 / (n_0 * n_1) = 1 - 19 * 4 / (14 * 6)
    assert krippendorff_alpha_nominal(KRIPP_A) == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert krippendorff_alpha_nominal(KRIPP_WIKI) == pytest.approx(0.691358, abs=1e-6)


def test_krippendorff_undefined_without_variation() -> None:
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]) is None
    assert krippendorff_alpha_nominal([[1, N], [N, 2]]) is None  # nothing pairable


# Cohen's kappa, Wikipedia "Cohen's kappa", Example 1: 50 grant proposals read by A and B;
# both yes 20, A yes B no 5, A no B yes 10, both no 15: p_o = 0.70, p_e = 0.50, kappa = 0.40.
# Example "same percentages but different numbers": 45/15/25/15 -> 0.1304; 25/35/5/35 -> 0.2593.
@pytest.mark.parametrize("table, p_o, kappa", [
    ([[20, 5], [10, 15]], 0.70, 0.40),
    ([[45, 15], [25, 15]], 0.60, 0.1304),
    ([[25, 35], [5, 35]], 0.60, 0.2593),
])
def test_cohen_kappa_textbook_examples(table, p_o, kappa) -> None:
    assert percent_agreement(table) == pytest.approx(p_o)
    assert round(cohen_kappa(table), 4) == kappa


def test_cohen_kappa_undefined_when_chance_agreement_is_one() -> None:
    assert cohen_kappa([[10, 0], [0, 0]]) is None


# -- hand-computed fixtures -------------------------------------------------------------------
def doc(codings: list[tuple[str, str, int, int]], length: int = 20,
        units: list[tuple[int, int]] | None = None) -> DocumentData:
    return DocumentData(id="d1", name="D1", length=length,
                        codings=[Coding(*c) for c in codings], units=units)


OVERLAP = [("A", "X", 0, 10), ("B", "X", 5, 15)]
UNITS = [(0, 4), (5, 9), (10, 14), (15, 19)]


def test_character_level_every_character_counts() -> None:
    # 20 characters: both 5 (5-9), only A 5, only B 5, neither 5
    result = compare([doc(OVERLAP)], ["A", "B"], ["X"])
    f = result.codes[0].figures
    pair = f.pairs[0]
    assert (pair.both, pair.only_a, pair.only_b, pair.neither) == (5, 5, 5, 5)
    assert (f.units, f.coded) == (20, {"A": 10, "B": 10})
    assert f.agreement == 0.5 and pair.expected == 0.5 and f.kappa == 0.0
    # alpha: n = 40 values, o_01 = 10, n_0 = n_1 = 20: 1 - 39 * 10 / 400
    assert f.alpha == pytest.approx(0.025)
    assert result.denominator == "all"
    assert result.describe() == ("unit: character; denominator: all 20 characters of 1"
                                 " document (every character counts, coded or not)")


def test_character_level_excluding_uncoded_text() -> None:
    # text neither coder touched (15-19) leaves: both 5, only A 5, only B 5, neither 0
    result = compare([doc(OVERLAP)], ["A", "B"], ["X"], exclude_uncoded=True)
    f = result.codes[0].figures
    assert f.units == 15
    assert f.agreement == pytest.approx(1 / 3)
    assert f.kappa == pytest.approx((1 / 3 - 5 / 9) / (4 / 9))  # -0.5
    assert result.denominator == "coded"
    assert "15 characters" in result.describe() and "uncoded text excluded" in result.describe()


def test_unit_level_a_unit_is_coded_when_any_part_is() -> None:
    # A's 0-10 touches units 0 and 1, B's 5-15 units 1 and 2; unit 3 is untouched
    result = compare([doc(OVERLAP, units=UNITS)], ["A", "B"], ["X"], unit="sentence")
    pair = result.codes[0].figures.pairs[0]
    assert (pair.both, pair.only_a, pair.only_b, pair.neither) == (1, 1, 1, 1)
    assert result.units_per_code == 4 and "4 sentences" in result.describe()
    excluded = compare([doc(OVERLAP, units=UNITS)], ["A", "B"], ["X"], unit="sentence",
                       exclude_uncoded=True)
    pair = excluded.codes[0].figures.pairs[0]
    assert (pair.both, pair.only_a, pair.only_b, pair.neither) == (1, 1, 1, 0)


def test_uncoded_means_no_compared_coder_used_any_code_there() -> None:
    codings = [*OVERLAP, ("A", "Y", 16, 18)]  # A's other code makes 16-18 "coded" text
    result = compare([doc(codings)], ["A", "B"], ["X"], exclude_uncoded=True)
    assert result.codes[0].figures.units == 17


def test_overall_is_pooled_kappa_and_unused_codes_do_not_change_it() -> None:
    codings = [*OVERLAP, ("A", "Y", 0, 4), ("B", "Y", 0, 4)]
    result = compare([doc(codings)], ["A", "B"], ["X", "Y"])
    # X: p_o 0.5, p_e 0.5; Y: p_o 1, p_e 0.2*0.2 + 0.8*0.8 = 0.68
    mean_o, mean_e = (0.5 + 1) / 2, (0.5 + 0.68) / 2
    assert result.overall.kappa == pytest.approx((mean_o - mean_e) / (1 - mean_e))
    assert result.overall.agreement == pytest.approx(0.75)
    assert result.overall.units == 40  # code x unit decisions
    with_unused = compare([doc(codings)], ["A", "B"], ["X", "Y", "Z"])
    assert with_unused.overall.kappa == pytest.approx(result.overall.kappa)
    assert with_unused.codes[2].figures.kappa is None  # nobody used Z: undefined


def test_three_coders_light_kappa_and_alpha() -> None:
    codings = [*OVERLAP, ("C", "X", 0, 15)]
    result = compare([doc(codings)], ["A", "B", "C"], ["X"])
    f = result.codes[0].figures
    assert [p.coder_a + p.coder_b for p in f.pairs] == ["AB", "AC", "BC"]
    assert f.kappa == pytest.approx(sum(p.kappa for p in f.pairs) / 3)
    matrix = [[1 if s <= i < e else 0 for i in range(20)] for s, e in ((0, 10), (5, 15),
                                                                        (0, 15))]
    assert f.alpha == pytest.approx(krippendorff_alpha_nominal(matrix))
    assert result.as_json()["kappa_method"].startswith("mean of pairwise")


def test_per_document_figures_and_json_shape() -> None:
    second = DocumentData(id="d2", name="D2", length=10, codings=[Coding("A", "X", 0, 10),
                                                                   Coding("B", "X", 0, 10)])
    result = compare([doc(OVERLAP), second], ["A", "B"], ["X"], labels={"X": "Code/X"},
                     skipped=[("D3", "not coded by B")])
    data = result.as_json()
    assert set(data) == {"unit", "denominator", "description", "exclude_uncoded", "coders",
                         "units_per_code", "kappa_method", "overall_method", "overall",
                         "codes", "documents", "skipped_documents"}
    assert data["codes"][0]["code"] == "Code/X" and data["units_per_code"] == 30
    assert [d["name"] for d in data["documents"]] == ["D1", "D2"]
    assert data["documents"][1]["agreement"] == 1.0
    assert data["skipped_documents"] == [{"name": "D3", "reason": "not coded by B"}]
    pair = data["codes"][0]["pairs"][0]
    assert pair == {"coders": ["A", "B"], "both": 15, "only": {"A": 5, "B": 5}, "neither": 5,
                    "agreement": 0.666667, "expected": pytest.approx(0.555556),
                    "kappa": 0.25}


def test_passages_are_where_coverage_differs() -> None:
    codings = [*OVERLAP, ("A", "X", 16, 18), ("B", "X", 16, 18)]
    [passage] = passages(doc(codings), ["A", "B"], "X")
    assert (passage.start, passage.end) == (0, 15)
    assert passage.version("A") == [(0, 10)] and passage.version("B") == [(5, 15)]
    assert passage.union() == [(0, 15)]
    # at unit level, differences inside the same units are no disagreement
    same_units = [("A", "X", 0, 3), ("B", "X", 1, 4)]
    assert passages(doc(same_units), ["A", "B"], "X") != []
    assert passages(doc(same_units, units=UNITS), ["A", "B"], "X") == []


# -- the fast binary computation equals the general definitions -----------------------------
spans = st.lists(st.tuples(st.sampled_from("AB"), st.sampled_from("XY"),
                           st.integers(0, 29), st.integers(1, 12)), max_size=8)


@settings(max_examples=150, deadline=None)
@given(spans, st.booleans())
def test_tallies_match_the_general_formulas(raw, exclude) -> None:
    codings = [(c, k, s, min(30, s + n)) for c, k, s, n in raw]
    document = doc(codings, length=30)
    tally = tally_code(document, ["A", "B"], "X", exclude)
    f = figures(tally, ["A", "B"])
    touched = {i for _, _, s, e in codings for i in range(s, e)}
    universe = sorted(touched) if exclude else list(range(30))
    values = [[int(any(c == coder and k == "X" and s <= i < e for c, k, s, e in codings))
               for i in universe] for coder in "AB"]
    assert f.units == len(universe)
    pairs = list(zip(values[0], values[1], strict=True))
    table = [[pairs.count((1, 1)), pairs.count((1, 0))],
             [pairs.count((0, 1)), pairs.count((0, 0))]]
    expected_kappa = cohen_kappa(table) if universe else None
    alpha = krippendorff_alpha_nominal(values) if universe else None
    for got, want in ((f.kappa, expected_kappa), (f.alpha, alpha)):
        if want is None:
            assert got is None
        else:
            assert math.isclose(got, want, abs_tol=1e-9)
    if universe:
        assert f.agreement == pytest.approx(percent_agreement(table))
