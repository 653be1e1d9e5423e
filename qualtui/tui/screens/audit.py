"""The audit log screen (mode ``log``): who changed what, when — newest first.

The table lists every operation (sequence number, time, coder, summary; undone ones marked)
and the pane below shows the highlighted operation's changes, each with its before and after
(:func:`qualtui.core.team.describe_change`). ``c`` cycles the coder filter (everyone, then
each coder), ``/`` filters by text, ``Esc`` clears both, ``u``/``ctrl+r`` undo and redo *your*
last change. Other processes' changes appear within a second (the screen polls the store).
It reads the same log as ``qualtui log``, merged entries from offline copies included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from qualtui.core.errors import QualtuiError
from qualtui.core.team import describe_change
from qualtui.tui.polling import pull_changes

if TYPE_CHECKING:
    from qualtui.core.models import LogEntry
    from qualtui.core.project import Project

__all__ = ["AuditLogScreen"]

POLL_SECONDS = 1.0
MAX_CHANGES_SHOWN = 200


class LogSearch(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel filter", id="log.search-cancel"),
    ]

    def action_cancel(self) -> None:
        screen = self.screen
        if isinstance(screen, AuditLogScreen):
            screen.action_clear()


class AuditLogScreen(Screen[None]):
    """Every operation of the project, newest first, with its before/after changes."""

    DEFAULT_CSS = """
    AuditLogScreen #log-status { height: 1; padding: 0 1; background: $panel; }
    AuditLogScreen #log-search { height: 3; }
    AuditLogScreen #log-table { height: 1fr; }
    AuditLogScreen #log-detail-scroll { height: 8; border-top: hkey $panel-lighten-2; }
    AuditLogScreen #log-detail { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cycle_coder", "Coder", id="log.coder"),
        Binding("slash", "search", "Filter", key_display="/", id="log.search"),
        Binding("escape", "clear", "Clear filters", show=False, id="log.clear"),
        Binding("u", "undo", "Undo mine", id="log.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="log.redo"),
        Binding("j", "cursor(1)", "Down", show=False, id="log.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="log.up"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self.coder_filter: str | None = None
        self.text_filter = ""
        self.entries: list[LogEntry] = []
        self.shown: list[LogEntry] = []
        self._seen_seq: int | None = None
        self.names: dict[str, str] = {}

    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#log-table", DataTable)

    def compose(self) -> ComposeResult:
        yield Static(id="log-status")
        yield LogSearch(placeholder="/ filter: words in the summary or the coder",
                        id="log-search")
        table: DataTable[Any] = DataTable(id="log-table", cursor_type="row")
        yield table
        with VerticalScroll(id="log-detail-scroll"):
            yield Static(id="log-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.table
        self.query_one("#log-search", LogSearch).display = False
        self.reload()
        table.focus()
        self._timer = self.set_interval(POLL_SECONDS, self.poll_changes,
                                         name="log-refresh")

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            if self._timer is not None:
                self._timer.resume()
            self.poll_changes()

    def on_screen_suspend(self) -> None:
        if self.is_mounted:
            if self._timer is not None:
                self._timer.pause()  # poll only while shown

    # -- data ------------------------------------------------------------------------------
    def _next_seq(self) -> int:
        return int(self.project.repo.get_meta("next_seq", 1))

    def _names(self) -> dict[str, str]:
        project = self.project
        names = {d.id: d.name for d in project.documents.all()}
        names.update({c.id: project.codebook.path_of(c) for c in project.codebook.all()})
        return names

    def poll_changes(self) -> None:
        if pull_changes(self) is None:
            return
        if self._next_seq() != self._seen_seq:
            self.reload()

    def reload(self) -> None:
        """Read the log again and refill the table (keeping the highlighted entry)."""
        self._seen_seq = self._next_seq()
        self.entries = self.project.log.entries()
        self.names = self._names()
        self.refill()

    def _matches(self, entry: LogEntry) -> bool:
        if self.coder_filter and entry.coder != self.coder_filter:
            return False
        if self.text_filter:
            haystack = f"{entry.summary} {entry.coder} {entry.op}".lower()
            return all(word in haystack for word in self.text_filter.lower().split())
        return True

    def on_resize(self) -> None:
        if self.is_mounted and self.entries:
            self.refill()

    def _columns(self) -> int:
        """(Re)create the columns for the current width; returns the summary's width."""
        table = self.table
        table.clear(columns=True)
        seq_width = max(3, len(str(self.entries[-1].seq)) if self.entries else 3)
        coder_width = max([5, *(len(e.coder) for e in self.entries)])
        coder_width = min(coder_width, 12)
        table.add_column("#", key="seq", width=seq_width)
        table.add_column("When (UTC)", key="at", width=19)
        table.add_column("Coder", key="coder", width=coder_width)
        # each column has one cell of padding either side; leave room for the scrollbar
        summary_width = max(20, self.size.width - seq_width - 19 - coder_width - 8 - 2)
        table.add_column("What", key="summary", width=summary_width)
        return summary_width

    def refill(self) -> None:
        table = self.table
        keep = self._highlighted()
        at_top = table.row_count == 0 or table.cursor_row == 0  # then follow new entries
        self.shown = [e for e in reversed(self.entries) if self._matches(e)]
        width = self._columns()
        for entry in self.shown:
            summary = Text(entry.summary, no_wrap=True, overflow="ellipsis")
            summary.truncate(width - (9 if entry.undone else 0), overflow="ellipsis")
            if entry.undone:
                summary.stylize("strike dim")
                summary.append(" (undone)", style="italic dim")
            table.add_row(str(entry.seq), entry.at.replace("T", " ").rstrip("Z"),
                          entry.coder[:12], summary, key=entry.id)
        if self.shown:
            ids = [e.id for e in self.shown]
            table.move_cursor(row=ids.index(keep) if keep in ids and not at_top else 0)
        self._update_status()
        self._update_detail()

    def _highlighted(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key is not None else None

    def _update_status(self) -> None:
        parts = [f"{len(self.shown)} of {len(self.entries)} operations"]
        parts.append(f"coder: {self.coder_filter or 'everyone'}")
        if self.text_filter:
            parts.append(f"filter: {self.text_filter!r}")
        self.query_one("#log-status", Static).update(
            Text.assemble(("Audit log ", "bold"), " · ".join(parts)))

    def _update_detail(self) -> None:
        detail = self.query_one("#log-detail", Static)
        entry_id = self._highlighted()
        entry = next((e for e in self.shown if e.id == entry_id), None)
        if entry is None:
            detail.update("")
            return
        text = Text()
        text.append(f"{entry.op}", style="bold")
        text.append(f"  #{entry.seq} by {entry.coder} at {entry.at}")
        if entry.reverts:
            target = next((e for e in self.entries if e.id == entry.reverts), None)
            text.append(f"  (reverts #{target.seq})" if target else "  (reverts an entry)")
        for change in entry.changes[:MAX_CHANGES_SHOWN]:
            text.append("\n" + describe_change(change, self.names))
        if len(entry.changes) > MAX_CHANGES_SHOWN:
            text.append(f"\n… and {len(entry.changes) - MAX_CHANGES_SHOWN} more changes",
                        style="italic")
        detail.update(text)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    # -- actions ------------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        table = self.table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def action_cycle_coder(self) -> None:
        coders = sorted({e.coder for e in self.entries})
        choices: list[str | None] = [None, *coders]
        index = choices.index(self.coder_filter) if self.coder_filter in choices else 0
        self.coder_filter = choices[(index + 1) % len(choices)]
        self.refill()

    def action_search(self) -> None:
        search = self.query_one("#log-search", LogSearch)
        search.display = True
        search.focus()

    @on(Input.Changed, "#log-search")
    def _search_typed(self, event: Input.Changed) -> None:
        self.text_filter = event.value.strip()
        self.refill()

    @on(Input.Submitted, "#log-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.table.focus()

    def action_clear(self) -> None:
        search = self.query_one("#log-search", LogSearch)
        search.value = ""
        search.display = False
        self.coder_filter = None
        self.text_filter = ""
        self.refill()
        self.table.focus()

    def _history(self, verb: str) -> None:
        try:
            summary = self.project.undo() if verb == "undo" else self.project.redo()
        except QualtuiError as exc:
            self.notify(str(exc), severity="warning", timeout=6)
            return
        self.notify(summary, timeout=3)
        self.reload()

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups([("Global", self.app.BINDINGS), ("Audit log", self.BINDINGS),
                                 ("Audit log", LogSearch.BINDINGS)], keymap)
        self.app.push_screen(HelpScreen(groups, "qualtui keys - audit log"))
