"""The transcript's wrap layout, coding-stripe lanes and palette, without running an app."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.color import Color
from rich.style import Style

from qualtui.tui.widgets.layout import Lanes, WrapLayout, display_text
from qualtui.tui.widgets.palette import Palette, assign_letters, detect_depth


def rows(layout: WrapLayout) -> list[str]:
    return [layout.row_text(r) for r in range(len(layout))]


def test_rows_are_contiguous_and_fit() -> None:
    text = "alpha beta gamma delta epsilon zeta eta theta\n\nshort\n" + "x" * 25
    layout = WrapLayout(text, 12)
    # a row may end with one space past the width (the cursor column is kept free for it)
    assert rows(layout) == ["alpha beta ", "gamma delta ", "epsilon zeta ", "eta theta", "",
                            "short", "x" * 12, "x" * 12, "x"]
    for r in range(len(layout)):
        assert cell_len(layout.row_text(r).rstrip(" ")) <= 12


def test_newline_belongs_to_the_row_before() -> None:
    text = "ab\ncd"
    layout = WrapLayout(text, 10)
    assert layout.row_of(2) == 0 and layout.row_of(3) == 1
    assert layout.col_of(2) == 2
    assert layout.offset_at(0, 99) == 2  # past the end: the newline
    assert layout.offset_at(1, 99) == 5  # last line: the end of the text


def test_wide_characters_take_two_cells() -> None:
    text = "中文字幕測試中文字幕測試"  # 12 CJK chars, 24 cells
    layout = WrapLayout(text, 10)
    assert rows(layout) == ["中文字幕測", "試中文字幕", "測試"]
    assert layout.col_of(2) == 4
    assert layout.offset_at(0, 5) == 2  # the second cell of a wide char is that char
    assert layout.offset_at(1, 0) == 5


def test_combining_marks_and_emoji_stay_in_their_grapheme() -> None:
    text = "cafe\u0301 \U0001f44d\U0001f3fd ok \U0001f468\u200d\U0001f469\u200d\U0001f467!"
    layout = WrapLayout(text, 40)
    acute = text.index("\u0301")
    assert layout.grapheme_start(acute) == acute - 1
    assert layout.grapheme_end(acute - 1) == acute + 1
    thumb = text.index("\U0001f44d")
    assert layout.grapheme_end(thumb) == thumb + 2  # with its skin tone
    family = text.index("\U0001f468")
    assert layout.grapheme_end(family) == text.index("!")
    # moving right steps over whole graphemes
    pos, seen = 0, []
    while pos < len(text):
        seen.append(pos)
        pos = layout.next_position(pos)
    assert acute not in seen and thumb + 1 not in seen
    assert family + 1 not in seen and text.index("!") in seen
    assert layout.prev_position(text.index("!")) == family
    # columns count cells: "cafe" + acute = 4 cells, then space, then the thumb (2 cells)
    assert layout.col_of(thumb) == 5
    assert layout.col_of(thumb + 2) == 7


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("ab c\n") + ["中", "e\u0301", "\U0001f44d"]),
                max_size=80).map("".join), st.integers(min_value=4, max_value=30))
def test_layout_covers_every_offset_once(text: str, width: int) -> None:
    layout = WrapLayout(text, width)
    covered = []
    for r in range(len(layout)):
        covered.extend(range(layout.starts[r], layout.ends[r]))
    assert covered == [i for i, ch in enumerate(text) if ch != "\n"]
    for offset in range(len(text)):
        row = layout.row_of(offset)
        assert layout.starts[row] <= offset <= layout.ends[row]
        start = layout.grapheme_start(offset)
        assert layout.offset_at(row, layout.col_of(start)) == start or text[start] == "\n"


def test_display_text_keeps_offsets() -> None:
    text = "a\tb\x00c\r\nd"
    shown = display_text(text)
    assert len(shown) == len(text)
    assert shown == "a b\ufffdc \nd"


def test_lanes_place_overlaps_side_by_side() -> None:
    text = "\n".join(f"line {i}" for i in range(10))
    layout = WrapLayout(text, 20)
    starts = layout.starts
    segments = [(starts[1], starts[4], "A"), (starts[2], starts[3], "B"),
                (starts[2], starts[6], "C"), (starts[5], starts[6], "D")]
    lanes = Lanes(layout, segments)
    cells, hidden = lanes.at(2, 3)
    assert [c[0] if c else None for c in cells] == ["A", "C", "B"]
    assert [c[1] if c else None for c in cells] == [False, True, True]
    cells, hidden = lanes.at(2, 2)
    assert hidden == 1
    cells, hidden = lanes.at(5, 3)  # A ended on row 3: D takes lane 0
    assert [c[0] if c else None for c in cells] == ["D", "C", None]
    assert lanes.at(8, 3) == ([None, None, None], 0)


def test_letters_and_depths(monkeypatch: pytest.MonkeyPatch) -> None:
    letters = assign_letters(str(i) for i in range(70))
    assert letters["0"] == "A" and letters["26"] == "a" and letters["61"] == "9"
    assert letters["62"] == "*"
    monkeypatch.delenv("QUALTUI_COLORS", raising=False)
    assert detect_depth("truecolor", False) == "truecolor"
    assert detect_depth("256", False) == "256"
    assert detect_depth("standard", False) == "16"
    assert detect_depth("truecolor", True) == "mono"
    monkeypatch.setenv("QUALTUI_COLORS", "16")
    assert detect_depth("truecolor", False) == "16"


def test_codes_never_rely_on_colour_alone() -> None:
    codes = [("a", "#0072B2"), ("b", "#D55E00")]
    bg = Color.parse("#1e1e1e")
    both = frozenset({"a", "b"})
    true = Palette("truecolor", codes)
    assert true.text_style(frozenset({"a"}), bg).bgcolor is not None
    assert true.text_style(both, bg).underline  # overlaps are marked by more than colour
    for depth in ("16", "mono"):
        palette = Palette(depth, codes)
        single = palette.text_style(frozenset({"a"}), bg)
        overlap = palette.text_style(both, bg)
        assert single.underline and overlap.underline and overlap.bold
        assert single.bgcolor is None
        assert palette.gutter_cell("a", False)[0] == "A"  # letters, not just bars
        assert palette.gutter_cell("b", True)[0] == "B"
    assert Palette("mono", codes).text_style(frozenset({"a"}), bg).color is None
    assert true.gutter_cell("a", False)[0] == "\u258c"
    assert isinstance(true.swatch_style("a"), Style)
