"""Co-occurrence figures against hand-computed matrices, and the sweep against brute force."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualtui.analysis.cooccurrence import (
    Proximity,
    compute_cooccurrence,
    cooccurring_passages,
    overlapping_pairs,
    parse_proximity,
)
from qualtui.analysis.data import AnalysisData, CodeInfo, DocInfo, Seg, select
from qualtui.core.errors import QualtuiError

from .corpus import A, B, C, D, corpus

ORDER = (A, B, C, D)  # the matrix order: codebook order of the used codes


def as_table(matrix, rows=ORDER):
    """matrix values keyed by (row path, column path), off-diagonal only."""
    index = {c.path: i for i, c in enumerate(matrix.codes)}
    return {(a, b): matrix.values[index[a]][index[b]] for a in rows for b in rows if a != b}


def symmetric(pairs: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Expand {(a, b): v} written once per pair to both orders, zero elsewhere."""
    out = {(a, b): 0.0 for a in ORDER for b in ORDER if a != b}
    for (a, b), value in pairs.items():
        out[(a, b)] = out[(b, a)] = float(value)
    return out


def close(actual: dict, expected: dict) -> bool:
    return all(abs(actual[k] - expected[k]) < 1e-9 for k in expected) and actual.keys() == \
        expected.keys()


# --------------------------------------------------------------------------- hand figures

OVERLAP_SEGMENTS = {(A, B): 2, (A, C): 2, (B, C): 1, (B, D): 1}
OVERLAP_DOCUMENTS = {(A, B): 1, (A, C): 2, (B, C): 1, (B, D): 1}
OVERLAP_CASES = {(A, B): 1, (A, C): 1, (B, C): 1, (B, D): 1}


def test_frequencies_per_count_mode() -> None:
    stats = compute_cooccurrence(corpus())
    assert [c.path for c in stats.codes] == list(ORDER)
    assert stats.frequency("segments") == [5, 4, 2, 2]
    assert stats.frequency("documents") == [3, 3, 2, 2]
    assert stats.frequency("cases") == [2, 2, 1, 1]
    assert (stats.documents, stats.cases, stats.segments) == (3, 2, 13)


@pytest.mark.parametrize(("count", "expected"), [
    ("segments", OVERLAP_SEGMENTS), ("documents", OVERLAP_DOCUMENTS),
    ("cases", OVERLAP_CASES)])
def test_overlap_counts(count: str, expected: dict) -> None:
    matrix = compute_cooccurrence(corpus()).matrix(count, "count")
    assert as_table(matrix) == symmetric(expected)
    assert all(matrix.values[i][i] is None for i in range(len(matrix.codes)))
    assert all(matrix.counts[i][i] == 0 for i in range(len(matrix.codes)))


def test_same_code_pairs_never_count() -> None:
    # s1 and s5 are the same passage coded A by two coders: no A-A count, and each still
    # pairs with s2 (B), giving A-B = 2 segment pairs in one document.
    stats = compute_cooccurrence(corpus())
    assert stats.pair("segments", 0, 0) == 0
    assert stats.pair("segments", 0, 1) == 2


C_SEGMENTS = {(A, B): Fraction(2, 7), (A, C): Fraction(2, 5), (B, C): Fraction(1, 5),
              (B, D): Fraction(1, 5)}
C_DOCUMENTS = {(A, B): Fraction(1, 5), (A, C): Fraction(2, 3), (B, C): Fraction(1, 4),
               (B, D): Fraction(1, 4)}
C_CASES = {(A, B): Fraction(1, 3), (A, C): Fraction(1, 2), (B, C): Fraction(1, 2),
           (B, D): Fraction(1, 2)}
# Jaccard: segments = segments meeting the other code / (n1 + n2); documents and cases =
# units where they co-occur / units with either code.
J_SEGMENTS = {(A, B): Fraction(3, 9), (A, C): Fraction(4, 7), (B, C): Fraction(2, 6),
              (B, D): Fraction(2, 6)}
J_DOCUMENTS = {(A, B): Fraction(1, 3), (A, C): Fraction(2, 3), (B, C): Fraction(1, 3),
               (B, D): Fraction(1, 3)}
