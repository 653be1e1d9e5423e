"""The retrieval screen (F5): coded passages of a code, coding queries and text search.

Three ways to fill the result list, all sharing one filter (``f``, WHERE syntax: ``role =
"records officer" AND years >= 10 AND coder = coder1``):

* ``c`` picks a code: its segments (with sub-codes; ``s`` toggles), one row per segment;
* ``q`` types a query (``Privacy AND Security``, ``A WITHIN 300 B``, ``A SAME TURN B`` ...,
  see :mod:`qualtui.core.query`); ``w`` toggles whole segments / exact passages;
* ``/`` searches the text (``R`` regex, ``I`` case, ``W`` whole words); ``A`` codes all hits
  (hit, sentence, paragraph or turn) as one undoable operation.

Each row shows document, speaker, coders, a memo mark and the passage in context (KWIC); the
panel below shows the highlighted passage with more context. Enter opens the passage in the
coding screen, ``e`` exports the list to CSV or Markdown.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import SimpleCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from qualtui.core.errors import QualtuiError
from qualtui.core.query import (
    CodeRef,
    Filters,
    QueryData,
    data_from_project,
    make_filters,
    retrieve,
    run_query,
    scope,
)
from qualtui.core.search import (
    CASE_MODES,
    UNITS,
    ResultRow,
    RowBuilder,
    SearchOptions,
    TextHit,
    apply_autocode,
    kwic,
    plan_autocode,
    rows_to_csv,
    rows_to_markdown,
    search_texts,
)
from qualtui.tui.polling import pulled_newer
from qualtui.tui.screens.codebook import ConfirmScreen
from qualtui.tui.screens.dialogs import ChoiceScreen, PromptScreen

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["RetrievalScreen", "kwic_cell"]

POLL_SECONDS = 0.5
MODES = ("code", "query", "search")


def kwic_cell(text: str, start: int, end: int, width: int, mono: bool = False) -> Text:
    """One line: left context right-aligned, the passage highlighted, right context."""
    context = kwic(text, start, end, width)
    match = context.match
    shown = min(len(match), max(8, width // 2))
    if len(match) > shown:
        match = match[: shown - 1] + "…"
    left_width = (width - len(match)) // 2
    left = context.left[-left_width:] if left_width > 0 else ""
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(left.rjust(left_width), Style(dim=True))
    out.append(match, Style(bold=True, underline=mono, reverse=mono))
    out.append(context.right[: max(0, width - left_width - len(match))], Style(dim=True))
    return out


class RetrievalScreen(Screen[None]):
    """Result lists of codes, queries and text searches; export and auto-coding."""

    DEFAULT_CSS = """
    RetrievalScreen #rt-bar { height: 1; background: $panel; }
    RetrievalScreen #rt-prompt { width: auto; padding: 0 1; text-style: bold; }
    RetrievalScreen #rt-input { border: none; height: 1; padding: 0; width: 1fr; }
    RetrievalScreen #rt-input:focus { background: $boost; }
    RetrievalScreen #rt-status { height: 1; padding: 0 1; color: $foreground-muted; }
    RetrievalScreen #rt-table { height: 1fr; }
    RetrievalScreen #rt-preview {
        height: 7; padding: 0 1; border-top: hkey $panel-lighten-2; overflow: hidden;
    }
    RetrievalScreen:nocolor #rt-bar { text-style: reverse; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "pick_code", "Code", id="retrieve.code"),
        Binding("q", "edit('query')", "Query", id="retrieve.query"),
        Binding("slash", "edit('search')", "Search", key_display="/", id="retrieve.search"),
        Binding("f", "filter", "Filter", id="retrieve.filter"),
        Binding("F", "clear_filter", "Clear the filter", show=False, id="retrieve.unfilter"),
        Binding("e", "export", "Export", id="retrieve.export"),
        Binding("A", "autocode", "Code all hits", id="retrieve.autocode"),
        Binding("s", "toggle_subcodes", "Sub-codes on/off", show=False,
                id="retrieve.subcodes"),
        Binding("w", "toggle_whole", "Whole segments on/off", show=False,
                id="retrieve.whole"),
        Binding("R", "toggle_regex", "Regex on/off", show=False, id="retrieve.regex"),
        Binding("I", "cycle_case", "Case: smart/sensitive/insensitive", show=False,
                id="retrieve.case"),
        Binding("W", "toggle_word", "Whole words on/off", show=False, id="retrieve.word"),
        Binding("plus,equals_sign", "context(40)", "More context", show=False,
                key_display="+", id="retrieve.more"),
        Binding("minus", "context(-40)", "Less context", show=False, key_display="-",
                id="retrieve.less"),
        Binding("j", "cursor(1)", "Down", show=False, id="retrieve.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="retrieve.up"),
        Binding("u", "undo", "Undo", show=False, id="history.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="history.redo"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mode = "code"
        self.code_id: str | None = None
        self.subcodes = True
        self.query_text = ""
        self.whole = False
        self.search = SearchOptions("")
        self.filter_text = ""
        self.filters = Filters()
        self.rows: list[ResultRow] = []
        self.hits: list[TextHit] = []
        self.summary = ""
        self.context = 120
        self.editing = "query"
        self._width = 0

    # -- access ------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#rt-table", DataTable)

    @property
    def row(self) -> ResultRow | None:
        table = self.table
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    @property
    def mono(self) -> bool:
        return getattr(self.app, "color_depth", "truecolor") == "mono"

    # -- building ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="rt-bar"):
            yield Label("query >", id="rt-prompt")
            yield Input(placeholder="q query · / search text · c code · f filter",
                        id="rt-input")
        yield Static(id="rt-status")
        yield DataTable(id="rt-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="rt-preview")
        yield Footer()

    def on_mount(self) -> None:
        self._render_table()
        self.table.focus()
        self.set_interval(POLL_SECONDS, self.poll_changes, name="retrieval-refresh")

    def on_screen_resume(self) -> None:
        self.rerun(quiet=True)

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self.call_after_refresh(self._render_table)

    # -- running ---------------------------------------------------------------------------
    def _data(self) -> QueryData:
        return data_from_project(self.project)

    def show_code(self, code_id: str) -> None:
        """List the segments of ``code_id`` (used by the codebook screen's ``o``)."""
        self.mode = "code"
        self.code_id = code_id
        self.rerun()

    def run_query(self, text: str) -> None:
        self.mode = "query"
        self.query_text = text
        self.rerun()

    def run_search(self, options: SearchOptions) -> None:
        self.mode = "search"
        self.search = options
        self.rerun()

    def rerun(self, quiet: bool = False) -> None:
        """Compute the current result list again (after any change)."""
        keep = self.table.cursor_row if self.rows else 0
        try:
            self.rows, self.summary = self._compute()
        except QualtuiError as exc:
            if not quiet:
                self.notify(str(exc), severity="error", timeout=6)
            self.rows, self.summary, self.hits = [], f"error: {exc}", []
        self._render_table(keep)

    def _compute(self) -> tuple[list[ResultRow], str]:
        project = self.project
        self.hits = []
        if self.mode == "code":
            if self.code_id is None:
                return [], "c picks a code · q types a query · / searches the text"
            path = project.codebook.path_of(self.code_id)
            if not path:
                self.code_id = None
                return [], "that code no longer exists"
            segs = retrieve(self._data(), CodeRef(path, self.subcodes), self.filters)
            rows = RowBuilder(project).from_segments(segs)
            scope_text = "with sub-codes" if self.subcodes else "this code only"
            return rows, f"code {path} ({scope_text})"
        if self.mode == "query":
            if not self.query_text.strip():
                return [], "q types a query, e.g. Privacy AND Security"
            result = run_query(self._data(), self.query_text, self.filters,
                               extent="segments" if self.whole else "passage")
            rows = RowBuilder(project).from_query(result.hits)
            extent = "whole segments" if self.whole else "exact passages"
            return rows, f"query {result.query} ({extent})"
        if not self.search.pattern:
            return [], "/ searches the text of every document"
        docs, _ = scope(self._data(), self.filters)
        texts = ((d.id, project.documents.text(d.id)) for d in docs)
        self.hits = search_texts(texts, self.search)
        return RowBuilder(project).from_text_hits(self.hits), f"search {self.search.describe()}"

    def _render_table(self, keep: int = 0) -> None:
        table = self.table
        self._width = self.size.width
        width = max(20, (self._width or 80) - 25 - 10 - 2)
        table.clear(columns=True)
        for key, label, size in (("doc", "Doc", 6), ("speaker", "Speaker", 10),
                                 ("coders", "Coder", 8), ("memo", "M", 1),
                                 ("passage", "Passage", width)):
            table.add_column(label, key=key, width=size)
        mono = self.mono
        for i, row in enumerate(self.rows):
            text = self.project.documents.text(row.document_id)
            table.add_row(Text(row.document, no_wrap=True, overflow="ellipsis"),
                          Text(row.speaker, no_wrap=True, overflow="ellipsis"),
                          Text(",".join(row.coders), no_wrap=True, overflow="ellipsis"),
                          Text("M" if row.memo else "", Style(bold=True)),
                          kwic_cell(text, row.start, row.end, width, mono), key=str(i))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1), animate=False)
        self._update_bar()
        self._update_status()
        self._update_preview()

    def _update_bar(self) -> None:
        prompt = self.query_one("#rt-prompt", Label)
        prompt.update("search >" if self.editing == "search" else "query >")
        field = self.query_one("#rt-input", Input)
        if not field.has_focus:
            field.value = (self.search.pattern if self.editing == "search"
                           else self.query_text)

    def _update_status(self) -> None:
        parts = [f"{len(self.rows)} {'result' if len(self.rows) == 1 else 'results'}",
                 self.summary]
        if self.filters:
            parts.append(f"filter: {self.filters.describe()}")
        if self.mode == "search" and self.rows:
            parts.append("A codes all hits")
        status = Text(" · ".join(p for p in parts if p), no_wrap=True, overflow="ellipsis")
        self.query_one("#rt-status", Static).update(status)

    def _update_preview(self) -> None:
        preview = self.query_one("#rt-preview", Static)
        row = self.row
        if row is None:
            preview.update(Text("c code · q query · / search · f filter · e export ·"
                                " Enter opens a passage in the coding screen · ? help",
                                Style(italic=True, dim=True)))
            return
        text = self.project.documents.text(row.document_id)
        head = Text()
        head.append(row.document, Style(bold=True))
        if row.case and row.case != row.document:
            head.append(f" ({row.case})")
        if row.speaker:
            head.append(f" · {row.speaker}")
        head.append(f" · {row.start}-{row.end}", Style(dim=True))
        if row.coders:
            head.append(f" · {', '.join(row.coders)}", Style(dim=True))
        if row.codes:
            head.append(f" · {'; '.join(row.codes)}", Style(italic=True))
        head.append("\n")
        before = " ".join(text[max(0, row.start - self.context):row.start].split())
        after = " ".join(text[row.end:row.end + self.context].split())
        body = Text()
        body.append(("…" if row.start > self.context else "") + before + " ", Style(dim=True))
        body.append(" ".join(row.text.split()), Style(bold=True, underline=self.mono))
        body.append(" " + after + ("…" if row.end + self.context < len(text) else ""),
                    Style(dim=True))
        if row.memo:
            body.append("\nMemo: ", Style(bold=True))
            body.append(" ".join(row.memo.split()))
        preview.update(head + body)

    @on(DataTable.RowHighlighted, "#rt-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_preview()

    @on(DataTable.RowSelected, "#rt-table")
    async def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        await self.open_passage()

    # -- the input line ----------------------------------------------------------------------
    def action_edit(self, purpose: str) -> None:
        self.editing = purpose
        field = self.query_one("#rt-input", Input)
        field.value = self.search.pattern if purpose == "search" else self.query_text
        field.placeholder = ("text to find (R regex, I case, W whole words)"
                             if purpose == "search" else
                             "e.g. Privacy AND Security WHERE years >= 10")
        self._update_bar()
        field.focus()

    @on(Input.Submitted, "#rt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.table.focus()
        if not value:
            return
        if self.editing == "search":
            self.run_search(SearchOptions(value, self.search.regex, self.search.case,
                                          self.search.whole_word))
        else:
            self.run_query(value)

    def key_escape(self) -> None:
        field = self.query_one("#rt-input", Input)
        if field.has_focus:
            self.table.focus()
            self._update_bar()

    # -- actions -----------------------------------------------------------------------------
    def action_pick_code(self) -> None:
        project = self.project
        counts: dict[str, int] = {}
        for seg in project.coding.segments():
            counts[seg.code_id] = counts.get(seg.code_id, 0) + 1
        commands = [SimpleCommand(project.codebook.path_of(c), partial(self.show_code, c.id),
                                  f"{counts.get(c.id, 0)} segments"
                                  + (" · category" if not c.codable else ""))
                    for c in project.codebook.all()]
        if not commands:
            self.notify("no codes yet", severity="warning")
            return
        self.app.search_commands(commands, placeholder="Show the segments of...")

    def action_filter(self) -> None:
        def chosen(text: str | None) -> None:
            if not text:
                return
            self.set_filter(text)

        self.app.push_screen(PromptScreen(
            'Filter: e.g. role = "records officer" AND years >= 10 AND coder = coder1'
            " AND document = P01|P02   (F clears)", self.filter_text,
            "attribute = value AND ..."), chosen)

    def set_filter(self, text: str) -> bool:
        """Filter every list by ``text`` (WHERE syntax; empty clears); False if it is bad."""
        try:
            filters = make_filters(where=[text]) if text.strip() else Filters()
            scope(self._data(), filters)  # an unknown attribute or document: say so now
        except QualtuiError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return False
        self.filter_text, self.filters = text.strip(), filters
        self.rerun()
        return True

    def action_clear_filter(self) -> None:
        if self.filters:
            self.set_filter("")
            self.notify("filter cleared", timeout=2)

    def action_toggle_subcodes(self) -> None:
        self.subcodes = not self.subcodes
        if self.mode == "code":
            self.rerun()
        self.notify(f"sub-codes {'included' if self.subcodes else 'left out'}", timeout=2)

    def action_toggle_whole(self) -> None:
        self.whole = not self.whole
        if self.mode == "query":
            self.rerun()
        self.notify("whole segments" if self.whole else "exact passages (intersections)",
                    timeout=2)

    def _search_option(self, **change: Any) -> None:
        current = self.search
        values = {"pattern": current.pattern, "regex": current.regex, "case": current.case,
                  "whole_word": current.whole_word} | change
        self.search = SearchOptions(**values)
        if self.mode == "search" and self.search.pattern:
            self.rerun()
        self.notify(self.search.describe() if self.search.pattern else
                    f"regex {'on' if self.search.regex else 'off'}, case {self.search.case},"
                    f" whole words {'on' if self.search.whole_word else 'off'}", timeout=2)

    def action_toggle_regex(self) -> None:
        self._search_option(regex=not self.search.regex)

    def action_cycle_case(self) -> None:
        index = CASE_MODES.index(self.search.case)
        self._search_option(case=CASE_MODES[(index + 1) % len(CASE_MODES)])

    def action_toggle_word(self) -> None:
        self._search_option(whole_word=not self.search.whole_word)

    def action_context(self, delta: int) -> None:
        self.context = max(0, min(2000, self.context + delta))
        self._update_preview()

    def action_cursor(self, step: int) -> None:
        if self.rows:
            table = self.table
            table.move_cursor(row=max(0, min(len(self.rows) - 1, table.cursor_row + step)),
                              animate=False)

    async def open_passage(self) -> None:
        """Open the highlighted passage in the coding screen, selected."""
        row = self.row
        if row is None:
            return
        await jump_to_passage(self, row.document_id, row.start, row.end)

    # -- export ------------------------------------------------------------------------------
    def _title(self) -> str:
        return {"code": "Coded passages", "query": "Query", "search": "Search"}[self.mode]

    def action_export(self) -> None:
        if not self.rows:
            self.notify("nothing to export: the list is empty", severity="warning")
            return
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        default = str(Path(self.project.root) / "exports" / f"{self.mode}-{stamp}.md")

        def chosen(value: str | None) -> None:
            if value:
                self.export(Path(value).expanduser())

        self.app.push_screen(PromptScreen("Export to (.md quotes or .csv table)", default),
                             chosen)

    def export(self, path: Path) -> None:
        """Write the current list to ``path`` (.csv or .md)."""
        from qualtui.store.storage import atomic_write_bytes

        suffix = path.suffix.lower()
        if suffix == ".csv":
            content = rows_to_csv(self.project, self.rows, 60)
        elif suffix in (".md", ".markdown"):
            filters = f" · filter: {self.filters.describe()}" if self.filters else ""
            what = self.summary.split(" ", 1)[1] if " " in self.summary else self.summary
            content = rows_to_markdown(self.rows, f"{self._title()}: {what}",
                                       f"{self.project.settings.title}{filters}")
        else:
            self.notify("export to a .csv or .md file", severity="error")
            return
        if not path.is_absolute():
            path = Path(self.project.root) / path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, content.encode("utf-8"), 0o644)
        except OSError as exc:
            self.notify(f"cannot write {path}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"wrote {len(self.rows)} results to {path}", timeout=5)

    # -- auto-coding -----------------------------------------------------------------------------
    def action_autocode(self) -> None:
        if self.mode != "search" or not self.hits:
            self.notify("search first (/): A codes every hit of a text search",
                        severity="warning", timeout=4)
            return
        hits = list(self.hits)
        labels = {"hit": "the hit itself", "sentence": "its sentence",
                  "paragraph": "its paragraph", "turn": "its speaker turn"}
        items = [f"{unit:<10} code {labels[unit]}" for unit in UNITS]

        def unit_chosen(index: int | None) -> None:
            if index is None:
                return
            unit = UNITS[index]
            project = self.project
            commands = [SimpleCommand(project.codebook.path_of(c),
                                      partial(self._confirm_autocode, hits, unit, c.id))
                        for c in project.codebook.all() if c.codable]
            self.app.search_commands(commands, placeholder=f"Code {len(hits)} hits'"
                                     f" {unit}s as...")

        self.app.push_screen(ChoiceScreen(f"Code all {len(hits)} hits: what to code",
                                          items), unit_chosen)

    def _confirm_autocode(self, hits: list[TextHit], unit: str, code_id: str) -> None:
        project = self.project
        try:
            plan = plan_autocode(project, hits, unit, code_id)
        except QualtuiError as exc:
            self.notify(str(exc), severity="error")
            return
        what = self.search.describe()

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                added, skipped = apply_autocode(project, plan, what)
            except QualtuiError as exc:
                self.notify(str(exc), severity="error", timeout=6)
                return
            extra = f" ({skipped} already coded)" if skipped else ""
            self.notify(f"coded {added} {unit}s as {plan.code_path}{extra}; u undoes all",
                        timeout=5)
            self.rerun()

        self.app.push_screen(ConfirmScreen("Code all hits", plan.describe()
                                           + ". One operation: u undoes all of it."),
                             confirmed)

    # -- history, help, live refresh -----------------------------------------------------------
    def _history(self, undo: bool) -> None:
        try:
            summary = self.project.undo() if undo else self.project.redo()
        except QualtuiError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        self.notify(summary, title="History", timeout=3)
        self.rerun(quiet=True)

    def action_undo(self) -> None:
        self._history(True)

    def action_redo(self) -> None:
        self._history(False)

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups([("Global", self.app.BINDINGS), ("Retrieval", self.BINDINGS)],
                                keymap)
        groups.setdefault("Retrieval", []).append(("Enter", "Open the passage in the coding"
                                                            " screen"))
        self.app.push_screen(HelpScreen(groups, "qualtui keys - retrieval"))

    def poll_changes(self) -> None:
        if not self.is_current:
            return
        if not pulled_newer(self):
            return
        self.rerun(quiet=True)


async def jump_to_passage(screen: Screen[Any], document_id: str, start: int, end: int) -> None:
    """Switch to the coding screen and select ``[start, end)`` of the document there."""
    await screen.app.open_passage(document_id, start, end)  # type: ignore[attr-defined]
