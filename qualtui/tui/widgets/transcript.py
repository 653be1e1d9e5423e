"""The transcript: a Line-API ``ScrollView`` that renders only the visible rows.

The document is soft-wrapped into rows (:class:`~qualtui.tui.widgets.layout.WrapLayout`);
``render_line`` styles one row at a time - speaker labels, coded ranges (tinted by their
code, overlaps mixed and underlined), search matches, the selection and the cursor - and
caches the finished :class:`~textual.strip.Strip` per row until something on it changes.
A gutter on the left draws the coding stripes: one lane per segment, the code's letter on
its first row, and ``+n`` when more segments cover a row than lanes fit.

The view owns the cursor, the selection and the motions (vim-like keys with counts and
two-key sequences such as ``gg`` or ``]s``); it knows nothing about the project. The coding
screen gives it text, segments and a :class:`~qualtui.tui.widgets.palette.Palette`, and
listens to :class:`TranscriptView.CursorMoved`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment as RichSegment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualtui.core import session
from qualtui.tui.widgets.layout import Lanes, WrapLayout, display_text
from qualtui.tui.widgets.palette import Palette

if TYPE_CHECKING:
    from qualtui.core.models import Segment, Turn
    from qualtui.core.units import TextUnits

__all__ = ["KeySequence", "SEQUENCES", "TranscriptView"]

SEPARATOR = -1  # a display row standing for hidden rows when the view is filtered


@dataclass(frozen=True)
class KeySequence:
    """A two-key binding (``g g``, ``] s``) that Textual's single-key bindings cannot express.

    ``keys`` are Textual key names; ``action`` runs on the transcript (``screen.`` and
    ``app.`` prefixes reach further). ``id`` lets :meth:`QualtuiApp.set_keymap` remap it.
    """

    id: str
    keys: tuple[str, ...]
    action: str
    description: str
    group: str
    display: str


SEQUENCES: tuple[KeySequence, ...] = (
    KeySequence("move.top", ("g", "g"), "move('top')", "Go to the start", "Move", "gg"),
    KeySequence("move.turn-next", ("right_square_bracket", "right_square_bracket"),
                "move('turn_next')", "Next speaker turn", "Move", "]]"),
    KeySequence("move.turn-prev", ("left_square_bracket", "left_square_bracket"),
                "move('turn_prev')", "Previous speaker turn", "Move", "[["),
    KeySequence("navigate.segment-next", ("right_square_bracket", "s"),
                "segment(1)", "Next coded segment", "Navigate", "]s"),
    KeySequence("navigate.segment-prev", ("left_square_bracket", "s"),
                "segment(-1)", "Previous coded segment", "Navigate", "[s"),
    KeySequence("navigate.code-segment-next", ("right_square_bracket", "c"),
                "code_segment(1)", "Next segment of the code selected in the tree",
                "Navigate", "]c"),
    KeySequence("navigate.code-segment-prev", ("left_square_bracket", "c"),
                "code_segment(-1)", "Previous segment of the code selected in the tree",
                "Navigate", "[c"),
    KeySequence("navigate.switch-document-gd", ("g", "d"), "screen.switch_document",
                "Switch document", "Navigate", "gd"),
)

_KEY_NAMES = {"]": "right_square_bracket", "[": "left_square_bracket", "(": "left_parenthesis",
              ")": "right_parenthesis", "{": "left_curly_bracket", "}": "right_curly_bracket",
              "/": "slash", ".": "full_stop", "?": "question_mark", "$": "dollar_sign",
              "^": "circumflex_accent"}
_KEY_DISPLAY = {v: k for k, v in _KEY_NAMES.items()}


def parse_sequence(value: str) -> tuple[str, ...]:
    """``"g g"``, ``"gg"`` or ``"] s"`` as Textual key names."""
    parts = value.split() if " " in value.strip() else list(value.strip())
    return tuple(_KEY_NAMES.get(p, p) for p in parts if p)


def sequence_display(keys: Iterable[str]) -> str:
    return "".join(_KEY_DISPLAY.get(k, k) for k in keys)


class TranscriptView(ScrollView, can_focus=True):
    """A read-only, coded, keyboard-driven view of one document."""

    ALLOW_SELECT = False  # selection is ours (offsets into the document), not Textual's
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--speaker", "transcript--gutter", "transcript--match",
        "transcript--selection", "transcript--separator",
    }
    DEFAULT_CSS = """
    TranscriptView {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        overflow-y: auto;
    }
    TranscriptView > .transcript--speaker { color: $accent; text-style: bold; }
    TranscriptView > .transcript--gutter { color: $foreground-muted; }
    TranscriptView > .transcript--separator { color: $foreground-muted; }
    TranscriptView > .transcript--match { background: $warning 70%; color: $text; }
    TranscriptView > .transcript--selection { background: $primary 65%; color: $text; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h,left", "move('left')", "Left", show=False, id="move.left"),
        Binding("l,right", "move('right')", "Right", show=False, id="move.right"),
        Binding("j,down", "move('down')", "Down", show=False, id="move.down"),
        Binding("k,up", "move('up')", "Up", show=False, id="move.up"),
        Binding("w", "move('word_next')", "Next word", show=False, id="move.word-next"),
        Binding("b", "move('word_prev')", "Previous word", show=False,
                id="move.word-prev"),
        Binding("e", "move('word_end')", "End of word", show=False, id="move.word-end"),
        Binding("right_parenthesis", "move('sentence_next')", "Next sentence", show=False,
                key_display=")", id="move.sentence-next"),
        Binding("left_parenthesis", "move('sentence_prev')", "Previous sentence", show=False,
                key_display="(", id="move.sentence-prev"),
        Binding("right_curly_bracket", "move('para_next')", "Next paragraph", show=False,
                key_display="}", id="move.paragraph-next"),
        Binding("left_curly_bracket", "move('para_prev')", "Previous paragraph", show=False,
                key_display="{", id="move.paragraph-prev"),
        Binding("G,ctrl+end", "move('bottom')", "Go to the end", show=False,
                id="move.bottom"),
        Binding("ctrl+home", "move('top')", "Go to the start", show=False,
                id="move.start"),
        Binding("home,circumflex_accent", "move('row_start')", "Start of row", show=False,
                key_display="home/^", id="move.row-start"),
        Binding("end,dollar_sign", "move('row_end')", "End of row", show=False,
                key_display="end/$", id="move.row-end"),
        Binding("ctrl+d", "move('half_down')", "Half page down", show=False,
                id="move.half-down"),
        Binding("ctrl+u", "move('half_up')", "Half page up", show=False,
                id="move.half-up"),
        Binding("pagedown,ctrl+f", "move('page_down')", "Page down", show=False,
                id="move.page-down"),
        Binding("pageup", "move('page_up')", "Page up", show=False,
                id="move.page-up"),
        Binding("v", "visual", "Select", show=True, id="select.visual",
                tooltip="Start a selection extended by motions; v again keeps it"),
        Binding("V", "visual_line", "Select lines", show=False, id="select.visual-line",
                tooltip="Select whole lines, extended by motions"),
        Binding("s", "select_unit('sentence')", "Sentence", show=True, id="select.sentence",
                tooltip="Select the sentence at the cursor (again: add the next one)"),
        Binding("p", "select_unit('paragraph')", "Paragraph", show=False,
                id="select.paragraph",
                tooltip="Select the paragraph at the cursor (again: add the next one)"),
        Binding("t", "select_unit('turn')", "Turn", show=False, id="select.turn",
                tooltip="Select the speaker turn at the cursor (again: add the next one)"),
        Binding("shift+left", "extend('left')", "Extend left", show=False,
                id="select.extend-left"),
        Binding("shift+right", "extend('right')", "Extend right", show=False,
                id="select.extend-right"),
        Binding("shift+up", "extend('up')", "Extend up", show=False, id="select.extend-up"),
        Binding("shift+down", "extend('down')", "Extend down", show=False,
                id="select.extend-down"),
        Binding("escape", "clear", "Clear selection", show=False, id="select.clear",
                tooltip="Clear the selection (then the filter, then the search)"),
        Binding("n", "search_step(1)", "Next match", show=False, id="navigate.search-next"),
        Binding("N", "search_step(-1)", "Previous match", show=False,
                id="navigate.search-prev"),
    ]

    # -- messages -------------------------------------------------------------------------
    class CursorMoved(Message):
        """The cursor or the selection changed."""

        def __init__(self, view: TranscriptView, offset: int,
                     selection: tuple[int, int] | None) -> None:
            super().__init__()
            self.view = view
            self.offset = offset
            self.selection = selection

    class Pending(Message):
        """Keys typed so far of a count or a two-key sequence (empty when done)."""

        def __init__(self, keys: str) -> None:
            super().__init__()
            self.keys = keys

    class FilterCleared(Message):
        """Esc cleared the code filter."""

    class Painted(Message):
        """The first row of text was rendered (start-up timing)."""

    class Notice(Message):
        """Something the user should know (nothing found, start of document...)."""

        def __init__(self, text: str, severity: str = "information") -> None:
            super().__init__()
            self.text = text
            self.severity = severity

    # -- construction ---------------------------------------------------------------------
    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.document_id: str | None = None
        self.text = ""
        self._display = ""
        self.turns: list[Turn] = []
        self.language = "en"
        self._units: TextUnits | None = None
        self._layout: WrapLayout | None = None
        self._lanes: Lanes | None = None
        self.palette = Palette("truecolor", [])
        self.segments: list[Segment] = []
        self.hidden_codes: set[str] = set()
        self.memo_segments: set[str] = set()  # ids of segments that have a memo
        self._memo_rows: set[int] | None = None
        self.focus_codes: set[str] = set()  # the tree's selected code and its descendants
        self._visible: list[Segment] = []
        self._runs: list[session.Run] = []
        self._run_ends: list[int] = []
        self._labels: list[tuple[int, int]] = []
        self._label_ends: list[int] = []
        self._matches: list[tuple[int, int]] = []
        self._match_ends: list[int] = []
        self.query = ""
        self._filter: set[str] | None = None
        self._rows: list[int] | None = None  # display row -> layout row (filtered view)
        self._row_index: dict[int, int] = {}
        self.cursor = 0
        self.anchor: int | None = None
        self.mode: str | None = None  # visual | line | shift | mouse | object | fixed
        self._object: tuple[str, int] | None = None  # text object kind, units selected
        self._fixed: tuple[int, int] | None = None
        self._goal_col: int | None = None
        self._count = 0
        self._active_count = 1
        self._pending: tuple[str, ...] = ()
        self.sequences: dict[tuple[str, ...], KeySequence] = {s.keys: s for s in SEQUENCES}
        self._prefixes = {s.keys[:i] for s in SEQUENCES for i in range(1, len(s.keys))}
        self._cache: LRUCache[int, Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self.lanes_shown = 3
        self.gutter_width = 7
        self._dragging = False
        self._center_on_resize = False
        self.render_count = 0  # rows rendered (not from cache): for benchmarks

    # -- loading --------------------------------------------------------------------------
    def load(self, document_id: str, text: str, turns: Sequence[Turn], language: str = "en",
             cursor: int = 0) -> None:
        """Show a document (cursor at ``cursor``), keeping the current palette."""
        self.document_id = document_id
        self.text = text
        self._display = display_text(text)
        self.turns = list(turns)
        self.language = language
        self._units = None
        self._labels = [(t.start, t.body_start) for t in self.turns if t.body_start > t.start]
        self._label_ends = [e for _, e in self._labels]
        self._matches, self._match_ends = [], []
        self.segments = []
        self._visible = []
        self._runs, self._run_ends = [], []
        self._filter = None
        self._rows = None
        self.anchor, self.mode, self._object, self._fixed = None, None, None, None
        self._goal_col = None
        self.cursor = self._clamp(cursor)
        self._layout = None
        self._lanes = None
        self._cache.clear()
        if self.query:
            self.set_search(self.query)
        if self.size.width:
            self._relayout()
            self.scroll_to(y=0, animate=False, immediate=True)
            self._ensure_cursor_visible(center=True)
        else:  # not laid out yet: wrap once, at the real width, on the first resize
            self._center_on_resize = True
        self.refresh()
        self._moved()

    @property
    def units(self) -> TextUnits:
        """Words, sentences, paragraphs and turns of the document (computed on first use)."""
        if self._units is None:
            from qualtui.core.units import TextUnits

            self._units = TextUnits(self.text, self.turns, self.language)
        return self._units

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        self._cache.clear()
        self.refresh()

    def set_segments(self, segments: Iterable[Segment]) -> None:
        """The document's coded segments (all coders); repaints, keeps cursor and selection."""
        self.segments = sorted(segments, key=lambda s: (s.start, -s.end, s.code_id))
        self._recompute_coding()

    def set_memo_segments(self, segment_ids: Iterable[str]) -> None:
        """Segments with a memo: an ``m`` in the gutter on the row where each starts."""
        self.memo_segments = set(segment_ids)
        self._memo_rows = None
        self._cache.clear()
        self.refresh()

    def _rows_with_memos(self) -> set[int]:
        if self._memo_rows is None:
            layout = self.layout
            self._memo_rows = {layout.row_of(s.start) for s in self._visible
                               if s.id in self.memo_segments}
        return self._memo_rows

    def set_hidden(self, hidden: Iterable[str]) -> None:
        """Codes whose highlight is toggled off: not painted, not in the gutter."""
        self.hidden_codes = set(hidden)
        self._recompute_coding()

    def _recompute_coding(self) -> None:
        self._memo_rows = None
        self._visible = [s for s in self.segments if s.code_id not in self.hidden_codes]
        self._runs = session.coverage_runs((s.start, s.end, s.code_id) for s in self._visible)
        self._run_ends = [r.end for r in self._runs]
        self._lanes = None
        if self._filter is not None:
            self._build_filter_rows()
        self._cache.clear()
        self.refresh()

    # -- filter ---------------------------------------------------------------------------
    @property
    def filtered(self) -> bool:
        return self._filter is not None

    def set_filter(self, code_ids: Iterable[str] | None) -> int:
        """Show only rows holding segments of ``code_ids`` (None: everything). Returns the
        number of segments shown."""
        self._filter = set(code_ids) if code_ids is not None else None
        if self._filter is None:
            self._rows = None
            self._row_index = {}
            count = len(self.segments)
        else:
            count = self._build_filter_rows()
        self._set_virtual_size()
        self._cache.clear()
        if self._rows is not None and self._rows and not self._row_visible(self._row()):
            self.cursor = self._snap_visible(self.cursor, 1)
        self._ensure_cursor_visible(center=True)
        self.refresh()
        self._moved()
        return count

    def _build_filter_rows(self) -> int:
        layout = self.layout
        wanted = [s for s in self.segments if self._filter is not None
                  and s.code_id in self._filter]
        rows: set[int] = set()
        for seg in wanted:
            ra, rb = layout.row_of(seg.start), layout.row_of(max(seg.start, seg.end - 1))
            rows.update(range(ra, rb + 1))
        display: list[int] = []
        last = None
        for row in sorted(rows):
            if last is not None and row != last + 1:
                display.append(SEPARATOR)
            display.append(row)
            last = row
        self._rows = display
        self._row_index = {row: i for i, row in enumerate(display) if row != SEPARATOR}
        return len(wanted)

    def _row_visible(self, row: int) -> bool:
        return self._rows is None or row in self._row_index

    def _display_index(self, row: int) -> int:
        if self._rows is None:
            return row
        index = self._row_index.get(row)
        if index is not None:
            return index
        keys = sorted(self._row_index)
        i = bisect_left(keys, row)
        return self._row_index[keys[min(i, len(keys) - 1)]] if keys else 0

    def _layout_row(self, index: int) -> int:
        if self._rows is None:
            return index
        return self._rows[index] if 0 <= index < len(self._rows) else SEPARATOR

    def _display_count(self) -> int:
        if self._rows is not None:
            return len(self._rows)
        return len(self._layout) if self._layout is not None else 0

    def _snap_visible(self, offset: int, direction: int) -> int:
        """Nearest offset on a visible row, searching in ``direction`` first."""
        if self._rows is None or not self._row_index:
            return offset
        layout = self.layout
        row = layout.row_of(offset)
        if row in self._row_index:
            return offset
        keys = sorted(self._row_index)
        i = bisect_left(keys, row)
        if direction >= 0:
            target = keys[i] if i < len(keys) else keys[-1]
        else:
            target = keys[i - 1] if i > 0 else keys[0]
        return layout.starts[target] if target >= row else layout.starts[target]

    # -- search ---------------------------------------------------------------------------
    def set_search(self, query: str) -> int:
        """Highlight every match of ``query`` (smart case); returns the number of matches."""
        self.query = query
        self._matches = session.find_all(self.text, query)
        self._match_ends = [e for _, e in self._matches]
        self._cache.clear()
        self.refresh()
        return len(self._matches)

    @property
    def matches(self) -> list[tuple[int, int]]:
        return self._matches

    def match_index(self) -> int | None:
        """The 1-based number of the match at the cursor, if the cursor is on one."""
        i = bisect_right(self._matches, (self.cursor, len(self.text) + 1)) - 1
        if i >= 0 and self._matches[i][0] <= self.cursor < self._matches[i][1]:
            return i + 1
        return None

    def action_search_step(self, direction: int) -> None:
        count = self._take_count()
        if not self._matches:
            self.post_message(self.Notice("no search: press / to search" if not self.query
                                          else f"'{self.query}' not found", "warning"))
            return
        starts = [s for s, _ in self._matches]
        offset = self.cursor
        wrapped = False
        for _ in range(count):
            target = (session.next_start(starts, offset) if direction > 0
                      else session.prev_start(starts, offset))
            if target is None:
                target = starts[0] if direction > 0 else starts[-1]
                wrapped = True
            offset = target
        self._jump(offset)
        if wrapped:
            self.post_message(self.Notice("search wrapped around"))

    # -- layout ---------------------------------------------------------------------------
    @property
    def layout(self) -> WrapLayout:
        if self._layout is None:
            self._relayout()
        assert self._layout is not None
        return self._layout

    def _text_width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width or 80
        self.lanes_shown = 3 if width < 90 else 4 if width < 130 else 5
        self.gutter_width = self.lanes_shown + 3  # lanes, "+n" (2), a space
        return max(8, width - self.gutter_width)

    def _relayout(self) -> None:
        wrap = self._text_width() - 1  # one cell for the cursor after a line's last character
        if self._layout is None or self._layout.width != wrap or self._layout.text is not \
                self._display:
            self._layout = WrapLayout(self._display, wrap)
            self._lanes = None
            self._memo_rows = None
            if self._filter is not None:
                self._build_filter_rows()
            self._cache.clear()
        self._set_virtual_size()

    def _set_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width or self.size.width,
                                 self._display_count())

    @property
    def lanes(self) -> Lanes:
        if self._lanes is None:
            self._lanes = Lanes(self.layout, [(s.start, s.end, i)
                                              for i, s in enumerate(self._visible)])
        return self._lanes

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        self._ensure_cursor_visible(center=self._center_on_resize)
        self._center_on_resize = False

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    # -- selection ------------------------------------------------------------------------
    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected range ``[start, end)``, or None."""
        if self.mode == "object" or self.mode == "fixed":
            return self._fixed
        if self.anchor is None or self.mode is None:
            return None
        a, c = self.anchor, self.cursor
        layout = self.layout
        if self.mode == "line":
            lo, hi = min(a, c), max(a, c)
            start = self.text.rfind("\n", 0, lo) + 1
            end = self.text.find("\n", hi)
            return (start, len(self.text) if end < 0 else end) if start < (
                len(self.text) if end < 0 else end) else None
        if self.mode == "shift":
            return (min(a, c), max(a, c)) if a != c else None
        lo, hi = min(a, c), max(a, c)  # visual / mouse: both ends inclusive
        end = layout.grapheme_end(hi) if hi < len(self.text) else hi
        return (lo, end) if end > lo else None

    def select(self, start: int, end: int, kind: str = "fixed") -> None:
        """Select ``[start, end)`` (not extended by motions; a motion clears it)."""
        old = self.selection
        start, end = max(0, start), min(len(self.text), end)
        self._fixed = (start, end) if end > start else None
        self.mode = "fixed" if kind == "fixed" else "object"
        self.anchor = None
        self._refresh_span(old)
        self._refresh_span(self._fixed)
        self._moved()

    def clear_selection(self) -> None:
        old = self.selection
        self.mode, self.anchor, self._fixed, self._object = None, None, None, None
        self._refresh_span(old)
        self._moved()

    def keep_selection(self) -> None:
        """Stop extending the selection but keep it (after coding, after ``v`` again)."""
        sel = self.selection
        if sel is None:
            self.clear_selection()
            return
        self._fixed = sel
        self.mode = "fixed"
        self.anchor = None
        self._moved()

    def action_visual(self) -> None:
        if self.mode in ("visual", "line"):
            self.keep_selection()
            return
        old = self.selection
        self.mode, self.anchor, self._object = "visual", self.cursor, None
        self._refresh_span(old)
        self._refresh_span(self.selection)
        self._moved()

    def action_visual_line(self) -> None:
        if self.mode == "line":
            self.keep_selection()
            return
        old = self.selection
        self.mode, self.anchor, self._object = "line", self.cursor, None
        self._refresh_span(old)
        self._refresh_span(self.selection)
        self._moved()

    def action_clear(self) -> None:
        self._count, self._pending = 0, ()
        self.post_message(self.Pending(""))
        if self.selection is not None or self.mode is not None:
            self.clear_selection()
            return
        if self._filter is not None:
            self.set_filter(None)
            self.post_message(self.FilterCleared())
            return
        if self._matches:
            self.set_search("")
            self.query = ""

    def _unit_span(self, kind: str, offset: int) -> tuple[int, int] | None:
        units = self.units
        if kind == "turn":
            turn = units.turn_at(offset)
            if turn is not None and turn.end > turn.body_start:
                return units.expand("turn", offset, offset + 1)
            nxt = units.next_start("turn", offset)
            return units.at("turn", nxt) if nxt is not None else None
        span = units.at(kind, offset)
        if span is None:
            nxt = units.next_start(kind, offset)
            span = units.at(kind, nxt) if nxt is not None else None
        return span

    def action_select_unit(self, kind: str) -> None:
        """Select the sentence/paragraph/turn at the cursor; again: add the next one."""
        count = self._take_count()
        sel = self.selection
        if self.mode == "object" and self._object and self._object[0] == kind and sel:
            start, end = sel
            added = 0
        else:
            span = self._unit_span(kind, self.cursor)
            if span is None:
                self.post_message(self.Notice(f"no {kind} here", "warning"))
                return
            start, end = span
            added = 1
        units = self.units
        while added < count:
            nxt = units.next_start(kind, end - 1)
            if nxt is None:
                break
            span = self._unit_span(kind, nxt)
            if span is None:
                break
            end = span[1]
            added += 1
        total = (self._object[1] if self._object and self._object[0] == kind
                 and self.mode == "object" else 0) + added
        self.select(start, end, kind="object")
        self._object = (kind, total)
        if not (start <= self.cursor < end):
            self._set_cursor(start)
        self._ensure_span_visible(start, end)

    def action_extend(self, direction: str) -> None:
        if self.mode != "shift":
            old = self.selection
            start = old[0] if old and direction in ("right", "down") else (
                old[1] if old else self.cursor)
            if old:
                self._set_cursor(old[1] if direction in ("right", "down") else old[0])
                self._fixed = None
            self.mode, self.anchor, self._object = "shift", start, None
            self._refresh_span(old)
        self._motion(direction, self._take_count(), extend=True)

    # -- cursor ---------------------------------------------------------------------------
    def _clamp(self, offset: int) -> int:
        return max(0, min(offset, max(0, len(self.text) - 1) if self.text else 0))

    def _row(self) -> int:
        return self.layout.row_of(self.cursor)

    def _set_cursor(self, offset: int) -> None:
        old_sel = self.selection
        old_row = self._row()
        self.cursor = self._clamp(offset)
        new_sel = self.selection
        self._refresh_row(old_row)
        self._refresh_row(self._row())
        if old_sel != new_sel:
            self._refresh_span(old_sel)
            self._refresh_span(new_sel)

    def move_to(self, offset: int, center: bool = False) -> None:
        """Put the cursor at ``offset`` and scroll it into view."""
        self._set_cursor(self.layout.grapheme_start(self._clamp(offset)))
        self._goal_col = None
        self._ensure_cursor_visible(center=center)
        self._moved()

    def _jump(self, offset: int) -> None:
        """A motion's destination: clears a fixed selection unless one is being extended."""
        if self.mode in ("fixed", "object"):
            self.clear_selection()
        self.move_to(self._snap_visible(offset, 1 if offset >= self.cursor else -1))

    def _take_count(self) -> int:
        count = max(1, self._active_count)
        self._active_count = 1
        return count

    def action_move(self, motion: str) -> None:
        self._motion(motion, self._take_count(), extend=False)

    def _motion(self, motion: str, count: int, extend: bool) -> None:
        if not self.text:
            return
        if not extend and self.mode in ("shift", "fixed", "object", "mouse"):
            old = self.selection
            self.mode, self.anchor, self._fixed, self._object = None, None, None, None
            self._refresh_span(old)
        target = self._target(motion, count)
        if target is None:
            self._moved()
            return
        direction = 1 if target >= self.cursor else -1
        if motion not in ("up", "down", "half_down", "half_up", "page_down", "page_up"):
            self._goal_col = None
            target = self._snap_visible(target, direction)
        self._set_cursor(target)
        if motion in ("page_down", "page_up", "half_down", "half_up"):
            self._scroll_with_cursor(motion, count)
        self._ensure_cursor_visible()
        self._moved()

    def _target(self, motion: str, count: int) -> int | None:
        layout = self.layout
        units = None if motion in ("left", "right", "up", "down", "top", "bottom", "row_start",
                                   "row_end", "half_down", "half_up", "page_down",
                                   "page_up") else self.units
        offset = self.cursor
        height = max(1, self.scrollable_content_region.height)
        if motion in ("up", "down", "half_down", "half_up", "page_down", "page_up"):
            step = {"up": -1, "down": 1, "half_down": height // 2, "half_up": -(height // 2),
                    "page_down": height, "page_up": -height}[motion] * count
            return self._vertical(step)
        if motion == "top":
            return 0
        if motion == "bottom":  # the start of the last row holding text
            if self._rows is not None:
                return layout.starts[max(self._row_index)] if self._row_index else 0
            return layout.starts[layout.row_of(self._clamp(len(self.text)))]
        if motion == "row_start":
            return layout.starts[layout.row_of(offset)]
        if motion == "row_end":
            row = layout.row_of(offset)
            return layout.offset_at(row, 10**9)
        for _ in range(count):
            nxt: int | None
            if motion == "left":
                nxt = layout.prev_position(offset) if offset > 0 else None
            elif motion == "right":
                nxt = layout.next_position(offset) if offset < len(self.text) - 1 else None
            elif motion == "word_end":
                nxt = self._word_end(offset)
            else:
                assert units is not None
                kind, forward = {
                    "word_next": ("word", True), "word_prev": ("word", False),
                    "sentence_next": ("sentence", True), "sentence_prev": ("sentence", False),
                    "para_next": ("paragraph", True), "para_prev": ("paragraph", False),
                    "turn_next": ("turn", True), "turn_prev": ("turn", False),
                }[motion]
                nxt = units.next_start(kind, offset) if forward else units.prev_start(kind,
                                                                                     offset)
            if nxt is None:
                break
            offset = nxt
        return offset if offset != self.cursor else None

    def _word_end(self, offset: int) -> int | None:
        words = self.units.words
        i = bisect_right(words, (offset, len(self.text) + 1)) - 1
        if i >= 0 and words[i][0] <= offset < words[i][1] - 1:
            return self.layout.grapheme_start(words[i][1] - 1)
        i = max(i + 1, 0)
        while i < len(words):
            end = self.layout.grapheme_start(words[i][1] - 1)
            if end > offset:
                return end
            i += 1
        return None

    def _vertical(self, step: int) -> int:
        layout = self.layout
        row = layout.row_of(self.cursor)
        if self._goal_col is None:
            self._goal_col = layout.col_of(self.cursor)
        index = self._display_index(row)
        count = self._display_count()
        last = self._display_index(layout.row_of(self._clamp(len(self.text))))
        count = min(count, last + 1)  # never onto the empty row after a final newline
        target = max(0, min(count - 1, index + step))
        while self._layout_row(target) == SEPARATOR and 0 < target < count - 1:
            target += 1 if step > 0 else -1
        target_row = self._layout_row(target)
        if target_row == SEPARATOR:
            return self.cursor
        return layout.offset_at(target_row, self._goal_col)

    def _scroll_with_cursor(self, motion: str, count: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        step = {"half_down": height // 2, "half_up": -(height // 2), "page_down": height,
                "page_up": -height}[motion] * count
        self.scroll_to(y=max(0, min(self.max_scroll_y, self.scroll_y + step)), animate=False,
                       immediate=True)

    def _ensure_cursor_visible(self, center: bool = False) -> None:
        if self._layout is None:
            return
        index = self._display_index(self._row())
        self._ensure_rows_visible(index, index, center)

    def _ensure_span_visible(self, start: int, end: int) -> None:
        first = self._display_index(self.layout.row_of(start))
        last = self._display_index(self.layout.row_of(max(start, end - 1)))
        self._ensure_rows_visible(first, last, False)

    def _ensure_rows_visible(self, first: int, last: int, center: bool) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        margin = 2 if height > 8 else 0
        top = int(self.scroll_y)
        if center:
            target = max(0, first - height // 3)
        elif first < top + margin:
            target = max(0, first - margin)
        elif last > top + height - 1 - margin:
            target = min(first - margin, last - height + 1 + margin)
            target = max(0, target)
        else:
            return
        self.scroll_to(y=target, animate=False, immediate=True)

    def _moved(self) -> None:
        self.post_message(self.CursorMoved(self, self.cursor, self.selection))

    # -- segments navigation -------------------------------------------------------------
    def action_segment(self, direction: int) -> None:
        self._segment_step(direction, self._visible, "no coded segments in this document")

    def action_code_segment(self, direction: int) -> None:
        if not self.focus_codes:
            self.post_message(self.Notice("select a code in the codebook tree first (ctrl+k)",
                                          "warning"))
            return
        segs = [s for s in self.segments if s.code_id in self.focus_codes]
        self._segment_step(direction, segs, "no segments of that code in this document")

    def _segment_step(self, direction: int, segments: list[Segment], empty: str) -> None:
        count = self._take_count()
        starts = sorted({s.start for s in segments})
        if not starts:
            self.post_message(self.Notice(empty, "warning"))
            return
        offset = self.cursor
        for _ in range(count):
            target = (session.next_start(starts, offset) if direction > 0
                      else session.prev_start(starts, offset))
            if target is None:
                self.post_message(self.Notice("no more segments " + (
                    "below" if direction > 0 else "above")))
                break
            offset = target
        if offset != self.cursor:
            self._jump(offset)

    # -- keys -----------------------------------------------------------------------------
    def set_sequence_keys(self, keymap: dict[str, str]) -> None:
        """Remap two-key sequences by id, e.g. ``{"move.top": "g g"}``."""
        by_id = {s.id: s for s in self.sequences.values()}
        for seq_id, value in keymap.items():
            if seq_id in by_id:
                old = by_id[seq_id]
                by_id[seq_id] = KeySequence(old.id, parse_sequence(value), old.action,
                                            old.description, old.group,
                                            sequence_display(parse_sequence(value)))
        self.sequences = {s.keys: s for s in by_id.values()}
        self._prefixes = {s.keys[:i] for s in by_id.values() for i in range(1, len(s.keys))}

    async def on_key(self, event: events.Key) -> None:
        key = event.key
        if self._pending:
            keys = (*self._pending, key)
            event.stop()
            event.prevent_default()
            if keys in self.sequences:
                self._pending = ()
                self.post_message(self.Pending(""))
                self._active_count = self._count or 1
                self._count = 0
                await self.run_action(self.sequences[keys].action)
            elif keys in self._prefixes:
                self._pending = keys
                self.post_message(self.Pending(sequence_display(keys)))
            else:
                self._pending = ()
                self._count = 0
                self.post_message(self.Pending(""))
                if key != "escape":
                    self.post_message(self.Notice(
                        f"no key {sequence_display(keys)}; press ? for help", "warning"))
            return
        if (key,) in self._prefixes:
            event.stop()
            event.prevent_default()
            self._pending = (key,)
            self.post_message(self.Pending((str(self._count) if self._count else "")
                                           + sequence_display((key,))))
            return
        if key.isdigit() and len(key) == 1:
            if self._count or (key != "0" and self.selection is None):
                event.stop()
                event.prevent_default()
                self._count = min(self._count * 10 + int(key), 9999)
                self.post_message(self.Pending(str(self._count)))
                return
        self._active_count = self._count or 1
        if self._count:
            self._count = 0
            self.post_message(self.Pending(""))

    # -- mouse ----------------------------------------------------------------------------
    def _offset_at(self, x: int, y: int) -> tuple[int | None, int | None]:
        """(text offset, gutter lane) under content coordinates ``x, y``."""
        index = int(self.scroll_y) + y
        row = self._layout_row(index)
        if row == SEPARATOR or index >= self._display_count() or index < 0:
            return None, None
        if x < self.lanes_shown:
            return self.layout.starts[row], x
        return self.layout.offset_at(row, x - self.gutter_width), None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1 or not self.text:
            return
        self.focus()
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pos, lane = self._offset_at(offset.x, offset.y)
        if pos is None:
            return
        if lane is not None:
            self._click_stripe(offset.y, lane)
            return
        old = self.selection
        self.mode, self.anchor, self._fixed, self._object = "mouse", pos, None, None
        self._refresh_span(old)
        self._set_cursor(pos)
        self._goal_col = None
        self._dragging = True
        self.capture_mouse()
        self._moved()

    def _click_stripe(self, y: int, lane: int) -> None:
        row = self._layout_row(int(self.scroll_y) + y)
        cells, _ = self.lanes.at(row, self.lanes_shown)
        cell = cells[lane] if lane < len(cells) else None
        if cell is None:
            return
        seg = self._visible[int(cell[0])]  # type: ignore[call-overload]
        self._set_cursor(seg.start)
        self.select(seg.start, seg.end)
        self._ensure_cursor_visible()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = event.get_content_offset_capture(self)
        height = self.scrollable_content_region.height
        if offset.y < 0:
            self.scroll_to(y=max(0, self.scroll_y - 1), animate=False, immediate=True)
        elif offset.y >= height:
            self.scroll_to(y=min(self.max_scroll_y, self.scroll_y + 1), animate=False,
                           immediate=True)
        y = max(0, min(height - 1, offset.y))
        pos, _ = self._offset_at(max(self.gutter_width, offset.x), y)
        if pos is not None and pos != self.cursor:
            self._set_cursor(pos)
            self._moved()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        if self.anchor == self.cursor:
            self.clear_selection()
        else:
            self.keep_selection()

    # -- painting ------------------------------------------------------------------------
    def _refresh_row(self, row: int) -> None:
        index = self._display_index(row)
        self._cache.discard(index)
        self.refresh_line(index)

    def _refresh_span(self, span: tuple[int, int] | None) -> None:
        if span is None or self._layout is None:
            return
        first = self._display_index(self.layout.row_of(span[0]))
        last = self._display_index(self.layout.row_of(max(span[0], span[1])))
        for index in range(first, last + 1):
            self._cache.discard(index)
        self.refresh_lines(first, last - first + 1)

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "selection" and not self.palette.colorful:
                style = Style(reverse=True)
            elif name == "match" and not self.palette.colorful:
                style = Style(bold=True, italic=True) if self.palette.depth == "mono" else \
                    Style(color="black", bgcolor="yellow")
            else:
                style = self.get_component_rich_style(f"transcript--{name}", partial=True)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        strip = self._cache.get(index)
        if strip is None or strip.cell_length != width:
            strip = self._render_row(index, width)
            self._cache[index] = strip
        return strip

    def _render_row(self, index: int, width: int) -> Strip:
        base = self.rich_style
        if self._layout is None or index >= self._display_count():
            return Strip.blank(width, base)
        row = self._layout_row(index)
        if row == SEPARATOR:
            style = base + self._style("separator")
            return Strip([RichSegment(" " * self.gutter_width + "...", style)],
                         self.gutter_width + 3).crop_extend(0, width, base)
        self.render_count += 1
        if self.render_count == 1:
            self.post_message(self.Painted())
        layout = self.layout
        start, end = layout.starts[row], layout.ends[row]
        segments = self._gutter(row, base)
        line = Text(self._display[start:end], end="", no_wrap=True)
        line.stylize(base)  # a span, not Text.style: render() ignores that without spans
        self._paint(line, start, end, base)
        cursor_at_end = self.cursor == end and layout.ends_line(row)
        if cursor_at_end:
            line.append(" ", self._cursor_style(self.cursor))
        # Text.render leaves unstyled (and empty) pieces without a style: filters such as
        # NO_COLOR's monochrome one need a style on every segment.
        segments.extend(seg if seg.style is not None else RichSegment(seg.text, base)
                        for seg in line.render(self.app.console) if seg.text)
        row_text = self._display[start:end]
        cells = len(row_text) if row_text.isascii() else layout.row_cells(row)
        length = self.gutter_width + cells + cursor_at_end  # known: Strip needn't measure
        return Strip(segments, length).crop_extend(0, width, base)

    def _gutter(self, row: int, base: Style) -> list[RichSegment]:
        lanes_shown = self.lanes_shown
        out: list[RichSegment] = []
        if self._visible:
            cells, hidden = self.lanes.at(row, lanes_shown)
            palette = self.palette
            for cell in cells:
                if cell is None:
                    out.append(RichSegment(" ", base))
                else:
                    seg = self._visible[int(cell[0])]  # type: ignore[call-overload]
                    char, style = palette.gutter_cell(seg.code_id, cell[1])
                    out.append(RichSegment(char, base + style))
            more = f"+{hidden}" if 0 < hidden < 10 else ("++" if hidden else "  ")
            out.append(RichSegment(more, base + self._style("gutter")))
            if self.memo_segments and row in self._rows_with_memos():
                out.append(RichSegment("m", base + self._style("gutter") + Style(bold=True)))
            else:
                out.append(RichSegment(" ", base))
        else:
            out.append(RichSegment(" " * self.gutter_width, base))
        return out

    def _cursor_style(self, offset: int) -> Style:
        focused = self.has_focus
        sel = self.selection
        inside = sel is not None and sel[0] <= offset < sel[1]
        if not focused:
            return Style(underline=True, bold=True)
        if inside and not self.palette.colorful:
            return Style(reverse=False, underline=True, bold=True)
        return Style(reverse=True, bold=True)

    def _paint(self, line: Text, start: int, end: int, base: Style) -> None:
        # speaker labels
        i = bisect_right(self._label_ends, start)
        speaker = self._style("speaker")
        while i < len(self._labels) and self._labels[i][0] < end:
            a, b = self._labels[i]
            line.stylize(speaker, max(a, start) - start, min(b, end) - start)
            i += 1
        # coded runs
        if self._runs:
            bg = base.bgcolor
            i = bisect_right(self._run_ends, start)
            palette = self.palette
            while i < len(self._runs) and self._runs[i].start < end:
                run = self._runs[i]
                line.stylize(palette.text_style(run.codes, bg), max(run.start, start) - start,
                             min(run.end, end) - start)
                i += 1
        # search matches
        if self._matches:
            i = bisect_right(self._match_ends, start)
            match = self._style("match")
            while i < len(self._matches) and self._matches[i][0] < end:
                a, b = self._matches[i]
                line.stylize(match, max(a, start) - start, min(b, end) - start)
                i += 1
        sel = self.selection
        if sel is not None and sel[0] < end and sel[1] > start:
            line.stylize(self._style("selection"), max(sel[0], start) - start,
                         min(sel[1], end) - start)
        if start <= self.cursor < end:
            cend = self.layout.grapheme_end(self.cursor)
            line.stylize(self._cursor_style(self.cursor), self.cursor - start,
                         min(cend, end) - start)