J_CASES = {(A, B): Fraction(1, 2), (A, C): Fraction(1, 2), (B, C): Fraction(1, 2),
           (B, D): Fraction(1, 2)}


@pytest.mark.parametrize(("count", "measure", "expected"), [
    ("segments", "c", C_SEGMENTS), ("documents", "c", C_DOCUMENTS), ("cases", "c", C_CASES),
    ("segments", "jaccard", J_SEGMENTS), ("documents", "jaccard", J_DOCUMENTS),
    ("cases", "jaccard", J_CASES)])
def test_coefficients(count: str, measure: str, expected: dict) -> None:
    matrix = compute_cooccurrence(corpus()).matrix(count, measure)
    assert close(as_table(matrix), symmetric(expected))


def test_pair_stat_and_pairs_list_agree_with_hand_figures() -> None:
    stats = compute_cooccurrence(corpus())
    stat = stats.pair_stat("segments", A, C)
    assert (stat.n1, stat.n2, stat.n12) == (5, 2, 2)
    assert stat.c == pytest.approx(2 / 5) and stat.jaccard == pytest.approx(4 / 7)
    pairs = stats.matrix("segments", "count").pairs()
    assert [(p.a.path, p.b.path, p.n12) for p in pairs] == [
        (A, B, 2), (A, C, 2), (B, C, 1), (B, D, 1)]


TURN = {(A, B): 6, (A, C): 4, (A, D): 1, (B, C): 2, (B, D): 1, (C, D): 1}
PARAGRAPH = {(A, B): 5, (A, C): 4, (A, D): 1, (B, C): 2, (B, D): 1, (C, D): 1}
CHARS_0 = {(A, B): 3, (A, C): 2, (B, C): 1, (B, D): 1}
CHARS_60 = {(A, B): 5, (A, C): 4, (B, C): 2, (B, D): 1}


@pytest.mark.parametrize(("proximity", "expected"), [
    ("turn", TURN), ("paragraph", PARAGRAPH), ("chars:0", CHARS_0), ("chars:60", CHARS_60)])
def test_proximity_modes(proximity: str, expected: dict) -> None:
    matrix = compute_cooccurrence(corpus(), parse_proximity(proximity)).matrix()
    assert as_table(matrix) == symmetric(expected)


def test_cases_count_turn_mode() -> None:
    # turn mode: P01 and P02 (case R1) hold A-D? P02 does (one paragraph) -> R1 only
    matrix = compute_cooccurrence(corpus(), Proximity("turn")).matrix("cases")
    assert as_table(matrix) == symmetric({(A, B): 2, (A, C): 1, (A, D): 1, (B, C): 1,
                                          (B, D): 1, (C, D): 1})


def test_roll_up_to_top_level() -> None:
    # A, B, C roll up to Benefits: their pairs become same-code pairs and vanish; only
    # t3 (B) x t4 (D) remains, as Benefits x Risks.
    stats = compute_cooccurrence(corpus(), level="top")
    assert [c.path for c in stats.codes] == ["Benefits", "Risks"]
    matrix = stats.matrix()
    assert matrix.frequency == [11, 2]
    assert matrix.values == [[None, 1.0], [1.0, None]]


def test_filters_coder_and_attributes() -> None:
    data = corpus()
    coder2 = compute_cooccurrence(select(data, coders=["coder2"])).matrix()
    assert [c.path for c in coder2.codes] == [A, B, D]
    assert all(v in (None, 0.0) for row in coder2.values for v in row)
    # role=webmaster matches P01 and P03 (case-insensitive); years>=10 P02 and P03
    web = select(data, where=["role=webmaster"])
    assert [d.name for d in web.documents] == ["P01", "P03"]
    assert as_table(compute_cooccurrence(web).matrix()) == symmetric({(A, B): 2, (A, C): 1,
                                                                      (B, C): 1})
    senior = select(data, where=["years_of_service>=10"])
    assert [d.name for d in senior.documents] == ["P02", "P03"]
    both = select(data, where=["years_of_service>=10", "role!=Webmaster"])
    assert [d.name for d in both.documents] == ["P02"]
    either = select(data, where=["role=Records officer|Webmaster", "interview_date<2025-03-15"])
    assert [d.name for d in either.documents] == ["P01", "P02"]


