"""The query engine on hand-built fixtures: every operator with its expected segment ids.

Two documents. D1 (200 chars) has three turns: [0,50) [50,120) [120,200); D2 (100 chars)
has none. Codes: A with sub-code A/A1, B, C. Segments (id: code [start,end) coder)::

    D1  s1: A  [10,30)  x     s2: B [20,40)  x     s3: A1 [25,45) y
        s4: C  [60,70)  x     s5: B [100,110) y    s6: A  [130,140) y   s7: C [150,160) x
    D2  s8: A  [0,10)   x     s9: B [50,60)  x
"""

from __future__ import annotations

import pytest

from qualtui.core.errors import QualtuiError
from qualtui.core.query import (
    And,
    CodeRef,
    Condition,
    Filters,
    Not,
    Or,
    QCode,
    QDoc,
    QSeg,
    QueryData,
    SameTurn,
    Within,
    make_filters,
    parse_condition,
    parse_query,
    retrieve,
    run_query,
)


@pytest.fixture
def data() -> QueryData:
    codes = [QCode("a", "A"), QCode("a1", "A/A1", "a"), QCode("b", "B"), QCode("c", "C")]
    docs = [QDoc("d1", "D1", 200, "Case 1", {"role": "Records officer", "years": 21,
                                             "joined": "2004-05-01"},
                 ((0, 50), (50, 120), (120, 200)), 0),
            QDoc("d2", "D2", 100, "Case 2", {"role": "Webmaster", "years": 9,
                                             "joined": "2016-02-10"}, (), 1)]
    segs = [QSeg("s1", "d1", "a", 10, 30, "x"), QSeg("s2", "d1", "b", 20, 40, "x"),
            QSeg("s3", "d1", "a1", 25, 45, "y"), QSeg("s4", "d1", "c", 60, 70, "x"),
            QSeg("s5", "d1", "b", 100, 110, "y"), QSeg("s6", "d1", "a", 130, 140, "y"),
            QSeg("s7", "d1", "c", 150, 160, "x"), QSeg("s8", "d2", "a", 0, 10, "x"),
            QSeg("s9", "d2", "b", 50, 60, "x")]
    return QueryData(codes, docs, segs, {"role": "text", "years": "number",
                                         "joined": "date"})


def hits(data: QueryData, query: str, extent: str = "passage",
         filters: Filters | None = None) -> list[tuple[str, int, int, set[str]]]:
    result = run_query(data, query, filters, extent=extent)
    return [(h.document_id, h.start, h.end, set(h.segment_ids)) for h in result.hits]


# --------------------------------------------------------------------------- codes


def test_code_alone_is_its_coverage_with_subcodes(data: QueryData) -> None:
    assert hits(data, "A") == [("d1", 10, 45, {"s1", "s3"}), ("d1", 130, 140, {"s6"}),
                               ("d2", 0, 10, {"s8"})]


def test_exact_code_leaves_subcodes_out(data: QueryData) -> None:
    assert hits(data, "=A") == [("d1", 10, 30, {"s1"}), ("d1", 130, 140, {"s6"}),
                                ("d2", 0, 10, {"s8"})]


def test_subcode_by_tail_and_full_path(data: QueryData) -> None:
    assert hits(data, "A1") == hits(data, "A/A1") == [("d1", 25, 45, {"s3"})]


# --------------------------------------------------------------------------- set operators


def test_and_returns_the_intersection_with_both_segments(data: QueryData) -> None:
    assert hits(data, "=A AND B") == [("d1", 20, 30, {"s1", "s2"})]


def test_and_with_subcodes_lists_every_overlapping_segment(data: QueryData) -> None:
    assert hits(data, "A AND B") == [("d1", 20, 40, {"s1", "s2", "s3"})]


def test_and_whole_segments_extent(data: QueryData) -> None:
    assert hits(data, "=A AND B", extent="segments") == [("d1", 10, 40, {"s1", "s2"})]


