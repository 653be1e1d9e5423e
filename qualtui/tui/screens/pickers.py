"""Fuzzy pickers built on Textual's command palette: codes (with "create code") and
documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from rich.text import Text
from textual.command import (
    CommandListItem,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
    SearchIcon,
    SimpleProvider,
)
from textual.screen import Screen

from qualtui.core.codebook import split_path
from qualtui.core.errors import QualtuiError

__all__ = ["CodePicker", "CodePickerProvider", "Palette", "PickerEntry", "open_code_picker",
           "simple_palette"]


class Palette(CommandPalette):
    """Textual's command palette with a plain ``>`` prompt instead of an emoji."""

    DEFAULT_CSS = """
    Palette SearchIcon { color: $accent; }
    """

    def on_mount(self) -> None:
        self.query_one(SearchIcon).icon = ">"


def simple_palette(screen: Screen[object], commands: list[CommandListItem],
                   placeholder: str) -> Palette:
    """A palette over a fixed list of commands (like ``App.search_commands``)."""
    return Palette(providers=[SimpleProvider(screen, commands)], placeholder=placeholder)


@dataclass(frozen=True)
class PickerEntry:
    """One code the picker offers."""

    code_id: str
    path: str
    help: str = ""


@dataclass
class CodePicker:
    """What the code picker shows and what choosing does; set on the calling screen as
    ``code_picker`` before the palette opens."""

    entries: list[PickerEntry]
    on_pick: Callable[[str], object]
    on_create: Callable[[str], object]
    known_paths: set[str] = field(default_factory=set)


def _valid_path(text: str) -> str | None:
    try:
        return "/".join(split_path(text))
    except QualtuiError:
        return None


class CodePickerProvider(Provider):
    """Code paths matched fuzzily; a path that does not exist yet is offered as
    "Create code ..."."""

    def _picker(self) -> CodePicker | None:
        return getattr(self.screen, "code_picker", None)

    async def discover(self) -> Hits:
        picker = self._picker()
        if picker is None:
            return
        for entry in picker.entries:
            yield DiscoveryHit(entry.path, partial(picker.on_pick, entry.code_id),
                               text=entry.path, help=entry.help or None)

    async def search(self, query: str) -> Hits:
        picker = self._picker()
        if picker is None:
            return
        matcher = self.matcher(query)
        for entry in picker.entries:
            score = matcher.match(entry.path)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.path),
                          partial(picker.on_pick, entry.code_id), text=entry.path,
                          help=entry.help or None)
        path = _valid_path(query)
        if path and path.lower() not in picker.known_paths:
            label = Text("Create code ")
            label.append(path, "bold")
            yield Hit(0.001, label, partial(picker.on_create, path), text=f"Create code {path}",
                      help="adds it to the codebook and codes the selection")


def open_code_picker(screen: Screen[object], picker: CodePicker) -> None:
    """Show the code picker over ``screen``."""
    screen.code_picker = picker  # type: ignore[attr-defined]
    screen.app.push_screen(Palette(providers=[CodePickerProvider],
                                   placeholder="Code the selection: type a code path"))
