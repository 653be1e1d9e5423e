"""Soft-wrap layout of a transcript and the lanes of its coding stripes.

A :class:`WrapLayout` splits a document into display rows, each an exact ``[start, end)``
range of code points: rows of one line are contiguous (a row ends where the next begins),
the newline itself belongs to no row but the cursor may rest on it (at the end of the line's
last row). Widths are measured per grapheme with Rich's own tables, so wide characters
(CJK, emoji) take two cells and combining marks, ZWJ sequences and variation selectors stay
inside the grapheme they modify: the cursor never lands inside a grapheme, and offsets stay
exact. :class:`Lanes` assigns each coded segment a gutter column for its whole extent, like
MAXQDA's coding stripes.

Only the standard library and ``rich.cells`` are used; no Textual import.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from rich.cells import split_graphemes

__all__ = ["Lanes", "WrapLayout", "display_text"]

# Tabs and carriage returns show as a space, other control characters as U+FFFD: one code
# point each, so display offsets equal text offsets.
_CONTROL = {c: " " if c in (9, 13) else "\ufffd" for c in (*range(0, 32), *range(127, 160))
            if c != 10}


def display_text(text: str) -> str:
    """``text`` with control characters made printable, one code point for one."""
    return text.translate(_CONTROL)


Grapheme = tuple[int, int, int]  # (start, end, cells), offsets absolute


class WrapLayout:
    """Display rows of ``text`` wrapped at ``width`` cells (one more for a trailing space)."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(4, width)
        self.starts: array[int] = array("q")
        self.ends: array[int] = array("q")
        self._build()

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        text, width = self.text, self.width
        starts: list[int] = []
        ends: list[int] = []
        add_start, add_end = starts.append, ends.append  # hot loop: 20k lines in ~25 ms
        pos = 0
        for line in text.split("\n"):
            n = len(line)
            if n <= width and (n * 2 <= width or line.isascii()):
                add_start(pos)
                add_end(pos + n)
            elif line.isascii():
                s = 0
                rfind = line.rfind
                while n - s > width:
                    cut = rfind(" ", s, s + width + 1)
                    brk = cut + 1 if cut > s else s + width
                    add_start(pos + s)
                    add_end(pos + brk)
                    s = brk
                add_start(pos + s)
                add_end(pos + n)
            else:
                self.starts.extend(starts)
                self.ends.extend(ends)
                starts.clear()
                ends.clear()
                self._wrap_graphemes(line, pos)
            pos += n + 1
        self.starts.extend(starts)
        self.ends.extend(ends)

    def _wrap_graphemes(self, line: str, pos: int) -> None:
        spans, total = split_graphemes(line)
        width = self.width
        if total <= width:
            self.starts.append(pos)
            self.ends.append(pos + len(line))
            return
        s = 0  # row start (index into line)
        cells = 0  # cells from s to the current grapheme
        brk = -1  # index just after the last space in the row
        brk_cells = 0
        for a, b, w in spans:
            if cells + w > width and a > s:
                if line[a] == " ":  # one trailing space may overhang
                    self.starts.append(pos + s)
                    self.ends.append(pos + b)
                    s, cells, brk = b, 0, -1
                    continue
                if brk > s:
                    self.starts.append(pos + s)
                    self.ends.append(pos + brk)
                    s, cells = brk, cells - brk_cells
                else:
                    self.starts.append(pos + s)
                    self.ends.append(pos + a)
                    s, cells = a, 0
                brk = -1
                if cells + w > width and a > s:
                    self.starts.append(pos + s)
                    self.ends.append(pos + a)
                    s, cells = a, 0
            cells += w
            if line[a] == " ":
                brk, brk_cells = b, cells
        self.starts.append(pos + s)
        self.ends.append(pos + len(line))

    # -- queries ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.starts)

    def row_of(self, offset: int) -> int:
        """The row holding ``offset`` (a newline belongs to the row before it)."""
        return max(0, min(len(self.starts) - 1, bisect_right(self.starts, offset) - 1))

    def row_text(self, row: int) -> str:
        return self.text[self.starts[row]:self.ends[row]]

    def ends_line(self, row: int) -> bool:
        """Is ``row`` the last row of its line?"""
        end = self.ends[row]
        return end >= len(self.text) or self.text[end] == "\n"

    def graphemes(self, row: int) -> list[Grapheme]:
        """The row's graphemes as absolute ``(start, end, cells)``."""
        start = self.starts[row]
        line = self.row_text(row)
        if line.isascii():
            return [(start + i, start + i + 1, 1) for i in range(len(line))]
        spans, _ = split_graphemes(line)
        return [(start + a, start + b, w) for a, b, w in spans]

    def row_cells(self, row: int) -> int:
        line = self.row_text(row)
        if line.isascii():
            return len(line)
        return split_graphemes(line)[1]

    def col_of(self, offset: int) -> int:
        """The cell column of ``offset`` within its row."""
        row = self.row_of(offset)
        start = self.starts[row]
        if offset <= start:
            return 0
        line = self.text[start:min(offset, self.ends[row])]
        if line.isascii():
            return len(line) + max(0, offset - self.ends[row])
        col = 0
        for a, _b, w in self.graphemes(row):
            if a >= offset:
                break
            col += w
        return col

    def offset_at(self, row: int, col: int) -> int:
        """The grapheme start at cell ``col`` of ``row``; past the end, the row's last
        position (its newline for a line's last row)."""
        row = max(0, min(len(self.starts) - 1, row))
        start, end = self.starts[row], self.ends[row]
        last = end if self.ends_line(row) else self.grapheme_start(end - 1)
        if col <= 0:
            return start if end > start or self.ends_line(row) else start
        line = self.text[start:end]
        if line.isascii():
            return min(start + col, last)
        x = 0
        for a, _b, w in self.graphemes(row):
            if x + w > col:
                return a
            x += w
        return last

    def grapheme_start(self, offset: int) -> int:
        """Start of the grapheme containing ``offset``."""
        if offset <= 0 or offset >= len(self.text):
            return max(0, min(offset, len(self.text)))
        ch = self.text[offset]
        if ch.isascii() and ch != "\u200d" and not self._modifies_previous(offset):
            return offset
        row = self.row_of(offset)
        for a, b, _w in self.graphemes(row):
            if a <= offset < b:
                return a
        return offset

    def _modifies_previous(self, offset: int) -> bool:
        # An ASCII char can sit inside a grapheme only after a ZWJ ("a\u200db" is one).
        return offset > 0 and self.text[offset - 1] == "\u200d"

    def grapheme_end(self, offset: int) -> int:
        """End of the grapheme containing ``offset``."""
        if offset >= len(self.text):
            return len(self.text)
        if self.text[offset] == "\n":
            return offset + 1
        row = self.row_of(offset)
        line = self.row_text(row)
        if line.isascii():
            return offset + 1
        for a, b, _w in self.graphemes(row):
            if a <= offset < b:
                return b
        return offset + 1

    def next_position(self, offset: int) -> int:
        """The next cursor position (grapheme start or newline) after ``offset``."""
        return min(len(self.text), self.grapheme_end(offset))

    def prev_position(self, offset: int) -> int:
        """The cursor position before ``offset``."""
        if offset <= 0:
            return 0
        return self.grapheme_start(offset - 1)