def test_bad_filters_are_one_line_errors() -> None:
    data = corpus()
    with pytest.raises(QualtuiError, match="no attribute 'rank'"):
        select(data, where=["rank=1"])
    with pytest.raises(QualtuiError, match="bad condition"):
        select(data, where=["=1"])
    with pytest.raises(QualtuiError, match="is a number"):
        select(data, where=["years_of_service>=ten"])
    with pytest.raises(QualtuiError, match="bad proximity"):
        parse_proximity("near")


def test_drill_down_passages() -> None:
    data = corpus()
    passages = cooccurring_passages(data, A, B)
    assert sorted((p.a.id, p.b.id) for p in passages) == [("s1", "s2"), ("s5", "s2")]
    assert all(p.document.name == "P01" and (p.start, p.end) == (0, 60) for p in passages)
    assert passages[0].text == data.documents[0].text[0:60]
    flipped = cooccurring_passages(data, B, A)
    assert sorted((p.a.id, p.b.id) for p in flipped) == [("s2", "s1"), ("s2", "s5")]
    chars = cooccurring_passages(data, A, B, Proximity("chars", 0))
    assert [(p.document.name, p.a.id, p.b.id) for p in chars][-1] == ("P03", "u1", "u2")
    assert cooccurring_passages(data, A, A) == []


def test_sorted_by_total() -> None:
    matrix = compute_cooccurrence(corpus()).matrix().sorted_by_total()
    # totals: A 4, B 4, C 3, D 1 -> ties keep codebook order
    assert [c.path for c in matrix.codes] == [A, B, C, D]
    assert matrix.totals() == [4.0, 4.0, 3.0, 1.0]
    chars = compute_cooccurrence(corpus(), Proximity("chars", 60)).matrix().sorted_by_total()
    # totals: A 9, B 8, C 6, D 1
    assert [c.path for c in chars.codes] == [A, B, C, D]
    turn = compute_cooccurrence(corpus(), Proximity("turn")).matrix().sorted_by_total()
    # totals: A 11, B 9, C 7, D 3
    assert turn.totals() == [11.0, 9.0, 7.0, 3.0]


def test_c_out_of_range_is_capped_and_flagged() -> None:
    # two coders each code one passage with X and Y: 4 X-Y pairs from 2 + 2 segments
    codes = [CodeInfo("X", "X", "X"), CodeInfo("Y", "Y", "Y")]
    docs = [DocInfo("d", "d", text="x" * 20)]
    segs = [Seg("1", "d", "X", 0, 10, "c1"), Seg("2", "d", "Y", 0, 10, "c1"),
            Seg("3", "d", "X", 0, 10, "c2"), Seg("4", "d", "Y", 0, 10, "c2")]
    stats = compute_cooccurrence(AnalysisData(codes, docs, segs))
    stat = stats.pair_stat("segments", "X", "Y")
    assert (stat.n1, stat.n2, stat.n12) == (2, 2, 4)
    assert stat.c == 1.0 and stat.c_out_of_range
    assert stat.jaccard == 1.0
    assert stats.pair_stat("documents", "X", "Y").c == 1.0
    assert not stats.pair_stat("documents", "X", "Y").c_out_of_range


# --------------------------------------------------------------------------- property tests


