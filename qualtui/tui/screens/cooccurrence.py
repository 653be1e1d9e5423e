"""The co-occurrence screen: a code x code heatmap, its options, and drill-down to passages.

Also home of the pieces the other analysis screens share:

* :class:`Heatmap` - a Line-API grid with sticky row and column headers, a cell cursor, and
  cells shaded by value. Colour is never the only cue: every non-empty cell starts with a
  shade character (``░ ▒ ▓ █`` for the four quarters of the range) and shows its value, so
  the map reads the same at 16 colours and under ``NO_COLOR``.
* :class:`JumpToPassage` - the message a drill-down posts when the user presses Enter on a
  passage; the app handles it (``on_jump_to_passage``) by opening the coding screen at
  ``document_id``, ``start``-``end``. Screens also accept an ``on_jump`` callback instead.
* :class:`PassagesScreen` - the drill-down list of passages.

The screens take the :class:`~qualtui.core.project.Project` as their only argument (or find
it as ``self.app.project`` when built without one, as the app's mode registry does). They
read the project once, in a worker thread, into plain :mod:`qualtui.analysis` data and do
every computation in workers, so the UI never freezes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from qualtui.analysis.cooccurrence import (
    COUNTS,
    MEASURES,
    CooccurrenceMatrix,
    CooccurrenceStats,
    Proximity,
    compute_cooccurrence,
    cooccurring_passages,
)
from qualtui.analysis.data import (
    AnalysisData,
    Level,
    code_label,
    from_project,
    level_label,
    parse_condition,
    select,
    unique_labels,
)
from qualtui.core.errors import QualtuiError
from qualtui.tui.messages import JumpToPassage

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "SHADES",
    "AnalysisOptions",
    "CooccurrenceScreen",
    "Grid",
    "Heatmap",
    "JumpToPassage",
    "PassageItem",
    "PassagesScreen",
    "color_depth",
]

SHADES = "░▒▓█"
PROXIMITIES = (Proximity("overlap"), Proximity("turn"), Proximity("paragraph"),
               Proximity("chars", 100), Proximity("chars", 500))


# --------------------------------------------------------------------------- shared helpers


def color_depth(app: Any) -> str:
    """``truecolor``, ``256``, ``16`` or ``mono``: the app's own choice when it has one."""
    depth = getattr(app, "color_depth", None)
    if depth in ("truecolor", "256", "16", "mono"):
        return depth
    from qualtui.tui.widgets.palette import detect_depth

    return detect_depth(app.console.color_system, app.no_color)


def shade_level(value: float | None, peak: float) -> int:
    """0 for none/zero, else 1-4: the quarter of ``(0, peak]`` that ``value`` falls in."""
    if value is None or value <= 0 or peak <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * value / peak - 1e-9)))


def level_styles(depth: str, primary: str, background: str) -> list[Style]:
    """Styles for shade levels 1-4 (index 0 is level 1) at a colour depth.

    truecolor/256: a background ramp from the theme's background towards its primary
    colour, with black or white text by contrast. 16 colours: no background (they collapse
    there); four distinct ANSI text colours, bold for the upper half. mono: bold for the
    upper half; the shade characters carry the rest.
    """
    if depth == "mono":
        return [Style(), Style(), Style(bold=True), Style(bold=True)]
    if depth == "16":
        return [Style(color="blue"), Style(color="cyan"), Style(color="yellow", bold=True),
                Style(color="bright_red", bold=True)]
    try:
        top = Color.parse(primary).get_truecolor()
        base = Color.parse(background).get_truecolor()
    except Exception:  # noqa: BLE001 - a theme may hold anything
        top, base = Color.parse("#0072B2").get_truecolor(), Color.parse("#000000").get_truecolor()
    out = []
    for k in (0.3, 0.5, 0.75, 1.0):
        rgb = tuple(round(b + (t - b) * k) for t, b in zip(top, base, strict=True))
        luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
        out.append(Style(bgcolor=Color.from_rgb(*rgb),
                         color="#000000" if luminance > 140 else "#ffffff"))
    return out