class Lanes:
    """Gutter columns for segments: each segment keeps one lane from its first to last row.

    ``segments`` are ``(start, end, key)``; ``key`` is returned by :meth:`at` (a code id, or
    an index into the caller's list). Lanes are assigned greedily, lowest free lane first,
    in text order, so nested and overlapping segments sit side by side.
    """

    def __init__(self, layout: WrapLayout, segments: Sequence[tuple[int, int, object]]) -> None:
        rows = len(layout)
        placed = sorted(
            ((layout.row_of(s), layout.row_of(max(s, e - 1)), key) for s, e, key in segments
             if e > s),
            key=lambda p: (p[0], -p[1]))
        lane_end: list[int] = []
        self.lane_starts: list[list[int]] = []
        self.lane_ends: list[list[int]] = []
        self.lane_keys: list[list[object]] = []
        diff = [0] * (rows + 1)
        for ra, rb, key in placed:
            diff[ra] += 1
            diff[rb + 1] -= 1
            lane = next((i for i, end in enumerate(lane_end) if end < ra), None)
            if lane is None:
                lane = len(lane_end)
                lane_end.append(-1)
                self.lane_starts.append([])
                self.lane_ends.append([])
                self.lane_keys.append([])
            lane_end[lane] = rb
            self.lane_starts[lane].append(ra)
            self.lane_ends[lane].append(rb)
            self.lane_keys[lane].append(key)
        self.depth = list(accumulate(diff))[:rows]

    @property
    def count(self) -> int:
        return len(self.lane_starts)

    def at(self, row: int, lanes: int) -> tuple[list[tuple[object, bool] | None], int]:
        """The first ``lanes`` cells of ``row`` as ``(key, is_first_row)`` or ``None``, and how
        many segments on the row did not fit."""
        cells: list[tuple[object, bool] | None] = []
        shown = 0
        for lane in range(min(lanes, len(self.lane_starts))):
            starts = self.lane_starts[lane]
            i = bisect_right(starts, row) - 1
            if i >= 0 and self.lane_ends[lane][i] >= row:
                cells.append((self.lane_keys[lane][i], starts[i] == row))
                shown += 1
            else:
                cells.append(None)
        cells.extend([None] * (lanes - len(cells)))
        total = self.depth[row] if 0 <= row < len(self.depth) else 0
        return cells, max(0, total - shown)
