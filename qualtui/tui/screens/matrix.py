"""The matrix screen: code x document / case / attribute crosstab, and code frequencies.

The crosstab is a :class:`~qualtui.tui.screens.cooccurrence.Heatmap` with codes as rows,
the groups as columns, and a totals row and column. Keys change the grouping (documents,
cases, each attribute), the cells (segments or presence), the percentages (of the code's
total, of the group's total, of the grand total), the level and the coder; ``t`` swaps the
crosstab for the sortable code-frequency table. Enter on a cell lists its passages (a total
lists the whole row or column) and Enter there jumps to the coding screen
(:class:`~qualtui.tui.screens.cooccurrence.JumpToPassage`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from qualtui.analysis.data import AnalysisData, CodeInfo, Seg, code_label, unique_labels
from qualtui.analysis.matrices import (
    CELLS,
    FREQUENCY_SORTS,
    PERCENTS,
    Crosstab,
    FrequencyTable,
    Grouping,
    cell_segments,
    code_frequencies,
    crosstab,
)
from qualtui.tui.screens.cooccurrence import (
    SHADES,
    AnalysisOptions,
    AnalysisScreen,
    Grid,
    Heatmap,
    JumpToPassage,
    PassageItem,
    legend_ranges,
    next_in,
)

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["PERCENT_LABELS", "MatrixScreen", "segment_items"]

PERCENT_LABELS = {"none": "none", "code": "of code total", "group": "of column total",
                  "total": "of grand total"}


def segment_items(data: AnalysisData, segments: Sequence[Seg]) -> list[PassageItem]:
    """Drill-down lines for segments: document, range, code [coder], text."""
    out = []
    for seg in segments:
        doc = data.doc_by_id[seg.document_id]
        code = data.code_by_id.get(seg.code_id)
        out.append(PassageItem(document_id=doc.id, document=doc.name, start=seg.start,
                               end=seg.end, title=f"{code.path if code else '?'} [{seg.coder}]",
                               text=doc.text[seg.start:seg.end], segment_id=seg.id))
    return out


@dataclass
class MatrixView:
    """One computed state of the screen, made in the worker."""

    data: AnalysisData
    table: Crosstab
    grid: Grid
    frequencies: FrequencyTable


class MatrixScreen(AnalysisScreen):
    """Crosstab heatmap and frequency table. ``MatrixScreen(project, on_jump=None)``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "cycle_grouping", "Group by", id="matrix.grouping",
                tooltip="Documents -> cases -> each attribute"),
        Binding("u", "cycle_cells", "Cells", id="matrix.cells",
                tooltip="Segments, or presence (documents/cases with the code)"),
        Binding("p", "cycle_percent", "Percent", id="matrix.percent",
                tooltip="None -> % of code total -> % of group total -> % of grand total"),
        Binding("t", "toggle_frequencies", "Frequencies", id="matrix.frequencies",
                tooltip="Crosstab or code frequency table"),
        Binding("s", "cycle_sort", "Sort", id="matrix.sort",
                tooltip="Frequency table: sort by code, segments, documents, cases, words"),
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
    MatrixScreen #matrix-heatmap { height: 1fr; }
    MatrixScreen #frequencies { height: 1fr; display: none; }
    MatrixScreen.-frequencies #frequencies { display: block; }
    MatrixScreen.-frequencies #matrix-heatmap { display: none; }
    MatrixScreen.-frequencies #matrix-legend { display: none; }
    """

    def __init__(self, project: Project | None = None,
                 on_jump: Callable[[JumpToPassage], None] | None = None) -> None:
        super().__init__(project, on_jump)
        self.grouping = Grouping("documents")
        self.cells = "segments"
        self.percent = "none"
        self.show_frequencies = False
        self.sort = "code"
        self.view: MatrixView | None = None

    def compose(self) -> ComposeResult:
        yield Static("matrix", id="matrix-status", classes="analysis-status")
        yield Heatmap(id="matrix-heatmap", label_width=20)
        table: DataTable[Any] = DataTable(id="frequencies", cursor_type="row",
                                          zebra_stripes=True)
        yield table
        yield Static("", id="matrix-legend", classes="analysis-legend")
        yield Static("", id="matrix-detail", classes="analysis-detail")
        yield self.filter_input()
        yield Footer()

    @property
    def heatmap(self) -> Heatmap:
        return self.query_one("#matrix-heatmap", Heatmap)

    @property
    def frequency_table(self) -> DataTable[Any]:
        return self.query_one("#frequencies", DataTable)

    def on_mount(self) -> None:
        self.frequency_table.add_columns("code", "segments", "documents", "cases", "words")
        self.focus_main()
        self.recompute()

    def focus_main(self) -> None:
        (self.frequency_table if self.show_frequencies else self.heatmap).focus()

    # -- options ---------------------------------------------------------------------------
    def groupings(self) -> list[Grouping]:
        names = self.base_data.attribute_names() if self.base_data else []
        return [Grouping("documents"), Grouping("cases"),
                *(Grouping("attribute", name) for name in names)]

    def action_cycle_grouping(self) -> None:
        self.grouping = next_in(self.groupings(), self.grouping)
        self.recompute()

    def action_cycle_cells(self) -> None:
        self.cells = next_in(CELLS, self.cells)
        self.recompute()

    def action_cycle_percent(self) -> None:
        self.percent = next_in(PERCENTS, self.percent)
        self.recompute()

    def action_toggle_frequencies(self) -> None:
        self.show_frequencies = not self.show_frequencies
        self.set_class(self.show_frequencies, "-frequencies")
        self.focus_main()
        self._update_status()
        self._update_detail()

    def action_cycle_sort(self) -> None:
        if not self.show_frequencies:
            self.action_toggle_frequencies()
            return
        self.sort = next_in(FREQUENCY_SORTS, self.sort)
        self._fill_frequencies()
        self._update_status()

    def status_text(self) -> str:
        if self.show_frequencies:
            return (f"code frequencies  sort {self.sort}  {self.options.describe()}")
        unit = "segments" if self.cells == "segments" else self.grouping.unit
        return (f"matrix  codes x {self.grouping}  cells {self.cells} ({unit})"
                f"  percent {PERCENT_LABELS[self.percent]}  {self.options.describe()}")

    def _update_status(self, suffix: str = "") -> None:
        self.query_one("#matrix-status", Static).update(self.status_text() + suffix)

    # -- computing -------------------------------------------------------------------------
    def recompute(self) -> None:
        self._update_status("  (computing)")
        self.heatmap.loading = self.view is None
        self._compute(self.grouping, self.cells, self.percent,
                      AnalysisOptions(self.options.level, self.options.coder,
                                      list(self.options.where)))

    @work(thread=True, exclusive=True, group="matrix", exit_on_error=False)
    def _compute(self, grouping: Grouping, cells: str, percent: str,
                 options: AnalysisOptions) -> None:
        worker = get_current_worker()
        data = options.filtered(self.load_base())
        table = crosstab(data, grouping, cells, options.level)
        grid = self.build_grid(table, percent)
        frequencies = code_frequencies(data, options.level)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, MatrixView(data, table, grid, frequencies))

    @staticmethod
    def build_grid(table: Crosstab, percent: str) -> Grid:
        """Codes as rows, groups as columns, totals at the ends; shading by the shown value."""
        values: list[list[float | None]] = []
        texts: list[list[str]] = []
        for i in range(len(table.codes)):
            row_values: list[float | None] = []
            row_texts: list[str] = []
            for j in range(len(table.groups)):
                count = table.cells[i][j]
                pct = table.percent(i, j, percent)
                shown = float(count) if pct is None else pct
                row_values.append(shown)
                row_texts.append("·" if not count else str(count) if pct is None
                                 else f"{pct:.0f}%")
            values.append(row_values)
            texts.append(row_texts)
        labels = unique_labels([CodeInfo(id=g.key, name=g.label, path=g.label)
                                for g in table.groups], 6)
        return Grid(row_labels=[code_label(c, 19) for c in table.codes], col_labels=labels,
                    values=values, texts=texts, corner=str(table.grouping),
                    total_col=[str(t) for t in table.code_totals],
                    total_row=[str(t) for t in table.group_totals],
                    total_corner="total", grand_total=str(table.grand_total),
                    integer=percent == "none")

    def computation_failed(self) -> None:
        self.heatmap.loading = False
        self._update_status("  (failed)")

    def _show(self, view: MatrixView) -> None:
        if not self.is_attached:
            return
        self.view = view
        self.data = view.data
        self.heatmap.loading = False
        self.heatmap.set_grid(view.grid)
        if not isinstance(self.focused, Input):  # the loading overlay may have taken focus
            self.focus_main()
        self._fill_frequencies()
        self._update_status(f"  {len(view.data.documents)} docs")
        self._update_legend()
        self._update_detail()

    def _fill_frequencies(self) -> None:
        if self.view is None:
            return
        table = self.frequency_table
        table.clear()
        freq = self.view.frequencies.sorted_by(self.sort)
        for r in freq.rows:
            item = r.as_json(freq.documents, freq.cases)
            table.add_row(r.code.path, str(r.segments),
                          f"{r.documents} ({item['documents_pct']:.0f}%)",
                          f"{r.cases} ({item['cases_pct']:.0f}%)", str(r.words),
                          key=r.code.id)

    def _update_legend(self) -> None:
        if self.view is None:
            return
        grid = self.view.grid
        legend = Text()
        levels = self.heatmap._levels
        for level, label in legend_ranges(grid.peak(), grid.integer, 0):
            legend.append(f"{SHADES[level - 1]} {label}{'' if grid.integer else '%'}",
                          style=levels[level - 1] if levels else "")
            legend.append("  ")
        legend.append("  · none   Enter: passages   t: frequencies", style="dim")
        self.query_one("#matrix-legend", Static).update(legend)

    # -- cursor and drill-down ----------------------------------------------------------------
    @on(Heatmap.Highlighted)
    def _highlighted(self, event: Heatmap.Highlighted) -> None:
        self._update_detail()

    @on(DataTable.RowHighlighted, "#frequencies")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    def _cell_target(self, row: int, col: int) -> tuple[str | None, int | None]:
        """(code id or None for the totals row, group index or None for the totals column)."""
        assert self.view is not None
        table = self.view.table
        code = table.codes[row].id if row < len(table.codes) else None
        group = col if col < len(table.groups) else None
        return code, group

    def _update_detail(self) -> None:
        detail = self.query_one("#matrix-detail", Static)
        view = self.view
        if view is None:
            return
        if self.show_frequencies:
            freq = view.frequencies
            detail.update(f"{len(freq.rows)} codes, {freq.documents} documents,"
                          f" {freq.cases} cases   words coded: text covered by the code's"
                          " segments, counted once   Enter: passages")
            return
        table = view.table
        if not table.codes or not table.groups:
            detail.update("no coded segments with these options")
            return
        row, col = self.heatmap.cursor_row, self.heatmap.cursor_col
        code_id, group = self._cell_target(row, col)
        code_text = view.data.code_by_id[code_id].path if code_id else "all codes"
        group_text = table.groups[group].label if group is not None else "all"
        unit = "segments" if self.cells == "segments" else table.grouping.unit
        if code_id is not None and group is not None:
            value = table.cells[row][group]
        elif code_id is not None:
            value = table.code_totals[row]
        elif group is not None:
            value = table.group_totals[group]
        else:
            value = table.grand_total
        extra = ""
        if code_id is not None and group is not None:
            parts = [f"{PERCENT_LABELS[of]} {table.percent(row, group, of):.1f}%"
                     for of in ("code", "group", "total")]
            extra = "   " + "   ".join(parts)
        if value == 1:
            unit = unit[:-1]  # segments, documents, cases: one of them
        if self.cells == "presence" and code_id is None:
            unit = f"{unit} in the group" if group is not None else f"{unit} in all"
        detail.update(f"{code_text}  x  {table.grouping}: {group_text}\n"
                      f"{value} {unit}{extra}")

    @on(Heatmap.Selected)
    def _selected(self, event: Heatmap.Selected) -> None:
        event.stop()
        view = self.view
        if view is None:
            return
        code_id, group_index = self._cell_target(event.row, event.col)
        group = view.table.groups[group_index] if group_index is not None else None
        codes = [code_id] if code_id else [c.id for c in view.table.codes]
        segments = [s for cid in codes
                    for s in cell_segments(view.data, cid, group, self.options.level)]
        order = {d.id: d.position for d in view.data.documents}
        segments.sort(key=lambda s: (order.get(s.document_id, 0), s.start, s.end))
        if not segments:
            self.notify("no passages in this cell")
            return
        title = (f"{view.data.code_by_id[code_id].path if code_id else 'all codes'}  x  "
                 f"{group.label if group else 'all ' + str(view.table.grouping)}")
        self.show_passages(title, segment_items(view.data, segments))

    @on(DataTable.RowSelected, "#frequencies")
    def _frequency_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        view = self.view
        if view is None or event.row_key.value is None:
            return
        code_id = str(event.row_key.value)
        segments = cell_segments(view.data, code_id, None, self.options.level)
        if not segments:
            self.notify("this code has no segments")
            return
        self.show_passages(view.data.code_by_id[code_id].path,
                           segment_items(view.data, segments))
