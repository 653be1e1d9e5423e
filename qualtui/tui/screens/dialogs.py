"""Small modal dialogs: a one-line prompt, a numbered choice, and a memo editor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

__all__ = ["ChoiceScreen", "MemoScreen", "PromptScreen"]


_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 72; max-width: 95%; height: auto; max-height: 90%;
    border: round $primary; background: $surface; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; width: 100%; }}
{name} .hint {{ color: $foreground-muted; margin-top: 1; width: 100%; }}
"""


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Esc returns None."""

    DEFAULT_CSS = _CSS.format(name="PromptScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Input(self._value, placeholder=self._placeholder, id="prompt-input")
            yield Label("Enter to confirm, Esc to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[int | None]):
    """Pick one of several items: arrows and Enter, or its number; Esc cancels."""

    DEFAULT_CSS = _CSS.format(name="ChoiceScreen") + """
    ChoiceScreen OptionList { height: auto; max-height: 16; border: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        *[Binding(str(n), f"choose({n})", f"Choose {n}", show=False,
                  id=f"dialog.choose-{n}") for n in range(1, 10)],
    ]

    def __init__(self, title: str, items: Sequence[Text | str]) -> None:
        super().__init__()
        self._title = title
        self._items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            options = []
            for i, item in enumerate(self._items, start=1):
                prompt = Text(f"{i}  " if i <= 9 else "   ", no_wrap=True, overflow="ellipsis")
                prompt.append(item if isinstance(item, Text) else Text(item))
                options.append(Option(prompt, id=str(i - 1)))
            yield OptionList(*options, id="choices")
            yield Label("Enter or a number to choose, Esc to cancel", classes="hint")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_choose(self, number: int) -> None:
        if 1 <= number <= len(self._items):
            self.dismiss(number - 1)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemoScreen(ModalScreen[str | None]):
    """Write or edit a memo: ctrl+s (or the Save button) saves, Esc cancels."""

    DEFAULT_CSS = _CSS.format(name="MemoScreen") + """
    MemoScreen TextArea { height: 12; }
    MemoScreen .quote { color: $foreground-muted; text-style: italic; max-height: 3; }
    MemoScreen Horizontal { height: auto; margin-top: 1; }
    MemoScreen Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="memo.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, title: str, quote: str, body: str = "") -> None:
        super().__init__()
        self._title = title
        self._quote = quote
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Label(self._quote, classes="quote")
            yield TextArea(self._body, id="memo-body", soft_wrap=True, show_line_numbers=False)
            with Horizontal():
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
