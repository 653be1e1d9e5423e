"""The coding screen: documents, transcript, codebook tree and inspector, keyboard first.

Layout: documents on the left, the transcript in the centre with a status line above and
the inspector below, the codebook tree on the right, the footer at the bottom. Below 100
columns (``HORIZONTAL_BREAKPOINTS``) the side panels are hidden and ``ctrl+b`` /
``ctrl+k`` (or ``F2``) show them as overlays over the transcript.

All project access happens here, on Textual's main thread, through the core services; every
write goes through :meth:`CodingScreen._write`, which turns a ``QualtuiError`` into a
notification and refreshes the view. A timer polls ``project.changed_on_disk()`` for the
live team view and announces other coders' changes from the operation log.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static, Tree

from qualtui.core import session
from qualtui.core.codetree import children_index, descendants
from qualtui.core.errors import QualtuiError
from qualtui.core.models import Code, Document, Memo, Segment
from qualtui.core.team import (
    FilterChoice,
    describe_filter,
    filter_choices,
    visible_entries,
    visible_segments,
)
from qualtui.startup import resume_gc
from qualtui.store.ui_state import UIState
from qualtui.tui.polling import project_version, pull_changes
from qualtui.tui.widgets.codebook import CodebookTree
from qualtui.tui.widgets.documents import DocumentList, DocumentPanel
from qualtui.tui.widgets.inspector import Inspector
from qualtui.tui.widgets.keybar import KeyBar
from qualtui.tui.widgets.palette import Palette
from qualtui.tui.widgets.transcript import SEQUENCES, TranscriptView

if TYPE_CHECKING:
    from qualtui.core.project import Project
    from qualtui.tui.app import QualtuiApp

__all__ = ["CodingScreen", "EXIT_AFTER_PAINT_ENV", "POLL_SECONDS"]

T = TypeVar("T")


POLL_SECONDS = 0.5
"""How often the live team view checks the project file (one stat per check)."""

EXIT_AFTER_PAINT_ENV = "QUALTUI_EXIT_AFTER_PAINT"
"""When set, the app exits right after the first transcript paint, or with ``panels`` once
the side panels are filled too (start-up benchmarks)."""


def _minutes_ago(minutes: int) -> str:
    """An ISO time like the log's ``at``, a little in the past (tolerates clock skew)."""
    from datetime import datetime, timedelta, timezone

    moment = datetime.now(timezone.utc) - timedelta(minutes=minutes)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