def test_or_is_the_union_merging_overlaps(data: QueryData) -> None:
    assert hits(data, "=A OR B") == [("d1", 10, 40, {"s1", "s2"}),
                                     ("d1", 100, 110, {"s5"}), ("d1", 130, 140, {"s6"}),
                                     ("d2", 0, 10, {"s8"}), ("d2", 50, 60, {"s9"})]
    assert hits(data, "B | C") == [("d1", 20, 40, {"s2"}), ("d1", 60, 70, {"s4"}),
                                   ("d1", 100, 110, {"s5"}), ("d1", 150, 160, {"s7"}),
                                   ("d2", 50, 60, {"s9"})]


def test_and_not_keeps_what_b_does_not_cover(data: QueryData) -> None:
    assert hits(data, "=A AND NOT B") == [("d1", 10, 20, {"s1"}), ("d1", 130, 140, {"s6"}),
                                          ("d2", 0, 10, {"s8"})]


def test_not_alone_is_the_uncoded_complement(data: QueryData) -> None:
    assert hits(data, "NOT A", filters=Filters(documents=("D2",))) == [
        ("d2", 10, 100, set())]
    assert hits(data, "NOT (A OR B)", filters=Filters(documents=("D2",))) == [
        ("d2", 10, 50, set()), ("d2", 60, 100, set())]


def test_precedence_and_binds_tighter_than_or(data: QueryData) -> None:
    assert hits(data, "=A OR B AND C") == hits(data, "=A")
    assert hits(data, "(=A OR B) AND C") == []


# --------------------------------------------------------------------------- relations


def test_within_n_characters_returns_left_runs_with_partners(data: QueryData) -> None:
    assert hits(data, "C WITHIN 30 B") == [("d1", 60, 70, {"s4", "s2", "s5"})]
    assert hits(data, "C WITHIN 20 B") == [("d1", 60, 70, {"s4", "s2"})]
    assert hits(data, "C WITHIN 19 B") == []


def test_within_counts_overlap_as_distance_zero(data: QueryData) -> None:
    assert hits(data, "=A WITHIN 0 B") == [("d1", 10, 30, {"s1", "s2"})]


def test_within_whole_extent_spans_the_partners(data: QueryData) -> None:
    assert hits(data, "C WITHIN 30 B", extent="segments") == [
        ("d1", 20, 110, {"s2", "s4", "s5"})]


def test_same_turn(data: QueryData) -> None:
    assert hits(data, "C SAME TURN B") == [("d1", 60, 70, {"s4", "s5"})]
    assert hits(data, "=A SAMETURN C") == [("d1", 130, 140, {"s6", "s7"})]


def test_same_turn_needs_turns(data: QueryData) -> None:
    assert hits(data, "=A SAME TURN B", filters=Filters(documents=("D2",))) == []


def test_relation_inside_and_keeps_partners(data: QueryData) -> None:
    assert hits(data, "(C SAME TURN B) AND C") == [("d1", 60, 70, {"s4", "s5"})]


# --------------------------------------------------------------------------- filters


def test_attribute_filters(data: QueryData) -> None:
    assert [h[0] for h in hits(data, 'A WHERE role = "records officer"')] == ["d1", "d1"]
    assert [h[0] for h in hits(data, "A WHERE years >= 10")] == ["d1", "d1"]
    assert [h[0] for h in hits(data, "A WHERE years ≥ 22")] == []
    assert [h[0] for h in hits(data, "A WHERE years < 10")] == ["d2"]
    assert [h[0] for h in hits(data, "A WHERE role ~ officer|master")] == ["d1", "d1", "d2"]
    assert [h[0] for h in hits(data, "A WHERE role != webmaster")] == ["d1", "d1"]


def test_date_filters_compare_iso_prefixes(data: QueryData) -> None:
    assert [h[0] for h in hits(data, "=A WHERE joined <= 2004-05")] == ["d1", "d1"]
    assert [h[0] for h in hits(data, "=A WHERE joined = 2016")] == ["d2"]
    assert [h[0] for h in hits(data, "=A WHERE joined > 2010-01-01")] == ["d2"]


def test_coder_document_and_case_filters(data: QueryData) -> None:
    assert hits(data, "B WHERE coder = y") == [("d1", 100, 110, {"s5"})]
    assert hits(data, "=A AND B WHERE coder = x") == [("d1", 20, 30, {"s1", "s2"})]
    assert hits(data, "A AND B WHERE coder = y") == []
    assert hits(data, "A WHERE document = D2") == [("d2", 0, 10, {"s8"})]
    assert hits(data, "A", filters=Filters(cases=("case 2",))) == [("d2", 0, 10, {"s8"})]


