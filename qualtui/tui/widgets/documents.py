"""The documents panel: name, words and segments per document, filtered by typing."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qualtui.core.models import Document

if TYPE_CHECKING:
    from textual.widget import AwaitMount

__all__ = ["DocumentList", "DocumentPanel"]



class DocumentList(OptionList):
    """Documents; printable keys narrow the list, Backspace widens it, Enter opens one.

    Every printable key goes to the filter (so names with any letter can be found); move with
    the arrow keys.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("backspace", "shorten_filter", "Shorten filter", show=False,
                id="documents.filter-back"),
    ]

    class Open(Message):
        """Open this document."""

        def __init__(self, document_id: str) -> None:
            super().__init__()
            self.document_id = document_id

    class FilterChanged(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.filter_text = ""
        self._docs: list[Document] = []
        self._segments: Mapping[str, int] = {}
        self._current: str | None = None
        self._memos: Container[str] = ()

    def populate(self, docs: Sequence[Document], segments: Mapping[str, int],
                 current: str | None, memos: Container[str] = ()) -> None:
        """Show ``docs`` with their segment counts; ``memos`` holds ids of documents that
        have a memo (marked ``m``)."""
        self._memos = memos
        self._docs = list(docs)
        self._segments = segments
        self._current = current
        self._rebuild()

    def _rebuild(self) -> None:
        wanted = self.filter_text.lower()
        keep = self.highlighted_option.id if self.highlighted_option else self._current
        shown = [d for d in self._docs if wanted in d.name.lower()]
        width = max((len(d.name) for d in shown), default=4)
        options = []
        for doc in shown:
            label = Text()
            marker = "*" if doc.id == self._current else " "
            label.append(f"{marker}{doc.name:<{width}}",
                         Style(bold=True) if doc.id == self._current else Style())
            label.append(f" {doc.words:>5}w {self._segments.get(doc.id, 0):>4}",
                         Style(dim=True))
            if doc.id in self._memos:
                label.append(" m", Style(bold=True))
            options.append(Option(label, id=doc.id))
        self.set_options(options)
        ids = [d.id for d in shown]
        if keep in ids:
            self.highlighted = ids.index(keep)
        elif ids:
            self.highlighted = 0

    async def on_key(self, event: events.Key) -> None:
        char = event.character
        if char and char.isprintable() and len(char) == 1 and not char.isspace():
            event.stop()
            event.prevent_default()
            self.filter_text += char
            self._rebuild()
            self.post_message(self.FilterChanged(self.filter_text))
        elif event.key == "escape" and self.filter_text:
            event.stop()
            event.prevent_default()
            self.filter_text = ""
            self._rebuild()
            self.post_message(self.FilterChanged(""))

    def action_shorten_filter(self) -> None:
        if self.filter_text:
            self.filter_text = self.filter_text[:-1]
            self._rebuild()
            self.post_message(self.FilterChanged(self.filter_text))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Open(event.option.id))


class DocumentPanel(Vertical):
    """The documents list with a line saying how to filter it.

    Composed empty: :meth:`fill` mounts the list, so that a screen can paint its transcript
    first and add the list a frame later (see ``CodingScreen``).
    """

    DEFAULT_CSS = """
    DocumentPanel > #doc-filter { height: 1; color: $foreground-muted; padding: 0 1; }
    DocumentPanel > DocumentList { height: 1fr; border: none; }
    """

    def fill(self) -> AwaitMount:
        """Mount the filter line and the list."""
        return self.mount(Static("type to filter", id="doc-filter"), DocumentList(id="doc-list"))

    def on_document_list_filter_changed(self, event: DocumentList.FilterChanged) -> None:
        self.query_one("#doc-filter", Static).update(
            f"filter: {event.text}" if event.text else "type to filter")
