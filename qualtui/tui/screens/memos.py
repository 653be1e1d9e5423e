"""The memos screen (mode ``memos``, F6): every memo and the research journal.

Left: the list, grouped by kind (project memos, journal, document, code and segment memos),
with full-text search (``/``) and filters by kind, author and linked code (``f``). Right: the
:class:`~qualtui.tui.widgets.memo_pane.MemoPane` editor with its rendered preview (side by
side from 120 columns, ``ctrl+t`` swaps them below), autosaved as you type.

Also here, for other screens:

- :class:`MemoEditor` and :func:`open_memo` - a dialog editing the memo of one document,
  code or segment (created on the first save if it has none);
- :func:`new_journal_entry` - go to this screen and start a dated journal entry (``J``);
- following a link to a segment, document or code posts
  :class:`~qualtui.tui.messages.JumpToPassage` / :class:`~qualtui.tui.messages.JumpToCode`
  to the app, which shows it in the coding screen;
- :func:`memo_targets` - ids of the documents, codes and segments that have memos.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import SimpleCommand
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from qualtui.core.errors import QualtuiError
from qualtui.core.memo_tools import KIND_TITLES, KINDS, MemoContext, Target, memo_targets
from qualtui.core.models import Memo
from qualtui.tui.messages import JumpToCode, JumpToPassage
from qualtui.tui.polling import pull_changes
from qualtui.tui.widgets.memo_pane import MemoPane

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["CODING_MODE", "MEMOS_MODE", "MemoEditor",
           "MemosScreen", "follow_target", "memo_targets", "new_journal_entry", "open_memo",
           "show_memo"]

CODING_MODE = "coding"
MEMOS_MODE = "memos"
WIDE_COLUMNS = 120
"""From this width the preview sits beside the editor."""
POLL_SECONDS = 0.5
"""How often the screen looks for other processes' changes to memos."""

NEW_KINDS = (("journal", "Journal entry (dated)"), ("project", "Project memo"),
             ("document", "Document memo..."), ("code", "Code memo..."),
             ("segment", "Segment memo..."))


# -- messages for the memos screen ---------------------------------------------------------------
class ShowMemo(Message, bubble=False):
    """Posted to the memos screen: show this memo."""

    def __init__(self, memo_id: str) -> None:
        super().__init__()
        self.memo_id = memo_id


class NewJournal(Message, bubble=False):
    """Posted to the memos screen: start a new journal entry."""


# -- functions other screens call ---------------------------------------------------------------
def _base_screen(app: App[Any], mode: str) -> Screen[Any] | None:
    try:
        app.switch_mode(mode)
    except Exception as exc:  # noqa: BLE001 - an unknown mode must not crash the app
        app.notify(f"cannot go to the {mode} screen: {exc}", severity="error")
        return None
    return app.screen_stack[0]


def follow_target(app: App[Any], target: Target) -> None:
    """Go where a link points: a memo opens in the memos screen; a segment or document is
    shown by the coding screen (:class:`JumpToPassage`), a code too (:class:`JumpToCode`)."""
    if target.kind == "memo":
        show_memo(app, target.id)
        return
    if target.kind in ("segment", "document") and target.document_id:
        app.post_message(JumpToPassage(target.document_id, target.start, target.end))
    elif target.kind == "code":
        app.post_message(JumpToCode(target.id))


def show_memo(app: App[Any], memo_id: str) -> None:
    """Go to the memos screen and show ``memo_id``."""
    screen = _base_screen(app, MEMOS_MODE)
    if screen is not None:
        screen.post_message(ShowMemo(memo_id))


def new_journal_entry(app: App[Any]) -> None:
    """Go to the memos screen and start a dated journal entry (the app's ``J`` key)."""
    screen = _base_screen(app, MEMOS_MODE)
    if screen is not None:
        screen.post_message(NewJournal())


def open_memo(app: App[Any], kind: str, target_id: str | None,
              callback: Callable[[Memo | None], Any] | None = None) -> MemoEditor:
    """Edit the memo of a document, code or segment in a dialog (the newest one if it has
    several; a new one, created on the first save, if it has none). ``kind`` is
    ``"document"``, ``"code"`` or ``"segment"`` (``"journal"``/``"project"`` with
    ``target_id=None`` write a new memo). ``callback`` gets the memo when the dialog
    closes (None when nothing was written)."""
    project: Project = app.project  # type: ignore[attr-defined]
    existing = project.memos.all(kind=kind, target_id=target_id) if target_id else []
    editor = MemoEditor(kind, target_id, existing[-1] if existing else None)
    app.push_screen(editor, callback)
    return editor


