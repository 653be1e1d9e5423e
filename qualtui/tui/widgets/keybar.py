"""A one-line footer of the main keys, cheaper than Textual's ``Footer``.

Textual's ``Footer`` builds one widget per key and rebuilds them all whenever the focus
moves; at start-up that was a fifth of the time to first paint. This bar is one widget
drawing one line of text. It shows the ``show=True`` bindings active for the focused widget
(so it follows ``App.set_keymap``), one per action, and runs a key's action when clicked.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

__all__ = ["KeyBar"]


class KeyBar(Static):
    """Keys and what they do, for the focused widget; click one to run it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--description"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .keybar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .keybar--description { color: $footer-description-foreground; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, DOMNode, Binding]] = []
        self._shown: str | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.rebuild)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.rebuild)

    def rebuild(self) -> None:
        """Redraw from the bindings now active (after focus moves or keys are remapped)."""
        if not self.is_attached:
            return
        width = self.size.width or 80
        items: list[tuple[DOMNode, Binding, str]] = []
        seen: set[str] = set()
        palette_key: str | None = None
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action == "command_palette":
                palette_key = self.app.get_key_display(binding)
                continue
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            items.append((node, binding, self.app.get_key_display(binding)))
        text, spans = self._line(items, "  ")
        if text.cell_len > width:  # tighter spacing before anything is cut off
            text, spans = self._line(items, " ")
        if palette_key and self.app.ENABLE_COMMAND_PALETTE:
            right = Text(f"{palette_key} palette ", no_wrap=True)
            right.stylize(self.get_component_rich_style("keybar--key", partial=True), 0,
                          len(palette_key))
            gap = width - text.cell_len - right.cell_len
            if gap > 0:
                text.append(" " * gap)
                text.append_text(right)
        self._spans = spans
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text, layout=False)

    def _line(self, items: list[tuple[DOMNode, Binding, str]],
              gap: str) -> tuple[Text, list[tuple[int, int, DOMNode, Binding]]]:
        key_style = self.get_component_rich_style("keybar--key", partial=True)
        desc_style = self.get_component_rich_style("keybar--description", partial=True)
        text = Text(" ", no_wrap=True, overflow="ellipsis")
        spans: list[tuple[int, int, DOMNode, Binding]] = []
        for node, binding, key in items:
            start = text.cell_len
            text.append(key, key_style)
            text.append(" " + binding.description, desc_style)
            spans.append((start, text.cell_len, node, binding))
            text.append(gap)
        return text, spans

    def on_resize(self) -> None:
        self.rebuild()

    async def on_click(self, event: events.Click) -> None:
        for start, end, node, binding in self._spans:
            if start <= event.x < end:
                event.stop()
                await self.app.run_action(binding.action, node)
                return
