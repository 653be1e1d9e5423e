"""The one walk of the code hierarchy every layer uses (qualtui.core.codetree)."""

from __future__ import annotations

from qualtui.core.codetree import children_index, descendants

PAIRS = [("A", None), ("A1", "A"), ("A2", "A"), ("A1a", "A1"), ("B", None), ("B1", "B")]


def test_children_keep_their_order() -> None:
    assert children_index(PAIRS) == {None: ["A", "B"], "A": ["A1", "A2"], "A1": ["A1a"],
                                     "B": ["B1"]}


def test_descendants_come_after_their_parents_and_exclude_the_root() -> None:
    below = descendants(children_index(PAIRS), "A")
    assert sorted(below) == ["A1", "A1a", "A2"]
    assert below.index("A1") < below.index("A1a")
    assert descendants(children_index(PAIRS), "B1") == []
    assert descendants(children_index(PAIRS), "missing") == []


def test_a_cycle_in_damaged_data_ends_the_walk() -> None:
    looped = children_index([("X", "Y"), ("Y", "X"), ("Z", "Y")])
    assert sorted(descendants(looped, "X")) == ["Y", "Z"]