def _today() -> str:
    return time.strftime("%Y-%m-%d")


# -- the memo dialog -----------------------------------------------------------------------------
class MemoEditor(ModalScreen[Memo | None]):
    """A dialog editing one memo, autosaved; Esc closes it (nothing is lost)."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"),
                                                              (WIDE_COLUMNS, "-wide")]
    DEFAULT_CSS = """
    MemoEditor { align: center middle; background: $background 60%; }
    MemoEditor > #memo-dialog {
        width: 90%; max-width: 170; height: 90%;
        border: round $primary; background: $surface;
    }
    MemoEditor #memo-dialog-title { text-style: bold; padding: 0 1; width: 100%; }
    MemoEditor .hint { color: $foreground-muted; padding: 0 1; width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close (saved)", id="memo.close"),
    ]

    def __init__(self, kind: str, target_id: str | None, memo: Memo | None = None) -> None:
        super().__init__()
        self.kind = memo.kind if memo else kind
        self.target_id = memo.target_id if memo else target_id
        self.initial = memo

    @property
    def pane(self) -> MemoPane:
        return self.query_one(MemoPane)

    def compose(self) -> ComposeResult:
        project: Project = self.app.project  # type: ignore[attr-defined]
        ctx = MemoContext(project)
        target = ctx.target_by_id(self.target_id) if self.target_id else None
        if target is not None:
            title = f"Memo on {target.kind} {target.label}"
        else:
            title = KIND_TITLES.get(self.kind, "Memo").rstrip("s") + (
                f" {_today()}" if self.kind == "journal" else "")
        with Vertical(id="memo-dialog"):
            yield Label(title, id="memo-dialog-title")
            yield MemoPane()
            yield Label("Esc closes (saved as you type) · ^t preview · ^l link · ^o follow",
                        classes="hint")

    def on_mount(self) -> None:
        title = f"Journal {_today()}" if self.kind == "journal" and not self.initial else ""
        self.pane.load(self.initial, kind=self.kind, target_id=self.target_id, title=title)
        self.pane.focus_body(at_end=True)

    def action_close(self) -> None:
        pane = self.pane
        pane.flush()
        self.dismiss(pane.memo)

    @on(MemoPane.Follow)
    def _follow(self, event: MemoPane.Follow) -> None:
        event.stop()
        pane = self.pane
        pane.flush()
        app = self.app
        self.dismiss(pane.memo)
        follow_target(app, event.target)


