"""The qualtui terminal app: modes from the screen registry, themes, colour depth, keymap.

``qualtui open`` calls :func:`run_app`. Tests build ``QualtuiApp(project)`` and drive it with
``run_test()``. Screens reach the project as ``self.app.project`` and the per-user UI state
as ``self.app.ui_state``; top-level screens are registered in
:mod:`qualtui.tui.screens` and become Textual modes (``ctrl+g`` lists them).

Environment: ``QUALTUI_COLORS`` (``truecolor``, ``256``, ``16``, ``mono``) overrides the
detected colour depth; ``NO_COLOR`` gives ``mono``; ``QUALTUI_EXIT_AFTER_PAINT=1`` makes the
app quit right after the first transcript paint (used by ``benchmarks/startup_bench.py``).
Themes come from :mod:`qualtui.tui.themes`, the user's ``config.yaml`` and ``keymap.yaml``
from :mod:`qualtui.tui.config` and :mod:`qualtui.tui.keymap` (docs/themes-and-keys.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandListItem, SimpleCommand

from qualtui.core.errors import QualtuiError
from qualtui.startup import resume_gc
from qualtui.store.ui_state import UIState
from qualtui.tui.config import load_user_config
from qualtui.tui.keymap import load_keymap
from qualtui.tui.messages import JumpToCode, JumpToPassage
from qualtui.tui.screens import SCREENS, screen_factory
from qualtui.tui.themes import (
    DEFAULT_THEME,
    LOW_COLOR_THEME,
    THEME_CSS,
    code_colors,
    code_tint,
    load_themes,
    theme_variable_defaults,
)
from qualtui.tui.widgets.palette import DEPTHS, cap_depth, detect_depth, set_tint

if TYPE_CHECKING:
    from textual.binding import Keymap
    from textual.widget import AwaitMount

    from qualtui.core.project import Project

__all__ = ["QualtuiApp", "run_app"]


class QualtuiApp(App[None]):
    """The workbench. ``QualtuiApp(project, theme=None)``."""

    TITLE = "qualtui"
    CSS_PATH = "qualtui.tcss"
    CSS = THEME_CSS  # wires the themes' qt-* variables to the widgets
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar[dict[str, object]] = {spec.mode: screen_factory(spec)  # type: ignore[misc]
                                          for spec in SCREENS}
    DEFAULT_MODE = SCREENS[0].mode
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+g", "goto_screen", "Go to screen", show=False, id="app.goto"),
        Binding("J", "new_journal_entry", "Journal entry", show=False, id="app.journal"),
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
        self.user_config = load_user_config()
        self.startup_warnings: list[str] = [*project.notices, *self.user_config.warnings]
        self.terminal_depth = color_depth or detect_depth(
            self.console.color_system, self.no_color, self.user_config.colors)
        self.color_depth = self.terminal_depth
        themes = load_themes()
        for loaded in themes.themes.values():
            self.register_theme(loaded)
        self.startup_warnings.extend(themes.warnings)
        self._apply_theme(theme or project.settings.theme or self.user_config.theme or None)
        keymap, keymap_warnings = load_keymap()
        self.startup_warnings.extend(keymap_warnings)
        if keymap:
            self.set_keymap(keymap)
        self._clashes_reported: set[str] = set()
        self._configure_terminal()
        project_id = str(project.repo.get_meta("project_id", "") or project.root)
        self.ui_state = UIState.load(project_id)

    # -- themes, colour depth and terminal settings (see qualtui.tui.themes, docs) ----------
    def _apply_theme(self, requested: str | None) -> None:
        """``--theme``, else ``theme:`` in qualtui.yaml, else the user's config.yaml, else
        the default for the colour depth (the ANSI theme at 16 colours)."""
        if requested:
            if requested in self.available_themes:
                self._set_initial_theme(requested)
                return
            ours = sorted(n for n in self.available_themes if n.startswith("qualtui-"))
            self.theme_warning = (f"unknown theme '{requested}'; using the default (themes:"
                                  f" {', '.join(ours)}, or any in the command palette)")
            self.startup_warnings.append(self.theme_warning)
        self._set_initial_theme(LOW_COLOR_THEME if self.terminal_depth == "16"
                                else DEFAULT_THEME)

    def _set_initial_theme(self, name: str) -> None:
        """Set the theme before the app runs, without Textual's theme watcher: assigning
        ``self.theme`` here would make Textual parse the whole stylesheet again twice while
        starting (about 20 ms of the start-up). This does what the watcher does, except
        that re-parse; the stylesheet is parsed once, with these variables, at start."""
        self.set_reactive(App.theme, name)
        theme = self.current_theme
        classes = {klass: False for klass in self.classes if klass.startswith("-theme-")}
        classes.update({f"-theme-{name}": True, "-dark-mode": theme.dark,
                        "-light-mode": not theme.dark})
        self.update_classes(classes, update=False)
        refresh_filter = getattr(self, "_refresh_truecolor_filter", None)
        if refresh_filter is not None:  # Textual private API; the filter only maps ANSI
            refresh_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())
        self.watch_theme(name)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults(self.current_theme)

    def search_themes(self) -> None:
        """Textual's theme picker (ctrl+p, Theme), with the plain ``>`` prompt of qualtui's
        palettes instead of Textual's emoji."""
        from textual.theme import ThemeProvider

        from qualtui.tui.screens.pickers import Palette

        self.push_screen(Palette(providers=[ThemeProvider], placeholder="Search for themes..."))

    def watch_theme(self, theme: str) -> None:
        """Follow the theme: code colours (``qt-code-colors``, ``qt-code-tint``) and, under
        NO_COLOR, Textual's filter: its ``Monochrome`` filter turns an ANSI theme's default
        colours black (text black on black), so ANSI themes get ``NoColor`` (the terminal's
        own colours) instead."""
        current = self.available_themes[theme]
        set_tint(code_tint(current))
        depth = cap_depth(self.terminal_depth, code_colors(current))
        changed = depth != self.color_depth
        self.color_depth = depth
        if changed:
            self._refresh_code_colors()
        if not self.no_color:
            return
        from textual.filter import Monochrome, NoColor

        wanted = NoColor if current.ansi else Monochrome
        self._filters = [f if not isinstance(f, (Monochrome, NoColor)) else wanted()
                         for f in self._filters]

    def _refresh_code_colors(self) -> None:
        """Tell every screen built so far that codes are painted differently now (a screen
        that caches code styles defines ``refresh_code_colors()``)."""
        for stack in self._screen_stacks.values():
            for screen in stack:
                refresh = getattr(screen, "refresh_code_colors", None)
                if callable(refresh):
                    refresh()

    def _configure_terminal(self) -> None:
        """Animations and smooth (pixel) scrolling off over SSH or by ``animations: off``;
        ``escape_delay`` from config.yaml unless ``ESCDELAY`` is set. Textual reads both
        constants when it parses input, so setting them here takes effect."""
        import os

        from textual import constants

        if not self.user_config.animations_on():
            self.animation_level = "none"
            constants.SMOOTH_SCROLL = False  # type: ignore[misc]
        delay = self.user_config.escape_delay
        if delay is not None and "ESCDELAY" not in os.environ:
            constants.ESCAPE_DELAY = delay / 1000  # type: ignore[misc]

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: object) -> None:
        """A keymap gave a key to two bindings: say so once per key (the remapped one
        wins)."""
        for binding in clashed_bindings:
            if binding.key in self._clashes_reported:
                continue
            self._clashes_reported.add(binding.key)
            self.notify(f"keymap: {binding.key} no longer does"
                        f" '{binding.id or binding.action}': another binding was given that"
                        " key", severity="warning", timeout=10)

    def on_mount(self) -> None:
        # qualtui open paused the garbage collector for start-up (qualtui.startup); the
        # coding screen resumes it at its first paint, this in case no transcript paints.
        self.set_timer(2.0, resume_gc, name="resume-gc")
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10)
        if getattr(self, "_sequence_keymap", None):
            self.call_after_refresh(self._remap_sequences, {})

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

    async def on_jump_to_passage(self, message: JumpToPassage) -> None:
        """Drill-downs, retrieval hits and memo links: show the passage for coding."""
        await self.open_passage(message.document_id, message.start, message.end)

    async def on_jump_to_code(self, message: JumpToCode) -> None:
        """A memo link to a code: show it in the coding screen's codebook tree."""
        from qualtui.tui.screens.coding import CodingScreen

        if self.current_mode != "coding":
            await self.switch_mode("coding")
        if isinstance(self.screen, CodingScreen):
            self.screen.show_code(message.code_id)

    def action_new_journal_entry(self) -> None:
        """``J`` anywhere: a new dated journal entry in the memos screen."""
        from qualtui.tui.screens.memos import new_journal_entry

        new_journal_entry(self)

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
    try:
        app.run()
    finally:
        resume_gc()
    if app.return_code not in (None, 0):
        raise QualtuiError(f"the terminal UI stopped with status {app.return_code}")

