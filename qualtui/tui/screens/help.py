"""The help screen: every key binding of the current screen, grouped, with current keys.

It reads the bindings themselves (``BINDINGS`` of the app, of the screen underneath and of
the widget classes that screen lists in ``HELP_WIDGETS``, plus its ``HELP_SEQUENCES``), so it
never goes stale, and it shows keys remapped with ``App.set_keymap``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

__all__ = ["HelpScreen", "binding_groups", "key_label"]

_PRETTY = {
    "question_mark": "?", "slash": "/", "full_stop": ".", "left_parenthesis": "(",
    "right_parenthesis": ")", "left_curly_bracket": "{", "right_curly_bracket": "}",
    "left_square_bracket": "[", "right_square_bracket": "]", "dollar_sign": "$",
    "circumflex_accent": "^", "escape": "Esc", "enter": "Enter", "space": "Space",
    "tab": "Tab", "shift+tab": "shift+Tab", "pagedown": "PgDn", "pageup": "PgUp",
    "backspace": "Backspace", "home": "Home", "end": "End", "left": "Left",
    "right": "Right", "up": "Up", "down": "Down",
}


def _pretty(key: str) -> str:
    key = key.strip()
    if key in _PRETTY:
        return _PRETTY[key]
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    return key


def key_label(keys: str) -> str:
    """``"h,left"`` as ``"h / Left"``."""
    return " / ".join(_pretty(k) for k in keys.split(",") if k.strip())


GROUP_TITLES = {
    "app": "Global", "goto": "Screens", "panel": "Panels", "move": "Move",
    "select": "Select", "code": "Code", "navigate": "Navigate", "history": "History",
    "codebook": "Codebook tree", "documents": "Documents", "search": "Search line",
    "dialog": "Dialogs", "memo": "Memo editor", "help": "Help",
}
"""Help groups come from the first part of a binding's id (``code.pick`` -> Code)."""


def group_of(binding_id: str | None, default: str) -> str:
    if binding_id:
        return GROUP_TITLES.get(binding_id.split(".", 1)[0], default)
    return default


def _bindings(source: Iterable[BindingType]) -> list[Binding]:
    out: list[Binding] = []
    for item in source:
        if isinstance(item, Binding):
            out.append(item)
        else:
            out.append(Binding(*item))
    return out


GROUP_ORDER = ("Move", "Select", "Code", "Navigate", "History", "Panels", "Codebook tree",
               "Documents", "Search line", "Global", "Screens")


def binding_groups(sources: Iterable[tuple[str, Iterable[BindingType]]],
                   keymap: Mapping[str, str],
                   sequences: Iterable[Any] = (),
                   notes: Mapping[str, Iterable[tuple[str, str]]] | None = None,
                   ) -> dict[str, list[tuple[str, str]]]:
    """``{group: [(keys, description), ...]}`` in first-seen order.

    ``sources`` are ``(default group name, bindings)``; the group is named by the binding
    id's prefix (:data:`GROUP_TITLES`), else the binding's own group, else the default.
    Bindings sharing a group and a numbered description (``1``...``9``) fold into one row.
    ``notes`` add free rows (mouse use, counts) to groups.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for default, bindings in sources:
        for binding in _bindings(bindings):
            if binding.system or not binding.description:
                continue
            group = group_of(binding.id, binding.group.description if binding.group
                             else default)
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            label = key_label(keys)
            description = binding.tooltip or binding.description
            rows = groups.setdefault(group, [])
            fold = _fold(description)
            if fold and (group, fold) in seen:
                index = seen[(group, fold)]
                prev_keys, _ = rows[index]
                rows[index] = (f"{prev_keys.split('-')[0]}-{label}", fold)
                continue
            if fold:
                seen[(group, fold)] = len(rows)
            rows.append((label, description if not fold else fold))
    for seq in sequences:
        label = seq.display
        groups.setdefault(group_of(seq.id, seq.group), []).append((label, seq.description))
    for group, rows in (notes or {}).items():
        groups.setdefault(group, []).extend(rows)
    rank = {name: i for i, name in enumerate(GROUP_ORDER)}
    return dict(sorted(groups.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def _fold(description: str) -> str | None:
    """``"Quick code 3"`` -> ``"Quick code N"``: descriptions ending in a digit fold."""
    head, _, tail = description.rpartition(" ")
    if tail.isdigit() and head:
        return f"{head} (1-9)"
    return None


class HelpScreen(ModalScreen[None]):
    """Lists every binding by group; Esc, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > Vertical {
        width: 92; max-width: 100%; height: 100%; max-height: 100%;
        border: round $primary; background: $surface;
    }
    HelpScreen #help-title { text-style: bold; padding: 0 1; width: 100%; }
    HelpScreen VerticalScroll { height: 1fr; padding: 0 1; }
    HelpScreen .group { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="help.up"),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False,
                id="help.page-down"),
        Binding("pageup", "scroll('page_up')", "Page up", show=False, id="help.page-up"),
    ]

    def __init__(self, groups: dict[str, list[tuple[str, str]]], title: str) -> None:
        super().__init__()
        self._groups = groups
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self._title}   (Esc closes, j/k scroll)", id="help-title")
            with VerticalScroll(id="help-body"):
                for group, rows in self._groups.items():
                    table = Table(title=Text(group, style="bold"), title_justify="left",
                                  show_header=False, box=None, padding=(0, 2, 0, 0),
                                  expand=False)
                    table.add_column(style="bold", no_wrap=True, min_width=14)
                    table.add_column()
                    for keys, description in rows:
                        table.add_row(keys, description)
                    yield Static(table, classes="group")

    def action_scroll(self, how: str) -> None:
        body = self.query_one(VerticalScroll)
        {"down": body.scroll_down, "up": body.scroll_up, "page_down": body.scroll_page_down,
         "page_up": body.scroll_page_up}[how](animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