class SearchBar(Input):
    """The ``/`` search line under the transcript; Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel search", id="search.cancel"),
    ]

    async def action_cancel(self) -> None:
        await self.screen.run_action("search_cancel")


class CodingScreen(Screen[None]):
    """Read a document and code it."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    HELP_WIDGETS: ClassVar[tuple[tuple[str, type[Widget]], ...]] = (
        ("Transcript", TranscriptView), ("Codebook tree", CodebookTree),
        ("Documents", DocumentList))
    HELP_SEQUENCES = SEQUENCES
    HELP_NOTES: ClassVar[dict[str, list[tuple[str, str]]]] = {
        "Move": [("3w, 2), 5j", "A number before a motion repeats it (when nothing is"
                               " selected; with a selection, 1-9 code it)")],
        "Select": [("mouse drag", "Select with the mouse; click a coding stripe to select"
                                  " its segment")],
        "Code": [("1-9", "Keys 1-9 hold pinned codes, then your most recent ones (see the"
                         " line under the transcript)")],
        "Documents": [("type", "Letters and digits filter the list; Enter opens")],
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "pick_code", "Code", id="code.pick",
                tooltip="Code the selection: fuzzy code picker (a new path creates the code)"),
        *[Binding(str(n), f"quick_code({n})", f"Quick code {n}", show=False,
                  id=f"code.quick-{n}") for n in range(1, 10)],
        Binding("i", "in_vivo", "In vivo", show=False, id="code.in-vivo",
                tooltip="In vivo: code the selection with a new code named by its words"),
        Binding("full_stop", "repeat", "Repeat", show=False, key_display=".",
                id="code.repeat", tooltip="Repeat the last coding on the selection"),
        Binding("x", "remove", "Uncode", show=False, id="code.remove",
                tooltip="Remove a coding at the cursor (asks which when several)"),
        Binding("f", "coder_filter", "Coder filter", show=False, id="view.coder-filter"),
        Binding("m", "memo", "Memo", show=False, id="code.memo",
                tooltip="Write a memo on the segment at the cursor"),
        Binding("u", "undo", "Undo", id="history.undo",
                tooltip="Undo your last change (kept in the project, across restarts)"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="history.redo",
                tooltip="Redo the change you last undid"),
        Binding("slash", "search", "Search", key_display="/", id="navigate.search",
                tooltip="Search in the document (then n / N)"),
        Binding("ctrl+o", "switch_document", "Switch document", show=False,
                id="navigate.switch-document", tooltip="Switch document (fuzzy by name)"),
        Binding("ctrl+b", "toggle_panel('documents')", "Docs", id="panel.documents",
                tooltip="Show or hide the documents (inside tmux, whose prefix is ctrl+b:"
                        " Tab, or ctrl+o to switch by name)"),
        Binding("ctrl+k,f2", "toggle_panel('codebook')", "Codes", key_display="^k",
                id="panel.codebook", tooltip="Show or hide the codebook"),
        Binding("tab", "cycle_focus(1)", "Next panel", show=False, id="panel.next",
                tooltip="Next panel: documents, transcript, codebook"),
        Binding("shift+tab", "cycle_focus(-1)", "Previous panel", show=False,
                id="panel.previous", tooltip="Previous panel"),
        Binding("escape", "close_overlays", "Close panel", show=False, id="panel.close",
                tooltip="Close a panel shown over the transcript"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help",
                tooltip="This list of keys"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.doc: Document | None = None
        self.docs: list[Document] = []
        self.doc_names: dict[str, str] = {}
        self.codes: list[Code] = []
        self.code_by_id: dict[str, Code] = {}
        self.paths: dict[str, str] = {}
        self.per_document: Counter[str] = Counter()  # segments per document id
        self.per_code: Counter[str] = Counter()  # segments per code id, all documents
        self.doc_segments: list[Segment] = []
        self.memo_targets: set[str] = set()
        self._seen_version = 0
        self._seg_index: tuple[list[Segment] | None, list[Segment], list[int], int] = (
            None, [], [], 0)
        self.segment_memos: dict[str, Memo] = {}
        self.hidden: set[str] = set()
        self.filter_code: str | None = None
        self.last_coding: tuple[str, str] | None = None
        self.quick: dict[int, str] = {}
        self.palette = Palette("truecolor", [])
        self.last_seq = 0
        self.last_at = ""
        self._pending_keys = ""
        self._search_before = ""
        self.state: UIState
        self._panels_ready = False
        self._panels_building = False
        self._panel_waiters: list[Callable[[], object]] = []
        # Start with the right breakpoint class: Textual sets it on the first resize, and a
        # change then restyles every widget (a measurable part of start-up).
        try:
            width = self.app.size.width
        except Exception:  # noqa: BLE001 - no running app (constructed in a test)
            width = 0
        if width:
            self.add_class(self._breakpoint(width))

    @classmethod
    def _breakpoint(cls, width: int) -> str:
        name = cls.HORIZONTAL_BREAKPOINTS[0][1]
        for minimum, klass in cls.HORIZONTAL_BREAKPOINTS:
            if width >= minimum:
                name = klass
        return name

    # -- properties ---------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.qapp.project

    @property
    def qapp(self) -> QualtuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def view(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    @property
    def tree(self) -> CodebookTree:
        return self.query_one("#codebook-tree", CodebookTree)

    @property
    def doc_list(self) -> DocumentList:
        return self.query_one("#doc-list", DocumentList)

    @property
    def panels_ready(self) -> bool:
        """Whether the documents list and codebook tree are mounted and filled (they follow
        the transcript's first frame)."""
        return self._panels_ready

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow") or not self.has_class("-wide")

    # -- building ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The side panels are filled a frame after the transcript paints (_build_panels).
        yield DocumentPanel(id="documents", classes="side")
        yield Vertical(id="codebook", classes="side")
        with Vertical(id="centre"):
            yield Static(id="status")
            yield TranscriptView(id="transcript")
            yield Inspector(id="inspector")  # the search bar goes above it (_build_panels)
        yield KeyBar(id="footer")

    def on_mount(self) -> None:
        project = self.project
        self.state = self.qapp.ui_state
        self.palette = self._make_palette([])
        self.last_seq = int(project.repo.get_meta("next_seq", 1)) - 1
        self.last_at = _minutes_ago(1)
        self.reload_data()
        docs = self.docs
        target = next((d for d in docs if d.id == self.state.last_document), None)
        if target is None and docs:
            target = docs[0]
        if target is not None:
            self.open_document(target.id, remember=False)
        else:
            self._update_status()
            self._update_inspector()
        self.view.focus()
        # The side panels follow the first transcript frame (_first_paint); with nothing to
        # paint, or should that frame not come, they are built anyway.
        if self.doc is None:
            self.call_after_refresh(self._build_panels)
        else:
            self.set_timer(0.5, self._build_panels, name="build-panels")
        self.set_interval(POLL_SECONDS, self.poll_changes, name="live-refresh")
        if self.state.warning:
            self.notify(self.state.warning, title="UI state", severity="warning")

    async def _build_panels(self) -> None:
        """Mount and fill the documents list and the codebook tree, and mount the search
        bar. Called once the first frame is on the screen: mounting them is about a fifth
        of the start-up, and the transcript is what the user reads and types into first."""
        if self._panels_building:
            return
        self._panels_building = True
        await self.query_one("#documents", DocumentPanel).fill()
        await self.query_one("#codebook", Vertical).mount(
            Static("Codebook  here/all", id="codebook-title"), CodebookTree(id="codebook-tree"))
        bar = SearchBar(placeholder="search: Enter finds, Esc cancels", id="search")
        bar.display = False
        await self.query_one("#centre", Vertical).mount(bar, before="#inspector")
        self._panels_ready = True
        self._populate_panels()
        waiting, self._panel_waiters = self._panel_waiters, []
        for callback in waiting:
            callback()
        if os.environ.get(EXIT_AFTER_PAINT_ENV) == "panels":
            self.call_after_refresh(self.app.exit)

    def _when_panels(self, callback: Callable[[], object]) -> bool:
        """Run ``callback`` once the side panels exist; True if they exist already (then
        the caller goes on itself and the callback is not kept)."""
        if self._panels_ready:
            return True
        self._panel_waiters.append(callback)
        return False

    def _select_in_tree(self, code_id: str) -> None:
        if self._when_panels(partial(self._select_in_tree, code_id)):
            self.tree.select_code(code_id)

    @on(TranscriptView.Painted)
    def _first_paint(self) -> None:
        resume_gc()  # paused by qualtui open for start-up (qualtui.startup)
        self.call_later(self._build_panels)
        if os.environ.get(EXIT_AFTER_PAINT_ENV, "") not in ("", "panels"):
            self.call_after_refresh(self.app.exit)

    def _make_palette(self, codes: list[Code]) -> Palette:
        """Letters follow creation order (codebook order among codes made together), so
        adding a code never changes the letters of the codes already there."""
        order = sorted(range(len(codes)), key=lambda i: (codes[i].created_at or "", i))
        return Palette(self.qapp.color_depth, [(codes[i].id, codes[i].color) for i in order])

    # -- data ------------------------------------------------------------------------------
    def reload_data(self) -> None:
        """Read documents, codes, segments and memos again and push them to the widgets."""
        project = self.project
        self._seen_version = project_version(project)
        self.docs = project.documents.all()
        self.doc_names = {d.id: d.name for d in self.docs}
        self.codes = project.codebook.all()
        self.code_by_id = {c.id: c for c in self.codes}
        self.paths = self._paths(self.codes)
        self.per_code = project.codebook.segment_counts()
        self.per_document = session.counts_by_document(project)
        self.memo_targets = project.memos.targets()
        self.segment_memos = {m.target_id: m for m in project.memos.all(kind="segment")
                              if m.target_id and self._memo_visible(m)}
        if self.doc is not None and self.doc.id not in self.doc_names:
            self.notify(f"document {self.doc.name} was deleted", severity="warning")
            self.doc = None
            if self.docs:
                self.call_later(self.open_document, self.docs[0].id)
            else:
                self.view.load("", "", [])
        self.doc_segments = (self._visible(project.coding.segments(document_id=self.doc.id))
                             if self.doc is not None else [])
        self.hidden &= set(self.code_by_id)
        if self.filter_code and self.filter_code not in self.code_by_id:
            self.filter_code = None
        self.palette = self._make_palette(self.codes)
        view = self.view
        view.set_palette(self.palette)
        view.hidden_codes = set(self.hidden)
        view.set_segments(self.doc_segments)  # keeps cursor, selection and filter
        view.set_memo_segments(self.segment_memos)
        self._update_quick()
        self._populate_panels()
        self._update_status()
        self._update_inspector()

    @staticmethod
    def _paths(codes: list[Code]) -> dict[str, str]:
        by_id = {c.id: c for c in codes}
        paths: dict[str, str] = {}
        for code in codes:
            names: list[str] = []
            current: Code | None = code
            seen: set[str] = set()
            while current is not None and current.id not in seen:
                seen.add(current.id)
                names.append(current.name)
                current = by_id.get(current.parent_id or "")
            paths[code.id] = "/".join(reversed(names))
        return paths

    def _subtree(self, code_id: str) -> set[str]:
        children = children_index((c.id, c.parent_id) for c in self.codes)
        return {code_id, *descendants(children, code_id)}

    def _update_quick(self) -> None:
        valid = {c.id for c in self.codes if c.codable}
        shortcuts = {c.id: c.shortcut for c in self.codes if c.shortcut}
        self.quick = session.quick_slots(self.state.pinned, self.state.recent, valid, shortcuts)

    def _populate_panels(self) -> None:
        if not self._panels_ready:
            return  # _build_panels fills them
        self.doc_list.populate(self.docs, self.per_document, self.doc.id if self.doc else None,
                               self.memo_targets)
        here = session.document_counts(self.doc_segments)
        total = self.per_code
        keys = {code_id: key for key, code_id in self.quick.items()}
        self.tree.populate(self.codes, self.palette, here, total, self.hidden, keys,
                           self.filter_code, self.memo_targets)

    # -- documents ---------------------------------------------------------------------------
    def open_document(self, document_id: str, remember: bool = True) -> None:
        doc = next((d for d in self.docs if d.id == document_id), None)
        if doc is None:
            self.notify("that document no longer exists", severity="warning")
            return
        try:
            text = self.project.documents.text(doc.id)
        except (OSError, QualtuiError) as exc:
            self.notify(f"cannot read {doc.name}: {exc}", severity="error")
            return
        self.doc = doc
        self.filter_code = None
        self.doc_segments = self._visible(self.project.coding.segments(document_id=doc.id))
        view = self.view
        view.load(doc.id, text, doc.turns, self.project.settings.language or "en")
        view.set_palette(self.palette)
        view.hidden_codes = set(self.hidden)
        view.set_segments(self.doc_segments)
        view.set_memo_segments(self.segment_memos)
        self._populate_panels()
        self._update_status()
        self._update_inspector()
        if remember:
            self.state.last_document = doc.id
            self.state.save()
        elif self.state.last_document != doc.id:
            self.state.last_document = doc.id
            self.state.save()

    def show_passage(self, document_id: str, start: int, end: int) -> None:
        """Open ``document_id`` with ``start``-``end`` selected and the cursor on it."""
        if self.doc is None or self.doc.id != document_id:
            self.open_document(document_id)
        if self.doc is None or self.doc.id != document_id:
            return
        view = self.view
        if view.filtered:
            self.set_filter(None)
        view.move_to(start, center=True)
        if end > start:
            view.select(start, end)
        self._close_overlays()
        view.focus()

    def show_code(self, code_id: str) -> None:
        """Select ``code_id`` in the codebook tree (and show the tree if it is an overlay)."""
        if code_id not in self.code_by_id:
            self.notify("that code no longer exists", severity="warning")
            return
        if not self._when_panels(partial(self.show_code, code_id)):
            return
        select = getattr(self.tree, "select_code", None)
        if callable(select):
            select(code_id)
        if self.narrow:
            self.action_toggle_panel("codebook")

    # -- coder filter (all / mine / another coder / blind) ------------------------------------
    @property
    def coder_filter(self) -> FilterChoice:
        choice = getattr(self.app, "coder_filter", None)
        return choice if isinstance(choice, FilterChoice) else FilterChoice(
            "all", None, describe_filter("all", self.project.coder))

    def _visible(self, segments: list[Segment]) -> list[Segment]:
        choice = self.coder_filter
        return visible_segments(segments, self.project.coder, choice.mode, choice.other)

    def _memo_visible(self, memo: Memo) -> bool:
        choice = self.coder_filter
        return choice.mode != "blind" or memo.author == self.project.coder

    def action_coder_filter(self) -> None:
        """Cycle: all coders, mine, each other coder, blind (only mine, no trace of others)."""
        coders = {row["coder"] for row in self.project.repo.iter("segments")}
        coders |= {c.id for c in self.project.settings.coders}
        choices = filter_choices(self.project.coder, coders)
        current = self.coder_filter
        index = next((i for i, c in enumerate(choices)
                      if (c.mode, c.other) == (current.mode, current.other)), -1)
        self.app.coder_filter = choices[(index + 1) % len(choices)]  # type: ignore[attr-defined]
        self.reload_data()
        self.notify(f"showing {self.app.coder_filter.label}", timeout=2)  # type: ignore[attr-defined]

    @on(DocumentList.Open)
    def _open_from_list(self, event: DocumentList.Open) -> None:
        self.open_document(event.document_id)
        self._close_overlays()
        self.view.focus()

    def action_switch_document(self) -> None:
        from textual.command import SimpleCommand  # dialogs and pickers load on first use

        commands = [SimpleCommand(d.name, partial(self._switch_to, d.id),
                                  f"{d.words} words, "
                                  f"{self.per_document.get(d.id, 0)} segments")
                    for d in self.docs]
        if not commands:
            self.notify("no documents yet: qualtui import FILE...", severity="warning")
            return
        self.app.search_commands(commands, placeholder="Switch to document...")

    def _switch_to(self, document_id: str) -> None:
        self.open_document(document_id)
        self.view.focus()

    # -- status and inspector -------------------------------------------------------------
    def _update_status(self) -> None:
        view = self.view
        parts: list[str] = []
        if self.doc is None:
            parts.append("no documents yet: qualtui import FILE...")
        else:
            parts.append(self.doc.name)
            total = max(1, len(view.text))
            parts.append(f"{view.cursor * 100 // total}%")
            sel = view.selection
            if view.mode in ("visual", "line"):
                parts.append("SELECT" if view.mode == "visual" else "SELECT LINES")
            if sel:
                parts.append(f"{sel[1] - sel[0]} chars selected")
            if view.filtered and self.filter_code:
                parts.append(f"filter: {self.paths.get(self.filter_code, '?')} (Esc clears)")
            if view.query:
                index = view.match_index()
                count = len(view.matches)
                parts.append(f"/{view.query} {index}/{count}" if index else
                             f"/{view.query} {count} found")
        if self._pending_keys:
            parts.append(f"keys: {self._pending_keys}")
        if self.coder_filter.mode != "all":
            parts.append(self.coder_filter.label)
        left = " | ".join(parts)
        right = self.project.coder
        status = self.query_one("#status", Static)
        width = max(10, status.size.width or 80)
        text = Text(left, no_wrap=True, overflow="ellipsis")
        pad = width - len(left) - len(right) - 1
        if pad > 0:
            text.append(" " * pad)
            text.append(right, "bold")
        text.truncate(width, overflow="ellipsis")
        status.update(text, layout=False)  # fixed height: no relayout on every keypress

    def _codings_at(self, offset: int) -> list[session.CodingAt]:
        segments = self.doc_segments
        if self._seg_index[0] is not segments:  # re-index after each reload
            ordered = sorted(segments, key=lambda s: s.start)
            self._seg_index = (segments, ordered, [s.start for s in ordered],
                               max((s.end - s.start for s in ordered), default=0))
        _, ordered, starts, longest = self._seg_index
        out = [session.CodingAt(s, self.paths.get(s.code_id, "?"),
                                self.segment_memos.get(s.id))
               for s in session.covering(ordered, starts, longest, offset)]
        out.sort(key=lambda c: (c.path.lower(), c.segment.start, c.segment.coder))
        return out

    def _update_inspector(self) -> None:
        inspector = self.query_one("#inspector", Inspector)
        rows = 3 if self.narrow else 5
        names = {cid: self.code_by_id[cid].name for cid in self.quick.values()
                 if cid in self.code_by_id}
        view = self.view
        inspector.show(self._codings_at(view.cursor) if self.doc else [], self.palette,
                       self.hidden, self.quick, names, rows, view.selection)

    @on(TranscriptView.CursorMoved)
    def _cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        self._update_status()
        self._update_inspector()

    @on(TranscriptView.Pending)
    def _pending(self, event: TranscriptView.Pending) -> None:
        self._pending_keys = event.keys
        self._update_status()

    @on(TranscriptView.FilterCleared)
    def _filter_cleared(self) -> None:
        self.filter_code = None
        self._populate_panels()
        self._update_status()
        self.notify("filter cleared", timeout=2)

    @on(TranscriptView.Notice)
    def _notice(self, event: TranscriptView.Notice) -> None:
        self.notify(event.text, severity=event.severity, timeout=3)  # type: ignore[arg-type]
        self._update_status()

    def on_resize(self) -> None:
        if not self.narrow:
            for panel in self.query(".side"):
                panel.remove_class("-open")
        self.call_after_refresh(self._update_status)
        self.call_after_refresh(self._update_inspector)

    # -- writing ----------------------------------------------------------------------------
    def _write(self, fn: Callable[[], T]) -> T | None:
        """Run one project write; a QualtuiError becomes a notification."""
        try:
            result = fn()
        except QualtuiError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            self._sync_log()
            self.reload_data()
            return None
        self._sync_log()
        self.reload_data()
        return result

    def _need_selection(self) -> tuple[int, int] | None:
        if self.doc is None:
            self.notify("no document open", severity="warning")
            return None
        sel = self.view.selection
        if sel is None:
            self.notify("select text first: s sentence, p paragraph, t turn, v to select",
                        severity="warning", timeout=4)
            return None
        start, end = session.trim_range(self.view.text, *sel)
        if start >= end:
            self.notify("the selection is only whitespace", severity="warning")
            return None
        return start, end

    def apply_code(self, code_id: str) -> Segment | None:
        """Code the selection with ``code_id`` (the picker, keys 1-9 and ``.`` end here)."""
        rng = self._need_selection()
        if rng is None or self.doc is None:
            return None
        doc_id = self.doc.id
        segment = self._write(lambda: self.project.coding.apply(doc_id, rng[0], rng[1],
                                                                code_id))
        if segment is not None:
            self.last_coding = ("code", code_id)
            self.state.recent = session.push_recent(self.state.recent, code_id)
            self.state.save()
            self._update_quick()
            self._populate_panels()
            self._update_inspector()
            self.view.keep_selection()
            self.notify(f"coded {rng[1] - rng[0]} chars as {self.paths.get(code_id, '?')}",
                        timeout=2)
        return segment

    def create_and_apply(self, path: str) -> Segment | None:
        if self._need_selection() is None:
            return None
        code = self._write(lambda: self.project.codebook.add(path, origin="emergent"))
        if code is None:
            return None
        self._select_in_tree(code.id)
        return self.apply_code(code.id)

    def action_pick_code(self) -> None:
        if self._need_selection() is None:
            return
        here = session.document_counts(self.doc_segments)
        total = self.per_code
        quick_keys = {cid: key for key, cid in self.quick.items()}
        codable = [c for c in self.codes if c.codable]
        codable.sort(key=lambda c: quick_keys.get(c.id, 10))
        from qualtui.tui.screens.pickers import CodePicker, PickerEntry, open_code_picker

        entries = [PickerEntry(c.id, self.paths[c.id],
                               (f"key {quick_keys[c.id]}  " if c.id in quick_keys else "")
                               + f"{here.get(c.id, 0)} here, {total.get(c.id, 0)} in all")
                   for c in codable]
        open_code_picker(self, CodePicker(entries, self.apply_code, self.create_and_apply,
                                          {p.lower() for p in self.paths.values()}))

    def action_quick_code(self, key: int) -> None:
        code_id = self.quick.get(key)
        if code_id is None:
            self.notify(f"no code on key {key} yet: code with c first, or pin one with"
                        f" {key} in the codebook tree", severity="warning", timeout=4)
            return
        self.apply_code(code_id)

    def action_in_vivo(self) -> None:
        rng = self._need_selection()
        if rng is None:
            return
        name = session.invivo_name(self.view.text[rng[0]:rng[1]])
        if not name:
            self.notify("the selection has no words to name a code", severity="warning")
            return
        path = f"{session.INVIVO_PARENT}/{name}"
        existing = next((cid for cid, p in self.paths.items() if p.lower() == path.lower()),
                        None)
        if existing is None:
            code = self._write(lambda: self.project.codebook.add(path, origin="emergent"))
            if code is None:
                return
            existing = code.id
        if self.apply_code(existing) is not None:
            self.last_coding = ("invivo", "")

    def action_repeat(self) -> None:
        if self.last_coding is None:
            self.notify("nothing to repeat yet: code something first", severity="warning")
            return
        kind, code_id = self.last_coding
        if kind == "invivo":
            self.action_in_vivo()
        elif code_id in self.code_by_id:
            self.apply_code(code_id)
        else:
            self.notify("the last code no longer exists", severity="warning")

    def _choose_segment(self, title: str, then: Callable[[session.CodingAt], object]) -> None:
        if self.doc is None:
            return
        codings = self._codings_at(self.view.cursor)
        if not codings:
            self.notify("no coding at the cursor", severity="warning")
            return
        if len(codings) == 1:
            then(codings[0])
            return
        items = []
        for item in codings:
            seg = item.segment
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f" {self.palette.letter(seg.code_id)} ",
                        self.palette.swatch_style(seg.code_id))
            line.append(f" {item.path}  ")
            excerpt = " ".join(self.view.text[seg.start:seg.end].split())
            line.append(f"{seg.coder} {seg.start}-{seg.end}  ", "dim")
            line.append(f"\"{excerpt[:60]}{'...' if len(excerpt) > 60 else ''}\"", "dim italic")
            items.append(line)

        def chosen(index: int | None) -> None:
            if index is not None:
                then(codings[index])

        from qualtui.tui.screens.dialogs import ChoiceScreen

        self.app.push_screen(ChoiceScreen(title, items), chosen)

    def action_remove(self) -> None:
        def remove(item: session.CodingAt) -> None:
            if self._write(lambda: self.project.coding.remove(item.segment.id)) is not None:
                self.notify(f"removed {item.path} ({item.segment.start}-{item.segment.end})",
                            timeout=3)

        self._choose_segment("Remove which coding?", remove)

    def action_memo(self) -> None:
        """Write or edit the memo on the segment at the cursor (asks which when several)."""
        def edit(item: session.CodingAt) -> None:
            from qualtui.tui.screens.memos import open_memo

            open_memo(self.app, "segment", item.segment.id, lambda _memo: self.reload_data())

        self._choose_segment("Memo on which segment?", edit)

    def action_undo(self) -> None:
        self._history(self.project.undo)

    def action_redo(self) -> None:
        self._history(self.project.redo)

    def _history(self, fn: Callable[[], str]) -> None:
        summary = self._write(fn)
        if summary is not None:
            self.notify(summary, title="History", timeout=3)

    # -- codebook tree ---------------------------------------------------------------------
    @on(Tree.NodeHighlighted)
    def _tree_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        code_id = event.node.data
        self.view.focus_codes = self._subtree(code_id) if code_id else set()

    @on(CodebookTree.CodeAction)
    def _code_action(self, event: CodebookTree.CodeAction) -> None:
        code_id = event.code_id
        if code_id is None and event.action != "add":
            return
        if event.action == "filter" and code_id:
            self.set_filter(None if self.filter_code == code_id else code_id)
            if self.narrow:
                self._close_overlays()
                self.view.focus()
        elif event.action == "highlight" and code_id:
            self.hidden ^= {code_id}
            self.view.set_hidden(self.hidden)
            self._populate_panels()
            self._update_inspector()
        elif event.action == "add":
            parent = self.paths.get(code_id or "", "")
            self._prompt_add(parent)
        elif event.action == "rename" and code_id:
            code = self.code_by_id[code_id]

            def renamed(name: str | None) -> None:
                if name and name != code.name:
                    self._write(lambda: self.project.codebook.rename(code_id, name))

            from qualtui.tui.screens.dialogs import PromptScreen

            self.app.push_screen(PromptScreen(f"Rename {self.paths[code_id]} to", code.name),
                                 renamed)
        elif event.action == "pin" and code_id:
            self._pin(code_id, event.key)

    def _prompt_add(self, parent: str) -> None:
        def added(name: str | None) -> None:
            if not name:
                return
            path = f"{parent}/{name}" if parent else name
            code = self._write(lambda: self.project.codebook.add(path, origin="emergent"))
            if code is not None:
                self._select_in_tree(code.id)
                self.notify(f"added code {path}", timeout=3)

        title = f"New code under {parent}" if parent else "New top-level code"
        from qualtui.tui.screens.dialogs import PromptScreen

        self.app.push_screen(PromptScreen(title, placeholder="name (or Sub/Path)"), added)

    def _pin(self, code_id: str, key: int) -> None:
        if not self.code_by_id[code_id].codable:
            self.notify(f"{self.paths[code_id]} is a category and cannot be applied",
                        severity="warning")
            return
        pinned = self.state.pinned
        if pinned.get(key) == code_id:
            del pinned[key]
            self.notify(f"key {key} unpinned", timeout=2)
        else:
            for other in [k for k, v in pinned.items() if v == code_id]:
                del pinned[other]
            pinned[key] = code_id
            self.notify(f"key {key} codes {self.paths[code_id]}", timeout=2)
        self.state.save()
        self._update_quick()
        self._populate_panels()
        self._update_inspector()

    def set_filter(self, code_id: str | None) -> None:
        self.filter_code = code_id
        if code_id is None:
            self.view.set_filter(None)
        else:
            wanted = self._subtree(code_id)
            if not any(s.code_id in wanted for s in self.doc_segments):
                self.notify(f"no segments of {self.paths[code_id]} in this document",
                            severity="warning", timeout=3)
                return
            self.view.set_filter(wanted)
        self._populate_panels()
        self._update_status()

    # -- search ----------------------------------------------------------------------------
    def action_search(self) -> None:
        if self.doc is None or not self._when_panels(self.action_search):
            return
        bar = self.query_one("#search", SearchBar)
        self._search_before = self.view.query
        bar.value = ""
        bar.display = True
        bar.focus()

    @on(Input.Changed, "#search")
    def _search_typed(self, event: Input.Changed) -> None:
        self.view.set_search(event.value)
        self._update_status()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        bar = self.query_one("#search", SearchBar)
        bar.display = False
        view = self.view
        view.focus()
        count = view.set_search(event.value)
        if not event.value:
            self._update_status()
            return
        if count == 0:
            self.notify(f"'{event.value}' not found", severity="warning", timeout=3)
        else:
            starts = [s for s, _ in view.matches]
            target = session.next_start(starts, view.cursor - 1, wrap=True)
            if target is not None:
                view.clear_selection()
                view.move_to(target, center=True)
        self._update_status()

    def action_search_cancel(self) -> None:
        bar = self.query_one("#search", SearchBar)
        bar.display = False
        self.view.set_search(self._search_before)
        self.view.focus()
        self._update_status()

    # -- panels and focus ------------------------------------------------------------------
    def _panel(self, name: str) -> Widget:
        return self.query_one(f"#{name}")

    def _panel_focus_target(self, name: str) -> Widget:
        return self.doc_list if name == "documents" else self.tree

    def action_toggle_panel(self, name: str) -> None:
        """Narrow: open/close the panel as an overlay. Wide: show and focus a collapsed
        panel, focus a visible one, collapse a focused one."""
        if not self._when_panels(partial(self.action_toggle_panel, name)):
            return
        panel = self._panel(name)
        target = self._panel_focus_target(name)
        if self.narrow:
            if panel.has_class("-open"):
                self._close_overlays()
                self.view.focus()
            else:
                self._close_overlays()
                panel.add_class("-open")
                self._panel_focus_target(name).focus()
        elif panel.has_class("-collapsed"):
            panel.remove_class("-collapsed")
            target.focus()
        elif not target.has_focus:
            target.focus()
        else:
            panel.add_class("-collapsed")
            self.view.focus()
        self.call_after_refresh(self._update_status)

    def _close_overlays(self) -> None:
        for panel in self.query(".side"):
            panel.remove_class("-open")

    def action_close_overlays(self) -> None:
        if any(p.has_class("-open") for p in self.query(".side")):
            self._close_overlays()
        self.view.focus()

    def action_cycle_focus(self, direction: int) -> None:
        if not self._when_panels(partial(self.action_cycle_focus, direction)):
            return
        order = ["documents", "transcript", "codebook"]
        focused = self.focused
        current = 1
        for i, name in enumerate(order):
            widget = self.view if name == "transcript" else self._panel(name)
            if focused is not None and (focused is widget or widget in focused.ancestors):
                current = i
        for step in range(1, len(order) + 1):
            name = order[(current + direction * step) % len(order)]
            if name == "transcript":
                self._close_overlays()
                self.view.focus()
                return
            panel = self._panel(name)
            if self.narrow:
                self._close_overlays()
                panel.add_class("-open")
                self._panel_focus_target(name).focus()
                return
            if not panel.has_class("-collapsed"):
                self._panel_focus_target(name).focus()
                return

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        sources: list[tuple[str, Any]] = [("Global", self.app.BINDINGS),
                                          ("Coding", self.BINDINGS)]
        sources.extend((name, cls.BINDINGS) for name, cls in self.HELP_WIDGETS)
        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups(sources, keymap, self.view.sequences.values(),
                                self.HELP_NOTES)
        groups.setdefault("Global", []).append(("ctrl+p", "Command palette (themes, keys...)"))
        self.app.push_screen(HelpScreen(groups, "qualtui keys - coding screen"))

    def refresh_code_colors(self) -> None:
        """The theme changed how codes are painted (called by the app): repaint."""
        self.reload_data()

    def on_screen_resume(self) -> None:
        """Other screens of this process change the project without touching the disk
        signal the poll watches: read everything again when the user comes back."""
        if self.is_mounted and getattr(self, "_resumed_once", False):
            self._sync_log()
            self.reload_data()
        self._resumed_once = True

    # -- live team view --------------------------------------------------------------------
    def poll_changes(self) -> None:
        """Reload when another process committed; announce what other coders did."""
        version = pull_changes(self)
        if version is None or version == self._seen_version:
            return
        self._sync_log()
        self.reload_data()

    def _sync_log(self) -> None:
        """Notify about log entries written since we last looked, by other coders."""
        project = self.project
        next_seq = int(project.repo.get_meta("next_seq", 1))
        if next_seq - 1 <= self.last_seq:
            return
        # ``since`` keeps the log from decoding old entries; same-second ones are re-read
        entries = [e for e in project.log.entries(since=self.last_at or None)
                   if e.seq > self.last_seq]
        self.last_seq = max([self.last_seq, *(e.seq for e in entries)])
        self.last_at = max([self.last_at, *(e.at for e in entries)])
        entries = visible_entries(entries, project.coder, self.coder_filter.mode)
        for line in session.describe_changes(entries, project.coder, self.doc_names):
            self.notify(line, title="Team", timeout=6)