def legend_ranges(peak: float, integer: bool, decimals: int = 2) -> list[tuple[int, str]]:
    """``(level, "lo-hi")`` for the levels that can occur, for the legend."""
    out: list[tuple[int, str]] = []
    for level in range(1, 5):
        lo, hi = (level - 1) * peak / 4, level * peak / 4
        if integer:
            first, last = math.floor(lo) + 1, math.floor(hi + 1e-9)
            if first > last:
                continue
            out.append((level, str(first) if first == last else f"{first}-{last}"))
        else:
            out.append((level, f"{lo:.{decimals}f}-{hi:.{decimals}f}"))
    return out


# --------------------------------------------------------------------------- heatmap widget


@dataclass
class Grid:
    """What a :class:`Heatmap` shows.

    ``values`` drive the shading (``None``: blank cell, e.g. the diagonal); ``texts`` are
    printed. ``total_col``/``total_row`` add an unshaded totals column/row at the end,
    labelled "total" / ``total_corner``, meeting in ``grand_total``.
    """

    row_labels: list[str]
    col_labels: list[str]
    values: list[list[float | None]]
    texts: list[list[str]]
    corner: str = ""
    total_col: list[str] | None = None
    total_row: list[str] | None = None
    total_corner: str = ""
    grand_total: str = ""
    integer: bool = True
    peak_value: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.peak_value = self.peak()

    @property
    def rows(self) -> int:
        return len(self.row_labels) + (1 if self.total_row is not None else 0)

    @property
    def cols(self) -> int:
        return len(self.col_labels) + (1 if self.total_col is not None else 0)

    def peak(self) -> float:
        return max((v for row in self.values for v in row if v is not None), default=0.0)


