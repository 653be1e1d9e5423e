"""Crosstabs and code frequencies against hand-computed tables."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qualtui.analysis.data import (
    AnalysisData,
    CodeInfo,
    code_label,
    level_map,
    parse_level,
    select,
    unique_labels,
)
from qualtui.analysis.matrices import (
    Grouping,
    cell_segments,
    code_frequencies,
    crosstab,
    merge_spans,
    parse_grouping,
)
from qualtui.core.errors import QualtuiError

from .corpus import A, B, C, D, corpus


def test_code_by_document_segments() -> None:
    table = crosstab(corpus(), Grouping("documents"), "segments")
    assert [c.path for c in table.codes] == [A, B, C, D]
    assert [g.label for g in table.groups] == ["P01", "P02", "P03"]
    assert table.cells == [[3, 1, 1],
                           [1, 1, 2],
                           [1, 1, 0],
                           [1, 1, 0]]
    assert table.code_totals == [5, 4, 2, 2]
    assert table.group_totals == [6, 4, 3]
    assert table.grand_total == 13
    assert table.percent(0, 0, "code") == pytest.approx(60.0)  # 3 of A's 5
    assert table.percent(0, 0, "group") == pytest.approx(50.0)  # 3 of P01's 6
    assert table.percent(0, 0, "total") == pytest.approx(300 / 13)
    assert table.percent(0, 0, "none") is None


def test_code_by_document_presence() -> None:
    table = crosstab(corpus(), Grouping("documents"), "presence")
    assert table.cells == [[1, 1, 1],
                           [1, 1, 1],
                           [1, 1, 0],
                           [1, 1, 0]]
    assert table.code_totals == [3, 3, 2, 2]  # documents with the code
    assert table.group_totals == [1, 1, 1]  # each column is one document
    assert table.grand_total == 3


def test_code_by_case() -> None:
    table = crosstab(corpus(), Grouping("cases"), "segments")
    assert [g.label for g in table.groups] == ["R1", "R2"]
    assert table.cells == [[4, 1], [2, 2], [2, 0], [2, 0]]
    presence = crosstab(corpus(), Grouping("cases"), "presence")
    assert presence.cells == [[1, 1], [1, 1], [1, 0], [1, 0]]
    assert presence.code_totals == [2, 2, 1, 1]


def test_code_by_attribute_presence_counts_cases() -> None:
    # role: Records officer = P02 (case R1); Webmaster = P01 (R1) and P03 (R2)
    table = crosstab(corpus(), parse_grouping("attribute:role"), "presence")
    assert [(g.label, g.base) for g in table.groups] == [("Records officer", 1),
                                                         ("Webmaster", 2)]
    assert table.cells == [[1, 2],
                           [1, 2],
                           [1, 1],
                           [1, 1]]
    assert table.code_totals == [2, 2, 1, 1]  # distinct cases: R1 counts once for C
    assert table.group_totals == [1, 2]
    assert table.grand_total == 2
    assert table.percent(2, 1, "group") == pytest.approx(50.0)  # 1 of 2 webmaster cases
    segments = crosstab(corpus(), Grouping("attribute", "role"), "segments")
    assert segments.cells == [[1, 4], [1, 3], [1, 1], [1, 1]]


def test_numeric_attribute_groups_sort_numerically_and_missing_last() -> None:
    data = corpus()
    table = crosstab(data, Grouping("attribute", "years_of_service"))
    assert [g.label for g in table.groups] == ["5", "12", "20"]
    docs = list(data.documents)
    docs[1] = replace(docs[1], attributes={"role": "x"})  # P02 loses years_of_service
    data = AnalysisData(data.codes, docs, data.segments, data.attribute_types)
    table = crosstab(data, Grouping("attribute", "years_of_service"))
    assert [g.label for g in table.groups] == ["5", "20", "(none)"]


def test_level_top_and_filters() -> None:
    table = crosstab(corpus(), Grouping("documents"), "segments", parse_level("top"))
    assert [c.path for c in table.codes] == ["Benefits", "Risks"]
    assert table.cells == [[5, 3, 3], [1, 1, 0]]
    coder2 = crosstab(select(corpus(), coders=["coder2"]), Grouping("documents"))
    assert [c.path for c in coder2.codes] == [A, B, D]
    assert coder2.cells == [[2, 0, 0], [0, 0, 1], [0, 1, 0]]


def test_unknown_grouping_attribute() -> None:
    with pytest.raises(QualtuiError, match="no attribute 'rank'"):
        crosstab(corpus(), Grouping("attribute", "rank"))
    with pytest.raises(QualtuiError, match="bad grouping"):
        parse_grouping("attribute:")
    with pytest.raises(QualtuiError, match="unknown cells"):
        crosstab(corpus(), Grouping("documents"), "words")


def test_cell_drill_down() -> None:
    data = corpus()
    table = crosstab(data, Grouping("documents"))
    segs = cell_segments(data, A, table.groups[0])
    assert [s.id for s in segs] == ["s1", "s5", "s4"]
    assert [s.id for s in cell_segments(data, B, None)] == ["s2", "t3", "u2", "u3"]
    top = level_map(data.codes, "top")
    assert top[A] == "Benefits" and top["Benefits"] == "Benefits"
    benefits_p03 = cell_segments(data, "Benefits", table.groups[2], "top")
    assert [s.id for s in benefits_p03] == ["u1", "u2", "u3"]


def test_code_frequencies() -> None:
    table = code_frequencies(corpus())
    rows = {r.code.path: (r.segments, r.documents, r.cases, r.words) for r in table.rows}
    # words ("ab" at [3k, 3k+2) in each paragraph): A covers P01 [0,50) = k 0..16 (17) and
    # [110,130) = paragraph 1 (from 102) k 3..9 (7); P02 [10,30) = k 3..9 (7); P03 [0,10) =
    # k 0..3 (4). B covers P01 [40,60) = k 13..19 (7); P02 [100,110) = k 33..36 (4); P03
    # [10,20) = k 3..6 (4) and [50,60) = k 17..19 (3).
    assert rows[A] == (5, 3, 2, 35)
    assert rows[B] == (4, 3, 2, 18)
    # C: P01 [55,120): paragraph 0 words [3k,3k+2) with 3k < 120 and 3k + 2 > 55 -> k = 18..32
    #    (15 words) + "z" at 99 (1) ; paragraph 1 words at 102 + 3k with 102 + 3k < 120 -> k =
    #    0..5 (6 words): 22; P02 [25,40): k = 8..13 (6 words): total 28
    assert rows[C] == (2, 2, 1, 28)
    # D: P01 [250,260): paragraph 2 from 204, 204 + 3k < 260 and 206 + 3k > 250 -> k = 15..18
    #    (4 words); P02 [105,108): k = 35 (105-107) -> 1 word: total 5
    assert rows[D] == (2, 2, 1, 5)
    assert [r.code.path for r in table.rows] == [A, B, C, D]  # categories are not codable
    assert (table.documents, table.cases) == (3, 2)


def test_frequencies_sorting_and_top_level() -> None:
    table = code_frequencies(corpus())
    assert [r.code.path for r in table.sorted_by("segments").rows] == [A, B, C, D]
    assert [r.code.path for r in table.sorted_by("words").rows] == [A, C, B, D]
    assert [r.code.path for r in table.sorted_by("words", reverse=False).rows] == [D, B, C, A]
    assert [r.code.path for r in table.sorted_by("code", reverse=True).rows] == [D, C, B, A]
    top = code_frequencies(corpus(), "top")
    # Benefits: the union of A, B and C in each document, words counted once
    rows = {r.code.path: (r.segments, r.documents, r.cases) for r in top.rows}
    assert rows == {"Benefits": (11, 3, 2), "Risks": (2, 2, 1)}
    with pytest.raises(QualtuiError, match="unknown sort"):
        table.sorted_by("colour")


def test_frequencies_words_count_union_once() -> None:
    # Benefits in P03: u1 [0,10) + u2 [10,20) + u3 [50,60) -> [0,20) = 7 words (k = 0..6),
    # [50,60) = 3 words; P02: t1 [10,30) u t2 [25,40) u t3 [100,110) -> [10,40) = k 3..13
    # (11 words) + 4 words; P01: [0,130) -> paragraph 0 (34 words) + paragraph 1 from 102:
    # 102 + 3k < 130 -> k = 0..9 (10 words)
    top = code_frequencies(corpus(), "top")
    assert {r.code.path: r.words for r in top.rows}["Benefits"] == (7 + 3) + (11 + 4) + 44


def test_merge_spans() -> None:
    assert merge_spans([(5, 9), (0, 3), (3, 4), (8, 12), (20, 21)]) == [(0, 4), (5, 12),
                                                                        (20, 21)]


def test_labels_are_short_and_unique() -> None:
    codes = [CodeInfo(str(i), name, name) for i, name in enumerate(
        ["User convenience", "Lower cost", "Security", "Security controls", "Sec"])]
    assert code_label(codes[0], 5) == "UsrCn"
    assert code_label(codes[0], 10) == "User conv…"
    labels = unique_labels(codes, 4)
    assert len(set(labels)) == len(labels) and all(len(x) <= 4 for x in labels)
    assert labels[-1] == "Sec"