# -- the screen ----------------------------------------------------------------------------------
class MemoSearch(Input):
    """The search line above the memo list; Esc clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear search", id="memos.search-clear"),
    ]

    def action_cancel(self) -> None:
        screen = self.screen
        if isinstance(screen, MemosScreen):
            screen.action_search_cancel()


LIST_ONLY_ACTIONS = {"new_memo", "new_journal", "search", "filter", "clear_filters", "delete",
                     "edit", "undo", "redo", "cursor('down')", "cursor('up')"}
"""Actions on printable keys: hidden from the footer while the editor or an input has focus."""


class MemosScreen(Screen[None]):
    """Read, search, filter and write memos and journal entries."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"),
                                                              (WIDE_COLUMNS, "-wide")]
    DEFAULT_CSS = """
    MemosScreen #memos-status { height: 1; padding: 0 1; background: $panel; }
    MemosScreen:nocolor #memos-status { text-style: reverse; }
    MemosScreen #memos-main { height: 1fr; }
    MemosScreen #memos-side {
        width: 30; height: 1fr; border-right: vkey $panel-lighten-2; background: $surface;
    }
    MemosScreen.-wide #memos-side { width: 40; }
    MemosScreen #memos-search { height: 1; border: none; padding: 0 1; }
    MemosScreen #memos-list { height: 1fr; border: none; padding: 0; }
    MemosScreen #memos-pane { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_memo", "New", id="memos.new"),
        Binding("J", "new_journal", "Journal", id="memos.journal"),
        Binding("slash", "search", "Search", key_display="/", id="memos.search"),
        Binding("f", "filter", "Filter", id="memos.filter"),
        Binding("x", "clear_filters", "Clear filters", show=False, id="memos.clear-filters"),
        Binding("e", "edit", "Edit the memo", show=False, id="memos.edit"),
        Binding("d", "delete", "Delete the memo", show=False, id="memos.delete"),
        Binding("j", "cursor('down')", "Next memo", show=False, id="memos.down"),
        Binding("k", "cursor('up')", "Previous memo", show=False, id="memos.up"),
        Binding("u", "undo", "Undo", show=False, id="history.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="history.redo"),
        Binding("escape", "focus_list", "Back to the list", show=False, id="memos.list"),
        Binding("f1,question_mark", "help", "Help", key_display="F1", id="app.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind_filter: str | None = None
        self.author_filter: str | None = None
        self.code_filter: str | None = None
        self.query_text = ""
        self.shown: list[Memo] = []
        self.total = 0
        self.ctx: MemoContext | None = None
        self._signature: int | None = None

    # -- parts ----------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    @property
    def memo_list(self) -> OptionList:
        return self.query_one("#memos-list", OptionList)

    @property
    def pane(self) -> MemoPane:
        return self.query_one("#memos-pane", MemoPane)

    @property
    def search_input(self) -> MemoSearch:
        return self.query_one("#memos-search", MemoSearch)

    def compose(self) -> ComposeResult:
        yield Static(id="memos-status")
        with Horizontal(id="memos-main"):
            with Vertical(id="memos-side"):
                yield MemoSearch(placeholder="/ search memos", id="memos-search")
                yield OptionList(id="memos-list")
            yield MemoPane(id="memos-pane")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        first = next((m for m in self.shown), None)
        if first is not None:
            self._highlight(first.id)
            self._open(first.id)
        else:
            self.pane.clear()
        self.memo_list.focus()
        self.set_interval(POLL_SECONDS, self.poll_changes, name="memos-refresh")

    # -- the list ----------------------------------------------------------------------------
    def _memo_signature(self) -> int:
        rows = self.project.repo.all("memos")
        return hash(tuple((r.get("id"), r.get("modified_at"), len(r.get("body") or ""),
                           r.get("title")) for r in rows))

    def rebuild(self, select: str | None = None) -> None:
        """Read the memos again, apply search and filters, refill the list (keeping the
        highlighted memo, or highlighting ``select``)."""
        ctx = MemoContext(self.project)
        self.ctx = ctx
        self._signature = self._memo_signature()
        if self.code_filter and self.code_filter not in ctx.code_by_id:
            self.code_filter = None
        self.total = len(ctx.memos)
        self.shown = ctx.filter(kinds=[self.kind_filter] if self.kind_filter else [],
                                author=self.author_filter, code_id=self.code_filter,
                                query=self.query_text)
        memo_list = self.memo_list
        keep = select or self.pane.memo_id or self._highlighted_id()
        # room for the text whether or not the scrollbar shows
        width = max(16, (memo_list.size.width or 30)
                    - memo_list.styles.scrollbar_size_vertical - 1)
        options: list[Option] = []
        kind = None
        for memo in self.shown:
            if memo.kind != kind:
                kind = memo.kind
                count = sum(1 for m in self.shown if m.kind == kind)
                options.append(Option(Text(f"{KIND_TITLES.get(kind, kind)} ({count})",
                                           style="bold underline"), disabled=True))
            options.append(Option(self._prompt(ctx, memo, width), id=memo.id))
        with self.prevent(OptionList.OptionHighlighted):
            memo_list.set_options(options)
            if keep is not None and any(m.id == keep for m in self.shown):
                memo_list.highlighted = memo_list.get_option_index(keep)
            else:
                memo_list.highlighted = None
        self._update_status()

    @staticmethod
    def _prompt(ctx: MemoContext, memo: Memo, width: int) -> Text:
        title = memo.title if len(memo.title) <= width else memo.title[:width - 3] + "..."
        target = ctx.target_label(memo)
        from qualtui.core.memo_tools import format_time

        meta = " ".join(p for p in (format_time(memo.created_at, with_time=False),
                                    memo.author, target) if p)
        meta = meta if len(meta) <= width else meta[:width - 3] + "..."
        prompt = Text(title)
        prompt.append("\n")
        prompt.append(meta, style="dim")
        return prompt

    def _highlighted_id(self) -> str | None:
        option = self.memo_list.highlighted_option
        return option.id if option is not None else None

    def _highlight(self, memo_id: str) -> None:
        with self.prevent(OptionList.OptionHighlighted):
            try:
                self.memo_list.highlighted = self.memo_list.get_option_index(memo_id)
            except Exception:  # noqa: BLE001 - OptionDoesNotExist: the memo is filtered out
                self.memo_list.highlighted = None

    def _update_status(self) -> None:
        line = Text()
        line.append("Memos", style="bold")
        line.append(f"  {len(self.shown)} of {self.total}")
        filters = []
        if self.kind_filter:
            filters.append(f"kind: {self.kind_filter}")
        if self.author_filter:
            filters.append(f"author: {self.author_filter}")
        if self.code_filter and self.ctx is not None:
            filters.append(f"code: {self.ctx.paths.get(self.code_filter, '?')}")
        if self.query_text:
            filters.append(f"search: {self.query_text}")
        if filters:
            line.append("  " + " · ".join(filters))
            line.append("  (x clears)", style="dim")
        else:
            line.append("  f filters · / searches · J journal entry", style="dim")
        line.no_wrap = True
        line.overflow = "ellipsis"
        self.query_one("#memos-status", Static).update(line)

    @on(OptionList.OptionHighlighted, "#memos-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        memo_id = event.option.id
        if memo_id is None or memo_id == self.pane.memo_id:
            return
        self._open(memo_id)

    def _open(self, memo_id: str) -> None:
        """Load ``memo_id`` as stored now into the editor (pending edits are saved first)."""
        self.pane.flush()
        try:
            memo = self.project.memos.get(memo_id)
        except QualtuiError:
            self.notify("that memo no longer exists", severity="warning")
            self.rebuild()
            return
        self.pane.load(memo)

    @on(OptionList.OptionSelected, "#memos-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.pane.focus_body()

    def on_resize(self) -> None:
        self.call_after_refresh(self.rebuild)

    # -- saving and outside changes ---------------------------------------------------------
    @on(MemoPane.Saved)
    def _saved(self, event: MemoPane.Saved) -> None:
        if event.created or event.retitled:
            self.rebuild(select=event.memo.id)
        else:
            self._signature = self._memo_signature()

    def poll_changes(self) -> None:
        """Pick up other processes' (and other screens') changes to memos. Only while this
        screen is shown: in the background it must not take the coding screen's news."""
        if self.app.screen is not self:
            return
        if pull_changes(self) is None:
            return
        if self._memo_signature() != self._signature:
            self.rebuild()
            self.pane.reload_from_store()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.ctx is not None:
            self.call_after_refresh(self.poll_changes)

    def on_screen_suspend(self) -> None:
        if self.is_mounted:
            self.pane.flush()

    # -- showing memos --------------------------------------------------------------------------
    @on(ShowMemo)
    def _show_memo(self, event: ShowMemo) -> None:
        self.show(event.memo_id)

    def show(self, memo_id: str) -> None:
        """Highlight and open ``memo_id`` (clearing search and filters that hide it)."""
        self.pane.flush()
        ctx = MemoContext(self.project)
        memo = ctx.memo_by_id.get(memo_id)
        if memo is None:
            self.notify("that memo no longer exists", severity="warning")
            return
        if not any(m.id == memo_id for m in self.shown):
            self._reset_filters()
        self.rebuild(select=memo_id)
        self._open(memo_id)
        self._highlight(memo_id)
        self.memo_list.focus()

    def _reset_filters(self) -> None:
        self.kind_filter = self.author_filter = self.code_filter = None
        self.query_text = ""
        with self.prevent(Input.Changed):
            self.search_input.value = ""

    @on(MemoPane.Follow)
    def _follow(self, event: MemoPane.Follow) -> None:
        event.stop()
        if event.target.kind == "memo":
            self.show(event.target.id)
        else:
            follow_target(self.app, event.target)

    # -- writing ---------------------------------------------------------------------------------
    @on(NewJournal)
    def _new_journal(self, event: NewJournal) -> None:
        self.start_memo("journal", None)

    def action_new_journal(self) -> None:
        self.start_memo("journal", None)

    def start_memo(self, kind: str, target_id: str | None) -> None:
        """Open a new memo of ``kind`` (on ``target_id``) in the editor; it is stored once
        something is written."""
        self.pane.load(None, kind=kind, target_id=target_id,
                       title=f"Journal {_today()}" if kind == "journal" else "")
        with self.prevent(OptionList.OptionHighlighted):
            self.memo_list.highlighted = None
        self.pane.focus_body()

    def action_new_memo(self) -> None:
        from qualtui.tui.screens.dialogs import ChoiceScreen

        def chosen(index: int | None) -> None:
            if index is None:
                return
            kind = NEW_KINDS[index][0]
            if kind in ("journal", "project"):
                self.start_memo(kind, None)
            else:
                self._pick_target(kind, lambda target_id: self.start_memo(kind, target_id))

        self.app.push_screen(ChoiceScreen("New memo", [label for _, label in NEW_KINDS]),
                             chosen)

    def _pick_target(self, kind: str, then: Callable[[str], None]) -> None:
        ctx = MemoContext(self.project)
        commands: list[SimpleCommand] = []
        if kind == "document":
            for doc in ctx.documents:
                commands.append(SimpleCommand(doc.name, _call(then, doc.id),
                                              f"{doc.words} words"))
        elif kind == "code":
            for code in ctx.codes:
                commands.append(SimpleCommand(ctx.paths[code.id], _call(then, code.id),
                                              code.definition[:80] or None))
        else:
            for seg in sorted(ctx.segments.values(), key=lambda s: (
                    ctx.document_order.get(s.document_id, 0), s.start)):
                target = ctx.segment_target(seg.id)
                passage = " ".join(ctx.text_of(seg).split())
                passage = passage if len(passage) <= 60 else passage[:57] + "..."
                commands.append(SimpleCommand(f"{target.label if target else seg.id}"
                                              f" {passage}", _call(then, seg.id), seg.coder))
        if not commands:
            self.notify(f"no {kind}s in this project yet", severity="warning")
            return
        self.app.search_commands(commands, placeholder=f"Memo on which {kind}?")

    def action_edit(self) -> None:
        if self.pane.writer is not None:
            self.pane.focus_body()

    def action_delete(self) -> None:
        from qualtui.tui.screens.dialogs import ChoiceScreen

        memo = self.pane.memo
        if memo is None:
            if self.pane.writer is not None:
                self.pane.clear()
            return

        def chosen(index: int | None) -> None:
            if index != 0:
                return
            try:
                self.project.memos.delete(memo.id)
            except QualtuiError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"deleted memo '{memo.title}' (u undoes)")
            self._after_change()

        self.app.push_screen(ChoiceScreen(f"Delete memo '{memo.title}'?",
                                          ["Delete it (u undoes)", "Keep it"]), chosen)

    def _after_change(self) -> None:
        """Refill the list and show the highlighted memo after undo, redo or delete."""
        self.pane.reload_from_store()
        self.rebuild()
        if self.pane.writer is None:
            memo_id = self._highlighted_id() or next((m.id for m in self.shown), None)
            if memo_id is not None and self.ctx is not None:
                self._highlight(memo_id)
                self._open(memo_id)

    def action_undo(self) -> None:
        self._history(self.project.undo)

    def action_redo(self) -> None:
        self._history(self.project.redo)

    def _history(self, fn: Callable[[], str]) -> None:
        self.pane.flush()
        try:
            summary = fn()
        except QualtuiError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(summary)
        self._after_change()

    # -- search and filters ----------------------------------------------------------------------
    def action_search(self) -> None:
        self.search_input.focus()

    @on(Input.Changed, "#memos-search")
    def _search_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self.rebuild()
        self._show_first_if_hidden()

    def _show_first_if_hidden(self) -> None:
        """After the list changed: keep the memo in the editor if it is still listed, else
        open the first listed one (or show that nothing matches)."""
        shown = {m.id for m in self.shown}
        if self.pane.memo_id in shown or (self.pane.writer is not None
                                          and self.pane.memo is None):
            return  # still listed, or a new memo being written
        if self.shown:
            self._highlight(self.shown[0].id)
            self._open(self.shown[0].id)
        else:
            self.pane.clear("No memo matches the search and filters: x clears them")

    @on(Input.Submitted, "#memos-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.memo_list.focus()

    def action_search_cancel(self) -> None:
        self.search_input.value = ""
        self.memo_list.focus()

    def action_filter(self) -> None:
        from qualtui.tui.screens.dialogs import ChoiceScreen

        def chosen(index: int | None) -> None:
            if index == 0:
                self._filter_kind()
            elif index == 1:
                self._filter_author()
            elif index == 2:
                self._filter_code()
            elif index == 3:
                self.action_clear_filters()

        self.app.push_screen(ChoiceScreen("Filter memos", [
            f"Kind ({self.kind_filter or 'all'})", f"Author ({self.author_filter or 'all'})",
            "Linked code" + (f" ({self.ctx.paths.get(self.code_filter, '?')})"
                             if self.code_filter and self.ctx else " (any)"),
            "Clear all filters and the search"]), chosen)

    def _filter_kind(self) -> None:
        from qualtui.tui.screens.dialogs import ChoiceScreen

        def chosen(index: int | None) -> None:
            if index is not None:
                self._set_filter(kind=None if index == 0 else KINDS[index - 1])

        self.app.push_screen(ChoiceScreen("Show which memos?", [
            "All kinds", *(KIND_TITLES[k] for k in KINDS)]), chosen)

    def _filter_author(self) -> None:
        from qualtui.tui.screens.dialogs import ChoiceScreen

        authors = MemoContext(self.project).authors()

        def chosen(index: int | None) -> None:
            if index is not None:
                self._set_filter(author=None if index == 0 else authors[index - 1])

        self.app.push_screen(ChoiceScreen("Memos by whom?", ["Everyone", *authors]), chosen)

    def _filter_code(self) -> None:
        ctx = MemoContext(self.project)
        commands = [SimpleCommand("(any code)", lambda: self._set_filter(code=None),
                                  "no code filter")]
        for code in ctx.codes:
            commands.append(SimpleCommand(ctx.paths[code.id],
                                          _call(lambda cid: self._set_filter(code=cid),
                                                code.id),
                                          "memos about this code or its sub-codes"))
        self.app.search_commands(commands, placeholder="Memos about which code?")

    _UNSET: ClassVar[object] = object()

    def _set_filter(self, *, kind: object = _UNSET, author: object = _UNSET,
                    code: object = _UNSET) -> None:
        if kind is not self._UNSET:
            self.kind_filter = kind  # type: ignore[assignment]
        if author is not self._UNSET:
            self.author_filter = author  # type: ignore[assignment]
        if code is not self._UNSET:
            self.code_filter = code  # type: ignore[assignment]
        self._refilter()

    def action_clear_filters(self) -> None:
        self._reset_filters()
        self._refilter()

    def _refilter(self) -> None:
        self.rebuild()
        self._show_first_if_hidden()
        self.memo_list.focus()

    # -- focus and keys --------------------------------------------------------------------------
    def action_focus_list(self) -> None:
        self.pane.flush()
        self.memo_list.focus()

    def action_cursor(self, direction: str) -> None:
        memo_list = self.memo_list
        memo_list.focus()
        if direction == "down":
            memo_list.action_cursor_down()
        else:
            memo_list.action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys on letters belong to the editor and the inputs while they have focus."""
        if isinstance(self.focused, (TextArea, Input)):
            name = action if not parameters else f"{action}({', '.join(map(repr, parameters))})"
            if name in LIST_ONLY_ACTIONS:
                return False
        return True

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        sources: list[tuple[str, Any]] = [("Global", self.app.BINDINGS),
                                          ("Memos", self.BINDINGS),
                                          ("Memo editor", MemoPane.BINDINGS)]
        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups(sources, keymap)
        groups.setdefault("Memo editor", []).extend([
            ("Enter / e", "Edit the highlighted memo"),
            ("Esc", "Back to the list (the memo is saved as you type)"),
            ("Tab", "Next field (search, list, title, text)"),
            ("ctrl+z / ctrl+y", "Undo / redo typing")])
        self.app.push_screen(HelpScreen(groups, "qualtui keys - memos screen"))


def _call(fn: Callable[[str], Any], value: str) -> Callable[[], Any]:
    return lambda: fn(value)
