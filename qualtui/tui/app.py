"""The qualtui terminal app: modes from the screen registry, themes, colour depth, keymap.

``qualtui open`` calls :func:`run_app`. Tests build ``QualtuiApp(project)`` and drive it with
``run_test()``. Screens reach the project as ``self.app.project`` and the per-user UI state
as ``self.app.ui_state``; top-level screens are registered in
:mod:`qualtui.tui.screens` and become Textual modes (``ctrl+g`` lists them).

Environment: ``QUALTUI_COLORS`` (``truecolor``, ``256``, ``16``, ``mono``) overrides the
detected colour depth; ``NO_COLOR`` gives ``mono``; ``QUALTUI_EXIT_AFTER_PAINT=1`` makes the
app quit right after the first transcript paint (used by ``benchmarks/startup_bench.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandListItem, SimpleCommand
from textual.message import Message

from qualtui.core.errors import QualtuiError
from qualtui.store.ui_state import UIState
from qualtui.tui.screens import SCREENS, screen_factory
from qualtui.tui.widgets.palette import DEPTHS, detect_depth

if TYPE_CHECKING:
    from textual.binding import Keymap
    from textual.widget import AwaitMount

    from qualtui.core.project import Project

__all__ = ["QualtuiApp", "run_app"]

DEFAULT_THEME = "textual-dark"
LOW_COLOR_THEME = "ansi-dark"


class QualtuiApp(App[None]):
    """The workbench. ``QualtuiApp(project, theme=None)``."""

    TITLE = "qualtui"
    CSS_PATH = "qualtui.tcss"
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar[dict[str, object]] = {spec.mode: screen_factory(spec)  # type: ignore[misc]
                                          for spec in SCREENS}
    DEFAULT_MODE = SCREENS[0].mode
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+g", "goto_screen", "Go to screen", show=False, id="app.goto"),
        *[Binding(spec.key, f"switch_mode('{spec.mode}')", f"Go to {spec.title}",
                  show=False, id=f"goto.{spec.mode}")
          for spec in SCREENS if spec.key],
    ]

    def __init__(self, project: Project, theme: str | None = None, *,
                 color_depth: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.theme_warning: str | None = None
        if color_depth is not None and color_depth not in DEPTHS:
            raise ValueError(f"color_depth must be one of {', '.join(DEPTHS)}")
        self.color_depth = color_depth or detect_depth(self.console.color_system, self.no_color)
        self._apply_theme(theme or project.settings.theme or None)
        project_id = str(project.repo.get_meta("project_id", "") or project.root)
        self.ui_state = UIState.load(project_id)

    def _apply_theme(self, requested: str | None) -> None:
        if requested:
            if requested in self.available_themes:
                self.theme = requested
                return
            self.theme_warning = (f"unknown theme '{requested}'; themes:"
                                  f" {', '.join(sorted(self.available_themes))}")
        self.theme = LOW_COLOR_THEME if self.color_depth == "16" else DEFAULT_THEME

    def watch_theme(self, theme: str) -> None:
        """Under NO_COLOR keep Textual's filter in step with the theme: its ``Monochrome``
        filter turns an ANSI theme's default colours black (text black on black), so ANSI
        themes get ``NoColor`` (the terminal's own colours) instead."""
        if not self.no_color:
            return
        from textual.filter import Monochrome, NoColor

        wanted = NoColor if self.available_themes[theme].ansi else Monochrome
        self._filters = [f if not isinstance(f, (Monochrome, NoColor)) else wanted()
                         for f in self._filters]

    def on_mount(self) -> None:
        if self.theme_warning:
            self.notify(self.theme_warning, severity="warning", timeout=8)

    # -- keymap: Textual bindings plus the transcript's two-key sequences ---------------------
    def _sequence_ids(self) -> set[str]:
        from qualtui.tui.widgets.transcript import SEQUENCES

        return {s.id for s in SEQUENCES}

    def _split_keymap(self, keymap: Keymap) -> tuple[dict[str, str], dict[str, str]]:
        ids = self._sequence_ids()
        plain = {k: v for k, v in keymap.items() if k not in ids}
        sequences = {k: v for k, v in keymap.items() if k in ids}
        return plain, sequences

    def _remap_sequences(self, sequences: dict[str, str]) -> None:
        self._sequence_keymap = {**getattr(self, "_sequence_keymap", {}), **sequences}
        from qualtui.tui.widgets.transcript import TranscriptView

        for screen in self.screen_stack:
            for view in screen.query(TranscriptView):
                view.set_sequence_keys(self._sequence_keymap)

    def set_keymap(self, keymap: Keymap) -> None:
        """Remap bindings by id; ids of two-key sequences take values like ``"g g"``."""
        plain, sequences = self._split_keymap(keymap)
        super().set_keymap(plain)
        self._sequence_keymap = {}
        self._remap_sequences(sequences)

    def update_keymap(self, keymap: Keymap) -> None:
        plain, sequences = self._split_keymap(keymap)
        super().update_keymap(plain)
        self._remap_sequences(sequences)

    # -- key names: plain words, never rare glyphs (Textual shows Enter as a symbol) ----------
    KEY_NAMES: ClassVar[dict[str, str]] = {
        "enter": "Enter", "escape": "Esc", "space": "Space", "tab": "Tab",
        "backspace": "Bksp", "delete": "Del", "up": "Up", "down": "Down", "left": "Left",
        "right": "Right", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
        "question_mark": "?", "slash": "/", "full_stop": ".", "left_parenthesis": "(",
        "right_parenthesis": ")", "left_curly_bracket": "{", "right_curly_bracket": "}",
        "left_square_bracket": "[", "right_square_bracket": "]", "dollar_sign": "$",
        "circumflex_accent": "^",
    }

    def get_key_display(self, binding: Binding) -> str:
        if binding.key_display:
            return binding.key_display
        key = binding.key.split(",")[0].strip()
        *modifiers, name = key.split("+")
        name = self.KEY_NAMES.get(name, name.upper() if name[:1] == "f" and name[1:].isdigit()
                                  else name)
        if "ctrl" in modifiers:
            modifiers.remove("ctrl")
            name = f"^{name}"
        return "+".join([*modifiers, name])

    # -- passages: any screen can ask to show a stretch of text in the coding screen ------------
    async def open_passage(self, document_id: str, start: int, end: int) -> None:
        """Go to the coding screen and show ``document_id`` with ``start``-``end`` selected."""
        from qualtui.tui.screens.coding import CodingScreen

        if self.current_mode != "coding":
            await self.switch_mode("coding")
        while not isinstance(self.screen, CodingScreen) and len(self.screen_stack) > 1:
            await self.pop_screen()
        if isinstance(self.screen, CodingScreen):
            self.screen.show_passage(document_id, start, end)

    async def on_jump_to_passage(self, message: Message) -> None:
        """Handle a ``JumpToPassage`` message (posted by analysis screens' drill-downs)."""
        document_id = getattr(message, "document_id", None)
        if document_id is not None:
            await self.open_passage(document_id, int(getattr(message, "start", 0)),
                                    int(getattr(message, "end", 0)))

    # -- palettes ---------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        from qualtui.tui.screens.pickers import Palette

        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette(id="--command-palette"))

    def search_commands(self, commands: Sequence[CommandListItem],
                        placeholder: str = "Search for commands...") -> AwaitMount:
        from qualtui.tui.screens.pickers import simple_palette

        return self.push_screen(simple_palette(self.screen, list(commands), placeholder))

    # -- screens ----------------------------------------------------------------------------
    def action_goto_screen(self) -> None:
        commands = [SimpleCommand(spec.title, lambda mode=spec.mode: self.switch_mode(mode),
                                  f"{spec.key.upper()}  {spec.description}")
                    for spec in SCREENS]
        self.search_commands(commands, placeholder="Go to screen...")


def run_app(project: Project, theme: str | None = None) -> None:
    """Run the UI on ``project`` until the user quits (called by ``qualtui open``)."""
    from qualtui.tui.driver import driver_class

    app = QualtuiApp(project, theme=theme)
    driver = driver_class()
    if driver is not None:
        app.driver_class = driver
    app.run()
    if app.return_code not in (None, 0):
        raise QualtuiError(f"the terminal UI stopped with status {app.return_code}")