class Heatmap(ScrollView, can_focus=True):
    """A grid of shaded cells with sticky headers and a cell cursor.

    The first line (column labels) and the first columns (row labels) stay put while the
    cells scroll under them. Arrow keys (and ``h j k l``) move the cursor cell to cell;
    Enter posts :class:`Heatmap.Selected`, every move :class:`Heatmap.Highlighted`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1, 0)", "Up", show=False, id="heatmap.up"),
        Binding("down,j", "move(1, 0)", "Down", show=False, id="heatmap.down"),
        Binding("left,h", "move(0, -1)", "Left", show=False, id="heatmap.left"),
        Binding("right,l", "move(0, 1)", "Right", show=False, id="heatmap.right"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="heatmap.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="heatmap.page-down"),
        Binding("home", "edge('home')", "First column", show=False, id="heatmap.home"),
        Binding("end", "edge('end')", "Last column", show=False, id="heatmap.end"),
        Binding("ctrl+home,less_than_sign", "edge('top')", "First row", show=False,
                id="heatmap.top"),
        Binding("ctrl+end,greater_than_sign", "edge('bottom')", "Last row", show=False,
                id="heatmap.bottom"),
        Binding("enter", "select", "Drill down", id="heatmap.select"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "heatmap--header", "heatmap--label", "heatmap--cursor", "heatmap--crosshair",
        "heatmap--zero", "heatmap--total",
    }
    DEFAULT_CSS = """
    Heatmap {
        height: 1fr;
        scrollbar-size: 1 1;
        scrollbar-gutter: stable;
    }
    Heatmap > .heatmap--header { color: $foreground; text-style: bold; }
    Heatmap > .heatmap--label { color: $foreground; }
    Heatmap > .heatmap--crosshair { color: $accent; text-style: bold underline; }
    Heatmap > .heatmap--cursor { text-style: reverse bold; }
    Heatmap > .heatmap--zero { color: $foreground-muted; }
    Heatmap > .heatmap--total { color: $foreground; text-style: italic; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)
    cursor_col: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to ``(row, col)`` (indexes include a totals row/column)."""

        def __init__(self, heatmap: Heatmap, row: int, col: int) -> None:
            super().__init__()
            self.heatmap = heatmap
            self.row = row
            self.col = col

    class Selected(Message):
        """Enter on cell ``(row, col)``."""

        def __init__(self, heatmap: Heatmap, row: int, col: int) -> None:
            super().__init__()
            self.heatmap = heatmap
            self.row = row
            self.col = col

    def __init__(self, *, label_width: int = 18, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.grid: Grid | None = None
        self.max_label_width = label_width
        self.label_width = 0
        self.cell_width = 5
        self.depth = "truecolor"
        self._levels: list[Style] = []
        self._styles: dict[str, Style] = {}
        self._row_cache: dict[int, list[Segment]] = {}

    def _style(self, part: str) -> Style:
        """A component class's rich style, looked up once per theme."""
        style = self._styles.get(part)
        if style is None:
            style = self._styles[part] = self.get_component_rich_style(f"heatmap--{part}")
        return style

    def _refresh_levels(self) -> None:
        variables = self.app.get_css_variables()
        self._levels = level_styles(self.depth, variables.get("primary", "#0072B2"),
                                    variables.get("background", "#000000"))

    # -- data ------------------------------------------------------------------------------
    def set_grid(self, grid: Grid, *, keep_cursor: bool = True) -> None:
        """Show ``grid``; the cursor stays where it was when it still fits."""
        self.grid = grid
        self.depth = color_depth(self.app)
        self._refresh_levels()
        longest = max((len(t) for row in grid.texts for t in row), default=1)
        totals = [*(grid.total_col or []), *(grid.total_row or []), grid.grand_total]
        longest = max(longest, *(len(t) for t in totals), 1) if totals else longest
        widest_label = max((len(x) for x in grid.col_labels), default=1)
        self.cell_width = max(5, longest + 3, widest_label + 1)
        labels = [*grid.row_labels, grid.corner, grid.total_corner if grid.total_row else ""]
        self.label_width = min(self.max_label_width, max(len(x) for x in labels) + 1)
        self._row_cache.clear()
        self._update_virtual_size()
        if not keep_cursor:
            self.cursor_row = self.cursor_col = 0
        self.cursor_row = max(0, min(self.cursor_row, grid.rows - 1))
        self.cursor_col = max(0, min(self.cursor_col, grid.cols - 1))
        self._scroll_to_cursor()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._row_cache.clear()
        self._styles.clear()
        if self.grid is not None and self.is_mounted:
            self._refresh_levels()

    def cell_text(self, row: int, col: int) -> str:
        """The text shown in a cell (totals included), for tests and the status line."""
        assert self.grid is not None
        grid = self.grid
        n_rows, n_cols = len(grid.row_labels), len(grid.col_labels)
        if row == n_rows and grid.total_row is not None:
            return grid.total_row[col] if col < len(grid.total_row) else grid.grand_total
        if col == n_cols and grid.total_col is not None:
            return grid.total_col[row]
        return grid.texts[row][col]

    # -- rendering -------------------------------------------------------------------------
    def _cell_segments(self, row: int, col: int) -> list[Segment]:
        assert self.grid is not None
        grid = self.grid
        width = self.cell_width
        n_rows, n_cols = len(grid.row_labels), len(grid.col_labels)
        is_total = row >= n_rows or col >= n_cols
        text = self.cell_text(row, col)
        cursor = row == self.cursor_row and col == self.cursor_col
        if is_total:
            style = self._style("total")
            body = " " + text.rjust(width - 2)
        else:
            value = grid.values[row][col]
            level = shade_level(value, grid.peak_value)
            if level:
                style = self._levels[level - 1]
                body = SHADES[level - 1] + text.rjust(width - 2)
            else:
                style = self._style("zero")
                body = " " + text.rjust(width - 2)
        if cursor:
            style = style + self._style("cursor")
        return [Segment(body, style), Segment(" ")]

    def _row_segments(self, row: int) -> list[Segment]:
        cached = self._row_cache.get(row)
        if cached is None:
            assert self.grid is not None
            cached = []
            for col in range(self.grid.cols):
                cached.extend(self._cell_segments(row, col))
            self._row_cache[row] = cached
        return cached

    def _label(self, text: str, style: Style) -> Segment:
        width = self.label_width
        clipped = text if len(text) < width else text[: width - 2] + "…"
        return Segment(clipped.ljust(width), style)

    def _header_segments(self) -> list[Segment]:
        assert self.grid is not None
        grid = self.grid
        out: list[Segment] = []
        header = self._style("header")
        cross = self._style("crosshair")
        labels = [*grid.col_labels, *(["total"] if grid.total_col is not None else [])]
        for col, label in enumerate(labels):
            text = label[: self.cell_width - 1].rjust(self.cell_width - 1) + " "
            out.append(Segment(text, cross if col == self.cursor_col else header))
        return out

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self.grid is None or width <= 0:
            return Strip.blank(max(width, 0), base)
        grid = self.grid
        scroll_x, scroll_y = self.scroll_offset
        label_w = self.label_width
        data_w = max(0, width - label_w)
        header = self._style("header")
        if y == 0:
            label = self._label(grid.corner, header)
            cells = Strip(self._header_segments()).crop_extend(scroll_x, scroll_x + data_w,
                                                               base)
            return Strip([label, *cells]).apply_style(base)
        row = y - 1 + scroll_y
        if row >= grid.rows:
            return Strip.blank(width, base)
        n_rows = len(grid.row_labels)
        if row < n_rows:
            text = grid.row_labels[row]
        else:
            text = grid.total_corner or "total"
        style = self._style("crosshair" if row == self.cursor_row else
                            "total" if row >= n_rows else "label")
        label = self._label(text, style)
        cells = Strip(self._row_segments(row)).crop_extend(scroll_x, scroll_x + data_w, base)
        return Strip([label, *cells]).apply_style(base)

    # -- cursor ----------------------------------------------------------------------------
    def _update_virtual_size(self) -> None:
        """Cells plus the padding that lets the last column scroll to a cell boundary."""
        if self.grid is None:
            return
        data_w = max(self.cell_width, self.scrollable_content_region.width - self.label_width)
        pad = data_w % self.cell_width
        self.virtual_size = Size(self.label_width + self.grid.cols * self.cell_width + pad,
                                 self.grid.rows + 1)

    def _scroll_to_cursor(self) -> None:
        """Scroll (by whole cells) so that the cursor cell is in view."""
        if self.grid is None:
            return
        region = self.scrollable_content_region
        width = self.cell_width
        visible = max(1, (region.width - self.label_width) // width)
        data_h = max(1, region.height - 1)
        scroll_x, scroll_y = self.scroll_offset
        first = scroll_x // width
        if self.cursor_col < first:
            first = self.cursor_col
        elif self.cursor_col >= first + visible:
            first = self.cursor_col - visible + 1
        first = max(0, min(first, self.grid.cols - visible))
        scroll_x = first * width
        if self.cursor_row < scroll_y:
            scroll_y = self.cursor_row
        elif self.cursor_row >= scroll_y + data_h:
            scroll_y = self.cursor_row - data_h + 1
        self.scroll_to(x=scroll_x, y=scroll_y, animate=False, force=True)

    def _moved(self, old_row: int, old_col: int) -> None:
        self._row_cache.pop(old_row, None)
        self._row_cache.pop(self.cursor_row, None)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_row, self.cursor_col))

    def move_to(self, row: int, col: int) -> None:
        """Put the cursor on ``(row, col)`` (clamped)."""
        if self.grid is None:
            return
        old = (self.cursor_row, self.cursor_col)
        self.cursor_row = max(0, min(row, self.grid.rows - 1))
        self.cursor_col = max(0, min(col, self.grid.cols - 1))
        self._moved(*old)

    def action_move(self, d_row: int, d_col: int) -> None:
        self.move_to(self.cursor_row + d_row, self.cursor_col + d_col)

    def action_page(self, direction: int) -> None:
        step = max(1, self.scrollable_content_region.height - 2)
        self.move_to(self.cursor_row + direction * step, self.cursor_col)

    def action_edge(self, where: str) -> None:
        if self.grid is None:
            return
        if where == "home":
            self.move_to(self.cursor_row, 0)
        elif where == "end":
            self.move_to(self.cursor_row, self.grid.cols - 1)
        elif where == "top":
            self.move_to(0, self.cursor_col)
        else:
            self.move_to(self.grid.rows - 1, self.cursor_col)

    def action_select(self) -> None:
        if self.grid is not None and self.grid.rows and self.grid.cols:
            self.post_message(self.Selected(self, self.cursor_row, self.cursor_col))

    def on_click(self, event: Click) -> None:
        if self.grid is None:
            return
        scroll_x, scroll_y = self.scroll_offset
        if event.y < 1 or event.x < self.label_width:
            return
        row = event.y - 1 + scroll_y
        col = (event.x - self.label_width + scroll_x) // self.cell_width
        if 0 <= row < self.grid.rows and 0 <= col < self.grid.cols:
            if (row, col) == (self.cursor_row, self.cursor_col) and event.chain >= 2:
                self.action_select()
            else:
                self.move_to(row, col)

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()