def brute_force(data: AnalysisData, proximity: Proximity) -> tuple[dict, dict, dict, dict]:
    """All pairs of segments, compared directly with the proximity's definition."""
    from qualtui.core.units import paragraphs

    def units(doc: DocInfo) -> list[tuple[int, int]]:
        if proximity.kind == "turn" and doc.turns:
            return list(doc.turns)
        return paragraphs(doc.text)

    def near(a: Seg, b: Seg, doc: DocInfo) -> bool:
        if proximity.kind == "overlap":
            return a.start < b.end and b.start < a.end
        if proximity.kind == "chars":
            return max(a.start, b.start) - min(a.end, b.end) <= proximity.chars
        touched_a = {u for u in units(doc) if u[0] < a.end and a.start < u[1]}
        touched_b = {u for u in units(doc) if u[0] < b.end and b.start < u[1]}
        return bool(touched_a & touched_b)

    seg_pairs: dict[frozenset, int] = {}
    doc_pairs: dict[frozenset, set] = {}
    case_pairs: dict[frozenset, set] = {}
    meets: set[tuple[str, str]] = set()
    for doc in data.documents:
        segs = [s for s in data.segments if s.document_id == doc.id]
        for a, b in combinations(segs, 2):
            if a.code_id == b.code_id or not near(a, b, doc):
                continue
            key = frozenset((a.code_id, b.code_id))
            seg_pairs[key] = seg_pairs.get(key, 0) + 1
            doc_pairs.setdefault(key, set()).add(doc.id)
            case_pairs.setdefault(key, set()).add(doc.case_name)
            meets.add((a.id, b.code_id))
            meets.add((b.id, a.code_id))
    involved: dict[tuple[str, str], int] = {}
    code_of = {s.id: s.code_id for s in data.segments}
    for seg_id, other in meets:
        involved[(code_of[seg_id], other)] = involved.get((code_of[seg_id], other), 0) + 1
    return (seg_pairs, {k: len(v) for k, v in doc_pairs.items()},
            {k: len(v) for k, v in case_pairs.items()}, involved)


CODES = [CodeInfo(f"k{i}", f"k{i}", f"k{i}") for i in range(4)]


@st.composite
def corpora(draw: st.DrawFn) -> AnalysisData:
    n_docs = draw(st.integers(1, 3))
    docs = []
    segs = []
    for d in range(n_docs):
        length = draw(st.integers(20, 120))
        # paragraphs: blocks of "w" separated by blank lines at random places
        cuts = sorted(draw(st.sets(st.integers(2, length - 3), max_size=4)))
        chars = ["w"] * length
        for cut in cuts:
            chars[cut] = "\n"
            chars[cut + 1] = "\n"
        turn_cuts = sorted(draw(st.sets(st.integers(1, length - 1), max_size=4)))
        bounds = [0, *turn_cuts, length]
        turns = tuple((a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a)
        docs.append(DocInfo(f"d{d}", f"D{d}", d, case=f"c{d % 2}", text="".join(chars),
                            turns=turns if draw(st.booleans()) else ()))
        for k in range(draw(st.integers(0, 12))):
            start = draw(st.integers(0, length - 1))
            end = draw(st.integers(start + 1, length))
            code = draw(st.sampled_from(CODES)).id
            segs.append(Seg(f"d{d}s{k}", f"d{d}", code, start, end, "c"))
    return AnalysisData(list(CODES), docs, segs)


PROXIMITIES = st.sampled_from([Proximity("overlap"), Proximity("turn"),
                               Proximity("paragraph"), Proximity("chars", 0),
                               Proximity("chars", 7)])


@settings(max_examples=150, deadline=None)
@given(corpora(), PROXIMITIES)
def test_sweep_agrees_with_brute_force(data: AnalysisData, proximity: Proximity) -> None:
    stats = compute_cooccurrence(data, proximity)
    seg_pairs, doc_pairs, case_pairs, involved = brute_force(data, proximity)
    ids = [c.id for c in stats.codes]
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i == j:
                continue
            key = frozenset((a, b))
            assert stats.pair("segments", i, j) == seg_pairs.get(key, 0)
            assert stats.pair("documents", i, j) == doc_pairs.get(key, 0)
            assert stats.pair("cases", i, j) == case_pairs.get(key, 0)
            assert stats.involved().get(i * len(ids) + j, 0) == involved.get((a, b), 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), max_size=25))
def test_overlapping_pairs_is_exactly_the_overlapping_set(spans: list) -> None:
    intervals = [(s, s + n) for s, n in spans]
    found = {frozenset(p) for p in overlapping_pairs(intervals)}
    assert len(found) == len(list(overlapping_pairs(intervals)))  # each pair once
    expected = {frozenset((i, j)) for i, j in combinations(range(len(intervals)), 2)
                if intervals[i][0] < intervals[j][1] and intervals[j][0] < intervals[i][1]}
    assert found == expected