def test_filters_restrict_not_to_the_filtered_coding(data: QueryData) -> None:
    # with only coder x's segments, s3 (A1 by y) no longer counts
    assert hits(data, "A AND NOT B", filters=Filters(coders=("x",))) == [
        ("d1", 10, 20, {"s1"}), ("d2", 0, 10, {"s8"})]


def test_make_filters_routes_pseudo_attributes(data: QueryData) -> None:
    filters = make_filters(where=['coder = x AND role = "Records officer"'], documents=["D1"])
    assert filters.coders == ("x",) and filters.documents == ("D1",)
    assert filters.conditions == (Condition("role", "=", ("Records officer",)),)
    assert hits(data, "=A", filters=filters) == [("d1", 10, 30, {"s1"})]


def test_retrieve_lists_segments_one_by_one(data: QueryData) -> None:
    assert [s.id for s in retrieve(data, "A")] == ["s1", "s3", "s6", "s8"]
    assert [s.id for s in retrieve(data, "=A", Filters(coders=("y",)))] == ["s6"]


# --------------------------------------------------------------------------- parsing


def test_parse_builds_the_tree() -> None:
    query = parse_query("Risks and barriers/Security AND NOT =Benefits OR x WITHIN 5 y")
    assert query.expr == Or(And(CodeRef("Risks and barriers/Security"),
                                Not(CodeRef("Benefits", subcodes=False))),
                            Within(CodeRef("x"), CodeRef("y"), 5))
    assert parse_query("a SAME TURN (b & c)").expr == SameTurn(CodeRef("a"),
                                                               And(CodeRef("b"), CodeRef("c")))


@pytest.mark.parametrize("text", [
    "Privacy AND Security",
    "(A OR B) AND C WHERE role = \"records officer\" AND years >= 10 AND coder = c1|c2",
    "NOT (A AND B)",
    "A AND (B AND C)",
    "\"A AND B\" OR \"x(y)\"",
    "a WITHIN 20 (b OR c) SAME TURN d",
    "a WHERE role ~ officer|\"it manager\"",
])
def test_text_round_trips(text: str) -> None:
    query = parse_query(text)
    assert parse_query(str(query)) == query


@pytest.mark.parametrize("text, message", [
    ("", "empty query"),
    ("A AND", "expected a code at the end"),
    ("(A OR B", "missing ')'"),
    ("A WITHIN B", "WITHIN needs a number"),
    ("A B) C", "expected AND, OR"),
    ("A SAME B", "write SAME TURN"),
    ("A WHERE", "WHERE needs a condition"),
    ("A WHERE role", "NAME OP VALUE"),
    ('A WHERE role = "x', "unclosed quote"),
    ("A WHERE years > 1|2", "take one value"),
    ("A WHERE role = x OR role = y", "for alternatives write name = a|b"),
])
def test_syntax_errors_say_where(text: str, message: str) -> None:
    with pytest.raises(QualtuiError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_query(text)


def test_unknown_and_ambiguous_names(data: QueryData) -> None:
    with pytest.raises(QualtuiError, match="no code 'Z'"):
        run_query(data, "Z")
    data.codes.append(QCode("b2", "C/A1", "c"))
    with pytest.raises(QualtuiError, match="ambiguous: A/A1, C/A1"):
        run_query(data, "A1")
    with pytest.raises(QualtuiError, match="no attribute 'gender'"):
        run_query(data, "A WHERE gender = f")
    with pytest.raises(QualtuiError, match="years is a number"):
        run_query(data, "A WHERE years > ten")
    with pytest.raises(QualtuiError, match="no segments by coder z"):
        run_query(data, "A WHERE coder = z")
    with pytest.raises(QualtuiError, match="no document named 'D9'"):
        run_query(data, "A WHERE document = D9")


def test_conditions_on_missing_values_never_match() -> None:
    cond = parse_condition("role != Webmaster")
    assert cond.matches("Records officer") and not cond.matches(None)
    assert not parse_condition("role = x").matches("")
    assert parse_condition("years = 10|12").matches(12)