# --------------------------------------------------------------------------- drill-down


@dataclass(frozen=True)
class PassageItem:
    """One line of a drill-down: where it is, what it is (codes, coders), and its text."""

    document_id: str
    document: str
    start: int
    end: int
    title: str
    text: str
    segment_id: str | None = None


class PassagesScreen(Screen[None]):
    """A list of passages; Enter jumps to the selected one, Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="passages.back"),
        Binding("enter", "jump", "Go to passage", id="passages.jump"),
    ]
    DEFAULT_CSS = """
    PassagesScreen { background: $background; }
    PassagesScreen #passages-title { height: auto; padding: 0 1; background: $panel;
                                     text-style: bold; }
    PassagesScreen #passages { height: 1fr; border: none; }
    """

    def __init__(self, title: str, items: Sequence[PassageItem],
                 on_jump: Callable[[JumpToPassage], None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.on_jump = on_jump

    def compose(self) -> ComposeResult:
        yield Static(f"{self.title_text}  ({len(self.items)} passages)", id="passages-title")
        options = []
        for n, item in enumerate(self.items):
            prompt = Text()
            prompt.append(f"{item.document}  {item.start}-{item.end}  ", style="bold")
            prompt.append(item.title)
            prompt.append("\n")
            flat = " ".join(item.text.split())
            prompt.append(flat if len(flat) <= 400 else flat[:397] + "...", style="italic")
            options.append(Option(prompt, id=str(n)))
        if not options:
            options.append(Option("(no passages)", id="none", disabled=True))
        yield OptionList(*options, id="passages")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @property
    def highlighted(self) -> PassageItem | None:
        index = self.query_one(OptionList).highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    def action_back(self) -> None:
        self.dismiss(None)

    def action_jump(self) -> None:
        item = self.highlighted
        if item is None:
            return
        message = JumpToPassage(item.document_id, item.start, item.end, item.segment_id)
        if self.on_jump is not None:
            self.on_jump(message)
        else:
            self.post_message(message)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_jump()


# --------------------------------------------------------------------------- options


@dataclass
class AnalysisOptions:
    """Options every analysis screen shares: level, coder and attribute filter."""

    level: Level = "leaf"
    coder: str | None = None
    where: list[str] = field(default_factory=list)

    def filtered(self, data: AnalysisData) -> AnalysisData:
        return select(data, coders=[self.coder] if self.coder else None, where=self.where)

    def describe(self) -> str:
        parts = [f"level {level_label(self.level)}", f"coder {self.coder or 'all'}"]
        if self.where:
            parts.append("where " + "; ".join(self.where))
        return "  ".join(parts)


def next_in(values: Sequence[Any], current: Any) -> Any:
    """The value after ``current`` in ``values``, wrapping around."""
    try:
        return values[(list(values).index(current) + 1) % len(values)]
    except ValueError:
        return values[0]


def levels_for(data: AnalysisData) -> list[Level]:
    """leaf, top and every intermediate depth the codebook has."""
    deepest = max((c.depth for c in data.codes), default=1)
    return ["leaf", "top", *range(2, deepest)]


class AnalysisScreen(Screen[None]):
    """Base of the analysis screens: project access, data loading, shared option keys."""

    DEFAULT_CSS = """
    AnalysisScreen .analysis-status { height: 1; padding: 0 1; background: $panel; }
    AnalysisScreen .analysis-detail { height: auto; max-height: 3; padding: 0 1;
                                      color: $foreground; }
    AnalysisScreen .analysis-legend { height: 1; padding: 0 1; }
    AnalysisScreen #filter { dock: bottom; height: 1; border: none; padding: 0 1;
                             display: none; }
    AnalysisScreen #filter.-open { display: block; }
    """

    def __init__(self, project: Project | None = None,
                 on_jump: Callable[[JumpToPassage], None] | None = None) -> None:
        super().__init__()
        self._project = project
        self.on_jump = on_jump
        self.options = AnalysisOptions()
        self.base_data: AnalysisData | None = None
        self.data: AnalysisData | None = None  # base_data after the options' filters

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = self.app.project  # type: ignore[attr-defined]
        return self._project

    def load_base(self) -> AnalysisData:
        """The project's analysis data (read once; call from a worker)."""
        if self.base_data is None:
            self.base_data = from_project(self.project)
        return self.base_data

    def filter_input(self) -> Input:
        return Input(placeholder="attribute filter, e.g. role=Webmaster; years_of_service>=10"
                     "   (Enter applies, empty clears, Esc cancels)", id="filter")

    # -- shared actions ---------------------------------------------------------------------
    def action_cycle_level(self) -> None:
        if self.base_data is None:
            return
        self.options.level = next_in(levels_for(self.base_data), self.options.level)
        self.recompute()

    def action_cycle_coder(self) -> None:
        if self.base_data is None:
            return
        self.options.coder = next_in([None, *self.base_data.coders], self.options.coder)
        self.recompute()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = "; ".join(self.options.where)
        box.add_class("-open")
        box.focus()

    def action_reload(self) -> None:
        self.base_data = None
        self.project.refresh()
        self.recompute()

    def action_back(self) -> None:
        """Esc: close the filter line if open, else leave a pushed screen."""
        if self.query("#filter.-open"):
            self._close_filter()
        elif len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        conditions = [c.strip() for c in event.value.split(";") if c.strip()]
        try:
            parsed = [parse_condition(c) for c in conditions]
            if self.base_data is not None:
                select(self.base_data, where=parsed)  # unknown attributes fail here
        except QualtuiError as exc:
            self.notify(str(exc), severity="error")
            return
        self.options.where = conditions
        self._close_filter()
        self.recompute()

    def _close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-open")
        self.focus_main()

    def focus_main(self) -> None:
        """Focus the screen's main widget (overridden)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed computation becomes a notification; the screen keeps its last result."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        message = str(error) if isinstance(error, QualtuiError) else (
            f"analysis failed: {type(error).__name__}: {error}")
        self.notify(message, severity="error", timeout=8)
        self.computation_failed()

    def computation_failed(self) -> None:
        """Put the screen back to a usable state after a failed worker (overridden)."""

    def recompute(self) -> None:
        """Start the worker that recomputes the screen (overridden)."""

    def show_passages(self, title: str, items: Sequence[PassageItem]) -> None:
        self.app.push_screen(PassagesScreen(title, items, self.on_jump))


# --------------------------------------------------------------------------- co-occurrence


@dataclass
class CooccurrenceView:
    """One computed state of the screen, made in the worker."""

    data: AnalysisData
    stats: CooccurrenceStats
    matrix: CooccurrenceMatrix
    grid: Grid


class CooccurrenceScreen(AnalysisScreen):
    """Code co-occurrence heatmap. ``CooccurrenceScreen(project, on_jump=None)``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "cycle_proximity", "Proximity", id="cooccurrence.proximity",
                tooltip="overlap -> same turn -> same paragraph -> within 100/500 chars"),
        Binding("n", "cycle_count", "Count", id="cooccurrence.count",
                tooltip="Count segment pairs, documents or cases"),
        Binding("m", "cycle_measure", "Measure", id="cooccurrence.measure",
                tooltip="count -> Jaccard -> c-coefficient"),
        Binding("v", "cycle_level", "Level", id="analysis.level",
                tooltip="Leaf codes, top-level codes, or a depth"),
        Binding("c", "cycle_coder", "Coder", id="analysis.coder",
                tooltip="All coders, or one"),
        Binding("s", "toggle_sort", "Sort", id="cooccurrence.sort",
                tooltip="Codebook order or by total"),
        Binding("f", "filter", "Filter", id="analysis.filter",
                tooltip="Filter documents by attributes"),
        Binding("r", "reload", "Reload", show=False, id="analysis.reload",
                tooltip="Read the project again"),
        Binding("escape", "back", "Back", show=False, id="analysis.back"),
    ]
    DEFAULT_CSS = """
    CooccurrenceScreen #cooc-heatmap { height: 1fr; }
    """

    def __init__(self, project: Project | None = None,
                 on_jump: Callable[[JumpToPassage], None] | None = None) -> None:
        super().__init__(project, on_jump)
        self.proximity = Proximity("overlap")
        self.count = "segments"
        self.measure = "count"
        self.sort_by_total = False
        self.view: CooccurrenceView | None = None
        self._stats_key: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static("co-occurrence", id="cooc-status", classes="analysis-status")
        yield Heatmap(id="cooc-heatmap")
        yield Static("", id="cooc-legend", classes="analysis-legend")
        yield Static("", id="cooc-detail", classes="analysis-detail")
        yield self.filter_input()
        yield Footer()

    @property
    def heatmap(self) -> Heatmap:
        return self.query_one("#cooc-heatmap", Heatmap)

    def on_mount(self) -> None:
        self.heatmap.focus()
        self.recompute()

    def focus_main(self) -> None:
        self.heatmap.focus()

    # -- options ---------------------------------------------------------------------------
    def action_cycle_proximity(self) -> None:
        self.proximity = next_in(PROXIMITIES, self.proximity)
        self.recompute()

    def action_cycle_count(self) -> None:
        self.count = next_in(COUNTS, self.count)
        self.recompute()

    def action_cycle_measure(self) -> None:
        self.measure = next_in(MEASURES, self.measure)
        self.recompute()

    def action_toggle_sort(self) -> None:
        self.sort_by_total = not self.sort_by_total
        self.recompute()

    def status_text(self) -> str:
        return (f"co-occurrence  proximity {self.proximity}  count {self.count}"
                f"  measure {self.measure}  {self.options.describe()}"
                f"  sort {'total' if self.sort_by_total else 'codebook'}")

    # -- computing -------------------------------------------------------------------------
    def recompute(self) -> None:
        self.query_one("#cooc-status", Static).update(self.status_text() + "  (computing)")
        self.heatmap.loading = self.view is None
        self._compute(self.proximity, self.count, self.measure, self.sort_by_total,
                      AnalysisOptions(self.options.level, self.options.coder,
                                      list(self.options.where)))

    @work(thread=True, exclusive=True, group="cooccurrence", exit_on_error=False)
    def _compute(self, proximity: Proximity, count: str, measure: str, by_total: bool,
                 options: AnalysisOptions) -> None:
        worker = get_current_worker()
        base = self.load_base()
        key = (proximity, options.level, options.coder, tuple(options.where))
        if self.view is not None and self._stats_key == key:
            data, stats = self.view.data, self.view.stats
        else:
            data = options.filtered(base)
            stats = compute_cooccurrence(data, proximity, options.level)
        matrix = stats.matrix(count, measure)
        if by_total:
            matrix = matrix.sorted_by_total()
        grid = self.build_grid(matrix)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, CooccurrenceView(data, stats, matrix, grid),
                                      key)

    @staticmethod
    def build_grid(matrix: CooccurrenceMatrix) -> Grid:
        """The heatmap grid of a matrix: short labels, ``·`` for zero, blank diagonal."""
        texts = [["" if v is None else "·" if v == 0 else matrix.format(v) for v in row]
                 for row in matrix.values]
        widest = max((len(t) for row in texts for t in row), default=1)
        col_labels = unique_labels(matrix.codes, max(4, widest + 1))
        return Grid(row_labels=[code_label(c, 17) for c in matrix.codes],
                    col_labels=col_labels, values=matrix.values, texts=texts,
                    corner=f"{len(matrix.codes)} codes", integer=matrix.measure == "count")

    def computation_failed(self) -> None:
        self.heatmap.loading = False
        self.query_one("#cooc-status", Static).update(self.status_text() + "  (failed)")

    def action_reload(self) -> None:
        self._stats_key = None
        super().action_reload()

    def _show(self, view: CooccurrenceView, key: tuple[Any, ...]) -> None:
        if not self.is_attached:
            return
        self.view = view
        self._stats_key = key
        self.data = view.data
        heatmap = self.heatmap
        heatmap.loading = False
        heatmap.set_grid(view.grid)
        if not isinstance(self.focused, Input):  # the loading overlay may have taken focus
            heatmap.focus()
        self.query_one("#cooc-status", Static).update(
            self.status_text() + f"  {view.matrix.documents} docs"
            f"  {view.matrix.segments} segments")
        self._update_legend()
        self._update_detail()

    def _update_legend(self) -> None:
        if self.view is None:
            return
        grid = self.view.grid
        heatmap = self.heatmap
        legend = Text()
        peak = grid.peak()
        if not peak:
            legend.append("no co-occurrences with these options", style="italic")
        for level, label in legend_ranges(peak, grid.integer):
            style = heatmap._levels[level - 1] if heatmap._levels else Style()
            legend.append(f"{SHADES[level - 1]} {label}", style=style)
            legend.append("  ")
        legend.append("  · none   Enter: passages   diagonal: same code", style="dim")
        self.query_one("#cooc-legend", Static).update(legend)

    @on(Heatmap.Highlighted)
    def _highlighted(self, event: Heatmap.Highlighted) -> None:
        self._update_detail()

    def _update_detail(self) -> None:
        detail = self.query_one("#cooc-detail", Static)
        view = self.view
        if view is None or not view.matrix.codes:
            detail.update("no coded segments with these options" if view else "")
            return
        row, col = self.heatmap.cursor_row, self.heatmap.cursor_col
        codes = view.matrix.codes
        a, b = codes[row], codes[col]
        if a.id == b.id:
            freq = view.matrix.frequency[row]
            detail.update(f"{a.path}: {freq} {self.count} (a code never co-occurs with"
                          " itself)")
            return
        stat = view.stats.pair_stat(self.count, a.id, b.id)
        flag = " (capped: pairs outnumber segments)" if stat.c_out_of_range else ""
        detail.update(f"{a.path}  x  {b.path}\n"
                      f"n12 {stat.n12} {self.count}   n1 {stat.n1}   n2 {stat.n2}"
                      f"   jaccard {stat.jaccard:.2f}   c {stat.c:.2f}{flag}")

    @on(Heatmap.Selected)
    def _selected(self, event: Heatmap.Selected) -> None:
        event.stop()
        view = self.view
        if view is None:
            return
        codes = view.matrix.codes
        a, b = codes[event.row], codes[event.col]
        if a.id == b.id:
            self.notify("the diagonal has no passages: pick two different codes")
            return
        passages = cooccurring_passages(view.data, a.id, b.id, self.proximity,
                                        self.options.level)
        if not passages:
            self.notify(f"{a.name} and {b.name} do not co-occur ({self.proximity})")
            return
        items = [PassageItem(
            document_id=p.document.id, document=p.document.name, start=p.start, end=p.end,
            title=(f"{view.data.code_by_id[p.a.code_id].name} [{p.a.coder}]  x  "
                   f"{view.data.code_by_id[p.b.code_id].name} [{p.b.coder}]"),
            text=p.text, segment_id=p.a.id) for p in passages]
        self.show_passages(f"{a.path}  x  {b.path}  ({self.proximity})", items)
