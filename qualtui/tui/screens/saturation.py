"""The saturation screen: new codes per interview, the cumulative curve, and the table.

Left: a bar chart of the cumulative number of codes after each interview, the part added by
that interview drawn solid (``█``) over the codes already known (``▒``), the saturation
point marked ``^`` under its bar; below it a Sparkline of the new codes per interview. Right:
the table (interview, document, order value, new, total). Keys change the order (import
order or each attribute), ``k`` (``+``/``-``), the level and the coder. Enter on a row lists
the passages where that interview's new codes were first used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Sparkline, Static
from textual.worker import get_current_worker

from qualtui.analysis.data import AnalysisData
from qualtui.analysis.saturation import SaturationResult, saturation
from qualtui.tui.screens.cooccurrence import (
    AnalysisOptions,
    AnalysisScreen,
    JumpToPassage,
    color_depth,
    next_in,
)
from qualtui.tui.screens.matrix import segment_items

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["SaturationScreen", "bar_chart"]


def bar_chart(result: SaturationResult, height: int = 8, depth: str = "truecolor") -> Text:
    """The cumulative curve as vertical bars, one per interview, with axis and labels.

    Each bar is as tall as the number of codes known after the interview; its top part, the
    codes that interview added, is solid and highlighted; the rest is shaded. Readable
    without colour: the two parts differ by character.
    """
    steps = result.steps
    text = Text(no_wrap=True)
    if not steps:
        text.append("no coded interviews", style="italic")
        return text
    peak = max(result.curve) or 1
    bar = 2 if len(steps) <= 20 else 1
    gap = 1 if len(steps) <= 40 else 0
    new_style = Style(bold=True) if depth == "mono" else Style(color="yellow", bold=True)
    known_style = Style() if depth == "mono" else Style(color="cyan")
    axis = len(str(peak))
    for level in range(height, 0, -1):
        label = str(peak) if level == height else ("0" if level == 1 and peak == 0 else "")
        text.append(label.rjust(axis) + "┤" if label else " " * axis + "│", style="dim")
        for step in steps:
            total = round(height * step.cumulative / peak)
            known = round(height * (step.cumulative - len(step.new_codes)) / peak)
            if level <= known:
                text.append("▒" * bar, style=known_style)
            elif level <= total:
                text.append("█" * bar, style=new_style)
            else:
                text.append(" " * bar)
            text.append(" " * gap)
        text.append("\n")
    text.append(" " * axis + "└" + "─" * ((bar + gap) * len(steps) - gap) + "\n",
                style="dim")
    labels = " " * (axis + 1)
    marks = " " * (axis + 1)
    for step in steps:
        number = str(step.index)
        cell = bar + gap
        labels += (number if len(number) <= cell else number[-cell:]).ljust(cell) \
            if (bar + gap >= len(number) or step.index % 5 == 0) else " " * cell
        marks += ("^" * bar).ljust(cell) if step.index == result.point else " " * cell
    text.append(labels.rstrip() + "\n", style="dim")
    if result.point:
        text.append(marks.rstrip(), style=new_style)
        text.append(f" saturation (k={result.k})", style="dim")
    else:
        text.append(" " * (axis + 1) + f"no saturation yet (k={result.k})", style="dim")
    return text


@dataclass
class SaturationView:
    """One computed state of the screen, made in the worker."""

    data: AnalysisData
    result: SaturationResult


class SaturationScreen(AnalysisScreen):
    """Saturation chart and table. ``SaturationScreen(project, on_jump=None)``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "cycle_order", "Order", id="saturation.order",
                tooltip="Import order, or by each attribute (e.g. interview_date)"),
        Binding("plus,equals_sign", "change_k(1)", "k+1", key_display="+",
                id="saturation.k-up", tooltip="One more quiet interview needed"),
        Binding("minus", "change_k(-1)", "k-1", key_display="-", id="saturation.k-down",
                tooltip="One quiet interview fewer"),
        Binding("v", "cycle_level", "Level", id="analysis.level",
                tooltip="Leaf codes, top-level codes, or a depth"),
        Binding("c", "cycle_coder", "Coder", id="analysis.coder",
                tooltip="All coders, or one"),
        Binding("f", "filter", "Filter", id="analysis.filter",
                tooltip="Filter documents by attributes"),
        Binding("r", "reload", "Reload", show=False, id="analysis.reload",
                tooltip="Read the project again"),
        Binding("escape", "back", "Back", show=False, id="analysis.back"),
    ]
    DEFAULT_CSS = """
    SaturationScreen #saturation-body { height: 1fr; }
    SaturationScreen #saturation-left { width: 1fr; min-width: 30; padding: 0 1; }
    SaturationScreen #saturation-chart { height: auto; }
    SaturationScreen #saturation-spark-label { height: 1; margin-top: 1; color: $foreground-muted; }
    SaturationScreen #saturation-spark { height: 2; }
    SaturationScreen #saturation-table { width: 1fr; height: 1fr; }
    """

    def __init__(self, project: Project | None = None,
                 on_jump: Callable[[JumpToPassage], None] | None = None) -> None:
        super().__init__(project, on_jump)
        self.order = "import"
        self.k = 3
        self.view: SaturationView | None = None

    def compose(self) -> ComposeResult:
        yield Static("saturation", id="saturation-status", classes="analysis-status")
        with Horizontal(id="saturation-body"):
            with Vertical(id="saturation-left"):
                yield Static("", id="saturation-chart")
                yield Static("new codes per interview", id="saturation-spark-label")
                yield Sparkline([], id="saturation-spark")
            table: DataTable[Any] = DataTable(id="saturation-table", cursor_type="row",
                                              zebra_stripes=True)
            yield table
        yield Static("", id="saturation-detail", classes="analysis-detail")
        yield self.filter_input()
        yield Footer()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#saturation-table", DataTable)

    def on_mount(self) -> None:
        self.focus_main()
        self.recompute()

    def focus_main(self) -> None:
        self.table.focus()

    # -- options ---------------------------------------------------------------------------
    def orders(self) -> list[str]:
        """import, then date attributes, then every other attribute."""
        if self.base_data is None:
            return ["import"]
        types = self.base_data.attribute_types
        names = self.base_data.attribute_names()
        dated = [n for n in names if types.get(n) == "date"]
        return ["import", *(f"attribute:{n}" for n in dated),
                *(f"attribute:{n}" for n in names if n not in dated)]

    def action_cycle_order(self) -> None:
        self.order = next_in(self.orders(), self.order)
        self.recompute()

    def action_change_k(self, delta: int) -> None:
        self.k = max(1, self.k + delta)
        self.recompute()

    def status_text(self) -> str:
        return (f"saturation  order {self.order.removeprefix('attribute:')}  k {self.k}"
                f"  {self.options.describe()}")

    # -- computing -------------------------------------------------------------------------
    def recompute(self) -> None:
        self.query_one("#saturation-status", Static).update(self.status_text()
                                                            + "  (computing)")
        self._compute(self.order, self.k, AnalysisOptions(
            self.options.level, self.options.coder, list(self.options.where)))

    @work(thread=True, exclusive=True, group="saturation", exit_on_error=False)
    def _compute(self, order: str, k: int, options: AnalysisOptions) -> None:
        worker = get_current_worker()
        data = options.filtered(self.load_base())
        result = saturation(data, order, k, options.level)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, SaturationView(data, result))

    def computation_failed(self) -> None:
        self.query_one("#saturation-status", Static).update(self.status_text() + "  (failed)")

    def _show(self, view: SaturationView) -> None:
        if not self.is_attached:
            return
        self.view = view
        self.data = view.data
        result = view.result
        self.query_one("#saturation-status", Static).update(self.status_text())
        self.query_one("#saturation-chart", Static).update(
            bar_chart(result, 8, color_depth(self.app)))
        self.query_one("#saturation-spark", Sparkline).data = [
            float(n) for n in result.new_counts] or [0.0]
        table = self.table
        row = table.cursor_row
        table.clear(columns=True)
        order_name = self.order.removeprefix("attribute:") if self.order != "import" \
            else "order"
        table.add_columns("#", "document", order_name[:14], "new", "total")
        for step in result.steps:
            mark = " <" if step.index == result.point else ""
            table.add_row(str(step.index), step.document.name,
                          "" if step.order_value is None else str(step.order_value),
                          str(len(step.new_codes)), f"{step.cumulative}{mark}",
                          key=str(step.index))
        if result.steps:
            table.move_cursor(row=min(row, len(result.steps) - 1))
        self._update_detail()

    @on(DataTable.RowHighlighted, "#saturation-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    def _current_step_index(self) -> int | None:
        if self.view is None or not self.view.result.steps:
            return None
        row = self.table.cursor_row
        return row if 0 <= row < len(self.view.result.steps) else None

    def _update_detail(self) -> None:
        if self.view is None:
            return
        result = self.view.result
        text = Text()
        text.append(f"saturation: {result.summary()}\n", style="bold")
        index = self._current_step_index()
        if index is not None:
            step = result.steps[index]
            names = ", ".join(c.name for c in step.new_codes) or "no new code"
            text.append(f"{step.document.name}: {step.codes_used} codes used; new: {names}")
        if result.skipped:
            text.append("\nnot coded yet (left out): "
                        + ", ".join(d.name for d in result.skipped), style="dim")
        self.query_one("#saturation-detail", Static).update(text)

    @on(DataTable.RowSelected, "#saturation-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = self._current_step_index()
        if self.view is None or index is None:
            return
        step = self.view.result.steps[index]
        if not step.new_codes:
            self.notify(f"{step.document.name} added no new code")
            return
        from qualtui.analysis.data import level_map

        mapping = level_map(self.view.data.codes, self.options.level)
        wanted = {c.id for c in step.new_codes}
        segments = sorted((s for s in self.view.data.segments
                           if s.document_id == step.document.id
                           and mapping.get(s.code_id) in wanted),
                          key=lambda s: (s.start, s.end))
        self.show_passages(f"the {len(step.new_codes)} new code(s) of {step.document.name}",
                           segment_items(self.view.data, segments))
