"""The memo pane: title, context line, Markdown editor and rendered preview, with autosave.

Used by the memos screen and by the ``MemoEditor`` dialog. It edits one memo (or a new one,
created on the first save that has something in it) and saves through
:class:`~qualtui.core.memo_tools.MemoWriter`: ``IDLE_SECONDS`` after the last keystroke, and
never later than ``MAX_WAIT_SECONDS`` after the first unsaved one, so continuous typing is
still saved (each save is an fsynced commit: a crash loses under a second of text). A burst
of saves is one entry in the operation log.

The preview sits beside the editor when the screen has the ``-wide`` class (>= 120 columns);
otherwise ``ctrl+t`` swaps editor and preview. ``ctrl+l`` inserts a link from a fuzzy picker;
``ctrl+o`` follows the link at the cursor (the pane posts :class:`MemoPane.Follow`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote, unquote

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import SimpleCommand
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Markdown, Static, TextArea
from textual.widgets.text_area import LanguageDoesNotExist

from qualtui.core.errors import QualtuiError
from qualtui.core.memo_tools import (
    KIND_LETTERS,
    LINK_RE,
    Link,
    MemoContext,
    MemoWriter,
    SaveResult,
    Target,
    derive_title,
    format_link,
    format_time,
    link_at,
)
from qualtui.core.models import Memo

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["IDLE_SECONDS", "MAX_WAIT_SECONDS", "MemoPane", "make_body_editor",
           "preview_markdown"]

IDLE_SECONDS = 0.3
"""Save this long after the last keystroke..."""
MAX_WAIT_SECONDS = 0.6
"""...and never later than this after the first unsaved keystroke."""
TICK_SECONDS = 0.1
PREVIEW_SECONDS = 0.3
"""The preview follows the text this long after typing stops."""
LINK_SCHEME = "qualtui:"


def make_body_editor(text: str = "") -> TextArea:
    """A soft-wrapping TextArea with Markdown highlighting when tree-sitter has it."""
    options = {"soft_wrap": True, "show_line_numbers": False, "tab_behavior": "focus",
               "id": "memo-body", "compact": True}
    try:
        return TextArea(text, language="markdown", **options)  # type: ignore[arg-type]
    except LanguageDoesNotExist:
        return TextArea(text, **options)  # type: ignore[arg-type]


def preview_markdown(ctx: MemoContext, body: str) -> str:
    """The body with ``[[kind:ref]]`` links as clickable Markdown links."""
    if not body.strip():
        return "*Nothing written yet.*"

    def link(match: object) -> str:
        kind, ref = match.group(1), match.group(2).strip()  # type: ignore[attr-defined]
        target = ctx.resolve(Link(kind, ref, 0, 0))
        if target is None:
            return f"`[[{kind}:{ref}]]` (not found)"
        label = target.label.replace("[", "(").replace("]", ")")
        href = LINK_SCHEME + quote(f"{kind}:{ref}", safe=":/")
        return f"[{kind}: {label}]({href})"

    return LINK_RE.sub(link, body)


class MemoPane(Vertical):
    """Edits one memo: title line, context line, editor and preview."""

    SCOPED_CSS = False  # the layout follows the screen's -wide class
    DEFAULT_CSS = """
    MemoPane { height: 1fr; }
    MemoPane #memo-title { height: 1; padding: 0 1; }
    MemoPane #memo-meta {
        height: 1; padding: 0 1; color: $foreground-muted; background: $boost;
    }
    MemoPane #memo-quote {
        display: none; max-height: 2; padding: 0 1; color: $foreground-muted;
        text-style: italic;
    }
    MemoPane #memo-quote.-shown { display: block; }
    MemoPane #memo-panes { height: 1fr; }
    MemoPane #memo-body { width: 1fr; height: 1fr; padding: 0 1; }
    MemoPane #memo-preview { width: 1fr; height: 1fr; display: none; padding: 0 1; }
    MemoPane #memo-preview Markdown { margin: 0; padding: 0; }
    MemoPane.-toggled #memo-body { display: none; }
    MemoPane.-toggled #memo-preview { display: block; }
    .-wide MemoPane #memo-preview { display: block; border-left: vkey $panel-lighten-2; }
    .-wide MemoPane.-toggled #memo-body { display: block; }
    .-wide MemoPane.-toggled #memo-preview { display: none; }
    MemoPane:disabled #memo-panes { opacity: 60%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save now", id="memo.save"),
        Binding("ctrl+t", "toggle_preview", "Preview", id="memo.preview"),
        Binding("ctrl+l", "insert_link", "Link", id="memo.link"),
        Binding("ctrl+o", "follow_link", "Follow link", id="memo.follow"),
    ]

    class Saved(Message):
        """A save wrote the memo (``created``: it was new; ``retitled``: title changed)."""

        def __init__(self, pane: MemoPane, memo: Memo, created: bool, retitled: bool) -> None:
            super().__init__()
            self.pane = pane
            self.memo = memo
            self.created = created
            self.retitled = retitled

    class Follow(Message):
        """The user followed a link to ``target``."""

        def __init__(self, pane: MemoPane, target: Target) -> None:
            super().__init__()
            self.pane = pane
            self.target = target

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.writer: MemoWriter | None = None
        self._saved: tuple[str, str] = ("", "")
        self._initial_title = ""
        self._fallback_title = "Memo"
        self._dirty_since: float | None = None
        self._last_change = 0.0
        self._preview_due: float | None = None
        self._status = ""
        self._error: str | None = None
        self._tick: Timer | None = None
        self._target_label = ""
        # kept as attributes: flush() still uses them while the pane is being unmounted
        self._title = Input(placeholder="Title (default: the first line)", id="memo-title",
                            compact=True)
        self._meta = Static(id="memo-meta")
        self._quote = Static(id="memo-quote")
        self._area = make_body_editor()
        self._markdown = Markdown("", id="memo-markdown", open_links=False)

    # -- building ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self._title
        yield self._meta
        yield self._quote
        with Horizontal(id="memo-panes"):
            yield self._area
            with VerticalScroll(id="memo-preview"):
                yield self._markdown

    def on_mount(self) -> None:
        self._tick = self.set_interval(TICK_SECONDS, self._on_tick, pause=True)

    def on_unmount(self) -> None:
        self.flush()

    # -- parts -------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    @property
    def area(self) -> TextArea:
        return self._area

    @property
    def title_input(self) -> Input:
        return self._title

    @property
    def memo(self) -> Memo | None:
        """The memo being edited (None while a new one has not been saved)."""
        return self.writer.memo if self.writer else None

    @property
    def memo_id(self) -> str | None:
        memo = self.memo
        return memo.id if memo else None

    @property
    def kind(self) -> str | None:
        return self.writer.kind if self.writer else None

    @property
    def dirty(self) -> bool:
        """Typed but not yet saved."""
        return self.writer is not None and self._current() != self._saved

    @property
    def preview_visible(self) -> bool:
        wide = self.screen.has_class("-wide")
        return self.has_class("-toggled") != wide

    @property
    def editor_visible(self) -> bool:
        return self.screen.has_class("-wide") or not self.has_class("-toggled")

    def _current(self) -> tuple[str, str]:
        return self.title_input.value, self.area.text

    def title_to_save(self) -> str:
        return self.title_input.value.strip() or derive_title(self.area.text,
                                                              self._fallback_title)

    # -- loading -----------------------------------------------------------------------------
    def load(self, memo: Memo | None, *, kind: str = "journal", target_id: str | None = None,
             title: str = "") -> None:
        """Edit ``memo``, or a new memo of ``kind`` on ``target_id`` (saved once it has
        text). Pending edits of the previous memo are saved first."""
        self.flush()
        self.writer = MemoWriter(self.project, memo, kind=kind, target_id=target_id)
        ctx = MemoContext(self.project)
        target = None
        if memo is not None:
            target = ctx.target_of(memo)
        elif target_id:
            target = ctx.target_by_id(target_id)
        self._fallback_title = _fallback_title(self.writer.kind, target)
        text_title = memo.title if memo else title
        body = memo.body if memo else ""
        with self.prevent(Input.Changed, TextArea.Changed):
            self.title_input.value = text_title
            self.area.load_text(body)
        self._saved = (text_title, body)
        self._initial_title = text_title
        self._dirty_since = None
        self._error = None
        self._status = "saved" if memo else "new: saved once you write"
        self.disabled = False
        quote_widget = self._quote
        if target is not None and target.kind == "segment":
            passage = " ".join(ctx.text_of(ctx.segments[target.id]).split())
            quote_widget.update(Text(f'"{passage}"'))
            quote_widget.add_class("-shown")
        else:
            quote_widget.update("")
            quote_widget.remove_class("-shown")
        self._target_label = target.label if target else ""
        self._update_meta()
        self._refresh_preview(ctx)

    def clear(self, message: str = "No memo selected: n writes one, J a journal entry") -> None:
        """Show no memo (after saving pending edits)."""
        self.flush()
        self.writer = None
        with self.prevent(Input.Changed, TextArea.Changed):
            self.title_input.value = ""
            self.area.load_text("")
        self._saved = ("", "")
        self._status = ""
        self._target_label = ""
        self._quote.remove_class("-shown")
        self._meta.update(Text(message))
        self._markdown.update("")
        self.disabled = True

    def reload_from_store(self) -> None:
        """Show the stored version again (after undo, or another coder's change), unless
        there are unsaved edits (the next save reports the conflict)."""
        if self.writer is None or self.dirty:
            return
        memo_id = self.memo_id
        if memo_id is None:
            return
        row = self.project.repo.get("memos", memo_id)
        if row is None:
            self.clear("This memo was deleted (u undoes a deletion of yours)")
            return
        memo = MemoContext(self.project).memo_by_id.get(memo_id)
        if memo is None or (memo.title, memo.body) == self._saved:
            return
        cursor = self.area.cursor_location
        self.load(memo)
        self.area.cursor_location = cursor

    def focus_body(self, at_end: bool = False) -> None:
        """Focus the editor (showing it if the preview had replaced it)."""
        if not self.editor_visible:
            self.remove_class("-toggled")
        if at_end:
            self.area.move_cursor(self.area.document.end)
        self.area.focus()

    # -- autosave ----------------------------------------------------------------------------
    @on(TextArea.Changed, "#memo-body")
    @on(Input.Changed, "#memo-title")
    def _changed(self, event: Message) -> None:
        event.stop()
        now = time.monotonic()
        if self.writer is None:
            return
        if self._current() == self._saved:
            self._dirty_since = None
        else:
            if self._dirty_since is None:
                self._dirty_since = now
                self._status = "editing"
                self._update_meta()
            self._last_change = now
        if self.preview_visible:
            self._preview_due = now + PREVIEW_SECONDS
        if self._tick is not None:
            self._tick.resume()

    def _on_tick(self) -> None:
        now = time.monotonic()
        if self._dirty_since is not None and (
                now - self._last_change >= IDLE_SECONDS
                or now - self._dirty_since >= MAX_WAIT_SECONDS):
            self.flush()
        if self._preview_due is not None and now >= self._preview_due:
            self._preview_due = None
            self._refresh_preview()
        if self._dirty_since is None and self._preview_due is None and self._tick is not None:
            self._tick.pause()

    def flush(self) -> SaveResult | None:
        """Save pending edits now; returns what was saved (None when nothing was)."""
        if self.writer is None:
            return None
        current = self._current()
        if current == self._saved:
            self._dirty_since = None
            return None
        title_value, body = current
        if (self.writer.memo is None and not body.strip()
                and title_value.strip() == self._initial_title.strip()):
            self._saved = current  # nothing worth creating yet
            self._dirty_since = None
            return None
        old_title = self.writer.memo.title if self.writer.memo else None
        try:
            result = self.writer.save(self.title_to_save(), body)
        except (QualtuiError, OSError) as exc:
            message = f"memo not saved: {exc}"
            if message != self._error:
                self.notify(message, severity="error", timeout=8)
            self._error = message
            self._status = "NOT SAVED"
            self._dirty_since = time.monotonic()  # retry after MAX_WAIT_SECONDS
            self._update_meta()
            return None
        self._error = None
        self._saved = current
        self._dirty_since = None
        self._status = f"saved {time.strftime('%H:%M:%S')}"
        if result.recreated:
            self.notify("this memo had been deleted: your text was saved as a new memo",
                        severity="warning", timeout=8)
        elif result.overwrote:
            self.notify(f"{result.overwrote} changed this memo while you were typing: your"
                        " version was saved (theirs is kept in the log)", severity="warning",
                        timeout=8)
        self._update_meta()
        if result.memo is not None and result.written:
            self.post_message(self.Saved(self, result.memo, result.created,
                                         result.memo.title != old_title))
        return result

    def action_save(self) -> None:
        if self.flush() is None and not self.dirty and self.writer is not None:
            self._status = f"saved {time.strftime('%H:%M:%S')}"
            self._update_meta()

    # -- meta line and preview -------------------------------------------------------------
    def _update_meta(self) -> None:
        """``saved 14:03:05 · [C] code Risks/Privacy · coder1 · 2026-11-24 06:33``: the
        save state first, so a narrow pane still shows it."""
        if self.writer is None:
            return
        kind = self.writer.kind
        memo = self.writer.memo
        line = Text()
        if self._status:
            line.append(self._status, style="bold reverse" if self._status == "NOT SAVED"
                        else "italic")
            line.append(" · ")
        line.append(f"[{KIND_LETTERS.get(kind, '?')}] {kind}", style="bold")
        if self._target_label:
            line.append(f" {self._target_label}")
        if memo is not None:
            line.append(f" · {memo.author} · {format_time(memo.created_at)}")
        line.no_wrap = True
        line.overflow = "ellipsis"
        self._meta.update(line)

    def _refresh_preview(self, ctx: MemoContext | None = None) -> None:
        if not self.preview_visible:
            self._preview_due = None
            return
        markdown = preview_markdown(ctx or MemoContext(self.project), self.area.text)
        self._markdown.update(markdown)

    def action_toggle_preview(self) -> None:
        focused_body = self.app.focused is self.area
        self.toggle_class("-toggled")
        self._refresh_preview()
        if not self.editor_visible and focused_body:
            self.query_one("#memo-preview", VerticalScroll).focus()
        elif self.editor_visible and not self.preview_visible:
            self.area.focus()

    def on_resize(self) -> None:
        if self.preview_visible:
            self._preview_due = time.monotonic()
            if self._tick is not None:
                self._tick.resume()

    # -- links -----------------------------------------------------------------------------------
    def action_insert_link(self) -> None:
        if self.writer is None:
            return
        ctx = MemoContext(self.project)
        commands: list[SimpleCommand] = []
        for code in ctx.codes:
            path = ctx.paths[code.id]
            commands.append(SimpleCommand(f"code {path}", _inserter(self, "code", path),
                                          "link to the code"))
        docs = ctx.document_by_id
        for seg in sorted(ctx.segments.values(),
                          key=lambda s: (ctx.document_order.get(s.document_id, 0), s.start)):
            passage = " ".join(ctx.text_of(seg).split())
            passage = passage if len(passage) <= 60 else passage[:57] + "..."
            doc = docs.get(seg.document_id)
            name = (f"segment {doc.name if doc else '?'} {ctx.paths.get(seg.code_id, '?')}"
                    f" {passage}")
            commands.append(SimpleCommand(name, _inserter(self, "segment", seg.id),
                                          f"{seg.start}-{seg.end} by {seg.coder}"))
        for doc in ctx.documents:
            commands.append(SimpleCommand(f"document {doc.name}",
                                          _inserter(self, "document", doc.name),
                                          "link to the document"))
        for memo in ctx.memos:
            if memo.id != self.memo_id:
                commands.append(SimpleCommand(f"memo {memo.title}",
                                              _inserter(self, "memo", memo.id),
                                              f"{memo.kind} memo by {memo.author}"))
        self.app.search_commands(commands, placeholder="Link to: type a code, a passage,"
                                                       " a document or a memo")

    def insert_link(self, kind: str, ref: str) -> None:
        """Insert ``[[kind:ref]]`` at the editor's cursor."""
        if not self.editor_visible:
            self.remove_class("-toggled")
        self.area.insert(format_link(kind, ref))
        self.area.focus()

    def action_follow_link(self) -> None:
        area = self.area
        offset = area.document.get_index_from_location(area.cursor_location)
        link = link_at(area.text, offset)
        if link is None:
            self.notify("no link at the cursor (ctrl+l inserts one)", severity="warning")
            return
        self.follow(link)

    def follow(self, link: Link) -> None:
        target = MemoContext(self.project).resolve(link)
        if target is None:
            self.notify(f"{link.text} names nothing in this project", severity="warning")
            return
        self.flush()
        self.post_message(self.Follow(self, target))

    @on(Markdown.LinkClicked)
    def _clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        href = event.href
        if href.startswith(LINK_SCHEME):
            kind, _, ref = unquote(href[len(LINK_SCHEME):]).partition(":")
            self.follow(Link(kind, ref, 0, 0))
        else:
            self.app.open_url(href)


def _inserter(pane: MemoPane, kind: str, ref: str) -> Callable[[], None]:
    return lambda: pane.insert_link(kind, ref)


def _fallback_title(kind: str, target: Target | None) -> str:
    if kind == "journal":
        return f"Journal {time.strftime('%Y-%m-%d')}"
    if target is not None:
        return f"Memo on {target.label}"
    return "Project memo" if kind == "project" else "Memo"
